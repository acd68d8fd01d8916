"""The builder's checks for the parts of the format that issue 12 added.

``better`` on scores, measure-only questionnaires, nested and conditional sections,
date and time questions, open choices, and the ``[fhir]`` table.
"""

from __future__ import annotations

import copy
import tomllib

import pytest
from helpers import FIXTURES, ROOT

from pmpt_cli.errors import QuestionnaireError
from pmpt_cli.loader import build_questionnaire, load_questionnaire

MINI = tomllib.loads((FIXTURES / "mini.toml").read_text())


def problems_of(doc: dict) -> list[str]:
    with pytest.raises(QuestionnaireError) as info:
        build_questionnaire(doc)
    return [str(p) for p in info.value.problems]


def test_better_is_lower_or_higher():
    doc = copy.deepcopy(MINI)
    doc["scores"][0]["better"] = "lower"
    assert build_questionnaire(doc).score("pain").better == "lower"
    doc["scores"][0]["better"] = "down"
    assert problems_of(doc) == [
        "scores[0].better: must be 'lower' or 'higher', not 'down' "
        "(which way a change is an improvement: lower for pain and disability)"
    ]


def test_better_defaults_to_not_declared(mini):
    assert mini.score("pain").better == ""


def test_every_score_with_an_mcid_in_the_shipped_questionnaires_says_which_way_is_better():
    for path in [*sorted((ROOT / "questionnaires").glob("*.toml")), ROOT / "examples/questionnaires/odi-style.toml"]:
        questionnaire = load_questionnaire(path)
        for score in questionnaire.scores:
            if score.mcid is not None:
                assert score.better == "lower", (path.name, score.id)


# -- measure-only questionnaires -------------------------------------------------------


def test_a_questionnaire_without_rules_and_default_is_measure_only():
    questionnaire = load_questionnaire(FIXTURES / "measure-only.toml")
    assert questionnaire.measure_only
    assert questionnaire.default is None and questionnaire.rules == ()
    assert not load_questionnaire(FIXTURES / "mini.toml").measure_only


def test_rules_without_a_default_are_refused_with_the_measure_only_way_out():
    doc = copy.deepcopy(MINI)
    del doc["default"]
    assert problems_of(doc) == [
        "default: is required when there are rules: the outcome when no rule fires "
        "(or leave out both rules and default for a measure-only questionnaire)"
    ]


def test_a_default_without_rules_still_decides():
    doc = copy.deepcopy(MINI)
    doc["rules"] = []
    questionnaire = build_questionnaire(doc)
    assert not questionnaire.measure_only and questionnaire.default.outcome == "physical-therapy"


# -- nested and conditional sections, dates and times --------------------------------


@pytest.fixture(scope="module")
def sections():
    return load_questionnaire(FIXTURES / "sections.toml")


def asked(questionnaire, answers: dict) -> list[str]:
    from pmpt_cli.enablement import active_answers

    kept, skipped = active_answers(questionnaire, answers)
    return [q.id for q in questionnaire.questions if q.id not in skipped]


def test_a_section_asks_its_questions_only_when_it_and_its_parents_are_enabled(sections):
    assert asked(sections, {"injured": False}) == ["injured", "pain_now"]
    assert asked(sections, {"injured": True}) == ["injured", "injury_date", "injury_time", "pain_now"]
    recent = {"injured": True, "injury_date": "2024-03-01"}
    assert asked(sections, recent) == ["injured", "injury_date", "injury_time", "how", "pain_now"]
    night = {"injured": True, "injury_date": "2020-01-01", "injury_time": "05:00:00"}
    assert "how" in asked(sections, night)
    assert "how" not in asked(sections, {"injured": True, "injury_date": "2024-02-29"})  # its own enable_if
    assert "how" not in asked(sections, {"injured": False, "injury_date": "2024-03-01"})  # the parent's gate


def test_the_engine_applies_section_conditions_through_enable_if(sections):
    question = sections.question("how")
    assert question.own_enable_if == "injury_date != '2024-02-29'"
    assert "answered" not in question.enable_if.source and "injured == True" in question.enable_if.source
    details = next(s for s in sections.sections if s.id == "details")
    assert details.parent == "injury" and details.enable_behavior == "any"
    assert [(c.question, c.operator, c.answer) for c in details.enable_when] == [
        ("injury_date", ">=", "2024-01-01"),
        ("injury_time", "<", "06:00:00"),  # one spelling of a time
    ]


def test_section_conditions_may_only_name_questions_asked_before_the_section():
    doc = tomllib.loads((FIXTURES / "sections.toml").read_text())
    doc["sections"][1]["enable_when"] = [{"question": "injury_date", "operator": "exists", "answer": True}]
    doc["sections"][0]["parent"] = "details"
    found = problems_of(doc)
    assert "sections[0].parent: 'details' is listed later (a section's parent is a section listed before it)" in found
    assert "sections[1].enable_when[0].question: 'injury_date' is asked later" in " ".join(found)


def test_dates_and_times_are_checked_and_kept_in_one_spelling(sections):
    import datetime

    from pmpt_cli.engine import run_triage
    from pmpt_cli.errors import AnswersError

    answers = {"injured": True, "injury_date": "2024-02-30", "injury_time": "7:30", "pain_now": 2}
    with pytest.raises(AnswersError) as info:
        run_triage(sections, answers)
    assert [str(p) for p in info.value.problems] == [
        "answers.injury_date: must be a date written YYYY-MM-DD, like 1970-01-31, not '2024-02-30'",
        "answers.injury_time: must be a time of day written HH:MM or HH:MM:SS, like 14:30, not '7:30'",
    ]
    answers.update(injury_date=datetime.date(2024, 5, 1), injury_time="07:30")  # a TOML date is taken too
    result = run_triage(sections, answers)
    assert result.answers["injury_date"] == "2024-05-01" and result.answers["injury_time"] == "07:30:00"
    assert "how" in [q.id for q in sections.questions if q.id not in result.skipped]


def test_dates_and_times_cannot_be_scored_and_take_ordered_conditions_only_with_valid_values():
    doc = tomllib.loads((FIXTURES / "sections.toml").read_text())
    doc["scores"][0]["items"] = ["injury_date"]
    doc["sections"][2]["enable_when"][0]["answer"] = "01/01/2024"
    found = problems_of(doc)
    assert "scores[0].items[0]: date question 'injury_date' cannot be scored" in found
    assert any(p.startswith("sections[2].enable_when[0].answer: must be a date written YYYY-MM-DD") for p in found)


def test_the_fhir_table_is_checked_for_shape():
    doc = tomllib.loads((FIXTURES / "sections.toml").read_text())
    doc["fhir"]["status"] = "final"
    doc["fhir"]["questions"]["injurd"] = {"link_id": "2"}
    doc["fhir"]["questions"]["injured"]["codes"] = {"yes": "Y"}
    doc["fhir"]["sections"]["intake"]["link_id"] = "1.1"
    doc["fhir"]["colour"] = "red"
    assert problems_of(doc) == [
        "fhir.colour: unknown key 'colour'",
        "fhir.status: must be one of draft, active, retired, unknown, not 'final'",
        "fhir.questions.injured.codes.yes: 'yes' is not a choice",
        "fhir.questions.injurd: unknown question 'injurd', did you mean 'injured'?",
        "fhir.sections.intake.link_id: '1.1' is also the link id of fhir.questions.injured",
    ]


def test_the_fhir_table_is_kept_on_the_questionnaire(sections):
    assert sections.fhir["url"] == "http://example.org/Questionnaire/sections"
    assert sections.fhir["questions"]["injured"] == {"link_id": "1.1"}


def test_date_and_time_questions_in_the_template(sections):
    from pmpt_cli.template import allowed_values, example_value

    date, time = sections.question("injury_date"), sections.question("injury_time")
    assert allowed_values(date) == 'a date in quotes, "YYYY-MM-DD"' and example_value(date) == "1970-01-31"
    assert allowed_values(time).startswith("a time of day") and example_value(time) == "14:30:00"


def test_a_file_with_sections_dates_and_times_passes_lint():
    from pmpt_cli.lint import lint_questionnaire

    findings = lint_questionnaire(load_questionnaire(FIXTURES / "sections.toml"))
    assert [f for f in findings if f.severity == "error"] == []
