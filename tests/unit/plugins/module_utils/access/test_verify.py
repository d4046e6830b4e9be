# SPDX-License-Identifier: GPL-3.0-or-later
"""Which of Postfix's answers on an old table still hold in a new one (pure; Postfix's own use in tests/functional)."""

from ansible_collections.mailops.postfix.plugins.module_utils.access.lines import parse_table
from ansible_collections.mailops.postfix.plugins.module_utils.access.verify import known_answers, verified_lines

GROUP_A = "/^(a1\\.example|a2\\.example)$/ OK\n"
GROUP_B = "/^(b1\\.example|b2\\.example)$/ OK\n"
GROUP_C = "/^(c1\\.example|c2\\.example)$/ OK\n"
OLD = GROUP_A + GROUP_B + GROUP_C


def answered_all(text, answer="OK"):
    return {key: answer for line in parse_table(text, "pcre") for key in line.keys}


def known(old_text, new_text, answered=None):
    old_lines = parse_table(old_text, "pcre")
    verified = verified_lines(old_lines, answered_all(old_text) if answered is None else answered)
    return known_answers(old_lines, verified, parse_table(new_text, "pcre"))


def test_the_lines_both_tables_hold_keep_their_answers_and_a_changed_line_is_asked():
    new = GROUP_A + "/^(b1\\.example|b3\\.example)$/ OK\n" + GROUP_C
    assert known(OLD, new) == {"a1.example": "OK", "a2.example": "OK", "c1.example": "OK", "c2.example": "OK"}
    mixed = "/^(A1\\.Example|\\[IPv6:2001:db8::1\\])$/ ok\n"   # lookups ignore case: names are kept lowered
    assert known(mixed, mixed) == {"a1.example": "OK", "[ipv6:2001:db8::1]": "OK"}
    assert known(OLD, OLD.upper()) == {}   # another text: nothing holds


def test_a_rule_before_a_line_makes_its_names_asked_and_one_after_does_not():
    before_b = GROUP_A + "/^b/ REJECT\n" + GROUP_B + GROUP_C
    assert set(known(OLD, before_b)) == {"a1.example", "a2.example"}
    at_the_end = OLD + "/^b/ REJECT\n"
    assert set(known(OLD, at_the_end)) == set(answered_all(OLD))
    # the same rule in both tables, before the same lines: the answers hold
    assert set(known(before_b, before_b)) == set(answered_all(OLD))
    # blank lines and comments match nothing
    assert set(known(OLD, GROUP_A + "\n# partners\n" + GROUP_B + GROUP_C)) == set(answered_all(OLD))


def test_a_name_listed_on_an_earlier_line_of_either_table_is_asked():
    earlier_in_new = "/^b1\\.example$/ REJECT\n" + OLD
    assert "b1.example" not in known(OLD, earlier_in_new) and "b2.example" not in known(OLD, earlier_in_new)
    assert "a1.example" in known(OLD, earlier_in_new)
    earlier_in_old = "/^c2\\.example$/ OK\n" + OLD
    assert "c1.example" not in known(earlier_in_old, OLD) and "a1.example" in known(earlier_in_old, OLD)


def test_only_lines_whose_every_name_was_answered_with_their_action_are_verified():
    lines = parse_table(OLD, "pcre")
    answered = dict(answered_all(OLD), **{"b2.example": "REJECT shadowed"})
    del answered["c1.example"]   # not asked (a name no entry lists) or not found
    assert sorted(verified_lines(lines, answered)) == [1]
    assert set(known(OLD, OLD, answered)) == {"a1.example", "a2.example"}
    # names known from an earlier verdict count as answered
    assert sorted(verified_lines(lines, {"a1.example": "OK"}, {"a2.example": "OK"})) == [1]


def test_a_record_whose_names_differ_from_the_line_is_not_used():
    lines = parse_table(OLD, "pcre")
    verified = verified_lines(lines, answered_all(OLD))
    verified[1] = verified[2]   # the digest of other names
    assert "a1.example" not in known_answers(lines, verified, lines)
    assert known_answers(lines, {}, lines) == {}
