"""The triage result as plain data: shared by ``--json``, the TOML export and rendering.

Answers are described the way the person gave them (choice labels, "yes"/"no"),
so every output explains itself in the person's own terms.
"""

from __future__ import annotations

import math
from typing import Any

from pmpt_cli.model import RED_FLAG_OUTCOMES, Questionnaire, TriageResult
from pmpt_cli.version import __version__

DISCLAIMER = "pmpt is not a diagnosis. It suggests where to seek care; a health professional must assess you."
MEASURE_ONLY_HEADLINE = "Measure-only questionnaire: scores and bands, no triage outcome"
JSON_SCHEMA = 1


def describe_answer(questionnaire: Questionnaire, name: str, value: Any) -> str:
    """A person-readable rendering of one answer or score value."""
    question = questionnaire.question(name)
    if value is None:
        return "not answered" if question else "not computed"
    if question is None:
        return format_number(value)
    if question.type == "choice":
        choice = question.choice(value)
        return choice.label if choice is not None else str(value)
    if question.type == "multi_choice":
        labels = [choice.label if (choice := question.choice(v)) is not None else v for v in value]
        return ", ".join(labels) if labels else "none"
    if question.type == "yes_no":
        return "yes" if value else "no"
    if question.type in ("scale", "number"):
        suffix = f" {question.unit}" if question.unit else ""
        return f"{format_number(value)}{suffix}"
    return str(value)


def label_of(questionnaire: Questionnaire, name: str) -> str:
    """The question (its first sentence, up to the question mark) or score label behind a name."""
    question = questionnaire.question(name)
    if question is not None:
        head, mark, _ = question.text.partition("?")
        return head + mark if mark else question.text
    score = questionnaire.score(name)
    return score.label if score is not None else name


def evidence_list(questionnaire: Questionnaire, evidence: dict[str, Any]) -> list[dict[str, Any]]:
    """Evidence as ``{name, kind, label, value, answer}`` records, in a stable order."""
    return [
        {
            "name": name,
            "kind": "question" if questionnaire.question(name) else "score",
            "label": label_of(questionnaire, name),
            "value": value if questionnaire.question(name) else export_number(value),
            "answer": describe_answer(questionnaire, name, value),
        }
        for name, value in evidence.items()
    ]


#: Scores are computed at full precision (a score built on another uses its exact value);
#: people see, and exports keep, this many decimals.
DECIMALS = 2


def export_number(value: Any) -> Any:
    """A score value as it leaves pmpt (JSON, TOML, batch rows): a float rounded to
    ``DECIMALS`` places, ``None`` for one that is not finite (JSON has no NaN)."""
    if value.__class__ is float:
        return round(value, DECIMALS) if math.isfinite(value) else None
    return value


def format_number(value: Any) -> str:
    """A score or answer number for people: at most two decimals, no trailing zeros."""
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def reason_records(questionnaire: Questionnaire, result: TriageResult) -> list[dict[str, Any]]:
    """Every fired rule, the deciding one first; the questionnaire's default when none decided."""
    records = [
        {
            "rule": r.rule_id,
            "outcome": r.outcome,
            "decisive": r.decisive,
            "explanation": r.explanation,
            "source": r.source,
            "evidence": evidence_list(questionnaire, r.evidence),
        }
        for r in result.reasons
    ]
    if result.decided_by is None and questionnaire.default is not None:
        default = questionnaire.default
        records.insert(0, {
            "rule": "default", "outcome": default.outcome, "decisive": True,
            "explanation": default.explanation, "source": default.source, "evidence": [],
        })  # fmt: skip
    return records


def need_records(questionnaire: Questionnaire, result: TriageResult) -> list[dict[str, Any]]:
    """Each need score (``Score.need``) with its band, its top and the contributors that raised it.

    ``max`` is the top of the need's last band (the scale to draw it on); only contributors
    with a non-zero value are listed, in the order the need names them.
    """
    records = []
    for score in questionnaire.scores:
        if not score.need or score.id not in result.scores:
            continue
        computed = result.scores[score.id]
        contributors = []
        for item in score.items:
            part = result.scores.get(item)
            if part is None or not part.value:
                continue
            source = questionnaire.scores_by_id[item].source
            contributors.append({"id": item, "label": part.label, "value": part.value, "source": source})
        records.append({
            "id": score.id, "need": score.need, "label": computed.label, "value": computed.value,
            "band": computed.band, "max": score.bands[-1].max if score.bands else None, "contributors": contributors,
        })  # fmt: skip
    return records


def shown_reasons(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The reasons a person sees: under a red flag only the red flags, so the summary never
    mixes "go to hospital now" with "this usually settles" (--json keeps every reason).

    ``data`` has ``outcome`` and ``reasons`` (each with its ``outcome``): a result or a summary.
    """
    if data["outcome"] in RED_FLAG_OUTCOMES:
        return [r for r in data["reasons"] if r["outcome"] in RED_FLAG_OUTCOMES]
    return data["reasons"]


def decided_by(result: TriageResult) -> str | None:
    """The deciding rule's id, ``default``, or ``None`` when there is no outcome (measure-only)."""
    return result.decided_by or ("default" if result.outcome is not None else None)


def result_to_dict(questionnaire: Questionnaire, result: TriageResult) -> dict[str, Any]:
    """The whole result for ``--json``: stable keys, public API (additive changes only).

    A measure-only questionnaire has no outcome: ``outcome`` and ``care`` are ``None`` and
    ``measure_only`` is true.
    """
    text = questionnaire.outcome_texts[result.outcome] if result.outcome is not None else None
    return {
        "schema": JSON_SCHEMA,
        "pmpt_version": __version__,
        "questionnaire": {
            "id": result.questionnaire_id,
            "version": result.questionnaire_version,
            "sha256": result.questionnaire_sha256,
        },
        "outcome": result.outcome,
        "measure_only": questionnaire.measure_only,
        "headline": text.headline if text is not None else MEASURE_ONLY_HEADLINE,
        "decided_by": result.decided_by,
        "reasons": reason_records(questionnaire, result),
        "notes": [
            {"id": n.id, "text": n.text, "source": n.source, "evidence": evidence_list(questionnaire, n.evidence)}
            for n in result.notes
        ],
        "scores": {
            sid: {
                "label": s.label,
                "value": export_number(s.value),
                "band": s.band,
                "answered": s.answered,
                "missing": s.missing,
                "internal": questionnaire.scores_by_id[sid].internal,
            }
            for sid, s in result.scores.items()
        },
        "needs": need_records(questionnaire, result),
        "care": None
        if text is None
        else {"headline": text.headline, "care": text.care, "steps": list(text.steps), "next": text.next},
        "answers": result.answers,
        "skipped": list(result.skipped),
        "ignored": list(result.ignored),
        "disclaimer": DISCLAIMER,
    }
