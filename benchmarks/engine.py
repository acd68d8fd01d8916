"""Library throughput: ``run_triage`` over many random valid answer sets, on one core.

Usage: python benchmarks/engine.py [--n 100000] [--repeat 3] [--questionnaire pmpt-core] [--seed 1]

The answer sets come from the questionnaire's own definitions, through the generator
in ``benchmarks/batch.py`` (``random_answers``): questions are walked in order, a
question whose enable-when / enable-if is false gets no answer, optional questions are
sometimes left out, so every set is valid and complete. They are generated before the
clock starts; the timed loop is only ``run_triage`` (validation, enablement, scores,
rules, notes and their evidence). The process is pinned to one CPU. We print the best
and the median of ``--repeat`` passes, as microseconds per triage and, because an
absolute rate does not travel between machines, as a ratio to a floor timed in the same
run: a plain Python loop that only reads each question's answer once (``floor``), the
least any triage must do.

Uniformly random answers raise red flags in almost every set (about 98% come out as
emergency, each firing some fifteen rules, every one of them explained), which makes
them the heavy case. ``--vignettes`` times the same loop over the clinical vignettes
and examples instead (tests/vignettes and examples, cycled to ``--n``), a realistic mix
of outcomes.

Issue 6 asked for 20,000 triages per second on one core for pmpt-core 1.0; on another
machine compare the ratio to the floor instead (docs/performance.md).
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import os
import platform
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from pmpt_cli.engine import run_triage  # noqa: E402
from pmpt_cli.loader import load_questionnaire  # noqa: E402


def _generator():
    """``random_answers(questionnaire, rng)`` from benchmarks/batch.py (one generator, not two)."""
    spec = importlib.util.spec_from_file_location("_pmpt_bench_batch", HERE / "batch.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.random_answers


def _vignettes(questionnaire_id: str) -> list[dict]:
    """The answers of every vignette and example written for this questionnaire."""
    from pmpt_cli.answers_file import read_answers_file

    root = HERE.parent
    sets = []
    for path in sorted([*root.glob("tests/vignettes/*.toml"), *root.glob("examples/*.toml")]):
        answer_set = read_answers_file(str(path))
        if (answer_set.questionnaire or "pmpt-core") == questionnaire_id:
            sets.append(answer_set.answers)
    if not sets:
        raise SystemExit(f"no vignettes or examples for {questionnaire_id}")
    return sets


def floor(questions: tuple[str, ...], answers: dict) -> dict:
    """The least a triage does: look at every question's answer once."""
    kept = {}
    for qid in questions:
        value = answers.get(qid)
        if value is not None:
            kept[qid] = value
    return kept


def timed(run, answer_sets: list[dict], repeat: int) -> list[float]:
    passes = []
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        for answers in answer_sets:
            run(answers)
        passes.append(time.perf_counter() - started)
    return passes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="answer sets (default 100000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes over all sets (default 3)")
    parser.add_argument("--questionnaire", default="pmpt-core", help="id or .toml path (default pmpt-core)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--vignettes", action="store_true",
                        help="time the vignettes and examples (a realistic mix) instead of random sets")  # fmt: skip
    args = parser.parse_args(argv)

    if hasattr(os, "sched_setaffinity"):  # one core, whatever else the machine is doing
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    questionnaire = load_questionnaire(args.questionnaire)
    started = time.perf_counter()
    if args.vignettes:
        files = _vignettes(questionnaire.id)
        answer_sets = [files[i % len(files)] for i in range(args.n)]
        source = f"answer sets cycled from {len(files)} vignettes and examples,"
    else:
        random_answers = _generator()
        rng = random.Random(args.seed)
        answer_sets = [random_answers(questionnaire, rng) for _ in range(args.n)]
        source = f"random valid answer sets, seed {args.seed},"
    generated = time.perf_counter() - started
    outcomes = Counter(run_triage(questionnaire, answers).outcome for answers in answer_sets)  # all valid, warm-up

    ids = tuple(q.id for q in questionnaire.questions)
    floor_passes = timed(lambda answers: floor(ids, answers), answer_sets, args.repeat)
    passes = timed(lambda answers: run_triage(questionnaire, answers), answer_sets, args.repeat)
    best, median = min(passes), statistics.median(passes)
    floor_median = statistics.median(floor_passes)

    print(f"run_triage on {questionnaire.id} {questionnaire.version}: {len(questionnaire.questions)} questions, "
          f"{len(questionnaire.scores)} scores, {len(questionnaire.rules)} rules, {len(questionnaire.notes)} notes")  # fmt: skip
    print(f"{args.n:,} {source} made in {generated:.1f} s before timing; "
          f"Python {platform.python_version()}, one CPU of {os.cpu_count()}")  # fmt: skip
    print("outcomes: " + ", ".join(f"{outcome} {count}" for outcome, count in outcomes.most_common()))
    print(f"  best   {args.n / best:10,.0f} triages/s  {best / args.n * 1e6:6.1f} us/triage")
    print(f"  median {args.n / median:10,.0f} triages/s  {median / args.n * 1e6:6.1f} us/triage  "
          f"({args.repeat} passes)")  # fmt: skip
    print(f"  floor  {floor_median / args.n * 1e6:6.2f} us/set (read every answer once); "
          f"a triage costs {median / floor_median:.1f}x the floor")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
