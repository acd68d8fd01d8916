"""FHIRPath, the little pmpt needs of it: writing it for exports, reading a subset for imports.

pmpt never evaluates FHIRPath. On export it writes expressions other tools run:
``to_fhirpath`` turns a checked pmpt expression (an ``enable_if``) into an equivalent
FHIRPath boolean, keeping pmpt's rule that a missing answer makes a comparison false
(every comparison goes through ``iif``, which treats empty as false). On import,
``parse`` reads an expression into a small tree, so the importer can recognise the
idioms that sum answer weights whatever their spacing or nesting; anything outside the
subset is refused with ``FhirPathError``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from typing import Any

MAX_CHARS = 20_000
MAX_DEPTH = 60


class FhirPathError(ValueError):
    """An expression outside what pmpt writes or reads."""


def string(text: str) -> str:
    """A FHIRPath string literal."""
    escaped = text.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n").replace("\r", "\\r")
    return f"'{escaped}'"


def number(value: float) -> str:
    """A FHIRPath number literal (never in exponent form)."""
    if isinstance(value, bool):
        raise FhirPathError("a boolean is not a number")
    if isinstance(value, int):
        return str(value)
    text = repr(value)
    if "e" in text or "E" in text:
        text = format(value, ".20f").rstrip("0").rstrip(".")
    return text


def item_path(link_id: str) -> str:
    """The items with this linkId, anywhere in the response."""
    return f"%resource.repeat(item).where(linkId = {string(link_id)})"


# -- pmpt expression -> FHIRPath -------------------------------------------------------


class Names:
    """What the writer knows about each name: its type, link id and how its choices are coded."""

    def __init__(
        self,
        types: dict[str, str],
        links: dict[str, str],
        codes: Callable[[str, str], Any],
        coded: Callable[[str], bool],
    ) -> None:
        self.types = types  # question id -> pmpt type
        self.links = links  # question id -> linkId
        self.codes = codes  # (question id, choice value) -> the code or value FHIR holds for it
        self.coded = coded  # question id -> whether its options are Codings (compare .code)


def to_fhirpath(source: str, names: Names) -> str:
    """A FHIRPath boolean that holds exactly when the pmpt expression ``source`` is true.

    For expressions over questions (``enable_if``); a score or ``band()`` raises
    ``FhirPathError``.
    """
    tree = ast.parse(source.strip(), mode="eval").body
    return _Writer(names).boolean(tree)


class _Writer:
    def __init__(self, names: Names) -> None:
        self.names = names

    def question(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Name) and node.id in self.names.types:
            return node.id
        return None

    def answers(self, qid: str) -> str:
        path = f"{item_path(self.names.links[qid])}.answer.value"
        if self.names.types[qid] in ("choice", "multi_choice") and self.names.coded(qid):
            return f"{path}.code"
        return path

    def literal(self, node: ast.AST, qid: str | None) -> str | None:
        """A constant (or list of constants) as FHIRPath; a choice value as its code when ``qid`` is a choice."""
        if isinstance(node, (ast.List, ast.Tuple)):
            items = [self.literal(e, qid) for e in node.elts]
            if any(i is None for i in items):
                return None
            return "(" + " | ".join(items) + ")" if items else "{}"  # type: ignore[arg-type]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
            inner = self.literal(node.operand, None)
            return None if inner is None else f"-{inner}"
        if isinstance(node, ast.Name) and node.id in ("true", "false", "none", "True", "False", "None"):
            node = ast.Constant({"true": True, "false": False, "none": None}.get(node.id.lower()))
        if not isinstance(node, ast.Constant):
            return None
        value = node.value
        if value is None:
            return "{}"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str):
            if qid is not None and self.names.types[qid] in ("choice", "multi_choice"):
                code = self.names.codes(qid, value)
                return number(code) if isinstance(code, int) else string(str(code))
            return string(value)
        if not isinstance(value, (int, float)):
            return None
        return number(value)

    def value(self, node: ast.AST, qid: str | None = None) -> str:
        constant = self.literal(node, qid)
        if constant is not None:
            return constant
        if isinstance(node, ast.Name):
            if node.id not in self.names.types:
                raise FhirPathError(f"'{node.id}' is not a question: only questions can be written as FHIRPath here")
            return self.answers(node.id)
        if isinstance(node, ast.BinOp):
            symbol = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}.get(type(node.op))
            if symbol is None:
                raise FhirPathError("unsupported operator")
            return f"({self.value(node.left)} {symbol} {self.value(node.right)})"
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return f"(0 - {self.value(node.operand)})"
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd):
            return self.value(node.operand)
        if isinstance(node, ast.IfExp):
            return f"iif({self.boolean(node.test)}, {self.value(node.body)}, {self.value(node.orelse)})"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return self.call(node.func.id, node.args)
        return self.boolean(node)  # a comparison or and/or/not used as a value

    def call(self, name: str, args: list[ast.expr]) -> str:
        if name == "answered":
            qid = self.question(args[0])
            if qid is None:
                raise FhirPathError("answered() of a score")
            return f"{item_path(self.names.links[qid])}.answer.exists()"
        if name == "count":
            qid = self.question(args[0])
            if qid is None:
                raise FhirPathError("count() of a score")
            wanted = "(" + " | ".join(self.literal(a, qid) or "{}" for a in args[1:]) + ")"
            return f"{item_path(self.names.links[qid])}.answer.value.where({'code' if self.names.coded(qid) else '$this'} in {wanted}).count()"  # noqa: E501
        if name == "len":
            qid = self.question(args[0])
            if qid is not None and self.names.types[qid] == "multi_choice":
                return f"{item_path(self.names.links[qid])}.answer.count()"
            return f"{self.value(args[0])}.length()"
        if name in ("min", "max"):
            parts = [self.value(a) for a in args]
            combined = parts[0] + "".join(f".combine({p})" for p in parts[1:])
            return f"({combined}).{name}()"
        if name == "abs":
            return f"({self.value(args[0])}).abs()"
        if name == "round":
            digits = self.value(args[1]) if len(args) > 1 else "0"
            return f"({self.value(args[0])}).round({digits})"
        raise FhirPathError(f"{name}() has no FHIRPath equivalent here")

    def boolean(self, node: ast.AST) -> str:
        """A FHIRPath expression that is always true or false (never empty), like pmpt's truth."""
        if isinstance(node, ast.BoolOp):
            joiner = " and " if isinstance(node.op, ast.And) else " or "
            return "(" + joiner.join(self.boolean(v) for v in node.values) + ")"
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return f"{self.boolean(node.operand)}.not()"
        if isinstance(node, ast.Compare):
            pairs = []
            left = node.left
            for op, right in zip(node.ops, node.comparators):
                pairs.append(self.comparison(left, op, right))
                left = right
            return pairs[0] if len(pairs) == 1 else "(" + " and ".join(pairs) + ")"
        constant = self.literal(node, None)
        if constant in ("true", "false"):
            return constant
        if constant is not None:
            raise FhirPathError("a constant that is not true or false used as a condition")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "answered":
            return self.call("answered", node.args)
        qid = self.question(node)
        if qid is not None:  # a bare answer: true as pmpt's truth is
            kind = self.names.types[qid]
            if kind == "yes_no":
                return f"iif({self.answers(qid)}, true, false)"
            if kind == "multi_choice":
                return f"{item_path(self.names.links[qid])}.answer.exists()"
            empty = "0" if kind in ("scale", "number") else "''"
            return f"iif({self.answers(qid)} != {empty}, true, false)"
        if isinstance(node, ast.IfExp):
            return f"iif({self.boolean(node.test)}, {self.boolean(node.body)}, {self.boolean(node.orelse)})"
        return f"iif({self.value(node)} != 0, true, false)"  # a number used as a condition

    def comparison(self, left: ast.AST, op: ast.cmpop, right: ast.AST) -> str:
        lq, rq = self.question(left), self.question(right)
        lhs = self.value(left, rq)
        rhs = self.value(right, lq)
        if isinstance(op, (ast.In, ast.NotIn)):
            if rq is not None and self.names.types[rq] == "multi_choice":
                test = f"{lhs} in {rhs}"
            elif isinstance(right, (ast.List, ast.Tuple)) or rq is not None:
                test = f"{lhs} in {rhs}"
            else:  # text in text
                test = f"{rhs}.contains({lhs})"
            return f"iif({test}, {'true, false' if isinstance(op, ast.In) else 'false, true'})"
        symbol = {ast.Eq: "=", ast.NotEq: "=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}[type(op)]
        if isinstance(op, ast.NotEq):
            return f"iif({lhs} = {rhs}, false, true)"
        return f"iif({lhs} {symbol} {rhs}, true, false)"


# -- reading FHIRPath ------------------------------------------------------------------

_TOKEN = re.compile(
    r"""\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<str>'(?:\\.|[^'\\])*')|(?P<var>%(?:`[^`]*`|[A-Za-z_][A-Za-z0-9_]*))"""
    r"""|(?P<id>\$?[A-Za-z_][A-Za-z0-9_]*|`[^`]*`)|(?P<op><=|>=|!=|!~|[-+*/|=<>~(),.{}&\[\]]))"""
)
_BINARY = [("or", "xor"), ("and",), ("in", "contains"), ("=", "!=", "~", "!~"), ("<", "<=", ">", ">="), ("|",),
           ("+", "-", "&"), ("*", "/", "div", "mod")]  # fmt: skip


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens = []
    at = 0
    text = text.strip()
    while at < len(text):
        match = _TOKEN.match(text, at)
        if match is None or match.end() == at:
            raise FhirPathError(f"cannot read FHIRPath at character {at + 1}: {text[at : at + 20]!r}")
        kind = match.lastgroup or ""
        value = match.group(kind)
        tokens.append((kind, value))
        at = match.end()
        while at < len(text) and text[at].isspace():
            at += 1
    return tokens


def parse(text: str) -> Any:
    """A FHIRPath expression as nested tuples:

    ``("num", 1.0)``, ``("str", "x")``, ``("empty",)``, ``("var", "name")``, ``("this", "$this")``,
    ``("call", name, [args])`` for a function applied to nothing (``iif(...)``),
    ``("member", target, name)`` for ``target.name``, ``("invoke", target, name, [args])`` for
    ``target.name(args)``, ``("op", symbol, left, right)``, ``("neg", x)``.
    """
    if len(text) > MAX_CHARS:
        raise FhirPathError(f"expression longer than {MAX_CHARS} characters")
    parser = _Parser(_tokens(text))
    tree = parser.expression(0)
    if parser.at != len(parser.tokens):
        raise FhirPathError(f"unexpected {parser.tokens[parser.at][1]!r}")
    return tree


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.at = 0
        self.depth = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            raise FhirPathError(f"expected {value!r}" if value else "unexpected end of expression")
        self.at += 1
        return token

    def expression(self, level: int) -> Any:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FhirPathError("expression nested too deeply")
        try:
            if level == len(_BINARY):
                return self.unary()
            left = self.expression(level + 1)
            while (token := self.peek()) is not None and token[1] in _BINARY[level] and token[0] in ("op", "id"):
                self.at += 1
                left = ("op", token[1], left, self.expression(level + 1))
            return left
        finally:
            self.depth -= 1

    def unary(self) -> Any:
        token = self.peek()
        if token is not None and token[1] in ("-", "+") and token[0] == "op":
            self.at += 1
            inner = self.unary()
            return ("neg", inner) if token[1] == "-" else inner
        return self.postfix(self.primary())

    def arguments(self) -> list[Any]:
        self.take("(")
        args: list[Any] = []
        if self.peek() is not None and self.peek()[1] == ")":  # type: ignore[index]
            self.at += 1
            return args
        while True:
            args.append(self.expression(0))
            if self.take()[1] == ")":
                return args

    def primary(self) -> Any:
        kind, value = self.take()
        if kind == "num":
            return ("num", float(value) if "." in value else int(value))
        if kind == "str":
            return ("str", _unescape(value[1:-1]))
        if kind == "var":
            return ("var", value[1:].strip("`"))
        if value == "(":
            inner = self.expression(0)
            self.take(")")
            return inner
        if value == "{":
            self.take("}")
            return ("empty",)
        if kind == "id":
            if value in ("true", "false"):
                return ("bool", value == "true")
            if value.startswith("$"):
                return ("this", value)
            name = value.strip("`")
            if self.peek() is not None and self.peek()[1] == "(":  # type: ignore[index]
                return ("call", name, self.arguments())
            return ("member", None, name)
        raise FhirPathError(f"unexpected {value!r}")

    def postfix(self, node: Any) -> Any:
        while (token := self.peek()) is not None and token[1] in (".", "["):
            self.at += 1
            if token[1] == "[":
                index = self.expression(0)
                self.take("]")
                node = ("index", node, index)
                continue
            kind, name = self.take()
            if kind != "id":
                raise FhirPathError(f"expected a name after '.', not {name!r}")
            name = name.strip("`")
            if self.peek() is not None and self.peek()[1] == "(":  # type: ignore[index]
                node = ("invoke", node, name, self.arguments())
            else:
                node = ("member", node, name)
        return node


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "r": "\r", "t": "\t"}.get(m.group(1), m.group(1)), text)
