# SPDX-License-Identifier: GPL-3.0-or-later
"""maillog.lines: timestamps of every format Postfix's lines arrive in, and the rejection fields."""

import datetime

import pytest

from ansible_collections.mailops.postfix.plugins.module_utils.maillog.lines import Clock, parse_iso, parse_rejection

UTC = datetime.timezone.utc
REFERENCE = datetime.datetime(2026, 12, 1, 21, 0, 0, tzinfo=UTC)
# Copied from a sandbox Postfix 3.7.11 maillog_file (tests/functional/modules/helo_rejections_info).
MESSAGE = ("NOQUEUE: reject_warning: RCPT from localhost[127.0.0.1]: 504 5.5.2 <nodots>: Helo command rejected: "
           "need fully-qualified hostname; from=<probe@example.org> to=<postmaster@sandbox.mailops.test> "
           "proto=ESMTP helo=<nodots>")


@pytest.mark.parametrize("prefix, expected", [
    ("Dec 01 20:58:53 sandbox postfix/smtpd[9232]: ", datetime.datetime(2026, 12, 1, 20, 58, 53, tzinfo=UTC)),
    ("Dec  1 20:58:53 mx postfix-out/smtpd[9232]: ", datetime.datetime(2026, 12, 1, 20, 58, 53, tzinfo=UTC)),
    ("2026-12-01T20:58:53.123456+01:00 mx postfix/smtpd[9232]: ",
     datetime.datetime(2026, 12, 1, 20, 58, 53, 123456, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))),
    ("2026-12-01T20:58:53+0000 mx postfix/submission/smtpd[9232]: ",
     datetime.datetime(2026, 12, 1, 20, 58, 53, tzinfo=UTC)),
    ("<22>1 2026-12-01T20:58:53.12Z mx postfix/smtpd 9232 - - ",
     datetime.datetime(2026, 12, 1, 20, 58, 53, 120000, tzinfo=UTC)),
])
def test_every_timestamp_format_gives_the_same_rejection(prefix, expected):
    rejection = parse_rejection((prefix + MESSAGE).encode(), Clock(REFERENCE))
    assert rejection is not None, prefix
    assert rejection == (expected.timestamp(), b"nodots", b"localhost", b"127.0.0.1", b"504",
                         b"need fully-qualified hostname", b"_warning")


def test_a_december_line_read_in_january_is_last_year():
    january = datetime.datetime(2027, 1, 2, 0, 0, tzinfo=UTC)
    rejection = parse_rejection(("Dec 31 23:59:59 mx postfix/smtpd[1]: " + MESSAGE).encode(), Clock(january))
    assert rejection[0] == datetime.datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC).timestamp()


@pytest.mark.parametrize("line", [
    "Dec  1 20:58:53 mx postfix/smtpd[9232]: connect from localhost[127.0.0.1]",
    "Dec  1 20:58:53 mx postfix/cleanup[1]: " + MESSAGE,                      # not smtpd
    "Dex  1 20:58:53 mx postfix/smtpd[1]: " + MESSAGE,                        # no month
    "Feb 30 20:58:53 mx postfix/smtpd[1]: " + MESSAGE,                        # no such day
    "garbage Helo command rejected: x",
    "",
])
def test_lines_it_does_not_know_are_skipped(line):
    assert parse_rejection(line.encode(), Clock(REFERENCE)) is None


def test_a_rejection_with_client_port_logging_and_a_queue_id():
    line = ("2026-12-01T20:58:53Z mx postfix/smtpd[1]: 4F2A1B: reject: HELO from unknown[2001:db8::7]:41234: "
            "501 5.5.2 <bad name>: Helo command rejected: Invalid name; proto=SMTP helo=<bad name>")
    rejection = parse_rejection(line.encode(), Clock(REFERENCE))
    assert rejection[1:] == (b"bad name", b"unknown", b"2001:db8::7", b"501", b"Invalid name", None)


def test_parse_iso_takes_what_older_pythons_refuse():
    assert parse_iso("2026-11-24") == datetime.datetime(2026, 11, 24)
    assert parse_iso("2026-11-24T08:00:00Z").utcoffset() == datetime.timedelta(0)
    assert parse_iso("2026-11-24T08:00:00,5-0130").utcoffset() == -datetime.timedelta(hours=1, minutes=30)
    with pytest.raises(ValueError):
        parse_iso("last week")
