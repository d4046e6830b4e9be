# SPDX-License-Identifier: GPL-3.0-or-later
"""``antsibull-changelog release`` on a copy of the tree gives correct notes for the first release.

Nothing is released in the checkout: the release runs in a temporary copy.
"""

import glob
import os

import yaml

from .conftest import TOP, run

# Sections that describe a change to an earlier release: the first release has none.
NOT_IN_A_FIRST_RELEASE = ("bugfixes", "minor_changes", "major_changes", "breaking_changes", "deprecated_features",
                          "removed_features", "security_fixes")


def galaxy_version():
    with open(os.path.join(TOP, "galaxy.yml")) as galaxy:
        return yaml.safe_load(galaxy)["version"]


def test_release_notes_list_every_module_plugin_role_and_playbook(tmp_path):
    base = tmp_path / "collections"
    copy = str(base / "ansible_collections" / "mailops" / "postfix")
    run([os.path.join(TOP, "scripts", "copy-tree.sh"), copy])
    with open(os.path.join(copy, "changelogs", "changelog.yaml")) as changelog:
        released = yaml.safe_load(changelog).get("releases") or {}
    version = galaxy_version()
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(base), ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false")
    env.pop("PYTHONPATH", None)
    run(["antsibull-changelog", "release", "--version", version, "--date", "2026-12-01"], cwd=copy, env=env)
    with open(os.path.join(copy, "changelogs", "changelog.yaml")) as changelog:
        release = yaml.safe_load(changelog)["releases"][version]
    with open(os.path.join(copy, "CHANGELOG.rst")) as rst:
        notes = rst.read()

    modules = {os.path.basename(path)[:-3] for path in glob.glob(os.path.join(copy, "plugins", "modules", "*.py"))}
    filters = {os.path.basename(path)[:-4] for path in glob.glob(os.path.join(copy, "plugins", "filter", "*.yml"))}
    roles = {os.path.basename(path) for path in glob.glob(os.path.join(copy, "roles", "*")) if os.path.isdir(path)}
    playbooks = {os.path.basename(path)[:-4] for path in glob.glob(os.path.join(copy, "playbooks", "*.yml"))}
    hint = ("a plugin missing here has a version_added other than %s, or a role/playbook lacks its "
            "'add object.*' entry in changelogs/fragments (docs/releasing.md)" % version)
    assert {item["name"] for item in release.get("modules", [])} == modules, hint
    assert {item["name"] for item in release.get("plugins", {}).get("filter", [])} == filters, hint
    assert {item["name"] for item in release.get("objects", {}).get("role", [])} == roles, hint
    assert {item["name"] for item in release.get("objects", {}).get("playbook", [])} == playbooks, hint
    for name in sorted(modules | filters | roles | playbooks):
        assert "mailops.postfix.%s - " % name in notes, name
    for title in ("Release Summary", "New Modules", "New Plugins", "New Roles", "New Playbooks"):
        assert "\n%s\n" % title in notes, title
    changes = release.get("changes", {})
    assert changes.get("release_summary", "").startswith("First release"), changes
    if not released:
        wrong = {section: changes[section] for section in NOT_IN_A_FIRST_RELEASE if changes.get(section)}
        assert not wrong, ("the first release changes or fixes nothing earlier: write these fragments as "
                           "'trivial' (docs/releasing.md): %s" % wrong)
    # The release consumed the fragments of the copy only; the checkout keeps its own.
    assert glob.glob(os.path.join(TOP, "changelogs", "fragments", "*.yml"))
