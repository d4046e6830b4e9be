# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The role's view of module_utils/main_cf/policy.py (the HELO restriction list it writes).

Documentation: helo_restrictions_for_mode.yml and helo_listener_report.yml next to this file.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.mailops.postfix.plugins.module_utils.main_cf import policy, services


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


class FilterModule:
    """helo_guard policy filters."""

    def filters(self):
        return {"helo_restrictions_for_mode": helo_restrictions_for_mode, "helo_listener_report": helo_listener_report}
