# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures of the functional suites: a temp dir of its own for every test, a small disk."""

import subprocess

import pytest


def pytest_collection_modifyitems(items):
    """The role's tests first (each runs the role a few times, the kill -9 test minutes), then the modules':
    two pytest-xdist workers (scripts/run-tests.sh) then end together instead of one waiting on a long test."""
    items.sort(key=lambda item: "/functional/roles/" not in str(item.path))


@pytest.fixture(autouse=True)
def _own_tmpdir(scratch_tmpdir):
    return scratch_tmpdir


@pytest.fixture
def small_disk(tmp_path):
    """A 64 KiB tmpfs, unmounted afterwards whatever happens."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0755", "tmpfs", str(mount_point)], check=True)
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)
