"""What ``pmpt triage`` does, step by step, for both the scripted and the interactive path."""

from __future__ import annotations

import sys
from typing import Any, NamedTuple

from .answers_file import AnswerSet, apply_overrides, read_answers_file
from .engine import run_triage
from .errors import UsageError
from .loader import load_questionnaire
from .model import Questionnaire, TriageResult
from .registry import DEFAULT_QUESTIONNAIRE
from .validation import check_answers, missing_required


class TriageRequest(NamedTuple):
    """The triage command's options, independent of typer."""

    answers_path: str | None = None
    questionnaire: str | None = None
    overrides: tuple[str, ...] = ()
    no_input: bool = False
    as_json: bool = False
    export: str | None = None
    force: bool = False
    plain: bool = False


def stdin_is_interactive() -> bool:
    """Whether we may prompt: stdin and stderr (where prompts go) are terminals."""
    return sys.stdin.isatty() and sys.stderr.isatty()


def run(request: TriageRequest) -> None:
    """Gather answers, triage, and show and export the result."""
    answer_set = (
        read_answers_file(request.answers_path) if request.answers_path else AnswerSet(origin="<none>", questionnaire=None, answers={})
    )
    questionnaire = load_questionnaire(request.questionnaire or answer_set.questionnaire or DEFAULT_QUESTIONNAIRE)
    if answer_set.questionnaire_sha256 and answer_set.questionnaire_sha256 != questionnaire.sha256:
        warn(f"{answer_set.origin} was made with a different version of questionnaire '{questionnaire.id}'; "
             "the outcome may differ from the one recorded in it.")  # fmt: skip
    answers = apply_overrides(questionnaire, answer_set.answers, request.overrides)
    answers = complete_answers(questionnaire, answers, request, have_file=request.answers_path is not None)
    result = run_triage(questionnaire, answers)
    if result.ignored:
        warn(f"ignored answers to questions that were not asked: {', '.join(result.ignored)}")
    show(questionnaire, result, request)


def complete_answers(questionnaire: Questionnaire, answers: dict[str, Any], request: TriageRequest,
                     *, have_file: bool) -> dict[str, Any]:  # fmt: skip
    """Ask for what is missing when we can; otherwise leave it to the engine to list."""
    clean, problems = check_answers(questionnaire, answers)
    missing = missing_required(questionnaire, clean)
    if not missing or problems:
        return answers  # complete, or invalid: the engine reports every problem at once
    if request.no_input or not stdin_is_interactive():
        if not have_file:
            why = "--no-input was given" if request.no_input else "stdin is not a terminal"
            raise UsageError(f"No answers file given and {why}. Pass --answers FILE (or - for stdin), "
                             "or run 'pmpt triage' in a terminal to answer the questions.")  # fmt: skip
        return answers
    raise UsageError(
        f"{len(missing)} required answers are missing and interactive prompting is not available yet; "
        "give them in the answers file or with --set ID=VALUE."
    )


def show(questionnaire: Questionnaire, result: TriageResult, request: TriageRequest) -> None:
    """Print the summary (or JSON) and write the export, keeping stdout for data only."""
    from .report import result_to_dict

    data = result_to_dict(questionnaire, result)
    if request.as_json:
        from .fileio import write_json

        write_json(data)
    else:
        # With --export - the TOML owns stdout, so the person reads the summary on stderr.
        stream = sys.stderr if request.export == "-" else sys.stdout
        print_summary(data, stream, plain=request.plain)
    if request.export:
        from .export import summary_toml
        from .fileio import write_private

        write_private(request.export, summary_toml(questionnaire, result), force=request.force)
        if request.export != "-":
            warn(f"Saved the summary to {request.export}. Re-run it with: pmpt triage --answers {request.export}",
                 prefix="")  # fmt: skip


def print_summary(data: dict[str, Any], stream: Any, *, plain: bool) -> None:
    from .render import render_plain, render_rich, wants_plain

    if plain or wants_plain(stream):
        stream.write(render_plain(data))
        return
    from rich.console import Console

    render_rich(data, Console(file=stream, highlight=False))


def warn(message: str, *, prefix: str = "warning: ") -> None:
    sys.stderr.write(f"{prefix}{message}\n")
