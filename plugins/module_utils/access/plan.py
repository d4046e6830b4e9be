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

    def __init__(self, old_text, new_text, layout, probes, placed_names=(), old_lines=(), grouped_keys=None):
        self.old_text = old_text
        self.old_lines = old_lines              # the old table's parsed lines
        self.grouped_keys = grouped_keys or {}  # grouped layout: each grouped line of new_text -> its names
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
    planner = _Planner(old_text, entries, map_type, exclusive, first_match or {})
    planner.match_existing_lines()
    planner.choose_anchors()
    planner.choose_layout(layout)
    planner.place_entries()
    planner.place_grouped_block(group_size)
    probes = [(entry, entry.probe_names(map_type)) for entry in entries]
    return TablePlan(old_text, planner.editor.text(), planner.layout, probes, planner.placed_names, planner.lines,
                     planner.grouped_keys)


class _Wanted:
    """What the entries ask for, by lookup key (names lower-cased: lookups ignore case)."""

    def __init__(self, entries, map_type):
        self.regexp = map_type in REGEXP_TYPES
        present = [entry for entry in entries if entry.state == "present"]
        absent = [entry for entry in entries if entry.state == "absent"]
        self.present = present
        self.keys = {}
        for entry in present:
            if self.keyed(entry):
                for key in entry.table_keys(map_type):
                    self.keys.setdefault(key.lower(), entry)
        self.domains = {entry.value.lower(): entry for entry in present if entry.kind == "domain" and self.regexp}
        self.patterns = {entry.value: entry for entry in present if entry.kind == "pattern"}
        self.absent_keys = {key.lower() for entry in absent if self.keyed(entry) for key in entry.table_keys(map_type)}
        self.absent_domains = {entry.value.lower() for entry in absent if entry.kind == "domain" and self.regexp}
        self.absent_patterns = {entry.value for entry in absent if entry.kind == "pattern"}
        # The module removes a comment line only when an absent entry names it.
        self.absent_comments = {render_comment(entry.comment) for entry in absent if entry.comment}
        # Lines that hold exactly the names of a commented entry keep their own line in the grouped layout.
        self.commented_key_sets = {frozenset(key.lower() for key in entry.table_keys(map_type))
                                   for entry in present if entry.comment and self.keyed(entry)}

    def keyed(self, entry):
        """Host and ip entries (and domains of indexed tables) are exact keys."""
        return entry.kind in ("host", "ip") or (entry.kind == "domain" and not self.regexp)


class _Planner:
    """The state of one comparison; each method is one named step of ``plan_table``."""

    def __init__(self, old_text, entries, map_type, exclusive, first_match):
        self.map_type = map_type
        self.exclusive = exclusive
        self.first_match = first_match
        self.lines = parse_table(old_text, map_type)
        self.editor = _Editor(self.lines)
        self.wanted = _Wanted(entries, map_type)
        self.satisfied = {}   # key, ("domain", name) or ("pattern", text) -> line index (None: placed new)
        self.freed = {}       # the same, for lines that had the wrong action -> line index
        self.kept_keys = {}   # exact line index -> the names that stay on it
        self.placed_names = []
        self.grouped_lines = []   # grouped layout: the exact lines that join the grouped block
        self.new_grouped = []     # and the (name, action) pairs added to it
        self.grouped_keys = {}    # each line of the grouped block -> its names
        self.layout = "line"
        self.exact_anchor = self.domain_anchor = self.pattern_anchor = len(self.lines)
        self.number_to_index = {line.number: index for index, line in enumerate(self.lines)}

    # --- step 1: which existing lines stay, change or go ---

    def match_existing_lines(self):
        for index, line in enumerate(self.lines):
            if line.kind == "exact":
                self._match_exact(index, line)
            elif line.kind == "domain":
                self._match_domain(index, line)
            elif line.kind == "rule" and self.wanted.regexp:
                self._match_pattern(index, line)

    def _match_exact(self, index, line):
        wanted = self.wanted
        kept = []
        line_action = normalize_action(line.action)
        for key in line.keys:
            low = key.lower()
            if low in wanted.absent_keys or (self.exclusive and low not in wanted.keys):
                continue
            if low in wanted.keys:
                if line_action != wanted.keys[low].action:
                    self.freed.setdefault(low, index)
                    continue
                if low in self.satisfied:
                    continue
                self.satisfied[low] = index
            kept.append(key)
        self.kept_keys[index] = kept
        if not kept:
            self.editor.remove(index, wanted.absent_comments)
        elif kept != line.keys:
            self.editor.replacements[index] = render_exact(kept, line.action, self.map_type)

    def _match_domain(self, index, line):
        wanted = self.wanted
        name = line.domain.lower()
        key = ("domain", name)
        if name in wanted.absent_domains or (self.exclusive and name not in wanted.domains) or key in self.satisfied:
            self.editor.remove(index, wanted.absent_comments)
        elif name in wanted.domains and normalize_action(line.action) != wanted.domains[name].action:
            self.freed.setdefault(key, index)
            self.editor.remove(index, wanted.absent_comments)
        elif name in wanted.domains:
            self.satisfied[key] = index

    def _match_pattern(self, index, line):
        wanted = self.wanted
        expression = line.expression
        pattern = expression[1:-1] if expression and expression[:1] == "/" and expression.endswith("/") else None
        key = ("pattern", pattern)
        if pattern in wanted.absent_patterns or (self.exclusive and pattern not in wanted.patterns) \
                or key in self.satisfied:
            self.editor.remove(index, wanted.absent_comments)
        elif pattern in wanted.patterns:
            self.satisfied[key] = index
            entry = wanted.patterns[pattern]
            if normalize_action(line.action or "") != entry.action:
                self.editor.replacements[index] = [render_pattern(pattern, entry.action)]

    # --- step 2: where new lines go ---

    def choose_anchors(self):
        """Exact names after the last exact line (before the broader domains), domains after the last
        domain line, patterns after the module's last line (before later catch-all rules), else the end."""
        exact = [index for index, line in enumerate(self.lines) if line.kind == "exact"]
        domains = [index for index, line in enumerate(self.lines) if line.kind == "domain"]
        end = len(self.lines)
        last_exact = exact[-1] if exact else None
        last_domain = domains[-1] if domains else None
        if last_exact is not None:
            self.exact_anchor = last_exact + 1
        elif domains:
            self.exact_anchor = domains[0]
        self.domain_anchor = last_domain + 1 if last_domain is not None else self.exact_anchor if exact else end
        self.pattern_anchor = max(last_domain if last_domain is not None else -1,
                                  last_exact if last_exact is not None else -1) + 1 or end

    def place(self, names, anchor):
        """Move ``anchor`` up to an existing line Postfix would answer one of ``names`` with."""
        self.placed_names.extend(names)
        for name in names:
            index = self.number_to_index.get(self.first_match.get(name.lower()))
            if index is not None and index < anchor and not self.editor.removed(index):
                anchor = index
        return anchor

    # --- step 3: line or grouped layout ---

    def choose_layout(self, layout):
        exact_names = set(self.wanted.keys) | {key.lower() for kept in self.kept_keys.values() for key in kept}
        self.layout = resolve_layout(layout, self.map_type, len(exact_names))
        if self.layout != "grouped":
            return
        for index, kept in sorted(self.kept_keys.items()):
            if kept and frozenset(key.lower() for key in kept) not in self.wanted.commented_key_sets:
                line = self.lines[index]
                self.grouped_lines.append((index, (normalize_action(line.action), kept, line.content, line.keys)))
                self.editor.replacements[index] = []

    # --- step 4: a line for every entry not yet satisfied ---

    def place_entries(self):
        for entry in self.wanted.present:
            if self.wanted.keyed(entry):
                self._place_exact(entry)
            elif entry.kind == "domain":
                self._place_domain(entry)
            else:
                self._place_pattern(entry)

    def _place_exact(self, entry):
        satisfied = self.satisfied
        keys = entry.table_keys(self.map_type)
        missing = [key for key in keys if key.lower() not in satisfied]
        if not missing:
            _ensure_comment(self.editor, entry, {satisfied[key.lower()] for key in keys}, keys)
            return
        for key in missing:
            satisfied[key.lower()] = None
        if self.layout == "grouped" and not entry.comment:
            self.new_grouped.extend((key, entry.action) for key in missing)
            return
        freed_at = [self.freed[key.lower()] for key in keys if key.lower() in self.freed]
        beside = [satisfied[key.lower()] for key in keys if satisfied.get(key.lower()) is not None]
        if freed_at:
            position = min(freed_at)
        elif beside:
            position = max(beside) + 1
        else:
            position = self.place(entry.probe_names(self.map_type), self.exact_anchor)
        self.editor.insert(position, _with_comment(entry, render_exact(missing, entry.action, self.map_type)), rank=0)

    def _place_domain(self, entry):
        key = ("domain", entry.value.lower())
        if key in self.satisfied:
            _ensure_comment(self.editor, entry, {self.satisfied[key]})
            return
        self.satisfied[key] = None
        position = self.freed.get(key)
        if position is None:
            position = self.place(entry.probe_names(self.map_type), self.domain_anchor)
        self.editor.insert(position, _with_comment(entry, [render_domain(entry.value, entry.action)]), rank=1)

    def _place_pattern(self, entry):
        key = ("pattern", entry.value)
        if key in self.satisfied:
            return
        self.satisfied[key] = None
        self.editor.insert(self.pattern_anchor, _with_comment(entry, [render_pattern(entry.value, entry.action)]),
                           rank=2)

    # --- step 5: the grouped block ---

    def place_grouped_block(self, group_size):
        if not (self.grouped_lines or self.new_grouped):
            return
        if self.grouped_lines:
            position = self.grouped_lines[0][0]
        else:
            position = self.place([key for key, _action in self.new_grouped], self.exact_anchor)
        rendered = regroup([group for _index, group in self.grouped_lines], self.new_grouped, self.map_type,
                           group_size, keys_of=self.grouped_keys)
        self.editor.insertions[position].insert(0, (-1, 0, rendered))


def _with_comment(entry, texts):
    return ([render_comment(entry.comment)] if entry.comment else []) + texts


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


__all__ = ["AccessTableError", "LAYOUTS", "TablePlan", "plan_table", "resolve_layout"]
