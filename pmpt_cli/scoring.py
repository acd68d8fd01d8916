"""Named scores: sum, mean, percent of maximum, max, count and expression scores."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pmpt_cli.model import Question, Questionnaire, Score, ScoreResult

_new = tuple.__new__


def item_value(question: Question, answer: Any) -> float | None:
    """What one answered question contributes to a score (see the format doc)."""
    if answer is None:
        return None
    qtype = question.type
    if qtype == "choice":
        return question.choice(answer).score  # type: ignore[union-attr]
    if qtype == "multi_choice":
        return sum(question.choice(v).score or 0 for v in answer)  # type: ignore[union-attr]
    if qtype == "yes_no":
        return 1 if answer else 0
    return answer


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


def _aggregate(score: Score, values: list[float], maxima: list[float]) -> float | None:
    method = score.method
    if method == "sum":
        return sum(values)
    if method == "mean":
        return round(sum(values) / len(values), 2)
    if method == "percent":
        top = sum(maxima)
        return round(100 * sum(values) / top, 2) if top else None
    if method == "max":
        return max(values)
    return sum(1 for v in values if v > 0)  # count


def compute_scores(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> dict[str, ScoreResult]:
    """Every named score, in dependency order, from answers to enabled questions only."""
    return score_env(questionnaire, answers)[0]


def score_env(
    questionnaire: Questionnaire, answers: Mapping[str, Any]
) -> tuple[dict[str, ScoreResult], dict[str, Any], dict[str, str | None]]:
    """The scores (in file order), plus the name -> value and score -> band maps expressions read."""
    env: dict[str, Any] = dict(answers)
    bands: dict[str, str | None] = {}
    results: dict[str, ScoreResult] = {}
    plan, display_order = questionnaire.score_plan
    for sid, score, evaluate, items, percent in plan:
        answered = missing = 0
        if evaluate is not None:
            raw = evaluate(env, bands)
            if raw.__class__ is int or raw.__class__ is float:
                value = raw
            else:
                value = raw if isinstance(raw, (int, float)) else None
                value = int(value) if isinstance(value, bool) else value
        else:
            values: list[float] = []
            maxima: list[float] = []
            for item, to_value, top in items:
                v = env.get(item)
                if to_value is not None and v is not None:  # a question: what its answer contributes
                    v = to_value(v)
                    if v is not None and percent:
                        maxima.append(top)
                if v is None:
                    missing += 1
                else:
                    values.append(v)
            answered = len(values)
            value = _aggregate(score, values, maxima) if values and missing <= score.max_missing else None
        env[sid] = value
        band = bands[sid] = score.band_for(value) if score.bands else None
        # ScoreResult(id, label, value, band, answered, missing), made as its own _make does
        results[sid] = _new(ScoreResult, (sid, score.label, value, band, answered, missing))
    if display_order is not None:  # file order, for display, when it differs from dependency order
        results = dict(zip(display_order, map(results.__getitem__, display_order)))
    return results, env, bands


def compile_score_plan(questionnaire: Questionnaire) -> tuple[tuple[Any, ...], tuple[str, ...] | None]:
    """``(id, score, evaluate, items, percent)`` per score in dependency order (``Questionnaire.score_plan``),
    and the file order of the ids, or ``None`` when it is the same.

    ``evaluate`` is the expression's evaluator (``None`` for item scores); ``items`` holds
    ``(id, to_value, max)``: ``to_value(answer)`` is ``item_value(question, answer)`` for a
    question (``None`` for a score item) and ``max`` its ``item_max``, for percent scores.
    """
    questions = questionnaire.questions_by_id
    plan = []
    for sid in questionnaire.score_order:
        score = questionnaire.scores_by_id[sid]
        evaluate = score.expression._evaluate if score.expression is not None else None
        items = []
        for item in score.items:
            question = questions.get(item)
            if question is None:
                items.append((item, None, None))
            else:
                top = item_max(question) if score.method == "percent" else None
                items.append((item, _item_function(question), top))
        plan.append((sid, score, evaluate, tuple(items), score.method == "percent"))
    display_order = tuple(s.id for s in questionnaire.scores)
    return tuple(plan), (None if display_order == tuple(questionnaire.score_order) else display_order)


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


def _item_function(question: Question) -> Callable[[Any], Any]:
    """``item_value(question, answer)`` for a given (not None) answer, with choice scores in a dict.

    An answer that is not a choice falls back to ``item_value``, which fails the same way.
    """
    qtype = question.type
    if qtype == "choice":
        scores = choice_scores(question)

        def to_value(answer: Any) -> Any:
            try:
                return scores[answer]
            except (KeyError, TypeError):
                return item_value(question, answer)

    elif qtype == "multi_choice":
        scores = choice_scores(question)

        def to_value(answer: Any) -> Any:
            try:
                return sum([scores[v] for v in answer])
            except (KeyError, TypeError):
                return item_value(question, answer)

    elif qtype == "yes_no":

        def to_value(answer: Any) -> Any:
            return 1 if answer else 0

    else:

        def to_value(answer: Any) -> Any:
            return answer

    return to_value
