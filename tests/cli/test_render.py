"""What the result shows a person: reasons that agree, evidence that supports, the card last."""

from __future__ import annotations

import io
import json
import tomllib

import pytest
from helpers import EXAMPLES, ROOT

from pmpt_cli.cli.render import (
    card,
    render_plain,
    render_plain_card,
    render_plain_details,
    render_rich,
    shown_scores,
)
from pmpt_cli.cli.wrap import cell_width, wrap
from pmpt_cli.engine import run_triage
from pmpt_cli.loader import load_questionnaire
from pmpt_cli.report import result_to_dict

NEEDS = [
    {"id": "pain_relief", "need": "pain-relief", "label": "Pain-relief need", "value": 7, "band": "high", "max": 10,
     "contributors": [{"id": "pain_avg", "label": "Average pain", "value": 8, "source": "answer"}]},
    {"id": "rehabilitation", "need": "rehabilitation", "label": "Rehabilitation need", "value": 4,
     "band": "moderate", "max": 10, "contributors": []},
]  # fmt: skip


@pytest.fixture(scope="module")
def core():
    return load_questionnaire(ROOT / "questionnaires" / "pmpt-core.toml")


def example(core, name: str, **changes) -> dict:
    answers = tomllib.loads((EXAMPLES / f"{name}.toml").read_text())["answers"] | changes
    return result_to_dict(core, run_triage(core, answers))


def rich_text(data: dict, width: int = 80) -> str:
    from rich.console import Console

    out = io.StringIO()
    render_rich(data, Console(file=out, width=width, color_system=None))
    return out.getvalue()


# -- wrapping ---------------------------------------------------------------------------------


def test_wrap_breaks_at_words_with_a_hanging_indent():
    lines = wrap("One leg is a little weak or numb, but it is not getting worse", 30, "1. ")
    assert lines == ["1. One leg is a little weak or", "   numb, but it is not getting", "   worse"]


def test_wrap_measures_wide_characters_by_columns():
    text = "痛み " * 12 + "🦵 leg"
    for line in wrap(text, 20, "- "):
        assert cell_width(line) <= 20
    assert cell_width("🦵") == 2 and cell_width("é") == 1 and cell_width("e\u0301") == 1


def test_wrap_breaks_only_a_word_longer_than_the_line():
    assert wrap("a " + "x" * 25, 10, "> ") == ["> a", "  xxxxxxxx", "  xxxxxxxx", "  xxxxxxxx", "  x"]


# -- reasons that agree -----------------------------------------------------------------------


def test_why_lists_only_reasons_for_the_outcome_and_others_are_noted_without_their_advice(core):
    data = example(core, "both-chronic-back")
    others = [r for r in data["reasons"] if r["outcome"] != "both"]
    assert others, "the example should fire other routes too"
    text = render_plain_details(data, 80)
    why, also = text.split("Also noted:")[0], text.split("Also noted:")[1].split("What this care")[0]
    assert "When pain is this severe it blocks" in " ".join(why.split())
    for reason in others:  # named, with the answers behind them, never with their advice
        assert reason["explanation"][:30] not in " ".join(text.split())
    assert "no specific reason for a pain specialist first" not in " ".join(text.split())
    assert "Physical therapy is part of your plan, from these answers:" in " ".join(also.split())


def test_evidence_lists_only_answers_that_support_the_reason(core):
    from pmpt_cli.report import _supports, supporting_tests

    tests = supporting_tests("count(walking, 'some', 'a_lot') + count(self_care, 'some', 'a_lot') >= 1")
    assert _supports(tests["walking"], "some") and not _supports(tests["self_care"], "none")
    data = example(core, "both-chronic-back")
    decisive = next(r for r in data["reasons"] if r["decisive"])
    decisive["evidence"] = [
        {"name": "self_care", "kind": "question", "label": "Washing and dressing yourself", "value": "none",
         "answer": "No difficulty", "supports": False},
        {"name": "walking", "kind": "question", "label": "Walking for about 15 minutes", "value": "some",
         "answer": "Some difficulty", "supports": True},
    ]  # fmt: skip
    text = render_plain_details(data, 200)
    assert "Washing and dressing yourself → No difficulty" not in text
    assert "Walking for about 15 minutes → Some difficulty" in text


def test_question_and_answer_are_visibly_separated(core):
    text = render_plain_details(example(core, "both-chronic-back"), 200)
    assert "How long have you had this pain? → More than 6 months" in text


def test_sources_are_numbered_citations_listed_once(core):
    text = render_plain_details(example(core, "both-chronic-back"), 200)
    sources = text.split("Sources:")[1]
    cited = [r["source"] for r in data_reasons(core, "both-chronic-back")]
    assert sources.count("[1] ") == 1 and " ".join(cited[0].split())[:40] in " ".join(sources.split())
    for source in set(cited):  # each source once, however many reasons cite it
        assert " ".join(text.split()).count(" ".join(source.split())) == 1


def test_emergency_shows_no_scores_and_only_red_flag_reasons(core):
    data = example(core, "emergency-cauda-equina")
    assert shown_scores(data) == []
    text = render_plain(data, 80)
    assert "Scores:" not in text
    assert all(r["outcome"] in ("emergency", "urgent") for r in data["reasons"] if r["explanation"][:40] in text)


def test_scores_leave_out_uncomputed_scores_and_scores_of_questions_not_asked():
    data = {
        "outcome": "physical-therapy",
        "scores": {
            "a": {"label": "Shown", "value": 3, "band": None, "internal": False, "from_answers": True},
            "b": {"label": "Uncomputed", "value": None, "band": None, "internal": False, "from_answers": True},
            "c": {"label": "Never asked", "value": 0, "band": None, "internal": False, "from_answers": False},
            "d": {"label": "Helper", "value": 1, "band": None, "internal": True, "from_answers": True},
        },
    }
    assert [s["label"] for s in shown_scores(data)] == ["Shown"]


def test_a_score_of_unasked_questions_is_marked(core):
    data = example(core, "physical-therapy-knee")
    asked = set(data["answers"])
    assert "pain_spreads" not in asked  # a knee: not asked
    assert data["scores"]["neuro_features"]["from_answers"] is True  # nerve_words was asked


# -- the card ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.toml")), ids=lambda p: p.stem)
def test_the_card_is_last_and_fits_24_lines_at_80_columns(core, path):
    answers = tomllib.loads(path.read_text())["answers"]
    data = result_to_dict(core, run_triage(core, answers))
    plain = render_plain(data, 80)
    assert plain.endswith(render_plain_card(data, 80))
    assert len(render_plain_card(data, 80).splitlines()) <= 20
    rich = rich_text(data).rstrip().splitlines()
    card_top = max(i for i, line in enumerate(rich) if line.startswith("╭"))
    assert len(rich) - card_top <= 20
    assert data["headline"] in " ".join(rich[card_top:])
    facts = card(data)
    if data["outcome"] in ("emergency", "urgent"):
        # The instruction is the last thing: the card's last lines are the first step.
        tail = " ".join(line.strip("│ ") for line in rich[-4:-1])
        assert tail.split()[-1] in facts["next"].split()[-1]
        assert plain.rstrip().splitlines()[-2].split()[-1] == facts["next"].split()[-1]


def test_the_card_says_why_in_two_sentences_at_most(core):
    facts = card(example(core, "emergency-cauda-equina"))
    assert facts["why"].count(". ") <= 1
    assert facts["next"].startswith("Go to the nearest emergency department")


# -- the needs chart --------------------------------------------------------------------------


@pytest.mark.parametrize("width", [40, 50, 80, 120])
def test_needs_chart_fits_plain_and_rich(width):
    data = {"outcome": "both", "reasons": [], "notes": [], "scores": {}, "disclaimer": "d", "needs": NEEDS,
            "care": {"headline": "h", "care": "c", "steps": ["s"], "next": "n"}}  # fmt: skip
    plain = render_plain_details(data, width)
    assert "Pain-relief need" in plain and "7/10 high" in plain and "4/10 moderate" in plain
    assert all(cell_width(line) <= width for line in plain.splitlines())
    bars = [line for line in plain.splitlines() if "[" in line and "/10" in line]
    assert bars[0].count("#") > bars[1].count("#")
    rich = rich_text(data, width)
    assert "Rehabilitation need" in rich and "7/10 high" in rich
    assert all(cell_width(line) <= width for line in rich.splitlines())


def test_no_needs_key_is_fine(core):
    data = example(core, "physical-therapy-knee")
    data.pop("needs", None)
    assert "Your needs" not in render_plain(data) and "Your needs" not in rich_text(data)


def test_needs_are_not_shown_under_an_emergency():
    data = {"outcome": "emergency", "reasons": [], "notes": [], "scores": {}, "disclaimer": "d", "needs": NEEDS,
            "care": {"headline": "h", "care": "c", "steps": ["go"], "next": "n"}}  # fmt: skip
    assert "need" not in render_plain(data)


def test_json_shape_is_only_added_to(core):
    data = example(core, "physical-therapy-knee")
    assert json.loads(json.dumps(data))["reasons"][0]["evidence"][0]["supports"] in (True, False)


def data_reasons(core, name: str) -> list[dict]:
    """The reasons shown under "Why" and "Also noted", in order (the sources they cite)."""
    data = example(core, name)
    return [r for r in data["reasons"] if r["decisive"]] + [r for r in data["reasons"] if not r["decisive"]]
