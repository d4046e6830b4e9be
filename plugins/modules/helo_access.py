#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

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
  - The read-compare-write cycle holds an exclusive lock on the table's directory (waited for at most five minutes),
    so concurrent runs lose no update.
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
        description:
          - A date C(YYYY-MM-DD); from that day on the entry counts as absent and is removed.
          - A present entry whose date has already passed is not written and a warning says so.
        type: str
      clients:
        description:
          - IPv4/IPv6 client addresses or networks (C(192.0.2.0/24), C(2001:db8::/32)) the entry is limited to.
          - Validated here (no host bits, no zone id, no IPv4-mapped form). Binding an entry to its clients takes
            a restriction class and a cidr table besides this table, which the C(mailops.postfix.helo_guard) role
            writes (C(docs/clients.md)); this module alone refuses an entry with O(entries[].clients) rather than
            let the name through for every client.
        type: list
        elements: str
      broad:
        description:
          - A O(entries[].domain) of a single label (V(com)) or a public suffix (V(co.uk)) exempts the names of
            unrelated owners and is refused unless this is V(true). See C(docs/entries.md) for what counts as a
            public suffix.
        type: bool
        default: false
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
      - A real run also records itself under a digest of the request as given (the bytes of O(entries_file) or the
        O(entries), the options), the table text it left, the day, the Postfix binary and C(main.cf); a later run
        with exactly those repeats its warnings without reading the entries. Anything else reads and validates
        every entry.
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
  - mailops.postfix.attributes
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
backup_file:
  description: The backup copy, when O(backup=true) and the table changed.
  returned: changed and backup requested
  type: str
  sample: /etc/postfix/helo_access.12345.2026-11-25@06:00:00~
verdict:
  description:
    - V(postmap) when Postfix judged the table in this run; V(recorded) when the table was already as wanted and
      the recorded verdict on exactly this table, these entries, this Postfix and this C(main.cf) was repeated.
  returned: always
  type: str
  sample: postmap
"""

import hashlib
import json

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.mailops.postfix.plugins.module_utils import _io
from ansible_collections.mailops.postfix.plugins.module_utils.access.backend import ERRORS, TableBackend, TableRequest
from ansible_collections.mailops.postfix.plugins.module_utils.access.errors import AccessTableError
from ansible_collections.mailops.postfix.plugins.module_utils.access.spec import ENTRIES_SPEC, LAYOUTS, validated_entries
from ansible_collections.mailops.postfix.plugins.module_utils.access.verdicts import DEFAULT_DIR as DEFAULT_VERDICT_DIR
from ansible_collections.mailops.postfix.plugins.module_utils.postfix import maps

ARGUMENT_SPEC = dict(
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
)


def entries_source(module):
    """``(entries, digest)``: the entries (a function returning them for entries_file) and a digest of them as given.

    The digest lets a run that changes nothing skip reading the entries at
    all (verdicts.run_digest): for entries_file it is the digest of the
    file's bytes, read once; the list is parsed only if the run needs it.
    """
    entries_file = module.params["entries_file"]
    if entries_file is None:
        entries = module.params["entries"]
        return entries, hashlib.sha256(json.dumps(entries, sort_keys=True, default=str).encode()).hexdigest()
    # entries_file names the copy the action plugin shipped to the host: the messages name the option.
    try:
        with open(entries_file, "rb") as list_file:
            data = list_file.read()
    except OSError as error:
        module.fail_json(msg="entries_file cannot be read on the host: %s." % error.strerror)
    return (lambda: listed_entries(data)), hashlib.sha256(data).hexdigest()


def listed_entries(data):
    """The list in entries_file's bytes, validated by the entries spec (AccessTableError names the option)."""
    try:
        listed = json.loads(data)
    except ValueError:
        raise AccessTableError("entries_file does not hold a JSON (or YAML) list of entries.") from None
    return validated_entries(listed, "entries_file")


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, mutually_exclusive=[("entries", "entries_file")],
                           required_one_of=[("entries", "entries_file")], add_file_common_args=True,
                           supports_check_mode=True)
    params = module.params
    entries, entries_digest = entries_source(module)
    request = TableRequest(path=params["path"], map_type=params["type"], entries=entries, state=params["state"],
                           config_dir=params["config_dir"], exclusive=params["exclusive"], layout=params["layout"],
                           group_size=params["group_size"], backup=params["backup"], create=params["create"],
                           verdict_dir=params["verdict_dir"], entries_digest=entries_digest)
    backend = TableBackend(request, module.run_command, _io.ModuleFiles(module), check_mode=module.check_mode)
    try:
        result = backend.run()
    except ERRORS as error:
        module.fail_json(msg=str(error))
    for warning in result.warnings:
        module.warn(warning)
    module.exit_json(**result.as_module_result(module._diff))


if __name__ == "__main__":
    main()
