# SPDX-License-Identifier: GPL-3.0-or-later
"""Item 5: the rollout over 20 and 50 hosts against a copy-and-command playbook over the same hosts.

One fleet of sandbox mail servers, each behind its own sshd on 127.0.1.N
(tests/harness/fleet.py), is brought up once for the largest size; each size
runs against the first N hosts. The baseline is what any playbook over those
hosts pays at least: one ``copy`` (the very table the rollout wrote) and one
``command`` per host, no batches. Both run with the same inventory (SSH
multiplexing, pipelining on), the same ``--forks``, interleaved: rollout
first run, baseline first run, rollout no-change run, baseline no-change run.
Before each first run the hosts go back to their pristine main.cf and no table.

Settings records (goal null) measure what an operator can change, on the
smallest size's no-change run: pipelining off, twice the forks, strategy free.
"""

import json
import os
import shutil
import tempfile
import time

from tests.harness.fleet import Fleet, FleetError

from . import measure, results, workload
from .bench_module import _vars
from .bench_role import reset_to_pristine, save_pristine
from .workspace import Workspace

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROLLOUT_PLAYBOOK = os.path.join(TOP, "playbooks", "rollout.yml")
FORKS = 10
FLEET_ENTRIES = 200
MEMORY_PER_HOST_MB = 80  # an sshd and an idle Postfix instance, with room to spare

BASELINE_PLAYBOOK = """\
- name: one copy and one command per host
  hosts: mail_servers
  gather_facts: false
  tasks:
    - name: baseline table
      ansible.builtin.copy:
        src: "{{ source_path }}"
        dest: "{{ helo_guard_config_dir }}/helo_access.copy"
        mode: "0644"

    - name: baseline command
      ansible.builtin.command:
        argv: [postconf, -c, "{{ helo_guard_config_dir }}", -h, smtpd_helo_restrictions]
      changed_when: false
"""
GOALS = {"first": 2.5, "no-change": 1.5}

ROLE_OVER_GROUP = """\
- name: helo_guard over the fleet
  hosts: mail_servers
  gather_facts: false
  vars_files:
    - "{{ entries_file }}"
  roles:
    - role: mailops.postfix.helo_guard
      vars:
        helo_guard_entries: "{{ helo_entries }}"
"""


def _available_memory_mb():
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) // 1024
    return 0


def _subset_inventory(space, fleet, count):
    inventory = fleet.inventory()
    group = inventory["all"]["children"][fleet.group]
    names = [host.name for host in fleet.hosts[:count]]
    group["hosts"] = {name: group["hosts"][name] for name in names}
    return space.write("inventory-%d.yml" % count, json.dumps(inventory))


def _rollout_command(space, entries):
    """The collection's rollout playbook as an admin runs it (or the role over the group without it)."""
    if os.path.isfile(ROLLOUT_PLAYBOOK):
        entries_file = space.write_json("entries.json", {"helo_guard_entries": entries, "helo_guard_smtp_probe": True})
        return ("mailops.postfix.rollout", "playbooks/rollout.yml (canary 1, then batches of 25%)",
                ["-e", "@%s" % entries_file])
    entries_file = space.write_json("entries.json", {"helo_entries": entries})
    return (space.write("role-over-group.yml", ROLE_OVER_GROUP), "the role over the group",
            _vars(entries_file=entries_file))


def _check_runs(count, first, again, who):
    changed_hosts = [host for host, counts in first.recap.items() if counts["changed"]]
    if len(changed_hosts) != count:
        raise measure.BenchError("%s: the first run over %d hosts changed only %d of them" % (who, count, len(changed_hosts)))
    if again.changed_count() != 0:
        raise measure.BenchError("%s: the no-change run over %d hosts changed %s" % (who, count, again.changed_tasks()))


class _FleetRuns:
    def __init__(self, space, fleet, sizes, entries):
        self.fleet = fleet
        self.playbook, self.how, self.extra = _rollout_command(space, entries)
        self.baseline = space.write("baseline.yml", BASELINE_PLAYBOOK)
        self.inventories = {count: _subset_inventory(space, fleet, count) for count in sizes}
        self.source = None
        self.space = space

    def reset(self, count):
        for host in self.fleet.hosts[:count]:
            reset_to_pristine(host.postfix.config_dir)

    def rollout(self, count, extra=(), env=None):
        return measure.run_playbook(self.playbook, inventory=self.inventories[count], env=env,
                                    extra_args=self.extra + ["--forks", str(FORKS)] + list(extra))

    def copy_and_command(self, count):
        if self.source is None:
            with open(os.path.join(self.fleet.hosts[0].postfix.config_dir, "helo_access")) as table_file:
                self.source = self.space.write("source", table_file.read())
        return measure.run_playbook(self.baseline, inventory=self.inventories[count],
                                    extra_args=_vars(source_path=self.source) + ["--forks", str(FORKS)])


def fleet_scale(sizes, reps, log, settings=True):
    largest = max(sizes)
    if _available_memory_mb() < largest * MEMORY_PER_HOST_MB:
        raise measure.BenchError("%d hosts need about %d MB free; %d MB available"
                                 % (largest, largest * MEMORY_PER_HOST_MB, _available_memory_mb()))
    space = Workspace()
    fleet_dir = tempfile.mkdtemp(prefix="mailops-bench-fleet-")
    fleet = Fleet(fleet_dir)
    try:
        started = time.monotonic()
        try:
            fleet.up(largest)
        except FleetError as error:
            raise measure.BenchError("fleet up failed: %s" % error) from error
        log("  fleet of %d hosts up in %.0f s" % (largest, time.monotonic() - started))
        for host in fleet.hosts:
            save_pristine(host.postfix.config_dir)
        runs = _FleetRuns(space, fleet, sizes, workload.helo_entries(FLEET_ENTRIES))
        walls = {}
        for rep in range(reps):
            for count in sizes:
                runs.reset(count)
                first = runs.rollout(count)
                base_first = runs.copy_and_command(count)
                again = runs.rollout(count)
                base_again = runs.copy_and_command(count)
                _check_runs(count, first, again, "rollout")
                _check_runs(count, base_first, base_again, "copy and command")
                for key, run in (("first", first), ("base first", base_first), ("no-change", again),
                                 ("base no-change", base_again)):
                    walls.setdefault((count, key), []).append(run.wall_s)
                    walls[(count, key, "last")] = run
                for host in fleet.hosts[:count]:
                    os.unlink(os.path.join(host.postfix.config_dir, "helo_access.copy"))
                log("  rep %d, %d hosts: rollout %.1f/%.1f s, copy and command %.1f/%.1f s (first/no-change)"
                    % (rep + 1, count, first.wall_s, again.wall_s, base_first.wall_s, base_again.wall_s))
        records = _records(sizes, reps, walls, runs.how)
        if settings:
            records += _settings_records(runs, min(sizes), log)
        return records
    finally:
        try:
            fleet.down()
        except FleetError as error:
            log("  fleet down: %s" % error)
        shutil.rmtree(fleet_dir, ignore_errors=True)
        space.cleanup()


def _records(sizes, reps, walls, how):
    records = []
    for phase in ("first", "no-change"):
        for count in sizes:
            ours = measure.median(walls[(count, phase)])
            last = walls[(count, phase, "last")]
            slowest = sorted(last.tasks, key=lambda task: -task["seconds"])[:8]
            records.append(results.record(
                "rollout %d hosts, forks %d, %s run" % (count, FORKS, phase), "playbook", ours,
                "one copy + one command per host, same hosts and forks", measure.median(walls[(count, "base " + phase)]),
                goal=GOALS[phase], reps=reps, playbook=how, per_host_s=round(ours / count, 3),
                tasks_run=len(last.ran_tasks()), module_calls=len(last.module_calls()),
                slowest_tasks=[[task["name"], round(task["seconds"], 2)] for task in slowest]))
    return records


def _settings_records(runs, count, log):
    """What pipelining and forks change on a no-change rollout (context, no goal).

    Each variant runs right after a run with the defaults (pipelining on,
    forks 10), so a busy moment hits both of a pair; one pair per variant.
    """
    variants = (("pipelining off, forks %d" % FORKS, ["-e", "ansible_ssh_pipelining=false"], None),
                ("pipelining on, forks %d" % (2 * FORKS), ["--forks", str(2 * FORKS)], None),
                ("strategy free, forks %d" % FORKS, [], {"ANSIBLE_STRATEGY": "free"}))
    records = []
    for label, extra, env in variants:
        pair = [runs.rollout(count), runs.rollout(count, extra, env)]
        for run in pair:
            if run.changed_count():
                raise measure.BenchError("no-change rollout (%s) changed %s" % (label, run.changed_tasks()))
        log("  %d hosts, no-change: defaults %.1f s, %s %.1f s" % (count, pair[0].wall_s, label, pair[1].wall_s))
        records.append(results.record("rollout %d hosts, no-change run, %s" % (count, label), "playbook",
                                      pair[1].wall_s, "pipelining on, forks %d" % FORKS, pair[0].wall_s, reps=1))
    return records
