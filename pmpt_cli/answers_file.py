"""Reading answers files (TOML, or JSON by extension) and ``--set`` overrides."""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
    "outcome", "decided_by", "reasons", "notes", "scores", "skipped", "questionnaire_url", "status", "redacted",
}  # fmt: skip
#: Annotations a test case or clinic may keep beside the answers; pmpt ignores them.
#: (A vignette: the ``expected`` outcome, the other outcomes a clinician would accept,
#: why, the guideline behind it, and its ``origin``, such as "blind" for a case written
#: without seeing pmpt's answer.)
ANNOTATION_KEYS = {"expected", "acceptable", "rationale", "source", "origin", "comment"}
ANSWERS_FILE_KEYS = {"questionnaire", "answers"} | SUMMARY_KEYS | ANNOTATION_KEYS


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


def read_answers_file(
    path: str, *, stdin: BinaryIO | None = None, toml_loads: Callable[[str], dict[str, Any]] | None = None
) -> AnswerSet:
    """Read an answers file; ``-`` reads standard input (TOML unless it looks like JSON).

    ``toml_loads`` parses TOML (default ``tomllib.loads``; batch passes ``toml_parser.loads``).

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
    return parse_answers(data, origin=origin, is_json=is_json, toml_loads=toml_loads)


def parse_answers(
    data: bytes, *, origin: str, is_json: bool = False, toml_loads: Callable[[str], dict[str, Any]] | None = None
) -> AnswerSet:
    """Parse answers-file bytes, checking its shape (not the answers themselves).

    A UTF-8 byte-order mark is accepted; a key given twice in a JSON object, nesting
    deeper than any answers file needs and absurdly long numbers are refused
    (input_files).
    """
    from pmpt_cli.input_files import MAX_FHIR_NESTING, decode, load_json, load_toml

    text = decode(data, origin)
    if is_json:  # perhaps a FHIR QuestionnaireResponse, which nests deeper than pmpt's own files
        raw = load_json(text, origin, max_depth=MAX_FHIR_NESTING)
    else:
        raw = load_toml(text, origin, hint="(A JSON answers file must have a name ending in .json.)", loads=toml_loads)
    if not isinstance(raw, dict):
        raise InputFileError(
            f"{origin}: must be a table (object) with an 'answers' table inside; "
            "run 'pmpt answers template' to see the shape."
        )
    if "resourceType" in raw:  # a FHIR QuestionnaireResponse (or a Bundle holding one)
        return _response_set(raw, origin)
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
