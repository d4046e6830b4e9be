# SPDX-License-Identifier: GPL-3.0-or-later
"""Warnings about settings that defeat themselves (pure analysis; the module's use is in the integration tests)."""

from ansible_collections.mailops.postfix.plugins.module_utils.main_cf import restrictions as checks

SEED = ("permit_mynetworks, check_helo_access regexp:/etc/postfix/helo_access, reject_invalid_helo_hostname, "
        "reject_non_fqdn_helo_hostname, reject_unknown_helo_hostname")


def test_restriction_steps_pair_arguments():
    assert checks.restriction_steps("permit_mynetworks, check_helo_access regexp:/x,reject_rbl_client zen.example") == [
        ("permit_mynetworks", None), ("check_helo_access", "regexp:/x"), ("reject_rbl_client", "zen.example")]


def test_seed_order_is_clean():
    assert checks.order_warnings("smtpd_helo_restrictions", SEED) == []


def test_access_check_after_reject_of_same_subject():
    warnings = checks.order_warnings(
        "smtpd_helo_restrictions", "reject_unknown_helo_hostname, check_helo_access regexp:/etc/postfix/helo_access")
    assert warnings == [
        "smtpd_helo_restrictions: 'check_helo_access regexp:/etc/postfix/helo_access' comes after "
        "'reject_unknown_helo_hostname': HELO names that it rejects never reach the access check, so its OK entries "
        "cannot rescue them; put the access check first"]


def test_access_check_after_reject_of_other_subject_is_fine():
    assert checks.order_warnings("smtpd_recipient_restrictions",
                                 "reject_non_fqdn_sender, check_helo_access hash:/x, reject_unauth_destination") == []


def test_client_access_after_client_reject():
    warnings = checks.order_warnings("smtpd_client_restrictions",
                                     "reject_unknown_client_hostname, check_client_access cidr:/etc/postfix/clients")
    assert len(warnings) == 1 and "check_client_access cidr:/etc/postfix/clients" in warnings[0]


def test_trusting_permit_after_reject_and_unconditional_reject():
    warnings = checks.order_warnings("smtpd_helo_restrictions",
                                     "reject_invalid_helo_hostname, permit_mynetworks, reject, permit")
    assert len(warnings) == 2
    assert "'permit_mynetworks' comes after 'reject_invalid_helo_hostname'" in warnings[0]
    assert "everything after the unconditional 'reject'" in warnings[1]
    assert checks.order_warnings("smtpd_relay_restrictions", "permit_mynetworks, reject") == []
    # rejecting bad addresses before trusting the network is a common, deliberate order
    assert checks.order_warnings("smtpd_recipient_restrictions",
                                 "reject_non_fqdn_recipient, reject_unknown_sender_domain, permit_mynetworks, "
                                 "reject_unauth_destination") == []
    assert checks.order_warnings("smtpd_recipient_restrictions",
                                 "reject_unknown_reverse_client_hostname, permit_sasl_authenticated")


def test_helo_checks_need_helo_required():
    lists = {"smtpd_helo_restrictions": SEED, "smtpd_client_restrictions": "permit_mynetworks",
             "smtpd_recipient_restrictions": "reject_rhsbl_helo dbl.example"}
    warnings = checks.helo_required_warnings(lists, "no")
    assert len(warnings) == 2
    assert warnings[0].startswith("smtpd_helo_restrictions: reject_invalid_helo_hostname, "
                                  "reject_non_fqdn_helo_hostname, reject_unknown_helo_hostname never run")
    assert warnings[1].startswith("smtpd_recipient_restrictions: reject_rhsbl_helo never run")
    assert checks.helo_required_warnings(lists, "yes") == []
    assert checks.helo_required_warnings(lists, "YES") == []


def test_table_types_against_supported_set():
    without_pcre = {"hash", "regexp", "cidr", "proxy", "unix"}
    warnings = checks.table_type_warnings(
        "smtpd_helo_restrictions", "check_helo_access pcre:/etc/postfix/helo_access, check_policy_service inet:127.0.0.1:10023",
        without_pcre)
    assert warnings == [
        "smtpd_helo_restrictions: table 'pcre:/etc/postfix/helo_access' uses type 'pcre', which this Postfix does "
        "not support (postconf -m); install its map package (for example postfix-pcre) or use a supported type"]
    assert checks.table_type_warnings("header_checks", "pcre:/etc/postfix/header_checks", without_pcre)
    assert checks.table_type_warnings("alias_maps", "proxy:lmdb:/etc/aliases", without_pcre)
    assert checks.table_type_warnings("alias_maps", "proxy:unix:passwd.byname, hash:/etc/aliases", without_pcre) == []
    # not a table parameter: a colon means something else
    assert checks.table_type_warnings("relayhost", "smtp:[mx.example]:25", without_pcre) == []
