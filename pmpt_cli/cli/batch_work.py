"""The work of ``pmpt batch`` on one chunk of records: decode, ``triage_record``, encode.

The batch command (``cli.batch``) frames its inputs into chunks of records and hands
each chunk to a ``Worker``: in its own process with ``--jobs 1``, or in each process
of a pool otherwise (``init_worker`` is the pool's initializer, ``run_chunk`` its task).
Either way the same code turns the same chunk into the same text, so the output does
not depend on the number of jobs. Everything here is picklable plain data, so that
the pool can use any start method.
"""

from __future__ import annotations

import io
import os
import re
import signal
import sys
from typing import Any

from pmpt_cli.answers_file import answers_for, questionnaire_for, read_answers_file
from pmpt_cli.errors import PmptError
from pmpt_cli.loader import parse_questionnaire
from pmpt_cli.messages import UNSAFE, quote, safe_text
from pmpt_cli.model import Questionnaire
from pmpt_cli.readers import CsvDecoder, Pending, decode_jsonl
from pmpt_cli.records import Record
from pmpt_cli.rows import RowWriter, error_text, failed_record, triage_record

#: At most this many failed rows per chunk are described for the report on stderr.
MAX_REPORTED = 10
#: The count of results without an outcome (a measure-only questionnaire).
MEASURE_ONLY = "measure-only"


class WorkerConfig(Record):
    """What every worker needs, sent once to each: the questionnaire's bytes (so every
    worker runs the very file the batch loaded, from the compiled cache) and the options."""

    questionnaire_data: bytes
    questionnaire_origin: str
    requested: str | None  # --questionnaire as given
    fmt: str  # csv or jsonl
    id_key: str
    fast_toml: bool


class Chunk(Record):
    """Records framed from one input: ``kind`` says what ``frames`` holds.

    - ``jsonl``: ``(line number, line bytes or None)``, ``context`` the input's name;
    - ``csv``: ``(first line, last line, cells)``, ``context`` the file's ``CsvLayout``;
    - ``answers``: paths of answers files;
    - ``pending``: ready ``Pending`` records (a CSV file whose header is wrong).
    """

    kind: str
    context: Any
    frames: list[Any]


class ChunkResult(Record):
    """A chunk's rows as text, in input order, and what the summary counts."""

    text: str
    records: int
    counts: dict[str, int]  # outcome -> rows
    failed: int
    reported: list[str]  # "source (id X): why" for the first failed rows


class Worker:
    """Turns chunks into text for one questionnaire and one output format."""

    def __init__(self, config: WorkerConfig) -> None:
        self.config = config
        self.questionnaire = parse_questionnaire(config.questionnaire_data, origin=config.questionnaire_origin)
        self.same = SameQuestionnaire(self.questionnaire, config.requested)
        self.csv = CsvDecoder(self.questionnaire)
        self.by_canonical: dict[str | None, tuple[str | None, str | None]] = {}  # a response's questionnaire
        self.toml_loads = None
        if config.fast_toml:
            from pmpt_cli.toml_parser import loads

            self.toml_loads = loads

    def run(self, chunk: Chunk) -> ChunkResult:
        buffer = io.StringIO()
        writer = RowWriter(buffer, self.questionnaire, self.config.fmt)
        counts: dict[str, int] = {}
        failed = 0
        reported: list[str] = []
        for pending in self.decode(chunk):
            row = self.row(pending)
            writer.write(row)
            if row["ok"]:
                outcome = row["outcome"] or MEASURE_ONLY
                counts[outcome] = counts.get(outcome, 0) + 1
            else:
                failed += 1
                if len(reported) < MAX_REPORTED:
                    reported.append(f"{row['source']} (id {row['id']}): {error_text(row)}")
        text = buffer.getvalue()
        if not text.isascii():
            text = _encodable(text)
        # Control, escape and bidi characters never leave as they are. JSON has escaped C0
        # already, so in JSON Lines only DEL and non-ASCII text need the (slower) search.
        if self.config.fmt == "jsonl":
            if "\x7f" in text or not text.isascii():
                text = UNSAFE.sub(_json_escape, text)
        elif UNSAFE.search(text):
            text = safe_text(text)
        return ChunkResult(text, len(chunk.frames), counts, failed, reported)

    def decode(self, chunk: Chunk) -> Any:
        kind = chunk.kind
        if kind == "jsonl":
            origin, id_key = chunk.context, self.config.id_key
            return (decode_jsonl(number, line, origin, id_key) for number, line in chunk.frames)
        if kind == "csv":
            layout = chunk.context
            converters = self.csv.converters(layout)
            decode = self.csv.decode
            return (decode(layout, converters, first, last, cells) for first, last, cells in chunk.frames)
        if kind == "answers":
            return (self.answers_file(path) for path in chunk.frames)
        return iter(chunk.frames)

    def answers_file(self, path: str) -> Pending:
        name = os.path.splitext(os.path.basename(path))[0]
        try:
            answer_set = read_answers_file(path, toml_loads=self.toml_loads)
        except PmptError as exc:
            return Pending(name, path, error=exc.message, problems=tuple(exc.problems))
        if answer_set.response is None:
            return Pending(name, path, answer_set.answers, questionnaire=answer_set.questionnaire)
        # A FHIR QuestionnaireResponse: which questionnaire it answers (by its canonical URL,
        # looked up once per URL), then its answers read for this batch's questionnaire.
        qref = answer_set.questionnaire
        if qref is None and not self.config.requested:
            key = answer_set.canonical
            if key not in self.by_canonical:
                try:
                    self.by_canonical[key] = (questionnaire_for(answer_set, None)[0], None)
                except PmptError as exc:
                    self.by_canonical[key] = (None, exc.message)
            qref, error = self.by_canonical[key]
            if error is not None:
                return Pending(name, path, error=error)
        if qref is not None and not self.same(qref):
            return Pending(name, path, {}, questionnaire=qref)  # row() says it is another questionnaire's
        try:
            answers = answers_for(self.questionnaire, answer_set)[0]
        except PmptError as exc:
            return Pending(name, path, error=exc.message, problems=tuple(exc.problems))
        return Pending(name, path, answers, questionnaire=qref)

    def row(self, pending: Pending) -> dict[str, Any]:
        q = self.questionnaire
        if pending.error is not None:
            return failed_record(q, pending.error, list(pending.problems), id=pending.id, source=pending.source)
        if pending.questionnaire is not None and not self.same(pending.questionnaire):
            return failed_record(q, f"these answers are for questionnaire {quote(pending.questionnaire)}, but this "
                                 f"batch runs {quote(q.id)}; triage them in a separate batch with --questionnaire",
                                 id=pending.id, source=pending.source)  # fmt: skip
        return triage_record(q, pending.answers or {}, id=pending.id, source=pending.source)


class SameQuestionnaire:
    """Whether a row's ``questionnaire`` (an id or a path) names the one this batch runs."""

    def __init__(self, questionnaire: Questionnaire, requested: str | None) -> None:
        self.q = questionnaire
        self.known: dict[str, bool] = {questionnaire.id: True}
        if requested:
            self.known[requested] = True

    def __call__(self, ref: str) -> bool:
        known = self.known.get(ref)
        if known is None:
            from pmpt_cli.registry import looks_like_path

            known = looks_like_path(ref) and _resolved(ref) == _resolved(self.q.path)
            self.known[ref] = known
        return known


def _resolved(path: str) -> str:
    try:
        return os.path.realpath(path)
    except (OSError, ValueError):
        return path


def _json_escape(match: re.Match[str]) -> str:
    """The character as a JSON escape: the same data, but no byte that commands a terminal
    (the structure of a JSON line is printable ASCII, so these are inside strings)."""
    return f"\\u{ord(match.group()):04x}"


def _encodable(text: str) -> str:
    """``text`` with lone surrogates (a JSON ``\\ud800``, an undecodable file name) escaped,
    so that it can be written as UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


# -- in a pool ---------------------------------------------------------------------------

_worker: list[Worker] = []  # this process's worker, made by init_worker


def init_worker(config: WorkerConfig) -> None:
    """The pool's initializer: Ctrl-C is the parent's to handle; load the questionnaire once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    fixed_mmap_threshold()
    _worker[:] = [Worker(config)]


def fixed_mmap_threshold(size: int = 64 * 1024) -> None:
    """Keep memory flat when chunks pass through a pool (glibc only; elsewhere nothing).

    Each chunk crosses the pipe as one large buffer (hundreds of KB) in each direction.
    glibc raises its mmap threshold to the size of every large block freed, after which
    such blocks come from the heap, which fragments and grows with the number of chunks:
    the main process went from 33 to 44 MB between 30,000 and 300,000 rows. A fixed
    threshold keeps large blocks in mmap, returned at once: 29 MB for both.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None).mallopt(-3, size)  # M_MMAP_THRESHOLD; a stub that does nothing on musl
    except (OSError, AttributeError):
        pass


def run_chunk(chunk: Chunk) -> ChunkResult:
    """The pool's task."""
    return _worker[0].run(chunk)
