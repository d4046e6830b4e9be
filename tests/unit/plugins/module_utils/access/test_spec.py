# SPDX-License-Identifier: GPL-3.0-or-later
"""entries_file's shortcut: an entry the spec would only fill with defaults gets exactly what the spec gives."""

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.mailops.postfix.plugins.module_utils.access.spec import ENTRIES_SPEC, ENTRY_DEFAULTS, plain_entry

PLAIN = [
    {"host": "mxbox50.bitwiz.net"},
    {"ip": "50.0.0.1", "action": "REJECT go away", "comment": "ticket 4711"},
    {"domain": "partner.example", "state": "absent", "expires": "2030-12-31"},
    {"pattern": "^mx[0-9]+\\.example$", "action": "DUNNO"},
]


@pytest.mark.parametrize("entry", PLAIN)
def test_a_plain_entry_gets_what_the_spec_gives(entry):
    assert plain_entry(entry)
    validated = ArgumentSpecValidator(dict(entries=ENTRIES_SPEC)).validate(dict(entries=[entry]))
    assert not validated.error_messages
    assert validated.validated_parameters["entries"] == [dict(ENTRY_DEFAULTS, **entry)]


@pytest.mark.parametrize("entry", [
    {"hots": "mxbox50.bitwiz.net"},          # unknown option: the validator names it
    {"host": 50},                            # not a string: the validator converts or refuses
    {"host": "a.example", "comment": None},  # null
    {"host": "a.example", "state": "gone"},  # not one of the choices
    ["host", "a.example"],                   # not a dict
    {"host": "a.example", "ip": "50.0.0.1"},  # two kinds: mutually exclusive
    {"action": "OK"},                        # no kind: one of them is required
    {},
])
def test_anything_else_goes_through_the_validator(entry):
    assert not plain_entry(entry)


def test_the_kinds_and_layouts_spelled_for_the_argument_spec_are_the_models():
    from ansible_collections.mailops.postfix.plugins.module_utils.access import entry, plan, spec
    assert spec.KINDS == entry.KINDS
    assert spec.LAYOUTS == plan.LAYOUTS
    assert entry.AccessTableError is spec.AccessTableError
