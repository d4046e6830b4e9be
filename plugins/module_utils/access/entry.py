# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one model of a HELO access entry, shared by the module, the role's filters and its verify step.

An entry is what an admin writes: exactly one of ``host``, ``domain``, ``ip``
or ``pattern`` (the *kind* rule), plus ``action``, ``comment``, ``state``,
``expires``, ``clients`` and ``broad``. ``parse_entry`` validates every
value (names as the DNS defines them, see names.py) and returns an ``Entry``
that knows the exact keys Postfix is asked about (``probe_names``: the *one*
probe-name rule). ``normalize_action`` and ``parse_expires`` are the one
action normaliser and the one expiry parser. ``merge_entries`` is the role's
one merge of ``helo_guard_entries*`` variables: ``state: absent`` wins over
``present`` for the same name; differing actions or expiry dates of present
entries are a conflict named once.

Every problem raises ``AccessTableError`` with one sentence that names the
entry (``entries[3] (host=...)`` or ``helo_guard_entries__partners[1] (...)``),
the value and the rule.
"""

from __future__ import annotations

import datetime
import re

from ansible_collections.mailops.postfix.plugins.module_utils.access import names
from ansible_collections.mailops.postfix.plugins.module_utils.access.errors import AccessTableError
from ansible_collections.mailops.postfix.plugins.module_utils.postfix.maps import REGEXP_TYPES

KINDS = ("host", "domain", "ip", "pattern")
OPTIONS = KINDS + ("action", "comment", "state", "expires", "clients", "broad")
_OPTION_SET = frozenset(OPTIONS)
STATES = ("present", "absent")
DEFAULT_ACTION = "OK"
# The HELO name asked about a domain entry of a regexp/pcre table besides the domain itself.
DOMAIN_PROBE_PREFIX = "mailops-probe."

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
_ARGUMENT_SHAPES = {"PREPEND": "'headername: value'", "FILTER": "transport:destination"}
_KEYWORDS = frozenset(ACTIONS_NO_TEXT + ACTIONS_OPTIONAL_TEXT + tuple(ACTIONS_WITH_ARGUMENT))
NUMERIC_REPLY = re.compile(r"^[45]\d\d$")
ALL_NUMERICAL = re.compile(r"^\d+$")
# A restriction name used as a result (permit_mynetworks, reject_unauth_destination, ...): case matters to smtpd.
RESTRICTION_NAME = re.compile(r"^(permit|reject|defer|check|warn_if_reject)(_[a-z0-9]+)*$")
_LINE_BREAK_OR_NUL = re.compile(r"[\r\n\x00]")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# Characters that are special in POSIX extended and PCRE regular expressions.
REGEX_SPECIAL = set("\\.^$*+?()[]{}|")
_ESCAPES = {ord(char): "\\" + char for char in REGEX_SPECIAL}


def regex_escape(literal: str) -> str:
    """Escape every regular-expression metacharacter of ``literal``."""
    return literal.translate(_ESCAPES)


_NORMALIZED_ACTIONS: dict = {}


def normalize_action(action) -> str:
    """The canonical spelling: access(5) keyword upper-cased, a restriction name as written, spaces collapsed."""
    normalized = _NORMALIZED_ACTIONS.get(action)
    if normalized is None:
        words = str(DEFAULT_ACTION if action is None else action).split()
        if words:
            keyword = words[0]
            if keyword.upper() in _KEYWORDS or not RESTRICTION_NAME.match(keyword):
                keyword = keyword.upper()
            words[0] = keyword
        normalized = _NORMALIZED_ACTIONS[action] = " ".join(words)
    return normalized


def expected_answer(action: str, map_type: str | None) -> str:
    """What Postfix answers for an entry with ``action``: in a regexp or pcre table's result ``$$`` is a
    dollar sign (on a line of the module's, ``$1``, ``${1}``, ``$x`` or a lone ``$`` make Postfix skip the
    line with a warning, which fails the entry); other tables, and an unknown type, answer the text as it is."""
    return action.replace("$$", "$") if map_type in REGEXP_TYPES and "$" in action else action


_VALID_ACTIONS: set = set()


def validate_action(action: str) -> None:
    """Raise ValueError with a sentence when ``action`` is not an access(5) result."""
    if action in _VALID_ACTIONS:
        return
    _check_action(action)
    _VALID_ACTIONS.add(action)


def _check_action(action):
    if _LINE_BREAK_OR_NUL.search(action):
        raise ValueError("the action spans more than one line or holds a NUL")
    words = action.split()
    if not words:
        raise ValueError("the action is empty")
    keyword = words[0].upper()
    argument = " ".join(words[1:])
    if keyword in ACTIONS_NO_TEXT:
        if argument:
            raise ValueError("action %s takes no text" % keyword)
    elif keyword in ACTIONS_WITH_ARGUMENT:
        if not ACTIONS_WITH_ARGUMENT[keyword].match(argument):
            raise ValueError("action %s needs an argument of the form %s"
                             % (keyword, _ARGUMENT_SHAPES.get(keyword, "user@domain")))
    elif not (keyword in ACTIONS_OPTIONAL_TEXT or NUMERIC_REPLY.match(keyword)
              or ((ALL_NUMERICAL.match(words[0]) or RESTRICTION_NAME.match(words[0])) and not argument)):
        raise ValueError("unknown action %r (see access(5): OK, REJECT [text], DUNNO, 4NN/5NN text, WARN text, "
                         "PREPEND header: value, HOLD, DISCARD, DEFER, FILTER, REDIRECT, BCC, INFO or a restriction "
                         "name)" % words[0])


def parse_expires(value) -> datetime.date | None:
    """``expires`` as a date: a date, or text ``YYYY-MM-DD`` exactly; raises ValueError otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        raise ValueError("expires %s is a date and time; expires takes a date (YYYY-MM-DD)" % value)
    if isinstance(value, datetime.date):
        return value
    text = value.strip() if isinstance(value, str) else None
    if text is not None and _DATE.match(text):
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            pass
    raise ValueError("expires %r is not a date of the form YYYY-MM-DD" % (value,))


def _validate_pattern(value):
    if re.search(r"[\s\x00-\x1f\x7f]", value):
        raise ValueError("the pattern contains whitespace or a control character; use \\s or [[:space:]]")
    if re.search(r"(^|[^\\])(\\\\)*/", value):
        raise ValueError("the pattern contains an unescaped '/', which would end the expression; write \\/")


class Entry:
    """A validated entry; compare its keys with ``key.lower()`` (lookups ignore case)."""

    __slots__ = ("where", "kind", "given", "value", "action", "comment", "state", "expires", "expired",
                 "clients", "broad", "address", "_exact_keys")

    def __init__(self, where, kind, value, action=DEFAULT_ACTION, comment=None, state="present", expires=None,
                 given=None, clients=(), broad=False, expired=False, address=None):
        self.where = where              # "entries[3]" or "helo_guard_entries__partners[1]"
        self.kind = kind
        self.given = value if given is None else given   # the value as written (for messages)
        self.value = value              # host/domain: A-labels, no trailing dot; ip: the client's form
        self.action = action
        self.comment = comment
        self.state = state
        self.expires = expires
        self.expired = expired          # asked for, but its expiry date has passed: counts as absent
        self.clients = clients          # normalised addresses/networks the entry is limited to ("" = any)
        self.broad = broad
        self.address = address
        self._exact_keys = None

    @property
    def label(self) -> str:
        return "%s (%s=%s)" % (self.where, self.kind, self.given)

    @property
    def identity(self) -> tuple:
        """Two entries with one identity describe the same table line(s)."""
        value = self.value if self.kind == "pattern" else self.value.lower()
        return self.kind, value, self.clients

    def exact_keys(self) -> list:
        """The exact HELO names this entry matches (host and ip entries): one list, kept (do not change it)."""
        keys = self._exact_keys
        if keys is None:
            if self.kind == "host":
                keys = [self.value.lower()]
            elif self.kind == "ip":
                keys = list(names.address_literals(self.address, self.value))
            else:
                keys = []
            self._exact_keys = keys
        return keys

    def table_keys(self, map_type: str) -> list:
        """The keys written to (and looked up in) a table of ``map_type``."""
        if self.kind == "domain":
            if map_type in REGEXP_TYPES:
                return []
            return [self.value.lower(), "." + self.value.lower()]
        return self.exact_keys()

    def probe_names(self, map_type: str | None = None) -> list:
        """The HELO names ``postmap -q`` is asked to judge this entry (none for a pattern).

        A domain is asked by its own name and, in a regexp/pcre table, by a
        name below it; in an indexed table by its two keys. Without a type,
        only the names every type answers.
        """
        if self.kind != "domain":
            return self.exact_keys()
        domain = self.value.lower()
        if map_type is None:
            return [domain]
        if map_type in REGEXP_TYPES:
            return [domain, DOMAIN_PROBE_PREFIX + domain]
        return self.table_keys(map_type)


def entry_kind(raw, where: str) -> str:
    """The one kind (host, domain, ip, pattern) of a raw entry; unknown options are refused."""
    if not isinstance(raw, dict):
        raise AccessTableError("%s must be a dictionary with one of host, domain, ip or pattern, not a %s."
                               % (where, names.type_word(raw)))
    given = [kind for kind in KINDS if raw.get(kind) not in (None, "")]
    if len(given) != 1:
        shown = ", ".join("%s=%s" % (kind, raw[kind]) for kind in given) or "no host/domain/ip/pattern"
        raise AccessTableError("%s (%s): give exactly one of host, domain, ip or pattern." % (where, shown))
    if not _OPTION_SET.issuperset(raw):
        unknown = sorted(str(option) for option in raw if option not in _OPTION_SET)
        raise AccessTableError("%s (%s=%s) has the unknown option(s) %s; known: %s."
                               % (where, given[0], raw[given[0]], ", ".join(unknown), ", ".join(OPTIONS)))
    return given[0]


def _text_option(raw, option, default=None):
    value = raw.get(option)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError("%s must be text, not a %s" % (option, names.type_word(value)))
    return str(value)


def parse_entry(raw, where: str, map_type: str | None = None, default_state: str = "present",
                today: datetime.date | None = None) -> Entry:
    """Validate one raw entry; ``map_type`` None checks what holds for every table type."""
    kind = entry_kind(raw, where)
    try:
        entry = _build(raw, where, kind, map_type, default_state)
    except ValueError as error:
        raise AccessTableError("%s (%s=%s): %s." % (where, kind, raw[kind], error)) from None
    if entry.expires is not None and today is not None and today >= entry.expires:
        entry.expired = entry.state == "present"
        entry.state = "absent"
    return entry


def _build(raw, where, kind, map_type, default_state):
    given = raw[kind]
    if not isinstance(given, str):
        given = _text_option(raw, kind)
    value, address = given, None
    if kind == "ip":
        address, value = names.parse_address_text(value)
    elif kind == "pattern":
        if map_type is not None and map_type not in REGEXP_TYPES:
            raise ValueError("pattern entries need a regexp or pcre table, not %s" % map_type)
        _validate_pattern(value)
    else:
        if kind == "domain":
            value = value.strip()
            value = value[1:] if value.startswith(".") else value   # ".example.com" is Postfix's own spelling
        value = names.hostname(value, kind)
    action = raw.get("action")
    if action is None:
        action = DEFAULT_ACTION
    elif not isinstance(action, str):
        action = _text_option(raw, "action")
    validate_action(action)
    comment = raw.get("comment")
    if comment is not None:
        comment = _text_option(raw, "comment")
        if _LINE_BREAK_OR_NUL.search(comment):
            raise ValueError("the comment spans more than one line or holds a NUL")
    state = raw.get("state") or default_state
    if state not in STATES:
        raise ValueError("state must be present or absent, not %r" % (state,))
    broad = raw.get("broad")
    if broad not in (None, True, False):
        raise ValueError("broad must be true or false, not %r" % (broad,))
    if kind == "domain" and not broad and state == "present":
        reason = names.broadness(value)
        if reason:
            raise ValueError("%s; set broad: true on the entry if that is meant" % reason)
    clients = raw.get("clients")
    clients = names.client_networks(clients) if clients not in (None, []) else ()
    expires = raw.get("expires")
    return Entry(where, kind, value, normalize_action(action), comment, state,
                 None if expires is None else parse_expires(expires), given, clients, bool(broad), False, address)


def parse_entries(raw_entries, map_type: str | None, default_state: str = "present",
                  today: datetime.date | None = None, option: str = "entries") -> list:
    """Validate the admin's entries; an entry whose ``expires`` is today or earlier counts as absent."""
    if raw_entries is None:
        return []
    if not isinstance(raw_entries, (list, tuple)):
        raise AccessTableError("%s must be a list of entries, not a %s." % (option, names.type_word(raw_entries)))
    return [parse_entry(raw, "%s[%d]" % (option, index), map_type, default_state, today)
            for index, raw in enumerate(raw_entries)]


def expiry_warnings(entries) -> list:
    """A sentence for every entry asked to be present whose expiry date has passed."""
    return ["%s: expires %s has passed, so the entry counts as absent: it is not written (and is removed if the "
            "table has it)." % (entry.label, entry.expires) for entry in entries if entry.expired]


def probe_expectations(raw_entries, today=None, map_type: str | None = None) -> list:
    """``[{"key": name, "action": action, "entry": "host x"}]`` for every present, unexpired entry."""
    if today is None:
        today = datetime.date.today()
    elif not isinstance(today, datetime.date):
        try:
            today = parse_expires(today)
        except ValueError as error:
            raise AccessTableError("today: %s." % str(error).replace("expires ", "", 1)) from None
    expectations = []
    for entry in parse_entries(raw_entries, None, today=today):
        if entry.state != "present":
            continue
        for key in entry.probe_names(map_type):
            expectations.append({"key": key, "action": expected_answer(entry.action, map_type),
                                 "entry": "%s %s" % (entry.kind, entry.given)})
    return expectations


class MergeResult:
    """The role's merged entries and what the merge decided about them."""

    __slots__ = ("entries", "absent_wins")

    def __init__(self, entries, absent_wins):
        self.entries = entries            # raw dicts, in order of first appearance
        self.absent_wins = absent_wins    # one sentence per name an absent entry took off a present one

    def as_dict(self) -> dict:
        return {"entries": self.entries, "absent_wins": self.absent_wins}


def _disagreement(kept, new):
    """What makes two present entries of one identity disagree (absent entries never do)."""
    found = []
    if kept.action != new.action:
        found.append("action %s vs %s" % (kept.action, new.action))
    if kept.expires != new.expires:
        found.append("expires %s vs %s" % (kept.expires or "none", new.expires or "none"))
    return found


def merge_entries(sources) -> MergeResult:
    """Merge entry lists of several variables (``[(variable_name, entries)]``, in order) into one.

    An entry listed twice is kept once (a later duplicate adds a comment the
    first lacked). For the same name ``state: absent`` wins over ``present``
    wherever each is listed: an admin who lists a group's name as absent in
    host_vars means "not on this host". Two present entries with a different
    action or expiry date are a conflict: one AccessTableError names every
    conflict once.
    """
    merger = _Merger()
    for variable_name, raw_entries in sources:
        for entry, raw in zip(parse_entries(raw_entries, None, option=variable_name), raw_entries or []):
            merger.add(entry, raw)
    if merger.conflicts:
        raise AccessTableError("; ".join(merger.conflicts) + ". Give one action and expiry date per name, or list "
                               "it as state: absent where it must not be.")
    return MergeResult(merger.merged, merger.absent_wins)


class _Merger:
    """The state of one merge: the entries kept so far by identity, and what was decided."""

    def __init__(self):
        self.merged, self.kept, self.absent_wins, self.conflicts = [], {}, [], []

    def add(self, entry, raw):
        first = self.kept.get(entry.identity)
        if first is None:
            self.kept[entry.identity] = [entry, len(self.merged)]
            self.merged.append(dict(raw))
        elif entry.state != first[0].state:
            self._absent_wins(first, entry, raw)
        else:
            self._same_state(first, entry, raw)

    def _absent_wins(self, first, entry, raw):
        earlier, position = first
        present, absent = (earlier, entry) if entry.state == "absent" else (entry, earlier)
        self.absent_wins.append("%s is absent and %s present: absent wins, %s %s is not in the table."
                                % (absent.label, present.label, entry.kind, entry.value))
        if entry.state == "absent":
            comment = self.merged[position].get("comment")
            self.merged[position] = dict(raw)
            if comment and not raw.get("comment"):
                self.merged[position]["comment"] = comment
            first[0] = entry

    def _same_state(self, first, entry, raw):
        earlier, position = first
        differences = _disagreement(earlier, entry) if entry.state == "present" else []
        if differences:
            self.conflicts.append("%s and %s both list %s %s but disagree (%s)"
                                  % (earlier.where, entry.where, entry.kind, entry.value, "; ".join(differences)))
        elif not self.merged[position].get("comment") and raw.get("comment"):
            self.merged[position]["comment"] = raw["comment"]
