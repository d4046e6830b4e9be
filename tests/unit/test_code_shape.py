# SPDX-License-Identifier: GPL-3.0-or-later
"""The shape docs/architecture.md promises a newcomer: short functions, shallow nesting, thin module main().

Limits (issue 14): no function in plugins/ over 60 lines or with blocks
nested deeper than 4 inside it, no module main() over 40 lines. Nested
functions and classes are measured on their own.
"""

from __future__ import annotations

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
PLUGINS = sorted((ROOT / "plugins").rglob("*.py"))
MAX_LINES, MAX_MAIN_LINES, MAX_DEPTH = 60, 40, 4
BLOCKS = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try, ast.Match)
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def depth(node: ast.AST, level: int = 0) -> int:
    """The deepest nesting of blocks under ``node`` (an ``elif`` counts as its ``if``'s level)."""
    deepest = level
    for child in ast.iter_child_nodes(node):
        if isinstance(child, SCOPES):
            continue
        elif_branch = isinstance(node, ast.If) and isinstance(child, ast.If) and node.orelse == [child]
        deeper = isinstance(child, BLOCKS) and not elif_branch
        deepest = max(deepest, depth(child, level + 1 if deeper else level))
    return deepest


def functions(path: pathlib.Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node


def shape_problems(path: pathlib.Path) -> list:
    problems = []
    is_module = path.parent.name == "modules"
    for function in functions(path):
        lines = function.end_lineno - function.lineno + 1
        limit = MAX_MAIN_LINES if is_module and function.name == "main" else MAX_LINES
        if lines > limit:
            problems.append("%s:%d %s() has %d lines (at most %d)"
                            % (path.name, function.lineno, function.name, lines, limit))
        nesting = depth(function)
        if nesting > MAX_DEPTH:
            problems.append("%s:%d %s() nests blocks %d deep (at most %d)"
                            % (path.name, function.lineno, function.name, nesting, MAX_DEPTH))
    return problems


@pytest.mark.parametrize("path", PLUGINS, ids=[str(path.relative_to(ROOT)) for path in PLUGINS])
def test_every_function_keeps_the_shape(path):
    assert shape_problems(path) == []


def test_the_measure_sees_a_long_deep_function(tmp_path):
    deep = "def f(x):\n" + "".join("    " * level + "if x:\n" for level in range(1, 6)) + "    " * 6 + "pass\n"
    long_main = "def main():\n" + "    x = 1\n" * 45
    modules = tmp_path / "modules"
    modules.mkdir()
    (modules / "m.py").write_text(deep + long_main)
    problems = shape_problems(modules / "m.py")
    assert problems == ["m.py:1 f() nests blocks 5 deep (at most 4)", "m.py:8 main() has 46 lines (at most 40)"]


def test_elif_chains_do_not_count_as_nesting(tmp_path):
    chain = "def f(x):\n    if x == 1:\n        pass\n" + "".join("    elif x == %d:\n        pass\n" % n for n in range(2, 9))
    (tmp_path / "chain.py").write_text(chain)
    assert shape_problems(tmp_path / "chain.py") == []
