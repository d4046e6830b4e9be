# SPDX-License-Identifier: GPL-3.0-or-later
"""postconf against files that fight back: a full disk, special files, symlinks, bad attributes.

Each failure asserts: failed with a sentence naming the file, every file's
bytes, mtime and type unchanged, no temp file left, no traceback text. Each
success is judged by ``postconf -c DIR -h`` and by what is on disk.
"""

from __future__ import annotations

import grp
import os
import re
import stat

import pytest

from tests.filesystem import SPECIAL_FILES, SPECIAL_FILE_IDS, fill_leaving, snapshot
from tests.harness.ansible_run import run_module
from tests.functional.modules.postconf.postconf_judge import MODULE, main_cf_path, postfix_reads

LONG_COMMENT = "# " + "x" * 70 + "\n"
BACKUP_NAME = re.compile(r"\Amain\.cf\.\d+\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d~\Z")


def assert_failed_cleanly(result, message):
    assert result["failed"] is True, result
    assert result["msg"] == message, result["msg"]
    for text in (result["msg"], result["_stdout"]):
        assert "Traceback" not in text and "Errno" not in text and "Error:" not in text


def set_helo_required(config_dir, **options):
    args = dict(config_dir=str(config_dir), parameters={"smtpd_helo_required": True}, **options)
    return run_module(MODULE, args)


def config_on(directory):
    config_dir = directory / "postfix"
    config_dir.mkdir()
    (config_dir / "main.cf").write_text("compatibility_level = 3.6\n" + LONG_COMMENT * 80)  # about 6 KB: 2 pages
    (config_dir / "master.cf").write_text("")
    for name in ("main.cf", "master.cf"):
        os.utime(str(config_dir / name), (1_600_000_000, 1_600_000_000))
    return config_dir


def test_full_disk_fails_with_a_sentence_and_no_temp_file(small_disk):
    config_dir = config_on(small_disk)
    fill_leaving(small_disk, 0)
    before = snapshot(config_dir)
    result = set_helo_required(config_dir)
    assert_failed_cleanly(result, "%s cannot be written: the file system is full; nothing was changed"
                          % main_cf_path(config_dir))
    assert snapshot(config_dir) == before


def test_full_disk_during_the_backup_leaves_no_partial_backup(small_disk):
    """Room for the new main.cf (2 pages) but not for the backup as well: no backup, no temp, main.cf as it was."""
    config_dir = config_on(small_disk)
    fill_leaving(small_disk, 2)
    before = snapshot(config_dir)
    result = set_helo_required(config_dir, backup=True)
    assert result["failed"] is True, result
    assert re.fullmatch(r"%s cannot be backed up to %s\.\d+\.[-0-9@:]+~: the file system is full; nothing was changed"
                        % (re.escape(main_cf_path(config_dir)), re.escape(main_cf_path(config_dir))), result["msg"])
    assert "Traceback" not in result["_stdout"]
    assert snapshot(config_dir) == before


def test_enough_room_writes_main_cf_and_a_complete_backup(small_disk):
    config_dir = config_on(small_disk)
    fill_leaving(small_disk, 4)
    old_bytes = (config_dir / "main.cf").read_bytes()
    result = set_helo_required(config_dir, backup=True)
    assert result["changed"] is True and not result.get("failed"), result
    assert postfix_reads(config_dir, ["smtpd_helo_required"]) == {"smtpd_helo_required": "yes"}
    backups = [name for name in os.listdir(str(config_dir)) if BACKUP_NAME.match(name)]
    assert len(backups) == 1 and result["backup_file"] == str(config_dir / backups[0])
    assert (config_dir / backups[0]).read_bytes() == old_bytes
    assert os.stat(result["backup_file"]).st_mtime == 1_600_000_000
    assert sorted(os.listdir(str(config_dir))) == sorted(["main.cf", "master.cf", backups[0]])


@pytest.mark.parametrize("file_name", ["main.cf", "master.cf"])
@pytest.mark.parametrize("make, what", SPECIAL_FILES, ids=SPECIAL_FILE_IDS)
def test_special_file_is_refused_and_stays(config_dir, file_name, make, what):
    os.unlink(str(config_dir / file_name))
    make(config_dir / file_name)
    before = snapshot(config_dir)
    result = set_helo_required(config_dir, backup=True)
    assert_failed_cleanly(result, "%s is %s, not a regular file; nothing was changed"
                          % (config_dir / file_name, what))
    assert snapshot(config_dir) == before


def test_symlink_to_a_device_is_refused(config_dir):
    os.unlink(str(config_dir / "main.cf"))
    os.symlink("/dev/null", str(config_dir / "main.cf"))
    before = snapshot(config_dir)
    result = set_helo_required(config_dir)
    assert_failed_cleanly(result, "%s is a symlink to /dev/null, which is a character device, not a regular file; "
                          "nothing was changed" % (config_dir / "main.cf"))
    assert snapshot(config_dir) == before
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_symlinked_main_cf_is_followed_and_the_link_stays(config_dir, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.replace(str(config_dir / "main.cf"), str(shared / "main.cf"))
    os.chmod(str(shared / "main.cf"), 0o640)
    os.symlink(str(shared / "main.cf"), str(config_dir / "main.cf"))
    result = set_helo_required(config_dir, backup=True)
    assert result["changed"] is True and not result.get("failed"), result
    assert os.readlink(str(config_dir / "main.cf")) == str(shared / "main.cf")
    assert postfix_reads(config_dir, ["smtpd_helo_required"]) == {"smtpd_helo_required": "yes"}
    assert b"smtpd_helo_required = yes\n" in (shared / "main.cf").read_bytes()
    assert stat.S_IMODE(os.stat(str(shared / "main.cf")).st_mode) == 0o640
    assert sorted(os.listdir(str(shared))) == ["main.cf"]
    assert os.path.dirname(result["backup_file"]) == str(config_dir)
    with open(result["backup_file"], "rb") as backup:
        assert backup.read() == b"compatibility_level = 3.6\n"
    # and the next run finds nothing to do through the link
    again = set_helo_required(config_dir)
    assert again["changed"] is False, again


@pytest.mark.parametrize("options, message", [
    ({"owner": "no-such-user-x"}, "cannot get the owner 'no-such-user-x': there is no such user on this host"),
    ({"group": "no-such-group-x"}, "cannot get the group 'no-such-group-x': there is no such group on this host"),
    ({"mode": "0999"}, "cannot get the mode '0999': give it in octal (0640) or symbolic form (u=rw,g=r,o=)"),
    ({"mode": "rw-r-----"}, "cannot get the mode 'rw-r-----': give it in octal (0640) or symbolic form (u=rw,g=r,o=)"),
], ids=["owner", "group", "mode-digits", "mode-ls-form"])
@pytest.mark.parametrize("content_changes", [True, False], ids=["with-change", "attributes-only"])
def test_bad_attributes_fail_before_main_cf_changes(config_dir, options, message, content_changes):
    if not content_changes:
        (config_dir / "main.cf").write_text("compatibility_level = 3.6\nsmtpd_helo_required = yes\n")
        os.utime(str(config_dir / "main.cf"), (1_600_000_000, 1_600_000_000))
    before = snapshot(config_dir)
    result = set_helo_required(config_dir, backup=True, **options)
    assert_failed_cleanly(result, "%s %s; nothing was changed" % (main_cf_path(config_dir), message))
    assert snapshot(config_dir) == before


def test_asked_attributes_are_on_the_new_main_cf(config_dir):
    os.chmod(str(config_dir / "main.cf"), 0o644)
    result = set_helo_required(config_dir, owner="nobody", group="nogroup", mode="0640")
    assert result["changed"] is True and not result.get("failed"), result
    info = os.stat(main_cf_path(config_dir))
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (
        65534, grp.getgrnam("nogroup").gr_gid, 0o640)
    assert postfix_reads(config_dir, ["smtpd_helo_required"]) == {"smtpd_helo_required": "yes"}
    assert sorted(os.listdir(str(config_dir))) == ["main.cf", "master.cf"]


def test_attributes_of_an_existing_file_are_kept_without_asking(config_dir):
    os.chown(str(config_dir / "main.cf"), 65534, grp.getgrnam("nogroup").gr_gid)
    os.chmod(str(config_dir / "main.cf"), 0o604)
    result = set_helo_required(config_dir)
    assert result["changed"] is True and not result.get("failed"), result
    info = os.stat(main_cf_path(config_dir))
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (65534, grp.getgrnam("nogroup").gr_gid, 0o604)


def test_symbolic_mode_is_applied(config_dir):
    os.chmod(str(config_dir / "main.cf"), 0o600)
    result = set_helo_required(config_dir, mode="u=rw,g=r,o=")
    assert result["changed"] is True and not result.get("failed"), result
    assert stat.S_IMODE(os.stat(main_cf_path(config_dir)).st_mode) == 0o640
    assert sorted(os.listdir(str(config_dir))) == ["main.cf", "master.cf"]
