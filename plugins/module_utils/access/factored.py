# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Exact names as one factored PCRE expression (a trie), and back.

A grouped line ``/^(a|b|c)$/`` makes PCRE try every alternative in turn.
Written as a trie instead, names that share a prefix share it once::

    mx1.example.com, mx2.example.com, mx2.example.net
    ->  mx(?:1\\.example\\.com|2\\.example\\.(?:com|net))

so a lookup follows one branch per character and Postfix compiles less
(measured in bench/: 10,000 names answer 1,000 lookups in about 1.8x the time
of a hash table instead of 3.4x). The expression is machine-written and not
meant to be edited by hand. ``names_of`` reads an expression of this shape
back as the names it matches (it enumerates the expression's finite
language, just as ``/^(a|b)$/`` is read as the names a and b), so the table
stays keyed by name: a changed entry changes one line, an unchanged table is
left byte for byte.

The shape: escaped literals, ``(?:A|B|...)`` groups of alternatives, a
``?`` after a group when a name may end before it. ``factored`` writes the
alternatives of a group sorted, each starting with its own character.
"""

from __future__ import annotations

import re

from ansible_collections.mailops.postfix.plugins.module_utils.access.entry import REGEX_SPECIAL, regex_escape

# PCRE2 refuses parentheses nested deeper than 250; a trie deeper than this is written flat.
MAX_DEPTH = 100
# Expressions that would stand for more names than this are not read as names.
MAX_NAMES = 100000
# The trie's structure as written, and as marks while the literals are still unescaped (no name holds them).
_PLAIN = ("(?:", "|", ")", ")?")
_STRUCTURE = ("\x01", "\x02", "\x03", "\x04")
_SPECIALS_BACKSLASH_FIRST = "\\" + "".join(sorted(REGEX_SPECIAL - {"\\"}))
_TOKEN = re.compile(r"\\.|\(\?:|\)\??|\||[^\\.^$*+?()\[\]{}|]+")


def factored(names):
    """The trie-shaped expression (without anchors) matching exactly ``names``; None if too deep.

    The text depends only on the set of names, not on their order. The names
    are sorted once and each neighbour's shared prefix with the one before is
    measured once (``shared``); a branch of the trie is then a run of
    neighbours, its prefix the least shared length inside the run and its
    sub-branches split where that least length recurs (``list.index``, in C),
    so no character is compared twice.
    """
    ordered = sorted(set(names))
    if not ordered:
        return ""
    shared = [0] + [_shared_length(before, after) for before, after in zip(ordered, ordered[1:])]
    joined = "".join(ordered)
    marks = _STRUCTURE if not any(mark in joined for mark in _STRUCTURE) else None
    parts = []
    if not _render(ordered, shared, 0, len(ordered), 0, parts, 0, marks or _PLAIN):
        return None
    if marks is None:
        return "".join(parts)
    # The literals were written unescaped and the structure as marks no name holds: one escape pass over all.
    expression = "".join(parts)
    for char in _SPECIALS_BACKSLASH_FIRST:
        if char in expression:
            expression = expression.replace(char, "\\" + char)
    for mark, text in zip(_STRUCTURE, _PLAIN):
        expression = expression.replace(mark, text)
    return expression


def _shared_length(before, after):
    end, limit = 0, min(len(before), len(after))
    while end < limit and before[end] == after[end]:
        end += 1
    return end


def _render(names, shared, low, high, offset, out, depth, marks):
    """Append the expression for ``names[low:high]`` past their shared first ``offset`` characters.

    ``shared[i]`` is how many characters ``names[i]`` shares with ``names[i - 1]``. ``marks``: how
    ``(?:``, ``|``, ``)`` and ``)?`` are written; with _STRUCTURE the literals are left unescaped
    (``factored`` escapes the whole expression at once), with _PLAIN each is escaped here.
    """
    escape = _same if marks is _STRUCTURE else regex_escape
    open_group, separator, close, close_optional = marks
    first = names[low]
    if high - low == 1:
        out.append(escape(first[offset:]))
        return True
    end = min(shared[low + 1:high])   # sorted: what first and last share, all share
    out.append(escape(first[offset:end]))
    ends_here = len(first) == end     # only the first (the shortest) can end here: the names are distinct
    if depth >= MAX_DEPTH:
        return False
    out.append(open_group)
    start = position = low + 1 if ends_here else low
    while position < high:
        if position > start:
            out.append(separator)
        try:   # the next branch starts where a name differs from the one before at ``end``
            run_end = shared.index(end, position + 1, high)
        except ValueError:
            run_end = high
        if run_end == position + 1:   # a leaf, as _render writes it (one call less per name)
            out.append(escape(names[position][end:]))
        elif not _render(names, shared, position, run_end, end, out, depth + 1, marks):
            return False
        position = run_end
    out.append(close_optional if ends_here else close)
    return True


def _same(text):
    return text


def names_of(expression):
    """The names a ``factored``-shaped expression matches, or None if it is not of that shape.

    One pass over the tokens with a stack of the prefixes where the open
    groups start: a branch that ends in a literal ends a name; a group ends
    its branch (after ``)`` only ``|``, ``)`` or the end may follow, as in a
    trie); ``)?`` also stands for the group's prefix itself.
    """
    if "(?:" not in expression:
        return None
    tokens = _TOKEN.findall(expression)
    if "".join(tokens) != expression:
        return None
    names = []
    open_groups = []   # (prefix at the group's start, index in names where its names begin)
    current = ""
    previous = None    # the kind of the last token: "literal", "open", "bar" or "close"
    for token in tokens:
        if token == "(?:":
            if previous == "close" or len(open_groups) >= MAX_DEPTH:
                return None
            open_groups.append((current, len(names)))
            previous = "open"
        elif token == "|" or token[0] == ")":
            if previous in ("open", "bar", None) or not open_groups:
                return None
            if previous == "literal":
                names.append(current)
            start, first_index = open_groups[-1]
            if token == "|":
                current = start
                previous = "bar"
                continue
            open_groups.pop()
            if token == ")?":
                names.insert(first_index, start)  # the shorter name first, as in sorted order
            current = start
            previous = "close"
        else:
            if previous == "close" or token[0] == "?":
                return None
            current += token[1] if token[0] == "\\" else token
            previous = "literal"
        if len(names) > MAX_NAMES:
            return None
    if open_groups:
        return None
    if previous == "literal":
        names.append(current)
    return names
