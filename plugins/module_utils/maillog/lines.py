# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""One line of Postfix's log: its time and, for a HELO rejection, what smtpd said.

The formats Postfix's lines arrive in (the message part is the same in each):

- syslog classic and postlogd's ``maillog_file``:
  ``Dec  1 20:58:53 mx postfix/smtpd[9232]: NOQUEUE: reject: ...`` (local time, no year);
- ISO 8601 / RFC 3339 (rsyslog's ``RSYSLOG_FileFormat``, ``journalctl -o short-iso``):
  ``2026-12-01T20:58:53.123456+00:00 mx postfix/smtpd[9232]: ...``;
- RFC 5424 (``<22>1 2026-12-01T20:58:53Z mx postfix/smtpd 9232 - - ...``).

A rejection as smtpd logs it (seen on Postfix 3.7 with ``warn_if_reject``)::

    NOQUEUE: reject_warning: RCPT from localhost[127.0.0.1]: 504 5.5.2 <nodots>: Helo command rejected:
    need fully-qualified hostname; from=<a@example.org> to=<b@example.net> proto=ESMTP helo=<nodots>

Lines of other programs, other messages and anything unparsable are skipped
(``parse_rejection`` returns None).
"""

from __future__ import annotations

import datetime
import re

MONTHS = {name: number for number, name in enumerate(
    (b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec"), start=1)}

# What a line must contain to be a HELO rejection (bytes: the reader looks for it in raw chunks).
MARKER = b"Helo command rejected: "

# A marked line is read in two parts, each by one expression on bytes: its head (the timestamp, in any of the
# formats above, the host, an smtpd of any instance/service and the queue id: different on almost every line) and
# the rejection after it (the same text each time the same peer is rejected, so the reader parses each distinct text
# once). Every part of the head can match in one way only, so the two expressions agree with one over the whole line.
_CLASSIC_TIME = r"(?P<minute>(?P<mon>[A-Z][a-z]{2}) +(?P<day>\d{1,2}) \d\d:\d\d):(?P<second>\d\d)(?:\.\d+)? "
_ISO_TIME = (r"(?:<\d{1,3}>1 )?(?P<stamp>\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?"
             r"(?:Z|[+-]\d\d:?\d\d)?) ")
# host program[pid]: message   (RFC 5424: host program pid msgid sd message); smtpd of any instance/service;
# the message starts with NOQUEUE or a queue id.
_SOURCE = r"\S+ [^\s\[:]*smtpd(?:\[\d+\]:| \d+ \S+ \S+) [0-9A-Za-z]+: "
HEAD = re.compile(("(?:%s|%s)%s" % (_CLASSIC_TIME, _ISO_TIME, _SOURCE)).encode("ascii"))
REJECTION = re.compile((r"reject(?P<warning>_warning)?: [A-Z]+ from "
                        r"(?P<name>[^\s\[]*)\[(?P<address>[^\]]*)\](?::\d+)?: (?P<code>[45]\d\d) "
                        r"(?:[245]\.\d{1,3}\.\d{1,3} )?<(?P<helo>.*?)>: Helo command rejected: (?P<reason>[^;]*)"
                        ).encode("ascii"))
FIELDS = ("helo", "name", "address", "code", "reason", "warning")
DAY = datetime.timedelta(days=1)
SECONDS = {b"%02d" % second: second for second in range(100)}  # int() of the two digits, without the call


class Clock:
    """Turns the timestamp of a line's head (a ``HEAD`` match) into POSIX seconds, or None.

    A classic timestamp has no year and is local time: it gets the year of
    ``reference`` (an aware datetime near the line, the log file's mtime), or
    the year before when that would put it more than a day after the
    reference (a December line read in January). Minutes are cached: a log
    repeats each one for every line written in it.
    """

    def __init__(self, reference):
        self.reference = reference
        self.minutes = {}  # a classic timestamp's minute (bytes): its POSIX seconds, None for no such time

    def seconds(self, head):
        key, second = head.group(1, 4)  # minute, second
        minute = self.minutes.get(key, False)
        if minute is False:
            if key is None:
                return self.iso(head)
            minute = self.minutes[key] = self._classic_minute(head)
            if len(self.minutes) > 4096:
                self.minutes.clear()
        return None if minute is None else minute + SECONDS[second]

    def _classic_minute(self, head):
        month = MONTHS.get(head.group("mon"))
        hour, minute = head.group("minute")[-5:].split(b":")
        try:
            when = datetime.datetime(self.reference.year, month or 0, int(head.group("day")), int(hour), int(minute),
                                     tzinfo=self.reference.tzinfo)
        except ValueError:  # no such month, Feb 29 of a year without one, or nonsense
            return None
        if when - self.reference > DAY:
            when = when.replace(year=when.year - 1)
        return when.timestamp()

    def iso(self, head):
        try:
            when = parse_iso(head.group("stamp").decode("ascii"))
        except ValueError:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=self.reference.tzinfo)
        return when.timestamp()


def parse_rejection(line, clock):
    """``(seconds, helo, client_name, client_address, code, reason, warning)`` of a line (bytes), or None.

    ``seconds`` are POSIX seconds; the other fields are the line's bytes as
    logged (``warning`` is ``b"_warning"`` for ``reject_warning``, else None).
    Lines of other programs, other messages and timestamps that name no real
    time give None.
    """
    head = HEAD.match(line)
    if head is None:
        return None
    rejection = REJECTION.match(line, head.end())
    if rejection is None:
        return None
    seconds = clock.seconds(head)
    if seconds is None:
        return None
    return (seconds,) + rejection.group(*FIELDS)


def parse_iso(text):
    """An ISO 8601 date or date-time (``Z``, ``+hh:mm`` or ``+hhmm`` offsets) as a datetime.

    Written for every Python a target may run: ``fromisoformat`` before 3.11
    takes neither ``Z``, ``+hhmm`` nor fractions other than 3 or 6 digits.
    """
    text = text.strip().replace(",", ".")
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    if len(text) > 10:
        text = re.sub(r"([+-]\d\d)(\d\d)$", r"\1:\2", text)
        text = re.sub(r"\.(\d+)", lambda fraction: "." + (fraction.group(1) + "000000")[:6], text)
    return datetime.datetime.fromisoformat(text)
