"""``pmpt questionnaires validate`` as data: the loader's checks, then lint, per file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pmpt_cli.errors import PmptError, QuestionnaireError
from pmpt_cli.lint import ERROR, Finding, lint_document, lint_questionnaire
from pmpt_cli.loader import parse_questionnaire
from pmpt_cli.messages import MAX_LISTED, and_more
from pmpt_cli.registry import resolve

VALIDATE_SCHEMA = 1


@dataclass
class FileReport:
    """What ``validate`` found in one file."""

    path: str
    id: str | None = None
    findings: list[Finding] = field(default_factory=list)

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
    from pmpt_cli.input_files import decode, load_toml

    report = FileReport(path)
    try:
        origin, data = resolve(path)
    except PmptError as exc:
        report.findings.append(Finding(ERROR, "file", "", exc.message, "give the path of a questionnaire .toml file"))
        return report
    report.path = origin
    raw: dict[str, Any] | None = None
    try:
        raw = load_toml(decode(data, origin), origin)
    except PmptError:
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
        for f in report.findings[:MAX_LISTED]:
            where = f"{f.location}: " if f.location else ""
            lines.append(f"  {f.severity:<7}  {where}{f.message}  [{f.check}]")
            if f.hint:
                lines.append(f"           fix: {f.hint}")
        if len(report.findings) > MAX_LISTED:
            lines.append(f"  {and_more(len(report.findings) - MAX_LISTED)} (--json lists them all)")
    return "\n".join(lines) + "\n"


def _counts(errors: int, warnings: int) -> str:
    return f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"


def validate_data(reports: list[FileReport], *, strict: bool) -> dict[str, Any]:
    """``validate --json``."""
    return {
        "schema": VALIDATE_SCHEMA,
        "ok": all(r.ok(strict=strict) for r in reports),
        "strict": strict,
        "errors": sum(r.errors for r in reports),
        "warnings": sum(r.warnings for r in reports),
        "files": [r.to_dict(strict=strict) for r in reports],
    }


def failure_message(reports: list[FileReport], *, strict: bool) -> str | None:
    """What ``validate`` says when a file has problems, or ``None``."""
    failed = [r for r in reports if not r.ok(strict=strict)]
    if not failed:
        return None
    errors = sum(r.errors for r in failed)
    warnings = sum(r.warnings for r in failed)
    return (
        f"{len(failed)} of {len(reports)} file{'s' if len(reports) != 1 else ''} "
        f"{'has' if len(failed) == 1 else 'have'} problems ({_counts(errors, warnings)}); "
        "fix them and validate again."
    )
