# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The SMTP matrix a candidate must answer, asked of the throwaway instance.

The whole matrix is asked where mail arrives (``matrix_services``), with
the HELO settings in force there (main.cf, then the service's ``-o``
overrides); every other smtpd service must send its banner and answer a
baseline dialog without a configuration error.

A probe is ``{"helo": NAME or None, "code": EXPECTED}``: the dialog's verdict
(the first reply of 400 or more, else the RCPT TO reply) must carry that
code. Whatever the expectation, no reply may be a temporary
"Server configuration error" (Postfix's answer to a table it cannot open or
a restriction it does not know) or a 421, and the banner must arrive.
"""

from __future__ import annotations

import smtplib
import socket

from ansible_collections.mailops.postfix.plugins.module_utils.main_cf.editor import list_tokens
from ansible_collections.mailops.postfix.plugins.module_utils.main_cf.restrictions import RESTRICTION_LIST
from ansible_collections.mailops.postfix.plugins.module_utils.postfix import cli as postfix_cli
from ansible_collections.mailops.postfix.plugins.module_utils.preflight.checks import service_overrides
from ansible_collections.mailops.postfix.plugins.module_utils.preflight.instance import JUDGE_DOMAIN, PROBE_SOURCE
from ansible_collections.mailops.postfix.plugins.module_utils.smtp.dialog import run_dialog

BASELINE_HELO = "preflight-baseline.mailops.invalid"
RECIPIENT = "postmaster@%s" % JUDGE_DOMAIN


def dialog(port, helo, timeout, banner_token):
    """One dialog with the judge on ``port``: the steps, or a sentence when it broke off.

    The banner must carry ``banner_token`` (instance.judge_master_cf): any
    other server on the port is not asked at all.
    """
    client = smtplib.SMTP(timeout=timeout, source_address=(PROBE_SOURCE, 0))
    try:
        connect_reply = client.connect(PROBE_SOURCE, port)
        banner = connect_reply[1].decode("utf-8", "replace")
        if banner_token not in banner:
            return [], ("%s:%d is answered by another server (banner %r), not by the judge: its answers would not be "
                        "the candidate's" % (PROBE_SOURCE, port, "%d %s" % (connect_reply[0], banner)))
        steps = run_dialog(client, connect_reply, helo, "", RECIPIENT)
        try:
            client.docmd("QUIT")
        except (smtplib.SMTPException, OSError):
            pass
        return steps, None
    except (socket.timeout, smtplib.SMTPServerDisconnected) as error:
        if isinstance(error, socket.timeout) or "timed out" in str(error):
            return [], "no reply within %d s (no banner: the connection was accepted and nothing was said)" % timeout
        return [], "the server closed the connection: %s" % error
    except (smtplib.SMTPException, OSError) as error:
        return [], "the dialog broke off: %s" % error
    finally:
        client.close()


def _describe(helo):
    return "no HELO" if helo is None else "HELO %s" % helo


def probe_problems(steps, probe):
    """Sentences for a dialog that does not answer as the probe expects."""
    problems = []
    for step in steps:
        if step["code"] == 421 or (400 <= step["code"] < 500 and "configuration error" in step["text"].lower()):
            problems.append("%s: %s answered %d %s" % (_describe(probe["helo"]), step["step"], step["code"], step["text"]))
    verdict = steps[-1]
    if probe.get("code") is not None and verdict["code"] != probe["code"]:
        problems.append("%s: expected %d, got %d at %s (%s)"
                        % (_describe(probe["helo"]), probe["code"], verdict["code"], verdict["step"], verdict["text"]))
    return problems


HELO_SETTINGS = ("smtpd_helo_required", "smtpd_helo_restrictions")


def is_mail_service(name):
    """The service where mail arrives: ``smtp``, ``ADDRESS:smtp`` or ``ADDRESS:25``."""
    return name == "smtp" or name.endswith((":smtp", ":25"))


def matrix_services(names, overrides):
    """The services that must answer the whole matrix: the mail services; without one, every
    smtpd service that overrides no restriction list and no HELO setting (it serves main.cf's policy).
    The others must only send a banner and answer without a configuration error."""
    chosen = [name for name in names if is_mail_service(name)]
    if not chosen:
        chosen = [name for name in names
                  if not any(RESTRICTION_LIST.match(parameter) or parameter in HELO_SETTINGS
                             for parameter in overrides.get(name, {}))]
    return chosen


def helo_matrix(run_command, config_dir, accept_helo, overrides=None):
    """The probes a service's HELO settings promise, plus each name that must be accepted.

    ``smtpd_helo_required = yes``: a dialog without HELO gets 503.
    ``reject_non_fqdn_helo_hostname`` in smtpd_helo_restrictions: ``nodots`` gets 504,
    unless ``warn_if_reject`` comes right before it (helo_guard_mode observe): then
    smtpd only logs ``reject_warning`` and the reply depends on what follows.
    Each name of ``accept_helo``: 250 at RCPT TO. ``overrides`` (the service's
    ``-o`` settings) win over main.cf.
    """
    values = postfix_cli.postconf_builtin_values(run_command, config_dir, HELO_SETTINGS, expand=True)
    values.update((name, value) for name, value in (overrides or {}).items() if name in HELO_SETTINGS)
    probes = [{"helo": name, "code": 250} for name in accept_helo]
    restrictions = list_tokens(values["smtpd_helo_restrictions"])
    if "reject_non_fqdn_helo_hostname" in restrictions and "nodots" not in accept_helo:
        position = restrictions.index("reject_non_fqdn_helo_hostname")
        if position == 0 or restrictions[position - 1] != "warn_if_reject":
            probes.append({"helo": "nodots", "code": 504})
    if values["smtpd_helo_required"].strip().lower() == "yes":
        probes.append({"helo": None, "code": 503})
    return probes


def service_probes(run_command, config_dir, ports, options):
    """``{service: (port, probes)}``: the whole matrix where mail arrives, the baseline elsewhere."""
    # The judge's master.cf names each service by its new address (127.0.0.1:PORT).
    judge_overrides = service_overrides(run_command, config_dir)
    overrides = {name: judge_overrides.get("%s:%d" % (PROBE_SOURCE, port), {}) for name, port in ports.items()}
    chosen = matrix_services(sorted(ports), overrides)
    plan = {}
    for name, port in ports.items():
        probes = []
        if name in chosen:
            probes = list(options["probes"])
            if options["helo_matrix"]:
                probes += helo_matrix(run_command, config_dir, list(options["accept_helo"]), overrides.get(name))
        plan[name] = (port, probes)
    return plan


def run_matrix(plan, timeout, banner_token):
    """Ask every service its probes (after a baseline dialog); returns ``(answers, problems)``."""
    answers, problems = [], []
    for service, (port, probes) in sorted(plan.items()):
        for probe in [{"helo": BASELINE_HELO, "code": None}] + probes:
            steps, broken = dialog(port, probe["helo"], timeout, banner_token)
            if broken:
                problems.append("service %s, %s: %s" % (service, _describe(probe["helo"]), broken))
                break  # the same service will not answer the next probe either
            verdict = steps[-1]
            answers.append({"service": service, "helo": probe["helo"], "step": verdict["step"],
                            "code": verdict["code"], "text": verdict["text"]})
            problems.extend("service %s, %s" % (service, problem) for problem in probe_problems(steps, probe))
    return answers, problems
