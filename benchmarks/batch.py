"""Benchmark ``pmpt batch``: rows/s and peak memory for JSON Lines, CSV and folders of
answers files, at ``--jobs 1`` and ``--jobs N``, each against a floor measured in the same run.

The floor is plain Python reading and parsing the same input with no triage (``json.loads``
per line, ``csv.reader``, ``tomllib`` per file), in a fresh process like pmpt's, so
"x floor" (pmpt's rate divided by the floor's) says how much of the time is pmpt's own
work, and it holds on any machine. Every command is a separate process, timed wall-clock
with its start-up; the runs are interleaved (one of each per round) and the medians shown.
Peak memory is the main process's maximum RSS (``wait4``) and, for a pool, the largest sum
of the RSS of the main process and its workers, sampled every 20 ms.

The answer sets come from the questionnaire's own definitions, walking the questions in
order and honouring enable-when and enable-if, so every set is valid and complete; a
pool of distinct sets is cycled for large inputs, each row with its own id. Inputs are
written to a temporary folder (``$TMPDIR``), never into the checkout.

    python benchmarks/batch.py                           # 100,000 rows, 5,000 files, --jobs 1 and every CPU
    python benchmarks/batch.py --rows 20000 --kinds jsonl
    python benchmarks/batch.py --memory                  # JSON Lines at 10k, 100k and 1M rows
    python benchmarks/batch.py --kinds folder            # folders with tomli (pmpt[fast]) and with tomllib
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pmpt_cli.loader import load_questionnaire  # noqa: E402
from pmpt_cli.model import Question, Questionnaire  # noqa: E402
from pmpt_cli.program import runnable  # noqa: E402

WORDS = ["stiff", "after work", "worse at night", "better walking", "since the fall", "both knees", "sharp, then dull"]
#: At most this many distinct answer sets are generated; larger inputs cycle them.
DISTINCT = 20_000

FLOOR = """
import csv, json, os, sys, tomllib
kind, path = sys.argv[1:3]
rows = 0
if kind == "jsonl":
    with open(path, "rb") as fh:
        for line in fh:
            if line.strip():
                json.loads(line)
                rows += 1
elif kind == "csv":
    with open(path, newline="", encoding="utf-8") as fh:
        rows = sum(1 for _ in csv.reader(fh)) - 1
else:
    for name in sorted(os.listdir(path)):
        with open(os.path.join(path, name), "rb") as fh:
            tomllib.loads(fh.read().decode())
        rows += 1
print(rows)
"""


def random_value(question: Question, rng: random.Random) -> Any:
    qtype = question.type
    if qtype == "choice":
        return rng.choice(question.choice_values)
    if qtype == "multi_choice":
        exclusive = [c.value for c in question.choices if c.exclusive]
        plain = [c.value for c in question.choices if not c.exclusive]
        if exclusive and rng.random() < 0.2:
            return [rng.choice(exclusive)]
        return [v for v in plain if rng.random() < 0.4]
    if qtype == "yes_no":
        return rng.random() < 0.5
    if qtype in ("scale", "number"):
        low = question.min if question.min is not None else 0
        high = question.max if question.max is not None else low + 100
        if question.integer:
            return rng.randint(int(low), int(high))
        return round(rng.uniform(low, high), 1)
    return rng.choice(WORDS)[: question.max_length]


def random_answers(questionnaire: Questionnaire, rng: random.Random) -> dict[str, Any]:
    """One valid, complete answer set: skipped questions stay unanswered, optional ones sometimes."""
    answers: dict[str, Any] = {}
    for question in questionnaire.questions:
        if not question.required and rng.random() < 0.2:
            continue
        answers[question.id] = random_value(question, rng)
    return runnable(questionnaire).run(answers).kept  # the answers to the questions asked


def cell(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ",".join(value) if value else "[]"
    return str(value)


def answer_sets(questionnaire: Questionnaire, n: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [random_answers(questionnaire, rng) for _ in range(min(n, DISTINCT))]


def write_input(questionnaire: Questionnaire, n: int, kind: str, path: Path, seed: int) -> None:
    """``n`` people as JSON Lines or CSV at ``path``, or as a folder of TOML answers files."""
    sets = answer_sets(questionnaire, n, seed)
    if kind == "folder":
        import tomli_w

        path.mkdir()
        for i in range(n):
            body = tomli_w.dumps({"questionnaire": questionnaire.id, "answers": sets[i % len(sets)]})
            (path / f"p{i:07d}.toml").write_text(body, encoding="utf-8")
        return
    ids = [q.id for q in questionnaire.questions]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        if kind == "csv":
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(["id", *ids])
            cells = [[cell(a[q]) if q in a else "" for q in ids] for a in sets]
            for i in range(n):
                writer.writerow([f"p{i:07d}", *cells[i % len(sets)]])
        else:
            bodies = [json.dumps(a)[1:] for a in sets]
            for i in range(n):
                fh.write(f'{{"id": "p{i:07d}", {bodies[i % len(sets)]}\n')


# -- measuring --------------------------------------------------------------------------


def _status(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status") as fh:
        return next((int(line.split()[1]) for line in fh if line.startswith(field)), 0)


def _memory(pid: int) -> tuple[int, int]:
    """KiB: ``pid``'s own peak so far (VmHWM), and what it and its descendants hold now."""
    own = total = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            if current == pid:
                own = _status(pid, "VmHWM:")
            total += _status(current, "VmRSS:")
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as fh:
                    stack += [int(child) for child in fh.read().split()]
        except (OSError, ValueError):
            continue
    return own, total


def measure(command: list[str], env: dict[str, str] | None = None) -> tuple[float, int, int, str]:
    """``(seconds, main's peak KiB, sampled peak KiB of all its processes, stdout)``.

    Both peaks come from /proc, sampled every 20 ms: ``wait4``'s ``ru_maxrss`` would count
    this (large) process's memory at the fork before the command's ``exec``."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    own = every = 0
    out: list[bytes] = []
    err: list[bytes] = []
    readers = [threading.Thread(target=lambda: out.append(process.stdout.read())),  # type: ignore[union-attr]
               threading.Thread(target=lambda: err.append(process.stderr.read()))]  # type: ignore[union-attr]  # fmt: skip
    for reader in readers:
        reader.start()
    has_proc = os.path.isdir("/proc")
    while True:
        try:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        except ChildProcessError:
            break
        if pid:
            seconds = time.perf_counter() - started
            process.returncode = os.waitstatus_to_exitcode(status)
            break
        if has_proc:
            now_own, now_every = _memory(process.pid)
            own, every = max(own, now_own), max(every, now_every)
        time.sleep(0.02)
    for reader in readers:
        reader.join()
    if process.returncode not in (0,):
        sys.exit(f"{' '.join(command)} failed (exit {process.returncode}):\n{b''.join(err).decode()[-2000:]}")
    if not own:  # no /proc, or over before the first sample
        own = every = usage.ru_maxrss
    return seconds, own, max(every, own), b"".join(out).decode()


def pmpt_command(source: Path, questionnaire: str, jobs: int, output: Path) -> list[str]:
    return [sys.executable, "-m", "pmpt_cli", "batch", str(source), "--questionnaire", questionnaire,
            "--jobs", str(jobs), "--output", str(output), "--format", "jsonl", "--force", "--quiet"]  # fmt: skip


def cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def run_rates(args: argparse.Namespace, questionnaire: Questionnaire, tmp: Path) -> None:
    jobs_n = args.jobs or cpus()
    cases = []  # (kind, rows, source)
    for kind in args.kinds:
        rows = args.files if kind == "folder" else args.rows
        source = tmp / (kind if kind == "folder" else f"people.{kind}")
        write_input(questionnaire, rows, kind, source, args.seed)
        cases.append((kind, rows, source))
    output = tmp / "results.jsonl"
    configs = [("floor", None), ("jobs 1", 1), (f"jobs {jobs_n}", jobs_n)]
    from pmpt_cli.toml_parser import fast_parser

    # Folders with each TOML parser, in the same rounds: tomli (if installed) and tomllib.
    stdlib = {**os.environ, "PMPT_TOML": "tomllib"}
    folder_configs = configs + ([("1 tomllib", 1), (f"{jobs_n} tomllib", jobs_n)] if fast_parser() else [])
    times: dict[tuple[str, str], list[float]] = {}
    peaks: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for round_ in range(args.warmup + args.repeat):
        for kind, rows, source in cases:
            for label, jobs in folder_configs if kind == "folder" else configs:
                if jobs is None:
                    command = [sys.executable, "-c", FLOOR, "jsonl" if kind == "jsonl" else kind, str(source)]
                else:
                    command = pmpt_command(source, args.questionnaire, jobs, output)
                seconds, main_peak, all_peak, out = measure(command, stdlib if "tomllib" in label else None)
                if jobs is None and int(out) != rows:
                    sys.exit(f"the floor read {out.strip()} rows of {kind}, expected {rows}")
                if round_ >= args.warmup:
                    times.setdefault((kind, label), []).append(seconds)
                    peaks.setdefault((kind, label), []).append((main_peak, all_peak))
        if jobs is not None:
            written = output.read_text(encoding="utf-8").count("\n")
            if written != rows:
                sys.exit(f"expected {rows} result rows, got {written}")
    from pmpt_cli.toml_parser import parser_name

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"pmpt batch on {questionnaire.id} {questionnaire.version} ({len(questionnaire.questions)} questions, "
          f"{len(questionnaire.rules)} rules); Python {sys.version.split()[0]}, {cpus()} CPUs; "
          f"TOML parser {parser_name()} (\"N tomllib\": PMPT_TOML=tomllib); load average {load:.2f} at the end")  # fmt: skip
    print(
        f"median of {args.repeat} interleaved runs after {args.warmup} warm-up; wall time with start-up; "
        "x floor = rows/s divided by the floor's"
    )
    print(f"{'input':<8} {'rows':>9}  {'run':<10} {'median s':>8} {'rows/s':>9} {'x floor':>8} "
          f"{'peak MiB':>9} {'all MiB':>8}")  # fmt: skip
    for kind, rows, _ in cases:
        floor = rows / statistics.median(times[(kind, "floor")])
        for label, _jobs in folder_configs if kind == "folder" else configs:
            median = statistics.median(times[(kind, label)])
            rate = rows / median
            main_peak = statistics.median(p[0] for p in peaks[(kind, label)]) / 1024
            all_peak = statistics.median(p[1] for p in peaks[(kind, label)]) / 1024
            print(f"{kind:<8} {rows:>9,}  {label:<10} {median:>8.2f} {rate:>9,.0f} {rate / floor:>8.3f} "
                  f"{main_peak:>9.1f} {all_peak:>8.1f}")  # fmt: skip


def run_memory(args: argparse.Namespace, questionnaire: Questionnaire, tmp: Path) -> None:
    jobs_n = args.jobs or cpus()
    print(f"pmpt batch, JSON Lines, peak memory by input size; {questionnaire.id}; one run each")
    print(f"{'rows':>10}  {'run':<8} {'seconds':>8} {'rows/s':>9} {'peak MiB':>9} {'all MiB':>8}")
    for rows in args.sizes:
        source = tmp / f"people-{rows}.jsonl"
        write_input(questionnaire, rows, "jsonl", source, args.seed)
        for jobs in (1, jobs_n):
            seconds, main_peak, all_peak, _ = measure(pmpt_command(source, args.questionnaire, jobs, tmp / "out.jsonl"))
            print(f"{rows:>10,}  {'jobs ' + str(jobs):<8} {seconds:>8.2f} {rows / seconds:>9,.0f} "
                  f"{main_peak / 1024:>9.1f} {all_peak / 1024:>8.1f}")  # fmt: skip
        source.unlink()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows of JSON Lines and CSV (default 100000)")
    parser.add_argument("--files", type=int, default=5_000, help="answers files in the folder (default 5000)")
    parser.add_argument("--kinds", type=lambda s: s.split(","), default=["jsonl", "csv", "folder"],
                        help="inputs to time, comma-separated: jsonl,csv,folder")  # fmt: skip
    parser.add_argument("--jobs", type=int, default=0, help="the N of --jobs N (default: every CPU)")
    parser.add_argument("--repeat", type=int, default=3, help="timed rounds (default 3); medians are shown")
    parser.add_argument("--warmup", type=int, default=1, help="untimed rounds first (default 1)")
    parser.add_argument("--memory", action="store_true", help="peak memory of JSON Lines at --sizes rows instead")
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=[10_000, 100_000, 1_000_000],
                        help="row counts for --memory (default 10000,100000,1000000)")  # fmt: skip
    parser.add_argument("--questionnaire", default="pmpt-core", help="id or .toml path (default pmpt-core)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    questionnaire = load_questionnaire(args.questionnaire)
    with tempfile.TemporaryDirectory(prefix="pmpt-bench-") as tmp:
        if args.memory:
            run_memory(args, questionnaire, Path(tmp))
        else:
            run_rates(args, questionnaire, Path(tmp))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
