#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

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
    description: TCP port of the SMTP server, V(1) to V(65535).
    type: int
    default: 25
  helo:
    description:
      - The name sent with C(EHLO), one word (a hostname or an address literal).
      - Omit it, or set O(send_helo=false), to send no HELO at all.
    type: str
  send_helo:
    description:
      - V(true) sends C(EHLO) and then needs O(helo); V(false) sends none, even when O(helo) is set, and the dialog
        goes straight to C(MAIL FROM).
      - Omitted, a HELO is sent exactly when O(helo) is given.
    type: bool
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
    description: Seconds to wait for the connection and for each reply, V(1) to V(600).
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

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.mailops.postfix.plugins.module_utils.smtp.dialog import ProbeOptions, SmtpDialogError, probe

ARGUMENT_SPEC = dict(
    address=dict(type="str", default="127.0.0.1"),
    port=dict(type="int", default=25),
    helo=dict(type="str"),
    send_helo=dict(type="bool"),
    mail_from=dict(type="str", default="probe@example.org"),
    rcpt_to=dict(type="str", required=True),
    source_address=dict(type="str"),
    timeout=dict(type="int", default=10),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, required_if=[("send_helo", True, ("helo",))],
                           supports_check_mode=True)
    params = module.params
    options = ProbeOptions(address=params["address"], port=params["port"],
                           helo=None if params["send_helo"] is False else params["helo"],
                           mail_from=params["mail_from"], rcpt_to=params["rcpt_to"],
                           source_address=params["source_address"], timeout=params["timeout"])
    try:
        result = probe(options)
    except SmtpDialogError as error:
        module.fail_json(msg=str(error))
    module.exit_json(changed=False, steps=result.steps, verdict=result.verdict, accepted=result.accepted)


if __name__ == "__main__":
    main()
