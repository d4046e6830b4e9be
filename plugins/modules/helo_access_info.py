#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: helo_access_info
short_description: Read a Postfix HELO access table and say which line answers a HELO name
version_added: 0.1.0
description:
  - Returns the rules of a C(check_helo_access) table as parsed entries and, for each name in O(query),
    the line (number and text) that Postfix matches and its action, as C(postmap -q) answers it.
  - It is the answer to "why was this HELO accepted?". It never changes anything; the live table and
    its index are not touched (Postfix is asked about a copy).
options:
  query:
    description: HELO names to look up, for example C(mxbox50.bitwiz.net) or C([50.0.0.1]).
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - mailops.postfix.helo_access
  - mailops.postfix.attributes.info_module
seealso:
  - module: mailops.postfix.helo_access
author:
  - mailops.postfix developers (@mailops)
"""

EXAMPLES = r"""
- name: Why was this HELO accepted?
  mailops.postfix.helo_access_info:
    path: /etc/postfix/helo_access
    type: regexp
    query:
      - mxbox50.bitwiz.net
      - "[50.0.0.1]"
  register: helo_answer

- name: Show the line that matched
  ansible.builtin.debug:
    msg: "{{ item.name }}: line {{ item.line }} ({{ item.text }}) -> {{ item.action }}"
  loop: "{{ helo_answer.matches | selectattr('matched') }}"
"""

RETURN = r"""
table:
  description: The table as Postfix names it.
  returned: always
  type: str
  sample: regexp:/etc/postfix/helo_access
entries:
  description:
    - Every rule line. C(kind) is V(exact) (the names in C(names)), V(domain)
      (the domain in C(domain)) for the module's own lines, or V(rule) for any other rule.
  returned: always
  type: list
  elements: dict
  sample:
    - {line: 2, text: '/^mxbox50\.bitwiz\.net$/ OK', kind: exact, names: [mxbox50.bitwiz.net], action: OK}
matches:
  description: One item per queried name, in the order given.
  returned: always
  type: list
  elements: dict
  sample:
    - {name: mxbox50.bitwiz.net, matched: true, line: 2, text: '/^mxbox50\.bitwiz\.net$/ OK', action: OK}
    - {name: evil.example, matched: false}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.mailops.postfix.plugins.module_utils.access.backend import ERRORS, read_table
from ansible_collections.mailops.postfix.plugins.module_utils.postfix import maps

ARGUMENT_SPEC = dict(
    path=dict(type="path", default="/etc/postfix/helo_access"),
    type=dict(type="str", default="regexp", choices=list(maps.HELO_TABLE_TYPES)),
    config_dir=dict(type="path"),
    query=dict(type="list", elements="str", default=[]),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    params = module.params
    try:
        reading = read_table(params["path"], params["type"], params["query"], module.run_command,
                             params["config_dir"])
    except ERRORS as error:
        module.fail_json(msg=str(error))
    for warning in reading.warnings:
        module.warn(warning)
    module.exit_json(changed=False, table=reading.table, entries=reading.entries, matches=reading.matches)


if __name__ == "__main__":
    main()
