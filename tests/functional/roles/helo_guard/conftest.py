# SPDX-License-Identifier: GPL-3.0-or-later
"""Run the helo_guard role through ansible-playbook against sandbox instances.

Each test writes a real inventory (hosts.yml, group_vars/, host_vars/) whose
one host is a sandbox Postfix reached with a local connection; its
helo_guard_config_dir is the sandbox's own config dir, never /etc/postfix.
"""

import os
import subprocess
import sys

import pytest

from tests.functional.roles.helo_guard.helo_guard_run import ROLE_PLAYBOOK, RoleRun, write_yaml


@pytest.fixture
def role_inventory(tmp_path):
    """Write an inventory for one sandbox; returns its directory."""

    def make(instance, host_vars=None, group_vars=None):
        inventory_dir = tmp_path / "inventory"
        write_yaml(str(inventory_dir / "hosts.yml"), {"all": {"children": {"mail_servers": {"hosts": {"mx": {
            "ansible_connection": "local", "ansible_python_interpreter": sys.executable}}}}}})
        base_host_vars = {"helo_guard_config_dir": instance.config_dir, "helo_guard_smtp_address": instance.address,
                          "helo_guard_smtp_port": instance.port, "helo_guard_smtp_source_address": "127.0.0.1"}
        base_host_vars.update(host_vars or {})
        write_yaml(str(inventory_dir / "host_vars" / "mx.yml"), base_host_vars)
        write_yaml(str(inventory_dir / "group_vars" / "mail_servers.yml"), group_vars or {})
        return str(inventory_dir)

    return make


@pytest.fixture
def run_role(tmp_path):
    """Run a playbook (the role alone by default) over an inventory; returns a RoleRun."""

    def run(inventory_dir, check=False, playbook=ROLE_PLAYBOOK, extra_args=()):
        playbook_path = tmp_path / "play.yml"
        playbook_path.write_text(playbook)
        argv = ["ansible-playbook", "-i", inventory_dir, str(playbook_path)] + list(extra_args)
        if check:
            argv.append("--check")
        env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="0")
        return RoleRun(subprocess.run(argv, capture_output=True, text=True, env=env, check=False))

    return run
