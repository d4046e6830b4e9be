# SPDX-License-Identifier: GPL-3.0-or-later
"""The SSH fleet harness: hosts really are separate sshds and Postfix instances, and `down` leaves nothing.

Judged from outside the harness: Ansible over SSH reports which sshd it
reached (``SSH_CONNECTION``), each Postfix answers an SMTP dialog on its own
address, and after ``down`` no port answers and no process names the fleet.
"""

import os
import socket
import subprocess

import pytest
import yaml

from tests.harness.fleet import Fleet, FleetError
from tests.harness.processes import alive
from tests.harness.sandbox import make_base_dir
from tests.harness.smtp_probe import probe

HOST_COUNT = 5

pytestmark = pytest.mark.slow


def answers(address, port):
    try:
        with socket.create_connection((address, port), timeout=2):
            return True
    except OSError:
        return False


def processes_naming(path):
    """PIDs whose command line names ``path``, found without the harness's own helpers."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open("/proc/%s/cmdline" % entry, "rb") as cmdline:
                if path.encode() in cmdline.read():
                    found.append(int(entry))
        except OSError:
            continue
    return found


def ansible_adhoc(inventory, module, args, pattern="all"):
    """Run an ad-hoc module over the fleet's SSH inventory; return {host: result}."""
    completed = subprocess.run(
        ["ansible", "-i", inventory, pattern, "-m", module, "-a", args, "--one-line"],
        capture_output=True, text=True, check=False, timeout=120,
        env=dict(os.environ, ANSIBLE_LOAD_CALLBACK_PLUGINS="1", ANSIBLE_STDOUT_CALLBACK="ansible.builtin.oneline",
                 ANSIBLE_DEPRECATION_WARNINGS="0", ANSIBLE_HOST_KEY_CHECKING="0"),
    )
    results = {}
    for line in completed.stdout.splitlines():
        # "mx1 | CHANGED | rc=0 | (stdout) ..." or "mx1 | SUCCESS => {...}"
        host, _sep, rest = line.partition(" | ")
        results[host.strip()] = rest
    return completed, results


def started_fleet():
    started = Fleet(make_base_dir("mailops-fleet-")).up(HOST_COUNT)
    yield started
    if os.path.exists(started.state_path):
        started.down()
    started.remove()


@pytest.fixture(scope="module")
def running_fleet():
    """One fleet for the tests that only look at it."""
    yield from started_fleet()


@pytest.fixture
def fleet():
    """A fleet of the test's own (it may be taken down)."""
    yield from started_fleet()


def test_each_host_is_its_own_sshd_reached_over_ssh(running_fleet):
    fleet = running_fleet
    completed, results = ansible_adhoc(fleet.inventory_path, "ansible.builtin.shell", "echo $SSH_CONNECTION")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert sorted(results) == ["mx%d" % index for index in range(1, HOST_COUNT + 1)]
    for host in fleet.hosts:
        # SSH_CONNECTION: client address, client port, server address, server port
        server_address, server_port = results[host.name].split()[-2:]
        assert (server_address, int(server_port)) == (host.address, host.ssh_port), results[host.name]
        # Each sshd listens only on its own address.
        assert not answers("127.0.0.1", host.ssh_port)


def test_each_host_runs_its_own_postfix_with_the_inventory_config_dir(running_fleet):
    fleet = running_fleet
    with open(fleet.inventory_path) as inventory_file:
        inventory = yaml.safe_load(inventory_file)
    inventory_hosts = inventory["all"]["children"]["mail_servers"]["hosts"]
    completed, results = ansible_adhoc(fleet.inventory_path, "ansible.builtin.command",
                                       "postconf -c {{ helo_guard_config_dir }} -h config_directory")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    for host in fleet.hosts:
        host_vars = inventory_hosts[host.name]
        assert host_vars["ansible_host"] == host.address == "127.0.1.%d" % (fleet.hosts.index(host) + 1)
        assert results[host.name].endswith(host_vars["helo_guard_config_dir"]), results[host.name]
        steps = probe(host.address, host_vars["helo_guard_smtp_port"], helo="mx.example.org")
        assert steps[0][1] == 220, steps
        assert steps[-1][0] == "RCPT TO", steps


def test_down_leaves_no_process_and_no_listener(fleet):
    # Leave SSH connection multiplexers behind on purpose, as a real run does.
    completed, _results = ansible_adhoc(fleet.inventory_path, "ansible.builtin.ping", "")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    sshd_pids = [host.sshd_pid() for host in fleet.hosts]
    postfix_pids = [host.postfix.master_pid() for host in fleet.hosts]
    assert all(sshd_pids) and all(postfix_pids)
    assert processes_naming(fleet.fleet_dir), "expected the fleet's sshds and SSH multiplexers to be running"

    fleet.down()

    for host in fleet.hosts:
        assert not answers(host.address, host.ssh_port)
        assert not answers(host.address, host.smtp_port)
    for pid in sshd_pids + postfix_pids:
        # A killed child of this process stays a zombie until reaped: gone, but /proc/PID remains.
        assert not alive(pid), "pid %d survived down" % pid
    assert processes_naming(fleet.fleet_dir) == []
    assert fleet.leftover_processes() == []


def test_up_refuses_a_directory_that_already_holds_a_fleet(running_fleet):
    with pytest.raises(FleetError, match="already holds a fleet"):
        Fleet(running_fleet.fleet_dir).up(1)
    # The running fleet was left alone.
    assert all(host.sshd_pid() and host.postfix.master_pid() for host in running_fleet.hosts)
