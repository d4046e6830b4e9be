# SPDX-License-Identifier: GPL-3.0-or-later
"""The role's entry filters are the module's entry model: the same names, the same merge, one sentence."""

from __future__ import annotations

import datetime

from ansible_collections.mailops.postfix.plugins.filter.helo_entries import helo_entry_probes, merge_helo_entries
from ansible_collections.mailops.postfix.plugins.module_utils.access.entry import parse_entries


def test_the_role_and_the_module_normalise_a_name_alike():
    merged = merge_helo_entries({"helo_guard_entries": [{"host": "Bücher.Example."}]})
    module_entry = parse_entries([{"host": "Bücher.Example."}], "regexp", "present")[0]
    probes = helo_entry_probes(merged["entries"], map_type="regexp")
    assert [probe["key"] for probe in probes] == module_entry.probe_names("regexp") == ["xn--bcher-kva.example"]


def test_absent_in_host_vars_wins_over_the_groups_present_and_says_so():
    merged = merge_helo_entries({
        "helo_guard_entries__partners": [{"host": "mxbox50.bitwiz.net"}, {"ip": "50.0.0.1"}],
        "helo_guard_entries__zz_host": [{"host": "MXBOX50.bitwiz.net.", "state": "absent"}],
    })
    assert merged["problems"] == []
    states = {(entry.get("host") or entry.get("ip")): entry.get("state") for entry in merged["entries"]}
    assert states == {"MXBOX50.bitwiz.net.": "absent", "50.0.0.1": None}
    assert len(merged["absent_wins"]) == 1 and "absent wins" in merged["absent_wins"][0]


def test_a_conflict_is_one_sentence_naming_both_entries_and_the_filter_does_not_raise():
    merged = merge_helo_entries({
        "helo_guard_entries__a": [{"ip": "50.0.0.1", "action": "REJECT"}],
        "helo_guard_entries__b": [{"ip": "50.0.0.1"}],
    })
    assert merged["entries"] == [] and len(merged["problems"]) == 1
    assert merged["problems"][0].startswith(
        "helo_guard_entries__a[0] and helo_guard_entries__b[0] both list ip 50.0.0.1 but disagree (action REJECT vs OK)")


def test_an_expired_entry_is_not_probed_as_present():
    entries = merge_helo_entries({"helo_guard_entries": [{"host": "old.example", "expires": "2020-01-01"},
                                                         {"host": "new.example"}]})["entries"]
    probes = helo_entry_probes(entries, today=datetime.date(2026, 12, 2), map_type="regexp")
    assert {probe["key"]: probe["action"] for probe in probes}.get("new.example") == "OK"
    assert {probe["key"]: probe["action"] for probe in probes}.get("old.example") != "OK"


def test_with_clients_dir_the_merge_also_gives_what_the_classes_filter_gives():
    from ansible_collections.mailops.postfix.plugins.filter.helo_guard_policy import (  # pylint: disable=import-outside-toplevel
        helo_client_classes,
    )
    sources = {"helo_guard_entries": [{"host": "mx.partner.example", "clients": ["192.0.2.0/24"]},
                                      {"ip": "50.0.0.1"}]}
    merged = merge_helo_entries(sources, clients_dir="/etc/postfix")
    alone = helo_client_classes(merge_helo_entries(sources)["entries"], "/etc/postfix")
    assert merged["problems"] == [] and merged["clients"]["tables"]
    assert merged["clients"] == {key: value for key, value in alone.items() if key != "stale_tables"}
    assert "clients" not in merge_helo_entries(sources)


def test_with_clients_dir_a_bad_entry_still_comes_back_as_one_sentence():
    merged = merge_helo_entries({"helo_guard_entries__x": [{"host": "a.example", "ip": "50.0.0.1"}]}, clients_dir="/x")
    assert merged["clients"] == {} and merged["entries"] == [] and len(merged["problems"]) == 1
    assert "helo_guard_entries__x[0]" in merged["problems"][0]
