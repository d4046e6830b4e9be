# SPDX-License-Identifier: GPL-3.0-or-later
"""helo_guard_mode: observe logs what enforce would reject and lets the mail through; enforce rejects.

Judged over SMTP against a sandbox Postfix the role configured, and by the
log line smtpd wrote (read back with helo_rejections_info).
"""

import time

from tests.functional.roles.helo_guard.helo_guard_run import SEED_ENTRIES, reload_count
from tests.harness.ansible_run import run_module
from tests.harness.smtp_probe import probe, verdict

WARNING = "reject_warning: RCPT from unknown[127.0.0.3]: 504 5.5.2 <nodots>: Helo command rejected: " \
          "need fully-qualified hostname"


def rcpt(instance, helo, source="127.0.0.3"):
    step, code, _text = verdict(probe(instance.address, instance.port, helo=helo, source_address=source))
    return step, code


def wait_for_log(instance, text, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(instance.log_file) as log:
            if text in log.read():
                return True
        time.sleep(0.1)
    return False


def test_observe_logs_the_rejection_and_accepts_then_enforce_rejects(sandbox_factory, role_inventory, run_role):
    instance = sandbox_factory()
    table = "regexp:%s/helo_access" % instance.config_dir
    inventory = role_inventory(instance, host_vars={"helo_guard_mode": "observe", "helo_guard_entries": SEED_ENTRIES})
    observe = run_role(inventory)
    assert observe.rc == 0, observe
    assert instance.postconf("smtpd_helo_restrictions") == (
        "permit_mynetworks, permit_sasl_authenticated, check_helo_access %s, warn_if_reject, "
        "reject_invalid_helo_hostname, warn_if_reject, reject_non_fqdn_helo_hostname, warn_if_reject, "
        "reject_unknown_helo_hostname" % table)
    assert rcpt(instance, "nodots") == ("RCPT TO", 250)
    assert wait_for_log(instance, WARNING), instance.log_tail()
    assert rcpt(instance, "mxbox50.bitwiz.net") == ("RCPT TO", 250)

    report = run_module("mailops.postfix.helo_rejections_info", {"config_dir": instance.config_dir})
    observed = [item for item in report["rejections"] if item["helo"] == "nodots"]
    assert {(item["code"], item["warning_only"]) for item in observed} == {(504, True), (450, True)}, observed
    assert {"host": "nodots", "clients": ["127.0.0.3"]}.items() <= report["suggested_entries"][0].items()

    again = run_role(inventory)
    assert again.rc == 0 and again.recap["changed"] == 0, again
    assert reload_count(instance) == 1

    enforce = run_role(role_inventory(instance, host_vars={"helo_guard_mode": "enforce",
                                                           "helo_guard_entries": SEED_ENTRIES}))
    assert enforce.rc == 0 and enforce.recap["changed"] > 0, enforce
    assert instance.postconf("smtpd_helo_restrictions") == (
        "permit_mynetworks, permit_sasl_authenticated, check_helo_access %s, reject_invalid_helo_hostname, "
        "reject_non_fqdn_helo_hostname, reject_unknown_helo_hostname" % table)
    assert reload_count(instance) == 2
    assert rcpt(instance, "nodots") == ("RCPT TO", 504)
    assert rcpt(instance, "mxbox50.bitwiz.net") == ("RCPT TO", 250)


def test_an_unknown_mode_is_refused_before_anything_is_written(sandbox_factory, role_inventory, run_role):
    instance = sandbox_factory(start=False)
    with open(instance.config_dir + "/main.cf", "rb") as main_cf:
        before = main_cf.read()
    run = run_role(role_inventory(instance, host_vars={"helo_guard_mode": "watch", "helo_guard_entries": SEED_ENTRIES}))
    assert run.rc != 0 and run.recap["failed"] == 1, run
    assert "helo_guard_mode" in run.output and "watch" in run.output, run
    with open(instance.config_dir + "/main.cf", "rb") as main_cf:
        assert main_cf.read() == before
