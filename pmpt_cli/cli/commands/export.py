"""``pmpt export SUMMARY``: a saved summary as FHIR (a Bundle with the response and the
outcome, or the response alone), as a printable HTML report, or as PDF.

cli/app.py imports this module only when the command is run or listed.
"""

from typing import Annotated, Optional

import typer

from pmpt_cli.cli.commands.options import Command, NoColor, apply_no_color, questionnaire_option

export_app = typer.Typer(add_completion=False, rich_markup_mode=None)


@export_app.command(
    cls=Command,
    short_help="Export a summary as FHIR, or as a printable report.",
    epilog="Examples:\n\n"
    "  pmpt export summary.toml --format fhir --output result.fhir.json\n\n"
    "  pmpt export summary.toml --format fhir-response > response.json\n\n"
    "  pmpt export summary.toml --format html --output report.html --pseudonym P-0042\n\n"
    "  pmpt export summary.toml --redact --output report-redacted.html",
)
def export(
    ctx: typer.Context,
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
        Optional[str], questionnaire_option("The questionnaire the summary was made with (default: the one it names).")
    ] = None,
    paper: Annotated[str, typer.Option("--paper", metavar="a4|letter", help="Page size of the report.")] = "a4",
    no_color: NoColor = False,
) -> None:
    """Export a summary: FHIR R4 (for a health record) or a one-page printable report (HTML or PDF)."""
    from pmpt_cli.cli.environment import from_context
    from pmpt_cli.cli.export_flow import export_summary

    apply_no_color(ctx, no_color)
    export_summary(
        from_context(ctx), summary, fmt=fmt, output=output, force=force, redact=redact, pseudonym=pseudonym,
        questionnaire=questionnaire, paper=paper,
    )  # fmt: skip
