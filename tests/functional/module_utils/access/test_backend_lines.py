# SPDX-License-Identifier: GPL-3.0-or-later
"""A one-entry change of a grouped table asks Postfix only about what the change can affect (real postmap).

The verdict on the old table's lines (verdicts.record_lines) stands for the
lines the new table holds byte for byte in the same context; the warnings
must be what asking Postfix about every name gives.
"""

from ansible_collections.mailops.postfix.plugins.module_utils.access.backend import TableBackend, TableRequest
from tests.functional.module_utils.access.test_backend_replay import TODAY, Listed, PlainFiles
from tests.harness.runner import subprocess_runner

HOSTS = ["mx%03d.partner%d.example" % (number, number % 7) for number in range(600)]


class CountingRunner:
    """subprocess_runner, counting the names each postmap -q - is asked (from stdin or key files)."""

    def __init__(self):
        self.asked = []

    def __call__(self, args, data=None, **options):
        if data is not None and "-q" in args:
            self.asked.append(data.count("\n"))
        elif args[:2] == ["sh", "-c"]:
            prefix, processes = args[6], int(args[7])
            self.asked.append(sum(open("%s.%d" % (prefix, number)).read().count("\n") for number in range(processes)))
        return subprocess_runner(args, data=data, **options)


def run(tmp_path, config_dir, entries, verdict_dir, runner=subprocess_runner, exclusive=True):
    listed = Listed(entries)
    request = TableRequest(path=str(tmp_path / "helo_access"), map_type="pcre", entries=listed,
                           config_dir=str(config_dir), verdict_dir=verdict_dir, entries_digest=listed.digest,
                           exclusive=exclusive, group_size=100)
    return TableBackend(request, runner, PlainFiles(), today=TODAY).run()


def test_one_changed_entry_asks_only_the_names_of_the_lines_it_changes(tmp_path, config_dir):
    verdicts = str(tmp_path / "verdicts")
    entries = [{"host": host} for host in HOSTS]
    first = run(tmp_path, config_dir, entries, verdicts)
    assert first.layout == "grouped" and first.warnings == []
    written = (tmp_path / "helo_access").read_text()
    changed = [dict(entry) for entry in entries]
    changed[300] = {"host": "renamed." + HOSTS[300]}
    runner = CountingRunner()
    second = run(tmp_path, config_dir, changed, verdicts, runner)
    text = (tmp_path / "helo_access").read_text()
    assert second.changed and second.warnings == [] and text != written
    # the names of the two groups it changes (the old name's, the new name's) and the syntax probe, not 600
    assert 0 < sum(runner.asked) <= 2 * 100 + 1, runner.asked
    # the same table and warnings as asking Postfix about every name
    (tmp_path / "helo_access").write_text(written)
    full_runner = CountingRunner()
    full = run(tmp_path, config_dir, changed, "", full_runner)
    assert (tmp_path / "helo_access").read_text() == text and full.warnings == second.warnings
    assert sum(full_runner.asked) == 601


def test_a_rule_above_the_group_shadows_and_the_warnings_stay_postfix_s(tmp_path, config_dir):
    verdicts = str(tmp_path / "verdicts")
    table = tmp_path / "helo_access"
    entries = [{"host": host} for host in HOSTS]
    run(tmp_path, config_dir, entries, verdicts, exclusive=False)
    table.write_text("# hand-written\n/^mx00/ REJECT no mx00\n" + table.read_text())   # edited by hand
    first = run(tmp_path, config_dir, entries, verdicts, exclusive=False)   # another text: every name asked
    shadowed = [warning for warning in first.warnings if "shadows the entry" in warning]
    assert not first.changed and len(shadowed) == 10 and all("mx00" in warning for warning in shadowed)
    written = table.read_text()
    changed = [dict(entry) for entry in entries]
    changed[5] = {"host": "mx00a.renamed.example"}   # a new name the rule shadows too, in the first group
    changed[300] = {"host": "renamed." + HOSTS[300]}
    runner = CountingRunner()
    second = run(tmp_path, config_dir, changed, verdicts, runner, exclusive=False)
    table_text = table.read_text()
    table.write_text(written)
    full = run(tmp_path, config_dir, changed, "", exclusive=False)
    assert table.read_text() == table_text and second.warnings == full.warnings
    assert sum("shadows the entry" in warning for warning in second.warnings) == 10
    assert any("mx00a.renamed.example" in warning for warning in second.warnings)
    assert runner.asked[0] < 600   # the verdict's own question (the tagged lookups of the shadowed come after)
