# SPDX-License-Identifier: GPL-3.0-or-later
"""Merging the role's entry variables, and what postmap -q must answer for them."""

import datetime

import pytest

from ansible_collections.mailops.postfix.plugins.module_utils.access.merge import (
    HeloEntryError,
    merge_entries,
    normalized_action,
    parse_postmap_answers,
    probe_expectations,
    relevant_postconf_warnings,
    restriction_maps,
    unexpected_answers,
)


def test_lists_from_several_variables_join_in_order():
    merged = merge_entries([
        ("helo_guard_entries", [{"host": "mxbox50.bitwiz.net"}]),
        ("helo_guard_entries__group", [{"ip": "50.0.0.1"}, {"ip": "50.0.0.2", "comment": "second box"}]),
        ("helo_guard_entries__host", [{"domain": "partner.example", "action": "OK"}]),
    ])
    assert merged == [
        {"host": "mxbox50.bitwiz.net"},
        {"ip": "50.0.0.1"},
        {"ip": "50.0.0.2", "comment": "second box"},
        {"domain": "partner.example", "action": "OK"},
    ]


def test_duplicates_merge_by_meaning_and_keep_the_first_comment():
    merged = merge_entries([
        ("helo_guard_entries__a", [{"host": "MXBOX50.bitwiz.net.", "action": "ok"}, {"ip": "2001:db8:0::1"}]),
        ("helo_guard_entries__b", [{"host": "mxbox50.bitwiz.net", "comment": "bitwiz"}, {"ip": "[2001:db8::1]"}]),
    ])
    assert merged == [{"host": "MXBOX50.bitwiz.net.", "action": "ok", "comment": "bitwiz"}, {"ip": "2001:db8:0::1"}]


def test_a_conflicting_action_names_both_variables():
    with pytest.raises(HeloEntryError) as caught:
        merge_entries([
            ("helo_guard_entries__partners", [{"ip": "50.0.0.9"}, {"host": "mxbox50.bitwiz.net"}]),
            ("helo_guard_entries__host", [{"host": "mxbox50.bitwiz.net", "action": "REJECT go away"}]),
        ])
    message = str(caught.value)
    assert "helo_guard_entries__partners[1]" in message
    assert "helo_guard_entries__host[0]" in message
    assert "action OK vs REJECT go away" in message


def test_a_conflicting_state_or_expiry_is_a_conflict_too():
    with pytest.raises(HeloEntryError, match=r"helo_guard_entries\[0\] and helo_guard_entries__x\[0\].*state present vs absent"):
        merge_entries([("helo_guard_entries", [{"ip": "50.0.0.1"}]), ("helo_guard_entries__x", [{"ip": "50.0.0.1", "state": "absent"}])])
    with pytest.raises(HeloEntryError, match="expires 2030-01-01 vs none"):
        merge_entries([("helo_guard_entries", [{"ip": "50.0.0.1", "expires": "2030-01-01"}, {"ip": "50.0.0.1"}])])


@pytest.mark.parametrize("bad_entry, expected", [
    ({"action": "OK"}, r"helo_guard_entries__x\[0\] must have exactly one of host, domain, ip, pattern, it has none"),
    ({"host": "a.example", "ip": "50.0.0.1"}, r"it has host, ip"),
    ({"host": "a.example", "acton": "OK"}, r"unknown option\(s\) acton"),
    ({"host": "a.example", "state": "gone"}, r"state 'gone'"),
    ("a.example", r"must be a dictionary"),
])
def test_malformed_entries_are_named(bad_entry, expected):
    with pytest.raises(HeloEntryError, match=expected):
        merge_entries([("helo_guard_entries__x", [bad_entry])])


def test_a_variable_that_is_not_a_list_is_named():
    with pytest.raises(HeloEntryError, match="helo_guard_entries__x must be a list of entries, got dict"):
        merge_entries([("helo_guard_entries__x", {"host": "a.example"})])


def test_probe_expectations_cover_names_addresses_and_literals():
    entries = [
        {"host": "mxbox50.bitwiz.net"},
        {"ip": "50.0.0.1", "action": "ok"},
        {"ip": "2001:db8::1"},
        {"domain": "partner.example", "action": "REJECT no thanks"},
        {"pattern": "^mx[0-9]+\\.example\\.net$"},
        {"host": "gone.example", "state": "absent"},
        {"host": "old.example", "expires": "2020-01-01"},
        {"host": "later.example", "expires": datetime.date(2031, 1, 1)},
    ]
    keys = [(item["key"], item["action"]) for item in probe_expectations(entries, today="2026-11-25")]
    assert keys == [
        ("mxbox50.bitwiz.net", "OK"),
        ("50.0.0.1", "OK"),
        ("[50.0.0.1]", "OK"),
        ("2001:db8::1", "OK"),
        ("[IPv6:2001:db8::1]", "OK"),
        ("partner.example", "REJECT no thanks"),
        ("later.example", "OK"),
    ]


def test_an_entry_expiring_today_counts_as_absent():
    assert probe_expectations([{"host": "a.example", "expires": "2026-11-25"}], today="2026-11-25") == []


def test_answers_are_compared_with_the_expected_actions():
    expectations = probe_expectations([{"host": "a.example"}, {"ip": "50.0.0.1"}], today="2026-11-25")
    answers = parse_postmap_answers("a.example\tok\n50.0.0.1\tREJECT\n")
    assert answers == {"a.example": "ok", "50.0.0.1": "REJECT"}
    assert unexpected_answers(expectations, answers) == [
        "50.0.0.1 answers REJECT, expected OK (from ip 50.0.0.1)",
        "[50.0.0.1] is not found in the table (expected OK, from ip 50.0.0.1)",
    ]


def test_action_keyword_is_case_insensitive_and_text_kept():
    assert normalized_action(None) == "OK"
    assert normalized_action("  reject   Go away ") == "REJECT Go away"


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
