# SPDX-License-Identifier: GPL-3.0-or-later
"""Entry validation, escaping and actions (pure Python; Postfix judges the tables elsewhere)."""

import datetime

import pytest

from ansible_collections.mailops.postfix.plugins.module_utils.access.entry import (
    AccessTableError,
    expected_answer,
    expiry_warnings,
    merge_entries,
    normalize_action,
    parse_entries,
    parse_expires,
    probe_expectations,
    regex_escape,
    validate_action,
)


def test_regex_escape_escapes_every_metacharacter():
    assert regex_escape("mxbox50.bitwiz.net") == r"mxbox50\.bitwiz\.net"
    assert regex_escape(r"a.^$*+?()[]{}|\b") == r"a\.\^\$\*\+\?\(\)\[\]\{\}\|\\b"
    assert regex_escape("[IPv6:2001:db8::25]") == r"\[IPv6:2001:db8::25\]"


@pytest.mark.parametrize("raw, keys", [
    ({"host": "MXBOX50.bitwiz.net"}, ["mxbox50.bitwiz.net"]),
    ({"ip": "50.0.0.1"}, ["50.0.0.1", "[50.0.0.1]"]),
    ({"ip": "2001:0DB8:0::25"}, ["2001:db8::25", "[IPv6:2001:db8::25]"]),
])
def test_exact_keys_are_normalised(raw, keys):
    entry = parse_entries([raw], "regexp")[0]
    assert entry.exact_keys() == keys
    assert entry.table_keys("hash") == keys


def test_domain_keys_for_indexed_tables_cover_subdomains():
    entry = parse_entries([{"domain": "bitwiz.net."}], "hash")[0]
    assert entry.table_keys("hash") == ["bitwiz.net", ".bitwiz.net"]
    assert entry.table_keys("regexp") == []


@pytest.mark.parametrize("action", [
    "OK", "ok", "REJECT", "REJECT go away", "DUNNO", "450 try later", "554 5.7.1 no", "WARN odd helo",
    "PREPEND X-Helo: odd", "HOLD", "DISCARD", "DEFER_IF_PERMIT", "FILTER smtp:[127.0.0.1]:10025",
    "REDIRECT postmaster@example.org", "BCC audit@example.org", "INFO seen", "permit_mynetworks", "200",
])
def test_access5_actions_are_accepted(action):
    validate_action(action)


@pytest.mark.parametrize("action", ["ACCEPT", "OK then", "PREPEND nocolon", "FILTER", "600 text", "REJECT\nOK", ""])
def test_unknown_or_malformed_actions_are_refused(action):
    with pytest.raises(ValueError):
        validate_action(action)


def test_normalize_action():
    assert normalize_action("reject   go  away") == "REJECT go away"
    assert normalize_action("permit_mynetworks") == "permit_mynetworks"


@pytest.mark.parametrize("raw, message", [
    ({"host": "a\nb"}, r"entries\[0\] \(host=a\nb\): the host contains '\\n'"),
    ({"host": "a\x00b"}, r"entries\[0\] \(host=a\x00b\): the host contains '\\x00'"),
    ({"host": "a/b"}, r"contains '/'"),
    ({"host": "a b"}, r"contains ' '"),
    ({"ip": "50.0.0.300"}, r"entries\[0\] \(ip=50.0.0.300\): '50.0.0.300' is not a valid"),
    ({"host": "a.example", "action": "ACCEPT"}, r"\(host=a.example\): unknown action 'ACCEPT'"),
    ({"host": "a.example", "ip": "50.0.0.1"}, r"entries\[0\] \(host=a.example, ip=50.0.0.1\): give exactly one"),
    ({"action": "OK"}, r"entries\[0\] \(no host/domain/ip/pattern\)"),
    ({"pattern": "^a/b$"}, r"unescaped '/'"),
    ({"domain": "."}, r"entries\[0\] \(domain=\.\): the domain is empty"),
    ({"pattern": "^a b$"}, r"whitespace"),
    ({"host": "a.example", "action": "REJECT x\nOK"}, r"more than one line"),
    ({"host": "a.example", "comment": "one\ntwo"}, r"comment spans more than one line"),
    ({"host": "a.example", "expires": "next week"}, r"expires 'next week' is not a date"),
])
def test_bad_entries_name_the_entry(raw, message):
    with pytest.raises(AccessTableError, match=message):
        parse_entries([raw], "regexp")


def test_error_names_the_index_of_the_bad_entry():
    with pytest.raises(AccessTableError, match=r"^entries\[2\] \(ip=nope\)"):
        parse_entries([{"host": "a.example"}, {"ip": "50.0.0.1"}, {"ip": "nope"}], "regexp")


def test_pattern_needs_a_regexp_table():
    with pytest.raises(AccessTableError, match=r"entries\[0\] \(pattern=\^a\$\): pattern entries need a regexp"):
        parse_entries([{"pattern": "^a$"}], "hash")


def test_escaped_slash_in_pattern_is_fine():
    assert parse_entries([{"pattern": r"^a\/b$"}], "pcre")[0].value == r"^a\/b$"


def test_expired_entries_count_as_absent():
    today = datetime.date(2026, 11, 25)
    entries = parse_entries([{"host": "a.example", "expires": "2026-11-25"},
                             {"host": "b.example", "expires": "2026-11-26"},
                             {"host": "c.example", "state": "absent"}], "regexp", today=today)
    assert [entry.state for entry in entries] == ["absent", "present", "absent"]


# --- the merge of the role's entry variables (one model with the module) ---

def test_lists_from_several_variables_join_in_order():
    merged = merge_entries([
        ("helo_guard_entries", [{"host": "mxbox50.bitwiz.net"}]),
        ("helo_guard_entries__group", [{"ip": "50.0.0.1"}, {"ip": "50.0.0.2", "comment": "second box"}]),
        ("helo_guard_entries__host", [{"domain": "partner.example", "action": "OK"}]),
    ])
    assert merged.entries == [
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
    assert merged.entries == [{"host": "MXBOX50.bitwiz.net.", "action": "ok", "comment": "bitwiz"}, {"ip": "2001:db8:0::1"}]


def test_a_conflicting_action_names_both_variables():
    with pytest.raises(AccessTableError) as caught:
        merge_entries([
            ("helo_guard_entries__partners", [{"ip": "50.0.0.9"}, {"host": "mxbox50.bitwiz.net"}]),
            ("helo_guard_entries__host", [{"host": "mxbox50.bitwiz.net", "action": "REJECT go away"}]),
        ])
    message = str(caught.value)
    assert "helo_guard_entries__partners[1]" in message
    assert "helo_guard_entries__host[0]" in message
    assert "action OK vs REJECT go away" in message


def test_absent_wins_over_present_for_the_same_name_and_says_so():
    merged = merge_entries([
        ("helo_guard_entries__group", [{"ip": "50.0.0.1", "comment": "partner"}, {"host": "a.example"}]),
        ("helo_guard_entries__host", [{"ip": "[50.0.0.1]", "state": "absent", "action": "REJECT"}]),
    ])
    assert merged.entries == [{"ip": "[50.0.0.1]", "state": "absent", "action": "REJECT", "comment": "partner"},
                              {"host": "a.example"}]
    assert merged.absent_wins == [
        "helo_guard_entries__host[0] (ip=[50.0.0.1]) is absent and helo_guard_entries__group[0] (ip=50.0.0.1) "
        "present: absent wins, ip 50.0.0.1 is not in the table."]
    # The order of the variables does not matter: absent listed first still wins.
    merged = merge_entries([("helo_guard_entries", [{"host": "a.example", "state": "absent"}]),
                            ("helo_guard_entries__x", [{"host": "A.example."}])])
    assert merged.entries == [{"host": "a.example", "state": "absent"}] and len(merged.absent_wins) == 1


def test_a_conflicting_expiry_is_a_conflict_and_every_conflict_is_named_once():
    with pytest.raises(AccessTableError) as caught:
        merge_entries([("helo_guard_entries", [{"ip": "50.0.0.1", "expires": "2030-01-01"}, {"ip": "50.0.0.1"},
                                               {"host": "b.example"}, {"host": "b.example", "action": "REJECT"}])])
    message = str(caught.value)
    assert "expires 2030-01-01 vs none" in message and "action OK vs REJECT" in message
    assert message.count("disagree") == 2 and message.endswith(".")


def test_restriction_names_keep_their_case_in_the_merge_and_the_probes():
    # Disagreement of issue 14: the role upper-cased every action, the module kept a restriction name's case.
    # smtpd knows permit_mynetworks, not PERMIT_MYNETWORKS: they are different actions.
    # The old role merge took both as one action and upper-cased it; now both sides refuse the upper-cased name.
    with pytest.raises(AccessTableError, match=r"__x\[0\] \(host=a.example\): unknown action 'PERMIT_MYNETWORKS'"):
        merge_entries([("helo_guard_entries", [{"host": "a.example", "action": "permit_mynetworks"}]),
                       ("helo_guard_entries__x", [{"host": "a.example", "action": "PERMIT_MYNETWORKS"}])])
    with pytest.raises(AccessTableError, match="unknown action 'PERMIT_MYNETWORKS'"):
        parse_entries([{"host": "a.example", "action": "PERMIT_MYNETWORKS"}], "regexp")
    probes = probe_expectations([{"host": "a.example", "action": "permit_mynetworks"}], today="2026-11-25")
    module_entry = parse_entries([{"host": "a.example", "action": "permit_mynetworks"}], "regexp")[0]
    assert probes[0]["action"] == module_entry.action == "permit_mynetworks"


@pytest.mark.parametrize("bad_entry, expected", [
    ({"action": "OK"}, r"helo_guard_entries__x\[0\] \(no host/domain/ip/pattern\): give exactly one of host"),
    ({"host": "a.example", "ip": "50.0.0.1"}, r"\(host=a.example, ip=50.0.0.1\): give exactly one"),
    ({"host": "a.example", "acton": "OK"}, r"unknown option\(s\) acton"),
    ({"host": "a.example", "state": "gone"}, r"state must be present or absent, not 'gone'"),
    ("a.example", r"must be a dictionary"),
])
def test_malformed_entries_are_named(bad_entry, expected):
    with pytest.raises(AccessTableError, match=expected):
        merge_entries([("helo_guard_entries__x", [bad_entry])])


def test_a_variable_that_is_not_a_list_is_named():
    with pytest.raises(AccessTableError, match="helo_guard_entries__x must be a list of entries, not a dictionary."):
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


def test_domain_probe_names_are_one_rule_for_module_and_role():
    # Disagreement of issue 14: the module probed [d, "mailops-probe."+d], the role [d].
    raw = [{"domain": "partner.example"}]
    for map_type, names in (("regexp", ["partner.example", "mailops-probe.partner.example"]),
                            ("hash", ["partner.example", ".partner.example"]), (None, ["partner.example"])):
        module_names = parse_entries(raw, map_type or "regexp")[0].probe_names(map_type)
        role_names = [item["key"] for item in probe_expectations(raw, today="2026-11-25", map_type=map_type)]
        assert module_names == role_names == names


def test_an_entry_expiring_today_counts_as_absent():
    assert probe_expectations([{"host": "a.example", "expires": "2026-11-25"}], today="2026-11-25") == []


@pytest.mark.parametrize("value", ["2030-12-31garbage", "2030-12-31T10:00", "31.12.2030", "2030-02-30", 20301231,
                                   datetime.datetime(2030, 12, 31, 10, 0)])
def test_one_expiry_parser_for_module_and_role(value):
    # Disagreement of issue 14: the role read str(value)[:10] with fromisoformat (so "2030-12-31garbage" passed),
    # the module used strptime. Both now refuse the same values with one sentence.
    with pytest.raises(ValueError, match=r"^expires .* (is not a date of the form YYYY-MM-DD|takes a date)"):
        parse_expires(value)
    with pytest.raises(AccessTableError, match=r"^entries\[0\] \(host=a.example\): expires "):
        parse_entries([{"host": "a.example", "expires": value}], "regexp")
    with pytest.raises(AccessTableError, match=r"^helo_guard_entries\[0\] \(host=a.example\): expires "):
        merge_entries([("helo_guard_entries", [{"host": "a.example", "expires": value}])])


def test_a_new_entry_already_expired_is_warned_about():
    entries = parse_entries([{"host": "a.example", "expires": "2020-01-01"},
                             {"host": "b.example", "expires": "2020-01-01", "state": "absent"}],
                            "regexp", today=datetime.date(2026, 11, 25))
    assert expiry_warnings(entries) == [
        "entries[0] (host=a.example): expires 2020-01-01 has passed, so the entry counts as absent: it is not "
        "written (and is removed if the table has it)."]


def test_a_doubled_dollar_is_what_postfix_answers_as_one_in_regexp_and_pcre_tables_only():
    # What postmap -q answers for these actions is checked with real Postfix in
    # tests/functional/modules/helo_access/test_helo_access_types.py.
    assert expected_answer("REJECT costs $$5", "pcre") == "REJECT costs $5"
    assert expected_answer("REJECT a$$$$b", "regexp") == "REJECT a$$b"
    assert expected_answer("REJECT costs $$5", "hash") == "REJECT costs $$5"
    assert expected_answer("REJECT costs $$5", None) == "REJECT costs $$5"
    assert expected_answer("OK", "pcre") == "OK"
    expectations = probe_expectations([{"host": "a.example", "action": "REJECT costs $$5"}], map_type="regexp")
    assert [expected["action"] for expected in expectations] == ["REJECT costs $5"]
