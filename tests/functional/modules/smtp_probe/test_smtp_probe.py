# SPDX-License-Identifier: GPL-3.0-or-later
"""mailops.postfix.smtp_probe through ansible-playbook, against a real smtpd."""

import pytest

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
    assert result["msg"] == ("The SMTP dialog with 127.0.0.1 port %d failed: the connection was refused (nothing "
                             "listens on that port?)." % instance.port), result["msg"]


def test_omitting_helo_sends_none_as_documented(sandbox_factory):
    instance = sandbox_factory(STRICT)
    result = run_module("mailops.postfix.smtp_probe", probe_args(instance))
    assert not result.get("failed"), result
    assert [(step["step"], step["code"]) for step in result["steps"]] == [("CONNECT", 220), ("MAIL FROM", 503)]


# Options refused before any connection (issue 12): each a sentence naming the option, the value and the rule.
BAD_OPTIONS = [
    ({"port": 0}, "port 0 is not a TCP port: give 1 to 65535."),
    ({"port": 70000}, "port 70000 is not a TCP port: give 1 to 65535."),
    ({"port": -25}, "port -25 is not a TCP port: give 1 to 65535."),
    ({"timeout": 0}, "timeout 0 is out of range: give 1 to 600 seconds."),
    ({"timeout": -1}, "timeout -1 is out of range: give 1 to 600 seconds."),
    ({"timeout": 86400}, "timeout 86400 is out of range: give 1 to 600 seconds."),
    ({"send_helo": True}, "send_helo is True but all of the following are missing: helo"),
    ({"helo": "two words"}, "helo 'two words' must be one word (a hostname or an address literal)."),
    ({"helo": ""}, "helo '' must be one word"),
    ({"helo": "a.example", "mail_from": "x@example.org\nRSET"}, "mail_from 'x@example.org\\nRSET' contains a line break"),
    ({"helo": "a.example", "source_address": "not-an-address"}, "source_address 'not-an-address' is not an IPv4"),
    ({"helo": "a.example", "address": "a b"}, "address 'a b' is empty or contains whitespace"),
]


@pytest.mark.parametrize("options, message", BAD_OPTIONS, ids=[str(index) for index in range(len(BAD_OPTIONS))])
def test_bad_options_fail_with_a_sentence_before_connecting(options, message):
    args = {"address": "127.0.0.1", "rcpt_to": "postmaster@" + SANDBOX_DOMAIN}  # nothing connects: no sandbox
    args.update(options)
    result = run_module("mailops.postfix.smtp_probe", args)
    assert result["failed"] is True and result["msg"].startswith(message), result["msg"]
    assert "Traceback" not in str(result) and "Errno" not in result["msg"]
