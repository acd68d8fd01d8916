"""``questionnaire_to_fhir``: every questionnaire as a valid R4 Questionnaire, mapped as docs/fhir.md says."""

from __future__ import annotations

import json

import pytest
from helpers import EXAMPLES, FIXTURES, ROOT, fhir_items, questionnaire_problems, validate_r4b

from pmpt_cli.fhir import (
    EXT_CALCULATED,
    EXT_ENABLE_WHEN_EXPRESSION,
    EXT_ITEM_WEIGHT,
    EXT_ORDINAL_VALUE,
    EXT_PMPT_DEFINITION,
    EXT_PMPT_SHA256,
)
from pmpt_cli.fhir.mapping import FhirExportError, link_ids
from pmpt_cli.fhir.questionnaire_out import questionnaire_to_fhir
from pmpt_cli.loader import build_questionnaire, load_questionnaire

#: Every bundled and example questionnaire, and the test fixtures that use every part of the format.
ALL = [
    *sorted((ROOT / "questionnaires").glob("*.toml")),
    *sorted((EXAMPLES / "questionnaires").glob("*.toml")),
    *(FIXTURES / name for name in ("mini.toml", "every-method.toml", "sections.toml", "measure-only.toml")),
]


def extension(element: dict, url: str) -> dict | None:
    return next((e for e in element.get("extension", []) if e["url"] == url), None)


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_every_questionnaire_exports_a_valid_r4_questionnaire(path):
    questionnaire = load_questionnaire(path)
    resource = questionnaire_to_fhir(questionnaire)
    validate_r4b(resource)
    assert questionnaire_problems(resource) == []
    json.dumps(resource, allow_nan=False)  # plain JSON: no infinity anywhere
    items = fhir_items(resource["item"])
    links = link_ids(questionnaire)  # the pmpt ids, unless [fhir] says otherwise
    assert {links["questions", q.id] for q in questionnaire.questions} <= set(items)
    assert resource["version"] == questionnaire.version and resource["url"] == questionnaire.url
    assert extension(resource, EXT_PMPT_SHA256)["valueString"] == questionnaire.sha256


def test_metadata_identity_and_the_licence():
    core = load_questionnaire("pmpt-core")
    resource = questionnaire_to_fhir(core)
    assert resource["url"] == "urn:pmpt:questionnaire:pmpt-core" and resource["name"] == "PmptCore"
    assert resource["identifier"] == [{"system": "urn:pmpt:questionnaire", "value": "pmpt-core"}]
    assert resource["status"] == "active" and resource["language"] == "en" and resource["copyright"] == "CC-BY-4.0"


def test_sections_are_groups_and_questions_are_typed_items(mini):
    resource = questionnaire_to_fhir(mini)
    groups = [item for item in resource["item"] if item["type"] == "group"]
    # mini has a section and a score both called "pain": the section's link id steps aside
    assert [g["linkId"] for g in groups] == ["safety", "pain-section"]
    items = fhir_items(resource["item"])
    assert items["pain-section-intro"] == {"linkId": "pain-section-intro", "type": "display",
                                           "text": "A few questions about how much it hurts."}  # fmt: skip
    assert {link: items[link]["type"] for link in ("hot_joint", "pain_now", "limits", "weeks", "tried", "comment")} == {
        "hot_joint": "choice", "pain_now": "integer", "limits": "choice", "weeks": "integer", "tried": "boolean",
        "comment": "text",
    }  # fmt: skip
    assert items["limits"]["repeats"] is True and items["limits"]["required"] is False
    assert items["comment"]["maxLength"] == 200
    assert extension(items["weeks"], "http://hl7.org/fhir/StructureDefinition/questionnaire-unit") == {
        "url": "http://hl7.org/fhir/StructureDefinition/questionnaire-unit",
        "valueCoding": {"display": "weeks"},
    }
    assert items["pain_worst"]["enableWhen"] == [{"question": "pain_now", "operator": ">", "answerInteger": 0}]


def test_choice_scores_are_item_weights_or_with_legacy_ordinal_ordinal_values(mini):
    limits = fhir_items(questionnaire_to_fhir(mini)["item"])["limits"]
    assert limits["answerOption"][0] == {
        "valueCoding": {"code": "stairs", "display": "Stairs"},
        "extension": [{"url": EXT_ITEM_WEIGHT, "valueDecimal": 1}],
    }
    exclusive = limits["answerOption"][2]["extension"]
    assert {"url": "http://hl7.org/fhir/StructureDefinition/questionnaire-optionExclusive", "valueBoolean": True} in (
        exclusive
    )
    legacy = fhir_items(questionnaire_to_fhir(mini, legacy_ordinal=True)["item"])
    assert legacy["limits"]["answerOption"][0]["extension"] == [{"url": EXT_ORDINAL_VALUE, "valueDecimal": 1}]
    calculated = extension(legacy["limitation"], EXT_CALCULATED)["valueExpression"]["expression"]
    assert calculated == "iif(%scoreItems.count() >= 1, %scoreItems.sum(), {})"
    variable = legacy["limitation"]["extension"][0]["valueExpression"]["expression"]
    assert ".ordinal().sum()" in variable and ".weight()" not in variable


def test_sum_and_mean_scores_are_read_only_calculated_items():
    core = load_questionnaire("pmpt-core")
    items = fhir_items(questionnaire_to_fhir(core)["item"])
    for score in core.scores:
        if score.internal:
            assert score.id not in items  # helper scores stay in pmpt's extension
            continue
        item = items[score.id]
        assert item["readOnly"] is True and item["type"] == "decimal" and item["text"] == score.label
        built_on_helpers = any(core.score(i) is not None and core.score(i).internal for i in score.items)
        if score.method in ("sum", "mean") and not built_on_helpers:  # helpers are not items: no FHIRPath sum
            expression = extension(item, EXT_CALCULATED)["valueExpression"]
            needed = len(score.items) - score.max_missing
            assert expression["expression"].startswith(f"iif(%scoreItems.count() >= {needed}, ")
            assert expression["language"] == "text/fhirpath"
    mean = extension(items["pain_intensity"], EXT_CALCULATED)["valueExpression"]["expression"]
    assert mean == "iif(%scoreItems.count() >= 3, (%scoreItems.sum() / %scoreItems.count()).round(2), {})"


def test_enable_if_becomes_an_enable_when_expression_with_the_enable_when_in_it():
    every = load_questionnaire(FIXTURES / "every-method.toml")
    item = fhir_items(questionnaire_to_fhir(every)["item"])["if_computed"]
    assert "enableWhen" not in item  # SDC: not both
    expression = extension(item, EXT_ENABLE_WHEN_EXPRESSION)["valueExpression"]["expression"]
    assert expression.startswith("(iif(%resource.repeat(item).where(linkId = 'tried').answer.value = true")
    assert "where(code in ('walking')).count() >= 1" in expression


def test_infinite_bounds_become_exists():
    every = load_questionnaire(FIXTURES / "every-method.toml")
    item = fhir_items(questionnaire_to_fhir(every)["item"])["if_weighed"]
    assert item["enableWhen"] == [{"question": "weight", "operator": "exists", "answerBoolean": True}]


def test_conditional_nested_sections_become_conditional_nested_groups():
    resource = questionnaire_to_fhir(load_questionnaire(FIXTURES / "sections.toml"))
    intake = resource["item"][0]
    assert intake["linkId"] == "1" and [i["linkId"] for i in intake["item"]] == ["1.1", "injury", "pain_now"]
    injury = intake["item"][1]
    assert injury["enableWhen"] == [{"question": "1.1", "operator": "=", "answerBoolean": True}]
    details = injury["item"][2]
    assert details["linkId"] == "details" and details["enableBehavior"] == "any"
    assert details["enableWhen"][1] == {"question": "injury_time", "operator": "<", "answerTime": "06:00:00"}
    assert resource["url"] == "http://example.org/Questionnaire/sections" and resource["status"] == "draft"


def test_pmpt_extension_carries_what_fhir_cannot_say():
    core = load_questionnaire("pmpt-core")
    definition = json.loads(extension(questionnaire_to_fhir(core), EXT_PMPT_DEFINITION)["valueString"])
    assert [r["id"] for r in definition["rules"]] == [r.id for r in core.rules]
    assert definition["default"]["outcome"] == "physical-therapy"
    scores = {s["id"]: s for s in definition["scores"]}
    assert scores["function_loss"]["mcid"]["value"] == 10 and scores["function_loss"]["better"] == "lower"
    assert definition["questions"]["pain_now"]["type"] == "scale"


def test_colliding_link_ids_are_refused_with_the_fix():
    doc = {
        "format": 1, "id": "clash", "title": "t", "version": "1", "language": "en", "licence": "CC0-1.0",
        "sources": [], "sections": [{"id": "s", "title": "S"}],
        "questions": [{"id": "a", "section": "s", "type": "yes_no", "text": "A?"},
                      {"id": "b", "section": "s", "type": "yes_no", "text": "B?"}],
        "fhir": {"questions": {"b": {"link_id": "a"}}},
    }  # fmt: skip
    with pytest.raises(FhirExportError, match="would share the FHIR linkId 'a'; give one a link_id"):
        questionnaire_to_fhir(build_questionnaire(doc))
