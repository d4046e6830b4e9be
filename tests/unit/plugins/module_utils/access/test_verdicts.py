# SPDX-License-Identifier: GPL-3.0-or-later
"""Recorded verdicts: replayed only for exactly what was judged (pure; the module's use is in tests/functional)."""

import os

from ansible_collections.mailops.postfix.plugins.module_utils.access import verdicts
from ansible_collections.mailops.postfix.plugins.module_utils.access.entry import parse_entries
from ansible_collections.mailops.postfix.plugins.module_utils.access.verdicts import (
    record_warnings,
    recorded_warnings,
    verdict_digest,
)

TEXT = "/^mxbox50\\.bitwiz\\.net$/ OK\n"


def probes(raw_entries):
    return [(entry, entry.probe_names()) for entry in parse_entries(raw_entries, "regexp")]


def digest(text=TEXT, raw_entries=({"host": "mxbox50.bitwiz.net"},), main_cf=None, postmap=None, map_type="regexp"):
    return verdict_digest(map_type, text, probes(list(raw_entries)), main_cf, postmap)


def test_the_digest_changes_with_everything_the_verdict_depends_on(tmp_path):
    main_cf = tmp_path / "main.cf"
    main_cf.write_text("compatibility_level = 3.6\n")
    postmap = tmp_path / "postmap"
    postmap.write_text("binary")
    base = digest(main_cf=str(main_cf), postmap=str(postmap))
    assert base == digest(main_cf=str(main_cf), postmap=str(postmap))
    assert base != digest(text=TEXT + "/./ REJECT\n", main_cf=str(main_cf), postmap=str(postmap))
    assert base != digest(raw_entries=[{"host": "mxbox50.bitwiz.net", "action": "DUNNO"}],
                          main_cf=str(main_cf), postmap=str(postmap))
    assert base != digest(raw_entries=[{"host": "mxbox50.bitwiz.net", "state": "absent"}],
                          main_cf=str(main_cf), postmap=str(postmap))
    assert base != digest(map_type="pcre", main_cf=str(main_cf), postmap=str(postmap))
    postmap.write_text("an upgraded binary")
    upgraded = digest(main_cf=str(main_cf), postmap=str(postmap))
    assert upgraded != base
    main_cf.write_text("compatibility_level = 3.6\nsmtpd_helo_required = yes\n")
    assert digest(main_cf=str(main_cf), postmap=str(postmap)) != upgraded
    copy = tmp_path / "candidate-main.cf"   # the same main.cf elsewhere (a candidate copy) gives the same digest
    copy.write_text(main_cf.read_text())
    assert digest(main_cf=str(copy), postmap=str(postmap)) == digest(main_cf=str(main_cf), postmap=str(postmap))


def test_the_entries_as_given_stand_for_the_probes(tmp_path):
    main_cf = tmp_path / "main.cf"
    main_cf.write_text("compatibility_level = 3.6\n")

    def given_digest(given, text=TEXT, raw_entries=({"host": "mxbox50.bitwiz.net"},)):
        return verdict_digest("regexp", text, probes(list(raw_entries)), str(main_cf), None, given=given)

    base = given_digest(["0" * 64, "present", "2026-12-02"])
    # the digest of the entries as given decides, not the entries parsed from them
    assert base == given_digest(["0" * 64, "present", "2026-12-02"], raw_entries=[{"host": "other.example"}])
    assert base != given_digest(["1" * 64, "present", "2026-12-02"])
    assert base != given_digest(["0" * 64, "absent", "2026-12-02"])
    assert base != given_digest(["0" * 64, "present", "2026-12-03"])
    assert base != given_digest(["0" * 64, "present", "2026-12-02"], text=TEXT + "/./ REJECT\n")
    assert base != digest(main_cf=str(main_cf))


def test_a_record_is_replayed_for_its_digest_only_and_old_ones_are_dropped(tmp_path, monkeypatch):
    record_dir = str(tmp_path / "records")
    warnings = ["entries[0] (host=mxbox50.bitwiz.net): Postfix answers ... shadows the entry"]
    assert recorded_warnings(record_dir, "d1") is None
    assert record_warnings(record_dir, "d1", warnings) is True
    assert recorded_warnings(record_dir, "d1") == warnings
    assert recorded_warnings(record_dir, "d2") is None
    assert record_warnings(record_dir, "d2", []) is True and recorded_warnings(record_dir, "d2") == []
    assert [name for name in os.listdir(record_dir) if name.startswith(".")] == []  # no temp file left
    monkeypatch.setattr(verdicts, "MAX_RECORDS", 3)
    for number in range(1, 7):
        record_warnings(record_dir, "d%d" % number, [])
        os.utime(os.path.join(record_dir, "d%d.json" % number), ns=(number * 10 ** 9, number * 10 ** 9))
    assert sorted(os.listdir(record_dir)) == ["d4.json", "d5.json", "d6.json"]  # the newest three


def test_a_broken_or_unwritable_record_only_means_asking_postfix(tmp_path):
    record_dir = tmp_path / "records"
    assert record_warnings(str(record_dir), "d1", ["w"])
    (record_dir / "d1.json").write_text("{not json")
    assert recorded_warnings(str(record_dir), "d1") is None
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    assert record_warnings(str(blocked / "records"), "d1", ["w"]) is False
    assert recorded_warnings(None, "d1") is None and record_warnings("", "d1", []) is False


def test_a_runs_digest_changes_with_the_request_the_text_the_day_postmap_and_main_cf(tmp_path):
    main_cf = tmp_path / "main.cf"
    main_cf.write_text("compatibility_level = 3.6\n")
    postmap = tmp_path / "postmap"
    postmap.write_text("binary")
    request = dict(path="/etc/postfix/helo_access", map_type="pcre", entries="0" * 64, exclusive=False)

    def run(asked=None, text=TEXT, today="2026-12-02"):
        return verdicts.run_digest(asked or request, text, str(main_cf), today, str(postmap))

    base = run()
    assert base == run(dict(reversed(list(request.items()))))   # the same request, in another order
    assert base != run(dict(request, entries="1" * 64))
    assert base != run(dict(request, exclusive=True))
    assert base != run(text=TEXT + "/./ REJECT\n")
    assert base != run(today="2026-12-03")
    assert base != verdict_digest("pcre", TEXT, [], str(main_cf), str(postmap))   # never a verdict's digest
    main_cf.write_text("compatibility_level = 3.6\nsmtpd_helo_required = yes\n")
    assert run() != base
    changed_main_cf = run()
    postmap.write_text("an upgraded binary")
    assert run() != changed_main_cf


def test_a_run_record_holds_warnings_and_layout(tmp_path):
    record_dir = str(tmp_path / "records")
    assert verdicts.recorded_run(record_dir, "a" * 64) is None
    assert verdicts.record_run(record_dir, "a" * 64, ["a warning"], "grouped") is True
    assert verdicts.recorded_run(record_dir, "a" * 64) == (["a warning"], "grouped")
    assert verdicts.recorded_run("", "a" * 64) is None and verdicts.record_run("", "a" * 64, [], None) is False
    with open(os.path.join(record_dir, "b" * 64 + ".json"), "w") as broken:
        broken.write('{"warnings": [1]}')
    assert verdicts.recorded_run(record_dir, "b" * 64) is None
