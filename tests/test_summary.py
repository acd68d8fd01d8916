"""The summary format: schema versions, reading summaries back, redaction, score definitions."""

from __future__ import annotations

import copy
import datetime
import re
import tomllib

import pytest
from helpers import FIXTURES, ROOT

from pmpt_cli.engine import run_triage
from pmpt_cli.errors import InputFileError
from pmpt_cli.export import document_toml, summary_document, summary_toml
from pmpt_cli.loader import build_questionnaire, load_questionnaire
from pmpt_cli.summary import SUMMARY_SCHEMA, read_summary, redact, score_definition

NOW = datetime.datetime(2025, 3, 4, 10, 30, 15, tzinfo=datetime.timezone.utc)


def summary_of(questionnaire, answers, **options) -> dict:
    result = run_triage(questionnaire, answers, allow_missing=True)
    return summary_document(questionnaire, result, now=NOW, **options)


def test_a_summary_carries_the_questionnaire_and_the_schema(mini, mini_answers):
    document = summary_of(mini, mini_answers)
    assert document["schema"] == SUMMARY_SCHEMA == 2
    assert (document["questionnaire"], document["questionnaire_version"]) == ("mini", "1.0.0")
    assert document["questionnaire_sha256"] == mini.sha256
    assert document["questionnaire_url"] == "urn:pmpt:questionnaire:mini"
    assert document["status"] == "completed" and document["skipped"] == []
    assert document["scores"]["pain"] == {
        "label": "Pain intensity", "value": 5.5, "band": "moderate", "definition": score_definition(mini, "pain"),
    }  # fmt: skip


def test_mcid_and_direction_go_into_the_summary():
    core = load_questionnaire("pmpt-core")
    from helpers import TYPICAL_CORE

    score = summary_of(core, TYPICAL_CORE)["scores"]["function_loss"]
    assert score["mcid"] == 10 and score["better"] == "lower" and score["mcid_source"].startswith("Ostelo")


def test_a_partial_triage_is_in_progress(mini):
    assert summary_of(mini, {"hot_joint": "yes"})["status"] == "in-progress"


def test_read_summary_reads_what_export_writes(mini, mini_answers):
    text = summary_toml(mini, run_triage(mini, mini_answers), now=NOW)
    summary = read_summary(text.encode(), origin="s.toml")
    assert summary["answers"] == mini_answers and summary["outcome"] == "physical-therapy"
    assert summary["created"] == NOW and summary["redacted"] is False


def test_schema_1_summaries_still_load_with_the_newer_fields_empty(mini, mini_answers):
    old = summary_of(mini, mini_answers)
    old["schema"] = 1
    for key in ("questionnaire_url", "status", "skipped"):
        del old[key]
    for score in old["scores"].values():
        del score["definition"]
    summary = read_summary(document_toml(old).encode(), origin="old.toml")
    assert summary["status"] is None and summary["questionnaire_url"] is None and summary["skipped"] == []
    assert summary["scores"]["pain"]["definition"] is None and summary["scores"]["pain"]["value"] == 5.5


def test_a_newer_schema_is_refused_with_a_clear_message(mini, mini_answers):
    newer = summary_of(mini, mini_answers) | {"schema": SUMMARY_SCHEMA + 1}
    with pytest.raises(InputFileError, match=r"new\.toml: summary schema 3 was written by a newer pmpt; "
                                             r"this pmpt reads schemas 1 to 2\. Upgrade pmpt"):  # fmt: skip
        read_summary(document_toml(newer).encode(), origin="new.toml")


@pytest.mark.parametrize(("data", "message"), [
    (b"questionnaire = 'mini'\n[answers]\n", "not a pmpt summary (it has no schema number)"),
    (b"schema = 'two'\n", "not a pmpt summary"),
    (b"schema = 0\n", "summary schema 0 does not exist"),
    (b"\xff\xfe", "not UTF-8 text"),
    (b"schema = [", "not valid TOML"),
    (b"a = " + b"[" * 100_000, "nested too deeply"),
    (b"x" * 5_000_001, "larger than 5 MB"),
])  # fmt: skip
def test_hostile_files_are_refused_with_a_message(data, message):
    with pytest.raises(InputFileError, match=re.escape(message)):
        read_summary(data, origin="bad.toml")


def test_wrong_types_are_each_reported(mini, mini_answers):
    document = summary_of(mini, mini_answers)
    document.update(answers=[1], questionnaire_sha256=3, status="done")
    document["scores"]["pain"]["value"] = "high"
    with pytest.raises(InputFileError) as info:
        read_summary(document_toml(document).encode(), origin="bad.toml")
    assert [str(p) for p in info.value.problems] == [
        "questionnaire_sha256: must be a string, not int",
        "answers: must be a table, not list",
        "status: must be 'completed' or 'in-progress', not 'done'",
        "scores.pain.value: must be a number",
    ]


def test_redact_leaves_out_free_text_dates_and_the_time_of_day(mini, mini_answers):
    answers = mini_answers | {"comment": "I am Jane Doe from 12 Elm St"}
    document = summary_of(mini, answers, redacted=True)
    assert "comment" not in document["answers"] and document["answers"]["pain_now"] == 5
    assert document["created"] == datetime.date(2025, 3, 4) and document["redacted"] is True
    assert "Jane" not in summary_toml(mini, run_triage(mini, answers), now=NOW, redacted=True)
    dated = load_questionnaire(FIXTURES / "sections.toml")
    answers = {"injured": True, "injury_date": "2024-03-01", "how": "fell off a ladder at home", "pain_now": 3}
    assert set(summary_of(dated, answers, redacted=True)["answers"]) == {"injured", "pain_now"}


def test_redact_also_cleans_the_evidence_of_reasons():
    document = {"answers": {"note": "Jane", "pain": 3}, "reasons": [{"rule": "r", "evidence": {"note": "Jane"}}]}
    assert redact(document, None)["reasons"][0]["evidence"] == {}
    assert redact(document, None)["answers"] == {"pain": 3}


def test_a_score_definition_changes_with_what_the_value_depends_on_only(mini):
    doc = tomllib.loads((FIXTURES / "mini.toml").read_text())
    reworded = copy.deepcopy(doc)
    reworded["questions"][1]["text"] = "Pain right now, 0 to 10?"
    reworded["scores"][0]["bands"][1]["label"] = "light"
    assert score_definition(build_questionnaire(reworded), "pain") == score_definition(mini, "pain")
    rescored = copy.deepcopy(doc)
    rescored["questions"][3]["choices"][0]["score"] = 2
    assert score_definition(build_questionnaire(rescored), "limitation") != score_definition(mini, "limitation")
    assert score_definition(build_questionnaire(rescored), "pain") == score_definition(mini, "pain")


def test_every_summary_field_is_documented():
    core = load_questionnaire("pmpt-core")
    from helpers import TYPICAL_CORE

    document = summary_of(core, TYPICAL_CORE) | {"redacted": True}
    doc = (ROOT / "docs" / "summary-format.md").read_text()
    names = set(document) | {f"scores.{key}" for score in document["scores"].values() for key in score}
    names |= {f"reasons.{key}" for reason in document["reasons"] for key in reason}
    names |= {f"notes.{key}" for note in document["notes"] for key in note}
    undocumented = sorted(name for name in names if f"`{name}`" not in doc)
    assert undocumented == []
