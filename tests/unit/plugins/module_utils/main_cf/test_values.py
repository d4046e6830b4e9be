# SPDX-License-Identifier: GPL-3.0-or-later
"""Values Postfix's daemons refuse at start-up, by the kind of the parameter's default.

Each refused value here was tried on a Postfix 3.7.11 sandbox (see the
module docstring of values.py and tests/functional/modules/postconf/
test_postconf_values.py, which proves the cases over SMTP).
"""

import pytest

from ansible_collections.mailops.postfix.plugins.module_utils.main_cf import values


@pytest.mark.parametrize("name, default, kind", [
    ("smtpd_helo_required", "no", values.BOOLEAN),
    ("append_dot_mydomain", "yes", values.BOOLEAN),
    ("smtpd_recipient_limit", "1000", values.NUMBER),
    ("message_size_limit", "10240000", values.NUMBER),
    ("maximal_queue_lifetime", "5d", values.TIME),
    ("smtpd_timeout", "300s", values.TIME),
    ("compatibility_level", "0", None),
    ("smtpd_tls_loglevel", "0", None),
    ("lmtp_tcp_port", "24", None),
    ("myhostname", "host.example", None),
    ("smtpd_helo_restrictions", "", None),
    ("my_own_parameter", None, None),
])
def test_kind_follows_the_default(name, default, kind):
    assert values.kind(name, default) == kind


def of(name, default, *rows):
    """Parametrize rows ``(name, value, default, ...)`` for one parameter from its rows ``(value, ...)``."""
    return [(name, row[0], default) + tuple(row[1:]) for row in (row if isinstance(row, tuple) else (row,)
                                                                 for row in rows)]


@pytest.mark.parametrize("name, value, default", [
    *of("smtpd_helo_required", "no", "yes", "YES", "No"),  # Postfix compares booleans without regard to case
    *of("smtpd_recipient_limit", "1000", "5", "+5", "2147483647"),
    *of("message_size_limit", "10240000", "3000000000"),  # a C long: accepted on the sandbox
    *of("smtpd_timeout", "300s", "5m", "300", "1w", "2147483647s"),
    *of("maximal_queue_lifetime", "5d", "24854"),  # a bare number in the default's unit: 24854 days fits
    *of("compatibility_level", "0", "3.6"),
    *of("myhostname", "host.example", "maybe"),
    *of("my_own_parameter", None, "anything"),
])
def test_values_postfix_accepts(name, value, default):
    assert values.refusal(name, value, default) is None


# What each refusal says after "parameter NAME: 'VALUE' " (the start of it, when it ends with "...").
NOT_A_BOOLEAN = "is not a boolean; Postfix expects yes or no here"
NOT_A_NUMBER = "is not a whole number..."
NOT_A_TIME = "is not a time..."
TOO_LONG = "is past the longest time..."


@pytest.mark.parametrize("name, value, default, problem", [
    *of("smtpd_helo_required", "no", ("maybe", NOT_A_BOOLEAN), ("true", NOT_A_BOOLEAN), ("1", NOT_A_BOOLEAN)),
    *of("smtpd_recipient_limit", "1000",
        ("lots", "is not a whole number; Postfix expects digits only here"), ("10k", NOT_A_NUMBER),
        ("1.5", NOT_A_NUMBER), ("-5", "is negative; Postfix expects a whole number of 0 or more here"),
        ("99999999999", "is past the largest number Postfix can hold here (2147483647)")),
    *of("message_size_limit", "10240000",
        ("99999999999999999999", "is past the largest number Postfix can hold here (9223372036854775807)")),
    *of("smtpd_timeout", "300s",
        ("300x", "is not a time; Postfix expects a whole number of 0 or more with at most one unit letter, "
                 "s, m, h, d or w (lower case)"),
        ("300S", NOT_A_TIME), ("-5s", NOT_A_TIME), ("5 m", NOT_A_TIME), ("5mm", NOT_A_TIME),
        ("35791394m", "is past the longest time Postfix can hold (about 68 years, 2147483647 seconds)"),
        ("2147483648s", TOO_LONG)),
    *of("maximal_queue_lifetime", "5d", ("24855", TOO_LONG)),
], ids=lambda value: value if isinstance(value, str) and len(value) < 25 else None)
def test_values_postfix_refuses(name, value, default, problem):
    sentence = values.refusal(name, value, default)
    said = "parameter %s: %r " % (name, value)
    if problem.endswith("..."):
        assert sentence.startswith(said + problem[:-3]), sentence
    else:
        assert sentence.startswith(said + problem + " (its default is %s)" % default), sentence
    assert sentence.endswith("(its default is %s); Postfix's daemons would stop at start-up on it; "
                             "nothing was written" % default)


def test_refusal_shows_the_written_text_when_references_were_expanded():
    sentence = values.refusal("smtpd_helo_required", "maybe", "no", written="$my_choice")
    assert sentence.startswith("parameter smtpd_helo_required: '$my_choice' ('maybe' once $names are expanded) "
                               "is not a boolean")


@pytest.mark.parametrize("value, unit, expected", [
    ("5", "d", 432000), ("5d", "s", 432000), ("120h", "d", 432000), ("10", "s", 10), ("x", "s", None),
    ("5", None, None),
])
def test_seconds(value, unit, expected):
    assert values.seconds(value, unit) == expected
