"""The layers issue 10 set: the core (the package root, expr/ and fhir/) never imports the
terminal libraries, not even inside functions; jinja2 loads only when a report is written."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import EXAMPLES, ROOT

PACKAGE = ROOT / "pmpt_cli"
CORE = sorted([*PACKAGE.glob("*.py"), *(PACKAGE / "expr").glob("*.py"), *(PACKAGE / "fhir").glob("*.py")])
TERMINAL = {"typer", "rich", "questionary", "prompt_toolkit", "click"}


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", CORE, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_core_never_imports_terminal_libraries(path):
    assert imported(path) & TERMINAL == set()


def test_the_report_template_is_package_data():
    assert (PACKAGE / "templates" / "report.html.j2").is_file()


@pytest.mark.parametrize("args", [
    ["triage", "--answers", str(EXAMPLES / "physical-therapy-knee.toml"), "--json"],
    ["questionnaires", "export", "pmpt-core"],
])  # fmt: skip
def test_jinja2_loads_only_for_the_report(args):
    code = (
        "import sys\nfrom pmpt_cli.cli.app import main\n"
        f"code = main({args!r})\n"
        'sys.stderr.write(f\'exit={code} jinja2={"jinja2" in sys.modules} pydantic={"pydantic" in sys.modules}\')\n'
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert "exit=0 jinja2=False pydantic=False" in done.stderr, done.stderr[-500:]
