"""``pmpt compare``: progress over time across summaries of one questionnaire.

cli/app.py imports this module only when the command is run or listed.
"""

from typing import Annotated

import typer

from pmpt_cli.cli.commands.options import Command, NoColor, apply_no_color

compare_app = typer.Typer(add_completion=False, rich_markup_mode=None)


@compare_app.command(
    cls=Command,
    short_help="Compare summaries over time, score by score.",
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
    no_color: NoColor = False,
) -> None:
    """Compare summaries of one questionnaire over time: each score's values, the change, whether it
    reaches the score's minimal important change (MCID) and which way (better, worse or no important
    change), a sparkline, and the outcome then and now.
    """
    from pmpt_cli.cli.environment import from_context
    from pmpt_cli.cli.export_flow import compare as compare_summaries

    apply_no_color(ctx, no_color)
    compare_summaries(from_context(ctx), summaries, as_json=as_json)
