"""What ``pmpt triage`` does, step by step, for both the scripted and the interactive path."""

from __future__ import annotations

from pathlib import Path

from pmpt_cli.answers_file import AnswerSet, answers_for, apply_overrides, questionnaire_for, read_answers_file
from pmpt_cli.cli.environment import Environment
from pmpt_cli.cli.triage_request import Gathered, TriageRequest
from pmpt_cli.engine import Assessment, assess, decide
from pmpt_cli.errors import AnswersError, InputFileError, Problem, UsageError
from pmpt_cli.loader import load_questionnaire
from pmpt_cli.messages import quote_path, safe_text
from pmpt_cli.model import Question, Questionnaire, TriageResult
from pmpt_cli.registry import DEFAULT_QUESTIONNAIRE, looks_like_path


def run(request: TriageRequest, env: Environment) -> None:
    """Gather answers, triage, and show and export the result."""
    answers_path = resume_path(request) if request.resume else request.answers_path
    answer_set = (
        read_answers_file(str(answers_path), stdin=env.stdin.buffer)
        if answers_path
        else AnswerSet(origin="<none>", questionnaire=None, answers={})
    )
    ref, note = questionnaire_for(answer_set, request.questionnaire or named_questionnaire(answer_set))
    if note:
        env.say(f"warning: {note}")
    questionnaire = load_questionnaire(ref or DEFAULT_QUESTIONNAIRE)
    if answer_set.questionnaire_sha256 and answer_set.questionnaire_sha256 != questionnaire.sha256:
        env.say(f"warning: {answer_set.origin} was made with a different version of questionnaire "
                f"'{questionnaire.id}'; the outcome may differ from the one recorded in it.")  # fmt: skip
    given, notes, reported = answers_for(questionnaire, answer_set)
    for text in notes:
        env.say(f"warning: {text}")
    answers = apply_overrides(questionnaire, given, request.overrides)
    assessment = assess(questionnaire, answers)
    gathered = complete_answers(
        assessment, request, env, have_file=answers_path is not None,
        resumed_from=Path(answers_path) if request.resume and answers_path else None,
        ref=request.questionnaire or answer_set.questionnaire,
    )  # fmt: skip
    if gathered.prompter is not None:  # new answers: assessed afresh
        assessment = assess(questionnaire, gathered.answers)
    result = decide(assessment, allow_missing=gathered.stopped_early)
    for sid, value in reported.items():  # a QuestionnaireResponse may carry its own scores
        computed = result.scores[sid].value if sid in result.scores else None
        if isinstance(value, (int, float)) and computed is not None and abs(value - computed) > 1e-6:
            env.say(f"warning: {answer_set.origin} gives score '{sid}' as {value:g}; pmpt computes {computed:g} "
                    "from its answers and uses that.")  # fmt: skip
    if result.ignored:
        env.say(f"warning: ignored answers to questions that were not asked: {', '.join(result.ignored)}")
    if gathered.stopped_early:
        env.say("You stopped at a warning sign, so only the answers you gave were used.")
    if gathered.prompter is None:  # the interview asked about these; a scripted run warns
        from pmpt_cli.report import failed_checks

        for _, message in failed_checks(questionnaire, result.answers):
            env.say(f"warning: answers that rarely go together; please check them: {safe_text(message)}")
    show(questionnaire, result, request, env)
    if gathered.prompter is not None:
        from pmpt_cli.cli.interview_flow import finish

        finish(questionnaire, result, request, gathered, env)


def named_questionnaire(answer_set: AnswerSet) -> str | None:
    """The questionnaire id an answers file (or saved partial) names.

    A file may name a questionnaire by id only: a path in it would make pmpt read and
    run whatever file its author chose. Only ``--questionnaire`` on the command line,
    which the person typed, may give a path.
    """
    ref = answer_set.questionnaire
    if ref is not None and looks_like_path(ref):
        import shlex

        raise InputFileError(
            f"{answer_set.origin} names its questionnaire by the path {quote_path(ref)}, and pmpt takes a questionnaire "
            f"path only from the command line. If you trust that file, run again with --questionnaire {shlex.quote(ref)}"
        )
    return ref


def resume_path(request: TriageRequest) -> Path:
    """The partial file ``--resume`` reads: ``--save FILE``, the questionnaire's, or the newest."""
    from pmpt_cli.cli import partial

    if request.answers_path:
        raise UsageError("--resume and --answers both give the answers; to continue an answers file, "
                         "give it to --answers alone.")  # fmt: skip
    if request.save:
        path: Path | None = Path(request.save)
    elif request.questionnaire:
        qid = request.questionnaire
        qid = load_questionnaire(qid).id if looks_like_path(qid) else qid
        path = partial.default_path(qid)
        if not path.is_file():  # saved with --save FILE, perhaps
            path = partial.newest_elsewhere(qid) or path
    else:
        path = partial.newest()
    if path is None or not partial.saved(path):
        where = f" in {path}" if path is not None else f" in {partial.data_dir()}"
        raise InputFileError(
            f"No unfinished answers to resume{safe_text(where)}. If you saved them with --save FILE, continue with: "
            "pmpt triage --resume --save FILE. Or start a new triage with: pmpt triage"
        )
    return path


def complete_answers(assessment: Assessment, request: TriageRequest, env: Environment,
                     *, have_file: bool, resumed_from: Path | None = None,
                     ref: str | None = None) -> Gathered:  # fmt: skip
    """Ask for what is missing in a terminal; elsewhere, fail and say how many are missing.

    Invalid answers are reported first, every one. In a terminal pmpt then offers to ask
    them again with the missing ones; elsewhere the missing ones are one line (listed with
    ``--verbose``). A resumed partial file always goes through the interview, so the
    person still sees the review even if only optional questions were left.
    """
    questionnaire, clean, problems = assessment.questionnaire, assessment.answers, assessment.problems
    invalid = {p.location for p in problems}
    missing = [questionnaire.questions_by_id[qid] for qid in assessment.missing if f"answers.{qid}" not in invalid]
    if not missing and (problems or resumed_from is None):
        return Gathered(clean)  # complete, or invalid only: deciding reports every problem at once
    may_ask = not request.no_input and env.can_prompt
    if not may_ask:
        why = "--no-input was given" if request.no_input else "stdin is not a terminal"
        if not have_file:
            raise UsageError(f"No answers file given and {why}. Pass --answers FILE (or - for stdin), "
                             "or run 'pmpt triage' in a terminal to answer the questions.")  # fmt: skip
        if not missing:  # a complete resumed file needs no questions
            return Gathered(clean)
        raise _missing_error(questionnaire, problems, missing, request)
    if problems:
        for problem in problems:
            env.say(f"  - {safe_text(str(problem))}")
        count = f"{len(problems)} answer{'s' if len(problems) != 1 else ''}"
        env.say(f"{count} in the answers file {'are' if len(problems) != 1 else 'is'} not valid (above); "
                "you will be asked again.")  # fmt: skip
    from pmpt_cli.cli.interview_flow import interview

    offer = None
    if problems:  # the file was meant to be complete: ask before starting an interview
        todo = len(missing) + len(problems)
        offer = f"{_count(todo, 'question')} to answer. Answer {'them' if todo != 1 else 'it'} now?"
    return interview(questionnaire, clean, request, env, resumed_from=resumed_from, ref=ref, offer=offer)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"


def _missing_error(questionnaire: Questionnaire, problems: list[Problem], missing: list[Question],
                   request: TriageRequest) -> AnswersError:  # fmt: skip
    """Invalid answers one by one; the missing ones as a count (listed with --verbose)."""
    how = "run without --no-input to be asked" if request.no_input else "run it in a terminal to be asked"
    gap = f"{len(missing)} answer{'s' if len(missing) != 1 else ''} missing"
    listed = list(problems)
    if request.verbose:
        listed += [Problem(f"answers.{q.id}", f"required question not answered: {safe_text(q.text)}") for q in missing]
    elif missing:
        how += " (--verbose lists them)"
    bad = f"{_count(len(problems), 'invalid answer')} (above) and " if problems else ""
    return AnswersError(f"{bad}{gap}; {how}, or see `pmpt answers template`.", problems=listed)


def show(questionnaire: Questionnaire, result: TriageResult, request: TriageRequest, env: Environment) -> None:
    """Write the export, then print the summary (or JSON), keeping stdout for data only.

    The export comes first: if it cannot be written, nothing has been printed (exit 1,
    stdout empty), and once it is written, the result card is still the last thing shown.
    """
    from pmpt_cli.report import result_to_dict

    if request.export and request.export != "-":
        import shlex

        from pmpt_cli.cli.fileio import write_private
        from pmpt_cli.export import summary_toml

        write_private(request.export, summary_toml(questionnaire, result, redacted=request.redact), force=request.force)
        env.say(f"Saved the summary to {safe_text(request.export)}. Re-run it with: "
                f"pmpt triage --answers {safe_text(shlex.quote(request.export))}")  # fmt: skip
    data = result_to_dict(questionnaire, result)
    if request.as_json:
        from pmpt_cli.cli.fileio import write_json

        write_json(data, env.stdout)
    else:
        # With --export - the TOML owns stdout, so the person reads the summary on stderr.
        from pmpt_cli.cli.render import print_summary

        print_summary(data, env.stderr if request.export == "-" else env.stdout, env, plain=request.plain)
    if request.export == "-":
        from pmpt_cli.cli.fileio import write_private
        from pmpt_cli.export import summary_toml

        write_private("-", summary_toml(questionnaire, result, redacted=request.redact), stdout=env.stdout)
