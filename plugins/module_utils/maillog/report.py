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

from .lines import FIELDS, HEAD, MARKER, REJECTION, SECONDS, Clock, parse_iso

CHUNK_BYTES = 1 << 20
MARKER_BYTES = len(MARKER)
# Distinct rejection texts kept parsed; past this the cache starts again (a queue id or a port in each text).
TEXTS_KEPT = 1 << 16
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


def line_blocks(stream):
    """The whole lines of a binary stream, a block at a time: ``(buffer, start, stop)``.

    ``buffer[start:stop]`` holds one or more whole lines separated by ``\\n``
    (the last without its newline). The stream is read in ``CHUNK_BYTES``
    chunks; a line that straddles two chunks is given as a block of its own.
    """
    carry = b""
    while True:
        chunk = stream.read(CHUNK_BYTES)
        if not chunk:
            break
        start = 0
        if carry:
            first_newline = chunk.find(b"\n")
            if first_newline == -1:
                carry += chunk
                continue
            yield carry + chunk[:first_newline], 0, len(carry) + first_newline
            start = first_newline + 1
        last_newline = chunk.rfind(b"\n", start)
        if last_newline == -1:
            carry = chunk[start:]
            continue
        yield chunk, start, last_newline
        carry = chunk[last_newline + 1:]
    if carry:
        yield carry, 0, len(carry)


def _open(path):
    with open(path, "rb") as probe:
        compressed = probe.read(2) == GZIP_MAGIC
    return gzip.open(path, "rb") if compressed else open(path, "rb")


class Tally:
    """The distinct rejections of the lines counted so far: ``items`` maps each (helo in lower case, client name,
    client address, code, reason, warning) to ``[count, first seconds, last seconds, helo as first seen]``.

    A rejection's text (from ``reject`` to the end of its reason) is parsed once: ``_texts`` maps it to its item.
    The text runs to the first ``;`` after the line's first HELO rejection marker; when ``lines.REJECTION`` does not
    match that text alone, the line's own rest is parsed each time (an odd line: a HELO name with the marker in it).
    """

    def __init__(self, earliest=None):
        self.earliest = float("-inf") if earliest is None else earliest
        self.items = {}
        self._texts = {}

    def count_block(self, buffer, start, stop, clock):
        """Count the HELO rejections among the lines of ``buffer[start:stop]`` (see ``line_blocks``)."""
        find, rfind, head_match, texts, minutes = buffer.find, buffer.rfind, HEAD.match, self._texts, clock.minutes
        earliest = self.earliest
        next_marker = find(MARKER, start, stop)
        while next_marker != -1:
            marker = next_marker
            line_start = rfind(b"\n", start, marker) + 1 or start
            line_end = find(b"\n", marker, stop)
            if line_end == -1:
                line_end = stop
            next_marker = find(MARKER, line_end, stop)
            head = head_match(buffer, line_start, marker)
            if head is None:
                continue
            minute, second = head.group(1, 4)  # a classic timestamp's minute already seen: its seconds here
            base = minutes.get(minute)
            seconds = base + SECONDS[second] if base else clock.seconds(head)
            if seconds is None or seconds < earliest:
                continue
            text_start = head.end()
            text_end = find(b";", marker + MARKER_BYTES, line_end)
            text = buffer[text_start:line_end if text_end == -1 else text_end]
            item = texts.get(text) or self._parse(text, buffer, text_start, line_end)
            if item is not None:
                item[0] += 1
                if seconds < item[1]:
                    item[1] = seconds
                if seconds > item[2]:
                    item[2] = seconds

    def _parse(self, text, buffer, text_start, line_end):
        rejection = REJECTION.match(text)
        if rejection is not None:
            if len(self._texts) >= TEXTS_KEPT:
                self._texts.clear()
            item = self._texts[text] = self._item(rejection)
            return item
        rejection = REJECTION.match(buffer, text_start, line_end)
        return None if rejection is None else self._item(rejection)

    def _item(self, rejection):
        helo, name, address, code, reason, warning = rejection.group(*FIELDS)
        identity = (helo.lower(), name, address, code, reason, warning)
        item = self.items.get(identity)
        if item is None:
            item = self.items[identity] = [0, float("inf"), float("-inf"), helo]
        return item


def read_rejections(files, since=None):
    """The ``Tally`` of every HELO rejection in ``files`` at or after ``since``; raises MaillogError."""
    tally = Tally(since.timestamp() if since is not None else None)
    for name in files:
        try:
            clock = Clock(datetime.datetime.fromtimestamp(os.stat(name).st_mtime).astimezone())
            with _open(name) as stream:
                for buffer, start, stop in line_blocks(stream):
                    tally.count_block(buffer, start, stop, clock)
        except (OSError, EOFError) as error:
            raise MaillogError("cannot read %s: %s" % (name, getattr(error, "strerror", None) or error))
    return tally


def summarize(tally):
    """One item per distinct (helo, client, code, reason, warning_only), most frequent first.

    HELO names are compared without case, as Postfix's lookups do; an item
    shows the spelling seen first. Memory grows with distinct items, not
    lines; only their fields are decoded.
    """
    items = [{"helo": helo.decode("utf-8", "replace"), "client_name": key[1].decode("utf-8", "replace"),
              "client_address": key[2].decode("utf-8", "replace"), "code": int(key[3]),
              "reason": key[4].decode("utf-8", "replace").strip(), "warning_only": key[5] is not None, "count": count,
              "first_seen": _iso(first), "last_seen": _iso(last)}
             for key, (count, first, last, helo) in tally.items.items()]
    items.sort(key=lambda item: (-item["count"], item["helo"].lower(), item["client_address"], item["code"],
                                 item["reason"]))
    return items


_ZONES = {}  # tm_gmtoff: (the timezone, the end isoformat gives a time in it: "+01:00")


def _iso(seconds):
    """ISO 8601 in the host's local time, with the offset in force at that moment, as ``datetime.isoformat`` writes
    it (``2026-12-01T20:58:53+01:00``; microseconds only when the line had a fraction of a second)."""
    local = time.localtime(seconds)
    zone = _ZONES.get(local.tm_gmtoff)
    if zone is None:
        offset = datetime.timezone(datetime.timedelta(seconds=local.tm_gmtoff))
        zone = _ZONES[local.tm_gmtoff] = (offset, datetime.datetime(2000, 1, 1, tzinfo=offset).isoformat()[19:])
    if seconds % 1 or not 1000 <= local.tm_year <= 9999:  # strftime's %Y has no leading zeros
        return datetime.datetime.fromtimestamp(seconds, zone[0]).isoformat()
    return time.strftime("%Y-%m-%dT%H:%M:%S", local) + zone[1]


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
