"""The triage result as plain data: shared by ``--json``, the TOML export and rendering.

Answers are described the way the person gave them (choice labels, "yes"/"no"),
so every output explains itself in the person's own terms.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import Any

from pmpt_cli.model import RED_FLAG_OUTCOMES, Check, Questionnaire, TriageResult
from pmpt_cli.version import __version__

DISCLAIMER = "pmpt is not a diagnosis. It suggests where to seek care; a health professional must assess you."
MEASURE_ONLY_HEADLINE = "Measure-only questionnaire: scores and bands, no triage outcome"
JSON_SCHEMA = 1


def describe_answer(questionnaire: Questionnaire, name: str, value: Any) -> str:
    """A person-readable rendering of one answer or score value."""
    question = questionnaire.question(name)
    if value is None:
        return "not answered" if question else "not computed"
    if question is None:
        return format_number(value)
    if question.type == "choice":
        choice = question.choice(value)
        return choice.label if choice is not None else str(value)
    if question.type == "multi_choice":
        labels = [choice.label if (choice := question.choice(v)) is not None else v for v in value]
        return ", ".join(labels) if labels else "none"
    if question.type == "yes_no":
        return "yes" if value else "no"
    if question.type in ("scale", "number"):
        suffix = f" {question.unit}" if question.unit else ""
        return f"{format_number(value)}{suffix}"
    return str(value)


def label_of(questionnaire: Questionnaire, name: str) -> str:
    """The question (its first sentence, up to the question mark) or score label behind a name."""
    question = questionnaire.question(name)
    if question is not None:
        head, mark, _ = question.text.partition("?")
        return head + mark if mark else question.text
    score = questionnaire.score(name)
    return score.label if score is not None else name


def evidence_list(
    questionnaire: Questionnaire, evidence: dict[str, Any], condition: str | None = None
) -> list[dict[str, Any]]:
    """Evidence as ``{name, kind, label, value, answer, supports}`` records, in a stable order.

    ``supports`` is false for an answer the condition reads but that did not make it
    hold ("Washing and dressing: No difficulty" under "activities are hard"): see
    ``supporting_tests``. Without the ``condition`` every item supports.
    """
    tests = supporting_tests(condition) if condition else {}
    return [
        {
            "name": name,
            "kind": "question" if questionnaire.question(name) else "score",
            "label": label_of(questionnaire, name),
            "value": value if questionnaire.question(name) else export_number(value),
            "answer": describe_answer(questionnaire, name, value),
            "supports": _supports(tests.get(name), value),
        }
        for name, value in evidence.items()
    ]


#: Scores are computed at full precision (a score built on another uses its exact value);
#: people see, and exports keep, this many decimals.
DECIMALS = 2


def export_number(value: Any) -> Any:
    """A score value as it leaves pmpt (JSON, TOML, batch rows): a float rounded to
    ``DECIMALS`` places, ``None`` for one that is not finite (JSON has no NaN)."""
    if value.__class__ is float:
        return round(value, DECIMALS) if math.isfinite(value) else None
    return value


# -- which answers support a condition ----------------------------------------------------
# A condition such as ``count(walking, 'some', 'a_lot') + count(self_care, 'some') >= 1``
# reads every answer it names, and the engine credits all of them. For the person, an
# answer is evidence only if it passes a test the condition puts to it: its value is
# among those counted or compared for, or its number passes the comparison. A name used
# any other way (``len(region)``, arithmetic) is always evidence.

Test = Callable[[Any], bool]
_ANY: list[Test] = []  # a name read in a way that is not a simple test: always evidence


def supporting_tests(source: str) -> dict[str, list[Test]]:
    """The simple tests ``source`` puts to each name it reads (``_ANY`` for other uses)."""
    cached = _TEST_CACHE.get(source)
    if cached is None:
        cached = _TEST_CACHE[source] = _Tests.of(source)
    return cached


_TEST_CACHE: dict[str, dict[str, list[Test]]] = {}


def _supports(tests: list[Test] | None, value: Any) -> bool:
    if tests is None or tests is _ANY or value is None:
        return True
    return any(_safe(test, value) for test in tests)


def _safe(test: Test, value: Any) -> bool:
    try:
        return bool(test(value))
    except TypeError:
        return True  # a test that does not apply to this kind of value proves nothing against it


class _Tests:
    """Walks a condition's syntax tree (the checked expression language is Python syntax)."""

    def __init__(self) -> None:
        self.tests: dict[str, list[Test]] = {}

    @classmethod
    def of(cls, source: str) -> dict[str, list[Test]]:
        import ast

        walker = cls()
        try:
            walker.visit(ast.parse(source, mode="eval").body)
        except (SyntaxError, RecursionError, ValueError):
            return {}
        return walker.tests

    def add(self, name: str, test: Test | None) -> None:
        if test is None:
            self.tests[name] = _ANY
        elif self.tests.get(name) is not _ANY:
            self.tests.setdefault(name, []).append(test)

    def visit(self, node: Any) -> None:
        import ast

        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "count":
            if node.args and isinstance(node.args[0], ast.Name):
                wanted = frozenset(_constant(arg) for arg in node.args[1:])
                self.add(node.args[0].id, partial(_overlaps, wanted=wanted))
                return
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            for op, left, right in zip(node.ops, operands, operands[1:]):
                self._compare(op, left, right)
            for operand in operands:
                if not isinstance(operand, ast.Name):
                    self.visit(operand)
            return
        if isinstance(node, ast.Name):
            self.add(node.id, None)
            return
        for child in ast.iter_child_nodes(node):
            self.visit(child)

    def _compare(self, op: Any, left: Any, right: Any) -> None:
        import ast
        import operator

        if isinstance(left, ast.Name) and _is_literal(right):
            name, const, flipped = left.id, _constant(right), False
        elif isinstance(right, ast.Name) and _is_literal(left):
            name, const, flipped = right.id, _constant(left), True
        else:
            for side in (left, right):
                if isinstance(side, ast.Name):
                    self.add(side.id, None)
            return
        if isinstance(op, (ast.In, ast.NotIn)):
            test: Test = partial(_ticked, const) if flipped else partial(_among, const)
            self.add(name, test if isinstance(op, ast.In) else partial(_not, test))
            return
        compare: Callable[[Any, Any], Any] | None = {
            ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
            ast.Gt: operator.gt, ast.GtE: operator.ge,
        }.get(type(op))  # fmt: skip
        if compare is None:
            self.add(name, None)
        elif flipped:
            self.add(name, partial(_compare_flipped, compare, const))
        else:
            self.add(name, partial(_compare, compare, const))


def _is_literal(node: Any) -> bool:
    import ast

    if isinstance(node, ast.Constant):
        return True
    return isinstance(node, (ast.List, ast.Tuple)) and all(isinstance(e, ast.Constant) for e in node.elts)


def _constant(node: Any) -> Any:
    import ast

    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.List, ast.Tuple)):
        return tuple(e.value for e in node.elts if isinstance(e, ast.Constant))
    return None


def _ticked(const: Any, value: Any) -> bool:
    """``'x' in flags``: x is one of the ticked values."""
    return const in value if isinstance(value, list) else const == value


def _among(const: Any, value: Any) -> bool:
    """``answer in ['a', 'b']``."""
    return _overlaps(value, frozenset(const)) if isinstance(const, tuple) else value == const


def _not(test: Test, value: Any) -> bool:
    return not test(value)


def _compare(compare: Callable[[Any, Any], Any], const: Any, value: Any) -> bool:
    return bool(compare(value, const))


def _compare_flipped(compare: Callable[[Any, Any], Any], const: Any, value: Any) -> bool:
    return bool(compare(const, value))


def _overlaps(value: Any, wanted: frozenset[Any]) -> bool:
    if isinstance(value, list):
        return any(v in wanted for v in value)
    return value in wanted


def score_questions(questionnaire: Questionnaire, sid: str) -> frozenset[str]:
    """The questions a score is computed from, through the scores it uses."""
    found: set[str] = set()
    todo, seen = [sid], set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        score = questionnaire.score(name)
        if score is None:
            if questionnaire.question(name) is not None:
                found.add(name)
            continue
        todo.extend(score.items)
        if score.expression is not None:
            todo.extend(score.expression.names)
    return frozenset(found)


def format_number(value: Any) -> str:
    """A score or answer number for people: at most two decimals, no trailing zeros."""
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def reason_records(questionnaire: Questionnaire, result: TriageResult) -> list[dict[str, Any]]:
    """Every fired rule, the deciding one first; the questionnaire's default when none decided."""
    rules = {rule.id: rule for rule in questionnaire.rules}
    records = [
        {
            "rule": r.rule_id,
            "outcome": r.outcome,
            "decisive": r.decisive,
            "explanation": r.explanation,
            "source": r.source,
            "evidence": evidence_list(questionnaire, r.evidence, rules[r.rule_id].when.source),
        }
        for r in result.reasons
    ]
    if result.decided_by is None and questionnaire.default is not None:
        default = questionnaire.default
        records.insert(0, {
            "rule": "default", "outcome": default.outcome, "decisive": True,
            "explanation": default.explanation, "source": default.source, "evidence": [],
        })  # fmt: skip
    return records


def need_records(questionnaire: Questionnaire, result: TriageResult) -> list[dict[str, Any]]:
    """Each need score (``Score.need``) with its band, its top and the contributors that raised it.

    ``max`` is the top of the need's last band (the scale to draw it on); only contributors
    with a non-zero value are listed, in the order the need names them.
    """
    records = []
    for score in questionnaire.scores:
        if not score.need or score.id not in result.scores:
            continue
        computed = result.scores[score.id]
        contributors = []
        for item in score.items:
            part = result.scores.get(item)
            if part is None or not part.value:
                continue
            source = questionnaire.scores_by_id[item].source
            contributors.append({"id": item, "label": part.label, "value": part.value, "source": source})
        records.append({
            "id": score.id, "need": score.need, "label": computed.label, "value": computed.value,
            "band": computed.band, "max": score.bands[-1].max if score.bands else None, "contributors": contributors,
        })  # fmt: skip
    return records


def shown_reasons(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The reasons a person sees: under a red flag only the red flags, so the summary never
    mixes "go to hospital now" with "this usually settles" (--json keeps every reason).

    ``data`` has ``outcome`` and ``reasons`` (each with its ``outcome``): a result or a summary.
    """
    if data["outcome"] in RED_FLAG_OUTCOMES:
        return [r for r in data["reasons"] if r["outcome"] in RED_FLAG_OUTCOMES]
    return data["reasons"]


def decided_by(result: TriageResult) -> str | None:
    """The deciding rule's id, ``default``, or ``None`` when there is no outcome (measure-only)."""
    return result.decided_by or ("default" if result.outcome is not None else None)


def result_to_dict(questionnaire: Questionnaire, result: TriageResult) -> dict[str, Any]:
    """The whole result for ``--json``: stable keys, public API (additive changes only).

    A measure-only questionnaire has no outcome: ``outcome`` and ``care`` are ``None`` and
    ``measure_only`` is true.
    """
    from pmpt_cli.advice import note_text

    text = questionnaire.outcome_texts[result.outcome] if result.outcome is not None else None
    notes = {note.id: note for note in questionnaire.notes}
    return {
        "schema": JSON_SCHEMA,
        "pmpt_version": __version__,
        "questionnaire": {
            "id": result.questionnaire_id,
            "version": result.questionnaire_version,
            "sha256": result.questionnaire_sha256,
        },
        "outcome": result.outcome,
        "measure_only": questionnaire.measure_only,
        "headline": text.headline if text is not None else MEASURE_ONLY_HEADLINE,
        "decided_by": result.decided_by,
        "reasons": reason_records(questionnaire, result),
        "notes": [
            {
                "id": n.id,
                "text": note_text(notes[n.id], result.answers) if n.id in notes else n.text,
                "source": n.source,
                "evidence": evidence_list(
                    questionnaire, n.evidence, notes[n.id].when.source if n.id in notes else None
                ),
            }
            for n in result.notes
        ],  # fmt: skip
        "scores": {
            sid: {
                "label": s.label,
                "value": export_number(s.value),
                "band": s.band,
                "answered": s.answered,
                "missing": s.missing,
                "internal": questionnaire.scores_by_id[sid].internal,
                # Whether any question it is computed from was answered: a score of
                # questions never asked says nothing about the person.
                "from_answers": not score_questions(questionnaire, sid).isdisjoint(result.answers),
            }
            for sid, s in result.scores.items()
        },
        "needs": need_records(questionnaire, result),
        "care": None
        if text is None
        else {"headline": text.headline, "care": text.care, "steps": list(text.steps), "next": text.next},
        "answers": result.answers,
        "skipped": list(result.skipped),
        "ignored": list(result.ignored),
        "disclaimer": DISCLAIMER,
    }


def failed_checks(questionnaire: Questionnaire, answers: dict[str, Any]) -> list[tuple[Check, str]]:
    """Each consistency check that holds, with its message filled in with the answers."""
    import re

    from pmpt_cli.advice import check_holds

    found = []
    for check in questionnaire.checks:
        if check_holds(check, answers):
            message = re.sub(
                r"\{([a-z][a-z0-9_]*)\}",
                lambda m: describe_answer(questionnaire, m.group(1), answers.get(m.group(1))),
                check.message,
            )
            found.append((check, message))
    return found
