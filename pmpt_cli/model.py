"""The questionnaire and the triage result as immutable records.

A ``Questionnaire`` is built only by the loader, which has already checked every
cross-reference, so the engine can trust it and stay simple and fast.

Records are ``NamedTuple``s rather than frozen dataclasses: creating a dataclass
costs about 0.25 ms at import and pmpt has over a dozen, a fifth of its start-up
budget (docs/performance.md). ``Questionnaire`` stays a dataclass for its caches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from .expressions import CompiledExpression

#: Outcome ids, most urgent first. Red-flag tiers always outrank the others.
OUTCOMES: tuple[str, ...] = (
    "emergency",
    "urgent",
    "pain-management",
    "both",
    "physical-therapy",
    "self-care",
)
RED_FLAG_OUTCOMES: tuple[str, ...] = ("emergency", "urgent")

QUESTION_TYPES: tuple[str, ...] = ("choice", "multi_choice", "yes_no", "scale", "number", "text")
SCORE_METHODS: tuple[str, ...] = ("sum", "mean", "percent", "max", "count", "expression")
ENABLE_OPERATORS: tuple[str, ...] = ("exists", "=", "!=", ">", "<", ">=", "<=")


class Source(NamedTuple):
    """A work the questionnaire draws on."""

    id: str
    citation: str
    url: str = ""


class Section(NamedTuple):
    """A titled group of questions, asked in file order."""
    id: str
    title: str
    intro: str = ""


class Choice(NamedTuple):
    """One option of a choice question; ``score`` feeds named scores."""

    value: str
    label: str
    help: str = ""
    score: float | None = None
    exclusive: bool = False


class EnableWhen(NamedTuple):
    """A FHIR ``enableWhen`` condition on an earlier question."""

    question: str
    operator: str
    answer: Any


class Question(NamedTuple):
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
    enable_if: CompiledExpression | None = None

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
        lo, hi = self.min, self.max
        if lo is not None and hi is not None:
            return f"from {_bound(lo)} to {_bound(hi)}"
        if lo is not None:
            return f"at least {_bound(lo)}"
        return f"at most {_bound(hi)}" if hi is not None else ""


def _bound(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


class Band(NamedTuple):
    """A labelled range of a score, ``min`` and ``max`` inclusive."""
    min: float
    max: float
    label: str


class Score(NamedTuple):
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

    def band_for(self, value: float | None) -> str | None:
        """Label of the first band whose max ``value`` does not exceed (see the format doc)."""
        if value is None:
            return None
        for band in self.bands:
            if value <= band.max:
                return band.label if value >= band.min else None
        return None


class Rule(NamedTuple):
    """A decision rule: when ``when`` is true it proposes ``outcome``."""
    id: str
    outcome: str
    when: CompiledExpression
    priority: int
    explanation: str
    source: str


class Note(NamedTuple):
    """A contributing factor reported as "also noted"; it never decides."""
    id: str
    when: CompiledExpression
    text: str
    source: str


class Default(NamedTuple):
    """The outcome when no rule fires."""
    outcome: str
    explanation: str
    source: str


class OutcomeText(NamedTuple):
    """How the summary words one outcome."""

    headline: str
    care: str
    steps: tuple[str, ...]
    next: str


@dataclass(frozen=True, eq=False)
class Questionnaire:
    """A loaded, validated questionnaire. Build it with ``load_questionnaire``."""

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
    default: Default
    description: str = ""
    minutes: int | None = None
    sources: tuple[Source, ...] = ()
    notes: tuple[Note, ...] = ()
    outcome_texts: dict[str, OutcomeText] = field(default_factory=dict)
    path: str = ""
    #: Scores in an order where each comes after the scores it uses.
    score_order: tuple[str, ...] = ()

    def question(self, qid: str) -> Question | None:
        return self.questions_by_id.get(qid)

    def score(self, sid: str) -> Score | None:
        return self.scores_by_id.get(sid)

    # cached_property writes to the instance dict directly, so it works on frozen dataclasses.
    @cached_property
    def questions_by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}

    @cached_property
    def scores_by_id(self) -> dict[str, Score]:
        return {s.id: s for s in self.scores}

    # -- plans the engine runs, each compiled once per questionnaire on first use --------
    # (Lazily, so listing or showing a questionnaire never pays for them; the modules that
    # own the logic build them, imported here on demand because they import this module.)

    @cached_property
    def answer_checkers(self) -> dict[str, Callable[[Any], Any]]:
        """Question id -> ``check_value`` for that question, with a fast path for valid answers."""
        from .validation import compile_checkers

        return compile_checkers(self)

    @cached_property
    def enable_plan(self) -> tuple[tuple[str, Callable[[Mapping[str, Any]], bool] | None], ...]:
        """``(question id, gate)`` in asking order; ``gate(answers)`` says whether it is asked."""
        from .enablement import compile_enable_plan

        return compile_enable_plan(self)

    @cached_property
    def score_plan(self) -> tuple[tuple[Any, ...], tuple[str, ...] | None]:
        """The scores in dependency order, with each item's value function resolved."""
        from .scoring import compile_score_plan

        return compile_score_plan(self)

    @cached_property
    def condition_plan(self) -> tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, ...]]:
        """Each rule and note with its evaluator and explainer at hand, and the rules' sort keys."""
        from .engine import compile_condition_plan

        return compile_condition_plan(self)


class ScoreResult(NamedTuple):
    """A computed score: ``value`` is ``None`` when too many items were missing."""

    id: str
    label: str
    value: float | None
    band: str | None
    answered: int
    missing: int


class Reason(NamedTuple):
    """A rule that fired, with the answers and scores that made it fire."""

    rule_id: str
    outcome: str
    explanation: str
    source: str
    evidence: dict[str, Any]
    decisive: bool


class NoteResult(NamedTuple):
    """A note whose condition held, with the answers behind it."""
    id: str
    text: str
    source: str
    evidence: dict[str, Any]


class TriageResult(NamedTuple):
    """Everything ``run_triage`` found; rendering and export read only this."""

    questionnaire_id: str
    questionnaire_version: str
    questionnaire_sha256: str
    outcome: str
    decided_by: str | None  # rule id, or None when the default decided
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
