# SPDX-License-Identifier: GPL-3.0-or-later
"""The role's check of its variables' shapes, and its table agreeing with meta/argument_specs.yml."""

from __future__ import annotations

import os
import re

import pytest
import yaml

from ansible_collections.mailops.postfix.plugins.filter.helo_guard_options import OPTIONS, helo_option_problems

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), *[os.pardir] * 4))
# Checked elsewhere, each in its own sentence: the merge (entries), helo_restriction_problems (restrictions).
CHECKED_ELSEWHERE = {"helo_guard_entries", "helo_guard_restrictions"}


@pytest.mark.parametrize("variables, sentence", [
    ({"helo_guard_reload": [1]}, "helo_guard_reload must be true or false, not a list."),
    ({"helo_guard_exclusive": {"a": 1}}, "helo_guard_exclusive must be true or false, not a dictionary."),
    ({"helo_guard_smtp_probe": None}, "helo_guard_smtp_probe must be true or false, not null."),
    ({"helo_guard_helo_required": "maybe"}, "helo_guard_helo_required must be true or false, not the string 'maybe'."),
    ({"helo_guard_preflight_smtpd": 2}, "helo_guard_preflight_smtpd must be true or false, not the number 2."),
    ({"helo_guard_intended_overrides": {"a": 1}},
     "helo_guard_intended_overrides must be a list of service names (strings), not a dictionary."),
    ({"helo_guard_enforced_services": 5}, "helo_guard_enforced_services must be a list of service names (strings), not a number."),
    ({"helo_guard_enforced_services": "smtp"},
     "helo_guard_enforced_services must be a list of service names (strings), not a string."),
    ({"helo_guard_enforced_services": ["smtp", [1]]},
     "helo_guard_enforced_services must be a list of service names (strings), not a list holding a list."),
    ({"helo_guard_intended_overrides": None},
     "helo_guard_intended_overrides must be a list of service names (strings), not null."),
    ({"helo_guard_table_path": [1]}, "helo_guard_table_path must be a path (a string), not a list."),
    ({"helo_guard_config_dir": {"a": 1}}, "helo_guard_config_dir must be a path (a string), not a dictionary."),
    ({"helo_guard_table_owner": {"a": 1}}, "helo_guard_table_owner must be a user name (a string), not a dictionary."),
    ({"helo_guard_smtp_listed_helo": True}, "helo_guard_smtp_listed_helo must be a HELO name (a string), not a boolean."),
])
def test_a_wrong_shape_is_one_sentence_naming_the_variable_and_what_it_must_be(variables, sentence):
    assert helo_option_problems(variables) == [sentence]


def test_what_ansible_core_would_convert_correctly_is_taken():
    assert helo_option_problems({
        "helo_guard_reload": "yes", "helo_guard_exclusive": 0, "helo_guard_manage_packages": "False",
        "helo_guard_smtp_probe": True, "helo_guard_enforced_services": ["smtp", "2525/inet"],
        "helo_guard_intended_overrides": [], "helo_guard_table_path": "/etc/postfix/helo_access",
        # 0644 unquoted is the number 420, which the modules read as that octal mode.
        "helo_guard_table_mode": 420, "helo_guard_table_owner": "postfix",
        # Not the filter's: the int options, choices, the entries, the restrictions, other variables.
        "helo_guard_backups_keep": [1], "helo_guard_table_type": [1], "helo_guard_entries": 5,
        "helo_guard_restrictions": 5, "helo_guard_rollout_hosts": [1],
    }) == []


def test_every_wrong_variable_gets_its_sentence_in_the_order_of_the_spec():
    problems = helo_option_problems({"helo_guard_reload": [1], "helo_guard_config_dir": [1]})
    assert problems == ["helo_guard_config_dir must be a path (a string), not a list.",
                        "helo_guard_reload must be true or false, not a list."]


def _declared_kind(name, option):
    """The kind meta/argument_specs.yml gives an option: its type, or for a raw one what its description says."""
    if option["type"] != "raw":
        return None if option["type"] == "int" or "choices" in option else option["type"]
    description = " ".join(option["description"]) if isinstance(option["description"], list) else option["description"]
    kinds = [kind for kind, wording in (("bool", r"\bA boolean\."), ("list", r"\bA list of [^.]*\(strings\)\."))
             if re.search(wording, description)]
    assert len(kinds) == 1, "%s is raw: its description must say its type (A boolean. / A list of ... (strings).)" % name
    return kinds[0]


def test_the_filters_table_is_the_argument_specs_main_and_verify():
    with open(os.path.join(ROOT, "roles", "helo_guard", "meta", "argument_specs.yml")) as handle:
        specs = yaml.safe_load(handle)["argument_specs"]
    declared = {}
    for entry_point in ("main", "verify"):
        for name, option in specs[entry_point]["options"].items():
            # ansible-core's own message for these types names internal classes (_AnsibleTaggedList).
            assert option["type"] not in ("bool", "list"), "%s (%s) must be declared raw" % (name, entry_point)
            if name in CHECKED_ELSEWHERE:
                continue
            kind = _declared_kind(name, option)
            assert declared.setdefault(name, kind) == kind, "%s has another type in %s" % (name, entry_point)
    assert {name: kind for name, kind in declared.items() if kind} == {name: option[0] for name, option in OPTIONS.items()}
    # The filter's order is the spec's (the sentences come in that order).
    assert list(OPTIONS) == [name for name in declared if declared[name]]
