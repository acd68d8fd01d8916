"""The questionnaire and the triage result as immutable records.

A ``Questionnaire`` is built only by the loader, which has already checked every
cross-reference, so the engine can trust it and stay simple and fast.

Records are ``NamedTuple``s rather than frozen dataclasses: creating a dataclass
costs about 0.25 ms at import and pmpt has over a dozen, a fifth of its start-up
budget (docs/performance.md). They are declared with ``records.Record``, which makes
the same namedtuple classes as ``typing.NamedTuple`` for a third of the cost.
``Questionnaire`` is a plain read-only class, for its caches.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from pmpt_cli.records import Record

if TYPE_CHECKING:
    from pmpt_cli.expr.expressions import CompiledExpression
    from pmpt_cli.expr.runtime import ProgramCode

#: Outcome ids, most urgent first. Red-flag tiers always outrank the others.
OUTCOMES: tuple[str, ...] = (
    "emergency",
    "urgent",
    "under-16",
    "pain-management",
    "both",
    "physical-therapy",
    "self-care",
)
RED_FLAG_OUTCOMES: tuple[str, ...] = ("emergency", "urgent")

QUESTION_TYPES: tuple[str, ...] = ("choice", "multi_choice", "yes_no", "scale", "number", "text", "date", "time")
#: Types whose answer is a string: free text, an ISO date (YYYY-MM-DD) or a time of day (HH:MM:SS).
TEXT_TYPES: tuple[str, ...] = ("text", "date", "time")
SCORE_METHODS: tuple[str, ...] = ("sum", "mean", "percent", "max", "count", "expression")
ENABLE_OPERATORS: tuple[str, ...] = ("exists", "=", "!=", ">", "<", ">=", "<=")
#: No number answer, and no finite bound of a question, lies beyond this either way: past
#: it floats lose whole numbers, and sums and means of such answers could overflow.
MAX_NUMBER_ANSWER = 1e15
#: The most points a scale question may have (a 0 to 100 scale has 101).
MAX_SCALE_POINTS = 1001
#: The two needs a score may stand for (``Score.need``): what decides pain management vs therapy.
NEEDS: tuple[str, ...] = ("pain-relief", "rehabilitation")


class Source(Record):
    """A work the questionnaire draws on."""

    id: str
    citation: str
    url: str = ""


class EnableWhen(Record):
    """A FHIR ``enableWhen`` condition on an earlier question."""

    question: str
    operator: str
    answer: Any


class Section(Record):
    """A titled group of questions, asked in file order.

    A section may sit inside an earlier one (``parent``) and have conditions of its own
    (``enable_when``): its questions are asked only when they hold, and its parent's do.
    The builder folds them into each question's ``enable_if``, so the engine needs no
    notion of sections.
    """

    id: str
    title: str
    intro: str = ""
    parent: str = ""
    enable_when: tuple[EnableWhen, ...] = ()
    enable_behavior: str = "all"


class Choice(Record):
    """One option of a choice question; ``score`` feeds named scores."""

    value: str
    label: str
    help: str = ""
    score: float | None = None
    exclusive: bool = False


class Question(Record):
    """One question; ``type`` is one of ``QUESTION_TYPES``."""

    id: str
    section: str
    type: str
    text: str
    help: str = ""
    required: bool = True
    choices: tuple[Choice, ...] = ()
    min: float | None = None
    max: float | None = None
    min_label: str = ""
    max_label: str = ""
    integer: bool = False
    unit: str = ""
    max_length: int = 500
    enable_when: tuple[EnableWhen, ...] = ()
    enable_behavior: str = "all"
    #: What the engine applies: the question's own ``enable_if`` and, in a section with
    #: conditions, the section's (and its parents'), joined with ``and``.
    enable_if: CompiledExpression | None = None
    own_enable_if: str = ""  # the question's own enable_if, as written (export, show)

    @property
    def choice_values(self) -> tuple[str, ...]:
        return tuple(c.value for c in self.choices)

    def choice(self, value: str) -> Choice | None:
        """The choice with this value, or ``None``."""
        for c in self.choices:
            if c.value == value:
                return c
        return None

    @property
    def is_conditional(self) -> bool:
        return bool(self.enable_when) or self.enable_if is not None

    @property
    def range_text(self) -> str:
        """The bounds in words: ``from 0 to 10``, ``at least 0``, ``at most 10`` or ``""``."""
        lo, hi = _finite(self.min), _finite(self.max)  # an infinite bound is no bound
        if lo is not None and hi is not None:
            return f"from {_bound(lo)} to {_bound(hi)}"
        if lo is not None:
            return f"at least {_bound(lo)}"
        return f"at most {_bound(hi)}" if hi is not None else ""


def _finite(value: float | None) -> float | None:
    return value if value is None or -MAX_NUMBER_ANSWER <= value <= MAX_NUMBER_ANSWER else None


def _bound(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


class Band(Record):
    """A labelled range of a score, ``min`` and ``max`` inclusive."""

    min: float
    max: float
    label: str


class Score(Record):
    """A named score over answers (``items``) or an ``expression``, with bands."""

    id: str
    label: str
    method: str
    source: str
    items: tuple[str, ...] = ()
    max_missing: int = 0
    expression: CompiledExpression | None = None
    bands: tuple[Band, ...] = ()
    description: str = ""
    mcid: float | None = None
    mcid_source: str = ""
    internal: bool = False  # a helper for rules: computed and exported, not shown to the person
    need: str = ""  # one of NEEDS when the score is a need; its items are then its contributor scores
    better: str = ""  # "lower" or "higher": which way is improvement (pmpt compare); "" when not declared

    def band_for(self, value: float | None) -> str | None:
        """Label of the first band whose max ``value`` does not exceed (see the format doc)."""
        if value is None:
            return None
        for band in self.bands:
            if value <= band.max:
                return band.label if value >= band.min else None
        return None


class Rule(Record):
    """A decision rule: when ``when`` is true it proposes ``outcome``."""

    id: str
    outcome: str
    when: CompiledExpression
    priority: int
    explanation: str
    source: str


class Advice(Record):
    """One thing a note asks the person to watch for, left out when any ``unless``
    condition holds: never "see your GP if you get pain at night" to someone who said
    the pain wakes them most nights."""

    text: str
    unless: tuple[EnableWhen, ...] = ()


class Note(Record):
    """A contributing factor reported as "also noted"; it never decides.

    With ``watch_for``, ``{watch_for}`` in the text becomes the items that apply, as
    "a, b or c" (``advice.note_text``).
    """

    id: str
    when: CompiledExpression
    text: str
    source: str
    watch_for: tuple[Advice, ...] = ()


class Check(Record):
    """Answers that are unlikely together (average pain above the worst pain): when
    ``question`` ``operator`` ``other`` holds, the person is asked whether that is right,
    and a scripted run warns. ``message`` may name both with ``{question_id}``."""

    id: str
    question: str
    operator: str
    other: str
    message: str


class Default(Record):
    """The outcome when no rule fires."""

    outcome: str
    explanation: str
    source: str


class OutcomeText(Record):
    """How the summary words one outcome."""

    headline: str
    care: str
    steps: tuple[str, ...]
    next: str


class Questionnaire:
    """A loaded, validated questionnaire. Build it with ``load_questionnaire``.

    Read-only, like a frozen dataclass: the attributes are set once, in ``__init__``;
    ``_replace`` makes a changed copy. (A plain class because ``@dataclass`` costs about
    1 ms of start-up: importing ``dataclasses`` and generating the methods.)
    """

    # The attributes, in __init__'s order (the defaults are there).
    id: str
    title: str
    version: str
    language: str
    licence: str
    sha256: str
    sections: tuple[Section, ...]
    questions: tuple[Question, ...]
    scores: tuple[Score, ...]
    rules: tuple[Rule, ...]
    default: Default | None  # None: measure-only (no rules either), the triage has no outcome
    description: str
    minutes: int | None
    sources: tuple[Source, ...]
    notes: tuple[Note, ...]
    outcome_texts: dict[str, OutcomeText]
    #: The ``[fhir]`` table: what a FHIR export needs and pmpt does not use (docs/fhir.md).
    fhir: dict[str, Any]
    path: str
    #: Scores in an order where each comes after the scores it uses.
    score_order: tuple[str, ...]
    #: Consistency checks between answers (``Check``).
    checks: tuple[Check, ...]
    #: The scores and every rule's and note's condition compiled into one function, when
    #: the builder made it (program.compile_program, kept by the cache); ``None`` when the
    #: questionnaire was changed with ``_replace``: program.runnable then compiles it afresh.
    program: ProgramCode | None

    _fields = tuple(__annotations__)  # the names above, for repr and _replace
    #: What other modules derive from this questionnaire, by key (``memo``).
    _memo: dict[str, Any]

    def __init__(
        self,
        id: str,
        title: str,
        version: str,
        language: str,
        licence: str,
        sha256: str,
        sections: tuple[Section, ...],
        questions: tuple[Question, ...],
        scores: tuple[Score, ...],
        rules: tuple[Rule, ...],
        default: Default | None,
        description: str = "",
        minutes: int | None = None,
        sources: tuple[Source, ...] = (),
        notes: tuple[Note, ...] = (),
        outcome_texts: dict[str, OutcomeText] | None = None,
        fhir: dict[str, Any] | None = None,
        path: str = "",
        score_order: tuple[str, ...] = (),
        checks: tuple[Check, ...] = (),
        program: ProgramCode | None = None,
    ) -> None:
        # Straight into the instance dict, since __setattr__ refuses (cached_property does the same).
        self.__dict__.update(
            id=id, title=title, version=version, language=language, licence=licence, sha256=sha256,
            sections=sections, questions=questions, scores=scores, rules=rules, default=default,
            description=description, minutes=minutes, sources=sources, notes=notes,
            outcome_texts={} if outcome_texts is None else outcome_texts, fhir={} if fhir is None else fhir,
            path=path, score_order=score_order, checks=checks, program=program, _memo={},
        )  # fmt: skip

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__qualname__}({fields})"

    def _replace(self, **changes: Any) -> Questionnaire:
        """A copy with some attributes changed (its cached plans are computed afresh).

        The compiled ``program`` is dropped unless given: it computes the old rules and scores.
        """
        return type(self)(**{name: getattr(self, name) for name in self._fields} | {"program": None} | changes)

    @property
    def url(self) -> str:
        """The canonical URL (FHIR ``Questionnaire.url``): ``[fhir] url``, else ``urn:pmpt:questionnaire:ID``."""
        return self.fhir.get("url") or f"urn:pmpt:questionnaire:{self.id}"

    @property
    def measure_only(self) -> bool:
        """No rules and no default: a triage reports scores and bands, and no outcome."""
        return self.default is None

    def question(self, qid: str) -> Question | None:
        return self.questions_by_id.get(qid)

    def score(self, sid: str) -> Score | None:
        return self.scores_by_id.get(sid)

    # cached_property writes to the instance dict directly, so it works despite __setattr__.
    @cached_property
    def questions_by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}

    @cached_property
    def scores_by_id(self) -> dict[str, Score]:
        return {s.id: s for s in self.scores}

    def memo(self, key: str, build: Callable[[Questionnaire], Any]) -> Any:
        """``build(self)``, computed once and kept with this questionnaire.

        For what other modules derive from it and reuse on every triage (the runnable
        program, the answer checkers): they own the logic, this object only keeps the
        result, as ``functools.cached_property`` would.
        """
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = build(self)
            return value


def reason_order(rules: Sequence[Rule]) -> list[Rule]:
    """Most severe outcome first, then higher priority, ties in file order: how reasons are listed."""
    return sorted(rules, key=lambda r: (_SEVERITY[r.outcome], -r.priority))


def decision_rank(rule: Rule, position: int) -> tuple[int, int, int]:
    """How rules that fire compete to decide, highest first: the red-flag tier (emergency 2,
    urgent 1, the rest 0) whatever the priority, then the priority, then the first in the
    file (``position``). Red flags always win."""
    return _RED_FLAG_TIER.get(rule.outcome, 0), rule.priority, -position


_SEVERITY = {outcome: rank for rank, outcome in enumerate(OUTCOMES)}
_RED_FLAG_TIER = {"emergency": 2, "urgent": 1}


class ScoreResult(Record):
    """A computed score: ``value`` is ``None`` when too many items were missing."""

    id: str
    label: str
    value: float | None
    band: str | None
    answered: int
    missing: int


class Reason(Record):
    """A rule that fired, with the answers and scores that made it fire."""

    rule_id: str
    outcome: str
    explanation: str
    source: str
    evidence: dict[str, Any]
    decisive: bool


class NoteResult(Record):
    """A note whose condition held, with the answers behind it."""

    id: str
    text: str
    source: str
    evidence: dict[str, Any]


class TriageResult(Record):
    """Everything ``run_triage`` found; rendering and export read only this."""

    questionnaire_id: str
    questionnaire_version: str
    questionnaire_sha256: str
    outcome: str | None  # None for a measure-only questionnaire
    decided_by: str | None  # rule id, or None when the default decided (or nothing did: measure-only)
    reasons: tuple[Reason, ...]
    notes: tuple[NoteResult, ...]
    scores: dict[str, ScoreResult]
    answers: dict[str, Any]
    skipped: tuple[str, ...]
    ignored: tuple[str, ...]  # answers given to questions that were not asked

    @property
    def decisive_reason(self) -> Reason | None:
        for reason in self.reasons:
            if reason.decisive:
                return reason
        return None
