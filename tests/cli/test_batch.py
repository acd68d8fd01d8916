"""``pmpt batch``: mixed good and bad rows, every input kind, both output formats."""

from __future__ import annotations

import csv
import io
import json
import os
import shlex
import signal
import stat
import subprocess
import sys
import time

import pytest
from helpers import EXAMPLES, FIXTURES, ROOT, fake_env
from typer.testing import CliRunner

from pmpt_cli import triage_record
from pmpt_cli.cli import batch as batch_module
from pmpt_cli.cli.app import app
from pmpt_cli.cli.batch import BatchRequest, run_batch
from pmpt_cli.cli.batch_work import Worker
from pmpt_cli.engine import run_triage
from pmpt_cli.errors import Interrupted, PmptError

MINI = str(FIXTURES / "mini.toml")

MIXED_CSV = """\
id,hot_joint,pain_now,pain_worst,limits,weeks,tried,comment
p1,no,5,6,stairs,10,yes,
p2,Not sure,2,3,,2,no,"hello, world"
p3,no,8,9,"stairs,walking",30,n,
p4,no,11,6,,10,yes,
p5,no,0,,none,100,true,
,no,1,1,,1,no,
p7,maybe,3,3,,x,no,
p8,no,3,4,,1
p9,no,1,2,,2,false,
"""


def write(path, text):
    path.write_text(text)
    return str(path)


def rows_of(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_mixed_csv_rows_good_ones_run_bad_ones_reported_and_skipped(runner, tmp_path):
    people = write(tmp_path / "people.csv", MIXED_CSV)
    result = runner.invoke(app, ["batch", people, "--questionnaire", MINI])
    assert result.exit_code == 1
    rows = rows_of(result.stdout)
    assert [r["id"] for r in rows] == ["p1", "p2", "p3", "p4", "p5", f"{people}:7", "p7", "p8", "p9"]
    assert [r["status"] for r in rows] == ["ok", "ok", "ok", "error", "ok", "error", "error", "error", "ok"]
    by_id = {r["id"]: r for r in rows}
    assert by_id["p1"]["outcome"] == "physical-therapy" and by_id["p1"]["decided_by"] == "default"
    assert by_id["p2"]["outcome"] == "urgent" or by_id["p2"]["outcome"] == "emergency"  # "Not sure" is a label
    assert by_id["p3"]["reasons"] == "severe_and_limited;severe_pain" and by_id["p3"]["outcome"] == "both"
    assert by_id["p3"]["score_pain"] == "8.5" and by_id["p3"]["band_pain"] == "severe"
    assert "pain_now: 11 is out of range" in by_id["p4"]["error"]
    assert "the 'id' cell is empty" in rows[5]["error"]
    assert "'maybe' is not a choice" in by_id["p7"]["error"] and "'x' is not a number" in by_id["p7"]["error"]
    assert "has 6 cells but the header has 8" in by_id["p8"]["error"]
    assert by_id["p9"]["outcome"] == "self-care"
    err = result.stderr
    assert f"failed: {people}:5 (id p4)" in err
    assert "Read 10 lines (9 records, 1 header)." in err
    assert "Triaged 5 of 9 records with mini 1.0.0" in err and "; 4 failed." in err
    assert "  emergency" in err and "  failed                  4" in err
    assert "4 of 9 records failed and were skipped" in err


def test_csv_cells_go_through_the_shared_text_parser(tmp_path, mini, mini_answers):
    people = write(tmp_path / "p.csv", "id,hot_joint,pain_now,pain_worst,limits,weeks,tried\n"
                   "a,No,5,6,Stairs,10,Y\n")  # fmt: skip
    out = tmp_path / "out.jsonl"
    run_batch(BatchRequest([people], questionnaire=MINI, output=str(out), quiet=True), fake_env())
    (row,) = [json.loads(line) for line in out.read_text().splitlines()]
    expected = run_triage(mini, mini_answers)
    assert row["outcome"] == expected.outcome
    assert row["scores"]["pain"] == {"value": expected.scores["pain"].value, "band": expected.scores["pain"].band}


def test_jsonl_input_flat_or_nested_with_bad_lines(runner, tmp_path, mini_answers):
    lines = [
        json.dumps({"id": "flat", **mini_answers}),
        json.dumps({"id": 7, "answers": mini_answers | {"pain_now": 9, "pain_worst": 9}}),
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"answers": mini_answers}),
        "",
        json.dumps({"id": "typo", "answers": mini_answers | {"pain_nw": 3}}),
        json.dumps({"id": "other", "questionnaire": "pmpt-core", "answers": mini_answers}),
    ]
    people = write(tmp_path / "people.jsonl", "\n".join(lines) + "\n")
    result = runner.invoke(app, ["batch", people, "-q", MINI])
    assert result.exit_code == 1
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["ok"] for r in rows] == [True, True, False, False, False, False, False]
    assert rows[0]["outcome"] == "physical-therapy" and rows[1]["id"] == "7"
    assert rows[1]["reasons"][0] == {"rule": "severe_and_limited", "outcome": "both", "decisive": True}
    assert "not valid JSON" in rows[2]["error"] and rows[2]["source"] == f"{people}:3"
    assert "must be a JSON object" in rows[3]["error"]
    assert "no 'id'" in rows[4]["error"]
    assert rows[5]["problems"][0]["message"] == "unknown question 'pain_nw', did you mean 'pain_now'?"
    assert "for questionnaire 'pmpt-core', but this batch runs 'mini'" in rows[6]["error"]


def test_folder_of_answers_files_including_a_broken_one(runner, tmp_path, mini_answers):
    folder = tmp_path / "answers"
    folder.mkdir()
    (folder / "a.toml").write_text('questionnaire = "pmpt-core"\n[answers]\n' + "\n".join(
        f"{k} = {json.dumps(v)}" for k, v in mini_answers.items()) + "\n")  # fmt: skip
    (folder / "b.json").write_text(json.dumps({"answers": mini_answers | {"hot_joint": "yes"}}))
    (folder / "c.toml").write_text("answers = [")
    (folder / ".hidden.toml").write_text("ignored")
    (folder / "readme.txt").write_text("ignored")
    result = runner.invoke(app, ["batch", str(folder), "-q", MINI, "--format", "csv"])
    assert result.exit_code == 1
    rows = rows_of(result.stdout)
    assert [(r["id"], r["status"], r["outcome"]) for r in rows] == [
        ("a", "error", ""),
        ("b", "ok", "emergency"),
        ("c", "error", ""),
    ]
    assert "this batch runs 'mini'" in rows[0]["error"]
    assert "not valid TOML" in rows[2]["error"]


def test_all_good_exits_0_and_counts_outcomes(runner, tmp_path):
    people = write(tmp_path / "p.csv", "id,hot_joint,pain_now,pain_worst,weeks,tried\n"
                   "a,no,1,1,1,no\nb,yes,1,1,1,no\nc,no,5,5,20,yes\n")  # fmt: skip
    result = runner.invoke(app, ["batch", people, "-q", MINI])
    assert result.exit_code == 0, result.output
    counts = dict(line.split() for line in result.stderr.splitlines() if line.startswith("  "))
    assert counts == {"emergency": "1", "urgent": "0", "under-16": "0", "pain-management": "0", "both": "0",
                      "physical-therapy": "1", "self-care": "1", "failed": "0"}  # fmt: skip


def test_a_csv_header_that_does_not_fit_fails_the_batch_before_any_output(runner, tmp_path):
    people = write(tmp_path / "p.csv", "id,site,hot_joint,pain_nw,pain_worst,weeks,tried\na,x,no,1,1,1,no\n")
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["batch", people, "-q", MINI, "-o", str(out)])
    assert result.exit_code == 1 and result.stdout == "" and not out.exists()
    assert "column 'site' is not a question of 'mini'" in result.stderr
    assert "column 'pain_nw' is not a question of 'mini', did you mean 'pain_now'?" in result.stderr
    assert "--ignore-column" in result.stderr and "nothing was written" in result.stderr
    result = runner.invoke(app, ["batch", people.replace("p.csv", "p.csv"), "-q", MINI, "--id-column", "patient"])
    assert result.exit_code == 1 and "has no 'patient' column" in result.stderr and result.stdout == ""
    fixed = write(tmp_path / "q.csv", "patient,site,hot_joint,pain_now,pain_worst,weeks,tried\na,x,no,1,1,1,no\n")
    result = runner.invoke(app, ["batch", fixed, "-q", MINI, "--ignore-column", "site", "--id-column", "patient"])
    assert result.exit_code == 0, result.output


def test_output_file_is_private_atomic_and_not_overwritten(runner, tmp_path):
    people = write(tmp_path / "p.csv", "id,hot_joint,pain_now,pain_worst,weeks,tried\na,no,1,1,1,no\n")
    out = tmp_path / "results.jsonl"
    result = runner.invoke(app, ["batch", people, "-q", MINI, "--output", str(out)])
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(out.read_text())["outcome"] == "self-care"  # format from the extension
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    again = runner.invoke(app, ["batch", people, "-q", MINI, "--output", str(out)])
    assert again.exit_code == 1 and "--force" in again.stderr
    assert runner.invoke(app, ["batch", people, "-q", MINI, "-o", str(out), "--force"]).exit_code == 0
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_stdin_is_read_as_csv_or_json_lines(runner, mini_answers):
    result = runner.invoke(app, ["batch", "-", "-q", MINI], input=json.dumps({"id": "s", **mini_answers}) + "\n")
    assert result.exit_code == 0 and json.loads(result.stdout)["id"] == "s"
    result = runner.invoke(app, ["batch", "-", "-q", MINI],
                           input="id,hot_joint,pain_now,pain_worst,weeks,tried\nc,no,1,1,1,no\n")  # fmt: skip
    assert result.exit_code == 0 and rows_of(result.stdout)[0]["outcome"] == "self-care"


def test_questionnaire_comes_from_the_inputs_when_not_given(runner, tmp_path, mini_answers):
    people = write(tmp_path / "p.jsonl", json.dumps({"id": "x", "questionnaire": MINI, "answers": mini_answers}))
    result = runner.invoke(app, ["batch", people])
    assert result.exit_code == 0, result.output
    assert "with mini 1.0.0" in result.stderr


def test_bad_inputs_are_usage_or_input_errors(runner, tmp_path):
    assert runner.invoke(app, ["batch", str(tmp_path / "missing.csv"), "-q", MINI]).exit_code == 1
    other = write(tmp_path / "p.xlsx", "")
    result = runner.invoke(app, ["batch", other, "-q", MINI])
    assert result.exit_code == 1 and ".csv" in result.stderr
    people = write(tmp_path / "p.csv", "id\n")
    assert runner.invoke(app, ["batch", people, "-q", MINI, "--format", "xml"]).exit_code == 2


def test_progress_bar_only_on_a_terminal_once_the_run_takes_a_while(tmp_path, monkeypatch):
    people = write(tmp_path / "p.csv", "id,hot_joint,pain_now,pain_worst,weeks,tried\n" + "".join(
        f"p{i},no,1,1,1,no\n" for i in range(30)))  # fmt: skip
    monkeypatch.setattr(batch_module, "PROGRESS_DELAY", 0.0)
    out = tmp_path / "o.csv"
    env = fake_env(stderr_isatty=True)
    run_batch(BatchRequest([people], questionnaire=MINI, output=str(out)), env)
    shown = env.stderr.getvalue()
    assert "[" + "#" * batch_module.Progress.WIDTH + "] 100%  30 records" in shown and "/s" in shown
    assert "Triaged 30 of 30" in shown
    env = fake_env(stderr_isatty=False)
    run_batch(BatchRequest([people], questionnaire=MINI, output=str(out), force=True), env)
    assert "#" not in env.stderr.getvalue() and "Triaged 30 of 30" in env.stderr.getvalue()


def test_progress_line_shows_the_rate_and_with_a_known_total_the_time_left():
    bar = batch_module.Progress(io.StringIO(), total=1000.0, clock=lambda: 0.0)
    line = bar.line(records=2_500, done=250.0, elapsed=5.0)
    assert "[######..................]  25%" in line and "2,500 records  500/s" in line and "0:15 left" in line
    unknown = batch_module.Progress(io.StringIO(), total=None, clock=lambda: 0.0)
    assert unknown.line(records=2_500, done=250.0, elapsed=5.0) == "  2,500 records  500/s"


def test_run_batch_raises_after_writing_everything(tmp_path):
    people = write(tmp_path / "p.csv", MIXED_CSV)
    out = tmp_path / "o.csv"
    with pytest.raises(PmptError) as info:
        run_batch(BatchRequest([people], questionnaire=MINI, output=str(out), quiet=True), fake_env())
    assert info.value.exit_code == 1
    assert len(rows_of(out.read_text())) == 9


# -- streaming, every core, and faults (issues 13 and 15) --------------------------------------


def jsonl_people(path, answers: dict, count: int, start: int = 0) -> str:
    line = json.dumps(answers)[1:]
    path.write_text("".join(f'{{"id": "p{i}", {line}\n' for i in range(start, start + count)))
    return str(path)


def mixed_inputs(tmp_path, mini_answers) -> dict[str, list[str]]:
    """One input of each kind, good and bad rows mixed, several chunks each."""
    lines = [json.dumps({"id": f"j{i}", **mini_answers, "pain_now": i % 12}) for i in range(40)]
    lines[5] = '{"id": "huge", "weeks": ' + "9" * 5000 + "}"
    lines[9] = "{not json"
    (tmp_path / "people.jsonl").write_text("\n".join(lines) + "\n\n")
    csv_rows = "".join(f"c{i},no,{i % 12},3,,{i},yes,\n" for i in range(40))
    (tmp_path / "people.csv").write_text(MIXED_CSV + csv_rows)
    folder = tmp_path / "answers"
    folder.mkdir()
    for i in range(25):
        (folder / f"f{i:02d}.toml").write_text(f"[answers]\npain_now = {i % 12}\nhot_joint = 'no'\npain_worst = 3\n"
                                               "weeks = 2\ntried = false\n")  # fmt: skip
    (folder / "f07.toml").write_text("answers = [")
    return {"jsonl": [str(tmp_path / "people.jsonl")], "csv": [str(tmp_path / "people.csv")], "folder": [str(folder)]}


@pytest.mark.parametrize("kind", ["jsonl", "csv", "folder"])
def test_jobs_2_output_is_byte_identical_to_jobs_1(tmp_path, mini_answers, monkeypatch, kind):
    monkeypatch.setattr(batch_module, "CHUNK_RECORDS", 7)  # several chunks for the pool to share
    monkeypatch.setattr(batch_module, "CHUNK_FILES", 4)
    inputs = mixed_inputs(tmp_path, mini_answers)[kind]
    pools = []
    real_context = batch_module._pool_context
    monkeypatch.setattr(batch_module, "_pool_context", lambda: pools.append(1) or real_context())
    outputs = []
    for jobs in (1, 2):
        out = tmp_path / f"out{jobs}.{'csv' if kind == 'csv' else 'jsonl'}"
        env = fake_env()
        with pytest.raises(PmptError):  # some rows fail
            run_batch(BatchRequest(inputs, questionnaire=MINI, output=str(out), jobs=jobs), env)
        assert f", {jobs} jobs)" in env.stderr.getvalue() or jobs == 1
        outputs.append(out.read_bytes())
    assert pools == [1]  # --jobs 2 ran a pool
    assert outputs[0] == outputs[1]
    assert len(outputs[0].splitlines()) >= 25


def test_each_row_is_exactly_what_triage_record_returns(tmp_path, mini, mini_answers):
    people = write(tmp_path / "p.jsonl", json.dumps({"id": "a", **mini_answers}) + "\n")
    result = CliRunner().invoke(app, ["batch", people, "-q", MINI])
    assert json.loads(result.stdout) == triage_record(mini, mini_answers, id="a", source=f"{people}:1")


def test_one_bad_row_never_aborts_the_batch(runner, tmp_path, mini_answers):
    good = json.dumps({"id": "ok", **mini_answers})
    people = write(tmp_path / "p.jsonl", "\n".join([good, '{"id": "x", "weeks": ' + "9" * 5000 + "}", good]) + "\n")
    result = runner.invoke(app, ["batch", people, "-q", MINI])
    assert result.exit_code == 1
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["ok"] for r in rows] == [True, False, True]
    assert "more than 4,300 digits" in rows[1]["error"] and "Triaged 2 of 3 records" in result.stderr


def test_a_malformed_csv_fails_loudly_with_its_line_and_leaves_no_file(runner, tmp_path):
    people = write(tmp_path / "p.csv", "id,hot_joint,pain_now,pain_worst,weeks,tried\n"
                   'a,no,1,1,1,no\nb,no,"2,2,1,no\nc,no,1,1,1,no\n')  # fmt: skip
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["batch", people, "-q", MINI, "-o", str(out)])
    assert result.exit_code == 1 and result.stdout == ""
    assert f"{people}, line 3: not valid CSV: unexpected end of data" in result.stderr
    assert "No output file was written." in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.csv"]


def test_csv_output_cells_that_start_a_formula_are_neutralised(runner, tmp_path):
    people = write(tmp_path / "p.csv", "id,hot_joint,pain_now,pain_worst,weeks,tried\n"
                   '"=HYPERLINK(""http://evil"")",no,1,1,1,no\n@SUM(A1),no,1,1,1,no\n')  # fmt: skip
    result = runner.invoke(app, ["batch", people, "-q", MINI])
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in rows_of(result.stdout)] == ['\'=HYPERLINK("http://evil")', "'@SUM(A1)"]


def test_jobs_must_not_be_negative_and_0_means_every_cpu(runner, tmp_path, mini_answers):
    people = jsonl_people(tmp_path / "p.jsonl", mini_answers, 3)
    assert runner.invoke(app, ["batch", people, "-q", MINI, "--jobs", "-1"]).exit_code == 2
    result = runner.invoke(app, ["batch", people, "-q", MINI, "--jobs", "0"])
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 3


def test_ctrl_c_leaves_no_output_file_and_exits_130(tmp_path, mini_answers, monkeypatch):
    people = jsonl_people(tmp_path / "p.jsonl", mini_answers, 30)
    monkeypatch.setattr(batch_module, "CHUNK_RECORDS", 10)
    calls = []
    real = Worker.run

    def run(self, chunk):
        calls.append(chunk)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(self, chunk)

    monkeypatch.setattr(Worker, "run", run)
    out = tmp_path / "out.jsonl"
    with pytest.raises(Interrupted) as info:
        run_batch(BatchRequest([people], questionnaire=MINI, output=str(out)), fake_env())
    assert info.value.exit_code == 130 and "no output file was written" in info.value.message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.jsonl"]


def test_ctrl_c_during_a_parallel_batch_stops_the_workers_and_leaves_no_output_file(tmp_path, mini_answers):
    people = jsonl_people(tmp_path / "p.jsonl", mini_answers, 300_000)  # far longer than it is allowed to run
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "pmpt_cli", "batch", people, "-q", MINI, "--jobs", "2", "-o", str(out)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while not any(p.name.startswith(".out.jsonl.") and p.stat().st_size for p in tmp_path.iterdir()):
            assert process.poll() is None and time.monotonic() < deadline, process.stderr.read()  # type: ignore[union-attr]
            time.sleep(0.01)
        os.killpg(process.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole process group
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    text = stderr.decode()
    assert process.returncode == 130, text
    assert "Interrupted after" in text and "no output file was written" in text and "Traceback" not in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.jsonl"]


PEAK_SCRIPT = """
import io, resource, sys
from pmpt_cli.cli.batch import BatchRequest, run_batch
from pmpt_cli.cli.environment import Environment
with open(sys.argv[1], "rb") as people, open("/dev/null", "w") as null:
    env = Environment(io.TextIOWrapper(io.BytesIO()), null, null)
    run_batch(BatchRequest([sys.argv[1]], questionnaire=sys.argv[2], quiet=True, jobs=int(sys.argv[3])), env)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


@pytest.mark.parametrize("jobs", [1, 2])
def test_memory_is_flat_the_same_peak_for_20k_and_200k_rows(tmp_path, mini, mini_answers, jobs):
    """The peak RSS of the process that reads and writes (with a pool, the workers' share is
    bounded by the chunks in flight). ``mini`` is loaded first so that both runs find it in
    the compiled cache, and the hash seed is fixed: either can move a peak by a few MB."""
    sizes = (20_000, 200_000)
    paths = [jsonl_people(tmp_path / f"p{n}.jsonl", mini_answers, n) for n in sizes]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    runs = [subprocess.Popen([sys.executable, "-c", PEAK_SCRIPT, path, MINI, str(jobs)], stdout=subprocess.PIPE,
                             text=True, env=env) for path in paths]  # fmt: skip
    small, large = (int(run.communicate(timeout=120)[0]) for run in runs)
    assert all(run.returncode == 0 for run in runs)
    assert large <= small * 1.2, f"peak RSS {small} KiB for {sizes[0]:,} rows, {large} KiB for {sizes[1]:,}"


def test_a_folder_gives_the_same_rows_with_either_toml_parser(tmp_path, mini_answers, monkeypatch):
    pytest.importorskip("tomli")
    from pmpt_cli import toml_parser

    folder = mixed_inputs(tmp_path, mini_answers)["folder"]
    (tmp_path / "answers" / "f08.toml").write_text("[answers]\nx = 1979-05-27T07:32\n")  # TOML 1.1 only
    outputs = []
    for forced in ("", "tomllib"):
        monkeypatch.setenv("PMPT_TOML", forced)
        monkeypatch.setattr(toml_parser, "_fast", [])
        env = fake_env()
        with pytest.raises(PmptError):
            run_batch(BatchRequest(folder, questionnaire=MINI, format="jsonl"), env)
        outputs.append(env.stdout.getvalue())
    assert outputs[0] == outputs[1]
    rows = [json.loads(line) for line in outputs[0].splitlines()]
    assert len(rows) == 25 and "not valid TOML" in rows[7]["error"] and "not valid TOML" in rows[8]["error"]


def readme_batch_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Many people at once") :]
    block = section[section.index("```sh\n") + 6 : section.index("```", section.index("```sh\n") + 6)]
    return [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]


def test_every_batch_command_in_the_readme_runs(runner, tmp_path, monkeypatch):
    """The README's batch examples, run as written, on pmpt-core answers (the examples/)."""
    from pmpt_cli.answers_file import read_answers_file

    people = [read_answers_file(str(p)) for p in sorted(EXAMPLES.glob("*.toml"))]
    people = [(f"p{i}", a.answers) for i, a in enumerate(people) if (a.questionnaire or "pmpt-core") == "pmpt-core"]
    ids = sorted({qid for _, answers in people for qid in answers})
    (tmp_path / "answers").mkdir()
    with open(tmp_path / "people.csv", "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", *ids])
        for pid, answers in people:
            writer.writerow([pid, *(_cell(answers.get(qid)) for qid in ids)])
            (tmp_path / "answers" / f"{pid}.json").write_text(json.dumps({"answers": answers}))
    lines = "".join(json.dumps({"id": pid, "answers": answers}) + "\n" for pid, answers in people)
    (tmp_path / "people.jsonl").write_text(lines)
    monkeypatch.chdir(tmp_path)
    commands = readme_batch_commands()
    assert len(commands) >= 4 and all(c.startswith("pmpt batch ") for c in commands)
    for command in commands:
        args, _, redirect = command.partition(">")
        result = runner.invoke(app, shlex.split(args)[1:])
        assert result.exit_code == 0, (command, result.output)
        if redirect:
            (tmp_path / redirect.strip()).write_text(result.stdout)
    assert len(rows_of((tmp_path / "results.csv").read_text())) == len(people)
    assert (tmp_path / "results.jsonl").read_bytes() == (tmp_path / "all-cpus.jsonl").read_bytes()
    assert [r["id"] for r in rows_of((tmp_path / "answers.csv").read_text())] == sorted(p for p, _ in people)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ",".join(value) if value else "[]"
    return str(value)


def test_a_measure_only_batch_counts_results_without_an_outcome(tmp_path):
    from pmpt_cli.cli.batch import BatchRequest, run_batch

    people = tmp_path / "people.csv"
    people.write_text("id,sleep,energy\np1,not_at_all,several_days\np2,nearly_every_day,nearly_every_day\n")
    env = fake_env()
    summary = run_batch(BatchRequest(inputs=[str(people)], questionnaire=str(FIXTURES / "measure-only.toml")), env)
    assert summary.counts["measure-only"] == 2 and summary.failed == 0
    out, err = env.stdout.getvalue(), env.stderr.getvalue()
    rows = out.splitlines()
    assert rows[1].startswith(f"p1,{people}:2,ok,,,,,1,minimal,,measure-only,1.0.0,")
    assert "  measure-only            2  (scores only, no outcome)\n" in err


def test_every_row_says_which_questionnaire_made_it(tmp_path, mini):
    from pmpt_cli.cli.batch import BatchRequest, run_batch

    people = tmp_path / "people.jsonl"
    people.write_text('{"id": "ok", "hot_joint": "no", "pain_now": 1, "weeks": 1, "tried": true}\n{"id": "bad"}\n')
    env = fake_env()
    with pytest.raises(PmptError):  # one row failed: exit 1
        run_batch(BatchRequest(inputs=[str(people)], questionnaire=str(FIXTURES / "mini.toml"), quiet=True), env)
    rows = [json.loads(line) for line in env.stdout.getvalue().splitlines()]
    expected = {"id": "mini", "version": "1.0.0", "sha256": mini.sha256}
    assert [row["questionnaire"] for row in rows] == [expected, expected]
    csv_out = tmp_path / "people.csv"
    with pytest.raises(PmptError):
        run_batch(BatchRequest(inputs=[str(people)], questionnaire=str(FIXTURES / "mini.toml"), quiet=True,
                               output=str(csv_out)), fake_env())  # fmt: skip
    table = list(csv.DictReader(csv_out.open()))
    assert [(r["questionnaire"], r["questionnaire_version"], r["questionnaire_sha256"]) for r in table] == [
        ("mini", "1.0.0", mini.sha256)
    ] * 2


def test_a_folder_of_questionnaire_responses(runner, tmp_path):
    folder = tmp_path / "responses"
    folder.mkdir()
    for name in ("self-care-recent-back", "urgent-hot-swollen-knee"):
        summary = tmp_path / f"{name}.toml"
        assert runner.invoke(app, ["triage", "-a", str(FIXTURES.parent.parent / "examples" / f"{name}.toml"),
                                   "--export", str(summary)]).exit_code == 0  # fmt: skip
        assert runner.invoke(app, ["export", str(summary), "--format", "fhir-response",
                                   "-o", str(folder / f"{name}.json")]).exit_code == 0  # fmt: skip
    result = runner.invoke(app, ["batch", str(folder), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    rows = {row["id"]: row for row in map(json.loads, result.stdout.splitlines())}
    assert rows["self-care-recent-back"]["outcome"] == "self-care"
    assert rows["urgent-hot-swollen-knee"]["outcome"] == "urgent"
