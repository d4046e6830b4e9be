# SPDX-License-Identifier: GPL-3.0-or-later
"""mailops.postfix.preflight's convergence shortcuts, judged on real sandbox instances.

``wanted``: after a promotion recorded it, ``state=staged`` with the same value
says ``up_to_date`` (and stages nothing) only while the live files are byte
for byte and in owner, group and mode what that promotion left. ``services``:
the stage returns ``postconf -M``, ``-P``, ``-Px`` of the live config dir.
``reload``: the promotion reloads the running instance in the same module run.
"""

import os
import subprocess

from tests.functional.modules.preflight.test_preflight_judge import STRICT
from tests.functional.roles.helo_guard.helo_guard_run import candidates_of, reload_count
from tests.harness.ansible_run import run_module


def preflight(instance, **args):
    result = run_module("mailops.postfix.preflight", dict({"config_dir": instance.config_dir}, **args))
    assert not result.get("failed"), result
    return result


def edit_candidate(staged, **parameters):
    """What the role's postconf task does to the candidate's main.cf (postconf -e in the candidate)."""
    subprocess.run(["postconf", "-c", staged["candidate_config_dir"], "-e"]
                   + ["%s=%s" % item for item in parameters.items()], check=True)


def test_staged_is_up_to_date_only_for_the_same_wanted_bytes_and_attributes(sandbox_factory):
    instance = sandbox_factory(STRICT)
    main_cf = os.path.join(instance.config_dir, "main.cf")
    first = preflight(instance, state="staged", wanted="run-a", services=True)
    assert first["up_to_date"] is False and os.path.isdir(first["candidate_config_dir"]), first
    flags = [service["cmd"][-1] for service in first["services"]]
    assert flags == ["-M", "-P", "-Px"] and all(service["rc"] == 0 for service in first["services"]), first
    assert "smtpd" in first["services"][0]["stdout"], first["services"][0]
    edit_candidate(first, smtpd_helo_required="no")
    promoted = preflight(instance, state="promoted", candidate_dir=first["candidate_dir"], wanted="run-a")
    assert promoted["changed"] is True and promoted["promoted"] == [main_cf], promoted
    assert instance.postconf("smtpd_helo_required") == "no"

    again = preflight(instance, state="staged", wanted="run-a")
    assert again["up_to_date"] is True and "candidate_dir" not in again and "services" not in again, again
    assert not candidates_of(instance), "an up-to-date stage made a candidate"
    # Another wanted, or none, is not up to date (and stages a candidate as before).
    for args in ({"wanted": "run-b"}, {}):
        other = preflight(instance, state="staged", **args)
        assert other["up_to_date"] is False and os.path.isdir(other["candidate_dir"]), (args, other)
        preflight(instance, state="absent", candidate_dir=other["candidate_dir"])
    # The same bytes with another mode are not what the promotion left; the mode back, they are.
    os.chmod(main_cf, 0o600)
    changed_mode = preflight(instance, state="staged", wanted="run-a")
    assert changed_mode["up_to_date"] is False, changed_mode
    preflight(instance, state="absent", candidate_dir=changed_mode["candidate_dir"])
    os.chmod(main_cf, 0o644)
    assert preflight(instance, state="staged", wanted="run-a")["up_to_date"] is True
    # A hand edit (one more byte) is not up to date either.
    with open(main_cf, "a") as handle:
        handle.write("# edited by hand\n")
    edited = preflight(instance, state="staged", wanted="run-a")
    assert edited["up_to_date"] is False and edited["judge_needed"] is True, edited
    preflight(instance, state="absent", candidate_dir=edited["candidate_dir"])


def test_promoted_with_reload_reloads_in_the_same_run_and_leaves_the_handler_nothing(sandbox_factory):
    instance = sandbox_factory(STRICT)
    staged = preflight(instance, state="staged")
    edit_candidate(staged, smtpd_helo_required="no")
    before = reload_count(instance)
    promoted = preflight(instance, state="promoted", candidate_dir=staged["candidate_dir"], reload=True)
    assert promoted["changed"] is True and promoted["reloaded"] is True and promoted["loaded"] is True, promoted
    assert reload_count(instance) == before + 1
    handler = preflight(instance, state="loaded")
    assert handler["changed"] is False and handler["reloaded"] is False, handler
    assert reload_count(instance) == before + 1


def test_promoted_with_reload_on_a_stopped_instance_records_it_as_loaded(sandbox_factory):
    instance = sandbox_factory(STRICT, start=False)
    staged = preflight(instance, state="staged")
    edit_candidate(staged, smtpd_helo_required="no")
    promoted = preflight(instance, state="promoted", candidate_dir=staged["candidate_dir"], reload=True)
    assert promoted["changed"] is True and promoted["reloaded"] is False and promoted["loaded"] is True, promoted
    later = preflight(instance, state="staged")
    assert later["reload_needed"] is False, later
    preflight(instance, state="absent", candidate_dir=later["candidate_dir"])
    assert not candidates_of(instance)


def test_current_reads_only_and_says_what_staged_says(sandbox_factory):
    instance = sandbox_factory(STRICT)
    listing = sorted(os.listdir(instance.config_dir))
    report = preflight(instance, state="current", services=True,
                       parameters=["smtpd_helo_required", "myhostname"])
    assert report["changed"] is False and report["up_to_date"] is False and report["judge_needed"] is True, report
    assert report["parameters"] == {"smtpd_helo_required": "yes", "myhostname": instance.postconf("myhostname")}
    assert [service["cmd"][-1] for service in report["services"]] == ["-M", "-P", "-Px"]
    assert "candidate_dir" not in report and not candidates_of(instance)
    assert sorted(os.listdir(instance.config_dir)) == listing
