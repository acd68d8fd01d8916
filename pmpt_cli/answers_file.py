"""Reading answers files (TOML, or JSON by extension) and ``--set`` overrides."""

from __future__ import annotations

import json
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

from pmpt_cli.errors import AnswersError, InputFileError, Problem
from pmpt_cli.loader import suggest
from pmpt_cli.model import Questionnaire
from pmpt_cli.records import Record
from pmpt_cli.validation import AnswerInvalid, parse_text

#: Keys an exported summary adds; accepted (and ignored) so a summary is an answers file.
SUMMARY_KEYS = {
    "schema", "pmpt_version", "questionnaire_version", "questionnaire_sha256", "created",
    "outcome", "decided_by", "reasons", "notes", "scores", "skipped", "questionnaire_url", "status", "redacted",
}  # fmt: skip
#: Annotations a test case or clinic may keep beside the answers; pmpt ignores them.
ANNOTATION_KEYS = {"expected", "rationale", "comment"}
ANSWERS_FILE_KEYS = {"questionnaire", "answers"} | SUMMARY_KEYS | ANNOTATION_KEYS
MAX_ANSWERS_BYTES = 5_000_000


class AnswerSet(Record):
    """What an answers file said: which questionnaire, and the raw answers.

    A FHIR QuestionnaireResponse keeps its ``response``; its answers are read once the
    questionnaire is known (``answers_for``), which ``canonical`` (``url|version``) names.
    """

    origin: str
    questionnaire: str | None
    answers: dict[str, Any]
    questionnaire_sha256: str | None = None
    response: dict[str, Any] | None = None
    canonical: str | None = None


def read_answers_file(path: str, *, stdin: BinaryIO | None = None) -> AnswerSet:
    """Read an answers file; ``-`` reads standard input (TOML unless it looks like JSON)."""
    if path == "-":
        data = (stdin or sys.stdin.buffer).read(MAX_ANSWERS_BYTES + 1)
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
    return parse_answers(data, origin=origin, is_json=is_json)


def parse_answers(data: bytes, *, origin: str, is_json: bool = False) -> AnswerSet:
    """Parse answers-file bytes, checking its shape (not the answers themselves)."""
    try:
        text = data.decode("utf-8")
        raw = json.loads(text) if is_json else tomllib.loads(text)
    except UnicodeDecodeError:
        raise InputFileError(f"{origin}: not UTF-8 text.") from None
    except json.JSONDecodeError as exc:
        raise InputFileError(f"{origin}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputFileError(
            f"{origin}: not valid TOML: {exc}. (A JSON answers file must have a name ending in .json.)"
        ) from None
    except RecursionError:
        raise InputFileError(f"{origin}: nested too deeply to be an answers file.") from None
    if not isinstance(raw, dict):
        raise InputFileError(f"{origin}: must be a table (object) with an 'answers' table inside.")
    if "resourceType" in raw:
        return _response_set(raw, origin)
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


def _response_set(resource: dict[str, Any], origin: str) -> AnswerSet:
    """A FHIR QuestionnaireResponse (or a Bundle holding one) as an answer set."""
    from pmpt_cli.fhir import EXT_PMPT_QUESTIONNAIRE_ID, EXT_PMPT_SHA256, PMPT_QUESTIONNAIRE_URN
    from pmpt_cli.fhir.response import canonical_of, the_response

    response = the_response(resource)
    if response is None:
        raise InputFileError(
            f"{origin}: a FHIR {resource.get('resourceType')!s}, not a QuestionnaireResponse; pmpt reads answers "
            "from a QuestionnaireResponse, or a Bundle that holds one."
        )
    raw = response.get("extension")
    extensions = {
        e["url"]: e.get("valueString")
        for e in (raw if isinstance(raw, list) else [])
        if isinstance(e, dict) and isinstance(e.get("url"), str)
    }
    canonical = canonical_of(response)
    ref = None
    if canonical is not None and canonical[0].startswith(PMPT_QUESTIONNAIRE_URN):
        ref = canonical[0][len(PMPT_QUESTIONNAIRE_URN) :]
    sha = extensions.get(EXT_PMPT_SHA256)
    return AnswerSet(
        origin,
        ref if isinstance(ref, str) else None,
        {},
        sha if isinstance(sha, str) else None,
        response,
        "|".join(filter(None, canonical)) if canonical else extensions.get(EXT_PMPT_QUESTIONNAIRE_ID),
    )


def questionnaire_for(answer_set: AnswerSet, requested: str | None) -> tuple[str | None, str]:
    """The questionnaire to triage an answer set with, and a warning ('' when none).

    ``--questionnaire`` wins; then what the file names. A response names a canonical URL,
    looked up among the known questionnaires; one pmpt cannot find is an error, since
    its answers would not fit pmpt-core.
    """
    if requested or answer_set.questionnaire or answer_set.response is None:
        return requested or answer_set.questionnaire, ""
    from pmpt_cli.errors import QuestionnaireNotFoundError
    from pmpt_cli.fhir.response import canonical_of, find_questionnaire

    canonical = canonical_of(answer_set.response)
    found = find_questionnaire(*canonical) if canonical else None
    if found is None:
        named = f"questionnaire {answer_set.canonical}" if answer_set.canonical else "no questionnaire"
        raise QuestionnaireNotFoundError(
            f"{answer_set.origin}: the response answers {named}, which pmpt does not know. Import it with "
            "'pmpt questionnaires import FILE.json' and put it on PMPT_QUESTIONNAIRES_DIR, or pass --questionnaire "
            "ID|PATH."
        )
    return found


def answers_for(questionnaire: Questionnaire, answer_set: AnswerSet) -> tuple[dict[str, Any], list[str], dict]:
    """``(answers, warnings, scores the file reported)``: a response's answers by question id; a file's as they are."""
    if answer_set.response is None:
        return answer_set.answers, [], {}
    from pmpt_cli.fhir.response import response_answers

    read, problems = response_answers(questionnaire, answer_set.response)
    if problems:
        raise AnswersError(
            f"{answer_set.origin}: the QuestionnaireResponse does not fit '{questionnaire.id}' "
            f"{questionnaire.version}; fix it or pass the right --questionnaire.",
            problems=problems,
        )
    return read.answers, list(read.warnings), read.reported_scores


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
