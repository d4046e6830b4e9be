# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The role's view of module_utils/postfix/maps.py (the one table of map types).

Documentation: postfix_map_type.yml and postfix_map_types.yml next to this file.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.mailops.postfix.plugins.module_utils.postfix import maps


def postfix_map_type(name):
    """``'lmdb'`` -> ``{name, syntax, index_suffix, needs_postmap, packages, helo_table}``."""
    known = maps.map_type(str(name))
    if known is None:
        raise AnsibleFilterError("%s is not a file-based Postfix map type this collection knows (known: %s)."
                                 % (name, ", ".join(maps.MAP_TYPES)))
    return known.as_dict()


def postfix_map_types(field):
    """``'index_suffix'`` -> ``{type: value}`` for every type whose ``field`` is set (not None, empty or false)."""
    if field not in maps.MapType._fields + ("needs_postmap",):
        raise AnsibleFilterError("%s is not a field of a Postfix map type (fields: %s, needs_postmap)."
                                 % (field, ", ".join(maps.MapType._fields)))
    table = {}
    for name, known in maps.MAP_TYPES.items():
        value = known.as_dict()[field]
        if value:
            table[name] = value
    return table


class FilterModule:
    """Postfix map type filters."""

    def filters(self):
        return {"postfix_map_type": postfix_map_type, "postfix_map_types": postfix_map_types}
