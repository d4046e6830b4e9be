# SPDX-License-Identifier: GPL-3.0-or-later
"""`make demo` (scripts/demo.py) shows the README's table: the claims there are tested here."""

import os
import re
import subprocess
import sys

from tests.harness.sandbox import free_port, make_base_dir

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# HELO -> (step, code, verdict) as the README shows them.
EXPECTED_ROWS = {
    "mxbox50.bitwiz.net": ("RCPT TO", "250", "accepted"),
    "50.0.0.1": ("RCPT TO", "250", "accepted"),
    "[50.0.0.1]": ("RCPT TO", "250", "accepted"),
    "other.bitwiz.net": ("RCPT TO", "450", "rejected"),
    "nodots": ("RCPT TO", "504", "rejected"),
    "(no HELO)": ("MAIL FROM", "503", "rejected"),
}


def table_rows(output):
    """The rows of the printed table: HELO, answered at, code, verdict, Postfix says."""
    lines = output.splitlines()
    header = next(index for index, line in enumerate(lines) if line.startswith("HELO "))
    rows = {}
    for line in lines[header + 2:]:
        if not line.strip():
            break
        match = re.match(r"^(\S+(?: HELO\))?)\s+(RCPT TO|MAIL FROM)\s+(\d{3})\s+(accepted|rejected)\s+(.*)$", line)
        assert match, line
        rows[match.group(1)] = match.groups()[1:]
    return rows


def test_demo_prints_the_dialog_table_and_a_second_run_changes_nothing():
    base_dir = os.path.join(make_base_dir(prefix="mailops-demo-test-"), "demo")
    env = dict(os.environ, MAILOPS_DEMO_DIR=base_dir, MAILOPS_DEMO_PORT=str(free_port()))
    completed = subprocess.run([sys.executable, os.path.join(TOP, "scripts", "demo.py")], capture_output=True,
                               text=True, env=env, cwd=TOP, check=False, timeout=600)
    output = completed.stdout
    assert completed.returncode == 0, output + completed.stderr
    rows = table_rows(output)
    assert {helo: row[:3] for helo, row in rows.items()} == EXPECTED_ROWS
    assert "need fully-qualified hostname" in rows["nodots"][3]
    assert "send HELO/EHLO first" in rows["(no HELO)"][3]
    assert "Helo command rejected" in rows["other.bitwiz.net"][3]
    assert re.search(r"first run:\s+demo-mx: ok=\d+ changed=[1-9]\d* unreachable=0 failed=0", output), output
    assert re.search(r"second run: demo-mx: ok=\d+ changed=0 unreachable=0 failed=0", output), output
    assert "/^mxbox50\\.bitwiz\\.net$/ OK" in output
    # The instance is stopped and its directory removed when the demo ends.
    assert not os.path.exists(base_dir)
    os.rmdir(os.path.dirname(base_dir))
