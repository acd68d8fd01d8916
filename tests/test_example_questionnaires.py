"""examples/questionnaires/odi-style.toml against the ODI v2.1a rule's worked values.

Worked values: clinical-instruments.md, section 4 (ODI scoring and missing sections)
and section 16 (test vectors): 16/50 = 32% (moderate); one section missing,
16/45 = 35.6% (36 rounded); two sections missing, no score.
"""

from __future__ import annotations

import pytest
from helpers import EXAMPLES, ROOT

from pmpt_cli.engine import run_triage
from pmpt_cli.lint import lint_questionnaire
from pmpt_cli.loader import load_questionnaire

ODI_PATH = EXAMPLES / "questionnaires" / "odi-style.toml"
SECTIONS = ["pain_intensity", "personal_care", "lifting", "walking", "sitting", "standing", "sleeping",
            "sex_life", "social_life", "travelling"]  # fmt: skip


@pytest.fixture(scope="module")
def odi():
    return load_questionnaire(ODI_PATH)


def answers(**section_scores: int) -> dict:
    return {"bladder_bowel": "no", **{sid: f"s{score}" for sid, score in section_scores.items()}}


ALL_TEN = dict(zip(SECTIONS, [2, 2, 2, 2, 2, 2, 1, 1, 1, 1]))  # sum 16


def test_the_file_is_the_odi_rule_with_placeholder_wording(odi):
    assert [q.id for q in odi.questions[1:]] == SECTIONS
    for question in odi.questions[1:]:
        assert "placeholder" in question.text
        assert [c.score for c in question.choices] == [0, 1, 2, 3, 4, 5]
        assert all("placeholder" in c.label for c in question.choices)
    score = odi.score("odi")
    assert (score.method, score.max_missing, score.items) == ("percent", 1, tuple(SECTIONS))
    assert [(b.min, b.max) for b in score.bands] == [(0, 20), (20, 40), (40, 60), (60, 80), (80, 100)]
    assert score.mcid == 10


def test_it_passes_validate_without_findings(odi):
    assert lint_questionnaire(odi) == []


def test_ten_sections_summing_to_16_is_32_percent_moderate(odi):
    result = run_triage(odi, answers(**ALL_TEN))
    assert result.scores["odi"].value == 32
    assert result.scores["odi"].band == "moderate"
    assert result.scores["odi_rounded"].value == 32
    assert result.outcome == "physical-therapy" and result.decided_by == "moderate_disability"


def test_one_missing_section_divides_by_45(odi):
    nine = {k: v for k, v in ALL_TEN.items() if k != "sex_life"} | {"social_life": 2}  # still sums to 16
    assert sum(nine.values()) == 16
    result = run_triage(odi, answers(**nine))
    assert round(result.scores["odi"].value, 1) == 35.6  # 16 / 45 x 100
    assert result.scores["odi_rounded"].value == 36
    assert result.scores["odi"].missing == 1 and result.scores["odi"].band == "moderate"


def test_two_missing_sections_give_no_score(odi):
    eight = {k: v for k, v in ALL_TEN.items() if k not in ("sex_life", "travelling")}
    result = run_triage(odi, answers(**eight))
    assert result.scores["odi"].value is None and result.scores["odi_rounded"].value is None
    assert result.outcome == "physical-therapy" and result.decided_by is None
    assert [n.id for n in result.notes] == ["index_not_computed"]


@pytest.mark.parametrize(("total", "band", "outcome"), [
    (0, "minimal", "self-care"), (10, "minimal", "self-care"), (11, "moderate", "physical-therapy"),
    (20, "moderate", "physical-therapy"), (21, "severe", "pain-management"), (30, "severe", "pain-management"),
    (31, "crippled", "both"), (41, "bed-bound", "both"), (50, "bed-bound", "both"),
])  # fmt: skip
def test_band_edges_follow_fairbank(odi, total, band, outcome):
    scores = [min(5, max(0, total - 5 * i)) for i in range(10)]  # fill sections in order
    assert sum(scores) == total
    result = run_triage(odi, answers(**dict(zip(SECTIONS, scores))))
    assert result.scores["odi"].value == total * 2
    assert result.scores["odi"].band == band and result.outcome == outcome


def test_red_flag_wins_whatever_the_index(odi):
    result = run_triage(odi, answers(**dict.fromkeys(SECTIONS, 0)) | {"bladder_bowel": "unsure"})
    assert result.outcome == "emergency"


def test_the_docs_walk_through_this_file():
    doc = (ROOT / "docs" / "questionnaire-format.md").read_text()
    section = doc.split("## Writing your own questionnaire", 1)[1]
    assert "examples/questionnaires/odi-style.toml" in section
    assert "PMPT_QUESTIONNAIRES_DIR" in section
    assert "35.6" in section and "32" in section
