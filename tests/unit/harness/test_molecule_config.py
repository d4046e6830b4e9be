# SPDX-License-Identifier: GPL-3.0-or-later
"""Molecule scenarios share extensions/molecule/config.yml and keep deprecation warnings visible."""

import glob
import os

import yaml

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
MOLECULE = os.path.join(TOP, "extensions", "molecule")


def load(path):
    with open(path) as stream:
        return yaml.safe_load(stream) or {}


def test_shared_config_shows_deprecations_and_scenarios_do_not_hide_them():
    shared = load(os.path.join(MOLECULE, "config.yml"))
    assert shared["ansible"]["cfg"]["defaults"]["deprecation_warnings"] is True
    scenarios = sorted(glob.glob(os.path.join(MOLECULE, "*", "molecule.yml")))
    assert len(scenarios) >= 2
    for path in scenarios:
        defaults = load(path).get("ansible", {}).get("cfg", {}).get("defaults", {})
        assert "deprecation_warnings" not in defaults, path


def test_scenarios_do_not_repeat_the_shared_settings():
    shared = load(os.path.join(MOLECULE, "config.yml"))
    for path in glob.glob(os.path.join(MOLECULE, "*", "molecule.yml")):
        scenario = load(path)
        for key in ("prerun", "verifier"):
            assert key not in scenario, (path, key)
        assert "executor" not in scenario.get("ansible", {}), path
        defaults = scenario.get("ansible", {}).get("cfg", {}).get("defaults", {})
        repeated = set(defaults) & set(shared["ansible"]["cfg"]["defaults"])
        assert not repeated, (path, repeated)
