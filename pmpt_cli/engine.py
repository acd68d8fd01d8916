"""The triage engine: answers in, ``TriageResult`` out. Pure, deterministic, no printing."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from itertools import compress
from operator import itemgetter
from typing import Any

from pmpt_cli.enablement import active_answers
from pmpt_cli.errors import AnswersError, Problem
from pmpt_cli.expr.runtime import ProgramCode, program_functions
from pmpt_cli.model import OUTCOMES, NoteResult, Questionnaire, Reason, Rule, ScoreResult, TriageResult
from pmpt_cli.scoring import choice_scores, item_max, score_env
from pmpt_cli.validation import check_answers

_SEVERITY = {outcome: rank for rank, outcome in enumerate(OUTCOMES)}
_DECIDE_KEY = itemgetter(2)
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
    rule_plan, program, note_plan = questionnaire.triage_plan
    kept, skipped, missing, env, scores, bands, rule_flags, note_flags = program(clean)
    if missing and not allow_missing:
        invalid = {p.location for p in problems}
        questions = questionnaire.questions_by_id
        problems += [
            Problem(f"answers.{qid}", f"required question not answered: {questions[qid].text}")
            for qid in missing
            if f"answers.{qid}" not in invalid
        ]
    if problems:
        raise AnswersError(
            f"{_count(problems, 'problem')} with the answers; fix them and try again.", problems=problems
        )
    # The plan lists the rules in reason order, (severity, -priority) with ties in file order,
    # so the rules that fire come out in that order; the deciding one then moves to the front.
    fired = list(compress(rule_plan, rule_flags))
    if fired:
        first = max(fired, key=_DECIDE_KEY)  # decide(): keys are unique, so order does not matter
        decider = first[0]
        at = fired.index(first)
        fired[1 : at + 1] = fired[:at]
        fired[0] = first
    else:
        decider = None
    # NamedTuples made with tuple.__new__ (as their own _make does): Reason(rule_id, outcome,
    # explanation, source, evidence, decisive) and NoteResult(id, text, source, evidence);
    # ``head`` holds the fields before the evidence.
    reasons = tuple([
        _new(Reason, (*head, _evidence(flat, explain, env, bands), rule is decider))
        for rule, head, _, flat, explain in fired
    ])  # fmt: skip
    notes = tuple([
        _new(NoteResult, (*head, _evidence(flat, explain, env, bands)))
        for head, flat, explain in compress(note_plan, note_flags)
    ])  # fmt: skip
    # TriageResult(questionnaire_id, questionnaire_version, questionnaire_sha256, outcome, decided_by,
    #              reasons, notes, scores, answers, skipped, ignored)
    return _new(TriageResult, (
        questionnaire.id, questionnaire.version, questionnaire.sha256,
        decider.outcome if decider else (questionnaire.default.outcome if questionnaire.default else None),
        decider.id if decider else None,
        reasons, notes, scores, kept, tuple(skipped),
        () if len(clean) == len(kept) else tuple([qid for qid in clean if qid not in kept]),  # kept <= clean
    ))  # fmt: skip


def compile_triage_plan(
    questionnaire: Questionnaire,
) -> tuple[tuple[Any, ...], Callable[[Mapping[str, Any]], Any], tuple[Any, ...]]:
    """What ``run_triage`` needs (``Questionnaire.triage_plan``).

    ``(rule, head, decide key, flat, explain)`` per rule in reason order (see
    ``reason_order``; ``head``: the rule's id, outcome, explanation and source);
    ``program(checked answers)``, which gives ``(kept, skipped, missing, values, scores,
    bands, rule flags, note flags)`` (see codegen.generate_program); and ``(head, flat,
    explain)`` per note (``head``: id, text, source). ``flat`` is the expression's ``_flat``
    names (see ``_evidence``). The decide key adds the file position to ``_decide_key``, so
    the first of equal rules wins wherever it is listed.
    """
    position = {id(r): index for index, r in enumerate(questionnaire.rules)}
    rules = reason_order(questionnaire.rules)
    notes = questionnaire.notes
    if questionnaire.program is not None:  # compiled by the loader, with typed explainers
        program, explains = program_functions(questionnaire.program, ScoreResult)
    else:  # a questionnaire built some other way (_replace, say): the same, step by step
        # (Each expression compiles its functions when first asked for them; a flat one needs none.)
        explains = tuple(None if c.when._flat is not None else c.when._explain for c in [*rules, *notes])
        rule_tests = tuple(r.when._fast for r in rules)  # run_triage checks the answers first
        note_tests = tuple(n.when._fast for n in notes)

        def program(answers: Mapping[str, Any]) -> tuple[Any, ...]:
            kept, skipped = active_answers(questionnaire, answers)
            missing = unanswered_required(questionnaire, kept, skipped)
            scores, env, bands = score_env(questionnaire, kept)
            rule_flags = [test(env, bands) for test in rule_tests]
            return kept, skipped, missing, env, scores, bands, rule_flags, [test(env, bands) for test in note_tests]

    plan = tuple(
        (r, (r.id, r.outcome, r.explanation, r.source), (*_decide_key(r), -position[id(r)]), r.when._flat, explain)
        for r, explain in zip(rules, explains)
    )
    note_plan = tuple(
        ((n.id, n.text, n.source), n.when._flat, explain) for n, explain in zip(notes, explains[len(rules) :])
    )
    return plan, program, note_plan


def compile_program(questionnaire: Questionnaire, parts: Mapping[str, Any]) -> ProgramCode:
    """Enablement, scores and every condition in one generated function (``Questionnaire.program``).

    ``parts`` holds the checked tree of every expression (checker.check), by
    source. What it computes is what ``active_answers``, ``score_env`` and the conditions'
    ``evaluate`` give (tests/test_codegen.py checks it on random answers).
    """
    from pmpt_cli.expr.codegen import ExpressionScore, ItemScore, QuestionStep, generate_program  # only when compiling

    questions = questionnaire.questions_by_id
    steps = [
        QuestionStep(q.id, q.required, tuple((c.question, c.operator, c.answer,
                                              questions[c.question].type == "multi_choice") for c in q.enable_when),
                     q.enable_behavior == "all", None if q.enable_if is None else parts[q.enable_if.source])
        for q in questionnaire.questions
    ]  # fmt: skip
    scores = []
    for sid in questionnaire.score_order:
        score = questionnaire.scores_by_id[sid]
        bands = tuple((b.min, b.max, b.label) for b in score.bands)
        if score.expression is not None:
            scores.append(ExpressionScore(sid, score.label, parts[score.expression.source], bands))
            continue
        items = []
        for item in score.items:
            question = questions.get(item)
            if question is None:  # a score
                items.append((item, "score", None, None))
            else:
                top = item_max(question) if score.method == "percent" else None
                items.append((item, question.type, choice_scores(question), top))
        scores.append(ItemScore(sid, score.label, score.method, tuple(items), score.max_missing, bands))
    return generate_program(
        steps,
        scores,
        [s.id for s in questionnaire.scores],
        [parts[r.when.source] for r in reason_order(questionnaire.rules)],
        [parts[n.when.source] for n in questionnaire.notes],
    )


def unanswered_required(questionnaire: Questionnaire, kept: Mapping[str, Any], skipped: Sequence[str]) -> list[str]:
    """Ids of the required questions that are asked (not ``skipped``) but not answered."""
    skipped_ids = set(skipped)
    return [q.id for q in questionnaire.questions if q.required and q.id not in kept and q.id not in skipped_ids]


def reason_order(rules: Sequence[Rule]) -> list[Rule]:
    """Most severe outcome first, then higher priority, ties in file order: how reasons are listed."""
    return sorted(rules, key=lambda r: (_SEVERITY[r.outcome], -r.priority))


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
    rule_plan, program, _ = questionnaire.triage_plan
    fired = {id(entry[0]) for entry in compress(rule_plan, program(clean)[6])}
    return [r for r in questionnaire.rules if r.outcome == tier and id(r) in fired]  # in file order


def _evidence(flat: tuple[str, ...] | None, explain: Any, env: Mapping[str, Any], bands: Any) -> dict[str, Any]:
    """The answers and scores that made a condition hold, by name.

    For a condition whose explanation is simply "the answered ones of its names" (``flat``,
    sorted), that is read off the values; for the others (and/or/if) ``explain`` decides.
    """
    if flat is None:  # every name explain() credits, even an unanswered one (answered())
        names = explain(env, bands)[1]
        return {name: env.get(name) for name in (names if len(names) < 2 else sorted(names))}
    evidence = {}
    for name in flat:  # a loop: a comprehension would cost a call
        value = env.get(name)
        if value is not None:
            evidence[name] = value
    return evidence


def _count(items: list[Any], noun: str) -> str:
    return f"{len(items)} {noun}{'s' if len(items) != 1 else ''}"
