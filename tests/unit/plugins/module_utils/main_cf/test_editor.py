# SPDX-License-Identifier: GPL-3.0-or-later
"""The main.cf parser, editor and renderer (pure; what Postfix reads is judged in the integration tests)."""

import os

import pytest

from ansible_collections.mailops.postfix.plugins.module_utils.main_cf import editor as main_cf
from ansible_collections.mailops.postfix.plugins.module_utils.main_cf.editor import MainCf, MainCfError

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
REAL_WORLD_FILES = ("main.cf.debian", "main.cf.dist", "main.cf.tls")

CONTINUED = (
    "# HELO checks\n"
    "smtpd_helo_restrictions = permit_mynetworks,\n"
    "\tcheck_helo_access regexp:/etc/postfix/helo_access,\n"
    "# reject_unknown_helo_hostname,\n"
    "\n"
    "    reject_invalid_helo_hostname\n"
    "biff = no\n"
)


def read_fixture(name):
    with open(os.path.join(FIXTURES, name), "rb") as fixture:
        return fixture.read().decode("utf-8", "surrogateescape")


@pytest.mark.parametrize("file_name", REAL_WORLD_FILES)
def test_real_world_files_round_trip_byte_for_byte(file_name):
    text = read_fixture(file_name)
    assert MainCf(text).render() == text


def test_dist_file_is_long_and_mostly_comments():
    text = read_fixture("main.cf.dist")
    parsed = MainCf(text)
    assert len(text.splitlines()) > 600
    # main.cf.dist sets only a few parameters; the rest is commented-out examples
    assert len([d for d in parsed.definitions if d.name]) == 17
    assert parsed.value_of("command_directory") == "/usr/sbin"
    assert parsed.value_of("myhostname") is None
    # a definition continued over two tab-indented lines, followed by a commented-out one
    debugger = parsed.definitions_of("debugger_command")[0]
    assert len(debugger.line_indices) == 3
    assert main_cf.displayed(debugger.value) == (
        "PATH=/bin:/usr/bin:/usr/local/bin:/usr/X11R6/bin ddd $daemon_directory/$process_name $process_id & sleep 5")


def test_debian_file_parameters():
    parsed = MainCf(read_fixture("main.cf.debian"))
    assert parsed.value_of("smtpd_banner") == "$myhostname ESMTP $mail_name (Debian/GNU)"
    assert parsed.value_of("compatibility_level") == "3.6"


@pytest.mark.parametrize("text", [
    "", "\n", "a = 1", "a = 1\n\n\n", "  orphan = 1\na = 2\n", "a = 1\r\nb = 2\r\n",
    "# only a comment", "bad line without equals\n", "a=1\n \t\n  # indented comment\n  b\n",
    "caf\udcc3\udca9 = \udcff\n",
])
def test_edge_cases_round_trip(text):
    assert MainCf(text).render() == text


def test_continuation_lines_join_across_comments_and_blank_lines():
    parsed = MainCf(CONTINUED)
    definition = parsed.definitions_of("smtpd_helo_restrictions")[0]
    assert definition.line_indices == [1, 2, 5]
    assert main_cf.list_tokens(definition.value) == [
        "permit_mynetworks", "check_helo_access", "regexp:/etc/postfix/helo_access", "reject_invalid_helo_hostname"]
    assert parsed.value_of("biff") == "no"


def test_orphan_continuation_is_not_a_parameter():
    parsed = MainCf("  start = x\nfoo = 1\n")
    assert parsed.value_of("start") is None
    assert parsed.value_of("foo") == "1"


def test_last_definition_wins():
    parsed = MainCf("a = 1\nb = 2\na = 3\n")
    assert parsed.value_of("a") == "3"
    assert [parsed.line_number(d) for d in parsed.definitions_of("a")] == [1, 3]


def test_edit_replaces_only_owned_lines():
    parsed = MainCf(CONTINUED)
    edited = parsed.edited({"smtpd_helo_restrictions": ["smtpd_helo_restrictions = permit_mynetworks\n"]})
    assert edited == (
        "# HELO checks\n"
        "smtpd_helo_restrictions = permit_mynetworks\n"
        "# reject_unknown_helo_hostname,\n"
        "\n"
        "biff = no\n"
    )


def test_edit_removes_dead_duplicates_and_appends_new():
    parsed = MainCf("a = 1\n# keep me\na = 2\n  continued\nb = 3")
    edited = parsed.edited({"a": ["a = 9\n"], "c": ["c = 4\n"]})
    assert edited == "# keep me\na = 9\nb = 3\nc = 4\n"
    assert MainCf("a = 1\nb = 2\na = 3\n").edited({"a": None}) == "b = 2\n"


@pytest.mark.parametrize("value, expected", [
    (True, ["p = yes\n"]),
    (False, ["p = no\n"]),
    (25, ["p = 25\n"]),
    ("  spaced value ", ["p = spaced value\n"]),
    ("", ["p =\n"]),
    (["a", "b"], ["p = a, b\n"]),
    ([], ["p =\n"]),
])
def test_render_short_values(value, expected):
    assert main_cf.render_definition("p", value) == expected


def test_render_long_list_one_item_per_line():
    items = ["permit_mynetworks", "check_helo_access regexp:/etc/postfix/helo_access",
             "reject_invalid_helo_hostname", "reject_non_fqdn_helo_hostname", "reject_unknown_helo_hostname"]
    rendered = main_cf.render_definition("smtpd_helo_restrictions", items)
    assert rendered == [
        "smtpd_helo_restrictions =\n",
        "    permit_mynetworks,\n",
        "    check_helo_access regexp:/etc/postfix/helo_access,\n",
        "    reject_invalid_helo_hostname,\n",
        "    reject_non_fqdn_helo_hostname,\n",
        "    reject_unknown_helo_hostname\n",
    ]
    assert main_cf.list_tokens(main_cf.logical_value(rendered)) == main_cf.list_tokens(", ".join(items))


@pytest.mark.parametrize("name, value, message", [
    ("bad-name", "x", "parameter name 'bad-name'"),
    ("", "x", "parameter name ''"),
    ("p", "yes\nrelayhost = evil", "parameter p: the value contains a line break or NUL"),
    ("p", "yes\0", "parameter p: the value contains a line break or NUL"),
    ("p", ["ok", "bad\nline"], "parameter p: the value contains a line break or NUL"),
    ("p", None, "parameter p has no value"),
    ("p", 3.6, "parameter p: the number 3.6 is a float"),
    ("p", {"a": 1}, "parameter p: a value must be a string, bool, int or list, not dict"),
    ("p", [["nested"]], "parameter p: list item"),
])
def test_bad_input_names_the_parameter(name, value, message):
    with pytest.raises(MainCfError) as raised:
        main_cf.render_definition(name, value)
    assert message in str(raised.value)


def test_list_tokens_keep_braces_together():
    assert main_cf.list_tokens("a, { b c }, d") == ["a", "{ b c }", "d"]
