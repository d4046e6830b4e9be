# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""A Postfix access table as lines: parse, recognise the module's own lines, render.

The module marks nothing in the file. It recognises its lines by their shape:

* regexp/pcre: ``/^NAME$/ ACTION`` or ``/^(NAME|NAME|...)$/ ACTION`` where every
  NAME is a literal with each regular-expression metacharacter escaped (an
  *exact* line; in pcre also the grouped layout's tries, access/factored.py),
  and ``/^(.+\\.)?NAME$/ ACTION`` (a *domain* line);
* indexed types (hash, lmdb, cdb, btree, texthash): every ``KEY ACTION`` line.

Everything else (comments, blank lines, other expressions, ``if``/``endif``,
continued lines) is kept byte for byte. The comment line directly above one
of the module's lines is reported as that line's comment; it is removed with
the line only when an absent entry names it (``comment``), since a comment
written by hand looks the same.
"""

from __future__ import annotations

import re

from ansible_collections.mailops.postfix.plugins.module_utils.postfix.maps import REGEXP_TYPES
from ansible_collections.mailops.postfix.plugins.module_utils.access.entry import (
    AccessTableError,
    regex_escape,
)
from ansible_collections.mailops.postfix.plugins.module_utils.access.factored import grouped_expression, names_of

_SPECIALS = r"\\.^$*+?()\[\]{}|"
LITERAL = r"(?:\\[%s]|[^%s/\s])+" % (_SPECIALS, _SPECIALS)
EXACT_LINE = re.compile(r"^/\^(?:(?P<single>%s)|\((?P<group>%s(?:\|%s)*)\))\$/\s+(?P<action>\S.*?)\s*$"
                        % (LITERAL, LITERAL, LITERAL))
# A pcre grouped line written as a trie (access/factored.py): /^mx(?:1|2)\.example$/ ACTION, or as addresses
# and their literals, /^(\[)?(?:192\.0\.2\.(?:1|2))(?(1)\])$/ ACTION; names_of says which names it holds.
FACTORED_LINE = re.compile(r"^/\^(?P<expression>[^\s/]*?\(\?:[^\s/]*?)\$/\s+(?P<action>\S.*?)\s*$")
DOMAIN_LINE = re.compile(r"^/\^\(\.\+\\\.\)\?(?P<domain>%s)\$/\s+(?P<action>\S.*?)\s*$" % LITERAL)
INDEXED_LINE = re.compile(r"^(?P<key>\S+)\s+(?P<action>\S.*?)\s*$")


_ESCAPED_CHAR = re.compile(r"\\(.)")


def unescape(literal):
    """The name an escaped literal stands for."""
    if "\\\\" not in literal:  # no escaped backslash: every backslash escapes the next character
        return literal.replace("\\", "")
    return _ESCAPED_CHAR.sub(r"\1", literal)


def split_lines(text):
    """Physical lines with their line endings, exactly as in ``text``."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def expression_end(line):
    """Index just past a regexp/pcre line's ``/expression/flags`` (None if unterminated)."""
    start = 1 if line.startswith("!") else 0
    if len(line) <= start:
        return None
    delimiter = line[start]
    position = start + 1
    while position < len(line):
        char = line[position]
        if char == "\\":
            position += 2
            continue
        if char == delimiter:
            position += 1
            while position < len(line) and not line[position].isspace():
                position += 1
            return position
        position += 1
    return None


class TableLine:
    """One logical line: ``kind`` is blank, comment, exact, domain, rule or structure."""

    def __init__(self, text, number, kind, keys=None, domain=None, action=None, expression=None):
        self.text = text            # the raw physical line(s), line endings included
        self.number = number        # 1-based number of its first physical line
        self.kind = kind
        self.keys = keys or []      # exact names (exact lines)
        self.domain = domain        # domain lines
        self.action = action        # managed lines and other rules
        self.expression = expression  # regexp/pcre: the /expression/flags text
        self.comment_line = None    # the attached single-line comment (a TableLine)

    @property
    def managed(self):
        return self.kind in ("exact", "domain")

    @property
    def content(self):
        return self.text.rstrip("\n")


def _classify(text, number, map_type):
    first = text.split("\n", 1)[0]
    stripped = first.strip()
    if not stripped:
        return TableLine(text, number, "blank")
    if stripped.startswith("#"):
        return TableLine(text, number, "comment")
    continued = text.count("\n") > 1 or (text.count("\n") == 1 and not text.endswith("\n"))
    if map_type in REGEXP_TYPES:
        lowered = stripped.lower()
        if lowered.startswith("if ") or lowered.startswith("if!") or lowered == "endif" or lowered.startswith("if/"):
            return TableLine(text, number, "structure")
        if not continued:
            match = EXACT_LINE.match(first)
            if match:
                literals = [match.group("single")] if match.group("single") else match.group("group").split("|")
                return TableLine(text, number, "exact", keys=[unescape(literal) for literal in literals],
                                 action=match.group("action"))
            match = FACTORED_LINE.match(first) if map_type == "pcre" else None
            keys = names_of(match.group("expression")) if match else None
            if keys:
                return TableLine(text, number, "exact", keys=keys, action=match.group("action"))
            match = DOMAIN_LINE.match(first)
            if match:
                return TableLine(text, number, "domain", domain=unescape(match.group("domain")),
                                 action=match.group("action"))
        end = expression_end(first)
        expression = first[:end] if end else None
        action = " ".join(text[end:].split()) if end else None
        return TableLine(text, number, "rule", expression=expression, action=action)
    match = INDEXED_LINE.match(first)
    if match and not continued:
        return TableLine(text, number, "exact", keys=[match.group("key")], action=match.group("action"))
    return TableLine(text, number, "rule")


def parse_table(text, map_type, known=None):
    """Split a table's text into logical lines (continuations join the line above).

    ``known`` maps the content of exact lines already read (or just rendered)
    to their names: such a line is not read again (a trie-shaped line of 500
    names costs its enumeration).
    """
    logical = []
    number = 0
    for physical in split_lines(text):
        number += 1
        is_continuation = physical[:1] in (" ", "\t") and physical.strip() and logical \
            and logical[-1][1].strip() and not logical[-1][1].lstrip().startswith("#")
        if is_continuation:
            logical[-1][1] += physical
        else:
            logical.append([number, physical])
    if known:
        lines = [_known_or_classified(text_of_line, first_number, map_type, known)
                 for first_number, text_of_line in logical]
    else:
        lines = [_classify(text_of_line, first_number, map_type) for first_number, text_of_line in logical]
    for position, line in enumerate(lines):
        if line.managed and position >= 1 and lines[position - 1].kind == "comment":
            line.comment_line = lines[position - 1]
    return lines


def _known_or_classified(text, number, map_type, known):
    keys = known.get(text[:-1] if text.endswith("\n") else text)
    if keys is None:
        return _classify(text, number, map_type)
    # An exact line: /^...$/ ACTION, and a name holds neither '$' nor '/'.
    return TableLine(text, number, "exact", keys=keys, action=text[text.index("$/") + 2:].strip())


def render_exact(keys, action, map_type):
    """The table line(s) for exact names sharing one action (no line endings)."""
    if map_type not in REGEXP_TYPES:
        return ["%s %s" % (key, action) for key in keys]
    escaped = [regex_escape(key) for key in keys]
    if len(escaped) == 1:
        return ["/^%s$/ %s" % (escaped[0], action)]
    return ["/^(%s)$/ %s" % ("|".join(escaped), action)]


def render_grouped(keys, action, map_type):
    """A grouped line: for pcre the names as a trie, addresses once for them and their literals (faster
    lookups, see access/factored.py)."""
    if map_type == "pcre" and len(keys) > 1:
        expression = grouped_expression(keys, action)
        if expression is not None:
            return ["/^%s$/ %s" % (expression, action)]
    return render_exact(keys, action, map_type)


def render_domain(domain, action):
    return "/^(.+\\.)?%s$/ %s" % (regex_escape(domain), action)


def render_pattern(pattern, action):
    return "/%s/ %s" % (pattern, action)


def render_comment(comment):
    return "# %s" % comment if comment else "#"


def parsed_entries(lines):
    """What the info module returns: every rule line with its meaning."""
    described = []
    for line in lines:
        if line.kind in ("blank", "comment", "structure"):
            continue
        item = {"line": line.number, "text": line.content, "kind": line.kind, "action": line.action}
        if line.kind == "exact":
            item["names"] = list(line.keys)
        elif line.kind == "domain":
            item["domain"] = line.domain
        if line.comment_line is not None:
            item["comment"] = line.comment_line.content.lstrip("#").strip()
        described.append(item)
    return described


def check_conflicts(entries, map_type):
    """Two entries that claim one key with different actions or states cannot both hold."""
    claimed = {"name": {}, "domain": {}, "pattern": {}}   # what a key is -> key -> the first entry claiming it
    regexp = map_type in REGEXP_TYPES
    for entry in entries:
        if entry.kind == "pattern":
            what, keys = "pattern", (entry.value,)
        elif entry.kind == "domain" and regexp:
            what, keys = "domain", (entry.value.lower(),)
        else:
            what, keys = "name", [key.lower() for key in entry.table_keys(map_type)]
        of_kind = claimed[what]
        for key in keys:
            previous = of_kind.setdefault(key, entry)
            if previous is not entry and (previous.state, previous.action) != (entry.state, entry.action):
                raise AccessTableError("%s conflicts with %s: both cover %s with a different action or state"
                                       % (entry.label, previous.label, key))
