# SPDX-License-Identifier: GPL-3.0-or-later
"""What makes large and repeated runs cheap: entries_file, and Postfix's verdict recorded, judged by postmap -q."""

import json
import os

import pytest

from tests.harness.ansible_run import run_module

SHADOWED = "/^mxbox/ REJECT no mxbox\n/^mxbox50\\.bitwiz\\.net$/ OK\n"
SHADOW_WARNING = "line 1 (/^mxbox/ REJECT no mxbox)"


@pytest.fixture
def verdict_dir(tmp_path):
    return str(tmp_path / "verdicts")


def run_with_file(table, entries_file, **options):
    """The module with entries_file instead of entries (Table.run always passes entries)."""
    args = dict(path=table.path, type=table.map_type, config_dir=table.config_dir, **options)
    if entries_file is not None:
        args["entries_file"] = entries_file
    return run_module("mailops.postfix.helo_access", args)


def _shadow_warnings(result):
    return [warning for warning in result.get("warnings", []) if SHADOW_WARNING in warning]


def test_a_no_change_run_replays_postfixs_recorded_verdict_and_nothing_else(table, verdict_dir):
    table.write(SHADOWED)
    entries = [{"host": "mxbox50.bitwiz.net"}]
    first = table.run(entries, verdict_dir=verdict_dir)
    assert first["changed"] is False and first["verdict"] == "postmap"
    assert len(_shadow_warnings(first)) == 1, first
    again = table.run(entries, verdict_dir=verdict_dir)
    assert again["verdict"] == "recorded" and again["warnings"] == first["warnings"]
    # another action is another question: Postfix is asked again (and still shadows the entry)
    other = table.run([{"host": "mxbox50.bitwiz.net", "action": "DUNNO"}], verdict_dir=verdict_dir, check=True)
    assert other["verdict"] == "postmap" and other["changed"] is True
    # a changed main.cf (Postfix's settings) is another question too
    with open(os.path.join(table.config_dir, "main.cf"), "a") as main_cf:
        main_cf.write("smtpd_helo_required = yes\n")
    assert table.run(entries, verdict_dir=verdict_dir)["verdict"] == "postmap"
    # the table edited by hand: its text is no longer the judged one
    table.write("/^mxbox50\\.bitwiz\\.net$/ OK\n")
    edited = table.run(entries, verdict_dir=verdict_dir)
    assert edited["verdict"] == "postmap" and not _shadow_warnings(edited)
    assert table.answers(["mxbox50.bitwiz.net"]) == {"mxbox50.bitwiz.net": "OK"}


def test_a_changing_run_records_the_verdict_on_what_it_wrote_and_check_mode_records_nothing(table, verdict_dir):
    entries = [{"host": "mxbox50.bitwiz.net"}, {"ip": "50.0.0.1"}]
    assert table.run(entries, verdict_dir=verdict_dir, check=True)["verdict"] == "postmap"
    assert not os.path.exists(verdict_dir)
    written = table.run(entries, verdict_dir=verdict_dir)
    assert written["changed"] is True and written["verdict"] == "postmap" and "warnings" not in written
    again = table.run(entries, verdict_dir=verdict_dir)
    assert again["changed"] is False and again["verdict"] == "recorded" and "warnings" not in again
    assert table.answers(["mxbox50.bitwiz.net", "[50.0.0.1]"]) == {"mxbox50.bitwiz.net": "OK", "[50.0.0.1]": "OK"}


def test_an_empty_verdict_dir_asks_postfix_every_time(table, tmp_path):
    entries = [{"host": "mxbox50.bitwiz.net"}]
    table.run(entries, verdict_dir="")
    assert table.run(entries, verdict_dir="")["verdict"] == "postmap"


def test_entries_file_writes_the_same_table_as_entries(table_factory, tmp_path, verdict_dir):
    entries = [{"host": "mxbox50.bitwiz.net", "comment": "no DNS"}, {"ip": "50.0.0.1"},
               {"domain": "partner.example", "action": "DUNNO"}, {"host": "old.example", "state": "absent"}]
    yaml_file = tmp_path / "entries.yml"
    yaml_file.write_text("# the peers\n" + "".join("- %s\n" % json.dumps(entry) for entry in entries))
    by_option, by_file = table_factory("pcre", "by_option"), table_factory("pcre", "by_file")
    assert by_option.run(entries, verdict_dir=verdict_dir)["changed"] is True
    result = run_with_file(by_file, str(yaml_file), verdict_dir=verdict_dir)
    assert result["changed"] is True and "warnings" not in result, result
    assert by_file.bytes() == by_option.bytes()
    assert by_file.answers(["mxbox50.bitwiz.net", "[50.0.0.1]", "a.partner.example", "old.example"]) == {
        "mxbox50.bitwiz.net": "OK", "[50.0.0.1]": "OK", "a.partner.example": "DUNNO"}
    json_file = tmp_path / "entries.json"
    json_file.write_text(json.dumps(entries))
    again = run_with_file(by_file, str(json_file), verdict_dir=verdict_dir)
    assert again["changed"] is False and again["verdict"] == "recorded"


@pytest.mark.parametrize("content, message", [
    ('{"host": "mxbox50.bitwiz.net"}', "entries_file must hold a list of entries, not a dictionary"),
    ('[{"hots": "mxbox50.bitwiz.net"}]', "hots"),
    ('[{"host": "mx box.example"}]', "entries[0]"),
    ("- host: [unbalanced\n", "entries_file"),
])
def test_a_bad_entries_file_fails_naming_it_and_leaves_the_table(table, tmp_path, verdict_dir, content, message):
    table.write(SHADOWED)
    before = os.stat(table.path)
    bad = tmp_path / "entries.yml"
    bad.write_text(content)
    result = run_with_file(table, str(bad), verdict_dir=verdict_dir)
    assert result.get("failed") is True and message in result["msg"], result
    assert "Traceback" not in result["_stdout"]
    after = os.stat(table.path)
    assert table.text() == SHADOWED and (after.st_mtime_ns, after.st_ino) == (before.st_mtime_ns, before.st_ino)


def test_entries_and_entries_file_exclude_each_other(table, tmp_path):
    listed = tmp_path / "entries.json"
    listed.write_text("[]")
    both = table.run([{"host": "mxbox50.bitwiz.net"}], entries_file=str(listed))
    assert both.get("failed") is True and "mutually exclusive" in both["msg"]
    neither = run_with_file(table, None)
    assert neither.get("failed") is True and "entries" in neither["msg"]
    missing = run_with_file(table, str(tmp_path / "nowhere.yml"))
    assert missing.get("failed") is True and "nowhere.yml" in missing["msg"]
    assert not os.path.exists(table.path)


# What a run compiles on the host (AnsiballZ ships source): a run that replays the recorded one loads neither the
# entry model nor the table reader, the planner or the judge.
HEAVY = ("access.entry", "access.names", "access.lines", "access.plan", "access.grouped", "access.factored",
         "access.verify")
MAIN_IN_A_FRESH_PYTHON = """\
import json, sys
from ansible.module_utils.testing import patch_module_args
from ansible_collections.mailops.postfix.plugins.modules import helo_access
with patch_module_args(json.loads(sys.argv[1])):
    try:
        helo_access.main()
    except SystemExit:
        pass
print(json.dumps(sorted(name for name in sys.modules if "mailops" in name)))
"""


def _main_in_a_fresh_python(args):
    """helo_access's main() in its own interpreter: (its result, the mailops modules it imported)."""
    import subprocess
    import sys
    completed = subprocess.run([sys.executable, "-c", MAIN_IN_A_FRESH_PYTHON, json.dumps(args)],
                               capture_output=True, text=True, check=True)
    result, loaded = completed.stdout.strip().splitlines()
    return json.loads(result), json.loads(loaded)


@pytest.mark.parametrize("source", ["entries", "entries_file"])
def test_a_replayed_run_imports_none_of_the_entry_model_planner_or_judge(table, tmp_path, verdict_dir, source):
    entries = [{"host": "mxbox50.bitwiz.net"}, {"ip": "50.0.0.1"}]
    args = dict(path=table.path, type=table.map_type, config_dir=table.config_dir, verdict_dir=verdict_dir)
    if source == "entries":
        args["entries"] = entries
    else:
        listed = tmp_path / "entries.json"
        listed.write_text(json.dumps(entries))
        args["entries_file"] = str(listed)
    first, first_loaded = _main_in_a_fresh_python(args)
    assert first["changed"] is True and first["verdict"] == "postmap", first
    assert all(any(name.endswith(heavy) for name in first_loaded) for heavy in HEAVY), first_loaded
    again, loaded = _main_in_a_fresh_python(args)
    assert again["changed"] is False and again["verdict"] == "recorded", again
    assert [name for name in loaded if name.endswith(HEAVY)] == [], loaded
    assert table.answers(["mxbox50.bitwiz.net", "[50.0.0.1]"]) == {"mxbox50.bitwiz.net": "OK", "[50.0.0.1]": "OK"}
