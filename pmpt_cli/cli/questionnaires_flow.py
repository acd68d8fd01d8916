"""What ``pmpt questionnaires list | show | validate | export | import | codebook`` do, writing
to the environment's streams.

The data and the text come from the core (``describe``, ``file_check``); this module
only chooses JSON or text and where each goes, and shows the text safe for a terminal
(messages.safe_text: file names and broken files can hold anything).
"""

from __future__ import annotations

import shlex

from pmpt_cli.cli.environment import Environment
from pmpt_cli.cli.fileio import read_input, write_json, write_private
from pmpt_cli.messages import quote, quote_path, safe_text


def list_questionnaires(env: Environment, *, as_json: bool) -> None:
    from pmpt_cli.describe import LIST_SCHEMA, list_data, render_list

    rows = list_data()
    if as_json:
        write_json({"schema": LIST_SCHEMA, "questionnaires": rows}, env.stdout)
        return
    if not rows:
        env.say("No questionnaires found. Set PMPT_QUESTIONNAIRES_DIR to a folder of .toml files.")
        return
    env.stdout.write(safe_text(render_list(rows)))  # ids come from file names: anything at all
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
    env.stdout.write(safe_text(render_show(questionnaire, width=width)))


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
        env.stdout.write(safe_text(render_reports(reports, strict=strict)))
    if absent:  # reported with the others above; a file that is not there is exit 1, as everywhere
        raise InputFileError(f"{', '.join(quote(p) for p in absent)} {'does' if len(absent) == 1 else 'do'} "
                             "not exist; give the path of a questionnaire .toml file or a folder of them.")  # fmt: skip
    message = failure_message(reports, strict=strict)
    if message:
        raise ValidationFailed(message)


def export_questionnaire(
    env: Environment, ref: str, *, fmt: str, legacy_ordinal: bool, output: str | None, force: bool
) -> None:
    """The questionnaire as a FHIR R4 Questionnaire (docs/fhir.md)."""
    import json

    from pmpt_cli.errors import UsageError
    from pmpt_cli.fhir.questionnaire_out import questionnaire_to_fhir
    from pmpt_cli.loader import load_questionnaire

    if fmt != "fhir":
        raise UsageError(f"--format must be fhir, not {quote(fmt)}.")
    resource = questionnaire_to_fhir(load_questionnaire(ref), legacy_ordinal=legacy_ordinal)
    write_private(
        output or "-", json.dumps(resource, indent=2, ensure_ascii=False) + "\n", force=force, stdout=env.stdout
    )
    if output and output != "-":
        env.say(f"Wrote the FHIR Questionnaire {resource['url']}|{resource['version']} to {quote_path(output)}.")


def import_questionnaire(
    env: Environment, path: str, *, output: str | None, force: bool, strict: bool, skip_unsupported: bool,
    qid: str | None,
) -> None:  # fmt: skip
    """A FHIR Questionnaire turned into a pmpt questionnaire (TOML), with what could not be kept as warnings."""
    from pmpt_cli.fhir.questionnaire_in import import_file

    origin, data = read_input(path, "a FHIR Questionnaire", env.stdin)
    imported = import_file(data, origin=origin, strict=strict, skip_unsupported=skip_unsupported, qid=qid)
    for warning in imported.warnings:
        env.say(f"warning: {warning}")
    target = output or "-"
    write_private(target, imported.text, force=force, stdout=env.stdout)
    q = imported.questionnaire
    where = "stdout" if target == "-" else quote_path(target)
    kind = "measure-only, " if q.measure_only else ""
    check = f" Check it with: pmpt questionnaires validate {shlex.quote(target)}" if target != "-" else ""
    env.say(f"Imported '{q.id}' ({kind}{len(q.questions)} questions, {len(q.scores)} scores) to {where}.{check}")


def write_codebook(env: Environment, ref: str, *, fmt: str, output: str | None, force: bool) -> None:
    """The questionnaire's codebook, CSV or JSON (pmpt_cli/codebook.py)."""
    import json

    from pmpt_cli.codebook import codebook_csv, codebook_data
    from pmpt_cli.errors import UsageError
    from pmpt_cli.loader import load_questionnaire

    if fmt not in ("csv", "json"):
        raise UsageError(f"--format must be csv or json, not {quote(fmt)}.")
    q = load_questionnaire(ref)
    text = codebook_csv(q) if fmt == "csv" else json.dumps(codebook_data(q), indent=2, ensure_ascii=False) + "\n"
    write_private(output or "-", text, force=force, stdout=env.stdout)
