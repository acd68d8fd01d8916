"""How pmpt's questions, choices and answers map onto FHIR items, options and answer values.

Shared by the Questionnaire export and the QuestionnaireResponse export and import, so
the three always agree. The ``[fhir]`` table of a questionnaire (docs/fhir.md) supplies
link ids, codes and option types where they differ from pmpt's own ids and values.
"""

from __future__ import annotations

import math
from typing import Any

from pmpt_cli.errors import PmptError
from pmpt_cli.model import Choice, Question, Questionnaire

#: pmpt question type -> FHIR item type (``[fhir.questions.ID] type`` may say otherwise).
ITEM_TYPES = {
    "choice": "choice", "multi_choice": "choice", "yes_no": "boolean", "scale": "integer",
    "number": "decimal", "text": "text", "date": "date", "time": "time",
}  # fmt: skip


#: The value[x] of a text question imported from a FHIR item of another type.
_TEXT_KINDS = {"dateTime": "DateTime", "url": "Uri"}


class FhirExportError(PmptError):
    """A questionnaire cannot be written as FHIR as it stands (exit 1)."""


def item_tree(questionnaire: Questionnaire) -> list[tuple[Any, ...]]:
    """The FHIR item tree, shared by the Questionnaire and QuestionnaireResponse exports.

    Nodes are ``("section", id, children)``, ``("question", id)``, ``("score", id)`` (a score
    shown to the person) and ``("calculated", id)`` (an imported calculation pmpt keeps
    verbatim). Sections nest by ``parent`` and stand where their first question is asked;
    a section marked ``group = false`` in ``[fhir]`` gives its items to its parent; scores
    go at the end of the section ``[fhir]`` names, else at the end of the form.
    """

    position = {question.id: i for i, question in enumerate(questionnaire.questions)}
    children: dict[str, list[tuple[float, str, str]]] = {"": []}
    for question in questionnaire.questions:
        children.setdefault(question.section, []).append((position[question.id], "question", question.id))
    first: dict[str, float] = {}

    def first_position(sid: str) -> float:
        if sid not in first:
            own = [p for p, kind, _ in children.get(sid, []) if kind == "question"]
            nested = [first_position(s.id) for s in questionnaire.sections if s.parent == sid]
            first[sid] = min([*own, *nested], default=math.inf)
        return first[sid]

    for section in questionnaire.sections:
        children.setdefault(section.parent, []).append((first_position(section.id), "section", section.id))
    ends: dict[str, list[tuple[str, str]]] = {}
    for score in questionnaire.scores:
        if not score.internal:
            ends.setdefault(fhir_table(questionnaire, "scores", score.id).get("section", ""), []).append(
                ("score", score.id)
            )
    for ident, table in questionnaire.fhir.get("calculated", {}).items():
        ends.setdefault(table.get("section", ""), []).append(("calculated", ident))

    def build(parent: str) -> list[tuple[Any, ...]]:
        nodes: list[tuple[Any, ...]] = []
        for _, kind, ident in sorted(children.get(parent, []), key=lambda c: c[0]):
            if kind == "question":
                nodes.append(("question", ident))
            elif fhir_table(questionnaire, "sections", ident).get("group", True) is False:
                nodes.extend(build(ident))
            else:
                nodes.append(("section", ident, build(ident)))
        return nodes + ends.get(parent, [])

    return build("")


def fhir_table(questionnaire: Questionnaire, kind: str, ident: str) -> dict[str, Any]:
    """The ``[fhir.KIND.ID]`` table, or an empty one."""
    return questionnaire.fhir.get(kind, {}).get(ident, {})


def link_ids(questionnaire: Questionnaire) -> dict[tuple[str, str], str]:
    """``(kind, id) -> linkId`` for every question, section and score.

    The pmpt id unless ``[fhir]`` gives one; a section whose id is also a question's or
    a score's gets ``ID-section`` (pmpt keeps sections apart, FHIR does not).
    """
    ids: dict[tuple[str, str], str] = {}
    for question in questionnaire.questions:
        ids["questions", question.id] = fhir_table(questionnaire, "questions", question.id).get("link_id", question.id)
    for score in questionnaire.scores:
        ids["scores", score.id] = fhir_table(questionnaire, "scores", score.id).get("link_id", score.id)
    taken = set(questionnaire.questions_by_id) | set(questionnaire.scores_by_id)
    for section in questionnaire.sections:
        default = f"{section.id}-section" if section.id in taken else section.id
        ids["sections", section.id] = fhir_table(questionnaire, "sections", section.id).get("link_id", default)
    seen: dict[str, tuple[str, str]] = {}
    for key, link in ids.items():
        if link in seen:
            raise FhirExportError(
                f"{questionnaire.id}: {key[0][:-1]} '{key[1]}' and {seen[link][0][:-1]} '{seen[link][1]}' would "
                f"share the FHIR linkId '{link}'; give one a link_id in its [fhir.{key[0]}.{key[1]}] table."
            )
        seen[link] = key
    return ids


def item_type(questionnaire: Questionnaire, question: Question) -> str:
    default = "integer" if question.type == "number" and question.integer else ITEM_TYPES[question.type]
    return fhir_table(questionnaire, "questions", question.id).get("type") or default


def option_type(questionnaire: Questionnaire, question: Question) -> str:
    """How the question's choices are written: ``coding`` (the default), ``string``, ``integer``..."""
    return fhir_table(questionnaire, "questions", question.id).get("option_type", "coding")


def option_value(questionnaire: Questionnaire, question: Question, choice: Choice) -> tuple[str, Any]:
    """``(valueX suffix, value)`` of one choice: ``("Coding", {system, code, display})``, ``("String", "...")``..."""
    table = fhir_table(questionnaire, "questions", question.id)
    code = table.get("codes", {}).get(choice.value)
    kind = table.get("option_type", "coding")
    if kind == "coding":
        coding = {"code": str(code if code is not None else choice.value), "display": choice.label}
        system = table.get("systems", {}).get(choice.value, table.get("system"))
        return "Coding", ({"system": system} | coding) if system else coding
    if kind == "string":
        return "String", str(code) if code is not None else choice.label
    if kind == "integer":
        if not isinstance(code, int):
            raise FhirExportError(
                f"{questionnaire.id}: choice '{choice.value}' of '{question.id}' needs an integer in "
                f"[fhir.questions.{question.id}] codes, since its options are integers."
            )
        return "Integer", code
    return kind.capitalize(), str(code if code is not None else choice.value)  # date, time


def answer_value(questionnaire: Questionnaire, question: Question, value: Any) -> list[tuple[str, Any]]:
    """The FHIR ``valueX`` of an answer, one per chosen value: ``[("Coding", {...})]``, ``[("Integer", 3)]``..."""
    qtype = question.type
    if qtype in ("choice", "multi_choice"):
        values = value if isinstance(value, list) else [value]
        return [option_value(questionnaire, question, question.choice(v)) for v in values]  # type: ignore[arg-type]
    if qtype == "yes_no":
        return [("Boolean", bool(value))]
    if qtype in ("scale", "number"):
        fhir_type = item_type(questionnaire, question)
        if fhir_type == "quantity":
            return [("Quantity", {"value": value} | ({"unit": question.unit} if question.unit else {}))]
        if isinstance(value, int) or (question.integer and float(value).is_integer()):
            return [("Integer" if fhir_type == "integer" else "Decimal", int(value))]
        return [("Decimal", value)]
    if qtype == "date":
        return [("Date", value)]
    if qtype == "time":
        return [("Time", value)]
    return [(_TEXT_KINDS.get(item_type(questionnaire, question), "String"), value)]


def enable_answer(questionnaire: Questionnaire, target: Question, operator: str, answer: Any) -> tuple[str, Any]:
    """The ``answerX`` of an enableWhen on ``target``: a choice as its option, a number as integer or decimal."""
    if operator == "exists":
        return "Boolean", bool(answer)
    if target.type in ("choice", "multi_choice"):
        kind, value = option_value(questionnaire, target, target.choice(answer))  # type: ignore[arg-type]
        if kind == "Coding":
            value = {k: v for k, v in value.items() if k != "display"}
        return kind, value
    if target.type == "yes_no":
        return "Boolean", bool(answer)
    if target.type in ("scale", "number"):
        if item_type(questionnaire, target) == "quantity":
            return "Quantity", {"value": answer}
        if isinstance(answer, int) or (target.integer and float(answer).is_integer()):
            return "Integer", int(answer)
        return "Decimal", answer
    if target.type in ("date", "time"):
        return target.type.capitalize(), answer
    return _TEXT_KINDS.get(item_type(questionnaire, target), "String"), answer


def value_of(entry: dict[str, Any], prefix: str) -> tuple[str, Any] | None:
    """The one ``valueX`` (or ``answerX``) of a FHIR element: ``("Coding", {...})``, or ``None``."""
    for key, value in entry.items():
        if key.startswith(prefix) and len(key) > len(prefix) and key[len(prefix)].isupper():
            return key[len(prefix) :], value
    return None


def choice_for(questionnaire: Questionnaire, question: Question, kind: str, value: Any) -> str | None:
    """The pmpt choice value an option or answer ``valueX`` stands for, or ``None``.

    A coding matches on its code (and system, when both have one); a string matches a
    choice's code, value or label; an integer its code. A coding without a code (some
    forms send only a display) matches the label.
    """
    table = fhir_table(questionnaire, "questions", question.id)
    codes = table.get("codes", {})
    systems = table.get("systems", {})
    for choice in question.choices:
        code = codes.get(choice.value, choice.value)
        if kind == "Coding" and isinstance(value, dict):
            system = systems.get(choice.value, table.get("system"))
            if value.get("code") is not None:
                if str(value["code"]) == str(code) and (
                    not value.get("system") or not system or value["system"] == system
                ):
                    return choice.value
            elif value.get("display") == choice.label:
                return choice.value
        elif kind == "String" and isinstance(value, str):
            if value in (str(code), choice.value, choice.label):
                return choice.value
        elif kind == "Integer" and value == code and not isinstance(value, bool):
            return choice.value
        elif kind in ("Date", "Time") and value == code:
            return choice.value
    return None
