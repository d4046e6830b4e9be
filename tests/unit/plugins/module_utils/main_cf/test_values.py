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


@pytest.mark.parametrize("name, value, default", [
    ("smtpd_helo_required", "yes", "no"),
    ("smtpd_helo_required", "YES", "no"),  # Postfix compares booleans without regard to case
    ("smtpd_helo_required", "No", "no"),
    ("smtpd_recipient_limit", "5", "1000"),
    ("smtpd_recipient_limit", "+5", "1000"),
    ("smtpd_recipient_limit", "2147483647", "1000"),
    ("message_size_limit", "3000000000", "10240000"),  # a C long: accepted on the sandbox
    ("smtpd_timeout", "5m", "300s"),
    ("smtpd_timeout", "300", "300s"),
    ("smtpd_timeout", "1w", "300s"),
    ("smtpd_timeout", "2147483647s", "300s"),
    ("maximal_queue_lifetime", "24854", "5d"),  # a bare number in the default's unit: 24854 days fits
    ("compatibility_level", "3.6", "0"),
    ("myhostname", "maybe", "host.example"),
    ("my_own_parameter", "anything", None),
])
def test_values_postfix_accepts(name, value, default):
    assert values.refusal(name, value, default) is None


@pytest.mark.parametrize("name, value, default, problem", [
    ("smtpd_helo_required", "maybe", "no", "'maybe' is not a boolean; Postfix expects yes or no here"),
    ("smtpd_helo_required", "true", "no", "'true' is not a boolean; Postfix expects yes or no here"),
    ("smtpd_helo_required", "1", "no", "'1' is not a boolean; Postfix expects yes or no here"),
    ("smtpd_recipient_limit", "lots", "1000", "'lots' is not a whole number; Postfix expects digits only here"),
    ("smtpd_recipient_limit", "10k", "1000", "'10k' is not a whole number"),
    ("smtpd_recipient_limit", "1.5", "1000", "'1.5' is not a whole number"),
    ("smtpd_recipient_limit", "-5", "1000", "'-5' is negative; Postfix expects a whole number of 0 or more here"),
    ("smtpd_recipient_limit", "99999999999", "1000",
     "'99999999999' is past the largest number Postfix can hold here (2147483647)"),
    ("message_size_limit", "99999999999999999999", "10240000",
     "is past the largest number Postfix can hold here (9223372036854775807)"),
    ("smtpd_timeout", "300x", "300s", "'300x' is not a time; Postfix expects a whole number of 0 or more with at "
                                      "most one unit letter, s, m, h, d or w (lower case)"),
    ("smtpd_timeout", "300S", "300s", "'300S' is not a time"),
    ("smtpd_timeout", "-5s", "300s", "'-5s' is not a time"),
    ("smtpd_timeout", "5 m", "300s", "'5 m' is not a time"),
    ("smtpd_timeout", "5mm", "300s", "'5mm' is not a time"),
    ("smtpd_timeout", "35791394m", "300s",
     "'35791394m' is past the longest time Postfix can hold (about 68 years, 2147483647 seconds)"),
    ("smtpd_timeout", "2147483648s", "300s", "'2147483648s' is past the longest time"),
    ("maximal_queue_lifetime", "24855", "5d", "'24855' is past the longest time"),
], ids=lambda value: value if isinstance(value, str) and len(value) < 25 else None)
def test_values_postfix_refuses(name, value, default, problem):
    sentence = values.refusal(name, value, default)
    assert sentence.startswith("parameter %s: %r " % (name, value))
    assert problem in sentence
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
