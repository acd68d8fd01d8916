"""A pmpt questionnaire as an R4 ``Questionnaire`` (SDC), for ``pmpt questionnaires export``.

Sections become groups (nested as the sections are), questions become items linked by
``linkId`` with their types, flags and answer options, choice scores become the
``itemWeight`` extension (or the older ``ordinalValue``), conditions become
``enableWhen``/``enableBehavior`` and, where an expression is needed,
``enableWhenExpression``; each score shown to the person becomes a read-only item whose
``calculatedExpression`` computes it from the answers. What FHIR has no place for
(rules, the default, notes, bands, minimal important changes...) travels in pmpt's own
extension, so ``pmpt questionnaires import`` gives back the same questionnaire. docs/fhir.md
has the whole mapping.
"""

from __future__ import annotations

import json
import math
from typing import Any

from pmpt_cli.builder import condition_source
from pmpt_cli.fhir import (
    EXT_CALCULATED,
    EXT_ENABLE_WHEN_EXPRESSION,
    EXT_ITEM_CONTROL,
    EXT_ITEM_WEIGHT,
    EXT_MAX_VALUE,
    EXT_MIN_VALUE,
    EXT_OPTION_EXCLUSIVE,
    EXT_ORDINAL_VALUE,
    EXT_PMPT_DEFINITION,
    EXT_PMPT_SHA256,
    EXT_UNIT,
    EXT_VARIABLE,
    FHIRPATH,
    ITEM_CONTROL_SYSTEM,
    PMPT_IDENTIFIER_SYSTEM,
)
from pmpt_cli.fhir.fhirpath import FhirPathError, Names, item_path, number, to_fhirpath
from pmpt_cli.fhir.mapping import (
    FhirExportError,
    enable_answer,
    fhir_table,
    item_tree,
    item_type,
    link_ids,
    option_type,
    option_value,
)
from pmpt_cli.model import Question, Questionnaire, Score, Section
from pmpt_cli.outcome_texts import DEFAULT_OUTCOME_TEXTS

#: Which version of pmpt's extension content this writes (docs/fhir.md, "pmpt's extension").
DEFINITION_FORMAT = 1
SCORE_ITEM_METHODS = ("sum", "mean", "percent", "max", "count")


def questionnaire_to_fhir(questionnaire: Questionnaire, *, legacy_ordinal: bool = False) -> dict[str, Any]:
    """The questionnaire as a FHIR R4 ``Questionnaire`` resource (a JSON-ready dict).

    ``legacy_ordinal`` writes choice scores as ``ordinalValue`` and sums them with
    ``ordinal()``, for form fillers older than SDC 3.0.
    """
    return _Exporter(questionnaire, legacy_ordinal).resource()


class _Exporter:
    def __init__(self, questionnaire: Questionnaire, legacy_ordinal: bool) -> None:
        self.q = questionnaire
        self.weight_url = EXT_ORDINAL_VALUE if legacy_ordinal else EXT_ITEM_WEIGHT
        self.weight_function = "ordinal" if legacy_ordinal else "weight"
        self.links = link_ids(questionnaire)
        self.extra: dict[str, dict[str, Any]] = {}  # pmpt-only facts per question, for the extension

    def link(self, kind: str, ident: str) -> str:
        return self.links[kind, ident]

    def resource(self) -> dict[str, Any]:
        q = self.q
        items = self.items()
        name = q.fhir.get("name") or "".join(part.capitalize() for part in q.id.replace("_", "-").split("-"))
        resource: dict[str, Any] = {
            "resourceType": "Questionnaire",
            "id": q.id,
            "extension": [
                {"url": EXT_PMPT_DEFINITION, "valueString": json.dumps(self.definition(), ensure_ascii=False)},
                {"url": EXT_PMPT_SHA256, "valueString": q.sha256},
            ],
            "url": q.url,
            "identifier": [{"system": PMPT_IDENTIFIER_SYSTEM, "value": q.id}],
            "version": q.version,
            "name": name if name[:1].isalpha() and name[:1].isupper() else f"Q{name}",
            "title": q.title,
            "status": q.fhir.get("status", "active"),
            "language": q.language,
        }
        if not q.sha256:
            resource["extension"].pop()
        if q.description:
            resource["description"] = q.description
        resource["copyright"] = q.licence
        resource["item"] = items
        return resource

    # -- items ---------------------------------------------------------------------------

    def items(self) -> list[dict[str, Any]]:
        """The item tree: sections as groups, nested by ``parent``, in the order questions are asked."""
        sections = {s.id: s for s in self.q.sections}
        calculated = self.q.fhir.get("calculated", {})

        def build(nodes: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
            out = []
            for node in nodes:
                if node[0] == "section":
                    out.append(self.section_item(sections[node[1]], build(node[2])))
                elif node[0] == "question":
                    out.append(self.question_item(self.q.questions_by_id[node[1]]))
                elif node[0] == "score":
                    out.append(self.score_item(self.q.scores_by_id[node[1]]))
                else:
                    out.append(_calculated_item(calculated[node[1]]))
            return out

        return build(item_tree(self.q))

    def section_item(self, section: Section, inner: list[dict[str, Any]]) -> dict[str, Any]:
        link = self.link("sections", section.id)
        item: dict[str, Any] = {"linkId": link, "text": section.title, "type": "group"}
        code = fhir_table(self.q, "sections", section.id).get("code")
        if code:
            item["code"] = code
        if section.enable_when:
            item["enableWhen"] = [self.enable_when(c.question, c.operator, c.answer) for c in section.enable_when]
            item["enableBehavior"] = section.enable_behavior
        intro = [{"linkId": f"{link}-intro", "text": section.intro, "type": "display"}] if section.intro else []
        item["item"] = intro + inner
        if not item["item"]:
            del item["item"]
        return item

    def question_item(self, question: Question) -> dict[str, Any]:
        q = self.q
        table = fhir_table(q, "questions", question.id)
        link = self.link("questions", question.id)
        item: dict[str, Any] = {"linkId": link, "text": question.text, "type": item_type(q, question)}
        if table.get("code"):
            item["code"] = table["code"]
        extensions: list[dict[str, Any]] = []
        extra: dict[str, Any] = {}
        if question.type == "scale":
            extensions.append(_item_control("slider"))
            extra.update(type="scale", min_label=question.min_label, max_label=question.max_label)
        if question.type in ("scale", "number"):
            kind = "valueInteger" if item["type"] == "integer" else "valueDecimal"
            for url, bound in ((EXT_MIN_VALUE, question.min), (EXT_MAX_VALUE, question.max)):
                if bound is not None and math.isfinite(bound):
                    extensions.append({"url": url, kind: int(bound) if kind == "valueInteger" else bound})
            if question.unit:
                extensions.append({"url": EXT_UNIT, "valueCoding": {"display": question.unit}})
        conditions = self.conditions(question)
        if conditions.get("expression"):
            extensions.append({"url": EXT_ENABLE_WHEN_EXPRESSION,
                               "valueExpression": {"language": FHIRPATH, "expression": conditions["expression"]}})  # fmt: skip
            extra.update(enable_when=[[c.question, c.operator, c.answer] for c in question.enable_when],
                         enable_behavior=question.enable_behavior, enable_if=question.own_enable_if)  # fmt: skip
        if any(isinstance(c.answer, float) and not math.isfinite(c.answer) for c in question.enable_when):
            # rewritten as exists for JSON; pmpt's extension keeps them as written
            extra.update(enable_when=[[c.question, c.operator, c.answer] for c in question.enable_when],
                         enable_behavior=question.enable_behavior)  # fmt: skip
        if extensions:
            item["extension"] = extensions
        if "enableWhen" in conditions:
            item["enableWhen"] = conditions["enableWhen"]
            item["enableBehavior"] = question.enable_behavior
        item["required"] = question.required
        if question.type == "multi_choice":
            item["repeats"] = True
        if table.get("read_only"):
            item["readOnly"] = True
        if question.type == "text" and question.max_length != 500:
            item["maxLength"] = question.max_length
        if question.choices:
            item["answerOption"] = [self.option(question, c) for c in question.choices]
            helps = {c.value: c.help for c in question.choices if c.help}
            if helps:
                extra["choice_help"] = helps
        if "initial" in table:
            kind = {"boolean": "Boolean", "integer": "Integer", "decimal": "Decimal", "date": "Date",
                    "time": "Time"}.get(item["type"], "String")  # fmt: skip
            item["initial"] = [{f"value{kind}": table["initial"]}]
        if question.help:
            item["item"] = [{"linkId": f"{link}-help", "text": question.help, "type": "display",
                             "extension": [_item_control("help")]}]  # fmt: skip
        if extra:
            self.extra[question.id] = extra
        return item

    def option(self, question: Question, choice: Any) -> dict[str, Any]:
        kind, value = option_value(self.q, question, choice)
        option: dict[str, Any] = {f"value{kind}": value}
        extensions = []
        if choice.score is not None:
            extensions.append({"url": self.weight_url, "valueDecimal": choice.score})
        if choice.exclusive:
            extensions.append({"url": EXT_OPTION_EXCLUSIVE, "valueBoolean": True})
        if extensions:
            option["extension"] = extensions
        return option

    def enable_when(self, qid: str, operator: str, answer: Any) -> dict[str, Any]:
        target = self.q.questions_by_id[qid]
        if isinstance(answer, float) and not math.isfinite(answer) and operator != "exists":
            # JSON has no infinity: '> -inf' is "answered", which FHIR says with exists.
            holds = (operator in (">", ">=") and answer < 0) or (operator in ("<", "<=") and answer > 0)
            if operator == "!=" or holds:
                operator, answer = "exists", True
            else:
                raise FhirExportError(f"{self.q.id}: the condition '{qid} {operator} {answer}' can never hold.")
        kind, value = enable_answer(self.q, target, operator, answer)
        return {"question": self.link("questions", qid), "operator": operator, f"answer{kind}": value}

    def conditions(self, question: Question) -> dict[str, Any]:
        """``{"enableWhen": [...]}``, or ``{"expression": FHIRPath}`` when the question has an ``enable_if``.

        SDC allows enableWhenExpression only without enableWhen, so an expression takes
        the question's enable-when conditions into it too.
        """
        if not question.own_enable_if:
            if not question.enable_when:
                return {}
            return {"enableWhen": [self.enable_when(c.question, c.operator, c.answer) for c in question.enable_when]}
        parts = [f"({condition_source(self.q.questions_by_id[c.question], c)})" for c in question.enable_when]
        when = (" and " if question.enable_behavior == "all" else " or ").join(parts)
        source = f"({when}) and ({question.own_enable_if})" if parts else question.own_enable_if
        try:
            return {"expression": to_fhirpath(source, self.names())}
        except FhirPathError as exc:
            raise FhirExportError(
                f"{self.q.id}: the condition of '{question.id}' cannot be written as FHIRPath: {exc}."
            ) from None

    def names(self) -> Names:
        q = self.q

        def code(qid: str, value: str) -> Any:
            question = q.questions_by_id[qid]
            kind, option = option_value(q, question, question.choice(value))  # type: ignore[arg-type]
            return option["code"] if kind == "Coding" else option

        return Names(
            types={question.id: question.type for question in q.questions},
            links={question.id: self.link("questions", question.id) for question in q.questions},
            codes=code,
            coded=lambda qid: option_type(q, q.questions_by_id[qid]) == "coding",
        )

    # -- scores --------------------------------------------------------------------------

    def score_item(self, score: Score) -> dict[str, Any]:
        table = fhir_table(self.q, "scores", score.id)
        item: dict[str, Any] = {"linkId": self.link("scores", score.id), "text": score.label,
                                "type": table.get("type", "decimal")}  # fmt: skip
        if table.get("code"):
            item["code"] = table["code"]
        calculation = self.score_calculation(score)
        if calculation is not None:
            variables, expression = calculation
            item["extension"] = [
                *({"url": EXT_VARIABLE, "valueExpression": {"name": name, "language": FHIRPATH, "expression": text}}
                  for name, text in variables),
                {"url": EXT_CALCULATED, "valueExpression": {"description": score.source[:1000], "language": FHIRPATH,
                                                             "expression": expression}},
            ]  # fmt: skip
        if table.get("unit"):
            item.setdefault("extension", []).append({"url": EXT_UNIT, "valueCoding": {"display": table["unit"]}})
        item["readOnly"] = True
        return item

    def score_calculation(self, score: Score) -> tuple[list[tuple[str, str]], str] | None:
        """``(variables, calculatedExpression)`` for a sum, mean, percent, max or count score, else ``None``.

        ``%scoreItems`` holds one value per answered item (a choice's weight, a yes as 1,
        a number itself); the score is computed when at least ``items - max_missing`` are
        answered, as pmpt does. A percent score also needs ``%scoreMaxima``.
        """
        if score.method not in SCORE_ITEM_METHODS:
            return None
        values, maxima = [], []
        for ident in score.items:
            question = self.q.question(ident)
            if question is None:  # a sub-score: its own item, if it has one
                sub = self.q.score(ident)
                if sub is None or sub.internal or self.score_calculation(sub) is None:
                    return None
                values.append(f"{item_path(self.link('scores', ident))}.answer.value")
                continue
            path = item_path(self.link("questions", ident))
            if question.type == "choice":
                values.append(f"{path}.answer.value.{self.weight_function}()")
            elif question.type == "multi_choice":
                values.append(f"iif({path}.answer.exists(), {path}.answer.value.{self.weight_function}().sum(), {{}})")
            elif question.type == "yes_no":
                values.append(f"{path}.answer.value.select(iif($this, 1, 0))")
            else:
                values.append(f"{path}.answer.value")
            if score.method == "percent":
                from pmpt_cli.scoring import item_max

                maxima.append(f"iif({path}.answer.exists(), {number(item_max(question))}, {{}})")
        needed = max(1, len(score.items) - score.max_missing)
        variables = [("scoreItems", _combine(values))]
        enough = f"%scoreItems.count() >= {needed}"
        total = {
            "sum": "%scoreItems.sum()",
            "mean": "(%scoreItems.sum() / %scoreItems.count()).round(2)",
            "max": "%scoreItems.max()",
            "count": "%scoreItems.where($this > 0).count()",
            "percent": "(100 * %scoreItems.sum() / %scoreMaxima.sum()).round(2)",
        }[score.method]
        if score.method == "percent":
            variables.append(("scoreMaxima", _combine(maxima)))
            enough += " and %scoreMaxima.sum() > 0"
        return variables, f"iif({enough}, {total}, {{}})"

    # -- pmpt's extension ----------------------------------------------------------------

    def definition(self) -> dict[str, Any]:
        """What FHIR has no place for, in the shape of the TOML format's tables."""
        q = self.q  # (self.items() has run: it fills self.extra)
        document: dict[str, Any] = {"format": DEFINITION_FORMAT, "id": q.id}
        if q.minutes is not None:
            document["minutes"] = q.minutes
        document["sources"] = [_clean({"id": s.id, "citation": s.citation, "url": s.url}) for s in q.sources]
        renamed = {self.link("sections", s.id): s.id for s in q.sections if self.link("sections", s.id) != s.id}
        if renamed:
            document["sections"] = renamed  # linkId -> section id, where they differ
        ids = {self.link(kind, ident): ident for (kind, ident) in self.links if kind != "sections"
               and self.link(kind, ident) != ident}  # fmt: skip
        if ids:
            document["ids"] = ids  # linkId -> question or score id, where they differ
        if self.extra:
            document["questions"] = self.extra
        document["scores"] = [_clean({
            "id": s.id, "label": s.label, "method": s.method, "items": list(s.items) or None,
            "max_missing": s.max_missing or None, "expression": s.expression.source if s.expression else None,
            "bands": [{"min": _finite(b.min), "max": _finite(b.max), "label": b.label} for b in s.bands] or None,
            "source": s.source, "description": s.description,
            "mcid": {"value": s.mcid, "source": s.mcid_source} if s.mcid is not None else None,
            "better": s.better, "internal": s.internal or None, "need": s.need or None,
        }) for s in q.scores]  # fmt: skip
        document["rules"] = [
            {"id": r.id, "outcome": r.outcome, "when": r.when.source, "priority": r.priority,
             "explanation": r.explanation, "source": r.source}
            for r in q.rules
        ]  # fmt: skip
        if q.default is not None:
            document["default"] = {"outcome": q.default.outcome, "explanation": q.default.explanation,
                                   "source": q.default.source}  # fmt: skip
        document["notes"] = [{"id": n.id, "when": n.when.source, "text": n.text, "source": n.source} for n in q.notes]
        outcomes = {
            outcome: {"headline": t.headline, "care": t.care, "steps": list(t.steps), "next": t.next}
            for outcome, t in q.outcome_texts.items()
            if DEFAULT_OUTCOME_TEXTS.get(outcome) != t
        }
        if outcomes:
            document["outcomes"] = outcomes
        return document


def _calculated_item(table: dict[str, Any]) -> dict[str, Any]:
    """An imported calculated item pmpt cannot compute, written back as it came."""
    item: dict[str, Any] = {"linkId": table["link_id"], "text": table.get("text", table["link_id"]),
                            "type": table.get("type", "decimal")}  # fmt: skip
    if table.get("code"):
        item["code"] = table["code"]
    item["extension"] = [
        *({"url": EXT_VARIABLE, "valueExpression": {"name": v["name"], "language": FHIRPATH,
                                                     "expression": v["expression"]}}
          for v in table.get("variables", [])),
        {"url": EXT_CALCULATED, "valueExpression": {"language": FHIRPATH, "expression": table["expression"]}},
    ]  # fmt: skip
    item["readOnly"] = True
    return item


def _combine(parts: list[str]) -> str:
    return parts[0] + "".join(f".combine({part})" for part in parts[1:])


def _item_control(code: str) -> dict[str, Any]:
    return {"url": EXT_ITEM_CONTROL, "valueCodeableConcept": {"coding": [{"system": ITEM_CONTROL_SYSTEM,
                                                                          "code": code}]}}  # fmt: skip


def _finite(value: float) -> Any:
    """JSON has no infinity: an open band end is written as the string "inf" or "-inf"."""
    if isinstance(value, float) and not math.isfinite(value):
        return "inf" if value > 0 else "-inf"
    return value


def _clean(table: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in table.items() if v not in (None, "")}
