# SPDX-License-Identifier: GPL-3.0-or-later
"""The rollout playbook over several sandbox mail servers: canary, batches, threshold, verify.

The hosts are sandbox instances on 127.0.0.1 reached with a local connection;
one more host has an SSH address where nothing listens (unreachable). The SSH
fleet itself is exercised by the molecule `fleet` scenario.
"""

import os
import re
import subprocess
import sys

import yaml

from tests.harness.sandbox import free_port
from tests.harness.smtp_probe import probe, verdict

SEED_ENTRIES = [{"host": "mxbox50.bitwiz.net"}, {"ip": "50.0.0.1"}]
RECAP_LINE = re.compile(r"^(?P<host>\S+)\s+:\s+ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)"
                        r"\s+failed=(?P<failed>\d+)")


def write_inventory(path, sandboxes, unreachable=False, host_vars=None):
    hosts = {}
    for index, instance in enumerate(sandboxes, start=1):
        hosts["mx%d" % index] = {
            "ansible_connection": "local", "ansible_python_interpreter": sys.executable,
            "helo_guard_config_dir": instance.config_dir, "helo_guard_smtp_port": instance.port,
            "helo_guard_smtp_source_address": "127.0.0.1",
        }
        hosts["mx%d" % index].update((host_vars or {}).get("mx%d" % index, {}))
    if unreachable:
        hosts["mx%d" % (len(sandboxes) + 1)] = {
            "ansible_connection": "ssh", "ansible_host": "127.0.0.1", "ansible_port": free_port(),
            "ansible_ssh_common_args": "-o ConnectTimeout=5 -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null",
        }
    inventory = {"all": {"children": {"mail_servers": {
        "hosts": hosts, "vars": {"helo_guard_entries__partners": SEED_ENTRIES, "helo_guard_smtp_probe": True}}}}}
    with open(path, "w") as inventory_file:
        yaml.safe_dump(inventory, inventory_file)
    return str(path)


def rollout(inventory, *extra_vars):
    argv = ["ansible-playbook", "-i", inventory, "mailops.postfix.rollout"]
    for extra in extra_vars:
        argv += ["-e", extra]
    completed = subprocess.run(argv, capture_output=True, text=True, check=False,
                               env=dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="0"))
    recap = {match.group("host"): {key: int(value) for key, value in match.groupdict().items() if key != "host"}
             for match in map(RECAP_LINE.match, completed.stdout.splitlines()) if match}
    return completed, recap


def batches(stdout):
    """The hosts of each batch, in order: serial plays print one PLAY header per batch."""
    found = []
    for chunk in stdout.split("\nPLAY [")[1:]:
        found.append(sorted(set(re.findall(r"^(?:ok|changed|fatal|skipping): \[(\w+)\]", chunk, re.MULTILINE))))
    return [hosts for hosts in found if hosts]


def test_canary_then_a_batch_with_an_unreachable_host_below_the_threshold(sandbox_factory, tmp_path):
    sandboxes = [sandbox_factory() for _index in range(3)]
    inventory = write_inventory(tmp_path / "hosts.yml", sandboxes, unreachable=True)
    completed, recap = rollout(inventory, "helo_guard_rollout_batch=3", "helo_guard_rollout_max_fail_percentage=40")
    # 2: some host failed. The rollout fails an unreachable host on purpose, so
    # that it counts against max_fail_percentage (Ansible leaves unreachable
    # hosts out of it).
    assert completed.returncode == 2, completed.stdout + completed.stderr
    assert batches(completed.stdout) == [["mx1"], ["mx2", "mx3", "mx4"]], completed.stdout
    assert recap["mx4"]["failed"] == 1, recap
    assert "mx4 is unreachable: " in completed.stdout, completed.stdout
    for name in ("mx1", "mx2", "mx3"):
        assert recap[name]["failed"] == 0 and recap[name]["unreachable"] == 0, (name, recap)
    assert "a listed HELO is accepted and an unlisted bogus HELO is rejected" in completed.stdout
    for instance in sandboxes:
        assert verdict(probe(instance.address, instance.port, helo="mxbox50.bitwiz.net"))[1] == 250
        assert verdict(probe(instance.address, instance.port, helo="nodots"))[1] == 504


def test_a_failed_canary_stops_the_rollout_before_any_other_host(sandbox_factory, tmp_path):
    sandboxes = [sandbox_factory(start=False) for _index in range(3)]
    main_cf_before = [open(os.path.join(instance.config_dir, "main.cf")).read() for instance in sandboxes]
    inventory = write_inventory(tmp_path / "hosts.yml", sandboxes, host_vars={
        "mx1": {"helo_guard_entries__mx1": [{"ip": "50.0.0.1", "action": "REJECT"}]}})
    completed, recap = rollout(inventory, "helo_guard_rollout_max_fail_percentage=50")
    assert completed.returncode == 2, completed.stdout + completed.stderr
    assert recap["mx1"]["failed"] == 1
    assert "mx2" not in recap and "mx3" not in recap, recap
    assert "helo_guard_entries__mx1[0] and helo_guard_entries__partners[1] both list ip 50.0.0.1" in (
        completed.stdout + completed.stderr)
    assert [open(os.path.join(instance.config_dir, "main.cf")).read() for instance in sandboxes] == main_cf_before


def test_the_rollout_binds_entries_to_their_clients_and_observes_where_asked(sandbox_factory, tmp_path):
    """Issue 15 through the rollout playbook: clients-bound entries on every host, observe mode on one."""
    sandboxes = [sandbox_factory() for _index in range(2)]
    bound = [{"host": "nodots", "clients": ["127.0.0.3"]}]
    inventory = write_inventory(tmp_path / "hosts.yml", sandboxes, host_vars={
        "mx1": {"helo_guard_entries__bound": bound},
        "mx2": {"helo_guard_entries__bound": bound, "helo_guard_mode": "observe"}})
    completed, recap = rollout(inventory)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    enforcing, observing = sandboxes

    def rcpt(instance, helo, source):
        return verdict(probe(instance.address, instance.port, helo=helo, source_address=source))[1]

    assert rcpt(enforcing, "nodots", "127.0.0.3") == 250, "the listed client passes"
    assert rcpt(enforcing, "nodots", "127.0.0.4") == 504, "another client is judged as if there were no entry"
    assert rcpt(observing, "nodots", "127.0.0.4") == 250, "observe mode only logs the would-be rejection"
    assert rcpt(observing, "bogus.invalid", "127.0.0.4") == 250
    again, recap = rollout(inventory)
    assert again.returncode == 0 and all(host["changed"] == 0 for host in recap.values()), again.stdout
