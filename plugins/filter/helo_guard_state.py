# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a helo_guard run wants, as one digest (the pre-flight's ``wanted``).

Documentation: helo_guard_wanted.yml next to this file.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The code that decides what a run writes: every module, module_utils, action and filter, and the role's tasks.
CODE_PARTS = (("plugins", ".py"), ("roles", ".yml"))


@functools.lru_cache(maxsize=1)
def code_digest(root=COLLECTION_ROOT):
    """sha256 over the relative path and bytes of every file of CODE_PARTS under ``root`` (once per process)."""
    summary = hashlib.sha256()
    for part, suffix in CODE_PARTS:
        found = []
        for directory, _dirs, files in os.walk(os.path.join(root, part)):
            found.extend(os.path.join(directory, name) for name in files if name.endswith(suffix))
        for path in sorted(found):
            summary.update(os.path.relpath(path, root).encode("utf-8", "surrogateescape") + b"\0")
            with open(path, "rb") as handle:
                summary.update(hashlib.sha256(handle.read()).digest())
    return summary.hexdigest()


def _expires(entries):
    return any(isinstance(entry, dict) and entry.get("expires") not in (None, "") for entry in entries or [])


def helo_guard_wanted(inputs):
    """``inputs`` (every role input that shapes the files) -> a digest; ``""`` when an entry can expire.

    An entry with ``expires`` lapses with the host's date, so the same inputs
    do not always mean the same table: such runs get no digest and always
    stage, edit and compare.
    """
    if _expires((inputs or {}).get("entries")):
        return ""
    text = json.dumps(inputs, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256((code_digest() + "\0" + text).encode("utf-8", "surrogateescape")).hexdigest()


class FilterModule:
    """helo_guard state filters."""

    def filters(self):
        return {"helo_guard_wanted": helo_guard_wanted}
