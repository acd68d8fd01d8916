"""The examples in the --help of the commands issue 12 added run as written."""

from __future__ import annotations

import shlex
import shutil

import pytest
from helpers import EXAMPLES, FIXTURES, SDC_FIXTURES

from pmpt_cli.cli.app import app

COMMANDS = [("export",), ("compare",), ("questionnaires", "export"), ("questionnaires", "import"),
            ("questionnaires", "codebook")]  # fmt: skip


def examples(runner, path: tuple[str, ...]) -> list[str]:
    text = runner.invoke(app, [*path, "--help"]).stdout
    assert "Examples:" in text
    lines = [line.strip().strip("│ ").strip() for line in text.split("Examples:", 1)[1].splitlines()]
    return [line for line in lines if line.startswith("pmpt ")]


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_help_example_runs(runner, tmp_path, monkeypatch, path):
    shutil.copy(SDC_FIXTURES / "sdc-phq9-questionnaire.json", tmp_path / "phq9.json")
    shutil.copy(SDC_FIXTURES / "sdc-phq9-questionnaire.json", tmp_path / "form.json")
    shutil.copy(FIXTURES / "mini.toml", tmp_path / "my-clinic.toml")
    monkeypatch.chdir(tmp_path)
    for name, answers in (("summary", "physical-therapy-knee"), ("before", "pain-management-chronic-back"),
                          ("after", "physical-therapy-knee"), ("week0", "both-chronic-back"),
                          ("week6", "pain-management-chronic-back"), ("week12", "physical-therapy-knee")):  # fmt: skip
        assert runner.invoke(app, ["triage", "-a", str(EXAMPLES / f"{answers}.toml"), "--export", f"{name}.toml"]
                             ).exit_code == 0  # fmt: skip
    lines = examples(runner, path)
    assert lines, path
    for line in lines:
        words = shlex.split(line)
        target = None
        if ">" in words:
            at = words.index(">")
            words, target = words[:at], words[at + 1]
        result = runner.invoke(app, words[1:])
        assert result.exit_code == 0, f"{line}\n{result.output}"
        if target:
            (tmp_path / target).write_text(result.stdout)
