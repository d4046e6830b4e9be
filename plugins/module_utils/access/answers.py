# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""What Postfix answered the role, compared with what the entries expect.

``postmap -q -`` answers (``parse_postmap_answers``) against
``entry.probe_expectations``; the ``postconf -n`` warnings the role's own
settings caused; the file-based tables a restriction list names. Pure
functions over text: the role's filters call them.
"""

from __future__ import annotations

import re

from ansible_collections.mailops.postfix.plugins.module_utils.access import names
from ansible_collections.mailops.postfix.plugins.module_utils.access.entry import normalize_action
from ansible_collections.mailops.postfix.plugins.module_utils.postfix import maps


def unexpected_answers(expectations, answers):
    """Sentences for every expected key that ``postmap -q`` did not answer with its action.

    ``answers`` maps key -> value as ``postmap -q -`` printed them.
    """
    problems = []
    for expected in expectations:
        answer = answers.get(expected["key"])
        if answer is None:
            problems.append("%s is not found in the table (expected %s, from %s)"
                            % (expected["key"], expected["action"], expected["entry"]))
        elif normalize_action(answer) != expected["action"]:
            problems.append("%s answers %s, expected %s (from %s)"
                            % (expected["key"], answer, expected["action"], expected["entry"]))
    return problems


def parse_postmap_answers(stdout):
    """``key<TAB>value`` lines of ``postmap -q -`` as a dict."""
    answers = {}
    for line in (stdout or "").splitlines():
        key, separator, value = line.partition("\t")
        if separator:
            answers[key] = value
    return answers


def relevant_postconf_warnings(warning_lines, restrictions, table_path):
    """The warnings of ``postconf -n`` that concern the role's own settings.

    A main.cf may carry warnings the role did not cause; these are the ones it
    did: any line naming an ``smtpd_helo_*`` parameter or the table, a fatal
    error, and "undefined parameter: NAME" when the restriction list refers to
    ``$NAME`` or ``${NAME}`` (a typo such as ``$config_dir``).
    """
    restriction_text = " ".join(restrictions or [])
    found = []
    for line in warning_lines or []:
        undefined = re.search(r"undefined parameter: (\S+)", line)
        if (
            "fatal:" in line
            or "smtpd_helo_" in line
            or (table_path and table_path in line)
            or (undefined and re.search(r"\$\{?%s\b" % re.escape(undefined.group(1)), restriction_text))
        ):
            if line not in found:
                found.append(line)
    return found


# Lookup table types a restriction list can name with an absolute path.
_MAP_REFERENCE = re.compile(r"(?<![\w:])([a-z][a-z0-9_]*):(/[^\s,]+)")


def restriction_maps(expanded_restrictions):
    """The ``type:/path`` tables a restriction list refers to, each once, in order.

    ``expanded_restrictions`` is what ``postconf -x -h smtpd_helo_restrictions``
    prints (parameters already expanded). Only file-based types are returned:
    those ``postmap -q`` can open to prove the table is there and readable.
    """
    found = []
    for map_type, path in _MAP_REFERENCE.findall(expanded_restrictions or ""):
        reference = "%s:%s" % (map_type, path)
        if maps.map_type(map_type) is not None and reference not in found:
            found.append(reference)
    return found


_RESTRICTION_SEPARATORS = re.compile(r"[\s,]+")


def table_reference_problems(restrictions, table_type, table_path, option="helo_guard_restrictions"):
    """A sentence when a restriction list has no check_helo_access at all (the table would never be used)."""
    if isinstance(restrictions, str):
        text = restrictions
    elif isinstance(restrictions, (list, tuple)) and all(isinstance(item, str) for item in restrictions):
        text = " ".join(restrictions)
    else:
        described = "a list holding something other than strings" if isinstance(restrictions, (list, tuple)) \
            else "a " + names.type_word(restrictions)
        return ["%s must be a list of restrictions (strings), or one string of them, not %s." % (option, described)]
    tokens = [token for token in _RESTRICTION_SEPARATORS.split(text) if token]
    # Any check_helo_access: which table it names, and whether Postfix can open it, is the pre-flight's to judge.
    if "check_helo_access" in tokens:
        return []
    return ["%s (%s) has no check_helo_access %s:%s, so the table the role writes would never be used; add it "
            "(before the reject_* restrictions)." % (option, ", ".join(tokens) or "empty", table_type, table_path)]
