"""What an expression may know about the names it reads: a question (and its type) or a score."""

from __future__ import annotations

from typing import Any

# A plain slotted class, not a dataclass: @dataclass costs ~0.2 ms per class at import,
# and `dataclasses` itself ~0.4 ms, on every start (docs/performance.md).


class NameInfo:
    """What an expression may know about a name: a question (with its type) or a score."""

    __slots__ = ("kind", "qtype", "choices")

    def __init__(self, kind: str, qtype: str | None = None, choices: frozenset[str] | None = None) -> None:
        self.kind = kind  # "question" or "score"
        self.qtype = qtype  # for questions: one of model.QUESTION_TYPES
        self.choices = choices  # values of a choice / multi_choice question

    @classmethod
    def of_question(cls, question: Any) -> NameInfo:
        """What expressions know of a ``model.Question``: its type, and its choices if any."""
        return cls("question", question.type, frozenset(question.choice_values) if question.choices else None)

    def __repr__(self) -> str:
        return f"NameInfo({self.kind!r}, {self.qtype!r}, {self.choices!r})"
