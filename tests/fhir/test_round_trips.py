"""pmpt -> FHIR -> pmpt: every bundled and example questionnaire comes back scoring and deciding the same."""

from __future__ import annotations

import json
import tomllib

import pytest
from helpers import EXAMPLES, FIXTURES, PROPERTY, ROOT, valid_answers
from hypothesis import given

from pmpt_cli.advice import note_text
from pmpt_cli.engine import run_triage
from pmpt_cli.errors import AnswersError
from pmpt_cli.fhir import EXT_PMPT_DEFINITION
from pmpt_cli.fhir.questionnaire_in import document_toml, import_questionnaire
from pmpt_cli.fhir.questionnaire_out import questionnaire_to_fhir
from pmpt_cli.loader import build_questionnaire, load_questionnaire
from pmpt_cli.report import failed_checks

QUESTIONNAIRES = [
    *sorted((ROOT / "questionnaires").glob("*.toml")),
    *sorted((EXAMPLES / "questionnaires").glob("*.toml")),
    *(FIXTURES / name for name in ("mini.toml", "every-method.toml", "sections.toml", "measure-only.toml")),
]


def round_trip(questionnaire, *, legacy_ordinal: bool = False):
    """Export to FHIR JSON text, import it back, write and read the TOML: the questionnaire pmpt gets back."""
    text = json.dumps(questionnaire_to_fhir(questionnaire, legacy_ordinal=legacy_ordinal))
    result = import_questionnaire(json.loads(text))
    return build_questionnaire(tomllib.loads(document_toml(result.document))), result


def outcome_of(questionnaire, answers):
    try:
        result = run_triage(questionnaire, answers)
    except AnswersError as exc:
        return ("error", sorted(p.location for p in exc.problems))
    return (result.outcome, result.decided_by, [r.rule_id for r in result.reasons], [n.id for n in result.notes],
            {sid: (s.value, s.band) for sid, s in result.scores.items()}, result.skipped)  # fmt: skip


@pytest.mark.parametrize("path", QUESTIONNAIRES, ids=lambda p: p.name)
def test_the_questionnaire_comes_back_the_same(path):
    original = load_questionnaire(path)
    back, result = round_trip(original)
    assert result.warnings == ()
    assert back.id == original.id and back.version == original.version and back.title == original.title
    assert back.questions == original.questions  # ids, types, texts, choices and scores, conditions
    assert [s._replace(expression=None) for s in back.scores] == [s._replace(expression=None) for s in original.scores]
    assert [s.expression.source for s in back.scores if s.expression] == [
        s.expression.source for s in original.scores if s.expression
    ]
    assert [(r.id, r.outcome, r.when.source, r.priority) for r in back.rules] == [
        (r.id, r.outcome, r.when.source, r.priority) for r in original.rules
    ]
    assert back.default == original.default and back.outcome_texts == original.outcome_texts
    assert back.sections == original.sections and back.sources == original.sources


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.toml")), ids=lambda p: p.name)
@pytest.mark.parametrize("legacy", [False, True])
def test_every_example_answers_file_gets_the_same_result_after_a_round_trip(path, legacy):
    core = load_questionnaire("pmpt-core")
    back, _ = round_trip(core, legacy_ordinal=legacy)
    answers = tomllib.loads(path.read_text())["answers"]
    assert outcome_of(back, answers) == outcome_of(core, answers)


@pytest.mark.parametrize("path", QUESTIONNAIRES, ids=lambda p: p.name)
def test_random_answers_get_the_same_scores_and_outcome_after_a_round_trip(path):
    original = load_questionnaire(path)
    back, _ = round_trip(original)

    @PROPERTY
    @given(valid_answers(original))
    def check(answers):
        assert outcome_of(back, answers) == outcome_of(original, answers)

    check()


def notes_of(questionnaire):
    return [(n.id, n.when.source, n.text, n.source, n.watch_for) for n in questionnaire.notes]


@pytest.mark.parametrize("path", QUESTIONNAIRES, ids=lambda p: p.name)
def test_the_notes_with_their_watch_for_items_and_the_checks_come_back_the_same(path):
    original = load_questionnaire(path)
    back, _ = round_trip(original)
    assert notes_of(back) == notes_of(original)
    assert back.checks == original.checks


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.toml")), ids=lambda p: p.name)
def test_every_example_answers_file_reads_the_same_notes_and_checks_after_a_round_trip(path):
    core = load_questionnaire("pmpt-core")
    back, _ = round_trip(core)
    answers = tomllib.loads(path.read_text())["answers"]
    assert [note_text(n, answers) for n in back.notes] == [note_text(n, answers) for n in core.notes]
    assert failed_checks(back, answers) == failed_checks(core, answers)


WATCHED = """
format = 1
id = "watched"
title = "Watch-for items and checks (test)"
version = "1"
language = "en"
licence = "CC0-1.0"
sources = [{ id = "none", citation = "Test, no source" }]
sections = [{ id = "all", title = "All" }]

[[questions]]
id = "weight"
section = "all"
type = "number"
text = "Weight?"
required = false

[[questions]]
id = "when"
section = "all"
type = "date"
text = "Since when?"
required = false

[[questions]]
id = "pain_avg"
section = "all"
type = "scale"
text = "Average pain?"
min = 0
max = 10

[[questions]]
id = "pain_worst"
section = "all"
type = "scale"
text = "Worst pain?"
min = 0
max = 10

[[questions]]
id = "later"
section = "all"
type = "yes_no"
text = "Shown for any weight (a bound of -inf)"
enable_when = [{ question = "weight", operator = ">", answer = -inf }]

[[rules]]
id = "bad"
outcome = "urgent"
when = "pain_worst >= 10"
priority = 1
explanation = "Very bad"
source = "none"

[default]
outcome = "self-care"
explanation = "Otherwise"
source = "none"

[[notes]]
id = "safety_net"
when = "pain_avg >= 0"
text = "Fine for now. See your GP if you {watch_for}."
source = "none"
watch_for = [
  { text = "gain weight", unless = [{ question = "weight", operator = "<", answer = inf }] },
  { text = "notice it started", unless = [{ question = "when", operator = ">=", answer = "2024-01-01" }] },
  { text = "feel unwell" },
]

[[checks]]
id = "average_above_worst"
question = "pain_avg"
operator = ">"
other = "pain_worst"
message = "Your average pain ({pain_avg}) is above your worst ({pain_worst}). Is that right?"
"""


def test_watch_for_bounds_of_inf_and_dates_and_checks_round_trip_as_plain_json():
    original = build_questionnaire(tomllib.loads(WATCHED))
    resource = questionnaire_to_fhir(original)
    (definition,) = [e["valueString"] for e in resource["extension"] if e["url"] == EXT_PMPT_DEFINITION]

    def refuse(constant):
        raise AssertionError(f"{constant} in pmpt's extension: not plain JSON")

    json.loads(definition, parse_constant=refuse)
    back, result = round_trip(original)
    assert result.warnings == ()
    assert notes_of(back) == notes_of(original) and back.checks == original.checks
    assert back.questions == original.questions  # the -inf bound of 'later' too
    for answers in ({"pain_avg": 5, "pain_worst": 4}, {"pain_avg": 2, "pain_worst": 6, "weight": 70.5},
                    {"pain_avg": 2, "pain_worst": 6, "when": "2023-05-01"}):  # fmt: skip
        assert [note_text(n, answers) for n in back.notes] == [note_text(n, answers) for n in original.notes]
        assert failed_checks(back, answers) == failed_checks(original, answers)
