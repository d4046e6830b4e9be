# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters of the helo_guard role over the one entry model (module_utils/access/entry.py).

Documentation: merge_helo_entries.yml, helo_entry_probes.yml,
helo_probe_problems.yml, helo_postconf_warnings.yml, helo_restriction_maps.yml and
helo_restriction_problems.yml
next to this file.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.mailops.postfix.plugins.module_utils.access.answers import (
    parse_postmap_answers,
    relevant_postconf_warnings,
    restriction_maps,
    table_reference_problems,
    unexpected_answers,
)
from ansible_collections.mailops.postfix.plugins.module_utils.access.entry import (
    AccessTableError,
    merge_entries,
    probe_expectations,
)
from ansible_collections.mailops.postfix.plugins.module_utils.main_cf.client_classes import client_policy


def merge_helo_entries(sources, clients_dir=None):
    """``{variable_name: [entries]}`` (in order) -> ``{entries, absent_wins, problems}``.

    A bad entry or a conflict is returned in ``problems`` (one sentence), not
    raised: the role fails with it in one task, so it is printed once (a
    filter error is repeated by every layer of Ansible's error chain).
    With ``clients_dir``, also ``clients``: what the merged entries bound to
    clients want (``main_cf/client_classes.client_policy``, as the
    ``helo_client_classes`` filter gives it for a main.cf without classes), so
    the role gets both from one task; ``{}`` when there are problems.
    """
    if isinstance(sources, dict):
        pairs = list(sources.items())
    elif isinstance(sources, (list, tuple)):
        pairs = [tuple(pair) for pair in sources]
    else:
        raise AnsibleFilterError("merge_helo_entries expects a dictionary of variable name to list of entries.")
    try:
        merged = merge_entries(pairs).as_dict()
        if clients_dir is not None:
            merged["clients"] = client_policy(merged["entries"], str(clients_dir))
    except AccessTableError as error:
        refused = {"entries": [], "absent_wins": [], "problems": [str(error)]}
        return refused if clients_dir is None else dict(refused, clients={})
    merged["problems"] = []
    return merged


def helo_entry_probes(entries, today=None, map_type=None):
    """Merged entries -> ``[{key, action, entry}]`` that ``postmap -q`` must answer."""
    try:
        return probe_expectations(entries, today, map_type)
    except AccessTableError as error:
        raise AnsibleFilterError(str(error)) from None


def helo_probe_problems(answers, expectations):
    """``postmap -q -`` output (or its answers as a dict) and the expectations -> sentences for every wrong answer."""
    if isinstance(answers, dict):
        return unexpected_answers(expectations, answers)
    return unexpected_answers(expectations, parse_postmap_answers(answers))


def helo_postconf_warnings(warning_lines, restrictions, table_path):
    """``postconf -n`` stderr lines -> the ones about the role's settings or table."""
    return relevant_postconf_warnings(warning_lines, restrictions, table_path)


def helo_restriction_maps(expanded_restrictions):
    """``postconf -x -h smtpd_helo_restrictions`` output -> the file-based tables it names."""
    return restriction_maps(expanded_restrictions)


def helo_restriction_problems(restrictions, table_type, table_path):
    """``helo_guard_restrictions`` -> a sentence when it is not a list of strings or does not use the table."""
    return table_reference_problems(restrictions, table_type, table_path)


class FilterModule:
    """helo_guard entry filters."""

    def filters(self):
        return {
            "merge_helo_entries": merge_helo_entries,
            "helo_entry_probes": helo_entry_probes,
            "helo_probe_problems": helo_probe_problems,
            "helo_postconf_warnings": helo_postconf_warnings,
            "helo_restriction_maps": helo_restriction_maps,
            "helo_restriction_problems": helo_restriction_problems,
        }
