# SPDX-License-Identifier: GPL-3.0-or-later
"""A table written by helo_access in front of a real smtpd, and two runs at once."""

import fcntl
import os
import threading
import time

from tests.functional.modules.postconf.test_postconf_edit import processes_holding_open
from tests.harness.ansible_run import run_module
from tests.harness.smtp_probe import probe, verdict


def test_smtpd_accepts_the_listed_helo_and_rejects_a_near_miss(sandbox_factory):
    instance = sandbox_factory(start=False)
    table_path = os.path.join(instance.config_dir, "helo_access")
    result = run_module("mailops.postfix.helo_access", {
        "path": table_path, "config_dir": instance.config_dir,
        "entries": [{"host": "mxbox50.bitwiz.net"}, {"ip": "50.0.0.1"}],
    })
    assert result["changed"] is True and result["failed"] is False, result
    instance.set_parameters({
        "smtpd_helo_required": "yes",
        "smtpd_helo_restrictions": "check_helo_access regexp:%s, reject_invalid_helo_hostname, "
                                   "reject_non_fqdn_helo_hostname, reject_unknown_helo_hostname" % table_path,
    })
    instance.start()
    replies = dict((helo, verdict(probe(instance.address, instance.port, helo=helo)))
                   for helo in ("mxbox50.bitwiz.net", "evil.mxbox50.bitwiz.net", "50.0.0.1", "50.0.0.10"))
    assert replies["mxbox50.bitwiz.net"][:2] == ("RCPT TO", 250), replies
    assert replies["50.0.0.1"][:2] == ("RCPT TO", 250), replies
    assert replies["evil.mxbox50.bitwiz.net"][:2] == ("RCPT TO", 450), replies  # unknown name, no DNS here
    assert replies["50.0.0.10"][:2] == ("RCPT TO", 504), replies  # not fully qualified


def test_module_waits_for_the_lock_held_by_another_writer(table):
    table.write("/^first\\.example$/ OK\n")
    directory = os.path.dirname(table.path)
    outcome = {}
    lock_descriptor = os.open(directory, os.O_RDONLY)
    fcntl.flock(lock_descriptor, fcntl.LOCK_EX)
    try:
        worker = threading.Thread(target=lambda: outcome.update(table.run([{"host": "second.example"}])))
        worker.start()
        deadline = time.monotonic() + 60
        while not processes_holding_open(directory) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert processes_holding_open(directory), "the module never opened the directory to lock it"
        time.sleep(1)
        assert worker.is_alive(), outcome
        assert table.text() == "/^first\\.example$/ OK\n"  # nothing written while the lock is held
    finally:
        fcntl.flock(lock_descriptor, fcntl.LOCK_UN)
        os.close(lock_descriptor)
    worker.join(120)
    assert outcome.get("changed") is True, outcome
    assert table.text() == "/^first\\.example$/ OK\n/^second\\.example$/ OK\n"


def test_two_concurrent_playbooks_lose_no_update(table):
    table.write("# shared table\n")
    batches = [[{"host": "a%02d.example" % number} for number in range(30)],
               [{"ip": "192.0.2.%d" % number} for number in range(1, 31)]]
    outcomes = [{}, {}]
    workers = [threading.Thread(target=lambda index=index: outcomes[index].update(table.run(batches[index])))
               for index in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(180)
    assert all(outcome.get("changed") is True for outcome in outcomes), outcomes
    names = ["a%02d.example" % number for number in range(30)] + ["[192.0.2.%d]" % number for number in range(1, 31)]
    assert table.answers(names) == dict((name, "OK") for name in names)
