# SPDX-License-Identifier: GPL-3.0-or-later
"""An SMTP probe: one dialog, every reply code and text recorded.

With Postfix's default ``smtpd_delay_reject = yes`` the HELO restrictions
answer at ``RCPT TO``, so the verdict of a dialog is the RCPT reply.
"""

import smtplib

from .sandbox import SANDBOX_DOMAIN


def probe(address, port, helo=None, mail_from="probe@example.org", rcpt_to="postmaster@" + SANDBOX_DOMAIN,
          source_address="127.0.0.1", timeout=10):
    """Run CONNECT, [EHLO helo], MAIL FROM, RCPT TO, QUIT.

    Returns a list of ``(step, code, text)`` tuples. ``helo=None`` sends no
    HELO at all. The probe connects from ``source_address`` so the sandbox's
    ``mynetworks`` (127.0.0.2/32) never trusts it.
    """
    steps = []
    client = smtplib.SMTP(timeout=timeout, source_address=(source_address, 0) if source_address else None)
    try:
        code, text = client.connect(address, port)
        steps.append(("CONNECT", code, _text(text)))
        if helo is not None:
            code, text = client.docmd("EHLO", helo)
            steps.append(("EHLO", code, _text(text)))
        code, text = client.docmd("MAIL", "FROM:<%s>" % mail_from)
        steps.append(("MAIL FROM", code, _text(text)))
        if code < 400:
            code, text = client.docmd("RCPT", "TO:<%s>" % rcpt_to)
            steps.append(("RCPT TO", code, _text(text)))
        client.docmd("QUIT")
    finally:
        client.close()
    return steps


def verdict(steps):
    """The last reply of a dialog: the (step, code, text) that decided it."""
    return steps[-1]


def _text(raw):
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
