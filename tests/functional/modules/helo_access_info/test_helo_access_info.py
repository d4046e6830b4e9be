# SPDX-License-Identifier: GPL-3.0-or-later
"""helo_access_info through ansible-playbook: which line Postfix answers a HELO name with."""

import os
import shutil

from ansible_collections.mailops.postfix.plugins.module_utils.postfix import cli as postfix_cli
from tests.harness.ansible_run import run_module
from tests.harness.runner import subprocess_runner

TABLE = """\
# peers without DNS
/^50\\.0\\.0\\.1$/ OK
# bitwiz mx
/^mxbox50\\.bitwiz\\.net$/ OK
/^mx/ REJECT no mx names
/^(.+\\.)?bitwiz\\.org$/ DUNNO
"""


def test_names_are_answered_with_line_number_text_and_action(config_dir, tmp_path):
    path = tmp_path / "helo_access"
    path.write_text(TABLE)
    result = run_module("mailops.postfix.helo_access_info", {
        "path": str(path), "config_dir": str(config_dir),
        "query": ["MXBOX50.bitwiz.net", "mxother.example", "50.0.0.1", "50.0.0.10", "a.bitwiz.org"]}, check=True)
    assert result["changed"] is False and result["failed"] is False, result
    assert result["table"] == "regexp:%s" % path
    assert result["matches"] == [
        {"name": "MXBOX50.bitwiz.net", "matched": True, "line": 4, "text": "/^mxbox50\\.bitwiz\\.net$/ OK", "action": "OK"},
        {"name": "mxother.example", "matched": True, "line": 5, "text": "/^mx/ REJECT no mx names",
         "action": "REJECT no mx names"},
        {"name": "50.0.0.1", "matched": True, "line": 2, "text": "/^50\\.0\\.0\\.1$/ OK", "action": "OK"},
        {"name": "50.0.0.10", "matched": False},
        {"name": "a.bitwiz.org", "matched": True, "line": 6, "text": "/^(.+\\.)?bitwiz\\.org$/ DUNNO",
         "action": "DUNNO"},
    ]
    assert result["entries"][1] == {"line": 4, "text": "/^mxbox50\\.bitwiz\\.net$/ OK", "kind": "exact",
                                    "names": ["mxbox50.bitwiz.net"], "action": "OK", "comment": "bitwiz mx"}
    assert [entry["kind"] for entry in result["entries"]] == ["exact", "exact", "rule", "domain"]
    # the answers agree with postmap -q on the table itself
    answers, _warnings = postfix_cli.postmap_query(subprocess_runner, str(config_dir), "regexp",
                                                   str(path), ["MXBOX50.bitwiz.net", "mxother.example"])
    assert answers == {"MXBOX50.bitwiz.net": "OK", "mxother.example": "REJECT no mx names"}
    assert path.read_text() == TABLE


def test_hash_table_is_answered_from_a_copy_and_the_live_index_is_untouched(config_dir, tmp_path):
    path = tmp_path / "helo_access"
    path.write_text("# hash\nmxbox50.bitwiz.net OK\n[50.0.0.1] REJECT literal\n")
    result = run_module("mailops.postfix.helo_access_info", {
        "path": str(path), "type": "hash", "config_dir": str(config_dir),
        "query": ["mxbox50.bitwiz.net", "[50.0.0.1]", "50.0.0.1"]})
    assert [(match["name"], match["matched"], match.get("line"), match.get("action")) for match in result["matches"]] \
        == [("mxbox50.bitwiz.net", True, 2, "OK"), ("[50.0.0.1]", True, 3, "REJECT literal"), ("50.0.0.1", False, None, None)]
    assert not os.path.exists(str(path) + ".db")
    assert sorted(os.listdir(str(tmp_path))) == ["helo_access", "postfix"]


def test_missing_table_fails_with_a_sentence(tmp_path):
    shutil.rmtree(str(tmp_path), ignore_errors=True)
    result = run_module("mailops.postfix.helo_access_info", {"path": str(tmp_path / "nope"), "query": ["a"]})
    assert result["failed"] is True and result["msg"] == "%s does not exist." % (tmp_path / "nope")


def test_a_directory_is_named_as_a_directory(tmp_path):
    directory = tmp_path / "helo_dir"
    directory.mkdir()
    result = run_module("mailops.postfix.helo_access_info", {"path": str(directory), "query": ["a.example"]})
    assert result["failed"] is True
    assert result["msg"] == "%s is a directory, not a regular file; nothing was changed" % directory
