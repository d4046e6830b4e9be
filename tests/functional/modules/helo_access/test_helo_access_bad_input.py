# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad input fails the task before anything is written: the message names the entry, no traceback."""

import os
import stat

import pytest

GOOD = {"host": "good.example"}
SEED_TEXT = "# hand written\n/^50\\.0\\.0\\.1$/ OK\n/^mxbox50\\.bitwiz\\.net$/ OK\n"

BAD_ENTRIES = [
    ({"host": "mx.example\n/./ OK"}, "entries[1] (host=mx.example\n/./ OK): the host contains '\\n'"),
    ({"host": "mx\x00.example"}, "entries[1] (host=mx\x00.example): the host contains '\\x00'"),
    ({"host": "mx.example/ OK"}, "entries[1] (host=mx.example/ OK): the host contains '/'"),
    ({"domain": "evil/.example"}, "entries[1] (domain=evil/.example): the domain contains '/'"),
    ({"host": "mx example"}, "entries[1] (host=mx example): the host contains ' '"),
    ({"ip": "50.0.0.256"}, "entries[1] (ip=50.0.0.256): '50.0.0.256' is not a valid IPv4 or IPv6 address"),
    ({"ip": "2001:db8:::25"}, "entries[1] (ip=2001:db8:::25): '2001:db8:::25' is not a valid"),
    ({"host": "mx.example", "action": "ACCEPT"}, "entries[1] (host=mx.example): unknown action 'ACCEPT'"),
    # The argument spec's declarative rules (mutually_exclusive / required_one_of on the suboptions) answer these.
    ({"host": "mx.example", "ip": "50.0.0.1"}, "parameters are mutually exclusive: host|domain|ip|pattern found in entries"),
    ({"action": "OK"}, "one of the following is required: host, domain, ip, pattern found in entries"),
    ({"pattern": "^(mx"}, "entries[1] (pattern=^(mx): Postfix rejects the table line '/^(mx/ OK'"),
    ({"pattern": "^a/b$"}, "entries[1] (pattern=^a/b$): the pattern contains an unescaped '/'"),
    ({"host": "mx.example", "action": "REJECT no\nOK"}, "entries[1] (host=mx.example): the action spans more than one line"),
    ({"host": "mx.example", "comment": "one\n/./ OK"}, "entries[1] (host=mx.example): the comment spans more than one line"),
    # Every class of issue 12, each as several inputs, is in tests/unit/plugins/modules/test_helo_access.py
    # (main() in-process, same file-state checks); these go through ansible-playbook.
]


@pytest.mark.parametrize("bad_entry, message", BAD_ENTRIES, ids=[str(index) for index in range(len(BAD_ENTRIES))])
def test_bad_entry_fails_and_changes_nothing(table, bad_entry, message):
    table.write(SEED_TEXT)
    before = table.bytes()
    stat_before = os.lstat(table.path)
    listing = sorted(os.listdir(os.path.dirname(table.path)))
    result = table.run([GOOD, bad_entry])
    assert result["failed"] is True
    assert result["msg"].startswith(message), result["msg"]
    # fail_json with a sentence: ansible-core marks such results "(traceback unavailable)"
    assert result.get("exception", "(traceback unavailable)") == "(traceback unavailable)"
    assert "Traceback" not in result["_stdout"]
    assert table.bytes() == before
    stat_after = os.lstat(table.path)
    assert (stat_after.st_mtime_ns, stat_after.st_ino, stat.S_IFMT(stat_after.st_mode)) == (
        stat_before.st_mtime_ns, stat_before.st_ino, stat.S_IFMT(stat_before.st_mode))
    assert sorted(os.listdir(os.path.dirname(table.path))) == listing


def test_pattern_in_an_indexed_table_is_refused(table_factory):
    table = table_factory("hash")
    table.write("good.example OK\n")
    result = table.run([{"pattern": "^mx"}])
    assert result["failed"] is True
    assert result["msg"] == "entries[0] (pattern=^mx): pattern entries need a regexp or pcre table, not hash."
    assert table.text() == "good.example OK\n"
