# SPDX-License-Identifier: GPL-3.0-or-later
"""Parsing existing tables and recognising the module's own lines by their shape."""

from ansible_collections.mailops.postfix.plugins.module_utils.access.lines import (
    parse_table,
    parsed_entries,
    render_domain,
    render_exact,
    split_lines,
)

SEED = "/^50\\.0\\.0\\.1$/ OK\n/^50\\.0\\.0\\.2$/ OK\n/^mxbox50\\.bitwiz\\.net$/ OK\n"


def test_render_exact_matches_the_seed():
    assert render_exact(["mxbox50.bitwiz.net"], "OK", "regexp") == ["/^mxbox50\\.bitwiz\\.net$/ OK"]
    assert render_exact(["50.0.0.1", "[50.0.0.1]"], "OK", "pcre") == ["/^(50\\.0\\.0\\.1|\\[50\\.0\\.0\\.1\\])$/ OK"]
    assert render_exact(["50.0.0.1", "[50.0.0.1]"], "OK", "hash") == ["50.0.0.1 OK", "[50.0.0.1] OK"]
    assert render_domain("bitwiz.net", "OK") == "/^(.+\\.)?bitwiz\\.net$/ OK"


def test_seed_lines_are_recognised_as_exact():
    lines = parse_table(SEED, "regexp")
    assert [(line.kind, line.keys, line.action) for line in lines] == [
        ("exact", ["50.0.0.1"], "OK"), ("exact", ["50.0.0.2"], "OK"), ("exact", ["mxbox50.bitwiz.net"], "OK")]


def test_rendered_lines_parse_back():
    text = "\n".join(render_exact(["a.example", "[IPv6:2001:db8::25]"], "REJECT no", "regexp")
                     + [render_domain("bitwiz.net", "DUNNO")]) + "\n"
    lines = parse_table(text, "regexp")
    assert (lines[0].kind, lines[0].keys, lines[0].action) == ("exact", ["a.example", "[IPv6:2001:db8::25]"], "REJECT no")
    assert (lines[1].kind, lines[1].domain, lines[1].action) == ("domain", "bitwiz.net", "DUNNO")


def test_other_expressions_are_foreign_rules():
    text = "/^mx.example$/ OK\n/^mxbox/ REJECT\n!/\\./ REJECT nodots\n/^a\\.example$/i OK\nif /x/\n/y/ OK\nendif\n"
    kinds = [line.kind for line in parse_table(text, "regexp")]
    assert kinds == ["rule", "rule", "rule", "rule", "structure", "rule", "structure"]


def test_comments_continuations_and_attached_comments():
    text = "# header\n\n# for bitwiz\n/^a\\.example$/ OK\n# block one\n# block two\n/^b\\.example$/ OK\n/^c/ REJECT\n  continued text\n"
    lines = parse_table(text, "regexp")
    assert [line.kind for line in lines] == ["comment", "blank", "comment", "exact", "comment", "comment", "exact", "rule"]
    assert lines[3].comment_line is lines[2]
    assert lines[6].comment_line is lines[5]
    assert lines[7].text == "/^c/ REJECT\n  continued text\n"
    assert "".join(line.text for line in lines) == text


def test_split_lines_keeps_a_missing_final_newline():
    assert split_lines("a\nb") == ["a\n", "b"]
    assert "".join(split_lines("a\r\nb\n\n")) == "a\r\nb\n\n"


def test_indexed_lines():
    lines = parse_table("# c\nmxbox50.bitwiz.net OK\n[50.0.0.1]   REJECT no\n", "hash")
    assert [(line.kind, line.keys, line.action) for line in lines[1:]] == [
        ("exact", ["mxbox50.bitwiz.net"], "OK"), ("exact", ["[50.0.0.1]"], "REJECT no")]


def test_parsed_entries_for_the_info_module():
    described = parsed_entries(parse_table("# peer\n" + SEED + "/^x/ REJECT\n", "regexp"))
    assert described[0] == {"line": 2, "text": "/^50\\.0\\.0\\.1$/ OK", "kind": "exact", "action": "OK",
                            "names": ["50.0.0.1"], "comment": "peer"}
    assert described[-1] == {"line": 5, "text": "/^x/ REJECT", "kind": "rule", "action": "REJECT"}
