# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters of the helo_guard role; the logic lives in module_utils/access/merge.py.

Documentation: merge_helo_entries.yml, helo_entry_probes.yml,
helo_probe_problems.yml, helo_postconf_warnings.yml and helo_restriction_maps.yml
next to this file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.mailops.postfix.plugins.module_utils.access.merge import (
    HeloEntryError,
    merge_entries,
    parse_postmap_answers,
    probe_expectations,
    relevant_postconf_warnings,
    restriction_maps,
    unexpected_answers,
)


def merge_helo_entries(sources):
    """``{variable_name: [entries]}`` (in order) -> one merged list of entries."""
    if isinstance(sources, dict):
        pairs = list(sources.items())
    elif isinstance(sources, (list, tuple)):
        pairs = [tuple(pair) for pair in sources]
    else:
        raise AnsibleFilterError("merge_helo_entries expects a dict of variable name -> list of entries")
    try:
        return merge_entries(pairs)
    except HeloEntryError as error:
        raise AnsibleFilterError(to_native(error))


def helo_entry_probes(entries, today=None):
    """Merged entries -> ``[{key, action, entry}]`` that ``postmap -q`` must answer."""
    try:
        return probe_expectations(entries, today)
    except (HeloEntryError, ValueError) as error:
        raise AnsibleFilterError(to_native(error))


def helo_probe_problems(postmap_stdout, expectations):
    """``postmap -q -`` output and the expectations -> sentences for every wrong answer."""
    return unexpected_answers(expectations, parse_postmap_answers(postmap_stdout))


def helo_postconf_warnings(warning_lines, restrictions, table_path):
    """``postconf -n`` stderr lines -> the ones about the role's settings or table."""
    return relevant_postconf_warnings(warning_lines, restrictions, table_path)


def helo_restriction_maps(expanded_restrictions):
    """``postconf -x -h smtpd_helo_restrictions`` output -> the file-based tables it names."""
    return restriction_maps(expanded_restrictions)


class FilterModule(object):
    """helo_guard entry filters."""

    def filters(self):
        return {
            "merge_helo_entries": merge_helo_entries,
            "helo_entry_probes": helo_entry_probes,
            "helo_probe_problems": helo_probe_problems,
            "helo_postconf_warnings": helo_postconf_warnings,
            "helo_restriction_maps": helo_restriction_maps,
        }
