# SPDX-License-Identifier: GPL-3.0-or-later
"""A real ``run_command`` for tests and scripts, in place of ``AnsibleModule.run_command``.

The product's Postfix calls (``plugins/module_utils/postfix/cli.py``) take a
``run_command`` callable; modules hand them ``module.run_command``, tests
hand them this one. It runs the real binary, so nothing is mocked.
"""

from __future__ import annotations

import subprocess


def subprocess_runner(args, data=None, **_options):
    """``run_command(args, data=None, ...)`` -> ``(rc, stdout, stderr)``, built on ``subprocess.run``."""
    completed = subprocess.run(args, input=data, capture_output=True, text=True, check=False)
    return completed.returncode, completed.stdout, completed.stderr
