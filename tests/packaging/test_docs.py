# SPDX-License-Identifier: GPL-3.0-or-later
"""The docs site sources: every docs/*.md guide reaches docs/docsite, and antsibull-docs accepts the collection."""

import os
import subprocess
import sys
import tarfile

import yaml

from .conftest import TOP, clean_env, run


def test_every_guide_reaches_the_docs_site(tree_copy, tarball):
    """The built tree holds an RST page per docs/*.md, listed in extra-docs.yml, and the tarball ships them."""
    checked = subprocess.run([sys.executable, os.path.join(TOP, "scripts", "docsite.py"), "check", "--top", tree_copy],
                             capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr
    guides = sorted(name[:-3] for name in os.listdir(os.path.join(TOP, "docs")) if name.endswith(".md"))
    with open(os.path.join(tree_copy, "docs", "docsite", "extra-docs.yml")) as index_file:
        index = yaml.safe_load(index_file)
    listed = sorted(name for section in index["sections"] for name in section["toctree"])
    assert listed == guides
    with tarfile.open(tarball) as archive:
        shipped = set(archive.getnames())
    for name in guides:
        assert "docs/docsite/rst/%s.rst" % name in shipped, name
    assert "docs/docsite/extra-docs.yml" in shipped and "docs/docsite/links.yml" in shipped


def test_antsibull_docs_lint_collection_docs_with_plugin_docs(tree_copy):
    collections_path = os.path.dirname(os.path.dirname(os.path.dirname(tree_copy)))
    completed = run(["antsibull-docs", "lint-collection-docs", "--plugin-docs", "."], cwd=tree_copy,
                    env=clean_env(collections_path))
    assert completed.stdout.strip() == "", completed.stdout
