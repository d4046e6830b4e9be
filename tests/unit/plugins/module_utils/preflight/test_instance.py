# SPDX-License-Identifier: GPL-3.0-or-later
"""The judge's master.cf and path rewriting (pure text)."""

import pytest

from ansible_collections.mailops.postfix.plugins.module_utils.preflight.errors import PreflightError
from ansible_collections.mailops.postfix.plugins.module_utils.preflight.instance import (
    judge_master_cf, master_entries, rewrite_paths)

DEBIAN_MASTER = """\
# comment
smtp      inet  n       -       y       -       -       smtpd
submission inet n       -       y       -       -       smtpd
  -o syslog_name=postfix/submission
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
pickup    unix  n       -       y       60      1       pickup
"""


def test_continuation_lines_join_and_comments_go():
    entries = master_entries(DEBIAN_MASTER)
    assert len(entries) == 3
    assert entries[1].endswith("-o smtpd_client_restrictions=permit_sasl_authenticated,reject")


def test_every_inet_smtpd_gets_a_loopback_port_and_no_chroot():
    text, ports = judge_master_cf(DEBIAN_MASTER, "mailops-judge-x")
    assert sorted(ports) == ["smtp", "submission"]
    lines = text.splitlines()
    assert lines[0].split()[:5] == ["127.0.0.1:%d" % ports["smtp"], "inet", "n", "-", "n"]
    assert "-o smtpd_client_restrictions=permit_sasl_authenticated,reject" in lines[1]
    # The banner override comes last on each probed service, after the candidate's own -o.
    assert lines[0].endswith("-o { smtpd_banner = $myhostname ESMTP mailops-judge-x }")
    assert lines[1].endswith("-o { smtpd_banner = $myhostname ESMTP mailops-judge-x }")
    assert "smtpd_banner" not in lines[2]
    assert lines[2].split()[4] == "n" and lines[2].split()[0] == "pickup"
    assert lines[-1].split()[0] == "postlog", "a postlog service is added for maillog_file"


def test_postscreen_is_left_out_and_its_pass_smtpd_served_on_inet():
    text, ports = judge_master_cf("smtp inet n - y - 1 postscreen\nsmtpd pass - - y - - smtpd\n", "t")
    assert list(ports) == ["smtpd"]
    assert "postscreen" not in text and text.split()[1] == "inet"


def test_a_master_cf_without_smtpd_is_refused():
    with pytest.raises(PreflightError, match="no smtpd service"):
        judge_master_cf("pickup unix n - y 60 1 pickup\n", "t")


def test_braced_override_values_stay_one_token():
    text, _ports = judge_master_cf("smtp inet n - y - - smtpd -o { smtpd_banner = a b c }\n", "t")
    assert "{ smtpd_banner = a b c }" in text


def test_only_whole_staged_paths_are_rewritten():
    path_map = {"/etc/postfix/helo_access": "/tmp/j/etc/helo_access"}
    text = ("check_helo_access regexp:/etc/postfix/helo_access, hash:/etc/postfix/helo_access_other "
            "x:/etc/postfix/helo_access")
    expected = ("check_helo_access regexp:/tmp/j/etc/helo_access, "
                "hash:/etc/postfix/helo_access_other x:/tmp/j/etc/helo_access")
    assert rewrite_paths(text, path_map) == expected
