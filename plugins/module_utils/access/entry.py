# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""One entry of a Postfix HELO access table: validation, keys, actions.

An entry is what a user writes (``host``, ``domain``, ``ip`` or ``pattern``,
plus ``action``, ``comment``, ``state`` and ``expires``). This file turns it
into the exact lookup keys Postfix will be asked about, validates every
value before anything is written and raises ``AccessTableError`` with a
message that names the entry (``entries[3] (host=...)``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import ipaddress
import re

from ansible_collections.mailops.postfix.plugins.module_utils.postfix.maps import REGEXP_TYPES

KINDS = ("host", "domain", "ip", "pattern")

# access(5) actions that stand alone or take optional free text.
ACTIONS_OPTIONAL_TEXT = ("REJECT", "DEFER", "DEFER_IF_REJECT", "DEFER_IF_PERMIT", "WARN", "HOLD", "DISCARD", "INFO")
ACTIONS_NO_TEXT = ("OK", "DUNNO", "RELAY")
# access(5) actions whose argument is required, with the shape it must have.
ACTIONS_WITH_ARGUMENT = {
    "PREPEND": re.compile(r"^[!-9;-~]+:.*$"),     # headername: headervalue
    "FILTER": re.compile(r"^[^\s:]+:\S*$"),      # transport:destination
    "REDIRECT": re.compile(r"^\S+@\S+$"),        # user@domain
    "BCC": re.compile(r"^\S+@\S+$"),             # user@domain
}
NUMERIC_REPLY = re.compile(r"^[45]\d\d$")
ALL_NUMERICAL = re.compile(r"^\d+$")
# A restriction name used as a result (permit_mynetworks, reject_unauth_destination, ...).
RESTRICTION_NAME = re.compile(r"^(permit|reject|defer|check|warn_if_reject)(_[a-z0-9]+)*$")

# Characters that are special in POSIX extended and PCRE regular expressions.
REGEX_SPECIAL = set("\\.^$*+?()[]{}|")
# What a HELO name may never contain in a table key: it would end the key or
# the expression, or split the line.
FORBIDDEN_IN_NAME = re.compile(r"[\s/\x00-\x1f\x7f]")


class AccessTableError(Exception):
    """Bad input or an unreadable table; the message names the entry or line."""


_ESCAPES = dict((ord(char), "\\" + char) for char in REGEX_SPECIAL)


def regex_escape(literal):
    """Escape every regular-expression metacharacter of ``literal``."""
    return literal.translate(_ESCAPES)


_NORMALIZED_ACTIONS = {}


def normalize_action(action):
    """The canonical spelling of an action: keyword upper-cased, spaces collapsed."""
    normalized = _NORMALIZED_ACTIONS.get(action)
    if normalized is None:
        normalized = _NORMALIZED_ACTIONS[action] = _normalize_action(action)
    return normalized


def _normalize_action(action):
    words = action.split()
    if not words:
        return ""
    keyword = words[0]
    known = ACTIONS_NO_TEXT + ACTIONS_OPTIONAL_TEXT + tuple(ACTIONS_WITH_ARGUMENT)
    if keyword.upper() in known or not RESTRICTION_NAME.match(keyword):
        keyword = keyword.upper()
    return " ".join([keyword] + words[1:])


def validate_action(action):
    """Raise ValueError with a sentence when ``action`` is not an access(5) result."""
    if re.search(r"[\r\n\x00]", action):
        raise ValueError("the action spans more than one line or holds a NUL")
    words = action.split()
    if not words:
        raise ValueError("the action is empty")
    keyword = words[0].upper()
    argument = " ".join(words[1:])
    if keyword in ACTIONS_NO_TEXT:
        if argument:
            raise ValueError("action %s takes no text" % keyword)
        return
    if keyword in ACTIONS_OPTIONAL_TEXT or NUMERIC_REPLY.match(keyword):
        return
    if keyword in ACTIONS_WITH_ARGUMENT:
        if not ACTIONS_WITH_ARGUMENT[keyword].match(argument):
            raise ValueError("action %s needs an argument of the form %s"
                             % (keyword, {"PREPEND": "'headername: value'", "FILTER": "transport:destination"}
                                .get(keyword, "user@domain")))
        return
    if (ALL_NUMERICAL.match(words[0]) or RESTRICTION_NAME.match(words[0])) and not argument:
        return
    raise ValueError("unknown action %r (see access(5): OK, REJECT [text], DUNNO, 4NN/5NN text, WARN text, "
                     "PREPEND header: value, HOLD, DISCARD, DEFER, FILTER, REDIRECT, BCC, INFO or a restriction name)"
                     % words[0])


def _validate_name(value, what):
    if not value:
        raise ValueError("the %s is empty" % what)
    bad = FORBIDDEN_IN_NAME.search(value)
    if bad:
        raise ValueError("the %s contains %r, which would end the table key or expression" % (what, bad.group(0)))


def _normalize_ip(value):
    text = value.strip("[]")
    if text.lower().startswith("ipv6:"):
        text = text[5:]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        raise ValueError("%r is not a valid IPv4 or IPv6 address" % value)


def _validate_pattern(value):
    if not value:
        raise ValueError("the pattern is empty")
    if re.search(r"[\s\x00-\x1f\x7f]", value):
        raise ValueError("the pattern contains whitespace or a control character; use \\s or [[:space:]]")
    if re.search(r"(^|[^\\])(\\\\)*/", value):
        raise ValueError("the pattern contains an unescaped '/', which would end the expression; write \\/")


class Entry:
    """A validated entry; compare its keys with ``key.lower()`` (lookups ignore case)."""

    def __init__(self, index, kind, value, action="OK", comment=None, state="present", expires=None):
        self.index = index
        self.kind = kind
        self.value = value
        self.action = action
        self.comment = comment
        self.state = state
        self.expires = expires
        self.ip = None
        self._exact_keys = None
        if kind == "ip":
            self.ip = _normalize_ip(value)

    @property
    def label(self):
        return "entries[%d] (%s=%s)" % (self.index, self.kind, self.value)

    def exact_keys(self):
        """The exact HELO names this entry matches (host and ip entries)."""
        if self._exact_keys is None:
            if self.kind == "host":
                self._exact_keys = (self.value.lower(),)
            elif self.kind == "ip":
                address = str(self.ip)
                literal = "[%s]" % address if self.ip.version == 4 else "[IPv6:%s]" % address
                self._exact_keys = (address, literal)
            else:
                self._exact_keys = ()
        return list(self._exact_keys)

    def table_keys(self, map_type):
        """The keys written to (and looked up in) a table of ``map_type``."""
        if self.kind == "domain":
            if map_type in REGEXP_TYPES:
                return []
            return [self.value.lower(), "." + self.value.lower()]
        return self.exact_keys()

    def probe_names(self):
        """Names to ask Postfix about to judge this entry (empty for patterns)."""
        if self.kind == "domain":
            return [self.value.lower(), "mailops-probe." + self.value.lower()]
        return self.exact_keys()


def _parse_expires(value, label):
    if value is None or value == "":
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.datetime.strptime(str(value), "%Y-%m-%d").date()
    except ValueError:
        raise AccessTableError("%s: expires %r is not a date of the form YYYY-MM-DD" % (label, value))


def parse_entries(raw_entries, map_type, default_state="present", today=None):
    """Validate the user's entries; return a list of ``Entry``.

    An entry whose ``expires`` date is today or earlier counts as absent.
    Raises AccessTableError naming the first bad entry.
    """
    entries = []
    for index, raw in enumerate(raw_entries or []):
        if not isinstance(raw, dict):
            raise AccessTableError("entries[%d] (%r): each entry must be a dictionary" % (index, raw))
        given = [kind for kind in KINDS if raw.get(kind) not in (None, "")]
        if len(given) != 1:
            shown = ", ".join("%s=%s" % (kind, raw[kind]) for kind in given) or "no host/domain/ip/pattern"
            raise AccessTableError("entries[%d] (%s): give exactly one of host, domain, ip or pattern" % (index, shown))
        kind = given[0]
        value = str(raw[kind])
        label = "entries[%d] (%s=%s)" % (index, kind, value)
        action = raw.get("action")
        action = "OK" if action is None else str(action)
        comment = raw.get("comment")
        state = raw.get("state") or default_state
        try:
            if kind == "pattern":
                if map_type not in REGEXP_TYPES:
                    raise ValueError("pattern entries need a regexp or pcre table, not %s" % map_type)
                _validate_pattern(value)
            elif kind == "ip":
                _normalize_ip(value)
            else:
                if kind == "domain":
                    value = value.strip(".")
                _validate_name(value, kind)
            validate_action(action)
            if comment is not None:
                comment = str(comment)
                if re.search(r"[\r\n\x00]", comment):
                    raise ValueError("the comment spans more than one line or holds a NUL")
            if state not in ("present", "absent"):
                raise ValueError("state must be present or absent, not %r" % state)
        except ValueError as error:
            raise AccessTableError("%s: %s" % (label, error))
        expires = _parse_expires(raw.get("expires"), label)
        if expires is not None and today is not None and today >= expires:
            state = "absent"
        entries.append(Entry(index, kind, value, normalize_action(action), comment, state, expires))
    return entries
