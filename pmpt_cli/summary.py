"""The summary format: its schema versions, reading a summary file, and redaction.

A summary is the TOML record ``pmpt triage --export`` writes (export.py); it is also an
answers file. docs/summary-format.md documents every field. This module reads one back
(``read_summary``) for ``pmpt export`` and ``pmpt compare``: it refuses a summary of a
newer schema than this pmpt knows, loads every older one, and brings it to the current
shape. ``redact`` leaves out free text and anything identifying.
"""

from __future__ import annotations

import datetime
import json
from typing import TYPE_CHECKING, Any

from pmpt_cli.errors import InputFileError, Problem

if TYPE_CHECKING:
    from pmpt_cli.model import Questionnaire

#: The schema this pmpt writes. 1: the first summaries; 2 added ``questionnaire_url``,
#: ``status``, ``skipped``, ``redacted`` and, per score, ``mcid``, ``mcid_source``,
#: ``better``, ``definition`` and ``internal``.
SUMMARY_SCHEMA = 2
OLDEST_SCHEMA = 1
MAX_SUMMARY_BYTES = 5_000_000
STATUSES = ("completed", "in-progress")
#: Question types whose answers may identify a person or hold free text; ``redact`` drops them.
REDACTED_TYPES = ("text", "date", "time")


def score_definition(questionnaire: Questionnaire, score_id: str) -> str:
    """A short fingerprint of everything a score's value depends on (``definition`` in a summary).

    Two summaries whose scores have the same fingerprint computed them the same way, even
    if other parts of the questionnaire changed, so ``pmpt compare`` may compare them. It
    covers the method, items and missing-item rule, each item question's type, choices
    and scores, bounds and conditions, and the scores it is built from; not the labels,
    bands or wording.
    """
    text = json.dumps(_definition(questionnaire, score_id, set()), sort_keys=True, default=str)
    import hashlib  # only when a summary is written: importing it loads OpenSSL, about 2 ms

    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _definition(questionnaire: Questionnaire, name: str, seen: set[str]) -> Any:
    question = questionnaire.question(name)
    if question is not None:
        return {
            "question": name, "type": question.type,
            "choices": [[c.value, c.score, c.exclusive] for c in question.choices],
            "bounds": [question.min, question.max, question.integer],
            "enable_when": [[c.question, c.operator, c.answer] for c in question.enable_when],
            "behavior": question.enable_behavior,
            "enable_if": question.enable_if.source if question.enable_if is not None else None,
        }  # fmt: skip
    score = questionnaire.score(name)
    if score is None or name in seen:  # (the builder refuses cycles; this only guards the walk)
        return {"name": name}
    seen = seen | {name}
    parts = sorted(score.expression.names) if score.expression is not None else list(score.items)
    return {
        "score": name, "method": score.method, "max_missing": score.max_missing,
        "expression": score.expression.source if score.expression is not None else None,
        "uses": [_definition(questionnaire, part, seen) for part in parts],
    }  # fmt: skip


def redact(document: dict[str, Any], questionnaire: Questionnaire | None) -> dict[str, Any]:
    """A copy of a summary without free text or anything identifying.

    Left out: answers to text, date and time questions (names, dates of birth, comments),
    the same values among the reasons' evidence, and the time of day of ``created``
    (the date stays). Without the questionnaire, every answer that is a string but not a
    choice value is left out. The copy says ``redacted = true``.
    """

    def private(name: str, value: Any) -> bool:
        question = questionnaire.question(name) if questionnaire is not None else None
        if question is not None:
            return question.type in REDACTED_TYPES
        return isinstance(value, str) and questionnaire is None

    copy = dict(document)
    copy["answers"] = {k: v for k, v in document.get("answers", {}).items() if not private(k, v)}
    copy["reasons"] = [
        {**r, "evidence": {k: v for k, v in r.get("evidence", {}).items() if not private(k, v)}}
        for r in document.get("reasons", [])
    ]
    created = document.get("created")
    if isinstance(created, datetime.datetime):
        copy["created"] = created.date()
    copy["redacted"] = True
    return copy


def read_summary(data: bytes, *, origin: str) -> dict[str, Any]:
    """Parse and check a summary file, brought to the current schema; raise ``InputFileError``.

    A summary of a newer schema is refused with a message that says to upgrade pmpt;
    older ones load (fields they lack come back as ``None`` or empty).
    """
    import tomllib

    if len(data) > MAX_SUMMARY_BYTES:
        raise InputFileError(f"{origin}: larger than {MAX_SUMMARY_BYTES // 1_000_000} MB; not a pmpt summary.")
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputFileError(f"{origin}: not UTF-8 text; a pmpt summary is a TOML file.") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputFileError(f"{origin}: not valid TOML ({exc}); a pmpt summary is a TOML file.") from None
    except RecursionError:
        raise InputFileError(f"{origin}: nested too deeply to be a pmpt summary.") from None
    schema = raw.get("schema")
    if isinstance(schema, bool) or not isinstance(schema, int):
        raise InputFileError(
            f"{origin}: not a pmpt summary (it has no schema number). "
            "Write one with: pmpt triage --answers FILE --export SUMMARY.toml"
        )
    if schema > SUMMARY_SCHEMA:
        raise InputFileError(
            f"{origin}: summary schema {schema} was written by a newer pmpt; this pmpt "
            f"reads schemas {OLDEST_SCHEMA} to {SUMMARY_SCHEMA}. Upgrade pmpt (pip install --upgrade pmpt)."
        )
    if schema < OLDEST_SCHEMA:
        raise InputFileError(f"{origin}: summary schema {schema} does not exist; the first is {OLDEST_SCHEMA}.")
    problems = _shape_problems(raw)
    if problems:
        raise InputFileError(f"{origin}: not a valid pmpt summary; fix or re-export it.", problems=problems)
    return _upgrade(raw)


_REQUIRED = {"questionnaire": str, "questionnaire_version": str, "questionnaire_sha256": str, "answers": dict}
_OPTIONAL = {
    "pmpt_version": str, "questionnaire_url": str, "outcome": str, "decided_by": str, "status": str,
    "scores": dict, "reasons": list, "notes": list, "skipped": list, "redacted": bool,
}  # fmt: skip


def _shape_problems(raw: dict[str, Any]) -> list[Problem]:
    problems = []
    for key, kind in (*_REQUIRED.items(), *_OPTIONAL.items()):
        if key not in raw:
            if key in _REQUIRED:
                problems.append(Problem(key, "is required"))
        elif not isinstance(raw[key], kind) or isinstance(raw[key], bool) is not (kind is bool):
            problems.append(Problem(key, f"must be {_KIND_WORDS[kind]}, not {type(raw[key]).__name__}"))
    created = raw.get("created")
    if created is not None and not isinstance(created, (datetime.date, datetime.datetime)):
        problems.append(Problem("created", "must be a TOML date or date-time"))
    if isinstance(raw.get("status"), str) and raw["status"] not in STATUSES:
        problems.append(Problem("status", f"must be 'completed' or 'in-progress', not '{raw['status']}'"))
    for sid, score in (raw.get("scores") or {}).items() if isinstance(raw.get("scores"), dict) else ():
        if not isinstance(score, dict):
            problems.append(Problem(f"scores.{sid}", "must be a table"))
            continue
        value = score.get("value")
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            problems.append(Problem(f"scores.{sid}.value", "must be a number"))
        for key in ("label", "band", "mcid_source", "better", "definition"):
            if key in score and not isinstance(score[key], str):
                problems.append(Problem(f"scores.{sid}.{key}", "must be a string"))
        if "internal" in score and not isinstance(score["internal"], bool):
            problems.append(Problem(f"scores.{sid}.internal", "must be true or false"))
        mcid = score.get("mcid")
        if mcid is not None and (isinstance(mcid, bool) or not isinstance(mcid, (int, float))):
            problems.append(Problem(f"scores.{sid}.mcid", "must be a number"))
    for i, reason in enumerate(raw.get("reasons") or []) if isinstance(raw.get("reasons"), list) else ():
        if not isinstance(reason, dict) or not isinstance(reason.get("evidence", {}), dict):
            problems.append(Problem(f"reasons[{i}]", "must be a table with an evidence table"))
    return problems


_KIND_WORDS = {str: "a string", dict: "a table", list: "a list", bool: "true or false"}


def _upgrade(raw: dict[str, Any]) -> dict[str, Any]:
    """The summary in the current schema's shape (a schema 1 summary lacks the newer fields)."""
    summary = dict(raw)
    summary.setdefault("questionnaire_url", None)
    summary.setdefault("status", None)  # schema 1 did not say; exporters work it out
    summary.setdefault("skipped", [])
    summary.setdefault("redacted", False)
    summary.setdefault("outcome", None)
    summary.setdefault("decided_by", None)
    summary.setdefault("created", None)
    summary.setdefault("reasons", [])
    summary.setdefault("notes", [])
    summary["scores"] = {
        sid: {"label": sid, "value": None, "band": None, "mcid": None, "mcid_source": None, "better": None,
              "definition": None, "internal": False} | score
        for sid, score in (raw.get("scores") or {}).items()
    }  # fmt: skip
    return summary
