# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The access family's one error type, in a file of its own.

helo_access imports it before it knows which path a run takes; a run that
replays a recorded one (verdicts.run_digest) never loads the entry model
(entry.py, names.py), and on the host every import compiles from source.
entry.py re-exports it: ``entry.AccessTableError`` is this class.
"""


class AccessTableError(Exception):
    """Bad input or an unreadable table; the message is a sentence naming the entry or line."""
