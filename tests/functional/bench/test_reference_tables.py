# SPDX-License-Identifier: GPL-3.0-or-later
"""The cross-check tables bench/ renders answer like Postfix should (real postmap)."""

import subprocess

import pytest

from ansible_collections.mailops.postfix.plugins.module_utils.access.entry import parse_entries
from ansible_collections.mailops.postfix.plugins.module_utils.access.lines import parse_table
from ansible_collections.mailops.postfix.plugins.module_utils.access.plan import plan_table
from bench import measure, workload


@pytest.mark.parametrize("map_type, render", [
    ("regexp", workload.reference_line_table),
    ("pcre", workload.reference_line_table),
    ("pcre", workload.reference_grouped_table),
    ("regexp", workload.reference_grouped_table),
    ("hash", workload.reference_indexed_table),
])
def test_reference_table_answers_exactly_the_listed_names(config_dir, tmp_path, map_type, render):
    entries = workload.helo_entries(300)
    queries, expected_found = workload.helo_queries(entries, 200)
    table = tmp_path / "helo_access"
    table.write_text(render(entries) if render is not workload.reference_grouped_table
                     else render(entries, per_line=40))
    if map_type == "hash":
        subprocess.run(["postmap", "-c", str(config_dir), "hash:%s" % table], check=True)
    queries_file = tmp_path / "queries"
    queries_file.write_text("\n".join(queries) + "\n")
    seconds, peak_rss_kb, answers = measure.postmap_lookup(str(config_dir), map_type, str(table), str(queries_file))
    assert set(answers) == expected_found
    assert set(answers.values()) == {"OK"}
    assert seconds > 0 and peak_rss_kb > 0


def test_postmap_lookup_refuses_a_table_postfix_warns_about(config_dir, tmp_path):
    table = tmp_path / "helo_access"
    table.write_text("/^(unclosed$/ OK\n")
    queries_file = tmp_path / "queries"
    queries_file.write_text("unclosed\n")
    with pytest.raises(measure.BenchError, match="helo_access"):
        measure.postmap_lookup(str(config_dir), "pcre", str(table), str(queries_file))


def test_module_grouped_pcre_table_answers_exactly_the_listed_names(config_dir, tmp_path):
    """The module's pcre grouped layout (trie-shaped lines, addresses paired with their literals) answers in
    postmap like the reference tables."""
    entries = workload.helo_entries(3000)
    queries, expected_found = workload.helo_queries(entries, 1000)
    text = plan_table("", parse_entries(entries, "pcre"), "pcre", layout="grouped").new_text
    assert "(?:" in text  # the factored shape, not flat alternations
    assert text.startswith("/^(\\[)?(?:")  # and groups of addresses written once for them and their literals
    assert sorted(key for line in parse_table(text, "pcre") for key in line.keys) == sorted(
        key for line in parse_table(workload.reference_grouped_table(entries), "pcre") for key in line.keys)
    table = tmp_path / "helo_access"
    table.write_text(text)
    queries_file = tmp_path / "queries"
    queries_file.write_text("\n".join(queries) + "\n")
    _seconds, _rss, answers = measure.postmap_lookup(str(config_dir), "pcre", str(table), str(queries_file))
    assert set(answers) == expected_found
    assert set(answers.values()) == {"OK"}
