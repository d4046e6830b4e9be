# SPDX-License-Identifier: GPL-3.0-or-later
"""The one I/O helper, on real files: what ends up on disk, and what is refused with which sentence."""

from __future__ import annotations

import os
import pathlib
import re
import shutil
import stat
import tempfile

import pytest

from tests.filesystem import SPECIAL_FILES, SPECIAL_FILE_IDS, snapshot
from ansible_collections.mailops.postfix.plugins.module_utils import _io

BACKUP_NAME = re.compile(r"\.\d+\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d~\Z")


@pytest.fixture
def open_dir():
    """A directory every user can reach (pytest's tmp_path sits under a root-only 0700 directory)."""
    directory = tempfile.mkdtemp(prefix="mailops-io-test-", dir="/tmp")
    os.chmod(directory, 0o755)
    yield pathlib.Path(directory)
    os.chmod(directory, 0o755)
    shutil.rmtree(directory)


@pytest.fixture
def table(tmp_path):
    path = tmp_path / "helo_access"
    path.write_bytes(b"/^old\\.example$/ OK\n")
    os.chmod(str(path), 0o640)
    return path


def test_write_replaces_content_and_keeps_owner_group_mode(table):
    os.chown(str(table), 0, 4)  # group adm (gid 4 on Debian): something other than root's
    inode = os.stat(str(table)).st_ino
    written = _io.write_bytes(str(table), b"new\n")
    info = os.stat(str(table))
    assert table.read_bytes() == b"new\n"
    assert (stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid) == (0o640, 0, 4)
    assert info.st_ino != inode  # a new inode: the old one was never written to
    assert written == _io.Written(path=str(table), real_path=str(table), created=False, backup_file=None)
    assert sorted(os.listdir(str(table.parent))) == ["helo_access"]


def test_asked_attributes_are_on_the_new_file(table):
    _io.write_bytes(str(table), b"new\n", _io.Attributes(owner="nobody", group="nogroup", mode="0604"))
    info = os.stat(str(table))
    assert (stat.S_IMODE(info.st_mode), info.st_uid) == (0o604, 65534)
    assert info.st_gid == __import__("grp").getgrnam("nogroup").gr_gid


def test_new_file_gets_the_umask_mode(tmp_path):
    old_umask = os.umask(0o027)
    try:
        written = _io.write_bytes(str(tmp_path / "main.cf"), b"a = b\n")
    finally:
        os.umask(old_umask)
    assert written.created is True
    assert stat.S_IMODE(os.stat(str(tmp_path / "main.cf")).st_mode) == 0o640


@pytest.mark.parametrize("attributes, message", [
    (_io.Attributes(owner="no-such-user-x"), "cannot get the owner 'no-such-user-x': there is no such user"),
    (_io.Attributes(group="no-such-group-x"), "cannot get the group 'no-such-group-x': there is no such group"),
    (_io.Attributes(mode="0999"), "cannot get the mode '0999': give it in octal"),
    (_io.Attributes(mode="rw-r--r--"), "cannot get the mode 'rw-r--r--': give it in octal"),
    (_io.Attributes(mode=0o100644), "only permission bits"),
], ids=["owner", "group", "mode-digits", "mode-ls", "mode-type-bits"])
def test_bad_attributes_fail_before_anything_changes(table, attributes, message):
    before = snapshot(str(table.parent))
    with pytest.raises(_io.FileError) as raised:
        _io.write_bytes(str(table), b"new\n", attributes, backup=True)
    assert message in str(raised.value)
    assert str(raised.value).startswith(str(table)) and str(raised.value).endswith("nothing was changed")
    assert snapshot(str(table.parent)) == before


def test_owner_a_non_root_user_cannot_give_is_refused_with_nothing_changed(open_dir):
    """Run as nobody in a directory nobody may write: chown to root fails on the temp file, not on the live one."""
    os.chmod(str(open_dir), 0o777)
    path = open_dir / "main.cf"
    path.write_bytes(b"a = 1\n")
    os.chown(str(path), 65534, 65534)
    before = snapshot(str(open_dir))
    message = as_nobody(lambda: _io.write_bytes(str(path), b"a = 2\n", _io.Attributes(owner="root")))
    assert message == ("%s cannot get the owner root and group (kept): only root may give a file away; "
                       "nothing was changed" % path)
    assert snapshot(str(open_dir)) == before


def test_symlink_is_followed_and_stays_a_link(tmp_path, table):
    link = tmp_path / "links" / "helo_access"
    link.parent.mkdir()
    link.symlink_to(table)
    written = _io.write_bytes(str(link), b"new\n", backup=True)
    assert os.path.islink(str(link)) and os.readlink(str(link)) == str(table)
    assert table.read_bytes() == b"new\n"
    assert written.real_path == str(table)
    # the backup sits beside the path as given, as backup_local puts it, and holds the old bytes
    assert os.path.dirname(written.backup_file) == str(link.parent)
    with open(written.backup_file, "rb") as backup:
        assert backup.read() == b"/^old\\.example$/ OK\n"
    assert _io.read_bytes(str(link)) == b"new\n"


def as_nobody(call):
    """Run ``call`` in a forked child with uid/gid nobody; returns the FileError message it raised, or None."""
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe
        message = ""
        try:
            os.setgid(65534)
            os.setuid(65534)
            call()
        except _io.FileError as error:
            message = str(error)
        except BaseException as error:  # noqa: BLE001 - reported to the parent as a failure
            message = "unexpected %r" % (error,)
        os.write(write_end, message.encode())
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        reported = pipe.read().decode()
    os.waitpid(child, 0)
    return reported or None


@pytest.mark.parametrize("make, what", SPECIAL_FILES, ids=SPECIAL_FILE_IDS)
def test_non_regular_targets_are_refused(tmp_path, make, what):
    target = tmp_path / "target"
    make(target)
    (tmp_path / "link").symlink_to(target)
    before = snapshot(str(tmp_path))
    for call in (lambda path: _io.write_bytes(path, b"x\n", backup=True), _io.read_bytes, _io.backup_copy):
        with pytest.raises(_io.FileError) as raised:
            call(str(target))
        assert str(raised.value) == "%s is %s, not a regular file; nothing was changed" % (target, what)
        with pytest.raises(_io.FileError) as raised:
            call(str(tmp_path / "link"))
        assert str(raised.value) == ("%s is a symlink to %s, which is %s, not a regular file; nothing was changed"
                                     % (tmp_path / "link", target, what))
    assert snapshot(str(tmp_path)) == before


def test_missing_directory_is_a_sentence(tmp_path):
    with pytest.raises(_io.FileError) as raised:
        _io.write_bytes(str(tmp_path / "nowhere" / "main.cf"), b"x\n")
    assert str(raised.value) == ("%s cannot be created: the directory %s does not exist; nothing was changed"
                                 % (tmp_path / "nowhere" / "main.cf", tmp_path / "nowhere"))


def test_unwritable_directory_leaves_nothing(open_dir):
    """mkstemp fails in a directory we may not write: the live file is untouched, no temp file appears."""
    table = open_dir / "helo_access"
    table.write_bytes(b"old\n")
    os.chown(str(table), 65534, 65534)
    os.chmod(str(open_dir), 0o555)
    before = snapshot(str(open_dir))
    message = as_nobody(lambda: _io.write_bytes(str(table), b"x\n"))
    assert message == "%s cannot be written: permission is denied; nothing was changed" % table
    assert snapshot(str(open_dir)) == before


def test_backup_is_a_complete_copy_with_the_old_attributes(table):
    os.utime(str(table), ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    backup_path = _io.backup_copy(str(table))
    assert BACKUP_NAME.search(backup_path) and backup_path.startswith(str(table) + ".%d." % os.getpid())
    source, copy = os.stat(str(table)), os.stat(backup_path)
    assert (copy.st_mode, copy.st_uid, copy.st_gid, copy.st_mtime_ns) == (
        source.st_mode, source.st_uid, source.st_gid, source.st_mtime_ns)
    with open(backup_path, "rb") as backup:
        assert backup.read() == table.read_bytes()
    assert sorted(os.listdir(str(table.parent))) == sorted(["helo_access", os.path.basename(backup_path)])


def test_backup_only_when_there_was_a_file(tmp_path):
    written = _io.write_bytes(str(tmp_path / "new"), b"x\n", backup=True)
    assert written.backup_file is None and os.listdir(str(tmp_path)) == ["new"]


def test_read_text_keeps_undecodable_bytes(tmp_path):
    path = tmp_path / "main.cf"
    path.write_bytes(b"a = caf\xe9\n")
    text = _io.read_text(str(path))
    assert _io.encode_text(text) == b"a = caf\xe9\n"
    assert _io.read_text(str(tmp_path / "missing")) is None


def test_lock_is_exclusive_and_bounded(tmp_path):
    with _io.locked(str(tmp_path)):
        with pytest.raises(_io.FileError) as raised:
            with _io.locked(str(tmp_path), timeout=0.3):
                pass
    assert str(raised.value) == ("another run has held the lock on %s for 0.3 s; nothing was changed, try again "
                                 "when it has finished" % tmp_path)
    with _io.locked(str(tmp_path), timeout=0.3):  # released when the holder left
        pass


def test_lock_of_a_missing_directory_is_a_sentence(tmp_path):
    with pytest.raises(_io.FileError) as raised:
        with _io.locked(str(tmp_path / "missing")):
            pass
    assert str(raised.value) == "%s cannot be locked: it does not exist" % (tmp_path / "missing")


@pytest.mark.parametrize("mode, expected", [
    (0o640, 0o640), ("0640", 0o640), ("640", 0o640), ("u=rw,g=r,o=", None), ("a+r", None), (None, None),
])
def test_octal_mode(mode, expected):
    assert _io.octal_mode(mode, "/x") == expected


def test_symlinked_directory_on_the_way_is_named(tmp_path):
    (tmp_path / "real").mkdir()
    os.mkfifo(str(tmp_path / "real" / "main.cf"))
    (tmp_path / "etc").symlink_to(tmp_path / "real")
    with pytest.raises(_io.FileError) as raised:
        _io.read_bytes(str(tmp_path / "etc" / "main.cf"))
    assert str(raised.value) == ("%s (that is %s) is a FIFO (named pipe), not a regular file; nothing was changed"
                                 % (tmp_path / "etc" / "main.cf", tmp_path / "real" / "main.cf"))


def test_dangling_symlink_creates_its_target(tmp_path):
    (tmp_path / "main.cf").symlink_to(tmp_path / "shared.cf")
    written = _io.write_bytes(str(tmp_path / "main.cf"), b"a = b\n")
    assert written.created is True and written.real_path == str(tmp_path / "shared.cf")
    assert os.path.islink(str(tmp_path / "main.cf")) and (tmp_path / "shared.cf").read_bytes() == b"a = b\n"
