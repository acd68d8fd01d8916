"""``pmpt answers template``: a ready-to-fill answers file for a questionnaire.

cli.py imports this module only when the command is run or listed (help, completion).
"""

import json
import sys
from typing import Annotated, Optional

import typer

from pmpt_cli.registry import complete_questionnaire_ids

answers_app = typer.Typer(
    name="answers",
    help="Work with answers files: write a ready-to-fill template.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@answers_app.command(
    "template",
    epilog="Examples:\n\n"
    "  pmpt answers template mini > answers.toml\n\n"
    "  pmpt answers template --output answers.toml   (then fill it in and run: pmpt triage --answers answers.toml)\n\n"
    "  pmpt answers template my-clinic.toml --json",
)
def template_command(
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
) -> None:
    """Write an answers file to fill in: every question as a commented TOML line with its type,
    the values it takes and when it is asked. A filled-in template is accepted by
    'pmpt triage --answers FILE'.
    """
    from pmpt_cli.cli.fileio import write_private
    from pmpt_cli.loader import load_questionnaire
    from pmpt_cli.registry import DEFAULT_QUESTIONNAIRE
    from pmpt_cli.template import template_data, template_toml

    q = load_questionnaire(questionnaire or DEFAULT_QUESTIONNAIRE)
    target = output or "-"
    if as_json and target == "-":
        from pmpt_cli.cli.fileio import write_json

        write_json(template_data(q))
        return
    text = json.dumps(template_data(q), indent=2, ensure_ascii=False) + "\n" if as_json else template_toml(q)
    write_private(target, text, force=force)
    if target != "-":
        what = "Described" if as_json else "Wrote a template with"
        next_step = "" if as_json else f" Fill it in, then run: pmpt triage --answers {target}"
        sys.stderr.write(f"{what} {len(q.questions)} questions of '{q.id}' to {target}.{next_step}\n")
