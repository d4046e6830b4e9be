# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark results: one record per comparison, a printed table, bench/results.json.

Every record compares ours with a baseline measured in the same run:
``ratio = ours / baseline`` and the goal is an upper bound on that ratio, so
``met`` is ``ratio <= goal``: "100x faster" is ``goal = 0.01``, "at most 1.5x
the time of copy" is ``goal = 1.5``. Records without a goal (``goal`` and
``met`` null) are context for the ones that have one.
"""

import json
import os

# What a record's ratio is a ratio of.
MEASURES = {
    "playbook": "wall clock of the whole ansible-playbook process",
    "task": "time of the task itself (callback: task start to last result)",
    "lookup": "wall clock of one postmap -q - process answering the queries",
    "rss": "peak resident memory of that postmap process (GNU time %M)",
    "growth": "time at 10x the entries divided by 10x the time at the smaller size",
    "scale": "wall clock at the larger fleet divided by the smaller fleet's",
    "log_scan": "wall clock of one process reading the whole log (helo_rejections_info's reader vs grep -c)",
    "log_rss": "peak resident memory of that log-reading process (GNU time %M)",
}


def record(name, measure, ours, baseline, baseline_value, goal=None, reps=None, unit="s", note=None, **extra):
    """One comparison. ``ours`` and ``baseline_value`` are medians in ``unit`` (s or MB)."""
    if measure not in MEASURES:
        raise ValueError("unknown measure %r" % measure)
    ratio = ours / baseline_value if baseline_value and ours is not None else None
    entry = {
        "name": name,
        "measure": measure,
        "unit": unit,
        "ours_s": round(ours, 4) if unit == "s" and ours is not None else None,
        "baseline": baseline,
        "baseline_s": round(baseline_value, 4) if unit == "s" and baseline_value is not None else None,
        "ratio": round(ratio, 4) if ratio is not None else None,
        "goal": goal,
        # A run that did not finish (ours None) misses its goal.
        "met": (ratio is not None and ratio <= goal) if goal is not None else None,
        "reps": reps,
    }
    if unit != "s":
        entry["ours_" + unit.lower()] = round(ours, 2)
        entry["baseline_" + unit.lower()] = round(baseline_value, 2)
    if note:
        entry["note"] = note
    entry.update(extra)
    return entry


def _value(entry, side):
    unit = entry["unit"]
    value = entry["%s_s" % side] if unit == "s" else entry["%s_%s" % (side, unit.lower())]
    if value is None and side == "ours" and entry.get("timeout_s"):
        return "> %g s" % entry["timeout_s"]
    if value is None:
        return "-"
    return "%.3f %s" % (value, unit) if unit == "s" else "%.1f %s" % (value, unit)


def format_table(entries):
    """A Markdown table (also readable on a terminal)."""
    header = ("benchmark", "measure", "ours", "baseline", "baseline value", "ratio", "goal", "met")
    rows = [header, tuple("---" for _column in header)]
    for entry in entries:
        goal = "-" if entry["goal"] is None else "<= %g" % entry["goal"]
        met = "-" if entry["met"] is None else ("yes" if entry["met"] else "NO")
        ratio = "-" if entry["ratio"] is None else "%.3g" % entry["ratio"]
        rows.append((entry["name"], entry["measure"], _value(entry, "ours"), entry["baseline"],
                     _value(entry, "baseline"), ratio, goal, met))
    return "\n".join("| " + " | ".join(str(cell) for cell in row) + " |" for row in rows)


def load(path):
    with open(path) as results_file:
        return json.load(results_file)


def kept_records(path, rerun_benchmarks):
    """Records of ``path`` from benchmarks not being re-run now (each keeps its own ``run`` facts)."""
    try:
        with open(path) as results_file:
            previous = json.load(results_file)
    except (OSError, ValueError):
        return []
    return [entry for entry in previous if entry.get("benchmark") not in rerun_benchmarks]


def write_json(path, entries, environment, kept=(), order=()):
    """bench/results.json: a list of records; each carries the facts of the run that measured it (``run``)."""
    combined = list(kept) + [dict(entry, run=environment) for entry in entries]
    rank = {name: index for index, name in enumerate(order)}
    by_benchmark_order = sorted(combined, key=lambda entry: rank.get(entry.get("benchmark"), len(rank)))
    with open(path, "w") as results_file:
        json.dump(by_benchmark_order, results_file, indent=2)
        results_file.write("\n")


def merge_files(path, other_paths, order=()):
    """Records of ``other_paths`` replace those of the same benchmarks in ``path``; returns what was written."""
    combined = load(path) if os.path.exists(path) else []
    for other_path in other_paths:
        incoming = load(other_path)
        benchmarks = {entry.get("benchmark") for entry in incoming}
        combined = [entry for entry in combined if entry.get("benchmark") not in benchmarks] + incoming
    rank = {name: index for index, name in enumerate(order)}
    combined.sort(key=lambda entry: rank.get(entry.get("benchmark"), len(rank)))
    with open(path, "w") as results_file:
        json.dump(combined, results_file, indent=2)
        results_file.write("\n")
    return combined


README_MARK = "<!-- bench-table -->"


def _run_line(run, benchmarks):
    if run.get("mode") == "not run":
        return "- %s: not run (its rows say why)" % ", ".join(benchmarks)
    versions = run.get("versions", {})
    return ("- %s (%s run, started %s): %s CPUs, load average %s at the start, %s at the end; %s, Postfix %s"
            % (", ".join(benchmarks), run.get("mode", "?"), run.get("started", "?"), run.get("cpu_count", "?"),
               run.get("load_average"), run.get("load_average_end"), versions.get("ansible-core", "?"),
               versions.get("postfix", "?"))) + (" (%s)" % run["note"] if run.get("note") else "")


def readme_block(entries):
    """The README's table of ``entries`` (results.json), headed by the runs that measured them."""
    runs = []
    for entry in entries:
        run = entry.get("run") or {}
        for known, benchmarks in runs:
            if known == run:
                if entry.get("benchmark") not in benchmarks:
                    benchmarks.append(entry.get("benchmark"))
                break
        else:
            runs.append((run, [entry.get("benchmark")]))
    lines = ["Written by `python -m bench.run --readme` from bench/results.json; compare ratios, not seconds",
             "(docs/performance.md: method, and why each missed goal is missed). Runs:", ""]
    lines += [_run_line(run, benchmarks) for run, benchmarks in runs]
    return "\n".join(lines) + "\n\n" + format_table(entries) + "\n"


def write_readme(readme_path, entries):
    """Replace what follows README_MARK up to the next ``## `` heading with ``readme_block(entries)``."""
    with open(readme_path) as readme:
        text = readme.read()
    start = text.index(README_MARK) + len(README_MARK)
    end = text.find("\n## ", start)
    end = len(text) if end == -1 else end + 1
    with open(readme_path, "w") as readme:
        readme.write(text[:start] + "\n" + readme_block(entries) + "\n" + text[end:])
