# SPDX-License-Identifier: GPL-3.0-or-later
"""Run a module's main() in-process on given arguments, with a run_command that must not be called.

These tests cover what a module refuses before it asks Postfix anything:
a run_command call fails the test. What Postfix judges is tested with a
real Postfix in tests/functional.
"""

import json
import os
import stat

import pytest
from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args


class ModuleRun:
    def __init__(self, capsys, monkeypatch):
        self.capsys = capsys
        self.monkeypatch = monkeypatch

    def __call__(self, main, args):
        def no_postfix(*_args, **_kwargs):
            raise AssertionError("the module asked Postfix although the input was refused before")

        self.monkeypatch.setattr(basic.AnsibleModule, "run_command", no_postfix)
        with patch_module_args(args), pytest.raises(SystemExit):
            main()
        captured = self.capsys.readouterr()
        return json.loads(captured.out)


@pytest.fixture
def module_run(capsys, monkeypatch):
    return ModuleRun(capsys, monkeypatch)


def file_states(directory):
    """Bytes, mtime and type of every path below ``directory`` (the proof that a refusal changed nothing)."""
    states = {}
    for root, dirs, files in os.walk(directory):
        for name in dirs + files:
            path = os.path.join(root, name)
            info = os.lstat(path)
            content = None
            if stat.S_ISREG(info.st_mode):
                with open(path, "rb") as handle:
                    content = handle.read()
            states[path] = (stat.S_IFMT(info.st_mode), info.st_mtime_ns, content)
    return states
