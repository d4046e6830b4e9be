# SPDX-License-Identifier: GPL-3.0-or-later
"""Item 4: what a table costs Postfix at lookup time, by type and layout.

The module writes each table (10,000 exact host/ip entries); Postfix answers
1,000 HELO names (half listed) with one ``postmap -q -`` process per
measurement; time and peak RSS of that process are recorded. Every smtpd
process loads regexp/pcre tables into its own memory, so peak RSS is paid
per concurrent SMTP session. Before any number counts, every table must give
exactly the expected answers.
"""

import os
import subprocess

from . import measure, results, workload
from .workspace import Workspace

# (label, type, layout or None, written by) ; "reference" tables are rendered by
# bench/workload.py as a cross-check of the module's output.
VARIANTS = (
    ("regexp, one expression per line", "regexp", "line", "module"),
    ("pcre, one expression per line", "pcre", "line", "module"),
    ("regexp, grouped", "regexp", "grouped", "module"),
    ("pcre, grouped", "pcre", "grouped", "module"),
    ("pcre, layout auto", "pcre", "auto", "module"),
    ("lmdb", "lmdb", None, "module"),
    ("hash", "hash", None, "module"),
    ("pcre, grouped (reference rendering)", "pcre", "grouped", "reference"),
)
BASELINE_LABEL = "hash"
RECOMMENDED_LABEL = "pcre, grouped"

TASK = """\
    - name: "{label}"
      mailops.postfix.helo_access:
        path: "{path}"
        type: {map_type}
        config_dir: "{{{{ postfix_config_dir }}}}"
        entries: "{{{{ helo_entries }}}}"
        mode: "0644"
{layout_line}"""


def _file_name(label):
    return "table-" + "".join(character if character.isalnum() else "-" for character in label)


def write_tables(space, entries, variants):
    """Let the module write every module variant in one playbook; render the reference ones."""
    entries_file = space.write_json("entries.json", {"helo_entries": entries})
    tasks = []
    for label, map_type, layout, writer in variants:
        path = space.path(_file_name(label))
        if writer == "reference":
            render = workload.reference_grouped_table if layout == "grouped" else workload.reference_line_table
            space.write(_file_name(label), render(entries))
            continue
        tasks.append(TASK.format(label=label, path=path, map_type=map_type,
                                 layout_line="        layout: %s\n" % layout if layout else ""))
    playbook = space.playbook("tables.yml", "write the tables",
                              '  vars_files:\n    - "%s"\n  tasks:\n%s' % (entries_file, "".join(tasks)))
    measure.run_playbook(playbook, extra_args=["-e", "postfix_config_dir=%s" % space.config_dir])
    for label, map_type, _layout, _writer in variants:
        if map_type in ("hash", "lmdb"):
            completed = subprocess.run(
                ["postmap", "-c", space.config_dir, "%s:%s" % (map_type, space.path(_file_name(label)))],
                capture_output=True, text=True, check=False)
            if completed.returncode != 0:
                raise measure.BenchError("postmap %s failed: %s" % (label, completed.stderr.strip()))


def lookup_cost(count, query_count, reps, log, variants=VARIANTS):
    space = Workspace()
    try:
        entries = workload.helo_entries(count)
        queries, expected_found = workload.helo_queries(entries, query_count)
        queries_file = space.write("queries.txt", "\n".join(queries) + "\n")
        empty_file = space.write("no-queries.txt", "")
        write_tables(space, entries, variants)
        samples = {label: {"time": [], "rss": [], "start": []} for label, *_rest in variants}
        for rep in range(reps):
            # Round robin: every table is measured once per round, so load on the machine hits all alike.
            for label, map_type, _layout, _writer in variants:
                path = space.path(_file_name(label))
                seconds, rss_kb, answers = measure.postmap_lookup(space.config_dir, map_type, path, queries_file)
                if set(answers) != expected_found or set(answers.values()) != {"OK"}:
                    missing = sorted(expected_found - set(answers))[:5]
                    extra = sorted(set(answers) - expected_found)[:5]
                    raise measure.BenchError("%s answered wrongly: missing %s, unexpected %s" % (label, missing, extra))
                # No key at all: postmap starts and stops; Postfix opens (compiles) a table only at
                # its first lookup, so per_lookup_us below includes compiling the table once.
                start_seconds, _start_rss, _none = measure.postmap_lookup(space.config_dir, map_type, path, empty_file)
                samples[label]["time"].append(seconds)
                samples[label]["rss"].append(rss_kb / 1024.0)
                samples[label]["start"].append(start_seconds)
            log("  round %d of %d done" % (rep + 1, reps))
        return _records(space, count, query_count, reps, variants, samples)
    finally:
        space.cleanup()


def _records(space, count, query_count, reps, variants, samples):
    base_time = measure.median(samples[BASELINE_LABEL]["time"])
    base_rss = measure.median(samples[BASELINE_LABEL]["rss"])
    records = []
    for label, map_type, layout, writer in variants:
        if label == BASELINE_LABEL:
            continue
        path = space.path(_file_name(label))
        with open(path) as table_file:
            table_line_count = sum(1 for _line in table_file)
        ours_time = measure.median(samples[label]["time"])
        start_time = measure.median(samples[label]["start"])
        goal = 2.0 if label == RECOMMENDED_LABEL else None
        details = dict(map_type=map_type, layout=layout, written_by=writer, table_lines=table_line_count,
                       table_bytes=os.path.getsize(path), start_s=round(start_time, 4),
                       per_lookup_us=round(max(ours_time - start_time, 0.0) / query_count * 1e6, 2))
        name = "%s %s entries, %d lookups" % (label, format(count, ","), query_count)
        records.append(results.record(name + ": time", "lookup", ours_time, "hash", base_time,
                                      goal=goal, reps=reps, **details))
        records.append(results.record(name + ": peak RSS", "rss", measure.median(samples[label]["rss"]),
                                      "hash", base_rss, goal=goal, reps=reps, unit="MB", **details))
    return records
