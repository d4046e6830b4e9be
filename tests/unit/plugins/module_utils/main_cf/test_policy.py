# SPDX-License-Identifier: GPL-3.0-or-later
"""main_cf.policy: the restriction list written for each helo_guard_mode."""

import pytest

from ansible_collections.mailops.postfix.plugins.module_utils.main_cf.policy import PolicyError, helo_restrictions

SEED = ["permit_mynetworks", "permit_sasl_authenticated", "check_helo_access regexp:/etc/postfix/helo_access",
        "reject_invalid_helo_hostname", "reject_non_fqdn_helo_hostname", "reject_unknown_helo_hostname"]


def test_enforce_writes_the_list_as_given():
    assert helo_restrictions(SEED, "enforce") == SEED


def test_observe_puts_warn_if_reject_before_every_reject_and_only_there():
    assert helo_restrictions(SEED + ["reject_rbl_client zen.example", "reject"], "observe") == [
        "permit_mynetworks", "permit_sasl_authenticated", "check_helo_access regexp:/etc/postfix/helo_access",
        "warn_if_reject", "reject_invalid_helo_hostname", "warn_if_reject", "reject_non_fqdn_helo_hostname",
        "warn_if_reject", "reject_unknown_helo_hostname", "warn_if_reject", "reject_rbl_client zen.example",
        "warn_if_reject", "reject"]


def test_observe_keeps_a_warn_if_reject_the_admin_wrote_and_splits_joined_elements():
    assert helo_restrictions(["warn_if_reject reject_non_fqdn_helo_hostname, reject_invalid_helo_hostname"],
                             "observe") == ["warn_if_reject", "reject_non_fqdn_helo_hostname", "warn_if_reject",
                                            "reject_invalid_helo_hostname"]


def test_an_unknown_mode_names_the_variable():
    with pytest.raises(PolicyError, match="helo_guard_mode must be one of enforce, observe, not 'watch'"):
        helo_restrictions(SEED, "watch")
