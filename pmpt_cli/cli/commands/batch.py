"""``pmpt batch``: the command line of batch triage (the work is in ``batch.py``).

Imported only when ``batch`` is run or listed (``cli.ErrorBoundaryGroup`` loads it
lazily), so its option declarations cost nothing on ``pmpt triage``.
"""

from typing import Annotated, Optional

import typer

from pmpt_cli.cli.commands.options import Command, NoColor, apply_no_color, questionnaire_option

# A one-command Typer: cli.py turns it into the click command ``batch``.
batch_app = typer.Typer(add_completion=False, rich_markup_mode=None)


@batch_app.command(
    cls=Command,
    short_help="Triage many people at once: one output row each (id, outcome, scores, reasons, or the error).",
    epilog="Examples:\n\n"
    "  pmpt batch people.csv --output results.csv\n\n"
    "  pmpt batch answers/ --questionnaire pmpt-core --format jsonl > results.jsonl\n\n"
    "  pmpt batch people.jsonl --id-column patient --output results.jsonl --force\n\n"
    "  pmpt batch people.jsonl --jobs 0 --output all-cpus.jsonl",
)
def batch(
    ctx: typer.Context,
    inputs: Annotated[
        list[str],
        typer.Argument(
            metavar="INPUT...",
            help="Answers files (.toml/.json), folders of them, .csv or .jsonl "
            "files with one person per row (- reads CSV or JSON Lines from stdin).",
        ),
    ],
    questionnaire: Annotated[
        Optional[str],
        questionnaire_option("Questionnaire id or .toml path (default: the one the inputs name, else pmpt-core)."),
    ] = None,
    output: Annotated[
        Optional[str], typer.Option("--output", "-o", metavar="FILE", help="Write results to FILE (default: stdout).")
    ] = None,
    fmt: Annotated[
        Optional[str],
        typer.Option(
            "--format",
            metavar="csv|jsonl",
            help="Output format (default: from --output's extension, else csv for CSV input, else jsonl).",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", "-f", help="Overwrite the --output file if it exists.")] = False,
    id_column: Annotated[
        str, typer.Option("--id-column", metavar="NAME", help="Column (CSV) or key (JSON Lines) holding the id.")
    ] = "id",
    ignore_column: Annotated[
        Optional[list[str]],
        typer.Option("--ignore-column", metavar="NAME", help="CSV column that is not an answer (repeatable)."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar or summary on stderr.")] = False,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs",
            "-j",
            metavar="N",
            help="Worker processes: 0 uses every CPU; 1 (the default) runs in this process. "
            "The output is the same whatever N.",
        ),
    ] = 1,
    no_color: NoColor = False,
) -> None:
    """Triage many people at once: one output row each (id, outcome, scores, reasons, or the error).

    Rows are written in input order as they are triaged, so memory stays flat for any number of rows.
    A bad row is reported and skipped and the rest still run; the exit status is 1 if any row failed,
    and 130 on Ctrl-C, which leaves no --output file behind. A count per outcome is printed on stderr.
    """
    from pmpt_cli.cli.batch import BatchRequest, run_batch
    from pmpt_cli.cli.environment import from_context

    apply_no_color(ctx, no_color)
    run_batch(BatchRequest(
        inputs=list(inputs), questionnaire=questionnaire, output=output, format=fmt, force=force,
        id_column=id_column, ignore_columns=list(ignore_column or []), quiet=quiet, jobs=jobs,
    ), from_context(ctx))  # fmt: skip
