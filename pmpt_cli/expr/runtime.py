"""What generated code calls, and how its code objects become functions.

codegen prints a checked expression tree as Python and compiles it; the functions it
makes run here, with these helpers and nothing else (empty builtins). Every helper keeps
the expression language's promise never to raise: a missing answer (``None``) makes
ordering comparisons and membership tests false and arithmetic ``None``
(docs/questionnaire-format.md, "Expressions"). A separate module from codegen so that a
run whose questionnaire comes from the cache never imports the printer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import FunctionType
from typing import Any

from pmpt_cli.records import Record

_EMPTY: frozenset[str] = frozenset()
_NUMERIC: frozenset[type[float]] = frozenset({int, float, bool})  # exact classes: answers are plain TOML/JSON values
#: An integer result past this becomes a float (infinite past 1e308): a score that
#: multiplies a score that multiplies answers would otherwise grow to millions of digits,
#: and a mean of it overflowed.
_BIG_INT = 10**18


def _bounded(x: Any) -> Any:
    if x.__class__ is int and not -_BIG_INT <= x <= _BIG_INT:
        try:
            return float(x)
        except OverflowError:
            return float("inf") if x > 0 else float("-inf")
    return x


def _add(a: Any, b: Any) -> Any:
    if a.__class__ in _NUMERIC and b.__class__ in _NUMERIC:
        try:
            return _bounded(a + b)
        except OverflowError:  # huge int mixed with a float
            return None
    return None


def _sub(a: Any, b: Any) -> Any:
    if a.__class__ in _NUMERIC and b.__class__ in _NUMERIC:
        try:
            return _bounded(a - b)
        except OverflowError:
            return None
    return None


def _mul(a: Any, b: Any) -> Any:
    # Numbers only: 'ab' * 10**9 would be a memory bomb.
    if a.__class__ in _NUMERIC and b.__class__ in _NUMERIC:
        try:
            return _bounded(a * b)
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


def _sum(*terms: Any) -> Any:
    """``a + b + c ...`` left to right: ``None`` as soon as a term is not a number."""
    total = terms[0]
    for value in terms[1:]:
        if total.__class__ in _NUMERIC and value.__class__ in _NUMERIC:
            try:
                total = _bounded(total + value)
            except OverflowError:
                return None
        else:
            return None
    return total


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


def _eq(a: Any, b: Any) -> bool:
    return a == b


def _ne(a: Any, b: Any) -> bool:
    return a != b


def _chain(ops: tuple[Callable[[Any, Any], bool], ...], *values: Any) -> bool:
    """``a < b <= c``: every neighbouring pair holds."""
    return all(op(values[i], values[i + 1]) for i, op in enumerate(ops))


def _len(x: Any) -> Any:
    if x is None:
        return 0
    try:
        return len(x)
    except TypeError:
        return None


def _extreme(pick: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    present = [a for a in args if a is not None]
    if not present:
        return None
    try:
        return pick(present)
    except TypeError:
        return None


def _min(*args: Any) -> Any:
    return _extreme(min, args)


def _max(*args: Any) -> Any:
    return _extreme(max, args)


def _abs(x: Any) -> Any:
    return abs(x) if x.__class__ in _NUMERIC else None


def _round(x: Any, ndigits: int | None = None) -> Any:
    if x.__class__ not in _NUMERIC:
        return None
    try:
        return round(x) if ndigits is None else round(x, ndigits)
    except (OverflowError, ValueError):  # inf / nan
        return None


def _count(answer: Any, targets: frozenset[str]) -> int:
    """How many of ``targets`` the answer holds (a multi-choice list, or one choice)."""
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


def _any_of(answer: Any, targets: frozenset[str]) -> bool:
    """``count(x, ...) >= 1`` without counting them all."""
    if answer.__class__ is list:
        try:
            return not targets.isdisjoint(answer)
        except TypeError:  # an unhashable item in an odd value
            pass
    elif answer.__class__ is str:
        return answer in targets
    return _count(answer, targets) >= 1


def _score_value(raw: Any) -> Any:
    """An expression score's value: a number (True counts 1) or ``None``."""
    if raw.__class__ is bool:
        return int(raw)
    return raw if isinstance(raw, (int, float)) else None


def _answered(get: Callable[[str], Any], names: tuple[str, ...]) -> frozenset[str]:
    return frozenset([n for n in names if get(n) is not None])


def _or_x(*pairs: tuple[Any, frozenset[str]]) -> tuple[Any, frozenset[str]]:
    """``or`` over (value, names) pairs: the first true one, else the last value and every name."""
    names = _EMPTY
    for value, found in pairs:
        if value:
            return value, found
        names = names | found
    return value, names


def _and_x(*pairs: tuple[Any, frozenset[str]]) -> tuple[Any, frozenset[str]]:
    """``and`` over (value, names) pairs: the first false one, else the last value and every name."""
    names = _EMPTY
    for value, found in pairs:
        if not value:
            return value, found
        names = names | found
    return value, names


def _chain_x(
    ops: tuple[Callable[[Any, Any], bool], ...], *pairs: tuple[Any, frozenset[str]]
) -> tuple[bool, frozenset[str]]:
    """A comparison chain: the names of every operand up to the first pair that fails."""
    names = pairs[0][1]
    for i, op in enumerate(ops):
        names = names | pairs[i + 1][1]
        if not op(pairs[i][0], pairs[i + 1][0]):
            return False, names
    return True, names


_RUNTIME: dict[str, Any] = {
    "__builtins__": {},  # nothing but the helpers: no open(), no __import__
    "_E": _EMPTY,
    "len": len,
    **{f.__name__: f for f in (
        _add, _sub, _mul, _div, _sum, _neg, _pos, _lt, _le, _gt, _ge, _eq, _ne, _in, _not_in, _chain,
        _len, _min, _max, _abs, _round, _count, _any_of, _answered, _or_x, _and_x, _chain_x,
        _score_value,
    )},
    "_new": tuple.__new__,
    "sum": sum,
    "map": map,
    "int": int,
    "float": float,
    "dict": dict,
    "max": max,
    "round": round,
}  # fmt: skip


class ExpressionCode(Record):
    """An expression's compiled functions, as code objects (see ``functions``)."""

    evaluate: Any  # code object of evaluate(values, bands)
    explain: Any  # code object of explain(values, bands)
    fast: Any  # code object of evaluate(values, bands) for checked answers (_TypedPrinter)
    constants: tuple[tuple[str, Any], ...]  # (name, frozenset or dict) the code reads as globals


class ProgramCode(Record):
    """A questionnaire's scores and conditions in one function (``generate_program``)."""

    code: Any  # code object of program(answers): see generate_program
    constants: tuple[tuple[str, Any], ...]
    explains: tuple[Any, ...]  # per rule, then per note: code of a typed explain(), or None if flat


def functions(code: ExpressionCode) -> tuple[Callable[..., Any], Callable[..., Any], Callable[..., Any]]:
    """``(evaluate, explain, fast)`` made from ``code``, sharing one namespace."""
    namespace = dict(_RUNTIME)
    namespace.update(code.constants)
    evaluate = namespace["evaluate"] = FunctionType(code.evaluate, namespace)
    return evaluate, FunctionType(code.explain, namespace), FunctionType(code.fast, namespace)


def program_functions(
    program: ProgramCode, names: Mapping[str, Any]
) -> tuple[Callable[[Any], Any], tuple[Callable[[Any, Any], Any] | None, ...]]:
    """The program and its explainers (see ``codegen.generate_program``).

    ``names`` adds what the program reads besides the helpers: the record classes it
    makes (``_ScoreResult``, ``_ProgramResult``) and, for tracebacks and debuggers,
    ``__name__`` and a ``__loader__`` whose ``get_source`` prints the source again
    (``linecache`` asks for it only when a line must be shown).
    """
    namespace = dict(_RUNTIME)
    namespace.update(program.constants)
    namespace.update(names)
    explains = tuple(None if code is None else FunctionType(code, namespace) for code in program.explains)
    return FunctionType(program.code, namespace), explains
