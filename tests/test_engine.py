"""The engine with plain dicts: skipping, scoring, missing-answer rules, bands, priority."""

from __future__ import annotations

import copy
import tomllib

import pytest
from helpers import FIXTURES

from pmpt_cli.engine import red_flags_raised, run_triage
from pmpt_cli.errors import AnswersError
from pmpt_cli.loader import build_questionnaire, load_questionnaire

MINI = tomllib.loads((FIXTURES / "mini.toml").read_text())


def test_default_decides_when_no_rule_fires(mini, mini_answers):
    result = run_triage(mini, mini_answers)
    assert result.outcome == "physical-therapy"
    assert result.decided_by is None
    assert result.reasons == ()


def test_scores_and_bands(mini, mini_answers):
    scores = run_triage(mini, mini_answers).scores
    assert scores["pain"].value == 5.5 and scores["pain"].band == "moderate"
    assert scores["limitation"].value == 1 and scores["limitation"].band is None


def test_skipped_question_is_not_asked_and_its_answer_ignored(mini, mini_answers):
    answers = mini_answers | {"pain_now": 0, "pain_worst": 9}
    result = run_triage(mini, answers)
    assert "pain_worst" in result.skipped
    assert "pain_worst" not in result.answers
    assert result.ignored == ("pain_worst",)
    # the score only sees pain_now: one missing item is allowed
    assert result.scores["pain"].value == 0 and result.scores["pain"].missing == 1


def test_missing_answer_rule_gives_no_score(mini, mini_answers):
    doc = copy.deepcopy(MINI)
    doc["scores"][0]["max_missing"] = 0
    q = build_questionnaire(doc)
    result = run_triage(q, mini_answers | {"pain_now": 0})
    assert result.scores["pain"].value is None and result.scores["pain"].band is None


def test_red_flag_wins_over_higher_priority(mini, mini_answers):
    doc = copy.deepcopy(MINI)
    doc["rules"][0]["priority"] = 1  # lower than every other rule
    q = build_questionnaire(doc)
    answers = mini_answers | {"hot_joint": "unsure", "pain_now": 9, "pain_worst": 10, "tried": False}
    result = run_triage(q, answers)
    assert result.outcome == "emergency"
    assert result.decided_by == "septic_joint"
    fired = [r.rule_id for r in result.reasons]
    assert fired[0] == "septic_joint" and {"severe_pain", "severe_and_limited"} <= set(fired)
    assert [r.decisive for r in result.reasons].count(True) == 1


def test_priority_decides_among_non_red_flags(mini, mini_answers):
    result = run_triage(mini, mini_answers | {"pain_now": 8, "pain_worst": 9, "tried": False})
    assert result.outcome == "both"  # severe_and_limited (30) beats severe_pain (20)
    assert result.decisive_reason.rule_id == "severe_and_limited"
    assert result.decisive_reason.evidence == {"limits": ["stairs"], "pain": 8.5}


def test_equal_priority_goes_to_the_rule_listed_first(mini, mini_answers):
    answers = mini_answers | {"pain_now": 8, "pain_worst": 9, "tried": False}  # both rules below fire
    equal = tuple(r._replace(priority=5) if r.id in ("severe_pain", "severe_and_limited") else r for r in mini.rules)
    listed = [r.id for r in equal if r.id in ("severe_pain", "severe_and_limited")]
    assert run_triage(mini._replace(rules=equal), answers).decided_by == listed[0]
    assert run_triage(mini._replace(rules=equal[::-1]), answers).decided_by == listed[1]


def test_evidence_names_only_what_made_an_or_true(mini, mini_answers):
    result = run_triage(mini, mini_answers | {"hot_joint": "yes"})
    assert result.decisive_reason.evidence == {"hot_joint": "yes"}


def test_every_problem_is_reported_at_once(mini):
    with pytest.raises(AnswersError) as info:
        run_triage(mini, {"hot_joint": "maybe", "pain_now": 11, "limits": "stairs", "tried": "yes", "pain_nw": 3})
    found = {p.location: p.message for p in info.value.problems}
    assert "'maybe' is not a choice" in found["answers.hot_joint"]
    assert "out of range" in found["answers.pain_now"]
    assert "must be a list" in found["answers.limits"]
    assert "must be true or false" in found["answers.tried"]
    assert "did you mean 'pain_now'?" in found["answers.pain_nw"]
    assert "required question not answered" in found["answers.weeks"]


def test_exclusive_choice_cannot_be_combined(mini, mini_answers):
    with pytest.raises(AnswersError, match="1 problem"):
        run_triage(mini, mini_answers | {"limits": ["none", "stairs"]})


def test_integer_numbers_reject_fractions(mini, mini_answers):
    with pytest.raises(AnswersError) as info:
        run_triage(mini, mini_answers | {"weeks": 2.5})
    assert "whole number" in info.value.problems[0].message


def test_allow_missing_triages_partial_answers(mini):
    result = run_triage(mini, {"hot_joint": "no"}, allow_missing=True)
    assert result.outcome == "physical-therapy"


def test_red_flags_raised_on_partial_answers(mini):
    assert [r.id for r in red_flags_raised(mini, {"hot_joint": "yes"})] == ["septic_joint"]
    assert red_flags_raised(mini, {"hot_joint": "no"}) == []


def test_notes_are_reported_without_deciding(mini, mini_answers):
    result = run_triage(mini, mini_answers | {"limits": ["stairs", "walking"]})
    assert [n.id for n in result.notes] == ["many_limits"]
    assert result.notes[0].evidence == {"limitation": 2}


def test_same_answers_same_result(mini, mini_answers):
    assert run_triage(mini, mini_answers) == run_triage(mini, dict(reversed(list(mini_answers.items()))))


def test_percent_score_divides_by_answered_maximum():
    """ODI rule: total / (5 x answered sections) x 100, one section may be missing."""
    doc = {
        "format": 1, "id": "odi-like", "title": "t", "version": "1", "language": "en", "licence": "x",
        "sources": [], "sections": [{"id": "s", "title": "S"}],
        "questions": [
            {"id": f"q{i}", "section": "s", "type": "choice", "text": f"Q{i}", "required": False,
             "choices": [{"value": f"c{k}", "label": str(k), "score": k} for k in range(6)]}
            for i in range(10)
        ],
        "scores": [{"id": "odi", "label": "ODI", "method": "percent", "items": [f"q{i}" for i in range(10)],
                    "max_missing": 1, "source": "Fairbank 2000"}],
        "rules": [{"id": "r", "outcome": "self-care", "when": "odi <= 20", "priority": 1,
                   "explanation": "x", "source": "y"}],
        "default": {"outcome": "physical-therapy", "explanation": "x", "source": "y"},
    }  # fmt: skip
    q = build_questionnaire(doc)
    all_ten = {f"q{i}": "c2" for i in range(10)}  # 20 / 50 -> 40 %
    assert run_triage(q, all_ten).scores["odi"].value == 40
    nine = {f"q{i}": "c3" for i in range(9)}  # 27 / 45 -> 60 %
    assert run_triage(q, nine).scores["odi"].value == 60
    eight = {f"q{i}": "c3" for i in range(8)}  # two missing -> no score
    assert run_triage(q, eight).scores["odi"].value is None


def test_a_fault_inside_the_program_shows_its_generated_source(mini) -> None:
    """Tracebacks and debuggers read the program's lines through linecache (lazily: the
    source is printed again only when a line must be shown)."""
    import linecache
    import traceback

    from pmpt_cli.program import runnable

    program = runnable(mini)
    try:
        program.run({"limits": 42})  # unchecked: a multi-choice answer that is not a list
    except TypeError:
        shown = traceback.format_exc()
    else:
        raise AssertionError("an unchecked answer should fail inside the program")
    assert f'File "{program.filename}"' in shown and "in program" in shown
    assert "sum(map(" in shown  # the generated line itself
    assert linecache.getline(program.filename, 1).startswith("def program(answers):")


def test_a_measure_only_questionnaire_scores_without_an_outcome():
    questionnaire = load_questionnaire(FIXTURES / "measure-only.toml")
    result = run_triage(questionnaire, {"sleep": "nearly_every_day", "energy": "more_than_half"})
    assert result.outcome is None and result.decided_by is None and result.reasons == ()
    assert result.scores["total"].value == 5 and result.scores["total"].band == "mild"
