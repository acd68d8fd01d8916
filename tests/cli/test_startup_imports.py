"""Start-up guards: heavy libraries stay off the paths that do not need them.

questionary and prompt_toolkit cost about 130 ms and rich about 50 ms at import
(docs/performance.md). Only the prompting module may import questionary and
prompt_toolkit (tests/test_layers.py), and the scripted paths load neither them nor
rich: these tests run the real command and read what it imported. They read imports,
not clocks, so they are steady on a busy machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT

PROMPT_LIBRARIES = ("questionary", "prompt_toolkit")


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
    return {m for m in modules if m.split(".", 1)[0] in (*PROMPT_LIBRARIES, "rich")}


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


@pytest.mark.parametrize(
    "args",
    [
        ["triage", "--answers", str(ROOT / "examples" / "physical-therapy-knee.toml"), "--json"],
        ["questionnaires", "export", "pmpt-core"],
    ],
)
def test_jinja2_and_pydantic_load_only_for_the_report(args: list[str]) -> None:
    """jinja2 is for the HTML report alone; pydantic (fhir.resources, tests only) never loads."""
    modules = imported_modules(*args)
    assert "jinja2" not in modules and "pydantic" not in modules


def test_the_report_template_is_package_data() -> None:
    assert (ROOT / "pmpt_cli" / "templates" / "report.html.j2").is_file()
