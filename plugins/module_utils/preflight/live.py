# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""How the live instance answers: ``state=current``'s ``lookup`` and ``dialogs``, in the module run that reads.

``lookup``: ``{table: TYPE:PATH, keys: [...]}``, every key looked up with one
``postmap -q -`` (``postfix_cli.postmap_query``) against the live config dir:
``{"answers": {key: value}, "warnings": [...]}``.

``dialogs``: ``[{helo, accept}]`` with ``smtp`` (``address``, ``port``,
``rcpt_to``, ``source_address``, ``timeout``, ``retries``, ``delay``): one SMTP
dialog per entry with the host's smtpd (``smtp/dialog.probe``). A dialog
whose answer is not the expected one (``accept``) is tried again, at most
``retries`` times, ``delay`` seconds apart: right after a reload an idle
smtpd of the old configuration may still take one more session. The
recipient defaults to ``postmaster@`` the instance's ``myhostname``.
"""

from __future__ import annotations

import time

from ansible_collections.mailops.postfix.plugins.module_utils.postfix import cli as postfix_cli
from ansible_collections.mailops.postfix.plugins.module_utils.preflight.errors import PreflightError
from ansible_collections.mailops.postfix.plugins.module_utils.preflight.stage import parse_table
from ansible_collections.mailops.postfix.plugins.module_utils.smtp.dialog import ProbeOptions, SmtpDialogError, probe

SMTP_DEFAULTS = dict(address="127.0.0.1", port=25, rcpt_to=None, source_address=None, timeout=10, retries=3, delay=1)


def lookup(run_command, config_dir, request):
    """Postfix's answers for ``request["keys"]`` in ``request["table"]`` (one postmap process)."""
    map_type, path = parse_table(request["table"], "lookup.table")
    try:
        answers, warnings = postfix_cli.postmap_query(run_command, config_dir, map_type, path, list(request["keys"]))
    except postfix_cli.PostfixCommandError as error:
        raise PreflightError("lookup in %s: %s" % (request["table"], error)) from None
    return dict(answers=answers, warnings=warnings)


def dialogs(run_command, config_dir, wanted, smtp, hostname=None):
    """Each dialog of ``wanted`` with the live smtpd: ``[{helo, accept, accepted, verdict, steps, tries, problem}]``.

    ``problem`` is "" for a dialog with the expected verdict, else a sentence.
    ``hostname``: the instance's ``myhostname`` when the caller has read it
    already (else it is asked here, for the default recipient).
    """
    settings = dict(SMTP_DEFAULTS, **{name: value for name, value in (smtp or {}).items() if value is not None})
    if not settings["rcpt_to"]:
        if hostname is None:
            try:
                hostname = postfix_cli.postconf_builtin_values(run_command, config_dir, ["myhostname"])["myhostname"]
            except postfix_cli.PostfixCommandError as error:
                raise PreflightError(str(error)) from None
        settings["rcpt_to"] = "postmaster@" + hostname
    return [_dialog(dialog, settings) for dialog in wanted]


def _dialog(dialog, settings):
    options = ProbeOptions(rcpt_to=settings["rcpt_to"], address=settings["address"], port=settings["port"],
                           helo=dialog["helo"], source_address=settings["source_address"],
                           timeout=settings["timeout"])
    tries = 0
    while True:
        tries += 1
        try:
            result = probe(options)
        except SmtpDialogError as error:
            raise PreflightError("dialog with HELO %s: %s" % (dialog["helo"], error)) from None
        if result.accepted == dialog["accept"] or tries > settings["retries"]:
            return dict(helo=dialog["helo"], accept=dialog["accept"], accepted=result.accepted,
                        verdict=result.verdict, steps=result.steps, tries=tries, problem=_problem(dialog, result, tries))
        time.sleep(settings["delay"])


def _problem(dialog, result, tries):
    """"" when the dialog gave the expected verdict, else a sentence saying what it got."""
    if result.accepted == dialog["accept"]:
        return ""
    verdict = result.verdict
    return "HELO %s: expected %s at RCPT TO, got %s %s at %s (%d tries)" % (
        dialog["helo"], "acceptance" if dialog["accept"] else "rejection", verdict["code"], verdict["text"],
        verdict["step"], tries)
