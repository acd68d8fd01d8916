"""The printable report: what it shows, escaped, self-contained, and printable on A4 and Letter."""

from __future__ import annotations

import datetime
import re
import sys
import tomllib

import pytest
from helpers import EXAMPLES, FIXTURES

from pmpt_cli.engine import run_triage
from pmpt_cli.errors import PmptError
from pmpt_cli.export import summary_document
from pmpt_cli.loader import load_questionnaire
from pmpt_cli.printable import report_data, report_html, report_pdf

NOW = datetime.datetime(2025, 3, 4, 10, 30, tzinfo=datetime.timezone.utc)
CORE = load_questionnaire("pmpt-core")


def summary_of(questionnaire, answers, **options):
    return summary_document(questionnaire, run_triage(questionnaire, answers, allow_missing=True), now=NOW, **options)


def example(name: str) -> dict:
    return summary_of(CORE, tomllib.loads((EXAMPLES / f"{name}.toml").read_text())["answers"])


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.toml")), ids=lambda p: p.stem)
def test_every_report_is_self_contained(path):
    html = report_html(CORE, example(path.stem))
    assert "<script" not in html.lower() and "javascript:" not in html.lower()
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]", html, re.I), "no external URL"
    assert not re.search(r"\b(src|href)=", html) and "@import" not in html and "url(" not in html
    assert html.startswith("<!DOCTYPE html>") and "<style>" in html and "<svg" in html


def test_the_report_shows_header_outcome_reasons_steps_scores_answers_and_signature():
    html = report_html(CORE, example("physical-therapy-knee"), pseudonym="P-0042")
    text = text_of(html)
    assert "Date: 2025-03-04 10:30 UTC" in text
    assert f"Questionnaire: {CORE.title} (pmpt-core {CORE.version})" in text
    assert "pmpt 0.1.0" in text and f"Questionnaire hash: {CORE.sha256[:16]}" in text
    assert "Pseudonymous id: P-0042" in text
    assert 'id="red-flags"' not in html  # no red flag: no red box
    headline = CORE.outcome_texts["physical-therapy"].headline
    assert f"Outcome {headline}" in text and "Next steps" in text
    for step in CORE.outcome_texts["physical-therapy"].steps:
        assert step.replace("'", "&#39;") in html
    assert "Function and mobility loss (percent of maximum): " in text
    assert "Answers About you and your pain How old are you? 51 to 65" in text
    assert "Clinician's name and signature" in text.replace("&#39;", "'")
    assert "pmpt is not a diagnosis." in text


def test_red_flags_are_in_a_prominent_box():
    html = report_html(CORE, example("urgent-cancer-back-pain"))
    box = html.split('id="red-flags"', 1)[1].split("</div>\n", 1)[0]
    assert "Red flags" in box and "You said you have had cancer" in box
    assert ".redflags { border: 2.5px solid #b00000" in html


def test_each_score_is_a_bar_against_its_bands():
    data = report_data(CORE, example("physical-therapy-knee"))
    function = next(s for s in data["scores"] if s["label"].startswith("Function and mobility"))
    assert [b["label"] for b in function["bands"]] == ["minimal", "moderate", "severe", "very severe", "extreme"]
    assert [round(b["x"], 2) for b in function["bands"]] == [0.0, 0.2, 0.4, 0.6, 0.8]
    assert 0 <= function["marker"] <= 1 and function["band"] == "moderate"
    assert [b["current"] for b in function["bands"]] == [False, True, False, False, False]
    assert all(not label.startswith("Weaker warning") for label in (s["label"] for s in data["scores"]))  # internal


def test_every_questionnaire_and_answer_text_is_escaped(mini, mini_answers):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    summary = summary_of(mini, mini_answers | {"comment": hostile})
    html = report_html(mini, summary, pseudonym="<b>P</b>")
    assert "<script" not in html and "<img" not in html and "<b>P</b>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html and "&lt;b&gt;P&lt;/b&gt;" in html


def test_a_redacted_report_says_so_and_holds_no_free_text(mini, mini_answers):
    summary = summary_of(mini, mini_answers | {"comment": "Jane Doe"}, redacted=True)
    html = report_html(mini, summary)
    assert "Jane" not in html and "Redacted: free text, dates and the time of day were left out." in html
    assert "Date: 2025-03-04 " in text_of(html) and "10:30" not in html


def test_a_measure_only_report_has_scores_and_no_outcome():
    questionnaire = load_questionnaire(FIXTURES / "measure-only.toml")
    html = report_html(questionnaire, summary_of(questionnaire, {"sleep": "several_days", "energy": "several_days"}))
    assert "Measure-only questionnaire: scores and bands, no triage outcome" in html
    assert "Next steps" not in html and "Total (0-9): 2 (minimal)" in text_of(html)


def test_a_partial_triage_says_so():
    html = report_html(CORE, summary_of(CORE, {"bladder_bowel": "yes"}))
    assert "Partial: the person stopped before answering every question." in html


@pytest.mark.parametrize(("paper", "size"), [("a4", "A4"), ("letter", "letter"), ("Letter", "letter")])
def test_it_prints_on_a4_and_letter(paper, size, mini, mini_answers):
    html = report_html(mini, summary_of(mini, mini_answers), paper=paper)
    assert f"@page {{ size: {size}; margin: 14mm 15mm; }}" in html
    assert "max-width: 180mm" in html  # narrower than both papers' printable width


def test_pdf_without_weasyprint_says_how_to_get_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    with pytest.raises(PmptError, match=r"pip install 'pmpt\[pdf\]'"):
        report_pdf("<html></html>")
