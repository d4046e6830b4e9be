# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad input to mailops.postfix.postconf fails before any write, naming the parameter."""

import os

import pytest

from tests.harness.ansible_run import run_module
from tests.functional.modules.postconf.postconf_judge import MODULE, main_cf_path, postfix_reads, read_bytes


@pytest.mark.parametrize("parameters, message", [
    ({"smtpd-helo-required": "yes"}, "parameter name 'smtpd-helo-required'"),
    ({"smtpd_helo_required": "yes\nrelayhost = [evil.example]"},
     "parameter smtpd_helo_required: the value contains a line break or NUL"),
    ({"smtpd_helo_restrictions": ["permit_mynetworks", "reject\u0000"]},
     "parameter smtpd_helo_restrictions: the value contains a line break or NUL"),
    ({"compatibility_level": 3.6}, "parameter compatibility_level: the number 3.6 is a float"),
    ({}, "parameters is empty"),
    # values only Postfix can judge: the candidate makes postconf warn or fail
    ({"smtpd_helo_restrictions": "{permit_mynetworks, reject"},
     "parameter smtpd_helo_restrictions: postconf warns about the candidate main.cf: main.cf: missing '}'"),
    ({"compatibility_level": "abc"}, "parameter compatibility_level: postconf cannot read the candidate main.cf"),
], ids=["name", "newline", "nul", "float", "empty", "brace", "compatibility"])
def test_bad_input_fails_and_leaves_main_cf(config_dir, parameters, message):
    before = read_bytes(config_dir)
    mtime = os.stat(main_cf_path(config_dir)).st_mtime_ns
    result = run_module(MODULE, {"config_dir": str(config_dir), "parameters": parameters})
    assert result["failed"] is True, result
    assert message in result["msg"], result["msg"]
    assert "Traceback" not in result["msg"] and "Traceback" not in result["_stdout"]
    assert read_bytes(config_dir) == before
    assert os.stat(main_cf_path(config_dir)).st_mtime_ns == mtime
    assert sorted(os.listdir(str(config_dir))) == ["main.cf", "master.cf"]
    assert postfix_reads(config_dir, ["relayhost"]) == {"relayhost": ""}


def test_missing_main_cf_with_create_false(tmp_path):
    config_dir = tmp_path / "postfix-out"
    config_dir.mkdir()
    result = run_module(MODULE, {"config_dir": str(config_dir), "create": False,
                                 "parameters": {"smtpd_helo_required": True}})
    assert result["failed"] is True, result
    assert result["msg"] == "%s/main.cf does not exist and create is false" % config_dir
    assert os.listdir(str(config_dir)) == []
