# SPDX-License-Identifier: GPL-3.0-or-later
"""postconf's main() in-process: argument spec -> backend -> exit, over the real postconf binary.

Only the module's input is supplied (ansible's own ``patch_module_args``);
``module.run_command`` runs the real Postfix tools, the files are real.
The playbook-level tests are in tests/functional/modules/postconf.
"""

from __future__ import annotations

import json
import os

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.mailops.postfix.plugins.modules import postconf


def run_main(capsys, **args):
    with patch_module_args(args), pytest.raises(SystemExit) as exited:
        postconf.main()
    result = json.loads(capsys.readouterr().out)
    assert (exited.value.code != 0) == bool(result.get("failed")), result
    return result


def test_sets_a_parameter_and_reports_what_postconf_reads(capsys, config_dir):
    result = run_main(capsys, config_dir=str(config_dir), parameters={"smtpd_helo_required": True})
    assert (result["changed"], result["changed_parameters"], result["values"]) == (
        True, ["smtpd_helo_required"], {"smtpd_helo_required": "yes"})
    assert (config_dir / "main.cf").read_text() == "compatibility_level = 3.6\nsmtpd_helo_required = yes\n"
    os.utime(str(config_dir / "main.cf"), (1_600_000_000, 1_600_000_000))  # postconf waits on a young main.cf
    again = run_main(capsys, config_dir=str(config_dir), parameters={"smtpd_helo_required": "YES"})
    assert again["changed"] is False and again["changed_parameters"] == []


def test_check_mode_and_diff_write_nothing(capsys, config_dir):
    before = (config_dir / "main.cf").read_bytes()
    result = run_main(capsys, config_dir=str(config_dir), parameters={"smtpd_helo_required": True},
                      _ansible_check_mode=True, _ansible_diff=True)
    assert result["changed"] is True
    assert result["diff"]["after"] == "compatibility_level = 3.6\nsmtpd_helo_required = yes\n"
    assert (config_dir / "main.cf").read_bytes() == before


@pytest.mark.parametrize("args, message", [
    ({"parameters": {}}, "parameters is empty: name at least one parameter"),
    ({"parameters": {"smtpd_helo_required": "maybe"}},
     "parameter smtpd_helo_required: 'maybe' is not a boolean; Postfix expects yes or no here (its default is no); "
     "Postfix's daemons would stop at start-up on it; nothing was written"),
    ({"parameters": {"biff": "no"}, "owner": "no-such-user-x"},
     "%(main_cf)s cannot get the owner 'no-such-user-x': there is no such user on this host; nothing was changed"),
], ids=["empty", "bad-boolean", "bad-owner"])
def test_failures_are_one_sentence_and_change_nothing(capsys, config_dir, args, message):
    before = (config_dir / "main.cf").read_bytes()
    result = run_main(capsys, config_dir=str(config_dir), **args)
    assert result["msg"] == message % {"main_cf": config_dir / "main.cf"}
    assert "exception" not in result
    assert (config_dir / "main.cf").read_bytes() == before
    assert sorted(os.listdir(str(config_dir))) == ["main.cf", "master.cf"]
