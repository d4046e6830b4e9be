# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one way this collection locks, reads and writes the files it manages.

Every module that changes a file (postconf, helo_access, the role's
pre-flight promotion) goes through here, so each guarantee holds once:

- **One lock style**: an exclusive ``flock`` on the directory that holds the
  file, waited for at most ``LOCK_TIMEOUT_SECONDS`` (see ``locked``).
- **Only regular files**: a device node, directory, FIFO or socket is
  refused with a sentence that says what the path is (``target_path``).
- **Symlinks followed**, as ``ansible.builtin.lineinfile`` does: the link's
  target gets the new bytes and the attributes, the link itself stays.
- **Failure-atomic writes** (``write_bytes``): the new bytes go to a temp
  file in the target's directory, get the owner, group, mode (and, through
  the module, SELinux context and file attributes) *before* the rename, so an
  owner that cannot be applied fails while the live file is untouched. Then
  one ``rename(2)`` within one directory makes them live.
- **Atomic backups** (``backup_copy``): written through a temp file and a
  rename too, so a backup is complete or absent, never partial.
- **Every OS error a sentence**: ``FileError`` names the path and what
  happened ("the file system is full"), and no temp file is left beside the
  target.

Why not ``AnsibleModule.atomic_move`` and ``backup_local``: ``atomic_move``
copies the old file's owner and mode onto the temp file (undoing attributes
set on it beforehand) and, when it creates a file, resets mode and owner
*after* the rename, on the live file; ``backup_local`` copies straight onto
the backup name, so a full disk leaves a partial backup that looks valid.
The rename here never crosses file systems (the temp file is in the target's
directory), which is the case ``atomic_move``'s fallbacks exist for.

No ``AnsibleModule`` import: ``ModuleFiles(module)`` wraps the few module
methods needed for what only Ansible knows (SELinux, ``chattr`` attributes,
symbolic modes, temp-file cleanup on ``fail_json``). The plain functions
work without a module.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import fcntl
import grp
import os
import pwd
import re
import shutil
import stat
import tempfile
import time
import typing as t

# Bounded, not blocking: a stuck holder (a stopped process, a hung Postfix
# tool) must end in a sentence, not in a task that never returns (Ansible
# tasks have no timeout by default). Five minutes is well above the longest
# legitimate hold measured (judging a 100,000-name table).
LOCK_TIMEOUT_SECONDS = 300
LOCK_POLL_SECONDS = 0.1
BACKUP_TIME_FORMAT = "%Y-%m-%d@%H:%M:%S~"
SYMBOLIC_MODE = re.compile(r"\A[ugoa]*[-+=][rwxXstugo]*(?:,[ugoa]*[-+=][rwxXstugo]*)*\Z")

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
)
_REASONS = {
    errno.ENOSPC: "the file system is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EACCES: "permission is denied",
    errno.EPERM: "the operation is not permitted",
    errno.EROFS: "the file system is read-only",
    errno.ENOENT: "it does not exist",
    errno.ENOTDIR: "a part of the path is not a directory",
    errno.EISDIR: "it is a directory",
    errno.ELOOP: "its symlinks form a loop",
    errno.EIO: "the device reported an input/output error",
    errno.EBUSY: "it is busy (a mount point?)",
}


class FileError(Exception):
    """A file could not be locked, read or written; the message is a sentence naming the path."""


@dataclasses.dataclass(frozen=True)
class Attributes:
    """Owner, group and mode asked for; None keeps what the file has (or the default for a new file)."""

    owner: str | int | None = None
    group: str | int | None = None
    mode: str | int | None = None


@dataclasses.dataclass(frozen=True)
class Written:
    """What ``write_bytes`` did: the file that got the bytes and the backup, if one was made."""

    path: str
    real_path: str
    created: bool
    backup_file: str | None = None


class TempFileHooks(t.Protocol):
    """What only Ansible knows how to apply, done on a temp file before it is renamed."""

    def finish_temp(self, temp_path: str, target_path: str) -> None:
        """Apply the SELinux context, file attributes and a symbolic mode to the new file's temp file."""

    def finish_backup(self, temp_path: str, source_path: str) -> None:
        """Give a backup's temp file the source's SELinux context."""


def reason(error: OSError) -> str:
    """What an OS error means, as words for a sentence (no errno number, no repr of the path)."""
    if error.errno in _REASONS:
        return _REASONS[error.errno]
    if error.errno:
        return os.strerror(error.errno).lower()
    return "the operating system refused it"


def kind(mode: int) -> str | None:
    """What a stat mode says a path is ("a directory", ...); None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    for test, name in _KINDS:
        if test(mode):
            return name
    return "a special file"


def target_path(path: str) -> str:
    """The file a write to ``path`` changes: symlinks followed; it must be a regular file or missing.

    Raises FileError for a device node, directory, FIFO or socket (or a link
    to one), and when the directory that would hold a new file is missing.
    """
    real_path = os.path.realpath(path)
    try:
        mode = os.stat(real_path).st_mode
    except FileNotFoundError:
        if not os.path.isdir(os.path.dirname(real_path)):
            raise FileError("%s cannot be created: the directory %s does not exist; nothing was changed"
                            % (path, os.path.dirname(real_path))) from None
        return real_path
    except OSError as error:
        raise FileError("%s cannot be examined: %s; nothing was changed" % (path, reason(error))) from None
    what = kind(mode)
    if what is None:
        return real_path
    if os.path.islink(path):
        raise FileError("%s is a symlink to %s, which is %s, not a regular file; nothing was changed"
                        % (path, real_path, what))
    if real_path != os.path.abspath(path):  # a symlinked directory on the way
        raise FileError("%s (that is %s) is %s, not a regular file; nothing was changed" % (path, real_path, what))
    raise FileError("%s is %s, not a regular file; nothing was changed" % (path, what))


def read_bytes(path: str) -> bytes | None:
    """The file's bytes (through symlinks), or None when it does not exist."""
    real_path = target_path(path)
    try:
        with open(real_path, "rb") as source:
            return source.read()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise FileError("%s cannot be read: %s" % (path, reason(error))) from None


def read_text(path: str) -> str | None:
    """The file as text (UTF-8, undecodable bytes kept as surrogates), or None when it does not exist."""
    data = read_bytes(path)
    return None if data is None else data.decode("utf-8", "surrogateescape")


def encode_text(text: str) -> bytes:
    """Text from ``read_text`` (or new text) back to the bytes it came from."""
    return text.encode("utf-8", "surrogateescape")


@contextlib.contextmanager
def locked(directory: str, timeout: float = LOCK_TIMEOUT_SECONDS) -> t.Iterator[None]:
    """Hold an exclusive ``flock`` on ``directory`` (the files' directory, since a rename replaces their inode)."""
    try:
        descriptor = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as error:
        raise FileError("%s cannot be locked: %s" % (directory, reason(error))) from None
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise FileError("another run has held the lock on %s for %g s; nothing was changed, "
                                    "try again when it has finished" % (directory, timeout)) from None
                time.sleep(LOCK_POLL_SECONDS)
        yield
    finally:
        os.close(descriptor)  # closing the descriptor releases the lock


# owner or group: what the message calls it, how its name is looked up, the id field.
_ID_KINDS = {"owner": ("user", pwd.getpwnam, "pw_uid"), "group": ("group", grp.getgrnam, "gr_gid")}


def _id(kind: str, name: str | int | None, path: str) -> int:
    """The numeric id of an owner or group (``kind``), -1 for None (os.chown leaves it as it is)."""
    if name is None:
        return -1
    if isinstance(name, int) or str(name).isdigit():
        return int(name)
    noun, lookup, field = _ID_KINDS[kind]
    try:
        return getattr(lookup(str(name)), field)
    except KeyError:
        raise FileError("%s cannot get the %s %r: there is no such %s on this host; nothing was changed"
                        % (path, kind, name, noun)) from None


def octal_mode(mode: str | int | None, path: str) -> int | None:
    """The mode as a number; None when none is asked for or it is symbolic (``u=rw,g=r``: Ansible applies it).

    Raises FileError for a mode that is neither (``0999``, ``rw-r--r--``, ``0o100644``).
    """
    if mode is None:
        return None
    if isinstance(mode, int) and not isinstance(mode, bool):
        number = mode
    elif isinstance(mode, str) and re.match(r"\A[0-7]+\Z", mode):
        number = int(mode, 8)
    elif isinstance(mode, str) and SYMBOLIC_MODE.match(mode):
        return None
    else:
        raise FileError("%s cannot get the mode %r: give it in octal (0640) or symbolic form (u=rw,g=r,o=); "
                        "nothing was changed" % (path, mode))
    if number != stat.S_IMODE(number):
        raise FileError("%s cannot get the mode %r: only permission bits (at most 07777) are allowed; "
                        "nothing was changed" % (path, mode))
    return number


def check_attributes(path: str, attributes: Attributes) -> None:
    """Raise FileError now, before anything is written, for an owner, group or mode that cannot exist."""
    _id("owner", attributes.owner, path)
    _id("group", attributes.group, path)
    octal_mode(attributes.mode, path)


def _new_file_defaults(directory: str) -> tuple[int, int, int]:
    """Owner, group and mode a new file gets, as ``atomic_move`` gives them (umask, setgid directory)."""
    umask = os.umask(0)
    os.umask(umask)
    directory_stat = os.stat(directory)
    gid = directory_stat.st_gid if directory_stat.st_mode & stat.S_ISGID else os.getegid()
    return os.geteuid(), gid, 0o666 & ~umask


def _remove(path: str | None) -> None:
    if path:
        with contextlib.suppress(OSError):
            os.unlink(path)


@contextlib.contextmanager
def _removed_on_failure(failure: str, made: list[str | None]) -> t.Iterator[None]:
    """On any error in the block remove the files in ``made`` (as the list is then); an OSError is
    re-raised as ``FileError("FAILURE: reason; nothing was changed")``."""
    try:
        yield
    except OSError as error:
        for path in made:
            _remove(path)
        raise FileError("%s: %s; nothing was changed" % (failure, reason(error))) from None
    except BaseException:
        for path in made:
            _remove(path)
        raise


def _fsync_directory(directory: str) -> None:
    """Make a rename durable; a file system that cannot sync a directory is left as it is."""
    with contextlib.suppress(OSError):
        descriptor = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _temp_file(directory: str, name: str, fill: t.Callable[[t.BinaryIO], None], failure: str) -> str:
    """A temp file beside ``name`` in ``directory``, filled and synced; removed again on any error."""
    try:
        descriptor, temp_path = tempfile.mkstemp(prefix=".%s." % name, suffix=".tmp", dir=directory)
    except OSError as error:
        raise FileError("%s: %s; nothing was changed" % (failure, reason(error))) from None
    with _removed_on_failure(failure, [temp_path]), os.fdopen(descriptor, "wb") as temp_file:
        fill(temp_file)
        temp_file.flush()
        os.fsync(temp_file.fileno())
    return temp_path


def _set_ownership(temp_path: str, path: str, owner_ids: tuple[int, int], mode: int, asked: Attributes) -> None:
    """chown and chmod the temp file; an owner or group asked for that cannot be set is a FileError."""
    uid, gid = owner_ids
    try:
        os.chown(temp_path, uid, gid)
    except PermissionError:
        if asked.owner is not None or asked.group is not None:
            raise FileError("%s cannot get the owner %s and group %s: only root may give a file away; "
                            "nothing was changed" % (path, asked.owner or "(kept)", asked.group or "(kept)")) from None
        # keeping another user's ownership needs root; as atomic_move, write as ourselves then
    except OSError as error:
        raise FileError("%s cannot get its owner and group: %s; nothing was changed" % (path, reason(error))) from None
    try:
        os.chmod(temp_path, mode)
    except OSError as error:
        raise FileError("%s cannot get the mode %04o: %s; nothing was changed" % (path, mode, reason(error))) from None


def backup_copy(path: str, hooks: TempFileHooks | None = None) -> str:
    """Copy the file to ``PATH.PID.YYYY-MM-DD@HH:MM:SS~`` (as ``backup_local`` names it), atomically.

    The copy keeps owner, group, mode and times. Returns the backup's path.
    """
    real_path = target_path(path)
    backup_path = "%s.%d.%s" % (path, os.getpid(), time.strftime(BACKUP_TIME_FORMAT))
    failure = "%s cannot be backed up to %s" % (path, backup_path)
    try:
        source_stat = os.stat(real_path)
        source = open(real_path, "rb")
    except OSError as error:
        raise FileError("%s: %s; nothing was changed" % (failure, reason(error))) from None
    with source:
        temp_path = _temp_file(os.path.dirname(backup_path) or ".", os.path.basename(path) + ".backup",
                               lambda temp_file: shutil.copyfileobj(source, temp_file), failure)
    with _removed_on_failure(failure, [temp_path]):
        with contextlib.suppress(PermissionError):
            os.chown(temp_path, source_stat.st_uid, source_stat.st_gid)
        os.chmod(temp_path, stat.S_IMODE(source_stat.st_mode))
        os.utime(temp_path, ns=(source_stat.st_atime_ns, source_stat.st_mtime_ns))
        if hooks is not None:
            hooks.finish_backup(temp_path, real_path)
        os.replace(temp_path, backup_path)
    return backup_path


def write_bytes(path: str, data: bytes, attributes: Attributes | None = None, *, backup: bool = False,
                hooks: TempFileHooks | None = None) -> Written:
    """Make ``data`` the content of ``path`` with ``attributes``, or change nothing and raise FileError.

    A symlink is followed (its target changes, the link stays). The temp file
    gets the current file's owner, group and mode (a new file: the umask's),
    then what ``attributes`` asks for, then what ``hooks`` apply; ``backup``
    copies the current file first. Only after all of that succeeded does one
    rename make the new bytes live; on any failure the temp file and the new
    backup are removed again.
    """
    asked = attributes or Attributes()
    real_path = target_path(path)
    check_attributes(path, asked)
    directory = os.path.dirname(real_path)
    try:
        current = os.stat(real_path)
        uid, gid, mode = current.st_uid, current.st_gid, stat.S_IMODE(current.st_mode)
    except FileNotFoundError:
        current = None
        uid, gid, mode = _new_file_defaults(directory)
    except OSError as error:
        raise FileError("%s cannot be examined: %s; nothing was changed" % (path, reason(error))) from None
    owner_ids = (_id("owner", asked.owner, path) if asked.owner is not None else uid,
                 _id("group", asked.group, path) if asked.group is not None else gid)
    asked_mode = octal_mode(asked.mode, path)
    temp_path = _temp_file(directory, os.path.basename(real_path), lambda temp_file: temp_file.write(data),
                           "%s cannot be written" % path)
    backup_file = None
    made = [temp_path]
    with _removed_on_failure("%s cannot be replaced" % path, made):
        _set_ownership(temp_path, path, owner_ids, mode if asked_mode is None else asked_mode, asked)
        if hooks is not None:
            hooks.finish_temp(temp_path, real_path)
        if backup and current is not None:
            backup_file = backup_copy(path, hooks)
            made.append(backup_file)
        os.replace(temp_path, real_path)
    _fsync_directory(directory)
    return Written(path=path, real_path=real_path, created=current is None, backup_file=backup_file)


def write_text(path: str, text: str, attributes: Attributes | None = None, *, backup: bool = False,
               hooks: TempFileHooks | None = None) -> Written:
    """``write_bytes`` for text from ``read_text`` (surrogates back to their bytes)."""
    return write_bytes(path, encode_text(text), attributes, backup=backup, hooks=hooks)


class ModuleFiles:
    """The helper as a module uses it: ``files = ModuleFiles(module)``, built in the module.

    Holds the module only to call its file methods (duck-typed; no
    AnsibleModule import here): ``load_file_common_arguments`` for the
    task's owner/group/mode/SELinux/attributes options,
    ``set_context_if_different``, ``set_attributes_if_different`` and
    ``set_mode_if_different`` (symbolic modes) on temp files, and
    ``add_cleanup_file`` so a temp file goes away even when one of those ends
    the module with ``fail_json``.
    """

    def __init__(self, module: t.Any, params: dict | None = None) -> None:
        self._module = module
        self._params = params

    def file_args(self, path: str) -> dict:
        """The task's file options for ``path`` (owner, group, mode, secontext, attributes).

        With ``params`` (a dict of those options, for example one entry of a
        module's list of files) those instead of the task's.
        """
        params = self._module.params if self._params is None else self._params
        return self._module.load_file_common_arguments(params, path=path)

    def _hooks(self, file_args: dict) -> TempFileHooks:
        return _AnsibleHooks(self._module, file_args)

    def write(self, path: str, data: bytes, *, backup: bool = False, file_args: dict | None = None) -> Written:
        """Write ``data`` to ``path`` failure-atomically with the task's file options (or ``file_args``).

        ``file_args`` is a dict like ``load_file_common_arguments`` returns;
        ``{}`` keeps the current file's attributes (for a module whose task
        options do not describe this file).
        """
        args = self.file_args(path) if file_args is None else file_args
        attributes = Attributes(owner=args.get("owner"), group=args.get("group"), mode=args.get("mode"))
        return write_bytes(path, data, attributes, backup=backup, hooks=self._hooks(args))

    def apply_attributes(self, path: str, changed: bool, file_args: dict | None = None) -> bool:
        """The task's file options on an existing file whose content did not change (check mode reports only).

        The owner, group and mode are checked first, so a bad one fails with a
        sentence and the file unchanged. Returns ``changed``, or True when an
        attribute was (or in check mode would be) changed.
        """
        real_path = target_path(path)
        args = dict(self.file_args(real_path) if file_args is None else file_args, path=real_path)
        check_attributes(path, Attributes(owner=args.get("owner"), group=args.get("group"), mode=args.get("mode")))
        return self._module.set_fs_attributes_if_different(args, changed)


class _AnsibleHooks:
    """SELinux context, ``chattr`` attributes and symbolic modes, applied by the module's own methods."""

    def __init__(self, module: t.Any, file_args: dict) -> None:
        self._module = module
        self._file_args = file_args

    def _context_for(self, target_path_: str) -> list | None:
        asked = self._file_args.get("secontext")
        if asked and any(part is not None for part in asked):
            return asked
        if os.path.exists(target_path_):
            return self._module.selinux_context(target_path_)
        return self._module.selinux_default_context(target_path_)

    def finish_temp(self, temp_path: str, target_path_: str) -> None:
        self._module.add_cleanup_file(temp_path)
        if self._module.selinux_enabled():
            self._module.set_context_if_different(temp_path, self._context_for(target_path_), False)
        mode = self._file_args.get("mode")
        if mode is not None and octal_mode(mode, target_path_) is None:
            self._module.set_mode_if_different(temp_path, mode, False)
        if self._file_args.get("attributes"):
            self._module.set_attributes_if_different(temp_path, self._file_args["attributes"], False)

    def finish_backup(self, temp_path: str, source_path: str) -> None:
        self._module.add_cleanup_file(temp_path)
        if self._module.selinux_enabled():
            self._module.set_context_if_different(temp_path, self._module.selinux_context(source_path), False)
