"""The triage engine: answers in, ``TriageResult`` out. Pure, deterministic, no printing.

A triage is two steps. ``assess`` checks the answers and runs the questionnaire's program
once (program.py); ``decide`` turns that run into the result, or the list of problems.
``run_triage`` does both. A caller that must look at the run before deciding (is anything
missing? may we ask for it?) calls them itself, so the answers are never checked or run
twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import compress
from operator import itemgetter
from typing import Any

from pmpt_cli.errors import AnswersError, Problem
from pmpt_cli.model import NoteResult, Questionnaire, Reason, Rule, TriageResult
from pmpt_cli.program import Program, ProgramResult, runnable
from pmpt_cli.records import Record
from pmpt_cli.validation import check_answers

_new = tuple.__new__
_RANK = itemgetter(1)  # RuleStep.rank


class Assessment(Record):
    """Answers checked and run through the questionnaire's program, not yet decided."""

    questionnaire: Questionnaire
    answers: dict[str, Any]  # the valid answers, as checked
    problems: list[Problem]  # one per invalid answer or unknown question id
    run: ProgramResult
    program: Program  # what ran: its rules and notes explain the result

    @property
    def missing(self) -> list[str]:
        """Ids of the required questions that are asked but not answered."""
        return self.run.missing


def run_triage(
    questionnaire: Questionnaire, answers: Mapping[str, Any], *, allow_missing: bool = False
) -> TriageResult:
    """Score ``answers`` and decide the outcome.

    Raises ``AnswersError`` listing every invalid answer and, unless
    ``allow_missing``, every required question left unanswered. Answers to
    questions that are not asked (their enable-when is false) are ignored.
    """
    return decide(assess(questionnaire, answers), allow_missing=allow_missing)


def assess(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> Assessment:
    """Check ``answers`` and run the program on the valid ones."""
    clean, problems = check_answers(questionnaire, answers)
    program = runnable(questionnaire)
    return _new(Assessment, (questionnaire, clean, problems, program.run(clean), program))


def decide(assessment: Assessment, *, allow_missing: bool = False) -> TriageResult:
    """The result of an assessment; ``AnswersError`` if it has problems (see ``run_triage``)."""
    questionnaire, clean, problems, run, program = assessment
    if run.missing and not allow_missing:
        invalid = {p.location for p in problems}
        questions = questionnaire.questions_by_id
        problems = problems + [
            Problem(f"answers.{qid}", f"required question not answered: {questions[qid].text}")
            for qid in run.missing
            if f"answers.{qid}" not in invalid
        ]
    if problems:
        raise AnswersError(
            f"{_count(problems, 'problem')} with the answers; fix them and try again.", problems=problems
        )
    # The rules come in reason order, so the ones that fire do too; the deciding one moves to the front.
    fired = list(compress(program.rules, run.rule_flags))
    decider: Rule | None = None
    if fired:
        first = max(fired, key=_RANK)
        decider = first.rule
        fired.remove(first)
        fired.insert(0, first)
    env, bands = run.values, run.bands
    # Reason(rule_id, outcome, explanation, source, evidence, decisive) and NoteResult(id, text,
    # source, evidence) made with tuple.__new__, as their own _make does: head holds the fields
    # before the evidence.
    reasons = tuple([
        _new(Reason, (*step.head, _evidence(step.flat, step.explain, env, bands), step.rule is decider))
        for step in fired
    ])  # fmt: skip
    notes = tuple([
        _new(NoteResult, (*step.head, _evidence(step.flat, step.explain, env, bands)))
        for step in compress(program.notes, run.note_flags)
    ])  # fmt: skip
    kept = run.kept
    # TriageResult(questionnaire_id, questionnaire_version, questionnaire_sha256, outcome, decided_by,
    #              reasons, notes, scores, answers, skipped, ignored)
    return _new(TriageResult, (
        questionnaire.id, questionnaire.version, questionnaire.sha256,
        decider.outcome if decider else (questionnaire.default.outcome if questionnaire.default else None),
        decider.id if decider else None,
        reasons, notes, run.scores, kept, tuple(run.skipped),
        () if len(clean) == len(kept) else tuple([qid for qid in clean if qid not in kept]),  # kept <= clean
    ))  # fmt: skip


def red_flags_raised(questionnaire: Questionnaire, answers: Mapping[str, Any], tier: str = "emergency") -> list[Rule]:
    """Rules of ``tier`` that already fire on partial answers (for stopping early).

    Unanswered questions are ``none``, which makes comparisons false, so a rule
    fires here only on what the person has actually said.
    """
    assessment = assess(questionnaire, answers)
    fired = {id(step.rule) for step in compress(assessment.program.rules, assessment.run.rule_flags)}
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
