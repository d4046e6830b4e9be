# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The role's view of module_utils/main_cf/policy.py (the HELO restriction list it writes).

Documentation: helo_restrictions_for_mode.yml next to this file.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.mailops.postfix.plugins.module_utils.main_cf import policy


def helo_restrictions_for_mode(restrictions, mode="enforce"):
    """``helo_guard_restrictions`` -> the list written for ``helo_guard_mode``."""
    try:
        return policy.helo_restrictions(restrictions, mode)
    except policy.PolicyError as error:
        raise AnsibleFilterError(str(error))


class FilterModule:
    """helo_guard policy filters."""

    def filters(self):
        return {"helo_restrictions_for_mode": helo_restrictions_for_mode}
