"""Benchmark ``pmpt batch``: generate N random valid answer sets and time the command.

The answer sets are generated from the questionnaire's own question definitions,
walking the questions in order and honouring enable-when / enable-if (a question
that is not asked gets no answer), so every set is valid and complete. The timed
run is a separate ``python -m pmpt_cli batch`` process, pinned to one CPU, so the
figure includes start-up, reading the input and writing the output.

    python benchmarks/batch.py --n 10000
    python benchmarks/batch.py --n 10000 --input-format csv --questionnaire tests/fixtures/mini.toml
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
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pmpt_cli.enablement import condition_holds  # noqa: E402
from pmpt_cli.loader import load_questionnaire  # noqa: E402
from pmpt_cli.model import Question, Questionnaire  # noqa: E402

WORDS = ["stiff", "after work", "worse at night", "better walking", "since the fall", "both knees", "sharp, then dull"]


def is_enabled(question: Question, answers: dict[str, Any]) -> bool:
    """Whether ``question`` is asked, given the answers before it (as tests/helpers.py)."""
    if question.enable_when:
        results = (condition_holds(c, answers.get(c.question)) for c in question.enable_when)
        if not (all(results) if question.enable_behavior == "all" else any(results)):
            return False
    return question.enable_if is None or bool(question.enable_if.evaluate(answers))


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
        if question.is_conditional and not is_enabled(question, answers):
            continue
        if not question.required and rng.random() < 0.2:
            continue
        answers[question.id] = random_value(question, rng)
    return answers


def cell(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ",".join(value) if value else "[]"
    return str(value)


def write_input(questionnaire: Questionnaire, n: int, fmt: str, path: Path, seed: int) -> None:
    rng = random.Random(seed)
    ids = [q.id for q in questionnaire.questions]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        if fmt == "csv":
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(["id", *ids])
            for i in range(n):
                answers = random_answers(questionnaire, rng)
                writer.writerow([f"p{i:06d}", *(cell(answers[q]) if q in answers else "" for q in ids)])
        else:
            for i in range(n):
                fh.write(json.dumps({"id": f"p{i:06d}", **random_answers(questionnaire, rng)}) + "\n")


def _one_cpu() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


def time_batch(questionnaire: str, source: Path, output: Path, fmt: str) -> float:
    command = [sys.executable, "-m", "pmpt_cli", "batch", str(source), "--questionnaire", questionnaire,
               "--output", str(output), "--format", fmt, "--force", "--quiet"]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, preexec_fn=_one_cpu)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"pmpt batch failed (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="answer sets to generate (default 10000)")
    parser.add_argument("--questionnaire", default="pmpt-core", help="id or .toml path (default pmpt-core)")
    parser.add_argument("--input-format", choices=["jsonl", "csv"], default="jsonl")
    parser.add_argument("--output-format", choices=["jsonl", "csv"], default=None,
                        help="default: the same as the input")  # fmt: skip
    parser.add_argument("--repeat", type=int, default=3, help="timed runs; the best and the median are shown")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    questionnaire = load_questionnaire(args.questionnaire)
    out_format = args.output_format or args.input_format
    with tempfile.TemporaryDirectory(prefix="pmpt-bench-") as tmp:
        source = Path(tmp) / f"people.{args.input_format}"
        output = Path(tmp) / f"results.{out_format}"
        write_input(questionnaire, args.n, args.input_format, source, args.seed)
        times = [time_batch(args.questionnaire, source, output, out_format) for _ in range(args.repeat)]
        rows = output.read_text(encoding="utf-8").count("\n") - (1 if out_format == "csv" else 0)
        if rows != args.n:
            sys.exit(f"expected {args.n} result rows, got {rows}")
    best, median = min(times), statistics.median(times)
    print(f"pmpt batch: {args.n} answer sets for {questionnaire.id} {questionnaire.version} "
          f"({len(questionnaire.questions)} questions, {len(questionnaire.rules)} rules), "
          f"{args.input_format} in, {out_format} out, one CPU, wall time including start-up")  # fmt: skip
    print(f"  best   {best:.3f} s  {args.n / best:,.0f} answer sets/s")
    print(f"  median {median:.3f} s  {args.n / median:,.0f} answer sets/s  ({args.repeat} runs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
