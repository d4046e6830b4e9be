# SPDX-License-Identifier: GPL-3.0-or-later
"""access_verify against the real postmap: line numbers, shadowing, refused patterns."""

import subprocess
import threading

import pytest

from ansible_collections.mailops.postfix.plugins.module_utils import postfix_cli
from ansible_collections.mailops.postfix.plugins.module_utils.access_entry import AccessTableError, parse_entries
from ansible_collections.mailops.postfix.plugins.module_utils.access_plan import plan_table
from ansible_collections.mailops.postfix.plugins.module_utils.access_verify import tagged_text, verify_plan, winning_lines

RUN = postfix_cli.subprocess_runner


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
    """AnsibleModule.run_command writes all of stdin, then reads: postmap_query must batch."""
    calls = []

    def write_then_read_runner(args, data=None, binary_data=False):
        calls.append(args)
        process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        watchdog = threading.Timer(30, process.kill)
        watchdog.start()
        try:
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
    assert len(calls) > 1  # about 180 KB of keys: several batches, each fits in an empty pipe
