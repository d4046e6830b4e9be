# SPDX-License-Identifier: GPL-3.0-or-later
"""Names and addresses written so the HELO a client sends matches, judged by postmap -q (issue 12)."""

import os

import pytest

from tests.unit.plugins.modules.conftest import file_states


@pytest.mark.parametrize("map_type", ["regexp", "hash"])
def test_a_u_label_and_a_trailing_dot_are_written_as_a_client_sends_them(table_factory, map_type):
    table = table_factory(map_type)
    result = table.run([{"host": "Bücher.example."}, {"host": "mx.bitwiz.net."}])
    assert result["changed"] is True and not result.get("warnings"), result
    answers = table.answers(["xn--bcher-kva.example", "mx.bitwiz.net", "bücher.example", "mx.bitwiz.net."])
    assert answers == {"xn--bcher-kva.example": "OK", "mx.bitwiz.net": "OK"}


@pytest.mark.parametrize("map_type", ["regexp", "hash"])
def test_an_ipv4_mapped_address_matches_the_literal_a_client_sends(table_factory, map_type):
    table = table_factory(map_type)
    result = table.run([{"ip": "::ffff:1.2.3.4"}])
    assert result["changed"] is True, result
    answers = table.answers(["[IPv6:::ffff:1.2.3.4]", "::ffff:1.2.3.4", "[IPv6:::ffff:102:304]", "[1.2.3.4]"])
    assert answers == {"[IPv6:::ffff:1.2.3.4]": "OK", "::ffff:1.2.3.4": "OK"}


@pytest.mark.parametrize("pattern", [".*", "^", ".?", "(^|.)"])
def test_a_pattern_that_matches_every_name_is_warned_about(table, pattern):
    result = table.run([{"host": "mx.bitwiz.net"}, {"pattern": pattern}])
    assert result["changed"] is True, result
    warnings = [warning for warning in result.get("warnings", []) if "every HELO name" in warning]
    assert len(warnings) == 1, result
    assert warnings[0].startswith("entries[1] (pattern=%s): Postfix answers every HELO name with this pattern's line"
                                  % pattern), warnings
    # Postfix agrees: names no entry lists are answered OK.
    assert table.answers(["x", "evil.example"]) == {"x": "OK", "evil.example": "OK"}


def test_an_anchored_pattern_is_not_warned_about(table):
    result = table.run([{"pattern": "^relay[0-9]+\\.bitwiz\\.net$"}])
    assert not [warning for warning in result.get("warnings", []) if "every HELO name" in warning], result


def test_a_new_entry_already_expired_is_warned_about_and_not_written(table):
    table.write("# seed\n")
    result = table.run([{"host": "late.example", "expires": "2020-01-01"}])
    assert result["changed"] is False, result
    assert result["warnings"] == [
        "entries[0] (host=late.example): expires 2020-01-01 has passed, so the entry counts as absent: it is not "
        "written (and is removed if the table has it)."]
    assert table.text() == "# seed\n"


def test_a_directory_as_path_is_a_sentence_and_changes_nothing(table, tmp_path):
    directory = os.path.join(str(tmp_path), "helo_dir")
    os.mkdir(directory)
    before = file_states(str(tmp_path))
    result = table.run([{"host": "a.example"}], path=directory)
    assert result["failed"] is True
    assert result["msg"] == "%s is a directory, not a regular file; nothing was changed" % directory
    assert file_states(str(tmp_path)) == before
