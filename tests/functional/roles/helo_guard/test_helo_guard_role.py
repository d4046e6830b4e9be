# SPDX-License-Identifier: GPL-3.0-or-later
"""The helo_guard role end to end, judged by Postfix: postmap -q, postconf and SMTP dialogs."""

import os
import re
import subprocess

from tests.functional.roles.helo_guard.helo_guard_run import (
    SEED_ENTRIES, assert_refused_in_one_sentence, candidates_of, file_state, rcpt_code, reload_count)


def postmap_answers(instance, table, keys):
    completed = subprocess.run(["postmap", "-c", instance.config_dir, "-q", "-", table], input="\n".join(keys) + "\n",
                               capture_output=True, text=True, check=False)
    assert completed.returncode in (0, 1) and not completed.stderr, completed.stderr
    return dict(line.split("\t", 1) for line in completed.stdout.splitlines())


def test_seed_policy_is_enforced_and_a_second_run_writes_nothing(sandbox_factory, role_inventory, run_role):
    instance = sandbox_factory()
    # Before the role: no HELO checks (asked of postconf, not over SMTP: an idle
    # smtpd from a probe now could serve one more session after the reload).
    assert instance.postconf("smtpd_helo_required") == "no"
    inventory = role_inventory(instance, group_vars={"helo_guard_entries": SEED_ENTRIES})

    first = run_role(inventory)
    assert first.rc == 0, first
    assert first.recap["changed"] > 0
    assert reload_count(instance) == 1, "one reload for a table and main.cf change"
    assert instance.postconf("smtpd_helo_required") == "yes"
    assert instance.postconf("smtpd_helo_restrictions") == (
        "permit_mynetworks, permit_sasl_authenticated, check_helo_access regexp:%s/helo_access, "
        "reject_invalid_helo_hostname, "
        "reject_non_fqdn_helo_hostname, reject_unknown_helo_hostname" % instance.config_dir)
    for helo in ("mxbox50.bitwiz.net", "50.0.0.1", "[50.0.0.1]", "50.0.0.2"):
        assert rcpt_code(instance, helo)[:2] == ("RCPT TO", 250), helo
    assert rcpt_code(instance, "other.bitwiz.net")[:2] == ("RCPT TO", 450)
    assert rcpt_code(instance, "nodots")[:2] == ("RCPT TO", 504)
    assert rcpt_code(instance, None)[:2] == ("MAIL FROM", 503)

    watched = [os.path.join(instance.config_dir, name) for name in ("main.cf", "helo_access")]
    before = [file_state(path) for path in watched]
    listing = sorted(os.listdir(instance.config_dir))
    second = run_role(inventory)
    assert second.rc == 0, second
    assert second.recap["changed"] == 0, second
    assert [file_state(path) for path in watched] == before, "an unchanged run rewrote a file"
    assert sorted(os.listdir(instance.config_dir)) == listing, "an unchanged run left a file behind"
    assert not [name for name in second.executed_tasks() if "Reload" in name or "reloading now" in name], second
    assert reload_count(instance) == 1


def test_config_dir_reaches_every_module_command_and_handler(sandbox_factory, role_inventory, run_role):
    # An lmdb table: the postmap handler runs too. /etc/postfix has no main.cf on
    # this machine, so any Postfix command without -c <config dir> would fail.
    instance = sandbox_factory()
    inventory = role_inventory(instance, host_vars={"helo_guard_table_type": "lmdb",
                                                    "helo_guard_entries": SEED_ENTRIES})
    etc_postfix_before = sorted(os.listdir("/etc/postfix")) if os.path.isdir("/etc/postfix") else None
    run = run_role(inventory)
    assert run.rc == 0, run
    executed = run.executed_tasks()
    # The promotion reloads in its own module run, with the config dir (reload_count below); the
    # handler's own run with it is proven in test_helo_guard_fast_path.py (a lost reload made up).
    assert any(name.endswith("Configure | edit the candidate, judge it and promote its changed files") for name in executed), \
        executed
    table = "lmdb:%s/helo_access" % instance.config_dir
    assert postmap_answers(instance, table, ["mxbox50.bitwiz.net", "[50.0.0.2]", "other.bitwiz.net"]) == {
        "mxbox50.bitwiz.net": "OK", "[50.0.0.2]": "OK"}
    assert not [name for name in os.listdir(instance.config_dir) if name.startswith(".")], "a temp file was left"
    assert rcpt_code(instance, "mxbox50.bitwiz.net")[1] == 250
    assert reload_count(instance) == 1
    etc_postfix_after = sorted(os.listdir("/etc/postfix")) if os.path.isdir("/etc/postfix") else None
    assert etc_postfix_after == etc_postfix_before, "the role touched /etc/postfix"

    again = run_role(inventory)
    assert again.rc == 0 and again.recap["changed"] == 0, again


def test_entries_merge_across_group_and_host_variables(sandbox_factory, role_inventory, run_role):
    instance = sandbox_factory()
    inventory = role_inventory(
        instance,
        group_vars={"helo_guard_entries__partners": [{"host": "mxbox50.bitwiz.net", "comment": "bitwiz"},
                                                     {"ip": "50.0.0.1"}]},
        host_vars={"helo_guard_entries": [{"domain": "partner.example"}],
                   "helo_guard_entries__mx": [{"ip": "50.0.0.1"}, {"host": "MXBOX50.bitwiz.net"},
                                              {"host": "spam.example", "action": "REJECT not you"}]},
    )
    run = run_role(inventory)
    assert run.rc == 0, run
    with open(os.path.join(instance.config_dir, "helo_access")) as table:
        rules = [line for line in table.read().splitlines() if line and not line.startswith("#")]
    assert len(rules) == 4, rules  # partner.example, mxbox50, 50.0.0.1 (both forms), spam.example: duplicates merged
    answers = postmap_answers(instance, "regexp:%s/helo_access" % instance.config_dir,
                              ["partner.example", "mx.partner.example", "mxbox50.bitwiz.net", "50.0.0.1", "[50.0.0.1]",
                               "spam.example"])
    assert answers == {"partner.example": "OK", "mx.partner.example": "OK", "mxbox50.bitwiz.net": "OK",
                       "50.0.0.1": "OK", "[50.0.0.1]": "OK", "spam.example": "REJECT not you"}


def test_absent_in_host_vars_takes_a_group_entry_off_this_host_and_says_so(sandbox_factory, role_inventory, run_role):
    instance = sandbox_factory()
    inventory = role_inventory(
        instance,
        group_vars={"helo_guard_entries__partners": [{"host": "mxbox50.bitwiz.net"}, {"ip": "50.0.0.1"}]},
        host_vars={"helo_guard_entries__host": [{"ip": "[50.0.0.1]", "state": "absent"}]},
    )
    run = run_role(inventory)
    assert run.rc == 0, run
    assert ("helo_guard_entries__host[0] (ip=[50.0.0.1]) is absent and helo_guard_entries__partners[1] (ip=50.0.0.1) "
            "present: absent wins, ip 50.0.0.1 is not in the table.") in run.output, run
    answers = postmap_answers(instance, "regexp:%s/helo_access" % instance.config_dir,
                              ["mxbox50.bitwiz.net", "50.0.0.1", "[50.0.0.1]"])
    assert answers == {"mxbox50.bitwiz.net": "OK"}
    assert rcpt_code(instance, "50.0.0.1")[1] != 250


def test_conflicting_entries_fail_naming_both_variables_and_write_nothing(sandbox_factory, role_inventory, run_role):
    instance = sandbox_factory(start=False)
    main_cf = os.path.join(instance.config_dir, "main.cf")
    before = file_state(main_cf)
    inventory = role_inventory(
        instance,
        group_vars={"helo_guard_entries__partners": [{"ip": "50.0.0.1"}, {"host": "mxbox50.bitwiz.net"}]},
        host_vars={"helo_guard_entries__host": [{"host": "mxbox50.bitwiz.net", "action": "REJECT"}]},
    )
    run = run_role(inventory)
    assert run.rc != 0 and run.recap["failed"] == 1, run
    # helo_guard_entries first, then the helo_guard_entries__* variables sorted by name
    conflict = ("helo_guard_entries__host[0] and helo_guard_entries__partners[1] "
                "both list host mxbox50.bitwiz.net but disagree (action REJECT vs OK)")
    # Once in the task's result; ansible-core 2.19 echoes every failed task's msg once more as its
    # "[ERROR]: Task failed: Action failed: ..." line. Issue 12 saw it four times (a filter error is
    # repeated by each layer of the templating error chain); the merge now fails in a fail task.
    assert run.output.count(conflict) == 2 and run.output.count("Action failed: " + conflict) == 1, run
    assert "Traceback" not in run.output and "_AnsibleTagged" not in run.output, run
    assert file_state(main_cf) == before
    assert not os.path.exists(os.path.join(instance.config_dir, "helo_access"))


def test_check_mode_reports_changes_writes_nothing_and_runs_no_handler(sandbox_factory, role_inventory, run_role):
    instance = sandbox_factory()
    inventory = role_inventory(instance, host_vars={"helo_guard_entries": SEED_ENTRIES, "helo_guard_table_type": "hash"})
    listing = sorted(os.listdir(instance.config_dir))
    main_cf_before = file_state(os.path.join(instance.config_dir, "main.cf"))
    run = run_role(inventory, check=True, extra_args=["--diff"])
    assert run.rc == 0, run
    # The promotion's run edits and judges the candidate in check mode and shows what would change.
    assert run.recap["changed"] >= 1, "check mode reports the changes"
    assert "+mxbox50.bitwiz.net" in run.output and "+smtpd_helo_required = yes" in run.output, run.output
    assert file_state(os.path.join(instance.config_dir, "main.cf")) == main_cf_before
    assert sorted(os.listdir(instance.config_dir)) == listing
    handler_lines = [line for line in run.output.splitlines() if line.startswith("RUNNING HANDLER")]
    assert handler_lines, "the handlers were notified"
    assert any("promote its changed files" in name for name in run.executed_tasks()), run.executed_tasks()
    assert not [name for name in run.executed_tasks() if "Reload Postfix" in name], run.executed_tasks()
    assert not candidates_of(instance), "check mode left its candidate behind"
    assert reload_count(instance) == 0
    assert rcpt_code(instance, "nodots")[1] == 250, "the running instance still has no HELO checks"


def test_a_refused_candidate_writes_nothing_and_does_not_reload(sandbox_factory, role_inventory, run_role):
    instance = sandbox_factory()
    inventory = role_inventory(instance, host_vars={"helo_guard_entries": SEED_ENTRIES})
    assert run_role(inventory).rc == 0
    assert reload_count(instance) == 1
    paths = [os.path.join(instance.config_dir, name) for name in ("main.cf", "helo_access")]
    states_before = [file_state(path) for path in paths]

    # The restriction list points at a hash table while the role writes a
    # regexp one: both modules accept their part, but smtpd would fail every
    # lookup of hash:.../helo_access (no .db) with a temporary error. The
    # pre-flight opens every table the lists name in the candidate: it refuses.
    inventory = role_inventory(instance, host_vars={
        "helo_guard_entries": SEED_ENTRIES + [{"host": "new.example"}],
        "helo_guard_restrictions": ["permit_mynetworks", "check_helo_access hash:%s/helo_access" % instance.config_dir,
                                    "reject_non_fqdn_helo_hostname"],
    })
    run = run_role(inventory)
    assert run.rc != 0 and run.recap["failed"] == 1 and run.recap["rescued"] == 1, run
    assert "Postfix refuses the candidate for %s" % instance.config_dir in run.output, run
    assert "helo_access.db" in run.output, run
    assert "No live file was changed; Postfix was not reloaded." in run.output
    assert [file_state(path) for path in paths] == states_before, "bytes or mtime of a live file changed"
    assert reload_count(instance) == 1
    assert rcpt_code(instance, "mxbox50.bitwiz.net")[1] == 250
    assert rcpt_code(instance, "nodots")[1] == 504
    assert "reject_unknown_helo_hostname" in instance.postconf("smtpd_helo_restrictions")


def test_a_module_failure_after_the_candidate_table_was_written_changes_no_live_file(sandbox_factory, role_inventory, run_role):
    instance = sandbox_factory(start=False)
    main_cf_before = file_state(os.path.join(instance.config_dir, "main.cf"))
    inventory = role_inventory(instance, host_vars={"helo_guard_entries": SEED_ENTRIES,
                                                    # names the table (else the role refuses it before writing)
                                                    "helo_guard_restrictions": [
                                                        "permit_mynetworks\nmydestination = x",
                                                        "check_helo_access regexp:%s/helo_access" % instance.config_dir]})
    run = run_role(inventory)
    assert run.rc != 0 and run.recap["failed"] == 1 and run.recap["rescued"] == 1, run
    assert "helo_guard could not configure %s" % instance.config_dir in run.output
    assert "No live file was changed; Postfix was not reloaded." in run.output
    assert file_state(os.path.join(instance.config_dir, "main.cf")) == main_cf_before
    assert not os.path.exists(os.path.join(instance.config_dir, "helo_access")), "the table was only in the candidate"


TWO_INSTANCES_PLAYBOOK = """\
- name: Apply helo_guard to two instances of one host
  hosts: mail_servers
  gather_facts: false
  tasks:
    - name: One role run per instance
      ansible.builtin.include_role:
        name: mailops.postfix.helo_guard
      vars:
        helo_guard_config_dir: "{{ instance.config_dir }}"
        helo_guard_entries: "{{ instance.entries }}"
      loop: "{{ instances }}"
      loop_control:
        loop_var: instance
        label: "{{ instance.config_dir }}"
"""


def test_two_instances_on_one_host_each_get_their_own_table_validation_and_reload(
        sandbox_factory, role_inventory, run_role):
    first, second = sandbox_factory(), sandbox_factory()
    inventory = role_inventory(first, host_vars={"instances": [
        {"config_dir": first.config_dir, "entries": [{"host": "mxbox50.bitwiz.net"}]},
        {"config_dir": second.config_dir, "entries": [{"ip": "50.0.0.1"}]},
    ]})
    run = run_role(inventory, playbook=TWO_INSTANCES_PLAYBOOK)
    assert run.rc == 0, run
    assert (reload_count(first), reload_count(second)) == (1, 1)
    assert rcpt_code(first, "mxbox50.bitwiz.net")[1] == 250 and rcpt_code(first, "50.0.0.1")[1] == 504
    assert rcpt_code(second, "50.0.0.1")[1] == 250 and rcpt_code(second, "mxbox50.bitwiz.net")[1] == 450
    assert run_role(inventory, playbook=TWO_INSTANCES_PLAYBOOK).recap["changed"] == 0


def test_packages_of_the_table_type_and_a_grouped_pcre_table(sandbox_factory, role_inventory, run_role):
    # Postfix and postfix-pcre are installed here (make test sees to it): the
    # package task finds them by the Debian names in module_utils/postfix/maps.py and changes nothing.
    instance = sandbox_factory()
    names = ["mx%d.bitwiz.net" % number for number in range(1, 6)]
    inventory = role_inventory(instance, host_vars={
        "helo_guard_manage_packages": True, "helo_guard_table_type": "pcre", "helo_guard_table_layout": "grouped",
        "helo_guard_entries": [{"host": name} for name in names]})
    run = run_role(inventory)
    assert run.rc == 0, run
    package_task = re.search(r"Packages \| install Postfix and the map package of the table type\] \**\n(\w+): \[mx\]", run.stdout)
    assert package_task and package_task.group(1) == "ok", run
    with open(os.path.join(instance.config_dir, "helo_access")) as table:
        rules = [line for line in table.read().splitlines() if line and not line.startswith("#")]
    assert len(rules) == 1, rules
    table = "pcre:%s/helo_access" % instance.config_dir
    assert postmap_answers(instance, table, names + ["mx6.bitwiz.net"]) == {name: "OK" for name in names}
    assert rcpt_code(instance, "mx3.bitwiz.net")[1] == 250


ROLE_THEN_VERIFY_PLAYBOOK = """\
- name: The role, then its verify with the same entry variables, then with one entry more
  hosts: mail_servers
  gather_facts: false
  roles:
    - role: mailops.postfix.helo_guard
  tasks:
    - name: Verify with the role's variables
      ansible.builtin.include_role:
        name: mailops.postfix.helo_guard
        tasks_from: verify

    - name: Verify with an entry the table does not have
      ansible.builtin.include_role:
        name: mailops.postfix.helo_guard
        tasks_from: verify
      vars:
        helo_guard_entries__later: [{host: not-written.bitwiz.net}]
"""


def test_verify_reuses_the_roles_merge_only_for_the_very_same_entry_variables(sandbox_factory, role_inventory, run_role):
    """Reused, the merge saves a task; reused for other variables, verify would prove the wrong entries."""
    instance = sandbox_factory()
    inventory = role_inventory(instance, host_vars={"helo_guard_entries": SEED_ENTRIES})
    run = run_role(inventory, playbook=ROLE_THEN_VERIFY_PLAYBOOK)
    assert run.rc != 0 and run.recap["failed"] == 1, run
    merges = re.findall(r"TASK \[mailops\.postfix\.helo_guard : Verify \| merge every entry variable[^\]]*\] \**\n(\w+)",
                        run.stdout)
    assert merges == ["skipping", "included"], run.stdout
    # The first verify passed on the role's merge; the second merged again and Postfix has no answer for the new name.
    verdicts = run.stdout.split("TASK [mailops.postfix.helo_guard : Verify | entries answer their actions")[1:]
    assert len(verdicts) == 2 and verdicts[0].split("\n", 2)[1].startswith("ok: [mx]"), run.stdout
    assert "fatal: [mx]" in verdicts[1].split("PLAY RECAP")[0], run.stdout
    assert "not-written.bitwiz.net is not found in the table" in run.output, run.output


ROLE_THEN_VERIFY_WITH_A_BAD_VARIABLE = """\
- name: The role, then its verify with a variable of the wrong shape
  hosts: mail_servers
  gather_facts: false
  roles:
    - role: mailops.postfix.helo_guard
  tasks:
    - name: Verify with a list for a boolean
      ansible.builtin.include_role:
        name: mailops.postfix.helo_guard
        tasks_from: verify
      vars:
        helo_guard_smtp_probe: [1]
"""


def test_verify_refuses_a_variable_of_the_wrong_shape_even_where_the_roles_merge_stands(sandbox_factory, role_inventory,
                                                                                        run_role):
    """The same entry variables would skip verify's merge, and with it the assertion that words the refusal."""
    instance = sandbox_factory()
    run = run_role(role_inventory(instance, host_vars={"helo_guard_entries": SEED_ENTRIES}),
                   playbook=ROLE_THEN_VERIFY_WITH_A_BAD_VARIABLE)
    assert_refused_in_one_sentence(run, "helo_guard_smtp_probe must be true or false, not a list.")
