"""Which questions are asked: FHIR ``enableWhen`` semantics plus optional ``enable_if``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pmpt_cli.model import EnableWhen, Question, Questionnaire

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
    for qid, gate in questionnaire.enable_plan:  # is_enabled, precompiled per question
        if gate is not None and not gate(kept, _EMPTY):
            skipped.append(qid)
            continue
        value = answers.get(qid)
        if value is not None:
            kept[qid] = value
    return kept, skipped


def compile_enable_plan(
    questionnaire: Questionnaire,
) -> tuple[tuple[str, Callable[[Mapping[str, Any], Mapping[str, Any]], Any] | None], ...]:
    """``(question id, gate)`` for every question in order (``Questionnaire.enable_plan``).

    ``gate(answers, bands)`` is truthy when ``is_enabled(question, answers)``, built once (a
    bare enable-if is the expression's own evaluator); it is ``None`` for a question that is
    always asked.
    """
    return tuple((q.id, _gate(q) if q.is_conditional else None) for q in questionnaire.questions)


def _gate(question: Question) -> Callable[[Mapping[str, Any], Mapping[str, Any]], Any]:
    conditions = tuple((c.question, c) for c in question.enable_when)
    enable_if = question.enable_if._evaluate if question.enable_if is not None else None
    if not conditions and enable_if is not None:  # the usual case: a computed condition alone
        return enable_if
    want_all = question.enable_behavior == "all"

    def gate(answers: Mapping[str, Any], bands: Mapping[str, Any] = _EMPTY) -> bool:
        if conditions:
            results = (condition_holds(c, answers.get(qid)) for qid, c in conditions)
            if not (all(results) if want_all else any(results)):
                return False
        if enable_if is not None:
            return bool(enable_if(answers, _EMPTY))
        return True

    return gate
