# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The helo_guard role's own check of its variables' types: one sentence per wrong shape.

ansible-core checks the role's variables against meta/argument_specs.yml
before the role's first task, but the role goes on with each variable as
given, not as converted, and for some wrong shapes that check either names
internal classes or says nothing:

- a ``bool`` or ``list`` option given a list, a dictionary or null: "unable to
  convert to bool: <class '..._AnsibleTaggedList'> ...". These options are
  declared ``raw`` in the spec (each with a comment; the description keeps
  the real type) and checked here;
- a ``list`` option given a number or a string: converted to ``["5"]`` for the
  check, while the role gets ``5``. Checked here (they are ``raw`` anyway);
- a ``str`` or ``path`` option given a list, a dictionary or a boolean:
  stringified to ``"[1]"``, failing much later or never. These keep their
  type in the spec (a number becomes its text, which the role and the
  modules accept) and are checked here too.

ansible-core keeps the rest: ``int`` options and ``choices`` (its messages
are sentences), ``helo_guard_entries`` (the merge checks them) and
``helo_guard_restrictions`` (the ``helo_restriction_problems`` filter).

One source of truth: ``OPTIONS`` is not read from the spec at run time (the
real type of a ``raw`` option is only in its description). The unit test
tests/unit/plugins/filter/test_helo_guard_options.py reads
meta/argument_specs.yml and fails when an option of the ``main`` or ``verify``
entry point is missing here, has another kind here than there, or is
declared ``bool`` or ``list`` there.

Documentation: helo_option_problems.yml next to this file.
"""

from __future__ import annotations

from collections.abc import Mapping

from ansible.module_utils.common.validation import check_type_bool

from ansible_collections.mailops.postfix.plugins.module_utils.access.names import type_word

BOOL = "bool"
LIST = "list"
PATH = "path"
STR = "str"

# Every option of the main and verify entry points that the role checks itself: name -> (kind, what it must be).
OPTIONS = {
    "helo_guard_config_dir": (PATH, "a path (a string)"),
    "helo_guard_helo_required": (BOOL, "true or false"),
    "helo_guard_table_path": (PATH, "a path (a string)"),
    "helo_guard_clients_dir": (PATH, "a path (a string)"),
    "helo_guard_exclusive": (BOOL, "true or false"),
    "helo_guard_table_owner": (STR, "a user name (a string)"),
    "helo_guard_table_group": (STR, "a group name (a string)"),
    "helo_guard_table_mode": (STR, "a mode (a string such as \"0644\")"),
    "helo_guard_enforced_services": (LIST, "a list of service names (strings)"),
    "helo_guard_intended_overrides": (LIST, "a list of service names (strings)"),
    "helo_guard_manage_packages": (BOOL, "true or false"),
    "helo_guard_reload": (BOOL, "true or false"),
    "helo_guard_preflight_smtpd": (BOOL, "true or false"),
    "helo_guard_preflight_scratch_root": (PATH, "a path (a string)"),
    "helo_guard_smtp_probe": (BOOL, "true or false"),
    "helo_guard_smtp_address": (STR, "an address (a string)"),
    "helo_guard_smtp_source_address": (STR, "an address (a string)"),
    "helo_guard_smtp_listed_helo": (STR, "a HELO name (a string)"),
    "helo_guard_smtp_bogus_helo": (STR, "a HELO name (a string)"),
    "helo_guard_smtp_recipient": (STR, "an address (a string)"),
}


def _a(value):
    """A value's type as an admin says it: ``a list``, ``a dictionary``, ``null`` (never a class name)."""
    return "null" if value is None else "a " + type_word(value)


def _wrong(kind, value):
    """What is wrong with ``value`` for ``kind`` (``not a list``), or None when the role takes it."""
    if kind == BOOL:
        if not isinstance(value, (bool, str, int, float)):
            return "not " + _a(value)
        # What ansible-core's bool type accepts (yes, no, on, 1, "true", ...); the role reads it with | bool.
        try:
            check_type_bool(value)
        except TypeError:
            return ("not the string '%s'" if isinstance(value, str) else "not the number %s") % (value,)
        return None
    if kind == LIST:
        if not isinstance(value, list):
            return "not " + _a(value)
        others = [item for item in value if not isinstance(item, str)]
        return "not a list holding " + _a(others[0]) if others else None
    # STR and PATH: ansible-core would make any value its text. A number's text is what the role and the
    # modules take (a mode of 0644 is the number 420, which the modules read as that octal mode).
    if isinstance(value, (Mapping, list, tuple, bool)):
        return "not " + _a(value)
    return None


def helo_option_problems(variables):
    """``{variable: value}`` (as given) -> one sentence per variable of OPTIONS whose value has the wrong shape.

    Variables that are not in OPTIONS are ignored, so the role can hand over
    every ``helo_guard_*`` variable it sees. The sentences come in the order
    of OPTIONS (the spec's).
    """
    problems = []
    for name, (kind, must_be) in OPTIONS.items():
        if name in variables:
            wrong = _wrong(kind, variables[name])
            if wrong:
                problems.append("%s must be %s, %s." % (name, must_be, wrong))
    return problems


class FilterModule:
    """helo_guard variable filters."""

    def filters(self):
        return {"helo_option_problems": helo_option_problems}
