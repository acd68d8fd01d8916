"""The expression language: parse, check against the allow-list, build the checked tree.

Expressions look like Python but are parsed with ``ast.parse(mode="eval")`` and checked
node by node: only allow-listed nodes, known question and score ids, real choice values,
types that fit, within size limits. What comes out is a tree of checked parts
(``_Part``), which ``codegen`` prints as Python; nothing here runs anything. Every
rejection is one line saying what is wrong and how to fix it. docs/questionnaire-format.md,
"Expressions", is the language's reference.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from difflib import get_close_matches
from typing import Any

from pmpt_cli.errors import ExpressionError
from pmpt_cli.expr.names import NameInfo

MAX_SOURCE_CHARS = 1000
MAX_NODES = 400  # expression nodes (names, literals, operators, calls)
#: Across all of a questionnaire's expressions (pmpt-core has about 1,500): checking and
#: printing is bounded work whatever the file's size (builder.py enforces it).
MAX_TOTAL_NODES = 20_000
MAX_DEPTH = 40  # nesting of expression nodes, and separately of brackets
MAX_NUMBER = 1e9
MAX_STRING_CHARS = 200

_LOWERCASE_CONSTANTS: dict[str, Any] = {"true": True, "false": False, "none": None}
_NOT_LITERAL = object()  # marks a non-constant part; None is a real literal

_QTYPE_WORDS = {
    "choice": "choice question",
    "multi_choice": "multi-choice question",
    "yes_no": "yes/no question",
    "scale": "scale question",
    "number": "number question",
    "text": "text question",
    "date": "date question",
    "time": "time question",
}
_QTYPE_VALUE = {  # static type of a question's answer, when it has one
    "choice": "str",
    "multi_choice": "list",
    "yes_no": "bool",
    "scale": "number",
    "number": "number",
    "text": "str",
    "date": "str",  # YYYY-MM-DD: compares as text, and that orders dates
    "time": "str",  # HH:MM:SS
}
_NUMBERISH = frozenset({"number", "bool"})


def check(source: str, names: Mapping[str, NameInfo]) -> tuple[_Part, frozenset[str]]:
    """The checked tree of ``source`` and the ids it references (what ``codegen`` prints)."""
    body = _parse(source)
    compiler = _Compiler(names)
    try:
        part = compiler.compile(body)
    except ExpressionError:
        # The size limits outrank every other complaint: if the tree is too big or too
        # deep, say so (the exact message the full walk gives), else report the error.
        _check_size(body)
        raise
    return part, frozenset(compiler.referenced)


# -- parsing and limits --------------------------------------------------------


def _parse(source: str) -> ast.expr:
    if not isinstance(source, str):
        raise ExpressionError(f"an expression must be a string, not {type(source).__name__}")
    if len(source) > MAX_SOURCE_CHARS:
        raise ExpressionError(
            f"expression is {len(source)} characters long, more than {MAX_SOURCE_CHARS}; split it into named scores"
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


def without_comments(source: str) -> str:
    """``source`` as it is shown to people: its ``#`` comments removed, and trimmed.

    A comment is not part of the rule, yet it can look like one (``pain_now >= 7  # and
    age < 65``), and it is where escape sequences hid. The result parses to the same tree
    as ``source``; if the cheap scan below ever disagreed with Python's tokenizer, the
    tree itself is shown (``ast.unparse``).
    """
    text = source.strip()
    if "#" not in text:
        return text
    kept = _BRACKET_SCAN.sub(lambda m: "" if m.group().startswith("#") else m.group(), text)
    shown = "\n".join(line.rstrip() for line in kept.splitlines() if line.strip()).strip()
    try:
        same = ast.dump(ast.parse(shown, mode="eval")) == ast.dump(ast.parse(text, mode="eval"))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        same = False
    if same:
        return shown
    try:
        return ast.unparse(ast.parse(text, mode="eval"))
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # not an expression at all: as given
        return shown


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


def part_count(part: _Part) -> int:
    """How many parts a checked tree has (iteratively: a tree is at most ``MAX_DEPTH`` deep anyway)."""
    count = 0
    stack = [part]
    while stack:
        item = stack.pop()
        count += 1
        stack.extend(item.kids)
    return count


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
    return f"expression is nested more than {MAX_DEPTH} levels deep; simplify it or split it into named scores"


# Operators and the runtime helper that computes each (see runtime.py).
_BINARY_OPS: dict[type, tuple[str, str]] = {
    ast.Add: ("+", "_add"),
    ast.Sub: ("-", "_sub"),
    ast.Mult: ("*", "_mul"),
    ast.Div: ("/", "_div"),
}
_COMPARE_OPS: dict[type, tuple[str, str]] = {
    ast.Eq: ("==", "_eq"),
    ast.NotEq: ("!=", "_ne"),
    ast.Lt: ("<", "_lt"),
    ast.LtE: ("<=", "_le"),
    ast.Gt: (">", "_gt"),
    ast.GtE: (">=", "_ge"),
    ast.In: ("in", "_in"),
    ast.NotIn: ("not in", "_not_in"),
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
    """A checked node: what ``codegen`` prints (``op``, ``kids``, ``data``) plus what the
    static checks need.

    A plain slotted class: the compiler makes one per node. The optional fields are set
    right after a part is made; after that a part never changes (the parts of common
    literals are shared).
    """

    __slots__ = ("op", "kids", "data", "type", "literal", "name", "terms", "count_of", "answered")

    def __init__(
        self,
        op: str,  # see codegen._Printer.value: "const", "name", "call", "or", ...
        kids: tuple[_Part, ...] = (),
        data: Any = None,  # the constant, the id, the helper's name, ...
        type: str | None = None,  # "number", "bool", "str", "list", "none" or None (unknown)
        literal: Any = _NOT_LITERAL,  # the value, when the node is a constant or a list of constants
        name: str | None = None,  # the id, when the node is a bare question/score name
    ) -> None:
        self.op = op
        self.kids = kids
        self.data = data
        self.type = type
        self.literal = literal
        self.name = name
        self.terms: tuple[_Part, ...] | None = None  # the operands of a left-deep '+' chain
        self.count_of: tuple[str, frozenset[str], bool] | None = None  # (id, values, multi) of a count()
        # When not None, explain() is exactly (evaluate(), the answered ones of these names): true
        # of names, count() and constants, and of anything computed from them alone without
        # and/or/if (which credit only some operands), band() or answered().
        self.answered: tuple[str, ...] | None = None


# Parts for the str, int, bool and None literals seen so far: 'yes', 'unsure', 1 and 0 recur
# in nearly every rule, and a part is never changed once made.
_CONSTANT_PARTS: dict[tuple[type, Any], _Part] = {}


def _constant_part(value: Any) -> _Part:
    if isinstance(value, list):
        part = _Part("list", data=tuple(value), type="list", literal=value)
    else:
        part = _Part("const", data=value, type=_static_type(value), literal=value)
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


def _static_type(value: Any) -> str | None:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "str"
    if isinstance(value, (list, tuple, frozenset)):
        return "list"
    return None


def _common_type(parts: Sequence[_Part]) -> str | None:
    types = {p.type for p in parts}
    return types.pop() if len(types) == 1 else None


def _apply(op: str, parts: Sequence[_Part], type_: str | None, data: Any = None) -> _Part:
    """A part computed from ``parts`` alone: flat to explain if all of them are."""
    part = _Part(op, tuple(parts), data, type_)
    part.answered = _answered_names(parts)
    return part


class _Compiler:
    """Turns an AST into checked parts, rejecting anything not allow-listed or over the limits.

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
                raise ExpressionError(f"string of {len(value)} characters is too long; the limit is {MAX_STRING_CHARS}")
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
        type_ = "number" if info.kind == "score" else _QTYPE_VALUE.get(info.qtype or "")
        part = _Part("name", data=ident, type=type_, name=ident)
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
                raise ExpressionError("lists may hold only numbers, 'strings', True/False/None, e.g. ['yes', 'unsure']")
            items.append(part.literal)
        return _constant_part(items)  # a list either way, so it compares equal to multi-choice answers

    # -- operators --

    def boolop(self, node: ast.BoolOp) -> _Part:
        parts = [self.compile(v) for v in node.values]
        is_or = isinstance(node.op, ast.Or)
        op = "or" if is_or else "and"
        self.check_bare_strings(parts, op)
        # a or (b or c) is a or b or c, in value, order and explanation: one flat chain, so
        # parenthesised chains print as one short-circuit instead of blocks nested per level.
        flat = tuple(kid for part in parts for kid in (part.kids if part.op == op else (part,)))
        return _Part(op, flat, type=_common_type(parts))

    def unaryop(self, node: ast.UnaryOp) -> _Part:
        operand = self.compile(node.operand)
        if isinstance(node.op, ast.Not):
            return _Part("not", (operand,), type="bool")  # not flat: 'not' keeps the operand's names
        if isinstance(node.op, (ast.USub, ast.UAdd)):
            symbol = "-" if isinstance(node.op, ast.USub) else "+"
            self.check_arithmetic(operand, symbol)
            if operand.type == "number" and operand.literal is not _NOT_LITERAL:
                value = operand.literal
                return _constant_part(-value if symbol == "-" else +value)  # so [-1, 0] is a list of literals
            return _apply("call", [operand], "number", "_neg" if symbol == "-" else "_pos")
        raise ExpressionError(_REJECTED_OPS.get(type(node.op), "this operator is not allowed"))

    def binop(self, node: ast.BinOp) -> _Part:
        entry = _BINARY_OPS.get(type(node.op))
        if entry is None:
            raise ExpressionError(_REJECTED_OPS.get(type(node.op), "this operator is not allowed"))
        symbol, helper = entry
        left, right = self.compile(node.left), self.compile(node.right)
        self.check_arithmetic(left, symbol)
        self.check_arithmetic(right, symbol)
        if symbol != "+":
            return _apply("call", [left, right], "number", helper)
        # a + b + c + ... (scores that add up flags) is ((a + b) + c) + ...: one call, same order
        terms = (left.terms or (left,)) + (right,)
        part = _apply("sum", terms, "number")
        part.terms = terms
        return part

    def compare(self, node: ast.Compare) -> _Part:
        parts = [self.compile(node.left)] + [self.compile(c) for c in node.comparators]
        helpers: list[str] = []
        for i, op in enumerate(node.ops):
            entry = _COMPARE_OPS.get(type(op))
            if entry is None:
                raise ExpressionError(_REJECTED_OPS.get(type(op), "this comparison is not allowed"))
            self.check_comparison(parts[i], op, entry[0], parts[i + 1])
            helpers.append(entry[1])
        for i, op in enumerate(node.ops):  # after the checks, which need the original parts
            if type(op) in _MEMBERSHIP and isinstance(parts[i + 1].literal, list):
                parts[i + 1] = _set_part(parts[i + 1].literal)  # fast, hashable membership test
        if len(helpers) > 1:  # a < b <= c: not flat, it stops at the first pair that fails
            return _Part("chain", tuple(parts), tuple(helpers), "bool")
        left, right = parts
        op_type, constant = type(node.ops[0]), right.literal
        if (
            left.count_of is not None
            and constant.__class__ in (int, float)
            and ((op_type is ast.GtE and constant == 1) or (op_type is ast.Gt and constant == 0))
        ):
            # count(x, 'a', 'b') >= 1, the usual "any of these": no need to count them all.
            part = _Part("any_of", data=left.count_of, type="bool")
            part.answered = left.answered
            return part
        if op_type is ast.Eq or op_type is ast.NotEq:  # Python's own == and != never raise on answer values
            return _apply("==" if op_type is ast.Eq else "!=", parts, "bool")
        return _apply("call", parts, "bool", helpers[0])

    def ifexp(self, node: ast.IfExp) -> _Part:
        test, body, orelse = self.compile(node.test), self.compile(node.body), self.compile(node.orelse)
        return _Part("if", (test, body, orelse), type=_common_type([body, orelse]))

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
            what = (
                f"'{fname}' is a question or score, not a function"
                if fname in self.names
                else (f"unknown function '{fname}'{_suggest(fname, _FUNCTIONS)}")
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
        return _Part("answered", data=ident, type="bool")  # not flat: credited even when unanswered

    def fn_band(self, args: list[ast.expr]) -> _Part:
        ident, info = self.bare_name(args[0], "band")
        if info.kind != "score":
            raise ExpressionError(f"band() needs a score id, and '{ident}' is a question")
        return _Part("band", data=ident, type="str")  # not flat: credited when it has a band

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
        part = _Part("count", data=(ident, targets, info.qtype == "multi_choice"), type="number")
        part.count_of = part.data
        part.answered = (ident,)
        return part

    def fn_len(self, args: list[ast.expr]) -> _Part:
        part = self.compile(args[0])
        if part.type in _NUMBERISH:
            raise ExpressionError(f"len() needs a list or text, not {self.describe(part)}")
        return _apply("call", [part], "number", "_len")

    def fn_min(self, args: list[ast.expr]) -> _Part:
        return _apply("call", self.numeric_args(args, "min"), "number", "_min")

    def fn_max(self, args: list[ast.expr]) -> _Part:
        return _apply("call", self.numeric_args(args, "max"), "number", "_max")

    def fn_abs(self, args: list[ast.expr]) -> _Part:
        return _apply("call", self.numeric_args(args, "abs"), "number", "_abs")

    def fn_round(self, args: list[ast.expr]) -> _Part:
        parts = self.numeric_args(args[:1], "round")
        if len(args) == 2:
            digits = self.compile(args[1])
            # A literal keeps round(x, -10**9) from computing 10**(10**9).
            if digits.literal.__class__ is not int or not -9 <= digits.literal <= 9:
                raise ExpressionError("round() digits must be a whole number from -9 to 9, e.g. round(x, 1)")
            parts.append(digits)
        return _apply("call", parts, "number", "_round")

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
            assert ident is not None  # a question part has its name
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
            return (
                f"score '{part.name}'"
                if info.kind == "score"
                else (f"{_QTYPE_WORDS.get(info.qtype or '', 'question')} '{part.name}'")
            )
        if part.literal is not _NOT_LITERAL:
            return f"the {'list' if isinstance(part.literal, list) else 'value'} {part.literal!r}"
        return {"str": "a text", "list": "a list", "bool": "a true/false value", "number": "a number"}.get(
            part.type or "", "a value"
        )


def _set_part(items: list[Any]) -> _Part:
    """The right side of ``x in [...]`` as a frozenset constant (literals are hashable)."""
    return _constant_part(frozenset(items))


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
