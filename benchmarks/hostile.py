"""Hostile inputs: how long each catalogue case takes pmpt, and which is the slowest.

Usage: python benchmarks/hostile.py [--subprocess] [--top N]

Runs the bad-input and hostile-questionnaire catalogues (tests/cli/test_*_catalogue.py)
under pytest and times each case's run of pmpt alone: not the test's setup (writing a
5 MB file), not its checks. By default each case runs in-process (the error boundary, the
loader, the builder...: pmpt's own work); with ``--subprocess`` each runs as a fresh
``python -m pmpt_cli``, as a person would see it (start-up included), and the peak
memory of the largest child is printed too.

Issue 13 asks for "bounded work for any input": this is the number behind that, to be
compared between changes. Tests never assert times; this benchmark only reports them.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = [
    ROOT / "tests" / "cli" / "test_bad_input_catalogue.py",
    ROOT / "tests" / "cli" / "test_hostile_questionnaire_catalogue.py",
]


class CaseTimer:
    """A pytest plugin: wraps ``helpers.run_case`` and records its time per test."""

    def __init__(self) -> None:
        self.times: dict[str, float] = {}
        self.current = ""

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item: pytest.Item):  # type: ignore[no-untyped-def]
        self.current = item.nodeid
        yield

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        import helpers  # tests/ is on the path once pytest has read pyproject.toml

        run = helpers.run_case

        def timed(case, folder, runner):  # type: ignore[no-untyped-def]
            started = time.perf_counter()
            try:
                return run(case, folder, runner)
            finally:
                self.times[self.current] = time.perf_counter() - started

        helpers.run_case = timed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subprocess", action="store_true", help="run each case as a fresh python -m pmpt_cli")
    parser.add_argument("--top", type=int, default=10, help="how many of the slowest cases to list")
    args = parser.parse_args()
    if args.subprocess:
        os.environ["PMPT_CATALOGUE_SUBPROCESS"] = "1"
    timer = CaseTimer()
    os.chdir(ROOT)
    status = pytest.main([*map(str, CATALOGUES), "-q", "-p", "no:cacheprovider", "--no-header", "-o",
                          "addopts=--import-mode=importlib"], plugins=[timer])  # fmt: skip
    ranked = sorted(timer.times.items(), key=lambda item: item[1], reverse=True)
    mode = "a fresh process each (start-up included)" if args.subprocess else "in-process"
    print(f"\n{len(ranked)} catalogue runs, {mode}; the slowest:")
    for nodeid, seconds in ranked[: args.top]:
        print(f"  {seconds * 1000:8.1f} ms  {nodeid.split('::', 1)[1]}")
    if ranked:
        print(f"longest: {ranked[0][1] * 1000:.1f} ms; median: {ranked[len(ranked) // 2][1] * 1000:.1f} ms")
    if args.subprocess:
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print(f"largest child's peak memory: {peak / 1024:.0f} MB" if sys.platform != "darwin" else f"{peak} bytes")
    return int(status)


if __name__ == "__main__":
    raise SystemExit(main())
