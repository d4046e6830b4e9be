# SPDX-License-Identifier: GPL-3.0-or-later
"""helo_guard refuses hostile variables before it writes anything (issue 12), each in one sentence.

A stopped sandbox is enough: the role fails before the table or main.cf is
touched, so no smtpd is needed; every file of the config dir keeps its bytes,
mtime and type.
"""

import pytest

from tests.functional.roles.helo_guard.helo_guard_run import ROLE_PLAYBOOK, assert_refused_in_one_sentence
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
    # Wrong shapes of the other variables: ansible-core's check of the argument spec names internal classes
    # for these, or converts them silently (plugins/filter/helo_guard_options.py).
    ({"helo_guard_reload": [1]}, "helo_guard_reload must be true or false, not a list."),
    ({"helo_guard_intended_overrides": {"a": 1}},
     "helo_guard_intended_overrides must be a list of service names (strings), not a dictionary."),
    ({"helo_guard_enforced_services": 5}, "helo_guard_enforced_services must be a list of service names (strings), not a number."),
    ({"helo_guard_table_path": [1]}, "helo_guard_table_path must be a path (a string), not a list."),
    ({"helo_guard_table_owner": {"a": 1}}, "helo_guard_table_owner must be a user name (a string), not a dictionary."),
    ({"helo_guard_restrictions": {"a": 1}},
     "helo_guard_restrictions must be a list of restrictions (strings), or one string of them, not a dictionary."),
]


def _refused_writing_nothing(sandbox_factory, role_inventory, run_role, variables, message, playbook=ROLE_PLAYBOOK):
    instance = sandbox_factory(start=False)
    before = file_states(instance.config_dir)
    assert_refused_in_one_sentence(run_role(role_inventory(instance, host_vars=variables), playbook=playbook), message)
    assert file_states(instance.config_dir) == before


@pytest.mark.parametrize("variables, message", HOSTILE_VARIABLES, ids=[str(index) for index in range(len(HOSTILE_VARIABLES))])
def test_hostile_variables_fail_in_one_sentence_and_write_nothing(sandbox_factory, role_inventory, run_role,
                                                                  variables, message):
    _refused_writing_nothing(sandbox_factory, role_inventory, run_role, variables, message)


VERIFY_PLAYBOOK = """\
- name: Verify helo_guard on its own
  hosts: mail_servers
  gather_facts: false
  tasks:
    - name: Verify
      ansible.builtin.include_role:
        name: mailops.postfix.helo_guard
        tasks_from: verify
"""
ROLLOUT_PLAYBOOK = """\
- name: The rollout playbook as shipped
  ansible.builtin.import_playbook: mailops.postfix.rollout
"""
SHARED_VARIABLES = [
    # A variable of both entry points (main and verify) gets the same sentence from each and from the rollout.
    ({"helo_guard_enforced_services": 5}, "helo_guard_enforced_services must be a list of service names (strings), not a number."),
    # A variable of verify alone: the rollout's main run refuses it too, before anything is written.
    ({"helo_guard_smtp_probe": [1]}, "helo_guard_smtp_probe must be true or false, not a list."),
]


@pytest.mark.parametrize("playbook", [VERIFY_PLAYBOOK, ROLLOUT_PLAYBOOK], ids=["verify", "rollout"])
@pytest.mark.parametrize("variables, message", SHARED_VARIABLES, ids=[str(index) for index in range(len(SHARED_VARIABLES))])
def test_verify_and_the_rollout_refuse_a_variable_in_the_same_sentence(sandbox_factory, role_inventory, run_role,
                                                                       playbook, variables, message):
    _refused_writing_nothing(sandbox_factory, role_inventory, run_role, variables, message, playbook=playbook)
