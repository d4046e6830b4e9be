# SPDX-License-Identifier: GPL-3.0-or-later
"""helo_guard refuses hostile variables before it writes anything (issue 12), each in one sentence.

A stopped sandbox is enough: the role fails before the table or main.cf is
touched, so no smtpd is needed; every file of the config dir keeps its bytes,
mtime and type.
"""

import pytest

from tests.unit.plugins.modules.conftest import file_states

HOSTILE_VARIABLES = [
    ({"helo_guard_entries": [{"host": "a" * 64 + ".example"}]},
     "helo_guard_entries[0] (host=%s.example): '%s.example' has a label of 64 octets" % ("a" * 64, "a" * 64)),
    ({"helo_guard_entries__partners": [{"host": "*.bitwiz.net"}]},
     "helo_guard_entries__partners[0] (host=*.bitwiz.net): '*.bitwiz.net' is a wildcard"),
    ({"helo_guard_entries": [{"domain": "com"}]},
     "helo_guard_entries[0] (domain=com): a single label covers every name under a top-level domain"),
    ({"helo_guard_entries": [{"ip": "fe80::1%eth0"}]}, "helo_guard_entries[0] (ip=fe80::1%eth0): 'fe80::1%eth0' carries a zone id"),
    ({"helo_guard_entries": [{"host": "a.example", "expires": "2030-12-31garbage"}]},
     "helo_guard_entries[0] (host=a.example): expires '2030-12-31garbage' is not a date of the form YYYY-MM-DD."),
    ({"helo_guard_entries": [[1]]}, "helo_guard_entries[0] must be a dictionary with one of host, domain, ip or pattern, not a list."),
    ({"helo_guard_entries": {"host": "a.example"}}, "helo_guard_entries must be a list of entries, not a dictionary."),
    ({"helo_guard_entries": "mx.example"}, "helo_guard_entries must be a list of entries, not a string."),
    ({"helo_guard_entries__x": [{"host": "a.example", "acton": "OK"}]},
     "helo_guard_entries__x[0] (host=a.example) has the unknown option(s) acton"),
    ({"helo_guard_restrictions": "permit_mynetworks, reject_invalid_helo_hostname"},
     "helo_guard_restrictions (permit_mynetworks, reject_invalid_helo_hostname) has no check_helo_access regexp:"),
]


@pytest.mark.parametrize("variables, message", HOSTILE_VARIABLES, ids=[str(index) for index in range(len(HOSTILE_VARIABLES))])
def test_hostile_variables_fail_in_one_sentence_and_write_nothing(sandbox_factory, role_inventory, run_role,
                                                                  variables, message):
    instance = sandbox_factory(start=False)
    before = file_states(instance.config_dir)
    run = run_role(role_inventory(instance, host_vars=variables))
    assert run.rc != 0 and run.recap["failed"] == 1, run
    # Once in the fail task's result and once in ansible-core 2.19's "[ERROR]: Task failed" echo of it.
    assert run.stdout.count(message) == 2 and "Action failed: " + message in run.stdout, run
    assert "Traceback" not in run.output and "_AnsibleTagged" not in run.output and "<class" not in run.output, run
    assert file_states(instance.config_dir) == before
