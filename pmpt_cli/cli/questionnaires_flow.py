"""What ``pmpt questionnaires list | show | validate`` do, writing to the environment's streams.

The data and the text come from the core (``describe``, ``file_check``); this module
only chooses JSON or text and where each goes.
"""

from __future__ import annotations

from pmpt_cli.cli.environment import Environment
from pmpt_cli.cli.fileio import write_json


def list_questionnaires(env: Environment, *, as_json: bool) -> None:
    from pmpt_cli.describe import LIST_SCHEMA, list_data, render_list

    rows = list_data()
    if as_json:
        write_json({"schema": LIST_SCHEMA, "questionnaires": rows}, env.stdout)
        return
    if not rows:
        env.say("No questionnaires found. Set PMPT_QUESTIONNAIRES_DIR to a folder of .toml files.")
        return
    env.stdout.write(render_list(rows))
    for row in rows:
        if "error" in row:
            env.say(f"warning: {row['id']}: {row['error']}")
    env.say("Show one with: pmpt questionnaires show ID")


def show_questionnaire(env: Environment, ref: str, *, as_json: bool) -> None:
    from pmpt_cli.describe import questionnaire_data, render_show
    from pmpt_cli.loader import load_questionnaire

    questionnaire = load_questionnaire(ref)
    if as_json:
        write_json(questionnaire_data(questionnaire), env.stdout)
        return
    width = max(60, min(env.width_for(env.stdout) if env.stdout_isatty else 100, 120)) - 1
    env.stdout.write(render_show(questionnaire, width=width))


def validate_questionnaires(env: Environment, paths: list[str], *, as_json: bool, strict: bool) -> None:
    """Report on every file; ``ValidationFailed`` (exit 3) when any has problems, and
    ``InputFileError`` (exit 1, like every command) when a file is not there at all."""
    from pathlib import Path

    from pmpt_cli.errors import InputFileError, ValidationFailed
    from pmpt_cli.messages import quote
    from pmpt_cli.registry import looks_like_path

    absent = [path for path in paths if looks_like_path(path) and not Path(path).exists()]
    from pmpt_cli.file_check import expand_paths, failure_message, render_reports, validate_data, validate_file

    reports = [validate_file(path) for path in expand_paths(paths)]
    if as_json:
        write_json(validate_data(reports, strict=strict), env.stdout)
    else:
        env.stdout.write(render_reports(reports, strict=strict))
    if absent:  # reported with the others above; a file that is not there is exit 1, as everywhere
        raise InputFileError(f"{', '.join(quote(p) for p in absent)} {'does' if len(absent) == 1 else 'do'} "
                             "not exist; give the path of a questionnaire .toml file or a folder of them.")  # fmt: skip
    message = failure_message(reports, strict=strict)
    if message:
        raise ValidationFailed(message)
