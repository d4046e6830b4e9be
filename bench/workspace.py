# SPDX-License-Identifier: GPL-3.0-or-later
"""A scratch directory per benchmark run: playbooks, entry files, tables, a Postfix config dir."""

import json
import os
import shutil
import tempfile
import time

PLAY_HEADER = """\
- name: {name}
  hosts: all
  connection: local
  gather_facts: false
"""


class Workspace:
    """Everything one benchmark writes lives under ``root``; ``cleanup()`` removes it."""

    def __init__(self, keep=False):
        # 0755 under /tmp: Postfix processes (the postfix user) may have to read tables here.
        self.root = tempfile.mkdtemp(prefix="mailops-bench-", dir=os.environ.get("MAILOPS_BENCH_ROOT", "/tmp"))
        os.chmod(self.root, 0o755)
        self.keep = keep
        self.config_dir = self.path("postfix")
        os.makedirs(self.config_dir)
        for name, text in (("main.cf", "compatibility_level = 3.6\n"), ("master.cf", "")):
            self.write(os.path.join("postfix", name), text)
            # postconf waits ~1.8 s on a main.cf younger than 2 s: date it back.
            past = time.time() - 60
            os.utime(self.path("postfix", name), (past, past))

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    def write(self, name, text):
        path = self.path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as out_file:
            out_file.write(text)
        return path

    def write_json(self, name, value):
        # JSON is YAML: Ansible loads vars files written this way with its JSON parser (fast for 100k entries).
        return self.write(name, json.dumps(value))

    def playbook(self, name, play_name, body):
        """Write a one-play playbook; ``body`` is YAML indented by two spaces (vars_files/tasks/...)."""
        return self.write(name, PLAY_HEADER.format(name=play_name) + body)

    def remove(self, name):
        path = self.path(name)
        for candidate in (path, path + ".db", path + ".lmdb"):
            if os.path.exists(candidate):
                os.unlink(candidate)

    def read(self, name):
        with open(self.path(name)) as in_file:
            return in_file.read()

    def cleanup(self):
        if not self.keep:
            shutil.rmtree(self.root, ignore_errors=True)


def table_lines(text):
    """The table's entry lines (no comments, no blank lines): what a lineinfile loop would manage."""
    return [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
