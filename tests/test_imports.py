"""Start-up guards (issue 6): heavy libraries stay off the paths that do not need them.

questionary and prompt_toolkit cost about 130 ms and rich about 50 ms at import
(docs/performance.md). Only the prompting module may import questionary and
prompt_toolkit, and then only inside functions; the scripted paths load neither
them nor rich. These checks read imports, not clocks, so they are steady on a busy
machine.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "pmpt_cli"
PROMPT_LIBRARIES = ("questionary", "prompt_toolkit")
# The one module allowed to import them (it still does so lazily, inside functions);
# ruff's TID253 per-file ignore in pyproject.toml names the same file.
PROMPTING_MODULES = {"prompting.py"}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def module_level_imports(tree: ast.Module) -> list[tuple[int, str]]:
    """``(line, module)`` for every import that runs when the module is imported.

    That is every import outside function bodies: at the top, and inside module-level
    ``if``/``try``/``with``/``for`` blocks and class bodies, but not under ``if TYPE_CHECKING:``.
    """
    found: list[tuple[int, str]] = []

    def visit(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, ast.Import):
                found.extend((node.lineno, alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level == 0 and node.module:
                    found.append((node.lineno, node.module))
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue  # runs only when called
            elif isinstance(node, ast.If) and _is_type_checking(node.test):
                visit(node.orelse)
            else:  # if / try / with / for / while / match blocks and class bodies run at import
                for field in ("body", "orelse", "finalbody"):
                    block = getattr(node, field, None)
                    if isinstance(block, list):
                        visit(block)
                for clause in [*getattr(node, "handlers", []), *getattr(node, "cases", [])]:
                    visit(clause.body)

    visit(tree.body)
    return found


def _top_package(module: str) -> str:
    return module.split(".", 1)[0]


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_prompt_libraries_are_never_imported_at_module_level(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    heavy = [(line, name) for line, name in module_level_imports(tree) if _top_package(name) in PROMPT_LIBRARIES]
    if path.name in PROMPTING_MODULES:
        return
    assert not heavy, (
        f"{path.name} imports {', '.join(name for _, name in heavy)} at module level (line "
        f"{', '.join(str(line) for line, _ in heavy)}): import it inside the function that prompts, "
        f"in {' or '.join(sorted(PROMPTING_MODULES))}"
    )


def test_the_checker_sees_imports_in_blocks_but_not_in_functions_or_type_checking() -> None:
    source = (
        "import os\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    import questionary\n"
        "try:\n    import prompt_toolkit.output\nexcept ImportError:\n    from questionary import text\n"
        "class A:\n    import rich\n"
        "def f():\n    import questionary\n"
    )
    names = [name for _, name in module_level_imports(ast.parse(source))]
    assert names == ["os", "typing", "prompt_toolkit.output", "questionary", "rich"]


def imported_modules(*args: str, cache: Path | None = None) -> set[str]:
    """Every module ``python -m pmpt_cli ARGS`` imports, from ``-X importtime`` (stdout not a terminal).

    Without the questionnaire cache, unless ``cache`` names a folder for it.
    """
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", "PMPT_NO_CACHE": "1"}
    if cache is not None:
        del env["PMPT_NO_CACHE"]
        env["XDG_CACHE_HOME"] = str(cache)
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "pmpt_cli", *args],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


def _heavy(modules: set[str]) -> set[str]:
    return {m for m in modules if _top_package(m) in (*PROMPT_LIBRARIES, "rich")}


def test_version_imports_neither_rich_nor_questionary_nor_typer() -> None:
    modules = imported_modules("--version")
    assert "pmpt_cli.cli.entry" in modules  # the check really ran the entry point
    assert _heavy(modules) == set()
    assert "typer" not in modules  # a bare --version is answered before the CLI is built


def test_version_with_other_flags_goes_through_the_cli() -> None:
    modules = imported_modules("--version", "--no-color")
    assert "pmpt_cli.cli.app" in modules
    assert _heavy(modules) == set()


def test_scripted_triage_imports_neither_rich_nor_questionary() -> None:
    modules = imported_modules("triage", "--answers", str(ROOT / "examples" / "physical-therapy-knee.toml"), "--json")
    assert "pmpt_cli.engine" in modules
    assert _heavy(modules) == set()
    # The other commands are imported (and built) only when run or listed: cli.ErrorBoundaryGroup.
    assert {
        "pmpt_cli.cli.commands.questionnaires",
        "pmpt_cli.cli.commands.answers",
        "pmpt_cli.cli.commands.batch",
    } & modules == set()
    # Nor does it load what batch runs on: the readers, the row writers, the pool, tomli.
    batch_only = {"pmpt_cli.cli.batch", "pmpt_cli.cli.batch_work", "pmpt_cli.readers", "pmpt_cli.rows",
                  "pmpt_cli.toml_parser", "tomli", "concurrent.futures", "multiprocessing", "csv"}  # fmt: skip
    assert batch_only & modules == set()
    assert "dataclasses" not in modules  # pmpt's records and classes are plain: @dataclass costs ~1 ms


def test_a_cached_questionnaire_is_triaged_without_compiling_anything(tmp_path) -> None:
    """The cache holds the program: no validating, checking or printing of expressions."""
    args = ("triage", "--answers", str(ROOT / "examples" / "physical-therapy-knee.toml"), "--json")
    first = imported_modules(*args, cache=tmp_path)
    compilers = {"pmpt_cli.builder", "pmpt_cli.expr.checker", "pmpt_cli.expr.codegen", "hashlib"}
    assert compilers <= first  # the run that fills the cache
    assert compilers & imported_modules(*args, cache=tmp_path) == set()


# -- the questionnaire cache (start-up: parsing pmpt-core's TOML costs ~6 ms) ----------


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("PMPT_NO_CACHE", raising=False)
    return tmp_path / "cache" / "pmpt"


def _core_bytes() -> bytes:
    return (ROOT / "questionnaires" / "pmpt-core.toml").read_bytes()


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("toml-*.marshal")) if folder.exists() else []


def test_a_cached_questionnaire_loads_the_same_without_parsing_toml(cache_home, monkeypatch) -> None:
    import hashlib
    import tomllib

    from pmpt_cli.loader import parse_questionnaire

    data = _core_bytes()
    first = parse_questionnaire(data, origin="core")
    (entry,) = _entries(cache_home)
    assert cache_home.stat().st_mode & 0o777 == 0o700
    assert entry.stat().st_mode & 0o777 == 0o600

    def no_parsing(*args, **kwargs):
        raise AssertionError("the cache was not used")

    monkeypatch.setattr(tomllib, "loads", no_parsing)
    second = parse_questionnaire(data, origin="core")
    assert second.sha256 == first.sha256 == hashlib.sha256(data).hexdigest()
    assert second.questions == first.questions
    assert [(r.id, r.when.source) for r in second.rules] == [(r.id, r.when.source) for r in first.rules]


def test_an_entry_is_used_only_for_the_exact_same_bytes(cache_home) -> None:
    from pmpt_cli import cache, loader

    data = _core_bytes()
    loader.parse_questionnaire(data)
    (entry,) = _entries(cache_home)
    edited = data.replace(b'title = "', b'title = "Edited ', 1)
    # Even an entry filed under the edited file's name is not trusted: its bytes differ.
    entry.rename(cache._path(edited))
    assert loader.parse_questionnaire(edited).title.startswith("Edited ")


@pytest.mark.parametrize("damage", ["truncate", "garbage", "group-writable"])
def test_a_damaged_or_unsafe_entry_is_a_miss(cache_home, damage) -> None:
    from pmpt_cli.loader import parse_questionnaire

    data = _core_bytes()
    expected = parse_questionnaire(data)
    (entry,) = _entries(cache_home)
    if damage == "truncate":
        entry.write_bytes(entry.read_bytes()[:1000])
    elif damage == "garbage":
        entry.write_bytes(b"\x00not marshal data" * 100)
    else:
        entry.chmod(0o660)
    assert parse_questionnaire(data).sha256 == expected.sha256


def test_no_cache_and_an_unwritable_cache_are_not_errors(cache_home, monkeypatch, tmp_path) -> None:
    from pmpt_cli.loader import parse_questionnaire

    monkeypatch.setenv("PMPT_NO_CACHE", "1")
    parse_questionnaire(_core_bytes())
    assert not cache_home.exists()
    monkeypatch.delenv("PMPT_NO_CACHE")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert parse_questionnaire(_core_bytes()).id == "pmpt-core"


def test_invalid_questionnaires_are_not_cached(cache_home) -> None:
    from pmpt_cli.errors import QuestionnaireError
    from pmpt_cli.loader import parse_questionnaire

    with pytest.raises(QuestionnaireError):
        parse_questionnaire(_core_bytes().replace(b"format = 1", b"format = 9", 1))
    assert _entries(cache_home) == []


def test_an_entry_from_another_pmpt_or_python_is_a_miss(cache_home, monkeypatch) -> None:
    """The tag names pmpt's version, Python's and the code-generating modules' edit times."""
    import tomllib

    from pmpt_cli import cache
    from pmpt_cli.loader import parse_questionnaire

    data = _core_bytes()
    parse_questionnaire(data)
    parses = []
    real_loads = tomllib.loads
    monkeypatch.setattr(tomllib, "loads", lambda text: parses.append(1) or real_loads(text))
    parse_questionnaire(data)
    assert parses == []  # the entry was used
    monkeypatch.setattr(cache, "_tag", lambda: "pmpt-cache-3 another pmpt")
    assert parse_questionnaire(data).id == "pmpt-core"
    assert parses == [1]  # a miss: parsed and compiled again, and the entry rewritten for this tag
    parse_questionnaire(data)
    assert parses == [1]
