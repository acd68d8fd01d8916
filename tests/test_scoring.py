"""Every score method against values computed by hand from the instruments' published rules.

tests/fixtures/instruments.toml encodes the scoring structure of STarT Back, the ODI,
QuickDASH, the PEG and the TSK-17 with placeholder wording. Scores are computed at full
precision (a score built on another uses its exact value) and rounded only for display
and export (clinical-instruments.md, sections 0 and 16).
"""

from __future__ import annotations

from typing import Any

import pytest
from helpers import FIXTURES

from pmpt_cli.engine import run_triage
from pmpt_cli.loader import load_questionnaire
from pmpt_cli.report import format_number, result_to_dict

Q = load_questionnaire(FIXTURES / "instruments.toml")


def scores(answers: dict[str, Any]) -> dict[str, Any]:
    return run_triage(Q, answers).scores


def sbst(agree: set[int], bother: str) -> dict[str, Any]:
    answers: dict[str, Any] = {f"sbst_{i}": "agree" if i in agree else "disagree" for i in range(1, 9)}
    return answers | {"sbst_9": bother}


@pytest.mark.parametrize(
    ("agree", "bother", "total", "sub", "group"),
    [  # clinical-instruments.md section 16
        (set(), "not_at_all", 0, 0, "low"),
        ({1, 2, 3}, "very_much", 4, 1, "medium"),
        ({1, 2, 5}, "moderately", 3, 1, "low"),
        ({5, 6, 7, 8}, "slightly", 4, 4, "high"),
        ({1, 5, 6, 7, 8}, "moderately", 5, 4, "high"),
    ],
)
def test_start_back(agree: set[int], bother: str, total: int, sub: int, group: str) -> None:
    found = scores(sbst(agree, bother))
    assert (found["sbst_total"].value, found["sbst_sub"].value) == (total, sub)
    assert found["sbst_group"].band == group


def odi(values: list[int]) -> dict[str, Any]:
    return {f"odi_{i}": f"s{v}" for i, v in enumerate(values, 1)}


def test_odi_percent_over_the_sections_answered() -> None:
    ten = scores(odi([2, 2, 2, 2, 2, 2, 1, 1, 1, 1]))["odi"]  # 16 over 10 sections
    assert ten.value == 32 and ten.band == "moderate"
    nine = scores(odi([2, 2, 2, 2, 2, 2, 2, 1, 1]))["odi"]  # 16 over 9 sections: 16 / 45 x 100
    assert nine.value == pytest.approx(35.5555555, abs=1e-6) and nine.band == "moderate"
    assert scores(odi([2] * 8))["odi"].value is None  # two sections missing: no score


def quickdash(values: list[int]) -> dict[str, Any]:
    return {f"qd_{i}": f"r{v}" for i, v in enumerate(values, 1)}


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([1] * 11, 0),
        ([5] * 11, 100),
        ([3] * 10, 50),  # 10 answered, sum 30: ((30 / 10) - 1) x 25
        ([3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2], 40.909090),  # sum 29 over 11: ((29 / 11) - 1) x 25 = 40.91
        ([3] * 9, None),  # 9 answered: no score
    ],
)
def test_quickdash_builds_on_the_exact_mean(values: list[int], expected: float | None) -> None:
    """The published rule gives 40.91 for a sum of 29; rounding the mean first gave 41.0."""
    found = scores(quickdash(values))["quickdash"].value
    assert found == (None if expected is None else pytest.approx(expected, abs=1e-5))


def test_peg_is_the_mean_of_three() -> None:
    assert scores({"peg_pain": 7, "peg_enjoyment": 8, "peg_activity": 6})["peg"].value == 7
    assert scores({"peg_pain": 7, "peg_enjoyment": 7, "peg_activity": 8})["peg"].value == pytest.approx(22 / 3)


def test_tsk_reverses_four_items() -> None:
    found = scores({f"tsk_{i}": "agree" for i in range(1, 18)})["tsk"]
    assert found.value == 13 * 3 + 4 * 2 == 47 and found.band == "high"


def test_values_are_rounded_only_for_display_and_export() -> None:
    result = run_triage(Q, quickdash([3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2]) | {"peg_pain": 7, "peg_enjoyment": 7,
                                                                          "peg_activity": 8})  # fmt: skip
    assert result.scores["quickdash"].value != 40.91  # exact inside
    data = result_to_dict(Q, result)
    assert data["scores"]["quickdash"]["value"] == 40.91 and data["scores"]["peg"]["value"] == 7.33
    assert format_number(result.scores["quickdash"].value) == "40.91"
    assert format_number(0.1 + 0.2 + 54.2) == "54.5"  # never 54.50000000000001
