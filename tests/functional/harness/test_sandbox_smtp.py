# SPDX-License-Identifier: GPL-3.0-or-later
"""The harness itself, end to end: real Postfix instances answering real SMTP."""

from tests.harness.smtp_probe import probe, verdict


def test_helo_required_answers_503_without_helo(sandbox_factory):
    instance = sandbox_factory({"smtpd_helo_required": "yes"})
    assert instance.postconf("smtpd_helo_required") == "yes"
    step, code, text = verdict(probe(instance.address, instance.port, helo=None))
    assert (step, code) == ("MAIL FROM", 503), text
    assert "HELO" in text


def test_helo_not_required_accepts_without_helo(sandbox_factory):
    instance = sandbox_factory({"smtpd_helo_required": "no"})
    step, code, text = verdict(probe(instance.address, instance.port, helo=None))
    assert (step, code) == ("RCPT TO", 250), text


def test_non_fqdn_helo_rejected_504_at_rcpt(sandbox_factory):
    instance = sandbox_factory({"smtpd_helo_required": "yes",
                                "smtpd_helo_restrictions": "reject_non_fqdn_helo_hostname"})
    steps = probe(instance.address, instance.port, helo="nodots")
    assert [(step, code) for step, code, _text in steps] == [
        ("CONNECT", 220), ("EHLO", 250), ("MAIL FROM", 250), ("RCPT TO", 504)]
    assert "need fully-qualified hostname" in verdict(steps)[2]
    # the same instance accepts a fully qualified name: the rule, not the instance, said no
    assert verdict(probe(instance.address, instance.port, helo="mx.example.org"))[1] == 250


def test_instances_side_by_side_and_teardown_leaves_no_process(sandbox_factory):
    strict = sandbox_factory({"smtpd_helo_required": "yes"})
    lax = sandbox_factory({"smtpd_helo_required": "no"}, address="127.0.0.3")
    assert strict.port != lax.port or strict.address != lax.address
    assert verdict(probe(strict.address, strict.port))[1] == 503
    assert verdict(probe(lax.address, lax.port))[1] == 250
    strict_pids = strict.processes()
    assert strict_pids, "a running instance has processes"
    strict.stop()
    assert strict.processes() == []
    assert not strict.is_listening()
    # stopping one instance leaves the other answering
    assert verdict(probe(lax.address, lax.port))[1] == 250


def test_reload_applies_new_main_cf(sandbox_factory):
    instance = sandbox_factory({"smtpd_helo_required": "no"})
    assert verdict(probe(instance.address, instance.port))[1] == 250
    instance.set_parameters({"smtpd_helo_required": "yes"})
    instance.reload()
    assert verdict(probe(instance.address, instance.port))[1] == 503
