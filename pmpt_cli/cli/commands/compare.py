"""``pmpt compare``: progress over time across summaries of one questionnaire.

cli/app.py imports this module only when the command is run or listed.
"""

import sys
from typing import Annotated

import typer

compare_app = typer.Typer(add_completion=False)


@compare_app.command(
    epilog="Examples:\n\n"
    "  pmpt compare before.toml after.toml\n\n"
    "  pmpt compare week0.toml week6.toml week12.toml --json",
)
def compare(
    ctx: typer.Context,
    summaries: Annotated[
        list[str], typer.Argument(metavar="OLD.toml NEW.toml [MORE.toml ...]", help="Summaries, oldest first.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the comparison as JSON on stdout.")] = False,
) -> None:
    """Compare summaries of one questionnaire over time: each score's values, the change, whether it
    reaches the score's minimal important change (MCID) and which way (better, worse or no important
    change), a sparkline, and the outcome then and now.
    """
    from pmpt_cli.cli.fileio import read_input, write_json
    from pmpt_cli.compare import compare_summaries
    from pmpt_cli.summary import read_summary

    read = [read_input(path, "a summary") for path in summaries]
    data = compare_summaries([read_summary(data, origin=origin) for origin, data in read], [o for o, _ in read])
    for warning in data["warnings"]:
        sys.stderr.write(f"warning: {warning}\n")
    if as_json:
        write_json(data)
        return
    from pmpt_cli.cli.render import wants_plain

    no_color = bool(getattr(ctx.find_root().obj, "no_color", False))
    if wants_plain(sys.stdout, no_color=no_color):
        from pmpt_cli.cli.compare_view import render_plain

        sys.stdout.write(render_plain(data))
        return
    from rich.console import Console

    from pmpt_cli.cli.compare_view import render_rich

    render_rich(data, Console(highlight=False))
