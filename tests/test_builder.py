"""The builder's checks: hostile questionnaires (no control characters, no comments shown,
bounded numbers), and the parts of the format that FHIR brought (``better`` on scores,
measure-only questionnaires, nested and conditional sections, date and time questions,
open choices, and the ``[fhir]`` table)."""

from __future__ import annotations

import copy
import tomllib

import pytest
from helpers import FIXTURES, ROOT

from pmpt_cli.errors import QuestionnaireError
from pmpt_cli.loader import build_questionnaire, load_questionnaire

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


def test_better_is_lower_or_higher():
    doc = copy.deepcopy(MINI)
    doc["scores"][0]["better"] = "lower"
    assert build_questionnaire(doc).score("pain").better == "lower"
    doc["scores"][0]["better"] = "down"
    assert problems_of(doc) == [
        "scores[0].better: must be 'lower' or 'higher', not 'down' "
        "(which way a change is an improvement: lower for pain and disability)"
    ]


def test_better_defaults_to_not_declared(mini):
    assert mini.score("pain").better == ""


def test_every_score_with_an_mcid_in_the_shipped_questionnaires_says_which_way_is_better():
    for path in [*sorted((ROOT / "questionnaires").glob("*.toml")), ROOT / "examples/questionnaires/odi-style.toml"]:
        questionnaire = load_questionnaire(path)
        for score in questionnaire.scores:
            if score.mcid is not None:
                assert score.better == "lower", (path.name, score.id)


# -- measure-only questionnaires -------------------------------------------------------


def test_a_questionnaire_without_rules_and_default_is_measure_only():
    questionnaire = load_questionnaire(FIXTURES / "measure-only.toml")
    assert questionnaire.measure_only
    assert questionnaire.default is None and questionnaire.rules == ()
    assert not load_questionnaire(FIXTURES / "mini.toml").measure_only


def test_rules_without_a_default_are_refused_with_the_measure_only_way_out():
    doc = copy.deepcopy(MINI)
    del doc["default"]
    assert problems_of(doc) == [
        "default: is required when there are rules: the outcome when no rule fires "
        "(or leave out both rules and default for a measure-only questionnaire)"
    ]


def test_a_default_without_rules_still_decides():
    doc = copy.deepcopy(MINI)
    doc["rules"] = []
    questionnaire = build_questionnaire(doc)
    assert not questionnaire.measure_only and questionnaire.default.outcome == "physical-therapy"


# -- nested and conditional sections, dates and times --------------------------------


@pytest.fixture(scope="module")
def sections():
    return load_questionnaire(FIXTURES / "sections.toml")


def asked(questionnaire, answers: dict) -> list[str]:
    from helpers import active_answers

    kept, skipped = active_answers(questionnaire, answers)
    return [q.id for q in questionnaire.questions if q.id not in skipped]


def test_a_section_asks_its_questions_only_when_it_and_its_parents_are_enabled(sections):
    assert asked(sections, {"injured": False}) == ["injured", "pain_now"]
    assert asked(sections, {"injured": True}) == ["injured", "injury_date", "injury_time", "pain_now"]
    recent = {"injured": True, "injury_date": "2024-03-01"}
    assert asked(sections, recent) == ["injured", "injury_date", "injury_time", "how", "pain_now"]
    night = {"injured": True, "injury_date": "2020-01-01", "injury_time": "05:00:00"}
    assert "how" in asked(sections, night)
    assert "how" not in asked(sections, {"injured": True, "injury_date": "2024-02-29"})  # its own enable_if
    assert "how" not in asked(sections, {"injured": False, "injury_date": "2024-03-01"})  # the parent's gate


def test_the_engine_applies_section_conditions_through_enable_if(sections):
    question = sections.question("how")
    assert question.own_enable_if == "injury_date != '2024-02-29'"
    assert "answered" not in question.enable_if.source and "injured == True" in question.enable_if.source
    details = next(s for s in sections.sections if s.id == "details")
    assert details.parent == "injury" and details.enable_behavior == "any"
    assert [(c.question, c.operator, c.answer) for c in details.enable_when] == [
        ("injury_date", ">=", "2024-01-01"),
        ("injury_time", "<", "06:00:00"),  # one spelling of a time
    ]


def test_section_conditions_may_only_name_questions_asked_before_the_section():
    doc = tomllib.loads((FIXTURES / "sections.toml").read_text())
    doc["sections"][1]["enable_when"] = [{"question": "injury_date", "operator": "exists", "answer": True}]
    doc["sections"][0]["parent"] = "details"
    found = problems_of(doc)
    assert "sections[0].parent: 'details' is listed later (a section's parent is a section listed before it)" in found
    assert "sections[1].enable_when[0].question: 'injury_date' is asked later" in " ".join(found)


def test_dates_and_times_are_checked_and_kept_in_one_spelling(sections):
    import datetime

    from pmpt_cli.engine import run_triage
    from pmpt_cli.errors import AnswersError

    answers = {"injured": True, "injury_date": "2024-02-30", "injury_time": "7:30", "pain_now": 2}
    with pytest.raises(AnswersError) as info:
        run_triage(sections, answers)
    assert [str(p) for p in info.value.problems] == [
        "answers.injury_date: must be a date written YYYY-MM-DD, like 1970-01-31, not '2024-02-30'",
        "answers.injury_time: must be a time of day written HH:MM or HH:MM:SS, like 14:30, not '7:30'",
    ]
    answers.update(injury_date=datetime.date(2024, 5, 1), injury_time="07:30")  # a TOML date is taken too
    result = run_triage(sections, answers)
    assert result.answers["injury_date"] == "2024-05-01" and result.answers["injury_time"] == "07:30:00"
    assert "how" in [q.id for q in sections.questions if q.id not in result.skipped]


def test_dates_and_times_cannot_be_scored_and_take_ordered_conditions_only_with_valid_values():
    doc = tomllib.loads((FIXTURES / "sections.toml").read_text())
    doc["scores"][0]["items"] = ["injury_date"]
    doc["sections"][2]["enable_when"][0]["answer"] = "01/01/2024"
    found = problems_of(doc)
    assert "scores[0].items[0]: date question 'injury_date' cannot be scored" in found
    assert any(p.startswith("sections[2].enable_when[0].answer: must be a date written YYYY-MM-DD") for p in found)


def test_the_fhir_table_is_checked_for_shape():
    doc = tomllib.loads((FIXTURES / "sections.toml").read_text())
    doc["fhir"]["status"] = "final"
    doc["fhir"]["questions"]["injurd"] = {"link_id": "2"}
    doc["fhir"]["questions"]["injured"]["codes"] = {"yes": "Y"}
    doc["fhir"]["sections"]["intake"]["link_id"] = "1.1"
    doc["fhir"]["colour"] = "red"
    assert problems_of(doc) == [
        "fhir.colour: unknown key 'colour' (remove it, or correct its spelling (docs/questionnaire-format.md lists "
        "the keys))",
        "fhir.status: must be one of draft, active, retired, unknown, not 'final'",
        "fhir.questions.injured.codes.yes: 'yes' is not a choice",
        "fhir.questions.injurd: unknown question 'injurd', did you mean 'injured'?",
        "fhir.sections.intake.link_id: '1.1' is also the link id of fhir.questions.injured",
    ]


def test_the_fhir_table_is_kept_on_the_questionnaire(sections):
    assert sections.fhir["url"] == "http://example.org/Questionnaire/sections"
    assert sections.fhir["questions"]["injured"] == {"link_id": "1.1"}


def test_date_and_time_questions_in_the_template(sections):
    from pmpt_cli.template import allowed_values, example_value

    date, time = sections.question("injury_date"), sections.question("injury_time")
    assert allowed_values(date) == 'a date in quotes, "YYYY-MM-DD"' and example_value(date) == "1970-01-31"
    assert allowed_values(time).startswith("a time of day") and example_value(time) == "14:30:00"


def test_a_file_with_sections_dates_and_times_passes_lint():
    from pmpt_cli.lint import lint_questionnaire

    findings = lint_questionnaire(load_questionnaire(FIXTURES / "sections.toml"))
    assert [f for f in findings if f.severity == "error"] == []
