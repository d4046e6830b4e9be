# SPDX-License-Identifier: GPL-3.0-or-later
"""bench/workload.py: the entries and queries every benchmark is built from."""

import re

from bench import workload


def test_entries_are_unique_half_hosts_half_ips_and_repeatable():
    entries = workload.helo_entries(1000)
    assert len(entries) == 1000
    keys = [entry.get("host") or entry.get("ip") for entry in entries]
    assert len(set(keys)) == 1000
    assert sum(1 for entry in entries if "host" in entry) == 500
    assert workload.helo_entries(1000) == entries


def test_changed_one_changes_exactly_one_entry():
    entries = workload.helo_entries(50)
    changed = workload.changed_one(entries)
    assert sum(1 for before, after in zip(entries, changed) if before != after) == 1
    assert entries == workload.helo_entries(50)  # the original list is untouched


def test_queries_half_listed_and_expected_answers_match():
    entries = workload.helo_entries(2000)
    queries, expected_found = workload.helo_queries(entries, 1000)
    assert len(queries) == 1000
    listed = {entry.get("host") or entry.get("ip") for entry in entries}
    listed |= {"[%s]" % entry["ip"] for entry in entries if "ip" in entry}
    assert {query for query in queries if query in listed} == expected_found
    assert sum(1 for query in queries if query in listed) == 500


def test_grouped_reference_respects_group_size_and_byte_cap():
    entries = workload.helo_entries(1200)
    table = workload.reference_grouped_table(entries, per_line=100, max_pattern_bytes=1500)
    for line in table.splitlines():
        pattern = re.match(r"^/\^\((.*)\)\$/ OK$", line).group(1)
        assert len(pattern.split("|")) <= 100
        assert len(pattern) <= 1500
