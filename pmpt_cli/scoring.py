"""What each question adds to a score, as the program computes it (docs/questionnaire-format.md)."""

from __future__ import annotations

from typing import Any

from pmpt_cli.model import Question


def item_max(question: Question) -> float:
    """The largest value a question can contribute, for percent scores."""
    qtype = question.type
    if qtype == "choice":
        return max(c.score or 0 for c in question.choices)
    if qtype == "multi_choice":
        return sum(c.score for c in question.choices if c.score and c.score > 0 and not c.exclusive)
    if qtype == "yes_no":
        return 1
    return question.max or 0


def choice_scores(question: Question) -> dict[Any, Any] | None:
    """Choice value -> what choosing it adds to a score (a multi-choice counts None as 0).

    The first of equal values wins, as ``question.choice()`` finds. ``None`` for other types.
    """
    if question.type not in ("choice", "multi_choice"):
        return None
    scores: dict[Any, Any] = {}
    for c in question.choices:
        scores.setdefault(c.value, c.score if question.type == "choice" else c.score or 0)
    return scores
