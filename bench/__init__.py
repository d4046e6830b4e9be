# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmarks of mailops.postfix against what users run today (``make bench``).

See bench/README.md and docs/performance.md.
"""
