# SPDX-License-Identifier: GPL-3.0-or-later
"""Deterministic workloads: HELO access entries, HELO names to look up, reference tables.

Names look like real peers (mixed labels and top-level domains, random IPv4
addresses) so that no layout profits from an artificial common prefix. The same
seed gives the same entries on every run and machine.
"""

import random
import re

WORDS = ("mail", "mx", "smtp", "relay", "out", "gw", "edge", "post", "mta", "exchange",
         "srv", "host", "node", "box", "filter", "av", "cloud", "outbound", "inbound", "spam")
TOP_LEVEL_DOMAINS = ("com", "net", "org", "de", "fr", "nl", "uk", "io", "biz", "info",
                     "ch", "at", "se", "pl", "it", "es")
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _host_name(rng):
    return "%s%d.%s%d.%s" % (rng.choice(WORDS), rng.randrange(100),
                             "".join(rng.choice(LETTERS) for _letter in range(rng.randrange(4, 10))),
                             rng.randrange(10), rng.choice(TOP_LEVEL_DOMAINS))


def _ipv4(rng):
    return "%d.%d.%d.%d" % (rng.randrange(1, 224), rng.randrange(256), rng.randrange(256), rng.randrange(1, 255))


def helo_entries(count, seed=7):
    """``count`` module entries, half ``host``, half ``ip``, every one unique, action OK."""
    rng = random.Random(seed)
    hosts, addresses = [], []
    seen = set()
    while len(hosts) + len(addresses) < count:
        want_host = len(hosts) <= len(addresses)
        name = _host_name(rng) if want_host else _ipv4(rng)
        if name in seen:
            continue
        seen.add(name)
        (hosts if want_host else addresses).append(name)
    entries = []
    for index in range(max(len(hosts), len(addresses))):
        if index < len(hosts):
            entries.append({"host": hosts[index], "action": "OK"})
        if index < len(addresses):
            entries.append({"ip": addresses[index], "action": "OK"})
    return entries


def changed_one(entries):
    """The same entries with one host replaced by a new name (the "one entry changed" run)."""
    changed = [dict(entry) for entry in entries]
    for entry in changed:
        if "host" in entry:
            entry["host"] = "renamed." + entry["host"]
            return changed
    changed[0]["ip"] = "223.255.255.254"
    return changed


def helo_queries(entries, count=1000, seed=11):
    """``count`` HELO names: half listed (hosts, bare IPs, ``[IP]`` literals), half not listed.

    The unlisted half lives in its own domains and address range, so every
    table type answers them the same way (postmap -q does no parent-domain search).
    """
    rng = random.Random(seed)
    listed_count = count // 2
    queries = []
    for index in range(listed_count):
        entry = entries[rng.randrange(len(entries))]
        if "host" in entry:
            queries.append(entry["host"])
        elif index % 2:
            queries.append("[%s]" % entry["ip"])
        else:
            queries.append(entry["ip"])
    listed = set(queries)
    for index in range(count - listed_count):
        if index % 2:
            name = "%s%d.unlisted%d.example.%s" % (rng.choice(WORDS), index, index, rng.choice(TOP_LEVEL_DOMAINS))
        else:
            name = "224.%d.%d.%d" % (rng.randrange(256), rng.randrange(256), rng.randrange(1, 255))
        queries.append(name)
    expected_found = {name for name in queries if name in listed}
    return queries, expected_found


def exact_alternatives(entry):
    """The exact-match expressions (without anchors) for one host or ip entry."""
    if "host" in entry:
        return [re.escape(entry["host"])]
    address = re.escape(entry["ip"])
    return [address, r"\[" + address + r"\]"]


def reference_line_table(entries):
    """One anchored expression per line, as users write it today (a cross-check, not the module's output)."""
    lines = []
    for entry in entries:
        for alternative in exact_alternatives(entry):
            lines.append("/^%s$/ %s" % (alternative, entry["action"]))
    return "\n".join(lines) + "\n"


def reference_grouped_table(entries, per_line=500, max_pattern_bytes=30000):
    """Exact names of one action joined into alternations of at most ``per_line`` names.

    PCRE refuses a compiled expression past 64 KiB ("regular expression is too
    large", a warning, and the line then matches nothing), hence the byte cap.
    """
    lines = []
    by_action = {}
    for entry in entries:
        by_action.setdefault(entry["action"], []).extend(exact_alternatives(entry))
    for action, alternatives in by_action.items():
        group, group_bytes = [], 0
        for alternative in alternatives:
            if group and (len(group) >= per_line or group_bytes + len(alternative) + 1 > max_pattern_bytes):
                lines.append("/^(%s)$/ %s" % ("|".join(group), action))
                group, group_bytes = [], 0
            group.append(alternative)
            group_bytes += len(alternative) + 1
        if group:
            lines.append("/^(%s)$/ %s" % ("|".join(group), action))
    return "\n".join(lines) + "\n"


def reference_indexed_table(entries):
    """Source text for hash/lmdb: one key per line; an ip gets its bare and bracketed form."""
    lines = []
    for entry in entries:
        if "host" in entry:
            lines.append("%s %s" % (entry["host"], entry["action"]))
        else:
            lines.append("%s %s" % (entry["ip"], entry["action"]))
            lines.append("[%s] %s" % (entry["ip"], entry["action"]))
    return "\n".join(lines) + "\n"


def seed_entries():
    """The seed's job (README, role helo_guard): one host and its two addresses, each with a comment."""
    return [
        {"host": "mxbox50.bitwiz.net", "comment": "bitwiz.net announces mxbox50 without a DNS record"},
        {"ip": "50.0.0.1", "comment": "mxbox50, first address"},
        {"ip": "50.0.0.2", "comment": "mxbox50, second address"},
    ]


def seed_entries_changed():
    """The seed's entries with one changed: mxbox50's second address moved."""
    entries = seed_entries()
    entries[2] = {"ip": "50.0.0.3", "comment": "mxbox50, second address"}
    return entries
