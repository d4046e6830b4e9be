# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""main.cf texts judged by Postfix itself, in a scratch config dir.

The module never guesses what Postfix reads: it writes the current main.cf
and then the candidate into a scratch dir (back-dated, see
``postfix_cli.backdate``), asks ``postconf -c DIR -h`` / ``-n`` / ``-m``
there, and writes the real main.cf only when Postfix reads the intended
values from the candidate and does not warn about them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re

from ansible_collections.mailops.postfix.plugins.module_utils.postfix import cli as postfix_cli
from ansible_collections.mailops.postfix.plugins.module_utils.main_cf.editor import MainCfError, displayed
from ansible_collections.mailops.postfix.plugins.module_utils.main_cf.values import refusal
from ansible_collections.mailops.postfix.plugins.module_utils.main_cf.restrictions import (
    RESTRICTION_LIST, TABLE_PARAMETER, helo_required_warnings, order_warnings, table_references, table_type_warnings)

# The restriction lists smtpd evaluates; HELO checks in any of them need HELO.
SMTPD_RESTRICTION_LISTS = (
    "smtpd_client_restrictions", "smtpd_helo_restrictions", "smtpd_sender_restrictions",
    "smtpd_relay_restrictions", "smtpd_recipient_restrictions", "smtpd_data_restrictions",
    "smtpd_end_of_data_restrictions", "smtpd_etrn_restrictions",
)
UNUSED_PARAMETER = re.compile(r"main\.cf: unused parameter: ([A-Za-z0-9_]+)=(.*)\Z")
LINE_NUMBER = re.compile(r", line \d+")


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
    """Text as postconf shows it in a warning: every byte outside printable ASCII as ``?``.

    Measured: ``my_x = caf\\xc3\\xa9`` is reported as ``my_x=caf??``, a tab as ``?``.
    """
    return "".join(chr(byte) if 32 <= byte < 127 else "?"
                   for byte in bytearray(text.encode("utf-8", "surrogateescape")))


def unused_parameter_values(warnings):
    found = {}
    for warning in warnings:
        match = UNUSED_PARAMETER.search(warning)
        if match:
            found[match.group(1)] = match.group(2)
    return found


@dataclasses.dataclass(frozen=True)
class CurrentReading:
    """What Postfix reads from the current main.cf (copied into a judging dir).

    ``values``: ``postconf -h`` of the task's names; ``defaults``: their
    defaults with references expanded (``postconf -d -x -h``), for time units
    and for the kind of each value; ``warnings``: what ``postconf -n`` warns
    about (None when postconf cannot read the file at all, for example a bad
    value the task may be about to repair: ``values`` are then empty);
    ``expanded_lists``: the smtpd restriction lists, ``$name`` expanded.
    """

    values: dict
    defaults: dict
    warnings: list | None
    expanded_lists: dict


def parameter_defaults(run_command, directory, names):
    """``postconf -d -x -h`` of ``names`` in ``directory``, else in an empty config dir (defaults hardly depend on it)."""
    try:
        defaults, _warnings = postfix_cli.postconf_defaults(run_command, directory, names, expand=True)
    except postfix_cli.PostfixCommandError:
        with postfix_cli.scratch_config_dir() as empty_directory:
            defaults, _warnings = postfix_cli.postconf_defaults(run_command, empty_directory, names, expand=True)
    return defaults


def read_current(run_command, directory, names) -> CurrentReading:
    """What Postfix reads from the current main.cf, copied into ``directory``."""
    defaults = parameter_defaults(run_command, directory, names)
    try:
        values, _warnings = postfix_cli.postconf_values(run_command, directory, names)
        _text, non_default_warnings = postfix_cli.postconf_non_default(run_command, directory)
        expanded_lists = postfix_cli.postconf_builtin_values(run_command, directory, SMTPD_RESTRICTION_LISTS,
                                                             expand=True)
    except postfix_cli.PostfixCommandError:
        return CurrentReading(values={}, defaults=defaults, warnings=None, expanded_lists={})
    return CurrentReading(values=values, defaults=defaults, warnings=non_default_warnings,
                          expanded_lists=expanded_lists)


def refuse_bad_values(run_command, directory, intended_values, printed_values, defaults):
    """Raise MainCfError for a value Postfix's daemons would refuse at start-up (``values.refusal``).

    Judged on what Postfix reads from the candidate: a value with a
    ``$name`` reference is expanded first (``postconf -x -h``).
    """
    with_references = sorted(name for name in intended_values if "$" in (printed_values.get(name) or ""))
    expanded, _warnings = postfix_cli.postconf_expanded_values(run_command, directory, with_references)
    for name in sorted(intended_values):
        read = printed_values.get(name)
        if read is None:
            continue
        sentence = refusal(name, expanded.get(name) or read, defaults.get(name),
                           written=read if name in expanded else None)
        if sentence:
            raise MainCfError(sentence)


def _without_line_numbers(warning):
    return LINE_NUMBER.sub("", warning)


def new_warnings(candidate_warnings, current_warnings):
    """Warnings of ``postconf -n`` the candidate has and the current file has not.

    "unused parameter" warnings never count (a user-defined parameter is
    legal), nor do line numbers, which move when lines are added or removed.
    """
    known = {_without_line_numbers(warning) for warning in current_warnings or []}
    return [warning for warning in candidate_warnings
            if not UNUSED_PARAMETER.search(warning) and _without_line_numbers(warning) not in known]


def _culprits(warning, intended_values, changed_names):
    """The changed parameters a warning is about: by name or by value, else all of them."""
    named = [name for name in changed_names
             if re.search(r"(?<![A-Za-z0-9_])%s(?![A-Za-z0-9_])" % name, warning)
             or (intended_values.get(name) and displayed(intended_values[name]) in displayed(warning))]
    return named or list(changed_names)


def verify_candidate(run_command, directory, intended_values, removed_names, changed_names, current_warnings):
    """Raise MainCfError unless Postfix reads the candidate as intended.

    ``intended_values`` maps each parameter that should be set to its raw
    value; ``postconf -h`` must print it (whitespace runs folded, as it
    prints every value). A parameter Postfix does not use (user-defined, or
    a typo) is checked through the "unused parameter: NAME=VALUE" warning of
    ``postconf -n``. ``removed_names`` must not appear in ``postconf -n``.
    ``postconf -n`` must not warn about anything the current file
    (``current_warnings``) did not already warn about.
    Returns the printed values.
    """
    try:
        printed_values, _warnings = postfix_cli.postconf_values(run_command, directory, sorted(intended_values))
        non_default_text, non_default_warnings = postfix_cli.postconf_non_default(run_command, directory)
    except postfix_cli.PostfixCommandError as error:
        raise MainCfError("parameter %s: postconf cannot read the candidate main.cf (%s); nothing was written"
                          % (", ".join(sorted(changed_names)), error))
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
    for warning in new_warnings(non_default_warnings, current_warnings):
        raise MainCfError("parameter %s: postconf warns about the candidate main.cf: %s; nothing was written"
                          % (", ".join(_culprits(warning, intended_values, changed_names)), warning))
    for line in non_default_text.splitlines():
        name = line.partition("=")[0].strip()
        if name in removed_names:
            raise MainCfError("parameter %s: postconf still reads it from the candidate main.cf; nothing was written"
                              % name)
    return printed_values


def supported_map_types(run_command, directory):
    """``postconf -m`` for the candidate, else for an empty main.cf.

    ``postconf -m`` initialises more of the configuration than ``-h``/``-n``
    and stops at some settings the daemons would refuse (measured: an empty
    ``setgid_group =``, as in Postfix's own main.cf.dist). The list of map
    types does not depend on them, and a warning must not fail the task.
    """
    try:
        return postfix_cli.supported_map_types(run_command, directory)
    except postfix_cli.PostfixCommandError:
        with postfix_cli.scratch_config_dir() as empty_directory:
            return postfix_cli.supported_map_types(run_command, empty_directory)


def setting_warnings(run_command, directory, intended_values, printed_values, current_expanded_lists):
    """Warnings about settings that defeat themselves, judged on the candidate.

    Looks at the smtpd restriction lists the task names or whose expanded
    value (``$name`` references followed) it changes, at table parameters the
    task sets, and at names Postfix knows neither in the candidate nor by
    default.
    """
    warnings = []
    unknown_names = sorted(name for name in intended_values if printed_values.get(name) is None)
    if unknown_names:
        defaults, _warnings = postfix_cli.postconf_defaults(run_command, directory, unknown_names)
        for name in unknown_names:
            if defaults[name] is None:
                warnings.append("%s: Postfix does not know this parameter (a typo?); it is set anyway, "
                                "since user-defined parameters are legal" % name)
    named_lists = {name for name in intended_values if RESTRICTION_LIST.match(name)}
    list_names = sorted(set(SMTPD_RESTRICTION_LISTS) | named_lists)
    expanded = postfix_cli.postconf_builtin_values(run_command, directory, SMTPD_RESTRICTION_LISTS
                                                   + ("smtpd_helo_required",), expand=True)
    # a restriction list Postfix does not know (a typo such as smtpd_helo_restriction) is read one by one
    others, _warnings = postfix_cli.postconf_expanded_values(run_command, directory,
                                                             sorted(named_lists - set(SMTPD_RESTRICTION_LISTS)))
    expanded.update(others)
    helo_required = expanded.pop("smtpd_helo_required")
    affected_lists = [name for name in list_names
                      if name in intended_values or expanded[name] != current_expanded_lists.get(name)]
    for name in affected_lists:
        warnings.extend(order_warnings(name, expanded[name] or ""))
    table_values = {name: expanded[name] or "" for name in affected_lists}
    for name in intended_values:
        if TABLE_PARAMETER.match(name):
            table_values[name] = intended_values[name]
    if any(table_references(name, table_values[name]) for name in table_values):
        supported = supported_map_types(run_command, directory)
        for name in sorted(table_values):
            warnings.extend(table_type_warnings(name, table_values[name], supported))
    # Turning HELO off concerns every list; a changed list concerns itself.
    helo_lists = list_names if "smtpd_helo_required" in intended_values else affected_lists
    warnings.extend(helo_required_warnings({name: expanded[name] for name in helo_lists}, helo_required))
    return warnings
