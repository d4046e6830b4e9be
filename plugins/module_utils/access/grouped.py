# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The grouped layout: exact names sharing an action as sorted alternations.

Groups behave like the leaves of a B-tree, so that a change touches few lines:

* an existing line keeps its names (minus removed ones) and its text when
  nothing about it changes;
* a new name joins the group whose sorted range it falls into;
* a group past ``group_size`` names is split into equal parts (each more than
  half full);
* neighbouring groups that together hold at most half of ``group_size`` names
  are merged (this is what turns one-name lines into groups).

A group is also kept under ``MAX_GROUP_BYTES`` of escaped names: PCRE refuses
an expression past 64 KiB compiled, and Postfix then only warns and the line
matches nothing (measured: 2,500 short names in one alternation already fail).
Bytes are limited like names: split above the limit, merge only below half.

The result is a fixed point: a second run with the same names changes nothing.
"""

from __future__ import annotations

import bisect

from ansible_collections.mailops.postfix.plugins.module_utils.access.entry import REGEX_SPECIAL
from ansible_collections.mailops.postfix.plugins.module_utils.access.lines import render_grouped

MAX_GROUP_BYTES = 30000


def _bytes(keys):
    """The escaped length of ``keys`` plus one separator each: each special character adds its backslash
    (counted over the joined names, one C pass per character instead of an escape per name)."""
    if not keys:
        return 0
    joined = "\n".join(keys)
    return len(joined) + 1 + sum(joined.count(char) for char in REGEX_SPECIAL)


class _Group:
    def __init__(self, keys, original_text=None, presorted=False):
        self.keys = list(keys) if presorted else sorted(keys, key=str.lower)
        self.original_text = original_text
        self.changed = original_text is None
        self.bytes = _bytes(self.keys)

    @property
    def first(self):
        return self.keys[0].lower()

    def add(self, names):
        self.keys = sorted(self.keys + names, key=str.lower)
        self.bytes += _bytes(names)
        self.changed = True


def regroup(existing, new_names, map_type, group_size, max_bytes=MAX_GROUP_BYTES, keys_of=None):
    """Render the grouped lines.

    ``existing``: ``[(action, kept_names, line_text, line_names)]`` for the
    table's exact lines that join the grouped block, in file order.
    ``new_names``: ``[(name, action)]`` to add. Returns the lines (no endings),
    ordered by action, then by each group's first name. ``keys_of``, a dict,
    gets each line's names (the verdict reads the new table without reading
    its tries again).

    Each group is sorted once, whatever the number of names added to it
    (a first run of 100,000 names is one sort, not one per name).
    """
    groups_by_action = {}
    for action, kept, line_text, line_names in existing:
        if kept:
            group = _Group(kept, line_text)
            group.changed = list(kept) != list(line_names)
            groups_by_action.setdefault(action, []).append(group)
    for groups in groups_by_action.values():
        groups.sort(key=lambda group: group.first)

    additions = {}
    for name, action in new_names:
        additions.setdefault(action, []).append(name)
    for action, names in additions.items():
        groups = groups_by_action.setdefault(action, [])
        if not groups:
            groups.append(_Group(names))
            continue
        firsts = [group.first for group in groups]
        per_group = {}
        for name in names:
            position = max(bisect.bisect_right(firsts, name.lower()) - 1, 0)
            per_group.setdefault(position, []).append(name)
        for position, names_here in per_group.items():
            groups[position].add(names_here)

    rendered = []
    for action in sorted(groups_by_action):
        merged = _merge(groups_by_action[action], group_size // 2, max_bytes // 2)
        for group in _split(merged, group_size, max_bytes):
            texts = render_grouped(group.keys, action, map_type) if group.changed or group.original_text is None \
                else [group.original_text]
            rendered.extend(texts)
            if keys_of is not None and len(texts) == 1:
                keys_of[texts[0]] = group.keys
    return rendered


def _merge(groups, limit, byte_limit):
    merged = []
    for group in groups:
        previous = merged[-1] if merged else None
        if (previous is not None and len(previous.keys) + len(group.keys) <= limit
                and previous.bytes + group.bytes <= byte_limit):
            previous.keys = previous.keys + group.keys
            previous.bytes += group.bytes
            previous.changed = True
        else:
            merged.append(group)
    return merged


def _split(groups, group_size, max_bytes):
    result = []
    for group in groups:
        if len(group.keys) <= group_size and group.bytes <= max_bytes:
            result.append(group)
            continue
        parts = max(-(-len(group.keys) // group_size), -(-group.bytes // max_bytes))
        result.extend(_split_evenly(group.keys, parts, max_bytes))
    return result


def _split_evenly(keys, parts, max_bytes):
    """``keys`` in ``parts`` runs of equal count; a run still too large (long
    names bunched together) is split again."""
    size, extra = divmod(len(keys), parts)
    runs, start = [], 0
    for part in range(parts):
        end = start + size + (1 if part < extra else 0)
        run = _Group(keys[start:end], presorted=True)
        if run.bytes > max_bytes and len(run.keys) > 1:
            runs.extend(_split_evenly(run.keys, 2, max_bytes))
        else:
            runs.append(run)
        start = end
    return runs
