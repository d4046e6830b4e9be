# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""One SMTP dialog that shows what an smtpd says about a HELO name.

``run_dialog`` is handed a connected client with the interface of
``smtplib.SMTP`` (``docmd(cmd, args)`` returning ``(code, text)``) and sends
EHLO (or nothing), MAIL FROM and RCPT TO. With Postfix's default
``smtpd_delay_reject = yes`` the HELO restrictions answer at RCPT TO, so the
verdict of a dialog is its last reply.

``probe(ProbeOptions(...))`` is smtp_probe's backend: it checks the options
(port and timeout ranges, arguments that would end a command early),
connects, runs the dialog and returns a ``ProbeResult``; every failure is an
``SmtpDialogError`` whose message is a sentence (no exception text).
"""

from __future__ import annotations

import dataclasses
import errno
import ipaddress
import smtplib
import socket

PORT_RANGE = (1, 65535)
# Seconds for the connection and for each reply: at least one, at most ten minutes.
TIMEOUT_RANGE = (1, 600)
_SOCKET_REASONS = {
    errno.ECONNREFUSED: "the connection was refused (nothing listens on that port?)",
    errno.EHOSTUNREACH: "the host is unreachable",
    errno.ENETUNREACH: "the network is unreachable",
    errno.EADDRNOTAVAIL: "the source address is not an address of this host",
    errno.ECONNRESET: "the server reset the connection",
}


class SmtpDialogError(Exception):
    """An option of the dialog is unusable or the dialog failed; the text is a sentence naming it."""


def _text(raw):
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def check_dialog_arguments(helo, mail_from, rcpt_to):
    """Refuse values that would end an SMTP command early."""
    for name, value in (("helo", helo), ("mail_from", mail_from), ("rcpt_to", rcpt_to)):
        if value is None:
            continue
        if any(character in value for character in "\r\n\0"):
            raise SmtpDialogError("%s %r contains a line break or NUL, which would end the SMTP command early."
                                  % (name, value))
        if name == "helo" and (not value.strip() or " " in value):
            raise SmtpDialogError("helo %r must be one word (a hostname or an address literal)." % value)


def run_dialog(client, connect_reply, helo, mail_from, rcpt_to):
    """Return ``[{"step", "code", "text"}]``: CONNECT, [EHLO], MAIL FROM, RCPT TO.

    The dialog stops at the first reply of 400 or more (RCPT TO is not sent
    after a refused MAIL FROM). ``helo=None`` sends no HELO at all.
    """
    check_dialog_arguments(helo, mail_from, rcpt_to)
    steps = [{"step": "CONNECT", "code": connect_reply[0], "text": _text(connect_reply[1])}]
    commands = []
    if helo is not None:
        commands.append(("EHLO", "EHLO", helo))
    commands.append(("MAIL FROM", "MAIL", "FROM:<%s>" % mail_from))
    commands.append(("RCPT TO", "RCPT", "TO:<%s>" % rcpt_to))
    if connect_reply[0] >= 400:
        return steps
    for step, verb, argument in commands:
        code, text = client.docmd(verb, argument)
        steps.append({"step": step, "code": code, "text": _text(text)})
        if code >= 400:
            break
    return steps


def dialog_accepted(steps):
    """True when the dialog reached RCPT TO and the server accepted it (2xx)."""
    last = steps[-1]
    return last["step"] == "RCPT TO" and 200 <= last["code"] < 300


@dataclasses.dataclass(frozen=True)
class ProbeOptions:
    """The smtp_probe task's options; ``helo=None`` sends no HELO."""

    rcpt_to: str
    address: str = "127.0.0.1"
    port: int = 25
    helo: str | None = None
    mail_from: str = "probe@example.org"
    source_address: str | None = None
    timeout: int = 10


@dataclasses.dataclass(frozen=True)
class ProbeResult:
    """Every reply, the one that decided the dialog, and whether RCPT TO was accepted."""

    steps: list
    verdict: dict
    accepted: bool


def check_probe_options(options: ProbeOptions) -> None:
    """Refuse a port or timeout out of range and a source address that is not an address."""
    low, high = PORT_RANGE
    if not low <= options.port <= high:
        raise SmtpDialogError("port %d is not a TCP port: give %d to %d." % (options.port, low, high))
    low, high = TIMEOUT_RANGE
    if not low <= options.timeout <= high:
        raise SmtpDialogError("timeout %s is out of range: give %d to %d seconds." % (options.timeout, low, high))
    if options.source_address:
        try:
            ipaddress.ip_address(options.source_address)
        except ValueError:
            raise SmtpDialogError("source_address %r is not an IPv4 or IPv6 address." % options.source_address) \
                from None
    if not options.address or any(char.isspace() or char == "\x00" for char in options.address):
        raise SmtpDialogError("address %r is empty or contains whitespace or a NUL." % options.address)
    check_dialog_arguments(options.helo, options.mail_from, options.rcpt_to)


def failure_reason(error: Exception, timeout: int) -> str:
    """Words for why a connection or dialog failed (no errno number, no exception text)."""
    if isinstance(error, (socket.timeout, TimeoutError)):
        return "no reply within %d seconds" % timeout
    if isinstance(error, socket.gaierror):
        return "the name does not resolve"
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return "the server closed the connection"
    if isinstance(error, smtplib.SMTPException):
        return "the server's reply was not SMTP"
    if isinstance(error, OSError) and error.errno in _SOCKET_REASONS:
        return _SOCKET_REASONS[error.errno]
    if isinstance(error, OSError) and error.errno:
        return "the system says: %s" % errno.errorcode.get(error.errno, "error %d" % error.errno)
    return "the connection failed"


def probe(options: ProbeOptions) -> ProbeResult:
    """Run one dialog as ``options`` say; raises SmtpDialogError with a sentence."""
    check_probe_options(options)
    source = (options.source_address, 0) if options.source_address else None
    client = smtplib.SMTP(timeout=options.timeout, source_address=source)
    try:
        connect_reply = client.connect(options.address, options.port)
        steps = run_dialog(client, connect_reply, options.helo, options.mail_from, options.rcpt_to)
        try:
            client.docmd("QUIT")
        except (smtplib.SMTPException, OSError):
            pass
    except (smtplib.SMTPException, OSError) as error:
        raise SmtpDialogError("The SMTP dialog with %s port %d failed: %s."
                              % (options.address, options.port, failure_reason(error, options.timeout))) from None
    finally:
        client.close()
    return ProbeResult(steps=steps, verdict=steps[-1], accepted=dialog_accepted(steps))
