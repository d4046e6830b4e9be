# SPDX-License-Identifier: GPL-3.0-or-later
"""The docs site sources: every docs/*.md guide reaches docs/docsite, and antsibull-docs accepts the collection."""

import os
import subprocess
import sys

from .conftest import TOP, clean_env, run


def test_docsite_rst_and_extra_docs_match_the_guides():
    checked = subprocess.run([sys.executable, os.path.join(TOP, "scripts", "docsite.py"), "check"],
                             capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr


def test_antsibull_docs_lint_collection_docs_with_plugin_docs(tree_copy):
    collections_path = os.path.dirname(os.path.dirname(os.path.dirname(tree_copy)))
    completed = run(["antsibull-docs", "lint-collection-docs", "--plugin-docs", "."], cwd=tree_copy,
                    env=clean_env(collections_path))
    assert completed.stdout.strip() == "", completed.stdout
