#!/usr/bin/env python
# SPDX-License-Identifier: GPL-3.0-or-later
"""make demo: the role applied to a sandbox Postfix, then the SMTP dialog as a table.

    scripts/demo.py          start a sandbox Postfix on 127.0.0.1, roll the seed's
                             policy out to it with playbooks/demo/inventory and the
                             mailops.postfix.rollout playbook, show what the smtpd
                             answers to each HELO, run the playbook again
                             (changed=0), stop the instance
    scripts/demo.py --keep   leave the instance running (stop it with make demo-stop)
    scripts/demo.py stop     stop and remove a kept instance

MAILOPS_DEMO_DIR (default /tmp/mailops-demo) and MAILOPS_DEMO_PORT (default
2525) place the instance; the inventory reads the same variables. Nothing
outside that directory is touched, and the only traffic is to 127.0.0.1.
"""

import argparse
import os
import re
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, TOP)

from tests.harness.sandbox import PostfixSandbox, SandboxError  # noqa: E402 pylint: disable=wrong-import-position
from tests.harness.smtp_probe import probe  # noqa: E402 pylint: disable=wrong-import-position

INVENTORY = os.path.join(TOP, "playbooks", "demo", "inventory")
PLAYBOOK = "mailops.postfix.rollout"
RECIPIENT = "postmaster@sandbox.mailops.test"
# The HELO names of the seed and what the policy should do with each.
DEMO_HELOS = [
    ("mxbox50.bitwiz.net", "accepted"),
    ("50.0.0.1", "accepted"),
    ("[50.0.0.1]", "accepted"),
    ("other.bitwiz.net", "rejected"),
    ("nodots", "rejected"),
    (None, "rejected"),
]
RECAP_LINE = re.compile(r"^(?P<host>\S+)\s+:\s+ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)"
                        r"\s+failed=(?P<failed>\d+)")


def demo_settings():
    base_dir = os.environ.get("MAILOPS_DEMO_DIR", "/tmp/mailops-demo")
    port = int(os.environ.get("MAILOPS_DEMO_PORT", "2525"))
    return os.path.abspath(base_dir), port


def run_playbook(base_dir, port):
    """One run of the rollout playbook over the demo inventory; returns (recap, output)."""
    env = dict(os.environ, MAILOPS_DEMO_DIR=base_dir, MAILOPS_DEMO_PORT=str(port), ANSIBLE_NOCOLOR="1")
    completed = subprocess.run(["ansible-playbook", "-i", INVENTORY, PLAYBOOK], capture_output=True, text=True,
                               env=env, check=False, cwd=TOP)
    recap = [match.groupdict() for match in map(RECAP_LINE.match, completed.stdout.splitlines()) if match]
    if completed.returncode != 0 or not recap:
        raise SystemExit("demo: ansible-playbook failed (rc=%d)\n%s\n%s"
                         % (completed.returncode, completed.stdout, completed.stderr))
    return recap[0], completed.stdout


def dialog_row(address, port, helo, expected):
    steps = probe(address, port, helo=helo, rcpt_to=RECIPIENT, source_address="127.0.0.1")
    step, code, text = steps[-1]
    verdict = "accepted" if step == "RCPT TO" and 200 <= code < 300 else "rejected"
    first_line = text.splitlines()[0] if text else ""
    return {"helo": helo if helo is not None else "(no HELO)", "step": step, "code": str(code),
            "reply": first_line, "verdict": verdict, "expected": expected}


def format_table(rows):
    columns = [("HELO", "helo"), ("answered at", "step"), ("code", "code"), ("verdict", "verdict"), ("Postfix says", "reply")]
    widths = [max(len(title), *(len(row[key]) for row in rows)) for title, key in columns]
    lines = ["  ".join(title.ljust(width) for (title, _key), width in zip(columns, widths)).rstrip(),
             "  ".join("-" * width for width in widths)]
    for row in rows:
        lines.append("  ".join(row[key].ljust(width) for (_title, key), width in zip(columns, widths)).rstrip())
    return "\n".join(lines)


def recap_text(recap):
    return "%s: ok=%s changed=%s unreachable=%s failed=%s" % (
        recap["host"], recap["ok"], recap["changed"], recap["unreachable"], recap["failed"])


def stop(base_dir):
    if os.path.isfile(os.path.join(base_dir, "sandbox.json")):
        PostfixSandbox(base_dir).destroy()
        print("demo: stopped and removed the sandbox Postfix in %s" % base_dir)
    else:
        print("demo: no sandbox in %s" % base_dir)


def demo(base_dir, port, keep):
    if os.path.isfile(os.path.join(base_dir, "sandbox.json")):
        stop(base_dir)  # a demo left running with --keep
    elif os.path.exists(base_dir) and os.listdir(base_dir):
        raise SystemExit("demo: %s exists and is not a demo sandbox; set MAILOPS_DEMO_DIR to another path" % base_dir)
    os.makedirs(base_dir, exist_ok=True)
    os.chmod(base_dir, 0o755)
    subprocess.run([sys.executable, "-m", "tests.harness", "create", "--dir", base_dir, "--address", "127.0.0.1",
                    "--port", str(port)], check=True, cwd=TOP, stdout=subprocess.DEVNULL)
    sandbox = PostfixSandbox(base_dir, "127.0.0.1", port)
    try:
        sandbox.start()
        print("demo: sandbox Postfix %s listening on 127.0.0.1:%d (config dir %s)"
              % (sandbox.postconf("mail_version"), port, sandbox.config_dir))
        print("demo: ansible-playbook -i playbooks/demo/inventory %s" % PLAYBOOK)
        first_recap, _output = run_playbook(base_dir, port)
        print("      first run:  %s" % recap_text(first_recap))
        print()
        print("main.cf (postconf -c %s -h):" % sandbox.config_dir)
        for name in ("smtpd_helo_required", "smtpd_helo_restrictions"):
            print("  %s = %s" % (name, sandbox.postconf(name)))
        table_path = os.path.join(sandbox.config_dir, "helo_access")
        print("%s:" % table_path)
        with open(table_path) as table:
            for line in table.read().splitlines():
                print("  " + line)
        print()
        rows = [dialog_row("127.0.0.1", port, helo, expected) for helo, expected in DEMO_HELOS]
        print("SMTP dialogs from 127.0.0.1 (HELO checks answer at RCPT TO; without HELO, MAIL FROM is refused):")
        print(format_table(rows))
        print()
        second_recap, _output = run_playbook(base_dir, port)
        print("demo: second run: %s" % recap_text(second_recap))
        surprises = [row for row in rows if row["verdict"] != row["expected"]]
        if surprises or second_recap["changed"] != "0":
            raise SystemExit("demo: unexpected result: %s" % (surprises or recap_text(second_recap)))
        print("demo: every HELO answered as the policy says; the second run changed nothing.")
    finally:
        if keep:
            print("demo: the instance keeps running on 127.0.0.1:%d; stop it with: make demo-stop" % port)
        else:
            sandbox.destroy()
            print("demo: stopped the sandbox Postfix and removed %s" % base_dir)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="scripts/demo.py", description=__doc__.splitlines()[0])
    parser.add_argument("action", nargs="?", choices=["run", "stop"], default="run")
    parser.add_argument("--keep", action="store_true", help="leave the sandbox running (make demo-stop stops it)")
    args = parser.parse_args(argv)
    base_dir, port = demo_settings()
    try:
        if args.action == "stop":
            stop(base_dir)
        else:
            demo(base_dir, port, args.keep or os.environ.get("MAILOPS_DEMO_KEEP") == "1")
    except SandboxError as error:
        raise SystemExit("demo: %s" % error)
    return 0


if __name__ == "__main__":
    sys.exit(main())
