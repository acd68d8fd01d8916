"""Which questions are asked: FHIR ``enableWhen`` semantics plus optional ``enable_if``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .model import EnableWhen, Question, Questionnaire

_EMPTY: Mapping[str, str | None] = {}


def condition_holds(condition: EnableWhen, answer: Any) -> bool:
    """One ``enableWhen`` condition against the answer it names (``None`` = unanswered)."""
    op, expected = condition.operator, condition.answer
    if op == "exists":
        return (answer is not None) is expected
    if answer is None:
        return False
    if isinstance(answer, list):  # multiple choice: "=" means one chosen value equals
        if op == "=":
            return expected in answer
        if op == "!=":
            return expected not in answer
        return False
    if op == "=":
        return answer == expected
    if op == "!=":
        return answer != expected
    if op == ">":
        return answer > expected
    if op == "<":
        return answer < expected
    if op == ">=":
        return answer >= expected
    return answer <= expected  # "<="


def is_enabled(question: Question, answers: Mapping[str, Any]) -> bool:
    """Whether ``question`` is asked, given the answers to the questions before it.

    ``answers`` must already exclude answers to disabled questions, so a chain of
    conditions behaves as FHIR says: a skipped question counts as unanswered.
    """
    if question.enable_when:
        results = (condition_holds(c, answers.get(c.question)) for c in question.enable_when)
        if not (all(results) if question.enable_behavior == "all" else any(results)):
            return False
    if question.enable_if is not None:
        return bool(question.enable_if.evaluate(answers, _EMPTY))
    return True


def active_answers(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Walk the questions in order: the answers that count, and the ids of skipped questions."""
    kept: dict[str, Any] = {}
    skipped: list[str] = []
    for question in questionnaire.questions:
        if question.is_conditional and not is_enabled(question, kept):
            skipped.append(question.id)
            continue
        value = answers.get(question.id)
        if value is not None:
            kept[question.id] = value
    return kept, skipped
