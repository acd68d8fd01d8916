"""``pmpt answers template``: the typer declaration (the work is in ``cli.answers_flow``).

cli.app imports this module only when the command is run or listed (help, completion).
"""

from typing import Annotated, Optional

import typer

from pmpt_cli.cli.commands.options import Command, Group, NoColor, apply_no_color
from pmpt_cli.registry import complete_questionnaire_ids

answers_app = typer.Typer(
    name="answers",
    help="Work with answers files: write a ready-to-fill template.",
    no_args_is_help=True,
    rich_markup_mode=None,
    cls=Group,
    short_help="Work with answers files: write a ready-to-fill template.",
    context_settings={"help_option_names": ["-h", "--help"]},
)


@answers_app.command(
    "template",
    cls=Command,
    short_help="Write an answers file to fill in, with every question commented.",
    epilog="Examples:\n\n"
    "  pmpt answers template pmpt-core > answers.toml\n\n"
    "  pmpt answers template --output answers.toml\n\n"
    "  pmpt answers template my-clinic.toml --json\n\n"
    "Fill in the template, then run: pmpt triage --answers answers.toml",
)
def template_command(
    ctx: typer.Context,
    questionnaire: Annotated[
        Optional[str],
        typer.Argument(
            metavar="[ID|PATH]",
            autocompletion=complete_questionnaire_ids,
            help="Questionnaire id or .toml path (default: pmpt-core).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Describe every question as JSON instead.")] = False,
    output: Annotated[
        Optional[str],
        typer.Option("--output", "-o", metavar="FILE", help="Write to FILE instead of stdout (- for stdout)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", "-f", help="Overwrite FILE if it exists.")] = False,
    no_color: NoColor = False,
) -> None:
    """Write an answers file to fill in: every question as a commented TOML line with its type,
    the values it takes and when it is asked. A filled-in template is accepted by
    'pmpt triage --answers FILE'.
    """
    from pmpt_cli.cli.answers_flow import write_template
    from pmpt_cli.cli.environment import from_context

    apply_no_color(ctx, no_color)
    write_template(from_context(ctx), questionnaire, as_json=as_json, output=output, force=force)
