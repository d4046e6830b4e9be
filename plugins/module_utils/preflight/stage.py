# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The candidate: a scratch copy of the live files a run may change.

Layout of a scratch root (``<scratch_root>/mailops-preflight-XXXX``, mode
0755 so the postfix user of the judge can traverse it)::

    owner.json   the live config dir it belongs to
    candidate/   main.cf, master.cf and the tables under the config dir, as live
    outside/     tables that live outside the config dir, by absolute path
    judge/       the throwaway instance (see instance.py)

The modules edit the copies; only a candidate that passes the judge is
promoted. The live set of files (main.cf, master.cf, each table and its
index) has one digest, the basis of the convergence record.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile

from ansible_collections.mailops.postfix.plugins.module_utils.postfix import maps
from ansible_collections.mailops.postfix.plugins.module_utils.preflight.errors import PreflightError
from ansible_collections.mailops.postfix.plugins.module_utils.preflight.instance import JudgeInstance

SCRATCH_PREFIX = "mailops-preflight-"
OWNER_FILE = "owner.json"


def parse_table(table, option="tables"):
    """``type:path`` -> ``(type, path)``; the path must be absolute (the error names ``option``)."""
    map_type, _sep, path = table.partition(":")
    if not map_type or not os.path.isabs(path):
        raise PreflightError("%s: '%s' is not TYPE:/absolute/path" % (option, table))
    return map_type, path


def live_files(config_dir, tables):
    """Every live file of the set, in promotion order: table sources, indexes, master.cf, main.cf."""
    indexes, sources = [], []
    for map_type, path in (parse_table(table) for table in tables):
        index = maps.index_path(map_type, path)
        if index:
            indexes.append(index)
        sources.append(path)
    return sources + indexes + [os.path.join(config_dir, "master.cf"), os.path.join(config_dir, "main.cf")]


def digest(paths):
    """One sha256 over the names and bytes of ``paths`` (a missing file counts as missing)."""
    summary = hashlib.sha256()
    for path in paths:
        summary.update(path.encode("utf-8", "surrogateescape") + b"\0")
        try:
            with open(path, "rb") as handle:
                summary.update(hashlib.sha256(handle.read()).digest())
        except FileNotFoundError:
            summary.update(b"missing")
        except OSError as error:
            raise PreflightError("cannot read %s: %s" % (path, error.strerror)) from None
    return summary.hexdigest()


def settled_key(wanted, paths):
    """What a run that wants ``wanted`` left: ``wanted``, the bytes and the owner, group and mode of ``paths``.

    ``wanted`` is the caller's own description of what it writes (the role:
    a digest of its inputs and of the collection's code). The convergence
    record keeps this key after a promotion; a later run with the same key
    finds nothing to do (``staged`` says ``up_to_date``).
    """
    summary = hashlib.sha256(wanted.encode("utf-8", "surrogateescape") + b"\0" + digest(paths).encode("ascii"))
    for path in paths:
        try:
            status = os.stat(path)
        except FileNotFoundError:
            continue
        except OSError as error:
            raise PreflightError("cannot read %s: %s" % (path, error.strerror)) from None
        summary.update(("%s %o %d %d\0" % (path, status.st_mode, status.st_uid, status.st_gid))
                       .encode("utf-8", "surrogateescape"))
    return summary.hexdigest()


class Candidate:
    """One scratch root and where each live file's copy lives in it."""

    def __init__(self, root, config_dir):
        self.root = root
        self.config_dir = os.path.normpath(config_dir)
        self.candidate_dir = os.path.join(root, "candidate")
        self.judge_dir = os.path.join(root, "judge")

    def path_for(self, live_path):
        relative = os.path.relpath(live_path, self.config_dir)
        if relative.startswith(os.pardir):
            return os.path.join(self.root, "outside", live_path.lstrip("/"))
        return os.path.join(self.candidate_dir, relative)

    def path_map(self, paths):
        return {path: self.path_for(path) for path in paths}

    def discard(self, run_command):
        """Stop a judge left running (a killed run) and remove the scratch root."""
        if os.path.isdir(self.judge_dir):
            JudgeInstance(self.judge_dir, run_command).stop()
        shutil.rmtree(self.root, ignore_errors=True)


def open_candidate(root, config_dir):
    """The candidate at ``root``; refuses a directory that is not a scratch root of ``config_dir``."""
    try:
        with open(os.path.join(root, OWNER_FILE)) as owner:
            owner_config_dir = json.load(owner)["config_dir"]
    except (OSError, ValueError, KeyError):
        raise PreflightError("%s is not a candidate made by state=staged" % root) from None
    if os.path.normpath(owner_config_dir) != os.path.normpath(config_dir):
        raise PreflightError("candidate %s belongs to %s, not %s" % (root, owner_config_dir, config_dir))
    return Candidate(root, config_dir)


def discard_leftovers(run_command, scratch_root, config_dir):
    """Remove the scratch roots an interrupted run left for this config dir (and stop their judges)."""
    removed = []
    for name in sorted(os.listdir(scratch_root)):
        root = os.path.join(scratch_root, name)
        if name.startswith(SCRATCH_PREFIX) and os.path.isdir(root):
            try:
                candidate = open_candidate(root, config_dir)
            except PreflightError:
                continue
            candidate.discard(run_command)
            removed.append(root)
    return removed


def new_scratch_root(scratch_root, config_dir):
    """A new scratch root (0755) that names the config dir it belongs to."""
    root = tempfile.mkdtemp(prefix=SCRATCH_PREFIX, dir=scratch_root)
    os.chmod(root, 0o755)
    with open(os.path.join(root, OWNER_FILE), "w") as owner:
        json.dump({"config_dir": os.path.normpath(config_dir)}, owner)
    return root


def stage(run_command, config_dir, tables, scratch_root):
    """Copy the live set into a new scratch root; returns the Candidate."""
    if not os.path.isfile(os.path.join(config_dir, "main.cf")):
        raise PreflightError("config_dir %s has no main.cf" % config_dir)
    try:
        candidate = Candidate(new_scratch_root(scratch_root, config_dir), config_dir)
        os.makedirs(candidate.candidate_dir, mode=0o755)
        for live_path in live_files(config_dir, tables):
            _copy(live_path, candidate.path_for(live_path))
    except OSError as error:
        raise PreflightError("cannot stage a candidate of %s in %s: %s"
                             % (config_dir, scratch_root, error.strerror or error)) from None
    return candidate


def _copy(live_path, copy_path):
    if not os.path.exists(live_path):
        return
    if not os.path.isfile(live_path):
        raise PreflightError("%s is not a regular file (nor a link to one)" % live_path)
    os.makedirs(os.path.dirname(copy_path), mode=0o755, exist_ok=True)
    shutil.copy2(live_path, copy_path)
    status = os.stat(live_path)
    os.chown(copy_path, status.st_uid, status.st_gid)
