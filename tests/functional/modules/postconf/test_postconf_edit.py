# SPDX-License-Identifier: GPL-3.0-or-later
"""mailops.postfix.postconf through ansible-playbook: edits judged by postconf -h / -n."""

import fcntl
import os
import threading
import time

from tests.harness.ansible_run import run_module
from tests.functional.modules.postconf.postconf_judge import (
    MODULE, SEED_RESTRICTIONS, SEED_RESTRICTIONS_PRINTED, main_cf_path, postfix_non_default, postfix_reads,
    read_bytes, write_main_cf)

CONTINUED_MAIN_CF = (
    "# mail server for example.org\n"
    "compatibility_level = 3.6\n"
    "\n"
    "smtpd_helo_restrictions = permit_mynetworks,\n"
    "\tcheck_helo_access regexp:/etc/postfix/helo_access,\n"
    "# reject_unknown_helo_hostname, (too strict for now)\n"
    "        reject_invalid_helo_hostname,\n"
    "        reject_non_fqdn_helo_hostname\n"
    "smtpd_helo_required=yes\n"
    "mynetworks = 127.0.0.0/8 [::1]/128\n"
    "   # indented comment\n"
    "biff = no\n"
)


def test_seed_settings_set_then_equal_meaning_is_no_write(config_dir):
    result = run_module(MODULE, {"config_dir": str(config_dir), "parameters": {
        "smtpd_helo_required": True, "smtpd_helo_restrictions": SEED_RESTRICTIONS}})
    assert result["changed"] is True, result
    assert result["changed_parameters"] == ["smtpd_helo_required", "smtpd_helo_restrictions"]
    assert "warnings" not in result or result["warnings"] == []
    assert postfix_reads(config_dir, ["smtpd_helo_required", "smtpd_helo_restrictions", "compatibility_level"]) == {
        "smtpd_helo_required": "yes", "smtpd_helo_restrictions": SEED_RESTRICTIONS_PRINTED,
        "compatibility_level": "3.6"}
    settings, warnings = postfix_non_default(config_dir)
    assert warnings == []
    assert read_bytes(config_dir).startswith(b"compatibility_level = 3.6\n")

    before = read_bytes(config_dir)
    mtime = os.stat(main_cf_path(config_dir)).st_mtime_ns
    # the same meaning, written differently: one string, mixed separators, YAML-style "yes"
    again = run_module(MODULE, {"config_dir": str(config_dir), "parameters": {
        "smtpd_helo_required": "yes",
        "smtpd_helo_restrictions": "permit_mynetworks,check_helo_access   regexp:/etc/postfix/helo_access "
                                   "reject_invalid_helo_hostname, reject_non_fqdn_helo_hostname,"
                                   "reject_unknown_helo_hostname"}})
    assert again["changed"] is False, again
    assert again["changed_parameters"] == []
    assert read_bytes(config_dir) == before
    assert os.stat(main_cf_path(config_dir)).st_mtime_ns == mtime
    assert settings["smtpd_helo_required"] == "yes"


def test_continuation_lines_compared_by_meaning_and_kept(config_dir):
    write_main_cf(config_dir, CONTINUED_MAIN_CF)
    mtime = os.stat(main_cf_path(config_dir)).st_mtime_ns
    unchanged = run_module(MODULE, {"config_dir": str(config_dir), "parameters": {
        "smtpd_helo_restrictions": ["permit_mynetworks", "check_helo_access", "regexp:/etc/postfix/helo_access",
                                    "reject_invalid_helo_hostname", "reject_non_fqdn_helo_hostname"],
        "mynetworks": "127.0.0.0/8, [::1]/128",
        "smtpd_helo_required": "YES"}})
    assert unchanged["changed"] is False, unchanged
    assert read_bytes(config_dir) == CONTINUED_MAIN_CF.encode()
    assert os.stat(main_cf_path(config_dir)).st_mtime_ns == mtime

    changed = run_module(MODULE, {"config_dir": str(config_dir), "parameters": {
        "smtpd_helo_restrictions": SEED_RESTRICTIONS}}, diff=True)
    assert changed["changed"] is True, changed
    assert changed["changed_parameters"] == ["smtpd_helo_restrictions"]
    assert changed["diff"]["before"] == CONTINUED_MAIN_CF
    assert read_bytes(config_dir).decode() == (
        "# mail server for example.org\n"
        "compatibility_level = 3.6\n"
        "\n"
        "smtpd_helo_restrictions =\n"
        "    permit_mynetworks,\n"
        "    check_helo_access regexp:/etc/postfix/helo_access,\n"
        "    reject_invalid_helo_hostname,\n"
        "    reject_non_fqdn_helo_hostname,\n"
        "    reject_unknown_helo_hostname\n"
        "# reject_unknown_helo_hostname, (too strict for now)\n"
        "smtpd_helo_required=yes\n"
        "mynetworks = 127.0.0.0/8 [::1]/128\n"
        "   # indented comment\n"
        "biff = no\n"
    )
    assert postfix_reads(config_dir, ["smtpd_helo_restrictions", "mynetworks", "biff"]) == {
        "smtpd_helo_restrictions": SEED_RESTRICTIONS_PRINTED, "mynetworks": "127.0.0.0/8 [::1]/128", "biff": "no"}


def test_duplicates_last_one_edited_dead_ones_removed(config_dir):
    write_main_cf(config_dir, (
        "smtpd_helo_required = yes\n"
        "# later someone added:\n"
        "smtpd_helo_required = no\n"
        "biff = no\n"
        "smtpd_helo_restrictions = reject_invalid_helo_hostname\n"
        "smtpd_helo_restrictions = permit_mynetworks,\n"
        "    reject_invalid_helo_hostname\n"
    ))
    result = run_module(MODULE, {"config_dir": str(config_dir), "parameters": {
        "smtpd_helo_required": True,
        "smtpd_helo_restrictions": ["permit_mynetworks", "reject_invalid_helo_hostname"]}})
    assert result["changed"] is True, result
    assert result["removed_definitions"] == [
        {"parameter": "smtpd_helo_required", "line": 1, "text": "smtpd_helo_required = yes"},
        {"parameter": "smtpd_helo_restrictions", "line": 5, "text": "smtpd_helo_restrictions = reject_invalid_helo_hostname"},
    ]
    assert any("smtpd_helo_required: removed the earlier definition on line 1" in warning
               for warning in result["warnings"]), result["warnings"]
    # the definition that counted was equal by meaning: kept as written, only the dead one removed
    assert read_bytes(config_dir).decode() == (
        "# later someone added:\n"
        "smtpd_helo_required = yes\n"
        "biff = no\n"
        "smtpd_helo_restrictions = permit_mynetworks,\n"
        "    reject_invalid_helo_hostname\n"
    )
    assert postfix_reads(config_dir, ["smtpd_helo_required", "smtpd_helo_restrictions"]) == {
        "smtpd_helo_required": "yes", "smtpd_helo_restrictions": "permit_mynetworks, reject_invalid_helo_hostname"}
    again = run_module(MODULE, {"config_dir": str(config_dir), "parameters": {"smtpd_helo_required": True}})
    assert again["changed"] is False, again


def test_absent_removes_every_definition(config_dir):
    write_main_cf(config_dir, "smtpd_helo_required = yes\nbiff = no\nsmtpd_helo_required = yes\n"
                              "smtpd_helo_restrictions = permit_mynetworks,\n  reject_invalid_helo_hostname\n")
    result = run_module(MODULE, {"config_dir": str(config_dir), "state": "absent", "parameters": {
        "smtpd_helo_required": None, "smtpd_helo_restrictions": None, "never_set": None}})
    assert result["changed"] is True, result
    assert result["changed_parameters"] == ["smtpd_helo_required", "smtpd_helo_restrictions"]
    assert read_bytes(config_dir) == b"biff = no\n"
    settings, warnings = postfix_non_default(config_dir)
    assert "smtpd_helo_required" not in settings and "smtpd_helo_restrictions" not in settings
    assert warnings == []
    assert postfix_reads(config_dir, ["smtpd_helo_required"]) == {"smtpd_helo_required": "no"}  # the default
    again = run_module(MODULE, {"config_dir": str(config_dir), "state": "absent",
                                "parameters": {"smtpd_helo_required": None}})
    assert again["changed"] is False, again


def test_check_mode_reports_and_writes_nothing(config_dir):
    before = read_bytes(config_dir)
    mtime = os.stat(main_cf_path(config_dir)).st_mtime_ns
    result = run_module(MODULE, {"config_dir": str(config_dir), "parameters": {"smtpd_helo_required": True}},
                        check=True, diff=True)
    assert result["changed"] is True, result
    assert result["changed_parameters"] == ["smtpd_helo_required"]
    assert result["diff"]["after"] == before.decode() + "smtpd_helo_required = yes\n"
    assert read_bytes(config_dir) == before
    assert os.stat(main_cf_path(config_dir)).st_mtime_ns == mtime
    assert postfix_reads(config_dir, ["smtpd_helo_required"]) == {"smtpd_helo_required": "no"}


def test_backup_and_create(config_dir, tmp_path):
    before = read_bytes(config_dir)
    result = run_module(MODULE, {"config_dir": str(config_dir), "backup": True, "mode": "0640",
                                 "parameters": {"smtpd_helo_required": True}})
    assert result["changed"] is True, result
    with open(result["backup_file"], "rb") as backup:
        assert backup.read() == before
    assert oct(os.stat(main_cf_path(config_dir)).st_mode & 0o777) == "0o640"

    new_dir = tmp_path / "postfix-out"
    new_dir.mkdir()
    (new_dir / "master.cf").write_text("")
    nothing_to_remove = run_module(MODULE, {"config_dir": str(new_dir), "state": "absent",
                                            "parameters": {"smtpd_helo_required": None}})
    assert nothing_to_remove["changed"] is False, nothing_to_remove
    assert not os.path.exists(main_cf_path(new_dir))
    created = run_module(MODULE, {"config_dir": str(new_dir), "parameters": {"smtpd_helo_required": True}})
    assert created["changed"] is True, created
    assert read_bytes(new_dir) == b"smtpd_helo_required = yes\n"
    assert oct(os.stat(main_cf_path(new_dir)).st_mode & 0o777) == "0o644"
    assert postfix_reads(new_dir, ["smtpd_helo_required"]) == {"smtpd_helo_required": "yes"}


def test_repairs_a_main_cf_postconf_cannot_read(config_dir):
    write_main_cf(config_dir, "compatibility_level = 3.6\nmynetworks_style = subnets\n")
    result = run_module(MODULE, {"config_dir": str(config_dir), "parameters": {"mynetworks_style": "subnet"}})
    assert result["changed"] is True, result
    assert read_bytes(config_dir) == b"compatibility_level = 3.6\nmynetworks_style = subnet\n"
    assert postfix_reads(config_dir, ["mynetworks_style"]) == {"mynetworks_style": "subnet"}


def processes_holding_open(directory):
    """PIDs (other than ours) with ``directory`` itself open: the module keeps its lock fd on it."""
    holders = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            fds = os.listdir("/proc/%s/fd" % entry)
            if any(os.readlink("/proc/%s/fd/%s" % (entry, fd)) == directory for fd in fds):
                holders.append(int(entry))
        except OSError:
            continue
    return holders


def test_waits_for_the_lock_on_the_config_dir(config_dir):
    """While another writer holds the lock the module waits, then reads that writer's file."""
    dir_fd = os.open(str(config_dir), os.O_RDONLY)
    outcome = {}
    try:
        fcntl.flock(dir_fd, fcntl.LOCK_EX)
        worker = threading.Thread(target=lambda: outcome.update(run_module(
            MODULE, {"config_dir": str(config_dir), "parameters": {"smtpd_helo_required": True}})))
        worker.start()
        deadline = time.monotonic() + 30
        while not processes_holding_open(str(config_dir)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert processes_holding_open(str(config_dir)), "the module never opened the config dir to lock it"
        time.sleep(0.5)
        assert worker.is_alive(), outcome
        # the other writer's change, made while the module waits
        write_main_cf(config_dir, "compatibility_level = 3.6\nbiff = no\n")
    finally:
        fcntl.flock(dir_fd, fcntl.LOCK_UN)
        os.close(dir_fd)
    worker.join(60)
    assert outcome["changed"] is True, outcome
    assert read_bytes(config_dir) == b"compatibility_level = 3.6\nbiff = no\nsmtpd_helo_required = yes\n"


def test_long_commented_dist_file_changes_only_owned_lines(config_dir):
    fixture = os.path.join(os.path.dirname(__file__), "..", "..", "..", "unit", "plugins", "module_utils",
                           "main_cf", "fixtures", "main.cf.dist")
    with open(fixture) as dist_file:
        dist_text = dist_file.read()
    write_main_cf(config_dir, dist_text)
    result = run_module(MODULE, {"config_dir": str(config_dir), "parameters": {
        "mynetworks": ["127.0.0.0/8", "[::1]/128"], "smtpd_helo_required": True}})
    assert result["changed"] is True, result
    assert result["changed_parameters"] == ["mynetworks", "smtpd_helo_required"]
    expected = dist_text.replace("\nmynetworks = 127.0.0.0/8\n", "\nmynetworks = 127.0.0.0/8, [::1]/128\n")
    assert expected != dist_text
    assert read_bytes(config_dir).decode() == expected + "smtpd_helo_required = yes\n"
    assert postfix_reads(config_dir, ["mynetworks", "smtpd_helo_required", "debugger_command"]) == {
        "mynetworks": "127.0.0.0/8, [::1]/128", "smtpd_helo_required": "yes",
        "debugger_command": "PATH=/bin:/usr/bin:/usr/local/bin:/usr/X11R6/bin "
                            "ddd $daemon_directory/$process_name $process_id & sleep 5"}
