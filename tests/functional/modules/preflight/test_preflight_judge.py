# SPDX-License-Identifier: GPL-3.0-or-later
"""mailops.postfix.preflight on its own: Postfix judges a config dir, nothing is written.

Each broken setting is put into a sandbox's main.cf with postconf -e, then
the module (through ansible-playbook) must refuse it with Postfix's own words,
while the running sandbox keeps answering SMTP as before the edit.
"""

import os

import pytest

from tests.functional.roles.helo_guard.helo_guard_run import file_state
from tests.harness.ansible_run import run_module
from tests.harness.scratch import judge_processes, scratch_roots
from tests.harness.smtp_probe import probe, verdict

STRICT = {"smtpd_helo_required": "yes",
          "smtpd_helo_restrictions": "permit_mynetworks, reject_invalid_helo_hostname, reject_non_fqdn_helo_hostname"}


def judge(instance, **args):
    return run_module("mailops.postfix.preflight", dict({"config_dir": instance.config_dir}, **args))


def test_a_sound_config_passes_the_matrix_and_nothing_is_written(sandbox_factory):
    instance = sandbox_factory(STRICT)
    main_cf = os.path.join(instance.config_dir, "main.cf")
    before, listing = file_state(main_cf), sorted(os.listdir(instance.config_dir))
    result = judge(instance, accept_helo=["mx.partner.example"])
    assert not result.get("failed"), result
    assert result["changed"] is False and result["verdict"]["passed"] is True
    answers = {(answer["helo"], answer["step"], answer["code"]) for answer in result["verdict"]["answers"]}
    assert {("mx.partner.example", "RCPT TO", 250), ("nodots", "RCPT TO", 504), (None, "MAIL FROM", 503)} <= answers
    assert file_state(main_cf) == before and sorted(os.listdir(instance.config_dir)) == listing


def test_check_mode_judges_too(sandbox_factory):
    instance = sandbox_factory(dict(STRICT, smtpd_helo_required="maybe"))
    result = run_module("mailops.postfix.preflight", {"config_dir": instance.config_dir}, check=True)
    assert result.get("failed") and "bad boolean configuration: smtpd_helo_required = maybe" in result["msg"], result


@pytest.mark.parametrize("setting, postfix_says", [
    # smtpd accepts the connection and never sends a banner (POSTFIX_FACTS)
    ({"smtpd_helo_required": "maybe"}, "fatal: bad boolean configuration: smtpd_helo_required = maybe"),
    ({"smtpd_helo_restrictions": "check_helo_access nosuchtype:/x"}, "type nosuchtype is not supported"),
    ({"smtpd_helo_restrictions": "permit_mynetworks, reject_bogus_helo_thing"},
     "'reject_bogus_helo_thing' is not a restriction this smtpd knows"),
    ({"smtpd_helo_restrictions": "check_helo_access regexp:/nonexistent/helo_access"},
     "/nonexistent/helo_access"),
    ({"smtpd_helo_restrictions": "check_helo_access hash:/nonexistent/helo_access"}, "/nonexistent/helo_access.db"),
    ({"smtpd_timeout": "10x"}, "smtpd_timeout"),
    ({"smtpd_recipient_limit": "many"}, "smtpd_recipient_limit"),
])
def test_a_broken_setting_is_refused_in_postfix_words(sandbox_factory, setting, postfix_says):
    instance = sandbox_factory(STRICT)
    assert verdict(probe(instance.address, instance.port, helo="nodots"))[:2] == ("RCPT TO", 504)
    instance.set_parameters(setting)
    result = judge(instance)
    assert result.get("failed"), result
    assert result["msg"].startswith("Postfix refuses %s: " % instance.config_dir), result["msg"]
    assert postfix_says in result["msg"], result["msg"]
    assert result["msg"].count(postfix_says) >= 1 and "Traceback" not in result["msg"]
    # The running instance was never reloaded: it still answers as before the edit.
    assert verdict(probe(instance.address, instance.port, helo="nodots"))[:2] == ("RCPT TO", 504)


def test_a_master_cf_override_with_a_bad_table_is_refused(sandbox_factory):
    instance = sandbox_factory(STRICT)
    master_cf = os.path.join(instance.config_dir, "master.cf")
    with open(master_cf) as handle:
        lines = handle.read().splitlines(True)
    lines[0] = lines[0].rstrip("\n") + "\n  -o smtpd_helo_restrictions=check_helo_access,nosuchtype:/y\n"
    with open(master_cf, "w") as handle:
        handle.writelines(lines)
    result = judge(instance)
    assert result.get("failed") and "type nosuchtype is not supported" in result["msg"], result
    assert "master.cf" not in result["msg"] or "nosuchtype:/y" in result["msg"]


def test_a_table_that_cannot_be_read_is_refused(sandbox_factory):
    instance = sandbox_factory(STRICT)
    table = os.path.join(instance.config_dir, "other_access")
    with open(table, "w") as handle:
        handle.write("mx.example OK\n")
    with open(table + ".db", "wb") as handle:
        handle.write(b"this is not a Berkeley DB file" * 10)
    instance.set_parameters({"smtpd_helo_restrictions": "check_helo_access hash:%s" % table})
    result = judge(instance)
    assert result.get("failed") and "other_access.db" in result["msg"], result


def test_the_judge_leaves_no_process_and_no_scratch_dir(sandbox_factory):
    instance = sandbox_factory(STRICT)
    assert not judge(instance).get("failed")
    # This test's temp dir (the module's TMPDIR): what another test's judge does is not counted here.
    assert not scratch_roots(), "a scratch root was left"
    assert not judge_processes(), "a judge process was left running"
