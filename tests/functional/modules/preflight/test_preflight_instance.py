# SPDX-License-Identifier: GPL-3.0-or-later
"""The judge's throwaway instance starts without postfix-script's installation checks.

``JudgeInstance.build`` makes the queue directories Postfix's own
``postfix-files`` lists (owner, group, mode) and leaves ``quick-start``, so
``postfix start`` goes straight to ``master -w``. Judged by Postfix: the
directories are what ``post-install create-missing`` would make, the start
consumes ``quick-start``, ``postfix status`` says running, and the instance
answers SMTP on its port.
"""

import grp
import os
import pwd
import stat
import subprocess

from ansible_collections.mailops.postfix.plugins.module_utils.preflight import instance as instance_module
from ansible_collections.mailops.postfix.plugins.module_utils.preflight import judging
from ansible_collections.mailops.postfix.plugins.module_utils.preflight.instance import JUDGE_DOMAIN, JudgeInstance
from tests.harness.smtp_probe import probe, verdict


def run_command(args, data=None):
    completed = subprocess.run(args, input=data, capture_output=True, text=True, check=False)
    return completed.returncode, completed.stdout, completed.stderr


def listed_directories(owners):
    with open(os.path.join(owners["meta_directory"], "postfix-files")) as listing:
        rows = [line.strip().split(":") for line in listing if line.startswith("$queue_directory")]
    return [row for row in rows if row[1] == "d"]


def test_the_judge_starts_quick_with_the_queue_directories_postfix_lists(sandbox_factory, scratch_tmpdir):
    instance = sandbox_factory()
    judge = JudgeInstance(os.path.join(scratch_tmpdir, "judge"), run_command).build(instance.config_dir, {})
    owners = judge.owners()
    rows = listed_directories(owners)
    assert len(rows) >= 10, rows
    for row in rows:
        path = os.path.join(judge.queue_dir, row[0][len("$queue_directory"):].lstrip("/"))
        status = os.stat(path)
        assert stat.S_IMODE(status.st_mode) == int(row[4], 8), (row, oct(status.st_mode))
        assert status.st_uid == (0 if row[2] == "root" else pwd.getpwnam(owners["mail_owner"]).pw_uid), row
        if row[3] == "$setgid_group":
            assert status.st_gid == grp.getgrnam(owners["setgid_group"]).gr_gid, row
    assert os.path.exists(os.path.join(judge.queue_dir, "quick-start"))
    try:
        judge.start(10)
        assert not os.path.exists(os.path.join(judge.queue_dir, "quick-start")), "postfix start did not take it"
        assert run_command(["postfix", "-c", judge.config_dir, "status"])[0] == 0
        port = list(judge.ports.values())[0]
        steps = probe("127.0.0.1", port, helo="mx.example.com", rcpt_to="postmaster@" + JUDGE_DOMAIN)
        assert steps[0][:2] == ("CONNECT", 220) and verdict(steps)[:2] == ("RCPT TO", 250), steps
        assert judge.banner_token in steps[0][2], steps[0]
    finally:
        judge.stop()
    assert run_command(["postfix", "-c", judge.config_dir, "status"])[0] == 1


def test_a_port_another_smtpd_took_is_not_asked_for_the_candidate(sandbox_factory, scratch_tmpdir, monkeypatch):
    """The judge picks its port before Postfix starts; another server may hold it by then. Here the port is forced
    onto a running sandbox that accepts every HELO (no restrictions). Both listen on it (seen: the kernel then hands
    each connection to one or the other), so over several judgements some dialogs reach the sandbox: none of its
    answers may be counted for the candidate, and the judgement says why it fails."""
    lax = sandbox_factory()
    candidate = sandbox_factory({"smtpd_helo_required": "yes", "smtpd_helo_restrictions": "reject_non_fqdn_helo_hostname"})
    monkeypatch.setattr(instance_module, "free_port", lambda address="127.0.0.1": lax.port)
    other_server = "127.0.0.1:%d is answered by another server" % lax.port
    refused = 0
    for attempt in range(10):
        result = judging.judge(run_command, candidate.config_dir, {}, os.path.join(scratch_tmpdir, str(attempt)),
                               {"accept_helo": ["nodots"]})
        assert result["passed"] is False, result
        # Only the judge's answers count: the candidate rejects nodots, the lax sandbox would accept it.
        assert all(answer["code"] == 504 for answer in result["answers"] if answer["helo"] == "nodots"), result
        if any(other_server in problem and "not by the judge" in problem for problem in result["problems"]):
            refused += 1
            if refused >= 2:
                break
    assert refused >= 1, "no dialog reached the other server in 10 judgements: the test proved nothing"
