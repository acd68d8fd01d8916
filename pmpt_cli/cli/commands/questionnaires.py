"""``pmpt questionnaires list | show | validate``: the typer declarations.

The work is in ``cli.questionnaires_flow`` (and the core's ``describe`` and
``file_check``); cli.app imports this module only when these commands are run or
listed (help, completion).
"""

from typing import Annotated, Optional

import typer

from pmpt_cli.cli.commands.options import Command, Group, NoColor, apply_no_color
from pmpt_cli.registry import complete_questionnaire_ids

questionnaires_app = typer.Typer(
    name="questionnaires",
    help="List, show and validate questionnaires (bundled, on PMPT_QUESTIONNAIRES_DIR, or any .toml file); "
    "export and import them as FHIR; write a codebook.",
    no_args_is_help=True,
    rich_markup_mode=None,
    cls=Group,
    short_help="List, show, validate, export and import questionnaires.",
    context_settings={"help_option_names": ["-h", "--help"]},
)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout.")]


@questionnaires_app.command(
    "list",
    cls=Command,
    short_help="List the questionnaires you can name by id.",
    epilog="Examples:\n\n  pmpt questionnaires list\n\n  pmpt questionnaires list --json",
)
def list_command(ctx: typer.Context, as_json: JsonFlag = False, no_color: NoColor = False) -> None:
    """List the questionnaires you can name by id: id, version, language, licence, questions, title.

    Folders on PMPT_QUESTIONNAIRES_DIR (separated by ':', or ';' on Windows) are
    searched before the bundled questionnaires; the first file with an id wins.
    """
    from pmpt_cli.cli.environment import from_context
    from pmpt_cli.cli.questionnaires_flow import list_questionnaires

    apply_no_color(ctx, no_color)
    list_questionnaires(from_context(ctx), as_json=as_json)


@questionnaires_app.command(
    "show",
    cls=Command,
    short_help="Show a questionnaire: sections, questions, choices, scores and rules.",
    epilog="Examples:\n\n  pmpt questionnaires show pmpt-core\n\n  pmpt questionnaires show my-clinic.toml --json",
)
def show_command(
    ctx: typer.Context,
    questionnaire: Annotated[
        str,
        typer.Argument(
            metavar="ID|PATH",
            autocompletion=complete_questionnaire_ids,
            help="Questionnaire id, or the path of a .toml file.",
        ),
    ],
    as_json: JsonFlag = False,
    no_color: NoColor = False,
) -> None:
    """Show a questionnaire: its sections, questions and choices (with values), scores and rules."""
    from pmpt_cli.cli.environment import from_context
    from pmpt_cli.cli.questionnaires_flow import show_questionnaire

    apply_no_color(ctx, no_color)
    show_questionnaire(from_context(ctx), questionnaire, as_json=as_json)


@questionnaires_app.command(
    "validate",
    cls=Command,
    short_help="Check questionnaires: the format, then lint; exit 3 on problems.",
    epilog="Examples:\n\n  pmpt questionnaires validate my-clinic.toml\n\n"
    "  pmpt questionnaires validate questionnaires/ --strict --json",
)
def validate_command(
    ctx: typer.Context,
    paths: Annotated[
        list[str], typer.Argument(metavar="PATH...", help="Questionnaire .toml files or folders of them.")
    ],
    as_json: JsonFlag = False,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as problems too (exit 3).")] = False,
    no_color: NoColor = False,
) -> None:
    """Check questionnaires: the format, then lint (unreachable questions, conditions that are
    never or always true, circular dependencies, band gaps and overlaps, scores that are never
    computed, outcomes no rule produces, placeholder explanations and sources).

    Exits 3 when any file has an error (or, with --strict, a warning).
    """
    from pmpt_cli.cli.environment import from_context
    from pmpt_cli.cli.questionnaires_flow import validate_questionnaires

    apply_no_color(ctx, no_color)
    validate_questionnaires(from_context(ctx), paths, as_json=as_json, strict=strict)


# -- export, import: FHIR; codebook -----------------------------------------------------

OutputOption = Annotated[
    Optional[str],
    typer.Option("--output", "-o", metavar="FILE", help="Write to FILE instead of stdout (- for stdout)."),
]
ForceOption = Annotated[bool, typer.Option("--force", "-f", help="Overwrite the --output file if it exists.")]


@questionnaires_app.command(
    "export",
    cls=Command,
    short_help="Write a questionnaire as a FHIR R4 Questionnaire.",
    epilog="Examples:\n\n  pmpt questionnaires export pmpt-core --format fhir --output pmpt-core.fhir.json\n\n"
    "  pmpt questionnaires export my-clinic.toml --legacy-ordinal > my-clinic.fhir.json",
)
def export_command(
    ctx: typer.Context,
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
    no_color: NoColor = False,
) -> None:
    """Write a questionnaire as an HL7 FHIR R4 Questionnaire (SDC): groups, items with their options and
    weights, enableWhen, scores as calculated items; pmpt's rules travel in its own extension (docs/fhir.md).
    """
    from pmpt_cli.cli.environment import from_context
    from pmpt_cli.cli.questionnaires_flow import export_questionnaire

    apply_no_color(ctx, no_color)
    export_questionnaire(
        from_context(ctx), questionnaire, fmt=fmt, legacy_ordinal=legacy_ordinal, output=output, force=force
    )


@questionnaires_app.command(
    "import",
    cls=Command,
    short_help="Turn a FHIR Questionnaire into a pmpt questionnaire.",
    epilog="Examples:\n\n  pmpt questionnaires import phq9.json --output phq9.toml\n\n"
    "  pmpt questionnaires import form.json --skip-unsupported --id my-form > my-form.toml\n\n"
    "  pmpt questionnaires import form.json --strict --output form.toml",
)
def import_command(
    ctx: typer.Context,
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
    no_color: NoColor = False,
) -> None:
    """Turn a FHIR Questionnaire into a pmpt questionnaire (TOML). Each problem is reported with its JSON path;
    a form without pmpt's rules imports as measure-only (scores and bands, no outcome).
    """
    from pmpt_cli.cli.environment import from_context
    from pmpt_cli.cli.questionnaires_flow import import_questionnaire

    apply_no_color(ctx, no_color)
    import_questionnaire(
        from_context(ctx), path, output=output, force=force, strict=strict, skip_unsupported=skip_unsupported, qid=qid
    )


@questionnaires_app.command(
    "codebook",
    cls=Command,
    short_help="A codebook of every item, for researchers.",
    epilog="Examples:\n\n  pmpt questionnaires codebook pmpt-core > codebook.csv\n\n"
    "  pmpt questionnaires codebook my-clinic.toml --format json --output codebook.json",
)
def codebook_command(
    ctx: typer.Context,
    questionnaire: Annotated[
        str,
        typer.Argument(metavar="ID|PATH", autocompletion=complete_questionnaire_ids, help="Questionnaire id or path."),
    ],
    fmt: Annotated[str, typer.Option("--format", metavar="csv|json", help="CSV (one row per item) or JSON.")] = "csv",
    output: OutputOption = None,
    force: ForceOption = False,
    no_color: NoColor = False,
) -> None:
    """A codebook for researchers: every question and score with its type, codes, labels, weights,
    when it is asked and the scores that use it, with the questionnaire's version and hash on every row.
    """
    from pmpt_cli.cli.environment import from_context
    from pmpt_cli.cli.questionnaires_flow import write_codebook

    apply_no_color(ctx, no_color)
    write_codebook(from_context(ctx), questionnaire, fmt=fmt, output=output, force=force)
