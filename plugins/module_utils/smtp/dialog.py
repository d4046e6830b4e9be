# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""One SMTP dialog that shows what an smtpd says about a HELO name.

``run_dialog`` is handed a connected client with the interface of
``smtplib.SMTP`` (``docmd(cmd, args)`` returning ``(code, text)``) and sends
EHLO (or nothing), MAIL FROM and RCPT TO. With Postfix's default
``smtpd_delay_reject = yes`` the HELO restrictions answer at RCPT TO, so the
verdict of a dialog is its last reply.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class SmtpDialogError(Exception):
    """An argument of the dialog is unusable; the text names it."""


def _text(raw):
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def check_dialog_arguments(helo, mail_from, rcpt_to):
    """Refuse values that would end an SMTP command early."""
    for name, value in (("helo", helo), ("mail_from", mail_from), ("rcpt_to", rcpt_to)):
        if value is None:
            continue
        if any(character in value for character in "\r\n\0"):
            raise SmtpDialogError("%s %r contains a line break or NUL" % (name, value))
        if name == "helo" and (not value.strip() or " " in value):
            raise SmtpDialogError("helo %r must be one word" % value)


def run_dialog(client, connect_reply, helo, mail_from, rcpt_to):
    """Return ``[{"step", "code", "text"}]``: CONNECT, [EHLO], MAIL FROM, RCPT TO.

    The dialog stops at the first reply of 400 or more (RCPT TO is not sent
    after a refused MAIL FROM). ``helo=None`` sends no HELO at all.
    """
    check_dialog_arguments(helo, mail_from, rcpt_to)
    steps = [{"step": "CONNECT", "code": connect_reply[0], "text": _text(connect_reply[1])}]
    commands = []
    if helo is not None:
        commands.append(("EHLO", "EHLO", helo))
    commands.append(("MAIL FROM", "MAIL", "FROM:<%s>" % mail_from))
    commands.append(("RCPT TO", "RCPT", "TO:<%s>" % rcpt_to))
    if connect_reply[0] >= 400:
        return steps
    for step, verb, argument in commands:
        code, text = client.docmd(verb, argument)
        steps.append({"step": step, "code": code, "text": _text(text)})
        if code >= 400:
            break
    return steps


def dialog_accepted(steps):
    """True when the dialog reached RCPT TO and the server accepted it (2xx)."""
    last = steps[-1]
    return last["step"] == "RCPT TO" and 200 <= last["code"] < 300
