# SPDX-License-Identifier: GPL-3.0-or-later
"""Candidates judged by the real postconf: what the postconf module relies on before it writes."""

import os

import pytest

from ansible_collections.mailops.postfix.plugins.module_utils.main_cf import verify as judge
from ansible_collections.mailops.postfix.plugins.module_utils.postfix import cli as postfix_cli
from ansible_collections.mailops.postfix.plugins.module_utils.main_cf.editor import MainCf, MainCfError, logical_value
from tests.harness.runner import subprocess_runner

RUN = subprocess_runner


def judged(current_text, candidate_text, intended_values, changed_names, removed_names=()):
    """Run read_current on ``current_text`` then verify ``candidate_text`` in one scratch dir."""
    with judge.judging_dir(current_text, "") as directory:
        current_warnings = judge.read_current(RUN, directory, sorted(intended_values)).warnings
        judge.write_config_file(directory, "main.cf", candidate_text)
        return judge.verify_candidate(RUN, directory, intended_values, list(removed_names), changed_names,
                                      current_warnings)


def test_judging_dir_files_are_back_dated_and_removed():
    with judge.judging_dir("biff = no\n", "") as directory:
        assert os.stat(os.path.join(directory, "main.cf")).st_mtime < os.stat(directory).st_mtime - 30
    assert not os.path.exists(directory)


def test_read_current_of_a_file_postconf_cannot_read_is_empty():
    with judge.judging_dir("mynetworks_style = bogus\n", "") as directory:
        reading = judge.read_current(RUN, directory, ["mynetworks_style"])
    assert (reading.values, reading.warnings, reading.expanded_lists) == ({}, None, {})
    assert reading.defaults == {"mynetworks_style": "subnet"}  # Postfix's default, ${...} evaluated


def test_verify_accepts_a_continued_list_and_unused_parameters_with_a_tab_and_non_ascii():
    candidate = ("smtpd_helo_restrictions =\n    permit_mynetworks,\n    reject_invalid_helo_hostname\n"
                 "my_own = a\tb\nmy_name = caf\u00e9\n")
    intended = {"smtpd_helo_restrictions": MainCf(candidate).value_of("smtpd_helo_restrictions"), "my_own": "a\tb",
                "my_name": "caf\u00e9"}
    printed = judged("", candidate, intended, ["smtpd_helo_restrictions", "my_own", "my_name"])
    assert printed == {"smtpd_helo_restrictions": "permit_mynetworks, reject_invalid_helo_hostname", "my_own": None,
                       "my_name": None}


def test_verify_refuses_an_unused_parameter_with_another_value():
    with pytest.raises(MainCfError, match=r"parameter my_own: postconf does not read 'b' .* \(it reports 'a'\)"):
        judged("", "my_own = a\n", {"my_own": "b"}, ["my_own"])


def test_verify_refuses_a_value_postconf_reads_otherwise():
    with pytest.raises(MainCfError, match=r"parameter smtpd_helo_required: postconf reads 'no' .* instead of 'yes'"):
        judged("", "smtpd_helo_required = yes\nsmtpd_helo_required = no\n", {"smtpd_helo_required": "yes"},
               ["smtpd_helo_required"])


def test_verify_refuses_a_new_warning_and_names_the_parameter_by_its_value():
    lines = ["smtpd_helo_restrictions = {permit_mynetworks, reject\n"]
    with pytest.raises(MainCfError) as raised:
        judged("biff = no\n", "biff = no\n" + "".join(lines),
               {"smtpd_helo_restrictions": logical_value(lines), "biff": "no"}, ["smtpd_helo_restrictions"])
    assert str(raised.value).startswith("parameter smtpd_helo_restrictions: postconf warns about the candidate main.cf")
    assert "missing '}'" in str(raised.value)


def test_verify_ignores_warnings_the_current_file_already_had():
    current = "smtpd_client_restrictions = {permit\nbiff = no\n"
    printed = judged(current, "smtpd_helo_required = yes\n" + current, {"smtpd_helo_required": "yes"},
                     ["smtpd_helo_required"])
    assert printed == {"smtpd_helo_required": "yes"}


def test_verify_names_the_changed_parameters_when_postconf_cannot_read_the_candidate():
    with pytest.raises(MainCfError, match="parameter compatibility_level: postconf cannot read the candidate"):
        judged("", "compatibility_level = abc\n", {"compatibility_level": "abc"}, ["compatibility_level"])


def test_verify_refuses_a_removed_parameter_postconf_still_reads():
    with pytest.raises(MainCfError, match="parameter biff: postconf still reads it"):
        judged("biff = no\n", "biff = no\n", {}, ["biff"], removed_names=["biff"])


def test_setting_warnings_follow_references_and_skip_unaffected_lists():
    current = "smtpd_client_restrictions = reject_unknown_client_hostname, check_client_access hash:/x\n"
    candidate = current + ("helo_checks = reject_unknown_helo_hostname, check_helo_access cdb:/etc/postfix/helo\n"
                           "smtpd_helo_restrictions = $helo_checks\n")
    with judge.judging_dir(current, "") as directory:
        current_lists = judge.read_current(RUN, directory, ["helo_checks"]).expanded_lists
        judge.write_config_file(directory, "main.cf", candidate)
        warnings = judge.setting_warnings(RUN, directory, {"helo_checks": MainCf(candidate).value_of("helo_checks")},
                                          {"helo_checks": "x"}, current_lists)
    # the untouched client list keeps its own (pre-existing) problem out of this task's warnings
    assert [warning.split(":")[0] for warning in warnings] == ["smtpd_helo_restrictions"] * 3, warnings
    assert "'check_helo_access cdb:/etc/postfix/helo' comes after 'reject_unknown_helo_hostname'" in warnings[0]
    assert "type 'cdb', which this Postfix does not support" in warnings[1]
    assert "smtpd_helo_required is 'no'" in warnings[2]


def test_supported_map_types_survive_a_main_cf_postconf_m_refuses():
    # postconf -m stops at an empty setgid_group (as in Postfix's main.cf.dist); -h and -n do not
    with judge.judging_dir("setgid_group =\n", "") as directory:
        with pytest.raises(postfix_cli.PostfixCommandError, match="setgid_group"):
            postfix_cli.supported_map_types(RUN, directory)
        types = judge.supported_map_types(RUN, directory)
    assert {"regexp", "hash", "pcre", "lmdb"} <= types
    assert "cdb" not in types  # postfix-cdb is not installed here: the type the tests use as unsupported
