"""Need scores (``need = "pain-relief"`` / ``"rehabilitation"``): validation and the ``--json`` shape."""

from __future__ import annotations

import copy
import tomllib

import pytest
from conftest import FIXTURES

from pmpt_cli.engine import run_triage
from pmpt_cli.errors import QuestionnaireError
from pmpt_cli.loader import build_questionnaire
from pmpt_cli.report import result_to_dict

MINI = tomllib.loads((FIXTURES / "mini.toml").read_text())

#: Two contributors and one need over them, added to the mini questionnaire.
CONTRIBUTORS = [
    {"id": "severe_part", "label": "Severe pain", "method": "expression", "internal": True,
     "expression": "2 if pain >= 7 else 0", "source": "NRS 7-10 severe (Serlin 1995)"},
    {"id": "untried_part", "label": "Exercise not yet tried", "method": "expression", "internal": True,
     "expression": "0 if tried else 1", "source": "NICE NG226 exercise first"},
]  # fmt: skip
NEED = {
    "id": "pain_relief_need", "label": "Pain-relief need", "method": "sum", "need": "pain-relief",
    "items": ["severe_part", "untried_part"], "source": "sum of its contributors",
    "bands": [{"min": 0, "max": 0, "label": "low"}, {"min": 1, "max": 1, "label": "moderate"},
              {"min": 2, "max": 3, "label": "high"}],
}  # fmt: skip


def with_need(**changes) -> dict:
    doc = copy.deepcopy(MINI)
    doc["scores"] = doc["scores"] + copy.deepcopy(CONTRIBUTORS) + [NEED | changes]
    return doc


def problems_of(doc: dict) -> list[str]:
    with pytest.raises(QuestionnaireError) as info:
        build_questionnaire(doc)
    return [str(p) for p in info.value.problems]


def test_a_need_loads_and_keeps_its_need(mini_answers):
    q = build_questionnaire(with_need())
    assert q.score("pain_relief_need").need == "pain-relief"
    assert q.score("pain").need == ""


def test_an_unknown_need_is_refused_with_a_suggestion():
    (problem,) = problems_of(with_need(need="pain_relief"))
    assert "scores[4].need" in problem and "unknown need 'pain_relief'" in problem and "pain-relief" in problem


def test_a_need_is_built_from_scores_not_questions():
    (problem,) = problems_of(with_need(items=["severe_part", "pain_now"]))
    assert "contributor scores, not questions: pain_now" in problem


def test_a_need_needs_bands_and_an_item_method():
    assert any("needs bands" in p for p in problems_of(with_need(bands=[])))
    doc = with_need()
    doc["scores"][-1] = {k: v for k, v in doc["scores"][-1].items() if k != "items"} | {
        "method": "expression", "expression": "severe_part + untried_part"}  # fmt: skip
    assert any("use sum, mean, max or count, not expression" in p for p in problems_of(doc))


def test_each_need_appears_once():
    doc = with_need()
    doc["scores"].append(NEED | {"id": "second_need"})
    assert any("'pain_relief_need' is already the pain-relief need" in p for p in problems_of(doc))


def test_json_lists_needs_with_their_non_zero_contributors(mini_answers):
    q = build_questionnaire(with_need())
    severe = run_triage(q, mini_answers | {"pain_now": 8, "pain_worst": 9, "tried": True})
    (need,) = result_to_dict(q, severe)["needs"]
    assert need == {
        "id": "pain_relief_need", "need": "pain-relief", "label": "Pain-relief need", "value": 2, "band": "high",
        "max": 3, "contributors": [
            {"id": "severe_part", "label": "Severe pain", "value": 2, "source": "NRS 7-10 severe (Serlin 1995)"},
        ],
    }  # fmt: skip
    mild = run_triage(q, mini_answers | {"pain_now": 2, "pain_worst": 3, "tried": False})
    (need,) = result_to_dict(q, mild)["needs"]
    assert (need["value"], need["band"]) == (1, "moderate")
    assert [c["id"] for c in need["contributors"]] == ["untried_part"]


def test_a_questionnaire_without_needs_gives_an_empty_list(mini, mini_answers):
    assert result_to_dict(mini, run_triage(mini, mini_answers))["needs"] == []
