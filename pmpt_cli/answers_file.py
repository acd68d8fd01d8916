"""Reading answers files (TOML, or JSON by extension) and ``--set`` overrides."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

from pmpt_cli.errors import AnswersError, InputFileError, Problem
from pmpt_cli.input_files import MAX_ANSWERS_BYTES
from pmpt_cli.messages import MAX_LISTED, quote, suggest
from pmpt_cli.model import Questionnaire
from pmpt_cli.records import Record
from pmpt_cli.validation import AnswerInvalid, parse_text

#: Keys an exported summary adds; accepted (and ignored) so a summary is an answers file.
SUMMARY_KEYS = {
    "schema", "pmpt_version", "questionnaire_version", "questionnaire_sha256", "created",
    "outcome", "decided_by", "reasons", "notes", "scores", "skipped",
}  # fmt: skip
#: Annotations a test case or clinic may keep beside the answers; pmpt ignores them.
#: (A vignette: the ``expected`` outcome, the other outcomes a clinician would accept,
#: why, the guideline behind it, and its ``origin``, such as "blind" for a case written
#: without seeing pmpt's answer.)
ANNOTATION_KEYS = {"expected", "acceptable", "rationale", "source", "origin", "comment"}
ANSWERS_FILE_KEYS = {"questionnaire", "answers"} | SUMMARY_KEYS | ANNOTATION_KEYS


class AnswerSet(Record):
    """What an answers file said: which questionnaire, and the raw answers."""

    origin: str
    questionnaire: str | None
    answers: dict[str, Any]
    questionnaire_sha256: str | None = None


def read_answers_file(path: str, *, stdin: BinaryIO | None = None) -> AnswerSet:
    """Read an answers file; ``-`` reads standard input (TOML unless it looks like JSON).

    A file is read only if it is a regular file, and at most ``MAX_ANSWERS_BYTES`` of it
    (input_files.read_bounded).
    """
    from pmpt_cli.input_files import read_bounded

    if path == "-":
        if stdin is None:
            raise ValueError("reading answers from '-' needs the stdin stream")
        data = stdin.read(MAX_ANSWERS_BYTES + 1)
        origin = "<stdin>"
        is_json = data.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"{")
        if len(data) > MAX_ANSWERS_BYTES:
            raise InputFileError(
                f"{origin}: larger than {MAX_ANSWERS_BYTES // 1_000_000} MB, too large for an answers file; "
                "check that it is the right input."
            )
    else:
        origin = path
        data = read_bounded(path, MAX_ANSWERS_BYTES, "answers file", fix="give the path of an answers file")
        is_json = Path(path).suffix.lower() == ".json"
    return parse_answers(data, origin=origin, is_json=is_json)


def parse_answers(data: bytes, *, origin: str, is_json: bool = False) -> AnswerSet:
    """Parse answers-file bytes, checking its shape (not the answers themselves).

    A UTF-8 byte-order mark is accepted; a key given twice in a JSON object, nesting
    deeper than any answers file needs and absurdly long numbers are refused
    (input_files).
    """
    from pmpt_cli.input_files import decode, load_json, load_toml

    text = decode(data, origin)
    if is_json:
        raw = load_json(text, origin)
    else:
        raw = load_toml(text, origin, hint="(A JSON answers file must have a name ending in .json.)")
    if not isinstance(raw, dict):
        raise InputFileError(
            f"{origin}: must be a table (object) with an 'answers' table inside; "
            "run 'pmpt answers template' to see the shape."
        )
    problems: list[Problem] = []
    unknown = [key for key in raw if key not in ANSWERS_FILE_KEYS]
    for key in unknown[:MAX_LISTED]:
        problems.append(Problem(
            key,
            f"unknown key {quote(key)}{suggest(key, ANSWERS_FILE_KEYS)}",
            "an answers file has 'questionnaire' and [answers]",
        ))  # fmt: skip
    qid = raw.get("questionnaire")
    if qid is not None and not isinstance(qid, str):
        problems.append(Problem("questionnaire", 'must be a questionnaire id string, like "pmpt-core"'))
        qid = None
    answers = raw.get("answers", {})
    if not isinstance(answers, dict):
        problems.append(Problem("answers", "must be a table of question id = answer"))
        answers = {}
    if problems:
        raise AnswersError(
            f"{origin}: the file is not an answers file; fix the keys listed, or run 'pmpt answers template' "
            "to see the shape.",
            problems=problems,
            more=max(0, len(unknown) - MAX_LISTED),
        )
    sha = raw.get("questionnaire_sha256")
    return AnswerSet(origin, qid, dict(answers), sha if isinstance(sha, str) else None)


def apply_overrides(questionnaire: Questionnaire, answers: dict[str, Any], overrides: Sequence[str]) -> dict[str, Any]:
    """Apply ``--set ID=VALUE`` overrides, checking each through the shared validator."""
    merged = dict(answers)
    problems: list[Problem] = []
    for item in overrides:
        qid, sep, text = item.partition("=")
        qid = qid.strip()
        where = f"--set {item}"
        if not sep or not qid:
            problems.append(Problem(where, "must look like ID=VALUE, for example --set pain_now=6"))
            continue
        question = questionnaire.question(qid)
        if question is None:
            problems.append(
                Problem(where, f"unknown question {quote(qid)}{suggest(qid, questionnaire.questions_by_id)}")
            )
            continue
        try:
            merged[qid] = parse_text(question, text)
        except AnswerInvalid as exc:
            problems.append(Problem(where, str(exc)))
    if problems:
        raise AnswersError(f"{len(problems)} bad --set value{'s' if len(problems) != 1 else ''}.", problems=problems)
    return merged
