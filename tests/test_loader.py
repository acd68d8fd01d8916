"""The loader validates strictly and reports every problem with its location."""

from __future__ import annotations

import copy
import tomllib

import pytest
from helpers import FIXTURES, ROOT

from pmpt_cli.errors import QuestionnaireError, QuestionnaireNotFoundError
from pmpt_cli.loader import build_questionnaire, load_questionnaire, parse_questionnaire

MINI = tomllib.loads((FIXTURES / "mini.toml").read_text())


def problems_of(doc: dict) -> list[str]:
    with pytest.raises(QuestionnaireError) as info:
        build_questionnaire(doc)
    return [str(p) for p in info.value.problems]


def mutated(**changes) -> dict:
    doc = copy.deepcopy(MINI)
    doc.update(changes)
    return doc


def test_mini_loads_with_every_part(mini):
    assert mini.id == "mini"
    assert [q.type for q in mini.questions] == ["choice", "scale", "scale", "multi_choice", "number", "yes_no", "text"]
    assert [s.id for s in mini.scores] == ["pain", "limitation"]
    assert mini.default.outcome == "physical-therapy"
    assert mini.outcome_texts["self-care"].next.startswith("Come back")
    assert mini.outcome_texts["emergency"].headline  # filled from the defaults
    assert len(mini.sha256) == 64


def test_doc_example_is_the_fixture():
    doc = (ROOT / "docs" / "questionnaire-format.md").read_text()
    block = doc.split("## A complete small example", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    assert block == (FIXTURES / "mini.toml").read_text()


def test_unknown_question_in_enable_when_suggests_the_near_name():
    doc = copy.deepcopy(MINI)
    doc["questions"][2]["enable_when"][0]["question"] = "pain_nw"
    assert "questions[2].enable_when[0].question: unknown question 'pain_nw', did you mean 'pain_now'?" in problems_of(
        doc
    )


def test_enable_when_may_not_look_ahead():
    doc = copy.deepcopy(MINI)
    doc["questions"][1]["enable_when"] = [{"question": "tried", "operator": "=", "answer": True}]
    assert any("'tried' is asked later" in p for p in problems_of(doc))


def test_enable_when_checks_operator_and_answer_type():
    doc = copy.deepcopy(MINI)
    doc["questions"][2]["enable_when"] = [
        {"question": "hot_joint", "operator": ">", "answer": 1},
        {"question": "hot_joint", "operator": "=", "answer": "yse"},
        {"question": "pain_now", "operator": "~", "answer": 1},
    ]
    found = problems_of(doc)
    assert any("enable_when[0].answer: '>' only applies to scale, number, date and time" in p for p in found)
    assert any("enable_when[1].answer: 'yse' is not a choice of 'hot_joint', did you mean 'yes'?" in p for p in found)
    assert any("enable_when[2].operator: unknown operator '~'" in p for p in found)


def test_every_problem_is_reported_at_once():
    doc = copy.deepcopy(MINI)
    del doc["title"]
    doc["questions"][0]["type"] = "chioce"
    doc["questions"][1]["max"] = -1
    doc["rules"][0]["outcome"] = "emergncy"
    doc["scores"][0]["items"] = ["pain_now", "nope"]
    found = problems_of(doc)
    assert "title: is required" in found
    assert any(p.startswith("questions[0].type: unknown type 'chioce', did you mean 'choice'?") for p in found)
    assert any(p.startswith("questions[1].max: must be greater than min") for p in found)
    assert any(p.startswith("rules[0].outcome: unknown outcome 'emergncy', did you mean 'emergency'?") for p in found)
    assert any(p.startswith("scores[0].items[1]: unknown question or score 'nope'") for p in found)
    assert len(found) >= 5


def test_unknown_keys_are_reported_with_a_suggestion():
    doc = copy.deepcopy(MINI)
    doc["questions"][0]["requried"] = False
    assert any("questions[0].requried: unknown key 'requried', did you mean 'required'?" in p for p in problems_of(doc))


def test_rule_expression_problems_carry_the_rule_location():
    doc = copy.deepcopy(MINI)
    doc["rules"][0]["when"] = "hot_joint == 'yse'"
    assert any(p.startswith("rules[0].when:") and "'yse'" in p for p in problems_of(doc))
    doc["rules"][0]["when"] = "hot_joint.__class__"
    assert any(p.startswith("rules[0].when:") for p in problems_of(doc))


def test_rules_need_explanation_and_source():
    doc = copy.deepcopy(MINI)
    doc["rules"][1]["explanation"] = "  "
    del doc["rules"][1]["source"]
    found = problems_of(doc)
    assert "rules[1].explanation: must not be empty" in found
    assert "rules[1].source: is required" in found


def test_scored_choices_need_scores():
    doc = copy.deepcopy(MINI)
    doc["scores"][0]["items"] = ["hot_joint"]
    assert any("choices of 'hot_joint' need a score" in p for p in problems_of(doc))


def test_score_cycles_are_load_errors():
    doc = copy.deepcopy(MINI)
    doc["scores"][0] = {
        "id": "pain",
        "label": "a",
        "method": "expression",
        "expression": "limitation + 1",
        "source": "x",
    }
    doc["scores"][1] = {"id": "limitation", "label": "b", "method": "sum", "items": ["pain"], "source": "x"}
    assert any("cycle" in p for p in problems_of(doc))


def test_default_cannot_be_a_red_flag():
    doc = mutated(default={"outcome": "urgent", "explanation": "x", "source": "y"})
    assert any(p.startswith("default.outcome: the default cannot be a red-flag outcome") for p in problems_of(doc))


def test_bool_is_not_a_number():
    doc = copy.deepcopy(MINI)
    doc["rules"][0]["priority"] = True
    assert "rules[0].priority: must be an integer, not true or false" in problems_of(doc)


def test_nan_is_not_a_number_but_inf_is_a_bound():
    doc = copy.deepcopy(MINI)
    doc["questions"][3]["choices"][0]["score"] = float("nan")
    doc["scores"][0]["bands"][-1]["max"] = float("inf")
    assert [p for p in problems_of(doc) if "nan" in p] == [
        "questions[3].choices[0].score: is nan (not a number) (write a number; inf and -inf are allowed)"
    ]
    doc["questions"][3]["choices"][0]["score"] = 1
    assert build_questionnaire(doc).scores[0].bands[-1].max == float("inf")


def test_bad_toml_and_format_version():
    with pytest.raises(QuestionnaireError, match="not valid TOML"):
        parse_questionnaire(b"id = ", origin="x.toml")
    assert any(p.startswith("format: format 2 is not supported") for p in problems_of(mutated(format=2)))


def test_unknown_id_suggests_and_names_the_list_command(tmp_path, monkeypatch):
    (tmp_path / "clinic-back.toml").write_text((FIXTURES / "mini.toml").read_text())
    monkeypatch.setenv("PMPT_QUESTIONNAIRES_DIR", str(tmp_path))
    with pytest.raises(QuestionnaireNotFoundError) as info:
        load_questionnaire("clinic-bak")
    assert "did you mean 'clinic-back'?" in info.value.message
    assert "pmpt questionnaires list" in info.value.message


def test_missing_path_is_reported():
    with pytest.raises(QuestionnaireNotFoundError, match="does not exist"):
        load_questionnaire("nowhere/q.toml")


def test_search_path_env_adds_questionnaires(tmp_path, monkeypatch):
    (tmp_path / "clinic.toml").write_text((FIXTURES / "mini.toml").read_text())
    monkeypatch.setenv("PMPT_QUESTIONNAIRES_DIR", str(tmp_path))
    assert load_questionnaire("clinic").id == "mini"


def test_band_edges_go_to_the_lower_band(mini):
    pain = mini.score("pain")
    assert [pain.band_for(v) for v in (0, 0.5, 4, 4.5, 6, 6.5, 10)] == [
        "none", "mild", "mild", "moderate", "moderate", "severe", "severe",
    ]  # fmt: skip
    assert pain.band_for(None) is None and pain.band_for(11) is None
