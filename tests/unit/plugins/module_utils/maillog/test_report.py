# SPDX-License-Identifier: GPL-3.0-or-later
"""maillog.report: chunked reading, counting, suggestions, since, and the refusals."""

import datetime
import gzip
import io

import pytest

from ansible_collections.mailops.postfix.plugins.module_utils.maillog import report
from ansible_collections.mailops.postfix.plugins.module_utils.maillog.report import (
    MaillogError, matching_lines, parse_since, rejection_report)

UTC = datetime.timezone.utc
LINE = ("Dec  1 20:%02d:00 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from unknown[%s]: 504 5.5.2 <%s>: "
        "Helo command rejected: need fully-qualified hostname; from=<a@b.example> proto=ESMTP helo=<%s>\n")


def line(minute, address, helo):
    return LINE % (minute, address, helo, helo)


def test_lines_that_straddle_chunks_are_found_whole(monkeypatch):
    monkeypatch.setattr(report, "CHUNK_BYTES", 7)
    text = "noise\n" + line(1, "192.0.2.1", "a") + "more noise\n" + line(2, "192.0.2.2", "b").rstrip("\n")
    found = list(matching_lines(io.BytesIO(text.encode())))
    assert found == [line(1, "192.0.2.1", "a").rstrip("\n").encode(), line(2, "192.0.2.2", "b").rstrip("\n").encode()]


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
