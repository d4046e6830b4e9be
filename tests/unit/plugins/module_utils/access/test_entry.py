# SPDX-License-Identifier: GPL-3.0-or-later
"""Entry validation, escaping and actions (pure Python; Postfix judges the tables elsewhere)."""

import datetime

import pytest

from ansible_collections.mailops.postfix.plugins.module_utils.access.entry import (
    AccessTableError,
    normalize_action,
    parse_entries,
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
