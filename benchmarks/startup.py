"""Start-up benchmark: wall time and peak memory of pmpt commands in fresh processes.

Usage: python benchmarks/startup.py [--runs N] [--warmup N] [--answers FILE] [--against DIR]

Each command runs ``--warmup`` times unmeasured, then ``--runs`` times; we print the
median wall time, its ratio to ``python -c pass`` measured in the same run, and the
peak resident memory (max RSS) of the child process. The runs are interleaved (one of
each command per round), so a burst of load on a shared machine hits every command
alike and the ratios stay fair. The baseline "typer app" is a one-command app on the
same typer version that reads a TOML file and prints JSON: pmpt's own cost is the
triage time over that baseline.

Children run with bytecode caches enabled, as an installed pmpt does, so the warm-up
runs write the ``.pyc`` files and pmpt's questionnaire cache (``$XDG_CACHE_HOME/pmpt``);
the row "same, no questionnaire cache" runs with ``PMPT_NO_CACHE=1``: the cost of the
first run after installing pmpt or editing a questionnaire.

Targets (issue 6): triage <= 8x python, --version <= 6x python, triage <= 1.25x the
typer baseline.

``--against DIR`` (another checkout of pmpt, e.g. ``git worktree add /tmp/before <rev>``)
also runs the pmpt commands as ``python -m pmpt_cli`` from that tree and from this one,
interleaved with the rest, each tree with a private questionnaire cache: a before/after
comparison measured together.
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

BASELINE_APP = """
import json, sys, tomllib
from typing import Annotated
import typer

app = typer.Typer()

@app.command()
def main(path: Annotated[str, typer.Option("--answers")]) -> None:
    with open(path, "rb") as fh:
        sys.stdout.write(json.dumps(tomllib.load(fh)) + "\\n")

app()
"""


def spawn(argv: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds and max RSS (KiB on Linux) of one run of ``argv``, output discarded."""
    start = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, env, file_actions=[
        (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
        (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
    ])  # fmt: skip
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"command failed: {' '.join(argv)}")
    return elapsed, usage.ru_maxrss


def measure(
    commands: dict[str, tuple[list[str], dict[str, str]]], runs: int, warmup: int
) -> dict[str, tuple[float, float]]:
    """Median wall seconds and max RSS in MiB per command, over interleaved rounds."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    peak: dict[str, int] = dict.fromkeys(commands, 0)
    failed: set[str] = set()
    for round_ in range(warmup + runs):
        for name, (argv, env) in commands.items():
            if name in failed:
                continue
            try:
                elapsed, rss = spawn(argv, env)
            except RuntimeError as exc:
                print(f"skipped: {exc}", file=sys.stderr)
                failed.add(name)
                continue
            if round_ >= warmup:
                times[name].append(elapsed)
                peak[name] = max(peak[name], rss)
    return {name: (statistics.median(t), peak[name] / 1024) for name, t in times.items() if t}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--answers", type=Path, default=VIGNETTE, help="a pmpt-core answers file")
    parser.add_argument("--against", type=Path, help="another pmpt checkout to compare with, side by side")
    args = parser.parse_args()

    pmpt = str(BIN / "pmpt")
    if not Path(pmpt).exists():
        raise SystemExit("pmpt is not installed in this environment: pip install -e '.[test]' first")
    answers = str(args.answers)
    if not args.answers.exists():
        raise SystemExit(f"missing answers file {answers}")
    env = dict(os.environ, NO_COLOR="1")
    # Measure what an installed pmpt costs: with bytecode caches (warm-up runs write them).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("PMPT_NO_CACHE", None)
    no_cache = dict(env, PMPT_NO_CACHE="1")
    with tempfile.TemporaryDirectory() as tmp:
        baseline = Path(tmp) / "typer_baseline.py"
        baseline.write_text(BASELINE_APP)
        commands = {
            "python -c pass": ([sys.executable, "-c", "pass"], env),
            "typer baseline (TOML -> JSON)": ([sys.executable, str(baseline), "--answers", answers], env),
            "pmpt --version": ([pmpt, "--version"], env),
            "pmpt --help": ([pmpt, "--help"], env),
            "pmpt triage --answers FILE --json": ([pmpt, "triage", "--answers", answers, "--json"], env),
            "  same, no questionnaire cache": ([pmpt, "triage", "--answers", answers, "--json"], no_cache),
            "pmpt triage --answers FILE --plain": ([pmpt, "triage", "--answers", answers, "--plain"], env),
            "pmpt questionnaires list": ([pmpt, "questionnaires", "list"], env),
        }
        trees = {"before": args.against.resolve(), "after": ROOT} if args.against else {}
        for label, tree in trees.items():
            tree_env = dict(env, PYTHONPATH=str(tree), XDG_CACHE_HOME=str(Path(tmp) / label))
            module = [sys.executable, "-m", "pmpt_cli"]
            commands[f"{label}: --version"] = ([*module, "--version"], tree_env)
            commands[f"{label}: triage --json"] = ([*module, "triage", "--answers", answers, "--json"], tree_env)
            commands[f"{label}: same, no cache"] = (
                [*module, "triage", "--answers", answers, "--json"], dict(tree_env, PMPT_NO_CACHE="1"))  # fmt: skip
            commands[f"{label}: questionnaires list"] = ([*module, "questionnaires", "list"], tree_env)
        results = measure(commands, args.runs, args.warmup)

    import typer

    python = results["python -c pass"][0]
    print(f"Python {sys.version.split()[0]}, typer {typer.__version__}, {os.cpu_count()} CPUs; median of "
          f"{args.runs} interleaved runs after {args.warmup} warm-up runs; answers: {args.answers.name}")  # fmt: skip
    print(f"{'command':40} {'median ms':>10} {'x python':>9} {'max RSS MiB':>12}")
    for name, (seconds, rss) in results.items():
        print(f"{name:40} {seconds * 1000:10.1f} {seconds / python:9.2f} {rss:12.1f}")
    triage = results["pmpt triage --answers FILE --json"][0]
    version = results["pmpt --version"][0]
    framework = results["typer baseline (TOML -> JSON)"][0]
    print()
    print(f"triage --json / python     = {triage / python:5.2f}  (target <= 8)")
    print(f"--version / python         = {version / python:5.2f}  (target <= 6)")
    print(f"triage --json / typer app  = {triage / framework:5.2f}  (target <= 1.25)")
    if args.against:
        print()
        print(
            f"before = {args.against}, after = {ROOT}, both as python -m pmpt_cli; x typer = ratio to the baseline app"
        )
        print(f"{'command':24} {'before ms':>10} {'x typer':>8} {'after ms':>10} {'x typer':>8} {'after/before':>13}")
        for what in ("--version", "triage --json", "same, no cache", "questionnaires list"):
            if f"before: {what}" in results and f"after: {what}" in results:
                before, after = results[f"before: {what}"][0], results[f"after: {what}"][0]
                print(f"{what:24} {before * 1000:10.1f} {before / framework:8.2f} {after * 1000:10.1f} "
                      f"{after / framework:8.2f} {after / before:13.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
