"""Compiled expressions: what a questionnaire's conditions and scores become.

An expression is checked by ``checker`` (the language and its allow-list) into a tree of
parts; ``codegen`` prints that tree as small Python functions (evaluate, explain) and
compiles them, when first needed. The author's text is never run.

Evaluation never raises: a missing answer (``None``) makes ordering comparisons
false, arithmetic ``None`` and membership tests false, following
docs/questionnaire-format.md, "Expressions".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from pmpt_cli.expr import runtime
from pmpt_cli.expr.names import NameInfo

if TYPE_CHECKING:
    from pmpt_cli.expr.checker import _Part

# NameInfo lives in expr.names; it is re-exported for those who call compile_expression.
__all__ = ["CompiledExpression", "NameInfo", "compile_expression"]

Values = Mapping[str, Any]
Bands = Mapping[str, "str | None"]
Evaluator = Callable[[Values, Bands], Any]
Explainer = Callable[[Values, Bands], "tuple[Any, frozenset[str]]"]

_NO_BANDS: Bands = MappingProxyType({})

# A plain slotted class, not a dataclass: @dataclass costs ~0.2 ms per class at import,
# and `dataclasses` itself ~0.4 ms, on every start (docs/performance.md).


class CompiledExpression:
    """A checked expression, ready to evaluate many times. Equal when source and names are.

    Its Python functions are compiled on first use: a triage runs the questionnaire's
    program (engine.compile_program) instead, so most expressions never need their own.
    """

    __slots__ = ("source", "names", "_flat", "_make", "_evaluate", "_explain", "_fast")

    def __init__(
        self,
        source: str,
        names: frozenset[str],
        flat: tuple[str, ...] | None,
        make: Callable[[], runtime.ExpressionCode],
    ) -> None:
        setter = object.__setattr__  # set once here; __setattr__ refuses any later change
        setter(self, "source", source)
        setter(self, "names", names)  # every question/score id referenced, including function arguments
        # When not None, explain() is (evaluate(), the answered ones of these names, sorted).
        setter(self, "_flat", flat)
        setter(self, "_make", make)  # the code of the three functions below, when first needed

    def __getattr__(self, name: str) -> Any:
        """``_evaluate``, ``_explain`` and ``_fast`` (evaluate() for checked answers and computed
        scores only: no type checks), compiled the first time one is asked for."""
        if name not in ("_evaluate", "_explain", "_fast"):
            raise AttributeError(name)
        for slot, function in zip(("_evaluate", "_explain", "_fast"), runtime.functions(self._make()), strict=True):
            object.__setattr__(self, slot, function)
        return object.__getattribute__(self, name)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"a compiled expression cannot change (tried to set {name!r})")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CompiledExpression):
            return NotImplemented
        return self.source == other.source and self.names == other.names

    def __hash__(self) -> int:
        return hash((self.source, self.names))

    def __repr__(self) -> str:
        return f"CompiledExpression({self.source!r})"

    def evaluate(self, values: Values, bands: Bands = _NO_BANDS) -> Any:
        """The value for any answers/scores (``values``) and score bands; never raises.

        The reference the tests hold the generated code to: a triage runs the
        questionnaire's program instead (pmpt_cli/program.py).
        """
        return self._evaluate(values, bands)

    def evaluate_checked(self, values: Values, bands: Bands = _NO_BANDS) -> Any:
        """``evaluate`` for values of the types checking guarantees (a choice answer is one
        of its values, a scale a number, a score a number or ``None``), without the type
        checks: the typed code the program prints too."""
        return self._fast(values, bands)

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
    from pmpt_cli.expr.checker import check

    return expression_from_tree(source, *check(source, names))


def expression_from_tree(source: str, part: _Part, referenced: frozenset[str]) -> CompiledExpression:
    """The expression ``checker.check`` checked, its functions compiled when first used."""
    flat = None if part.answered is None else tuple(sorted(part.answered))
    from pmpt_cli.expr.codegen import generate

    return CompiledExpression(source, referenced, flat, partial(generate, part))


def expression_from_summary(
    source: str, referenced: frozenset[str], flat: tuple[str, ...] | None, names: Mapping[str, NameInfo]
) -> CompiledExpression:
    """An expression checked before (the loader's cache keeps ``referenced`` and ``flat``).

    Should its functions be needed, it is checked and compiled again, against ``names``.
    """

    def make() -> runtime.ExpressionCode:
        from pmpt_cli.expr.checker import check
        from pmpt_cli.expr.codegen import generate

        return generate(check(source, names)[0])

    return CompiledExpression(source, referenced, flat, make)
