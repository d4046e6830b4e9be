# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""A throwaway Postfix instance that serves a candidate configuration on loopback.

The judge is a copy of the candidate config dir with a few settings appended
to main.cf (the last definition wins in Postfix) so that the instance cannot
touch the live one: its own queue, data and log directories, every inet
service rebound to a free port on 127.0.0.1, no chroot. Paths in main.cf and
master.cf that name a staged live file are rewritten to the judge's copy.

What the overrides change for the dialog, and why:

- ``mynetworks = 127.0.0.2/32``: the probes come from 127.0.0.1, outside it,
  so ``permit_mynetworks`` does not let every probe through (a default
  mynetworks contains 127.0.0.0/8).
- ``mydestination`` is the judge's own domain and ``local_recipient_maps``
  is empty: ``RCPT TO:<postmaster@...>`` is a local recipient whatever the
  candidate relays, so a HELO that passes is answered 250.
"""

from __future__ import annotations

import grp
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import time

from ansible_collections.mailops.postfix.plugins.module_utils.postfix import cli as postfix_cli
from ansible_collections.mailops.postfix.plugins.module_utils.preflight.errors import PreflightError

JUDGE_DOMAIN = "preflight.mailops.invalid"
PROBE_SOURCE = "127.0.0.1"
JUDGE_NETWORK = "127.0.0.2/32"
POSTLOG_SERVICE = "postlog    unix-dgram n  -       n       -       1       postlogd\n"
_MASTER_TOKEN = re.compile(r"\{[^}]*\}|\S+")
LOG_PROBLEM = re.compile(r"\b(fatal|panic|error): |warning: .*(unknown smtpd restriction|unsupported dictionary type|"
                         r"open database|table lookup problem|bad .* configuration|is unavailable)")


def free_port(address=PROBE_SOURCE):
    """A TCP port that is free on ``address`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind((address, 0))
        return listener.getsockname()[1]


def rewrite_paths(text, path_map):
    """``text`` with every whole-word occurrence of a live path replaced by its judge copy."""
    for live_path in sorted(path_map, key=len, reverse=True):
        text = re.sub(r"(?<![\w./-])%s(?![\w./-])" % re.escape(live_path), path_map[live_path].replace("\\", r"\\"), text)
    return text


def master_entries(text):
    """master.cf as a list of logical entries (continuation lines joined); comments dropped."""
    entries = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line[0].isspace() and entries:
            entries[-1] += " " + line.strip()
        else:
            entries.append(line.strip())
    return entries


def judge_master_cf(text, banner_token):
    """The judge's master.cf and the ports of the smtpd services to probe: ``(text, {service: port})``.

    Every inet smtpd service listens on its own free port on 127.0.0.1; other
    inet services (postscreen, for one) are left out, and when no inet smtpd
    is left the ``pass`` smtpd services (behind postscreen) are served on
    inet instead. Every service runs without chroot. Each probed service
    greets with ``banner_token`` in its banner (a last ``-o``, so it wins over
    the candidate's own): a port taken by another server between the choice
    of the port and the judge's start cannot answer for the candidate.
    """
    parsed = [_MASTER_TOKEN.findall(entry) for entry in master_entries(text)]
    parsed = [tokens for tokens in parsed if len(tokens) >= 8]
    serve_pass = not any(tokens[1] == "inet" and tokens[7] == "smtpd" for tokens in parsed)
    lines, ports = [], {}
    for tokens in parsed:
        if tokens[1] == "inet" or (serve_pass and tokens[1] == "pass" and tokens[7] == "smtpd"):
            if tokens[7] != "smtpd":
                continue
            port = free_port()
            ports[tokens[0]] = port
            tokens = ["%s:%d" % (PROBE_SOURCE, port), "inet"] + tokens[2:] + [
                "-o", "{ smtpd_banner = $myhostname ESMTP %s }" % banner_token]
        tokens[4] = "n"
        lines.append(" ".join(tokens) + "\n")
    if not any(tokens[0] == "postlog" for tokens in parsed):
        lines.append(POSTLOG_SERVICE)
    if not ports:
        raise PreflightError("master.cf defines no smtpd service: nothing would answer SMTP with this configuration")
    return "".join(lines), ports


class JudgeInstance:
    """The throwaway instance under ``base_dir``: ``build()``, ``start()``, ``stop()``."""

    def __init__(self, base_dir, run_command):
        self.base_dir = base_dir
        self.run_command = run_command
        self.config_dir = os.path.join(base_dir, "etc")
        self.queue_dir = os.path.join(base_dir, "queue")
        self.data_dir = os.path.join(base_dir, "data")
        self.log_dir = os.path.join(base_dir, "log")
        self.log_file = os.path.join(self.log_dir, "postfix.log")
        self.ports = {}
        # In every probed smtpd's banner: proof that a dialog talks to this judge (matrix.dialog).
        self.banner_token = "mailops-judge-%s" % secrets.token_hex(8)

    def overrides(self):
        return {
            "queue_directory": self.queue_dir, "data_directory": self.data_dir,
            "maillog_file": self.log_file, "maillog_file_prefixes": self.log_dir,
            "inet_interfaces": "all", "inet_protocols": "ipv4", "mynetworks": JUDGE_NETWORK,
            "mydestination": JUDGE_DOMAIN, "local_recipient_maps": "", "master_service_disable": "",
            "multi_instance_enable": "no",
        }

    def build(self, candidate_dir, path_map):
        """Copy the candidate into the judge's config dir with the overrides; rewrite staged paths."""
        shutil.copytree(candidate_dir, self.config_dir, symlinks=True)
        judge_map = {live: path.replace(candidate_dir, self.config_dir, 1) for live, path in path_map.items()}
        main_cf = _read(os.path.join(self.config_dir, "main.cf"))
        master_cf_text, self.ports = judge_master_cf(rewrite_paths(_read(os.path.join(self.config_dir, "master.cf")),
                                                                   judge_map), self.banner_token)
        _write(os.path.join(self.config_dir, "main.cf"), rewrite_paths(main_cf, judge_map))
        _write(os.path.join(self.config_dir, "master.cf"), master_cf_text)
        # postconf -e replaces a definition in place (an appended one would be
        # warned about as "overriding earlier entry").
        rc, out, err = self.run_command(["postconf", "-c", self.config_dir, "-e"]
                                        + ["%s=%s" % item for item in self.overrides().items()])
        if rc != 0:
            raise PreflightError("postconf cannot edit a copy of the candidate: %s" % (err or out).strip())
        postfix_cli.backdate(os.path.join(self.config_dir, "main.cf"))
        owners = self.owners()
        postfix_user = pwd.getpwnam(owners["mail_owner"])
        for directory in (self.queue_dir, self.data_dir, self.log_dir):
            os.makedirs(directory, exist_ok=True)
            os.chmod(directory, 0o755)
        os.chown(self.data_dir, postfix_user.pw_uid, postfix_user.pw_gid)
        self.quick_start(owners)
        return self

    def owners(self):
        """``mail_owner``, ``setgid_group`` and ``meta_directory`` of the judge (one postconf run)."""
        names = ("mail_owner", "setgid_group", "meta_directory")
        rc, out, err = self.run_command(["postconf", "-c", self.config_dir, "-h"] + list(names))
        lines = out.splitlines()
        if rc != 0 or len(lines) != len(names):
            raise PreflightError("postconf cannot read the candidate: %s" % (err or out).strip())
        return dict(zip(names, (line.strip() for line in lines)))

    def quick_start(self, owners):
        """The judge's queue directories as ``postfix-files`` lists them, and ``quick-start``.

        ``postfix start`` first runs the installation checks (``post-install
        create-missing``, which makes these directories, a scan of the queue
        and permission checks over the installation: 0.4 s here) unless
        ``quick-start`` is in the queue directory. For a brand-new queue
        directory that nothing else uses, the directories are all they
        would produce, so they are made here from Postfix's own list and the
        start takes 0.04 s. Without ``postfix-files`` the full start runs.
        """
        listing = os.path.join(owners["meta_directory"], "postfix-files")
        try:
            with open(listing) as handle:
                rows = [line.strip().split(":") for line in handle if line.startswith("$queue_directory")]
        except OSError:
            return
        user = pwd.getpwnam(owners["mail_owner"])
        group = grp.getgrnam(owners["setgid_group"]).gr_gid
        for row in rows:
            if len(row) < 5 or row[1] != "d":
                continue
            path = os.path.join(self.queue_dir, row[0][len("$queue_directory"):].lstrip("/"))
            os.makedirs(path, exist_ok=True)
            os.chown(path, 0 if row[2] == "root" else user.pw_uid, group if row[3] == "$setgid_group" else -1)
            os.chmod(path, int(row[4], 8))
        with open(os.path.join(self.queue_dir, "quick-start"), "w"):
            pass

    def start(self, timeout):
        """``postfix start`` and wait until every probed port listens; Postfix's words on failure."""
        rc, out, err = self.run_command(["postfix", "-c", self.config_dir, "start"])
        if rc != 0:
            raise PreflightError("postfix start refused the candidate: %s" % self.problems((err or out).strip()))
        deadline = time.monotonic() + timeout
        waiting = dict(self.ports)
        while waiting and time.monotonic() < deadline:
            waiting = {service: port for service, port in waiting.items() if not _listening(port)}
            if waiting:
                time.sleep(0.05)
        if waiting:
            raise PreflightError("the candidate's Postfix did not listen for %s within %d s: %s"
                                 % (", ".join(sorted(waiting)), timeout, self.problems()))

    def problems(self, first=""):
        """Postfix's own words: the fatal, panic and error lines (and telling warnings) of the judge's log."""
        lines = [first] if first else []
        for text in _log_problems(self.log_file):
            if text not in lines:
                lines.append(text)
        return " / ".join(lines) if lines else "(Postfix logged no reason)"

    def stop(self, timeout=10):
        """Stop the instance and leave none of its processes behind (stop_instance)."""
        stop_instance(self.config_dir, self.queue_dir, timeout)


def instance_processes(config_dir):
    """PIDs (other than ours) of the Postfix instance of ``config_dir``.

    ``postfix -c DIR`` puts ``MAIL_CONFIG=DIR`` in the environment of the
    master it starts, which every daemon of the instance inherits.
    """
    marker = ("MAIL_CONFIG=%s" % config_dir).encode()
    return [int(entry) for entry in os.listdir("/proc")
            if entry.isdigit() and int(entry) != os.getpid() and _environ_holds(entry, marker)]


def _environ_holds(pid, variable):
    """True when process ``pid``'s environment holds ``variable`` (b"NAME=value"); a gone process holds nothing."""
    try:
        with open("/proc/%s/environ" % pid, "rb") as environ:
            return variable in environ.read().split(b"\0")
    except OSError:
        return False


def _log_problems(log_file):
    """The text of each problem line (LOG_PROBLEM) of a Postfix log; nothing when it cannot be read."""
    try:
        with open(log_file, encoding="utf-8", errors="replace") as log:
            for line in log:
                if LOG_PROBLEM.search(line):
                    yield line.split(": ", 1)[-1].strip() if "]: " not in line else line.split("]: ", 1)[1].strip()
    except OSError:
        return


def master_pid(queue_dir):
    """The pid in ``queue_dir/pid/master.pid``, or None."""
    try:
        with open(os.path.join(queue_dir, "pid", "master.pid")) as pid_file:
            return int(pid_file.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def stop_instance(config_dir, queue_dir, timeout=10):
    """Stop the Postfix instance of ``config_dir`` and leave none of its processes behind.

    What ``postfix stop`` does (SIGTERM to the master, which stops its
    children), without its one-second sleeps: the master is signalled only
    when it is one of this instance's processes (a stale pid file of a killed
    run names no process of ours), then every process carrying this
    instance's MAIL_CONFIG is waited for, and killed when the time is up.
    """
    running = instance_processes(config_dir)
    master = master_pid(queue_dir)
    if master in running:
        _send(master, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while running and time.monotonic() < deadline:
        time.sleep(0.02)
        running = instance_processes(config_dir)
    for pid in running:
        _send(pid, signal.SIGKILL)


def _send(pid, signum):
    try:
        os.kill(pid, signum)
    except OSError:
        pass  # gone already


def _listening(port):
    try:
        with socket.create_connection((PROBE_SOURCE, port), timeout=0.5):
            return True
    except OSError:
        return False


def _read(path):
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as handle:
            return handle.read()
    except FileNotFoundError:
        return ""


def _write(path, text):
    with open(path, "w", encoding="utf-8", errors="surrogateescape") as handle:
        handle.write(text)
    postfix_cli.backdate(path)
