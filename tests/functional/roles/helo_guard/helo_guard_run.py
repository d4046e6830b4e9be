# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers for the helo_guard role tests: one ansible-playbook run and what it left behind."""

import os
import re

import yaml

from tests.harness.scratch import scratch_roots
from tests.harness.smtp_probe import probe, verdict

ROLE_PLAYBOOK = """\
- name: Apply helo_guard
  hosts: mail_servers
  gather_facts: false
  roles:
    - role: mailops.postfix.helo_guard
"""
RECAP_LINE = re.compile(r"^(?P<host>\S+)\s+:\s+ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)"
                        r"\s+failed=(?P<failed>\d+)\s+skipped=(?P<skipped>\d+)\s+rescued=(?P<rescued>\d+)")
SEED_ENTRIES = [{"host": "mxbox50.bitwiz.net"}, {"ip": "50.0.0.1"}, {"ip": "50.0.0.2"}]


class RoleRun:
    """The outcome of one ansible-playbook run: rc, output and the recap of host ``mx``."""

    def __init__(self, completed):
        self.rc = completed.returncode
        self.stdout = completed.stdout
        self.stderr = completed.stderr
        self.output = completed.stdout + completed.stderr
        recaps = [match.groupdict() for match in map(RECAP_LINE.match, self.stdout.splitlines()) if match]
        self.recap = {key: (int(value) if value.isdigit() else value) for key, value in recaps[0].items()} if recaps else {}

    def executed_tasks(self):
        """Names of the tasks and handlers that ran on the host (not skipped)."""
        executed = []
        current = None
        for line in self.stdout.splitlines():
            header = re.match(r"^(TASK|RUNNING HANDLER) \[(?P<name>.*)\] \**$", line)
            if header:
                current = header.group("name")
            elif current and re.match(r"^(ok|changed|fatal|failed|included): ", line):
                executed.append(current)
                current = None
        return executed

    def __repr__(self):
        return "RoleRun(rc=%d)\n%s\n%s" % (self.rc, self.stdout[-6000:], self.stderr[-3000:])


def assert_refused_in_one_sentence(run, message):
    """The run failed the host with ``message`` and showed nothing of Python's internals."""
    assert run.rc != 0 and run.recap["failed"] == 1, run
    # Once in the fail task's result and once in ansible-core 2.19's "[ERROR]: Task failed" echo of it.
    assert run.stdout.count(message) == 2 and "Action failed: " + message in run.stdout, run
    assert "Traceback" not in run.output and "_AnsibleTagged" not in run.output and "<class" not in run.output, run


def write_yaml(path, content):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as yaml_file:
        yaml.safe_dump(content, yaml_file, default_flow_style=False, sort_keys=False)


def rcpt_code(instance, helo):
    """``(step, code, text)`` of an SMTP dialog with ``helo`` against the instance (its HELO verdict)."""
    return verdict(probe(instance.address, instance.port, helo=helo))


def reload_count(instance):
    """How many times the instance's master has reloaded (Postfix logs each reload)."""
    try:
        with open(instance.log_file) as log:
            return sum(1 for line in log if "reload -- version" in line)
    except FileNotFoundError:
        return 0


def file_state(path):
    """Bytes and mtime of a file, or None: what "nothing was written" compares."""
    if not os.path.exists(path):
        return None
    with open(path, "rb") as handle:
        return handle.read(), os.stat(path).st_mtime_ns


def candidates_of(instance):
    """Scratch candidates (mailops-preflight-*) of this instance's config dir left in this test's temp dir."""
    return scratch_roots(instance.config_dir)
