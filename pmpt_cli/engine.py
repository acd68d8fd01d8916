"""The triage engine: answers in, ``TriageResult`` out. Pure, deterministic, no printing."""

from __future__ import annotations

from collections.abc import Mapping
from itertools import compress
from operator import itemgetter
from typing import Any

from .enablement import active_answers
from .errors import AnswersError, Problem
from .model import OUTCOMES, NoteResult, Questionnaire, Reason, Rule, TriageResult
from .scoring import score_env
from .validation import check_answers

_SEVERITY = {outcome: rank for rank, outcome in enumerate(OUTCOMES)}
_DECIDE_KEY = itemgetter(2)
_ORDER_KEY = itemgetter(3)
_new = tuple.__new__
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
        # missing_required(questionnaire, kept), without walking the questions a second time:
        # active_answers of the kept answers gives the same kept answers and skipped ids.
        skipped_ids = set(skipped)
        missing = [q for q in questionnaire.questions if q.required and q.id not in kept and q.id not in skipped_ids]
        if missing:
            invalid = {p.location for p in problems}
            problems += [
                Problem(f"answers.{q.id}", f"required question not answered: {q.text}")
                for q in missing
                if f"answers.{q.id}" not in invalid
            ]
    if problems:
        raise AnswersError(f"{_count(problems, 'problem')} with the answers; fix them and try again.", problems=problems)
    scores, env, bands = score_env(questionnaire, kept)
    rule_plan, rule_conditions, note_plan = questionnaire.condition_plan
    fired = list(compress(rule_plan, [holds(env, bands) for holds in rule_conditions]))
    if fired:
        decider = max(fired, key=_DECIDE_KEY)[0]  # decide(): the first with the highest (tier, priority)
        # Deciding rule first, then by severity and priority, ties in file order: a stable sort on
        # the precomputed (severity, -priority), then the decider moved to the front.
        order = sorted(fired, key=_ORDER_KEY)
        order = [e for e in order if e[0] is decider] + [e for e in order if e[0] is not decider]
    else:
        decider, order = None, fired
    # NamedTuples made with tuple.__new__ (as their own _make does): Reason(rule_id, outcome,
    # explanation, source, evidence, decisive) and NoteResult(id, text, source, evidence).
    reasons = tuple([
        _new(Reason, (rule.id, rule.outcome, rule.explanation, rule.source,
                      _evidence(explain(env, bands)[1], env), rule is decider))
        for rule, _, _, _, explain in order
    ])  # fmt: skip
    notes = tuple([
        _new(NoteResult, (note.id, note.text, note.source, _evidence(explain(env, bands)[1], env)))
        for note, evaluate, explain in note_plan
        if evaluate(env, bands)
    ])  # fmt: skip
    # TriageResult(questionnaire_id, questionnaire_version, questionnaire_sha256, outcome, decided_by,
    #              reasons, notes, scores, answers, skipped, ignored)
    return _new(TriageResult, (
        questionnaire.id, questionnaire.version, questionnaire.sha256,
        decider.outcome if decider else questionnaire.default.outcome, decider.id if decider else None,
        reasons, notes, scores, kept, tuple(skipped),
        () if len(clean) == len(kept) else tuple([qid for qid in clean if qid not in kept]),  # kept <= clean
    ))  # fmt: skip


def compile_condition_plan(questionnaire: Questionnaire) -> tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, ...]]:
    """What ``run_triage`` needs of the rules and notes (``Questionnaire.condition_plan``).

    ``(rule, evaluate, decide key, order key, explain)`` per rule, the rules' evaluators
    alone, and ``(note, evaluate, explain)`` per note. The loader has checked every
    outcome and priority, so the keys always exist.
    """
    return (
        tuple(
            (r, r.when._evaluate, _decide_key(r), (_SEVERITY[r.outcome], -r.priority), r.when._explain)
            for r in questionnaire.rules
        ),  # fmt: skip
        tuple(r.when._evaluate for r in questionnaire.rules),
        tuple((n, n.when._evaluate, n.when._explain) for n in questionnaire.notes),
    )


def decide(fired: list[Rule]) -> Rule | None:
    """The rule that decides: red-flag tiers first, whatever their priority; then priority.

    ``max`` keeps the first of equal keys, so ties go to the rule listed first.
    """
    return max(fired, key=_decide_key) if fired else None


def _decide_key(rule: Rule) -> tuple[int, int]:
    """Red-flag tier first (emergency 2, urgent 1, others 0), then priority: higher wins."""
    return _RED_FLAG_TIER.get(rule.outcome, 0), rule.priority


def red_flags_raised(questionnaire: Questionnaire, answers: Mapping[str, Any], tier: str = "emergency") -> list[Rule]:
    """Rules of ``tier`` that already fire on partial answers (for stopping early).

    Unanswered questions are ``none``, which makes comparisons false, so a rule
    fires here only on what the person has actually said.
    """
    clean, _ = check_answers(questionnaire, answers)
    _, env, bands = score_env(questionnaire, active_answers(questionnaire, clean)[0])
    return [r for r in questionnaire.rules if r.outcome == tier and r.when.evaluate(env, bands)]


def _evidence(names: frozenset[str], env: Mapping[str, Any]) -> dict[str, Any]:
    if len(names) == 1:  # the usual case, without sorting
        for name in names:
            return {name: env.get(name)}
    return {name: env.get(name) for name in sorted(names)}


def _count(items: list[Any], noun: str) -> str:
    return f"{len(items)} {noun}{'s' if len(items) != 1 else ''}"
