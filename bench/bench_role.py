# SPDX-License-Identifier: GPL-3.0-or-later
"""Item 3: the helo_guard role on one sandbox Postfix instance vs a playbook with one copy task.

The no-change run must write nothing and run no handler: both are counted
from the play (changed results in the recap, handler tasks started).
"""

import os
import shutil
import time

from tests.harness.sandbox import PostfixSandbox, make_base_dir

from . import measure, results, workload
from .bench_module import COPY_BODY, _vars
from .workspace import Workspace

ROLE_BODY = """\
  vars_files:
    - "{{ entries_file }}"
  roles:
    - role: mailops.postfix.helo_guard
      vars:
        helo_guard_config_dir: "{{ postfix_config_dir }}"
        helo_guard_entries: "{{ helo_entries }}"
"""

ROLE_ENTRIES = 200


def save_pristine(config_dir):
    """Keep main.cf as created, to reset a host before each first run."""
    shutil.copy2(os.path.join(config_dir, "main.cf"), os.path.join(config_dir, "main.cf.pristine"))


def reset_to_pristine(config_dir):
    """Back to the state before the role ever ran: original main.cf, no table, no backups."""
    for name in os.listdir(config_dir):
        if name.startswith("helo_access") or (name.startswith("main.cf") and name not in ("main.cf.pristine",)):
            os.unlink(os.path.join(config_dir, name))
    shutil.copy2(os.path.join(config_dir, "main.cf.pristine"), os.path.join(config_dir, "main.cf"))
    # copy2 keeps the old mtime, so postconf reads it at once (no 1.8 s wait on a young main.cf).
    past = time.time() - 60
    os.utime(os.path.join(config_dir, "main.cf"), (past, past))


def role_vs_copy(reps, log):
    space = Workspace()
    sandbox = PostfixSandbox(make_base_dir("mailops-bench-sbx-"), "127.0.0.1").create()
    try:
        sandbox.start()
        config_dir = sandbox.config_dir
        save_pristine(config_dir)
        entries_file = space.write_json("entries.json", {"helo_entries": workload.helo_entries(ROLE_ENTRIES)})
        role_playbook = space.playbook("role.yml", "helo_guard role", ROLE_BODY)
        copy_playbook = space.playbook("copy.yml", "copy", COPY_BODY)
        role_args = _vars(entries_file=entries_file, postfix_config_dir=config_dir)
        # Warm-up run; the table it writes is the copy baseline's source.
        measure.run_playbook(role_playbook, extra_args=role_args)
        with open(os.path.join(config_dir, "helo_access")) as table_file:
            source = space.write("source", table_file.read())
        copy_args = _vars(source_path=source, table_path=space.path("baseline"))

        runs = {key: [] for key in ("ours_first", "base_first", "ours_again", "base_again")}
        for rep in range(reps):
            reset_to_pristine(config_dir)
            space.remove("baseline")
            runs["ours_first"].append(measure.run_playbook(role_playbook, extra_args=role_args))
            runs["base_first"].append(measure.run_playbook(copy_playbook, extra_args=copy_args))
            runs["ours_again"].append(measure.run_playbook(role_playbook, extra_args=role_args))
            runs["base_again"].append(measure.run_playbook(copy_playbook, extra_args=copy_args))
            first, again = runs["ours_first"][-1], runs["ours_again"][-1]
            if first.changed_count() == 0 or first.handler_runs() == 0:
                raise measure.BenchError("the role's first run wrote nothing or ran no handler: %s" % first.recap)
            if again.changed_count() != 0 or again.handler_runs() != 0:
                raise measure.BenchError("the role's no-change run changed %s and ran %d handlers"
                                         % (again.changed_tasks(), again.handler_runs()))
            log("  rep %d: role %.2f/%.2f s (first: %d changed, %d handlers; no-change: %d changed, %d handlers),"
                " copy %.2f/%.2f s" % (rep + 1, first.wall_s, again.wall_s, first.changed_count(),
                                       first.handler_runs(), again.changed_count(), again.handler_runs(),
                                       runs["base_first"][-1].wall_s, runs["base_again"][-1].wall_s))
        records = []
        for phase, ours_key, base_key in (("first run", "ours_first", "base_first"),
                                          ("no-change run", "ours_again", "base_again")):
            ours_runs, base_runs = runs[ours_key], runs[base_key]
            counts = {"writes": measure.median([run.changed_count() for run in ours_runs]),
                      "handlers": measure.median([run.handler_runs() for run in ours_runs])}
            name = "helo_guard role, one instance, %d entries, %s" % (ROLE_ENTRIES, phase)
            records.append(results.record(name, "playbook", measure.median([run.wall_s for run in ours_runs]),
                                          "playbook with one copy task", measure.median([run.wall_s for run in base_runs]),
                                          goal=1.5, reps=reps, **counts))
            slowest = sorted(ours_runs[-1].tasks, key=lambda task: -task["seconds"])[:6]
            records.append(results.record(name, "task", measure.median([run.tasks_seconds() for run in ours_runs]),
                                          "the copy task", measure.median([run.task_seconds("baseline") for run in base_runs]),
                                          goal=1.5, reps=reps, note="ours: every task and handler of the role together",
                                          slowest_tasks=[[task["name"], round(task["seconds"], 3)] for task in slowest],
                                          task_count=len(ours_runs[-1].tasks), **counts))
        return records
    finally:
        sandbox.destroy()
        space.cleanup()
