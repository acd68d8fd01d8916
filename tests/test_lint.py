"""Lint: one fixture questionnaire per finding under tests/fixtures/lint/, plus soundness checks."""

from __future__ import annotations

import copy
import json
import tomllib

import pytest
from helpers import EXAMPLES, FIXTURES

from pmpt_cli.cli.app import app
from pmpt_cli.file_check import validate_file
from pmpt_cli.lint import lint_document, lint_questionnaire
from pmpt_cli.loader import build_questionnaire, load_questionnaire

LINT = FIXTURES / "lint"
CLEAN = tomllib.loads((LINT / "clean.toml").read_text())

# fixture -> (check, severity, location) that must be among its findings
EXPECTED = {
    "unreachable-question": ("unreachable-question", "error", "questions[2].enable_when[0]"),
    "contradicting-conditions": ("unreachable-question", "error", "questions[3].enable_when"),
    "enable-if-never": ("unreachable-question", "error", "questions[2].enable_if"),
    "enable-always-true": ("condition-always-true", "warning", "questions[2].enable_when"),
    "rule-never-fires": ("condition-never-true", "error", "rules[2].when"),
    "note-never-shown": ("condition-never-true", "warning", "notes[0].when"),
    "red-flag-always-fires": ("condition-always-true", "error", "rules[0].when"),
    "rule-always-fires": ("condition-always-true", "warning", "rules[2].when"),
    "circular-questions": ("circular-dependency", "error", "questions[0].enable_when[0].question"),
    "circular-scores": ("format", "error", "scores.a"),
    "band-gap": ("band-gap", "error", "scores[0].bands[1].min"),
    "band-range": ("band-gap", "warning", "scores[0].bands[2].max"),
    "band-overlap": ("band-overlap", "error", "scores[0].bands[1].min"),
    "band-shadowed": ("band-overlap", "error", "scores[0].bands[1]"),
    "unknown-score": ("format", "error", "rules[1].when"),
    "score-never-computed": ("score-never-computed", "error", "scores[1].items"),
    "unknown-band": ("unknown-band", "error", "rules[1].when"),
    "unreachable-outcome": ("unreachable-outcome", "warning", "outcomes.both"),
    "no-red-flag": ("unreachable-outcome", "warning", "rules"),
    "placeholder-explanation": ("placeholder-text", "error", "rules[1].explanation"),
    "short-source": ("short-text", "warning", "rules[2].source"),
    "missing-explanation": ("format", "error", "rules[1].explanation"),
}


def findings(name: str) -> list[tuple[str, str, str]]:
    return [(f.check, f.severity, f.location) for f in validate_file(str(LINT / f"{name}.toml")).findings]


def test_every_fixture_has_an_expectation():
    names = {p.stem for p in LINT.glob("*.toml")} - {"clean"}
    assert names == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_fixture_reports_its_finding(name):
    assert EXPECTED[name] in findings(name)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_finding_says_where_and_how_to_fix(name):
    report = validate_file(str(LINT / f"{name}.toml"))
    for finding in report.findings:
        assert finding.severity in ("error", "warning")
        assert finding.message
        if finding.check != "format":  # the loader's own problems carry a hint only where it has one
            assert finding.location and finding.hint


def test_clean_fixture_has_no_findings():
    assert findings("clean") == []


def test_worked_example_and_docs_example_have_no_errors(mini):
    assert lint_questionnaire(load_questionnaire(EXAMPLES / "questionnaires" / "odi-style.toml")) == []
    assert [f for f in lint_questionnaire(mini) if f.severity == "error"] == []


def test_score_never_computed_also_flags_its_users():
    found = findings("score-never-computed")
    assert ("uses-dead-name", "error", "rules[3].when") in found
    assert ("unreachable-question", "error", "questions[2].enable_when[0]") in found


def test_unreachable_question_message_names_the_condition_and_range():
    report = validate_file(str(LINT / "unreachable-question.toml"))
    (finding,) = report.findings
    assert "'pain_worst' is never asked" in finding.message and "pain_now > 10" in finding.message
    assert "from 0 to 10" in finding.hint


def test_band_gap_reports_a_value_that_gets_no_band():
    report = validate_file(str(LINT / "band-gap.toml"))
    assert "4.5 gets no band" in report.findings[0].message


def test_shared_edges_and_adjacent_integers_are_not_gaps():
    doc = copy.deepcopy(CLEAN)
    doc["scores"].append({
        "id": "total", "label": "Total", "method": "sum", "items": ["pain_now", "pain_worst"], "max_missing": 1,
        "source": "Illustrative whole-number total",
        "bands": [{"min": 0, "max": 4, "label": "low"}, {"min": 5, "max": 12, "label": "mid"},
                  {"min": 12, "max": 20, "label": "high"}],
    })  # fmt: skip
    assert lint_questionnaire(build_questionnaire(doc)) == []


def test_adjacent_integers_on_a_mean_score_are_a_gap():
    doc = copy.deepcopy(CLEAN)
    doc["scores"][0]["bands"][1]["min"] = 5
    checks = [(f.check, f.location) for f in lint_questionnaire(build_questionnaire(doc))]
    assert ("band-gap", "scores[0].bands[1].min") in checks


def test_no_never_true_claim_when_representative_values_cannot_cover_the_condition():
    """weeks - pain_now == 517 is true for weeks 517, pain 0; lint must not call it impossible."""
    doc = copy.deepcopy(CLEAN)
    doc["rules"][2]["when"] = "weeks - pain_now == 517"
    assert [f for f in lint_questionnaire(build_questionnaire(doc)) if f.check == "condition-never-true"] == []


def test_independent_parts_of_a_large_condition_are_decided_separately():
    doc = copy.deepcopy(CLEAN)
    doc["questions"] += [
        {"id": f"q{i}", "section": "main", "type": "scale", "text": f"Item {i}", "min": 0, "max": 10} for i in range(6)
    ]
    doc["rules"][2]["when"] = "q0 + q1 + q2 + q3 + q4 + q5 >= 0 and fever == 'no' and fever == 'yes'"
    checks = [(f.check, f.location) for f in lint_questionnaire(build_questionnaire(doc))]
    assert ("condition-never-true", "rules[2].when") in checks


def test_lint_is_deterministic():
    q = load_questionnaire(LINT / "score-never-computed.toml")
    assert lint_questionnaire(q) == lint_questionnaire(q)


def test_circular_dependency_is_found_in_the_raw_document():
    raw = tomllib.loads((LINT / "circular-questions.toml").read_text())
    (finding,) = lint_document(raw)
    assert finding.message == "circular dependency: fever -> weeks -> fever"


# -- the validate command ------------------------------------------------------------------


def test_validate_exits_3_on_errors_and_prints_each_with_a_fix(runner):
    result = runner.invoke(app, ["questionnaires", "validate", str(LINT / "band-overlap.toml")])
    assert result.exit_code == 3
    assert "scores[0].bands[1].min" in result.stdout and "fix: start 'moderate' at 4" in result.stdout
    assert "1 of 1 file has problems" in result.stderr


def test_validate_warnings_pass_unless_strict(runner):
    path = str(LINT / "short-source.toml")
    assert runner.invoke(app, ["questionnaires", "validate", path]).exit_code == 0
    assert runner.invoke(app, ["questionnaires", "validate", "--strict", path]).exit_code == 3


def test_validate_json_lists_every_file_of_a_folder(runner):
    result = runner.invoke(app, ["questionnaires", "validate", str(LINT), "--json"])
    assert result.exit_code == 3
    data = json.loads(result.stdout)
    assert len(data["files"]) == len(EXPECTED) + 1 and data["ok"] is False
    by_name = {f["path"].rsplit("/", 1)[-1]: f for f in data["files"]}
    assert by_name["clean.toml"]["ok"] is True and by_name["clean.toml"]["findings"] == []
    finding = by_name["band-gap.toml"]["findings"][0]
    assert set(finding) == {"severity", "check", "location", "message", "hint"}


def test_validate_reports_unreadable_files_without_crashing(runner, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("format = [")
    result = runner.invoke(app, ["questionnaires", "validate", str(bad), str(tmp_path / "missing.toml"), "--json"])
    assert result.exit_code == 1  # a file that is not there: exit 1, like every command
    files = json.loads(result.stdout)["files"]
    assert "not valid TOML" in files[0]["findings"][0]["message"]
    assert "does not exist" in files[1]["findings"][0]["message"]


def test_bundled_questionnaires_have_no_lint_errors(runner):
    from pmpt_cli.registry import bundled_root

    result = runner.invoke(app, ["questionnaires", "validate", str(bundled_root()), "--json"])
    data = json.loads(result.stdout)
    assert data["files"] and data["errors"] == 0, data


@pytest.mark.parametrize(
    ("text", "placeholder"),
    [
        ("TODO", True), ("tbd: write this", True), ("xxx", True), ("XXXX later", True), ("??", True),
        ("---", True), ("...", True), ("n/a", True), ("N/A.", True), ("source", True), ("lorem ipsum", True),
        ("", True), ("  - -", True),
        ("A hot, red, swollen joint can be an infection.", False), ("NICE NG59 1.2.1", False),
        ("xxy", False), ("Maxx", False), ("not applicable here", False), ("-- see NICE NG59", False),
    ],
)  # fmt: skip
def test_placeholder_words_are_recognised(text, placeholder):
    from pmpt_cli.lint import _PLACEHOLDER

    assert bool(_PLACEHOLDER.search(text)) is placeholder


@pytest.mark.parametrize("text", ["-" * 150_000 + "a", "." * 150_000 + "a", "x" * 150_000 + "a", " -" * 75_000 + "a"])
def test_placeholder_search_is_linear_on_long_hostile_text(text):
    """These took minutes with the old pattern (benchmarks/hostile.py times them)."""
    from pmpt_cli.lint import _PLACEHOLDER

    assert _PLACEHOLDER.search(text) is None
