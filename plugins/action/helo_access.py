# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Action plugin of mailops.postfix.helo_access: ship ``entries_file`` from the controller.

With ``entries``, the module runs as it is. With ``entries_file``, the file is
found on the controller like ``copy``'s ``src`` (a role's files/, the
playbook's dir), sent to the host's temporary directory as JSON (a YAML file
is converted on the controller, with vault support; a JSON file is sent as
it is) and the module reads it there. The entries then never pass through
Ansible's templating, its argument handling or the task result: for lists of
thousands of entries those cost more than the table itself (docs/performance.md).
"""

from __future__ import annotations

import json

from ansible.errors import AnsibleError
from ansible.plugins.action import ActionBase

MODULE = "mailops.postfix.helo_access"


class ActionModule(ActionBase):

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        args = dict(self._task.args)
        source = args.get("entries_file")
        if source is None:
            result.update(self._execute_module(module_name=MODULE, module_args=args, task_vars=task_vars))
            return result
        if args.get("entries") is not None:
            return dict(result, failed=True, msg="parameters are mutually exclusive: entries|entries_file")
        try:
            data = self._entries_json(source)
        except AnsibleError as error:
            return dict(result, failed=True, msg="entries_file %s: %s" % (source, error.message))
        try:
            if self._connection._shell.tmpdir is None:
                self._make_tmp_path()
            remote_path = self._connection._shell.join_path(self._connection._shell.tmpdir, "entries.json")
            self._transfer_data(remote_path, data)
            self._fixup_perms2((self._connection._shell.tmpdir, remote_path), execute=False)
            args["entries_file"] = remote_path
            result.update(self._execute_module(module_name=MODULE, module_args=args, task_vars=task_vars))
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result

    def _entries_json(self, source):
        """The file's entries as JSON text; a JSON file as it is, a YAML file converted."""
        path = self._find_needle("files", source)
        with open(path, "rb") as entries_file:
            raw = entries_file.read()
        try:
            json.loads(raw)
            return raw
        except ValueError:
            pass
        try:
            data = self._loader.load_from_file(path)
        except AnsibleError as error:
            raise AnsibleError("neither JSON nor YAML that Ansible can read (%s)" % error.message) from None
        return json.dumps(data, default=str)
