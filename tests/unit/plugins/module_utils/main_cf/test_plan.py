# SPDX-License-Identifier: GPL-3.0-or-later
"""The edit plan: equal by meaning means no change; dead duplicates go, the definition that counts stays."""

import pytest

from ansible_collections.mailops.postfix.plugins.module_utils.main_cf import plan
from ansible_collections.mailops.postfix.plugins.module_utils.main_cf.editor import MainCf


@pytest.mark.parametrize("name, current, desired, is_list, default, equal", [
    ("smtpd_helo_restrictions", "a,b", "a, b", False, None, True),
    ("smtpd_helo_restrictions", "a b", "a, b", False, None, True),
    ("smtpd_helo_restrictions", "a, b", "b, a", False, None, False),
    ("my_list", "a,b", "a b", True, None, True),
    ("smtpd_banner", "a,b", "a b", False, None, False),
    ("smtpd_helo_required", "YES", "yes", False, "no", True),
    ("smtpd_helo_required", "no", "yes", False, "no", False),
    ("maximal_queue_lifetime", "5d", "120h", False, "5d", True),
    ("maximal_queue_lifetime", "5", "5d", False, "5d", True),
    ("maximal_queue_lifetime", "4d", "5d", False, "5d", False),
    ("smtpd_helo_restrictions", "check_client_access {inline:{ a=OK }}", "check_client_access {inline:{ a=OK }}",
     False, None, True),
    ("smtpd_helo_restrictions", None, "a", False, None, False),
])
def test_same_meaning(name, current, desired, is_list, default, equal):
    assert plan.same_meaning(name, current, desired, is_list, default) is equal


def test_plan_is_empty_when_meaning_is_equal():
    parsed = MainCf("smtpd_helo_restrictions = permit_mynetworks,\n  reject_invalid_helo_hostname\n")
    edit = plan.plan_changes(parsed, {"smtpd_helo_restrictions": "permit_mynetworks reject_invalid_helo_hostname"},
                             "present", {}, {})
    assert (edit.replacements, edit.changed_parameters, edit.removed_definitions) == ({}, [], [])
    assert edit.candidate_text(parsed) == parsed.render()


def test_plan_keeps_equal_last_definition_and_drops_dead_ones():
    parsed = MainCf("smtpd_helo_required = no\nbiff = no\nsmtpd_helo_required = YES\n")
    edit = plan.plan_changes(parsed, {"smtpd_helo_required": True}, "present", {"smtpd_helo_required": "YES"}, {})
    assert edit.changed_parameters == ["smtpd_helo_required"]
    assert edit.removed_definitions == [
        {"parameter": "smtpd_helo_required", "line": 1, "text": "smtpd_helo_required = no"}]
    assert edit.candidate_text(parsed) == "biff = no\nsmtpd_helo_required = YES\n"
    assert edit.intended_values == {"smtpd_helo_required": "YES"}


def test_plan_absent_removes_every_definition():
    parsed = MainCf("a = 1\nb = 2\na = 3\n")
    edit = plan.plan_changes(parsed, {"a": None, "z": None}, "absent", {}, {})
    assert (edit.changed_parameters, edit.removed_definitions, edit.intended_values) == (["a"], [], {})
    assert edit.candidate_text(parsed) == "b = 2\n"
