"""One person's result as one row: ``triage_record`` and the CSV and JSON Lines row writers.

``triage_record(questionnaire, answers)`` is the whole of what ``pmpt batch`` does to each
row, as a pure function: no input or output, errors returned as data, picklable (it is a
plain module-level function), so the same rows come out of a loop, a process pool, or a
Dask, Ray or Spark job (docs/scale.md). Its dict is the JSON row ``pmpt batch`` writes,
provenance included: ``questionnaire`` (its id, version and sha256 hash) and
``pmpt_version``. Score values leave as ``report.export_number`` writes them everywhere.

``RowWriter`` writes those dicts to a text stream as JSON Lines or CSV. CSV cells that
start with ``= + - @``, a tab or a carriage return get a leading ``'`` so that a
spreadsheet shows them as text instead of running them as formulas (OWASP, "CSV
Injection"); numbers are written as numbers.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from typing import IO, Any

from pmpt_cli.engine import run_triage
from pmpt_cli.errors import AnswersError, Problem
from pmpt_cli.model import Questionnaire
from pmpt_cli.report import decided_by, export_number
from pmpt_cli.version import __version__

FORMATS = ("csv", "jsonl")
#: What a spreadsheet may read as the start of a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: The fixed columns of a CSV row, before the scores and bands.
CSV_HEAD = ["id", "source", "status", "outcome", "decided_by", "reasons", "notes"]
#: The provenance columns that close a CSV row.
CSV_TAIL = ["error", "questionnaire", "questionnaire_version", "questionnaire_sha256", "pmpt_version"]


def triage_record(
    questionnaire: Questionnaire, answers: Mapping[str, Any], *, id: str | None = None, source: str | None = None
) -> dict[str, Any]:
    """Triage one person's ``answers`` and return the row ``pmpt batch`` writes for them.

    ``{"ok": True, "outcome": ..., "reasons": [...], "scores": {...}, ...}`` when the answers
    are complete and valid, else ``{"ok": False, "error": ..., "problems": [...], ...}``; both
    carry ``id`` and ``source`` (as given, for the caller's bookkeeping) and the provenance:
    ``questionnaire`` (``{"id", "version", "sha256"}``) and ``pmpt_version``. ``outcome``
    is ``None`` for a measure-only questionnaire (scores, no decision). It never raises for bad answers: one bad row must not stop a batch.
    """
    if not isinstance(answers, Mapping):
        return failed_record(questionnaire, "the answers must be a table of question id = answer", id=id, source=source)
    try:
        result = run_triage(questionnaire, answers)
    except TypeError:
        if any(key.__class__ is not str for key in answers):  # checked only here: it costs 4 us a row
            return failed_record(questionnaire, "every question id must be a string", id=id, source=source)
        raise
    except AnswersError as exc:
        return failed_record(questionnaire, exc.message, exc.problems, id=id, source=source)
    except (ArithmeticError, ValueError, RecursionError) as exc:  # e.g. a 4,000-digit number in a mean
        return failed_record(questionnaire, f"could not be triaged: {_describe(exc)}", id=id, source=source)
    return {
        "id": id,
        "source": source,
        "ok": True,
        "outcome": result.outcome,  # None for a measure-only questionnaire
        "decided_by": decided_by(result),
        "reasons": [{"rule": r.rule_id, "outcome": r.outcome, "decisive": r.decisive} for r in result.reasons],
        "notes": [n.id for n in result.notes],
        "scores": {sid: {"value": export_number(s.value), "band": s.band} for sid, s in result.scores.items()},
        "error": None,
        "questionnaire": {"id": questionnaire.id, "version": questionnaire.version, "sha256": questionnaire.sha256},
        "pmpt_version": __version__,
    }


def failed_record(
    questionnaire: Questionnaire,
    error: str,
    problems: list[Problem] | None = None,
    *,
    id: str | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    """The row for a person who could not be triaged (bad answers, or a bad input line)."""
    return {
        "id": id,
        "source": source,
        "ok": False,
        "error": error,
        "problems": [{"location": p.location, "message": p.message, "hint": p.hint} for p in problems or ()],
        "questionnaire": {"id": questionnaire.id, "version": questionnaire.version, "sha256": questionnaire.sha256},
        "pmpt_version": __version__,
    }


def error_text(row: Mapping[str, Any]) -> str:
    """A failed row's error and problems on one line (the CSV ``error`` cell, batch reports)."""
    details = "; ".join(str(Problem(p["location"], p["message"], p["hint"])) for p in row.get("problems") or ())
    error = row.get("error") or "failed"
    return f"{error}: {details}" if details else error


def _describe(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "the answers are nested too deeply"
    text = str(exc)
    if "integer string conversion" in text:
        return "a number has more than 4,300 digits"
    if isinstance(exc, OverflowError):
        return f"a number is too large to score with ({text})"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def neutralise(cell: str) -> str:
    """``cell`` made safe to open in a spreadsheet: a leading ``'`` if it could start a formula."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


class _LineFeed:
    """A stream for ``csv.writer`` that ends each row with ``\\n`` instead of ``\\r\\n``."""

    __slots__ = ("stream",)

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(text[:-2] + "\n" if text.endswith("\r\n") else text)


class RowWriter:
    """Writes ``triage_record`` rows to a text stream as JSON Lines or CSV (``fmt``)."""

    def __init__(self, stream: IO[str], questionnaire: Questionnaire, fmt: str) -> None:
        if fmt not in FORMATS:
            raise ValueError(f"unknown row format {fmt!r}")
        self.stream = stream
        self.fmt = fmt
        self.score_ids = [s.id for s in questionnaire.scores]
        self.banded = [s.id for s in questionnaire.scores if s.bands]
        self.blank = [None] * (len(self.score_ids) + len(self.banded))
        # Rows end in "\n"; the writer is told "\r\n" so that it quotes every cell holding a "\r".
        self.csv = csv.writer(_LineFeed(stream), lineterminator="\r\n") if fmt == "csv" else None
        self.dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode

    def header(self) -> None:
        """The CSV header line (JSON Lines has none)."""
        if self.csv is not None:
            self.csv.writerow(
                CSV_HEAD
                + [f"score_{sid}" for sid in self.score_ids]
                + [f"band_{sid}" for sid in self.banded]
                + CSV_TAIL
            )

    def write(self, row: Mapping[str, Any]) -> None:
        if self.csv is None:
            self.stream.write(self.dumps(row) + "\n")
            return
        made_by = row["questionnaire"]
        tail = [made_by["id"], made_by["version"], made_by["sha256"], row["pmpt_version"]]
        if row["ok"]:
            scores = row["scores"]
            cells = (
                [row["id"], row["source"], "ok", row["outcome"], row["decided_by"],
                 ";".join(r["rule"] for r in row["reasons"]), ";".join(row["notes"])]
                + [scores[sid]["value"] for sid in self.score_ids]
                + [scores[sid]["band"] for sid in self.banded]
                + [None]
            )  # fmt: skip
        else:
            cells = [row["id"], row["source"], "error", None, None, None, None] + self.blank + [error_text(row)]
        self.csv.writerow([neutralise(c) if c.__class__ is str and c else c for c in cells + tail])


__all__ = ["FORMATS", "RowWriter", "error_text", "failed_record", "neutralise", "triage_record"]
