"""The TOML parser for answers files in bulk: tomli when installed (``pmpt[fast]``), else
tomllib, with identical results, errors included. Both run here (the test extra has tomli)."""

from __future__ import annotations

import sys
import tomllib
import types

import pytest
from helpers import EXAMPLES

from pmpt_cli import toml_parser

tomli = pytest.importorskip("tomli")

VALID = [path.read_text(encoding="utf-8") for path in sorted(EXAMPLES.glob("*.toml"))] + [
    'questionnaire = "pmpt-core"\n[answers]\npain_now = 6\nregion = ["knee", "hip"]\n',
    "[answers]\nweeks = 1_000\nratio = 6.5e-1\nwhen = 2026-01-02T03:04:05Z\nday = 2026-01-02\n",
    "[answers]\ntext = '''multi\nline'''\nq = \"\\u00e9\\t\"\ninline = { a = 1, b = [1, 2] }\n",
    "[answers]\nbig = 9223372036854775807\ninf = inf\nneg = -0.0\nhex = 0xff\n",
    "answers.dotted.key = true\n",
    "",
]
INVALID = [
    "answers = [",
    "[answers]\na = 1\na = 2\n",
    "[answers]\nx = \n",
    "[answers]\nx = 'unterminated\n",
    "[answers]\nx = 1979-05-27T07:32\n",  # TOML 1.1 drops the seconds; 1.0 does not
    "[answers]\ny = { a = 1,\n b = 2 }\n",  # newlines in inline tables: TOML 1.1 only
    '[answers]\nz = "\\e"\n',  # the \e escape: TOML 1.1 only
    "[answers]\n\x00 = 1\n",
    "key = 1\n[answers\n",
]


@pytest.fixture(autouse=True)
def fresh_choice(monkeypatch):
    monkeypatch.delenv("PMPT_TOML", raising=False)
    monkeypatch.setattr(toml_parser, "_fast", [])


def outcome(parse, text: str):
    try:
        return ("ok", parse(text))
    except tomllib.TOMLDecodeError as exc:
        return ("error", str(exc))


def test_tomli_is_used_when_installed_and_its_version_parses_toml_1_0():
    assert toml_parser.fast_parser() is tomli.loads
    assert toml_parser.parser_name() == f"tomli {tomli.__version__}"


@pytest.mark.parametrize("text", VALID + INVALID)
def test_both_parsers_give_identical_results_and_errors(text, monkeypatch):
    with_tomli = outcome(toml_parser.loads, text)
    monkeypatch.setenv("PMPT_TOML", "tomllib")
    monkeypatch.setattr(toml_parser, "_fast", [])
    assert toml_parser.fast_parser() is None and toml_parser.parser_name() == "tomllib"
    assert outcome(toml_parser.loads, text) == with_tomli == outcome(tomllib.loads, text)
    assert (with_tomli[0] == "ok") == (text in VALID)


@pytest.mark.parametrize(("version", "used"), [("2.0.1", False), ("2.2.1", True), ("2.3.2", True), ("2.4.0", False),
                                               ("3.0", False), ("unknown", False)])  # fmt: skip
def test_only_compiled_toml_1_0_versions_of_tomli_are_used(monkeypatch, version, used):
    fake = types.ModuleType("tomli")
    fake.__version__ = version  # type: ignore[attr-defined]
    fake.loads = lambda text: {}  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tomli", fake)
    assert (toml_parser.fast_parser() is fake.loads) is used  # type: ignore[attr-defined]


def test_without_tomli_the_standard_library_parses(monkeypatch):
    monkeypatch.setitem(sys.modules, "tomli", None)  # import tomli raises ImportError
    assert toml_parser.fast_parser() is None
    assert toml_parser.loads("[answers]\na = 1\n") == {"answers": {"a": 1}}
