# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Record how long each task of a playbook ran and what it changed, for bench/.

Enabled only by bench/measure.py (ANSIBLE_CALLBACKS_ENABLED=mailops_bench_timer);
writes JSON to the file named by MAILOPS_BENCH_TIMER_OUT when the play ends.
"""

from __future__ import annotations

DOCUMENTATION = r"""
name: mailops_bench_timer
type: aggregate
short_description: task durations, changed counts and handler runs for bench/
description:
  - Writes one JSON file per playbook run, named by the environment variable E(MAILOPS_BENCH_TIMER_OUT).
requirements:
  - enabled in ANSIBLE_CALLBACKS_ENABLED
"""

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    """Task start/end times (monotonic clock), per-task changed hosts, handler runs, play recap."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "mailops_bench_timer"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self.started = time.monotonic()
        self.tasks = []

    def _start(self, task, handler):
        self.tasks.append({"name": task.get_name(), "action": task.action, "handler": handler,
                           "start": time.monotonic(), "end": None, "changed_hosts": [], "failed_hosts": [],
                           "ran_hosts": []})

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._start(task, False)

    def v2_playbook_on_handler_task_start(self, task):
        self._start(task, True)

    def _finish(self, result, changed=False, failed=False, ran=True):
        if not self.tasks:
            return
        current = self.tasks[-1]
        current["end"] = time.monotonic()
        host = result._host.get_name()
        if changed and host not in current["changed_hosts"]:
            current["changed_hosts"].append(host)
        if failed and host not in current["failed_hosts"]:
            current["failed_hosts"].append(host)
        if ran and host not in current["ran_hosts"]:
            current["ran_hosts"].append(host)

    def v2_runner_on_ok(self, result):
        self._finish(result, changed=bool(result._result.get("changed")))

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._finish(result, failed=not ignore_errors)

    def v2_runner_on_skipped(self, result):
        self._finish(result, ran=False)

    def v2_runner_on_unreachable(self, result):
        self._finish(result, failed=True)

    def v2_playbook_on_stats(self, stats):
        out = os.environ.get("MAILOPS_BENCH_TIMER_OUT")
        if not out:
            return
        recap = {host: stats.summarize(host) for host in sorted(stats.processed)}
        tasks = []
        for task in self.tasks:
            end = task["end"] if task["end"] is not None else task["start"]
            tasks.append(dict(task, seconds=end - task["start"]))
        with open(out, "w") as out_file:
            json.dump({"tasks": tasks, "recap": recap, "play_seconds": time.monotonic() - self.started}, out_file)
