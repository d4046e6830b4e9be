# SPDX-License-Identifier: GPL-3.0-or-later
"""Indexed tables (plain keys, postmap_required) and the grouped layout, judged by postmap -q."""

import os

import pytest
from tests.functional.modules.helo_access.helo_names import NEAR_MISSES, SEED_ENTRIES, SEED_MATCHES

from ansible_collections.mailops.postfix.plugins.module_utils.postfix import cli as postfix_cli
from ansible_collections.mailops.postfix.plugins.module_utils.postfix import maps
from tests.harness.runner import subprocess_runner


@pytest.mark.parametrize("map_type", ["hash", "lmdb"])
def test_indexed_table_gets_plain_keys_and_never_builds_the_live_index(table_factory, map_type):
    table = table_factory(map_type)
    result = table.run(SEED_ENTRIES + [{"host": "spam.example", "action": "REJECT go away"}])
    assert result["changed"] is True, result
    assert result["postmap_required"] is True
    assert not os.path.exists(maps.index_path(map_type, table.path))
    lines = table.text().splitlines()
    assert lines[:5] == ["50.0.0.1 OK", "[50.0.0.1] OK", "50.0.0.2 OK", "[50.0.0.2] OK", "mxbox50.bitwiz.net OK"]
    assert "[IPv6:2001:db8::25] OK" in lines and ".bitwiz.org OK" in lines
    # postmap -q is an exact lookup: the parent-domain walk (".bitwiz.org" for mx.bitwiz.org) is smtpd's
    exact_matches = [name for name in SEED_MATCHES if name.lower() not in ("mx.bitwiz.org", "a.b.bitwiz.org")]
    answers = table.answers(exact_matches + [".bitwiz.org", "spam.example"] + NEAR_MISSES)
    assert answers == dict([(name, "OK") for name in exact_matches + [".bitwiz.org"]]
                           + [("spam.example", "REJECT go away")])
    # once the index is built and newer than the source, nothing is required
    postfix_cli.postmap_build(subprocess_runner, table.config_dir, map_type, table.path)
    again = table.run(SEED_ENTRIES + [{"host": "spam.example", "action": "REJECT go away"}])
    assert again["changed"] is False and again["postmap_required"] is False


def test_grouped_layout_writes_sorted_alternations_and_stays_recognised(table_factory):
    table = table_factory("pcre")
    table.write("# partners\n/^mx/ REJECT no mx\n")
    hosts = [{"host": "host%03d.partner.example" % number} for number in range(40, 0, -1)]
    ips = [{"ip": "192.0.2.%d" % number} for number in range(1, 11)]
    result = table.run(hosts + ips + [{"host": "mxbox50.bitwiz.net"}], layout="grouped", group_size=16)
    assert result["changed"] is True and result["layout"] == "grouped" and "warnings" not in result, result
    lines = table.text().splitlines()
    assert lines[0] == "# partners" and lines[-1] == "/^mx/ REJECT no mx"
    grouped = lines[1:-1]
    assert len(grouped) == 4  # 40 + 20 + 1 names, 16 per line
    # pcre: the sorted names of a group as a trie (shared prefixes written once)
    assert grouped[0].startswith("/^(?:192\\.0\\.2\\.(?:1(?:0)?|2|3|")
    names = ["host%03d.partner.example" % number for number in range(1, 41)] + ["mxbox50.bitwiz.net"] \
        + ["192.0.2.%d" % number for number in range(1, 11)] + ["[192.0.2.%d]" % number for number in range(1, 11)]
    misses = ["host041.partner.example", "xhost001.partner.example", "192.0.2.11", "[192.0.2.100]", "mxother.example"]
    answers = table.answers(names + misses)
    assert answers == dict([(name, "OK") for name in names] + [("mxother.example", "REJECT no mx")])
    # a second run recognises the grouped lines; removing one name rewrites only its group
    before = table.bytes()
    assert table.run(hosts + ips, layout="grouped", group_size=16)["changed"] is False
    assert table.bytes() == before
    removed = table.run([{"host": "host007.partner.example", "state": "absent"}], layout="grouped", group_size=16)
    assert removed["changed"] is True and len(removed["removed"]) == len(removed["added"])
    assert "host007.partner.example" not in table.answers(["host007.partner.example", "host008.partner.example"])


def test_auto_layout_groups_large_tables(table):
    hosts = [{"host": "peer%04d.example" % number} for number in range(250)]
    result = table.run(hosts)
    assert result["layout"] == "grouped" and len(table.text().splitlines()) == 1
    answers = table.answers(["peer0000.example", "peer0249.example", "peer0250.example", "peer00001.example"])
    assert answers == {"peer0000.example": "OK", "peer0249.example": "OK"}
