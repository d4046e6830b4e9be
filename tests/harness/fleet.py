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
import subprocess
import sys

from . import processes
from .sandbox import PostfixSandbox, SandboxError, free_port
from .sshd import Sshd, SshdError, keygen, require_sshd

STATE_FILE = "fleet.json"
INVENTORY_FILE = "inventory.yml"
MAX_HOSTS = 254


class FleetError(Exception):
    """The fleet could not be brought up or down; the text says which host and why."""


def host_address(index):
    """The loopback address of host ``index`` (1-based): 127.0.1.index."""
    if not 1 <= index <= MAX_HOSTS:
        raise FleetError("host index %d is outside 1..%d" % (index, MAX_HOSTS))
    return "127.0.1.%d" % index


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
        self.sshd = Sshd(os.path.join(self.host_dir, "ssh"), name, address, ssh_port)
        self.postfix = PostfixSandbox(os.path.join(self.host_dir, "postfix"), address, smtp_port)

    def as_state(self):
        return {"name": self.name, "address": self.address, "ssh_port": self.ssh_port,
                "smtp_port": self.smtp_port, "config_dir": self.postfix.config_dir}

    @classmethod
    def from_state(cls, fleet_dir, state):
        return cls(fleet_dir, state["name"], state["address"], state["ssh_port"], state["smtp_port"])

    # The host's sshd (tests/harness/sshd.py), by the names the tests use.
    def write_sshd_config(self, authorized_keys):
        self.sshd.write_config(authorized_keys)

    def sshd_pid(self):
        return self.sshd.pid()

    def start_sshd(self, timeout=10):
        self.sshd.start(timeout)

    def sshd_processes(self):
        return self.sshd.processes()

    def stop_sshd(self, timeout=10):
        self.sshd.stop(timeout)

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
        require_sshd()
        if os.path.exists(self.state_path):
            raise FleetError("%s already holds a fleet: run `down` first" % self.fleet_dir)
        os.makedirs(self.fleet_dir, exist_ok=True)
        # The postfix user must traverse down to each instance's queue and data dirs.
        os.chmod(self.fleet_dir, 0o755)
        os.makedirs(self.control_dir, mode=0o700, exist_ok=True)
        self.group = group
        if not os.path.exists(self.client_key):
            keygen(self.client_key, "fleet client")
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
        except (FleetError, SshdError, SandboxError, OSError, subprocess.SubprocessError) as error:
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
        pids = set(processes.mentioning(self.fleet_dir))
        for host in self.hosts:
            pids.update(host.sshd_processes())
            pids.update(host.postfix.processes())
        for pid in list(pids):
            pids.update(processes.descendants(pid))
        return sorted(pids - processes.ancestors())

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
        processes.terminate(lambda: processes.mentioning(self.fleet_dir), timeout)
        survivors = self.leftover_processes()
        if survivors:
            raise FleetError("processes of the fleet in %s survived `down`: %s"
                             % (self.fleet_dir, ", ".join(processes.describe(pid) for pid in survivors)))
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
    except (FleetError, SshdError, SandboxError, OSError, subprocess.SubprocessError) as error:
        print("fleet %s failed: %s" % (args.action, error), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
