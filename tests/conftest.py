# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures shared by every suite: sandbox Postfix instances and ansible runs.

A missing Postfix is an error, never a skip: the harness raises with the
install command, and `make test` installs Postfix before pytest starts.
"""

import os
import shutil
import tempfile

import pytest

from ansible_collections.mailops.postfix.plugins.module_utils.postfix.cli import backdate
from tests.harness.sandbox import PostfixSandbox, make_base_dir, require_postfix

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("ANSIBLE_COLLECTIONS_PATH", os.path.join(TOP, ".collections"))
os.environ.setdefault("ANSIBLE_COLLECTIONS_SCAN_SYS_PATH", "false")
os.environ.setdefault("ANSIBLE_NOCOLOR", "1")


@pytest.fixture
def postfix_tools():
    """Postfix binaries are present (raises with the install command otherwise)."""
    require_postfix()


@pytest.fixture
def sandbox_factory():
    """Create isolated Postfix instances; every one is stopped and removed afterwards."""
    created = []

    def make(extra_parameters=None, address="127.0.0.1", start=True):
        instance = PostfixSandbox(make_base_dir(), address=address).create(extra_parameters)
        created.append(instance)
        if start:
            instance.start()
        return instance

    yield make
    for instance in created:
        instance.destroy()


@pytest.fixture
def config_dir(postfix_tools, tmp_path):
    """A config dir with a minimal main.cf that postconf/postmap accept (no running instance)."""
    directory = tmp_path / "postfix"
    directory.mkdir()
    for name, text in (("main.cf", "compatibility_level = 3.6\n"), ("master.cf", "")):
        (directory / name).write_text(text)
        backdate(str(directory / name))  # postconf waits ~1.8 s on a main.cf younger than 2 s
    return directory


@pytest.fixture
def scratch_tmpdir(tmp_path_factory, monkeypatch):
    """This test's own temp dir (0755, outside pytest's 0700 tmp_path), as TMPDIR of everything it runs.

    The preflight module and the role stage their candidates and judges in the
    temp dir (``tempfile.gettempdir()``): with one per test, a test that asks
    "what did my run leave behind" (scratch roots, judge processes) sees its
    own runs only, not those of a test running beside it (pytest-xdist). The
    harness (``tests/harness/scratch.py``) reads it back.
    """
    tmp_path_factory.getbasetemp()  # pytest's own base dir stays where it was
    directory = make_base_dir("mailops-tmp-")
    monkeypatch.setenv("TMPDIR", directory)
    monkeypatch.setattr(tempfile, "tempdir", directory)
    yield directory
    shutil.rmtree(directory, ignore_errors=True)
