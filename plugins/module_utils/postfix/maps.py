# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one table of Postfix lookup table (map) types this collection knows.

Every question about a map type is answered here: how its lines are read
(``syntax``), whether ``postmap`` builds an index and which file it writes
(``index_suffix``), which package provides it (``packages``, per OS family)
and whether helo_access can keep a HELO table of it (``helo_table``). The
modules' argument specs, the role's filters (``postfix_map_type``) and
``postfix/cli.py`` all read this table; nothing else lists map types.

Only file-based types are listed: those ``postmap -q TYPE:/path`` can open.
Client/server types (proxy, ldap, mysql, ...) are not files and not here.

Facts (postconf(5), DATABASE_README, checked with postmap on Debian 12):
``texthash`` is read as ``KEY VALUE`` lines like ``hash`` but needs no
postmap; ``dbm`` and ``sdbm`` write ``.dir`` and ``.pag`` (``.dir`` is
the one we look for); ``hash`` and ``btree`` both write ``.db``.
"""

from __future__ import annotations

from typing import NamedTuple


class MapType(NamedTuple):
    """One Postfix map type."""

    name: str
    syntax: str                  # "key" (KEY VALUE lines), "regexp" (/expr/ VALUE), "cidr" (network VALUE)
    index_suffix: str | None     # the file postmap writes next to the source; None: read as text, no postmap
    packages: dict               # OS family -> extra packages beyond postfix itself
    helo_table: bool             # helo_access can keep a HELO table of this type

    @property
    def needs_postmap(self) -> bool:
        return self.index_suffix is not None

    @property
    def is_regexp(self) -> bool:
        return self.syntax == "regexp"

    def as_dict(self) -> dict:
        """Plain data for a filter: every field plus ``needs_postmap``."""
        fields = self._asdict()
        fields["packages"] = {family: list(names) for family, names in self.packages.items()}
        fields["needs_postmap"] = self.needs_postmap
        return fields


def _packages(debian=(), redhat=()):
    return {"Debian": tuple(debian), "RedHat": tuple(redhat)}


MAP_TYPES = {
    map_type.name: map_type
    for map_type in (
        MapType("regexp", "regexp", None, _packages(), True),
        MapType("pcre", "regexp", None, _packages(["postfix-pcre"], ["postfix-pcre"]), True),
        MapType("hash", "key", ".db", _packages(), True),
        MapType("lmdb", "key", ".lmdb", _packages(["postfix-lmdb"], ["postfix-lmdb"]), True),
        MapType("cdb", "key", ".cdb", _packages(["postfix-cdb"], ["postfix-cdb"]), True),
        MapType("btree", "key", ".db", _packages(), True),
        MapType("texthash", "key", None, _packages(), True),
        MapType("dbm", "key", ".dir", _packages(), False),
        MapType("sdbm", "key", ".dir", _packages(), False),
        MapType("cidr", "cidr", None, _packages(), False),
    )
}

# The choices of the helo_access / helo_access_info ``type`` option, in the documented order.
HELO_TABLE_TYPES = tuple(name for name, map_type in MAP_TYPES.items() if map_type.helo_table)
REGEXP_TYPES = tuple(name for name, map_type in MAP_TYPES.items() if map_type.is_regexp)
POSTMAP_TYPES = tuple(name for name, map_type in MAP_TYPES.items() if map_type.needs_postmap)


def map_type(name: str) -> MapType | None:
    """The entry for ``name``, or None when it is not a file-based type this collection knows."""
    return MAP_TYPES.get(name)


def is_regexp(name: str) -> bool:
    """True for regexp and pcre: lines are expressions, the first match wins."""
    known = MAP_TYPES.get(name)
    return known is not None and known.is_regexp


def needs_postmap(name: str) -> bool:
    """True when Postfix reads the type through an index that postmap builds."""
    known = MAP_TYPES.get(name)
    return known is not None and known.needs_postmap


def index_path(name: str, path: str) -> str | None:
    """The index file postmap writes for ``path`` (None for types read as text)."""
    known = MAP_TYPES.get(name)
    return path + known.index_suffix if known is not None and known.needs_postmap else None


def packages(name: str, os_family: str) -> list:
    """The packages beyond postfix that provide ``name`` on ``os_family`` (Debian, RedHat)."""
    known = MAP_TYPES.get(name)
    return list(known.packages.get(os_family, ())) if known is not None else []
