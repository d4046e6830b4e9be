# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Ask Postfix what a table means, before it is written.

Each function is handed a ``run_command`` callable, a Postfix config dir and a
scratch directory it may write to; it writes the table there (and builds the
index for indexed types), and asks ``postmap -q -`` about every name in one
process. The live table and its index are never touched.

To say *which line* answers a name, the table is also written with each
result prefixed by ``mailops-line-N`` (N is the line number in the real
table): matching depends only on the keys and expressions, so Postfix's
answer names the winning line and still carries its action.
"""

from __future__ import annotations

import hashlib
import os
import re

from ansible_collections.mailops.postfix.plugins.module_utils.postfix import cli as postfix_cli
from ansible_collections.mailops.postfix.plugins.module_utils.postfix import maps
from ansible_collections.mailops.postfix.plugins.module_utils.postfix.maps import REGEXP_TYPES
from ansible_collections.mailops.postfix.plugins.module_utils.access.entry import (
    AccessTableError,
    expected_answer,
    normalize_action,
)
from ansible_collections.mailops.postfix.plugins.module_utils.access.lines import (
    expression_end,
    parse_table,
    split_lines,
)

LINE_TAG = "mailops-line-"
TAGGED_ANSWER = re.compile(r"^%s(\d+)(?: (.*))?$" % LINE_TAG)
SYNTAX_PROBE = "mailops-syntax-probe.invalid"
# HELO names no entry can mean all at once: a bare word, an unlisted name in
# upper case, address literals of both families and a reserved name. A
# pattern that Postfix answers all of them with matches every HELO name.
UNLISTED_NAMES = ("x", "MAILOPS-UNLISTED.EXAMPLE", "[192.0.2.255]", "[IPv6:2001:db8::ffff]", "localhost",
                  SYNTAX_PROBE)
WARNING_LINE = re.compile(r", line (\d+):")


def _write_table(work_dir, name, text, map_type, run_command, config_dir):
    path = os.path.join(work_dir, name)
    with open(path, "wb") as table_file:
        table_file.write(text.encode("utf-8", "surrogateescape"))
    if maps.needs_postmap(map_type):
        postfix_cli.postmap_build(run_command, config_dir, map_type, path)
    return path


def tagged_text(text, map_type):
    """``text`` with every rule's result prefixed by the rule's line number."""
    tagged = []
    number = 0
    for physical in split_lines(text):
        number += 1
        stripped = physical.strip()
        if not stripped or stripped.startswith("#") or physical[:1].isspace():
            tagged.append(physical)
            continue
        if map_type in REGEXP_TYPES:
            lowered = stripped.lower()
            if lowered == "endif" or re.match(r"^if\s*!?/", lowered):
                tagged.append(physical)
                continue
            end = expression_end(physical)
        else:
            match = re.match(r"^\S+", physical)
            end = match.end() if match else None
        if end is None:
            tagged.append(physical)
            continue
        tagged.append("%s %s%d%s" % (physical[:end], LINE_TAG, number, physical[end:]))
    return "".join(tagged)


def winning_lines(run_command, config_dir, work_dir, map_type, text, names):
    """Which line of ``text`` Postfix answers each name with.

    Returns ``({name: {"line": N, "text": ..., "action": ...}}, warnings)``;
    names no line matches are absent from the answer.
    """
    path = _write_table(work_dir, "tagged", tagged_text(text, map_type), map_type, run_command, config_dir)
    answers, warnings = postfix_cli.postmap_query(run_command, config_dir, map_type, path, names)
    physical = split_lines(text)
    found = {}
    for name, answer in answers.items():
        match = TAGGED_ANSWER.match(answer)
        if not match:
            continue
        number = int(match.group(1))
        found[name] = {"line": number, "text": physical[number - 1].rstrip("\n"), "action": match.group(2) or ""}
    return found, [warning.replace(path, "<table>") for warning in warnings]


# The weight of the exact lines asked in one postmap process (see exact_line_chunks).
CHUNK_WEIGHT = 2000


def _exact_weight(line, map_type):
    """What one exact line costs each lookup: glibc regexp tries every name of an
    alternation; PCRE rejects a trie-shaped or single-name line at its first
    characters (measured: 150,000 names against 300 grouped lines of 100,000
    names in 0.9 s, one process)."""
    return len(line.keys) if map_type == "regexp" else 1


def exact_line_chunks(text, map_type, names):
    """Split the lookups of a large regexp/pcre table so that their cost stays linear.

    A regexp/pcre lookup tries the lines in order, so asking Postfix about
    every name of a table of N one-name lines costs N x N line matches (in
    regexp, a grouped line costs one match per name it lists). An exact line
    (``/^(a\\.example|b\\.example)$/ ACTION``: escaped literals, anchored, no
    flags) matches exactly its own names, so for a name on such a line the
    answer is the same in a table without the other exact lines. Each chunk is
    the table with every non-exact line (in place, so every rule that could
    shadow an exact name is still there) and exact lines of about
    CHUNK_WEIGHT (``_exact_weight``); each name is asked in the chunk holding
    the first exact line that lists it.

    Returns ``([(chunk_text, names)], names_for_the_whole_table)``. Small
    tables, indexed types, pcre tables of grouped lines and names on no exact
    line use the whole table.
    """
    if map_type not in REGEXP_TYPES or (map_type != "regexp" and text.count("\n") + 1 <= CHUNK_WEIGHT):
        return [], names
    lines = parse_table(text, map_type)
    weights = [_exact_weight(line, map_type) if line.kind == "exact" else 0 for line in lines]
    if sum(weights) <= CHUNK_WEIGHT:
        return [], names
    home = {}            # name -> index of the first exact line that lists it
    chunk_of_line = {}   # exact line index -> chunk number
    chunk, filled = 0, 0
    for index, line in enumerate(lines):
        if line.kind == "exact":
            if filled >= CHUNK_WEIGHT:
                chunk, filled = chunk + 1, 0
            chunk_of_line[index] = chunk
            filled += weights[index]
            for key in line.keys:
                home.setdefault(key.lower(), index)
    chunk_names = [[] for _number in range(chunk + 1)]
    whole_table_names = []
    for name in names:
        index = home.get(name.lower())
        if index is None:
            whole_table_names.append(name)
        else:
            chunk_names[chunk_of_line[index]].append(name)
    chunks = []
    for number, asked in enumerate(chunk_names):
        if asked:
            kept = [line.text for index, line in enumerate(lines)
                    if line.kind != "exact" or chunk_of_line[index] == number]
            chunks.append(("".join(kept), asked))
    return chunks, whole_table_names


def verify_plan(run_command, config_dir, work_dir, map_type, plan, known=None, answered=None):
    """Check the candidate ``plan.new_text`` with Postfix before it is written.

    Raises AccessTableError when Postfix rejects a line that an entry wrote
    (an invalid pattern, for example). Returns warnings: entries whose names
    Postfix answers with another line or action (shadowed), absent entries
    still matched, and Postfix's own warnings about other lines.

    ``known`` (``known_answers``): a present entry's name known to be answered
    with its action is not asked; Postfix still reads the whole candidate, and
    if it warns, every name is asked. ``answered`` (a dict) gets the answers.
    """
    # One name no entry covers makes Postfix read (and judge) the whole table even for patterns alone.
    patterns = [entry for entry, _names in plan.probes if entry.kind == "pattern" and entry.state == "present"]
    unlisted = UNLISTED_NAMES if patterns else (SYNTAX_PROBE,)
    asked = _names_to_ask(plan.probes, unlisted, known)
    path = _write_table(work_dir, "candidate", plan.new_text, map_type, run_command, config_dir)
    chunks, whole_table_names = exact_line_chunks(plan.new_text, map_type, sorted(asked))
    answers, postfix_warnings = postfix_cli.postmap_query(run_command, config_dir, map_type, path, whole_table_names)
    for number, (chunk_text, chunk_names) in enumerate(chunks):
        chunk_path = _write_table(work_dir, "candidate-part-%d" % number, chunk_text, map_type, run_command,
                                  config_dir)
        chunk_answers, _chunk_warnings = postfix_cli.postmap_query(run_command, config_dir, map_type, chunk_path,
                                                                   chunk_names)
        answers.update(chunk_answers)
    if known and postfix_warnings:
        return verify_plan(run_command, config_dir, work_dir, map_type, plan, answered=answered)
    if answered is not None:
        answered.update(answers)
    _raise_for_entry_lines(plan, map_type, postfix_warnings, path)
    warnings = ["Postfix: %s" % warning.replace(path, "<candidate table>") for warning in postfix_warnings]
    if patterns and all(name in answers for name in UNLISTED_NAMES):
        warnings.extend(_catch_all_warnings(run_command, config_dir, work_dir, map_type, plan, patterns))
    mismatched = _mismatched(plan.probes, map_type, answers, asked if known else None)
    if not mismatched:
        return warnings
    winners, _tagged_warnings = winning_lines(run_command, config_dir, work_dir, map_type, plan.new_text,
                                              sorted(set(name for _entry, name, _answer in mismatched)))
    for entry, name, answer in mismatched:
        winner = winners.get(name)
        if entry.state == "present":
            if winner is None:
                warnings.append("%s: Postfix finds no line for %s in the new table" % (entry.label, name))
            else:
                warnings.append("%s: Postfix answers %s with line %d (%s), action %r, not %r: that earlier line "
                                "shadows the entry (the first match wins)"
                                % (entry.label, name, winner["line"], winner["text"], answer, entry.action))
        else:
            warnings.append("%s is absent but Postfix still answers %s with %r from line %d (%s)"
                            % (entry.label, name, answer, winner["line"] if winner else 0,
                               winner["text"] if winner else "?"))
    return warnings


def _mismatched(probes, map_type, answers, asked=None):
    """``(entry, name, answer)`` for every name Postfix does not answer as its entry wants (present: with
    the action as Postfix reads it, ``entry.expected_answer``; absent: not at all). A name left out of
    ``asked`` (a set) and not answered is known to be answered with its entry's action."""
    mismatched = []
    for entry, probe_names in probes:
        expected = expected_answer(entry.action, map_type)
        for name in probe_names:
            answer = answers.get(name)
            if answer is None and asked is not None and name not in asked:
                continue
            holds = answer is not None and (answer == expected or normalize_action(answer) == expected)
            if holds != (entry.state == "present"):
                mismatched.append((entry, name, answer))
    return mismatched


def _lowered(keys):
    """``keys`` lower-cased (one pass over the joined names: a name holds no newline)."""
    return "\n".join(keys).lower().split("\n")


def names_digest(keys, lowered=None):
    """A digest of the names an exact line lists (lower-cased, in any order)."""
    ordered = sorted(_lowered(keys) if lowered is None else lowered)
    return hashlib.sha1("\n".join(ordered).encode("utf-8", "surrogateescape")).hexdigest()


def _exact_lines_in_context(lines):
    """``([(exact line, its names lower-cased, rules before it, no earlier exact line lists one of its names)],
    rules)``.

    The rules are every other line Postfix may match a name with (not blank,
    not a comment, not an exact line): other expressions, domain lines,
    ``if``/``endif``.
    """
    rules, seen, exact = [], set(), []
    for line in lines:
        if line.kind == "exact":
            lowered = _lowered(line.keys)
            exact.append((line, lowered, len(rules), seen.isdisjoint(lowered)))
            seen.update(lowered)
        elif line.kind not in ("blank", "comment"):
            rules.append(line.content)
    return exact, rules


def verified_lines(lines, answered, known=None):
    """The exact lines of a judged table whose every name Postfix answered with the line's action.

    ``lines`` the table's parsed lines, ``answered`` Postfix's answers by name
    as asked, ``known`` (``known_answers``) those not asked again. Returns
    ``{line number: names_digest}``: what ``known_answers`` takes from the
    record of this verdict.
    """
    verified = {}
    known = known or {}
    for line in lines:
        if line.kind != "exact" or not line.keys:
            continue
        action = normalize_action(line.action)
        answers = set(map(answered.get, line.keys))
        if None in answers:
            answers.discard(None)
            if any(answered.get(key) is None and known.get(key.lower()) != action for key in line.keys):
                continue
        if all(normalize_action(answer) == action for answer in answers):
            verified[line.number] = names_digest(line.keys)
    return verified


def known_answers(old_lines, verified, new_lines):
    """Postfix's answers in the new table that the verdict on the old one already gives.

    ``verified`` (``verified_lines`` of the old table's verdict): for each such
    line, every name it lists was answered with its action. A name n listed on
    an exact line U that both tables hold byte for byte is answered the same in
    both when (1) no earlier exact line of either table lists n: an exact line
    (anchored, escaped literals) matches exactly the names it lists, so no other
    exact line before U can answer n; (2) the rules before U (every line that
    is neither blank, a comment nor an exact line) are the same lines in the
    same order in both. Postfix answers n with the first line that matches it,
    and every line that could match n before U is then the same; U itself
    matches n in both (the same text, the same Postfix, the same main.cf: part
    of the record's digest; a record is kept only for a table Postfix printed
    no warning about, so U compiled). In the old table n was answered with U's
    action, so it is in the new one. Returns ``{lower-cased name: action}``
    for the names of every such line.
    """
    old_exact, old_rules = _exact_lines_in_context(old_lines)
    reusable = {}
    for line, lowered, rules_before, first in old_exact:
        if first and line.number in verified and verified[line.number] == names_digest(line.keys, lowered):
            reusable.setdefault(line.content, rules_before)
    if not reusable:
        return {}
    new_exact, new_rules = _exact_lines_in_context(new_lines)
    same_rules = 0
    for old_rule, new_rule in zip(old_rules, new_rules):
        if old_rule != new_rule:
            break
        same_rules += 1
    known = {}
    for line, lowered, rules_before, first in new_exact:
        if first and reusable.get(line.content) == rules_before and rules_before <= same_rules:
            known.update(dict.fromkeys(lowered, normalize_action(line.action)))
    return known


def _names_to_ask(probes, unlisted, known):
    """Every name of every entry and ``unlisted``, but a present entry's names ``known`` to hold."""
    if not known:
        return set(name for _entry, probe_names in probes for name in probe_names) | set(unlisted)
    asked = set(unlisted)
    for entry, probe_names in probes:
        if entry.state == "present":
            asked.update(name for name in probe_names if known.get(name.lower()) != entry.action)
        else:
            asked.update(probe_names)
    return asked


def _catch_all_warnings(run_command, config_dir, work_dir, map_type, plan, patterns):
    """A warning for each pattern entry whose line Postfix answers every unlisted name with."""
    winners, _warnings = winning_lines(run_command, config_dir, work_dir, map_type, plan.new_text,
                                       list(UNLISTED_NAMES))
    lines = {winner["text"] for winner in winners.values()}
    if len(winners) != len(UNLISTED_NAMES) or len(lines) != 1:
        return []
    line_text = lines.pop()
    return ["%s: Postfix answers every HELO name with this pattern's line (%s): it matched %s, which no entry "
            "lists, so the entry exempts every client; anchor the expression (^...$) if that is not meant."
            % (entry.label, line_text, ", ".join(UNLISTED_NAMES))
            for entry in patterns if _entry_wrote(entry, line_text, map_type)]


def _raise_for_entry_lines(plan, map_type, postfix_warnings, path):
    """Postfix refusing a line an entry wrote fails the task (nothing is written yet)."""
    physical = split_lines(plan.new_text)
    for warning in postfix_warnings:
        match = WARNING_LINE.search(warning)
        if not match or path not in warning:
            continue
        number = int(match.group(1))
        if number > len(physical):
            continue
        line_text = physical[number - 1].rstrip("\n")
        for entry, _names in plan.probes:
            if entry.state == "present" and _entry_wrote(entry, line_text, map_type):
                raise AccessTableError("%s: Postfix rejects the table line %r: %s"
                                       % (entry.label, line_text, warning.split(": ", 1)[-1]
                                          if ": " in warning else warning))


def _entry_wrote(entry, line_text, map_type):
    lines = parse_table(line_text + "\n", map_type)
    if not lines:
        return False
    line = lines[0]
    if entry.kind == "pattern":
        return line.expression == "/%s/" % entry.value
    if entry.kind == "domain" and map_type in REGEXP_TYPES:
        return line.kind == "domain" and line.domain.lower() == entry.value.lower()
    keys = set(key.lower() for key in entry.table_keys(map_type))
    return bool(keys & set(key.lower() for key in line.keys))
