# SPDX-License-Identifier: GPL-3.0-or-later
"""The pure parts of the SMTP dialog; the dialog itself is tested against a real smtpd
in tests/functional/modules/smtp_probe."""

import pytest

from ansible_collections.mailops.postfix.plugins.module_utils.smtp.dialog import (
    SmtpDialogError,
    check_dialog_arguments,
    dialog_accepted,
)


@pytest.mark.parametrize("helo, mail_from, rcpt_to, expected", [
    ("a.example\r\nRSET", "x@example.org", "postmaster@example.com", "helo 'a.example\\\\r\\\\nRSET' contains a line break"),
    ("two words", "x@example.org", "postmaster@example.com", "helo 'two words' must be one word"),
    ("a.example", "x@example.org", "postmaster@example.com\n", "rcpt_to .* contains a line break"),
])
def test_arguments_that_would_break_the_dialog_are_named(helo, mail_from, rcpt_to, expected):
    with pytest.raises(SmtpDialogError, match=expected):
        check_dialog_arguments(helo, mail_from, rcpt_to)


def test_only_an_accepted_rcpt_to_is_accepted():
    assert dialog_accepted([{"step": "CONNECT", "code": 220, "text": ""}, {"step": "RCPT TO", "code": 250, "text": "Ok"}])
    assert not dialog_accepted([{"step": "RCPT TO", "code": 450, "text": "Helo command rejected"}])
    assert not dialog_accepted([{"step": "MAIL FROM", "code": 503, "text": "send HELO/EHLO first"}])
