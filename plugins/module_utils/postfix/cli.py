# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The few calls this collection makes to Postfix binaries.

Every function takes a ``run_command`` callable with the signature of
``AnsibleModule.run_command`` (``run_command(args, data=None, ...)`` returning
``(rc, stdout, stderr)``) and always passes an argument list, never a shell
string. Modules hand it ``module.run_command``; tests hand it a real runner
(``tests/harness/runner.py``).

Postfix tools insist on a main.cf in their config dir; ``scratch_config_dir``
gives one where the caller has none (a fresh Debian install has no
/etc/postfix/main.cf).

Measured here: postconf re-reads a main.cf modified less than about two
seconds ago until it is older (1.8 s per call on a fresh file), to avoid
reading a file that is still being written. Scratch files we write ourselves
are therefore back-dated with ``backdate`` before Postfix reads them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile

from ansible_collections.mailops.postfix.plugins.module_utils.postfix import maps


class PostfixCommandError(Exception):
    """A Postfix tool failed; the message has the command and what it printed."""


def _run(run_command, args, data=None, check=True):
    if data is not None:
        # binary_data=True: AnsibleModule.run_command would otherwise append a newline,
        # which postmap -q - reads as one more (empty) key.
        rc, out, err = run_command(args, data=data, binary_data=True)
    else:
        rc, out, err = run_command(args)
    if check and rc != 0:
        raise PostfixCommandError("%s failed (rc=%s): %s" % (" ".join(args), rc, (err or out).strip()))
    return rc, out, err


def warnings_in(stderr):
    """Postfix's ``warning:`` lines from a tool's stderr, without the tool prefix."""
    found = []
    for line in (stderr or "").splitlines():
        marker = line.find("warning: ")
        if marker != -1:
            found.append(line[marker + len("warning: "):].strip())
    return found


# Postfix reads main.cf "cooled": while its mtime is within about a second of
# the reader's start, every reader (postconf, postfix reload, each new daemon)
# reads it again every 0.3 s until it is older (util/load_file's guard against
# a file read while it is being written): up to two seconds per process.
COOL_DOWN_SECONDS = 2


def backdate(path, seconds=60):
    """Set a file's mtime ``seconds`` in the past so Postfix reads it at once (see COOL_DOWN_SECONDS).

    For scratch files (60 s), and for a main.cf that was just replaced by a
    rename (COOL_DOWN_SECONDS): such a file is never seen half-written, the
    case Postfix's wait is for.
    """
    past = os.stat(path).st_mtime - seconds
    os.utime(path, (past, past))


def cool(main_cf_path):
    """A main.cf just renamed into place, set back past the cool-down; nothing but time is lost if it cannot be."""
    try:
        backdate(main_cf_path, COOL_DOWN_SECONDS)
    except OSError:
        pass


@contextlib.contextmanager
def scratch_config_dir(main_cf_text="", parent=None):
    """A temporary config dir with the given main.cf (and an empty master.cf)."""
    directory = tempfile.mkdtemp(prefix="mailops-postfix-", dir=parent)
    try:
        for name, text in (("main.cf", main_cf_text), ("master.cf", "")):
            with open(os.path.join(directory, name), "w") as config_file:
                config_file.write(text)
            backdate(os.path.join(directory, name))
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def config_dir_or_scratch(config_dir):
    """``config_dir`` when it has a main.cf, else a scratch one (as a context manager)."""
    if config_dir and os.path.isfile(os.path.join(config_dir, "main.cf")):
        return contextlib.nullcontext(config_dir)
    return scratch_config_dir()


# AnsibleModule.run_command writes all of stdin before it reads any output: a
# postmap whose answers fill the stdout pipe while keys are still being written
# would wait forever. Keys that fit in an empty pipe (64 KiB on Linux) go to
# stdin; more are written to files in a private temporary directory, each read
# by one postmap as its stdin, its answers written to a file beside it. Each
# process compiles the whole table (76 sequential processes took seconds at
# 100,000 entries), so a process gets at least QUERY_KEYS_PER_PROCESS keys, and
# there are at most as many processes as CPUs this process may run on: they run
# side by side (150,000 names against a 100,000-entry pcre table: one process
# 1.2 s of CPU, of which compiling the table 0.06 s).
QUERY_STDIN_BYTES = 32768
QUERY_KEYS_PER_PROCESS = 20000
# "$0" is postmap, "$1" the config dir, "$2" the table, "$3" the key files' prefix, "$4" their number: argv only,
# nothing is interpolated. Key file "$3.N" is answered in "$3.N.out", "$3.N.err", its exit status in "$3.N.rc".
_QUERY_FROM_FILES = ('i=0; while [ "$i" -lt "$4" ]; do '
                     '("$0" -c "$1" -q - "$2" < "$3.$i" > "$3.$i.out" 2> "$3.$i.err"; echo "$?" > "$3.$i.rc") & '
                     'i=$((i + 1)); done; wait')


def _processes_for(key_count):
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, key_count // QUERY_KEYS_PER_PROCESS))


def postmap_query(run_command, config_dir, map_type, path, keys):
    """Look up every key: one ``postmap -q -`` process, or a few side by side for many keys.

    Returns ``(answers, warnings)``: ``{key: value}`` for the keys Postfix
    finds (keys it does not find are absent) and Postfix's warnings.
    ``path`` is the table's source file.
    """
    if not keys:
        return {}, []
    table = "%s:%s" % (map_type, path)
    # A key and its newline are two bytes at least: more keys than half the limit never fit.
    data = "".join(key + "\n" for key in keys) if 2 * len(keys) <= QUERY_STDIN_BYTES else None
    if data is not None and len(data.encode("utf-8", "surrogateescape")) <= QUERY_STDIN_BYTES:
        args = ["postmap", "-c", config_dir, "-q", "-", table]
        rc, out, err = _run(run_command, args, data=data, check=False)
    else:
        rc, out, err = _query_from_files(run_command, config_dir, table, keys)
    # postmap -q - exits 1 when some key is not found; any other failure is fatal.
    if rc not in (0, 1) or "fatal:" in (err or ""):
        raise PostfixCommandError("postmap -c %s -q - %s failed (rc=%s): %s"
                                  % (config_dir, table, rc, (err or out).strip()))
    answers = {}
    for line in out.splitlines():
        key, _sep, value = line.partition("\t")
        answers[key] = value
    return answers, list(dict.fromkeys(warnings_in(err)))


def _query_from_files(run_command, config_dir, table, keys):
    """``(rc, out, err)`` of postmap processes side by side, each asking every n-th key (the worst exit status)."""
    processes = _processes_for(len(keys))
    key_dir = tempfile.mkdtemp(prefix="mailops-postmap-keys-")
    try:
        prefix = os.path.join(key_dir, "keys")
        for number in range(processes):
            # Every n-th key: sorted names cost a pcre table more the later their line, so each gets its share.
            with open("%s.%d" % (prefix, number), "wb") as key_file:
                key_file.write("".join(key + "\n" for key in keys[number::processes]).encode("utf-8", "surrogateescape"))
        rc, out, err = run_command(["sh", "-c", _QUERY_FROM_FILES, "postmap", config_dir, table, prefix,
                                    str(processes)], expand_user_and_vars=False)
        if rc != 0:
            return rc, out, err
        outs, errs = [], []
        for number in range(processes):
            try:
                status = int(_read_text("%s.%d.rc" % (prefix, number)))
            except (OSError, ValueError):
                return 2, "", "postmap (process %d of %d) left no exit status" % (number + 1, processes)
            rc = max(rc, status)
            outs.append(_read_text("%s.%d.out" % (prefix, number)))
            errs.append(_read_text("%s.%d.err" % (prefix, number)))
        return rc, "".join(outs), "".join(errs)
    finally:
        shutil.rmtree(key_dir, ignore_errors=True)


def _read_text(path):
    with open(path, "rb") as text_file:
        return text_file.read().decode("utf-8", "surrogateescape")


def postmap_build(run_command, config_dir, map_type, path):
    """Build the index of an indexed table (``postmap type:path``)."""
    if not maps.needs_postmap(map_type):
        raise PostfixCommandError("%s tables need no postmap" % map_type)
    _run(run_command, ["postmap", "-c", config_dir, "%s:%s" % (map_type, path)])


def postmap_required(map_type, path):
    """True when the type is indexed and the index is missing or older than the source."""
    index = maps.index_path(map_type, path)
    if index is None:
        return False
    if not os.path.exists(index):
        return True
    return os.path.getmtime(index) < os.path.getmtime(path)


def postconf_values(run_command, config_dir, names):
    """What Postfix says each parameter is: ``postconf -c DIR -h`` per name.

    Returns ``(values, warnings)``. A parameter Postfix does not know (a typo,
    or a user-defined one that nothing references) has the value None:
    postconf prints nothing for it, exits 0 and warns "NAME: unknown parameter".
    """
    return _postconf_each(run_command, config_dir, names)


def postconf_non_default(run_command, config_dir):
    """``postconf -c DIR -n``: the explicit settings and Postfix's warnings about them.

    Parameters Postfix does not use are left out of the output and reported as
    "DIR/main.cf: unused parameter: NAME=VALUE" warnings.
    """
    _rc, out, err = _run(run_command, ["postconf", "-c", config_dir, "-n"])
    return out, warnings_in(err)


def supported_map_types(run_command, config_dir):
    """The lookup table types this Postfix supports (``postconf -m``)."""
    _rc, out, _err = _run(run_command, ["postconf", "-c", config_dir, "-m"])
    return set(out.split())


def postfix_check(run_command, config_dir):
    """``postfix -c DIR check``; returns its warnings, raises on failure."""
    _rc, _out, err = _run(run_command, ["postfix", "-c", config_dir, "check"])
    return warnings_in(err)


def postconf_defaults(run_command, config_dir, names, expand=False):
    """Postfix's built-in defaults: ``postconf -c DIR -d -h [-x]`` per name.

    Returns ``(defaults, warnings)``. A name Postfix has no default for (not
    one of its parameters, nor one defined by a master.cf service name) has
    the value None: postconf warns "NAME: unknown parameter" for it.
    ``expand`` follows ``$name`` references and evaluates ``${...}``
    (``-x``): ``lmtp_destination_rate_delay`` is then ``0s``, not
    ``$default_destination_rate_delay``.
    """
    return _postconf_each(run_command, config_dir, names, "-d", *(["-x"] if expand else []))


def postconf_expanded_values(run_command, config_dir, names):
    """Values with ``$name`` references expanded: ``postconf -c DIR -x -h`` per name.

    Returns ``(values, warnings)``; an unknown name has the value None, as in
    ``postconf_values``.
    """
    return _postconf_each(run_command, config_dir, names, "-x")


def _postconf_each(run_command, config_dir, names, *flags):
    """``postconf -c DIR [FLAGS] -h NAME`` once per name: ``({name: value or None}, warnings)``."""
    values = {}
    warnings = []
    for name in names:
        _rc, out, err = _run(run_command, ["postconf", "-c", config_dir] + list(flags) + ["-h", name])
        tool_warnings = warnings_in(err)
        warnings.extend(tool_warnings)
        unknown = "%s: unknown parameter" % name in tool_warnings
        values[name] = None if unknown else out.rstrip("\n")
    return values, warnings


def postconf_builtin_values(run_command, config_dir, names, expand=False):
    """Several of Postfix's own parameters in one ``postconf -c DIR -h [-x] NAME...``.

    For built-in names only: postconf prints one line per known name and
    nothing for an unknown one, so a missing line cannot be placed; that
    raises PostfixCommandError. ``expand`` follows ``$name`` references (-x).
    Returns ``{name: value}``.
    """
    names = list(names)
    args = ["postconf", "-c", config_dir] + (["-x"] if expand else []) + ["-h"] + names
    _rc, out, err = _run(run_command, args)
    lines = out.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(lines) != len(names):
        raise PostfixCommandError("%s printed %d lines for %d names: %s"
                                  % (" ".join(args), len(lines), len(names), "; ".join(warnings_in(err))))
    return dict(zip(names, lines))


SERVICE_FLAGS = ("-M", "-P", "-Px")


def postconf_services(run_command, config_dir):
    """``postconf -c DIR -M``, ``-P`` and ``-Px``, each as ``{cmd, rc, stdout, stderr}``; never raises.

    What the role's listener check reads (master.cf's services and their
    ``-o`` overrides, raw and expanded); its filter judges the return codes
    (a config dir without master.cf has no service to check).
    """
    results = []
    for flag in SERVICE_FLAGS:
        args = ["postconf", "-c", config_dir, flag]
        rc, out, err = run_command(args)
        results.append(dict(cmd=args, rc=rc, stdout=out, stderr=err))
    return results
