"""Random answers files and random questionnaires (issue 13, item 9): whatever they hold,
pmpt never exits 70 (an internal error), never lets an escape sequence through, and gives
the same outcome every time (the second run of a questionnaire comes from the cache).
"""

from __future__ import annotations

import copy
import json
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import tomli_w
from helpers import FIXTURES, MINI_TOML
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmpt_cli.cli.app import app

MINI = tomllib.loads(MINI_TOML)
IDS = [q["id"] for q in MINI["questions"]] + [s["id"] for s in MINI["scores"]]
RANDOM = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                          HealthCheck.data_too_large])  # fmt: skip
GOOD = {"hot_joint": "no", "pain_now": 5, "pain_worst": 6, "limits": ["stairs"], "weeks": 10, "tried": True}

TEXT = st.text(st.characters(codec="utf-8"), max_size=12) | st.sampled_from(
    ["no", "yes", "unsure", "stairs", "none", "", "\x1b[2K", "\u202e", "1e999", "../x.toml", "mini", "pmpt-core"]
)
NUMBER = (
    st.integers(-(10**20), 10**20)
    | st.integers(-(10**4000), 10**4000)
    | st.floats()
    | st.sampled_from([0, 5, 10, 1e15])
)
SCALAR = st.none() | st.booleans() | NUMBER | TEXT
VALUE = st.recursive(SCALAR, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
                     max_leaves=12)  # fmt: skip


def _invoke(args: list[str], folder: Path) -> tuple[int, str, str]:
    import os

    from typer.testing import CliRunner

    before = os.getcwd()
    os.chdir(folder)
    try:
        result = CliRunner().invoke(app, args)
    finally:
        os.chdir(before)
    return result.exit_code, result.stdout, result.stderr


def _twice(args: list[str], folder: Path) -> tuple[int, str, str]:
    first = _invoke(args, folder)
    assert first[0] != 70, first[2]
    assert "Traceback" not in first[2] and "\x1b" not in first[1] + first[2]
    assert _invoke(args, folder) == first  # deterministic, and the same from the cache
    return first


def _toml_safe(value: Any) -> Any:
    """What TOML can hold: no null, no integers past 64 bits, string keys."""
    if value is None:
        return "none"
    if isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**63:
        return float(value) if abs(value) < 10**300 else 1e300
    if isinstance(value, list):
        return [_toml_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _toml_safe(v) for k, v in value.items()}
    return value


# -- random answers files --------------------------------------------------------------------

ANSWER_KEYS = st.sampled_from(IDS) | TEXT
ANSWERS = st.dictionaries(ANSWER_KEYS, VALUE, max_size=8)
TOP = st.fixed_dictionaries({}, optional={
    "questionnaire": st.sampled_from(["mini", "mni", str(FIXTURES / "mini.toml"), "../../etc/passwd"]) | VALUE,
    "answers": ANSWERS | VALUE, "schema": VALUE, "comment": VALUE, "extra": VALUE,
})  # fmt: skip


@RANDOM
@given(doc=TOP, kind=st.sampled_from(["json", "toml", "bytes"]), raw=st.binary(max_size=200),
       overrides=st.lists(st.text(max_size=12), max_size=2))  # fmt: skip
def test_random_answers_files_never_crash_and_always_say_the_same(doc, kind, raw, overrides):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / ("a.json" if kind == "json" else "a.toml")
        if kind == "json":
            path.write_text(json.dumps(doc))
        elif kind == "toml":
            path.write_text(tomli_w.dumps(_toml_safe(doc)))
        else:
            path.write_bytes(raw)
        args = ["triage", "--answers", str(path), "-q", str(FIXTURES / "mini.toml"), "--json", "--no-input"]
        for item in overrides:
            args += ["--set", item]
        code, stdout, _ = _twice(args, folder)
        if code == 0:
            assert json.loads(stdout)["outcome"]
        else:
            assert stdout == ""


# -- random questionnaires --------------------------------------------------------------------

NAMES = st.sampled_from(IDS + ["true", "none", "x", "__import__", "open", "_k0", "len", "count"])
LITERALS = st.sampled_from(["0", "1", "10", "1e9", "1e400", "-3", "0.5", "'yes'", "'no'", "'stairs'", "None", "True",
                            "[]", "['yes', 'no']", "'#'", "10**10**10", "'x' * 99"])  # fmt: skip
BINARY = st.sampled_from([" + ", " - ", " * ", " / ", " == ", " != ", " < ", " >= ", " in ", " not in ", " and ",
                          " or ", " ** ", " // ", " % ", " if 1 else ", " is "])  # fmt: skip
EXPRESSION = st.recursive(
    NAMES | LITERALS,
    lambda inner: st.one_of(
        st.tuples(inner, BINARY, inner).map("".join),
        inner.map(lambda e: f"({e})"),
        inner.map(lambda e: f"not {e}"),
        st.tuples(st.sampled_from(["len", "min", "max", "abs", "round", "band", "answered", "count", "open"]),
                  st.lists(inner, min_size=1, max_size=3)).map(lambda t: f"{t[0]}({', '.join(t[1])})"),
        inner.map(lambda e: f"{e}  # \x1b[2K and {e}"),
        inner.map(lambda e: f"{e}.x"),
    ),
    max_leaves=10,
)  # fmt: skip


def _paths(value: Any, where: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [where] if where else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*where, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*where, index))
    return found


# What usually loads: numbers near the ones mini uses, printable text, and conditions
# that compare numeric answers and scores with numbers (the checker then has its say).
SANE_NUMBER = st.sampled_from([0, 1, 2, 3, 4, 5, 6, 7, 10, 20, 100, -1, 0.5, 2.5])
SANE_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Cf", "Zl", "Zp")), min_size=1,
                    max_size=30)  # fmt: skip
COMPARISON = st.tuples(st.sampled_from(["pain_now", "pain_worst", "weeks", "pain", "limitation"]),
                       st.sampled_from([" > ", " >= ", " < ", " == ", " != "]),
                       st.integers(-2, 12).map(str) | st.sampled_from(["1e9", "0.5", "none"])).map("".join)  # fmt: skip
SANE_EXPRESSION = st.lists(COMPARISON | st.sampled_from(["hot_joint in ['yes', 'unsure']", "tried",
                                                         "count(limits, 'stairs') >= 1", "band(pain) == 'severe'",
                                                         "answered(comment)", "len(comment) > 3"]),
                           min_size=1, max_size=4).map(lambda parts: " or ".join(parts))  # fmt: skip

TEXT_KEYS = {"text", "title", "label", "help", "explanation", "source", "citation", "description", "intro",
             "headline", "care", "next", "min_label", "max_label", "unit"}  # fmt: skip
EXPRESSION_KEYS = {"when", "enable_if", "expression"}


@st.composite
def questionnaires(draw: Any) -> dict[str, Any]:
    """mini, changed in one to four places: mostly its numbers, texts and conditions (so
    that many still load and run), sometimes anything at all."""
    doc = copy.deepcopy(MINI)
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(doc)
        mode = draw(st.sampled_from(["number"] * 3 + ["text"] * 2 + ["expression"] * 3 + ["value", "delete", "add"]))
        if mode == "number":
            paths = [p for p in paths if _at(doc, p).__class__ in (int, float)]
        elif mode == "text":
            paths = [p for p in paths if p[-1] in TEXT_KEYS]
        elif mode == "expression":
            paths = [p for p in paths if p[-1] in EXPRESSION_KEYS] + [("questions", 2, "enable_if")]
        if not paths:
            continue
        path = draw(st.sampled_from(paths))
        parent = _at(doc, path[:-1])
        if mode == "delete":
            del parent[path[-1]]
        elif mode == "add" and isinstance(parent, dict):
            parent[draw(TEXT)] = _toml_safe(draw(VALUE))
        elif mode == "number":
            parent[path[-1]] = _toml_safe(draw(SANE_NUMBER | NUMBER))
        elif mode == "text":
            parent[path[-1]] = draw(SANE_TEXT | TEXT)
        elif mode == "expression":
            parent[path[-1]] = draw(SANE_EXPRESSION | EXPRESSION)
        else:
            parent[path[-1]] = _toml_safe(draw(VALUE))
    return doc


def _at(doc: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        doc = doc[step]
    return doc


@RANDOM
@given(doc=questionnaires())
def test_random_questionnaires_never_crash_and_always_say_the_same(doc):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "q.toml"
        path.write_text(tomli_w.dumps(doc))
        (folder / "a.toml").write_text(tomli_w.dumps({"answers": GOOD}))
        code, stdout, _ = _twice(["questionnaires", "validate", str(path)], folder)
        assert code in (0, 3)
        shown, _, _ = _twice(["questionnaires", "show", str(path)], folder)
        triaged, triage_out, _ = _twice(["triage", "-q", str(path), "--answers", "a.toml", "--json",
                                                 "--no-input"], folder)  # fmt: skip
        if shown != 0:  # refused: refused everywhere
            assert code == 3 and triaged == 1 and triage_out == ""
