"""A codebook for researchers: every item of a questionnaire as data (``pmpt questionnaires codebook``).

One row per question and per score: its type, codes and labels, weights, when it is
asked, and the scores that use it, with the questionnaire's id, version and content
hash on every row, so a statistics package or a REDCap-style data dictionary can read
it as CSV, and tools as JSON.
"""

from __future__ import annotations

import csv
import io
import math
from typing import Any

from pmpt_cli.model import Question, Questionnaire, Score
from pmpt_cli.template import applies_when

CODEBOOK_SCHEMA = 1
CSV_COLUMNS = (
    "variable", "kind", "section", "type", "label", "required", "choices", "weights", "codes", "min", "max", "unit",
    "asked_when", "used_by_scores", "method", "link_id", "questionnaire", "questionnaire_version",
    "questionnaire_sha256",
)  # fmt: skip


def codebook_data(questionnaire: Questionnaire) -> dict[str, Any]:
    """The codebook as data (``--format json``)."""
    from pmpt_cli.fhir.mapping import link_ids

    links = link_ids(questionnaire)
    users = _score_users(questionnaire)
    items: list[dict[str, Any]] = [
        _question(questionnaire, q, links["questions", q.id], users.get(q.id, [])) for q in questionnaire.questions
    ]
    items += [_score(s, links["scores", s.id], users.get(s.id, [])) for s in questionnaire.scores]
    return {
        "schema": CODEBOOK_SCHEMA,
        "questionnaire": {
            "id": questionnaire.id,
            "title": questionnaire.title,
            "version": questionnaire.version,
            "sha256": questionnaire.sha256,
            "url": questionnaire.url,
        },  # fmt: skip
        "items": items,
    }


def codebook_csv(questionnaire: Questionnaire) -> str:
    """The codebook as CSV, one row per question and score (``--format csv``)."""
    data = codebook_data(questionnaire)
    meta = data["questionnaire"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for item in data["items"]:
        choices = item.get("choices", [])
        writer.writerow([
            item["variable"], item["kind"], item.get("section", ""), item["type"], item["label"],
            _flag(item.get("required")),
            " | ".join(f"{c['value']}, {c['label']}" for c in choices),  # REDCap's "code, label | ..." form
            " | ".join(f"{c['value']}={_number(c['weight'])}" for c in choices if c["weight"] is not None),
            " | ".join(f"{c['value']}={c['code']}" for c in choices if c["code"] != c["value"]),
            _number(item.get("min")), _number(item.get("max")), item.get("unit", ""), item.get("asked_when") or "",
            ";".join(item["used_by_scores"]), item.get("method", ""), item["link_id"],
            meta["id"], meta["version"], meta["sha256"],
        ])  # fmt: skip
    return out.getvalue()


def _question(questionnaire: Questionnaire, question: Question, link: str, users: list[str]) -> dict[str, Any]:
    from pmpt_cli.fhir.mapping import fhir_table

    codes = fhir_table(questionnaire, "questions", question.id).get("codes", {})
    item: dict[str, Any] = {
        "variable": question.id, "kind": "question", "section": question.section, "type": question.type,
        "label": question.text, "required": question.required,
    }  # fmt: skip
    if question.choices:
        item["choices"] = [
            {"value": c.value, "label": c.label, "weight": c.score, "code": codes.get(c.value, c.value),
             "exclusive": c.exclusive}
            for c in question.choices
        ]  # fmt: skip
    if question.type in ("scale", "number"):
        item.update(min=_finite(question.min), max=_finite(question.max), integer=question.integer)
        if question.unit:
            item["unit"] = question.unit
    item["asked_when"] = applies_when(questionnaire, question)
    item["enable_when"] = [{"question": c.question, "operator": c.operator, "answer": _finite(c.answer)}
                           for c in question.enable_when]  # fmt: skip
    item["enable_behavior"] = question.enable_behavior
    item["used_by_scores"] = users
    item["link_id"] = link
    return item


def _score(score: Score, link: str, users: list[str]) -> dict[str, Any]:
    how = f"expression: {score.expression.source}" if score.expression is not None else (
        f"{score.method} of {', '.join(score.items)}" + (f" (up to {score.max_missing} missing)"
                                                         if score.max_missing else ""))  # fmt: skip
    return {
        "variable": score.id, "kind": "score", "type": "number", "label": score.label, "method": how,
        "items": list(score.items), "bands": [{"min": _finite(b.min), "max": _finite(b.max), "label": b.label}
                                              for b in score.bands],
        "mcid": score.mcid, "better": score.better or None, "internal": score.internal,
        "used_by_scores": users, "link_id": link,
    }  # fmt: skip


def _score_users(questionnaire: Questionnaire) -> dict[str, list[str]]:
    """Name -> the scores that use it, directly or through another score, in file order."""
    direct: dict[str, set[str]] = {}
    for score in questionnaire.scores:
        for name in score.expression.names if score.expression is not None else score.items:
            direct.setdefault(name, set()).add(score.id)
    order = [s.id for s in questionnaire.scores]
    found: dict[str, list[str]] = {}
    for name in direct:
        seen: set[str] = set()
        stack = list(direct[name])
        while stack:
            sid = stack.pop()
            if sid not in seen:
                seen.add(sid)
                stack.extend(direct.get(sid, ()))
        found[name] = [sid for sid in order if sid in seen]
    return found


def _finite(value: Any) -> Any:
    """JSON has no infinity: an open bound is ``None``."""
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _number(value: Any) -> str:
    if value is None:
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)


def _flag(value: Any) -> str:
    return "" if value is None else ("yes" if value else "no")
