# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The argument spec of an entry, and a list of entries validated by it outside a module's own options.

helo_access declares ``entries`` with ``ENTRIES_SPEC``; a list that arrives
otherwise (helo_access's ``entries_file``, the pre-flight's ``edit.table``)
goes through ``validated_entries``, the same rules with the same messages,
so there is one definition of what an entry may hold.
"""

from __future__ import annotations

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible_collections.mailops.postfix.plugins.module_utils.access.errors import AccessTableError

# entry.py's KINDS and plan.py's LAYOUTS, spelled here so that a module declaring its options loads neither the
# entry model nor the planner (a replayed run needs neither; tests/unit/plugins/module_utils/access/test_spec.py
# keeps them equal).
KINDS = ("host", "domain", "ip", "pattern")
LAYOUTS = ("auto", "line", "grouped")
ENTRY_OPTIONS = dict(
    host=dict(type="str"),
    domain=dict(type="str"),
    ip=dict(type="str"),
    pattern=dict(type="str"),
    action=dict(type="str", default="OK"),
    comment=dict(type="str"),
    state=dict(type="str", choices=["present", "absent"]),
    expires=dict(type="str"),
    clients=dict(type="list", elements="str"),
    broad=dict(type="bool", default=False),
)
ENTRIES_SPEC = dict(type="list", elements="dict", options=ENTRY_OPTIONS,
                    mutually_exclusive=[list(KINDS)], required_one_of=[list(KINDS)])
ENTRY_DEFAULTS = {name: option.get("default") for name, option in ENTRY_OPTIONS.items()}
_KIND_SET = frozenset(KINDS)
# The string options and their choices (None: any string).
_STRING_OPTIONS = {name: option.get("choices") for name, option in ENTRY_OPTIONS.items() if option.get("type") == "str"}


def validated_entries(listed, option):
    """``listed`` validated as ``entries`` would be (defaults filled in); AccessTableError names ``option``."""
    if not isinstance(listed, list):
        from ansible_collections.mailops.postfix.plugins.module_utils.access.names import (  # pylint: disable=import-outside-toplevel
            type_word)
        raise AccessTableError("%s must hold a list of entries, not a %s." % (option, type_word(listed)))
    if all(plain_entry(entry) for entry in listed):
        return [dict(ENTRY_DEFAULTS, **entry) for entry in listed]
    validated = ArgumentSpecValidator(dict(entries=ENTRIES_SPEC)).validate(dict(entries=listed))
    if validated.error_messages:
        raise AccessTableError("%s: %s." % (option, "; ".join(validated.error_messages)))
    return validated.validated_parameters["entries"]


def plain_entry(entry):
    """True when the entries spec would only add defaults to ``entry``.

    Known options, each a string of a string option (in its choices, if it
    has any), and the spec's rules hold: the spec's validator would return the
    entry as it is plus the defaults, so that is what it gets without running
    the validator per entry (100,000 entries: seconds). Anything else goes
    through the validator, with its conversions and its messages.
    """
    if not isinstance(entry, dict):
        return False
    for name, value in entry.items():
        choices = _STRING_OPTIONS.get(name, False)   # False: not a string option
        if choices is False or not isinstance(value, str) or (choices is not None and value not in choices):
            return False
    # The spec's mutually_exclusive and required_one_of over KINDS count the keys given (check_mutually_exclusive,
    # check_required_one_of: count_terms); every value here is a string, so exactly one kind given is both.
    return len(_KIND_SET.intersection(entry)) == 1
