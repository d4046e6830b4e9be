# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""A main.cf editor that keeps every line it does not own byte for byte.

Postfix reads main.cf as logical lines (postconf(5)): a line that starts
with whitespace continues the previous logical line; empty lines,
whitespace-only lines and lines whose first non-whitespace character is ``#``
are ignored everywhere, even between the lines of one continued definition
(measured with Postfix 3.7: ``a = 1``, a comment, a blank line, ``  more``
reads as ``a = 1  more``). Continuation lines are joined with only their
newline removed, then the value is stripped. The last definition of a
parameter wins.

Here a *definition* owns its first line and its continuation lines. Comment
and blank lines are never owned: editing or removing a definition leaves
them where they are.

Pure: functions take text and return text or data, and raise
``MainCfError`` with a message that names the parameter. What to change is
decided in ``plan.py``; what Postfix reads, in ``verify.py``.
"""

from __future__ import annotations

import re

PARAMETER_NAME = re.compile(r"\A[A-Za-z0-9_]+\Z")
_NAME_VALUE = re.compile(r"\A([^\s=]+)\s*=(.*)\Z", re.DOTALL)
# Postfix splits list values on these characters (CHARS_COMMA_SP), outside {}.
LIST_SEPARATORS = ", \t\r\n"
# Parameters whose value Postfix reads as a list; for these `a,b`, `a, b`,
# `a b` and a continued list mean the same.
LIST_PARAMETER = re.compile(
    r"\A(?:\w+_restrictions|\w+_maps|\w+_checks|\w+_classes|\w+_domains|\w+_networks|"
    r"mydestination|mynetworks|inet_interfaces|inet_protocols|\w+_milters|"
    r"authorized_\w+_users|\w+_filter_classes)\Z"
)
# Lists longer than this on one line are written one item per line.
MAX_LINE_LENGTH = 79
CONTINUATION_INDENT = "    "


class MainCfError(Exception):
    """Bad input for main.cf; the message names the parameter."""


class Definition:
    """One logical line of main.cf: ``name = value`` or text Postfix rejects."""

    def __init__(self, first_index, first_text, orphan=False):
        self.first_index = first_index
        self.orphan = orphan
        self.line_indices = [first_index]
        self.texts = [first_text]
        self.name = None
        self.value = None

    def finish(self):
        if self.orphan:
            return
        match = _NAME_VALUE.match("".join(self.texts).strip())
        if match:
            self.name = match.group(1)
            self.value = match.group(2).strip()


class MainCf:
    """Physical lines of a main.cf (each with its own line end) and its definitions."""

    def __init__(self, text):
        self.physical_lines = split_physical_lines(text)
        self.definitions = []
        current = None
        for index, line in enumerate(self.physical_lines):
            body = line[:-1] if line.endswith("\n") else line
            stripped = body.strip()
            if not stripped or stripped.startswith("#"):
                continue
            if body[0].isspace() and current is not None:
                current.line_indices.append(index)
                current.texts.append(body)
                continue
            # A logical line may not start with whitespace (Postfix warns and
            # ignores it); it is kept as a definition without a name.
            current = Definition(index, body, orphan=body[0].isspace())
            self.definitions.append(current)
        for definition in self.definitions:
            definition.finish()

    def render(self):
        return "".join(self.physical_lines)

    def definitions_of(self, name):
        return [definition for definition in self.definitions if definition.name == name]

    def value_of(self, name):
        """The value Postfix uses (the last definition), or None when not set."""
        found = self.definitions_of(name)
        return found[-1].value if found else None

    def line_number(self, definition):
        return definition.first_index + 1

    def edited(self, replacements):
        """Text with definitions replaced or removed.

        ``replacements`` maps a parameter name to the physical lines of its new
        definition, or to None to remove it. A replacement takes the place of
        the last definition (the one Postfix uses); every other definition of
        the name is removed; a name not yet defined is appended at the end.
        """
        skipped = set()
        anchors = {}
        for name, new_lines in replacements.items():
            found = self.definitions_of(name)
            for definition in found:
                skipped.update(definition.line_indices)
            if found and new_lines is not None:
                anchors[found[-1].first_index] = new_lines
        kept_lines = []
        for index, line in enumerate(self.physical_lines):
            if index in anchors:
                kept_lines.extend(anchors[index])
            if index not in skipped:
                kept_lines.append(line)
        for name, new_lines in replacements.items():
            if new_lines is not None and not self.definitions_of(name):
                if kept_lines and not kept_lines[-1].endswith("\n"):
                    kept_lines[-1] += "\n"
                kept_lines.extend(new_lines)
        return "".join(kept_lines)


def split_physical_lines(text):
    """Lines with their ``\\n`` kept; only ``\\n`` ends a line (as for Postfix)."""
    lines = text.split("\n")
    physical_lines = [line + "\n" for line in lines[:-1]]
    if lines[-1]:
        physical_lines.append(lines[-1])
    return physical_lines


def check_name(name):
    if not isinstance(name, str) or not PARAMETER_NAME.match(name):
        raise MainCfError("parameter name %r is not a Postfix parameter name (letters, digits and _ only)" % (name,))


def _check_text(name, text):
    if "\n" in text or "\r" in text or "\0" in text:
        raise MainCfError("parameter %s: the value contains a line break or NUL, which would start a new line in main.cf"
                          % name)


def value_items(name, value):
    """The value as text (str) or list of items (list), validated.

    Booleans become yes/no, integers their digits. Surrounding whitespace is
    dropped, as Postfix drops it.
    """
    check_name(name)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        _check_text(name, value)
        return value.strip()
    if isinstance(value, (list, tuple)):
        items = []
        for item in value:
            if isinstance(item, bool) or not isinstance(item, (str, int)):
                raise MainCfError("parameter %s: list item %r is not a string" % (name, item))
            item_text = str(item)
            _check_text(name, item_text)
            if item_text.strip():
                items.append(item_text.strip())
        return items
    if value is None:
        raise MainCfError("parameter %s has no value; give '' for an empty value or use state=absent to remove it" % name)
    if isinstance(value, float):
        raise MainCfError("parameter %s: the number %r is a float; quote it (for example '3.6') so it is written as given"
                          % (name, value))
    raise MainCfError("parameter %s: a value must be a string, bool, int or list, not %s" % (name, type(value).__name__))


def render_definition(name, value):
    """Physical lines of ``name = value``.

    A list is written on one line, items joined with ", ", when that fits in
    MAX_LINE_LENGTH characters; otherwise the name and ``=`` stand alone on
    the first line and every item follows on its own line, indented by four
    spaces, each but the last ending in a comma.
    """
    items = value_items(name, value)
    if isinstance(items, str):
        return ["%s = %s\n" % (name, items) if items else "%s =\n" % name]
    one_line = "%s = %s" % (name, ", ".join(items))
    if len(one_line) <= MAX_LINE_LENGTH or len(items) < 2:
        return [one_line.rstrip() + "\n"]
    return ["%s =\n" % name] + [
        "%s%s%s\n" % (CONTINUATION_INDENT, item, "," if position < len(items) - 1 else "")
        for position, item in enumerate(items)
    ]


def logical_value(definition_lines):
    """The value Postfix reads from the physical lines of one definition."""
    return MainCf("".join(definition_lines)).definitions[0].value


def displayed(value):
    """A value as ``postconf -h`` prints it: every run of whitespace one space.

    Measured with Postfix 3.7: ``a   b`` continued by ``  c`` prints as
    ``a b c``, while the daemons read the raw joined text ``a   b  c``.
    """
    return None if value is None else " ".join(value.split())


def list_tokens(value):
    """Split a list value as Postfix does: on commas and whitespace, outside ``{...}``."""
    tokens = []
    current = []
    depth = 0
    for char in value:
        if char == "{":
            depth += 1
        elif char == "}" and depth:
            depth -= 1
        if depth == 0 and char in LIST_SEPARATORS:
            if current:
                tokens.append("".join(current))
                current = []
            continue
        current.append(char)
    if current:
        tokens.append("".join(current))
    return tokens


def is_list_parameter(name):
    return bool(LIST_PARAMETER.match(name))
