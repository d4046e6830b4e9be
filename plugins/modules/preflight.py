#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: preflight
short_description: Have Postfix judge a whole candidate configuration before it goes live
version_added: 0.1.0
description:
  - Stages the live files a run may change (C(main.cf), C(master.cf), each table and its index) in a scratch
    candidate directory, has Postfix judge the candidate there, and only then makes its changed files live.
  - "The judge: every table that an C(smtpd_*_restrictions) list names (as C(postconf -x) expands it, as
    C(master.cf) C(-o) overrides set it, and in every restriction class) opens with its type; every restriction
    is a name this smtpd knows; and a throwaway Postfix instance of the candidate, on a free port of 127.0.0.1
    with its own queue, data and log directories, answers the SMTP matrix: the banner arrives, no reply is a
    temporary C(Server configuration error), and each of O(probes) gets its code."
  - A candidate that fails fails the task with Postfix's own words; nothing live is written, nothing reloaded.
  - "Convergence: a record in the instance's C(data_directory) holds the digest of the files last judged and of
    those the running instance last loaded. O(state=staged) reports RV(judge_needed) and RV(reload_needed), so a
    run interrupted at any point (during a write, between two files, before the reload) is completed by the next."
  - Live files are written with the collection's failure-atomic I/O helper (attributes on a temp file, one
    rename, backups through a temp file). A failed promotion puts back the files it had replaced and says which.
author:
  - mailops.postfix developers (@mailops)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: O(state=staged) still creates the scratch candidate (outside the config dir) so that the modules
      that edit it can report in check mode; O(state=promoted) judges and reports, writes nothing live.
  diff_mode:
    support: full
    details: O(state=promoted) shows each changed text file of the set (live before, candidate after).
  platform:
    platforms: posix
options:
  state:
    description:
      - V(staged) creates a candidate; V(promoted) judges it and makes it live; V(judged) only judges
        (a candidate, or without O(candidate_dir) the config dir itself); V(loaded) reloads the running instance
        when it has not loaded the judged files; V(absent) removes a candidate; V(current) reads only and reports
        what V(staged) reports about the live files (RV(judge_needed), RV(reload_needed), RV(up_to_date),
        RV(services), RV(parameters)).
    type: str
    choices: [staged, judged, promoted, loaded, absent, current]
    default: judged
  config_dir:
    description: The live config dir (C(main.cf), C(master.cf)).
    type: path
    default: /etc/postfix
  tables:
    description: Tables of the set besides C(main.cf) and C(master.cf), as C(TYPE:/absolute/path).
    type: list
    elements: str
    default: []
  candidate_dir:
    description: The candidate RV(candidate_dir) that O(state=staged) returned. Required for V(promoted) and V(absent).
    type: path
  probes:
    description:
      - The SMTP matrix beyond the banner and the no-configuration-error rule. Each dialog sends C(EHLO helo)
        (none when O(probes[].helo) is omitted), C(MAIL FROM:<>), C(RCPT TO:<postmaster@...>) from 127.0.0.1,
        outside the judge's C(mynetworks); its verdict (the first reply of 400 or more, else the C(RCPT TO)
        reply) must have O(probes[].code).
    type: list
    elements: dict
    default: []
    suboptions:
      helo:
        description: The HELO name; omit it to send no HELO.
        type: str
      code:
        description: The expected reply code.
        type: int
        required: true
  accept_helo:
    description: HELO names the candidate must accept (250 at C(RCPT TO)), for example the table's listed names.
    type: list
    elements: str
    default: []
  helo_matrix:
    description:
      - Add the probes the candidate's own HELO settings promise - C(smtpd_helo_required = yes) answers a dialog
        without HELO 503; C(reject_non_fqdn_helo_hostname) in C(smtpd_helo_restrictions) answers C(nodots) 504 -
        to O(probes).
    type: bool
    default: true
  smtpd:
    description: Start the throwaway smtpd for the matrix. V(false) keeps only the checks of Postfix's tools.
    type: bool
    default: true
  timeout:
    description: Seconds to wait for the judge to listen and for each SMTP reply.
    type: int
    default: 10
  keep_backups:
    description: How many backups of each promoted file to keep (newest first); older ones are removed.
    type: int
    default: 3
  scratch_root:
    description: Where candidates are created (a directory the postfix user can traverse). Default the system's temp dir.
    type: path
  record_dir:
    description: Directory of the convergence record. Default the instance's C(data_directory).
    type: path
  wanted:
    description:
      - The caller's own description of what it is about to write (the helo_guard role passes a digest of its
        inputs and of the collection's code). O(state=promoted) records it with the bytes, owner, group and mode of
        the live files it leaves; O(state=staged) (or O(state=current)) with the same value then reports
        RV(up_to_date) when the live files were judged and are still exactly that, and makes no candidate.
      - Omit it when the same description may not always mean the same files (for example entries that expire).
    type: str
    version_added: 0.1.0
  parameters:
    description:
      - With O(state=current), also return RV(parameters), these built-in main.cf parameters as C(postconf -h)
        prints them (one C(postconf) run).
    type: list
    elements: str
    default: []
    version_added: 0.1.0
  reload:
    description:
      - With O(state=promoted), then reload the running instance when it has not loaded the judged live files (as
        O(state=loaded) does), in the same module run. A reload that fails leaves the promotion in place and is
        reported in RV(reload_problem); O(state=loaded) tries again.
    type: bool
    default: false
    version_added: 0.1.0
  services:
    description:
      - With O(state=staged) or O(state=current), also return RV(services), the output of C(postconf -M), C(-P) and C(-Px) for the live
        config dir (the smtpd services of master.cf and their C(-o) overrides), in the same module run.
    type: bool
    default: false
    version_added: 0.1.0
  non_default:
    description:
      - With O(state=staged), when a candidate is made, also return RV(non_default), C(postconf -n) of the live
        config dir, in the same module run (what a caller needs to know to edit the candidate).
    type: bool
    default: false
    version_added: 0.1.0
  list_files:
    description:
      - With O(state=staged), when a candidate is made, also return RV(listed_files), the regular files these shell
        patterns match on the host (for example tables an earlier run wrote), in the same module run.
    type: list
    elements: str
    default: []
    version_added: 0.1.0
  edit:
    description:
      - With O(state=promoted), edits made to the candidate in the same module run before it is judged, by the same
        code as the M(mailops.postfix.helo_access) and M(mailops.postfix.postconf) modules. Paths are live paths of
        O(tables); each edit goes to the path's copy in the candidate. In check mode the candidate (scratch) is
        edited too, so that the judge sees all of it; nothing live is written.
      - What they did is returned in RV(edited); their warnings (for example an entry an earlier line shadows) are
        shown as the modules would show them.
    type: dict
    version_added: 0.1.0
    suboptions:
      table:
        description: An access table to write from entries, as M(mailops.postfix.helo_access) writes it.
        type: dict
        suboptions:
          path:
            description: The table's live path, one of O(tables).
            type: path
            required: true
          type:
            description: Its type; default the type O(tables) gives it (they must agree).
            type: str
          entries:
            description: The entries, as the O(mailops.postfix.helo_access#module:entries) option takes them, validated by the same rules.
            type: list
            elements: dict
            default: []
          layout:
            description: As the O(mailops.postfix.helo_access#module:layout) option.
            type: str
            choices: [auto, line, grouped]
            default: auto
          exclusive:
            description: As the O(mailops.postfix.helo_access#module:exclusive) option.
            type: bool
            default: false
          verdict_dir:
            description: As the O(mailops.postfix.helo_access#module:verdict_dir) option (not written in check mode).
            type: path
            default: /var/cache/mailops-postfix/helo_access
          owner:
            description: The table's owner.
            type: str
          group:
            description: The table's group.
            type: str
          mode:
            description: The table's mode.
            type: raw
      files:
        description: Whole files of O(tables) to write (for example cidr tables), each with its content.
        type: list
        elements: dict
        default: []
        suboptions:
          path:
            description: The live path, one of O(tables).
            type: path
            required: true
          content:
            description: The file's content.
            type: str
            required: true
          owner:
            description: The file's owner.
            type: str
          group:
            description: The file's group.
            type: str
          mode:
            description: The file's mode.
            type: raw
      main_cf:
        description: Parameters of the candidate's C(main.cf), as M(mailops.postfix.postconf) sets and removes them.
        type: dict
        suboptions:
          set:
            description: Parameters to set, as O(mailops.postfix.postconf#module:parameters).
            type: dict
            default: {}
          absent:
            description: Parameters to remove (after O(edit.main_cf.set)).
            type: list
            elements: str
            default: []
  lookup:
    description:
      - With O(state=current), also look up every key of O(lookup.keys) in O(lookup.table) of the live config dir
        with one C(postmap -q -) and return RV(lookup) (for example the names an access table must answer).
    type: dict
    version_added: 0.1.0
    suboptions:
      table:
        description: The table, C(TYPE:/path).
        type: str
        required: true
      keys:
        description: The keys to look up.
        type: list
        elements: str
        required: true
  dialogs:
    description:
      - With O(state=current), also hold an SMTP dialog with the live smtpd for each item (C(EHLO helo), C(MAIL FROM),
        C(RCPT TO), as M(mailops.postfix.smtp_probe) does) and return RV(dialogs). A dialog whose verdict is not
        O(dialogs[].accept) is tried again, at most O(smtp.retries) times, O(smtp.delay) seconds apart (right after
        a reload an idle smtpd of the old configuration may take one more session).
    type: list
    elements: dict
    default: []
    version_added: 0.1.0
    suboptions:
      helo:
        description: The HELO name.
        type: str
        required: true
      accept:
        description: Whether C(RCPT TO) is expected to be accepted.
        type: bool
        required: true
  smtp:
    description: Where and how O(dialogs) talk to the smtpd.
    type: dict
    version_added: 0.1.0
    suboptions:
      address:
        description: The smtpd's address.
        type: str
        default: 127.0.0.1
      port:
        description: Its port.
        type: int
        default: 25
      rcpt_to:
        description: The C(RCPT TO) address; default C(postmaster@) the instance's C(myhostname).
        type: str
      source_address:
        description: The address to connect from (outside the server's C(mynetworks)).
        type: str
      timeout:
        description: Seconds to wait for the connection and each reply.
        type: int
        default: 10
      retries:
        description: How many more tries a dialog with an unexpected verdict gets.
        type: int
        default: 3
      delay:
        description: Seconds between tries.
        type: int
        default: 1
notes:
  - Backups are named as C(backup_local) names them (C(PATH.PID.YYYY-MM-DD@HH:MM:SS~)); pruning counts every
    such backup of a promoted file.
  - The judge overrides C(mynetworks), C(mydestination) and C(local_recipient_maps) so that its probes are
    strangers to a local recipient, and runs every service without chroot. See docs/reliability.md.
seealso:
  - module: mailops.postfix.postconf
  - module: mailops.postfix.helo_access
"""

EXAMPLES = r"""
- name: Is the configuration in /etc/postfix serving mail? (judges only, writes nothing)
  mailops.postfix.preflight:
    config_dir: /etc/postfix
    accept_helo: [mx.partner.example]

- name: Stage a candidate of /etc/postfix
  mailops.postfix.preflight:
    state: staged
    tables: ["regexp:/etc/postfix/helo_access"]
  register: candidate

- name: Edit the candidate's main.cf, not the live one
  mailops.postfix.postconf:
    config_dir: "{{ candidate.candidate_config_dir }}"
    parameters:
      smtpd_helo_required: true

- name: Make it live only if Postfix accepts it
  mailops.postfix.preflight:
    state: promoted
    candidate_dir: "{{ candidate.candidate_dir }}"
    tables: ["regexp:/etc/postfix/helo_access"]
    accept_helo: [mx.partner.example]

- name: Reload Postfix if it has not loaded the judged files
  mailops.postfix.preflight:
    state: loaded
    tables: ["regexp:/etc/postfix/helo_access"]
"""

RETURN = r"""
candidate_dir:
  description: The scratch root of the candidate (O(state=staged)).
  returned: state is staged and RV(up_to_date) is false
  type: str
  sample: /tmp/mailops-preflight-k2j3l4
candidate_config_dir:
  description: The candidate's config dir, the copy of O(config_dir) that modules edit.
  returned: state is staged and RV(up_to_date) is false
  type: str
  sample: /tmp/mailops-preflight-k2j3l4/candidate
candidates:
  description: Each live file of the set and the path of its copy in the candidate.
  returned: state is staged and RV(up_to_date) is false
  type: dict
  sample: {/etc/postfix/main.cf: /tmp/mailops-preflight-k2j3l4/candidate/main.cf}
judge_needed:
  description: The live files differ from the ones last judged (or none were ever judged here).
  returned: state is staged or current
  type: bool
  sample: false
reload_needed:
  description: The instance is running and has not loaded the live files (a run was interrupted before its reload).
  returned: state is staged or current
  type: bool
  sample: false
up_to_date:
  description:
    - The live files were judged and are, byte for byte and with their owner, group and mode, what the last
      promotion with the same O(wanted) left; no candidate was made (RV(candidate_dir) is not returned).
      Always false without O(wanted).
  returned: state is staged or current
  type: bool
  sample: true
services:
  description: "C(postconf -M), C(-P) and C(-Px) of the live config dir, each as C(cmd), C(rc), C(stdout), C(stderr)."
  returned: state is staged or current, and O(services) is true
  type: list
  elements: dict
  sample: [{cmd: [postconf, -c, /etc/postfix, -M], rc: 0, stdout: "smtp inet n - y - - smtpd\n", stderr: ""}]
parameters:
  description: The values of O(parameters), by name.
  returned: state is current and O(parameters) is not empty
  type: dict
  sample: {myhostname: mx.example.com, smtpd_helo_required: "yes"}
non_default:
  description: C(postconf -n) of the live config dir ("" when it fails).
  returned: state is staged, O(non_default) is true and RV(up_to_date) is false
  type: str
  sample: "smtpd_helo_required = no\n"
listed_files:
  description: The regular files O(list_files) matched, sorted.
  returned: state is staged, O(list_files) is not empty and RV(up_to_date) is false
  type: list
  elements: str
  sample: [/etc/postfix/check_helo_guard_clients_1f0c3b9a2e.cidr]
lookup:
  description: C(answers) (the keys Postfix found, with their values) and C(warnings) (Postfix's) of O(lookup).
  returned: state is current and O(lookup) is given
  type: dict
  sample: {answers: {mxbox50.bitwiz.net: OK}, warnings: []}
dialogs:
  description:
    - For each of O(dialogs) - C(helo), C(accept), C(accepted), C(verdict), C(steps), C(tries) and C(problem) (empty
      when the verdict was the expected one, else a sentence saying what it was).
  returned: state is current and O(dialogs) is not empty
  type: list
  elements: dict
  sample: [{helo: mxbox50.bitwiz.net, accept: true, accepted: true, tries: 1,
            verdict: {step: RCPT TO, code: 250, text: "2.1.5 Ok"}, steps: [], problem: ""}]
edited:
  description:
    - What O(edit) changed in the candidate - C(table) (the table's C(added), C(removed), C(layout), C(verdict),
      as M(mailops.postfix.helo_access) returns them), C(files) (the files whose bytes changed) and C(main_cf) (the
      parameters whose definitions changed). Null without O(edit).
  returned: state is promoted
  type: dict
  sample: {table: {table: "regexp:/etc/postfix/helo_access", added: ['/^mxbox50\.bitwiz\.net$/ OK'], removed: []},
           files: [], main_cf: [smtpd_helo_required]}
verdict:
  description: Postfix's verdict; null when nothing had to be judged.
  returned: state is judged or promoted
  type: dict
  sample:
    passed: true
    problems: []
    answers:
      - {service: smtp, helo: nodots, step: RCPT TO, code: 504, text: "5.5.2 <nodots>: Helo command rejected"}
promoted:
  description:
    - The live files the promotion replaced or created (in check mode, would have).
    - A file is replaced when its candidate copy differs in its bytes or in its owner, group or mode (the edits
      give the table and whole files the attributes they ask for).
  returned: state is promoted
  type: list
  elements: str
  sample: [/etc/postfix/helo_access, /etc/postfix/main.cf]
backup_files:
  description: The backups this promotion made and kept.
  returned: state is promoted
  type: list
  elements: str
  sample: [/etc/postfix/main.cf.4242.2026-12-01@21:00:00~]
removed_backups:
  description: Older backups removed to keep O(keep_backups).
  returned: state is promoted
  type: list
  elements: str
  sample: []
reloaded:
  description: Whether C(postfix reload) ran.
  returned: state is loaded, or state is promoted with O(reload)
  type: bool
  sample: true
loaded:
  description: The instance has loaded the judged live files (or is stopped and reads them when it starts).
  returned: state is promoted with O(reload), not in check mode
  type: bool
  sample: true
reload_problem:
  description: Why the reload after the promotion failed (the promotion stays; O(state=loaded) tries again).
  returned: state is promoted with O(reload), when the reload failed
  type: str
  sample: "postfix -c /etc/postfix reload failed: ..."
"""

import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.mailops.postfix.plugins.module_utils import _io
from ansible_collections.mailops.postfix.plugins.module_utils.access.spec import LAYOUTS
from ansible_collections.mailops.postfix.plugins.module_utils.access.verdicts import DEFAULT_DIR as DEFAULT_VERDICT_DIR
from ansible_collections.mailops.postfix.plugins.module_utils.preflight import backend
from ansible_collections.mailops.postfix.plugins.module_utils.preflight.errors import PreflightError

PROBE_OPTIONS = dict(helo=dict(type="str"), code=dict(type="int", required=True))
FILE_OPTIONS = dict(owner=dict(type="str"), group=dict(type="str"), mode=dict(type="raw"))
EDIT_OPTIONS = dict(
    table=dict(type="dict", options=dict(
        path=dict(type="path", required=True), type=dict(type="str"),
        entries=dict(type="list", elements="dict", default=[]),
        layout=dict(type="str", choices=list(LAYOUTS), default="auto"), exclusive=dict(type="bool", default=False),
        verdict_dir=dict(type="path", default=DEFAULT_VERDICT_DIR), **FILE_OPTIONS)),
    files=dict(type="list", elements="dict", default=[], options=dict(
        path=dict(type="path", required=True), content=dict(type="str", required=True), **FILE_OPTIONS)),
    main_cf=dict(type="dict", options=dict(set=dict(type="dict", default={}),
                                           absent=dict(type="list", elements="str", default=[]))),
)
SMTP_OPTIONS = dict(address=dict(type="str", default="127.0.0.1"), port=dict(type="int", default=25),
                    rcpt_to=dict(type="str"), source_address=dict(type="str"), timeout=dict(type="int", default=10),
                    retries=dict(type="int", default=3), delay=dict(type="int", default=1))
JUDGE_OPTIONS = ("probes", "accept_helo", "helo_matrix", "smtpd", "timeout", "keep_backups", "record_dir", "wanted",
                 "reload")


def _judging():
    """The judge's code, imported only by the states that judge (on the host every import compiles from source)."""
    from ansible_collections.mailops.postfix.plugins.module_utils.preflight import (  # pylint: disable=import-outside-toplevel
        judging)
    return judging


def run_state(module):
    params = module.params
    run, config_dir, tables = module.run_command, params["config_dir"], params["tables"]
    state = params["state"]
    if state == "staged":
        return backend.staged(run, config_dir, tables, params["scratch_root"] or tempfile.gettempdir(), params["record_dir"],
                              params["wanted"], params["services"],
                              dict(non_default=params["non_default"], list_files=params["list_files"]))
    if state == "current":
        return backend.current(run, config_dir, tables, params["record_dir"], params["wanted"], params["services"],
                               params["parameters"], dict((name, params[name]) for name in ("lookup", "dialogs", "smtp")))
    options = dict((name, params[name]) for name in JUDGE_OPTIONS)
    if state == "judged":
        verdict = _judging().judged(run, config_dir, tables, options, params["candidate_dir"], params["scratch_root"])
        if not verdict["passed"]:
            module.fail_json(msg="Postfix refuses %s: %s" % (params["candidate_dir"] or config_dir,
                                                             "; ".join(verdict["problems"])), verdict=verdict)
        return dict(changed=False, verdict=verdict)
    if state == "promoted":
        edit = (params["edit"], lambda file_params: _io.ModuleFiles(module, file_params)) if params["edit"] else None
        result = _judging().promoted(run, config_dir, tables, params["candidate_dir"], options, module.check_mode, edit)
        for warning in result.pop("warnings"):
            module.warn(warning)
        if not module._diff:
            result.pop("diff")
        return result
    if state == "loaded":
        return backend.loaded(run, config_dir, tables, params["record_dir"], module.check_mode)
    return backend.absent(run, config_dir, params["candidate_dir"])


def main():
    module = AnsibleModule(
        argument_spec=dict(
            state=dict(type="str", default="judged",
                       choices=["staged", "judged", "promoted", "loaded", "absent", "current"]),
            config_dir=dict(type="path", default="/etc/postfix"),
            tables=dict(type="list", elements="str", default=[]),
            candidate_dir=dict(type="path"),
            probes=dict(type="list", elements="dict", default=[], options=PROBE_OPTIONS),
            accept_helo=dict(type="list", elements="str", default=[]),
            helo_matrix=dict(type="bool", default=True),
            smtpd=dict(type="bool", default=True),
            timeout=dict(type="int", default=10),
            keep_backups=dict(type="int", default=3),
            scratch_root=dict(type="path"),
            record_dir=dict(type="path"),
            wanted=dict(type="str"),
            services=dict(type="bool", default=False),
            parameters=dict(type="list", elements="str", default=[]),
            reload=dict(type="bool", default=False),
            non_default=dict(type="bool", default=False),
            list_files=dict(type="list", elements="str", default=[]),
            edit=dict(type="dict", options=EDIT_OPTIONS),
            lookup=dict(type="dict", options=dict(table=dict(type="str", required=True),
                                                  keys=dict(type="list", elements="str", required=True, no_log=False))),
            dialogs=dict(type="list", elements="dict", default=[], options=dict(
                helo=dict(type="str", required=True), accept=dict(type="bool", required=True))),
            smtp=dict(type="dict", options=SMTP_OPTIONS),
        ),
        required_if=[("state", "promoted", ["candidate_dir"]), ("state", "absent", ["candidate_dir"])],
        supports_check_mode=True,
    )
    if module.params["keep_backups"] < 1:
        module.fail_json(msg="keep_backups must be at least 1 (the restore needs a backup), not %d"
                         % module.params["keep_backups"])
    try:
        module.exit_json(**run_state(module))
    except PreflightError as error:
        module.fail_json(msg=str(error))


if __name__ == "__main__":
    main()
