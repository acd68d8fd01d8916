"""How cost grows with questionnaire size: load and triage for 10, 100 and 1,000 questions.

Usage: python benchmarks/scaling.py [--sizes 10 100 1000] [--repeat N]

Each synthetic questionnaire has, per 10 questions: 4 scale questions, 3 choice
questions with scores, 2 yes/no questions and 1 multiple-choice question; every
fifth question is enabled by an earlier one; one sum score and one rule per 10
questions, plus a mean score over every scale question. We print the median time
to load (parse TOML, validate, compile) and to triage one complete answer set, in
total and per question: flat per-question figures mean linear growth.

"load" parses, validates and compiles every time (PMPT_NO_CACHE=1): the TOML, the
expressions and the generated program; "cached" is the same load from pmpt's
questionnaire cache (pmpt_cli/cache.py), which rebuilds the objects from marshal data
and compiles nothing. The cache lives in a temporary folder for the run. "triage" is
the steady state: the per-questionnaire plans are made by the first triage, before
the clock starts.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pmpt_cli.engine import run_triage  # noqa: E402
from pmpt_cli.loader import parse_questionnaire  # noqa: E402


def synthetic(n: int) -> tuple[bytes, dict]:
    """TOML text of an ``n``-question questionnaire and a complete answer set for it."""
    import tomli_w

    questions, answers, scales = [], {}, []
    for i in range(n):
        qid = f"q{i}"
        kind = i % 10
        q: dict = {"id": qid, "section": "s", "text": f"Question {i}?"}
        if kind < 4:
            q |= {"type": "scale", "min": 0, "max": 10}
            answers[qid] = i % 11
            scales.append(qid)
        elif kind < 7:
            q |= {"type": "choice", "choices": [{"value": f"c{k}", "label": f"C{k}", "score": k} for k in range(4)]}
            answers[qid] = f"c{i % 4}"
        elif kind < 9:
            q |= {"type": "yes_no"}
            answers[qid] = i % 2 == 0
        else:
            q |= {"type": "multi_choice", "required": False,
                  "choices": [{"value": f"m{k}", "label": f"M{k}", "score": 1} for k in range(5)]}  # fmt: skip
            answers[qid] = ["m1", "m3"]
        if i % 5 == 4 and i >= 5:
            q["enable_when"] = [{"question": f"q{i - 5}", "operator": "exists", "answer": True}]
        questions.append(q)
    scores = [{"id": "all_scales", "label": "Mean of scales", "method": "mean", "items": scales,
               "max_missing": len(scales), "source": "synthetic",
               "bands": [{"min": 0, "max": 4, "label": "low"}, {"min": 4, "max": 10, "label": "high"}]}]  # fmt: skip
    rules = []
    for block in range(max(1, n // 10)):
        items = [f"q{i}" for i in range(block * 10, min(n, block * 10 + 7))]
        scores.append({"id": f"block{block}", "label": f"Block {block}", "method": "sum", "items": items,
                       "max_missing": len(items), "source": "synthetic"})  # fmt: skip
        rules.append({"id": f"rule{block}", "outcome": ("physical-therapy", "both", "pain-management")[block % 3],
                      "when": f"block{block} > 30 and (q{block * 10} >= 9 or band(all_scales) == 'high')",
                      "priority": block, "explanation": "synthetic", "source": "synthetic"})  # fmt: skip
    doc = {
        "format": 1, "id": f"synthetic-{n}", "title": "Synthetic", "version": "1", "language": "en",
        "licence": "CC0-1.0", "sources": [], "sections": [{"id": "s", "title": "S"}],
        "questions": questions, "scores": scores, "rules": rules,
        "default": {"outcome": "self-care", "explanation": "synthetic", "source": "synthetic"},
    }  # fmt: skip
    return tomli_w.dumps(doc).encode(), answers


def timed(fn, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}; median of {args.repeat} runs")
    print(f"{'questions':>9} {'TOML KiB':>9} {'load ms':>9} {'load us/q':>10} {'cached ms':>10} "
          f"{'cached us/q':>12} {'triage ms':>10} {'triage us/q':>12} {'load/TOML':>10}")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="pmpt-scaling-") as cache_home:
        os.environ["XDG_CACHE_HOME"] = cache_home  # keep synthetic entries out of the real cache
        for n in args.sizes:
            data, answers = synthetic(n)
            os.environ["PMPT_NO_CACHE"] = "1"
            questionnaire = parse_questionnaire(data)
            run_triage(questionnaire, answers)  # must be valid before we time it; compiles the plans
            load = timed(lambda data=data: parse_questionnaire(data), args.repeat)
            del os.environ["PMPT_NO_CACHE"]
            parse_questionnaire(data)  # writes the cache entry
            cached = timed(lambda data=data: parse_questionnaire(data), args.repeat)
            triage = timed(lambda q=questionnaire, a=answers: run_triage(q, a), args.repeat * 4)
            # In-run baseline (absolute times do not travel between machines): parsing the TOML alone.
            toml = timed(lambda data=data: tomllib.loads(data.decode()), args.repeat)
            print(f"{n:9d} {len(data) / 1024:9.1f} {load * 1e3:9.2f} {load * 1e6 / n:10.1f} "
                  f"{cached * 1e3:10.2f} {cached * 1e6 / n:12.1f} "
                  f"{triage * 1e3:10.3f} {triage * 1e6 / n:12.2f} {load / toml:10.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
