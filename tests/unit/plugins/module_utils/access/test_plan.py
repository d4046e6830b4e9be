# SPDX-License-Identifier: GPL-3.0-or-later
"""Comparing a table with the wanted entries (pure; Postfix judges the results in integration tests)."""

import pytest

from ansible_collections.mailops.postfix.plugins.module_utils.access.entry import AccessTableError, parse_entries
from ansible_collections.mailops.postfix.plugins.module_utils.access.plan import plan_table, resolve_layout

SEED = "# peers\n\n/^50\\.0\\.0\\.1$/ OK\n/^50\\.0\\.0\\.2$/ OK\n/^mxbox50\\.bitwiz\\.net$/ OK\n"


def plan(text, raw_entries, map_type="regexp", **kwargs):
    return plan_table(text, parse_entries(raw_entries, map_type), map_type, **kwargs)


def test_seed_entries_are_already_satisfied():
    result = plan(SEED, [{"host": "mxbox50.bitwiz.net"}, {"host": "MXBOX50.bitwiz.net"}])
    assert not result.changed and result.new_text == SEED


def test_ip_adds_only_the_missing_literal_next_to_the_bare_address():
    result = plan(SEED, [{"ip": "50.0.0.1"}])
    assert result.new_text == SEED.replace("/^50\\.0\\.0\\.1$/ OK\n",
                                           "/^50\\.0\\.0\\.1$/ OK\n/^\\[50\\.0\\.0\\.1\\]$/ OK\n")
    assert result.added == ["/^\\[50\\.0\\.0\\.1\\]$/ OK"] and result.removed == []


def test_new_exact_lines_go_after_the_last_exact_line_and_before_domains():
    text = SEED + "/^(.+\\.)?bitwiz\\.org$/ OK\n/./ REJECT\n"
    result = plan(text, [{"domain": "example.org"}, {"host": "new.example", "comment": "ticket 7"}])
    assert result.new_text.splitlines()[5:] == [
        "# ticket 7", "/^new\\.example$/ OK", "/^(.+\\.)?bitwiz\\.org$/ OK", "/^(.+\\.)?example\\.org$/ OK", "/./ REJECT"]


def test_first_match_moves_a_new_line_above_the_line_that_would_answer_first():
    text = "/^mx/ REJECT\n/^a\\.example$/ OK\n"
    result = plan(text, [{"host": "mxbox50.bitwiz.net"}], first_match={"mxbox50.bitwiz.net": 1})
    assert result.new_text == "/^mxbox50\\.bitwiz\\.net$/ OK\n" + text


def test_changed_action_is_rewritten_in_place():
    result = plan(SEED, [{"host": "mxbox50.bitwiz.net", "action": "REJECT bad"}])
    assert result.new_text == SEED.replace("$/ OK\n", "$/ REJECT bad\n", 3).replace(
        "/^50\\.0\\.0\\.1$/ REJECT bad", "/^50\\.0\\.0\\.1$/ OK").replace("/^50\\.0\\.0\\.2$/ REJECT bad", "/^50\\.0\\.0\\.2$/ OK")
    assert result.removed == ["/^mxbox50\\.bitwiz\\.net$/ OK"]


def test_absent_removes_the_line_and_only_the_comment_it_names():
    text = "# header\n\n# bitwiz mx\n/^mxbox50\\.bitwiz\\.net$/ OK\n/^a\\.example$/ OK\n"
    result = plan(text, [{"host": "mxbox50.bitwiz.net", "state": "absent"}])
    assert result.new_text == "# header\n\n# bitwiz mx\n/^a\\.example$/ OK\n"
    result = plan(text, [{"host": "mxbox50.bitwiz.net", "state": "absent", "comment": "bitwiz mx"}])
    assert result.new_text == "# header\n\n/^a\\.example$/ OK\n"


def test_absent_removes_a_name_from_a_shared_line():
    result = plan("/^(a\\.example|b\\.example)$/ OK\n", [{"host": "a.example", "state": "absent"}])
    assert result.new_text == "/^b\\.example$/ OK\n"


def test_comment_is_written_above_its_line_and_an_old_one_is_kept():
    result = plan("# old\n/^a\\.example$/ OK\n", [{"host": "a.example", "comment": "new"}])
    assert result.new_text == "# old\n# new\n/^a\\.example$/ OK\n"
    assert not plan(result.new_text, [{"host": "a.example", "comment": "new"}]).changed
    result = plan("/^a\\.example$/ OK\n", [{"host": "a.example", "comment": "new"}])
    assert result.new_text == "# new\n/^a\\.example$/ OK\n"


def test_exclusive_keeps_comments_and_drops_unlisted_rules():
    text = "# keep me\n" + SEED + "/^x/ REJECT\n"
    result = plan(text, [{"host": "mxbox50.bitwiz.net"}], exclusive=True)
    assert result.new_text == "# keep me\n# peers\n\n/^mxbox50\\.bitwiz\\.net$/ OK\n"


def test_patterns_are_found_by_their_text():
    text = "/^foo[0-9]+\\.example$/ OK\n/./ REJECT\n"
    assert not plan(text, [{"pattern": "^foo[0-9]+\\.example$"}]).changed
    assert plan(text, [{"pattern": "^foo[0-9]+\\.example$", "state": "absent"}]).new_text == "/./ REJECT\n"


def test_missing_final_newline_is_added_only_when_appending():
    assert plan("# only\n/^a\\.example$/ OK", [{"host": "a.example"}]).new_text == "# only\n/^a\\.example$/ OK"
    assert plan("/^a\\.example$/ OK", [{"host": "b.example"}]).new_text == "/^a\\.example$/ OK\n/^b\\.example$/ OK\n"


def test_indexed_tables_get_plain_keys():
    result = plan("# hash\nmxbox50.bitwiz.net OK\n", [{"ip": "50.0.0.1"}, {"domain": "bitwiz.org"}], "hash")
    assert result.new_text == "# hash\nmxbox50.bitwiz.net OK\n50.0.0.1 OK\n[50.0.0.1] OK\nbitwiz.org OK\n.bitwiz.org OK\n"


def test_conflicting_entries_are_refused():
    with pytest.raises(AccessTableError, match=r"entries\[1\] \(ip=\[50.0.0.1\]\) conflicts with entries\[0\]"):
        plan("", [{"ip": "50.0.0.1"}, {"ip": "[50.0.0.1]", "action": "REJECT"}])


def test_grouped_layout_is_sorted_split_evenly_and_stable():
    hosts = [{"host": "h%02d.example" % number} for number in range(25, 0, -1)]
    result = plan("# top\n/./ REJECT\n", hosts + [{"host": "odd.example", "action": "DUNNO"}],
                  layout="grouped", group_size=10, first_match={"h07.example": 2})
    lines = result.new_text.splitlines()
    assert lines[0] == "# top"
    assert lines[1] == "/^odd\\.example$/ DUNNO"  # actions in sorted order, names sorted within each
    # 25 names, at most 10 a line: three lines of 9, 8 and 8
    assert lines[2] == "/^(%s)$/ OK" % "|".join("h%02d\\.example" % number for number in range(1, 10))
    assert lines[3] == "/^(%s)$/ OK" % "|".join("h%02d\\.example" % number for number in range(10, 18))
    assert lines[4] == "/^(%s)$/ OK" % "|".join("h%02d\\.example" % number for number in range(18, 26))
    assert lines[5] == "/./ REJECT"
    again = plan(result.new_text, hosts, layout="grouped", group_size=10)
    assert not again.changed
    fewer = plan(result.new_text, [{"host": "h05.example", "state": "absent"}], layout="grouped", group_size=10)
    assert "h05" not in fewer.new_text and len(fewer.removed) == 1 and len(fewer.added) == 1


def test_grouped_changes_touch_one_line():
    names = ["peer%03d.example" % number for number in range(0, 400, 2)]
    table = plan("", [{"host": name} for name in names], layout="grouped", group_size=60).new_text
    assert [line.count("|") + 1 for line in table.splitlines()] == [50, 50, 50, 50]
    added = plan(table, [{"host": "peer101.example"}], layout="grouped", group_size=60)
    assert len(added.removed) == 1 and len(added.added) == 1 and "peer101" in added.added[0]
    assert not plan(added.new_text, [{"host": "peer101.example"}], layout="grouped", group_size=60).changed
    # a group past 60 names splits in two, each more than half full; nothing else moves
    crowded = plan(table, [{"host": "peer%03d.example" % number} for number in range(1, 23, 2)],
                   layout="grouped", group_size=60)
    assert len(crowded.removed) == 1 and len(crowded.added) == 2
    assert [line.count("|") + 1 for line in crowded.new_text.splitlines()] == [31, 30, 50, 50, 50]
    assert not plan(crowded.new_text, [], layout="grouped", group_size=60).changed


def test_grouped_merges_one_name_lines():
    text = "".join("/^n%02d\\.example$/ OK\n" % number for number in range(12))
    result = plan(text, [], layout="grouped", group_size=10)
    assert result.new_text.splitlines() == [
        "/^(%s)$/ OK" % "|".join("n%02d\\.example" % number for number in range(0, 5)),
        "/^(%s)$/ OK" % "|".join("n%02d\\.example" % number for number in range(5, 10)),
        "/^(n10\\.example|n11\\.example)$/ OK"]
    assert not plan(result.new_text, [], layout="grouped", group_size=10).changed


def test_auto_layout_threshold():
    assert resolve_layout("auto", "regexp", 200) == "line"
    assert resolve_layout("auto", "pcre", 201) == "grouped"
    assert resolve_layout("grouped", "hash", 5000) == "line"


def test_only_new_lines_ask_where_they_go():
    assert plan(SEED, [{"host": "mxbox50.bitwiz.net"}]).placed_names == []
    assert plan(SEED, [{"host": "new.example"}, {"domain": "bitwiz.org"}]).placed_names == [
        "new.example", "bitwiz.org", "mailops-probe.bitwiz.org"]


def test_grouped_first_run_of_many_names_splits_evenly():
    # 20,000 names in one run (bench/ measures how long that takes).
    names = [{"host": "peer%05d.example.net" % number} for number in range(20000)]
    result = plan("", names, layout="grouped", group_size=500)
    lines = [line for line in result.new_text.splitlines() if line.startswith("/")]
    assert len(lines) == 40
    assert all(line.count("|") + 1 == 500 for line in lines)
    assert not plan(result.new_text, names, layout="grouped", group_size=500).changed


def test_grouped_long_names_stay_under_the_pcre_size_limit():
    from ansible_collections.mailops.postfix.plugins.module_utils.access.grouped import MAX_GROUP_BYTES
    # 500 names of ~200 bytes would make one 100 KB expression, which PCRE refuses.
    label = "a" * 60
    names = [{"host": "%s.%s.%s.n%03d.example" % (label, label, label, number)} for number in range(500)]
    result = plan("", names, layout="grouped", group_size=500)
    lines = [line for line in result.new_text.splitlines() if line.startswith("/")]
    assert len(lines) > 1
    assert all(len(line) <= MAX_GROUP_BYTES + 20 for line in lines), [len(line) for line in lines]
    assert sum(line.count("|") + 1 for line in lines) == 500
    assert not plan(result.new_text, names, layout="grouped", group_size=500).changed
    # one more name changes one line, the rest stay
    more = names + [{"host": "%s.%s.%s.n%03d.example" % (label, label, label, 250) + "x"}]
    again = plan(result.new_text, more, layout="grouped", group_size=500)
    before, after = set(result.new_text.splitlines()), set(again.new_text.splitlines())
    assert len(after - before) <= 2
