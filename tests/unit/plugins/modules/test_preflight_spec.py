# SPDX-License-Identifier: GPL-3.0-or-later
"""The preflight module's argument spec spells two values of the access family; they must stay equal."""

from ansible_collections.mailops.postfix.plugins.module_utils.access import plan, verdicts
from ansible_collections.mailops.postfix.plugins.modules import preflight


def test_the_edit_table_layouts_are_the_planners():
    assert tuple(preflight.LAYOUTS) == tuple(plan.LAYOUTS)
    assert preflight.EDIT_OPTIONS["table"]["options"]["layout"]["choices"] == list(plan.LAYOUTS)


def test_the_edit_table_verdict_dir_is_helo_access_default():
    assert preflight.EDIT_OPTIONS["table"]["options"]["verdict_dir"]["default"] == verdicts.DEFAULT_DIR


def test_a_stage_imports_neither_the_judge_nor_the_edit_backends():
    import subprocess
    import sys
    code = ("import sys; import ansible_collections.mailops.postfix.plugins.modules.preflight; "
            "print(sorted(m for m in sys.modules if 'mailops' in m))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    for heavy in ("preflight.judging", "preflight.edit", "access.plan", "main_cf.backend", "preflight.matrix"):
        assert heavy not in loaded, (heavy, loaded)
