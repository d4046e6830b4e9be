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
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  platform:
    platforms: posix
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

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.mailops.postfix.plugins.module_utils import _io
from ansible_collections.mailops.postfix.plugins.module_utils.main_cf import editor as main_cf
from ansible_collections.mailops.postfix.plugins.module_utils.main_cf import verify as main_cf_postfix
from ansible_collections.mailops.postfix.plugins.module_utils.postfix import cli as postfix_cli


def validate(module):
    parameters = module.params["parameters"]
    if not parameters:
        module.fail_json(msg="parameters is empty: name at least one parameter")
    try:
        for name in sorted(parameters, key=str):
            main_cf.check_name(name)
            if module.params["state"] == "present":
                main_cf.value_items(name, parameters[name])
    except main_cf.MainCfError as error:
        module.fail_json(msg=str(error))


def judge_candidate(module, current, master_cf_text, parameters, state):
    """Plan the edit and have Postfix judge the candidate in a scratch config dir.

    Returns ``(candidate_text, changed_parameters, removed_definitions,
    intended_values, printed_values, warnings)``; raises MainCfError when
    Postfix does not read the candidate as intended.
    """
    names = sorted(parameters)
    with main_cf_postfix.judging_dir(current.render(), master_cf_text) as judging_dir:
        current_values, default_values, current_warnings, current_expanded_lists = main_cf_postfix.read_current(
            module.run_command, judging_dir, names)
        replacements, changed_parameters, removed_definitions, intended_values = main_cf.plan_changes(
            current, parameters, state, current_values, default_values)
        candidate_text = current.edited(replacements) if replacements else current.render()
        main_cf_postfix.write_config_file(judging_dir, "main.cf", candidate_text)
        removed_names = names if state == "absent" else []
        printed_values = main_cf_postfix.verify_candidate(
            module.run_command, judging_dir, intended_values, removed_names, changed_parameters, current_warnings)
        warnings = main_cf_postfix.setting_warnings(
            module.run_command, judging_dir, intended_values, printed_values, current_expanded_lists)
    for removed in removed_definitions:
        warnings.append("%s: removed the earlier definition on line %d (%s); Postfix uses only the last one"
                        % (removed["parameter"], removed["line"], removed["text"]))
    return candidate_text, changed_parameters, removed_definitions, intended_values, printed_values, warnings


def run(module):
    params = module.params
    config_dir = params["config_dir"]
    state = params["state"]
    parameters = params["parameters"]
    main_cf_path = os.path.join(config_dir, "main.cf")
    if not os.path.isdir(config_dir):
        module.fail_json(msg="config_dir %s is not a directory" % config_dir)
    files = _io.ModuleFiles(module)

    with _io.locked(config_dir):
        current_text = _io.read_text(main_cf_path)
        if current_text is None and not params["create"]:
            module.fail_json(msg="%s does not exist and create is false" % main_cf_path)
        current = main_cf.MainCf(current_text or "")
        master_cf_text = _io.read_text(os.path.join(config_dir, "master.cf")) or ""
        judged = judge_candidate(module, current, master_cf_text, parameters, state)
        candidate_text, changed_parameters, removed_definitions, intended_values, printed_values, warnings = judged
        names = sorted(parameters)

        # A missing main.cf stays missing when there is nothing to write (state=absent).
        changed = candidate_text != (current_text or "")
        result = dict(changed=changed, changed_parameters=changed_parameters,
                      removed_definitions=removed_definitions)
        if state == "present":
            result["values"] = dict((name, printed_values[name] if printed_values[name] is not None
                                     else intended_values[name]) for name in names)
        if module._diff:
            result["diff"] = dict(before=current_text or "", after=candidate_text,
                                  before_header=main_cf_path, after_header=main_cf_path)
        if changed and not module.check_mode:
            written = files.write(main_cf_path, _io.encode_text(candidate_text),
                                  backup=params["backup"] and current_text is not None)
            if written.backup_file:
                result["backup_file"] = written.backup_file
        elif current_text is not None:  # in check mode this only reports
            result["changed"] = files.apply_attributes(main_cf_path, result["changed"])
    for warning in warnings:
        module.warn(warning)
    module.exit_json(**result)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            config_dir=dict(type="path", default="/etc/postfix"),
            parameters=dict(type="dict", required=True),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            backup=dict(type="bool", default=False),
            create=dict(type="bool", default=True),
        ),
        add_file_common_args=True,
        supports_check_mode=True,
    )
    validate(module)
    try:
        run(module)
    except (main_cf.MainCfError, postfix_cli.PostfixCommandError, _io.FileError) as error:
        module.fail_json(msg=str(error))


if __name__ == "__main__":
    main()
