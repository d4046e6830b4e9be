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

Names sort by ``name_order``: case ignored, and an address literal
(``[192.0.2.1]``, ``[IPv6:2001:db8::1]``) right after its address, so that
an ``ip`` entry's two names share a group and a pcre line writes the
addresses once for both (access/factored.py, ``paired``). A split does not
part a literal from its address unless cutting one name earlier would take
a group past ``group_size``. The pair still counts as two names and its
bytes as two escaped names: what the paired line saves is not counted,
which keeps the limits on the safe side.

Tables written before sorted by ``str.lower``, which puts every literal
after every address: their literals are groups of their own. Such a table
is recognised by the order of its groups (sorted by ``str.lower``, not by
``name_order``) and keeps that order: its lines keep their text and place,
new names join its groups as they did before (a new address in an address
group, its literal in a literal group), and it stays a fixed point. A table
of one address group and one literal group is in both orders and is
extended by ``name_order`` (a new address and its literal join the literal
group; the lines stay where they are). Such a table gets paired lines only
as far as pairs come to share a group; written anew (from an empty table)
it is paired throughout. Groups in neither order (the one-name lines of the
line layout joining the block) are sorted by ``name_order``.
"""

from __future__ import annotations

import bisect

from ansible_collections.mailops.postfix.plugins.module_utils.access.entry import REGEX_SPECIAL
from ansible_collections.mailops.postfix.plugins.module_utils.access.factored import LITERAL_PREFIXES
from ansible_collections.mailops.postfix.plugins.module_utils.access.lines import render_grouped

_LOWER_PREFIXES = tuple(prefix.lower() for prefix in LITERAL_PREFIXES)

MAX_GROUP_BYTES = 30000


def _bytes(keys):
    """The escaped length of ``keys`` plus one separator each: each special character adds its backslash
    (counted over the joined names, one C pass per character instead of an escape per name)."""
    if not keys:
        return 0
    joined = "\n".join(keys)
    return len(joined) + 1 + sum(joined.count(char) for char in REGEX_SPECIAL)


def name_order(name):
    """The sort key of a name: ``str.lower``, but an address literal right after its address.

    The literal's key is its address's followed by a NUL, which no name
    holds, so nothing sorts between the two; then the literal itself, so
    that ``[x]`` and ``[IPv6:x]`` are told apart.
    """
    low = name.lower()
    if low[:1] != "[" or low[-1:] != "]":
        return low
    prefix = next(prefix for prefix in _LOWER_PREFIXES if low.startswith(prefix))
    return low[len(prefix):-1] + "\x00" + low


def _partners(address, literal):
    """Whether ``literal`` is the literal of ``address`` (as names.address_literals writes it)."""
    return literal[:1] == "[" and any(literal == prefix + address + "]" for prefix in LITERAL_PREFIXES)


class _Group:
    def __init__(self, keys, order, original_text=None, line_names=None, presorted=False):
        self.order = order
        self.keys = list(keys) if presorted else sorted(keys, key=order)
        self.original_text = original_text
        self.changed = original_text is None or list(keys) != list(line_names)
        self.bytes = _bytes(self.keys)

    @property
    def first(self):
        return self.order(self.keys[0])

    def add(self, names):
        self.keys = sorted(self.keys + names, key=self.order)
        self.bytes += _bytes(names)
        self.changed = True


def _existing_groups(lines):
    """One action's existing lines (``[(kept, line_text, line_names)]``) as groups, in the order they keep."""
    groups = [_Group(kept, name_order, line_text, line_names) for kept, line_text, line_names in lines]
    if _in_order(groups):
        return groups
    written_before = [_Group(kept, str.lower, line_text, line_names) for kept, line_text, line_names in lines]
    if _in_order(written_before):
        return written_before
    return sorted(groups, key=lambda group: group.first)


def _in_order(groups):
    return all(before.first <= after.first for before, after in zip(groups, groups[1:]))


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
    lines_by_action = {}
    for action, kept, line_text, line_names in existing:
        if kept:
            lines_by_action.setdefault(action, []).append((kept, line_text, line_names))
    groups_by_action = {action: _existing_groups(lines) for action, lines in lines_by_action.items()}

    additions = {}
    for name, action in new_names:
        additions.setdefault(action, []).append(name)
    for action, names in additions.items():
        groups = groups_by_action.setdefault(action, [])
        if not groups:
            groups.append(_Group(names, name_order))
            continue
        order = groups[0].order
        firsts = [group.first for group in groups]
        per_group = {}
        for name in names:
            position = max(bisect.bisect_right(firsts, order(name)) - 1, 0)
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
        result.extend(_split_evenly(group.keys, group.order, parts, group_size, max_bytes))
    return result


def _split_evenly(keys, order, parts, group_size, max_bytes):
    """``keys`` in ``parts`` runs of equal count, none cut between an address and its literal where a cut
    one name earlier keeps every run within ``group_size``; a run still too large (long names bunched
    together) is split again."""
    size, extra = divmod(len(keys), parts)
    ends = []
    for part in range(parts):
        ends.append((ends[-1] if ends else 0) + size + (1 if part < extra else 0))
    moved = [end - 1 if end < len(keys) and _partners(keys[end - 1], keys[end]) else end for end in ends]
    if all(0 < end - start <= group_size for start, end in zip([0] + moved, moved)):
        ends = moved
    runs, start = [], 0
    for end in ends:
        run = _Group(keys[start:end], order, presorted=True)
        if run.bytes > max_bytes and len(run.keys) > 1:
            runs.extend(_split_evenly(run.keys, order, 2, group_size, max_bytes))
        else:
            runs.append(run)
        start = end
    return runs
