"""pmpt -> FHIR -> pmpt: every bundled and example questionnaire comes back scoring and deciding the same."""

from __future__ import annotations

import json
import tomllib

import pytest
from helpers import EXAMPLES, FIXTURES, PROPERTY, ROOT, valid_answers
from hypothesis import given

from pmpt_cli.engine import run_triage
from pmpt_cli.errors import AnswersError
from pmpt_cli.fhir.questionnaire_in import document_toml, import_questionnaire
from pmpt_cli.fhir.questionnaire_out import questionnaire_to_fhir
from pmpt_cli.loader import build_questionnaire, load_questionnaire

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
