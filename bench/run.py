# SPDX-License-Identifier: GPL-3.0-or-later
"""``make bench`` / ``make bench-smoke``: run the benchmarks, print a table, write results JSON.

    python -m bench.run [--smoke] [--only NAME ...] [--reps N] [--out FILE]

Benchmarks: lineinfile (item 1), copy (item 2, 10,000 entries), role (item 3), lookup (item 4),
fleet (item 5, 20 hosts, and the operator settings), maillog (helo_rejections_info's log reader),
preflight (the judge's cost). The heavy sizes are benchmarks of their own, run by ``make bench-heavy``
(``--heavy``): copy-heavy (item 2 at 100,000 entries) and fleet-heavy (item 5 at 50 hosts); each
takes about as long as all the others together. See docs/performance.md for what each number means.
"""

import argparse
import datetime
import os
import sys
import time

from . import bench_lookup, bench_module, measure, results

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STANDARD = ("lineinfile", "copy", "role", "lookup", "fleet", "maillog", "preflight")
HEAVY = ("copy-heavy", "fleet-heavy")
BENCHMARKS = STANDARD + HEAVY

# Sizes and repetitions: the full run (make bench, make bench-heavy) and the smoke run (make bench-smoke).
FULL = {"lineinfile_entries": 200, "copy_sizes": (10000,), "copy_heavy_sizes": (100000,), "lookup_entries": 10000,
        "lookup_queries": 1000, "fleet_sizes": (20,), "fleet_heavy_sizes": (50,), "fleet_reps": 1, "reps": 3,
        "lookup_reps": 5, "run_timeout": 900, "maillog_lines": 1000000}
SMOKE = {"lineinfile_entries": 10, "copy_sizes": (500,), "copy_heavy_sizes": (5000,), "lookup_entries": 1000,
         "lookup_queries": 100, "fleet_sizes": (2,), "fleet_heavy_sizes": (3,), "fleet_reps": 1, "reps": 1,
         "lookup_reps": 1, "run_timeout": 300, "maillog_lines": 20000}


def _log(message):
    print(message, flush=True)


def _set_default_env():
    """The environment `make` exports, for a direct ``python -m bench.run``."""
    venv_bin = os.path.join(TOP, ".venv", "bin")
    defaults = {
        "ANSIBLE_COLLECTIONS_PATH": os.path.join(TOP, ".collections"),
        "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
        "ANSIBLE_ROLES_PATH": os.path.join(TOP, "roles"),
        "ANSIBLE_LOCAL_TEMP": os.path.join(TOP, ".cache", "ansible-local"),
        "ANSIBLE_PYTHON_INTERPRETER": os.path.join(venv_bin, "python"),
        "ANSIBLE_NOCOLOR": "1",
    }
    for name, value in defaults.items():
        os.environ.setdefault(name, value)
    if venv_bin not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = venv_bin + os.pathsep + os.environ.get("PATH", "")


def run_benchmark(name, sizes, reps, explicit_reps=None):
    if name == "lineinfile":
        return bench_module.lineinfile_loop(sizes["lineinfile_entries"], reps, _log)
    if name in ("copy", "copy-heavy"):
        # Each helo_access run is bounded; a size that does not finish is recorded as such.
        return bench_module.copy_scale(sizes["copy_sizes" if name == "copy" else "copy_heavy_sizes"],
                                       lambda size: reps, _log, run_timeout=sizes["run_timeout"])
    if name == "lookup":
        return bench_lookup.lookup_cost(sizes["lookup_entries"], sizes["lookup_queries"],
                                        max(reps, sizes["lookup_reps"]), _log)
    if name == "role":
        from . import bench_role  # pylint: disable=import-outside-toplevel
        return bench_role.role_vs_hand_written(reps, _log)
    if name in ("fleet", "fleet-heavy"):
        from . import bench_fleet  # pylint: disable=import-outside-toplevel
        # Setting up and rolling out to many hosts is heavy: one repetition unless --reps says otherwise;
        # the operator settings are measured at the standard size only.
        return bench_fleet.fleet_scale(sizes["fleet_sizes" if name == "fleet" else "fleet_heavy_sizes"],
                                       explicit_reps or sizes["fleet_reps"], _log, settings=name == "fleet")
    if name == "maillog":
        from . import bench_maillog  # pylint: disable=import-outside-toplevel
        return bench_maillog.maillog_scan(sizes["maillog_lines"], reps, _log)
    if name == "preflight":
        from . import bench_preflight  # pylint: disable=import-outside-toplevel
        return bench_preflight.preflight_cost(reps, _log)
    raise ValueError(name)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.run")
    parser.add_argument("--smoke", action="store_true", help="small sizes, one repetition (checks that it works)")
    parser.add_argument("--heavy", action="store_true",
                        help="run the heavy benchmarks (%s) instead of the standard ones" % ", ".join(HEAVY))
    parser.add_argument("--only", action="append", choices=BENCHMARKS,
                        help="run only these (repeatable); the other benchmarks' records in --out are kept")
    parser.add_argument("--reps", type=int, help="repetitions per measurement (median is reported)")
    parser.add_argument("--out", help="results JSON (default bench/results.json, smoke: .cache/bench/...)")
    parser.add_argument("--table", action="store_true", help="print the table of --out (or bench/results.json) and exit")
    parser.add_argument("--readme", action="store_true",
                        help="write the table of --out (or bench/results.json) into README.md's Performance section")
    parser.add_argument("--merge", action="append", metavar="FILE",
                        help="put the records of FILE (another run's --out) into --out, replacing those of the same "
                             "benchmarks, print the table and exit (two streams of one session, run side by side)")
    args = parser.parse_args(argv)
    if args.merge:
        out = args.out or os.path.join(TOP, "bench", "results.json")
        merged = results.merge_files(out, args.merge, BENCHMARKS)
        print(results.format_table(merged))
        return 0
    if args.readme:
        results.write_readme(os.path.join(TOP, "README.md"),
                             results.load(args.out or os.path.join(TOP, "bench", "results.json")))
        return 0
    if args.table:
        print(results.format_table(results.load(args.out or os.path.join(TOP, "bench", "results.json"))))
        return 0
    _set_default_env()
    sizes = SMOKE if args.smoke else FULL
    reps = args.reps or sizes["reps"]
    out = args.out or (os.path.join(TOP, ".cache", "bench", "results-smoke.json") if args.smoke
                       else os.path.join(TOP, "bench", "results.json"))
    environment = {"started": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                   "mode": "smoke" if args.smoke else "full"}
    environment.update(measure.machine())
    environment["versions"] = measure.tool_versions()
    _log("machine: %d CPUs, %.0f GB RAM, load average %s"
         % (environment["cpu_count"], environment["memory_gb"], environment["load_average"]))
    _log("versions: %s" % ", ".join("%s %s" % item for item in environment["versions"].items()))
    entries = []
    failures = []
    chosen = args.only or (HEAVY if args.heavy else STANDARD)
    for name in chosen:
        started = time.monotonic()
        _log("== %s" % name)
        try:
            entries += [dict(entry, benchmark=name) for entry in run_benchmark(name, sizes, reps, args.reps)]
        except measure.BenchError as error:
            failures.append(name)
            _log("%s FAILED: %s" % (name, error))
        _log("   %s took %.0f s" % (name, time.monotonic() - started))
    environment["load_average_end"] = [round(value, 2) for value in os.getloadavg()]
    environment["finished"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    _log("")
    _log(results.format_table(entries))
    _log("")
    _log("load average at the end: %s" % environment["load_average_end"])
    os.makedirs(os.path.dirname(out), exist_ok=True)
    # Records of the benchmarks not run now are kept, each with the facts of its own run.
    kept = results.kept_records(out, chosen)
    results.write_json(out, entries, environment, kept, BENCHMARKS)
    _log("wrote %s" % out)
    if failures:
        _log("FAILED benchmarks: %s" % ", ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
