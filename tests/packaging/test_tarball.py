# SPDX-License-Identifier: GPL-3.0-or-later
"""The built tarball holds the collection and no development tooling; installed, it documents and runs.

The tarball's size and file count land in .cache/test-results/tarball.json.
"""

import json
import os
import re
import subprocess
import sys
import tarfile

import yaml

from tests.harness.sandbox import PostfixSandbox, make_base_dir
from tests.harness.smtp_probe import probe, verdict

from .conftest import clean_env, record, run

# What a user or ansible-test needs. Everything git tracks under these ships.
SHIPPED_DIRS = ("plugins", "roles", "playbooks", "meta", "docs", "tests/unit/plugins", "tests/integration")
SHIPPED_FILES = ("LICENSE", "README.md", "galaxy.yml", "tests/config.yml", "changelogs/changelog.yaml",
                 "changelogs/config.yaml")
# Development tooling: none of it may ship.
TOOLING = ("bench", "scripts", "Makefile", "requirements-dev.txt", "pytest.ini", "extensions/molecule",
           "tests/harness", "tests/functional", "tests/e2e", "tests/packaging", "tests/conftest.py",
           "tests/unit/bench", "tests/unit/harness", "changelogs/fragments", "tests/output")


def tarball_files(tarball):
    with tarfile.open(tarball) as archive:
        return sorted(member.name for member in archive.getmembers() if member.isfile())


def tracked_files(tree, prefix):
    root = os.path.join(tree, prefix)
    if os.path.isfile(root):
        return [prefix]
    found = []
    for directory, _dirs, files in os.walk(root):
        for name in files:
            path = os.path.relpath(os.path.join(directory, name), tree)
            if "__pycache__" not in path:
                found.append(path)
    return found


def test_tarball_ships_the_collection_and_no_tooling(tarball, tree_copy):
    files = tarball_files(tarball)
    # galaxy.yml becomes MANIFEST.json: it is the one listed file that is not itself in the tarball.
    expected = [path for prefix in SHIPPED_DIRS + SHIPPED_FILES for path in tracked_files(tree_copy, prefix)
                if path != "galaxy.yml"]
    missing = sorted(set(expected) - set(files))
    assert not missing, "tracked files missing from the tarball: %s" % missing
    assert {"MANIFEST.json", "FILES.json", "LICENSE"} <= set(files)
    tooling = [path for path in files
               if any(path == item or path.startswith(item + "/") for item in TOOLING)
               or any(part.startswith(".") for part in path.split("/"))]
    assert not tooling, "development tooling in the tarball: %s" % tooling
    with tarfile.open(tarball) as archive:
        license_text = archive.extractfile("LICENSE").read().decode()
    assert "GNU GENERAL PUBLIC LICENSE" in license_text and "Version 3, 29 June 2007" in license_text
    record("tarball.json", {"tarball": os.path.basename(tarball), "bytes": os.path.getsize(tarball),
                            "files": len(files)})
    print("tarball %s: %d bytes, %d files" % (os.path.basename(tarball), os.path.getsize(tarball), len(files)))


def test_installed_collection_documents_every_module_filter_and_role(installed, tree_copy):
    env = clean_env(installed)
    modules = json.loads(run(["ansible-doc", "-t", "module", "-l", "-j", "mailops.postfix"], env=env,
                             cwd=installed).stdout)
    expected_modules = {"mailops.postfix." + name[:-3] for name in os.listdir(os.path.join(tree_copy, "plugins", "modules"))
                        if name.endswith(".py") and not name.startswith("_")}
    assert set(modules) == expected_modules, modules
    filters = json.loads(run(["ansible-doc", "-t", "filter", "-l", "-j", "mailops.postfix"], env=env,
                             cwd=installed).stdout)
    expected_filters = {"mailops.postfix." + name[:-4] for name in os.listdir(os.path.join(tree_copy, "plugins", "filter"))
                        if name.endswith(".yml")}
    assert set(filters) == expected_filters, filters
    roles = json.loads(run(["ansible-doc", "-t", "role", "-l", "-j", "mailops.postfix"], env=env,
                           cwd=installed).stdout)
    assert set(roles) == {"mailops.postfix.helo_guard"}, roles
    for module in sorted(expected_modules):
        text = run(["ansible-doc", "-t", "module", module], env=env, cwd=installed).stdout
        assert "EXAMPLES:" in text and "RETURN VALUES:" in text, (module, text[:500])


def test_installed_rollout_playbook_runs(installed, tmp_path):
    """``ansible-playbook mailops.postfix.rollout`` from the installed collection, judged by a real smtpd."""
    instance = PostfixSandbox(make_base_dir(), "127.0.0.1").create()
    try:
        instance.start()
        inventory = tmp_path / "hosts.yml"
        inventory.write_text(yaml.safe_dump({"all": {"children": {"mail_servers": {"hosts": {"mx1": {
            "ansible_connection": "local", "ansible_python_interpreter": sys.executable,
            "helo_guard_config_dir": instance.config_dir, "helo_guard_smtp_probe": True,
            "helo_guard_smtp_port": instance.port, "helo_guard_smtp_source_address": "127.0.0.1",
            "helo_guard_entries": [{"host": "mxbox50.bitwiz.net"}],
        }}}}}}))
        completed = subprocess.run(["ansible-playbook", "-i", str(inventory), "mailops.postfix.rollout"],
                                   capture_output=True, text=True, check=False, timeout=300,
                                   env=clean_env(installed), cwd=str(tmp_path))
        assert completed.returncode == 0, completed.stdout + completed.stderr
        # The role and modules ran from the installed copy: it is the only mailops.postfix Ansible sees.
        listed = json.loads(run(["ansible-galaxy", "collection", "list", "--format", "json", "mailops.postfix"],
                                env=clean_env(installed), cwd=str(tmp_path)).stdout)
        assert list(listed) == [os.path.join(installed, "ansible_collections")], listed
        assert instance.run(["postmap", "-q", "mxbox50.bitwiz.net",
                             "regexp:%s/helo_access" % instance.config_dir]).stdout.strip() == "OK"
        assert verdict(probe(instance.address, instance.port, helo="mxbox50.bitwiz.net"))[1] == 250
        assert verdict(probe(instance.address, instance.port, helo="nodots"))[1] == 504
    finally:
        instance.destroy()


def test_every_rollout_variable_is_documented_in_ansible_doc(installed, tree_copy):
    """The playbook's helo_guard_rollout_* variables are the role's `rollout` entry point, as ansible-doc shows it."""
    with open(os.path.join(tree_copy, "playbooks", "rollout.yml")) as playbook:
        used = set(re.findall(r"\b(helo_guard_rollout_[a-z_]+)\b", playbook.read()))
    docs = json.loads(run(["ansible-doc", "-t", "role", "-j", "-e", "rollout", "mailops.postfix.helo_guard"],
                          env=clean_env(installed), cwd=installed).stdout)
    documented = set(docs["mailops.postfix.helo_guard"]["entry_points"]["rollout"]["options"])
    assert used and used == documented, (sorted(used), sorted(documented))
    with open(os.path.join(tree_copy, "roles", "helo_guard", "README.md")) as readme:
        table = readme.read()
    for name in sorted(used):
        assert "| `%s` |" % name in table, name
