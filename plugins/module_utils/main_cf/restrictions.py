# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Settings that defeat themselves, found in main.cf values.

Pure: every function takes parameter values (as ``postconf -h`` prints them)
and returns a list of warning sentences that name the parameter.

- Order: Postfix evaluates a restriction list left to right and stops at the
  first restriction that rejects. An access check or a ``permit_*`` placed
  after a ``reject_*`` that already rejects the clients it should rescue
  never rescues them (smtpd_access_policy: "restrictions are applied in the
  order as specified; the first restriction that matches wins").
- HELO checks without ``smtpd_helo_required = yes``: a client that sends no
  HELO skips every ``reject_*helo*`` restriction.
- Lookup tables of a type this Postfix does not support (``postconf -m``).
"""

from __future__ import annotations

import re

from ansible_collections.mailops.postfix.plugins.module_utils.main_cf.editor import list_tokens

RESTRICTION_LIST = re.compile(r"\Asmtpd_\w+_restrictions\Z")
TABLE_PARAMETER = re.compile(r"\A(?:\w+_maps|\w*(?:header|body)_checks)\Z")
# The subject an access check looks up, by the restriction's name.
ACCESS_CHECK = re.compile(r"\Acheck_(helo|client|reverse_client|ccert|sasl|sender|recipient|etrn)\w*_access\Z")
ACCESS_SUBJECT = {"reverse_client": "client", "ccert": "client", "sasl": "client"}
# Restrictions that take one argument after them in the list.
TAKES_ARGUMENT = re.compile(
    r"\A(?:check_\w+_access|check_policy_service|reject_rbl_client|reject_rhsbl_\w+|"
    r"permit_dnswl_client|permit_rhswl_client|check_\w+_a_access|check_\w+_mx_access|check_\w+_ns_access|"
    r"reject_\w+_dnsbl|defer_if_\w+)\Z"
)
# Restrictions that trust a client and accept it: a reject_* of the client or
# its HELO name before them rejects some of the clients they were meant to let
# through (your own hosts with a bare HELO name, for example). Rejects of a
# sender or recipient address before them are a common, deliberate order and
# are not reported.
TRUST_DEFEATING_SUBJECTS = ("helo", "client")
TRUSTING_PERMITS = ("permit_mynetworks", "permit_sasl_authenticated", "permit_tls_clientcerts",
                    "permit_tls_all_clientcerts", "permit_inet_interfaces")
SUBJECTS = ("helo", "client", "sender", "recipient")
SUBJECT_NOUNS = {"helo": "HELO names", "client": "clients", "sender": "senders", "recipient": "recipients"}
MAP_TYPE = re.compile(r"\A([a-z][a-z0-9_]*):(.+)\Z")


def restriction_steps(value):
    """The restrictions of a list as (restriction, argument or None) pairs."""
    tokens = list_tokens(value)
    steps = []
    position = 0
    while position < len(tokens):
        restriction = tokens[position]
        argument = None
        if TAKES_ARGUMENT.match(restriction) and position + 1 < len(tokens):
            argument = tokens[position + 1]
            position += 1
        steps.append((restriction, argument))
        position += 1
    return steps


def _reject_subject(restriction):
    for subject in SUBJECTS:
        if subject in restriction:
            return subject
    return None


def _access_subject(restriction):
    match = ACCESS_CHECK.match(restriction)
    if not match:
        return None
    return ACCESS_SUBJECT.get(match.group(1), match.group(1))


def _label(restriction, argument):
    return "%s %s" % (restriction, argument) if argument else restriction


def order_warnings(name, value):
    """Access checks and permits that come after a reject_* that already decided."""
    warnings = []
    rejects = []
    steps = restriction_steps(value)
    for position, (restriction, argument) in enumerate(steps):
        if restriction == "reject" and position < len(steps) - 1:
            warnings.append("%s: everything after the unconditional 'reject' is never evaluated" % name)
            break
        subject = _access_subject(restriction)
        if subject is not None:
            for reject in rejects:
                if _reject_subject(reject) == subject:
                    warnings.append(
                        "%s: '%s' comes after '%s': %s that it rejects never reach the access check, so its OK "
                        "entries cannot rescue them; put the access check first"
                        % (name, _label(restriction, argument), reject, SUBJECT_NOUNS[subject]))
                    break
        elif restriction in TRUSTING_PERMITS:
            defeating = [reject for reject in rejects if _reject_subject(reject) in TRUST_DEFEATING_SUBJECTS]
            if defeating:
                warnings.append(
                    "%s: '%s' comes after '%s', which rejects trusted clients before '%s' can accept them; "
                    "put '%s' first" % (name, restriction, defeating[0], restriction, restriction))
        if restriction.startswith("reject_"):
            rejects.append(restriction)
    return warnings


def helo_required_warnings(restriction_values, helo_required):
    """reject_*helo* restrictions that clients skip because HELO is optional."""
    if (helo_required or "no").strip().lower() == "yes":
        return []
    warnings = []
    for name in sorted(restriction_values):
        helo_checks = [restriction for restriction, _argument in restriction_steps(restriction_values[name] or "")
                       if restriction.startswith("reject_") and "helo" in restriction]
        if helo_checks:
            warnings.append(
                "%s: %s never run for a client that sends no HELO, because smtpd_helo_required is '%s'; "
                "set smtpd_helo_required = yes" % (name, ", ".join(helo_checks), helo_required or "no"))
    return warnings


def table_references(name, value):
    """``type:name`` lookup tables a parameter's value refers to."""
    tokens = []
    if RESTRICTION_LIST.match(name):
        tokens = [argument for restriction, argument in restriction_steps(value)
                  if argument and restriction != "check_policy_service"]
        tokens += [restriction for restriction, _argument in restriction_steps(value)
                   if MAP_TYPE.match(restriction)]
    elif TABLE_PARAMETER.match(name):
        tokens = list_tokens(value)
    return [token for token in tokens if MAP_TYPE.match(token)]


def table_type_warnings(name, value, supported_types):
    """Tables whose type ``postconf -m`` does not list (``proxy:`` wrappers included)."""
    warnings = []
    for table in table_references(name, value):
        reference = table
        while True:
            match = MAP_TYPE.match(reference)
            if not match:
                break
            map_type, rest = match.group(1), match.group(2)
            if map_type not in supported_types:
                warnings.append(
                    "%s: table '%s' uses type '%s', which this Postfix does not support (postconf -m); "
                    "install its map package (for example postfix-%s) or use a supported type"
                    % (name, table, map_type, map_type))
                break
            if map_type != "proxy":
                break
            reference = rest
    return warnings
