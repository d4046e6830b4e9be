# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""HELO exceptions bound to the clients they are for: restriction classes and cidr tables.

An entry ``{host: mxbox50.bitwiz.net, clients: [50.0.0.1, 50.0.0.2]}`` is
written to the HELO table with a restriction class as its action::

    /^mxbox50\\.bitwiz\\.net$/ check_helo_guard_clients_1f0c3b9a2e

main.cf defines the class and lists it in ``smtpd_restriction_classes``::

    smtpd_restriction_classes = check_helo_guard_clients_1f0c3b9a2e
    check_helo_guard_clients_1f0c3b9a2e = check_client_access cidr:/etc/postfix/check_helo_guard_clients_1f0c3b9a2e.cidr

and the cidr table answers the entry's action for the listed clients::

    50.0.0.1 OK
    50.0.0.2 OK

From a listed client the class answers OK; from any other client the cidr
table has no answer, the class decides nothing, and Postfix goes on with the
next restriction of smtpd_helo_restrictions: the HELO is judged as if the
entry did not exist (seen on Postfix 3.7: 127.0.0.3 listed gets 250 for
``nodots``, 127.0.0.4 gets 504). Why a class and not the table itself as the
action: smtpd refuses lookup tables inside an access table's result ("do not
specify lookup tables inside SMTPD access maps ... define a restriction
class", and 451 4.3.5 for the client).

One class per distinct (action, clients): entries with the same clients
share it. Its name is a digest of both, so it is stable across runs and
hosts, and a changed client list is a new class (the old one is removed).
Class names start with ``check_`` so that the access model reads them as a
restriction name; everything the role defines starts with CLASS_PREFIX, and
classes the admin defined are kept.
"""

from __future__ import annotations

import datetime
import hashlib
import os

from ..access.entry import AccessTableError, parse_entries
from .editor import list_tokens

CLASS_PREFIX = "check_helo_guard_clients_"
CLASSES_PARAMETER = "smtpd_restriction_classes"
TABLE_SUFFIX = ".cidr"


def class_name(action, clients):
    """The restriction class of entries with this action bound to these (normalised) clients."""
    digest = hashlib.sha256("\n".join([action] + sorted(clients)).encode("utf-8")).hexdigest()
    return CLASS_PREFIX + digest[:10]


def _defined(postconf_n):
    """``{name: value}`` of ``postconf -n`` output."""
    values = {}
    for line in (postconf_n or "").splitlines():
        name, separator, value = line.partition(" = ")
        if separator:
            values[name.strip()] = value
    return values


def _table_text(class_entries, action):
    names = ", ".join(sorted({"%s %s" % (entry.kind, entry.given) for entry in class_entries}))
    lines = ["# Written by mailops.postfix.helo_guard: the clients that %s may come from." % names]
    lines += ["%s %s" % (client, action) for client in class_entries[0].clients]
    return "\n".join(lines) + "\n"


def client_policy(raw_entries, clients_dir, postconf_n="", today=None):
    """What the role writes for the entries' ``clients``.

    ``raw_entries``: the merged entries (dicts, as the role passes them to
    helo_access); ``clients_dir``: where the cidr tables live;
    ``postconf_n``: ``postconf -n`` of the live main.cf ("" when there is none).

    Returns ``{"entries", "tables", "parameters", "absent", "classes"}``:
    the table's entries (``clients`` dropped; a present bound entry's action
    is its class), the cidr tables (``[{"path", "content"}]``), main.cf
    parameters to set and to remove, and the class names in use.
    Raises AccessTableError (naming the entry) for a bad entry.
    """
    today = today or datetime.date.today()
    parsed = parse_entries(raw_entries, None, today=today)
    classes = {}
    table_entries = []
    for raw, entry in zip(raw_entries, parsed):
        written = {option: value for option, value in raw.items() if option != "clients"}
        if entry.clients and entry.state == "present":
            name = class_name(entry.action, entry.clients)
            classes.setdefault(name, []).append(entry)
            written["action"] = name
        table_entries.append(written)
    tables = [{"path": os.path.join(clients_dir, name + TABLE_SUFFIX),
               "content": _table_text(members, members[0].action)} for name, members in sorted(classes.items())]
    defined = _defined(postconf_n)
    parameters = {name: "check_client_access cidr:%s" % os.path.join(clients_dir, name + TABLE_SUFFIX)
                  for name in sorted(classes)}
    absent = sorted(name for name in defined if name.startswith(CLASS_PREFIX) and name not in classes)
    current = list_tokens(defined.get(CLASSES_PARAMETER, ""))
    wanted = [name for name in current if not name.startswith(CLASS_PREFIX)] + sorted(classes)
    if wanted and wanted != current:
        parameters[CLASSES_PARAMETER] = wanted
    elif not wanted and CLASSES_PARAMETER in defined:
        absent.append(CLASSES_PARAMETER)
    return {"entries": table_entries, "tables": tables, "parameters": parameters, "absent": absent,
            "classes": sorted(classes)}


def stale_tables(table_paths, classes):
    """The role's cidr tables (paths found in the clients dir) that no class in use names."""
    wanted = {name + TABLE_SUFFIX for name in classes}
    return sorted(path for path in table_paths
                  if os.path.basename(path).startswith(CLASS_PREFIX) and os.path.basename(path) not in wanted)


__all__ = ["AccessTableError", "CLASS_PREFIX", "class_name", "client_policy", "stale_tables"]
