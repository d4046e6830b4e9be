# SPDX-License-Identifier: GPL-3.0-or-later
"""Where the time goes: cProfile of a helo_access module run alone, or the role's tasks one by one.

    python -m bench.profile --entries 10000 [--entries-file] [--type pcre] [--top 25]
    python -m bench.profile --role

``--role``: one repetition of benchmark 3 (the role and the hand-written
playbook on their sandboxes: first run, one entry changed, no-change run),
printing for every playbook run each task that ran, its seconds (the
``mailops_bench_timer`` callback), its action, and how many tasks shipped a
module to the host.

Writes a table of N entries twice (first run, then no-change run) through the
module's own ``main()`` with an args file, as Ansible would run it on the host,
and prints the functions with the most cumulative time for each run. The
controller's share of a task (templating the entries, building and shipping
the module, reading the result) is the task time of the bench records minus
this. docs/performance.md quotes these profiles.
"""

import argparse
import cProfile
import contextlib
import io
import json
import os
import pstats
import sys
import tempfile

from . import workload
from .workspace import Workspace

MODULE = "ansible_collections.mailops.postfix.plugins.modules.helo_access"


def profile_run(args_path, top):
    """One module run under cProfile; returns (its JSON result, the printed profile)."""
    import runpy  # pylint: disable=import-outside-toplevel
    profiler = cProfile.Profile()
    out = io.StringIO()
    sys.argv = ["helo_access", args_path]
    with contextlib.redirect_stdout(out):
        profiler.enable()
        try:
            runpy.run_module(MODULE, run_name="__main__")
        except SystemExit:
            pass
        finally:
            profiler.disable()
    report = io.StringIO()
    stats = pstats.Stats(profiler, stream=report)
    stats.sort_stats("cumulative").print_stats(top)
    return json.loads(out.getvalue()), report.getvalue()


def profile_role():
    """Benchmark 3 once, every task of every playbook run printed with its time."""
    from . import bench_role, measure  # pylint: disable=import-outside-toplevel
    from .run import _set_default_env  # pylint: disable=import-outside-toplevel
    _set_default_env()
    timed = measure.run_playbook
    runs = []

    def recording(playbook, *args, **kwargs):
        run = timed(playbook, *args, **kwargs)
        runs.append((os.path.basename(playbook), run))
        return run

    bench_role.measure.run_playbook = recording
    try:
        bench_role.role_vs_hand_written(1, print)
    finally:
        bench_role.measure.run_playbook = timed
    # The first two role runs are the warm-up that renders the baseline's sources.
    for playbook, run in runs[2:]:
        print("== %s: wall %.2f s, tasks %.2f s, %d tasks shipped a module"
              % (playbook, run.wall_s, run.tasks_seconds(), len(run.module_calls())))
        for task in run.ran_tasks():
            print("   %6.2f  %-8s %-36s %s" % (task["seconds"], "handler" if task["handler"] else "",
                                               task["action"], task["name"].split(" : ")[-1]))
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("--role", action="store_true", help="the role vs the hand-written playbook, task by task")
    parser.add_argument("--entries", type=int, default=10000)
    parser.add_argument("--entries-file", action="store_true", help="pass the list as entries_file")
    parser.add_argument("--type", default="pcre")
    parser.add_argument("--top", type=int, default=25)
    options = parser.parse_args(argv)
    if options.role:
        return profile_role()
    space = Workspace()
    try:
        entries = workload.helo_entries(options.entries)
        module_args = dict(path=space.path("helo_access"), type=options.type, config_dir=space.config_dir,
                           exclusive=True, verdict_dir=space.path("verdicts"))
        if options.entries_file:
            module_args["entries_file"] = space.write_json("entries.json", entries)
        else:
            module_args["entries"] = entries
        args_path = space.write_json("args.json", {"ANSIBLE_MODULE_ARGS": module_args})
        for label in ("first run", "no-change run"):
            result, report = profile_run(args_path, options.top)
            print("== %s: changed=%s verdict=%s" % (label, result.get("changed"), result.get("verdict")))
            print("\n".join(line for line in report.splitlines() if line.strip() and "importlib" not in line))
    finally:
        space.cleanup()
    return 0


if __name__ == "__main__":
    tempfile.tempdir = os.environ.get("MAILOPS_BENCH_ROOT") or None
    sys.exit(main())
