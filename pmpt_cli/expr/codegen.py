"""Checked expression trees printed as Python functions, and compiled.

``expressions`` parses an expression, checks it against the allow-list and builds a
small tree of ``_Part`` nodes. This module prints that tree as the source of plain
Python functions (``evaluate(values, bands)``, ``explain(values, bands)`` and ``fast``,
and a whole questionnaire's ``program``) and has CPython compile them: one call per
evaluation, instead of a call per node. They run with the helpers in ``runtime``.

Why this is safe: the source is never the questionnaire author's text. It is printed
here from a tree that has passed the allow-list, using only fixed templates, question
and score ids and literal values written with ``repr`` (ids are only ever string
arguments of ``values.get``), and the helpers in ``runtime``. The functions run with
empty builtins.

Code objects can be marshalled, so ``cache`` keeps a questionnaire's program (the code
the engine runs, ``generate_program``) between runs: a second run skips parsing,
checking and compiling. An expression's own functions are compiled only when something
asks for them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from pmpt_cli.expr.runtime import ExpressionCode, ProgramCode
from pmpt_cli.records import Record

_MAX_NESTING = 60  # lazy and/or/if blocks nest up to here; Python allows 100 indents
#: The most source a questionnaire's program may have: about 40 times pmpt-core's. Past it
#: compiling alone takes seconds and hundreds of MB (a 2 MB questionnaire of long 'or'
#: chains once printed 64 MB of code): the builder refuses the questionnaire instead.
MAX_PROGRAM_CHARS = 2_000_000


class ProgramTooLarge(ValueError):
    """The printed program is longer than ``MAX_PROGRAM_CHARS`` (``args[0]``: its length)."""


# -- printing a checked tree as Python ------------------------------------------


def generate(root: Any) -> ExpressionCode:
    """Compile the checked tree ``root`` (a ``checker._Part``) to code objects."""
    printer = _Printer()
    body = printer.value(root)
    typed = _TypedPrinter(printer.constants, printer.names)  # shares the constants
    lines = ["def evaluate(values, bands):", "    g = values.get", f"    return {body}", "",
             "def fast(values, bands):", "    g = values.get", f"    return {typed.value(root)}", ""]  # fmt: skip
    if root.answered is not None:  # the usual rule: its value, and which of its names were answered
        lines += ["def explain(values, bands):", "    g = values.get",
                  f"    return evaluate(values, bands), {printer.answered(root.answered)}"]  # fmt: skip
    else:
        lines += _explain_function("explain", printer, root)
    module = compile("\n".join(lines) + "\n", "<pmpt expression>", "exec", dont_inherit=True)
    code = {c.co_name: c for c in module.co_consts if hasattr(c, "co_code")}
    return ExpressionCode(code["evaluate"], code["explain"], code["fast"], tuple(printer.constants.items()))


class ItemScore(Record):
    """A score over items, for ``generate_program`` (see scoring.score_env)."""

    id: str
    label: str
    method: str  # sum, mean, percent, max or count
    items: tuple[tuple[str, str, Any, Any], ...]  # (id, kind, choice scores, max): see item_value
    max_missing: int
    bands: tuple[tuple[float, float, str], ...]  # (min, max, label)


class ExpressionScore(Record):
    """A score computed by an expression (its checked tree), for ``generate_program``."""

    id: str
    label: str
    part: Any
    bands: tuple[tuple[float, float, str], ...]


class QuestionStep(Record):
    """A question in asking order, for ``generate_program`` (see enablement.is_enabled)."""

    id: str
    required: bool
    conditions: tuple[tuple[str, str, Any, bool], ...]  # enable-when: (question, operator, answer, multi?)
    all: bool  # enable-behavior "all" (else "any")
    enable_if: Any  # the checked tree of enable-if, or None


class ProgramParts(Record):
    """What ``generate_program`` prints: a questionnaire's steps, scores and conditions."""

    questions: Sequence[QuestionStep]  # in asking order
    scores: Sequence[ItemScore | ExpressionScore]  # in dependency order
    display_order: Sequence[str]  # score ids in file order
    rules: Sequence[Any]  # the checked tree of each rule's condition, in reason order
    notes: Sequence[Any]  # the checked tree of each note's condition


def generate_program(parts: ProgramParts, filename: str) -> ProgramCode:
    """``program_source(parts)`` compiled, with ``filename`` in its code (tracebacks name it)."""
    source, count, constants = _program_source(parts)
    if len(source) > MAX_PROGRAM_CHARS:
        raise ProgramTooLarge(len(source))
    module = compile(source, filename, "exec", dont_inherit=True)
    code = {c.co_name: c for c in module.co_consts if hasattr(c, "co_code")}
    explains = tuple(code.get(f"explain_{index}") for index in range(count))
    return ProgramCode(code["program"], constants, explains)


def program_source(parts: ProgramParts) -> str:
    """The Python source of a questionnaire's program, as ``generate_program`` compiles it."""
    return _program_source(parts)[0]


def _program_source(parts: ProgramParts) -> tuple[str, int, tuple[tuple[str, Any], ...]]:
    """One function that runs a questionnaire on checked answers, short of the reasons.

    ``program(answers)`` takes answers checked by validation.check_answers and returns a
    ``program.ProgramResult``: the answers that count and the ids of the skipped
    questions (FHIR enable-when), the required questions asked but not answered, the
    answers and scores by id, the ``ScoreResult``s in ``display_order`` and the band of
    each score, and the value of each rule's (in the order given) and note's condition.
    ``questions`` come in asking order and ``scores`` in dependency order. It prints like
    ``fast``, reading each answer once into a local: one call per triage instead of one
    per question, score and condition. The program comes with an ``explain`` for every
    rule and note whose condition is not flat (see checker._Part.answered), printed
    like ``fast`` too: the engine explains the conditions that held with them.
    """
    questions, scores, display_order, rules, notes = parts
    printer = _TypedPrinter()
    printer.locals = {}
    body: list[str] = ["    kept = {}", "    skipped = []", "    unanswered = []"]
    for question in questions:
        local, pad = printer.read(question.id), "    "
        gate = printer.gate(question)
        if gate is not None:
            body.append(f"    if {gate}:")
            pad = "        "
        body += [f"{pad}{local} = g({question.id!r})", f"{pad}if {local} is not None:",
                 f"{pad}    kept[{question.id!r}] = {local}"]  # fmt: skip
        if question.required:
            body += [f"{pad}else:", f"{pad}    unanswered.append({question.id!r})"]
        if gate is not None:  # not asked: unanswered, for the questions after it
            body += ["    else:", f"        {local} = None", f"        skipped.append({question.id!r})"]
    body += ["    values = dict(kept)", "    bands = {}"]
    results: dict[str, str] = {}
    for score in scores:
        if isinstance(score, ExpressionScore):
            body.append(f"    raw = {printer.value(score.part)}")
            body.append("    value = raw if raw.__class__ is int or raw.__class__ is float else _score_value(raw)")
            answered = missing = "0"
        else:
            body += _item_score_lines(printer, score)
            answered, missing = "answered", "missing"
        local = printer.read(score.id)  # later scores and the conditions read it from here
        body.append(f"    {local} = values[{score.id!r}] = value")
        body += _band_lines(printer, score.bands)
        body.append(f"    bands[{score.id!r}] = band")
        result = results[score.id] = f"r{len(results)}"
        body.append(
            f"    {result} = _new(_ScoreResult, ({score.id!r}, {score.label!r}, value, band, {answered}, {missing}))"
        )
    rule_flags = [printer.value(part) for part in rules]
    note_flags = [printer.value(part) for part in notes]
    # Every local starts as None: an enable-if may name a later question or a score, which
    # active_answers sees as unanswered at that point.
    lines = ["def program(answers):", "    g = answers.get"]
    if printer.locals:
        lines.append(f"    {' = '.join(printer.locals.values())} = None")
    lines += body
    shown = ", ".join(f"{sid!r}: {results[sid]}" for sid in display_order)
    lines.append(f"    return _new(_ProgramResult, (kept, skipped, unanswered, values, {{{shown}}}, bands, "
                 f"{_tuple(rule_flags)}, {_tuple(note_flags)}))")  # fmt: skip
    lines.append("")
    explainer = _TypedPrinter(printer.constants, printer.names)  # reads values.get: no locals
    for index, part in enumerate([*rules, *notes]):
        if part.answered is None:
            lines += _explain_function(f"explain_{index}", explainer, part)
    return "\n".join(lines), len(rules) + len(notes), tuple(printer.constants.items())


def _explain_function(name: str, printer: _Printer, root: Any) -> list[str]:
    """The source of ``def name(values, bands)``, which explains ``root`` (a non-flat tree)."""
    # One space per level: an explanation nests a block per and/or/if, up to 40 deep, and
    # four spaces a level made deep alternations mostly indentation.
    lines = [f"def {name}(values, bands):", " g = values.get"]
    value, found = printer.explain(root, lines, 1)
    return [*lines, f" return {value}, {found}", ""]


# The value of an item score from its answered items' values (``vals``) and, for a percent
# score, their largest possible values (``tops``), at full precision (docs/questionnaire-format.md,
# "Scores"; rounding is for display and export only, report.export_number).
_AGGREGATES = {
    "sum": "sum(vals)",
    "mean": "sum(vals) / answered",
    "percent": "(100 * sum(vals) / top if (top := sum(tops)) else None)",
    "max": "max(vals)",
    "count": "len([v for v in vals if v > 0])",
}


def _item_score_lines(printer: _TypedPrinter, score: ItemScore) -> list[str]:
    """``value``, ``answered`` and ``missing`` of an item score, as scoring.score_env finds them."""
    percent = score.method == "percent"
    lines = ["    vals = []", "    tops = []"] if percent else ["    vals = []"]
    for ident, kind, data, top in score.items:
        lines += [f"    item = {printer.item_value(ident, kind, data)}", "    if item is not None:",
                  "        vals.append(item)"]  # fmt: skip
        if percent and top is not None:  # a question (a score item adds no maximum)
            lines.append(f"        tops.append({printer.constant(top)})")
    return [*lines, "    answered = len(vals)", f"    missing = {len(score.items)} - answered",
            f"    value = {_AGGREGATES[score.method]} if vals and missing <= {score.max_missing!r} else None"]  # fmt: skip


def _band_lines(printer: _Printer, bands: Sequence[tuple[float, float, str]]) -> list[str]:
    """``band = ...`` as model.Score.band_for: the first band whose max is not exceeded."""
    if not bands:
        return ["    band = None"]
    lines = ["    if value is None:", "        band = None"]
    for low, high, label in bands:
        lines += [f"    elif value <= {printer.constant(high)}:",
                  f"        band = {label!r} if value >= {printer.constant(low)} else None"]  # fmt: skip
    return [*lines, "    else:", "        band = None"]


def _tuple(items: list[str]) -> str:
    return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"


class _Printer:
    """Prints parts as Python: ``value`` as one expression, ``explain`` as statements."""

    def __init__(self, constants: dict[str, Any] | None = None, names: dict[Any, str] | None = None) -> None:
        self.constants: dict[str, Any] = {} if constants is None else constants
        self.names: dict[Any, str] = {} if names is None else names  # each constant once
        self.temps = 0

    def constant(self, value: Any) -> str:
        # A global of the function: sets and dicts (for a fast .get) have no literal syntax,
        # and neither have infinite floats (TOML's inf: repr() gives the name 'inf').
        if value.__class__ in (frozenset, dict) or (value.__class__ is float and not math.isfinite(value)):
            key = (value.__class__, tuple(value.items()) if value.__class__ is dict else value)
            name = self.names.get(key)
            if name is None:
                name = self.names[key] = f"_k{len(self.constants)}"
                self.constants[name] = value
            return name
        return repr(value)  # str, int, finite float, bool, None

    def value(self, part: Any) -> str:
        op, kids, data = part.op, part.kids, part.data
        if op == "const":
            return self.constant(data)
        if op == "list":  # a fresh list each time, so a caller cannot change the constant
            return "[" + ", ".join(self.constant(item) for item in data) + "]"
        if op == "name":
            return self.read(data)
        if op == "answered":
            return f"({self.read(data)} is not None)"
        if op == "band":
            return f"bands.get({data!r})"
        if op in ("count", "any_of"):
            ident, targets, _ = data
            return f"_{op}({self.read(ident)}, {self.constant(targets)})"
        args = [self.value(kid) for kid in kids]
        if op in ("or", "and"):
            return "(" + f" {op} ".join(args) + ")"
        if op == "if":
            return f"({args[1]} if {args[0]} else {args[2]})"
        if op == "chain":
            return f"_chain(({', '.join(data)},), {', '.join(args)})"
        return self.apply(part, args)

    def read(self, ident: str) -> str:
        """The answer or score ``ident`` (``None`` when unanswered)."""
        return f"g({ident!r})"

    def temp(self) -> str:
        self.temps += 1
        return f"t{self.temps}"

    def explain(self, part: Any, lines: list[str], depth: int) -> tuple[str, str]:
        """Append statements computing ``part``'s explanation; return its (value, names) temps.

        Mirrors ``CompiledExpression.explain``. ``and``/``or``/``if`` stay lazy (a block
        per operator, not per operand) up to ``_MAX_NESTING``; deeper, operands are all
        explained first and then combined, which gives the same result because evaluation
        has no side effects.
        """
        pad = " " * depth
        op, kids, data = part.op, part.kids, part.data
        value, names = self.temp(), self.temp()
        if part.answered is not None:  # names: the answered ones of a fixed list
            lines.append(f"{pad}{value} = {self.value(part)}")
            lines.append(f"{pad}{names} = {self.answered(part.answered)}")
        elif op == "answered":  # answered or not, this name decided it
            lines.append(f"{pad}{value}, {names} = ({self.read(data)} is not None), {self.constant(frozenset([data]))}")
        elif op == "band":
            lines.append(f"{pad}{value} = bands.get({data!r})")
            lines.append(f"{pad}{names} = _E if {value} is None else {self.constant(frozenset([data]))}")
        elif op in ("or", "and") and depth < _MAX_NESTING:
            self.lazy_boolean(op == "or", kids, lines, depth, value, names)
        elif op == "if" and depth < _MAX_NESTING:
            test, test_names = self.explain(kids[0], lines, depth)
            for branch, keyword in ((kids[1], "if"), (kids[2], "else")):
                lines.append(f"{pad}{keyword} {test}:" if keyword == "if" else f"{pad}else:")
                taken, taken_names = self.explain(branch, lines, depth + 1)
                lines.append(f"{pad} {value}, {names} = {taken}, {test_names} | {taken_names}")
        else:
            pairs = [self.explain(kid, lines, depth) for kid in kids]
            if op in ("or", "and", "chain"):
                combine = {"or": "_or_x(", "and": "_and_x(", "chain": f"_chain_x(({', '.join(data or ())},), "}[op]
                lines.append(f"{pad}{value}, {names} = {combine}{', '.join(f'({v}, {n})' for v, n in pairs)})")
            elif op == "if":  # past the nesting limit: both branches explained, one kept
                (test, test_names), branch, other = pairs
                lines.append(f"{pad}{value}, {names} = ({branch[0]}, {test_names} | {branch[1]}) if {test} else "
                             f"({other[0]}, {test_names} | {other[1]})")  # fmt: skip
            else:  # not, ==, !=, calls, sums: the operator on the operands, every operand's names
                lines.append(f"{pad}{value} = {self.apply(part, [v for v, _ in pairs])}")
                lines.append(f"{pad}{names} = {' | '.join(n for _, n in pairs)}")
        return value, names

    def lazy_boolean(self, is_or: bool, kids: Any, lines: list[str], depth: int, value: str, names: str) -> None:
        """``a or b or c``: stop at the first true operand (``and``: the first false one).

        Each operand after the first runs under ``if not done:``, one level deeper than the
        chain, however many operands there are: the code grows with the operands, not with
        their square as nested ``else`` blocks did (and ``if`` blocks, unlike loops, have
        no limit of 20 nested blocks).
        """
        pad = " " * depth
        done = self.temp()
        lines.append(f"{pad}{done} = False")
        seen: list[str] = []
        for index, kid in enumerate(kids):
            inner = depth + 1 if index else depth
            if index:
                lines.append(f"{pad}if not {done}:")
            kid_value, kid_names = self.explain(kid, lines, inner)
            seen.append(kid_names)
            here = " " * inner
            lines.append(f"{here}if {'' if is_or else 'not '}{kid_value}:")  # this operand decided it
            lines.append(f"{here} {value}, {names}, {done} = {kid_value}, {kid_names}, True")
        # none decided it: the last value, and every operand's names
        lines.append(f"{pad}if not {done}:")
        lines.append(f"{pad} {value}, {names} = {kid_value}, {' | '.join(seen)}")

    def answered(self, idents: tuple[str, ...]) -> str:
        if not idents:
            return "_E"
        if len(idents) == 1:
            return f"_E if g({idents[0]!r}) is None else {self.constant(frozenset(idents))}"
        return f"_answered(g, {idents!r})"

    def apply(self, part: Any, args: list[str]) -> str:
        op, data = part.op, part.data
        if op == "call":
            return f"{data}({', '.join(args)})"
        if op == "sum":
            return f"_sum({', '.join(args)})"
        if op in ("==", "!="):
            return f"({args[0]} {op} {args[1]})"
        if op == "not":
            return f"(not {args[0]})"
        raise AssertionError(f"unknown part {op!r}")  # pragma: no cover - the compiler makes only these


# Helpers that always give True or False, whatever their operands.
_BOOLEAN_HELPERS = frozenset({"_lt", "_le", "_gt", "_ge", "_in", "_not_in", "_chain"})
_ORDERING = {"_lt": "<", "_le": "<=", "_gt": ">", "_ge": ">="}
_NUMBERISH = frozenset({"number", "bool"})
_SCALAR = frozenset({"number", "bool", "str"})


def _never_none(part: Any) -> bool:
    """Whether ``part`` has a value whatever the answers (unanswered questions are ``None``)."""
    op = part.op
    if op in ("const", "list"):
        return part.data is not None
    if op in ("answered", "count", "any_of", "==", "!=", "not") or (op == "call" and part.data in _BOOLEAN_HELPERS):
        return True
    if op in ("or", "and", "if"):
        return all(_never_none(kid) for kid in part.kids[op == "if" :])
    return False


class _TypedPrinter(_Printer):
    """``value`` for answers that passed validation.check_answers, and scores from scoring.

    There every answer has its question's type (a choice a str, a multi-choice a list of
    str, a scale or number an int or float, yes/no a bool) or is ``None``, and every score
    is an int, a float or ``None``. Knowing that, the commonest helpers become Python's
    own operators, which never raise on such values and give the same results (a test runs
    both on random valid answers). Anything else prints as ``value`` does.
    """

    locals: dict[str, str] | None = None  # id -> local variable, when a program reads each id once

    def gate(self, question: QuestionStep) -> str | None:
        """enablement.is_enabled for checked answers, or ``None`` for a question always asked."""
        tests = [self.enable_when(*condition) for condition in question.conditions]
        terms = []
        if tests:
            terms.append("(" + (" and " if question.all else " or ").join(tests) + ")")
        if question.enable_if is not None:
            terms.append(self.value(question.enable_if))
        return " and ".join(terms) if terms else None

    def enable_when(self, ident: str, operator: str, expected: Any, multi: bool) -> str:
        """enablement.condition_holds: the loader checked ``expected`` against the question's type."""
        answer = self.read(ident)
        if operator == "exists":
            return f"(({answer} is not None) is {self.constant(expected)})"
        if multi:  # a list of choices: '=' means one of them is the value
            if operator not in ("=", "!="):
                return "False"
            return (
                f"({answer} is not None and {self.constant(expected)} {'in' if operator == '=' else 'not in'} {answer})"
            )
        symbol = "==" if operator == "=" else operator
        return f"({answer} is not None and {answer} {symbol} {self.constant(expected)})"

    def item_value(self, ident: str, kind: str, scores: Any) -> str:
        """What an answered item adds to a score (scoring.item_value), ``None`` if unanswered."""
        answer = self.read(ident)
        if kind == "choice":  # a choice's score, which may be None
            return f"{self.constant(scores)}.get({answer})"
        if kind == "multi_choice":
            return f"(None if {answer} is None else sum(map({self.constant(scores)}.__getitem__, {answer})))"
        if kind == "yes_no":
            return f"(None if {answer} is None else 1 if {answer} else 0)"
        return answer  # a number, or a score

    def read(self, ident: str) -> str:
        if self.locals is None:
            return super().read(ident)
        local = self.locals.get(ident)
        if local is None:
            local = self.locals[ident] = f"a{len(self.locals)}"
        return local

    def value(self, part: Any) -> str:
        op, kids, data = part.op, part.kids, part.data
        if op in ("count", "any_of"):
            ident, targets, multi = data
            answer, choices = self.read(ident), self.constant(targets)
            if not multi:  # one choice, or None (never one of the targets, which are strings)
                return f"({answer} in {choices})"
            if op == "any_of":
                return f"(not {choices}.isdisjoint({answer} or ()))"
            return f"len({choices}.intersection({answer} or ()))"
        if op == "call" and data in _ORDERING and len(kids) == 2:
            left, right = kids
            if {left.type, right.type} <= _NUMBERISH or left.type == right.type == "str":
                return self.ordering(left, _ORDERING[data], right)
        if op == "call" and data in ("_in", "_not_in") and len(kids) == 2:
            left, right = kids
            negate = " not" if data == "_not_in" else ""
            if right.op == "const" and right.data.__class__ is frozenset and None not in right.data \
                    and left.type in _SCALAR:  # fmt: skip
                return f"({self.value(left)}{negate} in {self.constant(right.data)})"
            if left.op == "const" and left.data.__class__ is str and right.type == "list" and right.op == "name":
                return f"({left.data!r}{negate} in ({self.value(right)} or ()))"
        if op == "call" and data == "_len" and kids[0].type == "list" and kids[0].op == "name":
            return f"len({self.value(kids[0])} or ())"
        if op == "sum" and all(_never_none(k) and k.type in _NUMBERISH for k in kids):
            return "(" + " + ".join(self.value(k) for k in kids) + ")"
        return super().value(part)

    def ordering(self, left: Any, symbol: str, right: Any) -> str:
        """``a >= b``: false when either side is None, as ``_ge`` gives."""
        terms, operands = [], []
        for part in (left, right):
            code = self.value(part)
            if not _never_none(part):
                temp = self.temp()
                terms.append(f"({temp} := {code}) is not None")
                code = temp
            operands.append(code)
        return "(" + " and ".join([*terms, f"{operands[0]} {symbol} {operands[1]}"]) + ")"
