# SPDX-License-Identifier: GPL-3.0-or-later
"""helo_access through ansible-playbook: what the written table means, as Postfix answers it."""

import os

import pytest

from tests.functional.modules.helo_access.helo_names import NEAR_MISSES, SEED_ENTRIES, SEED_MATCHES

SEED_TEXT = "/^50\\.0\\.0\\.1$/ OK\n/^50\\.0\\.0\\.2$/ OK\n/^mxbox50\\.bitwiz\\.net$/ OK\n"


@pytest.mark.parametrize("map_type", ["regexp", "pcre"])
def test_seed_names_match_and_near_misses_do_not(table_factory, map_type):
    table = table_factory(map_type)
    result = table.run(SEED_ENTRIES)
    assert result["changed"] is True and result.get("failed") is False, result
    assert result["table"] == "%s:%s" % (map_type, table.path)
    assert "/^mxbox50\\.bitwiz\\.net$/ OK" in table.text().splitlines()
    answers = table.answers(SEED_MATCHES + NEAR_MISSES)
    assert answers == dict((name, "OK") for name in SEED_MATCHES)
    assert result["postmap_required"] is False and "warnings" not in result


def test_seed_table_is_recognised_and_kept(table):
    table.write("# written by hand\n\n" + SEED_TEXT + "/^other\\.example$/ REJECT not you\n")
    before = table.bytes()
    result = table.run([{"host": "mxbox50.bitwiz.net"}, {"ip": "50.0.0.2"}])
    # only the missing address literal is added, right after the bare address
    assert result["added"] == ["/^\\[50\\.0\\.0\\.2\\]$/ OK"] and result["removed"] == []
    assert table.bytes() == before.replace(b"/^50\\.0\\.0\\.2$/ OK\n", b"/^50\\.0\\.0\\.2$/ OK\n/^\\[50\\.0\\.0\\.2\\]$/ OK\n")
    assert table.answers(["[50.0.0.2]", "other.example"]) == {"[50.0.0.2]": "OK", "other.example": "REJECT not you"}


def test_second_run_changes_nothing_not_even_mtime(table):
    table.write("# peers\n" + SEED_TEXT + "/./ DUNNO\n")
    entries = SEED_ENTRIES + [{"pattern": "^relay[0-9]+\\.bitwiz\\.net$", "action": "DUNNO"},
                              {"host": "spam.example", "action": "REJECT go away", "comment": "ticket 12"}]
    assert table.run(entries)["changed"] is True
    after_first = table.bytes()
    past = os.stat(table.path).st_mtime - 100
    os.utime(table.path, (past, past))
    second = table.run(entries)
    assert second["changed"] is False and second["added"] == [] and second["removed"] == []
    assert table.bytes() == after_first and os.stat(table.path).st_mtime == past
    assert table.answers(["spam.example", "relay7.bitwiz.net", "50.0.0.1"]) == {
        "spam.example": "REJECT go away", "relay7.bitwiz.net": "DUNNO", "50.0.0.1": "OK"}


def test_check_mode_writes_nothing_and_diff_is_real(table):
    table.write(SEED_TEXT)
    before = table.bytes()
    result = table.run([{"host": "mxbox50.bitwiz.net", "state": "absent"}, {"host": "new.example"}],
                       check=True, diff=True)
    assert result["changed"] is True
    assert table.bytes() == before
    assert result["diff"]["before"] == SEED_TEXT
    assert result["diff"]["after"] == "/^50\\.0\\.0\\.1$/ OK\n/^50\\.0\\.0\\.2$/ OK\n/^new\\.example$/ OK\n"
    assert result["removed"] == ["/^mxbox50\\.bitwiz\\.net$/ OK"] and result["added"] == ["/^new\\.example$/ OK"]
    assert "+/^new\\.example$/ OK" in result["_stdout"]


def test_check_mode_does_not_create_a_missing_table(table):
    result = table.run([{"host": "a.example"}], check=True)
    assert result["changed"] is True and not os.path.exists(table.path)


def test_absent_expires_and_action_change(table):
    table.write("# keep\n/^gone\\.example$/ OK\n/^old\\.example$/ OK\n/^(.+\\.)?bitwiz\\.org$/ OK\n")
    result = table.run([
        {"host": "gone.example", "state": "absent"},
        {"host": "old.example", "expires": "2001-01-01"},
        {"host": "later.example", "expires": "2999-01-01"},
        {"domain": "bitwiz.org", "action": "REJECT closed"},
    ])
    assert result["changed"] is True, result
    assert table.text() == "# keep\n/^later\\.example$/ OK\n/^(.+\\.)?bitwiz\\.org$/ REJECT closed\n"
    assert table.answers(["gone.example", "old.example", "later.example", "mx.bitwiz.org"]) == {
        "later.example": "OK", "mx.bitwiz.org": "REJECT closed"}


def test_exclusive_removes_every_unlisted_rule_and_keeps_comments(table):
    table.write("# header\n" + SEED_TEXT + "\n# catch all\n/^x/ REJECT\n")
    result = table.run([{"host": "mxbox50.bitwiz.net"}], exclusive=True)
    assert table.text() == "# header\n/^mxbox50\\.bitwiz\\.net$/ OK\n\n# catch all\n"
    assert sorted(result["removed"]) == sorted(["/^50\\.0\\.0\\.1$/ OK", "/^50\\.0\\.0\\.2$/ OK", "/^x/ REJECT"])


def test_earlier_catch_all_is_reported_naming_the_winning_line(table):
    table.write("/^mxbox/ REJECT no mxbox\n/^mxbox50\\.bitwiz\\.net$/ OK\n")
    result = table.run([{"host": "mxbox50.bitwiz.net"}])
    assert result["changed"] is False
    assert any("entries[0] (host=mxbox50.bitwiz.net)" in warning and "line 1 (/^mxbox/ REJECT no mxbox)" in warning
               for warning in result["warnings"]), result["warnings"]


def test_new_entries_go_where_they_take_effect(table):
    table.write("# rules\n/^mx/ REJECT no mx names\n/./ DUNNO\n")
    result = table.run([{"host": "mxbox50.bitwiz.net"}, {"ip": "50.0.0.1"}])
    assert "warnings" not in result, result["warnings"]
    assert table.text().splitlines() == ["# rules", "/^mxbox50\\.bitwiz\\.net$/ OK", "/^mx/ REJECT no mx names",
                                         "/^(50\\.0\\.0\\.1|\\[50\\.0\\.0\\.1\\])$/ OK", "/./ DUNNO"]
    assert table.answers(["mxbox50.bitwiz.net", "mxother.example", "[50.0.0.1]"]) == {
        "mxbox50.bitwiz.net": "OK", "mxother.example": "REJECT no mx names", "[50.0.0.1]": "OK"}


def test_backup_and_file_attributes_without_a_main_cf_beside_the_table(table):
    table.write(SEED_TEXT)
    # no config_dir and no main.cf in the table's directory: Postfix gets a scratch config dir
    result = table.run([{"host": "b.example"}], backup=True, mode="0640", config_dir=None)
    assert result["changed"] is True
    with open(result["backup_file"]) as backup:
        assert backup.read() == SEED_TEXT
    assert oct(os.stat(table.path).st_mode & 0o777) == "0o640"
    result = table.run([{"host": "b.example"}], mode="0644", config_dir=None)
    assert result["changed"] is True and oct(os.stat(table.path).st_mode & 0o777) == "0o644"
    assert table.answers(["b.example"]) == {"b.example": "OK"}


def test_explicit_config_dir_needs_a_main_cf(table, tmp_path):
    result = table.run([{"host": "a.example"}], config_dir=str(tmp_path))
    assert result["failed"] is True and result["msg"] == "config_dir %s has no main.cf." % tmp_path
    assert not os.path.exists(table.path)


def test_create_false_fails_on_a_missing_table(table):
    result = table.run([{"host": "a.example"}], create=False)
    assert result["failed"] is True and "does not exist" in result["msg"]
    assert not os.path.exists(table.path)
