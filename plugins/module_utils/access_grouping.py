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

The result is a fixed point: a second run with the same names changes nothing.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import bisect

from ansible_collections.mailops.postfix.plugins.module_utils.access_table import render_exact


class _Group:
    def __init__(self, keys, original_text=None, original_keys=None):
        self.keys = sorted(keys, key=str.lower)
        self.original_text = original_text
        self.original_keys = original_keys
        self.changed = original_text is None

    @property
    def first(self):
        return self.keys[0].lower()


def regroup(existing, new_names, map_type, group_size):
    """Render the grouped lines.

    ``existing``: ``[(action, kept_names, line_text, line_names)]`` for the
    table's exact lines that join the grouped block, in file order.
    ``new_names``: ``[(name, action)]`` to add. Returns the lines (no endings),
    ordered by action, then by each group's first name.
    """
    groups_by_action = {}
    for action, kept, line_text, line_names in existing:
        if kept:
            group = _Group(kept, line_text, line_names)
            group.changed = list(kept) != list(line_names)
            groups_by_action.setdefault(action, []).append(group)
    for groups in groups_by_action.values():
        groups.sort(key=lambda group: group.first)
    for name, action in sorted(new_names, key=lambda pair: pair[0].lower()):
        groups = groups_by_action.setdefault(action, [])
        if not groups:
            groups.append(_Group([name]))
            continue
        position = max(bisect.bisect_right([group.first for group in groups], name.lower()) - 1, 0)
        groups[position].keys = sorted(groups[position].keys + [name], key=str.lower)
        groups[position].changed = True

    rendered = []
    for action in sorted(groups_by_action):
        for group in _split(_merge(groups_by_action[action], group_size // 2), group_size):
            if group.changed or group.original_text is None:
                rendered.extend(render_exact(group.keys, action, map_type))
            else:
                rendered.append(group.original_text)
    return rendered


def _merge(groups, limit):
    merged = []
    for group in groups:
        if merged and len(merged[-1].keys) + len(group.keys) <= limit:
            merged[-1].keys = merged[-1].keys + group.keys
            merged[-1].changed = True
        else:
            merged.append(group)
    return merged


def _split(groups, group_size):
    result = []
    for group in groups:
        if len(group.keys) <= group_size:
            result.append(group)
            continue
        parts = -(-len(group.keys) // group_size)
        size, extra = divmod(len(group.keys), parts)
        start = 0
        for part in range(parts):
            end = start + size + (1 if part < extra else 0)
            result.append(_Group(group.keys[start:end]))
            start = end
    return result
