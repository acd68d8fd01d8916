"""Streaming readers: one person's answers at a time from a JSON Lines or CSV stream.

Each reader takes a binary stream and yields ``Pending`` records (an id, where it came
from, and the answers or what is wrong with them), holding one line or one record at a
time, so memory does not grow with the input. Every physical line is accounted for in a
``Tally``: it is a header, a blank line, or part of exactly one record, and each record
becomes exactly one output row, triaged or failed.

Reading is two steps, so that ``pmpt batch`` can do the cheap first step in one process
and hand the second to a pool of workers: *framing* cuts the stream into records
(``jsonl_lines``, ``csv_rows``), and *decoding* turns one framed record into a
``Pending`` (``decode_jsonl``, ``CsvDecoder``). ``read_jsonl`` and ``read_csv`` do both.

- JSON Lines are split on ``\\n`` only (``str.splitlines`` would also split at U+2028,
  U+0085 and others, which JSON allows inside strings). A bad line (not JSON, not UTF-8,
  too long, a number of more than 4,300 digits, nested too deeply) is one failed record;
  the lines after it are read as usual.
- CSV is parsed strictly (``csv`` with ``strict=True``): a quote that is never closed,
  text after a closing quote, a field over the limit, a line that is not UTF-8 or too
  long make the file malformed, and ``CsvFormatError`` says on which line. A record may
  span several physical lines only inside a quoted cell, and its source says so
  (``file.csv:4-6``). A row with the wrong number of cells is one failed record.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from pmpt_cli.errors import InputFileError, PmptError, Problem
from pmpt_cli.messages import quote, suggest
from pmpt_cli.model import Question, Questionnaire
from pmpt_cli.records import Record
from pmpt_cli.validation import AnswerInvalid, parse_text

#: A JSON Lines line or a CSV line longer than this is refused (a whole answers file's limit).
MAX_LINE_BYTES = 5_000_000
#: Per column, at most this many distinct cell texts are remembered (a column repeats a few texts).
CACHE_LIMIT = 4_096
_BOM = b"\xef\xbb\xbf"


class Pending(Record):
    """One person's answers, not yet triaged; ``error`` when the input itself is bad."""

    id: str
    source: str
    answers: dict[str, Any] | None = None
    error: str | None = None
    problems: tuple[Problem, ...] = ()
    questionnaire: str | None = None  # the questionnaire this record names, if any


class Tally:
    """What a reader has read: every physical line is a header, blank, or part of a record."""

    __slots__ = ("lines", "header", "blank", "records", "record_lines", "multiline", "bytes")

    def __init__(self) -> None:
        self.lines = 0  # physical lines read
        self.header = 0  # lines of CSV headers
        self.blank = 0  # blank lines, skipped
        self.records = 0  # records framed, each one output row
        self.record_lines = 0  # lines that belong to a record
        self.multiline = 0  # records spanning more than one line (quoted line breaks)
        self.bytes = 0  # bytes read

    def add(self, other: Tally) -> None:
        for name in self.__slots__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


class CsvFormatError(InputFileError):
    """A CSV file is malformed: its records cannot be told apart from that line on."""

    def __init__(self, origin: str, line: int, message: str) -> None:
        super().__init__(f"{origin}, line {line}: not valid CSV: {message}.")
        self.line = line


# -- physical lines ---------------------------------------------------------------------


def physical_lines(stream: IO[bytes], tally: Tally, limit: int | None = None) -> Iterator[bytes | None]:
    """Each line of ``stream`` with its ``\\n`` (a leading byte-order mark removed), or
    ``None`` for a line longer than ``limit`` bytes (``MAX_LINE_BYTES``), which is skipped
    without being held."""
    limit = MAX_LINE_BYTES if limit is None else limit
    readline = stream.readline
    line = readline(limit + 1)
    if line.startswith(_BOM):  # spreadsheets often add one
        tally.bytes += len(_BOM)
        line = line[len(_BOM) :]
    while line:
        tally.bytes += len(line)
        tally.lines += 1
        if len(line) > limit and line[-1:] != b"\n":
            while True:  # the rest of this line, a piece at a time
                more = readline(1 << 20)
                tally.bytes += len(more)
                if not more or more[-1:] == b"\n":
                    break
            yield None
        else:
            yield line
        line = readline(limit + 1)


# -- JSON Lines -------------------------------------------------------------------------


def jsonl_lines(stream: IO[bytes], tally: Tally) -> Iterator[tuple[int, bytes | None]]:
    """Framing: ``(line number, line)`` for every line that is not blank (``None``: too long)."""
    number = 0
    for line in physical_lines(stream, tally):
        number += 1
        if line is not None and line.isspace():
            tally.blank += 1
            continue
        tally.records += 1
        tally.record_lines += 1
        yield number, line


def decode_jsonl(number: int, line: bytes | None, origin: str, id_key: str = "id") -> Pending:
    """Decoding: one JSON Lines line as a ``Pending`` (the answers flat beside the id, or
    nested under ``answers``; ``questionnaire`` optional)."""
    source = f"{origin}:{number}"
    if line is None:
        return Pending(source, source, error=f"the line is longer than {MAX_LINE_BYTES:,} bytes")
    repeated: list[bool] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        table = dict(items)
        if len(table) != len(items):
            repeated.append(True)
        return table

    try:
        text = line.decode("utf-8")
        obj = json.loads(text, object_pairs_hook=pairs)
    except UnicodeDecodeError:
        return Pending(source, source, error="not UTF-8 text")
    except json.JSONDecodeError as exc:
        return Pending(source, source, error=f"not valid JSON: {exc.msg} (column {exc.colno})")
    except ValueError as exc:  # an integer of more than 4,300 digits
        message = "a number has more than 4,300 digits" if "integer string" in str(exc) else str(exc)
        return Pending(source, source, error=f"not valid JSON: {message}")
    except RecursionError:
        return Pending(source, source, error="not valid JSON: nested too deeply")
    if repeated:  # a key given twice: input_files.load_json says which, as for an answers file
        from pmpt_cli.input_files import load_json

        try:
            load_json(text, source)
        except PmptError as exc:
            return Pending(source, source, error=exc.message, problems=tuple(exc.problems))
    if obj.__class__ is not dict:
        return Pending(source, source, error="each line must be a JSON object")
    raw_id = obj.get(id_key)
    if raw_id is None or raw_id == "" or isinstance(raw_id, (dict, list, bool)):
        return Pending(source, source, error=f"no {quote(id_key)} (a string or number) in this line")
    if raw_id.__class__ is str and not raw_id.isascii():
        raw_id = _encodable(raw_id)
    qref = obj.pop("questionnaire", None)
    nested = obj.get("answers")
    if nested.__class__ is dict:
        answers = nested
    else:
        del obj[id_key]
        answers = obj  # the rest of the line is the answers; no copy
    return Pending(str(raw_id), source, answers, questionnaire=qref if qref.__class__ is str else None)


def read_jsonl(
    stream: IO[bytes], *, origin: str = "<jsonl>", id_key: str = "id", tally: Tally | None = None
) -> Iterator[Pending]:
    """Every record of a JSON Lines stream, one at a time."""
    for number, line in jsonl_lines(stream, tally if tally is not None else Tally()):
        yield decode_jsonl(number, line, origin, id_key)


# -- CSV --------------------------------------------------------------------------------


def _text_lines(stream: IO[bytes], tally: Tally, origin: str) -> Iterator[str]:
    for line in physical_lines(stream, tally):
        if line is None:
            raise CsvFormatError(origin, tally.lines, f"the line is longer than {MAX_LINE_BYTES:,} bytes")
        try:
            yield line.decode("utf-8")
        except UnicodeDecodeError:
            raise CsvFormatError(origin, tally.lines, "not UTF-8 text (save it as CSV UTF-8)") from None


def csv_rows(stream: IO[bytes], tally: Tally, origin: str) -> Iterator[tuple[int, int, list[str]]]:
    """Framing: ``(first line, last line, cells)`` for the header and every record that is
    not blank; ``CsvFormatError`` where the file stops being CSV."""
    reader = csv.reader(_text_lines(stream, tally, origin), strict=True)
    last = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if reader.line_num > last + 1:
                raise CsvFormatError(
                    origin, last + 1, f"{exc}: a quoted cell opened on line {last + 1} takes in line {last + 2} "
                    f"and those after it, to line {reader.line_num}; is a quote missing or extra?"
                ) from None  # fmt: skip
            raise CsvFormatError(origin, reader.line_num or 1, str(exc)) from None
        first, last = last + 1, reader.line_num
        if not cells or (len(cells) == 1 and (not cells[0] or cells[0].isspace())):
            tally.blank += last - first + 1
            continue
        yield first, last, cells


class CsvLayout(Record):
    """What a CSV file's header says: which cell holds the id, the questionnaire, each answer."""

    origin: str
    width: int
    id_key: str
    id_at: int
    questionnaire_at: int | None
    columns: tuple[tuple[int, str], ...]  # (cell index, question id)


def csv_layout(
    header: list[str], questionnaire: Questionnaire, origin: str, id_key: str = "id", ignore: Iterable[str] = ()
) -> CsvLayout | Pending:
    """The layout of a header, or a failed ``Pending`` for the whole file saying what is wrong."""
    names = [h.strip() for h in header]
    if id_key not in names:
        return Pending(origin, origin, error=f"the CSV has no {quote(id_key)} column{suggest(id_key, names)}",
                       problems=(Problem(f"{origin}:1", f"columns: {', '.join(map(quote, names))}",
                                         "add an id column, or name yours with --id-column"),))  # fmt: skip
    ignored = set(ignore) | {id_key, "questionnaire"}
    columns: list[tuple[int, str]] = []
    unknown: list[Problem] = []
    for at, name in enumerate(names):
        if name in ignored:
            continue
        question = questionnaire.question(name)
        if question is None:
            unknown.append(Problem(f"{origin}:1", f"column {quote(name)} is not a question of {quote(questionnaire.id)}"
                                   f"{suggest(name, questionnaire.questions_by_id)}"))  # fmt: skip
        else:
            columns.append((at, question.id))
    if unknown:
        hint = Problem(
            f"{origin}:1", "each column must be a question id", "pass --ignore-column NAME for columns to leave out"
        )
        return Pending(origin, origin, error=f"{len(unknown)} unknown column{'s' if len(unknown) != 1 else ''}; "
                       "the file was not read past its header", problems=(*unknown, hint))  # fmt: skip
    q_at = names.index("questionnaire") if "questionnaire" in names else None
    return CsvLayout(origin, len(names), id_key, names.index(id_key), q_at, tuple(columns))


Converter = tuple[int, str, Callable[[str], Any], Callable[[str], tuple[bool | None, Any]]]


class CsvDecoder:
    """Decoding: CSV records as ``Pending``, each cell through ``validation.parse_text``,
    the same parser as ``--set`` and the prompts, with what each column's texts gave remembered."""

    def __init__(self, questionnaire: Questionnaire) -> None:
        self.questionnaire = questionnaire
        self.caches: dict[str, dict[str, tuple[bool | None, Any]]] = {}

    def converters(self, layout: CsvLayout) -> list[Converter]:
        """What decodes each answer cell of files with this layout (make once per file or chunk)."""
        made: list[Converter] = []
        for at, qid in layout.columns:
            question = self.questionnaire.questions_by_id[qid]
            cache = self.caches.setdefault(qid, {})
            made.append((at, qid, cache.get, _converter(question, cache)))
        return made

    def decode(self, layout: CsvLayout, converters: list[Converter], first: int, last: int, row: list[str]) -> Pending:
        source = f"{layout.origin}:{first}" if first == last else f"{layout.origin}:{first}-{last}"
        width, id_at = layout.width, layout.id_at
        if len(row) != width:
            row_id = row[id_at].strip() if id_at < len(row) else ""
            return Pending(row_id or source, source, error=f"has {len(row)} cells but the header has {width}")
        row_id = row[id_at].strip()
        if not row_id:
            return Pending(source, source, error=f"the {quote(layout.id_key)} cell is empty")
        answers: dict[str, Any] = {}
        problems: list[Problem] | None = None
        for at, qid, cached, convert in converters:  # the hot loop: one cache lookup per cell
            cell = row[at]
            if not cell:
                continue
            ok, value = cached(cell) or convert(cell)
            if ok:
                answers[qid] = value
            elif ok is None:
                continue  # a blank cell
            else:
                if problems is None:
                    problems = []
                problems.append(Problem(f"answers.{qid}", value))
        q_at = layout.questionnaire_at
        qref = (row[q_at].strip() or None) if q_at is not None else None
        if problems:
            error = f"{len(problems)} problem{'s' if len(problems) != 1 else ''} with the answers"
            return Pending(row_id, source, answers, error, tuple(problems), qref)
        return Pending(row_id, source, answers, questionnaire=qref)


def _converter(
    question: Question, cache: dict[str, tuple[bool | None, Any]]
) -> Callable[[str], tuple[bool | None, Any]]:
    empty_list = question.type == "multi_choice"

    def convert(cell: str) -> tuple[bool | None, Any]:
        """(True, value), (False, why), or (None, None) for a blank cell."""
        result: tuple[bool | None, Any]
        if cell.isspace():
            result = (None, None)
        elif empty_list and cell.strip() == "[]":  # an empty cell is no answer; [] is "none chosen"
            result = (True, [])
        else:
            try:
                result = (True, parse_text(question, cell))
            except AnswerInvalid as exc:
                result = (False, str(exc))
        if len(cache) < CACHE_LIMIT:
            cache[cell] = result
        return result

    return convert


def read_csv(
    stream: IO[bytes],
    questionnaire: Questionnaire,
    *,
    origin: str = "<csv>",
    id_key: str = "id",
    ignore: Iterable[str] = (),
    tally: Tally | None = None,
) -> Iterator[Pending]:
    """Every record of a CSV stream (a header, then one person per row), one at a time.

    A header that does not fit the questionnaire gives one failed record for the file.
    Raises ``CsvFormatError`` where the file is malformed.
    """
    tally = tally if tally is not None else Tally()
    rows = csv_rows(stream, tally, origin)
    header = next(rows, None)
    if header is None:
        return
    tally.header += header[1] - header[0] + 1
    layout = csv_layout(header[2], questionnaire, origin, id_key, ignore)
    if isinstance(layout, Pending):
        tally.records += 1
        yield layout
        return
    decoder = CsvDecoder(questionnaire)
    converters = decoder.converters(layout)
    for first, last, cells in rows:
        count_record(tally, first, last)
        yield decoder.decode(layout, converters, first, last, cells)


def count_record(tally: Tally, first: int, last: int) -> None:
    """Count a framed record of lines ``first`` to ``last``."""
    tally.records += 1
    tally.record_lines += last - first + 1
    if last > first:
        tally.multiline += 1


def _encodable(text: str) -> str:
    """``text`` with any lone surrogate (from a JSON ``\\ud800`` escape) written as an escape,
    so that it can be written out as UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


__all__ = [
    "CsvDecoder",
    "CsvFormatError",
    "CsvLayout",
    "Pending",
    "Tally",
    "csv_layout",
    "csv_rows",
    "decode_jsonl",
    "jsonl_lines",
    "physical_lines",
    "read_csv",
    "read_jsonl",
]
