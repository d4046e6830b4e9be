# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Parameter values Postfix refuses at start-up, judged by the kind its own default shows.

``postconf`` prints any value it is given; the daemons parse it when they
start and stop with a fatal error on a bad one. Measured with Postfix 3.7.11
on a sandbox (each value alone in main.cf, then a TCP connection):

- ``smtpd_helo_required = maybe``: "fatal: bad boolean configuration:
  smtpd_helo_required = maybe"; smtpd accepts the connection and never sends
  a banner. ``YES`` is accepted: Postfix compares without regard to case.
- ``smtpd_recipient_limit = lots`` and ``= 99999999999``: "fatal: bad
  numerical configuration". ``-5``: "invalid smtpd_recipient_limit parameter
  value -5 < 1". ``+5`` and `` 5`` are accepted.
- ``smtpd_timeout = 300x``, ``300S``, ``-5s``, ``35791394m``: "fatal:
  parameter smtpd_timeout: bad time value or unit". ``5mm`` is accepted
  (Postfix 3.7 ignores what follows the unit letter); it is refused here,
  since it means nothing and a later Postfix may not ignore it.
- ``message_size_limit = 3000000000`` is accepted (a C long);
  ``99999999999999999999`` stops ``postfix start`` itself.

The kind of a parameter follows from its default (``postconf -d -x -h``, so
``$name`` and ``${...}`` defaults are expanded): ``yes``/``no`` is a boolean,
digits a whole number, digits and one of ``s m h d w`` a time. A parameter
Postfix has no default for (user-defined) is not judged. Postfix's
per-parameter minimum (0 or 1) and maximum are not visible through postconf;
only what no parameter of the kind accepts is refused here.

Pure: functions take names and values and return a sentence or None.
"""

from __future__ import annotations

import re

BOOLEAN = "boolean"
NUMBER = "number"
TIME = "time"

# Parameters whose default is digits but whose value Postfix reads as text:
# a version-like level (3.6), read-only facts, a protocol version, TLS log
# levels (read by tls_log_mask), a port that may be a service name.
TEXT_WITH_DIGIT_DEFAULT = re.compile(
    r"\A(?:compatibility_level|mail_release_date|process_id|milter_protocol|\w+_tls_loglevel|\w+_tcp_port)\Z")
# Parameters Postfix holds in a C long (64 bits); every other number is a C int.
LONG_PARAMETERS = frozenset(("message_size_limit", "mailbox_size_limit", "virtual_mailbox_limit", "queue_minfree",
                             "lmdb_map_size"))
INT_MAX = 2 ** 31 - 1
LONG_MAX = 2 ** 63 - 1
TIME_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_NUMBER = re.compile(r"\A\+?(\d+)\Z")
_SIGNED_NUMBER = re.compile(r"\A-\d+\Z")
_TIME = re.compile(r"\A(\d+)([smhdw]?)\Z")
_TIME_DEFAULT = re.compile(r"\A\d+[smhdw]\Z")


def seconds(value: str, default_unit: str) -> int | None:
    """A time value in seconds, a bare number taking ``default_unit``; None when it is not a time."""
    match = _TIME.match(value.strip())
    if not match:
        return None
    unit = match.group(2) or default_unit
    return int(match.group(1)) * TIME_UNITS[unit] if unit in TIME_UNITS else None


def default_time_unit(default_value: str | None) -> str | None:
    """The unit of a time parameter from its default (``5d`` -> ``d``), else None."""
    match = _TIME.match((default_value or "").strip())
    return match.group(2) if match and match.group(2) else None


def kind(name: str, default: str | None) -> str | None:
    """BOOLEAN, NUMBER or TIME as Postfix's default shows it; None for text or a parameter without default."""
    if default is None:
        return None
    default = default.strip()
    if default.lower() in ("yes", "no"):
        return BOOLEAN
    if default.isdigit() and not TEXT_WITH_DIGIT_DEFAULT.match(name):
        return NUMBER
    if _TIME_DEFAULT.match(default):
        return TIME
    return None


def _shown(value: str, written: str | None) -> str:
    if written is not None and written != value:
        return "%r (%r once $names are expanded)" % (written, value)
    return repr(value)


def _number_problem(name: str, value: str) -> str | None:
    match = _NUMBER.match(value)
    largest = LONG_MAX if name in LONG_PARAMETERS else INT_MAX
    if _SIGNED_NUMBER.match(value):
        return "is negative; Postfix expects a whole number of 0 or more here"
    if not match:
        return "is not a whole number; Postfix expects digits only here"
    if int(match.group(1)) > largest:
        return "is past the largest number Postfix can hold here (%d)" % largest
    return None


def _time_problem(value: str, default: str) -> str | None:
    match = _TIME.match(value)
    if not match:
        return ("is not a time; Postfix expects a whole number of 0 or more with at most one unit letter, "
                "s, m, h, d or w (lower case)")
    number, unit = int(match.group(1)), match.group(2) or default_time_unit(default) or "s"
    # conv_time: seconds up to INT_MAX; other units only while number < INT_MAX / unit
    # (measured: 2147483647s accepted, 35791394m = 2147483640 s refused)
    if number > INT_MAX or (unit != "s" and number >= INT_MAX // TIME_UNITS[unit]):
        return "is past the longest time Postfix can hold (about 68 years, %d seconds)" % INT_MAX
    return None


def refusal(name: str, value: str, default: str | None, written: str | None = None) -> str | None:
    """Why Postfix's daemons would refuse ``value`` for ``name`` at start-up, as a sentence; None if they would not.

    ``value`` is the value as Postfix reads it (``$names`` expanded);
    ``written`` the text given, when it differs.
    """
    value_kind = kind(name, default)
    value = value.strip()
    if value_kind == BOOLEAN:
        problem = None if value.lower() in ("yes", "no") else "is not a boolean; Postfix expects yes or no here"
    elif value_kind == NUMBER:
        problem = _number_problem(name, value)
    elif value_kind == TIME:
        problem = _time_problem(value, default)
    else:
        return None
    if problem is None:
        return None
    return ("parameter %s: %s %s (its default is %s); Postfix's daemons would stop at start-up on it; "
            "nothing was written" % (name, _shown(value, written), problem, default.strip()))
