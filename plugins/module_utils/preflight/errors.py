# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one error type of the pre-flight backend."""

from __future__ import annotations


class PreflightError(Exception):
    """The candidate cannot be staged, judged, promoted or loaded; the text says why, for the admin."""
