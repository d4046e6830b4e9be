# SPDX-License-Identifier: GPL-3.0-or-later
"""Items 1 and 2: the helo_access module against a lineinfile loop and against copy.

Ours and the baseline run in the same process of ``make bench``, interleaved
step by step, each as its own ansible-playbook process.
"""

from . import measure, results, workload
from .workspace import Workspace, table_lines


def ours_body(entries_option):
    """The helo_access task over the workspace's table, its entries given by ``entries_option``
    (``entries``: from the play's vars file; ``entries_file``: a file the action plugin ships as it is)."""
    head, entries = ("  vars_files:\n    - \"{{ entries_file }}\"\n", "entries: \"{{ helo_entries }}\"") \
        if entries_option == "entries" else ("", "entries_file: \"{{ entries_path }}\"")
    return head + """\
  tasks:
    - name: ours
      mailops.postfix.helo_access:
        path: "{{ table_path }}"
        type: "{{ table_type }}"
        config_dir: "{{ postfix_config_dir }}"
        %s
        layout: "{{ table_layout }}"
        exclusive: true
        mode: "0644"
""" % entries


OURS_BODY = ours_body("entries")
OURS_FILE_BODY = ours_body("entries_file")

LINEINFILE_BODY = """\
  vars_files:
    - "{{ lines_file }}"
  tasks:
    - name: baseline
      ansible.builtin.lineinfile:
        path: "{{ table_path }}"
        line: "{{ item }}"
        create: true
        mode: "0644"
      loop: "{{ helo_lines }}"
"""

COPY_BODY = """\
  tasks:
    - name: baseline
      ansible.builtin.copy:
        src: "{{ source_path }}"
        dest: "{{ table_path }}"
        mode: "0644"
"""


def _vars(**values):
    args = []
    for name, value in values.items():
        args += ["-e", "%s=%s" % (name, value)]
    return args


class ModuleBench:
    """Shared set-up: a workspace, the ours playbook, entry files, warm-up renders."""

    def __init__(self, log, layout="auto", map_type="regexp"):
        self.log = log
        self.layout = layout
        self.map_type = map_type
        self.render_timeout = 1800
        self.space = Workspace()
        self.ours_playbook = self.space.playbook("ours.yml", "helo_access", OURS_BODY)
        self.ours_file_playbook = self.space.playbook("ours-file.yml", "helo_access, entries_file", OURS_FILE_BODY)

    def run_ours(self, entries_file, table, timeout=1800):
        run = measure.run_playbook(self.ours_playbook, timeout=timeout, extra_args=_vars(
            entries_file=entries_file, table_path=self.space.path(table), postfix_config_dir=self.space.config_dir,
            table_layout=self.layout, table_type=self.map_type))
        return run

    def run_ours_file(self, entries_path, table, timeout=1800):
        """helo_access with ``entries_file``: ``entries_path`` holds the bare list of entries."""
        return measure.run_playbook(self.ours_file_playbook, timeout=timeout, extra_args=_vars(
            entries_path=entries_path, table_path=self.space.path(table), postfix_config_dir=self.space.config_dir,
            table_layout=self.layout, table_type=self.map_type))

    def render(self, entries, label, then_entries=None):
        """Let the module write a new table (warm-up); return (entries_file, text).

        With ``then_entries`` the module then edits that table to the second list and
        the result is (entries_file, text, then_entries_file, edited text): what a
        "one entry changed" run must end with.
        """
        entries_file = self.space.write_json("%s.json" % label, {"helo_entries": entries})
        self.space.remove("render-%s" % label)
        run = self.run_ours(entries_file, "render-%s" % label, timeout=self.render_timeout)
        if run.changed_count() != 1:
            raise measure.BenchError("helo_access did not report a change writing a new table (%s)" % label)
        rendered = self.space.read("render-%s" % label)
        if then_entries is None:
            return entries_file, rendered
        then_file = self.space.write_json("%s-then.json" % label, {"helo_entries": then_entries})
        run = self.run_ours(then_file, "render-%s" % label)
        edited = self.space.read("render-%s" % label)
        if run.changed_count() != 1 or edited == rendered:
            raise measure.BenchError("helo_access did not change the table for one changed entry (%s)" % label)
        return entries_file, rendered, then_file, edited

    def cleanup(self):
        self.space.cleanup()


def _check_unchanged(run, who):
    if run.changed_count() != 0:
        raise measure.BenchError("%s changed something on a no-change run: %s" % (who, run.changed_tasks()))


def _pair_records(label, ours_runs, baseline_runs, baseline_name, reps, task_goal=None, playbook_goal=None):
    """A task record and a whole-playbook record for one phase.

    The issue names the measure each goal is judged on (lineinfile: task time; copy: the whole playbook);
    the other record of the pair is context (goal None).
    """
    return [
        results.record(label, "task", measure.median([run.task_seconds("ours") for run in ours_runs]),
                       baseline_name, measure.median([run.task_seconds("baseline") for run in baseline_runs]),
                       goal=task_goal, reps=reps),
        results.record(label, "playbook", measure.median([run.wall_s for run in ours_runs]),
                       baseline_name, measure.median([run.wall_s for run in baseline_runs]), goal=playbook_goal, reps=reps),
    ]


def lineinfile_loop(count, reps, log):
    """Item 1: helo_access with ``count`` entries vs one lineinfile task looping over the same lines.

    Users keep one expression per line today, so helo_access writes that layout here too
    (``layout: line``) and both manage the very same ``count`` lines. helo_access runs
    with ``entries`` (from a vars file) and with ``entries_file``, each on its own table.
    """
    bench = ModuleBench(log, layout="line")
    try:
        entries = workload.helo_entries(count)
        entries_file, rendered = bench.render(entries, "e%d" % count)
        list_file = bench.space.write_json("list.json", entries)
        lines = table_lines(rendered)
        if len(lines) != count:
            raise measure.BenchError("helo_access wrote %d lines for %d entries with layout line" % (len(lines), count))
        lines_file = bench.space.write_json("lines.json", {"helo_lines": lines})
        baseline_playbook = bench.space.playbook("lineinfile.yml", "lineinfile loop", LINEINFILE_BODY)

        def run_baseline():
            return measure.run_playbook(baseline_playbook, extra_args=_vars(
                lines_file=lines_file, table_path=bench.space.path("baseline")))

        sides = (("ours", lambda: bench.run_ours(entries_file, "ours")),
                 ("file", lambda: bench.run_ours_file(list_file, "ours-file")),
                 ("base", run_baseline))
        runs = {(side, phase): [] for side, _run in sides for phase in ("first", "again")}
        for rep in range(reps):
            for table in ("ours", "ours-file", "baseline"):
                bench.space.remove(table)
            for phase in ("first", "again"):
                for side, run in sides:
                    runs[(side, phase)].append(run())
            for side, who in (("ours", "helo_access"), ("file", "helo_access (entries_file)"), ("base", "lineinfile")):
                _check_unchanged(runs[(side, "again")][-1], who)
            log("  rep %d: ours %.2f/%.2f s, entries_file %.2f/%.2f s, lineinfile %.2f/%.2f s (first/no-change, task)"
                % ((rep + 1,) + tuple(runs[(side, phase)][-1].task_seconds("baseline" if side == "base" else "ours")
                                      for side in ("ours", "file", "base") for phase in ("first", "again"))))
        if sorted(table_lines(bench.space.read("baseline"))) != sorted(lines):
            raise measure.BenchError("the lineinfile baseline did not write the same lines as helo_access")
        if bench.space.read("ours-file") != bench.space.read("ours"):
            raise measure.BenchError("helo_access with entries_file wrote another table than with entries")
        baseline_name = "lineinfile loop, %d items" % len(lines)
        records = []
        for side, label in (("ours", ""), ("file", ", entries_file")):
            for phase, phase_label in (("first", "first run"), ("again", "no-change run")):
                records += _pair_records("helo_access %d entries%s, %s" % (count, label, phase_label),
                                         runs[(side, phase)], runs[("base", phase)], baseline_name, reps, task_goal=0.01)
        return records
    finally:
        bench.cleanup()


# Goals of the issue: at most 1.5x copy up to 10,000 entries, 3x at 100,000.
COPY_GOALS = ((10000, 1.5), (100000, 3.0))
PHASES = ("first", "no-change", "one entry changed")


def copy_goal(size):
    return next((goal for limit, goal in COPY_GOALS if size <= limit), COPY_GOALS[-1][1])


def copy_scale(sizes, reps_for, log, run_timeout=600):
    """Item 2: helo_access vs copy of the same rendered file; first, no-change, one entry changed.

    Type pcre, layout auto (grouped at these sizes): the layout docs/performance.md
    recommends for large lists. A regexp table of 10,000 exact names costs every
    smtpd hundreds of MB (item 4), so nobody should keep 100,000 that way.
    helo_access runs twice per step: with ``entries`` from a vars file (what
    Ansible templates and validates) and with ``entries_file`` (the list in a
    file the action plugin ships as it is); all three sides end with the same bytes.

    Every helo_access run is bounded by ``run_timeout``; a size whose first write
    does not finish in time is recorded as such and larger sizes are not tried.
    """
    bench = ModuleBench(log, map_type="pcre")
    bench.render_timeout = run_timeout
    records = []
    task_medians = {}
    try:
        baseline_playbook = bench.space.playbook("copy.yml", "copy", COPY_BODY)
        for size in sizes:
            try:
                sources = _copy_sources(bench, size)
            except measure.BenchTimeout as error:
                log("  %d entries: helo_access did not finish within %d s; larger sizes skipped" % (size, error.seconds))
                records += _timeout_records(size, error.seconds)
                sizes = [done for done in sizes if done < size]
                break

            def run_copy(source):
                return measure.run_playbook(baseline_playbook, extra_args=_vars(
                    source_path=source, table_path=bench.space.path("baseline")))

            runs = _copy_reps(bench, size, reps_for(size), sources, run_copy, log)
            for phase in PHASES:
                label = "helo_access %s entries, %s" % (format(size, ","), phase)
                records += _pair_records(label, runs[("ours", phase)], runs[("copy", phase)],
                                         "copy of the same file", reps_for(size), playbook_goal=copy_goal(size))
                records += _pair_records(label + ", entries_file", runs[("file", phase)], runs[("copy", phase)],
                                         "copy of the same file", reps_for(size), playbook_goal=copy_goal(size))
                task_medians[(size, phase)] = (
                    measure.median([run.task_seconds("ours") for run in runs[("ours", phase)]]),
                    measure.median([run.task_seconds("baseline") for run in runs[("copy", phase)]]))
        records += growth_records(sizes, task_medians)
        return records
    finally:
        bench.cleanup()


def _copy_sources(bench, size):
    """Entry files (vars file and bare list, before and after one change) and the rendered tables."""
    entries = workload.helo_entries(size)
    changed = workload.changed_one(entries)
    entries_v1, rendered_v1, entries_v2, rendered_v2 = bench.render(entries, "e%d" % size, then_entries=changed)
    return {
        "first": (entries_v1, bench.space.write_json("list-v1-%d.json" % size, entries),
                  bench.space.write("source-v1-%d" % size, rendered_v1)),
        "one entry changed": (entries_v2, bench.space.write_json("list-v2-%d.json" % size, changed),
                              bench.space.write("source-v2-%d" % size, rendered_v2)),
    }


def _timeout_records(size, seconds):
    return [results.record("helo_access %s entries, %s" % (format(size, ","), phase), "task", None,
                           "copy of the same file", None, goal=copy_goal(size), reps=0, timeout_s=seconds,
                           note="helo_access did not finish writing a new table within %d s" % seconds)
            for phase in PHASES]


def _copy_reps(bench, size, reps, sources, run_copy, log):
    """Interleaved per step: ours (entries), ours (entries_file), copy; every rep from no file."""
    runs = {(side, phase): [] for side in ("ours", "file", "copy") for phase in PHASES}
    for rep in range(reps):
        for table in ("ours", "ours-file", "baseline"):
            bench.space.remove(table)
        for phase in PHASES:
            vars_file, list_file, source = sources["one entry changed" if phase == "one entry changed" else "first"]
            runs[("ours", phase)].append(bench.run_ours(vars_file, "ours"))
            runs[("file", phase)].append(bench.run_ours_file(list_file, "ours-file"))
            runs[("copy", phase)].append(run_copy(source))
        for side, who in (("ours", "helo_access"), ("file", "helo_access with entries_file"), ("copy", "copy")):
            _check_unchanged(runs[(side, "no-change")][-1], who)
            for phase in ("first", "one entry changed"):
                if side != "copy" and runs[(side, phase)][-1].changed_count() != 1:
                    raise measure.BenchError("%s reported no change on the %s run" % (who, phase))
        if not bench.space.read("ours") == bench.space.read("ours-file") == bench.space.read("baseline"):
            raise measure.BenchError("helo_access (both ways) and copy ended with different files (%d entries)" % size)
        log("  %d entries rep %d: ours %s | entries_file %s | copy %s (task s: first/no-change/changed)"
            % (size, rep + 1,
               "/".join("%.2f" % runs[("ours", phase)][-1].task_seconds("ours") for phase in PHASES),
               "/".join("%.2f" % runs[("file", phase)][-1].task_seconds("ours") for phase in PHASES),
               "/".join("%.2f" % runs[("copy", phase)][-1].task_seconds("baseline") for phase in PHASES)))
    return runs


def growth_records(sizes, task_medians):
    """How task time grows from one size to the next tenfold size (1.0 = exactly linear)."""
    records = []
    for smaller, larger in zip(sizes, sizes[1:]):
        factor = larger / smaller
        for phase in PHASES:
            ours_small, copy_small = task_medians[(smaller, phase)]
            ours_large, copy_large = task_medians[(larger, phase)]
            records.append(results.record(
                "helo_access growth %s -> %s entries, %s" % (format(smaller, ","), format(larger, ","), phase),
                "growth", ours_large, "%gx the time at %s" % (factor, format(smaller, ",")), factor * ours_small,
                goal=1.2, per_entry_us_small=round(ours_small / smaller * 1e6, 2),
                per_entry_us_large=round(ours_large / larger * 1e6, 2),
                copy_growth=round(copy_large / (factor * copy_small), 4) if copy_small else None))
    return records
