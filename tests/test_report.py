"""The result as data (``--json``): a measure-only questionnaire has no outcome and says so."""

from __future__ import annotations

from helpers import FIXTURES

from pmpt_cli.engine import run_triage
from pmpt_cli.loader import load_questionnaire
from pmpt_cli.report import MEASURE_ONLY_HEADLINE, result_to_dict


def test_a_measure_only_result_has_no_outcome_no_care_and_says_measure_only():
    questionnaire = load_questionnaire(FIXTURES / "measure-only.toml")
    data = result_to_dict(questionnaire, run_triage(questionnaire, {"sleep": "not_at_all", "energy": "not_at_all"}))
    assert data["outcome"] is None and data["measure_only"] is True
    assert data["headline"] == MEASURE_ONLY_HEADLINE
    assert data["care"] is None and data["reasons"] == [] and data["decided_by"] is None
    assert data["scores"]["total"]["value"] == 0 and data["scores"]["total"]["band"] == "minimal"


def test_a_triage_result_is_not_measure_only(mini, mini_answers):
    data = result_to_dict(mini, run_triage(mini, mini_answers))
    assert data["measure_only"] is False and data["outcome"] == "physical-therapy"
