# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The HELO restriction list the helo_guard role writes, from the list the admin gives.

``observe`` mode puts ``warn_if_reject`` before every rejecting restriction
(``reject`` and each ``reject_*``): smtpd then logs ``reject_warning`` with the
reply it would have sent, and goes on as if that restriction had not
matched (seen on Postfix 3.7: ``nodots`` gets 250 at RCPT TO and the log
says ``reject_warning: RCPT from ...: 504 5.5.2 <nodots>: Helo command
rejected: need fully-qualified hostname``). ``enforce`` writes the list as
given, so switching back removes exactly what observe added.
"""

from __future__ import annotations

from .restrictions import restriction_steps

MODES = ("enforce", "observe")
WARN_IF_REJECT = "warn_if_reject"


class PolicyError(Exception):
    """A role setting the policy cannot be built from; the message names the variable."""


def _rejects(restriction):
    return restriction == "reject" or restriction.startswith("reject_")


def helo_restrictions(restrictions, mode="enforce"):
    """``smtpd_helo_restrictions`` for ``mode``: a list of elements (``name`` or ``name argument``)."""
    if mode not in MODES:
        raise PolicyError("helo_guard_mode must be one of %s, not %r" % (", ".join(MODES), mode))
    restrictions = [str(element) for element in restrictions or []]
    if mode == "enforce":
        return restrictions
    observed = []
    previous = None
    for restriction, argument in restriction_steps(", ".join(restrictions)):
        if _rejects(restriction) and previous != WARN_IF_REJECT:
            observed.append(WARN_IF_REJECT)
        observed.append("%s %s" % (restriction, argument) if argument else restriction)
        previous = restriction
    return observed
