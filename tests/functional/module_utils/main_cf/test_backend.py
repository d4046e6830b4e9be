# SPDX-License-Identifier: GPL-3.0-or-later
"""The postconf backend with real Postfix, where the module cannot easily be driven: a full scratch disk."""

from __future__ import annotations

import os
import tempfile

import pytest

from ansible_collections.mailops.postfix.plugins.module_utils.main_cf import backend
from ansible_collections.mailops.postfix.plugins.module_utils.main_cf.editor import MainCf, MainCfError
from tests.filesystem import fill_leaving
from tests.harness.runner import subprocess_runner

LONG_MAIN_CF = "compatibility_level = 3.6\n" + ("# " + "x" * 70 + "\n") * 80  # about 6 KB: 2 pages


def test_full_scratch_disk_is_a_sentence(postfix_tools, small_disk, monkeypatch):
    """The judging copy of main.cf does not fit in the temp dir: MainCfError with a sentence, nothing left there."""
    fill_leaving(small_disk, 1)  # one page left: 6 KB do not fit
    monkeypatch.setattr(tempfile, "tempdir", str(small_disk))  # where the module's process would put it (TMPDIR)
    request = backend.Request(config_dir="/nonexistent", parameters={"smtpd_helo_required": True})
    with pytest.raises(MainCfError) as raised:
        backend.judge_candidate(subprocess_runner, MainCf(LONG_MAIN_CF), "", request)
    assert str(raised.value) == ("the scratch config dir in which Postfix judges the candidate main.cf cannot be "
                                 "written: the file system is full; nothing was written")
    assert os.listdir(str(small_disk)) == ["filler"]


def test_judgement_is_a_named_result(postfix_tools):
    request = backend.Request(config_dir="/nonexistent", parameters={"smtpd_helo_required": True})
    judgement = backend.judge_candidate(subprocess_runner, MainCf("compatibility_level = 3.6\n"), "", request)
    assert judgement.candidate_text == "compatibility_level = 3.6\nsmtpd_helo_required = yes\n"
    assert judgement.plan.changed_parameters == ["smtpd_helo_required"]
    assert judgement.printed_values == {"smtpd_helo_required": "yes"}
    assert judgement.warnings == []
