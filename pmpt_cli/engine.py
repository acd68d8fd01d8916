"""The triage engine: answers in, ``TriageResult`` out. Pure, deterministic, no printing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .enablement import active_answers
from .errors import AnswersError, Problem
from .model import OUTCOMES, NoteResult, Questionnaire, Reason, Rule, ScoreResult, TriageResult
from .scoring import compute_scores
from .validation import check_answers, missing_required

_SEVERITY = {outcome: rank for rank, outcome in enumerate(OUTCOMES)}
_RED_FLAG_TIER = {"emergency": 2, "urgent": 1}


def run_triage(
    questionnaire: Questionnaire, answers: Mapping[str, Any], *, allow_missing: bool = False
) -> TriageResult:
    """Score ``answers`` and decide the outcome.

    Raises ``AnswersError`` listing every invalid answer and, unless
    ``allow_missing``, every required question left unanswered. Answers to
    questions that are not asked (their enable-when is false) are ignored.
    """
    clean, problems = check_answers(questionnaire, answers)
    kept, skipped = active_answers(questionnaire, clean)
    if not allow_missing:
        invalid = {p.location for p in problems}
        problems += [
            Problem(f"answers.{q.id}", f"required question not answered: {q.text}")
            for q in missing_required(questionnaire, kept)
            if f"answers.{q.id}" not in invalid
        ]
    if problems:
        raise AnswersError(f"{_count(problems, 'problem')} with the answers; fix them and try again.", problems=problems)
    scores, env, bands = _evaluate_scores(questionnaire, kept)
    fired = [rule for rule in questionnaire.rules if rule.when.evaluate(env, bands)]
    decider = decide(fired)
    reasons = tuple(
        Reason(
            rule_id=rule.id, outcome=rule.outcome, explanation=rule.explanation, source=rule.source,
            evidence=_evidence(rule.when.explain(env, bands)[1], env), decisive=rule is decider,
        )
        for rule in sorted(fired, key=lambda r: (r is not decider, _SEVERITY[r.outcome], -r.priority))
    )  # fmt: skip
    notes = tuple(
        NoteResult(n.id, n.text, n.source, _evidence(n.when.explain(env, bands)[1], env))
        for n in questionnaire.notes
        if n.when.evaluate(env, bands)
    )
    return TriageResult(
        questionnaire_id=questionnaire.id,
        questionnaire_version=questionnaire.version,
        questionnaire_sha256=questionnaire.sha256,
        outcome=decider.outcome if decider else questionnaire.default.outcome,
        decided_by=decider.id if decider else None,
        reasons=reasons,
        notes=notes,
        scores=scores,
        answers=kept,
        skipped=tuple(skipped),
        ignored=tuple(qid for qid in clean if qid not in kept),
    )


def decide(fired: list[Rule]) -> Rule | None:
    """The rule that decides: red-flag tiers first, whatever their priority; then priority.

    ``max`` keeps the first of equal keys, so ties go to the rule listed first.
    """
    if not fired:
        return None
    return max(fired, key=lambda r: (_RED_FLAG_TIER.get(r.outcome, 0), r.priority))


def red_flags_raised(questionnaire: Questionnaire, answers: Mapping[str, Any], tier: str = "emergency") -> list[Rule]:
    """Rules of ``tier`` that already fire on partial answers (for stopping early).

    Unanswered questions are ``none``, which makes comparisons false, so a rule
    fires here only on what the person has actually said.
    """
    clean, _ = check_answers(questionnaire, answers)
    _, env, bands = _evaluate_scores(questionnaire, active_answers(questionnaire, clean)[0])
    return [r for r in questionnaire.rules if r.outcome == tier and r.when.evaluate(env, bands)]


def _evaluate_scores(
    questionnaire: Questionnaire, kept: dict[str, Any]
) -> tuple[dict[str, ScoreResult], dict[str, Any], dict[str, str | None]]:
    """Scores, plus the name -> value and score -> band maps that expressions read."""
    scores = compute_scores(questionnaire, kept)
    env: dict[str, Any] = dict(kept)
    bands: dict[str, str | None] = {}
    for sid, result in scores.items():
        env[sid] = result.value
        bands[sid] = result.band
    return scores, env, bands


def _evidence(names: frozenset[str], env: Mapping[str, Any]) -> dict[str, Any]:
    return {name: env.get(name) for name in sorted(names)}


def _count(items: list[Any], noun: str) -> str:
    return f"{len(items)} {noun}{'s' if len(items) != 1 else ''}"
