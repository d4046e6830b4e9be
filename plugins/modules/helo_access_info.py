#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

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
attributes:
  check_mode:
    support: full
    details: The module only reads.
  diff_mode:
    support: none
  platform:
    platforms: posix
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

import os
import shutil
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.mailops.postfix.plugins.module_utils.postfix import cli as postfix_cli
from ansible_collections.mailops.postfix.plugins.module_utils.access.entry import AccessTableError
from ansible_collections.mailops.postfix.plugins.module_utils.postfix import maps
from ansible_collections.mailops.postfix.plugins.module_utils.access.lines import parse_table, parsed_entries
from ansible_collections.mailops.postfix.plugins.module_utils.access.verify import winning_lines


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", default="/etc/postfix/helo_access"),
            type=dict(type="str", default="regexp", choices=list(maps.HELO_TABLE_TYPES)),
            config_dir=dict(type="path"),
            query=dict(type="list", elements="str", default=[]),
        ),
        supports_check_mode=True,
    )
    path = module.params["path"]
    map_type = module.params["type"]
    config_dir = module.params["config_dir"]
    if config_dir and not os.path.isfile(os.path.join(config_dir, "main.cf")):
        module.fail_json(msg="config_dir %s has no main.cf" % config_dir)
    for name in module.params["query"]:
        if not name or any(char.isspace() or char == "\x00" for char in name):
            module.fail_json(msg="query name %r is empty or contains whitespace" % name)
    if not os.path.isfile(path):
        module.fail_json(msg="%s does not exist" % path)
    with open(path, "rb") as table_file:
        text = table_file.read().decode("utf-8", "surrogateescape")

    work_dir = tempfile.mkdtemp(prefix="mailops-helo-access-info-")
    try:
        with postfix_cli.config_dir_or_scratch(config_dir or os.path.dirname(path)) as effective_config_dir:
            winners, warnings = winning_lines(module.run_command, effective_config_dir, work_dir, map_type, text,
                                              module.params["query"])
    except (AccessTableError, postfix_cli.PostfixCommandError) as error:
        module.fail_json(msg=str(error))
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    for warning in warnings:
        module.warn("Postfix: %s" % warning)

    matches = []
    for name in module.params["query"]:
        winner = winners.get(name)
        if winner is None:
            matches.append(dict(name=name, matched=False))
        else:
            matches.append(dict(name=name, matched=True, **winner))
    module.exit_json(changed=False, table="%s:%s" % (map_type, path),
                     entries=parsed_entries(parse_table(text, map_type)), matches=matches)


if __name__ == "__main__":
    main()
