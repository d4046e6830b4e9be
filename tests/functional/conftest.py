# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures of the functional suites: a temp dir of its own for every test, a small disk."""

import subprocess

import pytest


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
