"""Named scores: sum, mean, percent of maximum, max, count and expression scores."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .model import Question, Questionnaire, Score, ScoreResult


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
    env: dict[str, Any] = dict(answers)
    bands: dict[str, str | None] = {}
    results: dict[str, ScoreResult] = {}
    questions = questionnaire.questions_by_id
    for sid in questionnaire.score_order:
        score = questionnaire.scores_by_id[sid]
        answered = missing = 0
        if score.expression is not None:
            raw = score.expression.evaluate(env, bands)
            value = raw if isinstance(raw, (int, float)) else None
            value = int(value) if isinstance(value, bool) else value
        else:
            values: list[float] = []
            maxima: list[float] = []
            for item in score.items:
                question = questions.get(item)
                if question is not None:
                    v = item_value(question, env.get(item))
                    if v is not None and score.method == "percent":
                        maxima.append(item_max(question))
                else:
                    v = env.get(item)
                if v is None:
                    missing += 1
                else:
                    values.append(v)
            answered = len(values)
            value = _aggregate(score, values, maxima) if values and missing <= score.max_missing else None
        env[sid] = value
        bands[sid] = score.band_for(value)
        results[sid] = ScoreResult(sid, score.label, value, bands[sid], answered, missing)
    return {s.id: results[s.id] for s in questionnaire.scores}  # file order, for display
