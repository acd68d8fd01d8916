"""``pmpt batch``: triage many people at once, one output row per person.

Inputs are answers files (TOML, or JSON by extension), folders of them, CSV files
with one person per row, or JSON Lines files with one person per line; CSV and
JSON Lines need an id column. One bad row is reported and skipped, the rest still
run, and the caller learns how many failed.

Built for throughput (thousands of answer sets a second): the questionnaire is
loaded once, CSV cells go through ``validation.parse_text`` with a per-column
cache (a column repeats the same few texts), rows are written with ``csv`` /
``json`` straight to the stream, and nothing per row touches rich.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from pmpt_cli.answers_file import AnswerSet, answers_for, questionnaire_for, read_answers_file
from pmpt_cli.cli.environment import Environment
from pmpt_cli.cli.fileio import private_file
from pmpt_cli.engine import run_triage
from pmpt_cli.errors import AnswersError, InputFileError, PmptError, Problem, UsageError
from pmpt_cli.loader import load_questionnaire
from pmpt_cli.messages import suggest
from pmpt_cli.model import OUTCOMES, Question, Questionnaire
from pmpt_cli.registry import DEFAULT_QUESTIONNAIRE
from pmpt_cli.report import decided_by, export_number
from pmpt_cli.validation import AnswerInvalid, parse_text

FORMATS = ("csv", "jsonl")
#: The count of results without an outcome (a measure-only questionnaire).
MEASURE_ONLY = "measure-only"
ANSWERS_SUFFIXES = {".toml", ".json"}
CSV_SUFFIXES = {".csv"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
#: Show a progress bar (on a terminal) only for at least this many answer sets.
PROGRESS_MIN = 2_000
#: At most this many failed rows are described on stderr; the output has them all.
MAX_REPORTED = 10
#: Per column, at most this many distinct cell texts are remembered.
CACHE_LIMIT = 4_096


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


@dataclass
class BatchSummary:
    """What a batch did, for the closing line and for tests."""

    questionnaire: str = ""
    total: int = 0
    failed: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys((*OUTCOMES, MEASURE_ONLY), 0))
    seconds: float = 0.0


@dataclass
class _Pending:
    """One person's answers, not yet triaged; ``error`` when the input itself is bad."""

    id: str
    source: str
    answers: dict[str, Any] | None = None
    error: str | None = None
    problems: list[Problem] = field(default_factory=list)
    questionnaire: str | None = None
    answer_set: AnswerSet | None = None  # a FHIR QuestionnaireResponse: its answers are read per questionnaire


# -- inputs -------------------------------------------------------------------------------


def expand_inputs(inputs: list[str]) -> list[tuple[str, str]]:
    """``(kind, path)`` for each input: ``answers``, ``csv`` or ``jsonl``; folders are expanded."""
    found: list[tuple[str, str]] = []
    for item in inputs:
        if item == "-":
            found.append(("stdin", "-"))
            continue
        path = Path(item)
        if path.is_dir():
            entries = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
            kinds = [(_kind(p), str(p)) for p in entries]
            usable = [(k, p) for k, p in kinds if k]
            if not usable:
                raise InputFileError(f"Folder '{item}' has no answers files (.toml, .json), CSV or JSON Lines files.")
            found += usable
        elif not path.exists():
            raise InputFileError(f"Input '{item}' does not exist.")
        else:
            kind = _kind(path)
            if kind is None:
                raise InputFileError(
                    f"Cannot tell what '{item}' holds from its name; use .toml or .json (one answers file), "
                    ".csv, or .jsonl (one person per line)."
                )
            found.append((kind, str(path)))
    return found


def _kind(path: Path) -> str | None:
    suffix = path.suffix.lower()
    if suffix in ANSWERS_SUFFIXES:
        return "answers"
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    return None


def _read_text(path: str, stdin: IO[bytes]) -> str:
    if path == "-":
        data = stdin.read()
    else:
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            raise InputFileError(f"Cannot read '{path}': {exc.strerror}.") from None
    try:
        return data.decode("utf-8-sig")  # spreadsheets often add a byte-order mark
    except UnicodeDecodeError:
        raise InputFileError(f"'{path}' is not UTF-8 text; save it as UTF-8 (CSV UTF-8 in a spreadsheet).") from None


class _Reader:
    """Turns inputs into pending answer sets, checking each file's shape once."""

    def __init__(
        self, request: BatchRequest, get_questionnaire: Callable[[str | None], Questionnaire], stdin: IO[bytes]
    ) -> None:
        self.request = request
        self.stdin = stdin
        self.get_questionnaire = get_questionnaire
        self.caches: dict[str, dict[str, tuple[bool | None, Any]]] = {}
        self.hint: str | None = None  # the first questionnaire an input names
        self.kinds: list[str] = []  # of each input read, with stdin resolved to csv or jsonl
        self.by_canonical: dict[str | None, tuple[str | None, str | None]] = {}  # a response's questionnaire

    def note_hint(self, pendings: list[_Pending]) -> None:
        if self.hint is None:
            self.hint = next((p.questionnaire for p in pendings if p.questionnaire), None)

    def read(self, kind: str, path: str) -> list[_Pending]:
        if kind == "answers":
            self.kinds.append(kind)
            pendings = [self.answers_file(path)]
        else:
            text = _read_text(path, self.stdin)
            if kind == "stdin":
                kind = "jsonl" if text.lstrip().startswith("{") else "csv"
            self.kinds.append(kind)
            origin = "<stdin>" if path == "-" else path
            pendings = self.csv(text, origin) if kind == "csv" else self.jsonl(text, origin)
        self.note_hint(pendings)
        return pendings

    def answers_file(self, path: str) -> _Pending:
        pending = _Pending(id=Path(path).stem, source=path)
        try:
            answer_set = read_answers_file(path)
        except PmptError as exc:
            pending.error, pending.problems = exc.message, exc.problems
            return pending
        pending.answers = answer_set.answers
        pending.questionnaire = answer_set.questionnaire
        if answer_set.response is not None:
            pending.answer_set = answer_set
            if not self.request.questionnaire:  # found once per canonical URL: looking reads every questionnaire
                key = answer_set.canonical
                if key not in self.by_canonical:
                    try:
                        self.by_canonical[key] = (questionnaire_for(answer_set, None)[0], None)
                    except PmptError as exc:
                        self.by_canonical[key] = (None, exc.message)
                pending.questionnaire, pending.error = self.by_canonical[key]
        return pending

    def jsonl(self, text: str, origin: str) -> list[_Pending]:
        pendings: list[_Pending] = []
        id_key = self.request.id_column
        loads = json.loads
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            source = f"{origin}:{number}"
            try:
                obj = loads(line)
            except json.JSONDecodeError as exc:
                pendings.append(_Pending(f"{origin}:{number}", source, error=f"not valid JSON: {exc.msg}"))
                continue
            if not isinstance(obj, dict):
                pendings.append(_Pending(f"{origin}:{number}", source, error="each line must be a JSON object"))
                continue
            raw_id = obj.get(id_key)
            if raw_id is None or raw_id == "" or isinstance(raw_id, (dict, list, bool)):
                pendings.append(_Pending(f"{origin}:{number}", source,
                                         error=f"no '{id_key}' (a string or number) in this line"))  # fmt: skip
                continue
            qref = obj.pop("questionnaire", None)
            nested = obj.get("answers")
            if isinstance(nested, dict):
                answers = nested
            else:
                del obj[id_key]
                answers = obj  # the rest of the line is the answers; no copy
            pendings.append(
                _Pending(str(raw_id), source, answers, questionnaire=qref if isinstance(qref, str) else None)
            )
        return pendings

    def csv(self, text: str, origin: str) -> list[_Pending]:
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            header = next(reader)
        except StopIteration:
            return []
        except csv.Error as exc:
            return [_Pending(origin, origin, error=f"not valid CSV: {exc}")]
        rows: list[tuple[int, list[str]]] = []
        try:
            for row in reader:
                rows.append((reader.line_num, row))
        except csv.Error as exc:
            rows.append((reader.line_num, []))
            bad_line, bad_message = reader.line_num, f"not valid CSV: {exc}"
        else:
            bad_line, bad_message = 0, ""
        names = [h.strip() for h in header]
        id_key = self.request.id_column
        if id_key not in names:
            return [_Pending(origin, origin, error=f"the CSV has no '{id_key}' column{suggest(id_key, names)}",
                             problems=[Problem(f"{origin}:1", f"columns: {', '.join(names)}",
                                               "add an id column, or name yours with --id-column")])]  # fmt: skip
        id_at = names.index(id_key)
        q_at = names.index("questionnaire") if "questionnaire" in names else None
        first = next((row for _, row in rows if row), None)
        hint = first[q_at].strip() if q_at is not None and first is not None and q_at < len(first) else None
        questionnaire = self.get_questionnaire(self.hint or hint or None)
        ignored = set(self.request.ignore_columns) | {id_key, "questionnaire"}
        columns: list[tuple[int, Question]] = []
        unknown = []
        for at, name in enumerate(names):
            if name in ignored:
                continue
            question = questionnaire.question(name)
            if question is None:
                unknown.append(Problem(f"{origin}:1", f"column '{name}' is not a question of '{questionnaire.id}'"
                                       f"{suggest(name, questionnaire.questions_by_id)}"))  # fmt: skip
            else:
                columns.append((at, question))
        if unknown:
            return [
                _Pending(
                    origin,
                    origin,
                    error=f"{len(unknown)} unknown column{'s' if len(unknown) != 1 else ''}",
                    problems=unknown
                    + [
                        Problem(
                            f"{origin}:1",
                            "each column must be a question id",
                            "pass --ignore-column NAME for columns to leave out",
                        )
                    ],
                )
            ]
        width = len(names)
        converters = [(at, question.id, self.caches.setdefault(question.id, {}).get, self._converter(question))
                      for at, question in columns]  # fmt: skip
        pendings: list[_Pending] = []
        for line, row in rows:
            source = f"{origin}:{line}"
            if line == bad_line:
                pendings.append(_Pending(source, source, error=bad_message))
                continue
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # blank line
            if len(row) != width:
                pendings.append(_Pending(row[id_at].strip() if id_at < len(row) else source, source,
                                         error=f"has {len(row)} cells but the header has {width}"))  # fmt: skip
                continue
            row_id = row[id_at].strip()
            if not row_id:
                pendings.append(_Pending(source, source, error=f"the '{id_key}' cell is empty"))
                continue
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
            pending = _Pending(
                row_id, source, answers, questionnaire=row[q_at].strip() or None if q_at is not None else None
            )
            if problems:
                pending.error = f"{len(problems)} problem{'s' if len(problems) != 1 else ''} with the answers"
                pending.problems = problems
            pendings.append(pending)
        return pendings

    def _converter(self, question: Question) -> Callable[[str], tuple[bool | None, Any]]:
        """``parse_text`` for one column, remembering results: a column repeats a few texts."""
        cache = self.caches.setdefault(question.id, {})
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


# -- outputs ------------------------------------------------------------------------------


class _Writer:
    """Writes result rows as CSV or JSON Lines to an open text stream."""

    def __init__(self, stream: IO[str], fmt: str, questionnaire: Questionnaire) -> None:
        self.fmt = fmt
        self.stream = stream
        self.score_ids = [s.id for s in questionnaire.scores]
        # Every row says which questionnaire made it: id, version and content hash.
        self.provenance = [questionnaire.id, questionnaire.version, questionnaire.sha256]
        self.banded = [s.id for s in questionnaire.scores if s.bands]
        if fmt == "csv":
            self.csv = csv.writer(stream, lineterminator="\n")
            self.csv.writerow(
                ["id", "source", "status", "outcome", "decided_by", "reasons", "notes"]
                + [f"score_{sid}" for sid in self.score_ids]
                + [f"band_{sid}" for sid in self.banded]
                + ["error", "questionnaire", "questionnaire_version", "questionnaire_sha256"]
            )
        self.dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        self.blank = [None] * (len(self.score_ids) + len(self.banded))

    def ok(self, pending: _Pending, result: Any) -> None:
        scores = result.scores
        if self.fmt == "csv":
            self.csv.writerow(
                [pending.id, pending.source, "ok", result.outcome, decided_by(result),
                 ";".join(r.rule_id for r in result.reasons), ";".join(n.id for n in result.notes)]
                + [export_number(scores[sid].value) for sid in self.score_ids]
                + [scores[sid].band for sid in self.banded]
                + [None, *self.provenance]
            )  # fmt: skip
            return
        self.stream.write(self.dumps({
            "id": pending.id,
            "source": pending.source,
            "ok": True,
            "outcome": result.outcome,
            "decided_by": decided_by(result),
            "reasons": [{"rule": r.rule_id, "outcome": r.outcome, "decisive": r.decisive} for r in result.reasons],
            "notes": [n.id for n in result.notes],
            "scores": {sid: {"value": export_number(s.value), "band": s.band} for sid, s in scores.items()},
            "error": None,
            "questionnaire": dict(zip(("id", "version", "sha256"), self.provenance)),
        }) + "\n")  # fmt: skip

    def failed(self, pending: _Pending) -> None:
        message = _error_text(pending)
        if self.fmt == "csv":
            self.csv.writerow(
                [pending.id, pending.source, "error", None, None, None, None] + self.blank + [message, *self.provenance]
            )
            return
        self.stream.write(self.dumps({
            "id": pending.id,
            "source": pending.source,
            "ok": False,
            "error": message,
            "problems": [{"location": p.location, "message": p.message, "hint": p.hint} for p in pending.problems],
            "questionnaire": dict(zip(("id", "version", "sha256"), self.provenance)),
        }) + "\n")  # fmt: skip


def _error_text(pending: _Pending) -> str:
    details = "; ".join(str(p) for p in pending.problems)
    return f"{pending.error}: {details}" if details else (pending.error or "failed")


class _Progress:
    """A one-line progress bar on stderr, redrawn at most ten times a second."""

    def __init__(self, total: int, stream: IO[str]) -> None:
        self.total = total
        self.stream = stream
        self.next_draw = 0.0

    def update(self, done: int) -> None:
        now = time.monotonic()
        if now < self.next_draw and done < self.total:
            return
        self.next_draw = now + 0.1
        width = 30
        filled = width * done // self.total
        self.stream.write(f"\r  [{'#' * filled}{'.' * (width - filled)}] {done}/{self.total}")
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\r" + " " * 60 + "\r")
        self.stream.flush()


# -- the batch ----------------------------------------------------------------------------


def choose_format(request: BatchRequest, kinds: list[str]) -> str:
    """--format; else the output file's extension; else CSV for CSV input, JSON Lines otherwise."""
    if request.format:
        if request.format not in FORMATS:
            raise UsageError(f"--format must be csv or jsonl, not '{request.format}'.")
        return request.format
    if request.output and request.output != "-":
        suffix = Path(request.output).suffix.lower()
        if suffix in CSV_SUFFIXES:
            return "csv"
        if suffix in JSONL_SUFFIXES | {".json"}:
            return "jsonl"
    return "csv" if kinds and all(k == "csv" for k in kinds) else "jsonl"


def run_batch(request: BatchRequest, env: Environment) -> BatchSummary:
    """Triage every answer set in the inputs and write one row each; return the summary.

    Raises ``PmptError`` (exit 1) after writing everything when any row failed.
    """
    err = env.stderr
    started = time.perf_counter()
    if request.format and request.format not in FORMATS:
        raise UsageError(f"--format must be csv or jsonl, not '{request.format}'.")
    sources = expand_inputs(request.inputs)
    loaded: list[Questionnaire] = []

    def get_questionnaire(hint: str | None) -> Questionnaire:
        if not loaded:
            loaded.append(load_questionnaire(request.questionnaire or hint or DEFAULT_QUESTIONNAIRE))
        return loaded[0]

    reader = _Reader(request, get_questionnaire, env.stdin.buffer)
    pendings: list[_Pending] = []
    for kind, path in sources:
        pendings += reader.read(kind, path)
    questionnaire = get_questionnaire(reader.hint)
    fmt = choose_format(request, reader.kinds)
    same = _SameQuestionnaire(questionnaire, request.questionnaire)
    summary = BatchSummary(questionnaire=f"{questionnaire.id} {questionnaire.version}", total=len(pendings))
    counts = summary.counts
    reported: list[_Pending] = []
    tty = env.stderr_isatty
    progress = _Progress(len(pendings), err) if tty and not request.quiet and len(pendings) >= PROGRESS_MIN else None
    qid = questionnaire.id

    with _output(request.output, request.force, env.stdout) as stream:
        writer = _Writer(stream, fmt, questionnaire)
        for pending in _with_progress(pendings, progress):
            if pending.error is None and pending.questionnaire is not None and not same(pending.questionnaire):
                pending.error = (f"these answers are for questionnaire '{pending.questionnaire}', but this batch "
                                 f"runs '{qid}'; triage them in a separate batch with --questionnaire")  # fmt: skip
            if pending.error is None:
                try:
                    if pending.answer_set is not None:
                        pending.answers = answers_for(questionnaire, pending.answer_set)[0]
                    result = run_triage(questionnaire, pending.answers or {})
                except AnswersError as exc:
                    pending.error, pending.problems = exc.message, exc.problems
                else:
                    counts[result.outcome or MEASURE_ONLY] += 1
                    writer.ok(pending, result)
                    continue
            summary.failed += 1
            if len(reported) < MAX_REPORTED:
                reported.append(pending)
            writer.failed(pending)
    if progress is not None:
        progress.close()
    summary.seconds = time.perf_counter() - started
    if not request.quiet:
        _report(err, summary, reported)
    if summary.failed:
        raise PmptError(
            f"{summary.failed} of {summary.total} answer set{'s' if summary.total != 1 else ''} failed and "
            "were skipped; their rows in the output say why."
        )
    return summary


@contextmanager
def _output(path: str | None, force: bool, stdout: IO[str]) -> Iterator[IO[str]]:
    """stdout, or a private file that appears only once every row is written (fileio)."""
    if path in (None, "-"):
        yield stdout
        stdout.flush()
        return
    with private_file(path, force=force, newline="") as stream:
        yield stream


class _SameQuestionnaire:
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
        return str(Path(path).resolve())
    except OSError:
        return path


def _with_progress(pendings: list[_Pending], progress: _Progress | None) -> Iterator[_Pending]:
    if progress is None:
        yield from pendings
        return
    for done, pending in enumerate(pendings, 1):
        if done % 100 == 0 or done == len(pendings):
            progress.update(done)
        yield pending


def _report(err: IO[str], summary: BatchSummary, reported: list[_Pending]) -> None:
    for pending in reported:
        err.write(f"failed: {pending.source} (id {pending.id}): {_error_text(pending)}\n")
    if summary.failed > len(reported):
        err.write(f"... and {summary.failed - len(reported)} more failed rows (see the error column).\n")
    ok = summary.total - summary.failed
    rate = f", {summary.total / summary.seconds:,.0f}/s" if summary.seconds > 0 and summary.total else ""
    err.write(f"Triaged {ok} of {summary.total} answer sets with {summary.questionnaire} "
              f"({summary.seconds:.2f} s{rate}).\n")  # fmt: skip
    width = max(len(o) for o in OUTCOMES)
    for outcome in OUTCOMES:
        err.write(f"  {outcome.ljust(width)}  {summary.counts[outcome]:>7}\n")
    if summary.counts[MEASURE_ONLY]:
        err.write(f"  {MEASURE_ONLY.ljust(width)}  {summary.counts[MEASURE_ONLY]:>7}  (scores only, no outcome)\n")
    err.write(f"  {'failed'.ljust(width)}  {summary.failed:>7}\n")


__all__ = ["BatchRequest", "BatchSummary", "run_batch"]
