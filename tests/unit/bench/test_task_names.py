# SPDX-License-Identifier: GPL-3.0-or-later
"""The benchmarks that time one of the role's tasks by name find it in the role's task files."""

import pathlib

import yaml

from bench import bench_preflight

ROLE = pathlib.Path(__file__).resolve().parents[3] / "roles" / "helo_guard"


def _task_names(tasks):
    for task in tasks or []:
        if "name" in task:
            yield task["name"]
        for key in ("block", "rescue", "always"):
            yield from _task_names(task.get(key))


def test_the_judge_task_the_preflight_bench_times_is_a_task_of_the_role():
    names = set()
    for path in (ROLE / "tasks").glob("*.yml"):
        names.update(_task_names(yaml.safe_load(path.read_text())))
    prefix = "mailops.postfix.helo_guard : "
    assert bench_preflight.JUDGE_TASK.startswith(prefix)
    assert bench_preflight.JUDGE_TASK[len(prefix):] in names
