"""``pmpt export SUMMARY``: a saved summary as FHIR (a Bundle with the response and the
outcome, or the response alone), as a printable HTML report, or as PDF.

cli/app.py imports this module only when the command is run or listed.
"""

import sys
from typing import Annotated, Optional

import typer

from pmpt_cli.registry import complete_questionnaire_ids

export_app = typer.Typer(add_completion=False)


@export_app.command(
    epilog="Examples:\n\n"
    "  pmpt export summary.toml --format fhir --output result.fhir.json\n\n"
    "  pmpt export summary.toml --format fhir-response > response.json\n\n"
    "  pmpt export summary.toml --format html --output report.html --pseudonym P-0042\n\n"
    "  pmpt export summary.toml --redact --output report-redacted.html",
)
def export(
    summary: Annotated[
        str, typer.Argument(metavar="SUMMARY", help="A summary written by pmpt triage --export (- reads stdin).")
    ],
    fmt: Annotated[
        Optional[str],
        typer.Option(
            "--format",
            metavar="fhir|fhir-response|html|pdf",
            help="fhir: a Bundle with the QuestionnaireResponse and a RiskAssessment for the outcome; fhir-response: "
            "the response alone; html: a printable report; pdf (needs pmpt[pdf]). Default: from --output's "
            "extension, else fhir.",
        ),
    ] = None,
    output: Annotated[
        Optional[str], typer.Option("--output", "-o", metavar="FILE", help="Write to FILE (default: stdout).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", "-f", help="Overwrite the --output file if it exists.")] = False,
    redact: Annotated[
        bool, typer.Option("--redact", help="Leave out free-text and date answers and the time of day.")
    ] = False,
    pseudonym: Annotated[
        Optional[str],
        typer.Option("--pseudonym", metavar="ID", help="A pseudonymous id for the header and the subject."),
    ] = None,
    questionnaire: Annotated[
        Optional[str],
        typer.Option(
            "--questionnaire",
            "-q",
            metavar="ID|PATH",
            autocompletion=complete_questionnaire_ids,
            help="The questionnaire the summary was made with (default: the one it names).",
        ),
    ] = None,
    paper: Annotated[str, typer.Option("--paper", metavar="a4|letter", help="Page size of the report.")] = "a4",
) -> None:
    """Export a summary: FHIR R4 (for a health record) or a one-page printable report (HTML or PDF)."""
    from pmpt_cli.cli.fileio import read_input, write_private
    from pmpt_cli.errors import UsageError
    from pmpt_cli.export import export_format, render_summary
    from pmpt_cli.loader import load_questionnaire
    from pmpt_cli.printable import PAPERS
    from pmpt_cli.summary import read_summary

    chosen = export_format(fmt, output)
    if paper.lower() not in PAPERS:
        raise UsageError(f"--paper must be a4 or letter, not '{paper}'.")
    origin, data = read_input(summary, "a summary")
    document = read_summary(data, origin=origin)
    q = load_questionnaire(questionnaire or document["questionnaire"])
    if document["questionnaire_sha256"] != q.sha256:
        sys.stderr.write(f"warning: {origin} was made with another version of questionnaire '{q.id}' "
                         f"({document['questionnaire_version']}); its texts now may differ.\n")  # fmt: skip
    rendered = render_summary(q, document, chosen, pseudonym=pseudonym, redacted=redact, paper=paper)
    target = output or "-"
    if chosen == "pdf" and target == "-" and sys.stdout.isatty():
        raise UsageError("PDF is binary: give --output FILE.pdf, or redirect stdout to a file.")
    write_private(target, rendered, force=force)
    if target != "-":
        sys.stderr.write(f"Wrote {chosen} to {target}.\n")
