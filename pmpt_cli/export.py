"""The TOML summary: a record of the triage that is also a valid answers file."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from pmpt_cli.model import Questionnaire, TriageResult
from pmpt_cli.report import reason_records
from pmpt_cli.version import __version__

SUMMARY_SCHEMA = 1


def _drop_none(value: Any) -> Any:
    """TOML has no null: leave out keys whose value is None (tomli-w would raise)."""
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value if v is not None]
    return value


def summary_document(
    questionnaire: Questionnaire, result: TriageResult, *, now: datetime | None = None
) -> dict[str, Any]:
    """The summary as a TOML-ready dict. ``questionnaire`` and ``[answers]`` make it re-runnable."""
    created = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    reasons = [
        {**r, "evidence": {e["name"]: e["value"] for e in r["evidence"]}} for r in reason_records(questionnaire, result)
    ]
    return _drop_none({
        "schema": SUMMARY_SCHEMA,
        "pmpt_version": __version__,
        "questionnaire": result.questionnaire_id,
        "questionnaire_version": result.questionnaire_version,
        "questionnaire_sha256": result.questionnaire_sha256,
        "created": created,
        "outcome": result.outcome,
        "decided_by": result.decided_by or "default",
        "answers": result.answers,
        "scores": {sid: {"label": s.label, "value": s.value, "band": s.band} for sid, s in result.scores.items()},
        "reasons": reasons,
        "notes": [{"id": n.id, "text": _note_text(questionnaire, n, result.answers), "source": n.source}
                  for n in result.notes],
    })  # fmt: skip


def _note_text(questionnaire: Questionnaire, note: Any, answers: dict[str, Any]) -> str:
    """The note's text as the person read it (``advice.note_text``)."""
    from pmpt_cli.advice import note_text

    found = next((n for n in questionnaire.notes if n.id == note.id), None)
    return note_text(found, answers) if found is not None else note.text


def summary_toml(questionnaire: Questionnaire, result: TriageResult, *, now: datetime | None = None) -> str:
    import tomli_w  # only the export path pays for it

    header = "# pmpt triage summary. pmpt is not a diagnosis.\n# Re-run with: pmpt triage --answers THIS_FILE\n"
    return header + tomli_w.dumps(summary_document(questionnaire, result, now=now))
