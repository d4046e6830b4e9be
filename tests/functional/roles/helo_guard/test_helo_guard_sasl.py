# SPDX-License-Identifier: GPL-3.0-or-later
"""The default restriction list lets authenticated users through whatever their HELO; others are judged.

A sandbox with Cyrus SASL: a sasldb inside the sandbox (saslpasswd2 -f), an
smtpd.conf beside it (Debian's Postfix reads <config_dir>/sasl/smtpd.conf;
cyrus_sasl_config_path names it for upstream builds). scripts/ensure-postfix.sh
installs sasl2-bin and libsasl2-modules.
"""

import os
import pwd
import shutil
import smtplib
import subprocess

import pytest

from tests.functional.roles.helo_guard.helo_guard_run import SEED_ENTRIES
from tests.harness.sandbox import SANDBOX_DOMAIN, SandboxError

USER, PASSWORD = "alice", "laptop-secret"


def sasl_parameters(instance):
    """Write the sandbox's sasldb and smtpd.conf; returns the main.cf parameters that enable SASL."""
    if shutil.which("saslpasswd2") is None:
        raise SandboxError("saslpasswd2 not found: run scripts/ensure-postfix.sh as root (installs sasl2-bin)")
    sasl_dir = os.path.join(instance.config_dir, "sasl")
    os.makedirs(sasl_dir, mode=0o755)
    sasldb = os.path.join(sasl_dir, "sasldb2")
    with open(os.path.join(sasl_dir, "smtpd.conf"), "w") as conf:
        conf.write("pwcheck_method: auxprop\nauxprop_plugin: sasldb\nmech_list: PLAIN LOGIN\nsasldb_path: %s\n" % sasldb)
    subprocess.run(["saslpasswd2", "-f", sasldb, "-c", "-p", "-u", SANDBOX_DOMAIN, USER], input=PASSWORD,
                   text=True, check=True, capture_output=True)
    os.chown(sasldb, 0, pwd.getpwnam("postfix").pw_gid)
    os.chmod(sasldb, 0o640)
    return {"smtpd_sasl_auth_enable": "yes", "smtpd_sasl_type": "cyrus", "cyrus_sasl_config_path": sasl_dir,
            "smtpd_sasl_path": "smtpd", "smtpd_sasl_local_domain": SANDBOX_DOMAIN}


@pytest.fixture
def sasl_sandbox(sandbox_factory):
    instance = sandbox_factory(start=False)
    instance.set_parameters(sasl_parameters(instance))
    instance.start()
    return instance


def rcpt_reply(instance, helo, authenticate):
    """EHLO helo [AUTH PLAIN] MAIL RCPT from 127.0.0.3 (outside mynetworks): the RCPT TO reply code."""
    client = smtplib.SMTP(source_address=("127.0.0.3", 0), timeout=10)
    try:
        client.connect(instance.address, instance.port)
        client.ehlo(helo)
        if authenticate:
            assert client.login(USER, PASSWORD)[0] == 235
        assert client.docmd("MAIL", "FROM:<%s@example.org>" % USER)[0] == 250
        return client.docmd("RCPT", "TO:<postmaster@%s>" % SANDBOX_DOMAIN)[0]
    finally:
        client.close()


def test_an_authenticated_laptop_passes_and_an_anonymous_one_is_rejected(sasl_sandbox, role_inventory, run_role):
    instance = sasl_sandbox
    run = run_role(role_inventory(instance, host_vars={"helo_guard_entries": SEED_ENTRIES}))
    assert run.rc == 0, run
    assert instance.postconf("smtpd_helo_restrictions").startswith("permit_mynetworks, permit_sasl_authenticated, ")
    assert rcpt_reply(instance, "DESKTOP-4F2A", authenticate=True) == 250
    assert rcpt_reply(instance, "DESKTOP-4F2A", authenticate=False) == 504
    assert rcpt_reply(instance, "mxbox50.bitwiz.net", authenticate=False) == 250

    # Without permit_sasl_authenticated the same authenticated session is rejected: the element is what lets it in.
    strict = run_role(role_inventory(instance, host_vars={"helo_guard_entries": SEED_ENTRIES, "helo_guard_restrictions": [
        "permit_mynetworks", "check_helo_access regexp:%s/helo_access" % instance.config_dir,
        "reject_non_fqdn_helo_hostname"]}))
    assert strict.rc == 0, strict
    assert rcpt_reply(instance, "DESKTOP-4F2A", authenticate=True) == 504
