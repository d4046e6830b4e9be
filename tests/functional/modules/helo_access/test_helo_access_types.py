# SPDX-License-Identifier: GPL-3.0-or-later
"""Indexed tables (plain keys, postmap_required) and the grouped layout (pcre: tries, addresses paired with their
literals), judged by postmap -q."""

import os

import pytest
from tests.functional.modules.helo_access.helo_names import NEAR_MISSES, SEED_ENTRIES, SEED_MATCHES

from ansible_collections.mailops.postfix.plugins.module_utils.access.factored import factored
from ansible_collections.mailops.postfix.plugins.module_utils.postfix import cli as postfix_cli
from ansible_collections.mailops.postfix.plugins.module_utils.postfix import maps
from tests.harness.runner import subprocess_runner


@pytest.mark.parametrize("map_type", ["hash", "lmdb"])
def test_indexed_table_gets_plain_keys_and_never_builds_the_live_index(table_factory, map_type):
    table = table_factory(map_type)
    result = table.run(SEED_ENTRIES + [{"host": "spam.example", "action": "REJECT go away"}])
    assert result["changed"] is True, result
    assert result["postmap_required"] is True
    assert not os.path.exists(maps.index_path(map_type, table.path))
    lines = table.text().splitlines()
    assert lines[:5] == ["50.0.0.1 OK", "[50.0.0.1] OK", "50.0.0.2 OK", "[50.0.0.2] OK", "mxbox50.bitwiz.net OK"]
    assert "[IPv6:2001:db8::25] OK" in lines and ".bitwiz.org OK" in lines
    # postmap -q is an exact lookup: the parent-domain walk (".bitwiz.org" for mx.bitwiz.org) is smtpd's
    exact_matches = [name for name in SEED_MATCHES if name.lower() not in ("mx.bitwiz.org", "a.b.bitwiz.org")]
    answers = table.answers(exact_matches + [".bitwiz.org", "spam.example"] + NEAR_MISSES)
    assert answers == dict([(name, "OK") for name in exact_matches + [".bitwiz.org"]]
                           + [("spam.example", "REJECT go away")])
    # once the index is built and newer than the source, nothing is required
    postfix_cli.postmap_build(subprocess_runner, table.config_dir, map_type, table.path)
    again = table.run(SEED_ENTRIES + [{"host": "spam.example", "action": "REJECT go away"}])
    assert again["changed"] is False and again["postmap_required"] is False


def test_grouped_layout_writes_sorted_alternations_and_stays_recognised(table_factory):
    table = table_factory("pcre")
    table.write("# partners\n/^mx/ REJECT no mx\n")
    hosts = [{"host": "host%03d.partner.example" % number} for number in range(40, 0, -1)]
    ips = [{"ip": "192.0.2.%d" % number} for number in range(1, 11)]
    result = table.run(hosts + ips + [{"host": "mxbox50.bitwiz.net"}], layout="grouped", group_size=16)
    assert result["changed"] is True and result["layout"] == "grouped" and "warnings" not in result, result
    lines = table.text().splitlines()
    assert lines[0] == "# partners" and lines[-1] == "/^mx/ REJECT no mx"
    grouped = lines[1:-1]
    assert len(grouped) == 4  # 40 + 20 + 1 names, 16 per line
    # pcre: the sorted names of a group as a trie (shared prefixes written once); the first group holds
    # eight addresses and their literals, so it names each address once
    assert grouped[0] == "/^(\\[)?(?:192\\.0\\.2\\.(?:1(?:0)?|2|3|4|5|6|7))(?(1)\\])$/ OK"
    assert grouped[1].startswith("/^(?:192\\.0\\.2\\.(?:8|9)|\\[192\\.0\\.2\\.(?:8\\]|9\\])|host0")
    names = ["host%03d.partner.example" % number for number in range(1, 41)] + ["mxbox50.bitwiz.net"] \
        + ["192.0.2.%d" % number for number in range(1, 11)] + ["[192.0.2.%d]" % number for number in range(1, 11)]
    misses = ["host041.partner.example", "xhost001.partner.example", "192.0.2.11", "[192.0.2.100]", "mxother.example"]
    answers = table.answers(names + misses)
    assert answers == dict([(name, "OK") for name in names] + [("mxother.example", "REJECT no mx")])
    # a second run recognises the grouped lines; removing one name rewrites only its group
    before = table.bytes()
    assert table.run(hosts + ips, layout="grouped", group_size=16)["changed"] is False
    assert table.bytes() == before
    removed = table.run([{"host": "host007.partner.example", "state": "absent"}], layout="grouped", group_size=16)
    assert removed["changed"] is True and len(removed["removed"]) == len(removed["added"])
    assert "host007.partner.example" not in table.answers(["host007.partner.example", "host008.partner.example"])


IPV4 = ["192.0.2.%d" % number for number in range(1, 21)]
IPV6 = ["2001:db8::%x" % number for number in range(1, 21)]
PAIRED_HOSTS = ["mx%02d.partner.example" % number for number in range(40)]
# What the paired lines must not match: a bracket on one side only, something around the literal, the other
# family's prefix, an address or literal of an address not listed.
PAIRED_MISSES = ["[192.0.2.1", "192.0.2.1]", "x192.0.2.1", "192.0.2.1x", "[[192.0.2.1]]", "[IPv6:192.0.2.1]",
                 "192.0.2.21", "[192.0.2.21]", "[IPv6:2001:db8::1", "2001:db8::1]", "x2001:db8::1",
                 "[[IPv6:2001:db8::1]]", "[2001:db8::1]", "IPv6:2001:db8::1", "2001:db8::15", "[IPv6:2001:db8::15]",
                 "[mx00.partner.example]"]


def test_grouped_pcre_names_each_address_once_for_it_and_its_literal(table_factory):
    table = table_factory("pcre")
    entries = [{"ip": address} for address in IPV4 + IPV6] + [{"host": host} for host in PAIRED_HOSTS]
    result = table.run(entries, layout="grouped", group_size=50)
    assert result["changed"] is True and "warnings" not in result, result
    lines = table.text().splitlines()
    assert len(lines) == 3, lines   # 120 names in 3 groups: the IPv4 pairs, the IPv6 pairs, the hosts
    assert lines[0].startswith("/^(\\[)?(?:192\\.0\\.2\\.") and lines[0].endswith(")(?(1)\\])$/ OK")
    assert lines[1].startswith("/^(\\[IPv6:)?(?:2001:db8::") and lines[1].endswith(")(?(1)\\])$/ OK")
    assert "192" not in lines[0][12:] and "2001" not in lines[1][17:]   # each address written once
    listed = IPV4 + ["[%s]" % address for address in IPV4] + IPV6 + ["[IPv6:%s]" % address for address in IPV6] \
        + PAIRED_HOSTS
    assert table.answers(listed + PAIRED_MISSES) == dict.fromkeys(listed, "OK")
    # a second run reads the paired lines as its own names: nothing to change
    before = table.bytes()
    again = table.run(entries, layout="grouped", group_size=50)
    assert again["changed"] is False and table.bytes() == before, again
    # one more IPv6 address rewrites the IPv6 line alone
    added = table.run([{"ip": "2001:db8::99"}], layout="grouped", group_size=50)
    assert added["changed"] is True and added["removed"] == [lines[1]] and len(added["added"]) == 1, added
    assert added["added"][0].startswith("/^(\\[IPv6:)?(?:2001:db8::")
    assert table.text().splitlines()[0::2] == lines[0::2]
    assert table.answers(["2001:db8::99", "[IPv6:2001:db8::99]", "[2001:db8::99]", "2001:db8::9"]) \
        == {"2001:db8::99": "OK", "[IPv6:2001:db8::99]": "OK", "2001:db8::9": "OK"}
    # an absent entry takes its address and its literal out of the IPv4 line alone
    removed = table.run([{"ip": "192.0.2.7", "state": "absent"}], layout="grouped", group_size=50)
    assert removed["removed"] == [lines[0]] and len(removed["added"]) == 1, removed
    assert table.answers(["192.0.2.7", "[192.0.2.7]", "192.0.2.8", "[192.0.2.8]"]) \
        == {"192.0.2.8": "OK", "[192.0.2.8]": "OK"}


def test_a_dollar_in_the_action_of_paired_addresses_is_refused_by_postfix_as_on_any_line(table_factory):
    """``$1`` in a pcre result is the line's first capture: the paired shape would answer with its bracket."""
    table = table_factory("pcre")
    entries = [{"ip": address, "action": "REJECT pay $1 now"} for address in IPV4[:4]]
    result = table.run(entries, layout="grouped")
    assert result.get("failed") and "out of range replacement index" in result["msg"], result
    assert "entries[0] (ip=192.0.2.1)" in result["msg"] and "(?(1)" not in result["msg"], result
    assert not os.path.exists(table.path)
    plain = table.run([{"ip": address, "action": "REJECT pay now"} for address in IPV4[:4]], layout="grouped")
    assert plain["changed"] is True and table.text().startswith("/^(\\[)?(?:192\\.0\\.2\\."), plain


@pytest.mark.parametrize("map_type", ["regexp", "pcre"])
def test_a_dollar_sign_written_as_two_is_postfixs_dollar_and_no_shadow(table_factory, map_type):
    """In a regexp or pcre result ``$$`` is a dollar sign: Postfix's answer is the action as it reads it."""
    table = table_factory(map_type)
    result = table.run([{"host": "a.example", "action": "REJECT costs $$5"},
                        {"ip": "192.0.2.9", "action": "REJECT costs $$5"}])
    assert result["changed"] is True and "warnings" not in result, result
    assert table.answers(["a.example", "192.0.2.9", "[192.0.2.9]"]) == dict.fromkeys(
        ["a.example", "192.0.2.9", "[192.0.2.9]"], "REJECT costs $5")
    assert table.run([{"host": "a.example", "action": "REJECT costs $$5"},
                      {"ip": "192.0.2.9", "action": "REJECT costs $$5"}])["changed"] is False


def test_a_grouped_pcre_table_written_before_keeps_its_literal_lines(table_factory):
    """Before, every literal sorted after every address: the addresses and the literals had lines of their own."""
    table = table_factory("pcre")
    names = sorted(IPV4 + ["[%s]" % address for address in IPV4] + PAIRED_HOSTS, key=str.lower)
    old = "".join("/^%s$/ OK\n" % factored(names[start:start + 10]) for start in range(0, len(names), 10))
    table.write(old)
    entries = [{"ip": address} for address in IPV4] + [{"host": host} for host in PAIRED_HOSTS]
    unchanged = table.run(entries, layout="grouped", group_size=12)
    assert unchanged["changed"] is False and table.text() == old, unchanged
    added = table.run([{"ip": "192.0.2.77"}], layout="grouped", group_size=12)
    assert added["changed"] is True and len(added["removed"]) == len(added["added"]) == 2, added
    assert len(table.text().splitlines()) == len(old.splitlines())
    listed = names + ["192.0.2.77", "[192.0.2.77]"]
    assert table.answers(listed + PAIRED_MISSES) == dict.fromkeys(listed, "OK")
    assert table.run(entries + [{"ip": "192.0.2.77"}], layout="grouped", group_size=12)["changed"] is False


def test_auto_layout_groups_large_tables(table):
    hosts = [{"host": "peer%04d.example" % number} for number in range(250)]
    result = table.run(hosts)
    assert result["layout"] == "grouped" and len(table.text().splitlines()) == 1
    answers = table.answers(["peer0000.example", "peer0249.example", "peer0250.example", "peer00001.example"])
    assert answers == {"peer0000.example": "OK", "peer0249.example": "OK"}
