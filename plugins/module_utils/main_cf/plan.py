# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a postconf task changes in main.cf, decided by meaning.

Pure: takes the parsed main.cf (``editor.MainCf``), the task's parameters
and what Postfix reads for them (``verify.CurrentReading``) and returns an
``EditPlan``. Equal by meaning means no change: lists item by item,
booleans without regard to case, times in seconds.
"""

from __future__ import annotations

import dataclasses

from ansible_collections.mailops.postfix.plugins.module_utils.main_cf.editor import (
    MainCf, check_name, displayed, is_list_parameter, list_tokens, logical_value, render_definition)
from ansible_collections.mailops.postfix.plugins.module_utils.main_cf.values import default_time_unit, seconds

BOOLEAN_WORDS = ("yes", "no")


@dataclasses.dataclass
class EditPlan:
    """The edit: ``replacements`` for ``MainCf.edited`` and what it means for the result.

    ``removed_definitions`` are the definitions that go away although the
    parameter stays (dead duplicates), as dicts with parameter, line, text
    (the module returns them as they are). ``intended_values`` maps every
    parameter to be set to the raw value Postfix should read.
    """

    replacements: dict = dataclasses.field(default_factory=dict)
    changed_parameters: list = dataclasses.field(default_factory=list)
    removed_definitions: list = dataclasses.field(default_factory=list)
    intended_values: dict = dataclasses.field(default_factory=dict)

    def candidate_text(self, main_cf: MainCf) -> str:
        return main_cf.edited(self.replacements) if self.replacements else main_cf.render()


def same_meaning(name, current, desired, desired_is_list=False, default_value=None):
    """True when Postfix reads ``current`` and ``desired`` (both as postconf -h prints) the same.

    Lists compare item by item (separators and layout do not matter),
    booleans without regard to case, times in seconds using the unit of the
    parameter's default when none is written.
    """
    if current is None or desired is None:
        return current == desired
    if current == desired:
        return True
    if desired_is_list or is_list_parameter(name):
        return list_tokens(current) == list_tokens(desired)
    if current.lower() in BOOLEAN_WORDS and desired.lower() in BOOLEAN_WORDS:
        return current.lower() == desired.lower()
    unit = default_time_unit(default_value)
    if unit:
        current_seconds = seconds(current.lower(), unit)
        return current_seconds is not None and current_seconds == seconds(desired.lower(), unit)
    return False


def _dead_definitions(main_cf, name, found):
    return [{
        "parameter": name,
        "line": main_cf.line_number(definition),
        "text": "".join(main_cf.physical_lines[index] for index in definition.line_indices).rstrip("\n"),
    } for definition in found[:-1]]


def _plan_present(plan, main_cf, name, value, current_value, default_value):
    found = main_cf.definitions_of(name)
    new_lines = render_definition(name, value)
    plan.intended_values[name] = logical_value(new_lines)
    if current_value is None:
        current_value = main_cf.value_of(name)
    unchanged = bool(found) and same_meaning(name, displayed(current_value), displayed(plan.intended_values[name]),
                                             isinstance(value, (list, tuple)), default_value)
    if unchanged:
        # Keep the definition that counts as it is written; drop the dead ones (if any).
        plan.intended_values[name] = found[-1].value
        if len(found) == 1:
            return
        plan.replacements[name] = [main_cf.physical_lines[index] for index in found[-1].line_indices]
    else:
        plan.replacements[name] = new_lines
    plan.changed_parameters.append(name)
    plan.removed_definitions.extend(_dead_definitions(main_cf, name, found))


def plan_changes(main_cf, parameters, state, current_values, default_values) -> EditPlan:
    """Decide what to change.

    ``current_values`` are what ``postconf -h`` prints for the current file
    (None where Postfix does not know the name: the parsed value is used
    then); ``default_values`` what ``postconf -d`` prints (for time units).
    """
    plan = EditPlan()
    for name in sorted(parameters):
        check_name(name)
        if state == "absent":
            if main_cf.definitions_of(name):
                plan.replacements[name] = None
                plan.changed_parameters.append(name)
            continue
        _plan_present(plan, main_cf, name, parameters[name], current_values.get(name), default_values.get(name))
    return plan
