# SPDX-License-Identifier: GPL-3.0-or-later
"""mailops.postfix.rollout over an SSH fleet with a host that cannot be reached.

The unreachable host is reported in the recap (failed, "is unreachable"); the rollout stops at its
batch when that batch crosses helo_guard_rollout_max_fail_percentage and
goes on with the next batches when it does not. Judged by the PLAY RECAP,
by main.cf bytes on the hosts never reached and by SMTP dialogs with every
configured host.
"""

import hashlib
import json
import os
import re
import subprocess

import pytest

from tests.harness.fleet import Fleet
from tests.harness.sandbox import make_base_dir
from tests.harness.smtp_probe import probe, verdict

pytestmark = pytest.mark.slow

LISTED_HELO = "mxbox50.bitwiz.net"
BOGUS_HELO = "bogus-helo.helo-guard.invalid"
RECAP_LINE = re.compile(r"^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.MULTILINE)
GROUP_VARS = {
    "helo_guard_entries": [{"host": LISTED_HELO, "comment": "Bitwiz outbound relay (ticket MAIL-1042)"}],
    "helo_guard_smtp_probe": True,
}


def rollout(fleet, **extra_vars):
    """Run ansible-playbook mailops.postfix.rollout over the fleet; return (rc, recap, output)."""
    completed = subprocess.run(
        ["ansible-playbook", "-i", fleet.inventory_path, "-i", os.path.join(fleet.fleet_dir, "vars.yml"),
         "--extra-vars", json.dumps(extra_vars), "mailops.postfix.rollout"],
        capture_output=True, text=True, check=False, timeout=600,
        env=dict(os.environ, ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default", ANSIBLE_NOCOLOR="1",
                 ANSIBLE_HOST_KEY_CHECKING="0", ANSIBLE_RETRY_FILES_ENABLED="0"),
    )
    recap = {host: {"ok": int(ok), "changed": int(changed), "unreachable": int(unreachable), "failed": int(failed)}
             for host, ok, changed, unreachable, failed in RECAP_LINE.findall(completed.stdout)}
    return completed.returncode, recap, completed.stdout + completed.stderr


def main_cf_digest(host):
    with open(os.path.join(host.postfix.config_dir, "main.cf"), "rb") as main_cf:
        return hashlib.sha256(main_cf.read()).hexdigest()


def rcpt_code(host, helo):
    step, code, text = verdict(probe(host.address, host.smtp_port, helo=helo, source_address=host.address))
    assert step == "RCPT TO", (step, code, text)
    return code


@pytest.fixture
def fleet():
    started = Fleet(make_base_dir("mailops-fleet-")).up(5)
    # Group variables as a second inventory source: the entries every host enforces.
    with open(os.path.join(started.fleet_dir, "vars.yml"), "w") as vars_file:
        json.dump({"all": {"children": {started.group: {"vars": GROUP_VARS}}}}, vars_file)
    yield started
    started.down()
    started.remove()


def test_unreachable_host_stops_the_rollout_only_when_its_batch_crosses_the_threshold(fleet):
    mx1, mx2, mx3, mx4, mx5 = fleet.hosts
    mx2.stop_sshd()
    before = {host.name: main_cf_digest(host) for host in fleet.hosts}

    # Batches: [mx1] (canary), [mx2, mx3], [mx4, mx5]. In the second batch 1 of 2
    # hosts is unreachable: 50 % crosses 25 %, so the rollout stops there and
    # never starts the third batch. Ansible stops a play the moment a batch
    # crosses the threshold, so mx3 may or may not have been configured.
    rc, recap, output = rollout(fleet, helo_guard_rollout_batch=2, helo_guard_rollout_max_fail_percentage=25)
    assert rc != 0, output
    assert recap["mx2"]["failed"] == 1 and "mx2 is unreachable: " in output, output
    assert recap["mx1"]["failed"] == 0 and recap["mx1"]["changed"] > 0, output
    assert recap["mx3"]["failed"] == 0, output
    for host in (mx4, mx5):
        assert recap.get(host.name, {}).get("changed", 0) == 0, output
        assert main_cf_digest(host) == before[host.name], "%s configured after the threshold was crossed" % host.name
        assert rcpt_code(host, BOGUS_HELO) == 250, "%s enforces HELO checks the rollout never sent" % host.name

    # 50 % does not cross 50 %: the third batch runs, mx2 is reported and left alone.
    rc, recap, output = rollout(fleet, helo_guard_rollout_batch=2, helo_guard_rollout_max_fail_percentage=50)
    assert rc != 0, output
    assert recap["mx2"]["failed"] == 1 and "mx2 is unreachable: " in output, output
    for host in (mx4, mx5):
        assert recap[host.name]["failed"] == 0 and recap[host.name]["changed"] > 0, output
    assert main_cf_digest(mx2) == before["mx2"]
    for host in (mx1, mx3, mx4, mx5):
        assert rcpt_code(host, LISTED_HELO) == 250, host.name
        assert rcpt_code(host, BOGUS_HELO) in (450, 504, 554), host.name
    # mx2 keeps its old, lax configuration: nothing reached it.
    assert rcpt_code(mx2, BOGUS_HELO) == 250
