"""``pmpt batch``: triage many people at once, one output row per person, streaming.

Inputs are answers files (TOML, or JSON by extension), folders of them, CSV files with
one person per row, or JSON Lines files with one person per line; CSV and JSON Lines
need an id column. One bad row is reported and skipped, the rest still run, and the
caller learns how many failed.

The inputs are read as a stream (``readers``): this process frames them into chunks of
records, a ``batch_work.Worker`` turns each chunk into output text (decoding each
record, ``rows.triage_record``, the row writer), and the text is written in input order
as soon as it is ready. Memory stays flat whatever the number of rows: only the chunks
in flight are held. With ``--jobs N`` the workers are a process pool, each loading the
questionnaire once from the compiled cache; the output is byte for byte the same.

A file written with ``--output`` appears only when every row is in it (``fileio``):
Ctrl-C, or a malformed CSV file, leaves no file behind.
"""

from __future__ import annotations

import os
import stat
import sys
import time
from collections import deque
from collections.abc import Generator, Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from itertools import chain
from typing import IO, Any

from pmpt_cli.cli.batch_work import (
    MEASURE_ONLY,
    Chunk,
    ChunkResult,
    Worker,
    WorkerConfig,
    fixed_mmap_threshold,
    init_worker,
    run_chunk,
)
from pmpt_cli.cli.environment import Environment
from pmpt_cli.cli.fileio import private_file
from pmpt_cli.errors import InputFileError, Interrupted, PmptError, UsageError
from pmpt_cli.messages import quote, safe_text
from pmpt_cli.model import OUTCOMES, Questionnaire
from pmpt_cli.readers import (
    CsvLayout,
    Pending,
    Tally,
    count_record,
    csv_layout,
    csv_rows,
    decode_jsonl,
    jsonl_lines,
)  # fmt: skip
from pmpt_cli.registry import DEFAULT_QUESTIONNAIRE
from pmpt_cli.rows import FORMATS, RowWriter

ANSWERS_SUFFIXES = {".toml", ".json"}
CSV_SUFFIXES = {".csv"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
#: A progress bar appears (on a terminal) once a batch has run this long, in seconds.
PROGRESS_DELAY = 0.5
#: At most this many failed rows are described on stderr; the output has them all.
MAX_REPORTED = 10
#: A chunk holds at most this many records, or this many bytes of input lines.
CHUNK_RECORDS = 500
CHUNK_FILES = 100
CHUNK_BYTES = 1 << 20
#: With a pool, at most this many chunks per worker are in flight (sent, or done but not written).
IN_FLIGHT_PER_JOB = 3


@dataclass
class BatchRequest:
    """The batch command's options, independent of typer."""

    inputs: list[str]
    questionnaire: str | None = None
    output: str | None = None  # None or "-" is stdout
    format: str | None = None  # csv or jsonl; default from --output's extension, else the input's kind
    force: bool = False
    id_column: str = "id"
    ignore_columns: list[str] = field(default_factory=list)
    quiet: bool = False
    jobs: int = 1  # worker processes; 0 = one per CPU; 1 = no pool


@dataclass
class BatchSummary:
    """What a batch did, for the closing lines and for tests."""

    questionnaire: str = ""
    total: int = 0  # records in: each one output row
    failed: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys((*OUTCOMES, MEASURE_ONLY), 0))
    seconds: float = 0.0
    tally: Tally = field(default_factory=Tally)  # the lines of CSV and JSON Lines inputs
    files: int = 0  # answers files read
    jobs: int = 1

    @property
    def triaged(self) -> int:
        return self.total - self.failed


# -- inputs -------------------------------------------------------------------------------


class _Input:
    """One input: an answers file or a list of them (a folder), a CSV or a JSON Lines file."""

    def __init__(self, kind: str, origin: str, paths: list[str] | None = None, stream: IO[bytes] | None = None):
        self.kind = kind  # answers, csv or jsonl
        self.origin = origin
        self.paths = paths or []  # answers files
        self.stream = stream  # stdin, already open
        self.tally = Tally()
        self.peeked: list[Any] = []  # framed records taken out to look at the first one
        self._frames: Iterator[Any] | None = None
        self.layout: CsvLayout | None = None  # a CSV file's, once its header is read (prepare)

    def size(self) -> int | None:
        """Bytes to read, if known (a regular file)."""
        try:
            st = os.fstat(self.stream.fileno()) if self.stream is not None else os.stat(self.origin)
        except (OSError, AttributeError, ValueError):
            return None
        return st.st_size if stat.S_ISREG(st.st_mode) else None

    def frames(self) -> _Input:
        """The framing iterator: JSON Lines lines, or the CSV header then rows; what was taken
        out to look at (``peeked``) comes first."""
        if self._frames is None:
            self._frames = self._make_frames()
        return self

    def __iter__(self) -> _Input:
        return self.frames()

    def __next__(self) -> Any:
        if self.peeked:
            return self.peeked.pop(0)
        return next(self.frames()._frames)  # type: ignore[arg-type]

    def prepare(self, questionnaire: Questionnaire, request: BatchRequest) -> None:
        """Read a CSV file's header and check it against the questionnaire, before any output:
        a header that does not fit fails the batch (nothing is written)."""
        if self.kind != "csv":
            return
        header = next(self.frames(), None)
        if header is None:
            return
        self.tally.header += header[1] - header[0] + 1
        layout = csv_layout(header[2], questionnaire, self.origin, request.id_column, request.ignore_columns)
        if isinstance(layout, Pending):
            raise InputFileError(f"{safe_text(self.origin)}: {layout.error}; nothing was written.",
                                 problems=list(layout.problems))  # fmt: skip
        self.layout = layout

    def _make_frames(self) -> Iterator[Any]:
        with self._open() as stream:
            if self.kind == "jsonl":
                yield from jsonl_lines(stream, self.tally)
            else:
                yield from csv_rows(stream, self.tally, self.origin)

    @contextmanager
    def _open(self) -> Iterator[IO[bytes]]:
        if self.stream is not None:
            yield self.stream
            return
        try:
            fh = open(self.origin, "rb")
        except OSError as exc:
            raise InputFileError(f"Cannot read {quote(self.origin)}: {exc.strerror}.") from None
        with fh:
            yield fh

    def hint(self, id_key: str) -> str | None:
        """The questionnaire the first record names, if any (what it read is put back)."""
        if self.kind == "answers":
            if not self.paths:
                return None
            from pmpt_cli.answers_file import questionnaire_for, read_answers_file

            try:  # a FHIR QuestionnaireResponse names its questionnaire by canonical URL
                return questionnaire_for(read_answers_file(self.paths[0]), None)[0]
            except PmptError:
                return None
        frames = self.frames()
        first = [item for item in (next(frames, None), None if self.kind == "jsonl" else next(frames, None)) if item]
        self.peeked = first + self.peeked
        if self.kind == "jsonl":
            return decode_jsonl(first[0][0], first[0][1], self.origin, id_key).questionnaire if first else None
        if len(first) < 2:
            return None
        names = [h.strip() for h in first[0][2]]
        row = first[1][2]
        at = names.index("questionnaire") if "questionnaire" in names else None
        return (row[at].strip() or None) if at is not None and at < len(row) else None


def _kind(name: str) -> str | None:
    suffix = os.path.splitext(name)[1].lower()
    if suffix in ANSWERS_SUFFIXES:
        return "answers"
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    return None


def list_folder(folder: str) -> list[tuple[str, str]]:
    """``(kind, path)`` of each usable file in ``folder``, by name: listed with ``os.scandir``
    (whose entries know whether they are files without a ``stat``) and sorted once."""
    found = []
    with os.scandir(folder) as entries:
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            kind = _kind(name)
            if kind is not None and entry.is_file():
                found.append((name, kind))
    found.sort()
    return [(kind, os.path.join(folder, name)) for name, kind in found]


def expand_inputs(inputs: list[str]) -> list[tuple[str, str]]:
    """``(kind, path)`` for each input: ``answers``, ``csv``, ``jsonl`` or ``stdin``; folders are expanded."""
    found: list[tuple[str, str]] = []
    for item in inputs:
        if item == "-":
            found.append(("stdin", "-"))
        elif os.path.isdir(item):
            listed = list_folder(item)
            if not listed:
                raise InputFileError(
                    f"Folder {quote(item)} has no answers files (.toml, .json), CSV or JSON Lines files."
                )
            found += listed
        elif not os.path.lexists(item):
            raise InputFileError(f"Input {quote(item)} does not exist; check the name.")
        else:
            _regular(item)
            kind = _kind(item)
            if kind is None:
                raise InputFileError(
                    f"Cannot tell what {quote(item)} holds from its name; use .toml or .json (one answers file), "
                    ".csv, or .jsonl (one person per line)."
                )
            found.append((kind, item))
    return found


_KINDS = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))  # fmt: skip


def _regular(path: str) -> None:
    """Refuse what is not a regular file before reading: a named pipe would wait for a
    writer forever, ``/dev/zero`` never ends."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise InputFileError(f"Cannot read {quote(path)}: {exc.strerror}.") from None
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
        raise InputFileError(f"{quote(path)} is {kind}, not a regular file; pmpt batch reads only regular files "
                             "(save it to a file first, or pipe it in as 'pmpt batch -').")  # fmt: skip


def _inputs(found: list[tuple[str, str]], stdin: Any) -> list[_Input]:
    """The inputs to read, consecutive answers files together; stdin's kind from its first bytes."""
    inputs: list[_Input] = []
    for kind, path in found:
        if kind == "answers":
            if inputs and inputs[-1].kind == "answers":
                inputs[-1].paths.append(path)
            else:
                inputs.append(_Input("answers", path, [path]))
        elif kind == "stdin":
            stream = _peekable(stdin)
            inputs.append(_Input("jsonl" if _looks_like_json(stream) else "csv", "<stdin>", stream=stream))
        else:
            inputs.append(_Input(kind, path))
    return inputs


def _peekable(stream: Any) -> Any:
    import io

    return stream if hasattr(stream, "peek") else io.BufferedReader(stream)


def _looks_like_json(stream: Any) -> bool:
    head = stream.peek(1 << 16)[: 1 << 16]
    return head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"{")


# -- chunks -------------------------------------------------------------------------------


class _Chunks:
    """Frames every input into chunks, counting lines and records, and knowing how far along
    the run is (``done`` after each chunk) when the total is known."""

    def __init__(self, inputs: list[_Input], questionnaire: Questionnaire, request: BatchRequest) -> None:
        self.inputs = inputs
        self.questionnaire = questionnaire
        self.request = request
        self.files = 0
        kinds = {i.kind == "answers" for i in inputs}
        self.total: float | None = None  # in bytes of lines, or answers files
        if kinds == {True}:
            self.total = sum(len(i.paths) for i in inputs)
        elif kinds == {False}:
            sizes = [i.size() for i in inputs]
            self.total = None if None in sizes else float(sum(s or 0 for s in sizes))
        self.base = 0  # bytes of the inputs already read

    def tally(self) -> Tally:
        total = Tally()
        for item in self.inputs:
            total.add(item.tally)
        return total

    def __iter__(self) -> Iterator[tuple[Chunk, float]]:
        """``(chunk, done)``: ``done`` counts the bytes or files read when the chunk was cut."""
        paths: list[str] = []
        for item in self.inputs:
            if item.kind == "answers":
                for path in item.paths:
                    paths.append(path)
                    self.files += 1
                    if len(paths) >= CHUNK_FILES:
                        yield Chunk("answers", None, paths), self.files
                        paths = []
                continue
            if paths:
                yield Chunk("answers", None, paths), self.files
                paths = []
            yield from self._lines(item)
            self.base += item.tally.bytes
        if paths:
            yield Chunk("answers", None, paths), self.files

    def _lines(self, item: _Input) -> Iterator[tuple[Chunk, float]]:
        context: str | CsvLayout = item.origin
        if item.kind == "csv":
            if item.layout is None:  # an empty file
                return
            context = item.layout
        yield from self._cut(item.kind, context, item.frames(), item.tally)

    def _cut(
        self, kind: str, context: str | CsvLayout, frames: Iterable[Any], tally: Tally
    ) -> Iterator[tuple[Chunk, float]]:
        chunk: list[Any] = []
        start = tally.bytes
        is_csv = kind == "csv"
        for frame in frames:
            if is_csv:
                count_record(tally, frame[0], frame[1])
            chunk.append(frame)
            if len(chunk) >= CHUNK_RECORDS or tally.bytes - start >= CHUNK_BYTES:
                yield Chunk(kind, context, chunk), self.base + tally.bytes
                chunk = []
                start = tally.bytes
        if chunk:
            yield Chunk(kind, context, chunk), self.base + tally.bytes


# -- running chunks -----------------------------------------------------------------------


def cpu_count() -> int:
    """CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def run_chunks(
    chunks: Iterable[tuple[Chunk, float]], jobs: int, config: WorkerConfig
) -> Generator[tuple[ChunkResult, float], None, None]:
    """Each chunk's result, in input order, as soon as it is ready.

    With ``jobs`` 1, or when all the input fits in one chunk, in this process; otherwise
    in a pool of ``jobs`` processes with at most ``IN_FLIGHT_PER_JOB`` chunks each in flight.
    """
    fixed_mmap_threshold()
    stream = iter(chunks)
    ahead = [item for item in (next(stream, None), None if jobs == 1 else next(stream, None)) if item is not None]
    if jobs == 1 or len(ahead) < 2:
        worker = Worker(config)
        for chunk, done in chain(ahead, stream):
            yield worker.run(chunk), done
        return
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    pool = ProcessPoolExecutor(jobs, mp_context=_pool_context(), initializer=init_worker, initargs=(config,))
    in_flight: deque[tuple[Any, float]] = deque()
    limit = jobs * IN_FLIGHT_PER_JOB
    try:
        for chunk, done in chain(ahead, stream):
            in_flight.append((pool.submit(run_chunk, chunk), done))
            while in_flight and (len(in_flight) >= limit or in_flight[0][0].done()):
                future, mark = in_flight.popleft()
                yield future.result(), mark
        while in_flight:
            future, mark = in_flight.popleft()
            yield future.result(), mark
    except BrokenProcessPool:
        raise PmptError("A worker process stopped unexpectedly (out of memory?); no output file was written. "
                        "Try fewer --jobs.") from None  # fmt: skip
    finally:  # also on Ctrl-C or an error: drop what is queued, let the running chunks end
        pool.shutdown(wait=True, cancel_futures=True)


def _pool_context() -> Any:
    """How workers start. On Linux, by ``fork`` while this process has one thread (it has
    then nothing a fork could break): nothing is imported again, and no script that calls
    ``run_batch`` without an ``if __name__ == "__main__":`` guard is run again in each
    worker, as ``spawn`` and ``forkserver`` do. With other threads running, ``forkserver``
    (workers start clean); elsewhere the platform's default."""
    import multiprocessing
    import threading

    methods = multiprocessing.get_all_start_methods()
    if sys.platform.startswith("linux") and "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["pmpt_cli.cli.batch_work"])  # each worker starts with pmpt imported
        return context
    return multiprocessing.get_context()


# -- output -------------------------------------------------------------------------------


class Progress:
    """A one-line progress bar on stderr: records done and the rate, and when the total is
    known, how far along the run is and the time left. Redrawn at most ten times a second."""

    WIDTH = 24

    def __init__(self, stream: IO[str], total: float | None, clock: Any = time.monotonic) -> None:
        self.stream = stream
        self.total = total
        self.clock = clock
        self.started = clock()
        self.next_draw = self.started + PROGRESS_DELAY
        self.drawn = False

    def update(self, records: int, done: float, *, final: bool = False) -> None:
        now = self.clock()
        if now < self.next_draw and not (final and self.drawn):
            return
        self.next_draw = now + 0.1
        self.drawn = True
        self.stream.write("\r" + self.line(records, done, now - self.started) + "\x1b[K")
        self.stream.flush()

    def line(self, records: int, done: float, elapsed: float) -> str:
        rate = records / elapsed if elapsed > 0 else 0.0
        text = f"{records:,} records  {rate:,.0f}/s"
        if not self.total:
            return "  " + text
        fraction = min(done / self.total, 1.0)
        filled = int(self.WIDTH * fraction)
        bar = f"  [{'#' * filled}{'.' * (self.WIDTH - filled)}] {fraction:4.0%}  {text}"
        if 0 < fraction < 1:
            left = elapsed * (1 - fraction) / fraction
            bar += f"  {_clock(left)} left"
        return bar

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds + 0.5), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@contextmanager
def _output(path: str | None, force: bool, stdout: IO[str]) -> Iterator[IO[str]]:
    """stdout, or a private file that appears only once every row is written (fileio)."""
    if path in (None, "-"):
        yield stdout
        stdout.flush()
        return
    with private_file(path, force=force, newline="") as stream:
        yield stream


# -- the batch ----------------------------------------------------------------------------


def choose_format(request: BatchRequest, kinds: list[str]) -> str:
    """--format; else the output file's extension; else CSV for CSV input, JSON Lines otherwise."""
    if request.format:
        if request.format not in FORMATS:
            raise UsageError(f"--format must be csv or jsonl, not {quote(request.format)}.")
        return request.format
    if request.output and request.output != "-":
        suffix = os.path.splitext(request.output)[1].lower()
        if suffix in CSV_SUFFIXES:
            return "csv"
        if suffix in JSONL_SUFFIXES | {".json"}:
            return "jsonl"
    return "csv" if kinds and all(k == "csv" for k in kinds) else "jsonl"


def _jobs(request: BatchRequest) -> int:
    if request.jobs < 0:
        raise UsageError(f"--jobs must be 0 (one per CPU) or more, not {request.jobs}.")
    return request.jobs or cpu_count()


def _load(reference: str) -> tuple[Questionnaire, bytes, str]:
    """The questionnaire, and the bytes and origin it was built from (for the workers)."""
    from pmpt_cli.loader import parse_questionnaire
    from pmpt_cli.registry import resolve

    origin, data = resolve(reference)
    return parse_questionnaire(data, origin=origin), data, origin


def run_batch(request: BatchRequest, env: Environment) -> BatchSummary:
    """Triage every answer set in the inputs and write one row each, as they are read;
    return the summary.

    Raises ``PmptError`` (exit 1) after writing everything when any row failed, at once
    for a malformed CSV file, and ``Interrupted`` (exit 130) on Ctrl-C.
    """
    started = time.perf_counter()
    if request.format and request.format not in FORMATS:
        raise UsageError(f"--format must be csv or jsonl, not {quote(request.format)}.")
    jobs = _jobs(request)
    inputs = _inputs(expand_inputs(request.inputs), getattr(env.stdin, "buffer", env.stdin))
    reference = request.questionnaire or (inputs[0].hint(request.id_column) if inputs else None)
    questionnaire, data, origin = _load(reference or DEFAULT_QUESTIONNAIRE)
    for item in inputs:
        item.prepare(questionnaire, request)
    fmt = choose_format(request, [i.kind for i in inputs])
    from pmpt_cli.toml_parser import fast_parser

    config = WorkerConfig(data, origin, request.questionnaire, fmt, request.id_column,
                          any(i.kind == "answers" for i in inputs) and fast_parser() is not None)  # fmt: skip
    summary = BatchSummary(questionnaire=f"{questionnaire.id} {questionnaire.version}", jobs=jobs)
    reported: list[str] = []
    chunks = _Chunks(inputs, questionnaire, request)
    progress = Progress(env.stderr, chunks.total) if env.stderr_isatty and not request.quiet else None
    to_file = request.output not in (None, "-")
    try:
        with _output(request.output, request.force, env.stdout) as stream:
            RowWriter(stream, questionnaire, fmt).header()
            done = 0.0
            # closing(): the pool shuts down at once however the loop ends (Ctrl-C, an error),
            # not when the generator is collected
            with closing(run_chunks(chunks, jobs, config)) as results:
                for result, done in results:
                    stream.write(result.text)  # made safe for a terminal by the worker
                    summary.total += result.records
                    summary.failed += result.failed
                    for outcome, count in result.counts.items():
                        summary.counts[outcome] += count
                    if len(reported) < MAX_REPORTED:
                        reported += result.reported[: MAX_REPORTED - len(reported)]
                    if progress is not None:
                        progress.update(summary.total, done)
                if progress is not None:
                    progress.update(summary.total, done, final=True)
    except KeyboardInterrupt:
        if progress is not None:
            progress.close()
        written = "no output file was written" if to_file else "the rows written so far are incomplete"
        raise Interrupted(f"Interrupted after {summary.total:,} records; {written}.") from None
    except InputFileError as exc:
        if progress is not None:
            progress.close()
        if to_file:
            raise InputFileError(f"{exc.message} No output file was written.", problems=exc.problems) from None
        raise
    if progress is not None:
        progress.close()
    summary.tally = chunks.tally()
    summary.files = chunks.files
    summary.seconds = time.perf_counter() - started
    if not request.quiet:
        _report(env.stderr, summary, reported)
    if summary.failed:
        raise PmptError(
            f"{summary.failed:,} of {summary.total:,} record{'s' if summary.total != 1 else ''} failed and "
            "were skipped; their rows in the output say why."
        )
    return summary


def _report(err: IO[str], summary: BatchSummary, reported: list[str]) -> None:
    for line in reported:
        err.write(safe_text(f"failed: {line}") + "\n")
    if summary.failed > len(reported):
        err.write(f"... and {summary.failed - len(reported):,} more failed rows (see the error column).\n")
    tally = summary.tally
    read = []
    if tally.lines:
        parts = [f"{tally.records:,} record{'s' if tally.records != 1 else ''}"]
        if tally.multiline:
            parts[0] += f" ({tally.multiline:,} on several lines)"
        if tally.header:
            parts.append(f"{tally.header:,} header")
        if tally.blank:
            parts.append(f"{tally.blank:,} blank")
        read.append(f"{tally.lines:,} line{'s' if tally.lines != 1 else ''} ({', '.join(parts)})")
    if summary.files:
        read.append(f"{summary.files:,} answers file{'s' if summary.files != 1 else ''}")
    if read:
        err.write(f"Read {' and '.join(read)}.\n")
    rate = f", {summary.total / summary.seconds:,.0f} records/s" if summary.seconds > 0 and summary.total else ""
    jobs = f", {summary.jobs} jobs" if summary.jobs > 1 else ""
    err.write(f"Triaged {summary.triaged:,} of {summary.total:,} records with {safe_text(summary.questionnaire)} "
              f"({summary.seconds:.2f} s{rate}{jobs}); {summary.failed:,} failed.\n")  # fmt: skip
    width = max(len(o) for o in OUTCOMES)
    for outcome in OUTCOMES:
        err.write(f"  {outcome.ljust(width)}  {summary.counts[outcome]:>7}\n")
    if summary.counts[MEASURE_ONLY]:
        err.write(f"  {MEASURE_ONLY.ljust(width)}  {summary.counts[MEASURE_ONLY]:>7}  (scores only, no outcome)\n")
    err.write(f"  {'failed'.ljust(width)}  {summary.failed:>7}\n")


__all__ = ["BatchRequest", "BatchSummary", "Progress", "expand_inputs", "list_folder", "run_batch"]
