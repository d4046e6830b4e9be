# SPDX-License-Identifier: GPL-3.0-or-later
"""An SMTP probe: one dialog, every reply code and text recorded.

The dialog itself is the collection's (``plugins/module_utils/smtp/dialog.py``,
the code the smtp_probe module runs): this file only opens the connection
from a chosen source address and hands it over, so the tests and the module
speak exactly the same SMTP. With Postfix's default
``smtpd_delay_reject = yes`` the HELO restrictions answer at ``RCPT TO``, so
the verdict of a dialog is its last reply.
"""

import smtplib

from ansible_collections.mailops.postfix.plugins.module_utils.smtp.dialog import run_dialog

from .sandbox import SANDBOX_DOMAIN


def probe(address, port, helo=None, mail_from="probe@example.org", rcpt_to="postmaster@" + SANDBOX_DOMAIN,
          source_address="127.0.0.1", timeout=10):
    """Run CONNECT, [EHLO helo], MAIL FROM, RCPT TO, QUIT.

    Returns a list of ``(step, code, text)`` tuples; the dialog stops at the
    first reply of 400 or more. ``helo=None`` sends no HELO at all. The probe
    connects from ``source_address`` so the sandbox's ``mynetworks``
    (127.0.0.2/32) never trusts it.
    """
    client = smtplib.SMTP(timeout=timeout, source_address=(source_address, 0) if source_address else None)
    try:
        steps = run_dialog(client, client.connect(address, port), helo, mail_from, rcpt_to)
        client.docmd("QUIT")
    finally:
        client.close()
    return [(step["step"], step["code"], step["text"]) for step in steps]


def verdict(steps):
    """The last reply of a dialog: the (step, code, text) that decided it."""
    return steps[-1]
