"""The printable report: one self-contained HTML page from a summary (``pmpt export --format html``).

The page has inline CSS and SVG only: no script, no link, nothing fetched. It fits A4
and Letter. jinja2 renders it with autoescaping on, so every questionnaire and answer
text is escaped; jinja2 is imported only here, when a report is written.
``report_data`` gathers what the template shows, as plain data (tests read it too).
"""

from __future__ import annotations

import datetime
import math
from typing import Any

from pmpt_cli import __version__
from pmpt_cli.model import RED_FLAG_OUTCOMES, Questionnaire
from pmpt_cli.report import (
    DISCLAIMER,
    MEASURE_ONLY_HEADLINE,
    describe_answer,
    evidence_list,
    format_number,
    shown_reasons,
)

PAPERS = {"a4": "A4", "letter": "letter"}
BAR_WIDTH = 400  # SVG user units; the drawing scales to the page


def report_data(
    questionnaire: Questionnaire, summary: dict[str, Any], *, pseudonym: str | None = None
) -> dict[str, Any]:
    """Everything the report shows, from a summary (``summary.read_summary``) and its questionnaire."""
    outcome = summary.get("outcome")
    text = questionnaire.outcome_texts.get(outcome) if outcome else None
    reasons = [
        {**r, "evidence": evidence_list(questionnaire, r.get("evidence") or {})} for r in summary.get("reasons", [])
    ]
    red_flags = [r for r in reasons if r.get("outcome") in RED_FLAG_OUTCOMES]
    created = summary.get("created")
    return {
        "title": questionnaire.title,
        "questionnaire": {
            "id": questionnaire.id,
            "version": summary.get("questionnaire_version"),
            "sha256": summary.get("questionnaire_sha256") or "",
        },  # fmt: skip
        "date": _date(created),
        "pmpt_version": summary.get("pmpt_version") or __version__,
        "pseudonym": pseudonym,
        "redacted": bool(summary.get("redacted")),
        "status": summary.get("status"),
        "outcome": outcome,
        "headline": text.headline if text is not None else MEASURE_ONLY_HEADLINE,
        "care": None if text is None else {"care": text.care, "steps": list(text.steps), "next": text.next},
        "red_flags": red_flags,
        "reasons": shown_reasons({"outcome": outcome, "reasons": reasons}),
        "notes": summary.get("notes", []),
        "scores": _scores(questionnaire, summary.get("scores", {})),
        "sections": _answers(questionnaire, summary.get("answers", {})),
        "disclaimer": DISCLAIMER,
    }


def report_html(
    questionnaire: Questionnaire, summary: dict[str, Any], *, pseudonym: str | None = None, paper: str = "a4"
) -> str:
    """The report as one HTML document."""
    from importlib.resources import files

    from jinja2 import Environment, StrictUndefined

    template = files("pmpt_cli").joinpath("templates", "report.html.j2").read_text(encoding="utf-8")
    environment = Environment(autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    page = PAPERS.get(paper.lower(), "A4")
    return environment.from_string(template).render(
        **report_data(questionnaire, summary, pseudonym=pseudonym), paper=page, bar_width=BAR_WIDTH
    )


def report_pdf(html: str) -> bytes:
    """The report as PDF, with weasyprint (the optional ``pdf`` extra)."""
    try:
        from weasyprint import HTML  # type: ignore[import-not-found]
    except ImportError:
        from pmpt_cli.errors import PmptError

        raise PmptError(
            "PDF needs the optional weasyprint package: pip install 'pmpt[pdf]'. "
            "Or write --format html and print it to PDF from a browser."
        ) from None
    return HTML(string=html).write_pdf()


def _date(created: Any) -> str:
    if isinstance(created, datetime.datetime):
        return created.strftime("%Y-%m-%d %H:%M %Z").strip()
    if isinstance(created, datetime.date):
        return created.isoformat()
    return "not recorded"


def _scores(questionnaire: Questionnaire, scores: dict[str, Any]) -> list[dict[str, Any]]:
    """Each score shown to the person, with its bands laid out on a bar (``x`` and ``width`` in 0-1)."""
    shown = []
    for sid, data in scores.items():
        score = questionnaire.score(sid)
        if score is None or score.internal:
            continue
        value = data.get("value")
        finite = [b for b in score.bands]
        low = min([b.min for b in finite if math.isfinite(b.min)], default=0)
        high = max([b.max for b in finite if math.isfinite(b.max)] + ([value] if value is not None else []),
                   default=None)  # fmt: skip
        bands = []
        if high is not None and high > low:
            for band in score.bands:
                start = max(band.min, low) if math.isfinite(band.min) else low
                end = min(band.max, high) if math.isfinite(band.max) else high
                if end <= start:
                    continue  # a one-point band such as "none 0-0" has no width to draw
                bands.append({"label": band.label, "x": (start - low) / (high - low),
                              "width": max(end - start, 0) / (high - low), "current": band.label == data.get("band"),
                              "range": f"{format_number(band.min)}-{format_number(band.max)}"})  # fmt: skip
        marker = None
        if value is not None and high is not None and high > low:
            marker = min(max((value - low) / (high - low), 0), 1)
        shown.append({
            "label": data.get("label") or score.label, "value": "not computed" if value is None else format_number(value),
            "band": data.get("band"), "bands": bands, "marker": marker,
            "low": format_number(low), "high": format_number(high) if high is not None else "",
        })  # fmt: skip
    return shown


def _answers(questionnaire: Questionnaire, answers: dict[str, Any]) -> list[dict[str, Any]]:
    """The answers by section, as the person gave them (choice labels, yes or no)."""
    by_section: dict[str, list[dict[str, str]]] = {}
    for question in questionnaire.questions:
        if question.id in answers:
            by_section.setdefault(question.section, []).append(
                {"question": question.text, "answer": describe_answer(questionnaire, question.id, answers[question.id])}
            )
    return [{"title": s.title, "answers": by_section[s.id]} for s in questionnaire.sections if s.id in by_section]
