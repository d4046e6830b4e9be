# SPDX-License-Identifier: GPL-3.0-or-later
"""mailops.postfix.preflight state=current with ``lookup`` and ``dialogs``: how the live instance answers.

Judged on a real sandbox: the answers are postmap -q's own (compared with a
postmap run by the test), the dialogs are real SMTP sessions with the
sandbox's smtpd (250 for a listed HELO, 504 for ``nodots``), and a dialog
whose verdict is not the expected one is tried again, as many times as
``smtp.retries`` allows.
"""

import os
import subprocess

from tests.functional.modules.preflight.test_preflight_judge import STRICT
from tests.harness.ansible_run import run_module


def current(instance, **args):
    return run_module("mailops.postfix.preflight", dict({"config_dir": instance.config_dir, "state": "current"}, **args))


def test_lookup_answers_as_postmap_does_and_dialogs_talk_to_the_live_smtpd(sandbox_factory):
    instance = sandbox_factory(STRICT)
    table = os.path.join(instance.config_dir, "helo_access")
    with open(table, "w") as handle:
        handle.write("/^mxbox50\\.bitwiz\\.net$/ OK\n/^spam\\.example$/ REJECT go away\n")
    keys = ["mxbox50.bitwiz.net", "spam.example", "other.example"]
    report = current(instance, lookup={"table": "regexp:%s" % table, "keys": keys},
                     dialogs=[{"helo": "mx.example.com", "accept": True}, {"helo": "nodots", "accept": False}],
                     smtp={"address": instance.address, "port": instance.port, "retries": 0})
    assert not report.get("failed"), report
    postmap = subprocess.run(["postmap", "-c", instance.config_dir, "-q", "-", "regexp:%s" % table],
                             input="\n".join(keys) + "\n", capture_output=True, text=True, check=False)
    expected = dict(line.split("\t", 1) for line in postmap.stdout.splitlines())
    assert report["lookup"] == {"answers": expected, "warnings": []}, report["lookup"]
    assert expected == {"mxbox50.bitwiz.net": "OK", "spam.example": "REJECT go away"}
    listed, bogus = report["dialogs"]
    assert listed["accepted"] is True and listed["verdict"]["code"] == 250 and listed["tries"] == 1, listed
    assert listed["problem"] == "" and bogus["problem"] == "", report["dialogs"]
    assert bogus["accepted"] is False and bogus["verdict"]["code"] == 504 and bogus["tries"] == 1, bogus
    # The recipient defaulted to postmaster@myhostname, which the sandbox accepts.
    assert any(step["step"] == "RCPT TO" for step in listed["steps"]), listed["steps"]


def test_an_unexpected_verdict_is_tried_again_as_often_as_retries_say(sandbox_factory):
    instance = sandbox_factory(STRICT)
    report = current(instance, dialogs=[{"helo": "nodots", "accept": True}],
                     smtp={"address": instance.address, "port": instance.port, "retries": 2, "delay": 0})
    assert not report.get("failed"), report
    (dialog,) = report["dialogs"]
    assert dialog["accepted"] is False and dialog["tries"] == 3 and dialog["verdict"]["code"] == 504, dialog
    assert dialog["problem"].startswith("HELO nodots: expected acceptance at RCPT TO, got 504"), dialog["problem"]


def test_a_dialog_that_cannot_connect_fails_with_a_sentence(sandbox_factory):
    instance = sandbox_factory(STRICT)
    instance.stop()
    report = current(instance, dialogs=[{"helo": "mx.example.com", "accept": True}],
                     smtp={"address": instance.address, "port": instance.port})
    assert report.get("failed") and "dialog with HELO mx.example.com" in report["msg"], report
    assert "Traceback" not in report["msg"] and "Error" not in report["msg"], report["msg"]
