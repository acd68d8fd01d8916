"""The package's layers, read from every import statement at any depth.

The core (the package root and ``expr``) is a library that never reaches the
application (``cli``) or its terminal libraries; only ``cli.prompting`` touches
questionary and prompt_toolkit; and no two modules import each other, directly or
round a loop. Imports inside functions count (a lazy import is still a dependency);
only ``if TYPE_CHECKING:`` blocks, which never run, are left out. ruff's banned-import
rule sees module-level imports only, so it cannot check this on its own.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from helpers import ROOT

PACKAGE = ROOT / "pmpt_cli"
TERMINAL_LIBRARIES = ("typer", "click", "rich", "questionary", "prompt_toolkit")
PROMPT_LIBRARIES = ("questionary", "prompt_toolkit")
PROMPTING_MODULE = "pmpt_cli.cli.prompting"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(tree: ast.AST, module: str, is_package: bool) -> set[tuple[str, tuple[str, ...]]]:
    """``(module, names)`` for every import statement anywhere in ``tree``, relative ones
    resolved: ``import a.b`` gives ``("a.b", ())``, ``from a import b, c`` ``("a", ("b", "c"))``."""
    found: set[tuple[str, tuple[str, ...]]] = set()
    base = module.split(".") if is_package else module.split(".")[:-1]

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update((alias.name, ()) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            origin = ".".join(base[: len(base) - node.level + 1] + ([node.module] if node.module else []))
            if node.level == 0:
                origin = node.module or ""
            found.add((origin, tuple(alias.name for alias in node.names)))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def import_graph(package: Path = PACKAGE) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """``(internal, external)``: for each pmpt module, the pmpt modules and the top-level
    outside packages its import statements name."""
    paths = {module_name(p): p for p in package.rglob("*.py")}
    internal: dict[str, set[str]] = {}
    external: dict[str, set[str]] = {}
    for name, path in paths.items():
        named: set[str] = set()
        for origin, names in imports_of(ast.parse(path.read_text(encoding="utf-8")), name, path.name == "__init__.py"):
            submodules = {f"{origin}.{n}" for n in names} & paths.keys()
            named |= submodules  # from package import module: that module, not the package
            if len(submodules) < len(names) or not names:
                named.add(origin)
        internal[name] = {m for m in named if m in paths and m != name}
        external[name] = {m.split(".", 1)[0] for m in named if not m.startswith("pmpt_cli")} - {""}
    return internal, external


INTERNAL, EXTERNAL = import_graph()
# The library: everything but the application and ``python -m pmpt_cli``, which starts it.
CORE = sorted(m for m in INTERNAL if not m.startswith("pmpt_cli.cli") and m != "pmpt_cli.__main__")


def reachable(start: str) -> set[str]:
    seen, stack = {start}, [start]
    while stack:
        for nxt in INTERNAL[stack.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_graph_sees_every_kind_of_import() -> None:
    source = (
        "import os\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import questionary\n"
        "def f():\n    import rich.console\n    from . import sibling\n    from .sub import thing\n"
        "class A:\n    from ..errors import Problem\n"
    )
    found = {origin for origin, _ in imports_of(ast.parse(source), "pmpt_cli.cli.mod", is_package=False)}
    assert {"os", "rich.console", "pmpt_cli.cli", "pmpt_cli.cli.sub", "pmpt_cli.errors"} <= found
    assert "questionary" not in found


def test_cycles_are_found() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_package_has_no_import_cycles() -> None:
    found = cycles(INTERNAL)
    assert not found, "import cycles (counting imports inside functions): " + "; ".join(
        " <-> ".join(component) for component in found
    )


@pytest.mark.parametrize("entry", ["pmpt_cli.loader", "pmpt_cli.engine", "pmpt_cli"])
def test_the_library_never_reaches_the_terminal(entry: str) -> None:
    """What ``load_questionnaire`` and ``run_triage`` run, at any depth, is core only."""
    behind = reachable(entry)
    assert {m for m in behind if m.startswith("pmpt_cli.cli")} == set()
    terminal = {(m, lib) for m in behind for lib in EXTERNAL[m] if lib in TERMINAL_LIBRARIES}
    assert terminal == set(), terminal


@pytest.mark.parametrize("module", CORE)
def test_core_modules_import_no_application_code(module: str) -> None:
    assert {m for m in INTERNAL[module] if m.startswith("pmpt_cli.cli")} == set()
    assert EXTERNAL[module] & set(TERMINAL_LIBRARIES) == set()


def test_only_the_prompting_module_imports_the_prompt_libraries() -> None:
    users = {m for m, libs in EXTERNAL.items() if libs & set(PROMPT_LIBRARIES)}
    assert users == {PROMPTING_MODULE}


def test_typer_is_declared_only_in_the_command_modules() -> None:
    users = {m for m, libs in EXTERNAL.items() if "typer" in libs or "click" in libs}
    assert users and all(m == "pmpt_cli.cli.app" or m.startswith("pmpt_cli.cli.commands") for m in users), users


def test_the_expression_language_stands_on_its_own() -> None:
    """``expr`` needs only the errors and the record base of the core."""
    for module in (m for m in INTERNAL if m.startswith("pmpt_cli.expr")):
        outside = {m for m in INTERNAL[module] if not m.startswith("pmpt_cli.expr")}
        assert outside <= {"pmpt_cli.errors", "pmpt_cli.records"}, (module, outside)


def test_only_the_environment_touches_the_process_streams() -> None:
    """Every stream goes through cli.environment.Environment, so tests can simulate any terminal."""
    readers = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in ("stdin", "stdout", "stderr", "__stdin__", "__stdout__", "__stderr__")
                and isinstance(node.value, ast.Name)
                and node.value.id == "sys"
            ):
                readers.add(module_name(path))
    assert readers == {"pmpt_cli.cli.environment"}


def test_jinja2_loads_only_when_a_report_is_written() -> None:
    """The HTML report's template engine stays off every other path (about 10 ms to import)."""
    users = {m for m, libs in EXTERNAL.items() if "jinja2" in libs}
    assert users == {"pmpt_cli.printable"}
    assert "jinja2" not in {lib for m in reachable("pmpt_cli.engine") for lib in EXTERNAL[m]}
