#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: helo_access
short_description: Keep exact-match entries in a Postfix HELO access table
version_added: 0.1.0
description:
  - Adds, updates and removes entries of a Postfix C(check_helo_access) table from hostnames, domains,
    IP addresses and patterns; the module writes the escaped, anchored table lines itself.
  - Lines the module did not write (comments, other rules) are kept byte for byte and in place.
    The module's own lines are recognised by their shape; nothing is added to the file to mark them.
  - Before anything is written, the candidate table is handed to Postfix (C(postmap -q)); entries that
    Postfix would answer differently (for example because an earlier line matches first) are reported as warnings.
  - The read-compare-write cycle holds an exclusive lock on the table's directory, so concurrent runs lose no update.
options:
  entries:
    description:
      - The entries to manage. Each has exactly one of O(entries[].host), O(entries[].domain),
        O(entries[].ip) or O(entries[].pattern).
      - Exactly one of O(entries) and O(entries_file) is required.
    type: list
    elements: dict
    suboptions:
      host:
        description: An exact HELO hostname, for example C(mxbox50.bitwiz.net) (matched without regard to case).
        type: str
      domain:
        description: A domain; matches the domain itself and every name below it, nothing else.
        type: str
      ip:
        description:
          - An IPv4 or IPv6 address. It matches the HELO as a bare address and as an address literal
            (C([50.0.0.1]), C([IPv6:2001:db8::25])). The address is validated and written in its normal form.
        type: str
      pattern:
        description:
          - A raw regular expression, without the surrounding slashes (V(regexp) and V(pcre) tables only).
          - It may not contain whitespace or an unescaped C(/); Postfix must accept it.
        type: str
      action:
        description:
          - "The result per access(5), for example V(OK), V(REJECT text), V(DUNNO), V(550 text), V(WARN text),
            V(PREPEND header: value), V(HOLD), V(DISCARD), or a restriction name."
        type: str
        default: OK
      comment:
        description:
          - A one-line comment written as C(# comment) directly above the entry's line (layout V(line) only).
        type: str
      state:
        description: Whether the entry should be in the table; defaults to the module's O(state).
        type: str
        choices: [present, absent]
      expires:
        description: A date C(YYYY-MM-DD); from that day on the entry counts as absent and is removed.
        type: str
  entries_file:
    description:
      - A YAML or JSON file on the controller holding the list of entries, each as O(entries) takes them.
        It is found like the C(src) of M(ansible.builtin.copy) (a role's C(files/), the playbook's directory).
      - The file is sent to the host as it is (YAML converted to JSON on the controller) and validated there by
        the same rules as O(entries); Ansible does not template it. For thousands of entries this is much faster
        than O(entries), whose list Ansible templates, validates and returns in the task result
        (measured in C(docs/performance.md)).
    type: path
    version_added: 0.1.0
  verdict_dir:
    description:
      - Where the module keeps Postfix's verdict on the table it last wrote or found (one small JSON file per
        verdict, outside the Postfix config dir, the newest 64 kept).
      - A run that finds the table already as wanted, with the same entries, Postfix binary and C(main.cf) as a
        recorded verdict, repeats that verdict's warnings (RV(verdict=recorded)) instead of asking Postfix again.
        Anything else asks Postfix (C(postmap -q)).
      - An empty string asks Postfix on every run and records nothing.
    type: path
    default: /var/cache/mailops-postfix/helo_access
    version_added: 0.1.0
  state:
    description: The default state of the entries.
    type: str
    default: present
    choices: [present, absent]
  exclusive:
    description:
      - Remove every rule of the table that no present entry accounts for. Comments and blank lines stay.
    type: bool
    default: false
  layout:
    description:
      - How V(regexp) and V(pcre) tables hold exact names (ignored for indexed types).
      - V(line) writes one line per entry, as a person would.
      - V(grouped) writes the exact names that share an action as sorted alternations, at most O(group_size) names
        per line, for tables with many names. Entries with a O(entries[].comment) keep their own line.
      - In a V(pcre) table a group is written as a trie (each shared prefix of the names once), which Postfix
        compiles and looks up faster; read back, such a line stands for exactly the names it matches.
      - V(auto) is V(line) up to 200 exact names and V(grouped) above that.
    type: str
    default: auto
    choices: [auto, line, grouped]
  group_size:
    description: The most names on one grouped line.
    type: int
    default: 500
  backup:
    description: Keep a timestamped copy of the table before changing it.
    type: bool
    default: false
  create:
    description: Create the table when it does not exist (otherwise a missing table fails the task).
    type: bool
    default: true
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.files
  - mailops.postfix.helo_access
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  platform:
    platforms: posix
notes:
  - Indexed tables need C(postmap TYPE:PATH) after a change (RV(postmap_required)); V(regexp) and V(pcre) tables
    need C(postfix reload), because smtpd caches them. The role C(mailops.postfix.helo_guard) does both in handlers.
seealso:
  - module: mailops.postfix.helo_access_info
author:
  - mailops.postfix developers (@mailops)
"""

EXAMPLES = r"""
- name: Let the badly configured peers of bitwiz.net through the HELO checks
  mailops.postfix.helo_access:
    path: /etc/postfix/helo_access
    type: regexp
    entries:
      - host: mxbox50.bitwiz.net
        comment: bitwiz.net has no DNS for its MX (ticket 4711)
      - ip: 50.0.0.1
      - ip: 50.0.0.2
      - ip: 2001:db8::25
      - domain: partner.example
        expires: "2030-12-31"
      - host: spam.example
        action: REJECT go away
      - host: old.example
        state: absent

- name: A hash table, rebuilt by postmap when needed
  mailops.postfix.helo_access:
    path: /etc/postfix/helo_access_hash
    type: hash
    entries:
      - host: mxbox50.bitwiz.net
  register: helo_table

- name: Build the index
  ansible.builtin.command:
    cmd: postmap hash:/etc/postfix/helo_access_hash
  when: helo_table.postmap_required
  changed_when: true
"""

RETURN = r"""
table:
  description: The table as Postfix names it.
  returned: always
  type: str
  sample: regexp:/etc/postfix/helo_access
added:
  description: Lines the new table has that the old one did not.
  returned: always
  type: list
  elements: str
  sample: ['/^mxbox50\.bitwiz\.net$/ OK']
removed:
  description: Lines the old table had that the new one does not.
  returned: always
  type: list
  elements: str
  sample: ['/^old\.example$/ OK']
postmap_required:
  description: True when the type is indexed and its index is missing or older than the source.
  returned: always
  type: bool
  sample: false
layout:
  description: The layout used for exact names (V(line) or V(grouped)).
  returned: always
  type: str
  sample: line
verdict:
  description:
    - V(postmap) when Postfix judged the table in this run; V(recorded) when the table was already as wanted and
      the recorded verdict on exactly this table, these entries, this Postfix and this C(main.cf) was repeated.
  returned: always
  type: str
  sample: postmap
backup_file:
  description: The backup copy, when O(backup=true) and the table changed.
  returned: changed and backup requested
  type: str
  sample: /etc/postfix/helo_access.12345.2026-11-25@06:00:00~
"""

import datetime
import fcntl
import json
import os
import shutil
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.validation import check_mutually_exclusive, check_required_one_of
from ansible_collections.mailops.postfix.plugins.module_utils.postfix import cli as postfix_cli
from ansible_collections.mailops.postfix.plugins.module_utils.postfix import maps
from ansible_collections.mailops.postfix.plugins.module_utils.access.entry import (
    AccessTableError,
    parse_entries,
)
from ansible_collections.mailops.postfix.plugins.module_utils.access.plan import LAYOUTS, plan_table
from ansible_collections.mailops.postfix.plugins.module_utils.access.verdicts import (
    DEFAULT_DIR as DEFAULT_VERDICT_DIR,
    record_warnings,
    recorded_warnings,
    verdict_digest,
)
from ansible_collections.mailops.postfix.plugins.module_utils.access.verify import verify_plan, winning_lines

ENTRY_OPTIONS = dict(
    host=dict(type="str"),
    domain=dict(type="str"),
    ip=dict(type="str"),
    pattern=dict(type="str"),
    action=dict(type="str", default="OK"),
    comment=dict(type="str"),
    state=dict(type="str", choices=["present", "absent"]),
    expires=dict(type="str"),
)
ENTRIES_SPEC = dict(type="list", elements="dict", options=ENTRY_OPTIONS)
ENTRY_DEFAULTS = dict((name, option.get("default")) for name, option in ENTRY_OPTIONS.items())


def config_dir_for(module):
    """The explicit config_dir (it must hold a main.cf), else the table's dir or a scratch dir."""
    config_dir = module.params["config_dir"]
    if config_dir and not os.path.isfile(os.path.join(config_dir, "main.cf")):
        module.fail_json(msg="config_dir %s has no main.cf" % config_dir)
    return postfix_cli.config_dir_or_scratch(config_dir or os.path.dirname(module.params["path"]))


def raw_entries(module):
    """The entries as given: the option, or the list in entries_file, validated by the same spec."""
    entries_file = module.params["entries_file"]
    if entries_file is None:
        return module.params["entries"]
    try:
        with open(entries_file, "rb") as list_file:
            listed = json.loads(list_file.read())
    except (OSError, ValueError) as error:
        module.fail_json(msg="entries_file: cannot read a JSON list of entries (%s)" % getattr(error, "strerror", error))
    if not isinstance(listed, list):
        module.fail_json(msg="entries_file must hold a list of entries, not a %s" % type(listed).__name__)
    if all(_plain_entry(entry) for entry in listed):
        return [dict(ENTRY_DEFAULTS, **entry) for entry in listed]
    validated = ArgumentSpecValidator(dict(entries=ENTRIES_SPEC)).validate(dict(entries=listed))
    if validated.error_messages:
        module.fail_json(msg="entries_file: %s" % "; ".join(validated.error_messages))
    return validated.validated_parameters["entries"]


def _plain_entry(entry):
    """True when the entries spec would only add defaults to ``entry``.

    Known options, each a string of a string option (in its choices, if it
    has any), and the spec's rules hold: the spec's validator would return the
    entry as it is plus the defaults, so that is what it gets without running
    the validator per entry (100,000 entries: seconds). Anything else goes
    through the validator, with its conversions and its messages.
    """
    if not isinstance(entry, dict):
        return False
    for name, value in entry.items():
        option = ENTRY_OPTIONS.get(name)
        if option is None or option.get("type") != "str" or not isinstance(value, str):
            return False
        if "choices" in option and value not in option["choices"]:
            return False
    try:
        check_mutually_exclusive(ENTRIES_SPEC.get("mutually_exclusive"), entry)
        check_required_one_of(ENTRIES_SPEC.get("required_one_of"), entry)
    except TypeError:
        return False
    return True


def read_table(path):
    if not os.path.exists(path):
        return None
    with open(path, "rb") as table_file:
        return table_file.read().decode("utf-8", "surrogateescape")


def write_table(module, path, text):
    descriptor, temp_path = tempfile.mkstemp(prefix=".%s." % os.path.basename(path), dir=os.path.dirname(path))
    with os.fdopen(descriptor, "wb") as temp_file:
        temp_file.write(text.encode("utf-8", "surrogateescape"))
    module.atomic_move(temp_path, path, unsafe_writes=module.params["unsafe_writes"])


def compute(module, old_text, entries):
    """Plan the new table and have Postfix judge it; returns (plan, warnings, digest, replayed).

    A table that stays as it is, with the same entries, Postfix and main.cf
    as a run whose verdict was recorded, gets that verdict replayed instead
    of asking Postfix again (access/verdicts.py).
    """
    params = module.params
    map_type = params["type"]
    work_dir = tempfile.mkdtemp(prefix="mailops-helo-access-")
    try:
        with config_dir_for(module) as config_dir:
            options = dict(exclusive=params["exclusive"], layout=params["layout"], group_size=params["group_size"])
            plan = plan_table(old_text or "", entries, map_type, **options)
            if old_text and map_type in ("regexp", "pcre") and plan.placed_names:
                # Ask Postfix which existing lines would answer the new names first, and
                # place the new lines above them (only the new names: big tables stay cheap).
                winners, _warnings = winning_lines(module.run_command, config_dir, work_dir, map_type, old_text,
                                                   sorted(set(plan.placed_names)))
                if winners:
                    first_match = dict((name.lower(), winner["line"]) for name, winner in winners.items())
                    plan = plan_table(old_text, entries, map_type, first_match=first_match, **options)
            digest = verdict_digest(map_type, plan.new_text, plan.probes, os.path.join(config_dir, "main.cf"))
            warnings = recorded_warnings(params["verdict_dir"], digest) if old_text == plan.new_text else None
            if warnings is not None:
                return plan, warnings, digest, True
            warnings = verify_plan(module.run_command, config_dir, work_dir, map_type, plan)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    return plan, warnings, digest, False


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", default="/etc/postfix/helo_access"),
            type=dict(type="str", default="regexp", choices=list(maps.HELO_TABLE_TYPES)),
            config_dir=dict(type="path"),
            entries=ENTRIES_SPEC,
            entries_file=dict(type="path"),
            verdict_dir=dict(type="path", default=DEFAULT_VERDICT_DIR),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            exclusive=dict(type="bool", default=False),
            layout=dict(type="str", default="auto", choices=list(LAYOUTS)),
            group_size=dict(type="int", default=500),
            backup=dict(type="bool", default=False),
            create=dict(type="bool", default=True),
        ),
        mutually_exclusive=[("entries", "entries_file")],
        required_one_of=[("entries", "entries_file")],
        add_file_common_args=True,
        supports_check_mode=True,
    )
    params = module.params
    path = params["path"]
    map_type = params["type"]
    if params["group_size"] < 1:
        module.fail_json(msg="group_size must be at least 1, not %d" % params["group_size"])
    directory = os.path.dirname(path) or "."
    if not os.path.isdir(directory):
        module.fail_json(msg="the directory of %s does not exist" % path)
    try:
        entries = parse_entries(raw_entries(module), map_type, params["state"], today=datetime.date.today())
    except AccessTableError as error:
        module.fail_json(msg=str(error))

    result = dict(changed=False, table="%s:%s" % (map_type, path), added=[], removed=[])
    lock_descriptor = os.open(directory, os.O_RDONLY)
    try:
        # The directory, not the file: atomic_move replaces the file's inode.
        fcntl.flock(lock_descriptor, fcntl.LOCK_EX)
        old_text = read_table(path)
        if old_text is None and not params["create"]:
            module.fail_json(msg="%s does not exist and create is false" % path, **result)
        try:
            plan, warnings, digest, replayed = compute(module, old_text, entries)
        except (AccessTableError, postfix_cli.PostfixCommandError) as error:
            module.fail_json(msg=str(error), **result)
        for warning in warnings:
            module.warn(warning)
        changed = plan.changed or old_text is None
        result.update(changed=changed, added=plan.added, removed=plan.removed, layout=plan.layout,
                      verdict="recorded" if replayed else "postmap")
        if module._diff:
            result["diff"] = dict(before=old_text or "", after=plan.new_text,
                                  before_header=path if old_text is not None else "/dev/null", after_header=path)
        if changed and not module.check_mode:
            if params["backup"] and old_text is not None:
                result["backup_file"] = module.backup_local(path)
            write_table(module, path, plan.new_text)
        if not replayed and not module.check_mode:
            record_warnings(params["verdict_dir"], digest, warnings)
    finally:
        fcntl.flock(lock_descriptor, fcntl.LOCK_UN)
        os.close(lock_descriptor)

    if os.path.exists(path):
        file_args = module.load_file_common_arguments(params)
        result["changed"] = module.set_fs_attributes_if_different(file_args, result["changed"])
        result["postmap_required"] = postfix_cli.postmap_required(map_type, path)
    else:
        result["postmap_required"] = maps.needs_postmap(map_type)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
