# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Options shared by helo_access and helo_access_info."""

from __future__ import annotations


class ModuleDocFragment(object):

    DOCUMENTATION = r"""
options:
  path:
    description:
      - The table's source file, as named in C(check_helo_access TYPE:PATH).
    type: path
    default: /etc/postfix/helo_access
  type:
    description:
      - The Postfix lookup table type.
      - V(regexp) and V(pcre) tables hold anchored, escaped expressions; the first line that matches wins.
      - V(hash), V(lmdb), V(cdb), V(btree) and V(texthash) hold plain keys. All but V(texthash) need
        C(postmap) to build an index; M(mailops.postfix.helo_access) never runs it on the real table and returns C(postmap_required).
    type: str
    default: regexp
    choices: [regexp, pcre, hash, lmdb, cdb, btree, texthash]
  config_dir:
    description:
      - The Postfix configuration directory handed to C(postmap -c) when the module asks Postfix what a table means.
      - Defaults to the table's directory when it holds a C(main.cf), else a temporary directory with an empty C(main.cf).
      - This option extends the collection's documented contract.
    type: path
"""
