# SPDX-License-Identifier: GPL-3.0-or-later
"""The log reader of helo_rejections_info on a generated log: time against grep, peak memory.

A log of ``lines`` lines in the shape a busy smtpd writes (connect,
rejections in observe and enforce mode, disconnect, cleanup/qmgr lines),
classic syslog timestamps; about one line in twelve is a HELO rejection.
Ours is one Python process running the module's backend over the file
(interpreter start included); the baseline is ``grep -c 'Helo command
rejected'`` on the same, already cached file. Peak RSS comes from GNU time;
it is compared with the same process on a log a tenth the size (flat memory
means ratio ~1). Before any number counts, ours must count exactly the lines
grep counts.
"""

import random
import statistics
import subprocess
import sys
import tempfile
import time

from . import measure, results
from .workspace import Workspace

SCAN = ("import json, sys\n"
        "from ansible_collections.mailops.postfix.plugins.module_utils.maillog.report import rejection_report\n"
        "report = rejection_report(sys.argv[1])\n"
        "print(json.dumps([sum(item['count'] for item in report['rejections']), len(report['suggested_entries'])]))\n")
MARKER = "Helo command rejected"
HELOS = ("nodots", "DESKTOP-4F2A", "mxbox50.bitwiz.net", "bad_name!", "localhost", "[50.0.0.1]")


def _session(rng, second, pid):
    stamp = "Dec %2d %02d:%02d:%02d" % (1 + second // 86400 % 28, second // 3600 % 24, second // 60 % 60, second % 60)
    rejected = rng.random() < 0.35
    # Rejected peers come from a pool (the same broken servers retry); accepted clients from anywhere.
    address = ("203.0.113.%d" % rng.randrange(1, 255) if rng.random() < 0.5 else "198.51.100.%d" % rng.randrange(1, 255)
               ) if rejected else "198.51.%d.%d" % (rng.randrange(256), rng.randrange(1, 255))
    head = "%s mx postfix/smtpd[%d]: " % (stamp, pid)
    lines = [head + "connect from unknown[%s]" % address]
    if rejected:
        helo = rng.choice(HELOS)
        kind = "reject_warning" if rng.random() < 0.5 else "reject"
        lines.append(head + "NOQUEUE: %s: RCPT from unknown[%s]: 504 5.5.2 <%s>: %s: need fully-qualified "
                     "hostname; from=<a@example.org> to=<b@example.net> proto=ESMTP helo=<%s>"
                     % (kind, address, helo, MARKER, helo))
    else:
        queue_id = "%010X" % rng.randrange(1 << 40)
        lines.append(head + "%s: client=unknown[%s]" % (queue_id, address))
        lines.append("%s mx postfix/cleanup[%d]: %s: message-id=<%d@example.org>" % (stamp, pid + 1, queue_id, second))
        lines.append("%s mx postfix/qmgr[99]: %s: from=<a@example.org>, size=%d, nrcpt=1 (queue active)"
                     % (stamp, queue_id, rng.randrange(500, 90000)))
    lines.append(head + "disconnect from unknown[%s] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5" % address)
    return lines


def write_log(path, line_count, seed=4711):
    """Write ``line_count`` lines; returns the number of rejection lines in it."""
    rng = random.Random(seed)
    written = rejections = 0
    second = 0
    with open(path, "w") as log:
        while written < line_count:
            session = _session(rng, second, 1000 + second % 30000)[:line_count - written]
            rejections += sum(1 for line in session if MARKER in line)
            log.write("\n".join(session) + "\n")
            written += len(session)
            second += 1
    return rejections


def _timed(argv):
    """Wall seconds, CPU seconds (user + system), peak RSS (KB) of one process (GNU time), and its stdout."""
    with tempfile.NamedTemporaryFile(prefix="mailops-bench-rss-", mode="r") as rss_file:
        started = time.monotonic()
        completed = subprocess.run([measure.TIME_BINARY, "-f", "%M %U %S", "-o", rss_file.name] + argv,
                                   capture_output=True, text=True, check=False, timeout=900)
        seconds = time.monotonic() - started
        rss_kb, user, system = rss_file.read().split()[-3:]
    if completed.returncode not in (0, 1):
        raise measure.BenchError("%s failed (rc=%d): %s" % (argv[0], completed.returncode, completed.stderr[-1000:]))
    return seconds, float(user) + float(system), int(rss_kb), completed.stdout


def _scan(path):
    seconds, cpu, rss_kb, out = _timed([sys.executable, "-c", SCAN, path])
    counted = int(out.strip().strip("[]").split(",")[0])
    return seconds, cpu, rss_kb, counted


def maillog_scan(line_count, reps, log):
    measure.require_time_binary()
    space = Workspace()
    try:
        big, small = space.path("mail.log"), space.path("mail-small.log")
        expected = write_log(big, line_count)
        write_log(small, line_count // 10)
        grep_out = _timed(["grep", "-c", MARKER, big])[3]  # also warms the page cache
        if int(grep_out) != expected:
            raise measure.BenchError("grep counted %s rejection lines, the generator wrote %d" % (grep_out, expected))
        ours, ours_cpu, grep, grep_cpu, rss = [], [], [], [], []
        for _rep in range(reps):
            seconds, cpu, _rss, _out = _timed(["grep", "-c", MARKER, big])
            grep.append(seconds)
            grep_cpu.append(cpu)
            seconds, cpu, rss_kb, counted = _scan(big)
            if counted != expected:
                raise measure.BenchError("the log reader counted %d rejection lines, grep %d" % (counted, expected))
            ours.append(seconds)
            ours_cpu.append(cpu)
            rss.append(rss_kb)
        small_rss = [_scan(small)[2] for _rep in range(reps)]
        ours_s, grep_s = statistics.median(ours), statistics.median(grep)
        cpu_s, grep_cpu_s = statistics.median(ours_cpu), max(statistics.median(grep_cpu), 0.01)
        peak_mb, small_mb = statistics.median(rss) / 1024.0, statistics.median(small_rss) / 1024.0
        log("   %d lines (%d rejections): reader %.2f s wall, %.2f s CPU (%.0f lines/s), grep -c %.3f s wall, %.3f s CPU,"
            " peak RSS %.1f MB (%.1f MB at a tenth)" % (line_count, expected, ours_s, cpu_s, line_count / ours_s,
                                                        grep_s, grep_cpu_s, peak_mb, small_mb))
        return [
            results.record("helo_rejections_info reader, %d log lines" % line_count, "log_scan", ours_s,
                           "grep -c 'Helo command rejected'", grep_s, goal=10, reps=reps,
                           lines_per_s=round(line_count / ours_s), rejection_lines=expected,
                           cpu_s=round(cpu_s, 3), baseline_cpu_s=round(grep_cpu_s, 3)),
            results.record("helo_rejections_info reader peak memory, %d vs %d lines" % (line_count, line_count // 10),
                           "log_rss", peak_mb, "the reader on a tenth of the lines", small_mb, goal=1.5, reps=reps,
                           unit="MB"),
        ]
    finally:
        space.cleanup()
