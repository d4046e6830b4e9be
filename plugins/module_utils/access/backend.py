# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The HELO access table backend: what helo_access and helo_access_info do, without Ansible.

``TableBackend(request, run_command, files)`` holds one run: parse the
entries (entry.py), lock the table's directory and read it (``_io``), plan
the new text (plan.py), let Postfix judge the candidate (verify.py: place new
lines above an existing line that would answer first, then look every name
up), write it failure-atomically with a backup (``_io``), and say whether an
index must be built (maps.py). ``TableReader`` is the read-only half for
helo_access_info. Both return named results; every problem is an
``AccessTableError`` or ``_io.FileError`` whose message is a sentence.
"""

from __future__ import annotations

import dataclasses
import datetime
import os
import shutil
import tempfile
import typing as t

from ansible_collections.mailops.postfix.plugins.module_utils import _io
from ansible_collections.mailops.postfix.plugins.module_utils.access.errors import AccessTableError
from ansible_collections.mailops.postfix.plugins.module_utils.access.verdicts import (
    lines_digest,
    record_lines,
    record_run,
    record_warnings,
    recorded_lines,
    recorded_run,
    recorded_warnings,
    run_digest,
    verdict_digest,
)
from ansible_collections.mailops.postfix.plugins.module_utils.postfix import cli as postfix_cli
from ansible_collections.mailops.postfix.plugins.module_utils.postfix import maps

# The entry model, the table reader, the planner and the judge are imported where they are used: a run that
# replays a recorded one (``replayed``) needs none of them, and on the host every import compiles from source
# (tests/functional/modules/helo_access/test_helo_access_speed.py proves it in a fresh interpreter).
# pylint: disable=import-outside-toplevel
if t.TYPE_CHECKING:
    from ansible_collections.mailops.postfix.plugins.module_utils.access.plan import TablePlan

# What the modules catch and turn into fail_json(msg=...): each carries one sentence.
ERRORS = (AccessTableError, _io.FileError, postfix_cli.PostfixCommandError)


@dataclasses.dataclass(frozen=True)
class TableRequest:
    """What the helo_access task asks for (its options, validated by the argument spec)."""

    path: str
    map_type: str
    entries: list | t.Callable[[], list]   # or a function returning them, called only when the run needs them
    state: str = "present"
    config_dir: str | None = None
    exclusive: bool = False
    layout: str = "auto"
    group_size: int = 500
    backup: bool = False
    create: bool = True
    verdict_dir: str | None = None   # where Postfix's verdicts are recorded (verdicts.py); None or "": nowhere
    entries_digest: str | None = None   # a digest of the entries as given (verdicts.run_digest); None: none

    def shape(self) -> dict:
        """What a run's outcome depends on besides the table text, Postfix and main.cf (run_digest)."""
        return dict(path=self.path, map_type=self.map_type, entries=self.entries_digest, state=self.state,
                    config_dir=self.config_dir, exclusive=self.exclusive, layout=self.layout,
                    group_size=self.group_size, create=self.create)


@dataclasses.dataclass
class TableResult:
    """What a run did (or, in check mode, would do)."""

    table: str
    changed: bool = False
    added: list = dataclasses.field(default_factory=list)
    removed: list = dataclasses.field(default_factory=list)
    layout: str | None = None
    postmap_required: bool = False
    backup_file: str | None = None
    before: str | None = None     # the old text (None: the table did not exist)
    after: str | None = None
    warnings: list = dataclasses.field(default_factory=list)
    verdict: str = "postmap"      # "recorded": an unchanged table's recorded verdict was repeated

    def as_module_result(self, diff: bool) -> dict:
        result = dict(changed=self.changed, table=self.table, added=self.added, removed=self.removed,
                      postmap_required=self.postmap_required, verdict=self.verdict)
        if self.layout is not None:
            result["layout"] = self.layout
        if self.backup_file:
            result["backup_file"] = self.backup_file
        if diff and self.after is not None:
            result["diff"] = dict(before=self.before or "", after=self.after, after_header=self.table.split(":", 1)[1],
                                  before_header=self.table.split(":", 1)[1] if self.before is not None else "/dev/null")
        return result


class Files(t.Protocol):
    """What the backend needs of ``_io.ModuleFiles`` (the module passes one)."""

    def write(self, path: str, data: bytes, *, backup: bool = False) -> _io.Written:
        """Write failure-atomically with the task's file options."""

    def apply_attributes(self, path: str, changed: bool) -> bool:
        """The task's file options on an unchanged file."""


def config_dir_for(config_dir: str | None, table_path: str):
    """The explicit config_dir (it must hold a main.cf), else the table's dir or a scratch one (a context)."""
    main_cf_for(config_dir, table_path)
    return postfix_cli.config_dir_or_scratch(config_dir or os.path.dirname(table_path))


def main_cf_for(config_dir: str | None, table_path: str) -> str | None:
    """The main.cf Postfix judges with (None: a scratch config dir's empty one), as ``config_dir_for`` picks it."""
    main_cf = os.path.join(config_dir or os.path.dirname(table_path), "main.cf")
    if os.path.isfile(main_cf):
        return main_cf
    if config_dir:
        raise AccessTableError("config_dir %s has no main.cf." % config_dir)
    return None


class TableBackend:
    """One helo_access run over one table; ``run()`` returns a TableResult."""

    def __init__(self, request: TableRequest, run_command, files: Files, check_mode: bool = False,
                 today: datetime.date | None = None) -> None:
        self.request = request
        self.run_command = run_command
        self.files = files
        self.check_mode = check_mode
        self.today = today or datetime.date.today()
        self.result = TableResult(table="%s:%s" % (request.map_type, request.path))

    def run(self) -> TableResult:
        request = self.request
        if request.group_size < 1:
            raise AccessTableError("group_size must be at least 1, not %d." % request.group_size)
        entries = None if self.replayable() else self.parse_entries()
        _io.target_path(request.path)   # a directory or device as path: a sentence before anything else
        with _io.locked(os.path.dirname(os.path.abspath(request.path))):
            old_text = _io.read_text(request.path)
            if old_text is None and not request.create:
                raise AccessTableError("%s does not exist and create is false." % request.path)
            if not self.replayed(old_text):
                plan = self.judge(old_text, self.parse_entries() if entries is None else entries)
                self.record(plan, old_text)
                self.write(plan, old_text)
                self.remember(plan)
        self.result.postmap_required = self.postmap_required()
        return self.result

    def replayable(self) -> bool:
        """True when a recorded run may stand in for this one (verdicts.run_digest): entries are read later."""
        return bool(self.request.verdict_dir and self.request.entries_digest)

    def run_digest(self, text: str) -> str:
        request = self.request
        return run_digest(request.shape(), text, main_cf_for(request.config_dir, request.path),
                          self.today.isoformat())

    def replayed(self, old_text: str | None) -> bool:
        """Repeat a recorded run on exactly this request, table text, Postfix and main.cf; False if none."""
        if old_text is None or not self.replayable():
            return False
        recorded = recorded_run(self.request.verdict_dir, self.run_digest(old_text))
        if recorded is None:
            return False
        self.result.warnings, self.result.layout = list(recorded[0]), recorded[1]
        self.result.verdict = "recorded"
        self.result.before = self.result.after = old_text
        self.result.changed = self.files.apply_attributes(self.request.path, False)
        return True

    def remember(self, plan: TablePlan) -> None:
        """After a real run the table holds ``plan.new_text``: record the run for the next one."""
        if self.replayable() and not self.check_mode:
            record_run(self.request.verdict_dir, self.run_digest(plan.new_text), self.result.warnings,
                       self.result.layout)

    def parse_entries(self) -> list:
        request = self.request
        from ansible_collections.mailops.postfix.plugins.module_utils.access.entry import expiry_warnings, parse_entries
        raw = request.entries() if callable(request.entries) else request.entries
        entries = parse_entries(raw, request.map_type, request.state, today=self.today)
        bound = [entry.label for entry in entries if entry.clients]
        if bound:
            raise AccessTableError("%s: an entry bound to clients needs a restriction class and a cidr table besides "
                                   "this table, which the helo_guard role writes; helo_access alone does not, so leave "
                                   "clients out here or list the entry in the role's variables." % ", ".join(bound))
        self.result.warnings.extend(expiry_warnings(entries))
        return entries

    def judge(self, old_text: str | None, entries: list) -> TablePlan:
        """Plan the new table and have Postfix judge it (in a scratch directory)."""
        from ansible_collections.mailops.postfix.plugins.module_utils.access.plan import plan_table
        request = self.request
        options = dict(exclusive=request.exclusive, layout=request.layout, group_size=request.group_size)
        work_dir = tempfile.mkdtemp(prefix="mailops-helo-access-")
        try:
            with config_dir_for(request.config_dir, request.path) as config_dir:
                plan = plan_table(old_text or "", entries, request.map_type, **options)
                first_match = self.first_matches(config_dir, work_dir, old_text, plan)
                if first_match:
                    plan = plan_table(old_text, entries, request.map_type, first_match=first_match, **options)
                self.result.warnings.extend(self.verdict(config_dir, work_dir, old_text, plan))
        finally:
            shutil.rmtree(work_dir, ignore_errors=True)
        return plan

    def verdict(self, config_dir: str, work_dir: str, old_text: str | None, plan: TablePlan) -> list:
        """Postfix's warnings on the candidate: asked, or repeated from a record (verdicts.py).

        Only a table that stays as it is can repeat a recorded verdict, and
        only one on exactly this text, these entries, this postmap and this
        main.cf; anything else asks Postfix, and a real run records the answer.
        """
        from ansible_collections.mailops.postfix.plugins.module_utils.access.lines import parse_table
        from ansible_collections.mailops.postfix.plugins.module_utils.access.verify import (
            known_answers, verified_lines, verify_plan)
        request = self.request
        main_cf = os.path.join(config_dir, "main.cf")
        given = [request.entries_digest, request.state, self.today.isoformat()] if request.entries_digest else None
        digest = verdict_digest(request.map_type, plan.new_text, plan.probes, main_cf, given=given)
        if old_text == plan.new_text:
            recorded = recorded_warnings(request.verdict_dir, digest)
            if recorded is not None:
                self.result.verdict = "recorded"
                return recorded
        if plan.layout != "grouped" or not request.verdict_dir:
            warnings = verify_plan(self.run_command, config_dir, work_dir, request.map_type, plan)
            if not self.check_mode:
                record_warnings(request.verdict_dir, digest, warnings)
            return warnings
        # The grouped layout: Postfix's answers on the lines the old table shares with the new one hold.
        new_lines = parse_table(plan.new_text, request.map_type, known=plan.grouped_keys)
        known = None
        verified_old = recorded_lines(request.verdict_dir, lines_digest(request.map_type, old_text, main_cf)) \
            if old_text else None
        if verified_old:
            known = known_answers(plan.old_lines, verified_old, new_lines)
        answered = {}
        warnings = verify_plan(self.run_command, config_dir, work_dir, request.map_type, plan, known=known,
                               answered=answered)
        if not self.check_mode:
            record_warnings(request.verdict_dir, digest, warnings)
            if not any(warning.startswith("Postfix: ") for warning in warnings):
                record_lines(request.verdict_dir, lines_digest(request.map_type, plan.new_text, main_cf),
                             verified_lines(new_lines, answered, known))
        return warnings

    def first_matches(self, config_dir: str, work_dir: str, old_text: str | None, plan: TablePlan) -> dict:
        """Existing lines Postfix would answer the new names with (regexp/pcre: the first match wins).

        Only the new names are asked, so a big table stays cheap; the planner
        places the new lines above these.
        """
        if not old_text or not maps.is_regexp(self.request.map_type) or not plan.placed_names:
            return {}
        from ansible_collections.mailops.postfix.plugins.module_utils.access.verify import winning_lines
        winners, _warnings = winning_lines(self.run_command, config_dir, work_dir, self.request.map_type, old_text,
                                           sorted(set(plan.placed_names)))
        return {name.lower(): winner["line"] for name, winner in winners.items()}

    def record(self, plan: TablePlan, old_text: str | None) -> None:
        self.result.changed = plan.changed or old_text is None
        self.result.added, self.result.removed, self.result.layout = plan.added, plan.removed, plan.layout
        self.result.before, self.result.after = old_text, plan.new_text

    def write(self, plan: TablePlan, old_text: str | None) -> None:
        """Write a changed table (never in check mode); else apply the task's file options."""
        if self.result.changed and not self.check_mode:
            written = self.files.write(self.request.path, _io.encode_text(plan.new_text),
                                       backup=self.request.backup and old_text is not None)
            self.result.backup_file = written.backup_file
        elif old_text is not None:
            self.result.changed = self.files.apply_attributes(self.request.path, self.result.changed)

    def postmap_required(self) -> bool:
        if os.path.exists(self.request.path):
            return postfix_cli.postmap_required(self.request.map_type, self.request.path)
        return maps.needs_postmap(self.request.map_type)


@dataclasses.dataclass
class TableReading:
    """What helo_access_info returns."""

    table: str
    entries: list
    matches: list
    warnings: list


def read_table(path: str, map_type: str, queries: list, run_command, config_dir: str | None = None) -> TableReading:
    """Parse an existing table and ask Postfix which line answers each query (nothing is written)."""
    from ansible_collections.mailops.postfix.plugins.module_utils.access.lines import parse_table, parsed_entries
    from ansible_collections.mailops.postfix.plugins.module_utils.access.verify import winning_lines
    for name in queries:
        if not name or any(char.isspace() or char == "\x00" for char in name):
            raise AccessTableError("query name %r is empty or contains whitespace or a NUL." % name)
    text = _io.read_text(path) if os.path.lexists(path) else None
    if text is None:
        raise AccessTableError("%s does not exist." % path)
    work_dir = tempfile.mkdtemp(prefix="mailops-helo-access-info-")
    try:
        with config_dir_for(config_dir, path) as effective_config_dir:
            winners, warnings = winning_lines(run_command, effective_config_dir, work_dir, map_type, text, queries)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    matches = [dict(name=name, matched=True, **winners[name]) if name in winners else dict(name=name, matched=False)
               for name in queries]
    return TableReading(table="%s:%s" % (map_type, path), entries=parsed_entries(parse_table(text, map_type)),
                        matches=matches, warnings=["Postfix: %s" % warning for warning in warnings])
