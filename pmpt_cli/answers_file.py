"""Reading answers files (TOML, or JSON by extension) and ``--set`` overrides."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from pmpt_cli.errors import AnswersError, InputFileError, Problem
from pmpt_cli.messages import suggest
from pmpt_cli.model import Questionnaire
from pmpt_cli.records import Record
from pmpt_cli.validation import AnswerInvalid, parse_text

#: Keys an exported summary adds; accepted (and ignored) so a summary is an answers file.
SUMMARY_KEYS = {
    "schema", "pmpt_version", "questionnaire_version", "questionnaire_sha256", "created",
    "outcome", "decided_by", "reasons", "notes", "scores", "skipped",
}  # fmt: skip
#: Annotations a test case or clinic may keep beside the answers; pmpt ignores them.
ANNOTATION_KEYS = {"expected", "rationale", "comment"}
ANSWERS_FILE_KEYS = {"questionnaire", "answers"} | SUMMARY_KEYS | ANNOTATION_KEYS
MAX_ANSWERS_BYTES = 5_000_000


class AnswerSet(Record):
    """What an answers file said: which questionnaire, and the raw answers."""

    origin: str
    questionnaire: str | None
    answers: dict[str, Any]
    questionnaire_sha256: str | None = None


def read_answers_file(
    path: str, *, stdin: BinaryIO | None = None, toml_loads: Callable[[str], dict[str, Any]] | None = None
) -> AnswerSet:
    """Read an answers file; ``-`` reads standard input (TOML unless it looks like JSON).

    ``toml_loads`` parses TOML (default ``tomllib.loads``; batch passes ``toml_parser.loads``).
    """
    if path == "-":
        if stdin is None:
            raise ValueError("reading answers from '-' needs the stdin stream")
        data = stdin.read(MAX_ANSWERS_BYTES + 1)
        origin = "<stdin>"
        is_json = data.lstrip().startswith(b"{")
    else:
        origin = path
        try:
            with open(path, "rb") as fh:
                data = fh.read(MAX_ANSWERS_BYTES + 1)
        except FileNotFoundError:
            raise InputFileError(f"Answers file '{path}' does not exist.") from None
        except IsADirectoryError:
            raise InputFileError(f"'{path}' is a folder; give the path of an answers file.") from None
        except OSError as exc:
            raise InputFileError(f"Cannot read answers file '{path}': {exc.strerror}.") from None
        is_json = Path(path).suffix.lower() == ".json"
    if len(data) > MAX_ANSWERS_BYTES:
        raise InputFileError(f"{origin}: larger than {MAX_ANSWERS_BYTES // 1_000_000} MB; not an answers file.")
    return parse_answers(data, origin=origin, is_json=is_json, toml_loads=toml_loads)


def parse_answers(
    data: bytes, *, origin: str, is_json: bool = False, toml_loads: Callable[[str], dict[str, Any]] | None = None
) -> AnswerSet:
    """Parse answers-file bytes, checking its shape (not the answers themselves)."""
    try:
        text = data.decode("utf-8")
        raw = json.loads(text) if is_json else (toml_loads or tomllib.loads)(text)
    except UnicodeDecodeError:
        raise InputFileError(f"{origin}: not UTF-8 text.") from None
    except json.JSONDecodeError as exc:
        raise InputFileError(f"{origin}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputFileError(
            f"{origin}: not valid TOML: {exc}. (A JSON answers file must have a name ending in .json.)"
        ) from None
    except ValueError as exc:  # JSON: an integer of more than 4,300 digits
        what = "a number has more than 4,300 digits" if "integer string" in str(exc) else str(exc)
        raise InputFileError(f"{origin}: not valid {'JSON' if is_json else 'TOML'}: {what}.") from None
    except RecursionError:
        raise InputFileError(f"{origin}: not valid {'JSON' if is_json else 'TOML'}: nested too deeply.") from None
    if not isinstance(raw, dict):
        raise InputFileError(f"{origin}: must be a table (object) with an 'answers' table inside.")
    problems = [
        Problem(
            key,
            f"unknown key '{key}'{suggest(key, ANSWERS_FILE_KEYS)}",
            "an answers file has 'questionnaire' and [answers]",
        )
        for key in raw
        if key not in ANSWERS_FILE_KEYS
    ]
    qid = raw.get("questionnaire")
    if qid is not None and not isinstance(qid, str):
        problems.append(Problem("questionnaire", 'must be a questionnaire id string, like "pmpt-core"'))
        qid = None
    answers = raw.get("answers", {})
    if not isinstance(answers, dict):
        problems.append(Problem("answers", "must be a table of question id = answer"))
        answers = {}
    if problems:
        raise AnswersError(f"{origin}: the file is not an answers file.", problems=problems)
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
            problems.append(Problem(where, f"unknown question '{qid}'{suggest(qid, questionnaire.questions_by_id)}"))
            continue
        try:
            merged[qid] = parse_text(question, text)
        except AnswerInvalid as exc:
            problems.append(Problem(where, str(exc)))
    if problems:
        raise AnswersError(f"{len(problems)} bad --set value{'s' if len(problems) != 1 else ''}.", problems=problems)
    return merged
