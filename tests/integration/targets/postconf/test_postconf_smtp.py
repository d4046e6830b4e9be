# SPDX-License-Identifier: GPL-3.0-or-later
"""The module sets the seed's two settings on a running instance; after a reload smtpd enforces them."""

import os
import time

from tests.harness.ansible_run import run_module
from tests.harness.smtp_probe import probe, verdict
from tests.integration.targets.postconf.postconf_judge import MODULE, postfix_reads


def smtpd_pids(instance):
    pids = []
    for pid in instance.processes():
        try:
            with open("/proc/%d/comm" % pid) as comm:
                if comm.read().strip() == "smtpd":
                    pids.append(pid)
        except OSError:
            continue
    return pids


def reload_and_wait(instance, timeout=10):
    """``postfix reload`` returns before the master has acted: wait until the smtpd
    processes that served the old configuration are gone (bounded)."""
    old_pids = smtpd_pids(instance)
    instance.reload()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if "reload -- version" in instance.log_tail() and not set(old_pids) & set(smtpd_pids(instance)):
            return
        time.sleep(0.1)
    raise AssertionError("smtpd %s still running %ds after postfix reload" % (old_pids, timeout))


def test_seed_settings_enforced_by_smtpd_after_reload(sandbox_factory):
    instance = sandbox_factory()
    assert verdict(probe(instance.address, instance.port, helo="nodots"))[1] == 250  # lax before
    table = os.path.join(instance.config_dir, "helo_access")
    with open(table, "w") as table_file:
        table_file.write("/^mxbox50\\.bitwiz\\.net$/ OK\n")
    result = run_module(MODULE, {"config_dir": instance.config_dir, "parameters": {
        "smtpd_helo_required": True,
        "smtpd_helo_restrictions": [
            "permit_mynetworks",
            "check_helo_access regexp:%s" % table,
            "reject_invalid_helo_hostname",
            "reject_non_fqdn_helo_hostname",
            "reject_unknown_helo_hostname",
        ]}})
    assert result["changed"] is True, result
    assert result.get("warnings", []) == []
    assert postfix_reads(instance.config_dir, ["smtpd_helo_required"]) == {"smtpd_helo_required": "yes"}
    reload_and_wait(instance)

    steps = probe(instance.address, instance.port, helo="nodots")
    assert verdict(steps)[:2] == ("RCPT TO", 504), steps
    steps = probe(instance.address, instance.port, helo=None)
    assert verdict(steps)[:2] == ("MAIL FROM", 503), steps
    # the listed peer with an unresolvable name gets through the check_helo_access entry
    steps = probe(instance.address, instance.port, helo="mxbox50.bitwiz.net")
    assert verdict(steps)[:2] == ("RCPT TO", 250), steps
