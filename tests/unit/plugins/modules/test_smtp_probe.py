# SPDX-License-Identifier: GPL-3.0-or-later
"""smtp_probe's main() in-process: options refused by the argument spec's rules and ranges, before connecting.

A socket opened by the module fails the test; what a real smtpd answers is
tested in tests/functional/modules/smtp_probe.
"""

from __future__ import annotations

import socket

import pytest

from ansible_collections.mailops.postfix.plugins.modules import smtp_probe

REFUSED = [
    ({"port": 0}, "port 0 is not a TCP port: give 1 to 65535."),
    ({"port": 65536}, "port 65536 is not a TCP port: give 1 to 65535."),
    ({"timeout": 0}, "timeout 0 is out of range: give 1 to 600 seconds."),
    ({"timeout": 601}, "timeout 601 is out of range: give 1 to 600 seconds."),
    ({"send_helo": True}, "send_helo is True but all of the following are missing: helo"),
    ({"helo": "two words"}, "helo 'two words' must be one word"),
    ({"helo": "a.example", "mail_from": "x@example.org\r\nRSET"}, "mail_from 'x@example.org\\r\\nRSET' contains a line break"),
    ({"helo": "a.example", "source_address": "127.0.0.1/8"}, "source_address '127.0.0.1/8' is not an IPv4"),
]


@pytest.fixture
def no_socket(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("the module connected although its options were refused")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.mark.parametrize("options, message", REFUSED, ids=[str(index) for index in range(len(REFUSED))])
def test_bad_options_are_refused_in_a_sentence_before_any_connection(module_run, no_socket, options, message):
    result = module_run(smtp_probe.main, dict({"address": "127.0.0.1", "rcpt_to": "postmaster@example.org"}, **options))
    assert result["failed"] is True and result["msg"].startswith(message), result["msg"]
    assert "Traceback" not in result["msg"] and "Errno" not in result["msg"]
