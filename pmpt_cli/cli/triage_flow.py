"""What ``pmpt triage`` does, step by step, for both the scripted and the interactive path."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from pmpt_cli.answers_file import AnswerSet, answers_for, apply_overrides, questionnaire_for, read_answers_file
from pmpt_cli.engine import run_triage
from pmpt_cli.errors import AnswersError, Problem, UsageError
from pmpt_cli.loader import load_questionnaire
from pmpt_cli.model import Questionnaire, TriageResult
from pmpt_cli.records import Record
from pmpt_cli.registry import DEFAULT_QUESTIONNAIRE
from pmpt_cli.validation import check_answers, missing_required


class TriageRequest(Record):
    """The triage command's options, independent of typer."""

    answers_path: str | None = None
    questionnaire: str | None = None
    overrides: tuple[str, ...] = ()
    no_input: bool = False
    as_json: bool = False
    export: str | None = None
    force: bool = False
    redact: bool = False  # --export leaves out free text and anything identifying
    plain: bool = False
    plain_prompts: bool = False  # --plain: numbered prompts (--no-color alone keeps the menus)
    resume: bool = False  # continue saved unfinished answers
    save: str | None = None  # where unfinished answers go on Ctrl-C (and what --resume reads)


class Gathered(Record):
    """The answers to triage, and how they were gathered."""

    answers: dict[str, Any]
    stopped_early: bool = False  # stopped at a red flag: triage what was said
    prompter: Any = None  # set when the person answered in the terminal
    resumed_from: Path | None = None  # a partial file to delete once the triage is shown


def stdin_is_interactive() -> bool:
    """Whether we may prompt: stdin and stderr (where prompts go) are terminals."""
    return sys.stdin.isatty() and sys.stderr.isatty()


def run(request: TriageRequest) -> None:
    """Gather answers, triage, and show and export the result."""
    answers_path = resume_path(request) if request.resume else request.answers_path
    answer_set = (
        read_answers_file(str(answers_path))
        if answers_path
        else AnswerSet(origin="<none>", questionnaire=None, answers={})
    )
    ref, note = questionnaire_for(answer_set, request.questionnaire)
    if note:
        warn(note)
    questionnaire = load_questionnaire(ref or DEFAULT_QUESTIONNAIRE)
    if answer_set.questionnaire_sha256 and answer_set.questionnaire_sha256 != questionnaire.sha256:
        warn(f"{answer_set.origin} was made with a different version of questionnaire '{questionnaire.id}'; "
             "the outcome may differ from the one recorded in it.")  # fmt: skip
    given, notes, reported = answers_for(questionnaire, answer_set)
    for text in notes:
        warn(text)
    answers = apply_overrides(questionnaire, given, request.overrides)
    gathered = complete_answers(
        questionnaire, answers, request, have_file=answers_path is not None,
        resumed_from=Path(answers_path) if request.resume else None,
        ref=request.questionnaire or answer_set.questionnaire,
    )  # fmt: skip
    result = run_triage(questionnaire, gathered.answers, allow_missing=gathered.stopped_early)
    for sid, value in reported.items():
        computed = result.scores[sid].value if sid in result.scores else None
        if isinstance(value, (int, float)) and computed is not None and abs(value - computed) > 1e-6:
            warn(f"{answer_set.origin} gives score '{sid}' as {value:g}; pmpt computes {computed:g} from its answers "
                 "and uses that.")  # fmt: skip
    if result.ignored:
        warn(f"ignored answers to questions that were not asked: {', '.join(result.ignored)}")
    show(questionnaire, result, request)
    if gathered.prompter is not None:
        from pmpt_cli.cli.interview_flow import finish

        finish(questionnaire, result, request, gathered)


def resume_path(request: TriageRequest) -> Path:
    """The partial file ``--resume`` reads: ``--save FILE``, the questionnaire's, or the newest."""
    from pmpt_cli.cli import partial
    from pmpt_cli.errors import InputFileError
    from pmpt_cli.registry import looks_like_path

    if request.answers_path:
        raise UsageError("--resume and --answers both give the answers; to continue an answers file, "
                         "give it to --answers alone.")  # fmt: skip
    if request.save:
        path: Path | None = Path(request.save)
    elif request.questionnaire:
        qid = request.questionnaire
        path = partial.default_path(load_questionnaire(qid).id if looks_like_path(qid) else qid)
    else:
        path = partial.newest()
    if path is None or not path.is_file():
        where = f" in {path}" if path is not None else f" in {partial.data_dir()}"
        raise InputFileError(f"No unfinished answers to resume{where}. Start a new triage with: pmpt triage")
    return path


def complete_answers(questionnaire: Questionnaire, answers: dict[str, Any], request: TriageRequest,
                     *, have_file: bool, resumed_from: Path | None = None,
                     ref: str | None = None) -> Gathered:  # fmt: skip
    """Ask for what is missing in a terminal; elsewhere, fail listing every missing answer.

    A resumed partial file always goes through the interview, so the person still
    sees the review even if only optional questions were left.
    """
    clean, problems = check_answers(questionnaire, answers)
    missing = missing_required(questionnaire, clean)
    if problems or (not missing and resumed_from is None):
        return Gathered(answers)  # complete, or invalid: the engine reports every problem at once
    if request.no_input or not stdin_is_interactive():
        why = "--no-input was given" if request.no_input else "stdin is not a terminal"
        if not have_file:
            raise UsageError(f"No answers file given and {why}. Pass --answers FILE (or - for stdin), "
                             "or run 'pmpt triage' in a terminal to answer the questions.")  # fmt: skip
        if not missing:  # a complete resumed file needs no questions
            return Gathered(answers)
        # Never a hang and never a silent default: list every gap and say how to fill it.
        raise AnswersError(
            f"{len(missing)} required answer{'s are' if len(missing) != 1 else ' is'} missing and {why}, so pmpt "
            "cannot ask. Add them to the answers file or give each with --set ID=VALUE, "
            "or run in a terminal without --no-input to be asked.",
            problems=[Problem(f"answers.{q.id}", f"required question not answered: {q.text}") for q in missing],
        )
    from pmpt_cli.cli.interview_flow import interview

    return interview(questionnaire, clean, request, resumed_from=resumed_from, ref=ref)


def show(questionnaire: Questionnaire, result: TriageResult, request: TriageRequest) -> None:
    """Print the summary (or JSON) and write the export, keeping stdout for data only."""
    from pmpt_cli.report import result_to_dict

    data = result_to_dict(questionnaire, result)
    if request.as_json:
        from pmpt_cli.cli.fileio import write_json

        write_json(data)
    else:
        # With --export - the TOML owns stdout, so the person reads the summary on stderr.
        stream = sys.stderr if request.export == "-" else sys.stdout
        print_summary(data, stream, plain=request.plain)
    if request.export:
        from pmpt_cli.cli.fileio import write_private
        from pmpt_cli.export import summary_toml

        write_private(request.export, summary_toml(questionnaire, result, redacted=request.redact), force=request.force)
        if request.export != "-":
            warn(f"Saved the summary to {request.export}. Re-run it with: pmpt triage --answers {request.export}",
                 prefix="")  # fmt: skip


def print_summary(data: dict[str, Any], stream: Any, *, plain: bool) -> None:
    from pmpt_cli.cli.render import render_plain, render_rich, wants_plain

    if plain or wants_plain(stream):
        stream.write(render_plain(data))
        return
    from rich.console import Console

    render_rich(data, Console(file=stream, highlight=False))


def warn(message: str, *, prefix: str = "warning: ") -> None:
    sys.stderr.write(f"{prefix}{message}\n")
