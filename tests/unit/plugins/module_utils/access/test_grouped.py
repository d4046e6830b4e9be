# SPDX-License-Identifier: GPL-3.0-or-later
"""The grouped layout's byte count (pure; the tables themselves are judged by postmap in tests/functional)."""

from ansible_collections.mailops.postfix.plugins.module_utils.access import grouped
from ansible_collections.mailops.postfix.plugins.module_utils.access.entry import regex_escape


def test_the_byte_count_is_the_escaped_names_plus_a_separator_each():
    names = ["mx1.example.com", "50.0.0.1", "[50.0.0.1]", "[IPv6:2001:db8::1]", "a\\b(c)|d$^*+?.[]{}", "x"]
    assert grouped._bytes(names) == sum(len(regex_escape(name)) + 1 for name in names)
    assert grouped._bytes([]) == 0 and grouped._bytes(["a.b"]) == len("a\\.b") + 1
