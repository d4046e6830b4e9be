# SPDX-License-Identifier: GPL-3.0-or-later
"""Which services answer the whole matrix, and how a dialog is judged (pure data)."""

from ansible_collections.mailops.postfix.plugins.module_utils.preflight.matrix import matrix_services, probe_problems


def test_the_mail_service_answers_the_matrix():
    assert matrix_services(["smtp", "submission"], {}) == ["smtp"]
    assert matrix_services(["127.0.0.1:smtp", "127.0.0.1:2525"], {}) == ["127.0.0.1:smtp"]
    assert matrix_services(["10.0.0.1:25"], {}) == ["10.0.0.1:25"]


def test_without_a_mail_service_the_ones_that_keep_main_cf_policy_do():
    overrides = {"127.0.0.1:2526": {"smtpd_helo_restrictions": "permit"}, "127.0.0.1:2525": {"syslog_name": "x"}}
    assert matrix_services(["127.0.0.1:2525", "127.0.0.1:2526"], overrides) == ["127.0.0.1:2525"]


def test_a_configuration_error_fails_whatever_was_expected():
    steps = [{"step": "CONNECT", "code": 220, "text": "ok"},
             {"step": "RCPT TO", "code": 451, "text": "4.3.5 Server configuration error"}]
    problems = probe_problems(steps, {"helo": "mx.example", "code": None})
    assert problems == ["HELO mx.example: RCPT TO answered 451 4.3.5 Server configuration error"]


def test_an_unexpected_code_names_the_probe_and_the_step():
    steps = [{"step": "CONNECT", "code": 220, "text": "ok"}, {"step": "MAIL FROM", "code": 250, "text": "2.1.0 Ok"},
             {"step": "RCPT TO", "code": 250, "text": "2.1.5 Ok"}]
    assert probe_problems(steps, {"helo": None, "code": 503}) == ["no HELO: expected 503, got 250 at RCPT TO (2.1.5 Ok)"]
    assert probe_problems(steps, {"helo": None, "code": 250}) == []
