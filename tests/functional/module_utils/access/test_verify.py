# SPDX-License-Identifier: GPL-3.0-or-later
"""access.verify against the real postmap: line numbers, shadowing, refused patterns."""

import os
import subprocess
import threading

import pytest

from ansible_collections.mailops.postfix.plugins.module_utils.postfix import cli as postfix_cli
from ansible_collections.mailops.postfix.plugins.module_utils.access.entry import AccessTableError, parse_entries
from ansible_collections.mailops.postfix.plugins.module_utils.access.plan import plan_table
from ansible_collections.mailops.postfix.plugins.module_utils.access.verify import tagged_text, verify_plan, winning_lines
from tests.harness.runner import subprocess_runner

RUN = subprocess_runner


def test_tagged_text_prefixes_results_only():
    text = "# c\n/^a\\.example$/ OK\n!/\\./ REJECT no dots\nif /^x/\n/y/ DUNNO\nendif\n/b c/i WARN\n  more\n"
    assert tagged_text(text, "pcre") == (
        "# c\n/^a\\.example$/ mailops-line-2 OK\n!/\\./ mailops-line-3 REJECT no dots\nif /^x/\n"
        "/y/ mailops-line-5 DUNNO\nendif\n/b c/i mailops-line-7 WARN\n  more\n")
    assert tagged_text("a.example OK\n", "hash") == "a.example mailops-line-1 OK\n"


@pytest.mark.parametrize("map_type", ["regexp", "pcre"])
def test_winning_lines_name_the_first_match(config_dir, tmp_path, map_type):
    text = "# top\n/^mx/ REJECT no mx\n/^mxbox50\\.bitwiz\\.net$/ OK\n/^(.+\\.)?bitwiz\\.net$/ DUNNO\n"
    winners, warnings = winning_lines(RUN, str(config_dir), str(tmp_path), map_type, text,
                                      ["mxbox50.bitwiz.net", "a.bitwiz.net", "other.example"])
    assert warnings == []
    assert winners == {"mxbox50.bitwiz.net": {"line": 2, "text": "/^mx/ REJECT no mx", "action": "REJECT no mx"},
                       "a.bitwiz.net": {"line": 4, "text": "/^(.+\\.)?bitwiz\\.net$/ DUNNO", "action": "DUNNO"}}


def test_verify_reports_the_shadowing_line_and_absent_names_still_matched(config_dir, tmp_path):
    text = "/^mx/ REJECT no mx\n/^mxbox50\\.bitwiz\\.net$/ OK\n/./ DUNNO\n"
    entries = parse_entries([{"host": "mxbox50.bitwiz.net"},
                             {"host": "gone.example", "state": "absent", "action": "DUNNO"}], "regexp")
    plan = plan_table(text, entries, "regexp")
    warnings = verify_plan(RUN, str(config_dir), str(tmp_path), "regexp", plan)
    assert warnings == [
        "entries[0] (host=mxbox50.bitwiz.net): Postfix answers mxbox50.bitwiz.net with line 1 (/^mx/ REJECT no mx), "
        "action 'REJECT no mx', not 'OK': that earlier line shadows the entry (the first match wins)",
        "entries[1] (host=gone.example) is absent but Postfix still answers gone.example with 'DUNNO' "
        "from line 3 (/./ DUNNO)",
    ]


def test_verify_refuses_a_pattern_postfix_cannot_compile(config_dir, tmp_path):
    for map_type in ("regexp", "pcre"):
        plan = plan_table("", parse_entries([{"pattern": "^(mx"}], map_type), map_type)
        with pytest.raises(AccessTableError, match=r"^entries\[0\] \(pattern=\^\(mx\): Postfix rejects the table line"):
            verify_plan(RUN, str(config_dir), str(tmp_path), map_type, plan)


def test_verify_indexed_builds_its_own_copy(config_dir, tmp_path):
    plan = plan_table("", parse_entries([{"ip": "50.0.0.1"}, {"domain": "bitwiz.net"}], "lmdb"), "lmdb")
    assert verify_plan(RUN, str(config_dir), str(tmp_path), "lmdb", plan) == []


def test_many_keys_do_not_deadlock_a_runner_that_writes_stdin_before_reading(config_dir, tmp_path):
    """AnsibleModule.run_command writes all of stdin, then reads: many keys go to postmap from a file."""
    calls = []

    def write_then_read_runner(args, data=None, binary_data=False, expand_user_and_vars=True):
        calls.append(args)
        process = subprocess.Popen(args, stdin=subprocess.PIPE if data else None, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)
        watchdog = threading.Timer(30, process.kill)
        watchdog.start()
        try:
            if data:
                process.stdin.write(data.encode())
                process.stdin.close()
            out, err = process.stdout.read(), process.stderr.read()
            return process.wait(), out.decode(), err.decode()
        except BrokenPipeError:
            raise AssertionError("postmap was killed after 30 s: stdin and stdout deadlocked")
        finally:
            watchdog.cancel()

    table = tmp_path / "helo_access"
    table.write_text("/^peer/ OK\n")
    names = ["peer%05d.partner.example.org" % number for number in range(6000)] + ["other.example"]
    answers, warnings = postfix_cli.postmap_query(write_then_read_runner, str(config_dir), "pcre", str(table), names)
    assert warnings == [] and len(answers) == 6000 and "other.example" not in answers
    assert len(calls) == 1  # about 180 KB of keys: one process, reading them from a file
    assert calls[0][:2] == ["sh", "-c"] and calls[0][3:6] == ["postmap", str(config_dir), "pcre:%s" % table]
    # the key file lived in a private directory that is gone again
    assert not os.path.exists(calls[0][6]) and not os.path.exists(os.path.dirname(calls[0][6]))
    # a few keys still go to stdin
    answers, warnings = postfix_cli.postmap_query(write_then_read_runner, str(config_dir), "pcre", str(table),
                                                  ["peer1.example", "other.example"])
    assert answers == {"peer1.example": "OK"} and calls[1][0] == "postmap"


def test_a_table_path_with_shell_characters_is_one_argument(config_dir, tmp_path):
    """The key-file form passes every path as an argument of its own: nothing in it is run."""
    odd = tmp_path / "a dir; touch pwned $(touch pwned2) `touch pwned3`"
    odd.mkdir()
    table = odd / "helo_access"
    table.write_text("/^peer/ OK\n")
    names = ["peer%05d.partner.example.org" % number for number in range(3000)]
    answers, warnings = postfix_cli.postmap_query(RUN, str(config_dir), "pcre", str(table), names)
    assert len(answers) == 3000 and warnings == []
    assert not any(path.name.startswith("pwned") for path in tmp_path.iterdir())
    assert not any(os.path.exists(name) for name in ("pwned", "pwned2", "pwned3"))


def test_pcre_grouped_tables_are_asked_whole(config_dir, tmp_path):
    # PCRE rejects a trie-shaped line at its first characters: 3,000 grouped names need no chunks.
    from ansible_collections.mailops.postfix.plugins.module_utils.access.verify import exact_line_chunks
    raw = [{"host": "peer%04d.example.net" % number} for number in range(3000)]
    plan = plan_table("/^peer00[0-4]/ REJECT old peers\n", parse_entries(raw, "pcre"), "pcre", layout="grouped")
    names = sorted(set(name for _entry, probe_names in plan.probes for name in probe_names))
    assert exact_line_chunks(plan.new_text, "pcre", names) == ([], names)
    (tmp_path / "work").mkdir()
    warnings = verify_plan(RUN, str(config_dir), str(tmp_path / "work"), "pcre", plan)
    assert len(warnings) == 50 and all("shadows the entry" in warning for warning in warnings), warnings[:3]


@pytest.mark.parametrize("map_type, layout", [("regexp", "grouped"), ("pcre", "line")])
def test_large_tables_are_asked_in_chunks_with_the_same_answers(config_dir, tmp_path, map_type, layout):
    # 3,000 exact names (over CHUNK_WEIGHT) after a hand-written rule that shadows some of them,
    # and a domain rule after the exact block. Every chunk keeps the non-exact lines.
    from ansible_collections.mailops.postfix.plugins.module_utils.access.verify import CHUNK_WEIGHT, exact_line_chunks
    text = "# hand-written\n/^peer00[0-4]/ REJECT old peers\n"
    raw = [{"host": "peer%04d.example.net" % number} for number in range(3000)]
    raw.append({"host": "gone.example.org", "state": "absent"})
    raw.append({"domain": "bitwiz.net"})
    plan = plan_table(text, parse_entries(raw, map_type), map_type, layout=layout)
    names = sorted(set(name for _entry, probe_names in plan.probes for name in probe_names))
    chunks, whole = exact_line_chunks(plan.new_text, map_type, names)
    assert 3000 > CHUNK_WEIGHT and len(chunks) >= 2
    assert sorted(whole) == ["bitwiz.net", "gone.example.org", "mailops-probe.bitwiz.net"]
    assert sorted(name for _text, asked in chunks for name in asked) == sorted(set(names) - set(whole))
    # The chunks answer exactly as the whole table does (asked of Postfix both ways).
    path = tmp_path / "whole"
    path.write_text(plan.new_text)
    whole_answers, _warnings = postfix_cli.postmap_query(RUN, str(config_dir), map_type, str(path), names)
    for number, (chunk_text, asked) in enumerate(chunks):
        assert "/^peer00[0-4]/ REJECT old peers" in chunk_text
        chunk_path = tmp_path / ("chunk%d" % number)
        chunk_path.write_text(chunk_text)
        answers, _warnings = postfix_cli.postmap_query(RUN, str(config_dir), map_type, str(chunk_path), asked)
        assert answers == dict((name, whole_answers[name]) for name in asked if name in whole_answers)
    # And verify_plan still names the shadowing line for the first 50 peers.
    (tmp_path / "work").mkdir()
    warnings = verify_plan(RUN, str(config_dir), str(tmp_path / "work"), map_type, plan)
    shadowed = [warning for warning in warnings if "shadows the entry" in warning]
    assert len(shadowed) == 50, warnings[:3]
    assert "with line 2 (/^peer00[0-4]/ REJECT old peers)" in shadowed[0]
