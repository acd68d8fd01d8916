"""``pmpt triage`` end to end for what issue 12 added: measure-only questionnaires."""

from __future__ import annotations

import json
import tomllib

import pytest
from helpers import FIXTURES

from pmpt_cli.cli.app import app

MEASURE_ONLY = str(FIXTURES / "measure-only.toml")


@pytest.fixture(autouse=True)
def _fixtures_by_id(fixtures_by_id):
    """Answers files name 'measure-only' and 'mini' by id."""


def write_answers(tmp_path, **answers) -> str:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"questionnaire": "measure-only", "answers": answers}))
    return str(path)


def test_triage_of_a_measure_only_questionnaire_reports_scores_and_says_measure_only(runner, tmp_path):
    answers = write_answers(tmp_path, sleep="nearly_every_day", energy="nearly_every_day", appetite="several_days")
    result = runner.invoke(app, ["triage", "--answers", answers])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("MEASURE-ONLY: Measure-only questionnaire: scores and bands, no triage outcome")
    assert "Total (0-9): 7 (marked)" in result.stdout
    assert "The total is in the marked band." in result.stdout
    assert "What to do next" not in result.stdout and "OUTCOME" not in result.stdout


def test_measure_only_json_and_export(runner, tmp_path):
    answers = write_answers(tmp_path, sleep="several_days", energy="several_days")
    summary = tmp_path / "summary.toml"
    result = runner.invoke(app, ["triage", "--answers", answers, "--json", "--export", str(summary)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["outcome"] is None and data["measure_only"] and data["scores"]["total"]["value"] == 2
    document = tomllib.loads(summary.read_text())
    assert "outcome" not in document and "decided_by" not in document
    assert document["scores"]["total"]["value"] == 2


def test_show_and_validate_say_measure_only(runner):
    shown = runner.invoke(app, ["questionnaires", "show", MEASURE_ONLY])
    assert "MEASURE-ONLY: no rules and no default" in shown.stdout
    assert json.loads(runner.invoke(app, ["questionnaires", "show", MEASURE_ONLY, "--json"]).stdout)["measure_only"]
    validated = runner.invoke(app, ["questionnaires", "validate", MEASURE_ONLY, "--strict"])
    assert validated.exit_code == 0, validated.output  # no "never screens for red flags" warning


def test_the_rich_summary_of_a_measure_only_result_has_no_care_section():
    from rich.console import Console

    from pmpt_cli.cli.render import render_rich
    from pmpt_cli.engine import run_triage
    from pmpt_cli.loader import load_questionnaire
    from pmpt_cli.report import result_to_dict

    questionnaire = load_questionnaire(MEASURE_ONLY)
    data = result_to_dict(questionnaire, run_triage(questionnaire, {"sleep": "not_at_all", "energy": "not_at_all"}))
    console = Console(record=True, width=100)
    render_rich(data, console)
    text = console.export_text()
    assert "Measure-only questionnaire" in text and "measure-only" in text
    assert "What this care involves" not in text and "Total (0-9)" in text


def test_export_redact_leaves_out_free_text(runner, tmp_path, mini_answers):
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps({"questionnaire": "mini",
                                   "answers": mini_answers | {"comment": "Call me on 555-0100"}}))  # fmt: skip
    summary = tmp_path / "s.toml"
    result = runner.invoke(app, ["triage", "-a", str(answers), "--export", str(summary), "--redact"])
    assert result.exit_code == 0, result.output
    text = summary.read_text()
    assert "555-0100" not in text and "redacted = true" in text
    document = tomllib.loads(text)
    assert document["answers"]["pain_now"] == 5 and "comment" not in document["answers"]


def test_redact_without_export_is_a_usage_error(runner, tmp_path):
    result = runner.invoke(app, ["triage", "--answers", write_answers(tmp_path, sleep="not_at_all"), "--redact"])
    assert result.exit_code == 2 and "--redact applies to the summary written with --export" in result.stderr


def test_deeply_nested_answers_files_are_refused_without_a_traceback(runner, tmp_path):
    for name, text in (("deep.toml", "a = " + "[" * 50_000), ("deep.json", "[" * 50_000 + "]" * 50_000)):
        path = tmp_path / name
        path.write_text(text)
        result = runner.invoke(app, ["triage", "--answers", str(path), "--questionnaire", MEASURE_ONLY])
        assert result.exit_code == 1, (name, result.output)
        assert "Traceback" not in result.output and "error:" in result.stderr


def test_the_sdc_phq9_response_triages_with_its_imported_questionnaire(runner, tmp_path, monkeypatch):
    from helpers import SDC_FIXTURES

    folder = tmp_path / "questionnaires"
    folder.mkdir()
    imported = runner.invoke(app, ["questionnaires", "import", str(SDC_FIXTURES / "sdc-phq9-questionnaire.json"),
                                   "--id", "phq9", "--output", str(folder / "phq9.toml")])  # fmt: skip
    assert imported.exit_code == 0, imported.output
    monkeypatch.setenv("PMPT_QUESTIONNAIRES_DIR", str(folder))
    response = str(SDC_FIXTURES / "sdc-phq9-questionnaireresponse.json")
    result = runner.invoke(app, ["triage", "--answers", response])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("MEASURE-ONLY")
    assert "Patient health questionnaire 9 item total score: 10" in result.stdout
    assert "gives score 'h1_ts' as 13; pmpt computes 10 from its answers" in result.stderr
    data = json.loads(runner.invoke(app, ["triage", "--answers", response, "--json"]).stdout)
    assert data["scores"]["h1_ts"]["value"] == 10 and data["questionnaire"]["id"] == "phq9"


def test_a_response_to_an_unknown_questionnaire_says_how_to_fix_it(runner):
    from helpers import SDC_FIXTURES

    result = runner.invoke(app, ["triage", "--answers", str(SDC_FIXTURES / "sdc-phq9-questionnaireresponse.json")])
    assert result.exit_code == 1 and "which pmpt does not know. Import it with" in result.stderr


def test_an_exported_bundle_triages_again_to_the_same_outcome(runner, tmp_path):
    from helpers import EXAMPLES

    summary, bundle = tmp_path / "s.toml", tmp_path / "b.json"
    example = str(EXAMPLES / "emergency-cauda-equina.toml")
    assert runner.invoke(app, ["triage", "-a", example, "--export", str(summary)]).exit_code == 0
    assert runner.invoke(app, ["export", str(summary), "-o", str(bundle)]).exit_code == 0
    again = json.loads(runner.invoke(app, ["triage", "-a", str(bundle), "--json"]).stdout)
    assert again["outcome"] == "emergency"


@pytest.mark.parametrize(("response", "message"), [
    ({"resourceType": "QuestionnaireResponse", "extension": 7, "questionnaire": ["x"], "item": []},
     "answers no questionnaire, which pmpt does not know"),
    ({"resourceType": "Bundle", "entry": True}, "a FHIR Bundle, not a QuestionnaireResponse"),
    ({"resourceType": "QuestionnaireResponse", "questionnaire": "urn:pmpt:questionnaire:measure-only",
      "item": {"linkId": "sleep"}}, "item: must be a list of items"),
    ({"resourceType": "QuestionnaireResponse", "questionnaire": "urn:pmpt:questionnaire:measure-only",
      "item": [{"linkId": "last_two_weeks", "item": [{"linkId": "sleep", "answer": {"valueCoding": 1}}]}]},
     "item[0].item[0].answer: must be a list of answers"),
    ({"resourceType": "Observation"}, "a FHIR Observation, not a QuestionnaireResponse"),
])  # fmt: skip
def test_hostile_responses_exit_1_with_a_message(runner, tmp_path, monkeypatch, response, message):
    monkeypatch.setenv("PMPT_QUESTIONNAIRES_DIR", str(FIXTURES))
    path = tmp_path / "r.json"
    path.write_text(json.dumps(response))
    result = runner.invoke(app, ["triage", "--answers", str(path), "--no-input"])
    assert result.exit_code == 1, result.output
    assert message in result.stderr and "internal error" not in result.stderr
