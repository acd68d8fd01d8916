"""docs/scale.md: the Dask recipe, run from the page itself, gives the rows of ``pmpt batch``.

It runs when Dask is installed (``pmpt[dask]``; the test extra includes it). Ray and Spark
are described there, not tested: they are heavy, and Spark needs Java.
"""

from __future__ import annotations

import json
import re

import pytest
from helpers import FIXTURES, ROOT

from pmpt_cli.cli.app import app

MINI = str(FIXTURES / "mini.toml")


def recipe(heading: str) -> str:
    """The first Python block after ``heading`` in docs/scale.md."""
    text = (ROOT / "docs" / "scale.md").read_text(encoding="utf-8")
    section = text[text.index(heading) :]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)  # type: ignore[union-attr]


def test_the_dask_recipe_gives_the_rows_of_pmpt_batch(tmp_path, runner, mini_answers):
    dask = pytest.importorskip("dask")
    people = []
    for i in range(60):
        answers = mini_answers | {"pain_now": i % 11, "comment": f"line {i}\u2028still the same line"}
        if i % 17 == 5:
            answers["pain_now"] = 42  # a bad row: an error row, not an exception
        people.append({"id": f"p{i:02d}", "answers": answers})
    for part in range(3):  # three input files
        lines = [json.dumps(p, ensure_ascii=False) for p in people[part * 20 : part * 20 + 20]]
        (tmp_path / f"people-{part}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")

    namespace: dict = {}
    exec(compile(recipe("## Dask (tested)"), "docs/scale.md", "exec"), namespace)
    with dask.config.set(scheduler="processes", num_workers=2):
        namespace["triage_with_dask"](str(tmp_path / "people-*.jsonl"), str(tmp_path / "out" / "part-*.jsonl"), MINI,
                                      blocksize=600)  # fmt: skip
    parts = sorted((tmp_path / "out").glob("part-*.jsonl"))
    assert len(parts) > 3  # several partitions per file
    from_dask = [json.loads(line) for path in parts for line in path.read_text(encoding="utf-8").splitlines()]

    batch = runner.invoke(app, ["batch", *sorted(map(str, tmp_path.glob("people-*.jsonl"))), "-q", MINI])
    assert batch.exit_code == 1  # the bad rows
    from_batch = [json.loads(line) for line in batch.stdout.splitlines()]
    assert len(from_dask) == len(from_batch) == 60
    assert [{**row, "source": None} for row in from_dask] == [{**row, "source": None} for row in from_batch]
    assert sum(not row["ok"] for row in from_dask) == 4
