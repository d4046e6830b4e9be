# SPDX-License-Identifier: GPL-3.0-or-later
"""Run one module task through a real ``ansible-playbook`` and return its result.

The task's registered result is written to a JSON file by a second task that
runs even in check mode, so tests see exactly what a playbook author sees.
"""

import json
import os
import subprocess
import tempfile

PLAYBOOK = """\
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: module under test
      {module}: {args}
      register: module_result
      ignore_errors: true
    - name: save the result
      ansible.builtin.copy:
        content: "{{{{ module_result | to_json }}}}"
        dest: {out}
        mode: "0600"
      check_mode: false
      diff: false
"""


def run_module(module, args, check=False, diff=False, extra_env=None):
    """Return the module's result dict (``failed``/``msg`` on failure)."""
    with tempfile.TemporaryDirectory(prefix="mailops-play-") as work_dir:
        out = os.path.join(work_dir, "result.json")
        playbook = os.path.join(work_dir, "play.yml")
        with open(playbook, "w") as playbook_file:
            playbook_file.write(PLAYBOOK.format(module=module, args=json.dumps(args), out=json.dumps(out)))
        argv = ["ansible-playbook", "-i", "localhost,", playbook]
        if check:
            argv.append("--check")
        if diff:
            argv.append("--diff")
        env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="0")
        env.update(extra_env or {})
        completed = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
        if not os.path.exists(out):
            raise AssertionError(
                "ansible-playbook did not run the task (rc=%d)\n%s\n%s"
                % (completed.returncode, completed.stdout, completed.stderr)
            )
        with open(out) as result_file:
            result = json.load(result_file)
        result["_stdout"] = completed.stdout
        return result
