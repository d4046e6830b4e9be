# SPDX-License-Identifier: GPL-3.0-or-later
"""A recorded run stands in for a run that changes nothing; the planner it relies on is a fixed point (real postmap)."""

import datetime
import json
import os

import pytest

from ansible_collections.mailops.postfix.plugins.module_utils import _io
from ansible_collections.mailops.postfix.plugins.module_utils.access.backend import TableBackend, TableRequest
from ansible_collections.mailops.postfix.plugins.module_utils.access.entry import AccessTableError
from tests.harness.runner import subprocess_runner

TODAY = datetime.date(2026, 12, 2)
SHADOWING = "# hand-written\n/^mxbox/ REJECT no mxbox\n"


class PlainFiles:
    """The backend's Files through _io itself (the module hands it _io.ModuleFiles)."""

    def write(self, path, data, *, backup=False):
        return _io.write_bytes(path, data, backup=backup)

    def apply_attributes(self, path, changed):
        return changed


class Listed:
    """entries as the module passes entries_file's: a function, with how often it was called."""

    def __init__(self, entries):
        self.entries = entries
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return json.loads(json.dumps(self.entries))

    @property
    def digest(self):
        return "digest of %s" % json.dumps(self.entries, sort_keys=True)


def run(tmp_path, config_dir, listed, verdict_dir, map_type="pcre", today=TODAY, check_mode=False, **options):
    request = TableRequest(path=str(tmp_path / "helo_access"), map_type=map_type, entries=listed,
                           config_dir=str(config_dir), verdict_dir=verdict_dir, entries_digest=listed.digest,
                           **options)
    return TableBackend(request, subprocess_runner, PlainFiles(), check_mode=check_mode, today=today).run()


def test_a_recorded_run_stands_in_without_reading_the_entries(tmp_path, config_dir):
    verdicts = str(tmp_path / "verdicts")
    (tmp_path / "helo_access").write_text(SHADOWING)
    listed = Listed([{"host": "mxbox50.bitwiz.net"}, {"ip": "50.0.0.1"},
                     {"host": "gone.example", "expires": "2026-01-01"}])
    first = run(tmp_path, config_dir, listed, verdicts)
    assert first.changed and first.verdict == "postmap" and listed.calls == 1
    assert len(first.warnings) == 1 and "expires 2026-01-01 has passed" in first.warnings[0]
    text = (tmp_path / "helo_access").read_text()
    again = run(tmp_path, config_dir, listed, verdicts)
    assert listed.calls == 1, "the entries were read although the recorded run matched"
    wanted = (False, "recorded", first.warnings, first.layout)
    assert (again.changed, again.verdict, again.warnings, again.layout) == wanted
    assert (again.added, again.removed, again.before, again.after) == ([], [], text, text)
    # what the full path says about the same state is what was replayed
    full = run(tmp_path, config_dir, listed, "")
    assert (full.changed, full.warnings, full.layout) == (False, first.warnings, first.layout)
    assert (tmp_path / "helo_access").read_text() == text


@pytest.mark.parametrize("change", ["entries", "option", "table", "main.cf", "day"])
def test_anything_else_takes_the_full_path(tmp_path, config_dir, change):
    verdicts = str(tmp_path / "verdicts")
    listed = Listed([{"host": "mxbox50.bitwiz.net"}, {"ip": "50.0.0.1"}])
    run(tmp_path, config_dir, listed, verdicts)
    options, today = {}, TODAY
    if change == "entries":
        listed = Listed([{"host": "mxbox50.bitwiz.net"}, {"ip": "50.0.0.2"}])
    elif change == "option":
        options = dict(exclusive=True)
    elif change == "table":
        (tmp_path / "helo_access").write_text((tmp_path / "helo_access").read_text() + "# edited\n")
    elif change == "main.cf":
        with open(os.path.join(str(config_dir), "main.cf"), "a") as main_cf:
            main_cf.write("smtpd_helo_required = yes\n")
    else:
        today = TODAY + datetime.timedelta(days=1)
    calls = listed.calls
    run(tmp_path, config_dir, listed, verdicts, today=today, **options)
    assert listed.calls == calls + 1


def test_a_bad_entry_in_a_changed_list_is_refused_and_check_mode_records_nothing(tmp_path, config_dir):
    verdicts = str(tmp_path / "verdicts")
    listed = Listed([{"host": "mxbox50.bitwiz.net"}])
    run(tmp_path, config_dir, listed, verdicts, check_mode=True)
    assert not os.path.exists(verdicts)
    run(tmp_path, config_dir, listed, verdicts)
    before = os.stat(str(tmp_path / "helo_access"))
    with pytest.raises(AccessTableError, match="mx box"):
        run(tmp_path, config_dir, Listed([{"host": "mx box.example"}]), verdicts)
    after = os.stat(str(tmp_path / "helo_access"))
    assert (after.st_mtime_ns, after.st_ino) == (before.st_mtime_ns, before.st_ino)


SHAPES = {
    "grouped, 1,200 names": ("", [{"host": "mx%04d.example.net" % number} for number in range(600)]
                             + [{"ip": "50.0.%d.%d" % (number // 200, number % 200 + 1)} for number in range(600)],
                             {}),
    "shadowed by a hand-written line": (SHADOWING, [{"host": "mxbox50.bitwiz.net"}, {"host": "mxbox51.bitwiz.net"}],
                                        {}),
    "exclusive, mixed kinds": (SHADOWING + "/^old\\.example$/ OK\n",
                               [{"host": "a.example", "comment": "peer"}, {"domain": "partner.example"},
                                {"pattern": "^relay[0-9]+\\.example\\.org$", "action": "DUNNO"},
                                {"host": "b.example", "state": "absent"}], dict(exclusive=True)),
    "grouped with small groups merged": ("", [{"host": "h%03d.example.com" % number} for number in range(300)],
                                         dict(group_size=7)),
    "expired and absent entries": ("/^c\\.example$/ OK\n",
                                   [{"host": "c.example", "expires": "2026-01-01"},
                                    {"host": "d.example", "state": "absent"}], {}),
}


@pytest.mark.parametrize("map_type", ["regexp", "pcre"])
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_the_planner_is_a_fixed_point(tmp_path, config_dir, map_type, shape):
    """What a recorded run relies on: a second full run with the same request leaves the table as it is
    and gets the same warnings (Postfix is asked the same question about the same text)."""
    text, entries, options = SHAPES[shape]
    if text:
        (tmp_path / "helo_access").write_text(text)
    first = run(tmp_path, config_dir, Listed(entries), "", map_type=map_type, **options)
    written = (tmp_path / "helo_access").read_text()
    second = run(tmp_path, config_dir, Listed(entries), "", map_type=map_type, **options)
    assert second.changed is False and (tmp_path / "helo_access").read_text() == written
    assert (second.layout, second.warnings) == (first.layout, first.warnings)
