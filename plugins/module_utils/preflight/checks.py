# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""What Postfix's own tools say about a candidate, before any smtpd serves it.

- Every ``smtpd_*_restrictions`` list, as ``postconf -x`` expands it in
  main.cf and as master.cf ``-o`` overrides set it (``postconf -P``), plus
  every ``smtpd_restriction_classes`` class.
- Each restriction is a name smtpd knows (the names compiled into this
  Postfix's smtpd binary), a restriction class, or a table.
- Each table's type is one ``postconf -m`` lists, and a file-based table
  (``postfix/maps.py``) opens: ``postmap -q`` of a probe name prints no
  ``fatal:``/``warning:``.
"""

from __future__ import annotations

import os
import re

from ansible_collections.mailops.postfix.plugins.module_utils.main_cf.restrictions import (
    MAP_TYPE, RESTRICTION_LIST, table_references, restriction_steps)
from ansible_collections.mailops.postfix.plugins.module_utils.main_cf.verify import SMTPD_RESTRICTION_LISTS
from ansible_collections.mailops.postfix.plugins.module_utils.postfix import cli as postfix_cli
from ansible_collections.mailops.postfix.plugins.module_utils.postfix import maps

PROBE_NAME = "preflight-probe.mailops.invalid"
GENERIC_ACTIONS = ("permit", "reject", "defer", "dunno", "warn_if_reject", "reject_warning")
NAME_SHAPE = re.compile(rb"(?<![a-z_])((?:permit|reject|defer|check|warn_if|sleep)[a-z_]*)\x00")
OVERRIDE_LINE = re.compile(r"\A(\S+)/(\S+)/(\S+) = (.*)\Z")


def known_restrictions(run_command, config_dir):
    """The restriction names compiled into this Postfix's smtpd, or None when it cannot be read."""
    values = postfix_cli.postconf_builtin_values(run_command, config_dir, ["daemon_directory"])
    try:
        with open(os.path.join(values["daemon_directory"], "smtpd"), "rb") as binary:
            names = set(match.decode() for match in NAME_SHAPE.findall(binary.read()))
    except OSError:
        return None
    return names | set(GENERIC_ACTIONS)


def restriction_lists(run_command, config_dir):
    """``{label: expanded value}`` for every restriction list smtpd will evaluate."""
    values, _warnings = postfix_cli.postconf_expanded_values(run_command, config_dir, SMTPD_RESTRICTION_LISTS)
    lists = {name: value for name, value in values.items() if value}
    classes, _warnings = postfix_cli.postconf_expanded_values(run_command, config_dir, ["smtpd_restriction_classes"])
    class_names = restriction_steps(classes["smtpd_restriction_classes"] or "")
    class_values, _warnings = postfix_cli.postconf_expanded_values(
        run_command, config_dir, [name for name, _argument in class_names])
    lists.update(("restriction class %s" % name, value or "") for name, value in class_values.items())
    for service, overrides in service_overrides(run_command, config_dir).items():
        for parameter, value in overrides.items():
            if RESTRICTION_LIST.match(parameter):
                lists["master.cf %s -o %s" % (service, parameter)] = value
    return lists, {name for name, _argument in class_names}


def service_overrides(run_command, config_dir):
    """``{service name: {parameter: expanded value}}`` of master.cf ``-o`` overrides (``postconf -P -x``)."""
    rc, out, _err = run_command(["postconf", "-c", config_dir, "-P", "-x"])
    overrides = {}
    for line in out.splitlines() if rc == 0 else []:
        match = OVERRIDE_LINE.match(line)
        if match:
            overrides.setdefault(match.group(1), {})[match.group(3)] = match.group(4)
    return overrides


def table_problem(run_command, config_dir, table, supported_types):
    """A sentence when ``table`` cannot serve lookups, else None."""
    reference = table
    while True:
        match = MAP_TYPE.match(reference)
        if not match:
            return None
        map_type = match.group(1)
        if map_type not in supported_types:
            return "table %s: type %s is not supported by this Postfix (postconf -m)" % (table, map_type)
        if map_type != "proxy":
            break
        reference = match.group(2)
    if maps.map_type(map_type) is None:
        return None  # a client/server type (ldap, mysql, ...) or an inline one: its type is checked, not opened
    rc, _out, err = run_command(["postmap", "-c", config_dir, "-q", PROBE_NAME, reference])
    path = reference.split(":", 1)[-1]
    said = [line.split(": ", 1)[-1].strip() for line in (err or "").splitlines()
            if "fatal:" in line or ("warning:" in line and path in line)]
    if rc not in (0, 1) or said:
        return "table %s: %s" % (table, " / ".join(said) or "postmap -q failed (rc %s)" % rc)
    return None


def static_problems(run_command, config_dir):
    """Every reason Postfix's tools give to refuse the config in ``config_dir`` (a list of sentences)."""
    rc, _out, err = run_command(["postconf", "-c", config_dir, "-n"])
    if rc != 0:
        return ["postconf -n: %s" % (err or "").strip()]
    lists, classes = restriction_lists(run_command, config_dir)
    known = known_restrictions(run_command, config_dir)
    supported = postfix_cli.supported_map_types(run_command, config_dir)
    problems = []
    tables = []
    for label in sorted(lists):
        for restriction, argument in restriction_steps(lists[label]):
            if MAP_TYPE.match(restriction) or restriction.isdigit():
                continue
            if known is not None and restriction not in known and restriction not in classes:
                problems.append("%s: '%s' is not a restriction this smtpd knows (nor a restriction class)"
                                % (label, restriction))
        tables.extend(table for table in table_references("smtpd_x_restrictions", lists[label]) if table not in tables)
    for table in tables:
        problem = table_problem(run_command, config_dir, table, supported)
        if problem:
            problems.append(problem)
    return problems
