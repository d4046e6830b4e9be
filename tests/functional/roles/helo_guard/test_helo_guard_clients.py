# SPDX-License-Identifier: GPL-3.0-or-later
"""Entries bound to clients: the HELO passes only from the listed addresses, over SMTP from two sources.

127.0.0.3 is listed, 127.0.0.4 is not; both are outside the sandbox's
mynetworks. Judged by SMTP dialogs, postconf -h and postmap -q on the cidr
tables the role wrote; reruns, check mode, changes and removal included.
"""

import glob
import os
import subprocess

from tests.functional.roles.helo_guard.helo_guard_run import file_state, reload_count
from tests.harness.smtp_probe import probe, verdict

LISTED, OTHER = "127.0.0.3", "127.0.0.4"
BOUND = [{"host": "nodots", "clients": [LISTED, "192.0.2.0/24"], "comment": "a partner's box without a domain"},
         {"host": "mxbox50.bitwiz.net", "clients": [LISTED]},
         {"ip": "50.0.0.1"}]


def rcpt(instance, helo, source):
    step, code, _text = verdict(probe(instance.address, instance.port, helo=helo, source_address=source))
    assert step == "RCPT TO"
    return code


def client_tables(instance):
    return sorted(glob.glob(os.path.join(instance.config_dir, "check_helo_guard_clients_*.cidr")))


def cidr_answers(instance, table, keys):
    completed = subprocess.run(["postmap", "-c", instance.config_dir, "-q", "-", "cidr:%s" % table],
                               input="\n".join(keys) + "\n", capture_output=True, text=True, check=False)
    assert completed.returncode in (0, 1) and not completed.stderr, completed.stderr
    return dict(line.split("\t", 1) for line in completed.stdout.splitlines())


def state_of(instance):
    paths = [os.path.join(instance.config_dir, name) for name in ("main.cf", "helo_access")] + client_tables(instance)
    return {path: file_state(path) for path in paths}


def test_a_bound_entry_passes_only_from_its_clients_and_the_role_keeps_every_piece(sandbox_factory, role_inventory,
                                                                                   run_role):
    instance = sandbox_factory()
    first = run_role(role_inventory(instance, host_vars={"helo_guard_entries": BOUND}))
    assert first.rc == 0, first
    classes = instance.postconf("smtpd_restriction_classes").split(", ")
    assert len(classes) == 2 and all(name.startswith("check_helo_guard_clients_") for name in classes), classes
    tables = client_tables(instance)
    assert [os.path.basename(path) for path in tables] == sorted(name + ".cidr" for name in classes)
    for name in classes:
        assert instance.postconf(name) == "check_client_access cidr:%s/%s.cidr" % (
            instance.config_dir, name)
    answers = [cidr_answers(instance, table, [LISTED, OTHER, "192.0.2.77"]) for table in tables]
    assert sorted(answers, key=len) == [{LISTED: "OK"}, {LISTED: "OK", "192.0.2.77": "OK"}]

    assert rcpt(instance, "nodots", LISTED) == 250
    assert rcpt(instance, "nodots", OTHER) == 504, "from another client the checks judge as if no entry existed"
    assert rcpt(instance, "mxbox50.bitwiz.net", LISTED) == 250
    assert rcpt(instance, "mxbox50.bitwiz.net", OTHER) == 450
    assert rcpt(instance, "50.0.0.1", OTHER) == 250, "an entry without clients behaves as before"

    before = state_of(instance)
    again = run_role(role_inventory(instance, host_vars={"helo_guard_entries": BOUND}))
    assert again.rc == 0 and again.recap["changed"] == 0, again
    assert state_of(instance) == before
    reloads = reload_count(instance)

    widened = [dict(BOUND[0], clients=[LISTED, OTHER])] + BOUND[1:]
    preview = run_role(role_inventory(instance, host_vars={"helo_guard_entries": widened}), extra_args=["--diff"],
                       check=True)
    assert preview.rc == 0 and preview.recap["changed"] > 0, preview
    assert "+%s OK" % OTHER in preview.output, "the diff shows the new cidr table"
    assert state_of(instance) == before and reload_count(instance) == reloads

    changed = run_role(role_inventory(instance, host_vars={"helo_guard_entries": widened}))
    assert changed.rc == 0, changed
    assert rcpt(instance, "nodots", OTHER) == 250
    assert rcpt(instance, "mxbox50.bitwiz.net", OTHER) == 450
    now = instance.postconf("smtpd_restriction_classes").split(", ")
    assert len(now) == 2 and len(set(now) & set(classes)) == 1, "the old nodots class went, mxbox50's stayed"
    assert len(client_tables(instance)) == 2, "the old class's table is removed"
    with open(os.path.join(instance.config_dir, "main.cf")) as main_cf:
        assert sum(1 for line in main_cf if line.startswith("check_helo_guard_clients_")) == 2

    plain = run_role(role_inventory(instance, host_vars={"helo_guard_entries": [{"ip": "50.0.0.1"}],
                                                         "helo_guard_exclusive": True}))
    assert plain.rc == 0, plain
    assert client_tables(instance) == []
    with open(os.path.join(instance.config_dir, "main.cf")) as main_cf:
        text = main_cf.read()
    assert "check_helo_guard_clients_" not in text and "smtpd_restriction_classes" not in text
    assert rcpt(instance, "nodots", LISTED) == 504


def test_a_clients_value_that_is_no_address_or_network_is_refused_with_nothing_changed(sandbox_factory,
                                                                                       role_inventory, run_role):
    instance = sandbox_factory(start=False)
    before = state_of(instance)
    listing = sorted(os.listdir(instance.config_dir))
    run = run_role(role_inventory(instance, host_vars={"helo_guard_entries__partners": [
        {"host": "mxbox50.bitwiz.net", "clients": ["50.0.0.1", "mail.bitwiz.net"]}]}))
    assert run.rc != 0 and run.recap["failed"] == 1, run
    assert "helo_guard_entries__partners[0] (host=mxbox50.bitwiz.net)" in run.output, run
    assert "mail.bitwiz.net" in run.output and "Traceback" not in run.output
    assert state_of(instance) == before and sorted(os.listdir(instance.config_dir)) == listing
