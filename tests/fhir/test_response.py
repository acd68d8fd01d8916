"""QuestionnaireResponse out (in a Bundle with a RiskAssessment) and in, and the SDC PHQ-9 response."""

from __future__ import annotations

import datetime
import json
import tomllib

import pytest
from helpers import EXAMPLES, FIXTURES, SDC_FIXTURES, TYPICAL_CORE, fhir_items, response_problems, validate_r4b

from pmpt_cli.answers_file import answers_for, parse_answers, questionnaire_for
from pmpt_cli.engine import run_triage
from pmpt_cli.errors import AnswersError, QuestionnaireNotFoundError
from pmpt_cli.export import summary_document
from pmpt_cli.fhir.questionnaire_in import import_file
from pmpt_cli.fhir.questionnaire_out import questionnaire_to_fhir
from pmpt_cli.fhir.response import bundle_to_fhir, response_answers, response_to_fhir, the_response
from pmpt_cli.loader import load_questionnaire
from pmpt_cli.summary import redact

NOW = datetime.datetime(2025, 3, 4, 10, 30, tzinfo=datetime.timezone.utc)
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.toml"))


@pytest.fixture(scope="module")
def core():
    return load_questionnaire("pmpt-core")


def summary_of(questionnaire, answers, *, allow_missing=False):
    return summary_document(questionnaire, run_triage(questionnaire, answers, allow_missing=allow_missing), now=NOW)


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_every_example_summary_exports_to_a_valid_response_that_triages_the_same(core, path):
    answers = tomllib.loads(path.read_text())["answers"]
    summary = summary_of(core, answers)
    bundle = bundle_to_fhir(core, summary)
    validate_r4b(bundle)
    response = bundle["entry"][0]["resource"]
    assert response_problems(response, questionnaire_to_fhir(core)) == []
    # through JSON text and the answers-file reader, as `pmpt triage --answers response.json` does
    answer_set = parse_answers(json.dumps(bundle).encode(), origin="r.json", is_json=True)
    assert questionnaire_for(answer_set, None) == ("pmpt-core", "")
    again, warnings, reported = answers_for(core, answer_set)
    result = run_triage(core, again)
    assert result.outcome == summary["outcome"] and path.stem.startswith(result.outcome)
    assert again == summary["answers"] and warnings == []
    assert reported == {sid: s["value"] for sid, s in summary["scores"].items()
                        if not s.get("internal") and s.get("value") is not None}  # fmt: skip


def test_the_response_names_its_questionnaire_and_nests_items_as_the_sections(core):
    response = response_to_fhir(core, summary_of(core, TYPICAL_CORE))
    assert response["questionnaire"] == f"urn:pmpt:questionnaire:pmpt-core|{core.version}"
    assert response["status"] == "completed" and response["authored"] == "2025-03-04T10:30:00Z"
    assert {e["url"]: e["valueString"] for e in response["extension"]} == {
        "urn:pmpt:fhir:questionnaire-id": "pmpt-core",
        "urn:pmpt:fhir:questionnaire-sha256": core.sha256,
    }
    groups = [item["linkId"] for item in response["item"]]
    asked = {q.section for q in core.questions if q.id in summary_of(core, TYPICAL_CORE)["answers"]}
    sections = [s.id for s in core.sections if s.id in asked]
    assert groups[: len(sections)] == sections  # the sections in order, then the scores
    about = response["item"][0]["item"]
    assert about[0] == {"linkId": "age_band", "text": "How old are you?",
                        "answer": [{"valueCoding": {"code": "age_25_to_50", "display": "25 to 50"}}]}  # fmt: skip
    items = fhir_items(response["item"])
    assert items["pain_now"]["answer"] == [{"valueInteger": 5}]
    assert "hot_joint" not in items  # skipped (its conditions were false): left out
    assert items["pain_intensity"]["answer"] == [{"valueDecimal": 5.33}]  # a score, read-only in the Questionnaire
    assert "red_flag_tier" not in items or "answer" in items["red_flag_tier"]


def test_a_partial_answers_file_gives_an_in_progress_response_and_a_preliminary_assessment(core):
    summary = summary_of(core, {"bladder_bowel": "yes"}, allow_missing=True)
    bundle = bundle_to_fhir(core, summary)
    response, risk = (entry["resource"] for entry in bundle["entry"])
    assert response["status"] == "in-progress" and risk["status"] == "preliminary"
    assert risk["prediction"][0]["outcome"]["coding"][0]["code"] == "emergency"


def test_the_outcome_goes_in_a_risk_assessment_whose_basis_is_the_response(core):
    path = EXAMPLES / "urgent-cancer-back-pain.toml"
    summary = summary_of(core, tomllib.loads(path.read_text())["answers"])
    bundle = bundle_to_fhir(core, summary, pseudonym="P-0042")
    assert bundle["type"] == "collection" and bundle["timestamp"] == "2025-03-04T10:30:00Z"
    response, risk = (entry["resource"] for entry in bundle["entry"])
    assert risk["resourceType"] == "RiskAssessment"
    assert risk["basis"][0]["reference"] == bundle["entry"][0]["fullUrl"] == f"urn:uuid:{response['id']}"
    assert risk["prediction"][0]["outcome"]["coding"] == [
        {"system": "urn:pmpt:outcome", "code": "urgent", "display": "Urgent: see a doctor today or tomorrow"}
    ]
    assert risk["prediction"][0]["rationale"].startswith("You said you have had cancer")
    assert risk["note"][0]["text"].startswith("Decided by: cancer_spinal_pain (urgent).")
    assert risk["note"][-1]["text"].startswith("pmpt is not a diagnosis")
    assert risk["method"]["coding"][0]["code"] == f"pmpt-core|{load_questionnaire('pmpt-core').version}"
    assert (
        risk["subject"]
        == response["subject"]
        == {"identifier": {"system": "urn:pmpt:pseudonym", "value": "P-0042"}, "display": "pseudonym P-0042"}
    )
    assert bundle_to_fhir(core, summary, pseudonym="P-0042") == bundle  # stable ids: the same summary, the same file


def test_a_measure_only_bundle_holds_the_response_alone():
    questionnaire = load_questionnaire(FIXTURES / "measure-only.toml")
    bundle = bundle_to_fhir(questionnaire, summary_of(questionnaire, {"sleep": "not_at_all", "energy": "not_at_all"}))
    validate_r4b(bundle)
    assert [e["resource"]["resourceType"] for e in bundle["entry"]] == ["QuestionnaireResponse"]


def test_a_redacted_response_has_no_free_text_and_no_time_of_day(mini, mini_answers):
    summary = redact(summary_of(mini, mini_answers | {"comment": "Jane, 555-0100"}), mini)
    bundle = bundle_to_fhir(mini, summary)
    validate_r4b(bundle)
    text = json.dumps(bundle)
    assert "Jane" not in text and "timestamp" not in bundle
    assert bundle["entry"][0]["resource"]["authored"] == "2025-03-04"


def test_dates_times_and_an_empty_multiple_choice_go_out_and_come_back():
    questionnaire = load_questionnaire(FIXTURES / "sections.toml")
    answers = {"injured": True, "injury_date": "2024-03-01", "injury_time": "05:30:00", "how": "fell", "pain_now": 4}
    response = response_to_fhir(questionnaire, summary_of(questionnaire, answers))
    items = fhir_items(response["item"])
    assert items["injury_date"]["answer"] == [{"valueDate": "2024-03-01"}]
    assert items["injury_time"]["answer"] == [{"valueTime": "05:30:00"}]
    assert "1.1" in items and "1" in items  # the link ids [fhir] gives
    read, problems = response_answers(questionnaire, response)
    assert problems == [] and read.answers == answers
    mini = load_questionnaire(FIXTURES / "mini.toml")
    none_chosen = {"hot_joint": "no", "pain_now": 2, "pain_worst": 3, "limits": [], "weeks": 1, "tried": False}
    response = response_to_fhir(mini, summary_of(mini, none_chosen))
    assert fhir_items(response["item"])["limits"] == {"linkId": "limits", "text": "What does the pain stop you doing?"}
    assert response_answers(mini, response)[0].answers == none_chosen


def test_responses_that_do_not_fit_say_where(mini):
    response = {"resourceType": "QuestionnaireResponse", "status": "completed", "item": [
        {"linkId": "safety", "item": [
            {"linkId": "hot_joint", "answer": [{"valueCoding": {"code": "maybe"}}]},
            {"linkId": "nonsense", "answer": [{"valueString": "x"}]}]},
        {"linkId": "pain-section", "item": [
            {"linkId": "pain_now", "answer": [{"valueString": "six"}]},
            {"linkId": "tried", "answer": [{"valueBoolean": True}, {"valueBoolean": False}]},
            {"linkId": "weeks", "answer": [{}]}]},
    ]}  # fmt: skip
    _, problems = response_answers(mini, response)
    assert [str(p) for p in problems] == [
        "item[0].item[0].answer[0].valueCoding: 'maybe' is not an option of 'hot_joint' (no, unsure, yes)",
        "item[0].item[1].linkId: 'nonsense' is not an item of 'mini' 1.0.0",
        "item[1].item[0].answer[0].valueString: a scale question does not take valueString",
        "item[1].item[1].answer: 2 answers to 'tried', which takes one",
        "item[1].item[2].answer[0]: an answer needs one value[x]",
    ]
    answer_set = parse_answers(json.dumps(response).encode(), origin="r.json", is_json=True)
    with pytest.raises(AnswersError, match="the QuestionnaireResponse does not fit 'mini' 1.0.0"):
        answers_for(mini, answer_set)


def test_an_unknown_questionnaire_is_a_clear_error_and_not_pmpt_core():
    answer_set = parse_answers(
        json.dumps({"resourceType": "QuestionnaireResponse", "questionnaire": "http://example.org/Q/x|2",
                    "status": "completed"}).encode(), origin="r.json", is_json=True)  # fmt: skip
    with pytest.raises(QuestionnaireNotFoundError, match=r"answers questionnaire http://example.org/Q/x\|2, which"):
        questionnaire_for(answer_set, None)
    assert questionnaire_for(answer_set, "mini") == ("mini", "")


def test_the_sdc_phq9_response_triages_against_the_imported_sdc_phq9(tmp_path, monkeypatch):
    imported = import_file((SDC_FIXTURES / "sdc-phq9-questionnaire.json").read_bytes(), origin="phq9.json", qid="phq9")
    (tmp_path / "phq9.toml").write_text(imported.text)
    monkeypatch.setenv("PMPT_QUESTIONNAIRES_DIR", str(tmp_path))
    answer_set = parse_answers((SDC_FIXTURES / "sdc-phq9-questionnaireresponse.json").read_bytes(),
                               origin="qr.json", is_json=True)  # fmt: skip
    ref, note = questionnaire_for(answer_set, None)  # found by its canonical URL
    assert (ref, note) == ("phq9", "")
    questionnaire = load_questionnaire(ref)
    answers, warnings, reported = answers_for(questionnaire, answer_set)
    result = run_triage(questionnaire, answers)
    assert result.outcome is None and result.scores["h1_ts"].value == 10  # 0+0+0+1+2+1+3+2+1
    assert reported == {"h1_ts": 13}  # what the example response itself claims; pmpt warns and uses its own
    assert the_response(json.loads((SDC_FIXTURES / "sdc-phq9-questionnaireresponse.json").read_text()))["id"] == (
        "questionnaireresponse-sdc-profile-example-PHQ9"
    )


def test_a_quantity_item_is_answered_with_a_quantity():
    form = {"resourceType": "Questionnaire", "status": "active", "version": "1", "language": "en", "copyright": "CC0",
            "item": [{"linkId": "w", "text": "Weight", "type": "quantity", "extension": [
                {"url": "http://hl7.org/fhir/StructureDefinition/questionnaire-unit", "valueCoding": {"display": "kg"}}]},
                     {"linkId": "heavy", "text": "Heavy?", "type": "boolean", "enableWhen": [
                         {"question": "w", "operator": ">", "answerQuantity": {"value": 100}}]}]}  # fmt: skip
    imported = import_file(json.dumps(form).encode(), origin="q.json", qid="weights")
    questionnaire = imported.questionnaire
    exported = questionnaire_to_fhir(questionnaire)
    assert fhir_items(exported["item"])["heavy"]["enableWhen"][0]["answerQuantity"] == {"value": 100}
    response = response_to_fhir(questionnaire, summary_of(questionnaire, {"w": 120, "heavy": True}))
    validate_r4b(response)
    assert response_problems(response, exported) == []
    assert fhir_items(response["item"])["w"]["answer"] == [{"valueQuantity": {"value": 120, "unit": "kg"}}]
    assert response_answers(questionnaire, response)[0].answers == {"w": 120, "heavy": True}
