# SPDX-License-Identifier: GPL-3.0-or-later
"""mailops.postfix.preflight state=promoted with ``edit``: the candidate edited, judged and promoted in one run.

Judged on real sandbox instances: the bytes of the live table and main.cf,
``postmap -q`` on the promoted table, ``postconf -h`` of the live main.cf, a
real smtpd's answer over SMTP, and what the stage's reads (``non_default``,
``list_files``) return against ``postconf -n`` itself.
"""

import os
import subprocess
import time

from ansible_collections.mailops.postfix.plugins.module_utils.postfix.cli import COOL_DOWN_SECONDS
from tests.functional.modules.preflight.test_preflight_judge import STRICT
from tests.functional.roles.helo_guard.helo_guard_run import candidates_of, file_state, rcpt_code, reload_count
from tests.harness.ansible_run import run_module


def preflight(instance, check=False, diff=False, **args):
    return run_module("mailops.postfix.preflight", dict({"config_dir": instance.config_dir}, **args),
                      check=check, diff=diff)


def table_of(instance):
    return os.path.join(instance.config_dir, "helo_access")


def stage(instance, **args):
    staged = preflight(instance, state="staged", tables=["regexp:%s" % table_of(instance)], **args)
    assert not staged.get("failed") and staged["up_to_date"] is False, staged
    return staged


def edit(instance, entries, **main_cf):
    return {"table": {"path": table_of(instance), "entries": entries, "mode": "0640"},
            "main_cf": {"set": dict({"smtpd_helo_restrictions": [
                "permit_mynetworks", "check_helo_access regexp:%s" % table_of(instance),
                "reject_invalid_helo_hostname", "reject_non_fqdn_helo_hostname"]}, **main_cf)}}


def promote(instance, staged, entries, check=False, diff=False, **main_cf):
    return preflight(instance, check=check, diff=diff, state="promoted", candidate_dir=staged["candidate_dir"],
                     tables=["regexp:%s" % table_of(instance)], edit=edit(instance, entries, **main_cf),
                     accept_helo=["mxbox50.bitwiz.net"], reload=True)


def test_one_run_edits_the_table_and_main_cf_judges_and_promotes_them(sandbox_factory):
    instance = sandbox_factory(STRICT)
    staged = stage(instance, non_default=True, list_files=[os.path.join(instance.config_dir, "*.cf")])
    explicit = subprocess.run(["postconf", "-c", instance.config_dir, "-n"], capture_output=True, text=True,
                              check=True).stdout
    assert staged["non_default"] == explicit, staged
    assert staged["listed_files"] == sorted(os.path.join(instance.config_dir, name)
                                            for name in ("main.cf", "master.cf")), staged

    done = promote(instance, staged, [{"host": "mxbox50.bitwiz.net"}, {"ip": "50.0.0.1"}],
                   diff=True, smtpd_delay_reject="yes")
    assert not done.get("failed") and done["changed"] is True, done
    assert sorted(done["promoted"]) == sorted([table_of(instance), os.path.join(instance.config_dir, "main.cf")])
    assert done["edited"]["table"]["added"] and "smtpd_helo_restrictions" in done["edited"]["main_cf"], done
    assert done["reloaded"] is True and reload_count(instance) == 1, done
    # main.cf was renamed into place whole: its mtime is set back past Postfix's cool-down, so that
    # the reload and every new smtpd read it at once (postfix_cli.COOL_DOWN_SECONDS).
    assert os.stat(os.path.join(instance.config_dir, "main.cf")).st_mtime <= time.time() - COOL_DOWN_SECONDS
    assert {entry["after_header"] for entry in done["diff"]} == set(done["promoted"]), done["diff"]
    assert not candidates_of(instance)
    # Postfix's word on the live result: the table answers, main.cf says it, smtpd applies it.
    answer = subprocess.run(["postmap", "-c", instance.config_dir, "-q", "mxbox50.bitwiz.net",
                             "regexp:%s" % table_of(instance)], capture_output=True, text=True, check=False)
    assert answer.stdout.strip() == "OK", answer
    assert "check_helo_access regexp:%s" % table_of(instance) in instance.postconf("smtpd_helo_restrictions")
    assert oct(os.stat(table_of(instance)).st_mode & 0o777) == "0o640"
    assert rcpt_code(instance, "mxbox50.bitwiz.net")[1] == 250
    assert rcpt_code(instance, "nodots")[1] == 504


def test_check_mode_edits_only_the_candidate_and_reports_what_would_change(sandbox_factory):
    instance = sandbox_factory(STRICT)
    before = [file_state(os.path.join(instance.config_dir, name)) for name in ("main.cf", "helo_access")]
    staged = stage(instance)
    checked = promote(instance, staged, [{"host": "mxbox50.bitwiz.net"}], check=True, diff=True)
    assert not checked.get("failed") and checked["changed"] is True, checked
    assert table_of(instance) in checked["promoted"] and checked["verdict"]["passed"], checked
    assert any("mxbox50" in entry["after"] for entry in checked["diff"]), checked["diff"]
    assert [file_state(os.path.join(instance.config_dir, name)) for name in ("main.cf", "helo_access")] == before
    assert not candidates_of(instance) and reload_count(instance) == 0


def test_a_bad_edit_fails_with_a_sentence_and_changes_nothing(sandbox_factory):
    instance = sandbox_factory(STRICT)
    before = [file_state(os.path.join(instance.config_dir, name)) for name in ("main.cf", "master.cf")]
    cases = [
        ([{"host": "-bad-.example"}], {}, "-bad-.example"),
        ([{"host": "mx.example", "colour": "red"}], {}, "colour"),
        ([{"host": "mx.example"}], {"smtpd_helo_required": "perhaps"}, "smtpd_helo_required"),
    ]
    for entries, main_cf, named in cases:
        staged = stage(instance)
        failed = promote(instance, staged, entries, **main_cf)
        assert failed.get("failed") and named in failed["msg"], (entries, main_cf, failed)
        assert "Traceback" not in failed["msg"] and "Error" not in failed["msg"], failed["msg"]
        assert not candidates_of(instance), "a failed edit left its candidate"
    staged = stage(instance)
    outside = preflight(instance, state="promoted", candidate_dir=staged["candidate_dir"],
                        tables=["regexp:%s" % table_of(instance)],
                        edit={"files": [{"path": "/etc/passwd", "content": "x\n"}]})
    assert outside.get("failed") and "/etc/passwd is not one of the tables" in outside["msg"], outside
    assert [file_state(os.path.join(instance.config_dir, name)) for name in ("main.cf", "master.cf")] == before
    assert not os.path.exists(table_of(instance)) and reload_count(instance) == 0
