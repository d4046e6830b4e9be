# SPDX-License-Identifier: GPL-3.0-or-later
"""Processes seen through /proc: who is alive, who descends from whom, who names a path, and stopping them.

The one place the harness answers "is this process still there?": a zombie
counts as gone (its parent reaps it), a process we may not signal counts as
alive.
"""

import os
import signal
import socket
import time


def alive(pid):
    """True while ``pid`` runs; a zombie (or a dead task) is gone for our purposes."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return proc_field(pid, "State") not in ("Z", "X")


def proc_field(pid, field):
    """One field of /proc/PID/status (``State``, ``PPid``, ...), or None."""
    try:
        with open("/proc/%d/status" % pid) as status:
            for line in status:
                if line.startswith(field + ":"):
                    return line.split()[1]
    except OSError:
        return None
    return None


def pids():
    return [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]


def descendants(root_pid):
    """Every living process below ``root_pid``."""
    children_of = {}
    for pid in pids():
        parent = proc_field(pid, "PPid")
        if parent is not None:
            children_of.setdefault(int(parent), []).append(pid)
    found, pending = [], [root_pid]
    while pending:
        for child in children_of.get(pending.pop(), []):
            if child not in found and alive(child):
                found.append(child)
                pending.append(child)
    return found


def ancestors():
    """This process and its parents: never ours to stop, whatever their command line says."""
    found, pid = set(), os.getpid()
    while pid and pid not in found:
        found.add(pid)
        parent = proc_field(pid, "PPid")
        pid = int(parent) if parent else 0
    return found


def mentioning(path):
    """PIDs (other than ours and our parents) whose command line names ``path`` or something under it."""
    needle = path.encode()
    spared = ancestors()
    found = []
    for pid in pids():
        if pid in spared:
            continue
        try:
            with open("/proc/%d/cmdline" % pid, "rb") as cmdline:
                if needle in cmdline.read() and alive(pid):
                    found.append(pid)
        except OSError:
            continue
    return found


def with_environment_under(name, directory):
    """PIDs (other than ours) whose environment variable ``name`` is ``directory`` or a path under it."""
    prefix = os.path.join(directory, "").encode()
    wanted = (name + "=").encode()
    found = []
    for pid in pids():
        if pid == os.getpid():
            continue
        try:
            with open("/proc/%d/environ" % pid, "rb") as environ:
                variables = environ.read().split(b"\0")
        except OSError:
            continue
        values = [variable[len(wanted):] for variable in variables if variable.startswith(wanted)]
        if any(value == prefix[:-1] or value.startswith(prefix) for value in values) and alive(pid):
            found.append(pid)
    return found


def send(pid, signum):
    try:
        os.kill(pid, signum)
    except OSError:
        pass


def terminate(list_pids, timeout):
    """SIGTERM what ``list_pids()`` returns, wait up to ``timeout`` s, then SIGKILL the rest.

    Every PID seen once stays watched: a session whose sshd parent died is
    re-parented and would otherwise drop out of ``list_pids()``.
    """
    watched = set(list_pids())
    for pid in watched:
        send(pid, signal.SIGTERM)

    def still_alive():
        watched.update(list_pids())
        return [pid for pid in watched if alive(pid)]

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and still_alive():
        time.sleep(0.1)
    for pid in still_alive():
        send(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and still_alive():
        time.sleep(0.1)


def describe(pid):
    """``PID (command line)`` for messages."""
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as cmdline:
            return "%d (%s)" % (pid, cmdline.read().replace(b"\0", b" ").decode("utf-8", "replace").strip())
    except OSError:
        return str(pid)


def listening(address, port, timeout=1):
    """True when something accepts a TCP connection on ``address:port``."""
    try:
        with socket.create_connection((address, port), timeout=timeout):
            return True
    except OSError:
        return False


def tail(path, lines=10):
    """The last ``lines`` lines of a log file, or "" when there is none."""
    try:
        with open(path) as log:
            return "".join(log.readlines()[-lines:]).strip()
    except OSError:
        return ""
