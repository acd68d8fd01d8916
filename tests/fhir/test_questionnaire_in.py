"""``import_questionnaire``: real SDC files, the idioms that sum weights, refusals and messy input."""

from __future__ import annotations

import copy
import json
import tomllib

import pytest
from helpers import SDC_FIXTURES, fhir_items, questionnaire_problems, validate_r4b

from pmpt_cli.engine import run_triage
from pmpt_cli.fhir import EXT_CALCULATED, EXT_ORDINAL_VALUE
from pmpt_cli.fhir.questionnaire_in import ImportRefused, document_toml, import_questionnaire, read_json, slug
from pmpt_cli.fhir.questionnaire_out import questionnaire_to_fhir
from pmpt_cli.loader import build_questionnaire

PHQ9 = json.loads((SDC_FIXTURES / "sdc-phq9-questionnaire.json").read_text())
ENABLE_WHEN = json.loads((SDC_FIXTURES / "sdc-enablewhen-questionnaire.json").read_text())


def imported(resource: dict, **options):
    result = import_questionnaire(copy.deepcopy(resource), **options)
    return build_questionnaire(result.document), result


def refusal(resource: dict, **options) -> list[str]:
    with pytest.raises(ImportRefused) as info:
        import_questionnaire(resource, **options)
    return [str(p) for p in info.value.problems]


def form(*items: dict, **top) -> dict:
    """A small Questionnaire around ``items``."""
    return {"resourceType": "Questionnaire", "status": "active", "version": "1", "language": "en",
            "copyright": "CC0", "url": "http://example.org/Questionnaire/f", "item": list(items), **top}  # fmt: skip


def choice(link: str, *codes: str, weights=(), **extra) -> dict:
    options = []
    for i, code in enumerate(codes):
        option: dict = {"valueCoding": {"system": "http://example.org/cs", "code": code, "display": code.title()}}
        if i < len(weights):
            option["extension"] = [{"url": "http://hl7.org/fhir/StructureDefinition/itemWeight",
                                    "valueDecimal": weights[i]}]  # fmt: skip
        options.append(option)
    return {"linkId": link, "text": f"{link}?", "type": "choice", "answerOption": options, **extra}


def calculated(link: str, expression: str, variables=()) -> dict:
    return {
        "linkId": link, "text": "Total", "type": "decimal", "readOnly": True,
        "extension": [*({"url": "http://hl7.org/fhir/StructureDefinition/variable",
                         "valueExpression": {"name": n, "language": "text/fhirpath", "expression": e}}
                        for n, e in variables),
                      {"url": EXT_CALCULATED, "valueExpression": {"language": "text/fhirpath", "expression": expression}}],
    }  # fmt: skip


# -- the SDC PHQ-9 ---------------------------------------------------------------------


def test_the_sdc_phq9_imports_as_a_measure_only_questionnaire_with_a_sum_score():
    questionnaire, result = imported(PHQ9)
    assert questionnaire.id == "questionnaire-sdc-profile-example-phq9" and questionnaire.version == "0.0.1"
    assert questionnaire.title == "Patient Health Questionnaire - 9 Item" and questionnaire.measure_only
    assert questionnaire.licence.startswith("This content is an unaltered digital reproduction of the PHQ-9")
    assert questionnaire.fhir["url"] == PHQ9["url"] and questionnaire.fhir["status"] == "draft"
    assert [q.id for q in questionnaire.questions] == [f"h1_t1_q{i}" for i in range(1, 10)]
    first = questionnaire.questions[0]
    assert [(c.value, c.label, c.score) for c in first.choices] == [
        ("not_at_all", "Not at all", 0), ("several_days", "Several days", 1),
        ("more_than_half_the_days", "More than half the days", 2), ("nearly_every_day", "Nearly every day", 3),
    ]  # fmt: skip
    total = questionnaire.score("h1_ts")
    assert (total.method, total.items, total.max_missing) == ("sum", tuple(q.id for q in questionnaire.questions), 8)
    assert "%resource.answers().value.ordinal().sum()" in total.source
    assert [str(w) for w in result.warnings] == ["language: the Questionnaire has no language; 'en' is assumed"]
    answers = {q.id: "several_days" for q in questionnaire.questions}
    assert run_triage(questionnaire, answers).scores["h1_ts"].value == 9


def options_of(resource: dict, item: dict) -> list[tuple]:
    """(system, code, display, weight) of each option, from answerOption or a contained ValueSet."""
    if "answerOption" in item:
        found = []
        for option in item["answerOption"]:
            coding = option.get("valueCoding", {"code": option.get("valueString", option.get("valueInteger"))})
            weight = next((e["valueDecimal"] for e in option.get("extension", []) if "Value" in e["url"]
                           or "Weight" in e["url"]), None)  # fmt: skip
            found.append((coding.get("system"), coding.get("code"), coding.get("display"), weight))
        return found
    value_set = next(c for c in resource["contained"] if f"#{c['id']}" == item["answerValueSet"])
    return [(inc["system"], c["code"], c["display"], c["extension"][0]["valueDecimal"])
            for inc in value_set["compose"]["include"] for c in inc["concept"]]  # fmt: skip


@pytest.mark.parametrize("legacy", [False, True])
def test_the_sdc_phq9_round_trips_link_ids_options_and_weights(legacy):
    questionnaire, _ = imported(PHQ9)
    exported = questionnaire_to_fhir(questionnaire, legacy_ordinal=legacy)
    validate_r4b(exported)
    assert questionnaire_problems(exported) == []
    before, after = fhir_items(PHQ9["item"]), fhir_items(exported["item"])
    assert list(before) == list(after)  # the same linkIds, in the same order
    for link, item in before.items():
        assert after[link]["type"] == item["type"] and after[link]["text"] == item["text"]
        if item["type"] == "choice":
            assert options_of(exported, after[link]) == options_of(PHQ9, item)
    weight_url = after["H1/T1/Q1"]["answerOption"][0]["extension"][0]["url"]
    assert (weight_url == EXT_ORDINAL_VALUE) is legacy
    assert after["H1/TS"]["readOnly"] is True and after["H1/TS"]["code"] == PHQ9["item"][0]["item"][9]["code"]


# -- the SDC enable-when test form -----------------------------------------------------


def test_the_enable_when_form_refuses_its_external_value_set_with_its_json_path():
    assert refusal(copy.deepcopy(ENABLE_WHEN)) == [
        "item[1].item[0].answerValueSet: the external value set "
        "http://sqlonfhir-r4.azurewebsites.net/fhir/ValueSet/a015b6a1ac024dc19baec940be2c1695 cannot be expanded "
        "offline (pmpt cannot do this; --skip-unsupported leaves it out)"
    ]


def normal_condition(resource_items: dict, condition: dict) -> tuple:
    """An enableWhen as (question, operator, what it compares): an option by its code, a value as itself."""
    answer = next((k, v) for k, v in condition.items() if k.startswith("answer"))
    target = resource_items[condition["question"]]
    value = answer[1]
    if target["type"] == "choice" and "answerOption" in target:
        value = value["code"] if isinstance(value, dict) else str(value)
    elif isinstance(value, dict):
        value = value["code"]
    return condition["question"], condition["operator"], value


def test_the_enable_when_form_round_trips_its_link_ids_options_and_conditions():
    questionnaire, result = imported(ENABLE_WHEN, skip_unsupported=True)
    exported = questionnaire_to_fhir(questionnaire)
    validate_r4b(exported)
    assert questionnaire_problems(exported) == []
    before, after = fhir_items(ENABLE_WHEN["item"]), fhir_items(exported["item"])
    assert list(before) == list(after)
    for link, item in before.items():
        if "answerOption" in item:
            assert options_of(exported, after[link]) == options_of(ENABLE_WHEN, item), link
        assert after[link].get("enableBehavior") == item.get("enableBehavior"), link
        old = [normal_condition(before, c) for c in item.get("enableWhen", [])]
        new = [normal_condition(after, c) for c in after[link].get("enableWhen", [])]
        if link in ("945b97b5-6d74-4a55-9be1-19897512jj89", "04fabc33-534a-4047-9a13-c13b0b63fa17"):
            # '< 2.1' and '>= 2.1' on options coded 1.1, 2.2, 3.3 become the options they select
            assert new == [("s3-radio", "=", "1.1")] if "jj89" in link else [("s3-radio", "=", "2.2"),
                                                                              ("s3-radio", "=", "3.3")]  # fmt: skip
        else:
            assert new == old, link
    # the item with the external value set became a free-text question, said in a warning
    assert after["1acf93a7-0890-44cd-be48-542defb35248"]["type"] == "string"
    assert any("left out (--skip-unsupported)" in str(w) for w in result.warnings)


def test_the_enable_when_form_asks_what_its_conditions_say():
    from helpers import active_answers

    questionnaire, _ = imported(ENABLE_WHEN, skip_unsupported=True)

    def asked(**answers) -> set[str]:
        kept, skipped = active_answers(questionnaire, answers)
        return {q.id for q in questionnaire.questions} - set(skipped)

    q1 = slug("83d5c1a6-5dc3-44d0-9d9e-d687c72e143e", "q")
    hidden_until_q1 = slug("e5da17a7-7546-45c5-9bcd-d0b09a74cc14", "q")
    in_group_until_q1 = slug("65578509-21ae-4a48-94de-e46b1e54kjui", "q")
    assert hidden_until_q1 not in asked() and in_group_until_q1 not in asked()
    assert {hidden_until_q1, in_group_until_q1} <= asked(**{q1: True})
    below = slug("840c08ad-4b27-4c1d-9d6e-824202519kied", "q")  # group visible when s3-radio < 2.1
    assert below in asked(s3_radio="c_1_1") and below not in asked(s3_radio="c_2_2")
    after_2000 = slug("date_greater_2000-01-01", "q")
    assert after_2000 in asked(date_of_birth_question="2001-05-01")
    assert after_2000 not in asked(date_of_birth_question="1999-05-01")
    late = slug("datetime_question_greter_than", "q")
    assert late in asked(datetime_question="12:00") and late not in asked(datetime_question="11:11:11")
    other = slug("BOWOPTOTH", "q")
    assert other in asked(bc029=["c_9", "c_1"]) and other not in asked(bc029=["c_1"])


# -- idioms that sum weights -----------------------------------------------------------

ITEMS = [choice("a", "no", "yes", weights=(0, 2)), choice("b", "no", "yes", weights=(0, 3))]


@pytest.mark.parametrize(("expression", "variables", "max_missing"), [
    ("%resource.repeat(item).answer.value.weight().sum()", (), 1),
    ("%resource.item.answer.value.ordinal().sum()", (), 1),
    ("%resource.answers().value.weight().sum()", (), 1),
    ("%resource.repeat(item).where(linkId in ('a' | 'b')).answer.value.weight().sum()", (), 1),
    ("%resource.repeat(item).where(linkId = 'a' or linkId = 'b').answer.value.weight().sum()", (), 1),
    ("item.answer.value.extension('http://hl7.org/fhir/StructureDefinition/ordinalValue').value.sum()", (), 1),
    ("%a + %b", [("a", "%resource.item.where(linkId='a').answer.value.ordinal()"),
                 ("b", "%resource.item.where(linkId='b').answer.value.ordinal()")], 0),
    ("iif(%any_questions_answered, iif(%a.exists(), %a, 0) + iif(%b.exists(), %b, 0), {})",
     [("a", "%resource.item.where(linkId='a').answer.value.weight()"),
      ("b", "%resource.item.where(linkId='b').answer.value.weight()"),
      ("any_questions_answered", "%a.exists() or %b.exists()")], 1),
])  # fmt: skip
def test_sums_of_weights_become_sum_scores_with_the_matching_missing_item_rule(expression, variables, max_missing):
    questionnaire, _ = imported(form(*ITEMS, calculated("total", expression, variables)))
    total = questionnaire.score("total")
    assert (total.method, total.items, total.max_missing) == ("sum", ("a", "b"), max_missing)
    assert run_triage(questionnaire, {"a": "yes", "b": "yes"}).scores["total"].value == 5


def test_a_sum_within_a_group_takes_that_groups_items():
    group = {"linkId": "g", "type": "group", "text": "G", "item": ITEMS}
    expression = "%resource.item.where(linkId = 'g').item.answer.value.weight().sum()"
    questionnaire, _ = imported(form(choice("x", "no", "yes", weights=(0, 9)), group, calculated("t", expression)))
    assert questionnaire.score("t").items == ("a", "b")


def test_any_other_calculation_is_kept_verbatim_with_a_warning_and_exported_back():
    expression = "%resource.repeat(item).answer.value.weight().sum() * 2"
    questionnaire, result = imported(form(*ITEMS, calculated("double", expression)))
    assert questionnaire.scores == ()
    assert questionnaire.fhir["calculated"]["double"]["expression"] == expression
    assert any("is kept as it is and not computed" in str(w) for w in result.warnings)
    item = fhir_items(questionnaire_to_fhir(questionnaire)["item"])["double"]
    assert item["extension"][-1]["valueExpression"]["expression"] == expression and item["readOnly"] is True


def test_weights_are_read_from_every_place_they_are_found():
    stu3 = {"linkId": "s", "text": "S", "type": "choice", "option": [
        {"valueCoding": {"code": "a"}, "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/iso21090-CO-value",
                                                      "valueDecimal": 1}]},
        {"valueCoding": {"code": "b", "extension": [{"url": EXT_ORDINAL_VALUE, "valueDecimal": 4}]}},
    ]}  # fmt: skip
    strings = {"linkId": "t", "text": "T", "type": "choice",
               "answerOption": [{"valueString": "Low"}, {"valueString": "High"}]}  # fmt: skip
    integers = {"linkId": "n", "text": "N", "type": "choice",
                "answerOption": [{"valueInteger": 1}, {"valueInteger": 2}]}  # fmt: skip
    questionnaire, result = imported(form(stu3, strings, integers))
    assert [c.score for c in questionnaire.question("s").choices] == [1, 4]
    assert [(c.value, c.label) for c in questionnaire.question("t").choices] == [("low", "Low"), ("high", "High")]
    assert questionnaire.fhir["questions"]["t"] == {"option_type": "string", "codes": {"low": "Low", "high": "High"}}
    assert questionnaire.fhir["questions"]["n"]["codes"] == {"c_1": 1, "c_2": 2}
    assert "item[0].option: STU3 'option' read as answerOption" in [str(w) for w in result.warnings]
    exported = fhir_items(questionnaire_to_fhir(questionnaire)["item"])
    assert exported["t"]["answerOption"] == [{"valueString": "Low"}, {"valueString": "High"}]
    assert exported["n"]["answerOption"] == [{"valueInteger": 1}, {"valueInteger": 2}]


def test_item_types_and_flags():
    items = [
        {"linkId": "flag", "text": "Flag?", "type": "boolean", "required": True},
        {"linkId": "age", "text": "Age", "type": "integer", "extension": [
            {"url": "http://hl7.org/fhir/StructureDefinition/minValue", "valueInteger": 16},
            {"url": "http://hl7.org/fhir/StructureDefinition/maxValue", "valueInteger": 120}]},
        {"linkId": "weight", "text": "Weight", "type": "decimal", "extension": [
            {"url": "http://hl7.org/fhir/StructureDefinition/questionnaire-unit", "valueCoding": {"display": "kg"}}]},
        {"linkId": "name", "text": "Name", "type": "string", "maxLength": 40},
        {"linkId": "story", "text": "Story", "type": "text", "readOnly": True,
         "item": [{"linkId": "story-help", "type": "display", "text": "Tell it in your words."}]},
        {"linkId": "seen", "text": "Seen on", "type": "date", "initial": [{"valueDate": "2024-01-01"}]},
        {"linkId": "at", "text": "At", "type": "time"},
        {"linkId": "where", "text": "Where", "type": "open-choice", "repeats": True,
         "answerOption": [{"valueString": "Home"}, {"valueString": "Work"}]},
    ]  # fmt: skip
    questionnaire, result = imported(form(*items))
    types = {q.id: q.type for q in questionnaire.questions}
    assert types == {"flag": "yes_no", "age": "number", "weight": "number", "name": "text", "story": "text",
                     "seen": "date", "at": "time", "where": "multi_choice"}  # fmt: skip
    age, weight, story = (
        questionnaire.question("age"),
        questionnaire.question("weight"),
        questionnaire.question("story"),
    )
    assert (age.min, age.max, age.integer, weight.unit) == (16, 120, True, "kg")
    assert questionnaire.question("flag").required and not questionnaire.question("at").required
    assert questionnaire.question("name").max_length == 40 and story.help == "Tell it in your words."
    assert questionnaire.fhir["questions"]["name"] == {"type": "string"}
    assert questionnaire.fhir["questions"]["seen"] == {"initial": "2024-01-01"}
    assert questionnaire.fhir["questions"]["story"] == {"read_only": True}
    warnings = " | ".join(str(w) for w in result.warnings)
    for expected in ("pmpt has no read-only questions", "pmpt does not pre-fill answers", "open-choice"):
        assert expected in warnings
    exported = fhir_items(questionnaire_to_fhir(questionnaire)["item"])
    assert {link: exported[link]["type"] for link in types} == {item["linkId"]: item["type"] for item in items}
    assert exported["seen"]["initial"] == [{"valueDate": "2024-01-01"}] and exported["story"]["readOnly"] is True


def test_top_level_questions_keep_their_place_around_groups():
    group = {"linkId": "g", "type": "group", "text": "G", "item": [{"linkId": "in", "text": "In", "type": "string"}]}
    questions = [{"linkId": name, "text": name, "type": "boolean"} for name in ("first", "last")]
    questionnaire, _ = imported(form(questions[0], group, questions[1]))
    exported = questionnaire_to_fhir(questionnaire)
    assert [item["linkId"] for item in exported["item"]] == ["first", "g", "last"]


def test_pmpt_scores_its_own_exports_the_same_without_its_extension(mini):
    exported = questionnaire_to_fhir(mini)
    exported["extension"] = []  # as another tool that dropped pmpt's extension would
    questionnaire, _ = imported(exported, qid="mini-bare")
    assert questionnaire.score("limitation").method == "sum" and questionnaire.score("limitation").items == ("limits",)
    pain = questionnaire.score("pain")
    assert (pain.method, pain.items, pain.max_missing) == ("mean", ("pain_now", "pain_worst"), 1)


# -- refusals and messy input ----------------------------------------------------------

SDC = "http://hl7.org/fhir/uv/sdc/StructureDefinition/"


@pytest.mark.parametrize(("extension", "words"), [
    ("sdc-questionnaire-initialExpression", "initialExpression"),
    ("sdc-questionnaire-answerExpression", "answerExpression"),
    ("sdc-questionnaire-observationExtract", "data extraction"),
    ("sdc-questionnaire-itemExtractionContext", "data extraction"),
    ("sdc-questionnaire-subQuestionnaire", "a modular form"),
])  # fmt: skip
def test_unsupported_features_are_refused_with_a_clear_message(extension, words):
    item = {"linkId": "x", "text": "X", "type": "string",
            "extension": [{"url": SDC + extension, "valueExpression": {"expression": "1"}}]}  # fmt: skip
    [problem] = refusal(form(item))
    assert problem.startswith(f"item[0].extension[0]: {words}") and "--skip-unsupported" in problem
    questionnaire, result = imported(form(item), skip_unsupported=True)
    assert any("left out" in str(w) for w in result.warnings)


def test_an_enable_when_expression_pmpt_did_not_write_is_refused():
    item = {"linkId": "x", "text": "X", "type": "string", "extension": [
        {"url": SDC + "sdc-questionnaire-enableWhenExpression",
         "valueExpression": {"language": "text/fhirpath", "expression": "today() > @2020-01-01"}}]}  # fmt: skip
    assert "an enableWhenExpression (FHIRPath) that pmpt did not write" in refusal(form(item))[0]


@pytest.mark.parametrize(("resource", "expected"), [
    ([], "a FHIR resource is a JSON object"),
    ({"resourceType": "Patient"}, "resourceType: is 'Patient', not 'Questionnaire'"),
    (form(), "item: a Questionnaire needs items to import"),
    (form({"text": "no link"}), "item[0].linkId: is required (a string)"),
    (form({"linkId": "a", "type": "boolean"}, {"linkId": "a", "type": "boolean"}),
     "item[1].linkId: 'a' is used by another item too; linkIds must be unique"),
    (form({"linkId": "a", "type": "widget"}), "item[0].type: unknown item type 'widget'"),
    (form({"linkId": "a", "type": "boolean", "enableWhen": [
        {"question": "b", "operator": "exists", "answerBoolean": True}]}, {"linkId": "b", "type": "boolean"}),
     "item[0].enableWhen[0].question: 'b' is asked later"),
    (form({"linkId": "g", "type": "group", "item": [{"linkId": "a", "type": "boolean"}], "repeats": True}),
     "item[0].repeats: repeating groups are not supported"),
    (form({"linkId": "a", "type": "boolean", "modifierExtension": [{"url": "http://x", "valueBoolean": True}]}),
     "item[0].modifierExtension[0]: a modifier extension"),
    (form(choice("a", "no", "yes"), {"linkId": "b", "type": "boolean", "enableWhen": [
        {"question": "a", "operator": "=", "answerCoding": {"code": "maybe"}}]}),
     "item[1].enableWhen[0].answerCoding: 'maybe' is not an option of 'a'"),
])  # fmt: skip
def test_messy_files_are_refused_with_the_json_path(resource, expected):
    assert any(p.startswith(expected) for p in refusal(resource)), refusal(resource)


def test_deep_nesting_and_bad_json_are_clear_errors():
    deep: dict = {"linkId": "g0", "type": "group", "item": []}
    node = deep
    for i in range(1, 200):
        child = {"linkId": f"g{i}", "type": "group", "item": []}
        node["item"].append(child)
        node = child
    assert any("nested more than 30 deep" in p for p in refusal(form(deep)))
    with pytest.raises(ImportRefused, match=r"not valid JSON: Expecting ',' delimiter \(line 1, column 9\)"):
        read_json(b'{"a": 1 "b": 2}', origin="x.json")
    with pytest.raises(ImportRefused, match="nested more than 200 levels deep"):
        read_json(b"[" * 100_000 + b"]" * 100_000, origin="x.json")


def test_variable_names_that_break_the_r4_id_pattern_are_still_read():
    variables = [("item_a", "%resource.item.where(linkId='a').answer.value.weight()"),
                 ("item_b", "%resource.item.where(linkId='b').answer.value.weight()")]  # fmt: skip
    questionnaire, _ = imported(form(*ITEMS, calculated("t", "%item_a + %item_b", variables)))
    assert questionnaire.score("t").max_missing == 0


def test_the_imported_document_is_valid_toml_that_loads():
    result = import_questionnaire(copy.deepcopy(ENABLE_WHEN), skip_unsupported=True)
    text = document_toml(result.document, origin="enable-when.json")
    assert text.startswith("# Imported by pmpt from the FHIR Questionnaire enable-when.json.")
    assert build_questionnaire(tomllib.loads(text)).id == "questionnaire-sdc-test-enable-when"


def test_an_item_nested_under_a_question_is_asked_right_after_it():
    parent = {"linkId": "smoke", "text": "Smoke?", "type": "boolean",
              "item": [{"linkId": "packs", "text": "Packs a day", "type": "integer"}]}  # fmt: skip
    questionnaire, result = imported(form(parent, {"linkId": "last", "text": "Last", "type": "boolean"}))
    assert [q.id for q in questionnaire.questions] == ["smoke", "packs", "last"]
    assert "item[0].item[0]: an item nested under a question is asked right after it" in map(str, result.warnings)
