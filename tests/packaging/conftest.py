# SPDX-License-Identifier: GPL-3.0-or-later
"""The collection as a user gets it: a tarball built from a copy of the tree, installed into an empty path."""

import glob
import json
import os
import subprocess
import sys

import pytest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RESULTS = os.path.join(TOP, ".cache", "test-results")


def clean_env(collections_path, **extra):
    """The environment of a user with only ``collections_path``: none of the checkout's paths."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "ANSIBLE_ROLES_PATH", "ANSIBLE_COLLECTIONS_PATH", "ANSIBLE_COLLECTIONS_PATHS")}
    env.update(ANSIBLE_COLLECTIONS_PATH=collections_path, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false",
               ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="0")
    env.update(extra)
    return env


def run(argv, **kwargs):
    completed = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=600, **kwargs)
    assert completed.returncode == 0, "%s (rc=%d)\n%s\n%s" % (" ".join(argv), completed.returncode,
                                                              completed.stdout, completed.stderr)
    return completed


@pytest.fixture(scope="session")
def build(tmp_path_factory):
    """``scripts/build-collection.sh`` (make dist): the copy of the tree it built from, and the tarball."""
    out = str(tmp_path_factory.mktemp("dist"))
    run([os.path.join(TOP, "scripts", "build-collection.sh"), out, sys.executable])
    (path,) = glob.glob(os.path.join(out, "mailops-postfix-*.tar.gz"))
    return os.path.join(out, "tree", "ansible_collections", "mailops", "postfix"), path


@pytest.fixture(scope="session")
def tree_copy(build):
    """The tracked and new files of the checkout plus the generated docs site sources."""
    return build[0]


@pytest.fixture(scope="session")
def tarball(build):
    return build[1]


@pytest.fixture(scope="session")
def installed(tarball, tmp_path_factory):
    """The tarball installed into an empty collections path; returns that path."""
    collections_path = str(tmp_path_factory.mktemp("installed"))
    run(["ansible-galaxy", "collection", "install", "--offline", "-p", collections_path, tarball],
        env=clean_env(collections_path), cwd=collections_path)
    return collections_path


def record(name, data):
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, name), "w") as out:
        json.dump(data, out, indent=2)
