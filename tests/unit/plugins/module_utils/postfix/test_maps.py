# SPDX-License-Identifier: GPL-3.0-or-later
"""The one table of map types, and every place that lists types agreeing with it."""

import os
import re

import yaml

from ansible_collections.mailops.postfix.plugins.module_utils.postfix import maps

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), *[os.pardir] * 5))


def test_texthash_is_a_key_table_without_postmap():
    # The disagreement issue 14 found: one list counted texthash as indexed, the other did not.
    texthash = maps.map_type("texthash")
    assert texthash.syntax == "key" and not texthash.needs_postmap
    assert "texthash" in maps.HELO_TABLE_TYPES and "texthash" not in maps.POSTMAP_TYPES


def test_index_files_per_type():
    assert maps.index_path("hash", "/t") == "/t.db"
    assert maps.index_path("btree", "/t") == "/t.db"
    assert maps.index_path("lmdb", "/t") == "/t.lmdb"
    assert maps.index_path("cdb", "/t") == "/t.cdb"
    assert maps.index_path("sdbm", "/t") == "/t.dir"
    assert maps.index_path("regexp", "/t") is None
    assert maps.index_path("ldap", "/t") is None


def test_regexp_types_and_unknown_types():
    assert maps.REGEXP_TYPES == ("regexp", "pcre")
    assert not maps.is_regexp("hash") and not maps.needs_postmap("mysql")
    assert maps.map_type("proxy") is None


def test_packages_per_family():
    assert maps.packages("pcre", "Debian") == ["postfix-pcre"]
    assert maps.packages("hash", "RedHat") == []
    assert maps.packages("lmdb", "Suse") == []


def _yaml(*parts):
    with open(os.path.join(ROOT, *parts)) as handle:
        return yaml.safe_load(handle)


def test_doc_fragment_and_role_argument_specs_list_the_same_types():
    from ansible_collections.mailops.postfix.plugins.doc_fragments.helo_access import ModuleDocFragment

    fragment = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)
    assert tuple(fragment["options"]["type"]["choices"]) == maps.HELO_TABLE_TYPES
    specs = _yaml("roles", "helo_guard", "meta", "argument_specs.yml")["argument_specs"]
    found = 0
    for spec in specs.values():
        for option in spec["options"].values():
            if re.search(r"table.type|type of the helo access table", str(option.get("description")), re.I) \
                    and "choices" in option:
                assert tuple(option["choices"]) == maps.HELO_TABLE_TYPES
                found += 1
    assert found >= 1
