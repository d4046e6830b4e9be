# SPDX-License-Identifier: GPL-3.0-or-later
"""mailops.postfix.rollout, unchanged, through ansible-runner's Python API over the SSH fleet.

ansible-runner is the executor of AWX and Automation Platform: what it
reports per host (events) and in total (stats) is what those show. Judged by
the events and stats, and by SMTP dialogs with every host.
"""

import json

import ansible_runner
import pytest

from tests.harness.fleet import Fleet
from tests.harness.sandbox import make_base_dir
from tests.harness.smtp_probe import probe, verdict

pytestmark = pytest.mark.slow

LISTED_HELO = "mxbox50.bitwiz.net"
BOGUS_HELO = "bogus-helo.helo-guard.invalid"


@pytest.fixture
def fleet():
    started = Fleet(make_base_dir("mailops-fleet-")).up(3)
    yield started
    started.down()
    started.remove()


def host_events(runner, host, event_name):
    return [event for event in runner.events
            if event["event"] == event_name and event.get("event_data", {}).get("host") == host]


def test_rollout_through_ansible_runner_reports_each_host_in_events_and_stats(fleet, tmp_path):
    private_data_dir = tmp_path / "runner"
    private_data_dir.mkdir()
    runner = ansible_runner.run(
        private_data_dir=str(private_data_dir),
        playbook="mailops.postfix.rollout",
        inventory=fleet.inventory_path,
        extravars={"helo_guard_rollout_batch": 2,
                   "helo_guard_entries": [{"host": LISTED_HELO}], "helo_guard_smtp_probe": True},
        envvars={"ANSIBLE_HOST_KEY_CHECKING": "False", "ANSIBLE_RETRY_FILES_ENABLED": "False"},
        quiet=True,
        timeout=600,
    )
    stdout = runner.stdout.read()
    assert (runner.status, runner.rc) == ("successful", 0), stdout
    names = [host.name for host in fleet.hosts]

    # Stats, as AWX's job summary shows them: every host ok and changed, none failed or unreachable.
    stats = runner.stats
    assert sorted(stats["ok"]) == names, json.dumps(stats)
    assert all(stats["changed"].get(name, 0) > 0 for name in names), json.dumps(stats)
    assert not stats["failures"] and not stats["dark"], json.dumps(stats)

    # Two batches (serial: canary 1, then 2): one play start each; the canary finishes before the batch starts.
    plays = [event for event in runner.events if event["event"] == "playbook_on_play_start"]
    assert len(plays) == 2, [event.get("stdout") for event in plays]
    canary_last = max(event["counter"] for event in runner.events
                      if event.get("event_data", {}).get("host") == "mx1")
    batch_first = min(event["counter"] for event in runner.events
                      if event.get("event_data", {}).get("host") in ("mx2", "mx3"))
    assert canary_last < batch_first

    # Per-host events: each host verified itself (postmap -q and the SMTP probe) and failed nothing.
    for name in names:
        assert not host_events(runner, name, "runner_on_failed"), name
        assert not host_events(runner, name, "runner_on_unreachable"), name
        verified = {event["event_data"]["task"] for event in host_events(runner, name, "runner_on_ok")
                    if event["event_data"].get("task", "").startswith("Verify |")}
        assert any("bogus HELO" in task for task in verified), (name, sorted(verified))

    for host in fleet.hosts:
        listed = verdict(probe(host.address, host.smtp_port, helo=LISTED_HELO, source_address=host.address))
        bogus = verdict(probe(host.address, host.smtp_port, helo=BOGUS_HELO, source_address=host.address))
        assert listed[1] == 250, (host.name, listed)
        assert bogus[1] in (450, 504, 554), (host.name, bogus)
