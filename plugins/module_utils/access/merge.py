# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Entries of the helo_guard role: merging and the lookups that prove them.

The role gathers ``helo_guard_entries`` and every ``helo_guard_entries__*``
variable (group_vars and host_vars each add a list without copying the
others). ``merge_entries`` turns those lists into one list for the
``helo_access`` module: an entry listed twice is kept once; the same key with
a different action, state or expiry date is a conflict whose message names
both variables (``helo_guard_entries__partners[1]``).

``probe_expectations`` says which HELO names ``postmap -q`` must answer and
with which action once the table is written: the host name itself, an IP
address bare and as an address literal, a domain by its own name. Raw
``pattern`` entries have no name to ask for.

Pure functions: no Ansible import, no I/O. Errors are ``HeloEntryError``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import ipaddress
import re

from ansible_collections.mailops.postfix.plugins.module_utils.postfix import maps

ENTRY_KINDS = ("host", "domain", "ip", "pattern")
ENTRY_OPTIONS = ENTRY_KINDS + ("action", "comment", "state", "expires")
DEFAULT_ACTION = "OK"
STATES = ("present", "absent")


class HeloEntryError(Exception):
    """An entry variable is malformed or two entries disagree; the text names them."""


def entry_kind(entry, label):
    """The one key kind (host, domain, ip, pattern) an entry has."""
    if not isinstance(entry, dict):
        raise HeloEntryError("%s must be a dictionary with one of %s, got %r" % (label, ", ".join(ENTRY_KINDS), entry))
    kinds = [kind for kind in ENTRY_KINDS if entry.get(kind) not in (None, "")]
    if len(kinds) != 1:
        raise HeloEntryError(
            "%s must have exactly one of %s, it has %s" % (label, ", ".join(ENTRY_KINDS), ", ".join(kinds) or "none")
        )
    unknown = sorted(set(entry) - set(ENTRY_OPTIONS))
    if unknown:
        raise HeloEntryError("%s has unknown option(s) %s; known: %s" % (label, ", ".join(unknown), ", ".join(ENTRY_OPTIONS)))
    return kinds[0]


def normalized_value(kind, value):
    """The value as Postfix compares it: names case-insensitive, addresses in one spelling."""
    text = str(value).strip()
    if kind in ("host", "domain"):
        return text.lower().rstrip(".")
    if kind == "ip":
        try:
            return str(ipaddress.ip_address(text.strip("[]")))
        except ValueError:
            return text
    return text


def entry_key(entry, label):
    """``(kind, normalized value)``: two entries with one key describe the same table line."""
    kind = entry_kind(entry, label)
    return kind, normalized_value(kind, entry[kind])


def normalized_action(action):
    """``ok`` and ``OK`` are one action; the text after the keyword is kept as written."""
    words = str(action if action not in (None, "") else DEFAULT_ACTION).split()
    if not words:
        return DEFAULT_ACTION
    return " ".join([words[0].upper()] + words[1:])


def _state(entry, label):
    state = entry.get("state") or "present"
    if state not in STATES:
        raise HeloEntryError("%s has state %r; use present or absent" % (label, state))
    return state


def _differences(kept, new):
    """What makes two entries with the same key disagree, as (field, first, second)."""
    found = []
    if normalized_action(kept["entry"].get("action")) != normalized_action(new["entry"].get("action")):
        found.append(("action", normalized_action(kept["entry"].get("action")), normalized_action(new["entry"].get("action"))))
    if kept["state"] != new["state"]:
        found.append(("state", kept["state"], new["state"]))
    if str(kept["entry"].get("expires") or "") != str(new["entry"].get("expires") or ""):
        found.append(("expires", kept["entry"].get("expires") or "none", new["entry"].get("expires") or "none"))
    return found


def merge_entries(sources):
    """Merge entry lists from several variables into one list.

    ``sources`` is a list of ``(variable_name, list_of_entries)`` in the order
    they should appear (the role passes ``helo_guard_entries`` first, then the
    ``helo_guard_entries__*`` variables sorted by name). Returns the merged
    entries, each a new dict, in order of first appearance. A later duplicate
    adds a comment the first one lacked; nothing else.
    """
    merged = []
    seen = {}
    for variable_name, entries in sources:
        if entries is None:
            continue
        if not isinstance(entries, (list, tuple)):
            raise HeloEntryError("%s must be a list of entries, got %s" % (variable_name, type(entries).__name__))
        for index, entry in enumerate(entries):
            label = "%s[%d]" % (variable_name, index)
            key = entry_key(entry, label)
            candidate = {"label": label, "entry": entry, "state": _state(entry, label)}
            kept = seen.get(key)
            if kept is None:
                seen[key] = candidate
                merged.append(dict(entry))
                candidate["merged"] = merged[-1]
                continue
            differences = _differences(kept, candidate)
            if differences:
                raise HeloEntryError(
                    "%s and %s both list %s %s but disagree: %s"
                    % (
                        kept["label"], label, key[0], entry[key[0]],
                        "; ".join("%s %s vs %s" % difference for difference in differences),
                    )
                )
            if not kept["merged"].get("comment") and entry.get("comment"):
                kept["merged"]["comment"] = entry["comment"]
    return merged


def _expired(entry, today):
    expires = entry.get("expires")
    if expires in (None, ""):
        return False
    if isinstance(expires, datetime.datetime):
        expires = expires.date()
    if not isinstance(expires, datetime.date):
        try:
            expires = datetime.date.fromisoformat(str(expires)[:10])
        except ValueError:
            kind, value = entry_key(entry, "entry")
            raise HeloEntryError("expires %r of %s %s is not a date (YYYY-MM-DD)" % (expires, kind, value))
    return expires <= today


def lookup_keys(kind, value):
    """The HELO names ``postmap -q`` is asked for one entry (none for a raw pattern)."""
    if kind in ("host", "domain"):
        return [value]
    if kind == "ip":
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            return [value]
        if address.version == 6:
            return [str(address), "[IPv6:%s]" % address]
        return [str(address), "[%s]" % address]
    return []


def probe_expectations(entries, today=None):
    """``[{"key": name, "action": action, "entry": "host x"}]`` for every present entry.

    ``today`` (a date or ISO string) decides which entries have expired; an
    expired entry counts as absent, as in the helo_access module.
    """
    if today is None:
        today = datetime.date.today()
    elif not isinstance(today, datetime.date):
        today = datetime.date.fromisoformat(str(today)[:10])
    expectations = []
    for index, entry in enumerate(entries or []):
        kind, value = entry_key(entry, "entries[%d]" % index)
        if _state(entry, "entries[%d]" % index) != "present" or _expired(entry, today):
            continue
        for key in lookup_keys(kind, value):
            expectations.append({"key": key, "action": normalized_action(entry.get("action")),
                                 "entry": "%s %s" % (kind, entry[kind])})
    return expectations


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
        elif normalized_action(answer) != expected["action"]:
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
