# SPDX-License-Identifier: GPL-3.0-or-later
"""Item 3: the helo_guard role against the playbook an admin writes by hand, on the seed's job.

The seed's job: three entries (README), the two main.cf settings and a reload.
The hand-written playbook does it with a ``copy`` of the table, two
``lineinfile`` tasks for main.cf and a reload handler. Each side manages its
own sandbox Postfix instance (tests/harness, running, on 127.0.0.1), so both
reload a live Postfix. Phases, interleaved ours/baseline in every repetition:
first run (pristine main.cf, no table), one entry changed, no-change run.

Before any time counts, both sides must end with the same table bytes and the
same two settings (``postconf -h``); the no-change run must write nothing and
run no handler on either side.
"""

import json
import os
import shutil
import subprocess
import time

from tests.harness.sandbox import PostfixSandbox, make_base_dir

from . import measure, results, workload
from .bench_module import _vars
from .workspace import Workspace


def role_body(**role_vars):
    """The play body that applies helo_guard to the sandbox of the inventory, with ``role_vars`` besides
    its config dir and entries (each value written as it is: a Jinja expression over the play's vars)."""
    role_vars = dict(helo_guard_config_dir="{{ postfix_config_dir }}", helo_guard_entries="{{ helo_entries }}",
                     **role_vars)
    return ("  vars_files:\n"
            "    - \"{{ entries_file }}\"\n"
            "  roles:\n"
            "    - role: mailops.postfix.helo_guard\n"
            "      vars:\n"
            + "".join("        %s: \"%s\"\n" % item for item in role_vars.items()))


ROLE_BODY = role_body()

# What an admin writes for the same job: the table, the two settings with the
# values the role wrote in its warm-up run (its defaults), a reload.
HAND_WRITTEN_BODY = """\
  tasks:
    - name: baseline table
      ansible.builtin.copy:
        src: "{{ source_path }}"
        dest: "{{ postfix_config_dir }}/helo_access"
        mode: "0644"
      notify: reload postfix

    - name: baseline smtpd_helo_required
      ansible.builtin.lineinfile:
        path: "{{ postfix_config_dir }}/main.cf"
        regexp: '^smtpd_helo_required\\s*='
        line: "smtpd_helo_required = yes"
      notify: reload postfix

    - name: baseline smtpd_helo_restrictions
      ansible.builtin.lineinfile:
        path: "{{ postfix_config_dir }}/main.cf"
        regexp: '^smtpd_helo_restrictions\\s*='
        line: "smtpd_helo_restrictions = {{ helo_restrictions }}"
      notify: reload postfix

  handlers:
    - name: reload postfix
      ansible.builtin.command:
        argv: [postfix, -c, "{{ postfix_config_dir }}", reload]
      changed_when: true
"""

PHASES = ("first run", "one entry changed", "no-change run")
GOALS = {"first run": 1.3, "one entry changed": 1.3, "no-change run": 1.0}


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


def _settings(config_dir):
    completed = subprocess.run(["postconf", "-c", config_dir, "-h", "smtpd_helo_required", "smtpd_helo_restrictions"],
                               capture_output=True, text=True, check=True)
    return [" ".join(value.replace(",", " ").split()) for value in completed.stdout.splitlines()]


def _same_result(ours_dir, base_dir, phase):
    """Both sides must have done the same job: same table bytes, same two settings."""
    with open(os.path.join(ours_dir, "helo_access"), "rb") as ours, open(os.path.join(base_dir, "helo_access"),
                                                                         "rb") as base:
        if ours.read() != base.read():
            raise measure.BenchError("the role and the hand-written playbook wrote different tables (%s)" % phase)
    ours_settings = [value.replace(ours_dir, "DIR") for value in _settings(ours_dir)]
    base_settings = [value.replace(base_dir, "DIR") for value in _settings(base_dir)]
    if ours_settings != base_settings:
        raise measure.BenchError("the role and the hand-written playbook set different values (%s): %s vs %s"
                                 % (phase, ours_settings, base_settings))


class _Sides:
    """The two sandboxes, the playbooks and their arguments."""

    def __init__(self, space, ours_box, base_box):
        self.space = space
        self.ours_dir, self.base_dir = ours_box.config_dir, base_box.config_dir
        self.role_playbook = space.playbook("role.yml", "helo_guard role", ROLE_BODY)
        self.base_playbook = space.playbook("hand-written.yml", "hand-written playbook", HAND_WRITTEN_BODY)
        self.entries = {
            "v1": space.write_json("entries-v1.json", {"helo_entries": workload.seed_entries()}),
            "v2": space.write_json("entries-v2.json", {"helo_entries": workload.seed_entries_changed()}),
        }
        self.sources = {}
        self.restrictions = None

    def ours(self, version):
        return measure.run_playbook(self.role_playbook, extra_args=_vars(
            entries_file=self.entries[version], postfix_config_dir=self.ours_dir))

    def baseline(self, version):
        return measure.run_playbook(self.base_playbook, extra_args=_vars(
            source_path=self.sources[version], postfix_config_dir=self.base_dir)
            + ["-e", json.dumps({"helo_restrictions": self.restrictions})])

    def render_sources(self):
        """Warm-up: the role writes v1, then edits it to v2; those tables are the copy baseline's sources."""
        reset_to_pristine(self.ours_dir)
        for version in ("v1", "v2"):
            self.ours(version)
            with open(os.path.join(self.ours_dir, "helo_access")) as table_file:
                self.sources[version] = self.space.write("source-%s" % version, table_file.read())
        completed = subprocess.run(["postconf", "-c", self.ours_dir, "-h", "smtpd_helo_restrictions"],
                                   capture_output=True, text=True, check=True)
        self.restrictions = completed.stdout.strip().replace(self.ours_dir, self.base_dir)


def _check_phase(phase, ours_run, base_run):
    for who, run in (("the role", ours_run), ("the hand-written playbook", base_run)):
        if phase == "no-change run" and (run.changed_count() or run.handler_runs()):
            raise measure.BenchError("%s changed %s and ran %d handlers on the no-change run"
                                     % (who, run.changed_tasks(), run.handler_runs()))
        if phase != "no-change run" and (not run.changed_count() or not run.handler_runs()):
            raise measure.BenchError("%s wrote nothing or did not reload on the %s" % (who, phase))


def role_vs_hand_written(reps, log):
    space = Workspace()
    ours_box = PostfixSandbox(make_base_dir("mailops-bench-sbx-"), "127.0.0.1").create()
    base_box = PostfixSandbox(make_base_dir("mailops-bench-sbx-"), "127.0.0.1").create()
    try:
        for box in (ours_box, base_box):
            box.start()
            save_pristine(box.config_dir)
        sides = _Sides(space, ours_box, base_box)
        sides.render_sources()
        runs = {(side, phase): [] for side in ("ours", "base") for phase in PHASES}
        for rep in range(reps):
            reset_to_pristine(sides.ours_dir)
            reset_to_pristine(sides.base_dir)
            for phase, version in zip(PHASES, ("v1", "v2", "v2")):
                ours_run, base_run = sides.ours(version), sides.baseline(version)
                _check_phase(phase, ours_run, base_run)
                _same_result(sides.ours_dir, sides.base_dir, phase)
                runs[("ours", phase)].append(ours_run)
                runs[("base", phase)].append(base_run)
            log("  rep %d: role %s s | hand-written %s s (wall: first/changed/no-change)"
                % (rep + 1, "/".join("%.2f" % runs[("ours", phase)][-1].wall_s for phase in PHASES),
                   "/".join("%.2f" % runs[("base", phase)][-1].wall_s for phase in PHASES)))
        return [record for phase in PHASES for record in _phase_records(phase, runs, reps)]
    finally:
        for box in (ours_box, base_box):
            box.destroy()
        space.cleanup()


def _phase_records(phase, runs, reps):
    ours_runs, base_runs = runs[("ours", phase)], runs[("base", phase)]
    last = ours_runs[-1]
    counts = {"writes": measure.median([run.changed_count() for run in ours_runs]),
              "handlers": measure.median([run.handler_runs() for run in ours_runs]),
              "tasks_run": len(last.ran_tasks()), "module_calls": len(last.module_calls()),
              "baseline_module_calls": len(base_runs[-1].module_calls())}
    name = "helo_guard role, seed's job (3 entries, 2 main.cf lines, reload), %s" % phase
    slowest = sorted(last.tasks, key=lambda task: -task["seconds"])[:8]
    return [
        results.record(name, "playbook", measure.median([run.wall_s for run in ours_runs]),
                       "hand-written playbook (copy, 2 lineinfile, reload handler)",
                       measure.median([run.wall_s for run in base_runs]), goal=GOALS[phase], reps=reps, **counts),
        results.record(name, "task", measure.median([run.tasks_seconds() for run in ours_runs]),
                       "the hand-written playbook's tasks and handler",
                       measure.median([run.tasks_seconds() for run in base_runs]), reps=reps,
                       note="every task and handler together, each side",
                       slowest_tasks=[[task["name"], round(task["seconds"], 3)] for task in slowest], **counts),
    ]
