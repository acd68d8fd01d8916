"""``triage_record`` (the per-person function of the public API) and the row writers."""

from __future__ import annotations

import csv
import io
import json
import pickle
from pathlib import Path

import pytest
from helpers import FIXTURES

import pmpt_cli
from pmpt_cli import rows
from pmpt_cli.engine import run_triage
from pmpt_cli.errors import AnswersError
from pmpt_cli.loader import parse_questionnaire
from pmpt_cli.rows import RowWriter, failed_record, neutralise, triage_record
from pmpt_cli.version import __version__

CSV_PROVENANCE = ["questionnaire", "questionnaire_version", "questionnaire_sha256", "pmpt_version"]


def provenance(row: dict) -> list:
    return [row["questionnaire"]["id"], row["questionnaire"]["version"], row["questionnaire"]["sha256"],
            row["pmpt_version"]]  # fmt: skip


def test_triage_record_is_the_public_api_and_pickles():
    assert pmpt_cli.triage_record is triage_record
    assert "triage_record" in pmpt_cli.__all__
    assert pickle.loads(pickle.dumps(triage_record)) is triage_record


def test_a_good_record_is_the_engine_result_with_provenance(mini, mini_answers):
    row = triage_record(mini, mini_answers, id="p1", source="people.jsonl:1")
    expected = run_triage(mini, mini_answers)
    assert row["ok"] is True and row["error"] is None
    assert (row["id"], row["source"], row["outcome"]) == ("p1", "people.jsonl:1", expected.outcome)
    assert row["decided_by"] == (expected.decided_by or "default")
    assert row["reasons"] == [
        {"rule": r.rule_id, "outcome": r.outcome, "decisive": r.decisive} for r in expected.reasons
    ]
    assert row["scores"] == {sid: {"value": s.value, "band": s.band} for sid, s in expected.scores.items()}
    assert provenance(row) == [mini.id, mini.version, mini.sha256, __version__]
    assert len(mini.sha256) == 64
    assert json.loads(json.dumps(row, allow_nan=False)) == row  # plain JSON data
    assert triage_record(mini, mini_answers) == {**row, "id": None, "source": None}  # pure: same in, same out


def test_bad_answers_are_returned_as_data_never_raised(mini, mini_answers):
    row = triage_record(mini, mini_answers | {"pain_now": 11, "pain_nw": 3}, id="p2")
    assert row["ok"] is False and "problems with the answers" in row["error"]
    messages = [p["message"] for p in row["problems"]]
    assert any("11 is out of range" in m for m in messages)
    assert "unknown question 'pain_nw', did you mean 'pain_now'?" in messages
    assert provenance(row) == [mini.id, mini.version, mini.sha256, __version__]
    with pytest.raises(AnswersError):  # the engine raises; triage_record does not
        run_triage(mini, mini_answers | {"pain_now": 11})
    assert triage_record(mini, ["not", "a", "table"])["error"].startswith("the answers must be a table")  # type: ignore[arg-type]
    assert triage_record(mini, {1: "x"})["error"] == "every question id must be a string"  # type: ignore[dict-item]


def test_a_number_too_large_to_score_is_one_failed_record(mini_answers):
    text = (FIXTURES / "mini.toml").read_text()  # weeks without a maximum, in a mean
    text = text.replace('items = ["pain_now", "pain_worst"]', 'items = ["pain_now", "weeks"]')
    questionnaire = parse_questionnaire(text.replace("min = 0\nmax = 1000\n", "min = 0\n").encode(), origin="big")
    row = triage_record(questionnaire, mini_answers | {"weeks": 10**4000}, id="big")
    assert row["ok"] is False and row["id"] == "big"  # a row that says why, not an exception
    assert triage_record(questionnaire, mini_answers, id="fine")["ok"] is True


def test_unexpected_arithmetic_errors_become_rows_too(mini, mini_answers, monkeypatch):
    def explode(*args, **kwargs):
        raise RecursionError("deep")

    monkeypatch.setattr(rows, "run_triage", explode)
    assert triage_record(mini, mini_answers)["error"] == "could not be triaged: the answers are nested too deeply"

    def overflow(*args, **kwargs):
        raise OverflowError("integer division result too large for a float")

    monkeypatch.setattr(rows, "run_triage", overflow)
    assert triage_record(mini, mini_answers)["error"].startswith("could not be triaged: a number is too large to score")


def test_non_finite_scores_are_written_as_null(mini, mini_answers, monkeypatch):
    real = rows.run_triage

    def with_inf(questionnaire, answers):
        result = real(questionnaire, answers)
        pain = result.scores["pain"]._replace(value=float("inf"))
        return result._replace(scores={**result.scores, "pain": pain})

    monkeypatch.setattr(rows, "run_triage", with_inf)
    row = triage_record(mini, mini_answers)
    assert row["scores"]["pain"]["value"] is None
    out = io.StringIO()
    RowWriter(out, mini, "jsonl").write(row)
    assert "Infinity" not in out.getvalue() and "NaN" not in out.getvalue()


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_that_could_be_formulas_are_neutralised(mini, mini_answers, start):
    out = io.StringIO()
    writer = RowWriter(out, mini, "csv")
    writer.header()
    writer.write(triage_record(mini, mini_answers, id=f'{start}HYPERLINK("http://x")', source="a.csv:2"))
    writer.write(failed_record(mini, f"{start}1+2", id="p3", source="a.csv:3"))
    header, good, bad = list(csv.reader(io.StringIO(out.getvalue())))
    assert good[0] == f'\'{start}HYPERLINK("http://x")' and bad[header.index("error")] == f"'{start}1+2"
    assert good[header.index("score_pain")] == "5.5"  # numbers stay numbers
    assert header[-4:] == CSV_PROVENANCE and good[-4:] == [mini.id, mini.version, mini.sha256, __version__]


def test_neutralise_leaves_ordinary_text_alone():
    assert neutralise("p1") == "p1" and neutralise("a=b") == "a=b" and neutralise("") == ""
    assert neutralise("-5") == "'-5" and neutralise("@x") == "'@x"


def test_json_lines_rows_are_one_line_each_and_not_neutralised(mini, mini_answers):
    out = io.StringIO()
    writer = RowWriter(out, mini, "jsonl")
    writer.header()  # nothing for JSON Lines
    writer.write(triage_record(mini, mini_answers, id="=1+2\u2028x"))
    assert out.getvalue().count("\n") == 1 and json.loads(out.getvalue())["id"] == "=1+2\u2028x"
    with pytest.raises(ValueError):
        RowWriter(out, mini, "xml")


def test_the_questionnaire_hash_is_the_files(mini):
    import hashlib

    assert mini.sha256 == hashlib.sha256(Path(FIXTURES / "mini.toml").read_bytes()).hexdigest()
