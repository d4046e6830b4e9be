# SPDX-License-Identifier: GPL-3.0-or-later
"""The role's fast path: a run with nothing to do is one module run, anything else takes the full path.

The stage of the pre-flight (mailops.postfix.preflight state=staged) says
``up_to_date`` when the live files were judged and are exactly what the last
promotion of a run with the same inputs and code left; then the edit, judge
and promote tasks are skipped. Judged on a real sandbox: what ran (the task
headers), the bytes of main.cf and the table, postconf -h, reloads in the
instance's log.
"""

import json
import os
import subprocess

from tests.functional.roles.helo_guard.helo_guard_run import (
    SEED_ENTRIES, candidates_of, file_state, reload_count)

STAGE = "Configure | stage a candidate"
PROMOTE = "Configure | edit the candidate, judge it and promote its changed files"
EDIT = PROMOTE  # the edits happen in the promotion's own module run
MODULE_TASKS = (STAGE, PROMOTE, "Reload Postfix if it has not loaded", "Listeners | read the smtpd services",
                "Listeners | remove the candidate", "remove the candidate", "Clients | write each cidr table",
                "remove the cidr tables")


def module_tasks(run):
    """The tasks of the run that shipped a module to the host (controller-only tasks left out)."""
    return [name for name in run.executed_tasks() if any(marker in name for marker in MODULE_TASKS)]


def live_state(instance):
    return [file_state(os.path.join(instance.config_dir, name)) for name in ("main.cf", "master.cf", "helo_access")]


def test_a_no_change_run_is_one_module_run_and_every_change_takes_the_full_path(
        sandbox_factory, role_inventory, run_role):
    instance = sandbox_factory()
    inventory = role_inventory(instance, group_vars={"helo_guard_entries": SEED_ENTRIES})
    first = run_role(inventory)
    assert first.rc == 0 and first.recap["changed"] > 0, first
    assert reload_count(instance) == 1
    # The reload ran inside the promotion: the handler had nothing left to do.
    assert not [name for name in first.executed_tasks() if "Reload Postfix" in name], first.executed_tasks()

    before = live_state(instance)
    again = run_role(inventory)
    assert again.rc == 0 and again.recap["changed"] == 0, again
    assert [name.split(" : ")[-1] for name in module_tasks(again)] == [
        "Configure | stage a candidate copy of main.cf, master.cf and the table, unless they are as this run wants"], \
        again.executed_tasks()
    assert "the main.cf HELO policy applies" in again.output, "the listener report is missing on the fast path"
    assert live_state(instance) == before and reload_count(instance) == 1
    assert not candidates_of(instance)

    # Check mode on an up-to-date host: nothing to report, no candidate left.
    checked = run_role(inventory, check=True)
    assert checked.rc == 0 and checked.recap["changed"] == 0, checked
    assert live_state(instance) == before and not candidates_of(instance)

    # A hand edit of main.cf: the full path puts the policy back, judged, and reloads.
    instance.set_parameters({"smtpd_helo_required": "no"})
    repaired = run_role(inventory)
    assert repaired.rc == 0 and repaired.recap["changed"] > 0, repaired
    assert any(PROMOTE in name for name in repaired.executed_tasks()), repaired.executed_tasks()
    assert instance.postconf("smtpd_helo_required") == "yes" and reload_count(instance) == 2

    # Other inputs (one more entry): the full path writes it.
    inventory = role_inventory(instance, group_vars={"helo_guard_entries": SEED_ENTRIES + [{"host": "new.bitwiz.net"}]})
    grown = run_role(inventory)
    assert grown.rc == 0 and grown.recap["changed"] > 0, grown
    with open(os.path.join(instance.config_dir, "helo_access")) as table:
        assert "new\\.bitwiz\\.net" in table.read()
    assert reload_count(instance) == 3
    settled = run_role(inventory)
    assert settled.rc == 0 and settled.recap["changed"] == 0 and len(module_tasks(settled)) == 1, settled


def test_entries_that_can_expire_always_take_the_full_path(sandbox_factory, role_inventory, run_role):
    instance = sandbox_factory()
    entries = SEED_ENTRIES + [{"host": "temporary.bitwiz.net", "expires": "2999-01-01"}]
    inventory = role_inventory(instance, group_vars={"helo_guard_entries": entries})
    assert run_role(inventory).rc == 0
    again = run_role(inventory)
    assert again.rc == 0 and again.recap["changed"] == 0, again
    assert any(EDIT in name for name in again.executed_tasks()), again.executed_tasks()


def test_a_reload_lost_after_the_promotion_is_made_up_by_the_next_run(sandbox_factory, role_inventory, run_role):
    instance = sandbox_factory()
    inventory = role_inventory(instance, group_vars={"helo_guard_entries": SEED_ENTRIES})
    assert run_role(inventory).rc == 0 and reload_count(instance) == 1
    # As after a run killed between the promotion and its reload: the record says judged, not loaded.
    record_path = os.path.join(instance.data_dir, "mailops-preflight.json")
    with open(record_path) as handle:
        record = json.load(handle)
    record[os.path.normpath(instance.config_dir)]["loaded"] = None
    with open(record_path, "w") as handle:
        json.dump(record, handle)
    before = live_state(instance)
    rerun = run_role(inventory)
    assert rerun.rc == 0, rerun
    executed = rerun.executed_tasks()
    assert not any(EDIT in name for name in executed), executed
    assert any("a run was interrupted" in name for name in executed), executed
    assert any("Reload Postfix" in name for name in executed), executed
    assert reload_count(instance) == 2 and live_state(instance) == before
    final = run_role(inventory)
    assert final.rc == 0 and final.recap["changed"] == 0 and reload_count(instance) == 2, final


def test_a_table_made_writable_by_hand_gets_its_mode_back_and_then_settles(sandbox_factory, role_inventory, run_role):
    """Same bytes, other mode: a world-writable table would let anyone on the host weaken the policy."""
    instance = sandbox_factory()
    inventory = role_inventory(instance, group_vars={"helo_guard_entries": SEED_ENTRIES})
    assert run_role(inventory).rc == 0
    table = os.path.join(instance.config_dir, "helo_access")
    with open(table, "rb") as handle:
        written = handle.read()
    os.chmod(table, 0o666)

    repaired = run_role(inventory)
    assert repaired.rc == 0 and repaired.recap["changed"] > 0, repaired
    assert any(PROMOTE in name for name in repaired.executed_tasks()), repaired.executed_tasks()
    assert oct(os.stat(table).st_mode & 0o7777) == oct(0o644)
    with open(table, "rb") as handle:
        assert handle.read() == written
    answer = subprocess.run(["postmap", "-c", instance.config_dir, "-q", "mxbox50.bitwiz.net", "regexp:" + table],
                            capture_output=True, text=True, check=False)
    assert (answer.returncode, answer.stdout.strip(), answer.stderr) == (0, "OK", ""), answer

    settled = run_role(inventory)
    assert settled.rc == 0 and settled.recap["changed"] == 0 and len(module_tasks(settled)) == 1, settled
    assert oct(os.stat(table).st_mode & 0o7777) == oct(0o644)
