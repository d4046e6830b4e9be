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
from tests.harness.scratch import judge_processes
from tests.harness.smtp_probe import probe, verdict

LIVE_FILES = ("main.cf", "helo_access")


def rcpt(instance, helo):
    return verdict(probe(instance.address, instance.port, helo=helo))[:2]


def rcpt_settled(instance, helo, expected, timeout=5):
    """The answer once a reload has taken effect: an idle smtpd of the old configuration may
    serve one more session right after ``postfix reload`` (tests/harness/sandbox.py, reload)."""
    deadline = time.monotonic() + timeout
    answer = rcpt(instance, helo)
    while answer != expected and time.monotonic() < deadline:
        time.sleep(0.2)
        answer = rcpt(instance, helo)
    return answer


def live_state(instance):
    """Bytes and mtime of the live files, and the config dir's listing (temp files, backups)."""
    return ([file_state(os.path.join(instance.config_dir, name)) for name in LIVE_FILES],
            sorted(os.listdir(instance.config_dir)))


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
    assert rcpt_settled(instance, "extra3.bitwiz.net", ("RCPT TO", 250)) == ("RCPT TO", 250)
    listing = sorted(os.listdir(instance.config_dir))
    refused = run_role(role_inventory(instance, host_vars={
        "helo_guard_entries": SEED_ENTRIES, "helo_guard_restrictions": ["check_helo_access nosuchtype:/x"]}))
    assert refused.rc != 0
    assert sorted(os.listdir(instance.config_dir)) == listing, "a refused run left a backup"


KILL_SEED = 1105
KILL_POINTS = 6
# exclusive: each variant's table holds only its own names (the other side's name must go).
VARIANTS = [
    {"helo_guard_entries": SEED_ENTRIES + [{"host": "a-side.bitwiz.net"}], "helo_guard_exclusive": True},
    {"helo_guard_entries": SEED_ENTRIES + [{"host": "b-side.bitwiz.net"}], "helo_guard_exclusive": True,
     "helo_guard_restrictions": ["permit_mynetworks", "check_helo_access regexp:{{ helo_guard_table_path }}",
                                 "reject_non_fqdn_helo_hostname", "reject_unknown_helo_hostname"]},
]


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
    # The table and main.cf both change, so that a write can fail after another succeeded.
    big_entries = SEED_ENTRIES + [{"host": "new.bitwiz.net"}] + [{"host": "peer%d.bitwiz.net" % n} for n in range(150)]
    inventory = role_inventory(instance, host_vars={"helo_guard_entries": big_entries, "helo_guard_preflight_smtpd": False,
                                                    "helo_guard_restrictions": VARIANTS[1]["helo_guard_restrictions"]})
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
    assert any(result == "old, restored" for _pages, result in outcomes), "no size failed after a first write"
    # With room again, the same run converges.
    run = run_role(inventory)
    assert run.rc == 0, run
    assert rcpt_settled(instance, "new.bitwiz.net", ("RCPT TO", 250)) == ("RCPT TO", 250)


# Where a kill lands: so many seconds after the run printed this task header (None: after the
# start), drawn uniformly from the given share of what was left of a reference run at that
# header, so that every point falls inside the run. The promotion's module run edits the
# candidate, judges it, then writes the changed files and reloads at its end (the handler only
# makes up a lost reload and does not run in a run that is not interrupted): one point is drawn
# from its last 40 %, and one within WRITTEN_SPAN seconds of the moment a live file changed (the
# promotion's renames, before its reload).
PROMOTION = "Configure | edit the candidate, judge it and promote"
WRITTEN = "a live file changed"
WRITTEN_SPAN = 0.15
KILL_POINTS_AFTER = ((None, 0.0, 1.0), ("Configure | stage a candidate", 0.0, 1.0), (PROMOTION, 0.0, 1.0),
                     (PROMOTION, 0.6, 1.0), (WRITTEN, 0.0, 1.0))
KILL_MARKERS = (None, "Configure | stage a candidate", PROMOTION)


def kill_tree(root_pid):
    """SIGKILL a process and every descendant (Ansible's workers run in sessions of their own, so
    killing the process group would leave the module running): stopped first so none forks away.
    A daemon that already left the tree (a judge's master) stays, as after a crash."""
    children = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/stat" % entry) as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(parent, []).append(int(entry))
    tree, pending = [], [root_pid]
    while pending:
        pid = pending.pop()
        tree.append(pid)
        pending.extend(children.get(pid, []))
    for sig in (signal.SIGSTOP, signal.SIGKILL):
        for pid in tree:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass


def _playbook_process(inventory_dir, playbook_path):
    return subprocess.Popen(["ansible-playbook", "-i", inventory_dir, playbook_path], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, start_new_session=True, text=True,
                            env=dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="0",
                                     PYTHONUNBUFFERED="1"))


def time_left_after(inventory_dir, playbook_path):
    """A reference run: for each kill marker (None: the start), the seconds from its header to the run's end."""
    started = time.monotonic()
    process = _playbook_process(inventory_dir, playbook_path)
    seen = {None: started}
    for line in process.stdout:
        for marker in KILL_MARKERS:
            if marker is not None and marker not in seen and marker in line:
                seen[marker] = time.monotonic()
    process.stdout.close()
    assert process.wait() == 0, "the reference run failed"
    ended = time.monotonic()
    assert set(seen) == set(KILL_MARKERS), "the reference run printed no header for %s" % (set(KILL_MARKERS) - set(seen))
    return {marker: ended - at for marker, at in seen.items()}


def _first_change(process, paths, timeout=60):
    """Wait until one of ``paths`` differs from its state now (True), or the run ended (False)."""
    before = [file_state(path) for path in paths]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if [file_state(path) for path in paths] != before:
            return True
        if process.poll() is not None:
            return False
        time.sleep(0.002)
    return False


def killed_run(inventory_dir, playbook_path, marker, delay, live_files=()):
    """ansible-playbook over the inventory, killed with SIGKILL (its whole tree) ``delay`` s after ``marker``
    (WRITTEN: after one of ``live_files`` changed; the run's output stays in the pipe, a role run's few KB)."""
    process = _playbook_process(inventory_dir, playbook_path)
    seen = marker is None
    if marker == WRITTEN:
        seen = _first_change(process, live_files)
    while not seen:
        line = process.stdout.readline()
        if not line:
            break
        seen = marker in line
    try:
        process.wait(timeout=delay)
        how = "finished"
    except subprocess.TimeoutExpired:
        kill_tree(process.pid)
        process.wait()
        how = "killed"
    process.stdout.close()
    return how if seen else "finished before the marker"


def test_kill_9_at_random_points_then_a_rerun_converges(sandbox_factory, role_inventory, run_role, tmp_path):
    instance = sandbox_factory()
    inventory = role_inventory(instance, host_vars=VARIANTS[0])
    assert run_role(inventory).rc == 0
    playbook = tmp_path / "kill.yml"
    playbook.write_text(ROLE_PLAYBOOK)
    # A changing run (the other variant) as the reference for where each point may fall, then
    # back to the first variant (role_inventory rewrites the one inventory of the instance).
    left = time_left_after(role_inventory(instance, host_vars=VARIANTS[1]), str(playbook))
    assert run_role(role_inventory(instance, host_vars=VARIANTS[0])).rc == 0
    rng = random.Random(KILL_SEED)
    figures = []
    for point in range(KILL_POINTS):
        variant = VARIANTS[(point + 1) % 2]
        inventory = role_inventory(instance, host_vars=variant)
        old = [file_state(os.path.join(instance.config_dir, name)) for name in LIVE_FILES]
        reloads_before = reload_count(instance)
        marker, low, high = KILL_POINTS_AFTER[point % len(KILL_POINTS_AFTER)]
        span = WRITTEN_SPAN if marker == WRITTEN else left[marker]
        delay = rng.uniform(low * span, high * span)
        how = killed_run(inventory, str(playbook), marker, delay,
                         [os.path.join(instance.config_dir, name) for name in LIVE_FILES])
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
        assert rcpt_settled(instance, wanted + ".bitwiz.net", ("RCPT TO", 250)) == ("RCPT TO", 250)
        assert rcpt_settled(instance, other + ".bitwiz.net", ("RCPT TO", 450)) == ("RCPT TO", 450)
        assert rcpt(instance, "nodots") == ("RCPT TO", 504) and rcpt(instance, None)[1] == 503
        assert not candidates_of(instance) and not judge_processes(), "a candidate or a judge was left"
        assert not [name for name in os.listdir(instance.config_dir) if name.startswith(".")], "a temp file was left"
        figures.append({"after": marker or "start", "delay_s": round(delay, 2), "run": how, "new_at_kill": mixed,
                        "rerun_changed": rerun.recap["changed"]})
    print("kill -9 points (seed %d, seconds left after each header in the reference run %s):"
          % (KILL_SEED, {marker or "start": round(seconds, 2) for marker, seconds in left.items()}), figures)
    assert sum(1 for figure in figures if figure["run"] == "killed") >= KILL_POINTS // 2, figures
    final = run_role(inventory)
    assert final.rc == 0 and final.recap["changed"] == 0, final


STREAM_LIMIT = 400


def smtp_stream(instance, stop, outcome):
    """Bounded SMTP transactions (a listed HELO, one message each) until ``stop`` or STREAM_LIMIT."""
    import smtplib  # pylint: disable=import-outside-toplevel
    while not stop.is_set() and outcome["transactions"] < STREAM_LIMIT:
        outcome["transactions"] += 1
        client = smtplib.SMTP(timeout=10, source_address=("127.0.0.1", 0))
        try:
            client.connect(instance.address, instance.port)
            replies = [client.ehlo("mxbox50.bitwiz.net")[0], client.mail("stream@bitwiz.net")[0],
                       client.rcpt("user@sandbox.mailops.test")[0]]
            code, text = client.data(b"Subject: stream %d\r\n\r\nbody\r\n" % outcome["transactions"])
            replies.append(code)
            if replies != [250, 250, 250, 250]:
                outcome["wrong"].append(replies)
            else:
                outcome["queued"].append(text.decode().rsplit(" ", 1)[-1])
            client.quit()
        except (smtplib.SMTPException, OSError) as error:
            outcome["errors"].append(str(error))
        finally:
            client.close()
        time.sleep(0.01)


def test_reloads_under_a_bounded_smtp_stream_lose_nothing(sandbox_factory, role_inventory, run_role):
    import threading  # pylint: disable=import-outside-toplevel
    instance = seeded(sandbox_factory, role_inventory, run_role)
    reloads_before = reload_count(instance)
    outcome = {"transactions": 0, "queued": [], "wrong": [], "errors": []}
    stop = threading.Event()
    stream = threading.Thread(target=smtp_stream, args=(instance, stop, outcome))
    stream.start()
    try:
        for number in range(3):
            run = run_role(role_inventory(instance, host_vars={
                "helo_guard_entries": SEED_ENTRIES + [{"host": "stream%d.bitwiz.net" % number}]}))
            assert run.rc == 0, run
    finally:
        stop.set()
        stream.join(timeout=60)
    reloads = reload_count(instance) - reloads_before
    deadline = time.monotonic() + 30
    delivered = set()
    while time.monotonic() < deadline:
        with open(instance.log_file) as log:
            delivered = {line.split(": ", 2)[1] for line in log if "status=sent" in line and ": " in line}
        if set(outcome["queued"]) <= delivered:
            break
        time.sleep(0.5)
    lost = sorted(set(outcome["queued"]) - delivered)
    print("reloads under an SMTP stream: %d reloads, %d transactions, %d errors, %d wrong answers, %d lost"
          % (reloads, outcome["transactions"], len(outcome["errors"]), len(outcome["wrong"]), len(lost)))
    assert reloads == 3
    assert outcome["transactions"] > 20, "the stream was too short to mean anything"
    assert not outcome["errors"] and not outcome["wrong"] and not lost, (outcome["errors"][:3], outcome["wrong"][:3], lost[:3])
