# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Promotion: a judged candidate's changed files made live, or nothing.

Each file is written with the shared I/O helper (``_io.write_bytes``: a temp
file with the candidate's owner, group and mode, a backup through a temp
file, one rename). Order: table sources, their indexes (smtpd reads an
indexed table through its index, so the index's rename is the moment the
new table is live, and the index ends up younger than its source), master.cf,
main.cf. When a write fails, the files this promotion already replaced get
their backups renamed back (byte for byte, owner, mode and times as they
were; no free space needed), the files it created are removed, and the
error says which files were restored and which could not be.

Bounded backups: after a successful promotion only the newest ``keep``
backups of each promoted file are kept; a failed promotion leaves none.
"""

from __future__ import annotations

import os
import re
import stat

from ansible_collections.mailops.postfix.plugins.module_utils import _io
from ansible_collections.mailops.postfix.plugins.module_utils.postfix import cli as postfix_cli
from ansible_collections.mailops.postfix.plugins.module_utils.postfix import maps
from ansible_collections.mailops.postfix.plugins.module_utils.preflight.errors import PreflightError
from ansible_collections.mailops.postfix.plugins.module_utils.preflight.stage import parse_table

BACKUP_NAME = r"\A%s\.(\d+)\.(\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d)~\Z"


def changed_files(candidate, paths):
    """The live paths whose candidate copy differs from the live file (or exists only in the candidate).

    A copy differs in its bytes or in its owner, group or mode: the edits
    give the candidate's table and cidr tables the attributes the run asks
    for, so a live file whose mode or owner was changed by hand is put right
    (and the record then settles on the right attributes, not on the wrong).
    """
    changed = []
    for path in paths:
        copy = candidate.path_for(path)
        new = _io.read_bytes(copy) if os.path.exists(copy) else None
        if new is not None and (new != _io.read_bytes(path) or _attributes(copy) != _attributes(path)):
            changed.append(path)
    return changed


def diffs(candidate, changed, tables):
    """Ansible's ``diff`` entries for the changed text files (live -> candidate); indexes are left out."""
    indexes = {maps.index_path(*parse_table(table)) for table in tables}
    entries = []
    for path in changed:
        if path in indexes:
            continue
        before = _io.read_text(path)
        entries.append(dict(before=before or "", after=_io.read_text(candidate.path_for(path)) or "",
                            before_header=path if before is not None else "/dev/null", after_header=path))
    return entries


def _attributes(copy):
    status = os.stat(copy)
    return _io.Attributes(owner=status.st_uid, group=status.st_gid, mode=stat.S_IMODE(status.st_mode))


def _roll_back(written):
    """Undo ``written`` (newest first); returns ``(restored, not_restored)`` sentences."""
    restored, not_restored = [], []
    for done in reversed(written):
        try:
            if done.created:
                os.unlink(done.real_path)
                restored.append("%s (removed: this run created it)" % done.path)
            else:
                os.replace(done.backup_file, done.real_path)
                restored.append(done.path)
        except OSError as error:
            not_restored.append("%s (%s; its backup is %s)" % (done.path, _io.reason(error), done.backup_file))
    return restored, not_restored


def promote(candidate, paths):
    """Write every changed file of ``paths`` (already in promotion order); returns the list of Written."""
    written = []
    try:
        for path in paths:
            copy = candidate.path_for(path)
            written.append(_io.write_bytes(path, _io.read_bytes(copy), _attributes(copy), backup=True))
    except _io.FileError as error:
        restored, not_restored = _roll_back(written)
        message = "%s" % error
        if written:
            message = message.replace("; nothing was changed", "")
            message += ". Restored as they were: %s" % (", ".join(restored) or "nothing")
            if not_restored:
                message += ". Could NOT restore: %s" % ", ".join(not_restored)
        raise PreflightError(message) from None
    for done in written:
        if os.path.basename(done.real_path) == "main.cf":
            # Renamed into place whole, so Postfix's wait for a file being written cannot apply: the reload and
            # the new smtpd processes read it at once instead of two seconds later.
            postfix_cli.cool(done.real_path)
    return written


def prune_backups(path, keep):
    """Remove all but the newest ``keep`` backups of ``path``; returns the removed paths."""
    directory, name = os.path.split(path)
    pattern = re.compile(BACKUP_NAME % re.escape(name))
    backups = []
    for entry in os.listdir(directory or "."):
        match = pattern.match(entry)
        if match:
            full = os.path.join(directory, entry)
            backups.append((match.group(2), os.stat(full).st_ctime_ns, full))
    removed = []
    for _date, _ctime, full in sorted(backups, reverse=True)[keep:]:
        try:
            os.unlink(full)
            removed.append(full)
        except OSError:
            continue
    return removed
