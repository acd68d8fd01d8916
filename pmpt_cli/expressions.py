"""A small, safe expression language for questionnaire conditions and scores.

Expressions look like Python but are parsed with ``ast.parse(mode="eval")`` and
checked against an allow-list; nothing here ever calls ``eval``/``exec`` or
compiles Python code. Each checked node becomes one closure, built once at load
time, so evaluating an expression is a chain of plain function calls.

Evaluation never raises: a missing answer (``None``) makes ordering comparisons
false, arithmetic ``None`` and membership tests false, following
docs/questionnaire-format.md, "Expressions".
"""

from __future__ import annotations

import ast
import operator
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from difflib import get_close_matches
from types import MappingProxyType
from typing import Any

from .errors import ExpressionError

__all__ = ["CompiledExpression", "NameInfo", "compile_expression"]

MAX_SOURCE_CHARS = 1000
MAX_NODES = 400  # expression nodes (names, literals, operators, calls)
MAX_DEPTH = 40  # nesting of expression nodes, and separately of brackets
MAX_NUMBER = 1e9
MAX_STRING_CHARS = 200

Values = Mapping[str, Any]
Bands = Mapping[str, "str | None"]
Evaluator = Callable[[Values, Bands], Any]
Explainer = Callable[[Values, Bands], "tuple[Any, frozenset[str]]"]

_EMPTY: frozenset[str] = frozenset()
_NO_BANDS: Bands = MappingProxyType({})
_NUMERIC = frozenset({int, float, bool})  # exact classes: answers are plain TOML/JSON values
_LOWERCASE_CONSTANTS: dict[str, Any] = {"true": True, "false": False, "none": None}
_NOT_LITERAL = object()  # marks a non-constant part; None is a real literal

_QTYPE_WORDS = {
    "choice": "choice question",
    "multi_choice": "multi-choice question",
    "yes_no": "yes/no question",
    "scale": "scale question",
    "number": "number question",
    "text": "text question",
}
_QTYPE_VALUE = {  # static type of a question's answer, when it has one
    "choice": "str",
    "multi_choice": "list",
    "yes_no": "bool",
    "scale": "number",
    "number": "number",
    "text": "str",
}
_NUMBERISH = frozenset({"number", "bool"})


@dataclass(frozen=True)
class NameInfo:
    """What an expression may know about a name: a question (with its type) or a score."""

    kind: str  # "question" or "score"
    qtype: str | None = None  # for questions: one of model.QUESTION_TYPES
    choices: frozenset[str] | None = None  # values of a choice / multi_choice question


@dataclass(frozen=True, slots=True)
class CompiledExpression:
    """A checked expression, ready to evaluate many times."""

    source: str
    names: frozenset[str]  # every question/score id referenced, including function arguments
    _evaluate: Evaluator = field(repr=False, compare=False)
    _explain: Explainer = field(repr=False, compare=False)

    def evaluate(self, values: Values, bands: Bands = _NO_BANDS) -> Any:
        """The value for these answers/scores (``values``) and score bands; never raises."""
        return self._evaluate(values, bands)

    def explain(self, values: Values, bands: Bands = _NO_BANDS) -> tuple[Any, frozenset[str]]:
        """The value plus the answered names that made it come out as it did.

        ``a or b`` credits the first true operand (or all, if none is true);
        ``a and b`` credits all operands when true, else the first false one;
        ``x if c else y`` credits ``c`` and the branch taken; everything else
        credits every name it evaluated. Unanswered names are left out, except
        the argument of ``answered()``, whose answer is the point.
        """
        return self._explain(values, bands)


def compile_expression(source: str, names: Mapping[str, NameInfo]) -> CompiledExpression:
    """Parse ``source``, check it against the allow-list and ``names``, and compile it.

    Raises ``ExpressionError`` with a one-line message saying what is wrong and
    how to fix it; the caller adds the location.
    """
    body = _parse(source)
    compiler = _Compiler(names)
    try:
        part = compiler.compile(body)
    except ExpressionError:
        # The size limits outrank every other complaint: if the tree is too big or too
        # deep, say so (the exact message the full walk gives), else report the error.
        _check_size(body)
        raise
    return CompiledExpression(source, frozenset(compiler.referenced), part.evaluate, part.explain)


# -- parsing and limits --------------------------------------------------------


def _parse(source: str) -> ast.expr:
    if not isinstance(source, str):
        raise ExpressionError(f"an expression must be a string, not {type(source).__name__}")
    if len(source) > MAX_SOURCE_CHARS:
        raise ExpressionError(
            f"expression is {len(source)} characters long, more than {MAX_SOURCE_CHARS}; "
            "split it into named scores"
        )
    text = source.strip()  # TOML multi-line strings bring newlines the eval parser rejects as indents
    if not text:
        raise ExpressionError("expression is empty; write a condition such as pain_now >= 7")
    _check_bracket_depth(text)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # e.g. invalid escape sequences become errors, not noise
            tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        where = f" (column {exc.offset})" if exc.offset else ""
        message = " ".join(str(exc.msg).split())
        raise ExpressionError(f"not a valid expression: {message}{where}") from None
    except (RecursionError, MemoryError):
        raise ExpressionError(_too_deep()) from None
    except (ValueError, Warning) as exc:  # null bytes; warnings promoted above
        raise ExpressionError(f"not a valid expression: {' '.join(str(exc).split())}") from None
    # The node and depth limits are enforced while compiling (_Compiler.compile), which
    # visits every node anyway; a second walk here cost more than parsing.
    return tree.body


# Brackets, plus what may hide them: string literals (triple-quoted first; an unterminated
# triple-quoted string runs to the end, as for tokenize) and comments. Anything else is
# skipped by the regex engine itself, so the Python loop sees only the matches. A quote
# that starts no complete string matches alone and the scan goes on after it, as
# tokenize's error token does.
_BRACKET_SCAN = re.compile(
    r"""[\[\](){}]|'{3}(?:\\.|[^\\])*?(?:'{3}|\Z)|"{3}(?:\\.|[^\\])*?(?:"{3}|\Z)"""
    r"""|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|\#[^\n]*""",
    re.DOTALL,
)
_OPENING = frozenset("([{")
_CLOSING = frozenset(")]}")


def _check_bracket_depth(text: str) -> None:
    """Reject deep bracket nesting before the parser sees it (brackets make no AST nodes).

    A cheap scanner, not ``tokenize`` (which cost more than parsing and compiling):
    it counts brackets outside string literals and comments.
    """
    if "(" not in text and "[" not in text and "{" not in text:
        return
    depth = 0
    for match in _BRACKET_SCAN.finditer(text):
        token = match.group()
        if token in _OPENING:
            depth += 1
            if depth > MAX_DEPTH:
                raise ExpressionError(_too_deep())
        elif token in _CLOSING:
            depth -= 1


def _check_size(body: ast.expr) -> None:
    """Count nodes and measure depth iteratively, so hostile input cannot exhaust the stack.

    Only called when compiling failed, to report a size error in preference to any other
    (the compiler enforces the same limits as it goes, so it never recurses too deep).
    """
    count = 0
    stack: list[tuple[ast.AST, int]] = [(body, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ExpressionError(_too_deep())
        if isinstance(node, ast.expr):
            count += 1
            if count > MAX_NODES:
                raise ExpressionError(_too_many())
        for child in ast.iter_child_nodes(node):
            stack.append((child, depth + 1 if isinstance(child, ast.expr) else depth))


def _too_many() -> str:
    return f"expression has more than {MAX_NODES} parts; split it into named scores"


def _too_deep() -> str:
    return (
        f"expression is nested more than {MAX_DEPTH} levels deep; "
        "simplify it or split it into named scores"
    )


# -- runtime operations (shared by evaluate and explain; never raise) -------------


def _add(a: Any, b: Any) -> Any:
    if a.__class__ in _NUMERIC and b.__class__ in _NUMERIC:
        try:
            return a + b
        except OverflowError:  # huge int mixed with a float
            return None
    return None


def _sub(a: Any, b: Any) -> Any:
    if a.__class__ in _NUMERIC and b.__class__ in _NUMERIC:
        try:
            return a - b
        except OverflowError:
            return None
    return None


def _mul(a: Any, b: Any) -> Any:
    # Numbers only: 'ab' * 10**9 would be a memory bomb.
    if a.__class__ in _NUMERIC and b.__class__ in _NUMERIC:
        try:
            return a * b
        except OverflowError:
            return None
    return None


def _div(a: Any, b: Any) -> Any:
    if a.__class__ in _NUMERIC and b.__class__ in _NUMERIC and b:
        try:
            return a / b
        except OverflowError:
            return None
    return None  # includes division by zero


def _neg(x: Any) -> Any:
    return -x if x.__class__ in _NUMERIC else None


def _pos(x: Any) -> Any:
    return +x if x.__class__ in _NUMERIC else None


def _lt(a: Any, b: Any) -> bool:
    try:
        return a < b
    except TypeError:  # None or mixed types: a missing answer never satisfies an ordering
        return False


def _le(a: Any, b: Any) -> bool:
    try:
        return a <= b
    except TypeError:
        return False


def _gt(a: Any, b: Any) -> bool:
    try:
        return a > b
    except TypeError:
        return False


def _ge(a: Any, b: Any) -> bool:
    try:
        return a >= b
    except TypeError:
        return False


def _in(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return False
    try:
        return a in b
    except TypeError:  # e.g. a number "in" a number, or a list in a set
        return False


def _not_in(a: Any, b: Any) -> bool:
    return not _in(a, b)


def _len(x: Any) -> Any:
    if x is None:
        return 0
    try:
        return len(x)
    except TypeError:
        return None


def _min(*args: Any) -> Any:
    present = [a for a in args if a is not None]
    if not present:
        return None
    try:
        return min(present)
    except TypeError:
        return None


def _max(*args: Any) -> Any:
    present = [a for a in args if a is not None]
    if not present:
        return None
    try:
        return max(present)
    except TypeError:
        return None


def _abs(x: Any) -> Any:
    return abs(x) if x.__class__ in _NUMERIC else None


def _round(x: Any, ndigits: int | None = None) -> Any:
    if x.__class__ not in _NUMERIC:
        return None
    try:
        return round(x) if ndigits is None else round(x, ndigits)
    except (OverflowError, ValueError):  # inf / nan
        return None


_BINARY_OPS: dict[type, tuple[str, Callable[[Any, Any], Any]]] = {
    ast.Add: ("+", _add),
    ast.Sub: ("-", _sub),
    ast.Mult: ("*", _mul),
    ast.Div: ("/", _div),
}
_COMPARE_OPS: dict[type, tuple[str, Callable[[Any, Any], bool]]] = {
    ast.Eq: ("==", operator.eq),
    ast.NotEq: ("!=", operator.ne),
    ast.Lt: ("<", _lt),
    ast.LtE: ("<=", _le),
    ast.Gt: (">", _gt),
    ast.GtE: (">=", _ge),
    ast.In: ("in", _in),
    ast.NotIn: ("not in", _not_in),
}
_ORDERING = frozenset({ast.Lt, ast.LtE, ast.Gt, ast.GtE})
_MEMBERSHIP = frozenset({ast.In, ast.NotIn})

_REJECTED_OPS: dict[type, str] = {
    ast.Pow: "'**' (power) is not allowed; multiply instead",
    ast.FloorDiv: "'//' is not allowed; use round(a / b)",
    ast.Mod: "'%' (remainder) is not allowed",
    ast.MatMult: "'@' is not allowed",
    ast.BitAnd: "bitwise '&' is not allowed; use 'and'",
    ast.BitOr: "bitwise '|' is not allowed; use 'or'",
    ast.BitXor: "bitwise '^' is not allowed; use '!='",
    ast.LShift: "'<<' is not allowed",
    ast.RShift: "'>>' is not allowed",
    ast.Invert: "'~' is not allowed; use 'not'",
    ast.Is: "'is' is not allowed; use '=='",
    ast.IsNot: "'is not' is not allowed; use '!='",
}
_REJECTED_NODES: dict[type, str] = {
    ast.Attribute: "attribute access ('x.y') is not allowed",
    ast.Subscript: "subscripts ('x[...]') are not allowed; use 'in' or count()",
    ast.Slice: "slices are not allowed",
    ast.Lambda: "lambda is not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "generator expressions are not allowed",
    ast.JoinedStr: "f-strings are not allowed; use a plain 'string'",
    ast.FormattedValue: "f-strings are not allowed; use a plain 'string'",
    ast.NamedExpr: "':=' (assignment) is not allowed; use '==' to compare",
    ast.Dict: "dict literals are not allowed",
    ast.Set: "set literals are not allowed; use a list like ['a', 'b']",
    ast.Starred: "'*' unpacking is not allowed",
    ast.Await: "'await' is not allowed",
    ast.Yield: "'yield' is not allowed",
    ast.YieldFrom: "'yield' is not allowed",
}


# -- the compiler --------------------------------------------------------------


class _Part:
    """A compiled node: its two closures plus what the static checks need.

    A plain slotted class: the compiler makes one per node, and a frozen dataclass's
    ``__init__`` (one ``object.__setattr__`` per field) was a visible share of load time.
    The optional fields are set right after a part is made; after that a part never
    changes (the parts of common literals are shared).
    """

    __slots__ = ("evaluate", "explain", "type", "literal", "name", "terms", "count_of", "answered")

    def __init__(
        self,
        evaluate: Evaluator,
        explain: Explainer,
        type: str | None = None,  # "number", "bool", "str", "list", "none" or None (unknown)
        literal: Any = _NOT_LITERAL,  # the value, when the node is a constant or a list of constants
        name: str | None = None,  # the id, when the node is a bare question/score name
    ) -> None:
        self.evaluate = evaluate
        self.explain = explain
        self.type = type
        self.literal = literal
        self.name = name
        self.terms: tuple[_Part, ...] | None = None  # the operands of a left-deep '+' chain
        self.count_of: tuple[str, frozenset[str]] | None = None  # (id, values) of a count() call
        # When not None, explain() is exactly (evaluate(), the answered ones of these names): true
        # of names, count() and constants, and of anything computed from them alone without
        # and/or/if (which credit only some operands), band() or answered() (see _flat_explain).
        self.answered: tuple[str, ...] | None = None


# Parts for the str, int, bool and None literals seen so far: 'yes', 'unsure', 1 and 0 recur
# in nearly every rule, and a part is never changed once made.
_CONSTANT_PARTS: dict[tuple[type, Any], _Part] = {}


def _constant_part(value: Any) -> _Part:
    if isinstance(value, list):
        items = tuple(value)  # hand out fresh lists so callers cannot mutate the constant

        def evaluate(values: Values, bands: Bands) -> Any:
            return list(items)

    else:

        def evaluate(values: Values, bands: Bands) -> Any:
            return value

    def explain(values: Values, bands: Bands) -> tuple[Any, frozenset[str]]:
        return evaluate(values, bands), _EMPTY

    part = _Part(evaluate, explain, _static_type(value), literal=value)
    part.answered = ()
    return part


def _answered_names(parts: Sequence[_Part]) -> tuple[str, ...] | None:
    """The union of the parts' ``answered`` names, or ``None`` if any part has none."""
    names: list[str] = []
    for part in parts:
        if part.answered is None:
            return None
        names.extend(n for n in part.answered if n not in names)
    return tuple(names)


def _flat_explain(evaluate: Evaluator, names: tuple[str, ...]) -> Explainer:
    """``explain`` for a part whose explanation is the answered ones of ``names``.

    One call instead of one per node: the nested explainers would compute the same value
    (each node's explain value is its evaluate value) and the same union of names.
    """
    if not names:

        def explain(values: Values, bands: Bands) -> tuple[Any, frozenset[str]]:
            return evaluate(values, bands), _EMPTY

    elif len(names) == 1:
        (ident,) = names
        only = frozenset(names)

        def explain(values: Values, bands: Bands) -> tuple[Any, frozenset[str]]:
            return evaluate(values, bands), (_EMPTY if values.get(ident) is None else only)

    else:

        def explain(values: Values, bands: Bands) -> tuple[Any, frozenset[str]]:
            return evaluate(values, bands), frozenset([n for n in names if values.get(n) is not None])

    return explain


def _static_type(value: Any) -> str | None:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "str"
    if isinstance(value, (list, tuple)):
        return "list"
    return None


def _common_type(parts: Sequence[_Part]) -> str | None:
    types = {p.type for p in parts}
    return types.pop() if len(types) == 1 else None


def _apply(
    fn: Callable[..., Any], parts: Sequence[_Part], type_: str | None, evaluate: Evaluator | None = None
) -> _Part:
    """A part that calls ``fn`` on the values of ``parts`` (fixed arity, built once).

    ``evaluate``, when given, is an equivalent specialised evaluator (see ``_compare_evaluator``).
    """
    evs = tuple([p.evaluate for p in parts])
    exs = tuple([p.explain for p in parts])
    if evaluate is not None:
        pass
    elif len(evs) == 1:
        (f1,) = evs

        def evaluate(values: Values, bands: Bands) -> Any:
            return fn(f1(values, bands))

    elif len(evs) == 2:
        f1, f2 = evs
        # A constant operand (pain >= 7) needs no call at all.
        if parts[1].literal is not _NOT_LITERAL and not isinstance(parts[1].literal, list):
            c2 = parts[1].literal

            def evaluate(values: Values, bands: Bands) -> Any:
                return fn(f1(values, bands), c2)

        else:

            def evaluate(values: Values, bands: Bands) -> Any:
                return fn(f1(values, bands), f2(values, bands))

    else:

        def evaluate(values: Values, bands: Bands) -> Any:
            return fn(*[f(values, bands) for f in evs])

    answered = _answered_names(parts)
    if answered is not None:
        part = _Part(evaluate, _flat_explain(evaluate, answered), type_)
        part.answered = answered
        return part
    if len(exs) == 1:
        (x1,) = exs

        def explain(values: Values, bands: Bands) -> tuple[Any, frozenset[str]]:
            value, names = x1(values, bands)
            return fn(value), names

    elif len(exs) == 2 and parts[1].literal is not _NOT_LITERAL and not isinstance(parts[1].literal, list):
        x1, c2 = exs[0], parts[1].literal  # a constant explains nothing

        def explain(values: Values, bands: Bands) -> tuple[Any, frozenset[str]]:
            value, names = x1(values, bands)
            return fn(value, c2), names

    elif len(exs) == 2:
        x1, x2 = exs

        def explain(values: Values, bands: Bands) -> tuple[Any, frozenset[str]]:
            value1, names1 = x1(values, bands)
            value2, names2 = x2(values, bands)
            return fn(value1, value2), names1 | names2

    else:

        def explain(values: Values, bands: Bands) -> tuple[Any, frozenset[str]]:
            results = [x(values, bands) for x in exs]
            return fn(*[r[0] for r in results]), _EMPTY.union(*[r[1] for r in results])

    return _Part(evaluate, explain, type_)


def _sum_closures(terms: Sequence[_Part]) -> tuple[Evaluator, Explainer]:
    """``_add(_add(t0, t1), t2) ...`` for a left-deep chain, without a call per '+'.

    The explanation is the union of every term's, as the nested form gives.
    """
    first, rest = terms[0].evaluate, tuple(t.evaluate for t in terms[1:])
    explainers = tuple(t.explain for t in terms)

    def evaluate(values: Values, bands: Bands) -> Any:
        total = first(values, bands)
        for term in rest:
            value = term(values, bands)
            if total.__class__ in _NUMERIC and value.__class__ in _NUMERIC:
                try:
                    total = total + value
                except OverflowError:
                    total = None
            else:
                total = None
        return total

    def explain(values: Values, bands: Bands) -> tuple[Any, frozenset[str]]:
        results = [x(values, bands) for x in explainers]
        total = results[0][0]
        for value, _ in results[1:]:
            total = _add(total, value)
        return total, _EMPTY.union(*[names for _, names in results])

    return evaluate, explain


def _compare_evaluator(op: type, left: _Part, right: _Part) -> Evaluator | None:
    """A flat evaluator for the commonest comparisons, or ``None`` for the generic one.

    ``answer == 'x'``, ``answer >= 7``, ``answer in ['a', 'b']`` and ``'a' in answers``
    read the answer and compare in one call, instead of one call per node plus one for
    the operator. Each is exactly the generic ``fn(left, right)`` (same results, same
    ``TypeError`` handling, never raises): rule evaluation is most of ``run_triage``.
    """
    constant = right.literal
    if left.name is not None and constant is not _NOT_LITERAL and not isinstance(constant, list):
        ident = left.name
        if op is ast.Eq:

            def evaluate(values: Values, bands: Bands) -> Any:
                return values.get(ident) == constant

        elif op is ast.NotEq:

            def evaluate(values: Values, bands: Bands) -> Any:
                return values.get(ident) != constant

        elif op is ast.GtE:

            def evaluate(values: Values, bands: Bands) -> Any:
                answer = values.get(ident)
                try:
                    return answer >= constant
                except TypeError:
                    return False

        elif op is ast.Gt:

            def evaluate(values: Values, bands: Bands) -> Any:
                answer = values.get(ident)
                try:
                    return answer > constant
                except TypeError:
                    return False

        elif op is ast.LtE:

            def evaluate(values: Values, bands: Bands) -> Any:
                answer = values.get(ident)
                try:
                    return answer <= constant
                except TypeError:
                    return False

        elif op is ast.Lt:

            def evaluate(values: Values, bands: Bands) -> Any:
                answer = values.get(ident)
                try:
                    return answer < constant
                except TypeError:
                    return False

        elif op is ast.In:

            def evaluate(values: Values, bands: Bands) -> Any:
                answer = values.get(ident)
                if answer is None:
                    return False
                try:
                    return answer in constant
                except TypeError:  # also when the constant is None
                    return False

        else:  # ast.NotIn

            def evaluate(values: Values, bands: Bands) -> Any:
                answer = values.get(ident)
                if answer is None:
                    return True
                try:
                    return answer not in constant
                except TypeError:
                    return True

        return evaluate
    if left.count_of is not None and constant.__class__ in (int, float) and (
        (op is ast.GtE and constant == 1) or (op is ast.Gt and constant == 0)
    ):
        # count(x, 'a', 'b') >= 1, the usual "any of these": no need to count them all.
        ident, targets = left.count_of
        count = left.evaluate

        def evaluate(values: Values, bands: Bands) -> Any:
            answer = values.get(ident)
            if answer.__class__ is list:
                try:
                    return not targets.isdisjoint(answer)
                except TypeError:  # an unhashable item in an odd value
                    pass
            elif answer.__class__ is str:
                return answer in targets
            return count(values, bands) >= 1  # count() always gives a whole number

        return evaluate
    if constant is not _NOT_LITERAL and not isinstance(constant, list) and op not in _MEMBERSHIP:
        # count(x, ...) >= 1, len(x) == 0, min(a, b) < 3: the operator inline.
        f1 = left.evaluate
        if op is ast.Eq:

            def evaluate(values: Values, bands: Bands) -> Any:
                return f1(values, bands) == constant

        elif op is ast.NotEq:

            def evaluate(values: Values, bands: Bands) -> Any:
                return f1(values, bands) != constant

        elif op is ast.GtE:

            def evaluate(values: Values, bands: Bands) -> Any:
                value = f1(values, bands)
                try:
                    return value >= constant
                except TypeError:
                    return False

        elif op is ast.Gt:

            def evaluate(values: Values, bands: Bands) -> Any:
                value = f1(values, bands)
                try:
                    return value > constant
                except TypeError:
                    return False

        elif op is ast.LtE:

            def evaluate(values: Values, bands: Bands) -> Any:
                value = f1(values, bands)
                try:
                    return value <= constant
                except TypeError:
                    return False

        else:  # ast.Lt

            def evaluate(values: Values, bands: Bands) -> Any:
                value = f1(values, bands)
                try:
                    return value < constant
                except TypeError:
                    return False

        return evaluate
    constant = left.literal
    if (
        right.name is not None
        and op in _MEMBERSHIP
        and constant is not _NOT_LITERAL
        and constant is not None
        and not isinstance(constant, list)
    ):
        ident = right.name
        negate = op is ast.NotIn

        def evaluate(values: Values, bands: Bands) -> Any:  # 'x' in answers
            answer = values.get(ident)
            if answer is None:
                return negate
            try:
                return (constant in answer) is not negate
            except TypeError:
                return negate

        return evaluate
    return None


class _Compiler:
    """Turns an AST into closures, rejecting anything not allow-listed or over the limits.

    The node and depth limits are checked on entry to every ``compile`` call (and for the
    few leaves a handler inspects without compiling: a call's function name, the id given
    to ``answered``/``band``/``count``, and ``count``'s values), so every node of a tree
    that compiles is counted exactly once, and hostile input is stopped after at most
    ``MAX_NODES`` nodes and ``MAX_DEPTH`` levels of recursion: never a ``RecursionError``.
    """

    def __init__(self, names: Mapping[str, NameInfo]) -> None:
        self.names = names
        self.referenced: set[str] = set()
        self.depth = 0  # depth of the node being compiled; the root is 1
        self.count = 0  # expression nodes seen so far

    def compile(self, node: ast.AST) -> _Part:
        depth = self.depth + 1
        self.count += 1
        if depth > MAX_DEPTH or self.count > MAX_NODES:
            raise ExpressionError(_too_deep() if depth > MAX_DEPTH else _too_many())
        handler = _HANDLERS.get(type(node))
        if handler is None:
            raise ExpressionError(_rejection(node))
        self.depth = depth
        part = handler(self, node)
        self.depth = depth - 1  # not restored after an error: the compiler is then thrown away
        return part

    def leaves(self, count: int) -> None:
        """Count ``count`` child nodes of the current node that are checked without compiling."""
        self.count += count
        if self.depth >= MAX_DEPTH or self.count > MAX_NODES:
            raise ExpressionError(_too_deep() if self.depth >= MAX_DEPTH else _too_many())

    # -- names and literals --

    def constant(self, node: ast.Constant) -> _Part:
        value = node.value
        if isinstance(value, bool) or value is None:
            pass
        elif isinstance(value, (int, float)):
            if not abs(value) <= MAX_NUMBER:  # also catches inf from 1e999
                raise ExpressionError(f"number {value!r} is out of range; numbers must be within ±1e9")
        elif isinstance(value, str):
            if len(value) > MAX_STRING_CHARS:
                raise ExpressionError(
                    f"string of {len(value)} characters is too long; the limit is {MAX_STRING_CHARS}"
                )
        else:
            what = "'...'" if value is Ellipsis else f"{type(value).__name__} literals"
            raise ExpressionError(f"{what} not allowed; use numbers, 'strings', True/False/None or lists")
        if value.__class__ is float:  # not shared: 0.0 and -0.0 would share a key
            return _constant_part(value)
        key = (value.__class__, value)
        part = _CONSTANT_PARTS.get(key)
        if part is None:
            if len(_CONSTANT_PARTS) >= 4096:
                _CONSTANT_PARTS.clear()
            part = _CONSTANT_PARTS[key] = _constant_part(value)
        return part

    def name(self, node: ast.Name) -> _Part:
        ident = node.id
        if ident in _LOWERCASE_CONSTANTS:
            if ident in self.names:
                raise ExpressionError(f"'{ident}' is both a constant and an id; rename that question or score")
            return _constant_part(_LOWERCASE_CONSTANTS[ident])
        info = self.lookup(ident)
        only = frozenset((ident,))

        def evaluate(values: Values, bands: Bands) -> Any:
            return values.get(ident)

        def explain(values: Values, bands: Bands) -> tuple[Any, frozenset[str]]:
            value = values.get(ident)
            return value, (_EMPTY if value is None else only)

        type_ = "number" if info.kind == "score" else _QTYPE_VALUE.get(info.qtype or "")
        part = _Part(evaluate, explain, type_, name=ident)
        part.answered = (ident,)
        return part

    def lookup(self, ident: str) -> NameInfo:
        if ident.startswith("_"):
            raise ExpressionError(f"names starting with '_' are not allowed ('{ident}')")
        info = self.names.get(ident)
        if info is None:
            if ident in _FUNCTIONS:
                raise ExpressionError(f"'{ident}' is a function; call it like {_FUNCTIONS[ident][2]}")
            raise ExpressionError(
                f"unknown name '{ident}'{_suggest(ident, self.names, '; use a question or score id')}"
            )
        self.referenced.add(ident)
        return info

    def sequence(self, node: ast.List | ast.Tuple) -> _Part:
        items = []
        for element in node.elts:
            part = self.compile(element)
            if part.literal is _NOT_LITERAL or isinstance(part.literal, list):
                raise ExpressionError(
                    "lists may hold only numbers, 'strings', True/False/None, e.g. ['yes', 'unsure']"
                )
            items.append(part.literal)
        return _constant_part(items)  # a list either way, so it compares equal to multi-choice answers

    # -- operators --

    def boolop(self, node: ast.BoolOp) -> _Part:
        parts = [self.compile(v) for v in node.values]
        is_or = isinstance(node.op, ast.Or)
        self.check_bare_strings(parts, "or" if is_or else "and")
        evs = tuple(p.evaluate for p in parts)
        exs = tuple(p.explain for p in parts)
        # Two or three operands (nearly every rule) are unrolled: Python's own 'or'/'and'
        # return the same operand the loops below would.
        if is_or and len(evs) == 2:
            f1, f2 = evs

            def evaluate(values: Values, bands: Bands) -> Any:
                return f1(values, bands) or f2(values, bands)

        elif is_or and len(evs) == 3:
            f1, f2, f3 = evs

            def evaluate(values: Values, bands: Bands) -> Any:
                return f1(values, bands) or f2(values, bands) or f3(values, bands)

        elif is_or:

            def evaluate(values: Values, bands: Bands) -> Any:
                for f in evs:
                    result = f(values, bands)
                    if result:
                        return result
                return result

        elif len(evs) == 2:
            f1, f2 = evs

            def evaluate(values: Values, bands: Bands) -> Any:
                return f1(values, bands) and f2(values, bands)

        elif len(evs) == 3:
            f1, f2, f3 = evs

            def evaluate(values: Values, bands: Bands) -> Any:
                return f1(values, bands) and f2(values, bands) and f3(values, bands)

        else:

            def evaluate(values: Values, bands: Bands) -> Any:
                for f in evs:
                    result = f(values, bands)
                    if not result:
                        return result
                return result

        if len(exs) == 2:  # unrolled like evaluate: the loops below, step by step
            x1, x2 = exs
            if is_or:

                def explain(values: Values, bands: Bands) -> tuple[Any, frozenset[str]]:
                    result, names = x1(values, bands)
                    if result:
                        return result, names
                    result, found = x2(values, bands)
                    if result:
                        return result, found
                    return result, names | found

            else:

                def explain(values: Values, bands: Bands) -> tuple[Any, frozenset[str]]:
                    result, names = x1(values, bands)
                    if not result:
                        return result, names
                    result, found = x2(values, bands)
                    if not result:
                        return result, found
                    return result, names | found

        elif is_or:

            def explain(values: Values, bands: Bands) -> tuple[Any, frozenset[str]]:
                names = _EMPTY
                for x in exs:
                    result, found = x(values, bands)
                    if result:
                        return result, found  # the first true operand decided it
                    names = names | found
                return result, names

        else:

            def explain(values: Values, bands: Bands) -> tuple[Any, frozenset[str]]:
                names = _EMPTY
                for x in exs:
                    result, found = x(values, bands)
                    if not result:
                        return result, found  # the first false operand decided it
                    names = names | found
                return result, names

        return _Part(evaluate, explain, _common_type(parts))

    def unaryop(self, node: ast.UnaryOp) -> _Part:
        operand = self.compile(node.operand)
        if isinstance(node.op, ast.Not):
            f, x = operand.evaluate, operand.explain

            def evaluate(values: Values, bands: Bands) -> Any:
                return not f(values, bands)

            def explain(values: Values, bands: Bands) -> tuple[Any, frozenset[str]]:
                value, names = x(values, bands)
                return not value, names

            return _Part(evaluate, explain, "bool")
        if isinstance(node.op, (ast.USub, ast.UAdd)):
            symbol, fn = ("-", _neg) if isinstance(node.op, ast.USub) else ("+", _pos)
            self.check_arithmetic(operand, symbol)
            if operand.type == "number" and operand.literal is not _NOT_LITERAL:
                return _constant_part(fn(operand.literal))  # so [-1, 0] is a list of literals
            return _apply(fn, [operand], "number")
        raise ExpressionError(_REJECTED_OPS.get(type(node.op), "this operator is not allowed"))

    def binop(self, node: ast.BinOp) -> _Part:
        entry = _BINARY_OPS.get(type(node.op))
        if entry is None:
            raise ExpressionError(_REJECTED_OPS.get(type(node.op), "this operator is not allowed"))
        symbol, fn = entry
        left, right = self.compile(node.left), self.compile(node.right)
        self.check_arithmetic(left, symbol)
        self.check_arithmetic(right, symbol)
        if fn is not _add:
            return _apply(fn, [left, right], "number")
        # a + b + c + ... (scores that add up flags) is ((a + b) + c) + ...: one loop, same order
        terms = (left.terms or (left,)) + (right,)
        if len(terms) == 2:
            part = _apply(fn, [left, right], "number")
        else:
            evaluate, explain = _sum_closures(terms)
            answered = _answered_names(terms)
            if answered is not None:
                explain = _flat_explain(evaluate, answered)
            part = _Part(evaluate, explain, "number")
            part.answered = answered
        part.terms = terms
        return part

    def compare(self, node: ast.Compare) -> _Part:
        parts = [self.compile(node.left)] + [self.compile(c) for c in node.comparators]
        ops: list[Callable[[Any, Any], bool]] = []
        for i, op in enumerate(node.ops):
            entry = _COMPARE_OPS.get(type(op))
            if entry is None:
                raise ExpressionError(_REJECTED_OPS.get(type(op), "this comparison is not allowed"))
            self.check_comparison(parts[i], op, entry[0], parts[i + 1])
            ops.append(entry[1])
        for i, op in enumerate(node.ops):  # after the checks, which need the original parts
            if type(op) in _MEMBERSHIP and isinstance(parts[i + 1].literal, list):
                parts[i + 1] = _set_part(parts[i + 1].literal)  # fast, hashable membership test
        if len(ops) == 1:
            left, right = parts
            evaluate = _compare_evaluator(type(node.ops[0]), left, right)
            return _apply(ops[0], parts, "bool", evaluate)

        first_ev, first_ex = parts[0].evaluate, parts[0].explain
        chain_ev = tuple(zip(ops, (p.evaluate for p in parts[1:])))
        chain_ex = tuple(zip(ops, (p.explain for p in parts[1:])))

        def evaluate(values: Values, bands: Bands) -> Any:
            a = first_ev(values, bands)
            for op_fn, f in chain_ev:
                b = f(values, bands)
                if not op_fn(a, b):
                    return False
                a = b
            return True

        def explain(values: Values, bands: Bands) -> tuple[Any, frozenset[str]]:
            a, names = first_ex(values, bands)
            for op_fn, x in chain_ex:
                b, found = x(values, bands)
                names = names | found
                if not op_fn(a, b):
                    return False, names
                a = b
            return True, names

        return _Part(evaluate, explain, "bool")

    def ifexp(self, node: ast.IfExp) -> _Part:
        test, body, orelse = self.compile(node.test), self.compile(node.body), self.compile(node.orelse)
        ft, fb, fo = test.evaluate, body.evaluate, orelse.evaluate
        xt, xb, xo = test.explain, body.explain, orelse.explain

        def evaluate(values: Values, bands: Bands) -> Any:
            return fb(values, bands) if ft(values, bands) else fo(values, bands)

        def explain(values: Values, bands: Bands) -> tuple[Any, frozenset[str]]:
            condition, names = xt(values, bands)
            value, found = (xb if condition else xo)(values, bands)
            return value, names | found

        return _Part(evaluate, explain, _common_type([body, orelse]))

    # -- calls --

    def call(self, node: ast.Call) -> _Part:
        self.leaves(1)  # the function's name
        func = node.func
        if not isinstance(func, ast.Name):
            raise ExpressionError(
                _REJECTED_NODES.get(type(func)) or f"only these functions can be called: {_FUNCTION_LIST}"
            )
        fname = func.id
        if fname.startswith("_"):
            raise ExpressionError(f"names starting with '_' are not allowed ('{fname}')")
        entry = _FUNCTIONS.get(fname)
        if entry is None:
            what = f"'{fname}' is a question or score, not a function" if fname in self.names else (
                f"unknown function '{fname}'{_suggest(fname, _FUNCTIONS)}"
            )
            raise ExpressionError(f"{what}; the functions are {_FUNCTION_LIST}")
        handler, (low, high), usage = entry
        if node.keywords:
            raise ExpressionError(f"keyword arguments are not allowed; write {usage}")
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise ExpressionError(f"'*' unpacking is not allowed; write {usage}")
        if not low <= len(node.args) <= high:
            raise ExpressionError(f"{fname}() got {len(node.args)} argument(s); write {usage}")
        return handler(self, node.args)

    def bare_name(self, arg: ast.expr, fname: str) -> tuple[str, NameInfo]:
        if not isinstance(arg, ast.Name) or arg.id in _LOWERCASE_CONSTANTS:
            usage = _FUNCTIONS[fname][2]
            raise ExpressionError(f"{fname}() needs a question or score id, not an expression; write {usage}")
        self.leaves(1)
        return arg.id, self.lookup(arg.id)

    def fn_answered(self, args: list[ast.expr]) -> _Part:
        ident, _ = self.bare_name(args[0], "answered")
        only = frozenset((ident,))

        def evaluate(values: Values, bands: Bands) -> Any:
            return values.get(ident) is not None

        def explain(values: Values, bands: Bands) -> tuple[Any, frozenset[str]]:
            return values.get(ident) is not None, only  # answered or not, this name decided it

        return _Part(evaluate, explain, "bool")

    def fn_band(self, args: list[ast.expr]) -> _Part:
        ident, info = self.bare_name(args[0], "band")
        if info.kind != "score":
            raise ExpressionError(f"band() needs a score id, and '{ident}' is a question")
        only = frozenset((ident,))

        def evaluate(values: Values, bands: Bands) -> Any:
            return bands.get(ident)

        def explain(values: Values, bands: Bands) -> tuple[Any, frozenset[str]]:
            label = bands.get(ident)
            return label, (_EMPTY if label is None else only)

        return _Part(evaluate, explain, "str")

    def fn_count(self, args: list[ast.expr]) -> _Part:
        ident, info = self.bare_name(args[0], "count")
        if info.kind != "question" or info.qtype not in ("choice", "multi_choice"):
            raise ExpressionError(f"count() needs a choice or multi-choice question, and '{ident}' is not one")
        wanted: list[str] = []
        for arg in args[1:]:
            if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                raise ExpressionError(f"count() values must be 'strings', e.g. count({ident}, 'a', 'b')")
            self.leaves(1)
            self.check_choice(ident, info, arg.value)
            if arg.value in wanted:
                raise ExpressionError(f"count() lists {arg.value!r} twice; give each value once")
            wanted.append(arg.value)
        targets = frozenset(wanted)
        only = frozenset((ident,))

        def evaluate(values: Values, bands: Bands) -> Any:
            answer = values.get(ident)
            if answer.__class__ is list:  # the usual multi-choice answer: distinct targets chosen
                try:
                    return len(targets.intersection(answer))
                except TypeError:  # an unhashable item in an odd value: count the slow way
                    return sum(1 for value in targets if value in answer)
            if answer.__class__ is str:
                return 1 if answer in targets else 0
            if isinstance(answer, (list, tuple)):
                return sum(1 for value in targets if value in answer)
            return 0  # unanswered (or an unexpected value)

        def explain(values: Values, bands: Bands) -> tuple[Any, frozenset[str]]:
            if values.get(ident) is None:
                return 0, _EMPTY  # what evaluate gives for an unanswered question
            return evaluate(values, bands), only

        part = _Part(evaluate, explain, "number")
        part.count_of = (ident, targets)
        part.answered = (ident,)
        return part

    def fn_len(self, args: list[ast.expr]) -> _Part:
        part = self.compile(args[0])
        if part.type in _NUMBERISH:
            raise ExpressionError(f"len() needs a list or text, not {self.describe(part)}")
        return _apply(_len, [part], "number")

    def fn_min(self, args: list[ast.expr]) -> _Part:
        return _apply(_min, self.numeric_args(args, "min"), "number")

    def fn_max(self, args: list[ast.expr]) -> _Part:
        return _apply(_max, self.numeric_args(args, "max"), "number")

    def fn_abs(self, args: list[ast.expr]) -> _Part:
        return _apply(_abs, self.numeric_args(args, "abs"), "number")

    def fn_round(self, args: list[ast.expr]) -> _Part:
        parts = self.numeric_args(args[:1], "round")
        if len(args) == 2:
            digits = self.compile(args[1]).literal
            # A literal keeps round(x, -10**9) from computing 10**(10**9).
            if digits.__class__ is not int or not -9 <= digits <= 9:
                raise ExpressionError("round() digits must be a whole number from -9 to 9, e.g. round(x, 1)")
            return _apply(lambda x: _round(x, digits), parts, "number")
        return _apply(_round, parts, "number")

    def numeric_args(self, args: list[ast.expr], fname: str) -> list[_Part]:
        parts = [self.compile(a) for a in args]
        for part in parts:
            if part.type in ("str", "list"):
                raise ExpressionError(f"{fname}() needs numbers, not {self.describe(part)}")
        return parts

    # -- static checks: catch typos in clinical rules at load time --

    def check_arithmetic(self, part: _Part, symbol: str) -> None:
        if part.type in ("str", "list"):
            raise ExpressionError(f"cannot use {self.describe(part)} with '{symbol}'; arithmetic needs numbers")

    def check_bare_strings(self, parts: Sequence[_Part], word: str) -> None:
        """``x == 'a' or 'b'`` is always true: the classic slip in a hand-written rule."""
        if not any(p.type == "bool" for p in parts):
            return
        for part in parts:
            if isinstance(part.literal, str):
                raise ExpressionError(
                    f"{part.literal!r} on its own in '{word}' is always true; "
                    f"compare it, e.g. x == {part.literal!r} or x in [...]"
                )

    def check_choice(self, ident: str, info: NameInfo, value: Any) -> None:
        if info.choices is not None and value not in info.choices:
            choices = ", ".join(sorted(info.choices))
            raise ExpressionError(f"{value!r} is not a choice of '{ident}' (choices: {choices})")

    def check_comparison(self, left: _Part, op: ast.cmpop, symbol: str, right: _Part) -> None:
        membership = type(op) in _MEMBERSHIP
        ordering = type(op) in _ORDERING
        for question, other in ((left, right), (right, left)):
            info = self.names.get(question.name) if question.name else None
            if info is None or info.kind != "question":
                continue
            ident, literal = question.name, other.literal
            if isinstance(literal, list):
                items = literal
            else:
                items = [] if literal is None or literal is _NOT_LITERAL else [literal]
            if info.qtype == "yes_no":
                for item in items:
                    if isinstance(item, str):
                        raise ExpressionError(
                            f"'{ident}' is a yes/no question: compare it with True or False, not {item!r}"
                        )
            if info.qtype not in ("choice", "multi_choice"):
                continue
            if ordering:
                what = _QTYPE_WORDS[info.qtype]
                raise ExpressionError(f"'{ident}' is a {what}: use '==' or 'in', not '{symbol}'")
            for item in items:
                if item is not None:
                    self.check_choice(ident, info, item)
            if info.qtype == "multi_choice" and isinstance(literal, str) and not membership:
                raise ExpressionError(
                    f"'{ident}' is a multi-choice question (a list of answers): "
                    f"write {literal!r} in {ident}, not '{symbol}'"
                )
            if info.qtype == "multi_choice" and membership and question is left and isinstance(literal, list):
                raise ExpressionError(
                    f"'{ident}' is a multi-choice question (a list of answers): "
                    f"write count({ident}, ...) >= 1 to test for any of several values"
                )
        lt, rt = left.type, right.type
        if lt is None or rt is None or "none" in (lt, rt):
            return  # unknown at compile time, or a deliberate test for a missing value
        if ordering:
            ok = (lt in _NUMBERISH and rt in _NUMBERISH) or lt == rt == "str"
        elif membership:
            ok = rt == "list" or lt == rt == "str"
        else:
            ok = lt == rt or (lt in _NUMBERISH and rt in _NUMBERISH)
        if not ok:
            raise ExpressionError(
                f"cannot compare {self.describe(left)} with {self.describe(right)} using '{symbol}'; "
                "they are different kinds of value"
            )

    def describe(self, part: _Part) -> str:
        if part.name is not None:
            info = self.names[part.name]
            return f"score '{part.name}'" if info.kind == "score" else (
                f"{_QTYPE_WORDS.get(info.qtype or '', 'question')} '{part.name}'"
            )
        if part.literal is not _NOT_LITERAL:
            return f"the {'list' if isinstance(part.literal, list) else 'value'} {part.literal!r}"
        return {"str": "a text", "list": "a list", "bool": "a true/false value", "number": "a number"}.get(
            part.type or "", "a value"
        )


def _set_part(items: list[Any]) -> _Part:
    """The right side of ``x in [...]`` as a frozenset constant (literals are hashable)."""
    part = _constant_part(frozenset(items))
    result = _Part(part.evaluate, part.explain, "list", literal=part.literal)
    result.answered = ()
    return result


def _suggest(word: str, candidates: Any, otherwise: str = "") -> str:
    match = get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f", did you mean '{match[0]}'?" if match else otherwise


def _rejection(node: ast.AST) -> str:
    message = _REJECTED_NODES.get(type(node))
    if message:
        return message
    return f"{type(node).__name__} is not allowed in an expression"


_HANDLERS: dict[type, Callable[[_Compiler, Any], _Part]] = {
    ast.Constant: _Compiler.constant,
    ast.Name: _Compiler.name,
    ast.List: _Compiler.sequence,
    ast.Tuple: _Compiler.sequence,
    ast.BoolOp: _Compiler.boolop,
    ast.UnaryOp: _Compiler.unaryop,
    ast.BinOp: _Compiler.binop,
    ast.Compare: _Compiler.compare,
    ast.IfExp: _Compiler.ifexp,
    ast.Call: _Compiler.call,
}

# name -> (handler, (min args, max args), usage shown in errors)
_FUNCTIONS: dict[str, tuple[Callable[[_Compiler, list[ast.expr]], _Part], tuple[int, int], str]] = {
    "answered": (_Compiler.fn_answered, (1, 1), "answered(question)"),
    "band": (_Compiler.fn_band, (1, 1), "band(score)"),
    "count": (_Compiler.fn_count, (2, MAX_NODES), "count(question, 'value', ...)"),
    "len": (_Compiler.fn_len, (1, 1), "len(x)"),
    "min": (_Compiler.fn_min, (1, MAX_NODES), "min(a, b, ...)"),
    "max": (_Compiler.fn_max, (1, MAX_NODES), "max(a, b, ...)"),
    "abs": (_Compiler.fn_abs, (1, 1), "abs(x)"),
    "round": (_Compiler.fn_round, (1, 2), "round(x) or round(x, digits)"),
}
_FUNCTION_LIST = ", ".join(sorted(_FUNCTIONS))
