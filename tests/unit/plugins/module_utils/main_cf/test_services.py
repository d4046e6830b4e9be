# SPDX-License-Identifier: GPL-3.0-or-later
"""main_cf.services on output copied from postconf 3.7.11 (-M, -P, -Px of one master.cf)."""

import pytest

from ansible_collections.mailops.postfix.plugins.module_utils.main_cf.services import (
    ServiceCheckError, listener_report, receives_mail)

POSTCONF_M = """\
smtp       inet  n       -       y       -       -       smtpd -o smtpd_helo_restrictions=permit
127.0.0.1:2525 inet n    -       n       -       -       smtpd -o smtpd_helo_required=no
submission inet  n       -       y       -       -       smtpd -o syslog_name=postfix/submission -o smtpd_sasl_auth_enable=yes \
-o smtpd_helo_restrictions=$mua_helo
pickup     unix  n       -       y       60      1       pickup
"""
POSTCONF_P = """\
smtp/inet/smtpd_helo_restrictions = permit
127.0.0.1:2525/inet/smtpd_helo_required = no
submission/inet/smtpd_helo_restrictions = $mua_helo
submission/inet/smtpd_sasl_auth_enable = yes
submission/inet/syslog_name = postfix/submission
"""
POSTCONF_PX = POSTCONF_P.replace("$mua_helo", "permit_sasl_authenticated, reject")
MAIN = {"smtpd_helo_restrictions": "permit_mynetworks, reject_non_fqdn_helo_hostname", "smtpd_helo_required": "yes"}


def test_the_smtp_service_fails_submission_is_reported_and_expanded():
    report, problems = listener_report(POSTCONF_M, POSTCONF_P, POSTCONF_PX, MAIN)
    by_service = {item["service"]: item for item in report}
    assert sorted(by_service) == ["127.0.0.1:2525/inet", "smtp/inet", "submission/inet"]
    assert problems == ["master.cf service smtp/inet overrides -o smtpd_helo_restrictions=permit, so the HELO policy "
                        "of main.cf does not apply to the mail it receives from other servers; remove the override, "
                        "or list the service in helo_guard_intended_overrides if it is meant"]
    submission = by_service["submission/inet"]
    assert submission["receives_mail"] is False and submission["policy_applies"] is False
    assert submission["effective"] == {"smtpd_helo_restrictions": "permit_sasl_authenticated, reject",
                                       "smtpd_helo_required": "yes"}
    assert submission["context"] == {"smtpd_sasl_auth_enable": "yes", "syslog_name": "postfix/submission"}


def test_named_services_fail_and_intended_ones_do_not():
    _report, problems = listener_report(POSTCONF_M, POSTCONF_P, POSTCONF_PX, MAIN, enforced=["127.0.0.1:2525"],
                                        intended=["smtp/inet"])
    assert [problem.split(" overrides")[0] for problem in problems] == ["master.cf service 127.0.0.1:2525/inet"]


def test_a_name_that_is_no_smtpd_service_is_refused():
    with pytest.raises(ServiceCheckError, match="pickup names no smtpd service of master.cf"):
        listener_report(POSTCONF_M, POSTCONF_P, POSTCONF_PX, MAIN, intended=["pickup"])


@pytest.mark.parametrize("name, service_type, expected", [
    ("smtp", "inet", True), ("192.0.2.1:smtp", "inet", True), ("[::1]:25", "inet", True),
    ("submission", "inet", False), ("127.0.0.1:2525", "inet", False), ("smtp", "unix", False)])
def test_the_smtp_inet_service_however_written(name, service_type, expected):
    assert receives_mail(name, service_type) is expected
