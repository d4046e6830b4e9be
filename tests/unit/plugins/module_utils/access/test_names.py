# SPDX-License-Identifier: GPL-3.0-or-later
"""Names and addresses as the DNS and Postfix define them (issue 12)."""

import ipaddress

import pytest

from ansible_collections.mailops.postfix.plugins.module_utils.access import names


@pytest.mark.parametrize("value, expected", [
    ("mxbox50.bitwiz.net", "mxbox50.bitwiz.net"),
    ("MX.Example.", "MX.Example"),                          # one trailing dot: a client never sends it
    ("bücher.example", "xn--bcher-kva.example"),            # U-label -> A-label
    ("BÜCHER.example", "xn--bcher-kva.example"),
    ("xn--bcher-kva.example", "xn--bcher-kva.example"),
    ("a" * 63 + ".example", "a" * 63 + ".example"),
    (".".join(["a" * 49] * 5) + ".ab", ".".join(["a" * 49] * 5) + ".ab"),   # 252 octets
    ("123.example", "123.example"),
])
def test_hostnames_accepted(value, expected):
    assert names.hostname(value) == expected


@pytest.mark.parametrize("value, rule", [
    ("a" * 64 + ".example", "a label of 64 octets"),
    (".".join(["a" * 50] * 5) + ".example", "octets long; a hostname has at most 253"),
    ("-bad-.example", "starts or ends with '-'"),
    ("bad-.example", "starts or ends with '-'"),
    ("*.example.com", "is a wildcard, which Postfix never expands .*write domain: example.com"),
    ("mx.*.example.com", "is a wildcard"),
    ("a..example", "empty label"),
    (".a.example", "empty label"),
    ("mx_1.example", "holds '_' .*use pattern:"),
    ("straße.example", "IDNA 2003 and IDNA 2008 encode differently"),
    ("☃.example", "not a letter or digit"),
    ("xn--zz-.example", "not valid punycode|starts or ends"),
    ("192.0.2.1", "is an IP address, not a hostname; write it as ip: 192.0.2.1"),
    ("[IPv6:2001:db8::1]", "is an IP address"),
    ("..", "empty label"),
])
def test_hostnames_refused_with_the_rule(value, rule):
    with pytest.raises(ValueError, match=rule):
        names.hostname(value)


def test_broad_domains():
    assert names.broadness("com").startswith("a single label")
    assert "public suffix" in names.broadness("co.uk")
    assert "public suffix" in names.broadness("com.au")
    assert names.broadness("bitwiz.net") is None
    assert names.broadness("example.co.uk") is None


@pytest.mark.parametrize("value, literal", [
    ("::ffff:1.2.3.4", "[IPv6:::ffff:1.2.3.4]"),        # not ::ffff:102:304: the literal a client sends
    ("[IPv6:::FFFF:1.2.3.4]", "[IPv6:::ffff:1.2.3.4]"),
    ("2001:0DB8::25", "[IPv6:2001:db8::25]"),
    ("[50.0.0.1]", "[50.0.0.1]"),
])
def test_address_literals(value, literal):
    assert names.address_literals(names.parse_address(value))[1] == literal


@pytest.mark.parametrize("value, rule", [
    ("fe80::1%eth0", "zone id \\(eth0\\)"),
    ("[IPv6:fe80::1%25eth0]", "zone id"),
    ("50.0.0.256", "not a valid IPv4 or IPv6 address"),
    ("10.0.0.0/8", "not a valid"),
])
def test_addresses_refused(value, rule):
    with pytest.raises(ValueError, match=rule):
        names.parse_address(value)


def test_clients_are_normalised_and_deduplicated():
    assert names.client_networks(["192.0.2.0/24", "2001:DB8::/32", "192.0.2.7", "192.0.2.0/24"]) == (
        "192.0.2.0/24", "2001:db8::/32", "192.0.2.7")


@pytest.mark.parametrize("value, rule", [
    ("192.0.2.0/24", "must be a list of IPv4/IPv6 addresses or networks, not a string"),
    ({"a": 1}, "not a dictionary"),
    (["192.0.2.1/24"], r"clients\[0\] \(192.0.2.1/24\) has host bits set; .* write 192.0.2.0/24"),
    (["fe80::1%eth0"], "zone id"),
    (["::ffff:192.0.2.1"], "IPv4-mapped .* write 192.0.2.1"),
    (["example.com"], r"clients\[0\] \(example.com\) is not an IPv4/IPv6 address or network"),
    ([7], r"clients\[0\] \(7\) is not"),
    (["192.0.2.0/33"], "is not an IPv4/IPv6"),
])
def test_clients_refused(value, rule):
    with pytest.raises(ValueError, match=rule):
        names.client_networks(value)


def test_type_words_never_name_a_class():
    class _AnsibleTaggedStr(str):
        pass
    assert names.type_word(_AnsibleTaggedStr("x")) == "string"
    assert names.type_word(ipaddress.ip_address("192.0.2.1")) == "value of another type"


def test_a_canonical_ipv4_address_is_the_address_ipaddress_parses():
    import ipaddress
    from ansible_collections.mailops.postfix.plugins.module_utils.access.names import address_literals, parse_address
    for text in ("0.0.0.0", "1.2.3.4", "9.99.100.255", "223.255.255.254", "[50.0.0.1]", "[IPv6:::ffff:1.2.3.4]"):
        address = parse_address(text)
        bare = text.strip("[]").replace("IPv6:", "")
        assert address == ipaddress.ip_address(bare) and type(address) is type(ipaddress.ip_address(bare))
    assert address_literals(parse_address("1.2.3.4")) == ("1.2.3.4", "[1.2.3.4]")
    for bad in ("256.1.1.1", "01.2.3.4", "1.2.3", "1.2.3.4.5", "1.2.3.4 "):
        try:
            parsed = parse_address(bad)
        except ValueError:
            continue
        assert str(parsed) == bad.strip(), bad   # only what ipaddress itself accepts
