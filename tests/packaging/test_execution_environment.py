# SPDX-License-Identifier: GPL-3.0-or-later
"""meta/execution-environment.yml: ansible-builder writes a build context from it, and introspects the collection.

No container is built (no engine, no registry here): `ansible-builder create`
validates the definition and writes the Containerfile a build would run.
"""

import os
import re

from .conftest import TOP, run


def pinned(package):
    with open(os.path.join(TOP, "requirements-dev.txt")) as requirements:
        return re.search(r"^%s==(\S+)$" % re.escape(package), requirements.read(), re.MULTILINE).group(1)


def test_ansible_builder_create_accepts_the_definition(tmp_path):
    context = tmp_path / "context"
    run(["ansible-builder", "create", "-f", os.path.join(TOP, "meta", "execution-environment.yml"),
         "--context", str(context), "--output-filename", "Containerfile"])
    containerfile = (context / "Containerfile").read_text()
    # The EE runs what make test proves: the same ansible-core and ansible-runner.
    assert 'ARG ANSIBLE_INSTALL_REFS="ansible-core==%s ansible-runner==%s"' % (
        pinned("ansible-core"), pinned("ansible-runner")) in containerfile
    assert "openssh-clients" in containerfile
    assert "ansible-galaxy collection install" in containerfile
    requirements = (context / "_build" / "requirements.yml").read_text()
    assert "mailops.postfix" in requirements


def test_ansible_builder_introspects_the_installed_collection(installed):
    """What ansible-builder reads from meta/execution-environment.yml when the collection is in an EE."""
    completed = run(["ansible-builder", "introspect", "--sanitize", installed])
    # The modules need nothing on the control node beyond ansible-core: no Python or system packages.
    assert "python: []" in completed.stdout and "system: []" in completed.stdout, completed.stdout
