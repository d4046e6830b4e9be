# SPDX-License-Identifier: GPL-3.0-or-later
"""The harness's /proc answers about real processes (a sleep started here)."""

import os
import subprocess

from tests.harness import processes


def test_with_environment_under_finds_a_process_by_a_path_below_a_directory(tmp_path):
    inside = str(tmp_path / "scratch" / "judge" / "etc")
    env = dict(os.environ, MAIL_CONFIG=inside)
    child = subprocess.Popen(["sleep", "30"], env=env)
    try:
        assert child.pid in processes.with_environment_under("MAIL_CONFIG", str(tmp_path / "scratch"))
        assert child.pid in processes.with_environment_under("MAIL_CONFIG", inside)
        # A sibling whose name only starts the same is not under it.
        assert child.pid not in processes.with_environment_under("MAIL_CONFIG", str(tmp_path / "scratc"))
        assert child.pid not in processes.with_environment_under("OTHER_NAME", str(tmp_path))
    finally:
        child.kill()
        child.wait()
    assert child.pid not in processes.with_environment_under("MAIL_CONFIG", str(tmp_path))
