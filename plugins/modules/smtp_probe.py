#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: smtp_probe
short_description: Ask an SMTP server what it says about a HELO name
version_added: 0.1.0
description:
  - Runs one SMTP dialog from the managed host - connect, C(EHLO) (or none), C(MAIL FROM), C(RCPT TO), C(QUIT) -
    and returns every reply.
  - With Postfix's default C(smtpd_delay_reject = yes) the HELO restrictions answer at C(RCPT TO), so
    RV(accepted) tells whether a HELO name gets past C(smtpd_helo_restrictions).
  - Sends no message; it only reads replies, so it is safe in check mode.
author:
  - mailops.postfix developers (@mailops)
options:
  address:
    description: Address (or name) of the SMTP server.
    type: str
    default: 127.0.0.1
  port:
    description: TCP port of the SMTP server.
    type: int
    default: 25
  helo:
    description:
      - The name sent with C(EHLO). Omit it, or set O(send_helo=false), to send no HELO at all.
    type: str
  send_helo:
    description: Send C(EHLO). With V(false) the dialog goes straight to C(MAIL FROM).
    type: bool
    default: true
  mail_from:
    description: The C(MAIL FROM) address.
    type: str
    default: probe@example.org
  rcpt_to:
    description: The C(RCPT TO) address; pick one the server accepts for a listed HELO (for example C(postmaster@) a local domain).
    type: str
    required: true
  source_address:
    description:
      - Address to connect from. Pick one outside the server's C(mynetworks), or C(permit_mynetworks) lets every HELO through.
    type: str
  timeout:
    description: Seconds to wait for the connection and for each reply.
    type: int
    default: 10
attributes:
  check_mode:
    support: full
    description: The module only reads replies; check mode runs the same dialog.
  diff_mode:
    support: none
    description: Nothing to compare.
  platform:
    support: full
    platforms: posix
    description: Any host with Python; the dialog starts on the managed host.
seealso:
  - module: mailops.postfix.helo_access
"""

EXAMPLES = r"""
- name: A listed HELO is accepted at RCPT TO
  mailops.postfix.smtp_probe:
    address: 127.0.0.1
    port: 25
    helo: mxbox50.bitwiz.net
    rcpt_to: postmaster@example.com
    source_address: 192.0.2.10
  register: listed_probe
  failed_when: not listed_probe.accepted

- name: No HELO at all is refused
  mailops.postfix.smtp_probe:
    send_helo: false
    rcpt_to: postmaster@example.com
  register: no_helo_probe
  failed_when: no_helo_probe.accepted
"""

RETURN = r"""
steps:
  description: Every reply of the dialog, in order. The dialog stops at the first reply of 400 or more.
  returned: success
  type: list
  elements: dict
  contains:
    step:
      description: C(CONNECT), C(EHLO), C(MAIL FROM) or C(RCPT TO).
      type: str
    code:
      description: The SMTP reply code.
      type: int
    text:
      description: The reply text.
      type: str
  sample:
    - {step: CONNECT, code: 220, text: "mx.example.com ESMTP"}
    - {step: EHLO, code: 250, text: "mx.example.com\nPIPELINING"}
    - {step: MAIL FROM, code: 250, text: "2.1.0 Ok"}
    - {step: RCPT TO, code: 504, text: "5.5.2 <nodots>: Helo command rejected: need fully-qualified hostname"}
verdict:
  description: The last reply, the one that decided the dialog.
  returned: success
  type: dict
  sample: {step: RCPT TO, code: 250, text: "2.1.5 Ok"}
accepted:
  description: Whether the server accepted C(RCPT TO) (a 2xx reply).
  returned: success
  type: bool
  sample: true
"""

import smtplib
import socket

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.mailops.postfix.plugins.module_utils.smtp.dialog import (
    SmtpDialogError,
    check_dialog_arguments,
    dialog_accepted,
    run_dialog,
)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            address=dict(type="str", default="127.0.0.1"),
            port=dict(type="int", default=25),
            helo=dict(type="str"),
            send_helo=dict(type="bool", default=True),
            mail_from=dict(type="str", default="probe@example.org"),
            rcpt_to=dict(type="str", required=True),
            source_address=dict(type="str"),
            timeout=dict(type="int", default=10),
        ),
        supports_check_mode=True,
    )
    params = module.params
    helo = params["helo"] if params["send_helo"] else None
    if params["send_helo"] and not helo:
        module.fail_json(msg="helo is required unless send_helo is false")
    try:
        check_dialog_arguments(helo, params["mail_from"], params["rcpt_to"])
    except SmtpDialogError as error:
        module.fail_json(msg=to_native(error))

    source = (params["source_address"], 0) if params["source_address"] else None
    client = smtplib.SMTP(timeout=params["timeout"], source_address=source)
    try:
        connect_reply = client.connect(params["address"], params["port"])
        steps = run_dialog(client, connect_reply, helo, params["mail_from"], params["rcpt_to"])
        try:
            client.docmd("QUIT")
        except (smtplib.SMTPException, OSError):
            pass
    except (smtplib.SMTPException, socket.error) as error:
        module.fail_json(msg="SMTP dialog with %s port %d failed: %s" % (params["address"], params["port"], to_native(error)))
    finally:
        client.close()
    module.exit_json(changed=False, steps=steps, verdict=steps[-1], accepted=dialog_accepted(steps))


if __name__ == "__main__":
    main()
