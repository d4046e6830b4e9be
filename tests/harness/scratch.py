# SPDX-License-Identifier: GPL-3.0-or-later
"""What the preflight runs of one test left in its temp dir: scratch roots and judges still running.

The product stages each candidate (and the throwaway judge instance that
serves it) under ``<temp dir>/mailops-preflight-XXXX``
(plugins/module_utils/preflight/stage.py). Every functional test has a temp
dir of its own (tests/conftest.py, scratch_tmpdir), passed to what it runs as
TMPDIR, so these answers are about this test's runs only, whatever runs
beside it. A judge whose scratch root is already gone still counts: its
MAIL_CONFIG names a path under the temp dir.
"""

import os
import tempfile

from ansible_collections.mailops.postfix.plugins.module_utils.preflight.errors import PreflightError
from ansible_collections.mailops.postfix.plugins.module_utils.preflight.stage import SCRATCH_PREFIX, open_candidate

from . import processes


def scratch_roots(config_dir=None, temp_dir=None):
    """The scratch roots in the temp dir (only those of ``config_dir`` when given)."""
    temp_dir = temp_dir or tempfile.gettempdir()
    found = []
    for name in sorted(os.listdir(temp_dir)):
        root = os.path.join(temp_dir, name)
        if not name.startswith(SCRATCH_PREFIX) or not os.path.isdir(root):
            continue
        if config_dir is not None:
            try:
                open_candidate(root, config_dir)
            except PreflightError:
                continue
        found.append(root)
    return found


def judge_processes(temp_dir=None):
    """PIDs of Postfix processes serving a configuration under the temp dir: judges left running."""
    return processes.with_environment_under("MAIL_CONFIG", temp_dir or tempfile.gettempdir())
