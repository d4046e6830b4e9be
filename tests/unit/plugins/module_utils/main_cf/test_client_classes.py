# SPDX-License-Identifier: GPL-3.0-or-later
"""main_cf.client_classes: the classes, cidr tables and main.cf parameters of clients-bound entries."""

import pytest

from ansible_collections.mailops.postfix.plugins.module_utils.main_cf.client_classes import (
    CLASS_PREFIX, AccessTableError, class_name, client_policy, stale_tables)

DIR = "/etc/postfix/helo_guard_clients"
BOUND = {"host": "mxbox50.bitwiz.net", "clients": ["50.0.0.2", "50.0.0.1"]}


def test_a_bound_entry_gets_a_class_its_table_and_the_definitions():
    policy = client_policy([BOUND, {"ip": "50.0.0.1"}], DIR)
    name = class_name("OK", ["50.0.0.1", "50.0.0.2"])
    assert name.startswith(CLASS_PREFIX) and policy["classes"] == [name]
    assert policy["entries"] == [{"host": "mxbox50.bitwiz.net", "action": name}, {"ip": "50.0.0.1"}]
    assert policy["tables"] == [{"path": "%s/%s.cidr" % (DIR, name), "content": (
        "# Written by mailops.postfix.helo_guard: the clients that host mxbox50.bitwiz.net may come from.\n"
        "50.0.0.2 OK\n50.0.0.1 OK\n")}]
    assert policy["parameters"] == {name: "check_client_access cidr:%s/%s.cidr" % (DIR, name),
                                    "smtpd_restriction_classes": [name]}
    assert policy["absent"] == []


def test_entries_with_the_same_clients_share_a_class_and_the_admins_classes_are_kept():
    other = {"host": "mxbox51.bitwiz.net", "clients": ["50.0.0.1", "50.0.0.2"]}
    old = CLASS_PREFIX + "0000000000"
    live = "smtpd_restriction_classes = my_class, %s\nmy_class = reject\n%s = check_client_access cidr:/x\n" % (old, old)
    policy = client_policy([BOUND, other], DIR, live)
    (name,) = policy["classes"]
    assert [entry["action"] for entry in policy["entries"]] == [name, name]
    assert policy["parameters"]["smtpd_restriction_classes"] == ["my_class", name]
    assert policy["absent"] == [old]


def test_no_bound_entry_leaves_main_cf_alone_or_removes_what_the_role_wrote():
    assert client_policy([{"host": "a.example"}], DIR) == {
        "entries": [{"host": "a.example"}], "tables": [], "parameters": {}, "absent": [], "classes": []}
    old = CLASS_PREFIX + "0000000000"
    policy = client_policy([{"host": "a.example"}], DIR, "smtpd_restriction_classes = %s\n%s = x\n" % (old, old))
    assert policy["parameters"] == {} and policy["absent"] == [old, "smtpd_restriction_classes"]


def test_an_absent_bound_entry_only_drops_its_clients():
    policy = client_policy([dict(BOUND, state="absent")], DIR)
    assert policy["entries"] == [{"host": "mxbox50.bitwiz.net", "state": "absent"}] and policy["classes"] == []


def test_a_client_that_is_no_address_or_network_is_refused_naming_the_entry():
    with pytest.raises(AccessTableError, match=r"entries\[0\] \(host=mxbox50.bitwiz.net\).*mail.bitwiz.net"):
        client_policy([{"host": "mxbox50.bitwiz.net", "clients": ["mail.bitwiz.net"]}], DIR)


def test_stale_tables_are_the_roles_files_no_class_uses():
    keep = class_name("OK", ["50.0.0.1"])
    found = ["%s/%s.cidr" % (DIR, keep), "%s/%s0000000000.cidr" % (DIR, CLASS_PREFIX), "%s/admins.cidr" % DIR]
    assert stale_tables(found, [keep]) == ["%s/%s0000000000.cidr" % (DIR, CLASS_PREFIX)]
