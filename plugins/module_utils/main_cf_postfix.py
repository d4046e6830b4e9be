# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""main.cf texts judged by Postfix itself, in a scratch config dir.

The module never guesses what Postfix reads: it writes the current main.cf
and then the candidate into a scratch dir (back-dated, see
``postfix_cli.backdate``), asks ``postconf -c DIR -h`` / ``-n`` / ``-m``
there, and writes the real main.cf only when Postfix reads the intended
values from the candidate and does not warn about them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import os
import re

from ansible_collections.mailops.postfix.plugins.module_utils import postfix_cli
from ansible_collections.mailops.postfix.plugins.module_utils.main_cf import MainCfError, displayed
from ansible_collections.mailops.postfix.plugins.module_utils.restriction_checks import (
    RESTRICTION_LIST, helo_required_warnings, order_warnings, table_references, table_type_warnings)

# The restriction lists smtpd evaluates; HELO checks in any of them need HELO.
SMTPD_RESTRICTION_LISTS = (
    "smtpd_client_restrictions", "smtpd_helo_restrictions", "smtpd_sender_restrictions",
    "smtpd_relay_restrictions", "smtpd_recipient_restrictions", "smtpd_data_restrictions",
    "smtpd_end_of_data_restrictions", "smtpd_etrn_restrictions",
)
UNUSED_PARAMETER = re.compile(r"main\.cf: unused parameter: ([A-Za-z0-9_]+)=(.*)\Z")


def write_config_file(directory, file_name, text):
    path = os.path.join(directory, file_name)
    with open(path, "w", encoding="utf-8", errors="surrogateescape") as config_file:
        config_file.write(text)
    postfix_cli.backdate(path)


@contextlib.contextmanager
def judging_dir(main_cf_text, master_cf_text):
    """A scratch config dir holding these main.cf and master.cf texts."""
    with postfix_cli.scratch_config_dir() as directory:
        write_config_file(directory, "main.cf", main_cf_text)
        write_config_file(directory, "master.cf", master_cf_text)
        yield directory


def printable(text):
    """Text as Postfix shows it in a warning (non-printable characters as ``?``)."""
    return "".join(char if char.isprintable() else "?" for char in text)


def unused_parameter_values(warnings):
    found = {}
    for warning in warnings:
        match = UNUSED_PARAMETER.search(warning)
        if match:
            found[match.group(1)] = match.group(2)
    return found


def verify_candidate(run_command, directory, intended_values, removed_names):
    """Raise MainCfError unless Postfix reads the candidate as intended.

    ``intended_values`` maps each parameter that should be set to its raw
    value; ``postconf -h`` must print it (whitespace runs folded, as it
    prints every value); ``removed_names`` must not appear in
    ``postconf -n``. A parameter Postfix does not use (user-defined, or a
    typo) is checked through the "unused parameter: NAME=VALUE" warning.
    Returns ``(printed_values, non_default_warnings)``.
    """
    printed_values, _warnings = postfix_cli.postconf_values(run_command, directory, sorted(intended_values))
    non_default_text, non_default_warnings = postfix_cli.postconf_non_default(run_command, directory)
    unused = unused_parameter_values(non_default_warnings)
    for name in sorted(intended_values):
        intended = intended_values[name]
        if printed_values[name] is None:
            if unused.get(name) != printable(intended):
                raise MainCfError("parameter %s: postconf does not read %r from the candidate main.cf "
                                  "(it reports %r); nothing was written" % (name, intended, unused.get(name)))
        elif printed_values[name] != displayed(intended):
            raise MainCfError("parameter %s: postconf reads %r from the candidate main.cf instead of %r; "
                              "nothing was written" % (name, printed_values[name], intended))
    watched_names = set(intended_values) | set(removed_names)
    for warning in non_default_warnings:
        if UNUSED_PARAMETER.search(warning):
            continue
        for name in sorted(watched_names):
            if re.search(r"(?<![A-Za-z0-9_])%s(?![A-Za-z0-9_])" % name, warning):
                raise MainCfError("parameter %s: postconf warns about the candidate main.cf: %s; nothing was written"
                                  % (name, warning))
    for line in non_default_text.splitlines():
        name = line.partition("=")[0].strip()
        if name in removed_names:
            raise MainCfError("parameter %s: postconf still reads it from the candidate main.cf; nothing was written"
                              % name)
    return printed_values, non_default_warnings


def setting_warnings(run_command, directory, intended_values, printed_values, default_values):
    """Warnings about settings that defeat themselves, judged on the candidate."""
    warnings = []
    for name in sorted(intended_values):
        if printed_values.get(name) is None and default_values.get(name) is None:
            warnings.append("%s: Postfix does not know this parameter (a typo?); it is set anyway, "
                            "since user-defined parameters are legal" % name)
    touched_lists = [name for name in intended_values if RESTRICTION_LIST.match(name)]
    for name in sorted(touched_lists):
        warnings.extend(order_warnings(name, intended_values[name]))
    if any(table_references(name, intended_values[name]) for name in intended_values):
        supported = postfix_cli.supported_map_types(run_command, directory)
        for name in sorted(intended_values):
            warnings.extend(table_type_warnings(name, intended_values[name], supported))
    if touched_lists or "smtpd_helo_required" in intended_values:
        list_names = sorted(set(SMTPD_RESTRICTION_LISTS) | set(touched_lists))
        effective, _warnings = postfix_cli.postconf_values(run_command, directory,
                                                           list_names + ["smtpd_helo_required"])
        helo_required = effective.pop("smtpd_helo_required")
        warnings.extend(helo_required_warnings(effective, helo_required))
    return warnings
