"""The hostile-questionnaire catalogue (issue 13, item 9): questionnaires a clinic might
download from someone else, written to spoof a reviewer, crash pmpt or exhaust the machine.

Each one goes through ``pmpt questionnaires show`` (the very command a clinic uses to vet
a questionnaire) and must be refused with exit 1, a message naming the problem and the
fix, empty stdout, no traceback, no ESC byte and no file left behind (helpers.check_case);
``validate`` must report it too (exit 3), and ``triage`` and ``answers template`` refuse it.
"""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Callable
from typing import Any

import pytest
import tomli_w
from helpers import MINI_TOML, Case, check_case

MINI = tomllib.loads(MINI_TOML)


def edited(change: Callable[[dict[str, Any]], Any]) -> dict[str, str]:
    doc = copy.deepcopy(MINI)
    change(doc)
    return {"q.toml": tomli_w.dumps(doc)}


def rule(when: str, index: int = 0) -> Callable[[dict[str, Any]], Any]:
    return lambda doc: doc["rules"][index].update(when=when)


def many_rules(when: str, count: int) -> Callable[[dict[str, Any]], Any]:
    def change(doc: dict[str, Any]) -> None:
        doc["rules"] += [{"id": f"r{i}", "outcome": "both", "when": when, "priority": 1,
                          "explanation": "One of very many rules.", "source": "Illustrative"} for i in range(count)]  # fmt: skip

    return change


def alternating(levels: int) -> str:
    deep = "pain_now == 0"
    for i in range(1, levels + 1):
        deep = f"(pain_now == {i % 11} or (tried and {deep}))"
    return deep


def score_cycle(doc: dict[str, Any]) -> None:
    for score, other in zip(doc["scores"], ("limitation", "pain")):
        score.pop("items")
        score.pop("max_missing", None)
        score.update(method="expression", expression=f"{other} + 1")


SHOW = ["questionnaires", "show", "q.toml"]
CONTROL = ["holds the control character"]
REMOVE = ["remove it"]
EXPRESSIONS = ["docs/questionnaire-format.md, 'Expressions'"]
FIFTY_OR = " or ".join(f"pain_now == {i % 11}" for i in range(50))


def hostile(name: str, problem: list[str], fix: list[str], setup: dict[str, Any]) -> Case:
    return Case(name, SHOW, 1, problem, fix, setup=setup)


CASES = [
    # -- spoofing a reviewer: control characters, escape sequences, direction overrides --
    hostile(
        "csi-erases-half-a-rule-in-a-comment",
        ["rules[0].when", *CONTROL, "\\x1b"],
        REMOVE,
        edited(rule("hot_joint in ['yes', 'unsure']  # \x1b[2K and pain_now > 3")),
    ),
    hostile(
        "osc-retitles-the-window-from-the-title",
        ["title:", *CONTROL],
        REMOVE,
        edited(lambda d: d.update(title="Knee\x1b]0;Approved by NHS\x07")),
    ),
    hostile(
        "clear-screen-in-a-section-title",
        ["sections[0].title", *CONTROL],
        REMOVE,
        edited(lambda d: d["sections"][0].update(title="Safety\x1b[2J\x1b[H")),
    ),
    hostile(
        "c1-csi-in-a-choice-label",
        ["questions[0].choices[0].label", *CONTROL, "\\x9b"],
        REMOVE,
        edited(lambda d: d["questions"][0]["choices"][0].update(label="No\x9b8m hidden")),
    ),
    hostile(
        "right-to-left-override-in-a-question",
        ["questions[0].text", *CONTROL, "\\u202e"],
        REMOVE,
        edited(lambda d: d["questions"][0].update(text="Is it \u202eon yrev\u202c hot?")),
    ),
    hostile(
        "isolate-in-help",
        ["questions[1].help", *CONTROL, "\\u2066"],
        REMOVE,
        edited(lambda d: d["questions"][1].update(help="\u2066x\u2069")),
    ),
    hostile(
        "carriage-return-overwrites-an-explanation",
        ["rules[0].explanation", *CONTROL, "\\x0d"],
        REMOVE,
        edited(lambda d: d["rules"][0].update(explanation="Go to hospital now.\rThis is nothing, relax.")),
    ),
    hostile(
        "backspaces-in-a-band-label",
        ["scores[0].bands[0].label", *CONTROL, "\\x08"],
        REMOVE,
        edited(lambda d: d["scores"][0]["bands"][0].update(label="severe\x08\x08\x08\x08\x08\x08mild")),
    ),
    hostile(
        "nul-in-a-source",
        ["sources[0].citation", *CONTROL, "\\x00"],
        REMOVE,
        edited(lambda d: d["sources"][0].update(citation="Jensen\x00 1986")),
    ),
    hostile(
        "delete-in-an-outcome-text",
        ["outcomes.self-care.next", *CONTROL, "\\x7f"],
        REMOVE,
        edited(lambda d: d["outcomes"]["self-care"].update(next="Come back\x7f")),
    ),
    hostile(
        "escape-in-a-key",
        ["the key holds the control character"],
        REMOVE,
        edited(lambda d: d["rules"][0].update({"why\x1b[8m": "hidden"})),
    ),
    hostile(
        "newline-ended-questionnaire-id",
        ["is not a valid questionnaire id"],
        ["use lowercase letters, digits"],
        edited(lambda d: d.update(id="mini\n")),
    ),
    hostile(
        "path-traversal-questionnaire-id",
        ["'../../etc/cron.d/x' is not a valid questionnaire id"],
        ["use lowercase letters, digits"],
        edited(lambda d: d.update(id="../../etc/cron.d/x")),
    ),
    hostile(
        "newline-in-a-choice-value",
        ["is not a valid choice value"],
        ["use lowercase letters, digits and _"],
        edited(lambda d: d["questions"][0]["choices"][0].update(value="no\npain_now = 10")),
    ),
    # -- crashing pmpt: shapes and numbers the code did not expect --
    hostile(
        "questions-is-a-number",
        ["questions: must be a list, not an integer"],
        ["must be a list"],
        edited(lambda d: d.update(questions=5)),
    ),
    hostile(
        "sections-is-text",
        ["sections: must be a list, not a string"],
        ["must be a list"],
        edited(lambda d: d.update(sections="safety")),
    ),
    hostile(
        "whole-number-question-with-infinite-bounds",
        ["a whole-number question cannot have an infinite bound"],
        ["leave min out"],
        edited(lambda d: d["questions"][4].update(min=-float("inf"), max=float("inf"))),
    ),
    hostile(
        "number-bound-of-1e300",
        ["beyond the numbers pmpt takes"],
        ["use a smaller max"],
        edited(lambda d: d["questions"][4].update(max=1e300)),
    ),
    hostile(
        "integer-flag-is-text",
        ["integer: must be true or false, not a string"],
        ["must be true or false"],
        edited(lambda d: d["questions"][4].update(integer="yes")),
    ),
    hostile(
        "nan-band-edge",
        ["scores[0].bands[1].max: is nan"],
        ["write a number"],
        edited(lambda d: d["scores"][0]["bands"][1].update(max=float("nan"))),
    ),
    hostile(
        "nested-100000-deep",
        ["nested more than 20 levels"],
        ["check that it is the right file"],
        {"q.toml": MINI_TOML + "\nextra = " + "[" * 100_000 + "]" * 100_000 + "\n"},
    ),
    hostile(
        "integer-of-5000-digits",
        ["more than 4,300 digits"],
        ["check that it is the right file"],
        {"q.toml": MINI_TOML.replace("minutes = 1", "minutes = " + "9" * 5000)},
    ),
    hostile(
        "duplicate-toml-key-hiding-a-rule",
        ["not valid TOML"],
        ["correct the file there"],
        {"q.toml": MINI_TOML.replace("priority = 100", "priority = 100\npriority = -1", 1)},
    ),
    hostile(
        "format-from-the-future",
        ["format 2 is not supported"],
        ["this pmpt reads format 1"],
        edited(lambda d: d.update(format=2)),
    ),
    hostile(
        "red-flag-default",
        ["the default cannot be a red-flag outcome"],
        ["must come from a rule"],
        edited(lambda d: d["default"].update(outcome="emergency")),
    ),
    hostile(
        "condition-on-a-later-question",
        ["'tried' is asked later"],
        ["asked before it"],
        edited(
            lambda d: d["questions"][1].update(enable_when=[{"question": "tried", "operator": "=", "answer": True}])
        ),
    ),  # fmt: skip
    hostile("scores-in-a-cycle", ["in a cycle"], ["remove one link of the loop"], edited(score_cycle)),
    hostile(
        "duplicate-question-id",
        ["duplicate id 'pain_now'"],
        ["give each one an id of its own"],
        edited(lambda d: d["questions"][2].update(id="pain_now")),
    ),
    hostile(
        "five-thousand-unknown-keys",
        ["unknown key 'k0'", "... and"],
        ["remove it, or correct its spelling"],
        edited(lambda d: d.update({f"k{i}": 1 for i in range(5000)})),
    ),
    # -- expressions that try to run code or to blow up --
    hostile(
        "import-os", ["names starting with '_' are not allowed"], EXPRESSIONS, edited(rule("__import__('os') == 0"))
    ),
    hostile(
        "attribute-walk-to-builtins",
        ["attribute access ('x.y') is not allowed"],
        EXPRESSIONS,
        edited(rule("hot_joint.__class__.__mro__[1].__subclasses__()")),
    ),
    hostile("power-bomb", ["'**' (power) is not allowed"], ["multiply instead"], edited(rule("10 ** 10 ** 10 > 1"))),
    hostile(
        "unknown-function-open",
        ["unknown function 'open'"],
        ["the functions are"],
        edited(rule("open('/etc/passwd') == 'x'")),
    ),
    hostile("lambda", ["lambda is not allowed"], EXPRESSIONS, edited(rule("(lambda: True)()"))),
    hostile(
        "round-digits-bomb",
        ["round() digits must be a whole number from -9 to 9"],
        ["e.g. round(x, 1)"],
        edited(rule("round(pain_now, -1000000000) > 1")),
    ),
    hostile(
        "number-literal-1e400", ["out of range"], ["numbers must be within ±1e9"], edited(rule("pain_now < 1e400"))
    ),
    hostile(
        "string-literal-of-300-characters", ["the limit is 200"], EXPRESSIONS, edited(rule(f"comment == '{'x' * 300}'"))
    ),
    hostile(
        "expression-of-1001-characters",
        ["more than 1000"],
        ["split it into named scores"],
        edited(rule("pain_now > 1 or " + " or ".join(["pain_now == 2"] * 80))),
    ),
    hostile(
        "expression-nested-41-deep",
        ["nested more than 40 levels"],
        ["simplify it"],
        edited(rule("(" * 41 + "pain_now > 1" + ")" * 41)),
    ),
    hostile(
        "expression-of-401-parts",
        ["more than 400 parts"],
        ["split it into named scores"],
        edited(rule("max(" + ",".join(["1"] * 401) + ") > 1")),
    ),
    hostile(
        "two-thousand-rules-of-long-chains",
        ["more than 20,000 parts together"],
        ["split the questionnaire"],
        edited(many_rules(FIFTY_OR, 2000)),
    ),
    hostile(
        "program-past-two-million-characters",
        ["characters, more than the 2,000,000 pmpt will run"],
        ["split the questionnaire"],
        edited(many_rules(alternating(18), 175)),
    ),
    hostile(
        "scale-of-100-million-points",
        ["a scale has at most 1001 points"],
        ["use a number question"],
        edited(lambda d: d["questions"][1].update(min=0, max=100_000_000)),
    ),
]


def test_the_catalogue_has_at_least_30_cases():
    assert len(CASES) >= 30
    assert len({case.name for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_a_hostile_questionnaire_is_refused_by_show(case, tmp_path, runner):
    check_case(case, tmp_path, runner)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
@pytest.mark.parametrize("command", [
    (["questionnaires", "validate", "q.toml"], 3),
    (["triage", "-q", "q.toml", "--no-input"], 1),
    (["answers", "template", "q.toml"], 1),
], ids=["validate", "triage", "template"])  # fmt: skip
def test_a_hostile_questionnaire_is_refused_everywhere(case, command, tmp_path, runner):
    args, code = command
    again = Case(case.name, args, code, case.problem, case.fix, setup=case.setup, report=args[1] == "validate")
    check_case(again, tmp_path, runner)
