# SPDX-License-Identifier: GPL-3.0-or-later
"""mailops.postfix.helo_rejections_info through ansible-playbook, on the log a real smtpd wrote.

The sandbox's smtpd answers HELO-rejected dialogs from two loopback source
addresses; its postlogd writes maillog_file. The module's counts are judged
against the dialogs the test ran, and its suggestions against the addresses
they came from.
"""

import gzip
import os
import shutil
import time

from tests.harness.ansible_run import run_module
from tests.harness.smtp_probe import probe, verdict

# Observe mode for reject_non_fqdn_helo_hostname: logged as reject_warning,
# then reject_invalid_helo_hostname rejects for real.
OBSERVING = {
    "smtpd_helo_required": "yes",
    "smtpd_helo_restrictions": "permit_mynetworks, warn_if_reject reject_non_fqdn_helo_hostname, "
                               "reject_invalid_helo_hostname",
}
DIALOGS = [("nodots", "127.0.0.3"), ("nodots", "127.0.0.3"), ("nodots", "127.0.0.4"), ("bad_name!", "127.0.0.4"),
           ("mx.example.org", "127.0.0.3")]


def run_dialogs(instance):
    """Each DIALOG once; returns the RCPT codes, and waits until postlogd has written every rejection."""
    codes = [verdict(probe(instance.address, instance.port, helo=helo, source_address=source))[1]
             for helo, source in DIALOGS]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _logged(instance, "Helo command rejected") < 5:
        time.sleep(0.1)
    assert _logged(instance, "Helo command rejected") == 5, instance.log_tail()
    return codes


def _logged(instance, text):
    with open(instance.log_file) as log:
        return sum(1 for line in log if text in line)


def by_key(rejections):
    return {(item["helo"], item["client_address"], item["code"], item["warning_only"]): item for item in rejections}


def test_counts_warnings_and_rejections_and_suggests_entries_bound_to_their_clients(sandbox_factory):
    instance = sandbox_factory(OBSERVING)
    # nodots: warned (504) and let through; bad_name!: warned, then rejected 501.
    assert run_dialogs(instance) == [250, 250, 250, 501, 250]

    result = run_module("mailops.postfix.helo_rejections_info", {"path": instance.log_file})
    assert not result.get("failed"), result
    assert result["changed"] is False and result["files"] == [instance.log_file]
    found = by_key(result["rejections"])
    assert set(found) == {("nodots", "127.0.0.3", 504, True), ("nodots", "127.0.0.4", 504, True),
                          ("bad_name!", "127.0.0.4", 504, True), ("bad_name!", "127.0.0.4", 501, False)}
    twice = found[("nodots", "127.0.0.3", 504, True)]
    assert twice["count"] == 2 and twice["client_name"] == "unknown"  # 127.0.0.3 has no PTR
    assert twice["reason"] == "need fully-qualified hostname"
    assert twice["first_seen"] <= twice["last_seen"] and twice["last_seen"][:4].isdigit()
    assert found[("bad_name!", "127.0.0.4", 501, False)]["reason"] == "Invalid name"
    assert result["rejections"][0]["count"] == 2, "most frequent first"
    # An entry may hold bad_name! as a host (only whitespace and "/" end a key); its one client is listed.
    suggested = {entry.get("host"): entry["clients"] for entry in result["suggested_entries"]}
    assert suggested == {"nodots": ["127.0.0.3", "127.0.0.4"], "bad_name!": ["127.0.0.4"]}


def test_reads_gzip_rotations_through_a_glob_and_filters_by_since(sandbox_factory):
    instance = sandbox_factory(OBSERVING)
    run_dialogs(instance)
    rotated = instance.log_file + ".1.gz"
    with open(instance.log_file, "rb") as log, gzip.open(rotated, "wb") as compressed:
        shutil.copyfileobj(log, compressed)
    past = time.time() - 3600
    os.utime(rotated, (past, past))

    result = run_module("mailops.postfix.helo_rejections_info", {"path": instance.log_file + "*"}, check=True)
    assert not result.get("failed"), result
    assert result["files"] == [rotated, instance.log_file], "oldest first"
    assert by_key(result["rejections"])[("nodots", "127.0.0.3", 504, True)]["count"] == 4

    recent = run_module("mailops.postfix.helo_rejections_info", {"path": instance.log_file + "*", "since": "10m"})
    assert by_key(recent["rejections"])[("nodots", "127.0.0.3", 504, True)]["count"] == 4
    future = run_module("mailops.postfix.helo_rejections_info",
                        {"path": instance.log_file + "*", "since": "2999-01-01"})
    assert future["rejections"] == [] and future["suggested_entries"] == []


def test_default_path_is_the_instances_maillog_file(sandbox_factory):
    instance = sandbox_factory(OBSERVING)
    run_dialogs(instance)
    result = run_module("mailops.postfix.helo_rejections_info", {"config_dir": instance.config_dir})
    assert not result.get("failed"), result
    assert result["files"] == [instance.log_file]
    assert sum(item["count"] for item in result["rejections"]) == 5


def test_a_path_that_does_not_exist_is_refused_in_one_sentence(tmp_path):
    missing = str(tmp_path / "no-such.log")
    result = run_module("mailops.postfix.helo_rejections_info", {"path": missing})
    assert result["failed"] and result["msg"] == "path %s does not exist" % missing
    glob_result = run_module("mailops.postfix.helo_rejections_info", {"path": str(tmp_path / "*.log")})
    assert glob_result["failed"] and glob_result["msg"] == "path %s/*.log matches no file" % tmp_path
    directory = run_module("mailops.postfix.helo_rejections_info", {"path": str(tmp_path)})
    assert directory["failed"] and directory["msg"] == "path %s is not a regular file" % tmp_path
    bad_since = run_module("mailops.postfix.helo_rejections_info", {"path": "/etc/hostname", "since": "last week"})
    assert bad_since["failed"] and bad_since["msg"].startswith("since 'last week' is neither an ISO 8601 date")
    assert "Traceback" not in bad_since["_stdout"]
