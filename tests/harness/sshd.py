# SPDX-License-Identifier: GPL-3.0-or-later
"""One sshd of its own: listening only on one loopback address and port, with its own config, host key and pid file.

It needs the privilege separation directory /run/sshd, which nothing creates
on a fresh machine (the system unit would, via RuntimeDirectory, but the
harness never starts that unit): :func:`ensure_privsep_dir` does, before
``sshd -t`` and before ``sshd``.
"""

import os
import subprocess
import time

from . import processes

SSHD = "/usr/sbin/sshd"
SSH_KEYGEN = "ssh-keygen"
PRIVSEP_DIR = "/run/sshd"

SSHD_CONFIG = """\
# sshd for one fleet host, written by tests/harness/sshd.py
ListenAddress {address}
Port {port}
HostKey {host_key}
AuthorizedKeysFile {authorized_keys}
PidFile {pid_file}
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UseDNS no
PrintMotd no
Subsystem sftp internal-sftp
LogLevel ERROR
MaxSessions 50
MaxStartups 50:30:100
"""


class SshdError(Exception):
    """An sshd could not be configured, started or stopped; the text says which and why."""


def ensure_privsep_dir():
    """Create /run/sshd if it is missing: root-owned, 0755, as sshd demands."""
    os.makedirs(PRIVSEP_DIR, mode=0o755, exist_ok=True)
    os.chmod(PRIVSEP_DIR, 0o755)


def keygen(path, comment):
    """An ed25519 key pair without passphrase at ``path`` (and ``path``.pub)."""
    completed = subprocess.run([SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path],
                               capture_output=True, text=True, check=False, timeout=60)
    if completed.returncode != 0:
        raise SshdError("%s failed for %s (rc=%d): %s" % (SSH_KEYGEN, path, completed.returncode,
                                                          completed.stderr.strip()))


def require_sshd():
    if not os.path.isfile(SSHD):
        raise SshdError("%s not found: install openssh-server (scripts/ensure-postfix.sh does)" % SSHD)


class Sshd:
    """An sshd for ``name`` in ``ssh_dir``, listening on ``address:port``."""

    def __init__(self, ssh_dir, name, address, port):
        self.ssh_dir = ssh_dir
        self.name = name
        self.address = address
        self.port = port
        self.config = os.path.join(ssh_dir, "sshd_config")
        self.host_key = os.path.join(ssh_dir, "ssh_host_ed25519_key")
        self.pid_file = os.path.join(ssh_dir, "sshd.pid")
        self.log = os.path.join(ssh_dir, "sshd.log")

    def write_config(self, authorized_keys):
        """The config, host key and /run/sshd; ``sshd -t`` must accept them."""
        os.makedirs(self.ssh_dir, exist_ok=True)
        ensure_privsep_dir()
        if not os.path.exists(self.host_key):
            keygen(self.host_key, "fleet host %s" % self.name)
        with open(self.config, "w") as config_file:
            config_file.write(SSHD_CONFIG.format(address=self.address, port=self.port, host_key=self.host_key,
                                                 authorized_keys=authorized_keys, pid_file=self.pid_file))
        checked = subprocess.run([SSHD, "-t", "-f", self.config], capture_output=True, text=True, check=False)
        if checked.returncode != 0:
            raise SshdError("sshd rejects the config of %s (%s): %s" % (self.name, self.config, checked.stderr.strip()))

    def pid(self):
        """The listening sshd's PID while it runs, else None."""
        try:
            with open(self.pid_file) as pid_file:
                pid = int(pid_file.read().strip())
        except (OSError, ValueError):
            return None
        return pid if processes.alive(pid) else None

    def start(self, timeout=10):
        ensure_privsep_dir()
        # sshd daemonizes once it listens; -E keeps its errors in the host's own log.
        started = subprocess.run([SSHD, "-f", self.config, "-E", self.log],
                                 capture_output=True, text=True, check=False, timeout=timeout)
        if started.returncode != 0:
            raise SshdError("sshd of %s did not start (rc=%d): %s %s"
                            % (self.name, started.returncode, started.stderr.strip(), processes.tail(self.log)))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.pid() and processes.listening(self.address, self.port):
                return
            time.sleep(0.05)
        raise SshdError("sshd of %s did not listen on %s:%d within %ds: %s"
                        % (self.name, self.address, self.port, timeout, processes.tail(self.log)))

    def processes(self):
        """The listening sshd and every session it forked (``sshd: root@notty`` and what runs under it)."""
        listener = self.pid()
        found = set(processes.mentioning(self.config))
        if listener:
            found.add(listener)
        for pid in list(found):
            found.update(processes.descendants(pid))
        return sorted(found)

    def stop(self, timeout=10):
        processes.terminate(self.processes, timeout)
        if os.path.exists(self.pid_file):
            os.unlink(self.pid_file)
