"""Packaging: the wheel carries every bundled questionnaire; the scripted path stays light."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from helpers import FIXTURES, ROOT


@pytest.mark.slow
def test_wheel_ships_every_bundled_questionnaire(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    wheel = next(tmp_path.glob("pmpt-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    bundled = sorted((ROOT / "questionnaires").rglob("*.toml"))
    assert bundled, "no bundled questionnaires found"
    expected = {f"pmpt_cli/questionnaires/{p.relative_to(ROOT / 'questionnaires').as_posix()}" for p in bundled}
    assert expected <= names
    assert {"pmpt_cli/cli/app.py", "pmpt_cli/expr/codegen.py", "pmpt_cli/py.typed"} <= names


def test_every_bundled_questionnaire_loads():
    from pmpt_cli.loader import load_questionnaire

    bundled = sorted((ROOT / "questionnaires").glob("*.toml"))
    assert bundled
    for path in bundled:
        assert load_questionnaire(path).id == path.stem


def test_python_dash_m_runs_the_cli():
    result = subprocess.run([sys.executable, "-m", "pmpt_cli", "--version"], capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout.startswith("pmpt ")


def test_scripted_path_never_imports_prompt_libraries(tmp_path):
    answers = tmp_path / "a.toml"
    answers.write_text(
        f'questionnaire = "{FIXTURES / "mini.toml"}"\n[answers]\nhot_joint = "no"\npain_now = 3\npain_worst = 4\n'
        "weeks = 2\ntried = true\n"
    )
    code = (
        "import sys\n"
        "from pmpt_cli.cli.app import main\n"
        f"code = main(['triage', '--answers', {str(answers)!r}, '--questionnaire', {str(FIXTURES / 'mini.toml')!r}, "
        "'--json'])\n"
        "heavy = sorted(m for m in ('questionary', 'prompt_toolkit', 'rich') if m in sys.modules)\n"
        "sys.stderr.write(f'exit={code} heavy={heavy}')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(ROOT))
    assert "exit=0 heavy=[]" in result.stderr, result.stderr
