# SPDX-License-Identifier: GPL-3.0-or-later
"""The role's promise, tried as an admin and a fault injector would: a run either leaves
Postfix on the new, working policy, or fails and leaves every live file as it was.

Every verdict is Postfix's: an SMTP dialog with the sandbox, postconf -h, postmap -q.
"""

import os
import random
import signal
import subprocess
import time

import pytest

from tests.functional.roles.helo_guard.helo_guard_run import (
    ROLE_PLAYBOOK, SEED_ENTRIES, candidates_of, file_state, reload_count)
from tests.harness.smtp_probe import probe, verdict

LIVE_FILES = ("main.cf", "helo_access")


def rcpt(instance, helo):
    return verdict(probe(instance.address, instance.port, helo=helo))[:2]


def live_state(instance):
    """Bytes and mtime of the live files, and the config dir's listing (temp files, backups)."""
    return ([file_state(os.path.join(instance.config_dir, name)) for name in LIVE_FILES],
            sorted(os.listdir(instance.config_dir)))


def judge_processes():
    """PIDs of throwaway judge instances (their MAIL_CONFIG is under a scratch root)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/environ" % pid, "rb") as environ:
                if b"MAIL_CONFIG=/tmp/mailops-preflight-" in environ.read():
                    found.append(int(pid))
        except OSError:
            continue
    return found


def seeded(sandbox_factory, role_inventory, run_role, **host_vars):
    instance = sandbox_factory(**host_vars)
    inventory = role_inventory(instance, host_vars={"helo_guard_entries": SEED_ENTRIES})
    first = run_role(inventory)
    assert first.rc == 0, first
    return instance


def assert_untouched(instance, before, reloads):
    """Nothing live changed, nothing left behind, no reload; the old policy still answers."""
    assert live_state(instance) == before, "a live file, a temp file or a backup changed"
    assert reload_count(instance) == reloads
    assert not candidates_of(instance) and not judge_processes()
    assert rcpt(instance, "mxbox50.bitwiz.net") == ("RCPT TO", 250)
    assert rcpt(instance, "nodots") == ("RCPT TO", 504)
    assert rcpt(instance, "new.bitwiz.net") == ("RCPT TO", 450), "the new entry must not be live"


@pytest.mark.parametrize("bad_vars, postfix_says", [
    ({"helo_guard_restrictions": ["permit_mynetworks", "check_helo_access nosuchtype:/x"]},
     "type nosuchtype is not supported by this Postfix"),
    # (names the table: a list without any check_helo_access is refused by the role before Postfix is asked)
    ({"helo_guard_restrictions": ["permit_mynetworks", "check_helo_access regexp:{{ helo_guard_table_path }}",
                                  "reject_bogus_helo_thing"]},
     "'reject_bogus_helo_thing' is not a restriction this smtpd knows"),
    ({"helo_guard_restrictions": ["check_helo_access regexp:/nonexistent/helo_access", "reject_non_fqdn_helo_hostname"]},
     "/nonexistent/helo_access"),
    ({"helo_guard_table_owner": "no-such-user-mailops"}, "no-such-user-mailops"),
    ({"helo_guard_table_mode": "0999"}, "0999"),
])
def test_a_refused_change_leaves_every_live_file_and_the_running_policy(
        sandbox_factory, role_inventory, run_role, bad_vars, postfix_says):
    instance = seeded(sandbox_factory, role_inventory, run_role)
    before, reloads = live_state(instance), reload_count(instance)
    host_vars = {"helo_guard_entries": SEED_ENTRIES + [{"host": "new.bitwiz.net"}]}
    host_vars.update(bad_vars)
    run = run_role(role_inventory(instance, host_vars=host_vars))
    assert run.rc != 0 and run.recap["failed"] == 1, run
    assert postfix_says in run.output, run
    assert "No live file was changed; Postfix was not reloaded." in run.output, run
    assert "Traceback" not in run.output
    assert_untouched(instance, before, reloads)


def test_backups_are_bounded_and_a_refused_run_leaves_none(sandbox_factory, role_inventory, run_role):
    instance = seeded(sandbox_factory, role_inventory, run_role)
    for number in range(4):
        inventory = role_inventory(instance, host_vars={
            "helo_guard_backups_keep": 2, "helo_guard_preflight_smtpd": False,
            "helo_guard_entries": SEED_ENTRIES + [{"host": "extra%d.bitwiz.net" % number}]})
        assert run_role(inventory).rc == 0
    names = os.listdir(instance.config_dir)
    # The table changed in every run (main.cf only in the first): at most 2 backups each.
    for live, kept in (("helo_access", 2), ("main.cf", 1)):
        backups = [name for name in names if name.startswith(live + ".") and name.endswith("~")]
        assert len(backups) == kept, (live, sorted(names))
    assert rcpt(instance, "extra3.bitwiz.net") == ("RCPT TO", 250)
    listing = sorted(os.listdir(instance.config_dir))
    refused = run_role(role_inventory(instance, host_vars={
        "helo_guard_entries": SEED_ENTRIES, "helo_guard_restrictions": ["check_helo_access nosuchtype:/x"]}))
    assert refused.rc != 0
    assert sorted(os.listdir(instance.config_dir)) == listing, "a refused run left a backup"


@pytest.fixture
def tmpfs_config_dir():
    """Mount a small tmpfs over a sandbox's config dir (its files copied in); unmounted afterwards."""
    mounted = []

    def mount(instance, size="512k"):
        saved = {name: open(os.path.join(instance.config_dir, name), "rb").read()
                 for name in os.listdir(instance.config_dir)}
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s,mode=0755" % size, "tmpfs", instance.config_dir],
                       check=True)
        mounted.append(instance)
        for name, data in saved.items():
            with open(os.path.join(instance.config_dir, name), "wb") as handle:
                handle.write(data)
            past = time.time() - 60
            os.utime(os.path.join(instance.config_dir, name), (past, past))

    yield mount
    for instance in mounted:
        instance.stop()
        subprocess.run(["umount", instance.config_dir], check=False)


def fill(directory, leave_bytes):
    """Fill the file system of ``directory`` until ``leave_bytes`` are free; returns the filler's path."""
    filler = os.path.join(directory, "zz-filler")
    stats = os.statvfs(directory)
    free = stats.f_bavail * stats.f_frsize
    with open(filler, "wb") as handle:
        handle.write(b"\0" * max(free - leave_bytes, 0))
    return filler


def test_a_full_disk_fails_with_a_sentence_and_leaves_old_or_nothing(
        sandbox_factory, role_inventory, run_role, tmpfs_config_dir):
    instance = sandbox_factory(start=False)
    tmpfs_config_dir(instance)
    instance.start()
    inventory = role_inventory(instance, host_vars={"helo_guard_entries": SEED_ENTRIES, "helo_guard_preflight_smtpd": False})
    assert run_role(inventory).rc == 0
    big_entries = SEED_ENTRIES + [{"host": "new.bitwiz.net"}] + [{"host": "peer%d.bitwiz.net" % n} for n in range(150)]
    inventory = role_inventory(instance, host_vars={"helo_guard_entries": big_entries, "helo_guard_preflight_smtpd": False})
    outcomes = []
    # From no room at all to room for the table but not for main.cf and its backup:
    # each size fails at another write of the promotion (or succeeds).
    for leave_pages in range(0, 6):
        before, reloads = live_state(instance), reload_count(instance)
        filler = fill(instance.config_dir, leave_pages * 4096)
        before = (before[0], sorted(os.listdir(instance.config_dir)))
        run = run_role(inventory)
        os.unlink(filler)
        if run.rc == 0:
            outcomes.append((leave_pages, "new"))
            break
        assert "the file system is full" in run.output, run
        assert "Traceback" not in run.output and "OSError" not in run.output
        assert live_state(instance)[0] == before[0], "a live file changed in a failed run"
        assert sorted(name for name in os.listdir(instance.config_dir) if name != "zz-filler") == \
            [name for name in before[1] if name != "zz-filler"], "a temp file or a backup was left"
        assert reload_count(instance) == reloads
        restored = "Restored as they were" in run.output
        outcomes.append((leave_pages, "old, restored" if restored else "old, nothing written"))
        assert rcpt(instance, "new.bitwiz.net") == ("RCPT TO", 450), "the new entry must not be live"
    print("full disk outcomes (free pages, result):", outcomes)
    assert any(result == "old, nothing written" for _pages, result in outcomes)
    # With room again, the same run converges.
    run = run_role(inventory)
    assert run.rc == 0, run
    assert rcpt(instance, "new.bitwiz.net") == ("RCPT TO", 250)


KILL_SEED = 1105
KILL_POINTS = 5
VARIANTS = [
    {"helo_guard_entries": SEED_ENTRIES + [{"host": "a-side.bitwiz.net"}]},
    {"helo_guard_entries": SEED_ENTRIES + [{"host": "b-side.bitwiz.net"}],
     "helo_guard_restrictions": ["permit_mynetworks", "check_helo_access regexp:{{ helo_guard_table_path }}",
                                 "reject_non_fqdn_helo_hostname", "reject_unknown_helo_hostname"]},
]


def killed_run(inventory_dir, playbook_path, delay):
    """ansible-playbook over the inventory, killed with SIGKILL (its whole session) after ``delay`` s."""
    process = subprocess.Popen(["ansible-playbook", "-i", inventory_dir, playbook_path], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True,
                               env=dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="0"))
    try:
        process.wait(timeout=delay)
        return "finished"
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return "killed"


def test_kill_9_at_random_points_then_a_rerun_converges(sandbox_factory, role_inventory, run_role, tmp_path):
    instance = sandbox_factory()
    inventory = role_inventory(instance, host_vars=VARIANTS[0])
    started = time.monotonic()
    assert run_role(inventory).rc == 0
    full_run = time.monotonic() - started
    playbook = tmp_path / "kill.yml"
    playbook.write_text(ROLE_PLAYBOOK)
    rng = random.Random(KILL_SEED)
    figures = []
    for point in range(KILL_POINTS):
        variant = VARIANTS[(point + 1) % 2]
        inventory = role_inventory(instance, host_vars=variant)
        old = [file_state(os.path.join(instance.config_dir, name)) for name in LIVE_FILES]
        reloads_before = reload_count(instance)
        delay = rng.uniform(0.3, full_run)
        how = killed_run(inventory, str(playbook), delay)
        interrupted = [file_state(os.path.join(instance.config_dir, name)) for name in LIVE_FILES]
        rerun = run_role(inventory)
        assert rerun.rc == 0, rerun
        new = [file_state(os.path.join(instance.config_dir, name)) for name in LIVE_FILES]
        # Each file was old or new at the kill, never partial.
        for name, at_kill, before, after in zip(LIVE_FILES, interrupted, old, new):
            assert at_kill[0] in (before[0], after[0]), "%s was partial after a kill at %.2f s" % (name, delay)
        mixed = [name for name, at_kill, before in zip(LIVE_FILES, interrupted, old) if at_kill[0] != before[0]]
        # The running instance serves the configured policy: reloaded after the last change.
        assert reload_count(instance) > reloads_before, "the rerun did not bring the running Postfix to the files"
        wanted, other = ("b-side", "a-side") if point % 2 == 0 else ("a-side", "b-side")
        assert rcpt(instance, wanted + ".bitwiz.net") == ("RCPT TO", 250)
        assert rcpt(instance, other + ".bitwiz.net") == ("RCPT TO", 450)
        assert rcpt(instance, "nodots") == ("RCPT TO", 504) and rcpt(instance, None)[1] == 503
        assert not candidates_of(instance) and not judge_processes(), "a candidate or a judge was left"
        assert not [name for name in os.listdir(instance.config_dir) if name.startswith(".")], "a temp file was left"
        figures.append({"delay_s": round(delay, 2), "run": how, "new_at_kill": mixed,
                        "rerun_changed": rerun.recap["changed"]})
    print("kill -9 points (seed %d, full run %.1f s):" % (KILL_SEED, full_run), figures)
    final = run_role(inventory)
    assert final.rc == 0 and final.recap["changed"] == 0, final
