# SPDX-License-Identifier: GPL-3.0-or-later
"""maillog.report: chunked reading, counting, suggestions, since, and the refusals."""

import datetime
import gzip
import io
import os
import time

import pytest

from ansible_collections.mailops.postfix.plugins.module_utils.maillog import report
from ansible_collections.mailops.postfix.plugins.module_utils.maillog.lines import Clock, parse_rejection
from ansible_collections.mailops.postfix.plugins.module_utils.maillog.report import (
    MaillogError, line_blocks, parse_since, rejection_report)

UTC = datetime.timezone.utc
LINE = ("Dec  1 20:%02d:00 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from unknown[%s]: 504 5.5.2 <%s>: "
        "Helo command rejected: need fully-qualified hostname; from=<a@b.example> proto=ESMTP helo=<%s>\n")


def line(minute, address, helo):
    return LINE % (minute, address, helo, helo)


def test_lines_that_straddle_chunks_are_found_whole(monkeypatch, tmp_path):
    monkeypatch.setattr(report, "CHUNK_BYTES", 7)
    text = "noise\n" + line(1, "192.0.2.1", "a") + "more noise\n" + line(2, "192.0.2.2", "b").rstrip("\n")
    blocks = [buffer[start:stop] for buffer, start, stop in line_blocks(io.BytesIO(text.encode()))]
    assert b"\n".join(blocks) == text.encode()
    assert line(1, "192.0.2.1", "a").rstrip("\n").encode() in blocks
    log = tmp_path / "mail.log"
    log.write_text(text)
    assert sorted((item["helo"], item["count"]) for item in rejection_report(str(log))["rejections"]) == [
        ("a", 1), ("b", 1)]


def test_counts_first_last_and_suggestions_over_a_plain_and_a_gzip_file(tmp_path):
    plain = tmp_path / "mail.log"
    plain.write_text(line(5, "192.0.2.1", "DESKTOP-4F2A") + "Dec  1 20:06:00 mx kernel: unrelated\n"
                     + line(7, "192.0.2.1", "desktop-4f2a") + line(8, "2001:db8::2", "[50.0.0.1]"))
    with gzip.open(str(tmp_path / "mail.log.1.gz"), "wt") as rotated:
        rotated.write(line(1, "192.0.2.9", "DESKTOP-4F2A"))
    now = datetime.datetime(2026, 12, 1, 21, 0, tzinfo=UTC)
    result = rejection_report(str(tmp_path / "mail.log*"), now=now)
    desktop = [item for item in result["rejections"] if item["client_address"] == "192.0.2.1"]
    assert len(desktop) == 1 and desktop[0]["count"] == 2 and desktop[0]["helo"] == "DESKTOP-4F2A"
    assert desktop[0]["first_seen"].startswith("2026-12-01T20:05:00")
    assert desktop[0]["last_seen"].startswith("2026-12-01T20:07:00")
    assert result["suggested_entries"] == [
        {"host": "desktop-4f2a", "clients": ["192.0.2.1", "192.0.2.9"],
         "comment": "helo_rejections_info: 3 HELO rejection log lines from these clients"},
        {"ip": "50.0.0.1", "clients": ["2001:db8::2"],
         "comment": "helo_rejections_info: 1 HELO rejection log lines from these clients"},
    ]


def test_since_takes_dates_and_durations():
    now = datetime.datetime(2026, 12, 1, 21, 0, tzinfo=UTC)
    assert parse_since("7d", now) == now - datetime.timedelta(days=7)
    assert parse_since("2026-11-30T00:00:00+00:00", now) == datetime.datetime(2026, 11, 30, tzinfo=UTC)
    assert parse_since(None, now) is None
    with pytest.raises(MaillogError, match="since 'yesterday' is neither"):
        parse_since("yesterday", now)


def test_paths_that_name_no_log_are_refused(tmp_path):
    with pytest.raises(MaillogError, match="does not exist"):
        rejection_report(str(tmp_path / "missing.log"))
    with pytest.raises(MaillogError, match="matches no file"):
        rejection_report(str(tmp_path / "*.log"))
    with pytest.raises(MaillogError, match="is not a regular file"):
        rejection_report(str(tmp_path))


def test_default_path_prefers_the_instances_maillog_file():
    assert report.default_path("/var/log/postfix.log") == "/var/log/postfix.log*"


def test_crlf_lines_and_bytes_that_are_not_utf8_are_read(tmp_path):
    log = tmp_path / "mail.log"
    log.write_bytes(line(1, "192.0.2.1", "caf\xe9").encode("latin-1").replace(b"\n", b"\r\n"))
    (item,) = rejection_report(str(log))["rejections"]
    assert item["helo"] == "caf\ufffd" and item["reason"] == "need fully-qualified hostname"


# Real smtpd lines (Postfix 3.7 with warn_if_reject, client port logging, a queue id) and the odd ones a reader meets.
ODD_LINES = [
    "Dec  1 20:58:53 mx postfix/smtpd[9232]: NOQUEUE: reject_warning: RCPT from unknown[192.0.2.7]: 504 5.5.2 "
    "<nodots>: Helo command rejected: need fully-qualified hostname; from=<a@b.example> proto=ESMTP helo=<nodots>",
    "Dec  1 20:59:01 mx postfix/smtpd[9233]: NOQUEUE: reject: RCPT from unknown[192.0.2.7]:41234: 504 5.5.2 "
    "<nodots>: Helo command rejected: need fully-qualified hostname; from=<c@d.example> proto=ESMTP helo=<nodots>",
    "Dec  1 20:59:02 mx postfix/smtpd[9233]: 4F2A1B: reject_warning: RCPT from unknown[192.0.2.7]: 504 5.5.2 "
    "<nodots>: Helo command rejected: need fully-qualified hostname; from=<e@f.example> proto=ESMTP helo=<nodots>",
    # the marker inside the HELO name, a ";" before the real one: the text up to the first ";" does not parse alone
    "Dec  1 20:59:03 mx postfix/smtpd[9234]: NOQUEUE: reject: HELO from unknown[192.0.2.8]: 501 5.5.2 "
    "<x Helo command rejected: a;b>: Helo command rejected: Invalid name; proto=SMTP helo=<x Helo command rejected: a;b>",
    # the marker inside the HELO name, and after it the text that ends the rejection
    "Dec  1 20:59:04 mx postfix/smtpd[9234]: NOQUEUE: reject: HELO from unknown[192.0.2.8]: 501 5.5.2 "
    "<y>: Helo command rejected: z>: Helo command rejected: Invalid name; proto=SMTP helo=<y>: Helo command rejected: z>",
    "Dec  1 20:59:05 mx postfix/smtpd[9235]: NOQUEUE: reject: RCPT from unknown[192.0.2.9]: 504 5.5.2 <nosemicolon>: "
    "Helo command rejected: need fully-qualified hostname",
    "Dec  1 20:59:06 mx postfix/cleanup[9236]: NOQUEUE: reject: RCPT from unknown[192.0.2.7]: 504 5.5.2 "
    "<nodots>: Helo command rejected: need fully-qualified hostname; from=<a@b.example> proto=ESMTP helo=<nodots>",
    "Feb 30 20:59:07 mx postfix/smtpd[9237]: NOQUEUE: reject_warning: RCPT from unknown[192.0.2.7]: 504 5.5.2 "
    "<nodots>: Helo command rejected: need fully-qualified hostname; from=<a@b.example> proto=ESMTP helo=<nodots>",
    "2026-12-01T21:00:00.250000+01:00 mx postfix/smtpd[9238]: NOQUEUE: reject_warning: RCPT from unknown[192.0.2.7]: "
    "504 5.5.2 <NoDots>: Helo command rejected: need fully-qualified hostname; from=<a@b.example> helo=<NoDots>",
    "<22>1 2026-12-01T19:00:00Z mx postfix/smtpd 9239 - - NOQUEUE: reject_warning: RCPT from unknown[192.0.2.7]: "
    "504 5.5.2 <nodots>: Helo command rejected: need fully-qualified hostname; from=<a@b.example> helo=<nodots>",
    "Dec  1 20:59:08 mx postfix/smtpd[9240]: connect from unknown[192.0.2.7]",
    "Dec  1 20:59:09 mx postfix/smtpd[9240]: Helo command rejected: not a rejection line",
]


def expected_items(lines, reference):
    """The items as the one-line parser (lines.parse_rejection) sees each line on its own: the reference."""
    clock, items = Clock(reference), {}
    for text in lines:
        rejection = parse_rejection(text.encode(), clock)
        if rejection is None:
            continue
        seconds, helo = rejection[0], rejection[1]
        item = items.setdefault((helo.lower(),) + rejection[2:], [0, seconds, seconds, helo])
        item[0] += 1
        item[1], item[2] = min(item[1], seconds), max(item[2], seconds)
    return [[count, first, last, helo] for count, first, last, helo in items.values()]


def written(tmp_path, lines, mtime):
    log = tmp_path / "mail.log"
    log.write_text("\n".join(lines) + "\n")
    os.utime(str(log), (mtime.timestamp(), mtime.timestamp()))
    return log


def tallied(log):
    return [list(item) for item in report.read_rejections([str(log)]).items.values()]


def test_parsing_each_distinct_text_once_counts_what_parsing_every_line_counts(tmp_path):
    mtime = datetime.datetime(2026, 12, 1, 22, 0, tzinfo=UTC).astimezone()
    lines = ODD_LINES + ODD_LINES[::-1]  # every text seen again, later and earlier
    log = written(tmp_path, lines, mtime)
    assert tallied(log) == expected_items(lines, mtime)
    found = {(identity[0], identity[4], identity[5]): item[0]
             for identity, item in report.read_rejections([str(log)]).items.items()}
    assert found == {(b"nodots", b"need fully-qualified hostname", b"_warning"): 8,  # NoDots and nodots: one name
                     (b"nodots", b"need fully-qualified hostname", None): 2,
                     (b"x helo command rejected: a;b", b"Invalid name", None): 2,
                     (b"y", b"z>: Helo command rejected: Invalid name", None): 2,
                     (b"nosemicolon", b"need fully-qualified hostname", None): 2}


def test_one_text_at_different_times_hosts_and_processes_is_one_item_with_its_first_and_last(tmp_path):
    text = (": NOQUEUE: reject_warning: RCPT from unknown[192.0.2.7]: 504 5.5.2 <nodots>: Helo command rejected: "
            "need fully-qualified hostname; from=<a@b.example> proto=ESMTP helo=<nodots>")
    lines = ["Dec  1 20:30:00 mx1 postfix/smtpd[1]" + text, "Dec  1 20:10:00 mx2 postfix-out/smtpd[2]" + text,
             "Dec  1 20:50:00 mx1 postfix/submission/smtpd[3]" + text, "Dec  1 20:20:00 mx1 postfix/smtpd[4]" + text]
    mtime = datetime.datetime(2026, 12, 1, 21, 0, tzinfo=UTC)
    (item,) = tallied(written(tmp_path, lines, mtime))
    reference = Clock(mtime.astimezone())
    assert item == [4, parse_rejection(lines[1].encode(), reference)[0],
                    parse_rejection(lines[2].encode(), reference)[0], b"nodots"]


def test_a_cached_text_behind_another_head_or_time_is_judged_by_its_own_line(tmp_path):
    text = ("NOQUEUE: reject: RCPT from unknown[192.0.2.7]: 504 5.5.2 <nodots>: Helo command rejected: "
            "need fully-qualified hostname; from=<a@b.example> proto=ESMTP helo=<nodots>")
    lines = ["Dec 31 23:59:00 mx postfix/smtpd[1]: " + text,   # last year: read on January 2
             "Jan  1 00:01:00 mx postfix/smtpd[1]: " + text,
             "Jan  1 00:02:00 mx postfix/qmgr[1]: " + text,     # not smtpd
             "Feb 30 00:03:00 mx postfix/smtpd[1]: " + text,    # no such day
             "Jan  1 00:04:00 mx postfix/smtpd[x]: " + text]    # no pid
    mtime = datetime.datetime(2027, 1, 2, 0, 0, tzinfo=UTC).astimezone()
    (item,) = tallied(written(tmp_path, lines, mtime))
    assert item[0] == 2 and datetime.datetime.fromtimestamp(item[1]).astimezone().year == 2026
    assert item == expected_items(lines, mtime)[0]
    since = datetime.datetime.fromtimestamp(item[2]).astimezone()
    later = list(report.read_rejections([str(tmp_path / "mail.log")], since).items.values())
    assert [entry[:3] for entry in later] == [[1, item[2], item[2]]]


def test_more_distinct_texts_than_the_cache_keeps_are_all_counted(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "TEXTS_KEPT", 2)
    lines = [line(minute % 60, "192.0.2.%d" % (minute % 5), "h%d" % (minute % 3)).rstrip("\n") for minute in range(40)]
    mtime = datetime.datetime(2026, 12, 1, 21, 0, tzinfo=UTC).astimezone()
    assert tallied(written(tmp_path, lines, mtime)) == expected_items(lines, mtime)


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/St_Johns", "Asia/Kolkata"])
def test_times_are_written_as_datetime_writes_them_in_every_offset(monkeypatch, zone):
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        # around the 2026 DST changes in Europe and America, a fraction of a second, the year 999
        starts = [datetime.datetime(2026, 3, 29, 0, tzinfo=UTC).timestamp(),
                  datetime.datetime(2026, 10, 25, 0, tzinfo=UTC).timestamp(),
                  datetime.datetime(2026, 11, 1, 2, tzinfo=UTC).timestamp()]
        moments = [start + step * 600 for start in starts for step in range(24)] + [1764622733.25, -30610224000.0]
        for seconds in moments:
            local = datetime.datetime.fromtimestamp(seconds).astimezone()
            expected = datetime.datetime.fromtimestamp(seconds, local.tzinfo).isoformat()
            assert report._iso(seconds) == expected, seconds
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
        report._ZONES.clear()
