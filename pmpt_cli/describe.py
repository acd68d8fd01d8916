"""A questionnaire described for people: the list of those that can be named, and one
shown in full, as plain data (``--json``) and as readable text (``pmpt questionnaires``)."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pmpt_cli.model import Questionnaire

LIST_SCHEMA = 1
SHOW_SCHEMA = 1


def list_data() -> list[dict[str, Any]]:
    """Every questionnaire that can be named by id; a file that does not load says why."""
    from pmpt_cli.errors import PmptError
    from pmpt_cli.loader import parse_questionnaire
    from pmpt_cli.registry import available, bundled_root, read_entry

    try:
        bundled = str(bundled_root())
    except PmptError:
        bundled = ""
    rows = []
    for qid, entry in sorted(available().items()):
        path = str(entry)
        row: dict[str, Any] = {
            "id": qid, "title": None, "version": None, "language": None, "licence": None, "questions": None,
            "origin": "bundled" if bundled and str(Path(path).parent) == bundled else "custom", "path": path,
        }  # fmt: skip
        try:
            q = parse_questionnaire(read_entry(entry), origin=path)
        except (PmptError, OSError) as exc:
            message = exc.message if isinstance(exc, PmptError) else str(exc)
            row["error"] = f"{message} Run 'pmpt questionnaires validate {path}' for details."
        else:
            row.update(title=q.title, version=q.version, language=q.language, licence=q.licence,
                       questions=len(q.questions))  # fmt: skip
            if q.id != qid:
                row["error"] = f"the file's id is '{q.id}' but its name says '{qid}'; rename one of them"
        rows.append(row)
    return rows


def render_list(rows: list[dict[str, Any]]) -> str:
    """The list as an aligned table: id, version, language, questions, licence, title."""
    header = ("ID", "VERSION", "LANG", "QUESTIONS", "LICENCE", "TITLE")
    table = [header] + [
        (r["id"], r["version"] or "-", r["language"] or "-", str(r["questions"] or "-"), _clip(r["licence"] or "-"),
         (r["title"] or "") + ("" if r["origin"] == "bundled" else f"  [{r['path']}]"))
        for r in rows
    ]  # fmt: skip
    widths = [max(len(row[i]) for row in table) for i in range(len(header) - 1)]
    widths = [max(len(row[i]) for row in table) for i in range(len(header) - 1)]
    return "".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[-1] + "\n" for row in table)


def _clip(text: str, width: int = 24) -> str:
    """Long cells (a licence can be a sentence) are cut in the table; --json has them whole."""
    return text if len(text) <= width else text[: width - 3].rstrip() + "..."


def questionnaire_data(q: Questionnaire) -> dict[str, Any]:
    """The whole questionnaire as plain data (``show --json``)."""
    from pmpt_cli.template import applies_when

    def question(item: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": item.id, "section": item.section, "type": item.type, "text": item.text, "help": item.help,
            "required": item.required,
        }  # fmt: skip
        if item.choices:
            data["choices"] = [
                {"value": c.value, "label": c.label, "help": c.help, "score": c.score, "exclusive": c.exclusive}
                for c in item.choices
            ]
        if item.type in ("scale", "number"):
            data.update(min=item.min, max=item.max, integer=item.integer)
        if item.type == "scale":
            data.update(min_label=item.min_label, max_label=item.max_label)
        if item.type == "number":
            data["unit"] = item.unit
        if item.type == "text":
            data["max_length"] = item.max_length
        data["enable_when"] = [{"question": c.question, "operator": c.operator, "answer": c.answer}
                               for c in item.enable_when]  # fmt: skip
        data["enable_behavior"] = item.enable_behavior
        data["enable_if"] = item.own_enable_if or None
        data["applies_when"] = applies_when(q, item)
        return data

    return {
        "schema": SHOW_SCHEMA,
        "id": q.id, "title": q.title, "version": q.version, "language": q.language, "licence": q.licence,
        "description": q.description, "minutes": q.minutes, "sha256": q.sha256, "path": q.path,
        "sources": [{"id": s.id, "citation": s.citation, "url": s.url} for s in q.sources],
        "sections": [
            {"id": s.id, "title": s.title, "intro": s.intro, "parent": s.parent or None,
             "enable_when": [{"question": c.question, "operator": c.operator, "answer": c.answer}
                             for c in s.enable_when],
             "enable_behavior": s.enable_behavior}
            for s in q.sections
        ],
        "questions": [question(item) for item in q.questions],
        "scores": [
            {
                "id": s.id, "label": s.label, "method": s.method, "items": list(s.items),
                "max_missing": s.max_missing, "expression": s.expression.source if s.expression else None,
                "bands": [{"min": b.min, "max": b.max, "label": b.label} for b in s.bands],
                "source": s.source, "description": s.description,
                "mcid": {"value": s.mcid, "source": s.mcid_source} if s.mcid is not None else None,
                "better": s.better or None,
                "need": s.need or None,
            }
            for s in q.scores
        ],
        "rules": [
            {"id": r.id, "outcome": r.outcome, "when": r.when.source, "priority": r.priority,
             "explanation": r.explanation, "source": r.source}
            for r in q.rules
        ],
        "default": {"outcome": q.default.outcome, "explanation": q.default.explanation, "source": q.default.source}
        if q.default is not None
        else None,
        "measure_only": q.measure_only,
        "notes": [{"id": n.id, "when": n.when.source, "text": n.text, "source": n.source} for n in q.notes],
        "outcomes": {
            outcome: {"headline": t.headline, "care": t.care, "steps": list(t.steps), "next": t.next}
            for outcome, t in q.outcome_texts.items()
        },
    }  # fmt: skip


def render_show(q: Questionnaire, width: int = 100) -> str:
    """The questionnaire as readable plain text: sections, questions, scores, rules."""
    from pmpt_cli.template import TYPE_WORDS, allowed_values, applies_when, condition_text

    lines: list[str] = []

    def para(text: str, indent: str = "", first: str | None = None) -> None:
        lines.extend(textwrap.wrap(" ".join(str(text).split()), width, initial_indent=first if first is not None
                                   else indent, subsequent_indent=indent) or [first or indent])  # fmt: skip

    def num(value: float | None) -> str:
        return "" if value is None else f"{value:g}"

    lines.append(f"{q.title}")
    meta = [f"id {q.id}", f"version {q.version}", f"language {q.language}", f"licence {q.licence}",
            f"{len(q.questions)} questions"]  # fmt: skip
    if q.minutes:
        meta.append(f"about {q.minutes} min")
    para(" | ".join(meta))
    if q.description:
        lines.append("")
        para(q.description)
    if q.sources:
        lines += ["", "SOURCES"]
        for s in q.sources:
            para(f"{s.citation}" + (f" <{s.url}>" if s.url else ""), " " * 6, f"  [{s.id}] ")
    by_section: dict[str, list[Any]] = {}
    for item in q.questions:
        by_section.setdefault(item.section, []).append(item)
    for section in q.sections:
        inside = f" (inside {section.parent})" if section.parent else ""
        lines += ["", f"SECTION {section.id}: {section.title}{inside}"]
        if section.intro:
            para(section.intro, "  ")
        if section.enable_when:
            joiner = " and " if section.enable_behavior == "all" else " or "
            para(joiner.join(condition_text(q, c) for c in section.enable_when), " " * 4, "  asked only when: ")
        for item in by_section.get(section.id, []):
            need = "" if item.required else ", optional"
            lines.append("")
            para(item.text, " " * 6, f"  {item.id} ({TYPE_WORDS[item.type]}{need}): ")
            if item.help:
                para(item.help, " " * 6, "      help: ")
            when = applies_when(q, item)
            if when:
                para(when, " " * 8, "      asked only when: ")
            if item.choices:
                value_width = max(len(c.value) for c in item.choices)
                for c in item.choices:
                    extra = []
                    if c.score is not None:
                        extra.append(f"score {num(c.score)}")
                    if c.exclusive:
                        extra.append("not with others")
                    tail = f"  ({', '.join(extra)})" if extra else ""
                    para(f"{c.label}{tail}", " " * (10 + value_width), f"      {c.value.ljust(value_width)}  ")
            else:
                para(allowed_values(item), " " * 8, "      takes: ")
    if q.scores:
        lines += ["", "SCORES"]
        for score in q.scores:
            lines.append("")
            if score.expression is not None:
                how = f"expression: {score.expression.source}"
            else:
                how = f"{score.method} of {', '.join(score.items)}"
                if score.max_missing:
                    how += f"; up to {score.max_missing} may be missing"
            para(f"{score.label}: {how}", " " * 6, f"  {score.id}: ")
            if score.bands:
                bands = "; ".join(f"{num(b.min)}-{num(b.max)} {b.label}" for b in score.bands)
                para(bands, " " * 6, "      bands: ")
            if score.mcid is not None:
                para(f"{num(score.mcid)} ({score.mcid_source})", " " * 6, "      minimal important change: ")
            if score.better:
                para(f"{score.better} is better", " " * 6, "      improvement: ")
            if score.need:
                para(f"the {score.need} need; its items are the contributors", " " * 6, "      need: ")
            para(score.source, " " * 6, "      source: ")
            if score.description:
                para(score.description, " " * 6)
    if q.default is None:
        lines += ["", "MEASURE-ONLY: no rules and no default; a triage reports the scores and bands, no outcome"]
    else:
        lines += ["", "RULES (red flags always win; otherwise the highest priority decides)"]
        for r in q.rules:
            lines.append("")
            lines.append(f"  {r.id} -> {r.outcome} (priority {r.priority})")
            para(r.when.source, " " * 8, "      when: ")
            para(r.explanation, " " * 8, "      why: ")
            para(r.source, " " * 8, "      source: ")
        lines.append("")
        lines.append(f"  default -> {q.default.outcome} (when no rule fires)")
        para(q.default.explanation, " " * 8, "      why: ")
        para(q.default.source, " " * 8, "      source: ")
    if q.notes:
        lines += ["", "NOTES (shown as 'also noted')"]
        for n in q.notes:
            lines.append("")
            lines.append(f"  {n.id}")
            para(n.when.source, " " * 8, "      when: ")
            para(n.text, " " * 8, "      text: ")
            para(n.source, " " * 8, "      source: ")
    return "\n".join(lines) + "\n"
