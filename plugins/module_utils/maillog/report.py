# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Who was (or, under ``warn_if_reject``, would have been) rejected by the HELO checks.

``rejection_report(path, since)`` streams Postfix's log files (a file, a
glob, gzip-compressed rotations too) in fixed-size chunks: only lines that
contain ``Helo command rejected:`` are decoded and parsed, so memory holds
one chunk plus one counter per distinct rejection, whatever the log's size.
It returns the rejections and the entries that would let those peers
through, in the helo_guard role's entry format (a host bound to the
``clients`` it was seen from).
"""

from __future__ import annotations

import datetime
import glob
import gzip
import os
import re
import socket
import time

from .lines import MARKER, Clock, parse_iso, parse_rejection

CHUNK_BYTES = 1 << 20
GZIP_MAGIC = b"\x1f\x8b"
DURATION = re.compile(r"^(?P<number>\d+)\s*(?P<unit>[smhdw])$")
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
# Debian/Ubuntu (rsyslog) and RHEL/SUSE write Postfix's log here; the rotated files sit beside it.
DEFAULT_LOGS = ("/var/log/mail.log", "/var/log/maillog")


class MaillogError(Exception):
    """The log cannot be read as asked; the message says which path or option and why."""


def default_path(maillog_file=None):
    """Postfix's own ``maillog_file`` when set, else the distribution's mail log; each with its rotations.

    ``/var/log/mail.log*`` (Debian, Ubuntu) or ``/var/log/maillog*`` (RHEL, SUSE).
    """
    if maillog_file and not maillog_file.startswith("/dev/"):
        return maillog_file + "*"
    for path in DEFAULT_LOGS:
        if os.path.exists(path):
            return path + "*"
    raise MaillogError("no mail log found at %s; give path (for example the maillog_file of main.cf)"
                       % " or ".join(DEFAULT_LOGS))


def log_files(path):
    """The regular files ``path`` names (a file or a glob), oldest first; raises MaillogError."""
    if glob.has_magic(path):
        files = [name for name in glob.glob(path) if os.path.isfile(name)]
        if not files:
            raise MaillogError("path %s matches no file" % path)
        return sorted(files, key=lambda name: (os.stat(name).st_mtime, name))
    if not os.path.exists(path):
        raise MaillogError("path %s does not exist" % path)
    if not os.path.isfile(path):
        raise MaillogError("path %s is not a regular file" % path)
    if not os.access(path, os.R_OK):
        raise MaillogError("path %s is not readable by this user" % path)
    return [path]


def parse_since(since, now):
    """The earliest time to count: an ISO 8601 date or date-time, or a duration back from ``now`` (7d, 12h)."""
    if since is None or str(since).strip() == "":
        return None
    text = str(since).strip()
    duration = DURATION.match(text)
    if duration:
        return now - datetime.timedelta(seconds=int(duration.group("number")) * UNIT_SECONDS[duration.group("unit")])
    try:
        when = parse_iso(text)
    except ValueError:
        raise MaillogError("since %r is neither an ISO 8601 date or date-time (2026-11-24, 2026-11-24T08:00:00+01:00) "
                           "nor a duration (30m, 12h, 7d, 2w)" % text)
    return when if when.tzinfo is not None else when.astimezone()


def matching_lines(stream):
    """Every line (bytes) of a binary stream that holds the HELO rejection marker; read chunk by chunk."""
    carry = b""
    while True:
        chunk = stream.read(CHUNK_BYTES)
        if not chunk:
            break
        chunk = carry + chunk
        last_newline = chunk.rfind(b"\n")
        if last_newline == -1:
            carry = chunk
            continue
        carry = chunk[last_newline + 1:]
        yield from _marked(chunk, last_newline)
    if carry:
        yield from _marked(carry, len(carry))


def _marked(chunk, end_of_lines):
    position = chunk.find(MARKER, 0, end_of_lines)
    while position != -1:
        start = chunk.rfind(b"\n", 0, position) + 1
        end = chunk.find(b"\n", position, end_of_lines)
        if end == -1:
            end = end_of_lines
        yield chunk[start:end]
        position = chunk.find(MARKER, end, end_of_lines)


def _open(path):
    with open(path, "rb") as probe:
        compressed = probe.read(2) == GZIP_MAGIC
    return gzip.open(path, "rb") if compressed else open(path, "rb")


def read_rejections(files, since=None):
    """Yield every HELO rejection (``lines.parse_rejection``'s tuple) in ``files`` at or after ``since``."""
    earliest = since.timestamp() if since is not None else None
    for name in files:
        try:
            yield from _file_rejections(name, earliest)
        except (OSError, EOFError) as error:
            raise MaillogError("cannot read %s: %s" % (name, getattr(error, "strerror", None) or error))


def _file_rejections(name, earliest):
    """The rejections of one (maybe gzip-compressed) log file, its lines dated by the file's own clock."""
    clock = Clock(datetime.datetime.fromtimestamp(os.stat(name).st_mtime).astimezone())
    with _open(name) as stream:
        for line in matching_lines(stream):
            rejection = parse_rejection(line, clock)
            if rejection is not None and (earliest is None or rejection[0] >= earliest):
                yield rejection


def summarize(rejections):
    """One item per distinct (helo, client, code, reason, warning_only), most frequent first.

    HELO names are compared without case, as Postfix's lookups do; an item
    shows the spelling seen first. Memory grows with distinct items, not
    lines; only their fields are decoded.
    """
    counted = {}
    for rejection in rejections:
        key = (rejection[1].lower(),) + rejection[2:]
        item = counted.get(key)
        if item is None:
            counted[key] = [rejection[1], 1, rejection[0], rejection[0]]
            continue
        item[1] += 1
        seconds = rejection[0]
        if seconds < item[2]:
            item[2] = seconds
        elif seconds > item[3]:
            item[3] = seconds
    items = [{"helo": _text(helo), "client_name": _text(key[1]), "client_address": _text(key[2]),
              "code": int(key[3]), "reason": _text(key[4]).strip(), "warning_only": key[5] is not None, "count": count,
              "first_seen": _iso(first), "last_seen": _iso(last)}
             for key, (helo, count, first, last) in counted.items()]
    items.sort(key=lambda item: (-item["count"], item["helo"].lower(), item["client_address"], item["code"],
                                 item["reason"]))
    return items


def _text(raw):
    return raw.decode("utf-8", "replace")


_ZONES = {}


def _iso(seconds):
    """ISO 8601 in the host's local time, with the offset in force at that moment (one zone object per offset)."""
    gmtoff = time.localtime(seconds).tm_gmtoff
    zone = _ZONES.get(gmtoff)
    if zone is None:
        zone = _ZONES[gmtoff] = datetime.timezone(datetime.timedelta(seconds=gmtoff))
    return datetime.datetime.fromtimestamp(seconds, zone).isoformat()


def _address(text):
    """``(family, packed)`` of an IPv4 or IPv6 address, None for anything else (``unknown``)."""
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            return family, socket.inet_pton(family, text)
        except (OSError, ValueError):
            continue
    return None


def _entry_for(helo):
    """``{"host": name}`` or ``{"ip": address}`` for a HELO name, None for one no entry can list."""
    literal = helo[1:-1] if helo.startswith("[") and helo.endswith("]") else helo
    if literal.lower().startswith("ipv6:"):
        literal = literal[5:]
    address = _address(literal)
    if address is not None:
        return {"ip": socket.inet_ntop(*address)}
    if not helo or re.search(r"[\s/\x00-\x1f\x7f\[\]]", helo):
        return None
    return {"host": helo.lower()}


def suggested_entries(items):
    """helo_guard entries that would let each rejected HELO through from the clients it came from.

    Most rejected first; HELO names without a client address in the log are left out.
    """
    by_helo = {}
    for item in items:
        seen = by_helo.setdefault(item["helo"].lower(), [set(), 0])
        seen[0].add(item["client_address"])
        seen[1] += item["count"]
    entries = []
    for helo, (addresses, count) in sorted(by_helo.items(), key=lambda pair: (-pair[1][1], pair[0])):
        entry = _entry_for(helo)
        clients = sorted(filter(None, map(_address, addresses)))
        if entry is None or not clients:
            continue
        entry["clients"] = [socket.inet_ntop(*client) for client in clients]
        entry["comment"] = "helo_rejections_info: %d HELO rejection log lines from these clients" % count
        entries.append(entry)
    return entries


def rejection_report(path, since=None, now=None):
    """``{"files": [...], "rejections": [...], "suggested_entries": [...]}`` for the log at ``path``."""
    now = now or datetime.datetime.now().astimezone()
    files = log_files(path)
    items = summarize(read_rejections(files, parse_since(since, now)))
    return {"files": files, "rejections": items, "suggested_entries": suggested_entries(items)}
