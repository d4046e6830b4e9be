# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Names and addresses of HELO entries, checked as the DNS and Postfix read them.

Every function takes the value as the admin wrote it and returns the form a
client sends (and Postfix compares), or raises ``ValueError`` with the rest
of a sentence; ``entry.py`` puts the entry's label in front.

Hostnames (RFC 1123 section 2.1, RFC 1035 section 2.3.4): labels of letters,
digits and ``-``, 1 to 63 octets, no label starting or ending with ``-``, at
most 253 octets in all. One trailing dot (an absolute name) is dropped: a
client never sends it, so a line with it never matches.

Internationalised names: a U-label (``bücher``) becomes its A-label
(``xn--bcher-kva``), the only form a client can put in HELO. The conversion
is the standard library's ``encodings.idna`` (IDNA 2003, nameprep and
punycode), because the module runs on the managed host and must give the
same line on every host; the ``idna`` package (IDNA 2008) is not installed
everywhere. Where IDNA 2003 and 2008 give different A-labels or 2008 refuses
the name, we refuse too: the deviation characters (``ß``, ``ς``, ZWJ, ZWNJ)
and any code point that is not a letter, mark or digit (symbols, emoji).
"""

from __future__ import annotations

import codecs
import encodings.idna
import ipaddress
import re
import unicodedata

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
# The fast path: a plain ASCII hostname of valid labels (length checked separately).
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
# An IPv4 address as address_text writes it (no leading zeros): built from its integer, not parsed again.
_CANONICAL_IPV4 = re.compile(r"%s\.%s\.%s\.%s\Z" % ((_OCTET,) * 4))
_ASCII_HOSTNAME = re.compile(r"^%s(?:\.%s)*$" % (_LABEL, _LABEL), re.IGNORECASE)
# What may never be in a table key: it would end the key or the expression, or split the line.
_FORBIDDEN = re.compile(r"[\s/\x00-\x1f\x7f]")
MAX_NAME_OCTETS = 253
MAX_LABEL_OCTETS = 63
# IDNA 2003 maps these to other letters (or drops them); IDNA 2008 keeps them, so the A-labels differ.
_DEVIATIONS = {"\u00df": "sharp s", "\u03c2": "final sigma", "\u200c": "zero width non-joiner",
               "\u200d": "zero width joiner"}
# Second-level labels that registries of two-letter country domains hand out
# to the public (co.uk, com.au, ac.jp, gov.br ...). Without a network (and
# without the Public Suffix List, which managed hosts need not have) this is
# what we can know of public suffixes beyond the top-level domains.
PUBLIC_SECOND_LEVEL = frozenset(["ac", "co", "com", "edu", "gov", "gob", "go", "mil", "net", "ne", "nic", "or",
                                 "org", "ltd", "plc", "sch", "nhs", "police", "info", "biz", "nom", "gv", "gen"])


def hostname(value: str, kind: str = "host") -> str:
    """The name as a client sends it: A-labels, no trailing dot (case kept; lookups ignore case)."""
    name = value[:-1] if value.endswith(".") else value
    if not name:
        raise ValueError("the %s is empty" % kind)
    if _ASCII_HOSTNAME.match(name) and len(name) <= MAX_NAME_OCTETS:
        if name[-1:].isdigit():
            _refuse_address(value, name, kind)
        return name
    bad = _FORBIDDEN.search(name)
    if bad:
        raise ValueError("the %s contains %r, which would end the table key or expression" % (kind, bad.group(0)))
    if "*" in name:
        raise ValueError("%r is a wildcard, which Postfix never expands (the line would only match a literal '*'); "
                         "write domain: %s to match every name below it"
                         % (value, name.lstrip("*.") or "example.com"))
    _refuse_address(value, name, kind)
    labels = [_a_label(label, value) for label in name.split(".")]
    name = ".".join(labels)
    if len(name) > MAX_NAME_OCTETS:
        raise ValueError("%r is %d octets long; a hostname has at most %d (RFC 1035)"
                         % (value, len(name), MAX_NAME_OCTETS))
    return name


def _refuse_address(value, name, kind):
    try:
        ipaddress.ip_address(name.strip("[]").split(":", 1)[-1] if name.lower().startswith("[ipv6:") else
                             name.strip("[]"))
    except ValueError:
        return
    raise ValueError("%r is an IP address, not a hostname; write it as ip: %s instead of %s:"
                     % (value, name.strip("[]"), kind))


def _a_label(label, value):
    if not label:
        raise ValueError("%r has an empty label (a leading dot or two dots in a row)" % value)
    if not label.isascii():
        label = _u_label_to_a_label(label, value)
    elif label.lower().startswith("xn--"):
        _check_a_label(label, value)
    bad = re.search(r"[^a-z0-9-]", label, re.IGNORECASE)
    if bad:
        raise ValueError("%r holds %r in the label %r; a hostname label has only letters, digits and '-' "
                         "(RFC 1123); use pattern: for a HELO that is not a hostname"
                         % (value, bad.group(0), label))
    if len(label) > MAX_LABEL_OCTETS:
        raise ValueError("%r has a label of %d octets (%s...); a label has at most %d (RFC 1035)"
                         % (value, len(label), label[:20], MAX_LABEL_OCTETS))
    if label.startswith("-") or label.endswith("-"):
        raise ValueError("%r has the label %r, which starts or ends with '-' (RFC 1123 forbids both)" % (value, label))
    return label


def _u_label_to_a_label(label, value):
    for char in label:
        if char in _DEVIATIONS:
            raise ValueError("%r holds %s (%s), which IDNA 2003 and IDNA 2008 encode differently; write the "
                             "A-label (xn--...) the peer really sends" % (value, char, _DEVIATIONS[char]))
        if char != "-" and not char.isascii() and unicodedata.category(char)[0] not in "LMN":
            raise ValueError("%r holds %r (%s), which is not a letter or digit; IDNA 2008 does not allow it in a "
                             "hostname" % (value, char, unicodedata.name(char, "unnamed character").lower()))
    try:
        return encodings.idna.ToASCII(label).decode("ascii")
    except UnicodeError:
        raise ValueError("%r has the label %r, which has no A-label under IDNA 2003 (too long or not allowed)"
                         % (value, label)) from None


def _check_a_label(label, value):
    try:
        codecs.decode(label[4:].encode("ascii"), "punycode")
    except (UnicodeError, ValueError):
        raise ValueError("%r has the label %r, which starts with xn-- but is not valid punycode" % (value, label)) \
            from None


def broadness(name: str) -> str | None:
    """Why a ``domain:`` of ``name`` would cover names of unrelated owners, or None."""
    labels = name.lower().split(".")
    if len(labels) == 1:
        return "a single label covers every name under a top-level domain"
    if len(labels) == 2 and len(labels[1]) == 2 and labels[0] in PUBLIC_SECOND_LEVEL:
        return "%s is a public suffix (a registry's second level under a country domain)" % name.lower()
    return None


def parse_address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """An ``ip:`` value (bare, ``[v4]`` or ``[IPv6:v6]``) as an address; zone ids are refused."""
    return _parsed_address(value)[0]


def parse_address_text(value: str) -> tuple:
    """``(parse_address(value), its address_text)``; a canonical IPv4 address is its own text."""
    address, text = _parsed_address(value)
    return address, address_text(address) if text is None else text


def _parsed_address(value):
    """``(address, text)``: text is the address as written when that is its canonical IPv4 form, else None."""
    text = value.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    if text[:5].lower() == "ipv6:":
        text = text[5:]
    if "%" in text:
        raise ValueError("%r carries a zone id (%s); a zone id names an interface of one host and never appears "
                         "in a HELO address literal: leave it out" % (value, text.split("%", 1)[1]))
    if _CANONICAL_IPV4.match(text):
        first, second, third, fourth = text.split(".")
        return ipaddress.IPv4Address(int(first) << 24 | int(second) << 16 | int(third) << 8 | int(fourth)), text
    try:
        return ipaddress.ip_address(text), None
    except ValueError:
        raise ValueError("%r is not a valid IPv4 or IPv6 address" % value) from None


def address_text(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """The address as a client writes it: an IPv4-mapped IPv6 address keeps its dotted quad (RFC 5321 4.1.3)."""
    if address.version == 6 and address.ipv4_mapped is not None:
        return "::ffff:%s" % address.ipv4_mapped
    return str(address)


def address_literals(address, text: str | None = None) -> tuple:
    """The HELO names an address entry matches: the bare address and its literal (``text``: its address_text)."""
    text = text or address_text(address)
    return (text, "[%s]" % text if address.version == 4 else "[IPv6:%s]" % text)


def client_networks(values, option: str = "clients") -> tuple:
    """A ``clients`` list as normalised addresses and networks (``192.0.2.0/24``, ``2001:db8::1``)."""
    if isinstance(values, (str, bytes)) or not isinstance(values, (list, tuple)):
        raise ValueError("%s must be a list of IPv4/IPv6 addresses or networks, not a %s"
                         % (option, "string" if isinstance(values, (str, bytes)) else type_word(values)))
    found = []
    for position, value in enumerate(values):
        text = _client_network(value, "%s[%d]" % (option, position))
        if text not in found:
            found.append(text)
    return tuple(found)


def _client_network(value, where):
    if not isinstance(value, str) or not value.strip():
        raise ValueError("%s (%r) is not an IPv4/IPv6 address or network" % (where, value))
    text = value.strip()
    if "%" in text:
        raise ValueError("%s (%s) carries a zone id; Postfix compares client addresses without one: leave it out"
                         % (where, text))
    try:
        network = ipaddress.ip_network(text, strict=True) if "/" in text else ipaddress.ip_address(text)
    except ValueError:
        try:
            loose = ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise ValueError("%s (%s) is not an IPv4/IPv6 address or network" % (where, text)) from None
        raise ValueError("%s (%s) has host bits set; Postfix refuses such a network: write %s"
                         % (where, text, loose)) from None
    mapped = network.ipv4_mapped if isinstance(network, ipaddress.IPv6Address) else None
    if mapped is not None:
        raise ValueError("%s (%s) is an IPv4-mapped IPv6 address; Postfix reports IPv4 clients as IPv4: write %s"
                         % (where, text, mapped))
    return str(network)


def type_word(value):
    """A type as an admin says it (never an internal class name)."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, dict):
        return "dictionary"
    if isinstance(value, (list, tuple)):
        return "list"
    if value is None:
        return "null"
    if isinstance(value, str):
        return "string"
    return "value of another type"
