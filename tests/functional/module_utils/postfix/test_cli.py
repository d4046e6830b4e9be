# SPDX-License-Identifier: GPL-3.0-or-later
"""postfix.cli against the real Postfix binaries."""

import os
import time

import pytest

from ansible_collections.mailops.postfix.plugins.module_utils.postfix import cli
from tests.harness.runner import subprocess_runner

RUN = subprocess_runner


def test_postmap_query_regexp_one_process_for_many_keys(config_dir, tmp_path):
    table = tmp_path / "helo_access"
    table.write_text("/^50\\.0\\.0\\.1$/ OK\n/^mxbox50\\.bitwiz\\.net$/ REJECT go away\n")
    answers, warnings = cli.postmap_query(RUN, str(config_dir), "regexp", str(table),
                                          ["50.0.0.1", "MXBOX50.bitwiz.net", "50.0.0.10", "other.example"])
    assert answers == {"50.0.0.1": "OK", "MXBOX50.bitwiz.net": "REJECT go away"}
    assert warnings == []


def test_postmap_query_reports_syntax_warnings(config_dir, tmp_path):
    table = tmp_path / "helo_access"
    table.write_text("/^50\\.0\\.0\\.1$ OK\n")  # unterminated expression
    answers, warnings = cli.postmap_query(RUN, str(config_dir), "regexp", str(table), ["50.0.0.1"])
    assert answers == {}
    assert any("helo_access" in warning for warning in warnings), warnings


def test_postmap_build_and_required(config_dir, tmp_path):
    table = tmp_path / "helo_access"
    table.write_text("mxbox50.bitwiz.net OK\n")
    assert cli.postmap_required("hash", str(table)) is True
    cli.postmap_build(RUN, str(config_dir), "hash", str(table))
    assert os.path.exists(str(table) + ".db")
    assert cli.postmap_required("hash", str(table)) is False
    answers, _warnings = cli.postmap_query(RUN, str(config_dir), "hash", str(table), ["mxbox50.bitwiz.net"])
    assert answers == {"mxbox50.bitwiz.net": "OK"}
    future = time.time() + 5
    os.utime(table, (future, future))
    assert cli.postmap_required("hash", str(table)) is True
    assert cli.postmap_required("regexp", str(table)) is False


def test_postmap_build_refuses_text_types(config_dir, tmp_path):
    with pytest.raises(cli.PostfixCommandError, match="regexp tables need no postmap"):
        cli.postmap_build(RUN, str(config_dir), "regexp", str(tmp_path / "t"))


def test_postconf_values_and_unknown_parameter(config_dir):
    (config_dir / "main.cf").write_text("smtpd_helo_required = yes\nmy_own_param = 1\n")
    cli.backdate(str(config_dir / "main.cf"))
    values, warnings = cli.postconf_values(RUN, str(config_dir), ["smtpd_helo_required", "no_such_parameter_x"])
    assert values == {"smtpd_helo_required": "yes", "no_such_parameter_x": None}
    assert "no_such_parameter_x: unknown parameter" in warnings


def test_postconf_non_default_warns_on_unused_parameter(config_dir):
    (config_dir / "main.cf").write_text("smtpd_helo_requird = yes\nsmtpd_helo_required = yes\n")
    cli.backdate(str(config_dir / "main.cf"))
    out, warnings = cli.postconf_non_default(RUN, str(config_dir))
    assert "smtpd_helo_required = yes" in out.splitlines()
    assert "smtpd_helo_requird" not in out
    assert any("unused parameter: smtpd_helo_requird=yes" in warning for warning in warnings), warnings


def test_supported_map_types(config_dir):
    types = cli.supported_map_types(RUN, str(config_dir))
    assert {"regexp", "hash", "pcre", "lmdb"} <= types
    assert "no_such_type" not in types


def test_scratch_config_dir_is_removed():
    with cli.scratch_config_dir("smtpd_helo_required = yes\n") as directory:
        assert os.path.isfile(os.path.join(directory, "main.cf"))
        values, _warnings = cli.postconf_values(RUN, directory, ["smtpd_helo_required"])
        assert values["smtpd_helo_required"] == "yes"
    assert not os.path.exists(directory)


def test_postconf_defaults_ignore_main_cf_and_mark_unknown(config_dir):
    (config_dir / "main.cf").write_text("smtpd_helo_required = yes\nmy_ref = a\nsmtpd_client_restrictions = $my_ref\n")
    cli.backdate(str(config_dir / "main.cf"))
    defaults, warnings = cli.postconf_defaults(RUN, str(config_dir),
                                               ["smtpd_helo_required", "maximal_queue_lifetime", "my_ref"])
    assert defaults == {"smtpd_helo_required": "no", "maximal_queue_lifetime": "5d", "my_ref": None}
    assert "my_ref: unknown parameter" in warnings


def test_postconf_expanded_values_follow_references(config_dir):
    (config_dir / "main.cf").write_text(
        "table = regexp:/etc/postfix/helo_access\n"
        "helo_checks = check_helo_access $table, reject_non_fqdn_helo_hostname\n"
        "smtpd_helo_restrictions = permit_mynetworks, $helo_checks\n")
    cli.backdate(str(config_dir / "main.cf"))
    values, _warnings = cli.postconf_expanded_values(RUN, str(config_dir), ["smtpd_helo_restrictions", "no_such_x"])
    assert values == {
        "smtpd_helo_restrictions":
            "permit_mynetworks, check_helo_access regexp:/etc/postfix/helo_access, reject_non_fqdn_helo_hostname",
        "no_such_x": None}
    plain, _warnings = cli.postconf_values(RUN, str(config_dir), ["smtpd_helo_restrictions"])
    assert plain == {"smtpd_helo_restrictions": "permit_mynetworks, $helo_checks"}


def test_postconf_builtin_values_in_one_call(config_dir):
    (config_dir / "main.cf").write_text("helo_checks = reject_non_fqdn_helo_hostname\n"
                                        "smtpd_helo_restrictions = permit_mynetworks,\n  $helo_checks\n"
                                        "smtpd_helo_required = yes\n")
    cli.backdate(str(config_dir / "main.cf"))
    names = ["smtpd_helo_restrictions", "smtpd_client_restrictions", "smtpd_helo_required"]
    assert cli.postconf_builtin_values(RUN, str(config_dir), names) == {
        "smtpd_helo_restrictions": "permit_mynetworks, $helo_checks", "smtpd_client_restrictions": "",
        "smtpd_helo_required": "yes"}
    assert cli.postconf_builtin_values(RUN, str(config_dir), names, expand=True)["smtpd_helo_restrictions"] == \
        "permit_mynetworks, reject_non_fqdn_helo_hostname"
    with pytest.raises(cli.PostfixCommandError, match="printed 1 lines for 2 names: no_such_x: unknown parameter"):
        cli.postconf_builtin_values(RUN, str(config_dir), ["no_such_x", "smtpd_helo_required"])
