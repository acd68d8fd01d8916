"""The one answer validator on hostile answers: bounded numbers, quoted values, bounded work."""

from __future__ import annotations

import pytest

from pmpt_cli.engine import run_triage
from pmpt_cli.errors import AnswersError
from pmpt_cli.validation import AnswerInvalid, check_answers, check_value


@pytest.mark.parametrize("value", [10**4000, -(10**16), 1e300, 2**63])
def test_numbers_beyond_1e15_are_refused_even_without_a_max(mini, value):
    weeks_without_max = mini.question("weeks")._replace(max=None)
    with pytest.raises(AnswerInvalid, match="is too large: pmpt takes numbers from -1e15 to 1e15"):
        check_value(weeks_without_max, value)


def test_a_huge_number_feeding_a_mean_is_a_problem_not_a_crash(mini, mini_answers):
    with pytest.raises(AnswersError) as info:
        run_triage(mini, mini_answers | {"pain_now": 10**4000})
    (problem,) = info.value.problems
    assert problem.location == "answers.pain_now" and "too large" in problem.message
    assert len(problem.message) < 120  # the number is cut, not printed whole


def test_values_in_messages_are_quoted_with_escapes(mini):
    with pytest.raises(AnswerInvalid) as info:
        check_value(mini.question("hot_joint"), "n\x1b[2Ko")
    assert str(info.value).startswith("'n\\x1b[2Ko' is not a choice")
    clean, problems = check_answers(mini, {"\x1b]0;title\x07": 1})
    assert "unknown question '\\x1b]0;title\\x07'" in problems[0].message


def test_did_you_mean_stops_after_twenty_unknown_ids(mini, monkeypatch):
    from pmpt_cli import validation

    calls = []
    real = validation.suggest
    monkeypatch.setattr(validation, "suggest", lambda *a: calls.append(1) or real(*a))
    _, problems = check_answers(mini, {f"pain_no{i}": 1 for i in range(10_000)})
    assert len(problems) == 10_000 and len(calls) == 20
    assert "did you mean" in problems[0].message and "did you mean" not in problems[-1].message
