# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The postconf module's work: check the request, judge the candidate main.cf, write it.

``apply(request, run_command, files, ...)`` is all the module calls. It holds
the config dir's lock from reading to writing (``_io.locked``), plans the
edit (``plan.py``), has Postfix judge the candidate in a scratch config dir
(``verify.py``), refuses values the daemons would refuse
(``values.py``) and only then writes main.cf through ``_io``. It raises
``MainCfError``, ``PostfixCommandError`` or ``_io.FileError``, each with a
sentence for the admin; the module turns them into ``fail_json``.
"""

from __future__ import annotations

import dataclasses
import os
import typing as t

from ansible_collections.mailops.postfix.plugins.module_utils import _io
from ansible_collections.mailops.postfix.plugins.module_utils.main_cf import verify
from ansible_collections.mailops.postfix.plugins.module_utils.postfix import cli as postfix_cli
from ansible_collections.mailops.postfix.plugins.module_utils.main_cf.editor import (
    MainCf, MainCfError, check_name, value_items)
from ansible_collections.mailops.postfix.plugins.module_utils.main_cf.plan import EditPlan, plan_changes


@dataclasses.dataclass(frozen=True)
class Request:
    """The task: which parameters to set (or remove) in which config dir."""

    config_dir: str
    parameters: dict
    state: str = "present"
    backup: bool = False
    create: bool = True

    @classmethod
    def from_params(cls, params: dict) -> Request:
        return cls(config_dir=params["config_dir"], parameters=params["parameters"] or {}, state=params["state"],
                   backup=params["backup"], create=params["create"])

    @property
    def main_cf_path(self) -> str:
        return os.path.join(self.config_dir, "main.cf")

    @property
    def names(self) -> list:
        return sorted(self.parameters)


@dataclasses.dataclass(frozen=True)
class Judgement:
    """A candidate main.cf that Postfix read as intended, with what it printed and the warnings about it."""

    candidate_text: str
    plan: EditPlan
    printed_values: dict
    warnings: list


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What the module returns (``result`` for ``exit_json``) and the warnings it shows."""

    result: dict
    warnings: list


def check_request(request: Request) -> None:
    """Raise MainCfError for input that is bad before Postfix is asked: names, values, the config dir."""
    if not request.parameters:
        raise MainCfError("parameters is empty: name at least one parameter")
    for name in sorted(request.parameters, key=str):
        check_name(name)
        if request.state == "present":
            value_items(name, request.parameters[name])
    if not os.path.isdir(request.config_dir):
        raise MainCfError("config_dir %s is not a directory" % request.config_dir)


def judge_candidate(run_command: t.Callable, current: MainCf, master_cf_text: str, request: Request) -> Judgement:
    """Plan the edit and have Postfix judge the candidate in a scratch config dir; MainCfError if it disagrees."""
    try:
        return _judge(run_command, current, master_cf_text, request)
    except OSError as error:
        raise MainCfError("the scratch config dir in which Postfix judges the candidate main.cf cannot be written: "
                          "%s; nothing was written" % _io.reason(error)) from None


def _judge(run_command: t.Callable, current: MainCf, master_cf_text: str, request: Request) -> Judgement:
    names = request.names
    with verify.judging_dir(current.render(), master_cf_text) as judging_dir:
        reading = verify.read_current(run_command, judging_dir, names)
        plan = plan_changes(current, request.parameters, request.state, reading.values, reading.defaults)
        candidate_text = plan.candidate_text(current)
        verify.write_config_file(judging_dir, "main.cf", candidate_text)
        removed_names = names if request.state == "absent" else []
        printed_values = verify.verify_candidate(run_command, judging_dir, plan.intended_values, removed_names,
                                                 plan.changed_parameters, reading.warnings)
        verify.refuse_bad_values(run_command, judging_dir, plan.intended_values, printed_values, reading.defaults)
        warnings = verify.setting_warnings(run_command, judging_dir, plan.intended_values, printed_values,
                                           reading.expanded_lists)
    for removed in plan.removed_definitions:
        warnings.append("%s: removed the earlier definition on line %d (%s); Postfix uses only the last one"
                        % (removed["parameter"], removed["line"], removed["text"]))
    return Judgement(candidate_text=candidate_text, plan=plan, printed_values=printed_values, warnings=warnings)


def _result(request: Request, current_text: str | None, judgement: Judgement, diff: bool) -> dict:
    plan = judgement.plan
    # A missing main.cf stays missing when there is nothing to write (state=absent).
    result = dict(changed=judgement.candidate_text != (current_text or ""),
                  changed_parameters=plan.changed_parameters, removed_definitions=plan.removed_definitions)
    if request.state == "present":
        result["values"] = {name: judgement.printed_values[name] if judgement.printed_values[name] is not None
                            else plan.intended_values[name] for name in request.names}
    if diff:
        result["diff"] = dict(before=current_text or "", after=judgement.candidate_text,
                              before_header=request.main_cf_path, after_header=request.main_cf_path)
    return result


def apply(request: Request, run_command: t.Callable, files: _io.ModuleFiles, check_mode: bool = False,
          diff: bool = False) -> Outcome:
    """Make main.cf say what the request asks, judged by Postfix first; in check mode only report."""
    check_request(request)
    with _io.locked(request.config_dir):
        current_text = _io.read_text(request.main_cf_path)
        if current_text is None and not request.create:
            raise MainCfError("%s does not exist and create is false" % request.main_cf_path)
        master_cf_text = _io.read_text(os.path.join(request.config_dir, "master.cf")) or ""
        judgement = judge_candidate(run_command, MainCf(current_text or ""), master_cf_text, request)
        result = _result(request, current_text, judgement, diff)
        if result["changed"] and not check_mode:
            written = files.write(request.main_cf_path, _io.encode_text(judgement.candidate_text),
                                  backup=request.backup and current_text is not None)
            postfix_cli.cool(written.real_path)  # the reload that follows reads it at once
            if written.backup_file:
                result["backup_file"] = written.backup_file
        elif current_text is not None:  # the task's owner/group/mode; check mode only reports
            result["changed"] = files.apply_attributes(request.main_cf_path, result["changed"])
    return Outcome(result=result, warnings=judgement.warnings)
