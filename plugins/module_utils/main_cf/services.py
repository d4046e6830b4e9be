# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Does the HELO policy of main.cf reach every smtpd listener of master.cf?

A ``-o smtpd_helo_restrictions=...`` or ``-o smtpd_helo_required=...`` on a
master.cf service overrides main.cf for that service only: the policy does
not apply there, and nothing says so. Pure: the functions take what Postfix
prints (``postconf -M``: one service per line; ``postconf -P`` and
``postconf -Px``: ``name/type/parameter = value`` per override, as written
and expanded) and return a report per smtpd service plus the problems.

A service that receives mail from other servers must not override them: the
``smtp inet`` service (``smtp``, ``ADDRESS:smtp`` or ``ADDRESS:25``) and any
service the admin names. Other smtpd services (submission on 587, smtps on
465) relaxing the checks for their authenticated users are the normal case:
reported, not a problem. An override the admin declares intended is reported
and not a problem either.
"""

from __future__ import annotations

HELO_PARAMETERS = ("smtpd_helo_restrictions", "smtpd_helo_required")
# Shown in the report as well: they decide who the HELO checks judge.
CONTEXT_PARAMETERS = ("smtpd_sasl_auth_enable", "smtpd_delay_reject", "syslog_name")
MAIL_PORTS = ("smtp", "25")


class ServiceCheckError(Exception):
    """Postfix's output could not be read, or a service name given is not one; the message says which."""


def smtpd_services(postconf_m):
    """``[(name, type)]`` of every master.cf service whose command is smtpd (``postconf -M`` output)."""
    services = []
    for line in postconf_m.splitlines():
        fields = line.split()
        if not fields or line[:1].isspace() or line.startswith("#"):
            continue
        if len(fields) < 8:
            raise ServiceCheckError("postconf -M printed a service line with fewer than 8 fields: %r" % line)
        if fields[7] == "smtpd":
            services.append((fields[0], fields[1]))
    return services


def service_overrides(postconf_p):
    """``{(name, type): {parameter: value}}`` from ``postconf -P`` (or ``-Px``) output."""
    overrides = {}
    for line in postconf_p.splitlines():
        if not line.strip():
            continue
        key, separator, value = line.partition(" = ")
        parts = key.rsplit("/", 2)
        if not separator or len(parts) != 3:
            raise ServiceCheckError("postconf -P printed a line that is not service/type/parameter = value: %r" % line)
        name, service_type, parameter = parts
        overrides.setdefault((name, service_type), {})[parameter] = value
    return overrides


def receives_mail(name, service_type):
    """The ``smtp inet`` service, however its address is written (``smtp``, ``192.0.2.1:smtp``, ``[::1]:25``)."""
    return service_type == "inet" and name.rpartition(":")[2] in MAIL_PORTS


def _named(name, service_type, names):
    return name in names or "%s/%s" % (name, service_type) in names


def listener_report(postconf_m, postconf_p, postconf_px, main_values, enforced=(), intended=()):
    """``(report, problems)``.

    ``main_values``: ``{parameter: value}`` of main.cf for HELO_PARAMETERS (what
    the role writes). ``enforced``/``intended``: service names (``name`` or
    ``name/type``). ``report`` has one dict per smtpd service; ``problems`` one
    sentence per service that breaks the policy.
    """
    services = smtpd_services(postconf_m)
    known = {name for name, _type in services} | {"%s/%s" % service for service in services}
    unknown = sorted(set(enforced) - known) + sorted(set(intended) - known)
    if unknown:
        raise ServiceCheckError("%s names no smtpd service of master.cf (smtpd services: %s)"
                                % (", ".join(unknown), ", ".join("%s/%s" % service for service in services) or "none"))
    raw, expanded = service_overrides(postconf_p), service_overrides(postconf_px)
    report, problems = [], []
    for name, service_type in services:
        written = raw.get((name, service_type), {})
        overridden = {parameter: written[parameter] for parameter in HELO_PARAMETERS if parameter in written}
        item = {
            "service": "%s/%s" % (name, service_type),
            "receives_mail": receives_mail(name, service_type) or _named(name, service_type, enforced),
            "overrides": overridden,
            "intended": bool(overridden) and _named(name, service_type, intended),
            "policy_applies": not overridden,
            "effective": {parameter: expanded.get((name, service_type), {}).get(parameter, main_values.get(parameter))
                          for parameter in HELO_PARAMETERS},
            "context": {parameter: written[parameter] for parameter in CONTEXT_PARAMETERS if parameter in written},
        }
        report.append(item)
        if overridden and item["receives_mail"] and not item["intended"]:
            problems.append(
                "master.cf service %s overrides %s, so the HELO policy of main.cf does not apply to the mail it "
                "receives from other servers; remove the override, or list the service in "
                "helo_guard_intended_overrides if it is meant"
                % (item["service"], ", ".join("-o %s=%s" % pair for pair in overridden.items())))
    return report, problems


def report_lines(report):
    """One sentence per smtpd service, for the role's output."""
    lines = []
    for item in report:
        if item["policy_applies"]:
            state = "the main.cf HELO policy applies"
        else:
            state = "overrides %s (%s)" % (
                ", ".join("%s=%s" % pair for pair in item["overrides"].items()),
                "intended" if item["intended"] else
                "fails: receives mail from other servers" if item["receives_mail"] else
                "reported: a service for authenticated submission may relax HELO checks")
        lines.append("%s: %s" % (item["service"], state))
    return lines
