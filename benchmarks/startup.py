"""Start-up benchmark: wall time and peak memory of pmpt commands in fresh processes.

Usage: python benchmarks/startup.py [--runs N] [--warmup N]

Each command runs ``--warmup`` times unmeasured, then ``--runs`` times; we print the
median wall time, its ratio to ``python -c pass`` measured in the same run, and the
peak resident memory (max RSS) of the child process. The baseline "typer app" is a
one-command app on the same typer version that reads a TOML file and prints JSON:
pmpt's own cost is the triage time over that baseline.

Targets (issue 6): triage <= 8x python, --version <= 6x python, triage <= 1.25x the
typer baseline.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
VIGNETTE = Path(os.environ.get("PMPT_BENCH_ANSWERS", ROOT / "examples" / "physical-therapy-knee.toml"))

BASELINE_APP = '''
import json, sys, tomllib
from typing import Annotated
import typer

app = typer.Typer()

@app.command()
def main(path: Annotated[str, typer.Option("--answers")]) -> None:
    with open(path, "rb") as fh:
        sys.stdout.write(json.dumps(tomllib.load(fh)) + "\\n")

app()
'''


def measure(argv: list[str], runs: int, warmup: int) -> tuple[float, float]:
    """Median wall seconds and max RSS in MiB over ``runs`` fresh processes."""
    times: list[float] = []
    peak_kib = 0
    env = dict(os.environ, NO_COLOR="1")
    # Measure what an installed pmpt costs: with bytecode caches (warm-up runs write them).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for i in range(warmup + runs):
        start = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, env, file_actions=[
            (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
            (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
        ])  # fmt: skip
        _, status, usage = os.wait4(pid, 0)
        elapsed = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError(f"command failed: {' '.join(argv)}")
        if i >= warmup:
            times.append(elapsed)
            peak_kib = max(peak_kib, usage.ru_maxrss)  # KiB on Linux
    return statistics.median(times), peak_kib / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()

    pmpt = str(BIN / "pmpt")
    if not Path(pmpt).exists():
        raise SystemExit("pmpt is not installed in this environment: pip install -e '.[test]' first")
    if not VIGNETTE.exists():
        raise SystemExit(f"missing vignette {VIGNETTE}")
    with tempfile.TemporaryDirectory() as tmp:
        baseline = Path(tmp) / "typer_baseline.py"
        baseline.write_text(BASELINE_APP)
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "typer baseline (TOML -> JSON)": [sys.executable, str(baseline), "--answers", str(VIGNETTE)],
            "pmpt --version": [pmpt, "--version"],
            "pmpt --help": [pmpt, "--help"],
            "pmpt triage --answers FILE --json": [pmpt, "triage", "--answers", str(VIGNETTE), "--json"],
            "pmpt triage --answers FILE (plain)": [pmpt, "triage", "--answers", str(VIGNETTE)],
            "pmpt questionnaires list": [pmpt, "questionnaires", "list"],
        }
        results = {}
        for name, argv in commands.items():
            try:
                results[name] = measure(argv, args.runs, args.warmup)
            except RuntimeError as exc:
                print(f"skipped: {exc}", file=sys.stderr)

    import typer

    python = results["python -c pass"][0]
    print(f"Python {sys.version.split()[0]}, typer {typer.__version__}, {os.cpu_count()} CPUs; "
          f"median of {args.runs} runs after {args.warmup} warm-up runs")  # fmt: skip
    print(f"{'command':38} {'median ms':>10} {'x python':>9} {'max RSS MiB':>12}")
    for name, (seconds, rss) in results.items():
        print(f"{name:38} {seconds * 1000:10.1f} {seconds / python:9.2f} {rss:12.1f}")
    triage = results["pmpt triage --answers FILE --json"][0]
    version = results["pmpt --version"][0]
    framework = results["typer baseline (TOML -> JSON)"][0]
    print()
    print(f"triage --json / python     = {triage / python:5.2f}  (target <= 8)")
    print(f"--version / python         = {version / python:5.2f}  (target <= 6)")
    print(f"triage --json / typer app  = {triage / framework:5.2f}  (target <= 1.25)")


if __name__ == "__main__":
    main()
