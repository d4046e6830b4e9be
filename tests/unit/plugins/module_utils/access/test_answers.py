# SPDX-License-Identifier: GPL-3.0-or-later
"""What postmap -q and postconf answered the role, compared with the entries."""

from ansible_collections.mailops.postfix.plugins.module_utils.access.answers import (
    parse_postmap_answers,
    relevant_postconf_warnings,
    restriction_maps,
    table_reference_problems,
    unexpected_answers,
)
from ansible_collections.mailops.postfix.plugins.module_utils.access.entry import probe_expectations


def test_answers_are_compared_with_the_expected_actions():
    expectations = probe_expectations([{"host": "a.example"}, {"ip": "50.0.0.1"}], today="2026-11-25")
    answers = parse_postmap_answers("a.example\tok\n50.0.0.1\tREJECT\n")
    assert answers == {"a.example": "ok", "50.0.0.1": "REJECT"}
    assert unexpected_answers(expectations, answers) == [
        "50.0.0.1 answers REJECT, expected OK (from ip 50.0.0.1)",
        "[50.0.0.1] is not found in the table (expected OK, from ip 50.0.0.1)",
    ]


def test_only_the_postconf_warnings_the_role_caused_count():
    warnings = [
        "postconf: warning: /etc/postfix/main.cf: undefined parameter: config_dir",
        "postconf: warning: /etc/postfix/main.cf: undefined parameter: config_dir",
        "postconf: warning: /etc/postfix/main.cf: undefined parameter: relay_thing",
        "postconf: warning: /etc/postfix/main.cf: unused parameter: smtpd_helo_restriction=x",
        "postconf: warning: /etc/postfix/main.cf: unused parameter: my_custom=1",
    ]
    restrictions = ["permit_mynetworks", "check_helo_access regexp:${config_dir}/helo_access"]
    assert relevant_postconf_warnings(warnings, restrictions, "/etc/postfix/helo_access") == [
        "postconf: warning: /etc/postfix/main.cf: undefined parameter: config_dir",
        "postconf: warning: /etc/postfix/main.cf: unused parameter: smtpd_helo_restriction=x",
    ]


def test_the_file_based_tables_of_a_restriction_list():
    expanded = ("permit_mynetworks, check_helo_access regexp:/etc/postfix/helo_access,"
                " check_helo_access hash:/etc/postfix/legacy_helo check_helo_access regexp:/etc/postfix/helo_access,"
                " check_helo_a_access inline:{ a.example=OK }, check_helo_access proxy:mysql:/etc/postfix/my.cf,"
                " reject_unknown_helo_hostname")
    assert restriction_maps(expanded) == ["regexp:/etc/postfix/helo_access", "hash:/etc/postfix/legacy_helo"]


def test_a_restriction_list_must_use_the_table():
    table = ("regexp", "/etc/postfix/helo_access")
    assert table_reference_problems(["permit_mynetworks", "check_helo_access regexp:/etc/postfix/helo_access"], *table) == []
    assert table_reference_problems("permit_mynetworks, check_helo_access pcre:/etc/postfix/helo_access", *table) == []
    assert table_reference_problems("permit_mynetworks, reject_invalid_helo_hostname", *table) == [
        "helo_guard_restrictions (permit_mynetworks, reject_invalid_helo_hostname) has no check_helo_access "
        "regexp:/etc/postfix/helo_access, so the table the role writes would never be used; add it (before the "
        "reject_* restrictions)."]
    assert table_reference_problems({"a": 1}, *table) == [
        "helo_guard_restrictions must be a list of restrictions (strings), or one string of them, not a dictionary."]
    # Another table is the pre-flight's to judge (Postfix opens every table the list names).
    assert table_reference_problems(["check_helo_access hash:/etc/postfix/other"], *table) == []
    assert table_reference_problems(["check_helo_access", 5], *table)[0].endswith(
        "not a list holding something other than strings.")
