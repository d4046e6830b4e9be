# SPDX-License-Identifier: GPL-3.0-or-later
"""Warnings of mailops.postfix.postconf: settings that defeat themselves, judged on a real config dir."""

from tests.harness.ansible_run import run_module
from tests.functional.modules.postconf.postconf_judge import (
    MODULE, SEED_RESTRICTIONS, postfix_non_default, postfix_reads)


def test_every_self_defeating_setting_is_warned_about_and_still_set(config_dir):
    result = run_module(MODULE, {"config_dir": str(config_dir), "parameters": {
        "smtpd_helo_restrictions": [
            "reject_unknown_helo_hostname",
            "check_helo_access regexp:/etc/postfix/helo_access",
            "permit_mynetworks",
        ],
        "smtpd_client_restrictions": ["check_client_access cdb:/etc/postfix/client_access"],
        "smtpd_helo_requird": True,  # the typo: smtpd_helo_required stays at its default, no
    }})
    assert result["changed"] is True, result
    warnings = result["warnings"]
    expected = [
        "smtpd_helo_requird: Postfix does not know this parameter (a typo?)",
        "smtpd_helo_restrictions: 'check_helo_access regexp:/etc/postfix/helo_access' comes after "
        "'reject_unknown_helo_hostname': HELO names that it rejects never reach the access check",
        "smtpd_helo_restrictions: 'permit_mynetworks' comes after 'reject_unknown_helo_hostname'",
        "smtpd_client_restrictions: table 'cdb:/etc/postfix/client_access' uses type 'cdb', which this Postfix "
        "does not support (postconf -m)",
        "smtpd_helo_restrictions: reject_unknown_helo_hostname never run for a client that sends no HELO, "
        "because smtpd_helo_required is 'no'",
    ]
    for start in expected:
        assert [warning for warning in warnings if warning.startswith(start)], (start, warnings)
    assert len(warnings) == len(expected), warnings
    # warnings do not block: Postfix reads what was asked for, the typo included (as an unused parameter)
    values = postfix_reads(config_dir, ["smtpd_helo_restrictions", "smtpd_helo_required", "smtpd_helo_requird"])
    assert values == {
        "smtpd_helo_restrictions": "reject_unknown_helo_hostname, check_helo_access regexp:/etc/postfix/helo_access, "
                                   "permit_mynetworks",
        "smtpd_helo_required": "no",
        "smtpd_helo_requird": None,
    }
    _settings, postconf_warnings = postfix_non_default(config_dir)
    assert [warning for warning in postconf_warnings if "unused parameter: smtpd_helo_requird=yes" in warning]


def test_clean_settings_and_referenced_user_parameter_give_no_warning(config_dir):
    result = run_module(MODULE, {"config_dir": str(config_dir), "parameters": {
        "helo_checks": SEED_RESTRICTIONS,
        "smtpd_helo_restrictions": "$helo_checks",
        "smtpd_helo_required": True,
    }})
    assert result["changed"] is True, result
    assert result.get("warnings", []) == []
    assert postfix_reads(config_dir, ["helo_checks"]) == {"helo_checks": ", ".join(SEED_RESTRICTIONS)}


def test_helo_required_switched_off_under_existing_helo_checks(config_dir):
    first = run_module(MODULE, {"config_dir": str(config_dir), "parameters": {
        "smtpd_helo_required": True, "smtpd_helo_restrictions": SEED_RESTRICTIONS}})
    assert first.get("warnings", []) == [], first
    result = run_module(MODULE, {"config_dir": str(config_dir), "parameters": {"smtpd_helo_required": False}})
    assert result["changed"] is True
    assert len(result["warnings"]) == 1, result["warnings"]
    assert result["warnings"][0].startswith(
        "smtpd_helo_restrictions: reject_invalid_helo_hostname, reject_non_fqdn_helo_hostname, "
        "reject_unknown_helo_hostname never run for a client that sends no HELO")
