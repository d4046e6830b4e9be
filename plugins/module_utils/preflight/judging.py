# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The pre-flight's steps that judge: ``judged`` and ``promoted`` (with its edits).

Apart from backend.py (the steps that read, stage, reload and clean up) so
that a module run that only stages or reads does not import, and on the host
compile from source, the judge, the SMTP matrix and the edit's backends
(access, main_cf): the preflight module imports this file only for the states
that judge. See backend.py for the states.
"""

from __future__ import annotations

import contextlib
import os
import tempfile

from ansible_collections.mailops.postfix.plugins.module_utils import _io
from ansible_collections.mailops.postfix.plugins.module_utils.postfix import cli as postfix_cli
from ansible_collections.mailops.postfix.plugins.module_utils.preflight import backend
from ansible_collections.mailops.postfix.plugins.module_utils.preflight import promote as promotion
from ansible_collections.mailops.postfix.plugins.module_utils.preflight.checks import static_problems
from ansible_collections.mailops.postfix.plugins.module_utils.preflight.edit import apply_edits
from ansible_collections.mailops.postfix.plugins.module_utils.preflight.errors import PreflightError
from ansible_collections.mailops.postfix.plugins.module_utils.preflight.instance import JudgeInstance
from ansible_collections.mailops.postfix.plugins.module_utils.preflight.matrix import run_matrix, service_probes
from ansible_collections.mailops.postfix.plugins.module_utils.preflight.record import (
    read_record, record_path, write_record)
from ansible_collections.mailops.postfix.plugins.module_utils.preflight.stage import (
    Candidate, digest, discard_leftovers, live_files, new_scratch_root, open_candidate, parse_table, settled_key)


def build_indexes(run_command, candidate, tables):
    """postmap the candidate's indexed tables whose index is missing or older than the source."""
    for map_type, path in (parse_table(table) for table in tables):
        copy = candidate.path_for(path)
        if os.path.exists(copy) and postfix_cli.postmap_required(map_type, copy):
            try:
                postfix_cli.postmap_build(run_command, candidate.candidate_dir, map_type, copy)
            except postfix_cli.PostfixCommandError as error:
                raise PreflightError("postmap could not index the candidate of %s:%s: %s"
                                     % (map_type, path, error)) from None


JUDGE_DEFAULTS = dict(probes=(), accept_helo=(), helo_matrix=True, smtpd=True, timeout=10, keep_backups=3,
                      record_dir=None, wanted=None, reload=False)


def judge(run_command, candidate_dir, path_map, work_dir, options):
    """Postfix's verdict on the config in ``candidate_dir``: ``{"passed", "problems", "answers"}``.

    ``options``: ``probes``, ``accept_helo``, ``helo_matrix`` (the matrix,
    see matrix.py), ``smtpd`` (start the throwaway smtpd) and ``timeout``.
    """
    options = dict(JUDGE_DEFAULTS, **options)
    instance = JudgeInstance(os.path.join(work_dir, "judge"), run_command)
    answers = []
    try:
        instance.build(candidate_dir, path_map)
        problems = static_problems(run_command, instance.config_dir)
        if not problems and options["smtpd"]:
            plan = service_probes(run_command, instance.config_dir, instance.ports, options)
            instance.start(options["timeout"])
            answers, problems = run_matrix(plan, options["timeout"], instance.banner_token)
            if problems:
                problems.append("Postfix logged: %s" % instance.problems())
    except (PreflightError, postfix_cli.PostfixCommandError) as error:
        problems = [str(error)]
    finally:
        instance.stop()
    return dict(passed=not problems, problems=problems, answers=answers)


def judged(run_command, config_dir, tables, options, candidate_root=None, scratch_root=None):
    """Judge a candidate (or, without one, the config dir itself); nothing is written."""
    if candidate_root:
        candidate = open_candidate(candidate_root, config_dir)
        build_indexes(run_command, candidate, tables)
        path_map = candidate.path_map(live_files(config_dir, tables))
        return judge(run_command, candidate.candidate_dir, path_map, candidate.root, options)
    with _work_dir(run_command, config_dir, scratch_root or tempfile.gettempdir()) as work_dir:
        return judge(run_command, config_dir, {}, work_dir, options)


@contextlib.contextmanager
def _work_dir(run_command, config_dir, scratch_root):
    """A scratch root for judging ``config_dir`` itself, found and removed by the next run if this one is killed."""
    discard_leftovers(run_command, scratch_root, config_dir)
    work_dir = new_scratch_root(scratch_root, config_dir)
    try:
        yield work_dir
    finally:
        Candidate(work_dir, config_dir).discard(run_command)


def promoted(run_command, config_dir, tables, candidate_root, options, check_mode=False, edit=None):
    """Edit, judge and promote the candidate (it passes or nothing is live); it is removed in every case.

    ``edit``: ``(edits, files_for)``, the edits to make to the candidate
    first (``edit.py``; the result's ``edited`` and ``warnings`` say what
    they did) and the I/O helper's factory for them.

    With ``options["reload"]`` the running instance is then made to load the
    judged files, as ``loaded`` does, in the same module run (``loaded`` in
    the result says it has them); a promotion that wrote files always
    reloads a running instance. A reload that fails does not undo the
    promotion: the result says so (``reload_problem``) and a later
    ``state=loaded`` (the role's handler) tries again and fails in its words.
    The record's place and whether the instance runs are asked before the
    promotion: every Postfix tool waits about two seconds on a main.cf that
    was just written, and only the reload itself has to read the new one.
    """
    candidate = open_candidate(candidate_root, config_dir)
    options = dict(JUDGE_DEFAULTS, **options)
    reload = options["reload"] and not check_mode
    try:
        path = record_path(run_command, config_dir, options["record_dir"])
        running = backend.is_running(run_command, config_dir) if reload else None
        edited, warnings = apply_edits(run_command, edit[1], candidate, tables, edit[0], check_mode) if edit else (
            None, [])
        result = _promote(run_command, config_dir, tables, candidate, options, check_mode, path)
        result.update(edited=edited, warnings=warnings)
    except _io.FileError as error:
        raise PreflightError(str(error)) from None
    finally:
        candidate.discard(run_command)
    if reload:
        try:
            # Files written: reload even when they are again the bytes last loaded (smtpd processes
            # started in between read what was there then).
            reloaded = backend.load_paths(run_command, config_dir, live_files(config_dir, tables), path, running,
                                          force=bool(result["promoted"]))["reloaded"]
        except PreflightError as error:
            result.update(loaded=False, reloaded=False, reload_problem=str(error))
        else:
            result.update(loaded=True, reloaded=reloaded, changed=result["changed"] or reloaded)
    return result


def _promote(run_command, config_dir, tables, candidate, options, check_mode, path):
    paths = live_files(config_dir, tables)
    build_indexes(run_command, candidate, tables)
    with _io.locked(config_dir):
        changed = promotion.changed_files(candidate, paths)
        live_digest = digest(paths)
        if not changed and read_record(path, config_dir)["judged"] == live_digest:
            if options["wanted"] and not check_mode:
                write_record(path, config_dir, settled=settled_key(options["wanted"], paths))
            return dict(changed=False, promoted=[], verdict=None, diff=[])
        verdict = judge(run_command, candidate.candidate_dir, candidate.path_map(paths), candidate.root, options)
        if not verdict["passed"]:
            raise PreflightError("Postfix refuses the candidate for %s: %s. Nothing was written and nothing reloaded"
                                 % (config_dir, "; ".join(verdict["problems"])))
        result = dict(changed=bool(changed), promoted=changed, verdict=verdict, backup_files=[], removed_backups=[],
                      diff=promotion.diffs(candidate, changed, tables))
        if check_mode:
            return result
        written = promotion.promote(candidate, changed)
        write_record(path, config_dir, judged=digest(paths),
                     settled=settled_key(options["wanted"], paths) if options["wanted"] else None)
    result["backup_files"] = [done.backup_file for done in written if done.backup_file]
    for done in written:
        result["removed_backups"].extend(promotion.prune_backups(done.path, options["keep_backups"]))
    result["backup_files"] = [backup for backup in result["backup_files"] if backup not in result["removed_backups"]]
    return result


__all__ = ["JUDGE_DEFAULTS", "judge", "judged", "promoted"]
