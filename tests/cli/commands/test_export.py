"""``pmpt export SUMMARY``: FHIR, the response alone, the printable report, PDF, and bad summaries."""

from __future__ import annotations

import json
import sys

import pytest
from helpers import EXAMPLES, validate_r4b

from pmpt_cli.cli.app import app


@pytest.fixture
def summary(runner, tmp_path):
    path = tmp_path / "summary.toml"
    result = runner.invoke(app, ["triage", "--answers", str(EXAMPLES / "urgent-cancer-back-pain.toml"),
                                 "--export", str(path)])  # fmt: skip
    assert result.exit_code == 0, result.output
    return path


def test_fhir_is_a_bundle_with_the_response_and_the_outcome(runner, summary):
    result = runner.invoke(app, ["export", str(summary), "--format", "fhir"])
    assert result.exit_code == 0, result.output
    bundle = json.loads(result.stdout)
    validate_r4b(bundle)
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds == ["QuestionnaireResponse", "RiskAssessment"]
    assert bundle["entry"][1]["resource"]["prediction"][0]["outcome"]["coding"][0]["code"] == "urgent"


def test_the_format_follows_the_output_name_and_files_are_private(runner, summary, tmp_path):
    for name, start in (("r.json", '{\n  "resourceType": "Bundle"'), ("r.html", "<!DOCTYPE html>")):
        out = tmp_path / name
        result = runner.invoke(app, ["export", str(summary), "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert out.read_text().startswith(start) and (out.stat().st_mode & 0o777) == 0o600
    response = runner.invoke(app, ["export", str(summary), "--format", "fhir-response"])
    assert json.loads(response.stdout)["resourceType"] == "QuestionnaireResponse"
    again = runner.invoke(app, ["export", str(summary), "-o", str(tmp_path / "r.html")])
    assert again.exit_code == 1 and "pass --force" in again.stderr


def test_redact_and_pseudonym(runner, tmp_path):
    answers = tmp_path / "a.toml"
    text = (EXAMPLES / "physical-therapy-knee.toml").read_text()
    answers.write_text(text)
    summary = tmp_path / "s.toml"
    assert runner.invoke(app, ["triage", "-a", str(answers), "--export", str(summary)]).exit_code == 0
    result = runner.invoke(app, ["export", str(summary), "--format", "html", "--redact", "--pseudonym", "P-7"])
    assert result.exit_code == 0 and "Pseudonymous id: P-7" in result.stdout and "Redacted" in result.stdout
    bundle = json.loads(runner.invoke(app, ["export", str(summary), "--redact", "--pseudonym", "P-7"]).stdout)
    response = bundle["entry"][0]["resource"]
    assert len(response["authored"]) == 10 and response["subject"]["identifier"]["value"] == "P-7"


def test_pdf_without_weasyprint_is_a_clear_error(runner, summary, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    result = runner.invoke(app, ["export", str(summary), "--format", "pdf", "-o", str(tmp_path / "r.pdf")])
    assert result.exit_code == 1 and "pip install 'pmpt[pdf]'" in result.stderr
    assert not (tmp_path / "r.pdf").exists()


@pytest.mark.parametrize(("content", "message"), [
    ("schema = 3\nquestionnaire = 'pmpt-core'\n", "summary schema 3 was written by a newer pmpt"),
    ("not = [toml", "not valid TOML"),
    ("questionnaire = 'pmpt-core'\n[answers]\n", "not a pmpt summary"),
    ("schema = 2\nquestionnaire = 7\nquestionnaire_version = '1'\nquestionnaire_sha256 = 'x'\nanswers = 1\n",
     "not a valid pmpt summary"),
    ("a = " + "[" * 50_000, "nested too deeply"),
])  # fmt: skip
def test_bad_summaries_exit_1_with_a_message(runner, tmp_path, content, message):
    path = tmp_path / "bad.toml"
    path.write_text(content)
    result = runner.invoke(app, ["export", str(path)])
    assert result.exit_code == 1, result.output
    assert message in result.stderr and "Traceback" not in result.output and "internal error" not in result.stderr


def test_usage_errors(runner, summary):
    assert runner.invoke(app, ["export", str(summary), "--format", "docx"]).exit_code == 2
    assert runner.invoke(app, ["export", str(summary), "--paper", "a3"]).exit_code == 2
    missing = runner.invoke(app, ["export", "no-such.toml"])
    assert missing.exit_code == 1 and "does not exist" in missing.stderr


def test_a_changed_questionnaire_is_warned_about(runner, summary):
    text = summary.read_text().replace("questionnaire_sha256 = ", 'questionnaire_sha256 = "0" #', 1)
    summary.write_text(text)
    result = runner.invoke(app, ["export", str(summary), "--format", "html"])
    assert result.exit_code == 0 and "was made with another version of questionnaire 'pmpt-core'" in result.stderr


def test_a_summary_whose_answers_do_not_fit_is_refused_with_each_problem(runner, summary):
    text = summary.read_text().replace('age_band = "age_51_to_65"', "age_band = [1, 2]")
    summary.write_text(text.replace("pain_now = 3", 'pain_now = "three"'))
    result = runner.invoke(app, ["export", str(summary), "--format", "html"])
    assert result.exit_code == 1 and "the summary's answers do not fit questionnaire 'pmpt-core'" in result.stderr
    assert "answers.age_band: must be one choice value" in result.stderr
