# SPDX-License-Identifier: GPL-3.0-or-later
"""helo_access main(): hostile entries and options are refused before Postfix is asked or a file changes."""

import os

import pytest

from ansible_collections.mailops.postfix.plugins.modules import helo_access

from tests.unit.plugins.modules.conftest import file_states

SEED = b"# seed\n/^mxbox50\\.bitwiz\\.net$/ OK\n"

# (entry or options, what the one-sentence message must contain). Issue 12's classes, each as several inputs.
HOSTILE = [
    # hostnames are checked as hostnames
    ({"host": "a" * 64 + ".example"}, "entries[0] (host=%s.example): '%s.example' has a label of 64 octets" % ("a" * 64, "a" * 64)),
    ({"host": ".".join(["a" * 60] * 5) + ".example"}, "octets long; a hostname has at most 253 (RFC 1035)."),
    ({"host": "-bad-.example"}, "entries[0] (host=-bad-.example): '-bad-.example' has the label '-bad-', which starts or ends"),
    ({"host": "bad-.example"}, "starts or ends with '-'"),
    ({"host": "*.example.com"}, "entries[0] (host=*.example.com): '*.example.com' is a wildcard, which Postfix never expands"),
    ({"domain": "*.example.com"}, "is a wildcard"),
    ({"host": "mx..example"}, "has an empty label"),
    ({"host": "mx_1.example"}, "holds '_' in the label 'mx_1'"),
    ({"host": "straße.example"}, "IDNA 2003 and IDNA 2008 encode differently"),
    ({"host": "mail☃.example"}, "is not a letter or digit; IDNA 2008 does not allow it"),
    ({"host": "xn--.example"}, "has the label 'xn--', which starts or ends with '-'"),
    ({"host": "192.0.2.1"}, "is an IP address, not a hostname; write it as ip: 192.0.2.1"),
    ({"host": "a\nb.example"}, "the host contains '\\n'"),
    ({"host": "a/b.example"}, "the host contains '/'"),
    # entries that defeat the policy
    ({"domain": "com"}, "entries[0] (domain=com): a single label covers every name under a top-level domain; set broad: true"),
    ({"domain": "co.uk"}, "co.uk is a public suffix"),
    ({"domain": "com.au."}, "com.au is a public suffix"),
    ({"domain": "."}, "the domain is empty"),
    # addresses
    ({"ip": "fe80::1%eth0"}, "entries[0] (ip=fe80::1%eth0): 'fe80::1%eth0' carries a zone id (eth0)"),
    ({"ip": "[IPv6:fe80::1%lo]"}, "carries a zone id"),
    ({"ip": "50.0.0.256"}, "is not a valid IPv4 or IPv6 address"),
    ({"ip": "10.0.0.0/8"}, "is not a valid IPv4 or IPv6 address"),
    ({"ip": "1.2.3"}, "is not a valid IPv4 or IPv6 address"),
    # clients
    ({"host": "a.example", "clients": ["192.0.2.1/24"]}, "clients[0] (192.0.2.1/24) has host bits set; Postfix refuses such a network: write 192.0.2.0/24"),
    ({"host": "a.example", "clients": ["fe80::1%eth0"]}, "clients[0] (fe80::1%eth0) carries a zone id"),
    ({"host": "a.example", "clients": ["::ffff:192.0.2.1"]}, "is an IPv4-mapped IPv6 address"),
    ({"host": "a.example", "clients": ["mx.example"]}, "clients[0] (mx.example) is not an IPv4/IPv6 address or network"),
    ({"host": "a.example", "clients": ["192.0.2.0/24"]}, "which the helo_guard role writes; helo_access alone does not"),
    # dates, actions, comments
    ({"host": "a.example", "expires": "2030-12-31garbage"}, "expires '2030-12-31garbage' is not a date of the form YYYY-MM-DD"),
    ({"host": "a.example", "expires": "2030-02-30"}, "expires '2030-02-30' is not a date"),
    ({"host": "a.example", "expires": "2030-12-31 10:00:00"}, "is not a date of the form YYYY-MM-DD"),
    ({"host": "a.example", "action": "PERMIT_MYNETWORKS"}, "unknown action 'PERMIT_MYNETWORKS'"),
    ({"host": "a.example", "action": "OK then"}, "action OK takes no text"),
    ({"host": "a.example", "comment": "one\ntwo"}, "the comment spans more than one line"),
    ({"pattern": "^a\tb$"}, "the pattern contains whitespace or a control character; use \\s or [[:space:]]"),
    # declarative rules of the argument spec
    ({"host": "a.example", "ip": "50.0.0.1"}, "parameters are mutually exclusive: host|domain|ip|pattern found in entries"),
    ({"action": "OK"}, "one of the following is required: host, domain, ip, pattern found in entries"),
    ({"host": "a.example", "colour": "red"}, "colour"),
]


@pytest.mark.parametrize("entry, message", HOSTILE, ids=[str(index) for index in range(len(HOSTILE))])
def test_hostile_entries_are_refused_with_one_sentence(module_run, tmp_path, entry, message):
    table = tmp_path / "helo_access"
    table.write_bytes(SEED)
    before = file_states(str(tmp_path))
    result = module_run(helo_access.main, {"path": str(table), "entries": [{"host": "good.example"}, entry]
                                           if "entries[0]" not in message else [entry]})
    assert result["failed"] is True, result
    assert message in result["msg"], result["msg"]
    assert result["msg"].count(message) == 1 and "Traceback" not in result["msg"] and "Error" not in result["msg"]
    assert "_Ansible" not in result["msg"] and "exception" not in result
    assert file_states(str(tmp_path)) == before


BAD_OPTIONS = [
    (lambda tmp: {"path": str(tmp / "adir")}, "adir is a directory, not a regular file; nothing was changed"),
    (lambda tmp: {"path": str(tmp / "missing" / "helo_access")}, "the directory %s does not exist"),
    (lambda tmp: {"path": str(tmp / "helo_access"), "create": False}, "does not exist and create is false."),
    (lambda tmp: {"path": str(tmp / "helo_access"), "group_size": 0}, "group_size must be at least 1, not 0."),
    (lambda tmp: {"path": str(tmp / "helo_access"), "config_dir": str(tmp)}, "config_dir %s has no main.cf."),
    (lambda tmp: {"path": str(tmp / "helo_access"), "type": "ldap"}, "value of type must be one of"),
]


@pytest.mark.parametrize("options, message", BAD_OPTIONS, ids=[str(index) for index in range(len(BAD_OPTIONS))])
def test_bad_options_are_refused_with_one_sentence(module_run, tmp_path, options, message):
    os.mkdir(tmp_path / "adir")
    args = options(tmp_path)
    if "create" in args or "config_dir" in args:
        pass
    before = file_states(str(tmp_path))
    result = module_run(helo_access.main, dict(args, entries=[{"host": "a.example"}]))
    assert result["failed"] is True, result
    expected = message % (tmp_path / "missing") if "directory %s" in message else (
        message % tmp_path if "%s" in message else message)
    assert expected in result["msg"], result["msg"]
    assert "Errno" not in result["msg"] and "Traceback" not in result["msg"]
    assert file_states(str(tmp_path)) == before
