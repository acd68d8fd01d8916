"""Progress over time: values, change, the MCID either side, direction words, sparklines."""

from __future__ import annotations

import copy
import datetime

import pytest
from helpers import FIXTURES, TYPICAL_CORE

from pmpt_cli.compare import compare_summaries, direction, sparkline
from pmpt_cli.engine import run_triage
from pmpt_cli.errors import PmptError, UsageError
from pmpt_cli.export import document_toml, summary_document
from pmpt_cli.loader import load_questionnaire
from pmpt_cli.summary import read_summary

DAY = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)


def summary(questionnaire, answers, *, days: int = 0, **values) -> dict:
    """A summary as read back from its file, with some score values replaced."""
    document = summary_document(questionnaire, run_triage(questionnaire, answers),
                                now=DAY + datetime.timedelta(days=days))  # fmt: skip
    for sid, value in values.items():
        document["scores"][sid]["value"] = value
    return read_summary(document_toml(document).encode(), origin=f"day{days}.toml")


def row(data: dict, sid: str) -> dict:
    return next(r for r in data["scores"] if r["id"] == sid)


CORE = load_questionnaire("pmpt-core")
MCID_SCORES = [(s.id, s.mcid) for s in CORE.scores if s.mcid is not None]


def test_pmpt_core_has_scores_with_an_mcid_to_compare():
    assert dict(MCID_SCORES) == {"pain_intensity": 2, "peg": 1, "function_loss": 10}


@pytest.mark.parametrize(("sid", "mcid"), MCID_SCORES)
@pytest.mark.parametrize(("step", "word"), [
    (-1.0, "better"),                 # down by exactly the MCID: lower is better
    (-0.99, "no important change"),   # just short of it
    (0.99, "no important change"),
    (1.0, "worse"),
    (1.5, "worse"),
])  # fmt: skip
def test_each_mcid_is_judged_either_side(sid, mcid, step, word):
    start = 50.0
    old = summary(CORE, TYPICAL_CORE, **{sid: start})
    new = summary(CORE, TYPICAL_CORE, days=42, **{sid: round(start + step * mcid, 4)})
    result = row(compare_summaries([old, new], ["old.toml", "new.toml"]), sid)
    assert result["direction"] == word
    assert result["important"] is (word != "no important change")
    assert result["change"] == pytest.approx(step * mcid) and result["mcid"] == mcid
    assert result["better"] == "lower" and result["mcid_source"]


def test_a_measure_only_score_is_compared_too():
    questionnaire = load_questionnaire(FIXTURES / "measure-only.toml")
    answers = {"sleep": "not_at_all", "energy": "not_at_all"}
    old, new = summary(questionnaire, answers, total=6), summary(questionnaire, answers, days=7, total=4)
    data = compare_summaries([old, new], ["a", "b"])
    assert row(data, "total")["direction"] == "better" and data["outcome"] == {"then": None, "now": None}


def test_values_change_sparkline_and_the_outcome_then_and_now():
    old = summary(CORE, TYPICAL_CORE, pain_intensity=7.0)
    middle = summary(CORE, TYPICAL_CORE, days=14, pain_intensity=5.5)
    new = summary(CORE, TYPICAL_CORE | {"bladder_bowel": "yes"}, days=28, pain_intensity=3.0)
    data = compare_summaries([old, middle, new], ["a", "b", "c"])
    pain = row(data, "pain_intensity")
    assert pain["values"] == [7.0, 5.5, 3.0] and pain["change"] == -4.0 and pain["sparkline"] == "█▅▁"
    assert data["outcome"] == {"then": "physical-therapy", "now": "emergency"}
    assert [s["outcome"] for s in data["summaries"]] == ["physical-therapy", "physical-therapy", "emergency"]
    assert {"spine_region", "weak_flags"}.isdisjoint(r["id"] for r in data["scores"])  # internal scores left out


def test_sparklines_and_words_at_the_edges():
    assert sparkline([1, None, 3]) == "▁ █" and sparkline([2, 2]) == "▄▄" and sparkline([None, None]) == "  "
    assert direction(None, 2, "lower") == "not computed in both"
    assert direction(3, None, "lower") == "no MCID to judge by"
    assert direction(3, 2, None).startswith("important change")
    assert direction(3, 2, "higher") == "better" and direction(-3, 2, "higher") == "worse"


def test_summaries_of_different_questionnaires_are_refused(mini, mini_answers):
    with pytest.raises(PmptError, match="Summaries of different questionnaires cannot be compared"):
        compare_summaries([summary(CORE, TYPICAL_CORE), summary(mini, mini_answers)], ["a.toml", "b.toml"])
    with pytest.raises(UsageError, match="at least two"):
        compare_summaries([summary(CORE, TYPICAL_CORE)], ["a.toml"])


def test_when_the_questionnaire_changed_only_unchanged_scores_are_compared():
    old, new = summary(CORE, TYPICAL_CORE), summary(CORE, TYPICAL_CORE, days=7)
    new["questionnaire_sha256"], new["questionnaire_version"] = "0" * 64, "9.9.9"
    new["scores"]["peg"]["definition"] = "changed"
    data = compare_summaries([old, new], ["a", "b"])
    assert data["warnings"][0].startswith(
        f"the questionnaire changed between these summaries (versions {CORE.version} -> 9.9.9)"
    )
    assert "peg" not in {r["id"] for r in data["scores"]} and "pain_intensity" in {r["id"] for r in data["scores"]}
    assert {
        "id": "peg",
        "label": new["scores"]["peg"]["label"],
        "reason": "computed differently in some summaries",
    } in (data["skipped_scores"])
    schema_1 = copy.deepcopy(old)
    for score in schema_1["scores"].values():
        score["definition"] = None
    data = compare_summaries([schema_1, new], ["a", "b"])
    assert data["scores"] == [] and {s["reason"] for s in data["skipped_scores"]} == {
        "an older summary does not say how it was computed"
    }


def test_summaries_out_of_date_order_get_a_warning():
    data = compare_summaries([summary(CORE, TYPICAL_CORE, days=9), summary(CORE, TYPICAL_CORE)], ["a", "b"])
    assert "not in date order" in data["warnings"][0]
