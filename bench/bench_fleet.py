# SPDX-License-Identifier: GPL-3.0-or-later
"""Item 5: rolling the role out over 5, 20 and 50 hosts at forks 10.

One fleet of sandbox mail servers, each behind its own sshd on 127.0.1.N
(tests/harness/fleet.py), is brought up once for the largest size; each size
runs against the first N hosts, sizes interleaved within every repetition.
Before each first run the hosts go back to their pristine main.cf and no table.
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


def fleet_scale(sizes, reps, log):
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
        entries = workload.helo_entries(FLEET_ENTRIES)
        if os.path.isfile(ROLLOUT_PLAYBOOK):
            # As an admin runs it: the collection's playbook, its default batches (canary 1, then 25%).
            playbook, how = "mailops.postfix.rollout", "playbooks/rollout.yml (canary 1, then batches of 25%)"
            entries_file = space.write_json("entries.json", {"helo_guard_entries": entries,
                                                             "helo_guard_smtp_probe": True})
            extra = ["-e", "@%s" % entries_file]
        else:
            playbook, how = space.write("role-over-group.yml", ROLE_OVER_GROUP), "the role over the group"
            entries_file = space.write_json("entries.json", {"helo_entries": entries})
            extra = _vars(entries_file=entries_file)
        extra += ["--forks", str(FORKS)]
        inventories = {count: _subset_inventory(space, fleet, count) for count in sizes}
        walls = {(count, phase): [] for count in sizes for phase in ("first", "no-change")}
        for rep in range(reps):
            for count in sizes:
                for host in fleet.hosts[:count]:
                    reset_to_pristine(host.postfix.config_dir)
                first = measure.run_playbook(playbook, inventory=inventories[count], extra_args=extra)
                again = measure.run_playbook(playbook, inventory=inventories[count], extra_args=extra)
                changed_hosts = [host for host, counts in first.recap.items() if counts["changed"]]
                if len(changed_hosts) != count:
                    raise measure.BenchError("first rollout over %d hosts changed only %d of them"
                                             % (count, len(changed_hosts)))
                if again.changed_count() != 0:
                    raise measure.BenchError("no-change rollout over %d hosts changed %s"
                                             % (count, again.changed_tasks()))
                walls[(count, "first")].append(first.wall_s)
                walls[(count, "no-change")].append(again.wall_s)
                log("  rep %d, %d hosts: first %.1f s, no-change %.1f s" % (rep + 1, count, first.wall_s, again.wall_s))
        smallest = min(sizes)
        records = []
        for phase in ("first", "no-change"):
            base = measure.median(walls[(smallest, phase)])
            for count in sizes:
                if count == smallest:
                    continue
                records.append(results.record(
                    "rollout %d hosts vs %d, forks %d, %s run" % (count, smallest, FORKS, phase), "scale",
                    measure.median(walls[(count, phase)]), "%d hosts" % smallest, base,
                    goal=3.0 if count == largest else None, reps=reps, playbook=how,
                    per_host_s=round(measure.median(walls[(count, phase)]) / count, 3)))
        return records
    finally:
        try:
            fleet.down()
        except FleetError as error:
            log("  fleet down: %s" % error)
        shutil.rmtree(fleet_dir, ignore_errors=True)
        space.cleanup()
