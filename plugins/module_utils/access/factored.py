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

An ``ip`` entry has two names, the address and its literal (``192.0.2.1``
and ``[192.0.2.1]``; IPv6 ``2001:db8::1`` and ``[IPv6:2001:db8::1]``), and
the grouped layout keeps them in one group (grouped.name_order). A group of
addresses and exactly their literals, all with one prefix, is written with
the addresses once (``paired``), PCRE's conditional group closing the
bracket only where one was opened::

    192.0.2.1, 192.0.2.2, [192.0.2.1], [192.0.2.2]
    ->  (\\[)?(?:192\\.0\\.2\\.(?:1|2))(?(1)\\])

which matches the four names and not ``[192.0.2.1``, ``192.0.2.1]`` or
``[[192.0.2.1]]``. Postfix compiles every line when a process opens the
table, so less expression is a faster start (measured with 10,000 entries,
half hosts, half IPv4, 500 names a group: 145 KB instead of 222 KB in 30
lines; ``postmap -q -`` of 1,000 names 9.3 ms instead of 11.2 ms, hash
5.1 ms). Any other group (hosts among the addresses, an address without its
literal, IPv4 and IPv6 literals together) is a plain trie of all its names,
which is just as exact. ``names_of`` reads the paired shape back as the
addresses and their literals, and nothing else of the kind: another prefix
or one that does not fit the addresses, a conditional on another group, an
unconditional bracket, a bracketed name inside.

A table written before the paired shape has its literals in groups of their
own (they sorted after every address); it is read as it is, keeps its lines
and is extended in its own order (grouped.py).
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
# An escaped metacharacter (nothing else: ``\\d`` is a class, not the letter d), a group, a bar, a literal run.
_TOKEN = re.compile(r"\\[\\.^$*+?()\[\]{}|]|\(\?:|\)\??|\||[^\\.^$*+?()\[\]{}|]+")
# The prefixes of address literals (names.address_literals), the longer first.
LITERAL_PREFIXES = ("[IPv6:", "[")
# ``paired``'s shape: the escaped prefix captured as group 1, the addresses' trie, the bracket closed on group 1.
_PAIRED = re.compile(r"\((%s)\)\?\(\?:(.+)\)\(\?\(1\)\\\]\)\Z"
                     % "|".join(re.escape(regex_escape(prefix)) for prefix in LITERAL_PREFIXES), re.DOTALL)
_PREFIX_OF = {regex_escape(prefix): prefix for prefix in LITERAL_PREFIXES}


def grouped_expression(names, action=""):
    """The expression of a pcre grouped line: ``paired`` where the names allow it, else ``factored``.

    Not ``paired`` when the line's ``action`` holds a ``$``: Postfix expands
    ``$1`` in a pcre result from the line's first capture, which in the paired
    shape is the literal's bracket, so ``REJECT pay $1`` would answer
    ``REJECT pay [`` for a literal and ``REJECT pay`` for an address. A plain
    trie captures nothing, and Postfix refuses such a line ("out of range
    replacement index"), which the module reports as it does for any line.
    """
    return (None if "$" in action else paired(names)) or factored(names)


def paired(names):
    """``(\\[)?(?:TRIE)(?(1)\\])`` for addresses and exactly their literals of one prefix; else None.

    TRIE is ``factored`` of the addresses; the prefix is ``\\[`` for IPv4 and
    ``\\[IPv6:`` for IPv6 (an address with a colon). None too when the addresses' trie is too deep.
    """
    distinct = set(names)
    bare = [name for name in distinct if name[:1] != "["]
    if not bare or 2 * len(bare) != len(distinct):
        return None
    literal = next(name for name in distinct if name[:1] == "[")
    prefix = next(prefix for prefix in LITERAL_PREFIXES if literal.startswith(prefix))
    if any(prefix + name + "]" not in distinct for name in bare) or not _of_family(prefix, bare):
        return None
    trie = factored(bare)
    if trie is None:
        return None
    return "(%s)?(?:%s)(?(1)\\])" % (regex_escape(prefix), trie)


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
    """The names a ``factored``- or ``paired``-shaped expression matches, or None if it is of neither shape."""
    match = _PAIRED.match(expression)
    if match:
        return _paired_names(_PREFIX_OF[match.group(1)], match.group(2))
    if "(?:" not in expression:
        return None
    return _trie_names(expression)


def _paired_names(prefix, trie):
    """Each address of ``trie`` and its literal; None unless ``trie`` is a trie of names without a bracket."""
    addresses = _trie_names(trie)
    if not addresses or 2 * len(addresses) > MAX_NAMES or any(name[:1] == "[" for name in addresses) \
            or not _of_family(prefix, addresses):
        return None
    names = []
    for address in addresses:
        names.append(address)
        names.append(prefix + address + "]")
    return names


def _of_family(prefix, addresses):
    """Whether every address takes ``prefix``: ``[IPv6:`` those with a colon, ``[`` the others."""
    ipv6 = prefix == "[IPv6:"
    return all((":" in address) == ipv6 for address in addresses)


def _trie_names(expression):
    """The names of a trie (or of a single literal), or None if ``expression`` is not one.

    One pass over the tokens with a stack of the prefixes where the open
    groups start: a branch that ends in a literal ends a name; a group ends
    its branch (after ``)`` only ``|``, ``)`` or the end may follow, as in a
    trie); ``)?`` also stands for the group's prefix itself.
    """
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
