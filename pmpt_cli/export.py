"""The TOML summary: a record of the triage that is also a valid answers file.

docs/summary-format.md documents every field; summary.py reads summaries back.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from pmpt_cli.model import Questionnaire, TriageResult
from pmpt_cli.program import runnable
from pmpt_cli.report import decided_by, export_number, reason_records
from pmpt_cli.summary import SUMMARY_SCHEMA, redact, score_definition
from pmpt_cli.version import __version__


def _drop_none(value: Any) -> Any:
    """TOML has no null: leave out keys whose value is None (tomli-w would raise)."""
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value if v is not None]
    return value


def summary_document(
    questionnaire: Questionnaire, result: TriageResult, *, now: datetime | None = None, redacted: bool = False
) -> dict[str, Any]:
    """The summary as a TOML-ready dict. ``questionnaire`` and ``[answers]`` make it re-runnable.

    ``redacted`` leaves out free text and anything identifying (``summary.redact``).
    """
    created = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    reasons = [
        {**r, "evidence": {e["name"]: e["value"] for e in r["evidence"]}} for r in reason_records(questionnaire, result)
    ]
    scores = {}
    for sid, s in result.scores.items():
        score = questionnaire.scores_by_id[sid]
        scores[sid] = {
            "label": s.label, "value": export_number(s.value), "band": s.band, "mcid": score.mcid,
            "mcid_source": score.mcid_source or None, "better": score.better or None,
            "definition": score_definition(questionnaire, sid), "internal": score.internal or None,
        }  # fmt: skip
    document = _drop_none({
        "schema": SUMMARY_SCHEMA,
        "pmpt_version": __version__,
        "questionnaire": result.questionnaire_id,
        "questionnaire_version": result.questionnaire_version,
        "questionnaire_sha256": result.questionnaire_sha256,
        "questionnaire_url": questionnaire.url,
        "created": created,
        "status": "in-progress" if runnable(questionnaire).run(result.answers).missing else "completed",
        "outcome": result.outcome,
        "decided_by": decided_by(result),
        "answers": result.answers,
        "skipped": list(result.skipped),
        "scores": scores,
        "reasons": reasons,
        "notes": [{"id": n.id, "text": _note_text(questionnaire, n, result.answers), "source": n.source}
                  for n in result.notes],
    })  # fmt: skip
    return redact(document, questionnaire) if redacted else document


def _note_text(questionnaire: Questionnaire, note: Any, answers: dict[str, Any]) -> str:
    """The note's text as the person read it (``advice.note_text``)."""
    from pmpt_cli.advice import note_text

    found = next((n for n in questionnaire.notes if n.id == note.id), None)
    return note_text(found, answers) if found is not None else note.text


def summary_toml(
    questionnaire: Questionnaire, result: TriageResult, *, now: datetime | None = None, redacted: bool = False
) -> str:
    return document_toml(summary_document(questionnaire, result, now=now, redacted=redacted))


def document_toml(document: dict[str, Any]) -> str:
    """A summary document as TOML, with its header."""
    import tomli_w  # only the export path pays for it

    header = "# pmpt triage summary. pmpt is not a diagnosis.\n# Re-run with: pmpt triage --answers THIS_FILE\n"
    return header + tomli_w.dumps(document)


#: What ``pmpt export`` writes: a Bundle (response and outcome), the response alone, the report.
EXPORT_FORMATS = ("fhir", "fhir-response", "html", "pdf")
_SUFFIX_FORMATS = {".json": "fhir", ".html": "html", ".htm": "html", ".pdf": "pdf"}


def export_format(fmt: str | None, output: str | None) -> str:
    """The format asked for, else the one the output file's extension says, else ``fhir``."""
    from pathlib import Path

    from pmpt_cli.errors import UsageError

    if fmt is None:
        return _SUFFIX_FORMATS.get(Path(output).suffix.lower(), "fhir") if output and output != "-" else "fhir"
    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"--format must be one of {', '.join(EXPORT_FORMATS)}, not '{fmt}'.")
    return fmt


def _fitting(questionnaire: Questionnaire, summary: dict[str, Any]) -> dict[str, Any]:
    from pmpt_cli.errors import AnswersError
    from pmpt_cli.validation import AnswerInvalid, check_answers, check_value

    clean, problems = check_answers(questionnaire, summary.get("answers", {}))
    if problems:
        raise AnswersError(
            f"the summary's answers do not fit questionnaire '{questionnaire.id}' {questionnaire.version}; "
            "give the questionnaire it was made with (--questionnaire).",
            problems=problems,
        )

    def fits(name: str, value: Any) -> bool:
        question = questionnaire.question(name)
        if question is None:
            return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))
        try:
            check_value(question, value)
        except AnswerInvalid:
            return False
        return True

    reasons = [
        {**r, "evidence": {k: v for k, v in r.get("evidence", {}).items() if fits(k, v)}}
        for r in summary.get("reasons", [])
        if isinstance(r, dict)
    ]
    notes = [n for n in summary.get("notes", []) if isinstance(n, dict) and isinstance(n.get("text"), str)]
    return {**summary, "answers": clean, "reasons": reasons, "notes": notes}


def render_summary(
    questionnaire: Questionnaire,
    summary: dict[str, Any],
    fmt: str,
    *,
    pseudonym: str | None = None,
    redacted: bool = False,
    paper: str = "a4",
) -> str | bytes:
    """A summary (``summary.read_summary``) in another format: FHIR JSON, the HTML report or PDF.

    Its answers are checked against the questionnaire first (``AnswersError`` lists what does
    not fit); evidence that does not fit is left out of the reasons.
    """
    summary = _fitting(questionnaire, summary)
    if redacted:
        summary = redact(summary, questionnaire)
    if fmt in ("fhir", "fhir-response"):
        import json

        from pmpt_cli.fhir.response import bundle_to_fhir, response_to_fhir

        resource = (bundle_to_fhir if fmt == "fhir" else response_to_fhir)(questionnaire, summary, pseudonym=pseudonym)
        return json.dumps(resource, indent=2, ensure_ascii=False) + "\n"
    from pmpt_cli.printable import report_html, report_pdf

    html = report_html(questionnaire, summary, pseudonym=pseudonym, paper=paper)
    return report_pdf(html) if fmt == "pdf" else html
