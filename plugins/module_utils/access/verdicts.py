# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Postfix's last judgement of a table, recorded so that a run writing nothing need not ask again.

Before it writes, helo_access asks Postfix (``postmap -q``) about every name
of every entry and turns the answers into warnings: an entry shadowed by an
earlier line, an absent entry still matched, Postfix's own warnings about a
line. Those warnings depend only on what was judged: the table text, the
entries asked about (label, kind, value, action, state and the names asked),
the table type, the Postfix binary and the main.cf it ran with (not the
table's path: the candidate is judged as a copy, and Postfix's warnings name
it ``<candidate table>``). A record holds the warnings Postfix's answers gave,
under a digest of all of that; a run whose digest is the same replays those
warnings instead of running postmap again. Anything else (another table
text, another entry, an upgraded Postfix, another main.cf) misses and asks
Postfix.

A second kind of record spares a run that changes nothing the parsing and
planning too: ``run_digest`` covers the request as given (a digest of the
entries exactly as the module received them, e.g. the bytes of
``entries_file``, and every option that shapes the table), the table text the
run left, the day (expiry dates), the postmap binary and main.cf. A run
whose request, table text, Postfix and main.cf are the ones such a record was
made for repeats its warnings and layout without reading a single entry: the
planner is a fixed point (a second run with the same entries leaves the
table as it is, tests/functional/modules/helo_access/test_helo_access_speed.py),
so the full path would change nothing and ask Postfix the same question.
Any other byte anywhere takes the full path, which validates every entry.
FORMAT is part of both digests: a change to what validation, planning or
the judgement do must raise it.

Records live outside the Postfix config dir (DEFAULT_DIR, one small JSON
file per digest, the newest MAX_RECORDS kept). They are a cache: a missing
or unreadable record only means Postfix is asked; a record that cannot be
written is skipped.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile

DEFAULT_DIR = "/var/cache/mailops-postfix/helo_access"
# Part of every digest: a record written by another version of the judgement never matches.
FORMAT = 4
MAX_RECORDS = 64


def _binary_key(path):
    try:
        status = os.stat(path)
    except (OSError, TypeError):
        return None
    return [path, status.st_size, status.st_mtime_ns, status.st_ino]


def _content_key(path):
    try:
        with open(path, "rb") as config_file:
            return hashlib.sha256(config_file.read()).hexdigest()
    except (OSError, TypeError):
        return None


def verdict_digest(map_type, text, probes, main_cf_path, postmap_path=None, given=None):
    """A digest of everything Postfix's verdict on ``text`` depends on.

    ``probes`` is ``[(entry, names)]`` as the plan has them; ``main_cf_path``
    the main.cf postmap runs with (None for a scratch config dir, which holds
    nothing but defaults); ``postmap_path`` defaults to the postmap on PATH.
    ``given`` (JSON data: the digest of the entries as the module received
    them, the default state, the day) stands for the probes when the caller
    has it: the entries, and so every name asked, follow from it and the table
    type, and a digest of it costs nothing per entry.
    """
    if given is not None:
        asked = ["given", given]
    else:
        # The label is where + kind + given (entry.py): its parts, without formatting 100,000 labels.
        asked = [(entry.where, entry.given, entry.kind, entry.value, entry.action, entry.state, names)
                 for entry, names in probes]
    material = json.dumps([FORMAT, map_type, _binary_key(postmap_path or shutil.which("postmap")),
                           _content_key(main_cf_path), asked])
    digest = hashlib.sha256(material.encode("utf-8", "surrogateescape"))
    digest.update(b"\0")
    digest.update(text.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def run_digest(request, text, main_cf_path, today, postmap_path=None):
    """A digest of a whole run's question: ``request`` (JSON data: the options
    that shape the table and the digest of the entries as given), the table
    ``text``, the date ``today`` (ISO), the postmap binary and main.cf."""
    material = json.dumps(["run", FORMAT, request, today, _binary_key(postmap_path or shutil.which("postmap")),
                           _content_key(main_cf_path)], sort_keys=True)
    digest = hashlib.sha256(material.encode("utf-8", "surrogateescape"))
    digest.update(b"\0")
    digest.update(text.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def lines_digest(map_type, text, main_cf_path, postmap_path=None):
    """A digest of what Postfix's answers about the lines of ``text`` depend on (not the entries asked)."""
    material = json.dumps(["lines", FORMAT, map_type, _binary_key(postmap_path or shutil.which("postmap")),
                           _content_key(main_cf_path)])
    digest = hashlib.sha256(material.encode("utf-8", "surrogateescape"))
    digest.update(b"\0")
    digest.update(text.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def record_lines(record_dir, digest, verified):
    """Keep the exact lines Postfix answered every name of with the line's action (verify.verified_lines)."""
    lines = {str(number): names for number, names in verified.items()}
    return _write_record(record_dir, digest, {"format": FORMAT, "lines": lines})


def recorded_lines(record_dir, digest):
    """``{line number: names digest}`` recorded for a table's lines_digest, or None."""
    lines = _read_record(record_dir, digest).get("lines")
    if not isinstance(lines, dict):
        return None
    try:
        return {int(number): names for number, names in lines.items() if isinstance(names, str)}
    except ValueError:
        return None


def recorded_run(record_dir, digest):
    """``(warnings, layout)`` recorded for a run's digest, or None when there is no such record."""
    record = _read_record(record_dir, digest)
    warnings = _warnings_of(record)
    if warnings is None:
        return None
    layout = record.get("layout")
    return (warnings, layout) if layout is None or isinstance(layout, str) else None


def record_run(record_dir, digest, warnings, layout):
    """Keep what a run that left the table as wanted answered; False if the record could not be written."""
    return _write_record(record_dir, digest, {"format": FORMAT, "warnings": list(warnings), "layout": layout})


def _read_record(record_dir, digest):
    """The record for ``digest`` as a dict ({} when missing or unreadable)."""
    if not record_dir:
        return {}
    try:
        with open(_record_path(record_dir, digest)) as record_file:
            record = json.load(record_file)
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def _record_path(record_dir, digest):
    return os.path.join(record_dir, digest + ".json")


def recorded_warnings(record_dir, digest):
    """The warnings recorded for ``digest``, or None when there is no such record."""
    return _warnings_of(_read_record(record_dir, digest))


def _warnings_of(record):
    """A record's list of warning sentences, None when it has none (or not a list of strings)."""
    warnings = record.get("warnings")
    if not isinstance(warnings, list) or not all(isinstance(warning, str) for warning in warnings):
        return None
    return warnings


def record_warnings(record_dir, digest, warnings):
    """Keep ``warnings`` as Postfix's verdict for ``digest``; False if the record could not be written."""
    return _write_record(record_dir, digest, {"format": FORMAT, "warnings": list(warnings)})


def _write_record(record_dir, digest, record):
    if not record_dir:
        return False
    temp_path = None
    try:
        os.makedirs(record_dir, mode=0o700, exist_ok=True)
        descriptor, temp_path = tempfile.mkstemp(prefix=".verdict.", dir=record_dir)
        with os.fdopen(descriptor, "w") as record_file:
            json.dump(record, record_file)
        os.replace(temp_path, _record_path(record_dir, digest))
        temp_path = None
        _prune(record_dir)
        return True
    except OSError:
        if temp_path is not None and os.path.exists(temp_path):
            os.unlink(temp_path)
        return False


def _prune(record_dir):
    """Keep the newest MAX_RECORDS records."""
    records = [entry for entry in os.scandir(record_dir) if entry.name.endswith(".json") and entry.is_file()]
    if len(records) <= MAX_RECORDS:
        return
    records.sort(key=lambda entry: entry.stat().st_mtime_ns, reverse=True)
    for entry in records[MAX_RECORDS:]:
        try:
            os.unlink(entry.path)
        except OSError:
            pass
