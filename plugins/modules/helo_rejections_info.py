#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: helo_rejections_info
short_description: Read Postfix's log and say who the HELO checks rejected (or would reject) and what to list
version_added: 0.1.0
description:
  - Reads Postfix's log and returns every distinct HELO rejection smtpd logged
    (C(Helo command rejected)), counted, with the first and last time it was seen; lines logged as
    C(reject_warning) (a restriction behind C(warn_if_reject), as the C(mailops.postfix.helo_guard)
    role writes them with C(helo_guard_mode=observe)) have RV(rejections[].warning_only=true) - mail
    was accepted, the check would have rejected it.
  - Returns C(suggested_entries) in the helo_guard role's entry format, each HELO name bound to the
    C(clients) it was seen from, to review and add to C(helo_guard_entries__*).
  - Understands the formats Postfix's lines arrive in - syslog classic timestamps (C(Dec  1 20:58:53),
    as postlogd writes O(path) for C(maillog_file) too), ISO 8601 / RFC 3339 (rsyslog's file format,
    C(journalctl -o short-iso)) and RFC 5424. Lines of other programs and lines it does not know are skipped.
  - Streams the files in 1 MiB chunks and decodes only lines that contain the rejection text, so memory
    does not grow with the log's size (only with the number of distinct rejections). gzip-compressed rotations are read as they are.
  - It never changes anything.
options:
  path:
    description:
      - A log file or a glob of files (quote it), for example V(/var/log/mail.log*) to read the current
        log and its rotations (V(mail.log.1), V(mail.log.2.gz), ...). Files are read oldest first.
      - Default - the C(maillog_file) of the Postfix instance in O(config_dir) when it sets one, else
        V(/var/log/mail.log*) (Debian, Ubuntu) or V(/var/log/maillog*) (RHEL, SUSE), whichever exists.
    type: path
  since:
    description:
      - Count only lines at or after this time - an ISO 8601 date or date-time (V(2026-11-24),
        V(2026-11-24T08:00:00+01:00); without an offset it is the host's local time) or a duration back
        from now (V(30m), V(12h), V(7d), V(2w)).
      - A classic syslog timestamp has no year; a line gets the year of its file's modification time, or
        the year before when that would put it more than a day after the file was last written.
    type: str
  config_dir:
    description:
      - The Postfix config dir whose C(maillog_file) is the default O(path). Only read when O(path) is not given.
    type: path
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - mailops.postfix.attributes.info_module
notes:
  - O(since) filters by the time on each line; it does not skip whole files, so every file of O(path) is read.
  - A rejection is counted once per log line; smtpd logs one line per rejected command (each RCPT TO
    with the default C(smtpd_delay_reject=yes)).
seealso:
  - module: mailops.postfix.helo_access_info
author:
  - mailops.postfix developers (@mailops)
"""

EXAMPLES = r"""
- name: Who would the HELO checks have rejected in the last 7 days?
  mailops.postfix.helo_rejections_info:
    path: /var/log/mail.log*
    since: 7d
  register: helo_report

- name: Show the peers and the entries that would let them through
  ansible.builtin.debug:
    msg:
      - "{{ helo_report.rejections | map(attribute='helo') | unique }}"
      - "{{ helo_report.suggested_entries | to_nice_yaml }}"

- name: A second instance that writes its own maillog_file
  mailops.postfix.helo_rejections_info:
    config_dir: /etc/postfix-out
"""

RETURN = r"""
files:
  description: The files read, oldest first.
  returned: always
  type: list
  elements: str
  sample: [/var/log/mail.log.2.gz, /var/log/mail.log.1, /var/log/mail.log]
rejections:
  description:
    - One item per distinct HELO name, client, reply code, reason and warning state (lines before O(since) left out),
      the most frequent first.
    - C(first_seen) and C(last_seen) are ISO 8601 with the offset (a classic syslog timestamp is local time).
  returned: always
  type: list
  elements: dict
  contains:
    helo: {description: The HELO/EHLO name as the client sent it., type: str}
    client_name: {description: The client's name as smtpd logged it (V(unknown) without reverse DNS)., type: str}
    client_address: {description: The client's IP address., type: str}
    code: {description: "The SMTP reply code (504, 450, 501, ...).", type: int}
    reason: {description: The text after C(Helo command rejected:)., type: str}
    warning_only: {description: Logged as C(reject_warning) - the mail was not rejected., type: bool}
    count: {description: How many log lines., type: int}
    first_seen: {description: The earliest line's time., type: str}
    last_seen: {description: The latest line's time., type: str}
  sample:
    - {helo: DESKTOP-4F2A, client_name: unknown, client_address: 192.0.2.7, code: 504,
       reason: need fully-qualified hostname, warning_only: true, count: 12,
       first_seen: "2026-11-24T08:01:02+00:00", last_seen: "2026-12-01T17:45:10+00:00"}
suggested_entries:
  description:
    - For each rejected HELO name an entry of the helo_guard role (C(host), or C(ip) for an address literal)
      with the C(clients) addresses it came from. Names no entry can hold (with whitespace or C(/)) and
      rejections without a client address are left out. Review them - a name is listed because it was
      rejected, not because its sender is wanted.
  returned: always
  type: list
  elements: dict
  sample:
    - {host: mxbox50.bitwiz.net, clients: [50.0.0.1, 50.0.0.2],
       comment: "helo_rejections_info: 40 HELO rejection log lines from these clients"}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.mailops.postfix.plugins.module_utils.maillog.report import (
    MaillogError, default_path, rejection_report)
from ansible_collections.mailops.postfix.plugins.module_utils.postfix import cli as postfix_cli


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path"),
            since=dict(type="str"),
            config_dir=dict(type="path"),
        ),
        supports_check_mode=True,
    )
    path = module.params["path"]
    try:
        if not path:
            maillog_file = None
            if module.params["config_dir"]:
                values, _warnings = postfix_cli.postconf_values(module.run_command, module.params["config_dir"],
                                                                ["maillog_file"])
                maillog_file = values.get("maillog_file")
            path = default_path(maillog_file)
        report = rejection_report(path, module.params["since"])
    except (MaillogError, postfix_cli.PostfixCommandError) as error:
        module.fail_json(msg=str(error))
    module.exit_json(changed=False, **report)


if __name__ == "__main__":
    main()
