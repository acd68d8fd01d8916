"""``pmpt batch``: mixed good and bad rows, every input kind, both output formats."""

from __future__ import annotations

import csv
import io
import json
import os
import stat

import pytest
from helpers import FIXTURES, fake_env

from pmpt_cli.cli import batch as batch_module
from pmpt_cli.cli.app import app
from pmpt_cli.cli.batch import BatchRequest, run_batch
from pmpt_cli.engine import run_triage
from pmpt_cli.errors import PmptError

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
    assert counts == {"emergency": "1", "urgent": "0", "pain-management": "0", "both": "0",
                      "physical-therapy": "1", "self-care": "1", "failed": "0"}  # fmt: skip


def test_unknown_csv_column_fails_the_file_unless_ignored(runner, tmp_path):
    people = write(tmp_path / "p.csv", "id,site,hot_joint,pain_nw,pain_worst,weeks,tried\na,x,no,1,1,1,no\n")
    result = runner.invoke(app, ["batch", people, "-q", MINI, "--format", "jsonl"])
    assert result.exit_code == 1
    (row,) = [json.loads(line) for line in result.stdout.splitlines()]
    messages = [p["message"] for p in row["problems"]]
    assert "column 'site' is not a question of 'mini'" in messages
    assert "column 'pain_nw' is not a question of 'mini', did you mean 'pain_now'?" in messages
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
