# SPDX-License-Identifier: GPL-3.0-or-later
"""Values Postfix's daemons refuse at start-up are refused before anything is written.

For every refused value two things are shown against real Postfix:
the module fails with a sentence and main.cf stays as it was (the running
sandbox still greets after a reload), and the same value, put in a fresh
sandbox's main.cf by hand, breaks it: smtpd accepts the TCP connection and
never sends a banner (Postfix logs its own fatal error), or Postfix does not
start at all. Border values Postfix accepts are written and served.
"""

from __future__ import annotations

import os
import socket

import pytest

from tests.harness.ansible_run import run_module
from tests.harness.sandbox import SandboxError
from tests.functional.modules.postconf.postconf_judge import MODULE, main_cf_path

BANNER_WAIT_SECONDS = 3

# (parameter, value, the module's words, what Postfix logs when it reads it)
REFUSED = [
    ("smtpd_helo_required", "maybe", "'maybe' is not a boolean; Postfix expects yes or no here (its default is no)",
     "fatal: bad boolean configuration: smtpd_helo_required = maybe"),
    ("smtpd_recipient_limit", "lots", "'lots' is not a whole number; Postfix expects digits only here "
     "(its default is 1000)", "fatal: bad numerical configuration: smtpd_recipient_limit = lots"),
    ("smtpd_recipient_limit", "99999999999", "'99999999999' is past the largest number Postfix can hold here "
     "(2147483647)", "fatal: bad numerical configuration: smtpd_recipient_limit = 99999999999"),
    ("smtpd_recipient_limit", "-5", "'-5' is negative; Postfix expects a whole number of 0 or more here",
     "fatal: invalid smtpd_recipient_limit parameter value -5 < 1"),
    ("smtpd_timeout", "300x", "'300x' is not a time; Postfix expects a whole number of 0 or more with at most one "
     "unit letter, s, m, h, d or w (lower case) (its default is 300s)",
     "fatal: parameter smtpd_timeout: bad time value or unit: 300x"),
    ("smtpd_timeout", "300S", "'300S' is not a time", "fatal: parameter smtpd_timeout: bad time value or unit: 300S"),
    ("smtpd_timeout", "35791394m", "'35791394m' is past the longest time Postfix can hold",
     "fatal: parameter smtpd_timeout: bad time value or unit: 35791394m"),
    ("message_size_limit", "99999999999999999999", "is past the largest number Postfix can hold here "
     "(9223372036854775807)", None),  # None: `postfix start` itself fails
]
IDS = ["%s=%s" % (name, value) for name, value, _words, _fatal in REFUSED]


def banner(instance):
    """The first bytes smtpd sends after connecting (b"" when it closes or stays silent)."""
    with socket.create_connection((instance.address, instance.port), timeout=BANNER_WAIT_SECONDS) as connection:
        connection.settimeout(BANNER_WAIT_SECONDS)
        try:
            return connection.recv(200)
        except socket.timeout:
            return b""


def logged(instance, text):
    try:
        with open(instance.log_file) as log:
            return text in log.read()
    except OSError:
        return False


@pytest.fixture(scope="module")
def running(request):
    """One running sandbox for the module runs of this file (the refused values never reach it)."""
    from tests.harness.sandbox import PostfixSandbox, make_base_dir, require_postfix
    require_postfix()
    instance = PostfixSandbox(make_base_dir()).create()
    request.addfinalizer(instance.destroy)
    return instance.start()


@pytest.mark.parametrize("name, value, words, fatal", REFUSED, ids=IDS)
def test_refused_before_writing_and_the_running_postfix_keeps_serving(running, name, value, words, fatal):
    path = main_cf_path(running.config_dir)
    with open(path, "rb") as main_cf:
        before = main_cf.read()
    mtime = os.stat(path).st_mtime_ns
    listing = sorted(os.listdir(running.config_dir))
    result = run_module(MODULE, {"config_dir": running.config_dir, "parameters": {name: value}, "backup": True})
    assert result["failed"] is True, result
    assert result["msg"].startswith("parameter %s: %r " % (name, value)), result["msg"]
    assert words in result["msg"] and result["msg"].endswith(
        "Postfix's daemons would stop at start-up on it; nothing was written"), result["msg"]
    assert "Traceback" not in result["_stdout"] and result["msg"].count("parameter ") == 1
    with open(path, "rb") as main_cf:
        assert main_cf.read() == before
    assert os.stat(path).st_mtime_ns == mtime
    assert sorted(os.listdir(running.config_dir)) == listing
    running.reload()
    assert banner(running).startswith(b"220 "), running.log_tail()


@pytest.mark.parametrize("name, value, words, fatal", REFUSED, ids=IDS)
def test_the_same_value_written_by_hand_breaks_postfix(sandbox_factory, name, value, words, fatal):
    """The proof that refusing was right: Postfix itself stops on the value."""
    instance = sandbox_factory(extra_parameters={name: value}, start=False)
    if fatal is None:
        with pytest.raises(SandboxError):
            instance.start(timeout=5)
        return
    instance.start()
    assert banner(instance) == b"", "smtpd greeted although %s = %s" % (name, value)
    assert logged(instance, fatal), instance.log_tail()


def test_border_values_postfix_accepts_are_written_and_served(sandbox_factory):
    instance = sandbox_factory()
    accepted = {"smtpd_helo_required": "YES", "message_size_limit": "3000000000", "smtpd_timeout": "35791393m",
                "smtpd_recipient_limit": "+5"}
    result = run_module(MODULE, {"config_dir": instance.config_dir, "parameters": accepted})
    assert result["changed"] is True and not result.get("failed"), result
    assert result["values"] == accepted
    instance.reload()
    assert banner(instance).startswith(b"220 "), instance.log_tail()
    assert not logged(instance, "fatal:"), instance.log_tail()


def test_a_reference_is_judged_by_what_it_expands_to(running):
    path = main_cf_path(running.config_dir)
    with open(path, "rb") as main_cf:
        before = main_cf.read()
    result = run_module(MODULE, {"config_dir": running.config_dir, "parameters": {
        "my_helo_choice": "maybe", "smtpd_helo_required": "$my_helo_choice"}})
    assert result["failed"] is True, result
    assert result["msg"].startswith("parameter smtpd_helo_required: '$my_helo_choice' ('maybe' once $names are "
                                    "expanded) is not a boolean"), result["msg"]
    with open(path, "rb") as main_cf:
        assert main_cf.read() == before
