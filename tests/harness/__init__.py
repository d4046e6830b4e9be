# SPDX-License-Identifier: GPL-3.0-or-later
"""Test harness: isolated Postfix instances on loopback and an SMTP probe.

Used by the pytest suites, the molecule scenarios, ``make demo`` and bench/.
Nothing here touches /etc/postfix or a system Postfix.
"""
