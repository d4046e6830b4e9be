# SPDX-License-Identifier: GPL-3.0-or-later
"""mailops.postfix.smtp_probe through ansible-playbook, against a real smtpd."""

from tests.harness.ansible_run import run_module
from tests.harness.sandbox import SANDBOX_DOMAIN

STRICT = {
    "smtpd_helo_required": "yes",
    "smtpd_helo_restrictions": "reject_invalid_helo_hostname, reject_non_fqdn_helo_hostname",
}


def probe_args(instance, **extra):
    args = {"address": instance.address, "port": instance.port, "rcpt_to": "postmaster@" + SANDBOX_DOMAIN,
            "source_address": "127.0.0.1"}
    args.update(extra)
    return args


def test_every_reply_of_an_accepted_dialog(sandbox_factory):
    instance = sandbox_factory(STRICT)
    result = run_module("mailops.postfix.smtp_probe", probe_args(instance, helo="mx.example.org"))
    assert not result.get("failed"), result
    assert [(step["step"], step["code"]) for step in result["steps"]] == [
        ("CONNECT", 220), ("EHLO", 250), ("MAIL FROM", 250), ("RCPT TO", 250)]
    assert result["accepted"] is True and result["changed"] is False
    assert result["verdict"]["step"] == "RCPT TO"


def test_non_fqdn_helo_is_refused_at_rcpt_even_in_check_mode(sandbox_factory):
    instance = sandbox_factory(STRICT)
    result = run_module("mailops.postfix.smtp_probe", probe_args(instance, helo="nodots"), check=True)
    assert result["accepted"] is False
    assert (result["verdict"]["step"], result["verdict"]["code"]) == ("RCPT TO", 504)
    assert "need fully-qualified hostname" in result["verdict"]["text"]


def test_no_helo_stops_at_mail_from(sandbox_factory):
    instance = sandbox_factory(STRICT)
    result = run_module("mailops.postfix.smtp_probe", probe_args(instance, send_helo=False))
    assert [(step["step"], step["code"]) for step in result["steps"]] == [("CONNECT", 220), ("MAIL FROM", 503)]
    assert result["accepted"] is False


def test_a_helo_with_a_line_break_fails_before_connecting(sandbox_factory):
    instance = sandbox_factory(STRICT)
    result = run_module("mailops.postfix.smtp_probe", probe_args(instance, helo="a.example\r\nRSET"))
    assert result["failed"] is True
    assert "helo 'a.example\\r\\nRSET' contains a line break" in result["msg"]


def test_a_closed_port_fails_with_a_sentence(sandbox_factory):
    instance = sandbox_factory(STRICT, start=False)
    result = run_module("mailops.postfix.smtp_probe", probe_args(instance, helo="mx.example.org"))
    assert result["failed"] is True
    assert result["msg"].startswith("SMTP dialog with 127.0.0.1 port %d failed:" % instance.port), result["msg"]
