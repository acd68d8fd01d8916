"""Every command in the README sections issue 12 added runs, in order, in a temporary folder.

The folder holds a copy of examples/ and the shared SDC files under the names the README
uses; each line runs through the CLI as a shell would split it (comments dropped).
"""

from __future__ import annotations

import re
import shlex
import shutil

import pytest
from helpers import EXAMPLES, ROOT, SDC_FIXTURES

from pmpt_cli.cli.app import app

SECTIONS = ("Health records: FHIR in and out", "A printable report", "Progress over time",
            "A codebook for researchers")  # fmt: skip


def commands(section: str) -> list[str]:
    text = (ROOT / "README.md").read_text()
    body = text.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    lines = [line for block in re.findall(r"```sh\n(.*?)```", body, re.S) for line in block.splitlines()]
    return [line.split("  #", 1)[0].strip() for line in lines if line.strip()]


def test_the_sections_have_commands():
    assert all(commands(section) for section in SECTIONS)


def test_every_readme_command_runs(runner, tmp_path, monkeypatch):
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    shutil.copy(SDC_FIXTURES / "sdc-phq9-questionnaire.json", tmp_path / "phq9.json")
    shutil.copy(SDC_FIXTURES / "sdc-phq9-questionnaireresponse.json", tmp_path / "phq9-response.json")
    monkeypatch.chdir(tmp_path)
    for section in SECTIONS:
        for line in commands(section):
            words = shlex.split(line)
            assert words[0] == "pmpt", line
            result = runner.invoke(app, words[1:])
            assert result.exit_code == 0, f"{line}\n{result.output}"
            assert "Traceback" not in result.output
    for made in (
        "summary.toml",
        "result.fhir.json",
        "response.json",
        "pmpt-core.fhir.json",
        "phq9.toml",
        "report.html",
        "report-letter.html",
        "before.toml",
        "after.toml",
        "codebook.csv",
        "codebook.json",
    ):
        assert (tmp_path / made).is_file(), made


@pytest.mark.parametrize("command", ["export", "compare"])
def test_the_new_commands_are_in_the_readme(command):
    assert f"pmpt {command} " in (ROOT / "README.md").read_text()
