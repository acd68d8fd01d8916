"""Answers as FHIR: a summary out as a ``QuestionnaireResponse`` (in a ``Bundle`` with a
``RiskAssessment`` for the outcome), and a ``QuestionnaireResponse`` in as answers.

Out (``pmpt export SUMMARY --format fhir``): the response names its questionnaire as
``url|version``; its items are nested as the sections are and linked to the questions
by ``linkId``; only the questions that were asked and answered appear (a skipped
question, disabled by its conditions, is left out); each score shown to the person is a
read-only item with its value. SDC has no place for a triage outcome, so pmpt puts the
response in a ``Bundle`` of type ``collection`` with a ``RiskAssessment`` whose
prediction is the outcome, whose ``basis`` points at the response, and whose notes are
the reasons (docs/fhir.md, "Where the outcome goes").

In (``pmpt triage --answers FILE.json``): a response, or a Bundle holding one, becomes
answers to the questionnaire it names (``response_answers``), and
``find_questionnaire`` finds that questionnaire by its canonical URL and version.
"""

from __future__ import annotations

import datetime
import json
import uuid
from typing import Any

from pmpt_cli import __version__
from pmpt_cli.errors import Problem
from pmpt_cli.fhir import (
    EXT_PMPT_QUESTIONNAIRE_ID,
    EXT_PMPT_SHA256,
    PMPT_IDENTIFIER_SYSTEM,
    PMPT_OUTCOME_SYSTEM,
    PMPT_QUESTIONNAIRE_URN,
    PMPT_RULE_SYSTEM,
)
from pmpt_cli.fhir.mapping import FhirExportError, answer_value, choice_for, fhir_table, item_tree, link_ids, value_of
from pmpt_cli.model import Question, Questionnaire
from pmpt_cli.records import Record
from pmpt_cli.report import DISCLAIMER

PSEUDONYM_SYSTEM = "urn:pmpt:pseudonym"
#: Repeating answers FHIR allows per pmpt type; everything else takes one.
_REPEATS = ("multi_choice",)


# -- out ---------------------------------------------------------------------------------


def response_to_fhir(questionnaire: Questionnaire, summary: dict[str, Any], *, pseudonym: str | None = None) -> dict:
    """The summary's answers and scores as an R4 ``QuestionnaireResponse``."""
    links = link_ids(questionnaire)
    answers = summary.get("answers", {})
    unknown = [qid for qid in answers if questionnaire.question(qid) is None]
    if unknown:
        raise FhirExportError(
            f"the summary answers questions '{questionnaire.id}' {questionnaire.version} does not have "
            f"({', '.join(unknown)}); give the questionnaire it was made with (--questionnaire)."
        )
    scores = summary.get("scores", {})

    def build(nodes: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for node in nodes:
            kind, ident = node[0], node[1]
            if kind == "section":
                inner = build(node[2])
                if inner:
                    section = next(s for s in questionnaire.sections if s.id == ident)
                    out.append({"linkId": links["sections", ident], "text": section.title, "item": inner})
            elif kind == "question" and ident in answers:
                out.append(_answer_item(questionnaire, questionnaire.questions_by_id[ident], answers[ident], links))
            elif kind == "score" and (scores.get(ident) or {}).get("value") is not None:
                out.append(_score_item(questionnaire, ident, scores[ident], links))
        return out

    response: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": _uuid(summary, "response"),
        "extension": [
            {"url": EXT_PMPT_QUESTIONNAIRE_ID, "valueString": summary.get("questionnaire") or questionnaire.id},
            {"url": EXT_PMPT_SHA256, "valueString": summary.get("questionnaire_sha256") or questionnaire.sha256},
        ],
        "questionnaire": f"{summary.get('questionnaire_url') or questionnaire.url}|"
        f"{summary.get('questionnaire_version') or questionnaire.version}",
        "status": _status(questionnaire, summary),
    }
    if pseudonym:
        response["subject"] = _subject(pseudonym)
    authored = _when(summary.get("created"))
    if authored:
        response["authored"] = authored
    response["item"] = build(item_tree(questionnaire))
    if not response["item"]:
        del response["item"]
    return response


def bundle_to_fhir(questionnaire: Questionnaire, summary: dict[str, Any], *, pseudonym: str | None = None) -> dict:
    """A ``Bundle`` (type ``collection``): the response and, when there is an outcome, its ``RiskAssessment``."""
    response = response_to_fhir(questionnaire, summary, pseudonym=pseudonym)
    entries = [{"fullUrl": f"urn:uuid:{response['id']}", "resource": response}]
    if summary.get("outcome"):
        risk = risk_assessment(questionnaire, summary, response, pseudonym=pseudonym)
        entries.append({"fullUrl": f"urn:uuid:{risk['id']}", "resource": risk})
    bundle: dict[str, Any] = {"resourceType": "Bundle", "id": _uuid(summary, "bundle"), "type": "collection"}
    created = summary.get("created")
    if isinstance(created, datetime.datetime):  # an instant needs the time of day (a redacted summary has none)
        bundle["timestamp"] = _when(created)
    bundle["entry"] = entries
    return bundle


def risk_assessment(
    questionnaire: Questionnaire, summary: dict[str, Any], response: dict[str, Any], *, pseudonym: str | None = None
) -> dict[str, Any]:
    """The triage outcome as a ``RiskAssessment``: the prediction is the outcome, the basis the response."""
    outcome = summary["outcome"]
    text = questionnaire.outcome_texts.get(outcome)
    headline = text.headline if text is not None else outcome
    reasons = summary.get("reasons", [])
    decisive = next((r for r in reasons if r.get("decisive")), reasons[0] if reasons else {})
    risk: dict[str, Any] = {
        "resourceType": "RiskAssessment",
        "id": _uuid(summary, "risk"),
        "extension": [
            {"url": EXT_PMPT_SHA256, "valueString": summary.get("questionnaire_sha256") or questionnaire.sha256}
        ],
        "status": "final" if response["status"] == "completed" else "preliminary",
        "method": {
            "coding": [
                {
                    "system": PMPT_IDENTIFIER_SYSTEM,
                    "code": f"{questionnaire.id}|{questionnaire.version}",
                    "display": questionnaire.title,
                }
            ],
            "text": f"pmpt {summary.get('pmpt_version', __version__)} triage rules of {questionnaire.title} "
            f"{questionnaire.version}",
        },  # fmt: skip
        "code": {"text": "Musculoskeletal pain triage: where to seek care (pmpt)"},
        "subject": _subject(pseudonym) if pseudonym else {"display": "not recorded: pmpt keeps no identity"},
    }
    when = response.get("authored")
    if when:
        risk["occurrenceDateTime"] = when
    risk["basis"] = [{"reference": f"urn:uuid:{response['id']}", "display": "the answers (QuestionnaireResponse)"}]
    prediction: dict[str, Any] = {
        "outcome": {"coding": [{"system": PMPT_OUTCOME_SYSTEM, "code": outcome, "display": headline}],
                    "text": headline},
    }  # fmt: skip
    if decisive.get("explanation"):
        prediction["rationale"] = decisive["explanation"]
    risk["prediction"] = [prediction]
    if text is not None:
        steps = " ".join(f"{i}. {step}" for i, step in enumerate(text.steps, 1))
        risk["mitigation"] = " ".join(filter(None, [text.care, steps, text.next]))
    risk["note"] = [
        {"text": f"{'Decided by' if r.get('decisive') else 'Also fired'}: {r.get('rule')} ({r.get('outcome')}). "
                 f"{r.get('explanation', '')} Source: {r.get('source', '')}"}
        for r in reasons
    ] + [{"text": DISCLAIMER}]  # fmt: skip
    risk["identifier"] = [{"system": PMPT_RULE_SYSTEM, "value": summary.get("decided_by") or "default"}]
    return risk


def _answer_item(questionnaire: Questionnaire, question: Question, value: Any, links: dict) -> dict[str, Any]:
    item: dict[str, Any] = {"linkId": links["questions", question.id], "text": question.text}
    if question.type in ("choice", "multi_choice"):
        for chosen in value if isinstance(value, list) else [value]:
            if question.choice(chosen) is None:
                raise FhirExportError(
                    f"the summary's answer '{chosen}' to '{question.id}' is not a choice of '{questionnaire.id}' "
                    f"{questionnaire.version}; give the questionnaire it was made with (--questionnaire)."
                )
    answers = [{f"value{kind}": v} for kind, v in answer_value(questionnaire, question, value)]
    if answers:  # an empty multiple choice ("none of them") is the item with no answer
        item["answer"] = answers
    return item


def _score_item(questionnaire: Questionnaire, sid: str, score: dict[str, Any], links: dict) -> dict[str, Any]:
    table = fhir_table(questionnaire, "scores", sid)
    value = score["value"]
    label = score.get("label") or sid
    if table.get("type") == "quantity":
        quantity: dict[str, Any] = {"value": value}
        if table.get("unit"):
            quantity["unit"] = table["unit"]
        answer: dict[str, Any] = {"valueQuantity": quantity}
    elif table.get("type") == "integer" and float(value).is_integer():
        answer = {"valueInteger": int(value)}
    else:
        answer = {"valueDecimal": value}
    return {"linkId": links["scores", sid], "text": label, "answer": [answer]}


def _status(questionnaire: Questionnaire, summary: dict[str, Any]) -> str:
    """``completed``, or ``in-progress`` for a partial answers file (required answers missing)."""
    status = summary.get("status")
    if status in ("completed", "in-progress"):
        return status
    from pmpt_cli.engine import assess

    return "in-progress" if assess(questionnaire, summary.get("answers", {})).missing else "completed"


def _subject(pseudonym: str) -> dict[str, Any]:
    return {"identifier": {"system": PSEUDONYM_SYSTEM, "value": pseudonym}, "display": f"pseudonym {pseudonym}"}


def _when(value: Any) -> str | None:
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return None


def _uuid(summary: dict[str, Any], role: str) -> str:
    """A stable id: the same summary always gives the same resource ids."""
    key = json.dumps([role, summary.get("questionnaire_sha256"), str(summary.get("created")),
                      summary.get("answers")], sort_keys=True, default=str)  # fmt: skip
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:pmpt:{key}"))


# -- in ----------------------------------------------------------------------------------


class ResponseAnswers(Record):
    """What a QuestionnaireResponse said: answers by question id, its score values, and warnings."""

    answers: dict[str, Any]
    reported_scores: dict[str, Any]
    warnings: tuple[str, ...]


def the_response(document: dict[str, Any]) -> dict[str, Any] | None:
    """The QuestionnaireResponse itself, or the first one in a Bundle; ``None`` if there is none."""
    if document.get("resourceType") == "QuestionnaireResponse":
        return document
    if document.get("resourceType") == "Bundle":
        entries = document.get("entry")
        for entry in entries if isinstance(entries, list) else []:
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if isinstance(resource, dict) and resource.get("resourceType") == "QuestionnaireResponse":
                return resource
    return None


def canonical_of(response: dict[str, Any]) -> tuple[str, str | None] | None:
    """``(url, version)`` of the questionnaire a response names (version ``None`` when it has none)."""
    reference = response.get("questionnaire")
    if not isinstance(reference, str) or not reference.strip():
        return None
    url, _, version = reference.strip().partition("|")
    return url, version or None


def find_questionnaire(url: str, version: str | None) -> tuple[str, str] | None:
    """``(ref, note)``: the id or path of the questionnaire with this canonical URL, and a note when
    only the version differs ('' otherwise); ``None`` when none is known.

    ``urn:pmpt:questionnaire:ID`` names a questionnaire by id; any other URL is looked up in the
    ``[fhir] url`` of the questionnaires on PMPT_QUESTIONNAIRES_DIR and the bundled ones.
    """
    from pmpt_cli.errors import PmptError
    from pmpt_cli.loader import parse_questionnaire
    from pmpt_cli.registry import available

    if url.startswith(PMPT_QUESTIONNAIRE_URN):
        return url[len(PMPT_QUESTIONNAIRE_URN) :], ""
    other_version = None
    for qid, entry in available().items():
        try:
            questionnaire = parse_questionnaire(entry.read_bytes(), origin=str(entry))
        except (PmptError, OSError):
            continue
        if questionnaire.url == url:
            if version is None or questionnaire.version == version:
                return qid, ""
            other_version = other_version or (qid, questionnaire.version)
    if other_version is not None:
        return other_version[0], f"the response is for version {version}, and pmpt has version {other_version[1]}"
    return None


def response_answers(questionnaire: Questionnaire, response: dict[str, Any]) -> tuple[ResponseAnswers, list[Problem]]:
    """The answers in a response, by question id, checked for shape (the engine checks the values).

    Problems carry the JSON path (``item[0].item[2].answer[0]``): an unknown linkId, an
    answer of the wrong kind, an option the question does not have, several answers to
    a question that takes one.
    """
    by_link = {link: key for key, link in link_ids(questionnaire).items()}
    calculated = {t.get("link_id") for t in questionnaire.fhir.get("calculated", {}).values()}
    answers: dict[str, Any] = {}
    reported: dict[str, Any] = {}
    problems: list[Problem] = []
    warnings: list[str] = []

    def walk(items: Any, path: str, depth: int) -> None:
        if depth > 40:
            problems.append(Problem(path, "items are nested too deeply"))
            return
        if not isinstance(items, list):
            problems.append(Problem(path, "must be a list of items"))
            return
        for i, item in enumerate(items):
            where = f"{path}[{i}]"
            if not isinstance(item, dict) or not isinstance(item.get("linkId"), str):
                problems.append(Problem(f"{where}.linkId", "each item needs a linkId (a string)"))
                continue
            key = by_link.get(item["linkId"])
            raw = item.get("answer", [])
            if key is None:
                if item["linkId"] not in calculated and not item["linkId"].endswith(("-help", "-intro")):
                    problems.append(Problem(f"{where}.linkId", f"'{item['linkId']}' is not an item of "
                                                               f"'{questionnaire.id}' {questionnaire.version}"))  # fmt: skip
            elif key[0] == "questions":
                question = questionnaire.questions_by_id[key[1]]
                value = _read_answer(questionnaire, question, raw, f"{where}.answer", problems, warnings)
                if value is not None:
                    if question.id in answers:
                        problems.append(Problem(f"{where}.linkId", f"'{item['linkId']}' is answered twice"))
                    answers[question.id] = value
            elif key[0] == "scores" and isinstance(raw, list) and raw and isinstance(raw[0], dict):
                value = value_of(raw[0], "value")
                if value is not None:
                    reported[key[1]] = value[1].get("value") if isinstance(value[1], dict) else value[1]
            if "item" in item:
                walk(item["item"], f"{where}.item", depth + 1)
            for j, answer in enumerate(raw if isinstance(raw, list) else []):
                if isinstance(answer, dict) and "item" in answer:
                    walk(answer["item"], f"{where}.answer[{j}].item", depth + 1)

    walk(response.get("item", []), "item", 0)
    if response.get("status") not in ("completed", "in-progress", "amended", None):
        warnings.append(f"the response's status is {response.get('status')!r}; its answers are used as they are")
    return ResponseAnswers(answers, reported, tuple(warnings)), problems


def _read_answer(questionnaire: Questionnaire, question: Question, raw: Any, path: str, problems: list[Problem],
                 warnings: list[str]) -> Any:  # fmt: skip
    """One question's answers as a pmpt value, or ``None`` (a problem is recorded when they are wrong)."""
    if not isinstance(raw, list):
        problems.append(Problem(path, "must be a list of answers"))
        return None
    if not raw:  # present but unanswered: for a multiple choice, "none of them"
        return [] if question.type == "multi_choice" else None
    if len(raw) > 1 and question.type not in _REPEATS:
        problems.append(Problem(path, f"{len(raw)} answers to '{question.id}', which takes one"))
        return None
    values = []
    for i, answer in enumerate(raw):
        where = f"{path}[{i}]"
        value = value_of(answer, "value") if isinstance(answer, dict) else None
        if value is None:
            problems.append(Problem(where, "an answer needs one value[x]"))
            return None
        converted = _convert(questionnaire, question, value[0], value[1], where, problems, warnings)
        if converted is None:
            return None
        values.append(converted)
    return values if question.type == "multi_choice" else values[0]


def _convert(questionnaire: Questionnaire, question: Question, kind: str, value: Any, path: str,
             problems: list[Problem], warnings: list[str]) -> Any:  # fmt: skip
    qtype = question.type
    if qtype in ("choice", "multi_choice"):
        chosen = choice_for(questionnaire, question, kind, value)
        if chosen is None:
            shown = value.get("code") or value.get("display") if isinstance(value, dict) else value
            problems.append(Problem(f"{path}.value{kind}", f"{shown!r} is not an option of '{question.id}' "
                                                           f"({', '.join(question.choice_values)})"))  # fmt: skip
        return chosen
    if qtype == "yes_no" and kind == "Boolean":
        return value
    if qtype in ("scale", "number") and kind in ("Integer", "Decimal", "Quantity"):
        return value.get("value") if kind == "Quantity" and isinstance(value, dict) else value
    if qtype == "date" and kind in ("Date", "DateTime") and isinstance(value, str):
        if kind == "DateTime" or len(value) != 10:
            warnings.append(f"{path}: only the date of {value!r} is kept")
        return value[:10]
    if qtype == "time" and kind == "Time":
        return value
    if qtype == "text" and kind in ("String", "Uri", "DateTime"):
        return value
    if qtype == "text" and kind == "Coding" and isinstance(value, dict) and isinstance(value.get("code"), str):
        return value["code"]  # a coded answer to a question pmpt imported as free text
    problems.append(Problem(f"{path}.value{kind}", f"a {qtype} question does not take value{kind}"))
    return None
