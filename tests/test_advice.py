"""Answer-dependent wording: a note's watch-for items, and consistency checks between answers."""

from __future__ import annotations

import copy
import tomllib

import pytest
from helpers import FIXTURES, Scripted

from pmpt_cli.advice import note_text
from pmpt_cli.errors import QuestionnaireError
from pmpt_cli.loader import build_questionnaire
from pmpt_cli.report import failed_checks

NOTE = {
    "id": "watch", "when": "pain_now >= 0",
    "text": "Rest a little. See your GP if you {watch_for}. Keep moving.", "source": "s",
    "watch_for": [
        {"text": "get a fever", "unless": [{"question": "hot_joint", "operator": "=", "answer": "yes"}]},
        {"text": "cannot climb stairs", "unless": [{"question": "limits", "operator": "=", "answer": "stairs"}]},
        {"text": "feel worse"},
    ],
}  # fmt: skip
CHECK = {"id": "now_above_worst", "question": "pain_now", "operator": ">", "other": "pain_worst",
         "message": "You said {pain_now} now but {pain_worst} at worst. Is that right?"}  # fmt: skip


def mini_with(**tables) -> dict:
    doc = copy.deepcopy(tomllib.loads((FIXTURES / "mini.toml").read_text()))
    for key, value in tables.items():
        doc.setdefault(key, []).append(value)
    return doc


@pytest.fixture(scope="module")
def q():
    return build_questionnaire(mini_with(notes=NOTE, checks=CHECK))


def test_watch_for_leaves_out_what_was_already_reported(q):
    note = next(n for n in q.notes if n.id == "watch")
    assert (
        note_text(note, {})
        == "Rest a little. See your GP if you get a fever, cannot climb stairs or feel worse. Keep moving."
    )
    assert note_text(note, {"limits": ["stairs"]}) == (
        "Rest a little. See your GP if you get a fever or feel worse. Keep moving."
    )


def test_a_watch_for_sentence_with_nothing_left_is_dropped(q):
    doc = mini_with(notes={**NOTE, "watch_for": NOTE["watch_for"][:1]})
    note = next(n for n in build_questionnaire(doc).notes if n.id == "watch")
    assert note_text(note, {"hot_joint": "yes"}) == "Rest a little. Keep moving."


@pytest.mark.parametrize(("change", "message"), [
    ({"text": "No slot here."}, "must say where the watch_for items go"),
    ({"watch_for": [{"text": "x", "unless": [{"question": "nope", "operator": "=", "answer": 1}]}]},
     "unknown question 'nope'"),
    ({"watch_for": [{"text": "x", "why": 1}]}, "why"),
])  # fmt: skip
def test_watch_for_is_validated(change, message):
    with pytest.raises(QuestionnaireError) as info:
        build_questionnaire(mini_with(notes={**NOTE, **change}))
    assert message in " ".join(str(p) for p in info.value.problems)


@pytest.mark.parametrize(("change", "message"), [
    ({"operator": "~"}, "unknown operator '~'"),
    ({"other": "pain_wrst"}, "unknown question 'pain_wrst', did you mean 'pain_worst'?"),
    ({"other": "limits"}, "'limits' is a multi_choice question"),
    ({"message": "{weeks}?"}, "{weeks} is neither of the check's questions"),
])  # fmt: skip
def test_checks_are_validated(change, message):
    with pytest.raises(QuestionnaireError) as info:
        build_questionnaire(mini_with(checks={**CHECK, **change}))
    assert message in " ".join(str(p) for p in info.value.problems)


def test_a_check_holds_only_when_both_are_answered(q):
    assert failed_checks(q, {"pain_now": 9}) == []
    assert failed_checks(q, {"pain_now": 5, "pain_worst": 6}) == []
    [(check, message)] = failed_checks(q, {"pain_now": 9, "pain_worst": 2})
    assert check.id == "now_above_worst" and message == "You said 9 now but 2 at worst. Is that right?"


def test_the_interview_queries_gently_and_asks_both_again(q):
    from pmpt_cli.cli.interview import CONTINUE, DONE, Interview

    # 9 now, 2 at worst: "is that right?" -> change -> 5 and 6 -> the rest.
    prompter = Scripted("no", 9, 2, "change", 5, 6, ["stairs"], 10, True, None, DONE)
    result = Interview(q, prompter).run()
    assert result.answers["pain_now"] == 5 and result.answers["pain_worst"] == 6
    assert ("menu", CONTINUE, "You said 9 now but 2 at worst. Is that right?") in prompter.asked
    # Said to be right: kept, and not asked again.
    prompter = Scripted("no", 9, 2, CONTINUE, ["stairs"], 10, True, None, DONE)
    assert Interview(q, prompter).run().answers["pain_worst"] == 2


def test_a_scripted_run_warns(runner, tmp_path):
    import tomli_w

    from pmpt_cli.cli.app import app

    path = tmp_path / "q.toml"
    path.write_text(tomli_w.dumps(mini_with(checks=CHECK)))
    answers = tmp_path / "a.toml"
    answers.write_text(tomli_w.dumps({"answers": {"hot_joint": "no", "pain_now": 9, "pain_worst": 2, "weeks": 3,
                                                  "tried": True}}))  # fmt: skip
    result = runner.invoke(app, ["triage", "-q", str(path), "--answers", str(answers)])
    assert result.exit_code == 0, result.stderr
    assert "warning: answers that rarely go together" in result.stderr
    assert "You said 9 now but 2 at worst" in result.stderr
