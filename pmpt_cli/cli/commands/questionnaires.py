"""``pmpt questionnaires list | show | validate``: discover, read and check questionnaires.

cli.py imports this module only when these commands are run or listed (help,
completion); still, only typer is imported at module level: the loader, lint and
rendering load inside the commands.
"""

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from pmpt_cli.registry import complete_questionnaire_ids

if TYPE_CHECKING:
    from pmpt_cli.lint import Finding
    from pmpt_cli.model import Questionnaire

LIST_SCHEMA = 1
SHOW_SCHEMA = 1
VALIDATE_SCHEMA = 1

questionnaires_app = typer.Typer(
    name="questionnaires",
    help="List, show and validate questionnaires (bundled, on PMPT_QUESTIONNAIRES_DIR, or any .toml file); "
    "export and import them as FHIR; write a codebook.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


JsonFlag = Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout.")]


# -- list ------------------------------------------------------------------------------


def list_data() -> list[dict[str, Any]]:
    """Every questionnaire that can be named by id; a file that does not load says why."""
    from pmpt_cli.errors import PmptError
    from pmpt_cli.loader import parse_questionnaire
    from pmpt_cli.registry import available, bundled_root

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
            q = parse_questionnaire(entry.read_bytes(), origin=path)
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


@questionnaires_app.command(
    "list",
    epilog="Examples:\n\n  pmpt questionnaires list\n\n  pmpt questionnaires list --json",
)
def list_command(as_json: JsonFlag = False) -> None:
    """List the questionnaires you can name by id: id, version, language, licence, questions, title.

    Folders on PMPT_QUESTIONNAIRES_DIR (separated by ':', or ';' on Windows) are
    searched before the bundled questionnaires; the first file with an id wins.
    """
    rows = list_data()
    if as_json:
        from pmpt_cli.cli.fileio import write_json

        write_json({"schema": LIST_SCHEMA, "questionnaires": rows})
        return
    if not rows:
        sys.stderr.write("No questionnaires found. Set PMPT_QUESTIONNAIRES_DIR to a folder of .toml files.\n")
        return
    header = ("ID", "VERSION", "LANG", "QUESTIONS", "LICENCE", "TITLE")
    table = [header] + [
        (r["id"], r["version"] or "-", r["language"] or "-", str(r["questions"] or "-"), _clip(r["licence"] or "-"),
         (r["title"] or "") + ("" if r["origin"] == "bundled" else f"  [{r['path']}]"))
        for r in rows
    ]  # fmt: skip
    widths = [max(len(row[i]) for row in table) for i in range(len(header) - 1)]
    out = sys.stdout
    for row in table:
        out.write("  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[-1] + "\n")
    broken = [r for r in rows if "error" in r]
    for r in broken:
        sys.stderr.write(f"warning: {r['id']}: {r['error']}\n")
    if rows:
        sys.stderr.write("Show one with: pmpt questionnaires show ID\n")


def _clip(text: str, width: int = 24) -> str:
    """Long cells (a licence can be a sentence) are cut in the table; --json has them whole."""
    return text if len(text) <= width else text[: width - 3].rstrip() + "..."


# -- show ------------------------------------------------------------------------------


def questionnaire_data(q: "Questionnaire") -> dict[str, Any]:
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


def render_show(q: "Questionnaire", width: int = 100) -> str:
    """The questionnaire as readable plain text: sections, questions, scores, rules."""
    import textwrap

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
        for s in q.scores:
            lines.append("")
            if s.expression is not None:
                how = f"expression: {s.expression.source}"
            else:
                how = f"{s.method} of {', '.join(s.items)}"
                if s.max_missing:
                    how += f"; up to {s.max_missing} may be missing"
            para(f"{s.label}: {how}", " " * 6, f"  {s.id}: ")
            if s.bands:
                bands = "; ".join(f"{num(b.min)}-{num(b.max)} {b.label}" for b in s.bands)
                para(bands, " " * 6, "      bands: ")
            if s.mcid is not None:
                para(f"{num(s.mcid)} ({s.mcid_source})", " " * 6, "      minimal important change: ")
            if s.better:
                para(f"{s.better} is better", " " * 6, "      improvement: ")
            para(s.source, " " * 6, "      source: ")
            if s.description:
                para(s.description, " " * 6)
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


@questionnaires_app.command(
    "show",
    epilog="Examples:\n\n  pmpt questionnaires show pmpt-core\n\n  pmpt questionnaires show my-clinic.toml --json",
)
def show_command(
    questionnaire: Annotated[
        str,
        typer.Argument(
            metavar="ID|PATH",
            autocompletion=complete_questionnaire_ids,
            help="Questionnaire id, or the path of a .toml file.",
        ),
    ],
    as_json: JsonFlag = False,
) -> None:
    """Show a questionnaire: its sections, questions and choices (with values), scores and rules."""
    from pmpt_cli.loader import load_questionnaire

    q = load_questionnaire(questionnaire)
    if as_json:
        from pmpt_cli.cli.fileio import write_json

        write_json(questionnaire_data(q))
        return
    import shutil

    width = max(60, min(shutil.get_terminal_size((100, 24)).columns, 120)) - 1
    sys.stdout.write(render_show(q, width=width))


# -- validate --------------------------------------------------------------------------


@dataclass
class FileReport:
    """What ``validate`` found in one file."""

    path: str
    id: str | None = None
    findings: "list[Finding]" = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")

    def to_dict(self, *, strict: bool) -> dict[str, Any]:
        return {
            "path": self.path, "id": self.id, "ok": self.ok(strict=strict), "errors": self.errors,
            "warnings": self.warnings, "findings": [f.to_dict() for f in self.findings],
        }  # fmt: skip

    def ok(self, *, strict: bool) -> bool:
        return self.errors == 0 and not (strict and self.warnings)


def validate_file(path: str) -> FileReport:
    """Everything the loader checks, then lint; never raises for a bad questionnaire."""
    import tomllib

    from pmpt_cli.errors import PmptError, QuestionnaireError
    from pmpt_cli.lint import ERROR, Finding, lint_document, lint_questionnaire
    from pmpt_cli.loader import parse_questionnaire
    from pmpt_cli.registry import resolve

    report = FileReport(path)
    try:
        origin, data = resolve(path)
    except PmptError as exc:
        report.findings.append(Finding(ERROR, "file", "", exc.message, "give the path of a questionnaire .toml file"))
        return report
    report.path = origin
    raw: dict[str, Any] | None = None
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        pass  # the loader words this problem
    if raw is not None and isinstance(raw.get("id"), str):
        report.id = raw["id"]
    try:
        q = parse_questionnaire(data, origin=origin)
    except QuestionnaireError as exc:
        problems = exc.problems or []
        if problems:
            report.findings += [Finding(ERROR, "format", p.location, p.message, p.hint) for p in problems]
        else:
            report.findings.append(Finding(ERROR, "format", "", exc.message.removeprefix(f"{origin}: ")))
        if raw is not None:
            report.findings += lint_document(raw)
        return report
    report.findings += lint_document(raw or {})
    report.findings += lint_questionnaire(q)
    return report


def expand_paths(paths: list[str]) -> list[str]:
    """Folders become the .toml files in them (sorted); files and ids stay as given."""
    expanded: list[str] = []
    for path in paths:
        p = Path(path)
        if p.is_dir():
            found = sorted(str(f) for f in p.iterdir() if f.suffix == ".toml" and f.is_file())
            expanded += found or [path]
        else:
            expanded.append(path)
    return expanded


def render_reports(reports: list[FileReport], *, strict: bool) -> str:
    lines: list[str] = []
    for report in reports:
        if not report.findings:
            lines.append(f"{report.path}: ok")
            continue
        counts = _counts(report.errors, report.warnings)
        lines.append(f"{report.path}: {counts}")
        for f in report.findings:
            where = f"{f.location}: " if f.location else ""
            lines.append(f"  {f.severity:<7}  {where}{f.message}  [{f.check}]")
            if f.hint:
                lines.append(f"           fix: {f.hint}")
    return "\n".join(lines) + "\n"


def _counts(errors: int, warnings: int) -> str:
    return f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"


@questionnaires_app.command(
    "validate",
    epilog="Examples:\n\n  pmpt questionnaires validate my-clinic.toml\n\n"
    "  pmpt questionnaires validate questionnaires/ --strict --json",
)
def validate_command(
    paths: Annotated[
        list[str], typer.Argument(metavar="PATH...", help="Questionnaire .toml files or folders of them.")
    ],
    as_json: JsonFlag = False,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as problems too (exit 3).")] = False,
) -> None:
    """Check questionnaires: the format, then lint (unreachable questions, conditions that are
    never or always true, circular dependencies, band gaps and overlaps, scores that are never
    computed, outcomes no rule produces, placeholder explanations and sources).

    Exits 3 when any file has an error (or, with --strict, a warning).
    """
    from pmpt_cli.errors import ValidationFailed

    reports = [validate_file(path) for path in expand_paths(paths)]
    failed = [r for r in reports if not r.ok(strict=strict)]
    if as_json:
        from pmpt_cli.cli.fileio import write_json

        write_json({
            "schema": VALIDATE_SCHEMA,
            "ok": not failed,
            "strict": strict,
            "errors": sum(r.errors for r in reports),
            "warnings": sum(r.warnings for r in reports),
            "files": [r.to_dict(strict=strict) for r in reports],
        })  # fmt: skip
    else:
        sys.stdout.write(render_reports(reports, strict=strict))
    if failed:
        errors = sum(r.errors for r in failed)
        warnings = sum(r.warnings for r in failed)
        raise ValidationFailed(
            f"{len(failed)} of {len(reports)} file{'s' if len(reports) != 1 else ''} "
            f"{'has' if len(failed) == 1 else 'have'} problems ({_counts(errors, warnings)}); "
            "fix them and validate again."
        )


# -- export, import: FHIR ----------------------------------------------------------------

OutputOption = Annotated[
    Optional[str],
    typer.Option("--output", "-o", metavar="FILE", help="Write to FILE instead of stdout (- for stdout)."),
]
ForceOption = Annotated[bool, typer.Option("--force", "-f", help="Overwrite the --output file if it exists.")]


@questionnaires_app.command(
    "export",
    epilog="Examples:\n\n  pmpt questionnaires export pmpt-core --format fhir --output pmpt-core.fhir.json\n\n"
    "  pmpt questionnaires export my-clinic.toml --legacy-ordinal > my-clinic.fhir.json",
)
def export_command(
    questionnaire: Annotated[
        str,
        typer.Argument(metavar="ID|PATH", autocompletion=complete_questionnaire_ids, help="Questionnaire id or path."),
    ],
    fmt: Annotated[
        str, typer.Option("--format", metavar="fhir", help="Output format: fhir (R4 Questionnaire JSON).")
    ] = "fhir",
    legacy_ordinal: Annotated[
        bool,
        typer.Option(
            "--legacy-ordinal", help="Write choice scores as ordinalValue (pre-SDC 3.0) instead of itemWeight."
        ),
    ] = False,
    output: OutputOption = None,
    force: ForceOption = False,
) -> None:
    """Write a questionnaire as an HL7 FHIR R4 Questionnaire (SDC): groups, items with their options and
    weights, enableWhen, scores as calculated items; pmpt's rules travel in its own extension (docs/fhir.md).
    """
    import json

    from pmpt_cli.cli.fileio import write_private
    from pmpt_cli.errors import UsageError
    from pmpt_cli.fhir.questionnaire_out import questionnaire_to_fhir
    from pmpt_cli.loader import load_questionnaire

    if fmt != "fhir":
        raise UsageError(f"--format must be fhir, not '{fmt}'.")
    resource = questionnaire_to_fhir(load_questionnaire(questionnaire), legacy_ordinal=legacy_ordinal)
    write_private(output or "-", json.dumps(resource, indent=2, ensure_ascii=False) + "\n", force=force)
    if output and output != "-":
        sys.stderr.write(f"Wrote the FHIR Questionnaire {resource['url']}|{resource['version']} to {output}.\n")


@questionnaires_app.command(
    "import",
    epilog="Examples:\n\n  pmpt questionnaires import phq9.json --output phq9.toml\n\n"
    "  pmpt questionnaires import form.json --skip-unsupported --id my-form > my-form.toml\n\n"
    "  pmpt questionnaires import form.json --strict --output form.toml",
)
def import_command(
    path: Annotated[str, typer.Argument(metavar="FILE.json", help="A FHIR R4 Questionnaire as JSON (- reads stdin).")],
    output: OutputOption = None,
    force: ForceOption = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="First check the file against the FHIR R4B models (needs fhir.resources).")
    ] = False,
    skip_unsupported: Annotated[
        bool,
        typer.Option("--skip-unsupported", help="Leave out what pmpt cannot do, with a warning, instead of refusing."),
    ] = False,
    qid: Annotated[
        Optional[str], typer.Option("--id", metavar="ID", help="The pmpt id (default: from the resource).")
    ] = None,
) -> None:
    """Turn a FHIR Questionnaire into a pmpt questionnaire (TOML). Each problem is reported with its JSON path;
    a form without pmpt's rules imports as measure-only (scores and bands, no outcome).
    """
    from pmpt_cli.cli.fileio import read_input, write_private
    from pmpt_cli.fhir.questionnaire_in import import_file

    origin, data = read_input(path, "a FHIR Questionnaire")
    imported = import_file(data, origin=origin, strict=strict, skip_unsupported=skip_unsupported, qid=qid)
    for warning in imported.warnings:
        sys.stderr.write(f"warning: {warning}\n")
    target = output or "-"
    write_private(target, imported.text, force=force)
    q = imported.questionnaire
    where = "stdout" if target == "-" else target
    kind = "measure-only, " if q.measure_only else ""
    sys.stderr.write(
        f"Imported '{q.id}' ({kind}{len(q.questions)} questions, {len(q.scores)} scores) to {where}."
        + (f" Check it with: pmpt questionnaires validate {target}\n" if target != "-" else "\n")
    )


# -- codebook ----------------------------------------------------------------------------


@questionnaires_app.command(
    "codebook",
    epilog="Examples:\n\n  pmpt questionnaires codebook pmpt-core > codebook.csv\n\n"
    "  pmpt questionnaires codebook my-clinic.toml --format json --output codebook.json",
)
def codebook_command(
    questionnaire: Annotated[
        str,
        typer.Argument(metavar="ID|PATH", autocompletion=complete_questionnaire_ids, help="Questionnaire id or path."),
    ],
    fmt: Annotated[str, typer.Option("--format", metavar="csv|json", help="CSV (one row per item) or JSON.")] = "csv",
    output: OutputOption = None,
    force: ForceOption = False,
) -> None:
    """A codebook for researchers: every question and score with its type, codes, labels, weights,
    when it is asked and the scores that use it, with the questionnaire's version and hash on every row.
    """
    import json

    from pmpt_cli.cli.fileio import write_private
    from pmpt_cli.codebook import codebook_csv, codebook_data
    from pmpt_cli.errors import UsageError
    from pmpt_cli.loader import load_questionnaire

    if fmt not in ("csv", "json"):
        raise UsageError(f"--format must be csv or json, not '{fmt}'.")
    q = load_questionnaire(questionnaire)
    text = codebook_csv(q) if fmt == "csv" else json.dumps(codebook_data(q), indent=2, ensure_ascii=False) + "\n"
    write_private(output or "-", text, force=force)
