"""Options that several commands declare the same way."""

from typing import Any

import typer

from pmpt_cli.registry import complete_questionnaire_ids


def questionnaire_option(help: str) -> Any:
    """``--questionnaire/-q ID|PATH``, completed from the questionnaire ids."""
    return typer.Option(
        "--questionnaire", "-q", metavar="ID|PATH", autocompletion=complete_questionnaire_ids, help=help
    )
