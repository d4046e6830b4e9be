# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Edits made to a candidate inside the promotion's own module run (``state=promoted`` with ``edit``).

The same work the helo_access and postconf modules do on a candidate, by the
same backends (``access/backend.py``, ``main_cf/backend.py``), in the module
run that then judges and promotes it: a changing run of the helo_guard role
ships the stage and this one run instead of a module run per edit.

``edit``::

    table:   {path, type, entries, layout, exclusive, owner, group, mode}
             the HELO table (a live path of ``tables``); entries as helo_access
             takes them, validated by the same spec (``access/spec.py``)
    files:   [{path, content, owner, group, mode}]  whole files (the role's cidr tables)
    main_cf: {set: {name: value}, absent: [name]}   the candidate's main.cf, as postconf sets
             and removes parameters (judged by Postfix in a scratch dir first)

Every path is a live path; the edit goes to its copy in the candidate.
The candidate is scratch, so it is edited in check mode too (the judge
then sees the whole candidate); only Postfix's recorded verdicts are not
written in check mode. Errors become PreflightError, naming the edit.
"""

from __future__ import annotations

import os

from ansible_collections.mailops.postfix.plugins.module_utils import _io
from ansible_collections.mailops.postfix.plugins.module_utils.access.backend import ERRORS, TableBackend, TableRequest
from ansible_collections.mailops.postfix.plugins.module_utils.access.spec import validated_entries
from ansible_collections.mailops.postfix.plugins.module_utils.main_cf import backend as main_cf_backend
from ansible_collections.mailops.postfix.plugins.module_utils.main_cf.editor import MainCfError
from ansible_collections.mailops.postfix.plugins.module_utils.preflight.errors import PreflightError
from ansible_collections.mailops.postfix.plugins.module_utils.preflight.stage import parse_table

FILE_ARGS = ("owner", "group", "mode")


def apply_edits(run_command, files_for, candidate, tables, edit, check_mode=False):
    """Apply ``edit`` to ``candidate``; returns ``(report, warnings)``.

    ``files_for(params)``: the I/O helper with ``params``' owner, group and
    mode as the file options (``_io.ModuleFiles``). ``report``: what each
    edit changed in the candidate (``table``: helo_access's result without
    its text, ``files``: the files whose bytes changed, ``main_cf``: the
    parameters whose definitions changed).
    """
    report, warnings = dict(table=None, files=[], main_cf=[]), []
    typed = dict(parse_table(table)[::-1] for table in tables)
    if edit.get("table"):
        report["table"] = _edit_table(run_command, files_for, candidate, typed, edit["table"], check_mode, warnings)
    for number, spec in enumerate(edit.get("files") or []):
        if _edit_file(files_for, candidate, typed, spec, "edit.files[%d]" % number):
            report["files"].append(spec["path"])
    main_cf = edit.get("main_cf") or {}
    for state, parameters in (("present", main_cf.get("set")), ("absent", dict.fromkeys(main_cf.get("absent") or ()))):
        if parameters:
            report["main_cf"].extend(_edit_main_cf(run_command, files_for, candidate, state, parameters, warnings))
    return report, warnings


def _copy_of(candidate, typed, path, option):
    if path not in typed:
        raise PreflightError("%s: %s is not one of the tables of this pre-flight (%s)"
                             % (option, path, ", ".join(sorted(typed)) or "none"))
    copy = candidate.path_for(path)
    os.makedirs(os.path.dirname(copy), mode=0o755, exist_ok=True)
    return copy


def _file_params(spec):
    return {name: spec.get(name) for name in FILE_ARGS}


def _edit_table(run_command, files_for, candidate, typed, spec, check_mode, warnings):
    copy = _copy_of(candidate, typed, spec["path"], "edit.table.path")
    map_type = spec.get("type") or typed[spec["path"]]
    if map_type != typed[spec["path"]]:
        raise PreflightError("edit.table.type %s does not match the table %s:%s of this pre-flight"
                             % (map_type, typed[spec["path"]], spec["path"]))
    try:
        request = TableRequest(path=copy, map_type=map_type, config_dir=candidate.candidate_dir,
                               entries=validated_entries(spec.get("entries") or [], "edit.table.entries"),
                               exclusive=bool(spec.get("exclusive")), layout=spec.get("layout") or "auto",
                               verdict_dir=None if check_mode else spec.get("verdict_dir"))
        result = TableBackend(request, run_command, files_for(_file_params(spec))).run()
    except ERRORS as error:
        raise PreflightError("the table %s: %s" % (spec["path"], error)) from None
    warnings.extend(result.warnings)
    module_result = result.as_module_result(False)
    module_result["table"] = "%s:%s" % (map_type, spec["path"])
    return module_result


def _edit_file(files_for, candidate, typed, spec, option):
    copy = _copy_of(candidate, typed, spec["path"], option + ".path")
    data = _io.encode_text(spec.get("content") or "")
    files = files_for(_file_params(spec))
    try:
        if _io.read_bytes(copy) == data:
            files.apply_attributes(copy, False)
            return False
        files.write(copy, data)
    except _io.FileError as error:
        raise PreflightError("%s: %s" % (option, error)) from None
    return True


def _edit_main_cf(run_command, files_for, candidate, state, parameters, warnings):
    request = main_cf_backend.Request(config_dir=candidate.candidate_dir, parameters=parameters, state=state)
    try:
        outcome = main_cf_backend.apply(request, run_command, files_for({}))
    except (MainCfError,) + ERRORS as error:
        raise PreflightError("main.cf of the candidate (edit.main_cf.%s): %s"
                             % ("set" if state == "present" else "absent", error)) from None
    warnings.extend(outcome.warnings)
    return outcome.result["changed_parameters"]
