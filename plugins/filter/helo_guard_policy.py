# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The role's view of module_utils/main_cf/policy.py (the HELO restriction list it writes).

Documentation: helo_restrictions_for_mode.yml, helo_listener_report.yml and helo_client_classes.yml next to this file.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.mailops.postfix.plugins.module_utils.main_cf import client_classes, policy, services


def helo_restrictions_for_mode(restrictions, mode="enforce"):
    """``helo_guard_restrictions`` -> the list written for ``helo_guard_mode``."""
    try:
        return policy.helo_restrictions(restrictions, mode)
    except policy.PolicyError as error:
        raise AnsibleFilterError(str(error))


def helo_listener_report(postconf_results, main_values, enforced=(), intended=()):
    """The registered results of ``postconf -M``, ``-P``, ``-Px`` -> ``{services, problems, lines}``."""
    outputs = []
    for result in postconf_results:
        if result.get("rc", 0) != 0:
            stderr = (result.get("stderr") or "").strip()
            if "master.cf" in stderr and "No such file" in stderr:
                return {"services": [], "problems": [], "lines": ["no master.cf: no smtpd service to check"]}
            raise AnsibleFilterError("%s failed: %s" % (" ".join(result.get("cmd") or ["postconf"]), stderr))
        outputs.append(result.get("stdout", ""))
    try:
        report, problems = services.listener_report(*outputs, main_values=main_values, enforced=list(enforced or []),
                                                    intended=list(intended or []))
    except services.ServiceCheckError as error:
        raise AnsibleFilterError(str(error))
    return {"services": report, "problems": problems, "lines": services.report_lines(report)}


def helo_client_classes(entries, clients_dir, postconf_n="", found_tables=()):
    """Merged entries -> ``{entries, tables, parameters, absent, classes, stale_tables}`` for their ``clients``."""
    try:
        result = client_classes.client_policy(list(entries or []), str(clients_dir), postconf_n or "")
    except client_classes.AccessTableError as error:
        raise AnsibleFilterError(str(error))
    result["stale_tables"] = client_classes.stale_tables(list(found_tables or []), result["classes"])
    return result


class FilterModule:
    """helo_guard policy filters."""

    def filters(self):
        return {"helo_restrictions_for_mode": helo_restrictions_for_mode, "helo_listener_report": helo_listener_report,
                "helo_client_classes": helo_client_classes}
