"""The codebook: every question and score with codes, labels, weights, conditions and users."""

from __future__ import annotations

import csv
import io
import json

from helpers import FIXTURES, SDC_FIXTURES

from pmpt_cli.codebook import CSV_COLUMNS, codebook_csv, codebook_data
from pmpt_cli.fhir.questionnaire_in import import_file
from pmpt_cli.loader import load_questionnaire


def test_every_question_and_score_has_a_row_with_the_questionnaire_on_it(mini):
    rows = list(csv.DictReader(io.StringIO(codebook_csv(mini))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [r["variable"] for r in rows] == [q.id for q in mini.questions] + ["pain", "limitation"]
    assert {(r["questionnaire"], r["questionnaire_version"], r["questionnaire_sha256"]) for r in rows} == {
        ("mini", "1.0.0", mini.sha256)
    }
    limits = rows[3]
    assert limits["choices"] == "stairs, Stairs | walking, Walking | none, None of these"
    assert limits["weights"] == "stairs=1 | walking=1 | none=0" and limits["used_by_scores"] == "limitation"
    assert rows[2]["asked_when"] == "pain_now > 0" and rows[2]["used_by_scores"] == "pain"
    assert rows[7]["kind"] == "score" and rows[7]["method"] == "mean of pain_now, pain_worst (up to 1 missing)"


def test_scores_used_through_other_scores_are_listed():
    core = codebook_data(load_questionnaire("pmpt-core"))
    items = {item["variable"]: item for item in core["items"]}
    assert items["region"]["used_by_scores"][:3] == ["startback_total", "risk_group", "spine_region"]
    assert items["function_loss"]["mcid"] == 10 and items["function_loss"]["better"] == "lower"
    json.dumps(core, allow_nan=False)


def test_imported_codes_and_link_ids_are_in_the_codebook():
    imported = import_file((SDC_FIXTURES / "sdc-phq9-questionnaire.json").read_bytes(), origin="phq9.json")
    data = codebook_data(imported.questionnaire)
    first = data["items"][0]
    assert first["link_id"] == "H1/T1/Q1" and first["used_by_scores"] == ["h1_ts"]
    assert first["choices"][0] == {"value": "not_at_all", "label": "Not at all", "weight": 0, "code": "Not-at-all",
                                   "exclusive": False}  # fmt: skip
    assert data["questionnaire"]["url"].endswith("questionnaire-sdc-profile-example-PHQ9")
    assert "not_at_all=Not-at-all" in codebook_csv(imported.questionnaire)


def test_dates_times_and_conditional_sections_in_the_codebook():
    rows = {r["variable"]: r for r in csv.DictReader(io.StringIO(codebook_csv(load_questionnaire(
        FIXTURES / "sections.toml"))))}  # fmt: skip
    assert rows["injury_date"]["type"] == "date" and rows["injured"]["link_id"] == "1.1"
    assert "injured == True" in rows["injury_date"]["asked_when"]
