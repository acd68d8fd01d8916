"""Which questions are asked: the meaning of one FHIR ``enableWhen`` condition.

Each questionnaire's program (program.py) prints this test into its code for every
question; lint uses this function to find out which values make a condition true.
"""

from __future__ import annotations

from typing import Any

from pmpt_cli.model import EnableWhen


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
        return bool(answer == expected)
    if op == "!=":
        return bool(answer != expected)
    if op == ">":
        return bool(answer > expected)
    if op == "<":
        return bool(answer < expected)
    if op == ">=":
        return bool(answer >= expected)
    return bool(answer <= expected)  # "<="
