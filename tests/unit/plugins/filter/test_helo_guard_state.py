# SPDX-License-Identifier: GPL-3.0-or-later
"""helo_guard_wanted: one digest of what a run wants (inputs and the collection's code)."""

import datetime
import os
import shutil

from ansible_collections.mailops.postfix.plugins.filter import helo_guard_state

INPUTS = {"config_dir": "/etc/postfix", "entries": [{"host": "mx.example.com"}, {"ip": "192.0.2.1"}],
          "main_cf": [True, ["permit_mynetworks", "reject_non_fqdn_helo_hostname"]]}


def test_the_same_inputs_give_the_same_digest_and_any_change_another():
    wanted = helo_guard_state.helo_guard_wanted(INPUTS)
    assert len(wanted) == 64 and wanted == helo_guard_state.helo_guard_wanted(dict(reversed(list(INPUTS.items()))))
    changed = dict(INPUTS, entries=INPUTS["entries"] + [{"host": "mx2.example.com"}])
    assert helo_guard_state.helo_guard_wanted(changed) != wanted
    assert helo_guard_state.helo_guard_wanted(dict(INPUTS, main_cf=[False, INPUTS["main_cf"][1]])) != wanted


def test_an_entry_that_can_expire_gives_no_digest():
    for expires in ("2999-01-01", datetime.date(2999, 1, 1)):
        entries = INPUTS["entries"] + [{"host": "temp.example.com", "expires": expires}]
        assert helo_guard_state.helo_guard_wanted(dict(INPUTS, entries=entries)) == ""


def test_the_code_digest_covers_every_plugin_and_role_file(tmp_path):
    root = tmp_path / "collection"
    for relative in ("plugins/modules/a.py", "plugins/module_utils/x/b.py", "roles/r/tasks/main.yml"):
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text("one\n")
    (root / "plugins" / "README.md").write_text("not code\n")
    first = helo_guard_state.code_digest.__wrapped__(str(root))
    (root / "plugins" / "README.md").write_text("still not code\n")
    assert helo_guard_state.code_digest.__wrapped__(str(root)) == first
    for relative in ("plugins/module_utils/x/b.py", "roles/r/tasks/main.yml"):
        (root / relative).write_text("two\n")
        assert helo_guard_state.code_digest.__wrapped__(str(root)) != first, relative
        (root / relative).write_text("one\n")
    shutil.copy(str(root / "plugins/modules/a.py"), str(root / "plugins/modules/c.py"))
    assert helo_guard_state.code_digest.__wrapped__(str(root)) != first
    assert os.path.isdir(os.path.join(helo_guard_state.COLLECTION_ROOT, "plugins", "modules"))
