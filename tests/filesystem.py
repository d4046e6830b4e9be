# SPDX-License-Identifier: GPL-3.0-or-later
"""Files as a failure test sees them: a directory's every entry, and the special files a target can be.

Shared by the I/O helper's unit tests and the modules' functional tests, so
"every file's bytes, mtime and type unchanged" means the same everywhere.
"""

from __future__ import annotations

import os
import socket
import stat


def snapshot(directory):
    """name -> (file type, bytes or link target, mtime, mode, uid, gid) of every entry of ``directory``."""
    found = {}
    for name in sorted(os.listdir(str(directory))):
        path = os.path.join(str(directory), name)
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            content = os.readlink(path)
        elif stat.S_ISREG(info.st_mode):
            with open(path, "rb") as handle:
                content = handle.read()
        else:
            content = None
        found[name] = (stat.S_IFMT(info.st_mode), content, info.st_mtime_ns, stat.S_IMODE(info.st_mode),
                       info.st_uid, info.st_gid)
    return found


def make_fifo(path):
    os.mkfifo(str(path))


def make_socket(path):
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(path))
    listener.close()


def make_device(path):
    """A character device node: the one /dev/null is (1, 3)."""
    os.mknod(str(path), 0o600 | stat.S_IFCHR, os.makedev(1, 3))


# (maker, what the I/O helper calls it) for every kind of non-regular target
SPECIAL_FILES = [
    (os.mkdir, "a directory"),
    (make_fifo, "a FIFO (named pipe)"),
    (make_socket, "a socket"),
    (make_device, "a character device"),
]
SPECIAL_FILE_IDS = ["directory", "fifo", "socket", "device"]


def fill_leaving(directory, free_pages):
    """Fill the file system of ``directory`` with a filler file, then free exactly ``free_pages`` pages."""
    filler = os.path.join(str(directory), "filler")
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(descriptor, b"0" * 4096)
    except OSError as error:
        assert error.errno == 28, error  # ENOSPC: full
    finally:
        os.close(descriptor)
    size = os.path.getsize(filler)
    os.truncate(filler, size - size % 4096 - free_pages * 4096)
