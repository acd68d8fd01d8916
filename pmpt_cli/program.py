"""A questionnaire's program: the one evaluator a triage runs.

Every question's enable-when, every score, and every rule's and note's condition are
printed as one Python function (``expr.codegen``) when a questionnaire is built, and
compiled: one call per triage instead of one per question, score and condition. The
builder compiles it (``compile_program``) and the cache keeps its code; ``runnable``
turns that code into a ``Program`` once per questionnaire. A triage checks the answers
(``validation.check_answers``), runs the program once and explains the conditions that
held (``engine``). Each expression's own ``evaluate()`` stays as the reference the tests
hold the program to.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from pmpt_cli.expr.runtime import ProgramCode, program_functions
from pmpt_cli.model import Note, Questionnaire, Rule, ScoreResult, decision_rank, reason_order
from pmpt_cli.records import Record
from pmpt_cli.scoring import choice_scores, item_max

if TYPE_CHECKING:
    from pmpt_cli.expr.codegen import ExpressionScore, ItemScore, ProgramParts


class ProgramResult(Record):
    """What one run of a program found (made by the generated code itself)."""

    kept: dict[str, Any]  # the answers that count: those to questions that are asked
    skipped: list[str]  # ids of the questions not asked (their enable-when is false)
    missing: list[str]  # ids of the required questions asked but not answered
    values: dict[str, Any]  # the answers and the score values, by id
    scores: dict[str, ScoreResult]  # in file order
    bands: dict[str, str | None]  # the band of each score
    rule_flags: tuple[Any, ...]  # each rule's condition, rules in reason order (``model.reason_order``)
    note_flags: tuple[Any, ...]  # each note's condition, in file order


class RuleStep(Record):
    """A rule as the engine explains it, in reason order."""

    rule: Rule
    rank: tuple[int, int, int]  # model.decision_rank: the highest of the rules that fire decides
    head: tuple[str, str, str, str]  # id, outcome, explanation, source: a Reason's first fields
    flat: tuple[str, ...] | None  # when not None, the evidence is the answered ones of these names
    explain: Callable[[Any, Any], tuple[Any, frozenset[str]]] | None  # else this says what made it true


class NoteStep(Record):
    """A note as the engine explains it."""

    note: Note
    head: tuple[str, str, str]  # id, text, source: a NoteResult's first fields
    flat: tuple[str, ...] | None
    explain: Callable[[Any, Any], tuple[Any, frozenset[str]]] | None


class Program:
    """A questionnaire's program, ready to run: ``run(checked answers) -> ProgramResult``."""

    __slots__ = ("run", "rules", "notes", "filename")

    def __init__(self, questionnaire: Questionnaire, code: ProgramCode) -> None:
        self.filename: str = code.code.co_filename
        source = _ProgramSource(questionnaire)
        names = {"_ScoreResult": ScoreResult, "_ProgramResult": ProgramResult, "__name__": self.filename,
                 "__loader__": source}  # fmt: skip
        self.run: Callable[[Mapping[str, Any]], ProgramResult]
        self.run, explains = program_functions(code, names)
        position = {id(rule): index for index, rule in enumerate(questionnaire.rules)}
        rules = reason_order(questionnaire.rules)
        self.rules = tuple(
            RuleStep(
                r, decision_rank(r, position[id(r)]), (r.id, r.outcome, r.explanation, r.source), r.when._flat, explain
            )
            for r, explain in zip(rules, explains)
        )
        self.notes = tuple(
            NoteStep(n, (n.id, n.text, n.source), n.when._flat, explain)
            for n, explain in zip(questionnaire.notes, explains[len(rules) :])
        )


def runnable(questionnaire: Questionnaire) -> Program:
    """The questionnaire's ``Program``, made once (compiled first if it came without one)."""
    return questionnaire.memo("program", _make_program)


def _make_program(questionnaire: Questionnaire) -> Program:
    code = questionnaire.program
    if code is None:  # a questionnaire changed with _replace: its program is compiled afresh
        code = compile_program(questionnaire)
    return Program(questionnaire, code)


def compile_program(questionnaire: Questionnaire, trees: Mapping[str, Any] | None = None) -> ProgramCode:
    """The code of the questionnaire's program (``Questionnaire.program``).

    ``trees`` maps each expression's source to its checked tree (``expr.checker.check``),
    as the builder has them; without it, every expression is checked again.
    """
    from pmpt_cli.expr.codegen import generate_program  # only when compiling

    return generate_program(program_parts(questionnaire, trees), program_filename(questionnaire))


def program_filename(questionnaire: Questionnaire) -> str:
    """What tracebacks show as the program's file. Not a real path, and not ``<...>``,
    which ``linecache`` would never ask the loader about."""
    return f"pmpt-program:{questionnaire.id}@{questionnaire.version}"


def program_parts(questionnaire: Questionnaire, trees: Mapping[str, Any] | None = None) -> ProgramParts:
    """What the code generator prints, from the questionnaire and its checked expressions."""
    from pmpt_cli.expr.codegen import ExpressionScore, ItemScore, ProgramParts, QuestionStep  # only when compiling

    if trees is None:
        trees = _check_again(questionnaire)
    questions = questionnaire.questions_by_id
    steps = [
        QuestionStep(
            q.id,
            q.required,
            tuple(
                (c.question, c.operator, c.answer, questions[c.question].type == "multi_choice") for c in q.enable_when
            ),
            q.enable_behavior == "all",
            None if q.enable_if is None else trees[q.enable_if.source],
        )
        for q in questionnaire.questions
    ]
    scores: list[ItemScore | ExpressionScore] = []
    for sid in questionnaire.score_order:
        score = questionnaire.scores_by_id[sid]
        bands = tuple((b.min, b.max, b.label) for b in score.bands)
        if score.expression is not None:
            scores.append(ExpressionScore(sid, score.label, trees[score.expression.source], bands))
            continue
        items: list[tuple[str, str, Any, Any]] = []
        for item in score.items:
            question = questions.get(item)
            if question is None:  # a score
                items.append((item, "score", None, None))
            else:
                top = item_max(question) if score.method == "percent" else None
                items.append((item, question.type, choice_scores(question), top))
        scores.append(ItemScore(sid, score.label, score.method, tuple(items), score.max_missing, bands))
    return ProgramParts(
        steps,
        scores,
        [s.id for s in questionnaire.scores],
        [trees[r.when.source] for r in reason_order(questionnaire.rules)],
        [trees[n.when.source] for n in questionnaire.notes],
    )


def _check_again(questionnaire: Questionnaire) -> dict[str, Any]:
    """The checked tree of every expression, from its source (the builder had them)."""
    from pmpt_cli.expr.checker import check
    from pmpt_cli.expr.names import NameInfo

    names = {q.id: NameInfo.of_question(q) for q in questionnaire.questions}
    names.update((s.id, NameInfo("score")) for s in questionnaire.scores)
    expressions = [q.enable_if for q in questionnaire.questions] + [s.expression for s in questionnaire.scores]
    expressions += [r.when for r in questionnaire.rules] + [n.when for n in questionnaire.notes]
    return {e.source: check(e.source, names)[0] for e in expressions if e is not None}


class _ProgramSource:
    """The ``__loader__`` of a program's functions: ``linecache`` (tracebacks, pdb) asks it
    for the source when it must show a line, and it is printed again then. Nothing is
    registered up front, so a triage pays nothing for it."""

    def __init__(self, questionnaire: Questionnaire) -> None:
        self.questionnaire = questionnaire

    def get_source(self, name: str) -> str:
        from pmpt_cli.expr.codegen import program_source

        return program_source(program_parts(self.questionnaire))
