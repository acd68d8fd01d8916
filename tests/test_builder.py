"""The builder on hostile questionnaires: no control characters, no comments shown, bounded numbers."""

from __future__ import annotations

import copy
import tomllib

import pytest
from helpers import FIXTURES

from pmpt_cli.errors import QuestionnaireError
from pmpt_cli.loader import build_questionnaire

MINI = tomllib.loads((FIXTURES / "mini.toml").read_text())


def problems_of(doc: dict) -> list[str]:
    with pytest.raises(QuestionnaireError) as info:
        build_questionnaire(doc)
    return [str(p) for p in info.value.problems]


def edited(change) -> dict:
    doc = copy.deepcopy(MINI)
    change(doc)
    return doc


@pytest.mark.parametrize(
    ("where", "change", "character"),
    [
        ("title", lambda d: d.update(title="Knee\x1b[2J check"), "\\x1b"),
        ("sections[0].title", lambda d: d["sections"][0].update(title="Safety\x9b31m"), "\\x9b"),
        ("questions[0].text", lambda d: d["questions"][0].update(text="Is it \u202ehot?"), "\\u202e"),
        ("questions[0].choices[0].label", lambda d: d["questions"][0]["choices"][0].update(label="No\x07"), "\\x07"),
        ("rules[0].explanation", lambda d: d["rules"][0].update(explanation="Because\r overwritten"), "\\x0d"),
        ("rules[0].when", lambda d: d["rules"][0].update(when=d["rules"][0]["when"] + " # \x1b[2K"), "\\x1b"),
        ("sources[0].citation", lambda d: d["sources"][0].update(citation="x\x7f"), "\\x7f"),
        ("questions[0].help", lambda d: d["questions"][0].update(help="\u2066isolate\u2069"), "\\u2066"),
        ("outcomes.self-care.next", lambda d: d.setdefault("outcomes", {}).update({"self-care": {"next": "\x00"}}),
         "\\x00"),
    ],
)  # fmt: skip
def test_control_characters_in_questionnaire_text_are_refused(where, change, character):
    found = [p for p in problems_of(edited(change)) if p.startswith(f"{where}: ")]
    assert found, problems_of(edited(change))
    assert f"holds the control character {character}" in found[0]
    assert "remove it" in found[0]
    assert "\x1b" not in found[0] and "\u202e" not in found[0]


def test_a_control_character_in_a_key_is_refused_and_shown_escaped():
    problems = problems_of(edited(lambda d: d.update({"ti\x1btle": "x"})))
    assert any(p.startswith("ti\\x1btle") or "the key holds the control character \\x1b" in p for p in problems)


def test_newlines_and_tabs_stay_allowed_in_text():
    q = build_questionnaire(edited(lambda d: d.update(description="Two\nlines\tand a tab")))
    assert q.description == "Two\nlines\tand a tab"


def test_displayed_expressions_drop_comments():
    """A comment can look like part of the rule ('# and age < 65'): only the rule is shown."""

    def change(doc):
        doc["rules"][0]["when"] = "hot_joint == 'yes'  # and pain_now >= 9\n"
        doc["questions"][2]["enable_if"] = "(pain_now > 0 or  # '#' in a comment\n hot_joint == 'no')"

    q = build_questionnaire(edited(change))
    assert q.rules[0].when.source == "hot_joint == 'yes'"
    assert q.question("pain_worst").enable_if.source == "(pain_now > 0 or\n hot_joint == 'no')"
    assert q.rules[0].when.evaluate({"hot_joint": "yes"}) is True


def test_a_hash_inside_a_string_is_not_a_comment():
    q = build_questionnaire(edited(lambda d: d["rules"][0].update(when="comment != '#' and hot_joint == 'yes'")))
    assert q.rules[0].when.source == "comment != '#' and hot_joint == 'yes'"


@pytest.mark.parametrize("id_", ["mini\n", "mini\r\n", "MINI", "mini check"])
def test_questionnaire_ids_must_match_whole(id_):
    assert any(p.startswith("id: ") and "is not a valid questionnaire id" in p for p in problems_of(edited(
        lambda d: d.update(id=id_))))  # fmt: skip


def test_question_and_choice_ids_must_match_whole():
    def change(doc):
        doc["questions"][0]["id"] = "hot_joint\n"
        doc["questions"][0]["choices"][0]["value"] = "no\n"

    problems = problems_of(edited(change))
    assert any("questions[0].id: 'hot_joint\\n' is not a valid question id" in p for p in problems)
    assert any("questions[0].choices[0].value: 'no\\n' is not a valid choice value" in p for p in problems)


def test_a_scale_has_at_most_1001_points():
    problems = problems_of(edited(lambda d: d["questions"][1].update(min=0, max=100_000_000)))
    assert any("questions[1].max: a scale has at most 1001 points" in p and "number question" in p for p in problems)
    build_questionnaire(edited(lambda d: d["questions"][1].update(min=0, max=1000)))  # 1001 points: fine


def test_a_whole_number_question_cannot_have_an_infinite_bound():
    problems = problems_of(edited(lambda d: d["questions"][4].update(min=-float("inf"), max=float("inf"))))
    assert any(
        p.startswith("questions[4].min: a whole-number question cannot have an infinite bound") for p in problems
    )
    assert any("leave max out" in p for p in problems)


def test_number_bounds_stay_within_what_pmpt_takes():
    problems = problems_of(edited(lambda d: d["questions"][4].update(max=1e300)))
    assert any(p.startswith("questions[4].max: 1e+300 is beyond the numbers pmpt takes") for p in problems)
    q = build_questionnaire(edited(lambda d: d["questions"][4].update(integer=False, min=-float("inf"))))
    assert q.question("weeks").range_text == "at most 1000"


def test_integer_must_be_true_or_false():
    assert any("questions[4].integer: must be true or false" in p for p in problems_of(edited(
        lambda d: d["questions"][4].update(integer="yes"))))  # fmt: skip


def test_values_in_problems_are_quoted_with_escapes():
    problems = problems_of(edited(lambda d: d["questions"][0].update(type="cho\tice\u00e9")))
    assert any("unknown type 'cho\\tice\u00e9'" in p for p in problems)


def test_did_you_mean_stops_after_twenty_problems(monkeypatch):
    from pmpt_cli import builder

    calls = []
    real = builder.suggest
    monkeypatch.setattr(builder, "suggest", lambda *a: calls.append(1) or real(*a))
    doc = edited(lambda d: d.update({f"unknown_{i}": 1 for i in range(5000)}))
    assert len(problems_of(doc)) == 5000
    assert len(calls) <= 20


def test_a_questionnaire_whose_program_is_too_large_is_refused(monkeypatch):
    from pmpt_cli.expr import codegen

    monkeypatch.setattr(codegen, "MAX_PROGRAM_CHARS", 2000)
    problems = problems_of(copy.deepcopy(MINI))
    assert any(p.startswith("rules: the conditions and scores together make a program of") for p in problems)
    assert any("split the questionnaire" in p for p in problems)


def test_expressions_stop_being_checked_past_the_total_budget():
    """A 2 MB file of long chains once took 20-45 s and 5 GB: checking stops at the budget."""
    chain = " or ".join(f"pain_now == {i % 11}" for i in range(50))
    rules = [{"id": f"r{i}", "outcome": "both", "when": chain, "priority": 1, "explanation": "Many rules here.",
              "source": "Illustrative"} for i in range(2000)]  # fmt: skip
    problems = problems_of(edited(lambda d: d["rules"].extend(rules)))
    (problem,) = [p for p in problems if "parts together" in p]
    assert "more than 20,000 parts together" in problem and "split the questionnaire" in problem
