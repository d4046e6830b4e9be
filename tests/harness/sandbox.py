# SPDX-License-Identifier: GPL-3.0-or-later
"""An isolated Postfix instance in one directory.

Layout under ``base_dir``::

    etc/    main.cf + master.cf (the instance's config_directory)
    queue/  queue_directory (owned by root, as Postfix wants)
    data/   data_directory (owned by the postfix user)
    log/    maillog_file ``postfix.log`` (listed in maillog_file_prefixes)

The instance listens on one loopback address and port, trusts only
``127.0.0.2/32`` (so probes from 127.0.0.1 are subject to HELO checks),
accepts mail for ``sandbox.mailops.test`` and discards it.
"""

import os
import pwd
import random
import shutil
import socket
import subprocess
import tempfile
import time
import zlib

from ansible_collections.mailops.postfix.plugins.module_utils.preflight.instance import (
    instance_processes, master_pid, stop_instance)

from . import processes

POSTFIX_USER = "postfix"
SANDBOX_DOMAIN = "sandbox.mailops.test"
TRUSTED_NETWORK = "127.0.0.2/32"

MASTER_SERVICES = """\
pickup     unix  n       -       n       60      1       pickup
cleanup    unix  n       -       n       -       0       cleanup
qmgr       unix  n       -       n       300     1       qmgr
rewrite    unix  -       -       n       -       -       trivial-rewrite
bounce     unix  -       -       n       -       0       bounce
defer      unix  -       -       n       -       0       bounce
trace      unix  -       -       n       -       0       bounce
verify     unix  -       -       n       -       1       verify
flush      unix  n       -       n       1000?   0       flush
proxymap   unix  -       -       n       -       -       proxymap
proxywrite unix  -       -       n       -       1       proxymap
smtp       unix  -       -       n       -       -       smtp
relay      unix  -       -       n       -       -       smtp
showq      unix  n       -       n       -       -       showq
error      unix  -       -       n       -       -       error
retry      unix  -       -       n       -       -       error
discard    unix  -       -       n       -       -       discard
local      unix  -       n       n       -       -       local
virtual    unix  -       n       n       -       -       virtual
lmtp       unix  -       -       n       -       -       lmtp
anvil      unix  -       -       n       -       1       anvil
scache     unix  -       -       n       -       1       scache
postlog    unix-dgram n  -       n       -       1       postlogd
"""


class SandboxError(Exception):
    """A sandbox could not be created, started or stopped; the text says why."""


# Ports for sandboxes: below the kernel's ephemeral range (ip_local_port_range,
# 32768-60999 by default), which bind(port 0) and outgoing connections draw
# from, in blocks: the pytest-xdist workers of one run (PYTEST_XDIST_WORKER
# gw0, gw1, ...) take consecutive blocks from one drawn by the run's id, any
# other process (a serial run, molecule, bench) the block its PID falls in.
# Between free_port() and Postfix binding the port, nothing of another worker
# (its sandboxes, its judges, its SMTP clients) can take it, and two runs
# beside each other most likely walk different blocks.
PORT_BASE = 20000
PORT_BLOCK = 1000
PORT_BLOCKS = 12  # 20000-31999
_next_port = {}


def port_block(worker=None, run_id=None):
    """``(first, last)`` port of this process's block."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "") if worker is None else worker
    if worker.startswith("gw") and worker[2:].isdigit():
        run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID", "") if run_id is None else run_id
        index = zlib.crc32(run_id.encode()) + int(worker[2:])
    else:
        index = os.getpid()
    first = PORT_BASE + (index % PORT_BLOCKS) * PORT_BLOCK
    return first, first + PORT_BLOCK - 1


def free_port(address="127.0.0.1"):
    """A TCP port of this worker's block that is free on ``address`` right now.

    Successive calls walk the block from a random start, so a port handed out
    and not bound yet (a sandbox created but not started) is not handed out
    again before the block has gone round.
    """
    first, last = port_block()
    port = _next_port.get(address)
    if port is None or not first <= port <= last:
        port = random.randint(first, last)
    for _attempt in range(PORT_BLOCK):
        candidate, port = port, first + (port + 1 - first) % PORT_BLOCK
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe_socket:
            try:
                probe_socket.bind((address, candidate))
            except OSError:
                continue
        _next_port[address] = port
        return candidate
    raise SandboxError("no free port in %d-%d on %s" % (first, last, address))


def make_base_dir(prefix="mailops-sbx-"):
    """A new directory the postfix user can traverse (pytest's tmp_path is 0700)."""
    base_dir = tempfile.mkdtemp(prefix=prefix, dir=os.environ.get("MAILOPS_SANDBOX_ROOT", "/tmp"))
    os.chmod(base_dir, 0o755)
    return base_dir


def require_postfix():
    """Fail with the install command when the Postfix tools are missing."""
    missing = [tool for tool in ("postfix", "postconf", "postmap") if shutil.which(tool) is None]
    if missing:
        raise SandboxError(
            "Postfix tools not found (%s). Install them with: "
            "echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections && "
            "DEBIAN_FRONTEND=noninteractive apt-get install -y postfix postfix-pcre postfix-lmdb" % ", ".join(missing)
        )


class PostfixSandbox:
    """One isolated Postfix instance. ``create()``, ``start()``, ``stop()``, ``destroy()``."""

    def __init__(self, base_dir, address="127.0.0.1", port=None):
        self.base_dir = os.path.abspath(base_dir)
        self.address = address
        self.port = port if port is not None else free_port(address)
        self.config_dir = os.path.join(self.base_dir, "etc")
        self.queue_dir = os.path.join(self.base_dir, "queue")
        self.data_dir = os.path.join(self.base_dir, "data")
        self.log_dir = os.path.join(self.base_dir, "log")
        self.log_file = os.path.join(self.log_dir, "postfix.log")

    # ------------------------------------------------------------------ files
    def main_cf_parameters(self):
        return {
            "compatibility_level": "3.6",
            "queue_directory": self.queue_dir,
            "data_directory": self.data_dir,
            "daemon_directory": "/usr/lib/postfix/sbin",
            "meta_directory": "/etc/postfix",
            "shlib_directory": "/usr/lib/postfix",
            "mail_owner": POSTFIX_USER,
            "setgid_group": "postdrop",
            "myhostname": SANDBOX_DOMAIN,
            "mydomain": "mailops.test",
            "mydestination": SANDBOX_DOMAIN,
            # The smtpd service binds only address:port (master.cf). "all" skips
            # Postfix's check that the address sits on an interface: on lo only
            # 127.0.0.1 does, and fleets use 127.0.0.N / 127.0.1.N.
            "inet_interfaces": "all",
            "inet_protocols": "ipv4",
            "mynetworks": TRUSTED_NETWORK,
            "local_transport": "discard:",
            "local_recipient_maps": "",
            "alias_maps": "",
            "alias_database": "",
            "maillog_file": self.log_file,
            "maillog_file_prefixes": self.log_dir,
            "biff": "no",
            "smtpd_banner": "$myhostname ESMTP sandbox",
        }

    def create(self, extra_parameters=None):
        """Write the instance's directories, main.cf and master.cf."""
        require_postfix()
        postfix_user = pwd.getpwnam(POSTFIX_USER)
        for directory in (self.config_dir, self.queue_dir, self.data_dir, self.log_dir):
            os.makedirs(directory, exist_ok=True)
            os.chmod(directory, 0o755)
        os.chown(self.data_dir, postfix_user.pw_uid, postfix_user.pw_gid)
        parameters = self.main_cf_parameters()
        parameters.update(extra_parameters or {})
        with open(os.path.join(self.config_dir, "main.cf"), "w") as main_cf:
            main_cf.write("# sandbox instance written by tests/harness/sandbox.py\n")
            for name, value in parameters.items():
                main_cf.write("%s = %s\n" % (name, value))
        with open(os.path.join(self.config_dir, "master.cf"), "w") as master_cf:
            master_cf.write("%s:%d inet  n       -       n       -       -       smtpd\n" % (self.address, self.port))
            master_cf.write(MASTER_SERVICES)
        # Postfix re-reads a main.cf younger than ~2 s until it is older (1.8 s
        # per tool call here); these files are complete, so date them back.
        for name in ("main.cf", "master.cf"):
            path = os.path.join(self.config_dir, name)
            past = time.time() - 60
            os.utime(path, (past, past))
        return self

    # --------------------------------------------------------------- commands
    def run(self, argv, check=True, env=None):
        """Run a Postfix tool against this instance (argv list, never a shell)."""
        full_env = dict(os.environ, MAIL_CONFIG=self.config_dir)
        full_env.update(env or {})
        result = subprocess.run(argv, capture_output=True, text=True, env=full_env, check=False)
        if check and result.returncode != 0:
            raise SandboxError(
                "%s failed (rc=%d): %s%s\n--- %s ---\n%s"
                % (" ".join(argv), result.returncode, result.stdout, result.stderr, self.log_file, self.log_tail())
            )
        return result

    def postconf(self, name):
        """What Postfix itself says a parameter is (``postconf -c DIR -h NAME``)."""
        return self.run(["postconf", "-c", self.config_dir, "-h", name]).stdout.rstrip("\n")

    def set_parameters(self, parameters):
        """``postconf -c DIR -e name=value ...``; values with lists are taken as written."""
        self.run(["postconf", "-c", self.config_dir, "-e"] + ["%s=%s" % item for item in parameters.items()])

    def log_tail(self, lines=30):
        try:
            with open(self.log_file) as log:
                return "".join(log.readlines()[-lines:])
        except OSError:
            return "(no log file)"

    def master_pid(self):
        pid = master_pid(self.queue_dir)
        return pid if pid and processes.alive(pid) else None

    def is_listening(self):
        return processes.listening(self.address, self.port)

    def start(self, timeout=20):
        self.run(["postfix", "-c", self.config_dir, "start"])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.master_pid() and self.is_listening():
                return self
            time.sleep(0.1)
        raise SandboxError(
            "postfix in %s did not listen on %s:%d within %ds\n%s"
            % (self.config_dir, self.address, self.port, timeout, self.log_tail())
        )

    def smtpd_pids(self):
        """PIDs of this instance's smtpd processes."""
        pids = []
        for pid in self.processes():
            try:
                with open("/proc/%d/comm" % pid) as comm:
                    if comm.read().strip() == "smtpd":
                        pids.append(pid)
            except OSError:
                continue
        return pids

    def _log_size(self):
        try:
            return os.path.getsize(self.log_file)
        except OSError:
            return 0

    def _logged_since(self, offset, text):
        try:
            with open(self.log_file) as log:
                log.seek(offset)
                return text in log.read()
        except OSError:
            return False

    def reload(self, timeout=10):
        """``postfix reload`` and wait until it has taken effect.

        The command returns once it has signalled the master; until the master
        has re-read main.cf and the idle smtpd processes of the old
        configuration have exited, the next connection may still be served by
        one of them (seen under load: a probe right after reload got the old
        answer). Waits for the master's "reload" log line and for those
        processes to be gone, at most ``timeout`` seconds.
        """
        old_smtpd = set(self.smtpd_pids())
        log_offset = self._log_size()
        self.run(["postfix", "-c", self.config_dir, "reload"])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._logged_since(log_offset, "reload -- version") and not old_smtpd & set(self.smtpd_pids()):
                return
            time.sleep(0.05)
        raise SandboxError("postfix reload in %s did not take effect within %ds (old smtpd %s)\n%s"
                           % (self.config_dir, timeout, sorted(old_smtpd), self.log_tail()))

    def processes(self):
        """PIDs of every process that belongs to this instance (MAIL_CONFIG in its environment)."""
        pids = instance_processes(self.config_dir)
        master = self.master_pid()
        if master and master not in pids:
            pids.append(master)
        return pids

    def stop(self, timeout=15):
        """Stop the instance and make sure no process of it is left (as the product stops its judges)."""
        stop_instance(self.config_dir, self.queue_dir, timeout)
        master = self.master_pid()
        if master:
            processes.terminate(lambda: [master], 5)

    def destroy(self):
        self.stop()
        shutil.rmtree(self.base_dir, ignore_errors=True)
