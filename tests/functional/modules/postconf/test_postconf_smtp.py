# SPDX-License-Identifier: GPL-3.0-or-later
"""The module sets the seed's two settings on a running instance; after a reload smtpd enforces them."""

import os

from tests.harness.ansible_run import run_module
from tests.harness.smtp_probe import probe, verdict
from tests.functional.modules.postconf.postconf_judge import MODULE, postfix_reads


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
    instance.reload()  # waits until the old smtpd processes are gone

    steps = probe(instance.address, instance.port, helo="nodots")
    assert verdict(steps)[:2] == ("RCPT TO", 504), steps
    steps = probe(instance.address, instance.port, helo=None)
    assert verdict(steps)[:2] == ("MAIL FROM", 503), steps
    # the listed peer with an unresolvable name gets through the check_helo_access entry
    steps = probe(instance.address, instance.port, helo="mxbox50.bitwiz.net")
    assert verdict(steps)[:2] == ("RCPT TO", 250), steps
