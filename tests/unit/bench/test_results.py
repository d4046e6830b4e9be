# SPDX-License-Identifier: GPL-3.0-or-later
"""bench/results.py: ratio direction, goals, the table and the JSON file."""

import json

import pytest

from bench import results
from bench.bench_module import copy_goal


def test_ratio_is_ours_over_baseline_and_goal_is_an_upper_bound():
    faster = results.record("x", "task", 0.5, "lineinfile", 100.0, goal=0.01, reps=3)
    assert faster["ratio"] == pytest.approx(0.005)
    assert faster["met"] is True
    slower = results.record("y", "playbook", 3.0, "copy", 1.5, goal=1.5, reps=3)
    assert slower["ratio"] == pytest.approx(2.0)
    assert slower["met"] is False


def test_context_records_have_no_goal_and_memory_records_carry_megabytes():
    entry = results.record("pcre line: peak RSS", "rss", 75.0, "hash", 8.0, unit="MB", reps=5)
    assert entry["goal"] is None and entry["met"] is None
    assert entry["ours_mb"] == 75.0 and entry["baseline_mb"] == 8.0
    assert entry["ours_s"] is None


def test_unknown_measure_is_refused():
    with pytest.raises(ValueError, match="unknown measure"):
        results.record("x", "vibes", 1.0, "copy", 1.0)


def test_json_keeps_other_benchmarks_and_orders_them(tmp_path):
    path = tmp_path / "results.json"
    first = [dict(results.record("a", "task", 1.0, "copy", 1.0, goal=1.5), benchmark="copy")]
    results.write_json(str(path), first, {"cpu_count": 2})
    kept = results.kept_records(str(path), ["lineinfile"])
    second = [dict(results.record("b", "task", 1.0, "lineinfile", 100.0, goal=0.01), benchmark="lineinfile")]
    results.write_json(str(path), second, {"cpu_count": 2}, kept, ("lineinfile", "copy"))
    written = json.loads(path.read_text())
    assert [entry["name"] for entry in written] == ["b", "a"]
    for entry in written:
        assert {"name", "ours_s", "baseline", "baseline_s", "ratio", "goal", "met", "run"} <= set(entry)
    assert "| b | task |" in results.format_table(written)


def test_merge_replaces_the_records_of_the_benchmarks_another_stream_ran(tmp_path):
    out, stream = tmp_path / "results.json", tmp_path / "stream.json"
    out.write_text(json.dumps([{"name": "old fleet", "benchmark": "fleet"}, {"name": "lookup", "benchmark": "lookup"},
                               {"name": "role", "benchmark": "role"}]))
    stream.write_text(json.dumps([{"name": "new fleet", "benchmark": "fleet"}]))
    merged = results.merge_files(str(out), [str(stream)], ("role", "lookup", "fleet"))
    assert [entry["name"] for entry in merged] == ["role", "lookup", "new fleet"]
    assert json.loads(out.read_text()) == merged


def test_copy_goals_follow_the_issue():
    assert (copy_goal(1000), copy_goal(10000), copy_goal(100000)) == (1.5, 1.5, 3.0)


def test_readme_table_replaces_only_its_section_and_names_each_run(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# x\n\n## Performance\n\nintro\n\n<!-- bench-table -->\nold table\n\n## Layout\n\nkept\n")
    run_a = {"mode": "full", "started": "A", "cpu_count": 2, "load_average": [1.0], "load_average_end": [2.0],
             "versions": {"ansible-core": "core 2.19", "postfix": "3.7"}}
    entries = [dict(results.record("one", "task", 2.0, "base", 1.0, goal=3), benchmark="copy", run=run_a),
               dict(results.record("two", "task", 1.0, "base", 2.0), benchmark="copy-heavy", run=dict(run_a, started="B"))]
    results.write_readme(str(readme), entries)
    text = readme.read_text()
    assert "old table" not in text and text.startswith("# x\n\n## Performance\n\nintro\n\n<!-- bench-table -->\n")
    assert text.endswith("\n## Layout\n\nkept\n")
    assert "- copy (full run, started A): 2 CPUs, load average [1.0] at the start" in text
    assert "- copy-heavy (full run, started B)" in text and "| one | task | 2.000 s | base | 1.000 s | 2 | <= 3 | yes |" in text


class _Run:
    """What _pair_records reads of a measured playbook run."""

    def __init__(self, task_s, wall_s):
        self.task_s, self.wall_s = task_s, wall_s

    def task_seconds(self, _side):
        return self.task_s


def test_a_pair_carries_the_goal_on_the_measure_the_issue_names_only():
    from bench.bench_module import _pair_records  # pylint: disable=import-outside-toplevel
    ours, base = [_Run(0.5, 1.2)], [_Run(60.0, 61.0)]
    task, playbook = _pair_records("x", ours, base, "lineinfile loop", 1, task_goal=0.01)
    assert (task["measure"], task["goal"], task["met"]) == ("task", 0.01, True)
    assert (playbook["measure"], playbook["goal"], playbook["met"]) == ("playbook", None, None)
    task, playbook = _pair_records("y", ours, base, "copy", 1, playbook_goal=1.5)
    assert task["goal"] is None and playbook["goal"] == 1.5
