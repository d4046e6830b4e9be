# SPDX-License-Identifier: GPL-3.0-or-later
"""What the helo_access tests share: running the module and asking Postfix about the result."""

import os
import shutil

import pytest

from ansible_collections.mailops.postfix.plugins.module_utils.postfix import cli as postfix_cli
from ansible_collections.mailops.postfix.plugins.module_utils.postfix import maps
from tests.harness.ansible_run import run_module
from tests.harness.runner import subprocess_runner


class Table:
    """A table file under test, judged by ``postmap -q`` through postfix_cli."""

    def __init__(self, config_dir, directory, map_type="regexp", name="helo_access"):
        self.config_dir = str(config_dir)
        self.map_type = map_type
        self.path = os.path.join(str(directory), name)
        self.scratch = os.path.join(str(directory), "judged")

    def run(self, entries, check=False, diff=False, **options):
        args = dict(path=self.path, type=self.map_type, config_dir=self.config_dir, entries=entries)
        args.update(options)
        if args["config_dir"] is None:
            del args["config_dir"]
        return run_module("mailops.postfix.helo_access", args, check=check, diff=diff)

    def write(self, text):
        with open(self.path, "w") as table_file:
            table_file.write(text)

    def text(self):
        with open(self.path) as table_file:
            return table_file.read()

    def bytes(self):
        with open(self.path, "rb") as table_file:
            return table_file.read()

    def answers(self, names):
        """Postfix's answers; indexed types are judged on an index built from a copy."""
        path = self.path
        if maps.needs_postmap(self.map_type):
            os.makedirs(self.scratch, exist_ok=True)
            path = os.path.join(self.scratch, "copy")
            shutil.copyfile(self.path, path)
            postfix_cli.postmap_build(subprocess_runner, self.config_dir, self.map_type, path)
        answers, warnings = postfix_cli.postmap_query(subprocess_runner, self.config_dir,
                                                      self.map_type, path, names)
        assert warnings == [], warnings
        return answers


@pytest.fixture
def table_factory(config_dir, tmp_path):
    def make(map_type="regexp", name="helo_access"):
        return Table(config_dir, tmp_path, map_type, name)
    return make


@pytest.fixture
def table(table_factory):
    return table_factory()
