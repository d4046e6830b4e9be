# SPDX-License-Identifier: GPL-3.0-or-later
"""A fleet of sandbox mail servers reached over real SSH, on loopback only.

Host ``i`` (1-based) of a fleet in directory ``D`` gets:

- the loopback address ``127.0.1.i`` (all of 127.0.0.0/8 answers on ``lo``);
- its own sshd listening only on ``127.0.1.i:<free port>``, with its own
  config, host key, ``authorized_keys`` (the fleet's client key) and pid file
  under ``D/hosts/<name>/ssh/``;
- its own sandbox Postfix instance (:class:`tests.harness.sandbox.PostfixSandbox`)
  on ``127.0.1.i:<free port>`` under ``D/hosts/<name>/postfix/``; its ``etc/``
  is the host's ``helo_guard_config_dir``.

``D/inventory.yml`` lists the hosts for Ansible (SSH connection, root, the
fleet's key, the venv's Python) and ``D/fleet.json`` records what ``down``
must stop. ``down`` stops every sshd, every SSH session and connection
multiplexer and every Postfix process the fleet started, then checks that
none is left.

From a shell (molecule, demos)::

    python -m tests.harness.fleet up   --dir D [--hosts 5] [--name-prefix mx] [--group mail_servers]
    python -m tests.harness.fleet down --dir D [--remove]
    python -m tests.harness.fleet status --dir D
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

from .sandbox import PostfixSandbox, SandboxError, free_port

SSHD = "/usr/sbin/sshd"
SSH_KEYGEN = "ssh-keygen"
PRIVSEP_DIR = "/run/sshd"
STATE_FILE = "fleet.json"
INVENTORY_FILE = "inventory.yml"
MAX_HOSTS = 254

SSHD_CONFIG = """\
# sshd for one fleet host, written by tests/harness/fleet.py
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


class FleetError(Exception):
    """The fleet could not be brought up or down; the text says which host and why."""


def host_address(index):
    """The loopback address of host ``index`` (1-based): 127.0.1.index."""
    if not 1 <= index <= MAX_HOSTS:
        raise FleetError("host index %d is outside 1..%d" % (index, MAX_HOSTS))
    return "127.0.1.%d" % index


def ensure_privsep_dir():
    """Create sshd's privilege separation directory (/run/sshd) if it is missing.

    Both ``sshd -t`` and ``sshd`` refuse to run without it, and nothing on a
    fresh machine creates it (the system sshd's unit would, via
    RuntimeDirectory, but the fleet never starts that unit). sshd wants it
    owned by root and not writable by group or others.
    """
    os.makedirs(PRIVSEP_DIR, mode=0o755, exist_ok=True)
    os.chmod(PRIVSEP_DIR, 0o755)


def venv_python():
    """The Python that runs this harness: the venv's, by absolute path (not resolved through symlinks)."""
    return os.path.abspath(sys.executable)


class FleetHost:
    """One host of the fleet: an sshd and a Postfix sandbox on one loopback address."""

    def __init__(self, fleet_dir, name, address, ssh_port, smtp_port):
        self.name = name
        self.address = address
        self.ssh_port = ssh_port
        self.smtp_port = smtp_port
        self.host_dir = os.path.join(fleet_dir, "hosts", name)
        self.ssh_dir = os.path.join(self.host_dir, "ssh")
        self.sshd_config = os.path.join(self.ssh_dir, "sshd_config")
        self.host_key = os.path.join(self.ssh_dir, "ssh_host_ed25519_key")
        self.pid_file = os.path.join(self.ssh_dir, "sshd.pid")
        self.sshd_log = os.path.join(self.ssh_dir, "sshd.log")
        self.postfix = PostfixSandbox(os.path.join(self.host_dir, "postfix"), address, smtp_port)

    def as_state(self):
        return {"name": self.name, "address": self.address, "ssh_port": self.ssh_port,
                "smtp_port": self.smtp_port, "config_dir": self.postfix.config_dir}

    @classmethod
    def from_state(cls, fleet_dir, state):
        return cls(fleet_dir, state["name"], state["address"], state["ssh_port"], state["smtp_port"])

    # ------------------------------------------------------------------ sshd
    def write_sshd_config(self, authorized_keys):
        os.makedirs(self.ssh_dir, exist_ok=True)
        ensure_privsep_dir()
        if not os.path.exists(self.host_key):
            _run([SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "", "-C", "fleet host %s" % self.name,
                  "-f", self.host_key])
        with open(self.sshd_config, "w") as config_file:
            config_file.write(SSHD_CONFIG.format(address=self.address, port=self.ssh_port, host_key=self.host_key,
                                                 authorized_keys=authorized_keys, pid_file=self.pid_file))
        checked = subprocess.run([SSHD, "-t", "-f", self.sshd_config], capture_output=True, text=True, check=False)
        if checked.returncode != 0:
            raise FleetError("sshd rejects the config of %s (%s): %s"
                             % (self.name, self.sshd_config, checked.stderr.strip()))

    def sshd_pid(self):
        try:
            with open(self.pid_file) as pid_file:
                pid = int(pid_file.read().strip())
        except (OSError, ValueError):
            return None
        return pid if _alive(pid) else None

    def start_sshd(self, timeout=10):
        ensure_privsep_dir()
        # sshd daemonizes once it listens; -E keeps its errors in the host's own log.
        started = subprocess.run([SSHD, "-f", self.sshd_config, "-E", self.sshd_log],
                                 capture_output=True, text=True, check=False, timeout=timeout)
        if started.returncode != 0:
            raise FleetError("sshd of %s did not start (rc=%d): %s %s"
                             % (self.name, started.returncode, started.stderr.strip(), _tail(self.sshd_log)))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.sshd_pid() and _listening(self.address, self.ssh_port):
                return
            time.sleep(0.05)
        raise FleetError("sshd of %s did not listen on %s:%d within %ds: %s"
                         % (self.name, self.address, self.ssh_port, timeout, _tail(self.sshd_log)))

    def sshd_processes(self):
        """The listening sshd and every session it forked (``sshd: root@notty`` and what runs under it)."""
        listener = self.sshd_pid()
        pids = set(_processes_mentioning(self.sshd_config))
        if listener:
            pids.add(listener)
        for pid in list(pids):
            pids.update(_descendants(pid))
        return sorted(pids)

    def stop_sshd(self, timeout=10):
        _terminate(self.sshd_processes, timeout)
        if os.path.exists(self.pid_file):
            os.unlink(self.pid_file)

    # -------------------------------------------------------------- inventory
    def inventory_vars(self, client_key, control_dir):
        return {
            "ansible_host": self.address,
            "ansible_port": self.ssh_port,
            "ansible_user": "root",
            "ansible_connection": "ssh",
            "ansible_ssh_private_key_file": client_key,
            "ansible_ssh_common_args": "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null "
                                       "-o LogLevel=ERROR -o ConnectTimeout=10",
            # Multiplexed connections make the run fast; their sockets live in
            # the fleet dir so `down` can close every one it started.
            "ansible_ssh_args": "-o ControlMaster=auto -o ControlPersist=60s -o ControlPath=%s/%%C" % control_dir,
            "ansible_ssh_pipelining": True,
            "ansible_python_interpreter": venv_python(),
            "helo_guard_config_dir": self.postfix.config_dir,
            # The host probes its own smtpd from its own address (outside the
            # sandbox's mynetworks, so every HELO check applies).
            "helo_guard_smtp_address": self.address,
            "helo_guard_smtp_port": self.smtp_port,
            "helo_guard_smtp_source_address": self.address,
        }


class Fleet:
    """Every host of one fleet directory; ``up()`` and ``down()``."""

    def __init__(self, fleet_dir):
        # The real path: processes name it on their command lines, whatever symlink led here.
        self.fleet_dir = os.path.realpath(fleet_dir)
        self.client_key = os.path.join(self.fleet_dir, "id_ed25519")
        self.authorized_keys = os.path.join(self.fleet_dir, "authorized_keys")
        self.control_dir = os.path.join(self.fleet_dir, "cp")
        self.inventory_path = os.path.join(self.fleet_dir, INVENTORY_FILE)
        self.state_path = os.path.join(self.fleet_dir, STATE_FILE)
        self.hosts = []
        self.group = "mail_servers"

    # ------------------------------------------------------------------ state
    def load(self):
        try:
            with open(self.state_path) as state_file:
                state = json.load(state_file)
        except (OSError, ValueError) as error:
            raise FleetError("no fleet recorded in %s: %s" % (self.fleet_dir, error)) from error
        self.group = state["group"]
        self.hosts = [FleetHost.from_state(self.fleet_dir, host_state) for host_state in state["hosts"]]
        return self

    def save(self):
        with open(self.state_path, "w") as state_file:
            json.dump({"group": self.group, "inventory": self.inventory_path, "client_key": self.client_key,
                       "hosts": [host.as_state() for host in self.hosts]}, state_file, indent=2)

    # --------------------------------------------------------------------- up
    def up(self, host_count=5, name_prefix="mx", group="mail_servers", postfix_parameters=None):
        """Create and start ``host_count`` hosts; on any failure stop what was started and raise."""
        if not 1 <= host_count <= MAX_HOSTS:
            raise FleetError("a fleet has 1..%d hosts, not %d" % (MAX_HOSTS, host_count))
        if not os.path.isfile(SSHD):
            raise FleetError("%s not found: install openssh-server (scripts/ensure-postfix.sh does)" % SSHD)
        if os.path.exists(self.state_path):
            raise FleetError("%s already holds a fleet: run `down` first" % self.fleet_dir)
        os.makedirs(self.fleet_dir, exist_ok=True)
        # The postfix user must traverse down to each instance's queue and data dirs.
        os.chmod(self.fleet_dir, 0o755)
        os.makedirs(self.control_dir, mode=0o700, exist_ok=True)
        self.group = group
        if not os.path.exists(self.client_key):
            _run([SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "", "-C", "fleet client", "-f", self.client_key])
        shutil.copyfile(self.client_key + ".pub", self.authorized_keys)
        for index in range(1, host_count + 1):
            address = host_address(index)
            self.hosts.append(FleetHost(self.fleet_dir, "%s%d" % (name_prefix, index), address,
                                        free_port(address), free_port(address)))
        # Record the hosts before starting anything, so `down` can clean up a half-started fleet.
        self.save()
        try:
            for host in self.hosts:
                os.makedirs(host.host_dir, mode=0o755, exist_ok=True)
                host.write_sshd_config(self.authorized_keys)
                host.start_sshd()
                host.postfix.create(postfix_parameters)
                host.postfix.start()
            self.write_inventory()
        except (FleetError, SandboxError, OSError, subprocess.SubprocessError) as error:
            self.down()
            raise FleetError("fleet up failed, everything started was stopped: %s" % error) from error
        return self

    def inventory(self):
        return {
            "all": {
                "children": {
                    self.group: {
                        "hosts": {host.name: host.inventory_vars(self.client_key, self.control_dir)
                                  for host in self.hosts},
                    },
                },
            },
        }

    def write_inventory(self):
        # JSON is YAML: no dependency on a YAML writer, and Ansible's YAML inventory plugin reads it.
        with open(self.inventory_path, "w") as inventory_file:
            inventory_file.write("# fleet inventory written by tests/harness/fleet.py\n")
            json.dump(self.inventory(), inventory_file, indent=2)
            inventory_file.write("\n")

    # ------------------------------------------------------------------- down
    def leftover_processes(self):
        """Every process of this fleet still alive: sshd, sessions, SSH multiplexers, Postfix."""
        pids = set(_processes_mentioning(self.fleet_dir))
        for host in self.hosts:
            pids.update(host.sshd_processes())
            pids.update(host.postfix.processes())
        for pid in list(pids):
            pids.update(_descendants(pid))
        return sorted(pids - _ancestors())

    def down(self, timeout=20):
        """Stop every process the fleet started; raise if one survives."""
        self.close_connections()
        for host in self.hosts:
            host.stop_sshd()
        # `postfix stop` waits ~2 s for its master; stop every instance at once, then sweep each.
        stopping = [subprocess.Popen(["postfix", "-c", host.postfix.config_dir, "stop"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    for host in self.hosts if host.postfix.master_pid()]
        for command in stopping:
            try:
                command.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                command.kill()
                command.wait()
        for host in self.hosts:
            host.postfix.stop()
        # SSH clients (connection multiplexers) or anything else still naming the fleet dir on its command line.
        _terminate(lambda: _processes_mentioning(self.fleet_dir), timeout)
        survivors = self.leftover_processes()
        if survivors:
            raise FleetError("processes of the fleet in %s survived `down`: %s"
                             % (self.fleet_dir, ", ".join(_describe(pid) for pid in survivors)))
        if os.path.exists(self.state_path):
            os.unlink(self.state_path)

    def close_connections(self):
        """Ask every SSH connection multiplexer of the fleet to exit (``ssh -O exit``)."""
        if not os.path.isdir(self.control_dir):
            return
        for socket_name in os.listdir(self.control_dir):
            subprocess.run(["ssh", "-o", "ControlPath=%s" % os.path.join(self.control_dir, socket_name),
                            "-O", "exit", "fleet-host"],
                           capture_output=True, check=False, timeout=10)

    def remove(self):
        shutil.rmtree(self.fleet_dir, ignore_errors=True)


# ----------------------------------------------------------------- processes
def _run(argv):
    completed = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=60)
    if completed.returncode != 0:
        raise FleetError("%s failed (rc=%d): %s" % (" ".join(argv), completed.returncode, completed.stderr.strip()))
    return completed


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie is dead for our purposes; its parent reaps it.
    return _proc_field(pid, "State") not in ("Z", "X")


def _proc_field(pid, field):
    try:
        with open("/proc/%d/status" % pid) as status:
            for line in status:
                if line.startswith(field + ":"):
                    return line.split()[1]
    except OSError:
        return None
    return None


def _descendants(root_pid):
    children_of = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            parent = _proc_field(int(entry), "PPid")
            if parent is not None:
                children_of.setdefault(int(parent), []).append(int(entry))
    found, pending = [], [root_pid]
    while pending:
        for child in children_of.get(pending.pop(), []):
            if child not in found and _alive(child):
                found.append(child)
                pending.append(child)
    return found


def _ancestors():
    """This process and its parents: never ours to stop, whatever their command line says."""
    pids, pid = set(), os.getpid()
    while pid and pid not in pids:
        pids.add(pid)
        parent = _proc_field(pid, "PPid")
        pid = int(parent) if parent else 0
    return pids


def _processes_mentioning(path):
    """PIDs (other than ours and our parents) whose command line names ``path`` or something under it."""
    needle = path.encode()
    spared = _ancestors()
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in spared:
            continue
        try:
            with open("/proc/%s/cmdline" % entry, "rb") as cmdline:
                if needle in cmdline.read() and _alive(int(entry)):
                    pids.append(int(entry))
        except OSError:
            continue
    return pids


def _terminate(list_pids, timeout):
    """SIGTERM what ``list_pids()`` returns, wait up to ``timeout`` s, then SIGKILL the rest.

    Every PID seen once stays watched: a session whose sshd parent died is
    re-parented and would otherwise drop out of ``list_pids()``.
    """
    watched = set(list_pids())
    for pid in watched:
        _signal(pid, signal.SIGTERM)

    def still_alive():
        watched.update(list_pids())
        return [pid for pid in watched if _alive(pid)]

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and still_alive():
        time.sleep(0.1)
    for pid in still_alive():
        _signal(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and still_alive():
        time.sleep(0.1)


def _signal(pid, signum):
    try:
        os.kill(pid, signum)
    except OSError:
        pass


def _describe(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as cmdline:
            return "%d (%s)" % (pid, cmdline.read().replace(b"\0", b" ").decode("utf-8", "replace").strip())
    except OSError:
        return str(pid)


def _listening(address, port):
    try:
        with socket.create_connection((address, port), timeout=1):
            return True
    except OSError:
        return False


def _tail(path, lines=10):
    try:
        with open(path) as log:
            return "".join(log.readlines()[-lines:]).strip()
    except OSError:
        return ""


# ----------------------------------------------------------------------- CLI
def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.harness.fleet")
    parser.add_argument("action", choices=["up", "down", "status"])
    parser.add_argument("--dir", required=True, help="the fleet's directory")
    parser.add_argument("--hosts", type=int, default=5, help="number of hosts (up)")
    parser.add_argument("--name-prefix", default="mx", help="inventory names are PREFIX1..PREFIXN (up)")
    parser.add_argument("--group", default="mail_servers", help="inventory group of the hosts (up)")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="extra main.cf parameter of every instance (up)")
    parser.add_argument("--remove", action="store_true", help="remove the fleet dir after a clean down")
    args = parser.parse_args(argv)
    fleet = Fleet(args.dir)
    try:
        if args.action == "up":
            fleet.up(args.hosts, args.name_prefix, args.group, dict(item.split("=", 1) for item in args.set))
            print(json.dumps({"inventory": fleet.inventory_path, "hosts": [host.as_state() for host in fleet.hosts]}))
        elif args.action == "down":
            if os.path.exists(fleet.state_path):
                fleet.load().down()
            if args.remove:
                fleet.remove()
        else:
            fleet.load()
            print(json.dumps({"hosts": [dict(host.as_state(), sshd_pid=host.sshd_pid(),
                                             postfix_pid=host.postfix.master_pid()) for host in fleet.hosts],
                              "processes": fleet.leftover_processes()}))
        return 0
    except (FleetError, SandboxError, OSError, subprocess.SubprocessError) as error:
        print("fleet %s failed: %s" % (args.action, error), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
