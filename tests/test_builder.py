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
