# SPDX-License-Identifier: GPL-3.0-or-later
"""Exact names as a trie-shaped expression and back (pure; Postfix judges it in tests/functional/bench)."""

import random
import re

import pytest

from ansible_collections.mailops.postfix.plugins.module_utils.access import factored as factored_module
from ansible_collections.mailops.postfix.plugins.module_utils.access.entry import parse_entries
from ansible_collections.mailops.postfix.plugins.module_utils.access.factored import factored, names_of, paired
from ansible_collections.mailops.postfix.plugins.module_utils.access.lines import parse_table, render_grouped
from ansible_collections.mailops.postfix.plugins.module_utils.access.plan import plan_table


def test_shared_prefixes_are_written_once():
    assert factored(["mx1.example.com", "mx2.example.com", "mx2.example.net"]) == \
        "mx(?:1\\.example\\.com|2\\.example\\.(?:com|net))"


def test_a_name_that_is_a_prefix_of_another_makes_the_rest_optional():
    assert factored(["192.0.2.1", "192.0.2.10", "192.0.2.2"]) == "192\\.0\\.2\\.(?:1(?:0)?|2)"
    assert names_of("192\\.0\\.2\\.(?:1(?:0)?|2)") == ["192.0.2.1", "192.0.2.10", "192.0.2.2"]


def test_text_depends_only_on_the_set_of_names():
    names = ["b.example", "a.example", "[192.0.2.1]", "192.0.2.1"]
    assert factored(names) == factored(sorted(names)) == factored(list(reversed(names)))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_round_trip_and_python_regex_agrees(seed):
    rng = random.Random(seed)
    alphabet = "abc.-1[]:\\*+?()|{}$^"
    names = sorted(set("".join(rng.choice(alphabet) for _char in range(rng.randrange(1, 12))) for _name in range(300)))
    expression = factored(names)
    assert sorted(names_of(expression)) == names
    compiled = re.compile("^%s$" % expression)
    assert all(compiled.match(name) for name in names)
    near = [name + "x" for name in names] + [name[:-1] for name in names if name[:-1] not in names]
    assert not [name for name in near if compiled.match(name)]


def test_too_deep_a_trie_is_refused_and_grouped_lines_fall_back_to_flat(monkeypatch):
    monkeypatch.setattr(factored_module, "MAX_DEPTH", 2)
    names = ["a", "ab", "abc", "abcd"]
    assert factored(names) is None
    assert render_grouped(names, "OK", "pcre") == ["/^(a|ab|abc|abcd)$/ OK"]


@pytest.mark.parametrize("expression", [
    "plain\\.example",                 # no group: the flat recognizer's business
    "mx(?:1|2",                        # unclosed
    "mx(?:1|2))",                      # unbalanced
    "mx(?:1|.+)",                      # an unescaped metacharacter
    "mx(1|2)",                         # a capturing group
    "(?:a|b)" * 20,                    # would stand for 2**20 names
])
def test_other_expressions_are_not_names(expression):
    assert names_of(expression) is None


def test_grouped_lines_are_tries_for_pcre_only_and_read_back_as_exact_lines():
    names = ["mx1.example.com", "mx2.example.com"]
    pcre_line = render_grouped(names, "OK", "pcre")[0]
    assert pcre_line == "/^mx(?:1\\.example\\.com|2\\.example\\.com)$/ OK"  # prefixes shared, not suffixes
    assert render_grouped(names, "OK", "regexp") == ["/^(mx1\\.example\\.com|mx2\\.example\\.com)$/ OK"]
    line = parse_table(pcre_line + "\n", "pcre")[0]
    assert line.kind == "exact" and line.keys == names and line.action == "OK"
    # regexp (POSIX) has no (?: groups: the same text is somebody else's rule there
    assert parse_table(pcre_line + "\n", "regexp")[0].kind == "rule"


def test_a_table_of_flat_groups_is_left_as_it_is():
    """Tables written before the trie shape keep their bytes while their names stay."""
    names = ["peer%03d.example" % number for number in range(300)]
    flat = "/^(%s)$/ OK\n" % "|".join(name.replace(".", "\\.") for name in names)
    result = plan_table(flat, parse_entries([{"host": name} for name in names], "pcre"), "pcre", layout="grouped")
    assert not result.changed
    added = plan_table(flat, parse_entries([{"host": "peer999.example"}], "pcre"), "pcre", layout="grouped")
    assert added.new_text.startswith("/^peer(?:") and len(added.removed) == 1
    again = plan_table(added.new_text, parse_entries([{"host": name} for name in names], "pcre"), "pcre",
                       layout="grouped")
    assert not again.changed


def test_every_special_character_is_escaped_once_and_control_characters_in_a_name_do_not_matter():
    """factored escapes the whole expression at once, its structure written as marks no name holds."""
    names = ["a.b", "a[c]", "a\\d", "a$e", "x(y)", "x|z", "q+?", "q{2}"]
    assert factored(names) == "(?:a(?:\\$e|\\.b|\\[c\\]|\\\\d)|q(?:\\+\\?|\\{2\\})|x(?:\\(y\\)|\\|z))"
    assert names_of(factored(names)) == sorted(names)
    # a name holding one of the marks (a hand-written literal may): the literals are escaped one by one
    odd = ["a\x01b", "a\x01c", "a.\x03"]
    assert factored(odd) == "a(?:\x01(?:b|c)|\\.\x03)"
    assert names_of(factored(odd)) == sorted(odd)


IPV4 = ["192.0.2.1", "192.0.2.2", "192.0.2.10", "198.51.100.7"]
IPV6 = ["2001:db8::1", "2001:db8::2", "2001:db8::a:1"]


def with_literals(addresses, prefix="["):
    return addresses + [prefix + address + "]" for address in addresses]


def test_addresses_and_their_literals_are_written_once_and_read_back_as_both():
    names = with_literals(IPV4)
    expression = paired(names)
    assert expression == "(\\[)?(?:19(?:2\\.0\\.2\\.(?:1(?:0)?|2)|8\\.51\\.100\\.7))(?(1)\\])"
    assert expression == "(\\[)?(?:%s)(?(1)\\])" % factored(IPV4)
    assert sorted(names_of(expression)) == sorted(names)
    line = render_grouped(list(reversed(names)), "REJECT no", "pcre")[0]
    assert line == "/^%s$/ REJECT no" % expression
    parsed = parse_table(line + "\n", "pcre")[0]
    assert parsed.kind == "exact" and sorted(parsed.keys) == sorted(names) and parsed.action == "REJECT no"
    # the regexp type has no conditional groups: there it stays a flat alternation
    assert render_grouped(names, "OK", "regexp")[0].startswith("/^(192\\.0\\.2\\.1|")


def test_ipv6_addresses_get_their_own_prefix_and_one_pair_is_a_line_too():
    names = with_literals(IPV6, "[IPv6:")
    expression = paired(names)
    assert expression == "(\\[IPv6:)?(?:2001:db8::(?:1|2|a:1))(?(1)\\])"
    assert sorted(names_of(expression)) == sorted(names)
    single = render_grouped(["[192.0.2.1]", "192.0.2.1"], "OK", "pcre")[0]
    assert single == "/^(\\[)?(?:192\\.0\\.2\\.1)(?(1)\\])$/ OK"
    assert parse_table(single + "\n", "pcre")[0].keys == ["192.0.2.1", "[192.0.2.1]"]


def test_python_re_agrees_with_the_paired_shape_on_names_and_near_misses():
    """A cross-check only: Postfix itself judges these lines in tests/functional (test_helo_access_types.py)."""
    for names in (with_literals(IPV4), with_literals(IPV6, "[IPv6:")):
        compiled = re.compile("^%s$" % paired(names))
        assert all(compiled.match(name) for name in names)
        bare = [name for name in names if name[0] != "["]
        near = [misses for address in bare for misses in (
            "[" + address, address + "]", "x" + address, "[[" + address + "]]", "[IPv6:" + address + "]]",
            "[" + address + "]" if names[-1].startswith("[IPv6:") else "[IPv6:" + address + "]")]
        assert not [name for name in near if compiled.match(name)]


@pytest.mark.parametrize("names", [
    with_literals(IPV4)[:-1],                                   # an address without its literal
    with_literals(IPV4) + ["mx1.example.com"],                  # a host among the addresses
    with_literals(IPV4[:2]) + with_literals(IPV6[:2], "[IPv6:"),  # both prefixes in one group
    IPV4 + ["[IPv6:%s]" % address for address in IPV4],         # the other family's prefix
    IPV6 + ["[%s]" % address for address in IPV6],
    with_literals(IPV4) + ["[192.0.2.99]"],                     # a literal without its address
    IPV4,                                                       # no literals at all
])
def test_any_other_group_is_a_plain_trie_of_all_its_names(names):
    assert paired(names) is None
    assert render_grouped(names, "OK", "pcre") == ["/^%s$/ OK" % factored(names)]
    assert sorted(parse_table(render_grouped(names, "OK", "pcre")[0] + "\n", "pcre")[0].keys) == sorted(set(names))


def test_mixed_literal_prefixes_for_one_family_fall_back_too():
    names = ["192.0.2.1", "[192.0.2.1]", "192.0.2.2", "[IPv6:192.0.2.2]"]
    assert paired(names) is None


def test_addresses_too_deep_for_a_trie_fall_back_like_any_group(monkeypatch):
    monkeypatch.setattr(factored_module, "MAX_DEPTH", 2)
    names = with_literals(["1", "12", "123", "1234"])
    assert paired(names) is None
    assert render_grouped(names, "OK", "pcre") == ["/^(%s)$/ OK" % "|".join(
        name.replace("[", "\\[").replace("]", "\\]") for name in names)]


@pytest.mark.parametrize("expression", [
    "(\\[)?(?:1\\.2)",                         # no conditional: matches [1.2 and not [1.2]
    "(?:1\\.2)(?(1)\\])",                      # no opening group
    "(\\[)(?:1\\.2)(?(1)\\])",                 # the bracket not optional
    "(\\[)?(?:1\\.2)(?(2)\\])",                # a condition on another group
    "(\\[)?(?:1\\.2)(?(1)\\]|x)",              # an else branch
    "(\\[)?(?:1\\.2)(?(1)\\))",                # another closing character
    "(\\[)?(?:1\\.2)(?(1)\\])x",               # something after it
    "x(\\[)?(?:1\\.2)(?(1)\\])",               # something before it
    "(\\[)?1\\.2(?(1)\\])",                    # the trie not in its group
    "(\\[)?(?:)(?(1)\\])",                     # no address
    "(\\[IPv4:)?(?:1\\.2)(?(1)\\])",           # another prefix
    "(\\[IPv6:)?(?:1\\.2)(?(1)\\])",           # the IPv6 prefix for an IPv4 address
    "(\\[)?(?:2001:db8::1)(?(1)\\])",          # the IPv4 prefix for an IPv6 address
    "(\\[ipv6:)?(?:1\\.2)(?(1)\\])",           # the prefix in another case
    "(?:\\[)?(?:1\\.2)(?(1)\\])",              # the prefix not captured
    "(\\[)??(?:1\\.2)(?(1)\\])",               # a lazy quantifier
    "(\\[)?(?:\\[1\\.2\\])(?(1)\\])",          # a bracketed name inside ([[1.2]] and [1.2] twice)
    "(\\[)?(?:1\\.2|.+)(?(1)\\])",             # an unescaped metacharacter inside
    "(\\[)?(?:1\\d)(?(1)\\])",                 # a class, not a letter
    "(\\[)?(?:1(?:2|3)(?(1)\\])",              # unbalanced inside
    "(\\[)?(?:1)|(?:2)(?(1)\\])",              # an alternation across the shape
    "mx(?:\\d|a)",                             # a class in a plain trie
])
def test_near_misses_of_the_shapes_are_not_names(expression):
    assert names_of(expression) is None
    assert parse_table("/^%s$/ OK\n" % expression, "pcre")[0].kind == "rule"
