# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Compare a table with the wanted entries and compute the new table text.

The comparison is by lookup key, not by line: an entry is satisfied when each
of its names already sits on one of the module's lines with the entry's
action, wherever that line is and however it is grouped. Only what differs
is touched; every other line keeps its bytes and its place.

New lines go where they take effect: exact names after the last exact line
(before domain lines, which are broader), domains after the last domain
line, patterns at the end, and in any case before an existing line that
Postfix says would answer for one of the new names first (``first_match``).
"""

from __future__ import annotations

import collections

from ansible_collections.mailops.postfix.plugins.module_utils.postfix.maps import REGEXP_TYPES
from ansible_collections.mailops.postfix.plugins.module_utils.access.entry import (
    AccessTableError,
    normalize_action,
)
from ansible_collections.mailops.postfix.plugins.module_utils.access.grouped import regroup
from ansible_collections.mailops.postfix.plugins.module_utils.access.lines import (
    check_conflicts,
    parse_table,
    render_comment,
    render_domain,
    render_exact,
    render_pattern,
)

LAYOUTS = ("auto", "line", "grouped")
# Above this many exact names a regexp/pcre table is written grouped (layout=auto).
AUTO_GROUPED_THRESHOLD = 200
# Names per grouped line: measured (bench/) to keep pcre lookups fast and compilation cheap.
DEFAULT_GROUP_SIZE = 500


class TablePlan:
    """The outcome of a comparison: the new text and what it adds and removes."""

    def __init__(self, old_text, new_text, layout, probes, placed_names=()):
        self.old_text = old_text
        self.placed_names = list(placed_names)  # names of entries that got a new line
        self.new_text = new_text
        self.layout = layout
        self.probes = probes    # [(entry, [names])] to ask Postfix about
        old_lines = _rule_contents(old_text)
        new_lines = _rule_contents(new_text)
        self.removed = list((collections.Counter(old_lines) - collections.Counter(new_lines)).elements())
        self.added = list((collections.Counter(new_lines) - collections.Counter(old_lines)).elements())

    @property
    def changed(self):
        return self.old_text != self.new_text


def _rule_contents(text):
    return [line for line in text.splitlines() if line.strip()]


def resolve_layout(layout, map_type, exact_name_count):
    """``auto`` becomes ``grouped`` for large regexp/pcre tables, else ``line``."""
    if map_type not in REGEXP_TYPES:
        return "line"
    if layout == "auto":
        return "grouped" if exact_name_count > AUTO_GROUPED_THRESHOLD else "line"
    return layout


class _Editor:
    """Pending edits to a parsed table, applied in one pass by ``text()``."""

    def __init__(self, lines):
        self.lines = lines
        self.replacements = {}                        # index -> [texts] ([] removes the line)
        # index -> [(rank, texts)] placed before that line; at one place exact names
        # come first (rank 0), then domains (1), then patterns (2): the first match wins.
        self.insertions = collections.defaultdict(list)

    def insert(self, index, texts, rank=0):
        self.insertions[index].append((rank, len(self.insertions[index]), list(texts)))

    def inserted_before(self, index):
        return [text for _rank, _order, texts in sorted(self.insertions.get(index, [])) for text in texts]

    def remove(self, index, removable_comments=()):
        self.replacements[index] = []
        comment = self.lines[index].comment_line
        if comment is not None and comment.content in removable_comments:
            self.replacements[self.lines.index(comment)] = []

    def removed(self, index):
        return self.replacements.get(index) == []

    def text(self):
        out = []

        def emit(text):
            if out and not out[-1].endswith("\n"):
                out[-1] += "\n"
            out.append(text)

        for index, line in enumerate(self.lines):
            for text in self.inserted_before(index):
                emit(text + "\n")
            if index in self.replacements:
                for text in self.replacements[index]:
                    emit(text + "\n")
            else:
                emit(line.text)
        for text in self.inserted_before(len(self.lines)):
            emit(text + "\n")
        return "".join(out)


def plan_table(old_text, entries, map_type, exclusive=False, layout="line", group_size=DEFAULT_GROUP_SIZE,
               first_match=None):
    """Compare ``old_text`` with ``entries`` (validated ``Entry`` objects).

    ``first_match`` maps lower-cased names to the number of the existing line
    that Postfix answers them with (see access.verify.winning_lines); it only
    moves new lines up so that they take effect. Returns a ``TablePlan``.
    """
    check_conflicts(entries, map_type)
    regexp = map_type in REGEXP_TYPES
    lines = parse_table(old_text, map_type)
    editor = _Editor(lines)
    present = [entry for entry in entries if entry.state == "present"]
    absent = [entry for entry in entries if entry.state == "absent"]

    def keyed(entry):
        return entry.kind in ("host", "ip") or (entry.kind == "domain" and not regexp)

    wanted_keys = {}
    for entry in present:
        if keyed(entry):
            for key in entry.table_keys(map_type):
                wanted_keys.setdefault(key.lower(), entry)
    wanted_domains = dict((entry.value.lower(), entry) for entry in present if entry.kind == "domain" and regexp)
    wanted_patterns = dict((entry.value, entry) for entry in present if entry.kind == "pattern")
    absent_keys = set(key.lower() for entry in absent if keyed(entry) for key in entry.table_keys(map_type))
    absent_domains = set(entry.value.lower() for entry in absent if entry.kind == "domain" and regexp)
    absent_patterns = set(entry.value for entry in absent if entry.kind == "pattern")
    # The module removes a comment line only when an absent entry names it.
    absent_comments = set(render_comment(entry.comment) for entry in absent if entry.comment)
    # Lines that hold exactly the names of a commented entry keep their own line in the grouped layout.
    commented_key_sets = set(frozenset(key.lower() for key in entry.table_keys(map_type))
                             for entry in present if entry.comment and keyed(entry))

    satisfied = {}   # key, ("domain", name) or ("pattern", text) -> line index
    freed = {}       # the same, for lines that had the wrong action -> line index
    kept_keys = {}   # exact line index -> the names that stay on it
    for index, line in enumerate(lines):
        if line.kind == "exact":
            kept = []
            line_action = normalize_action(line.action)
            for key in line.keys:
                low = key.lower()
                if low in absent_keys or (exclusive and low not in wanted_keys):
                    continue
                if low in wanted_keys:
                    if line_action != wanted_keys[low].action:
                        freed.setdefault(low, index)
                        continue
                    if low in satisfied:
                        continue
                    satisfied[low] = index
                kept.append(key)
            kept_keys[index] = kept
            if not kept:
                editor.remove(index, absent_comments)
            elif kept != line.keys:
                editor.replacements[index] = render_exact(kept, line.action, map_type)
        elif line.kind == "domain":
            low = ("domain", line.domain.lower())
            if low[1] in absent_domains or (exclusive and low[1] not in wanted_domains) or low in satisfied:
                editor.remove(index, absent_comments)
            elif low[1] in wanted_domains and normalize_action(line.action) != wanted_domains[low[1]].action:
                freed.setdefault(low, index)
                editor.remove(index, absent_comments)
            elif low[1] in wanted_domains:
                satisfied[low] = index
        elif line.kind == "rule" and regexp:
            pattern = line.expression[1:-1] if line.expression and line.expression[:1] == "/" \
                and line.expression.endswith("/") else None
            key = ("pattern", pattern)
            if pattern in absent_patterns or (exclusive and pattern not in wanted_patterns) or key in satisfied:
                editor.remove(index, absent_comments)
            elif pattern in wanted_patterns:
                satisfied[key] = index
                wanted = wanted_patterns[pattern]
                if normalize_action(line.action or "") != wanted.action:
                    editor.replacements[index] = [render_pattern(pattern, wanted.action)]

    last_exact = max([i for i, line in enumerate(lines) if line.kind == "exact"] or [None], key=_none_low)
    first_domain = min([i for i, line in enumerate(lines) if line.kind == "domain"] or [None], key=_none_high)
    last_domain = max([i for i, line in enumerate(lines) if line.kind == "domain"] or [None], key=_none_low)
    end = len(lines)
    exact_anchor = last_exact + 1 if last_exact is not None else (first_domain if first_domain is not None else end)
    domain_anchor = last_domain + 1 if last_domain is not None else (
        last_exact + 1 if last_exact is not None else end)
    # Patterns follow the module's last line (before later catch-all rules), else the end.
    pattern_anchor = max(last_domain if last_domain is not None else -1,
                         last_exact if last_exact is not None else -1) + 1 or end
    number_to_index = dict((line.number, i) for i, line in enumerate(lines))

    placed_names = []

    def place(names, anchor):
        """Move ``anchor`` up to an existing line Postfix would answer one of ``names`` with."""
        placed_names.extend(names)
        for name in names:
            index = number_to_index.get((first_match or {}).get(name.lower()))
            if index is not None and index < anchor and not editor.removed(index):
                anchor = index
        return anchor

    exact_names = set(wanted_keys) | set(key.lower() for kept in kept_keys.values() for key in kept)
    resolved = resolve_layout(layout, map_type, len(exact_names))
    grouped_lines = []  # grouped layout: the exact lines that join the grouped block
    new_grouped = []    # and the (name, action) pairs added to it
    if resolved == "grouped":
        for index, kept in sorted(kept_keys.items()):
            if kept and frozenset(key.lower() for key in kept) not in commented_key_sets:
                line = lines[index]
                grouped_lines.append((index, (normalize_action(line.action), kept, line.content, line.keys)))
                editor.replacements[index] = []

    for entry in present:
        if keyed(entry):
            keys = entry.table_keys(map_type)
            missing = [key for key in keys if key.lower() not in satisfied]
            if not missing:
                _ensure_comment(editor, entry, set(satisfied[key.lower()] for key in keys), keys)
                continue
            for key in missing:
                satisfied[key.lower()] = None
            if resolved == "grouped" and not entry.comment:
                new_grouped.extend((key, entry.action) for key in missing)
                continue
            freed_at = [freed[key.lower()] for key in keys if key.lower() in freed]
            beside = [satisfied[key.lower()] for key in keys if satisfied.get(key.lower()) is not None]
            if freed_at:
                position = min(freed_at)
            elif beside:
                position = max(beside) + 1
            else:
                position = place(entry.probe_names(map_type), exact_anchor)
            texts = ([render_comment(entry.comment)] if entry.comment else []) + \
                render_exact(missing, entry.action, map_type)
            editor.insert(position, texts, rank=0)
        elif entry.kind == "domain":
            key = ("domain", entry.value.lower())
            if key in satisfied:
                _ensure_comment(editor, entry, set([satisfied[key]]))
                continue
            satisfied[key] = None
            position = freed.get(key)
            if position is None:
                position = place(entry.probe_names(map_type), domain_anchor)
            texts = ([render_comment(entry.comment)] if entry.comment else []) + [render_domain(entry.value, entry.action)]
            editor.insert(position, texts, rank=1)
        else:
            key = ("pattern", entry.value)
            if key in satisfied:
                continue
            satisfied[key] = None
            texts = ([render_comment(entry.comment)] if entry.comment else []) + [render_pattern(entry.value, entry.action)]
            editor.insert(pattern_anchor, texts, rank=2)

    if grouped_lines or new_grouped:
        if grouped_lines:
            position = grouped_lines[0][0]
        else:
            position = place([key for key, _action in new_grouped], exact_anchor)
        rendered = regroup([group for _index, group in grouped_lines], new_grouped, map_type, group_size)
        editor.insertions[position].insert(0, (-1, 0, rendered))

    probes = [(entry, entry.probe_names(map_type)) for entry in entries]
    return TablePlan(old_text, editor.text(), resolved, probes, placed_names)


def _ensure_comment(editor, entry, line_indexes, keys=None):
    """Write or update the comment of an entry that already has its own line."""
    if not entry.comment or len(line_indexes) != 1:
        return
    index = list(line_indexes)[0]
    if index is None or index in editor.replacements:
        return
    line = editor.lines[index]
    if keys is not None and set(key.lower() for key in line.keys) != set(key.lower() for key in keys):
        return  # the line holds other names too: a grouped line carries no comments
    wanted = render_comment(entry.comment)
    if line.comment_line is None or line.comment_line.content != wanted:
        # An older comment stays where it is: the module cannot tell it from one written by hand.
        editor.insert(index, [wanted], rank=3)


def _none_low(value):
    return -1 if value is None else value


def _none_high(value):
    return float("inf") if value is None else value


__all__ = ["AccessTableError", "LAYOUTS", "TablePlan", "plan_table", "resolve_layout"]
