# SPDX-License-Identifier: GPL-3.0-or-later
"""The grouped layout's byte count and order (pure; the tables themselves are judged by postmap in tests/functional)."""

from ansible_collections.mailops.postfix.plugins.module_utils.access import grouped
from ansible_collections.mailops.postfix.plugins.module_utils.access.entry import parse_entries, regex_escape
from ansible_collections.mailops.postfix.plugins.module_utils.access.factored import factored
from ansible_collections.mailops.postfix.plugins.module_utils.access.lines import parse_table
from ansible_collections.mailops.postfix.plugins.module_utils.access.plan import plan_table


def test_the_byte_count_is_the_escaped_names_plus_a_separator_each():
    names = ["mx1.example.com", "50.0.0.1", "[50.0.0.1]", "[IPv6:2001:db8::1]", "a\\b(c)|d$^*+?.[]{}", "x"]
    assert grouped._bytes(names) == sum(len(regex_escape(name)) + 1 for name in names)
    assert grouped._bytes([]) == 0 and grouped._bytes(["a.b"]) == len("a\\.b") + 1


def test_a_literal_sorts_right_after_its_address():
    names = ["mx.example", "[192.0.2.10]", "192.0.2.10", "[IPv6:2001:db8::1]", "192.0.2.1", "2001:db8::1",
             "[192.0.2.1]", "192.0.2.1x", "[2001:db8::1]"]
    assert sorted(names, key=grouped.name_order) == [
        "192.0.2.1", "[192.0.2.1]", "192.0.2.10", "[192.0.2.10]", "192.0.2.1x",
        "2001:db8::1", "[2001:db8::1]", "[IPv6:2001:db8::1]", "mx.example"]


def grouped_plan(text, entries, group_size, **options):
    return plan_table(text, parse_entries(entries, "pcre"), "pcre", layout="grouped", group_size=group_size,
                      **options)


def line_names(text):
    return [set(line.keys) for line in parse_table(text, "pcre") if line.kind == "exact"]


def test_an_ip_entrys_names_share_a_group_also_where_an_even_split_would_part_them():
    entries = [{"host": "0host.example"}] + [{"ip": "192.0.2.%d" % number} for number in range(1, 6)]
    text = grouped_plan("", entries, 6).new_text   # 11 names: an even split cuts after 192.0.2.3
    assert line_names(text) == [{"0host.example", "192.0.2.1", "[192.0.2.1]", "192.0.2.2", "[192.0.2.2]"},
                                {"192.0.2.%d" % number for number in (3, 4, 5)}
                                | {"[192.0.2.%d]" % number for number in (3, 4, 5)}]
    assert text.splitlines()[1] == "/^(\\[)?(?:192\\.0\\.2\\.(?:3|4|5))(?(1)\\])$/ OK"
    assert not grouped_plan(text, entries, 6).changed


def test_a_pair_is_parted_only_where_keeping_it_would_overfill_a_group():
    entries = [{"host": "0host.example"}, {"host": "mx.example"}]
    entries += [{"ip": "192.0.2.%d" % number} for number in range(1, 4)]
    text = grouped_plan("", entries, 4).new_text   # 8 names in groups of 4: no other cut
    assert line_names(text) == [{"0host.example", "192.0.2.1", "[192.0.2.1]", "192.0.2.2"},
                                {"[192.0.2.2]", "192.0.2.3", "[192.0.2.3]", "mx.example"}]
    assert not grouped_plan(text, entries, 4).changed


def test_new_addresses_join_one_group_and_change_one_line():
    entries = [{"ip": "192.0.2.%d" % number} for number in range(1, 21)] + [{"host": "mx%d.example" % number}
                                                                            for number in range(20)]
    text = grouped_plan("", entries, 40).new_text
    assert len(text.splitlines()) == 2 and text.startswith("/^(\\[)?(?:192\\.0\\.2\\.")
    added = grouped_plan(text, [{"ip": "192.0.2.100"}], 40)
    assert len(added.removed) == len(added.added) == 1 and added.added[0].startswith("/^(\\[)?(?:192\\.0\\.2\\.")
    assert {"192.0.2.100", "[192.0.2.100]"} <= line_names(added.new_text)[0]
    removed = grouped_plan(added.new_text, [{"ip": "192.0.2.11", "state": "absent"}], 40)
    assert removed.removed == added.added and len(removed.added) == 1
    assert not grouped_plan(removed.new_text, [{"ip": "192.0.2.100"}], 40).changed


def test_a_table_written_before_keeps_its_lines_its_order_and_its_fixed_point():
    """Before, names sorted by str.lower, every literal after every address: the literals had lines of their own."""
    addresses = ["192.0.2.%d" % number for number in range(1, 21)]
    hosts = ["mx%d.example" % number for number in range(10)]
    names = sorted(addresses + ["[%s]" % address for address in addresses] + hosts, key=str.lower)
    old = "".join("/^%s$/ OK\n" % factored(names[start:start + 10]) for start in range(0, 50, 10))
    entries = [{"ip": address} for address in addresses] + [{"host": host} for host in hosts]
    assert not grouped_plan(old, entries, 12).changed
    added = grouped_plan(old, [{"ip": "192.0.2.77"}], 12)
    # the address joins an address line, its literal a literal line, as the table was written; the rest stays
    assert len(added.removed) == len(added.added) == 2
    lines = line_names(added.new_text)
    assert len(lines) == 5 and "192.0.2.77" in lines[1] and "[192.0.2.77]" in lines[3]
    assert [line for number, line in enumerate(added.new_text.splitlines()) if number not in (1, 3)] \
        == [line for number, line in enumerate(old.splitlines()) if number not in (1, 3)]
    assert not grouped_plan(added.new_text, entries + [{"ip": "192.0.2.77"}], 12).changed


def test_a_table_written_before_with_one_line_of_each_kind_takes_new_pairs_in_one_line():
    """One address line and one literal line are in order by name_order too: a new pair joins the literals."""
    addresses = ["192.0.2.%d" % number for number in range(1, 11)]
    names = sorted(addresses + ["[%s]" % address for address in addresses], key=str.lower)
    old = "/^%s$/ OK\n/^%s$/ OK\n" % (factored(names[:10]), factored(names[10:]))
    added = grouped_plan(old, [{"ip": "192.0.2.77"}], 12)
    assert added.removed == [old.splitlines()[1]] and len(added.added) == 1
    assert line_names(added.new_text)[1] == set(names[10:]) | {"192.0.2.77", "[192.0.2.77]"}
    assert not grouped_plan(added.new_text, [{"ip": "192.0.2.77"}], 12).changed
