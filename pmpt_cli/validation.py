"""The one answer validator, shared by answers files, ``--set``, prompts and resume.

``check_value`` takes typed values (TOML, JSON, Python); ``parse_text`` turns what a
person typed (``--set``, a prompt, a CSV cell) into a typed value first.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from pmpt_cli.errors import Problem
from pmpt_cli.messages import MAX_LISTED, quote, suggest
from pmpt_cli.model import MAX_NUMBER_ANSWER, Question, Questionnaire

TRUE_WORDS = {"yes", "y", "true", "t", "1"}
FALSE_WORDS = {"no", "n", "false", "f", "0"}


class AnswerInvalid(ValueError):
    """An answer value is wrong; the message says what is allowed."""


def _choices_hint(question: Question) -> str:
    return f"choices: {', '.join(question.choice_values)}"


def _number(question: Question, value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise AnswerInvalid(f"must be a number, not {quote(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise AnswerInvalid("must be a finite number")
    if not -MAX_NUMBER_ANSWER <= value <= MAX_NUMBER_ANSWER:
        raise AnswerInvalid(f"{quote(value, 24)} is too large: pmpt takes numbers from -1e15 to 1e15")
    if question.integer:
        if isinstance(value, float):
            if not value.is_integer():
                raise AnswerInvalid(f"must be a whole number, not {value}")
            value = int(value)
    lo, hi = question.min, question.max
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise AnswerInvalid(f"{value} is out of range: give a number {question.range_text}")
    return value


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"\d{2}:\d{2}(:\d{2})?")


def iso_date(value: Any) -> str:
    """``value`` as ``YYYY-MM-DD`` (a TOML date is taken too), or raise ``AnswerInvalid``."""
    if value.__class__ is datetime.date:
        return value.isoformat()
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return datetime.date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise AnswerInvalid(f"must be a date written YYYY-MM-DD, like 1970-01-31, not {value!r}")


def iso_time(value: Any) -> str:
    """``value`` as ``HH:MM:SS`` (``HH:MM`` and a TOML time are taken too), or raise ``AnswerInvalid``."""
    if value.__class__ is datetime.time and value.tzinfo is None:
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, str) and _TIME.fullmatch(value):
        try:
            return datetime.time.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise AnswerInvalid(f"must be a time of day written HH:MM or HH:MM:SS, like 14:30, not {value!r}")


def check_value(question: Question, value: Any) -> Any:
    """Return ``value`` normalised for ``question``, or raise ``AnswerInvalid``."""
    qtype = question.type
    if qtype == "choice":
        if not isinstance(value, str):
            raise AnswerInvalid(f"must be one choice value as a string ({_choices_hint(question)})")
        if question.choice(value) is None:
            raise AnswerInvalid(
                f"{quote(value)} is not a choice{suggest(value, question.choice_values)} ({_choices_hint(question)})"
            )
        return value
    if qtype == "multi_choice":
        if not isinstance(value, list):
            raise AnswerInvalid(f"must be a list of choice values, like ['{question.choices[0].value}']")
        seen: list[str] = []
        for item in value:
            if not isinstance(item, str) or question.choice(item) is None:
                raise AnswerInvalid(
                    f"{quote(item)} is not a choice{suggest(str(item), question.choice_values)} ({_choices_hint(question)})"
                )
            if item not in seen:
                seen.append(item)
        exclusive = [v for v in seen if question.choice(v).exclusive]  # type: ignore[union-attr]
        if exclusive and len(seen) > 1:
            raise AnswerInvalid(f"{quote(exclusive[0])} cannot be combined with other choices")
        return seen
    if qtype == "yes_no":
        if not isinstance(value, bool):
            raise AnswerInvalid(f"must be true or false, not {quote(value)}")
        return value
    if qtype in ("scale", "number"):
        return _number(question, value)
    if qtype == "date":
        return iso_date(value)
    if qtype == "time":
        return iso_time(value)
    if not isinstance(value, str):  # text
        raise AnswerInvalid(f"must be text, not {quote(value)}")
    if len(value) > question.max_length:
        raise AnswerInvalid(f"is {len(value)} characters long; the limit is {question.max_length}")
    return value


def parse_text(question: Question, text: str) -> Any:
    """Turn typed text into a checked value for ``question`` (``--set``, prompts, CSV)."""
    raw = text.strip()
    qtype = question.type
    if qtype == "choice":
        return check_value(question, _match_choice(question, raw))
    if qtype == "multi_choice":
        parts = [p.strip() for p in raw.split(",") if p.strip()]
        return check_value(question, [_match_choice(question, p) for p in parts])
    if qtype == "yes_no":
        word = raw.lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise AnswerInvalid(f"answer yes or no, not {quote(raw)}")
    if qtype in ("scale", "number"):
        try:
            number: int | float = int(raw)
        except ValueError:
            try:
                number = float(raw)
            except ValueError:
                raise AnswerInvalid(f"{quote(raw)} is not a number") from None
        return check_value(question, number)
    if qtype in ("date", "time"):
        return check_value(question, raw)
    return check_value(question, text)


def _match_choice(question: Question, raw: str) -> str:
    """A choice value from its value or its label, ignoring case."""
    lowered = raw.lower()
    for choice in question.choices:
        if lowered in (choice.value, choice.label.lower()):
            return choice.value
    return raw


def check_answers(
    questionnaire: Questionnaire, answers: Mapping[str, Any], *, location: str = "answers"
) -> tuple[dict[str, Any], list[Problem]]:
    """Check every answer; return the valid ones and a problem for each bad one.

    Unknown question ids get a did-you-mean; ``None`` values count as unanswered.
    """
    clean: dict[str, Any] = {}
    problems: list[Problem] = []
    unknown = 0
    checkers, choices = questionnaire.memo("answer checkers", _compile_checkers)
    for qid, value in answers.items():
        allowed = choices.get(qid)
        if allowed is not None and value.__class__ is str and value in allowed:
            clean[qid] = value  # the commonest answer, checked without a call
            continue
        check = checkers.get(qid)
        if check is None:
            unknown += 1  # "did you mean" for the first few only: a file can hold a million unknown ids
            hint = suggest(qid, questionnaire.questions_by_id) if unknown <= MAX_LISTED else ""
            problems.append(Problem(f"{location}.{qid}", f"unknown question {quote(qid)}{hint}",
                                    "run 'pmpt answers template' to see every question id"))  # fmt: skip
            continue
        if value is None:
            continue
        try:
            clean[qid] = check(value)
        except AnswerInvalid as exc:
            problems.append(Problem(f"{location}.{qid}", str(exc)))
    return clean, problems


def _compile_checkers(
    questionnaire: Questionnaire,
) -> tuple[dict[str, Callable[[Any], Any]], dict[str, frozenset[str]]]:
    """Question id -> a function equal to ``check_value(question, value)``, and choice
    question id -> its choice values (made once per questionnaire, for ``check_answers``).

    Each function accepts the common valid answer (a bool, an int or a list of choice
    values) with a set lookup or a range test and hands everything else, including every
    invalid answer, to ``check_value`` for the same result or the same message. (Valid
    choice answers are taken by ``check_answers`` itself, with the choice values.)
    """
    checkers = {q.id: _checker(q) for q in questionnaire.questions}
    return checkers, {q.id: frozenset(q.choice_values) for q in questionnaire.questions if q.type == "choice"}


def _checker(question: Question) -> Callable[[Any], Any]:
    qtype = question.type  # (a valid choice answer never gets here: see check_answers)
    if qtype == "multi_choice":
        values = frozenset(question.choice_values)
        exclusive = frozenset(c.value for c in question.choices if c.exclusive)

        def check(value: Any) -> Any:
            if value.__class__ is list:
                for item in value:
                    if item.__class__ is not str or item not in values:
                        return check_value(question, value)
                if len(set(value)) == len(value) and (len(value) < 2 or exclusive.isdisjoint(value)):
                    return list(value)  # a new list, as check_value returns
            return check_value(question, value)

    elif qtype == "yes_no":

        def check(value: Any) -> Any:
            return value if value.__class__ is bool else check_value(question, value)

    elif qtype in ("scale", "number"):
        low = -MAX_NUMBER_ANSWER if question.min is None else max(question.min, -MAX_NUMBER_ANSWER)
        high = MAX_NUMBER_ANSWER if question.max is None else min(question.max, MAX_NUMBER_ANSWER)

        def check(value: Any) -> Any:
            if value.__class__ is int and low <= value <= high:
                return value
            return check_value(question, value)

    else:

        def check(value: Any) -> Any:
            return check_value(question, value)

    return check
