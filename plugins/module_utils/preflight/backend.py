# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The pre-flight's steps that read, stage, reload and clean up (``judging.py`` has those that judge).

One function per ``state`` of the module:

``current``  say whether the live files were judged, whether the running
             instance loaded them, whether they are what a run wants; reads only.
``staged``   that, and copy the live set into a scratch candidate (unless up to date).
``judged``   (judging.py) have Postfix judge a candidate (or any config dir):
             its tools, then a throwaway smtpd answering the SMTP matrix.
``promoted`` (judging.py) edit and judge the candidate and, when it passes,
             make its changed files live (backups kept, bounded); remove it.
``loaded``   reload the running instance when it has not loaded the judged files.
``absent``   remove a candidate (and stop its judge).
"""

from __future__ import annotations

import glob
import os

from ansible_collections.mailops.postfix.plugins.module_utils.postfix import cli as postfix_cli
from ansible_collections.mailops.postfix.plugins.module_utils.preflight import live as live_answers
from ansible_collections.mailops.postfix.plugins.module_utils.preflight.errors import PreflightError
from ansible_collections.mailops.postfix.plugins.module_utils.preflight.record import (
    read_record, record_path, write_record)
from ansible_collections.mailops.postfix.plugins.module_utils.preflight.stage import (
    digest, discard_leftovers, live_files, open_candidate, settled_key, stage)


def is_running(run_command, config_dir):
    """``postfix -c DIR status``: 0 running, 1 not running; anything else is an error."""
    rc, out, err = run_command(["postfix", "-c", config_dir, "status"])
    if rc not in (0, 1):
        raise PreflightError("postfix -c %s status failed: %s" % (config_dir, (err or out).strip()))
    return rc == 0


def current(run_command, config_dir, tables, record_dir=None, wanted=None, services=False, parameters=(), live=None):
    """What the live files are against the record; reads only.

    ``judge_needed``: they were not judged. ``reload_needed``: the running
    instance has not loaded them. ``up_to_date`` (with ``wanted``, the
    caller's description of what it writes): they were judged and are,
    bytes and attributes, what the last promotion that wanted the same left
    (``settled_key``). ``services``: also ``postconf -M``, ``-P``, ``-Px``;
    ``parameters``: these built-in main.cf parameters (``postconf -h``);
    ``live``: ``{"lookup", "dialogs", "smtp"}``, how the live instance
    answers (``live.py``): ``lookup`` and ``dialogs`` in the result.
    """
    paths = live_files(config_dir, tables)
    live_digest = digest(paths)
    record = read_record(record_path(run_command, config_dir, record_dir), config_dir)
    result = dict(changed=False, judge_needed=live_digest != record["judged"],
                  reload_needed=live_digest != record["loaded"] and is_running(run_command, config_dir),
                  up_to_date=bool(wanted) and live_digest == record["judged"]
                  and record["settled"] == settled_key(wanted, paths))
    if services:
        result["services"] = postfix_cli.postconf_services(run_command, config_dir)
    if parameters:
        try:
            result["parameters"] = postfix_cli.postconf_builtin_values(run_command, config_dir, parameters)
        except postfix_cli.PostfixCommandError as error:
            raise PreflightError(str(error)) from None
    live = live or {}
    if live.get("lookup"):
        result["lookup"] = live_answers.lookup(run_command, config_dir, live["lookup"])
    if live.get("dialogs"):
        result["dialogs"] = live_answers.dialogs(run_command, config_dir, live["dialogs"], live.get("smtp"),
                                                 result.get("parameters", {}).get("myhostname"))
    return result


def staged(run_command, config_dir, tables, scratch_root, record_dir=None, wanted=None, services=False, reads=None):
    """A new candidate, unless ``current`` finds the live files ``up_to_date``; with what ``current`` says.

    ``reads``: ``{"non_default": bool, "list_files": [glob]}``, what the
    caller needs to know of the live files to edit the candidate, read in
    this run and only when a candidate is made (``non_default``: the output
    of ``postconf -n``, "" when it fails; ``listed_files``: the regular files
    the globs match, sorted).
    """
    removed = discard_leftovers(run_command, scratch_root, config_dir)
    result = current(run_command, config_dir, tables, record_dir, wanted, services)
    result["leftovers_removed"] = removed
    if not result["up_to_date"]:
        candidate = stage(run_command, config_dir, tables, scratch_root)
        result.update(candidate_dir=candidate.root, candidate_config_dir=candidate.candidate_dir,
                      candidates=candidate.path_map(live_files(config_dir, tables)))
        result.update(_reads(run_command, config_dir, reads or {}))
    return result


def _reads(run_command, config_dir, reads):
    found = {}
    if reads.get("non_default"):
        try:
            found["non_default"] = postfix_cli.postconf_non_default(run_command, config_dir)[0]
        except postfix_cli.PostfixCommandError:
            found["non_default"] = ""
    if reads.get("list_files"):
        found["listed_files"] = sorted({path for pattern in reads["list_files"] for path in glob.glob(pattern)
                                        if os.path.isfile(path)})
    return found


def loaded(run_command, config_dir, tables, record_dir=None, check_mode=False):
    """Reload the running instance if it has not loaded the judged live files; record what it loaded."""
    path = record_path(run_command, config_dir, record_dir)
    return load_paths(run_command, config_dir, live_files(config_dir, tables), path, None, check_mode)


def load_paths(run_command, config_dir, paths, path, running, check_mode=False, force=False):
    """``loaded`` with the record's path known; ``running`` None asks ``postfix status`` when it matters.

    ``force``: reload even when the record says these bytes were loaded.
    """
    live_digest = digest(paths)
    record = read_record(path, config_dir)
    if record["judged"] != live_digest:
        raise PreflightError("the files in %s changed since they were last judged; not reloading them: "
                             "run the role again so that they are judged first" % config_dir)
    if record["loaded"] == live_digest and not force:
        return dict(changed=False, reloaded=False)
    if running is None:
        running = is_running(run_command, config_dir)
    if check_mode:
        return dict(changed=running, reloaded=False)
    if running:
        rc, out, err = run_command(["postfix", "-c", config_dir, "reload"])
        if rc != 0:
            raise PreflightError("postfix -c %s reload failed: %s" % (config_dir, (err or out).strip()))
    # A stopped instance reads these files when it starts: they count as loaded.
    write_record(path, config_dir, loaded=live_digest)
    return dict(changed=running, reloaded=running)


def absent(run_command, config_dir, candidate_root):
    candidate = open_candidate(candidate_root, config_dir) if os.path.isdir(candidate_root) else None
    if candidate is None:
        return dict(changed=False)
    candidate.discard(run_command)
    return dict(changed=True)


__all__ = ["absent", "current", "load_paths", "loaded", "staged"]
