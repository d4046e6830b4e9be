# SPDX-License-Identifier: GPL-3.0-or-later
"""What Postfix itself reads from a config dir, for judging the postconf module."""

import os

from ansible_collections.mailops.postfix.plugins.module_utils.postfix import cli as postfix_cli
from tests.harness.runner import subprocess_runner

RUN = subprocess_runner
MODULE = "mailops.postfix.postconf"

SEED_RESTRICTIONS = [
    "permit_mynetworks",
    "check_helo_access regexp:/etc/postfix/helo_access",
    "reject_invalid_helo_hostname",
    "reject_non_fqdn_helo_hostname",
    "reject_unknown_helo_hostname",
]
SEED_RESTRICTIONS_PRINTED = ", ".join(SEED_RESTRICTIONS)


def main_cf_path(config_dir):
    return os.path.join(str(config_dir), "main.cf")


def read_bytes(config_dir):
    with open(main_cf_path(config_dir), "rb") as main_cf:
        return main_cf.read()


def write_main_cf(config_dir, text):
    with open(main_cf_path(config_dir), "w") as main_cf:
        main_cf.write(text)
    postfix_cli.backdate(main_cf_path(config_dir))


def postfix_reads(config_dir, names):
    """``postconf -c DIR -h`` per name (main.cf back-dated first: postconf waits 1.8 s on a fresh file)."""
    postfix_cli.backdate(main_cf_path(config_dir))
    values, _warnings = postfix_cli.postconf_values(RUN, str(config_dir), names)
    return values


def postfix_non_default(config_dir):
    """``postconf -c DIR -n`` as {name: value} plus its warnings."""
    postfix_cli.backdate(main_cf_path(config_dir))
    out, warnings = postfix_cli.postconf_non_default(RUN, str(config_dir))
    settings = {}
    for line in out.splitlines():
        name, _sep, value = line.partition(" = ")
        settings[name] = value
    return settings, warnings
