# SPDX-License-Identifier: GPL-3.0-or-later
"""The role's map-type filters read module_utils/postfix/maps.py."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.mailops.postfix.plugins.filter.postfix_maps import postfix_map_type, postfix_map_types


def test_role_index_suffixes():
    assert postfix_map_types("index_suffix") == {
        "hash": ".db", "lmdb": ".lmdb", "cdb": ".cdb", "btree": ".db", "dbm": ".dir", "sdbm": ".dir"}


def test_one_type():
    lmdb = postfix_map_type("lmdb")
    assert lmdb["needs_postmap"] and lmdb["packages"]["Debian"] == ["postfix-lmdb"]
    assert postfix_map_type("texthash")["needs_postmap"] is False


@pytest.mark.parametrize("call", [lambda: postfix_map_type("ldap"), lambda: postfix_map_types("colour")])
def test_unknown_names_are_sentences(call):
    with pytest.raises(AnsibleFilterError) as raised:
        call()
    assert str(raised.value).endswith(")."), str(raised.value)
