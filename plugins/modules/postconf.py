#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: postconf
short_description: Set Postfix main.cf parameters by meaning, verified by postconf
version_added: 0.1.0
description:
  - Sets or removes parameters in C(<config_dir>/main.cf) and keeps every line it does not own byte for
    byte (comments, blank lines, other parameters and their continuation lines).
  - Compares by meaning, so C(a,b), C(a, b), C(a b) and the same list over continuation lines are equal
    for list parameters; booleans compare without regard to case and times in seconds. Equal means no change
    and no write.
  - When a parameter is defined more than once, edits the last definition (the one Postfix uses) and removes
    the dead ones, reporting them in RV(removed_definitions) and a warning.
  - Before writing, puts the candidate main.cf in a scratch config dir and asks C(postconf -h) for every
    parameter; it must print the intended value and C(postconf -n) must not warn about it. Only then moves
    the candidate over main.cf, holding an exclusive lock on the config dir from reading to writing (waited
    for at most 300 seconds).
  - The write is failure-atomic - the owner, group, mode and SELinux context are set on a temporary file
    beside main.cf before it is renamed over it, so attributes that cannot be applied fail the task with
    main.cf unchanged; a backup is written the same way. An OS error (a full disk, for example) fails with
    a sentence and leaves no temporary file.
  - A symlinked main.cf is followed (the link's target changes, the link stays), as
    M(ansible.builtin.lineinfile) does. A main.cf that is a directory, device, FIFO or socket is refused.
  - Refuses, before writing, a value Postfix's daemons would stop on at start-up - a boolean parameter set to
    anything but C(yes)/C(no), a number that is not one or is past what Postfix can hold, a time without a
    valid unit. The kind of each parameter follows from its default (C(postconf -d)); a C($name) reference is
    judged by what it expands to.
  - Warns about settings that defeat themselves (see RV(warnings)).
  - A long list is written as the name and C(=) alone on a line, then one item per line indented by
    four spaces, each but the last ending in a comma. A list that fits in 79 characters stays on one line.
author:
  - mailops.postfix maintainers (@mailops)
options:
  config_dir:
    description:
      - The directory that holds main.cf; another directory such as C(/etc/postfix-out) for a second instance.
    type: path
    default: /etc/postfix
  parameters:
    description:
      - Parameter name to value. A value is a string, a boolean (written as C(yes)/C(no)), an integer or a
        list of strings (a restriction list; items may be C(restriction argument) pairs).
      - Names are letters, digits and C(_). A value may not contain a line break or NUL.
      - A float is refused (YAML reads C(3.6) as a float); quote it.
      - With O(state=absent) only the names count; give any value, for example V(null).
    type: dict
    required: true
  state:
    description:
      - V(present) sets the parameters; V(absent) removes every definition of them, so Postfix uses its default.
    type: str
    choices: [present, absent]
    default: present
  backup:
    description:
      - Keep a timestamped copy of main.cf before changing it.
    type: bool
    default: false
  create:
    description:
      - Create main.cf when it is missing. With V(false) a config dir without main.cf fails the task.
      - The directory itself is never created.
    type: bool
    default: true
extends_documentation_fragment:
  - ansible.builtin.files
  - ansible.builtin.action_common_attributes
  - mailops.postfix.attributes
notes:
  - Needs the Postfix tools (C(postconf)) on the managed host; it never reloads Postfix.
  - Bad input fails before anything is written and names the parameter.
seealso:
  - name: postconf(5)
    description: Postfix configuration parameters.
    link: https://www.postfix.org/postconf.5.html
"""

EXAMPLES = r"""
- name: Require HELO and reject bad HELO names, letting listed peers through
  mailops.postfix.postconf:
    config_dir: /etc/postfix
    parameters:
      smtpd_helo_required: true
      smtpd_helo_restrictions:
        - permit_mynetworks
        - check_helo_access regexp:/etc/postfix/helo_access
        - reject_invalid_helo_hostname
        - reject_non_fqdn_helo_hostname
        - reject_unknown_helo_hostname
    backup: true

- name: Drop an old setting from a second instance
  mailops.postfix.postconf:
    config_dir: /etc/postfix-out
    parameters:
      smtpd_helo_restrictions:
    state: absent
"""

RETURN = r"""
changed_parameters:
  description: Names of the parameters whose definitions changed (set, rewritten, duplicates removed or removed).
  returned: always
  type: list
  elements: str
  sample: [smtpd_helo_required, smtpd_helo_restrictions]
removed_definitions:
  description: Earlier definitions of a parameter that Postfix ignored (the last one wins) and that were removed.
  returned: always
  type: list
  elements: dict
  sample: [{parameter: smtpd_helo_required, line: 3, text: "smtpd_helo_required = no"}]
values:
  description: Every requested parameter that is set, as C(postconf -h) reads it from the new main.cf.
  returned: when O(state=present)
  type: dict
  sample: {smtpd_helo_required: "yes"}
backup_file:
  description: The copy made before the change.
  returned: when O(backup=true) and main.cf changed
  type: str
  sample: /etc/postfix/main.cf.12345.2026-11-25@07:00:00~
warnings:
  description:
    - Settings that defeat themselves, for example a C(check_helo_access) after C(reject_unknown_helo_hostname),
      C(reject_*helo*) restrictions while C(smtpd_helo_required) is not C(yes), a table type this Postfix does not
      support (C(postconf -m)), a parameter name Postfix does not know, and removed duplicate definitions.
  returned: when there are any
  type: list
  elements: str
  sample: ["smtpd_helo_restrictions: 'check_helo_access regexp:/etc/postfix/helo_access' comes after ..."]
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.mailops.postfix.plugins.module_utils import _io
from ansible_collections.mailops.postfix.plugins.module_utils.main_cf import backend
from ansible_collections.mailops.postfix.plugins.module_utils.main_cf.editor import MainCfError
from ansible_collections.mailops.postfix.plugins.module_utils.postfix.cli import PostfixCommandError

ARGUMENT_SPEC = dict(
    config_dir=dict(type="path", default="/etc/postfix"),
    parameters=dict(type="dict", required=True),
    state=dict(type="str", default="present", choices=["present", "absent"]),
    backup=dict(type="bool", default=False),
    create=dict(type="bool", default=True),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, add_file_common_args=True, supports_check_mode=True)
    try:
        outcome = backend.apply(backend.Request.from_params(module.params), module.run_command,
                                _io.ModuleFiles(module), check_mode=module.check_mode, diff=module._diff)
    except (MainCfError, PostfixCommandError, _io.FileError) as error:
        module.fail_json(msg=str(error))
    for warning in outcome.warnings:
        module.warn(warning)
    module.exit_json(**outcome.result)


if __name__ == "__main__":
    main()
