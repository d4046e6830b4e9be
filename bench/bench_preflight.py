# SPDX-License-Identifier: GPL-3.0-or-later
"""What the pre-flight costs: the helo_guard role with its throwaway-smtpd judge vs without it.

Two sandbox Postfix instances (tests/harness, running, on 127.0.0.1), one per
side, run the same role on the seed's job (three entries, two main.cf
settings, a reload). "With" is the default (``helo_guard_preflight_smtpd:
true``: a throwaway Postfix instance of the candidate answers the SMTP
matrix); "without" keeps only the checks of Postfix's tools
(``helo_guard_preflight_smtpd: false``). Everything else (the staged
candidate, the promotion, the record) is the same on both sides, so the
ratio is the judge's cost. Phases, interleaved with/without in every
repetition: first run (pristine main.cf, no table, no record), no-change run
(must write nothing, run no handler and judge nothing: no candidate differs).
"""

import os

from tests.harness.sandbox import PostfixSandbox, make_base_dir

from . import measure, results, workload
from .bench_module import _vars
from .bench_role import reset_to_pristine, role_body, save_pristine
from .workspace import Workspace

BODY = role_body(helo_guard_preflight_smtpd="{{ preflight_smtpd }}")
PHASES = ("first run", "no-change run")
# The no-change run must not pay for the pre-flight at all (1.0, within noise).
GOALS = {"first run": None, "no-change run": 1.1}
# The promotion's task (roles/helo_guard/tasks/edit.yml, tests/unit/bench checks the name): a no-change run
# skips the whole include, so only the first run has it.
JUDGE_TASK = "mailops.postfix.helo_guard : Configure | edit the candidate, judge it and promote its changed files"


def _forget_record(box):
    """A first run: no convergence record either (it lives in the data_directory)."""
    record = os.path.join(box.data_dir, "mailops-preflight.json")
    if os.path.exists(record):
        os.unlink(record)


def _check(phase, side, run):
    if phase == "no-change run" and (run.changed_count() or run.handler_runs()):
        raise measure.BenchError("%s: the no-change run changed %s and ran %d handlers"
                                 % (side, run.changed_tasks(), run.handler_runs()))
    if phase == "no-change run" and any(task["name"] == JUDGE_TASK for task in run.ran_tasks()):
        raise measure.BenchError("%s: the no-change run judged a candidate" % side)
    if phase == "first run" and (not run.changed_count() or not run.handler_runs()):
        raise measure.BenchError("%s: the first run wrote nothing or did not reload" % side)


def preflight_cost(reps, log):
    space = Workspace()
    boxes = {side: PostfixSandbox(make_base_dir("mailops-bench-sbx-"), "127.0.0.1").create()
             for side in ("with", "without")}
    try:
        for box in boxes.values():
            box.start()
            save_pristine(box.config_dir)
        playbook = space.playbook("preflight.yml", "helo_guard with and without the smtpd judge", BODY)
        entries = space.write_json("entries.json", {"helo_entries": workload.seed_entries()})
        runs = {(side, phase): [] for side in boxes for phase in PHASES}
        for rep in range(reps):
            for side, box in boxes.items():
                reset_to_pristine(box.config_dir)
                _forget_record(box)
            for phase in PHASES:
                for side, box in boxes.items():
                    run = measure.run_playbook(playbook, extra_args=_vars(
                        entries_file=entries, postfix_config_dir=box.config_dir,
                        preflight_smtpd=(side == "with")))
                    _check(phase, side, run)
                    runs[(side, phase)].append(run)
            log("  rep %d: with %s s | without %s s (wall: first/no-change)"
                % (rep + 1, "/".join("%.2f" % runs[("with", phase)][-1].wall_s for phase in PHASES),
                   "/".join("%.2f" % runs[("without", phase)][-1].wall_s for phase in PHASES)))
        return [_record(phase, runs, reps) for phase in PHASES] + [_judge_record(runs, reps)]
    finally:
        for box in boxes.values():
            box.destroy()
        space.cleanup()


def _record(phase, runs, reps):
    with_runs, without_runs = runs[("with", phase)], runs[("without", phase)]
    return results.record(
        "helo_guard role with vs without the pre-flight's smtpd judge (seed's job), %s" % phase, "playbook",
        measure.median([run.wall_s for run in with_runs]), "the same role, helo_guard_preflight_smtpd: false",
        measure.median([run.wall_s for run in without_runs]), goal=GOALS[phase], reps=reps,
        writes=measure.median([run.changed_count() for run in with_runs]),
        handlers=measure.median([run.handler_runs() for run in with_runs]))


def _judge_record(runs, reps):
    """The judge-and-promote task alone, first run: the pre-flight's own cost."""
    return results.record(
        "preflight task (judge + promote) with vs without the smtpd judge, first run", "task",
        measure.median([run.task_seconds(JUDGE_TASK) for run in runs[("with", "first run")]]),
        "the same task, tools-only judge",
        measure.median([run.task_seconds(JUDGE_TASK) for run in runs[("without", "first run")]]), reps=reps)
