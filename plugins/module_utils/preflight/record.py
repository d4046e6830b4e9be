# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The convergence record: what was last judged, and what the running instance last loaded.

One JSON file in the instance's data_directory (outside the config dir, so
no backup or copy of /etc/postfix carries it): ``{config_dir: {"judged":
digest, "loaded": digest, "settled": key}}``. A run compares the live files'
digest with it: files not judged are judged; judged files the running
instance has not loaded are reloaded. ``settled`` is the key of what the last
promotion (or confirmation) left (``stage.settled_key``): a run whose caller
wants the same, on the same bytes and attributes, has nothing to do. It is
written through a temp file and a rename.
"""

from __future__ import annotations

import json
import os
import tempfile

from ansible_collections.mailops.postfix.plugins.module_utils.postfix import cli as postfix_cli
from ansible_collections.mailops.postfix.plugins.module_utils.preflight.errors import PreflightError

RECORD_NAME = "mailops-preflight.json"


def record_path(run_command, config_dir, record_dir=None):
    if not record_dir:
        record_dir = postfix_cli.postconf_builtin_values(run_command, config_dir, ["data_directory"])["data_directory"]
    return os.path.join(record_dir, RECORD_NAME)


def read_record(path, config_dir):
    """``{"judged": ..., "loaded": ..., "settled": ...}`` (each a digest or None) for ``config_dir``."""
    try:
        with open(path) as handle:
            record = json.load(handle).get(os.path.normpath(config_dir), {})
    except (OSError, ValueError, AttributeError):
        record = {}
    return {name: record.get(name) for name in ("judged", "loaded", "settled")}


def write_record(path, config_dir, **digests):
    """Update ``judged``, ``loaded`` and/or ``settled`` of ``config_dir`` in the record."""
    try:
        with open(path) as handle:
            records = json.load(handle)
        if not isinstance(records, dict):
            records = {}
    except (OSError, ValueError):
        records = {}
    records.setdefault(os.path.normpath(config_dir), {}).update(digests)
    directory = os.path.dirname(path)
    try:
        os.makedirs(directory, exist_ok=True)
        descriptor, temp_path = tempfile.mkstemp(prefix=".%s." % RECORD_NAME, dir=directory)
        try:
            with os.fdopen(descriptor, "w") as handle:
                json.dump(records, handle, indent=1, sort_keys=True)
                handle.flush()
                os.fsync(handle.fileno())
            os.rename(temp_path, path)
        except OSError:
            os.unlink(temp_path)
            raise
    except OSError as error:
        raise PreflightError("cannot write the convergence record %s: %s" % (path, error.strerror)) from None
