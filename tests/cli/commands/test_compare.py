"""``pmpt compare``: the table, --json, and what it refuses."""

from __future__ import annotations

import json

from helpers import EXAMPLES

from pmpt_cli.cli.app import app
from pmpt_cli.loader import load_questionnaire


def export(runner, tmp_path, name: str, answers: str, *extra: str):
    path = tmp_path / name
    result = runner.invoke(app, ["triage", "--answers", answers, "--export", str(path), *extra])
    assert result.exit_code == 0, result.output
    return str(path)


def test_compare_prints_a_table_and_json_gives_the_same(runner, tmp_path):
    old = export(runner, tmp_path, "old.toml", str(EXAMPLES / "pain-management-chronic-back.toml"))
    new = export(runner, tmp_path, "new.toml", str(EXAMPLES / "physical-therapy-knee.toml"))
    result = runner.invoke(app, ["compare", old, new])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"Questionnaire: pmpt-core ({load_questionnaire('pmpt-core').version})"
    assert lines[1].split()[0] == "SCORE" and lines[1].split()[-4:] == ["CHANGE", "MCID", "TREND", "DIRECTION"]
    peg = next(line for line in lines if line.startswith("PEG-style"))
    assert peg.split()[-5:] == ["-2.33", "1", "(reached)", "█▁", "better"]
    assert "Outcome then: pain-management; now: physical-therapy" in result.stdout
    data = json.loads(runner.invoke(app, ["compare", old, new, "--json"]).stdout)
    assert data["outcome"] == {"then": "pain-management", "now": "physical-therapy"}
    assert next(r for r in data["scores"] if r["id"] == "peg")["direction"] == "better"


def test_different_questionnaires_are_refused(runner, tmp_path, mini_answers, fixtures_by_id):
    core = export(runner, tmp_path, "core.toml", str(EXAMPLES / "physical-therapy-knee.toml"))
    answers = tmp_path / "mini.json"
    answers.write_text(json.dumps({"questionnaire": "mini", "answers": mini_answers}))
    mini = export(runner, tmp_path, "mini.toml", str(answers))
    result = runner.invoke(app, ["compare", core, mini])
    assert result.exit_code == 1 and "Summaries of different questionnaires cannot be compared" in result.stderr


def test_one_summary_or_a_bad_one_is_an_error(runner, tmp_path):
    core = export(runner, tmp_path, "core.toml", str(EXAMPLES / "physical-therapy-knee.toml"))
    assert runner.invoke(app, ["compare", core]).exit_code == 2
    bad = tmp_path / "bad.toml"
    bad.write_text('schema = 2\nquestionnaire = "pmpt-core"\n')
    result = runner.invoke(app, ["compare", core, str(bad)])
    assert result.exit_code == 1 and "questionnaire_version: is required" in result.stderr
