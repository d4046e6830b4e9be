# SPDX-License-Identifier: GPL-3.0-or-later
"""The HELO policy holds on every smtpd listener: master.cf -o overrides are reported, and fail where mail arrives.

The sandboxes get a master.cf with a second smtpd service that overrides
smtpd_helo_restrictions, as submission services do; an SMTP dialog on it
shows that the override really bypasses main.cf's policy, which is why the
role must say so.
"""

import os
import time

from tests.functional.roles.helo_guard.helo_guard_run import SEED_ENTRIES, file_state
from tests.harness.sandbox import free_port
from tests.harness.smtp_probe import probe, verdict

RELAXED = "-o smtpd_helo_restrictions=permit_mynetworks,permit -o smtpd_sasl_auth_enable=no"


def add_service(instance, line):
    """Append a master.cf service line, dated back so postconf does not wait on a fresh file."""
    master_cf = os.path.join(instance.config_dir, "master.cf")
    with open(master_cf, "a") as handle:
        handle.write(line + "\n")
    past = time.time() - 60
    os.utime(master_cf, (past, past))


def listener_lines(run):
    """The role's report lines: the debug output of the listeners task."""
    lines = run.stdout.split("Listeners | the HELO settings each smtpd service runs with", 1)[1]
    return lines.split("TASK [", 1)[0]


def test_a_second_listener_that_relaxes_helo_is_reported_and_fails_once_named(sandbox_factory, role_inventory,
                                                                              run_role):
    instance = sandbox_factory(start=False)
    relaxed_port = free_port()
    add_service(instance, "127.0.0.1:%d inet n - n - - smtpd %s" % (relaxed_port, RELAXED))
    instance.start()
    run = run_role(role_inventory(instance, host_vars={"helo_guard_entries": SEED_ENTRIES}))
    assert run.rc == 0, run
    report = listener_lines(run)
    assert '"127.0.0.1:%d/inet: the main.cf HELO policy applies"' % instance.port in report, report
    assert ('"127.0.0.1:%d/inet: overrides smtpd_helo_restrictions=permit_mynetworks,permit (reported: a service '
            'for authenticated submission may relax HELO checks)"' % relaxed_port) in report, report
    # What the report says, over SMTP: the main listener enforces, the relaxed one lets nodots in.
    assert verdict(probe(instance.address, instance.port, helo="nodots"))[:2] == ("RCPT TO", 504)
    assert verdict(probe(instance.address, relaxed_port, helo="nodots"))[:2] == ("RCPT TO", 250)

    # The admin says the second listener receives mail from other servers: now it is a failure, before any write.
    main_cf = os.path.join(instance.config_dir, "main.cf")
    before = file_state(main_cf)
    named = run_role(role_inventory(instance, host_vars={
        "helo_guard_entries": SEED_ENTRIES + [{"host": "new.example"}],
        "helo_guard_enforced_services": ["127.0.0.1:%d" % relaxed_port]}))
    assert named.rc != 0 and named.recap["failed"] == 1, named
    assert ("master.cf service 127.0.0.1:%d/inet overrides -o smtpd_helo_restrictions=permit_mynetworks,permit, so "
            "the HELO policy of main.cf does not apply to the mail it receives from other servers; remove the "
            "override, or list the service in helo_guard_intended_overrides if it is meant" % relaxed_port
            ) in named.output, named
    assert file_state(main_cf) == before
    with open(os.path.join(instance.config_dir, "helo_access")) as table:
        assert "new\\.example" not in table.read()


def test_the_smtp_inet_service_may_not_override_unless_intended(sandbox_factory, role_inventory, run_role):
    # Never started: the check reads master.cf with postconf, so nothing listens on port 25.
    instance = sandbox_factory(start=False)
    add_service(instance, "127.0.0.1:smtp inet n - n - - smtpd -o smtpd_helo_required=no")
    main_cf = os.path.join(instance.config_dir, "main.cf")
    before = file_state(main_cf)
    run = run_role(role_inventory(instance, host_vars={"helo_guard_entries": SEED_ENTRIES}), check=True)
    assert run.rc != 0 and run.recap["failed"] == 1, run
    assert "master.cf service 127.0.0.1:smtp/inet overrides -o smtpd_helo_required=no" in run.output, run
    assert file_state(main_cf) == before

    intended = run_role(role_inventory(instance, host_vars={"helo_guard_entries": SEED_ENTRIES,
                                                            "helo_guard_intended_overrides": ["127.0.0.1:smtp/inet"]}))
    assert intended.rc == 0, intended
    assert '"127.0.0.1:smtp/inet: overrides smtpd_helo_required=no (intended)"' in listener_lines(intended)

    unknown = run_role(role_inventory(instance, host_vars={"helo_guard_entries": SEED_ENTRIES,
                                                           "helo_guard_intended_overrides": ["submision"]}))
    assert unknown.rc != 0, unknown
    assert "submision names no smtpd service of master.cf (smtpd services: 127.0.0.1:%d/inet, 127.0.0.1:smtp/inet)" \
        % instance.port in unknown.output, unknown
