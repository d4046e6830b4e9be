# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad input fails the task before anything is written: the message names the entry, no traceback."""

import os
import stat

import pytest

GOOD = {"host": "good.example"}
SEED_TEXT = "# hand written\n/^50\\.0\\.0\\.1$/ OK\n/^mxbox50\\.bitwiz\\.net$/ OK\n"

BAD_ENTRIES = [
    ({"host": "mx.example\n/./ OK"}, "entries[1] (host=mx.example\n/./ OK): the host contains '\\n'"),
    ({"host": "mx\x00.example"}, "entries[1] (host=mx\x00.example): the host contains '\\x00'"),
    ({"host": "mx.example/ OK"}, "entries[1] (host=mx.example/ OK): the host contains '/'"),
    ({"domain": "evil/.example"}, "entries[1] (domain=evil/.example): the domain contains '/'"),
    ({"host": "mx example"}, "entries[1] (host=mx example): the host contains ' '"),
    ({"ip": "50.0.0.256"}, "entries[1] (ip=50.0.0.256): '50.0.0.256' is not a valid IPv4 or IPv6 address"),
    ({"ip": "2001:db8:::25"}, "entries[1] (ip=2001:db8:::25): '2001:db8:::25' is not a valid"),
    ({"host": "mx.example", "action": "ACCEPT"}, "entries[1] (host=mx.example): unknown action 'ACCEPT'"),
    # The argument spec's declarative rules (mutually_exclusive / required_one_of on the suboptions) answer these.
    ({"host": "mx.example", "ip": "50.0.0.1"}, "parameters are mutually exclusive: host|domain|ip|pattern found in entries"),
    ({"action": "OK"}, "one of the following is required: host, domain, ip, pattern found in entries"),
    ({"pattern": "^(mx"}, "entries[1] (pattern=^(mx): Postfix rejects the table line '/^(mx/ OK'"),
    ({"pattern": "^a/b$"}, "entries[1] (pattern=^a/b$): the pattern contains an unescaped '/'"),
    ({"host": "mx.example", "action": "REJECT no\nOK"}, "entries[1] (host=mx.example): the action spans more than one line"),
    ({"host": "mx.example", "comment": "one\n/./ OK"}, "entries[1] (host=mx.example): the comment spans more than one line"),
    # Names as RFC 1123 and the DNS define them (issue 12).
    ({"host": "a" * 64 + ".example"}, "entries[1] (host=%s.example): '%s.example' has a label of 64 octets" % ("a" * 64, "a" * 64)),
    ({"host": ("a" * 62 + ".") * 4 + "example"}, "entries[1] (host=%s" % ("a" * 62)),
    ({"host": "-bad-.example"}, "entries[1] (host=-bad-.example): '-bad-.example' has the label '-bad-', which starts or ends with '-'"),
    ({"host": "*.example.com"}, "entries[1] (host=*.example.com): '*.example.com' is a wildcard, which Postfix never expands"),
    ({"domain": "*.example.com"}, "entries[1] (domain=*.example.com): '*.example.com' is a wildcard"),
    ({"host": "a..example"}, "entries[1] (host=a..example): 'a..example' has an empty label"),
    ({"host": "mx_1.example"}, "entries[1] (host=mx_1.example): 'mx_1.example' holds '_' in the label 'mx_1'"),
    ({"host": "192.0.2.1"}, "entries[1] (host=192.0.2.1): '192.0.2.1' is an IP address, not a hostname; write it as ip:"),
    ({"host": "straße.example"}, "entries[1] (host=straße.example): 'straße.example' holds ß (sharp s), which IDNA 2003 and IDNA 2008"),
    ({"host": "\u2603.example"}, "entries[1] (host=\u2603.example): '\u2603.example' holds '\u2603' (snowman), which is not a letter"),
    # Entries that would defeat the policy.
    ({"domain": "com"}, "entries[1] (domain=com): a single label covers every name under a top-level domain; set broad: true"),
    ({"domain": "co.uk"}, "entries[1] (domain=co.uk): co.uk is a public suffix"),
    # Addresses.
    ({"ip": "fe80::1%eth0"}, "entries[1] (ip=fe80::1%eth0): 'fe80::1%eth0' carries a zone id (eth0)"),
    ({"ip": "10.0.0.0/8"}, "entries[1] (ip=10.0.0.0/8): '10.0.0.0/8' is not a valid IPv4 or IPv6 address"),
    ({"host": "a.example", "clients": ["192.0.2.1/24"]}, "entries[1] (host=a.example): clients[0] (192.0.2.1/24) has host bits set"),
    ({"host": "a.example", "clients": ["mail.bitwiz.net"]},
     "entries[1] (host=a.example): clients[0] (mail.bitwiz.net) is not an IPv4/IPv6 address or network"),
    ({"host": "a.example", "clients": ["::ffff:1.2.3.4"]},
     "entries[1] (host=a.example): clients[0] (::ffff:1.2.3.4) is an IPv4-mapped IPv6 address"),
    ({"host": "a.example", "clients": ["fe80::1%eth0"]}, "entries[1] (host=a.example): clients[0] (fe80::1%eth0) carries a zone id"),
    # Dates and actions.
    ({"host": "a.example", "expires": "2030-12-31garbage"}, "entries[1] (host=a.example): expires '2030-12-31garbage' is not a date"),
    ({"host": "a.example", "expires": "2030-02-30"}, "entries[1] (host=a.example): expires '2030-02-30' is not a date"),
    ({"host": "a.example", "expires": "2030-12-31 10:00"}, "entries[1] (host=a.example): expires '2030-12-31 10:00' is not a date"),
    ({"host": "a.example", "action": "OK extra"}, "entries[1] (host=a.example): action OK takes no text."),
    ({"host": "a.example", "action": "PERMIT_MYNETWORKS"}, "entries[1] (host=a.example): unknown action 'PERMIT_MYNETWORKS'"),
    ({"pattern": "^a\tb$"}, "entries[1] (pattern=^a\tb$): the pattern contains whitespace or a control character"),
]


@pytest.mark.parametrize("bad_entry, message", BAD_ENTRIES, ids=[str(index) for index in range(len(BAD_ENTRIES))])
def test_bad_entry_fails_and_changes_nothing(table, bad_entry, message):
    table.write(SEED_TEXT)
    before = table.bytes()
    stat_before = os.lstat(table.path)
    listing = sorted(os.listdir(os.path.dirname(table.path)))
    result = table.run([GOOD, bad_entry])
    assert result["failed"] is True
    assert result["msg"].startswith(message), result["msg"]
    # fail_json with a sentence: ansible-core marks such results "(traceback unavailable)"
    assert result.get("exception", "(traceback unavailable)") == "(traceback unavailable)"
    assert "Traceback" not in result["_stdout"]
    assert table.bytes() == before
    stat_after = os.lstat(table.path)
    assert (stat_after.st_mtime_ns, stat_after.st_ino, stat.S_IFMT(stat_after.st_mode)) == (
        stat_before.st_mtime_ns, stat_before.st_ino, stat.S_IFMT(stat_before.st_mode))
    assert sorted(os.listdir(os.path.dirname(table.path))) == listing


def test_pattern_in_an_indexed_table_is_refused(table_factory):
    table = table_factory("hash")
    table.write("good.example OK\n")
    result = table.run([{"pattern": "^mx"}])
    assert result["failed"] is True
    assert result["msg"] == "entries[0] (pattern=^mx): pattern entries need a regexp or pcre table, not hash."
    assert table.text() == "good.example OK\n"
