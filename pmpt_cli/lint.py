"""Checks beyond the loader: what a questionnaire can never do, or always does.

The loader guarantees that a file is well formed (every name resolves, every
choice value exists). Lint reasons about what the file *means*:

- questions that are never asked, conditions that are never or always true;
- circular dependencies (checked on the raw document, so they are explained
  even when the loader has already refused the file);
- band edges that leave gaps or overlap (docs/questionnaire-format.md, "Bands");
- scores that can never be computed, and rules that use them;
- outcomes that no rule can produce, where that matters;
- explanations and sources that are placeholders or too short to be useful.

Conditions are decided by evaluating them, deterministically, over every
combination of representative values of the names they use: every choice, both
yes/no answers, every point of a short scale, and for numbers and scores the
constants they are compared with, the points between them and the ends of their
range. ``a and b`` / ``a or b`` over unrelated names are split so each part is
enumerated on its own. Scores are treated as free of the answers they come from,
a superset of what can happen, so "never true" and "always true" are only said
when no representative value can make it otherwise. When a name is used in a way
representative values cannot cover (arithmetic on an unbounded number, say),
lint only reports what it has seen happen, and never claims "never".
"""

from __future__ import annotations

import ast
import itertools
import math
import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pmpt_cli.enablement import condition_holds
from pmpt_cli.errors import ExpressionError
from pmpt_cli.expr.expressions import CompiledExpression, compile_expression
from pmpt_cli.expr.names import NameInfo
from pmpt_cli.model import OUTCOMES, RED_FLAG_OUTCOMES, Question, Questionnaire, Score

ERROR = "error"
WARNING = "warning"

#: Largest number of value combinations enumerated for one condition (or one part of it).
MAX_COMBINATIONS = 20_000
#: Random (seeded) combinations tried when enumeration is too large: witnesses only.
SAMPLES = 2_000
SEED = 20_240_501
#: A scale this long or shorter is enumerated point by point.
MAX_SCALE_POINTS = 21
#: A multiple-choice question with this many choices or fewer has every subset enumerated.
MAX_SUBSET_CHOICES = 8

MIN_EXPLANATION_CHARS = 25
MIN_EXPLANATION_WORDS = 4
MIN_SOURCE_CHARS = 6

# Linear in the text's length, as ``validate`` must be on any file: no two quantifiers
# compete for the same characters (``^(?:-+)\W*$`` did, and a 150 KB explanation of
# dashes took minutes; dashes and dots are covered by ``^\W*$``), and the possessive
# ``*+`` never backtracks.
_PLACEHOLDER = re.compile(
    r"\b(todo|tbd|tba|fixme|x{3,}+|placeholder|lorem ipsum|fill (?:me )?in|to be (?:written|added|done|confirmed))\b"
    r"|\?\?|^\W*+$|^(?:n/?a|none|unknown|source|explanation|text|test|foo|bar)\W*+$",
    re.IGNORECASE,
)
_CONSTANT_NAMES = {"true", "false", "none", "True", "False", "None"}
_SIMPLE_CALLS = {"answered", "band", "count"}


@dataclass(frozen=True)
class Finding:
    """One lint result: how bad, which check, where, what, and how to fix it."""

    severity: str  # "error" or "warning"
    check: str  # stable id, e.g. "unreachable-question"
    location: str
    message: str
    hint: str = ""

    def to_dict(self) -> dict[str, str]:
        return {
            "severity": self.severity,
            "check": self.check,
            "location": self.location,
            "message": self.message,
            "hint": self.hint,
        }


# -- raw-document checks -----------------------------------------------------------


def lint_document(raw: dict[str, Any]) -> list[Finding]:
    """Checks that need no loaded questionnaire: circular dependencies between questions.

    The loader reports a condition on a later question as "asked later" and a
    score cycle as a cycle; this names the loop when questions are part of it.
    """
    questions = [q for q in _tables(raw.get("questions")) if isinstance(q.get("id"), str)]
    scores = [s for s in _tables(raw.get("scores")) if isinstance(s.get("id"), str)]
    question_ids = {q["id"] for q in questions}
    edges: dict[str, list[tuple[str, str]]] = {}  # node -> [(dependency, location)]
    for i, q in enumerate(questions):
        deps = edges.setdefault(q["id"], [])
        conditions = q.get("enable_when")
        for j, c in enumerate(conditions if isinstance(conditions, list) else []):
            if isinstance(c, dict) and isinstance(c.get("question"), str):
                deps.append((c["question"], f"questions[{i}].enable_when[{j}].question"))
        if isinstance(q.get("enable_if"), str):
            for name in sorted(_source_names(q["enable_if"])):
                deps.append((name, f"questions[{i}].enable_if"))
    for i, s in enumerate(scores):
        deps = edges.setdefault(s["id"], [])
        items = s.get("items")
        for j, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, str):
                deps.append((item, f"scores[{i}].items[{j}]"))
        if isinstance(s.get("expression"), str):
            for name in sorted(_source_names(s["expression"])):
                deps.append((name, f"scores[{i}].expression"))

    findings: list[Finding] = []
    reported: set[tuple[str, ...]] = set()
    for start in edges:
        for cycle, location in _cycles_from(start, edges):
            if not any(node in question_ids for node in cycle):
                continue  # score-only cycles: the loader already names them
            key = _canonical(cycle)
            if key in reported:
                continue
            reported.add(key)
            loop = " -> ".join(list(cycle) + [cycle[0]])
            findings.append(Finding(
                ERROR, "circular-dependency", location, f"circular dependency: {loop}",
                "a question may depend only on questions asked before it, and a score only on "
                "answers and other scores; remove one link of the loop",
            ))  # fmt: skip
    return findings


def _tables(value: Any) -> list[dict[str, Any]]:
    """The tables of an array of tables; nothing for anything else (the loader words that)."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _source_names(source: str) -> set[str]:
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    return _expression_names(tree.body)


def _cycles_from(start: str, edges: dict[str, list[tuple[str, str]]]) -> Iterable[tuple[tuple[str, ...], str]]:
    """Simple cycles through ``start`` (depth-first, bounded), with the location of the first link."""
    stack: list[tuple[str, list[str], str]] = [(start, [start], "")]
    budget = 10_000
    while stack and budget:
        budget -= 1
        node, path, first_loc = stack.pop()
        for dep, loc in edges.get(node, []):
            here = first_loc or loc
            if dep == start:
                yield tuple(path), here
            elif dep not in path and dep in edges and len(path) < 50:
                stack.append((dep, path + [dep], here))


def _canonical(cycle: tuple[str, ...]) -> tuple[str, ...]:
    i = cycle.index(min(cycle))
    return cycle[i:] + cycle[:i]


# -- the questionnaire -------------------------------------------------------------


@dataclass
class _Domain:
    """Representative values of one name; ``exact`` says how far they can be trusted.

    ``full``: every value the name can take. ``simple``: one value from every
    stretch between the constants the name is compared with, so conclusions hold
    where the name is only compared with constants. ``sample``: some values.
    """

    values: tuple[Any, ...]
    exact: str


def lint_questionnaire(questionnaire: Questionnaire) -> list[Finding]:
    """Every lint finding for a loaded questionnaire, errors and warnings, in file order."""
    return _Linter(questionnaire).run()


class _Linter:
    def __init__(self, q: Questionnaire) -> None:
        self.q = q
        self.findings: list[Finding] = []
        self.names: dict[str, NameInfo] = {}
        for question in q.questions:
            self.names[question.id] = NameInfo(
                kind="question", qtype=question.type,
                choices=frozenset(question.choice_values) if question.choices else None,
            )  # fmt: skip
        for score in q.scores:
            self.names[score.id] = NameInfo(kind="score")
        self.q_index = {question.id: i for i, question in enumerate(q.questions)}
        self.s_index = {score.id: i for i, score in enumerate(q.scores)}
        self.numbers, self.strings = self._collect_literals()
        self.domains: dict[str, _Domain] = {}
        self.dead: dict[str, str] = {}  # name -> why it never has a value
        self.ranges: dict[str, tuple[float | None, float | None, bool]] = {}
        self.compiled: dict[str, CompiledExpression | None] = {}
        self.rule_can_fire: dict[str, bool] = {}

    def add(self, severity: str, check: str, location: str, message: str, hint: str = "") -> None:
        self.findings.append(Finding(severity, check, location, message, hint))

    def run(self) -> list[Finding]:
        self.check_questions()
        self.check_scores()
        self.check_rules()
        self.check_notes()
        self.check_outcomes()
        self.check_texts()
        return self.findings

    # -- literals, ranges and domains --

    def _collect_literals(self) -> tuple[dict[str, set[float]], dict[str, set[str]]]:
        numbers: dict[str, set[float]] = {}
        strings: dict[str, set[str]] = {}
        for question in self.q.questions:
            for c in question.enable_when:
                if isinstance(c.answer, (int, float)) and not isinstance(c.answer, bool):
                    numbers.setdefault(c.question, set()).add(c.answer)
                elif isinstance(c.answer, str):
                    strings.setdefault(c.question, set()).add(c.answer)
        for source in self._all_sources():
            try:
                tree = ast.parse(source.strip(), mode="eval")
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if not isinstance(node, ast.Compare):
                    continue
                operands = [node.left, *node.comparators]
                for a, b in itertools.pairwise(operands):
                    for name_node, other in ((a, b), (b, a)):
                        if not isinstance(name_node, ast.Name):
                            continue
                        for value in _literal_values(other):
                            if isinstance(value, bool):
                                continue
                            if isinstance(value, (int, float)):
                                numbers.setdefault(name_node.id, set()).add(value)
                            elif isinstance(value, str):
                                strings.setdefault(name_node.id, set()).add(value)
        return numbers, strings

    def _all_sources(self) -> list[str]:
        sources = [q.enable_if.source for q in self.q.questions if q.enable_if is not None]
        sources += [s.expression.source for s in self.q.scores if s.expression is not None]
        sources += [r.when.source for r in self.q.rules] + [n.when.source for n in self.q.notes]
        return sources

    def question_domain(self, question: Question, may_be_none: bool) -> _Domain:
        qtype = question.type
        values: list[Any]  # of the answer's type, or None
        exact = "full"
        if qtype == "choice":
            values = list(question.choice_values)
        elif qtype == "multi_choice":
            values, exact = _subsets(question)
        elif qtype == "yes_no":
            values = [True, False]
        elif (
            qtype == "scale"
            and question.max is not None
            and question.min is not None
            and (question.max - question.min < MAX_SCALE_POINTS)
        ):
            values = list(range(int(question.min), int(question.max) + 1))
        elif qtype in ("scale", "number"):
            values = _points(question.min, question.max, self.numbers.get(question.id, ()), question.integer)
            exact = "simple"
        else:  # text
            values = ["", "text"] + sorted(self.strings.get(question.id, ()))
            exact = "simple"
        return _Domain((*values, None) if may_be_none else tuple(values), exact)

    # -- questions: reachability and conditions --

    def check_questions(self) -> None:
        for i, question in enumerate(self.q.questions):
            loc = f"questions[{i}]"
            reachable = self.check_enable(question, loc)
            if not reachable:
                self.dead[question.id] = "is never asked"
                self.domains[question.id] = _Domain((None,), "full")
            else:
                may_be_none = (not question.required) or question.is_conditional
                self.domains[question.id] = self.question_domain(question, may_be_none)

    def check_enable(self, question: Question, loc: str) -> bool:
        """Report never/always-true conditions; return whether the question can be asked."""
        reachable = True
        conditions = question.enable_when
        if conditions:
            dead = sorted({c.question for c in conditions if c.question in self.dead})
            because = _because(dead, self.dead)
            singles = [self._condition_truth(c) for c in conditions]
            behavior_all = question.enable_behavior == "all"
            never = [j for j, (t, _) in enumerate(singles) if t is False]
            always = [j for j, (_, f) in enumerate(singles) if f is False]
            combined = self._conditions_truth(question)
            if behavior_all and never:
                j = never[0]
                reachable = False
                self.add(ERROR, "unreachable-question", f"{loc}.enable_when[{j}]",
                         f"question '{question.id}' is never asked: the condition "
                         f"'{_condition_words(conditions[j])}' can never be true{because}",
                         _enable_hint(self.q, conditions[j]))  # fmt: skip
            elif combined[0] is False:
                reachable = False
                what = "the conditions contradict each other" if behavior_all else "none of the conditions can be true"
                self.add(ERROR, "unreachable-question", f"{loc}.enable_when",
                         f"question '{question.id}' is never asked: {what}{because}",
                         "check each condition's operator and answer; with enable_behavior = \"all\" every "
                         "condition must hold at once")  # fmt: skip
            elif not behavior_all:
                for j in never:
                    self.add(WARNING, "condition-never-true", f"{loc}.enable_when[{j}]",
                             f"the condition '{_condition_words(conditions[j])}' of '{question.id}' can never "
                             f"be true{because}", _enable_hint(self.q, conditions[j]))  # fmt: skip
            if reachable:
                if combined[1] is False:
                    self.add(WARNING, "condition-always-true", f"{loc}.enable_when",
                             f"the enable_when of '{question.id}' is always true, so the question is always asked",
                             "remove enable_when, or fix the condition so it can be false")  # fmt: skip
                elif behavior_all and len(conditions) > 1:
                    for j in always:
                        self.add(WARNING, "condition-always-true", f"{loc}.enable_when[{j}]",
                                 f"the condition '{_condition_words(conditions[j])}' of '{question.id}' is always "
                                 "true and changes nothing", "remove it, or fix it so it can be false")  # fmt: skip
        if question.enable_if is not None and reachable:
            where = f"{loc}.enable_if"
            dead = sorted(n for n in question.enable_if.names if n in self.dead)
            can_true, can_false = self.truth(question.enable_if.source)
            if can_true is False:
                reachable = False
                self.add(ERROR, "unreachable-question", where,
                         f"question '{question.id}' is never asked: enable_if is never true"
                         f"{_because(dead, self.dead)}",
                         "fix the expression so some answers make it true")  # fmt: skip
            elif can_false is False:
                self.add(WARNING, "condition-always-true", where,
                         f"the enable_if of '{question.id}' is always true, so it changes nothing",
                         "remove enable_if, or fix it so it can be false")  # fmt: skip
        return reachable

    def _condition_truth(self, condition: Any) -> tuple[bool | None, bool | None]:
        domain = self.domains[condition.question]
        results = {condition_holds(condition, v) for v in domain.values}
        trusted = domain.exact != "sample"
        return _verdict(True in results, False in results, trusted)

    def _conditions_truth(self, question: Question) -> tuple[bool | None, bool | None]:
        targets = sorted({c.question for c in question.enable_when})
        domains = [self.domains[t] for t in targets]
        if math.prod(len(d.values) for d in domains) > MAX_COMBINATIONS:
            return None, None
        seen_true = seen_false = False
        combine = all if question.enable_behavior == "all" else any
        for combo in itertools.product(*(d.values for d in domains)):
            answers = dict(zip(targets, combo))
            if combine(condition_holds(c, answers[c.question]) for c in question.enable_when):
                seen_true = True
            else:
                seen_false = True
            if seen_true and seen_false:
                break
        return _verdict(seen_true, seen_false, all(d.exact != "sample" for d in domains))

    # -- scores: computability, ranges and bands --

    def check_scores(self) -> None:
        observed = self._observed_score_ranges()
        for sid in self.q.score_order:
            score = self.q.scores_by_id[sid]
            loc = f"scores[{self.s_index[sid]}]"
            lo, hi, integer = self._score_range(score, observed.get(sid))
            self.ranges[sid] = (lo, hi, integer)
            never, may_be_none = self._score_computability(score, loc)
            if never:
                self.domains[sid] = _Domain((None,), "full")
                continue
            points = set(self.numbers.get(sid, ())) | {e for b in score.bands for e in (b.min, b.max)}
            if score.expression is not None:
                points |= {v for v in observed.get(sid, ()) if v is not None}
            values = _points(lo, hi, points, integer)
            if may_be_none:
                values.append(None)
            self.domains[sid] = _Domain(tuple(values), "simple")
            self.check_bands(score, loc, lo, hi, integer)

    def _score_computability(self, score: Score, loc: str) -> tuple[bool, bool]:
        """(never computed, may be not computed); reports a score that never is."""
        if score.expression is not None:
            dead = sorted(n for n in score.expression.names if n in self.dead)
            numeric = self.truth(score.expression.source, predicate=_is_number)
            if numeric[0] is False:
                self.dead[score.id] = "can never be computed"
                self.add(ERROR, "score-never-computed", f"{loc}.expression",
                         f"score '{score.id}' can never be computed: its expression never gives a number"
                         f"{_because(dead, self.dead)}",
                         "make the expression give a number for some answers")  # fmt: skip
                return True, True
            if dead:
                self._dead_reference(f"{loc}.expression", f"score '{score.id}'", dead)
            return False, numeric[1] is not False
        always_missing = [item for item in score.items if item in self.dead]
        maybe_missing = [item for item in score.items if None in self.domains[item].values]
        if len(always_missing) == len(score.items) or len(always_missing) > score.max_missing:
            self.dead[score.id] = "can never be computed"
            listed = ", ".join(f"'{i}' {self.dead[i]}" for i in always_missing)
            self.add(ERROR, "score-never-computed", f"{loc}.items",
                     f"score '{score.id}' can never be computed: {listed}, and at most {score.max_missing} "
                     f"of its {len(score.items)} items may be missing",
                     "make those questions reachable (or scores computable), drop them from items, "
                     "or raise max_missing")  # fmt: skip
            return True, True
        return False, len(maybe_missing) > score.max_missing

    def _observed_score_ranges(self) -> dict[str, list[Any]]:
        """Score values on extreme and random answer sets: catches what arithmetic bounds miss."""
        from pmpt_cli.program import runnable
        from pmpt_cli.validation import check_answers

        run = runnable(self.q).run

        rng = random.Random(SEED)
        answer_sets = [
            {q.id: _extreme(q, high=True) for q in self.q.questions},
            {q.id: _extreme(q, high=False) for q in self.q.questions},
        ]
        for _ in range(40):
            answer_sets.append({q.id: rng.choice(self._raw_values(q)) for q in self.q.questions})
        observed: dict[str, list[Any]] = {}
        for answers in answer_sets:
            valid = check_answers(self.q, {k: v for k, v in answers.items() if v is not None})[0]
            for sid, result in run(valid).scores.items():
                observed.setdefault(sid, []).append(result.value)
        return observed

    def _raw_values(self, question: Question) -> list[Any]:
        return list(self.question_domain(question, may_be_none=True).values)

    def _score_range(self, score: Score, observed: list[Any] | None) -> tuple[float | None, float | None, bool]:
        seen = [v for v in (observed or []) if isinstance(v, (int, float))]
        if score.expression is not None:
            return None, None, False
        ranges = [self._item_range(item) for item in score.items]
        lows = [r[0] for r in ranges]
        highs = [r[1] for r in ranges]
        known_lows = [v for v in lows if v is not None]  # all of them, where None is not in lows
        known_highs = [v for v in highs if v is not None]
        integer = all(r[2] for r in ranges)
        method = score.method
        lo: float | None
        hi: float | None
        if method == "sum":
            lo = None if None in lows else sum(min(v, 0) for v in known_lows) + (0 if score.max_missing else sum(
                max(v, 0) for v in known_lows))  # fmt: skip
            hi = None if None in highs else sum(max(v, 0) for v in known_highs) + (0 if score.max_missing else sum(
                min(v, 0) for v in known_highs))  # fmt: skip
        elif method in ("mean", "max"):
            lo = None if None in lows else min(known_lows)
            hi = None if None in highs else max(known_highs)
            integer = integer and method == "max"
        elif method == "percent":
            lo, hi, integer = (0, 100, False) if None not in lows and min(known_lows) >= 0 else (None, None, False)
        else:  # count
            lo, hi, integer = 0, len(score.items), True
        if seen:  # widen with what the engine actually produced
            lo = None if lo is None else min(lo, min(seen))
            hi = None if hi is None else max(hi, max(seen))
            integer = integer and all(float(v).is_integer() for v in seen)
        return lo, hi, integer

    def _item_range(self, item: str) -> tuple[float | None, float | None, bool]:
        if item in self.ranges:
            return self.ranges[item]
        question = self.q.question(item)
        if question is None:
            return None, None, False
        qtype = question.type
        if qtype == "choice":
            values = [c.score or 0 for c in question.choices]
            return min(values), max(values), all(float(v).is_integer() for v in values)
        if qtype == "multi_choice":
            scores = [c.score or 0 for c in question.choices]
            lo = sum(v for v in scores if v < 0)
            hi = max(sum(v for v in scores if v > 0), 0)
            return min(lo, 0), hi, all(float(v).is_integer() for v in scores)
        if qtype == "yes_no":
            return 0, 1, True
        return question.min, question.max, question.integer

    def check_bands(self, score: Score, loc: str, lo: float | None, hi: float | None, integer: bool) -> None:
        bands = score.bands
        if not bands:
            return
        for i in range(1, len(bands)):
            prev, cur = bands[i - 1], bands[i]
            where = f"{loc}.bands[{i}]"
            if cur.max <= prev.max:
                self.add(ERROR, "band-overlap", where,
                         f"band '{cur.label}' ({_num(cur.min)}-{_num(cur.max)}) of score '{score.id}' can never be "
                         f"chosen: band '{prev.label}' ({_num(prev.min)}-{_num(prev.max)}) already takes every value "
                         "up to its max", "a value goes to the first band whose max it does not exceed; make each "
                         "band's max larger than the one before")  # fmt: skip
            elif cur.min < prev.max:
                self.add(
                    ERROR,
                    "band-overlap",
                    f"{where}.min",
                    f"bands '{prev.label}' ({_num(prev.min)}-{_num(prev.max)}) and '{cur.label}' "
                    f"({_num(cur.min)}-{_num(cur.max)}) of score '{score.id}' overlap: values from "
                    f"{_num(cur.min)} to {_num(prev.max)} go to '{prev.label}'",
                    f"start '{cur.label}' at {_num(prev.max)} (a shared edge goes to the lower band)"
                    + (f" or at {_num(prev.max + 1)}" if integer and float(prev.max).is_integer() else ""),
                )
            elif _has_value_between(prev.max, cur.min, integer, lo, hi):
                example = _value_between(prev.max, cur.min, integer)
                self.add(
                    ERROR,
                    "band-gap",
                    f"{where}.min",
                    f"score '{score.id}' has a gap between bands '{prev.label}' (max {_num(prev.max)}) and "
                    f"'{cur.label}' (min {_num(cur.min)}): a value such as {_num(example)} gets no band",
                    f"start '{cur.label}' at {_num(prev.max)}: a shared edge goes to the lower band"
                    + ("" if integer else "; adjacent whole numbers only work for whole-number scores"),
                )
        first, last = bands[0], bands[-1]
        if lo is not None and lo < first.min:
            self.add(WARNING, "band-gap", f"{loc}.bands[0].min",
                     f"score '{score.id}' can be as low as {_num(lo)}, below its first band '{first.label}' "
                     f"(min {_num(first.min)}): those values get no band",
                     f"start the first band at {_num(lo)}")  # fmt: skip
        if hi is not None and hi > last.max:
            self.add(WARNING, "band-gap", f"{loc}.bands[{len(bands) - 1}].max",
                     f"score '{score.id}' can reach {_num(hi)}, above its last band '{last.label}' "
                     f"(max {_num(last.max)}): those values get no band",
                     f"end the last band at {_num(hi)}")  # fmt: skip

    # -- rules and notes --

    def check_rules(self) -> None:
        for i, rule in enumerate(self.q.rules):
            loc = f"rules[{i}].when"
            verdict = self.check_condition(rule.when, loc, f"rule '{rule.id}'")
            self.rule_can_fire[rule.id] = verdict[0] is not False
            if self.check_band_labels(rule.when, loc):
                continue  # never true for that reason alone; one finding is enough
            if verdict[0] is False:
                self.add(ERROR, "condition-never-true", loc,
                         f"rule '{rule.id}' ({rule.outcome}) can never fire: its condition is false for every "
                         "possible answer", "check operators, values and score ranges in 'when'")  # fmt: skip
            elif verdict[1] is False:
                red = rule.outcome in RED_FLAG_OUTCOMES
                self.add(ERROR if red else WARNING, "condition-always-true", loc,
                         f"rule '{rule.id}' ({rule.outcome}) fires for every possible answer"
                         + (", so every triage ends as a red flag" if red else
                            ", so [default] and lower-priority rules can never decide"),
                         "fix the condition; for a fallback outcome use [default]")  # fmt: skip

    def check_notes(self) -> None:
        for i, note in enumerate(self.q.notes):
            loc = f"notes[{i}].when"
            verdict = self.check_condition(note.when, loc, f"note '{note.id}'")
            if self.check_band_labels(note.when, loc):
                continue
            if verdict[0] is False:
                self.add(WARNING, "condition-never-true", loc,
                         f"note '{note.id}' is never shown: its condition is false for every possible answer",
                         "check operators, values and score ranges in 'when'")  # fmt: skip
            elif verdict[1] is False:
                self.add(WARNING, "condition-always-true", loc,
                         f"note '{note.id}' is shown for every possible answer",
                         "fix the condition, or move the text into the outcome wording")  # fmt: skip

    def check_condition(self, expression: CompiledExpression, loc: str, what: str) -> tuple[bool | None, bool | None]:
        """(can be true, can be false); a condition on dead names is reported as such instead."""
        dead = sorted(n for n in expression.names if n in self.dead)
        if dead:
            self._dead_reference(loc, what, dead)
            return None, None
        return self.truth(expression.source)

    def _dead_reference(self, loc: str, what: str, dead: list[str]) -> None:
        for name in dead:
            kind = "question" if name in self.q_index else "score"
            severity = ERROR if kind == "score" else WARNING
            self.add(severity, "uses-dead-name", loc, f"{what} uses {kind} '{name}', which {self.dead[name]}",
                     "fix that " + ("question's enable_when / enable_if" if kind == "question" else
                                    "score (see its own finding)") + ", or stop using it here")  # fmt: skip

    def check_band_labels(self, expression: CompiledExpression, loc: str) -> bool:
        """``band(score) == 'label'`` with a label the score does not have; True if found."""
        try:
            tree = ast.parse(expression.source.strip(), mode="eval")
        except SyntaxError:
            return False
        found = False
        for node in ast.walk(tree):
            if not isinstance(node, ast.Compare):
                continue
            operands = [node.left, *node.comparators]
            for a, b in itertools.pairwise(operands):
                for call, other in ((a, b), (b, a)):
                    if not (
                        isinstance(call, ast.Call)
                        and isinstance(call.func, ast.Name)
                        and call.func.id == "band"
                        and call.args
                        and isinstance(call.args[0], ast.Name)
                    ):
                        continue  # fmt: skip
                    score = self.q.score(call.args[0].id)
                    if score is None:
                        continue
                    labels = [b.label for b in score.bands]
                    for label in _literal_values(other):
                        if isinstance(label, str) and label not in labels:
                            known = ", ".join(f"'{x}'" for x in labels) if labels else "none (it has no bands)"
                            self.add(ERROR, "unknown-band", loc,
                                     f"score '{score.id}' has no band '{label}'; its bands are {known}",
                                     "use one of the score's band labels")  # fmt: skip
                            found = True
        return found

    # -- outcomes --

    def check_outcomes(self) -> None:
        from pmpt_cli.outcome_texts import DEFAULT_OUTCOME_TEXTS

        if self.q.default is None:  # measure-only: no outcome at all, by design
            return
        producible = {self.q.default.outcome} | {r.outcome for r in self.q.rules if self.rule_can_fire.get(r.id, True)}
        for outcome in OUTCOMES:
            if outcome in producible:
                continue
            rules = [(i, r) for i, r in enumerate(self.q.rules) if r.outcome == outcome]
            if rules:
                i, _ = rules[0]
                ids = ", ".join(f"'{r.id}'" for _, r in rules)
                self.add(WARNING, "unreachable-outcome", f"rules[{i}].outcome",
                         f"outcome '{outcome}' can never be the result: every rule for it ({ids}) can never fire",
                         "fix those rules' conditions (see their findings)")  # fmt: skip
            elif self.q.outcome_texts.get(outcome) != DEFAULT_OUTCOME_TEXTS.get(outcome):
                self.add(WARNING, "unreachable-outcome", f"outcomes.{outcome}",
                         f"outcome '{outcome}' has its own wording but no rule produces it",
                         f"add a rule with outcome = \"{outcome}\", or remove [outcomes.{outcome}]")  # fmt: skip
        if not producible & set(RED_FLAG_OUTCOMES):
            self.add(WARNING, "unreachable-outcome", "rules",
                     "no rule can produce a red-flag outcome (emergency or urgent): this questionnaire never "
                     "screens for red flags",
                     "add red-flag questions with emergency/urgent rules, or say in the description why the "
                     "questionnaire is used only after red flags were ruled out")  # fmt: skip

    # -- explanations and sources --

    def check_texts(self) -> None:
        for i, rule in enumerate(self.q.rules):
            self.check_text(f"rules[{i}].explanation", f"rule '{rule.id}'", "explanation", rule.explanation)
            self.check_text(f"rules[{i}].source", f"rule '{rule.id}'", "source", rule.source)
        if self.q.default is not None:
            self.check_text("default.explanation", "the default", "explanation", self.q.default.explanation)
            self.check_text("default.source", "the default", "source", self.q.default.source)
        for i, note in enumerate(self.q.notes):
            self.check_text(f"notes[{i}].text", f"note '{note.id}'", "explanation", note.text)
            self.check_text(f"notes[{i}].source", f"note '{note.id}'", "source", note.source)
        for i, score in enumerate(self.q.scores):
            self.check_text(f"scores[{i}].source", f"score '{score.id}'", "source", score.source)

    def check_text(self, loc: str, owner: str, kind: str, text: str) -> None:
        stripped = " ".join(text.split())
        if _PLACEHOLDER.search(stripped):
            self.add(ERROR, "placeholder-text", loc, f"the {kind} of {owner} looks like a placeholder: {stripped!r}",
                     "write the real " + ("reason in plain words for the person" if kind == "explanation" else
                                          "guideline or paper, with its section or year"))  # fmt: skip
            return
        if kind == "explanation":
            short = len(stripped) < MIN_EXPLANATION_CHARS or len(stripped.split()) < MIN_EXPLANATION_WORDS
        else:
            short = len(stripped) < MIN_SOURCE_CHARS
        if short:
            self.add(WARNING, "short-text", loc, f"the {kind} of {owner} is very short: {stripped!r}",
                     "say why in plain words a person understands" if kind == "explanation" else
                     "name the guideline or paper precisely enough to find it, e.g. 'NICE NG59 1.2.1'")  # fmt: skip

    # -- deciding conditions --

    def compile(self, source: str) -> CompiledExpression | None:
        if source not in self.compiled:
            try:
                self.compiled[source] = compile_expression(source, self.names)
            except ExpressionError:
                self.compiled[source] = None
        return self.compiled[source]

    def truth(self, source: str, predicate: Callable[[Any], bool] = bool) -> tuple[bool | None, bool | None]:
        """(can the predicate hold, can it fail) for the expression; ``None`` = could not tell."""
        try:
            node = ast.parse(source.strip(), mode="eval").body
        except SyntaxError:
            return None, None
        return self._truth(node, predicate)

    def _truth(self, node: ast.expr, predicate: Callable[[Any], bool]) -> tuple[bool | None, bool | None]:
        names = sorted(n for n in _expression_names(node) if n in self.domains)
        domains = [self.domains[n] for n in names]
        size = math.prod(len(d.values) for d in domains)
        if size <= MAX_COMBINATIONS:
            seen = self._evaluate(node, names, itertools.product(*(d.values for d in domains)), predicate)
            if seen is None:
                return None, None
            return _verdict(seen[0], seen[1], self._trusted(node, names))
        if predicate is bool and isinstance(node, ast.BoolOp):
            split = self._split(node)
            if split is not None:
                return split
        if predicate is bool and isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            can_true, can_false = self._truth(node.operand, predicate)
            return can_false, can_true
        rng = random.Random(SEED)
        samples = (tuple(rng.choice(d.values) for d in domains) for _ in range(SAMPLES))
        seen = self._evaluate(node, names, samples, predicate)
        if seen is None:
            return None, None
        return (True if seen[0] else None), (True if seen[1] else None)

    def _split(self, node: ast.BoolOp) -> tuple[bool | None, bool | None] | None:
        """``a and b`` / ``a or b`` whose operands share no names: decide each on its own."""
        groups: list[tuple[set[str], list[ast.expr]]] = []
        for value in node.values:
            names = set(_expression_names(value))
            joined = [g for g in groups if g[0] & names]
            merged = (names.union(*(g[0] for g in joined)), [v for g in joined for v in g[1]] + [value])
            groups = [g for g in groups if not g[0] & names] + [merged]
        if len(groups) < 2:
            return None
        parts = [self._truth(vals[0] if len(vals) == 1 else ast.BoolOp(op=node.op, values=vals), bool)
                 for _, vals in groups]  # fmt: skip
        trues = [p[0] for p in parts]
        falses = [p[1] for p in parts]
        if isinstance(node.op, ast.And):
            return _all3(trues), _any3(falses)
        return _any3(trues), _all3(falses)

    def _evaluate(self, node: ast.expr, names: list[str], combos: Iterable[tuple[Any, ...]],
                  predicate: Callable[[Any], bool]) -> tuple[bool, bool] | None:  # fmt: skip
        compiled = self.compile(ast.unparse(node))
        if compiled is None:
            return None
        scores = {n: self.q.score(n) for n in names if n in self.q.scores_by_id}
        seen_true = seen_false = False
        try:
            for combo in combos:  # values of the answers' own types, so the checked form applies
                values = dict(zip(names, combo))
                bands = {n: s.band_for(values[n]) for n, s in scores.items()}  # type: ignore[union-attr]
                if predicate(compiled.evaluate_checked(values, bands)):
                    seen_true = True
                else:
                    seen_false = True
                if seen_true and seen_false:
                    break
        except Exception:  # noqa: BLE001 - probing must never break validation: unknown
            return None
        return seen_true, seen_false

    def _trusted(self, node: ast.expr, names: list[str]) -> bool:
        """Whether the representative values cover every case for the way ``node`` uses them."""
        loose = {n for n in names if self.domains[n].exact != "full"}
        if not loose:
            return True
        if any(self.domains[n].exact == "sample" for n in loose):
            return False
        parents = {child: parent for parent in ast.walk(node) for child in ast.iter_child_nodes(parent)}
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and sub.id in loose and not _simple_use(sub, parents.get(sub)):
                return False
        return True


# -- helpers --------------------------------------------------------------------------


def _expression_names(node: ast.AST) -> set[str]:
    """Ids an expression reads (function names excluded)."""
    functions = {id(n.func) for n in ast.walk(node) if isinstance(n, ast.Call)}
    return {
        n.id for n in ast.walk(node)
        if isinstance(n, ast.Name) and id(n) not in functions and n.id not in _CONSTANT_NAMES
    }  # fmt: skip


def _literal_values(node: ast.AST) -> list[Any]:
    if isinstance(node, ast.Constant):
        return [node.value]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        value = node.operand.value
        return [-value] if isinstance(value, (int, float)) and not isinstance(value, bool) else []
    if isinstance(node, (ast.List, ast.Tuple)):
        return [v for element in node.elts for v in _literal_values(element)]
    return []


def _is_literal(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return isinstance(node.operand, ast.Constant)
    if isinstance(node, (ast.List, ast.Tuple)):
        return all(_is_literal(e) for e in node.elts)
    return False


def _simple_use(name: ast.Name, parent: ast.AST | None) -> bool:
    """The name is compared only with constants, tested for truth, or given to answered/band/count."""
    if isinstance(parent, ast.Compare):
        return all(_is_literal(o) for o in [parent.left, *parent.comparators] if o is not name)
    if isinstance(parent, ast.Call):
        return isinstance(parent.func, ast.Name) and parent.func.id in _SIMPLE_CALLS and parent.args[0] is name
    if isinstance(parent, (ast.BoolOp, ast.UnaryOp)):
        return isinstance(parent, ast.BoolOp) or isinstance(parent.op, ast.Not)
    if isinstance(parent, ast.IfExp):
        return parent.test is name
    return parent is None


def _verdict(seen_true: bool, seen_false: bool, trusted: bool) -> tuple[bool | None, bool | None]:
    return (
        True if seen_true else (False if trusted else None),
        True if seen_false else (False if trusted else None),
    )


def _all3(values: list[bool | None]) -> bool | None:
    if all(v is True for v in values):
        return True
    return False if any(v is False for v in values) else None


def _any3(values: list[bool | None]) -> bool | None:
    if any(v is True for v in values):
        return True
    return False if all(v is False for v in values) else None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float))


def _points(lo: float | None, hi: float | None, constants: Iterable[float], integer: bool) -> list[Any]:
    """One value from every stretch between the constants, the constants and the ends."""
    marks = {c for c in constants if isinstance(c, (int, float)) and not isinstance(c, bool) and math.isfinite(c)}
    marks.add(0)
    if lo is not None:
        marks.add(lo)
    if hi is not None:
        marks.add(hi)
    ordered = sorted(marks)
    candidates = set(ordered) | {ordered[0] - 1, ordered[-1] + 1}
    candidates |= {(a + b) / 2 for a, b in itertools.pairwise(ordered)}
    if integer:
        candidates = {f(c) for c in candidates for f in (math.floor, math.ceil)}
    values = sorted(c for c in candidates if (lo is None or c >= lo) and (hi is None or c <= hi))
    return [int(v) if float(v).is_integer() and (integer or isinstance(v, int)) else v for v in values]


def _subsets(question: Question) -> tuple[list[Any], str]:
    plain = [c.value for c in question.choices if not c.exclusive]
    exclusive = [[c.value] for c in question.choices if c.exclusive]
    if len(question.choices) <= MAX_SUBSET_CHOICES:
        subsets = [list(combo) for r in range(len(plain) + 1) for combo in itertools.combinations(plain, r)]
        return subsets + exclusive, "full"
    return [[], *([v] for v in plain), plain, *exclusive], "sample"


def _extreme(question: Question, *, high: bool) -> Any:
    qtype = question.type
    if qtype == "choice":
        pick = max if high else min
        return pick(question.choices, key=lambda c: c.score or 0).value
    if qtype == "multi_choice":
        return [c.value for c in question.choices if not c.exclusive] if high else []
    if qtype == "yes_no":
        return high
    if qtype in ("scale", "number"):
        return question.max if high else question.min
    return None


def _has_value_between(a: float, b: float, integer: bool, lo: float | None, hi: float | None) -> bool:
    """Whether the score can take a value strictly between band edges ``a`` < ``b``."""
    if lo is not None and lo >= b or hi is not None and hi <= a:
        return False
    if integer:
        return math.floor(a) + 1 < b
    return a < b


def _value_between(a: float, b: float, integer: bool) -> float:
    return math.floor(a) + 1 if integer else round((a + b) / 2, 2)


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _because(dead: list[str], why: dict[str, str]) -> str:
    if not dead:
        return ""
    return " (it depends on " + ", ".join(f"'{d}', which {why[d]}" for d in dead) + ")"


def _condition_words(condition: Any) -> str:
    answer = condition.answer
    if isinstance(answer, bool):
        shown = "true" if answer else "false"
    elif isinstance(answer, str):
        shown = f"'{answer}'"
    else:
        shown = f"{answer:g}" if isinstance(answer, float) else str(answer)
    return f"{condition.question} {condition.operator} {shown}"


def _enable_hint(questionnaire: Questionnaire, condition: Any) -> str:
    target = questionnaire.question(condition.question)
    if target is None:
        return "fix the condition"
    if condition.operator == "exists":
        return (f"'{target.id}' is required and always asked, so it always has an answer; "
                "remove the condition or make the question optional")  # fmt: skip
    if target.type in ("scale", "number") and (target.min is not None or target.max is not None):
        return (f"'{target.id}' takes values from {_num(target.min) or '-inf'} to {_num(target.max) or 'inf'}; "
                "compare with a value inside that range")  # fmt: skip
    return f"check the operator and answer against what '{target.id}' can be"
