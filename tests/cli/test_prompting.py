"""Each question type through the real questionary prompts (prompt_toolkit pipe input), and the plain prompter.

Keys are sent as a terminal would send them: "\\x1b[B" is Down, "\\r" Enter, "\\x03" Ctrl-C.
"""

from __future__ import annotations

import copy
import io
import tomllib
from typing import Any

import pytest
from helpers import FIXTURES, fake_env

from pmpt_cli.cli.interview import BACK
from pmpt_cli.cli.plain_prompts import PlainPrompter
from pmpt_cli.cli.prompting import QuestionaryPrompter, make_prompter
from pmpt_cli.loader import build_questionnaire

DOWN, UP, LEFT, ENTER, CTRL_C, BACKSPACE = "\x1b[B", "\x1b[A", "\x1b[D", "\r", "\x03", "\x7f"


def drive(fn, keys: str = "", *, close: bool = True) -> Any:
    """Run ``fn`` with prompt_toolkit reading ``keys`` from a pipe and drawing nowhere."""
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    with create_pipe_input() as inp:
        inp.send_text(keys)
        if close:
            inp.close()  # then end of input, so that a prompt left without keys ends (EOFError) instead of waiting
        with create_app_session(input=inp, output=DummyOutput()):
            return fn()


def ask(question, keys: str, default: Any = None) -> Any:
    return drive(lambda: QuestionaryPrompter(fake_env()).ask(question, default, "Question 1 of 7"), keys)


@pytest.fixture(scope="module")
def q(mini):
    return mini.questions_by_id


@pytest.fixture(scope="module")
def optional_q():
    """mini with every question optional and a 0-100 scale, for skip and typed-scale prompts."""
    doc = copy.deepcopy(tomllib.loads((FIXTURES / "mini.toml").read_text()))
    for question in doc["questions"]:
        question["required"] = False
    doc["questions"].append({"id": "percent", "section": "pain", "type": "scale", "text": "How much better?",
                             "min": 0, "max": 100, "min_label": "not at all", "max_label": "completely"})  # fmt: skip
    return build_questionnaire(doc).questions_by_id


# -- choice ------------------------------------------------------------------------------


def test_choice_one_key_answers(q):
    assert ask(q["hot_joint"], "2") == "unsure"


def test_choice_arrows_and_enter(q):
    assert ask(q["hot_joint"], DOWN + DOWN + ENTER) == "yes"


def test_choice_enter_keeps_the_previous_answer(q):
    assert ask(q["hot_joint"], ENTER, default="yes") == "yes"


@pytest.mark.parametrize("key", ["<", LEFT])
def test_choice_back(q, key):
    assert ask(q["hot_joint"], key) is BACK


def test_optional_choice_can_be_skipped(optional_q):
    assert ask(optional_q["hot_joint"], "s") is None


# -- scale -------------------------------------------------------------------------------


@pytest.mark.parametrize(("keys", "value"), [("7", 7), ("0", 0), ("10", 10), ("1" + ENTER, 1), (DOWN * 3 + ENTER, 3)])
def test_scale_one_key(q, keys, value):
    assert ask(q["pain_now"], keys) == value


def test_scale_lone_one_answers_after_a_pause(q):
    # "1" might start "10": the prompt waits a moment for another key, then answers 1 (not forever).
    prompter = QuestionaryPrompter(fake_env())
    assert drive(lambda: prompter.ask(q["pain_now"], None, ""), "1", close=False) == 1


def test_scale_keys_typed_ahead_reach_the_next_question(q):
    """ "10" then "3" typed quickly answer two scales: the 0 is not lost or misread."""

    def prompter_calls() -> tuple[Any, Any]:
        return QuestionaryPrompter(fake_env()).ask(q["pain_now"], None, ""), QuestionaryPrompter(fake_env()).ask(
            q["pain_worst"], None, ""
        )

    assert drive(prompter_calls, "103") == (10, 3)
    assert drive(prompter_calls, "1" + ENTER + "3") == (1, 3)


def test_scale_back_and_default(q):
    assert ask(q["pain_now"], "<") is BACK
    assert ask(q["pain_now"], ENTER, default=6) == 6


def test_wide_scale_is_typed_and_validated(optional_q):
    assert ask(optional_q["percent"], "150" + ENTER + BACKSPACE * 3 + "55" + ENTER) == 55


def test_optional_scale_can_be_skipped(optional_q):
    assert ask(optional_q["pain_now"], "s") is None


# -- multiple choice ---------------------------------------------------------------------


def test_multi_digits_tick(q):
    assert ask(q["limits"], "21" + ENTER) == ["stairs", "walking"]


def test_multi_space_ticks_the_highlighted_choice(q):
    assert ask(q["limits"], DOWN + " " + ENTER) == ["walking"]


def test_multi_none_of_these_clears_the_others_and_back_again(q):
    assert ask(q["limits"], "123" + ENTER) == ["none"]
    assert ask(q["limits"], "31" + ENTER) == ["stairs"]


def test_multi_default_ticks_previous_answer(q):
    assert ask(q["limits"], ENTER, default=["walking"]) == ["walking"]
    assert ask(q["limits"], "2" + ENTER, default=["walking"]) == []


def test_multi_select_all_does_not_tick_none(q):
    assert ask(q["limits"], "a1" + ENTER) == ["stairs"]


def test_multi_back(q):
    assert ask(q["limits"], LEFT) is BACK


def test_required_multi_with_none_option_needs_a_choice(mini):
    doc = copy.deepcopy(tomllib.loads((FIXTURES / "mini.toml").read_text()))
    doc["questions"][3]["required"] = True
    limits = build_questionnaire(doc).question("limits")
    # Enter with nothing ticked is refused (it would silently mean "none"); then "3" ticks None.
    assert ask(limits, ENTER + "3" + ENTER) == ["none"]


# -- yes / no ----------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "value"), [("y", True), ("n", False), ("Y", True)])
def test_yes_no_one_key(q, key, value):
    assert ask(q["tried"], key) is value


def test_fresh_yes_no_ignores_a_stray_enter(q):
    assert ask(q["tried"], ENTER + "y") is True


def test_yes_no_enter_keeps_the_previous_answer(q):
    assert ask(q["tried"], ENTER, default=False) is False


def test_optional_yes_no_enter_skips(optional_q):
    assert ask(optional_q["tried"], ENTER) is None


def test_yes_no_back(q):
    assert ask(q["tried"], "<") is BACK


# -- number and text ---------------------------------------------------------------------


def test_number_rejects_bad_input_inline_with_the_shared_validator(q):
    assert ask(q["weeks"], "2.5" + ENTER + BACKSPACE * 3 + "abc" + ENTER + BACKSPACE * 3 + "12" + ENTER) == 12


def test_number_required_refuses_empty(q):
    assert ask(q["weeks"], ENTER + "3" + ENTER) == 3


def test_number_default_and_back(q):
    assert ask(q["weeks"], ENTER, default=8) == 8
    assert ask(q["weeks"], "<" + ENTER) is BACK


def test_text_answer_skip_and_limit(q):
    assert ask(q["comment"], "sore after running" + ENTER) == "sore after running"
    assert ask(q["comment"], ENTER) is None
    long = "x" * 201
    assert ask(q["comment"], long + ENTER + BACKSPACE + ENTER) == "x" * 200


# -- menus, interrupts -------------------------------------------------------------------


def test_menu_digit_and_enter_default():
    options = [("a", "First"), ("b", "Second"), ("c", "Third")]
    assert drive(lambda: QuestionaryPrompter(fake_env()).menu("Pick", options, "b"), "3") == "c"
    assert drive(lambda: QuestionaryPrompter(fake_env()).menu("Pick", options, "b"), ENTER) == "b"


def test_confirm_and_text():
    assert drive(lambda: QuestionaryPrompter(fake_env()).confirm("Save?", False), ENTER) is False
    assert drive(lambda: QuestionaryPrompter(fake_env()).confirm("Save?", False), "y") is True
    assert (
        drive(lambda: QuestionaryPrompter(fake_env()).text("Name", "a.toml"), BACKSPACE * 6 + "b.toml" + ENTER)
        == "b.toml"
    )


@pytest.mark.parametrize("name", ["hot_joint", "pain_now", "limits", "tried", "weeks", "comment"])
def test_ctrl_c_raises_keyboard_interrupt_at_every_type(q, name):
    with pytest.raises(KeyboardInterrupt):
        ask(q[name], CTRL_C)


def test_closed_input_raises_eof(q):
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    with create_pipe_input() as inp:
        inp.close()
        with create_app_session(input=inp, output=DummyOutput()), pytest.raises(EOFError):
            QuestionaryPrompter(fake_env()).ask(q["pain_now"], None, "")


def test_prompts_and_messages_never_touch_stdout(q):
    env = fake_env()

    def run() -> Any:
        prompter = QuestionaryPrompter(env)
        prompter.show("welcome", "Title\nbody")
        prompter.show("heading", "Your pain\nintro")
        return prompter.ask(q["hot_joint"], None, "Question 1 of 7")

    assert drive(run, "1") == "no"
    assert env.stdout.getvalue() == ""
    assert "Your pain" in env.stderr.getvalue() and "Question 1 of 7" in env.stderr.getvalue()


def test_questionnaire_markup_is_shown_literally(q):
    env = fake_env()
    drive(lambda: QuestionaryPrompter(env).show("heading", "[bold]Pain[/bold] [x]"))
    assert "[bold]Pain[/bold] [x]" in env.stderr.getvalue()


# -- choosing a prompter -----------------------------------------------------------------


def test_plain_flag_and_dumb_terminal_choose_plain_prompts(monkeypatch):
    assert isinstance(make_prompter(fake_env(), plain=True), PlainPrompter)
    monkeypatch.setenv("TERM", "dumb")
    assert isinstance(make_prompter(fake_env()), PlainPrompter)


def test_falls_back_to_plain_when_prompt_toolkit_cannot_start(monkeypatch, capsys):
    import prompt_toolkit.output

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OSError("no console")

    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setattr(prompt_toolkit.output, "create_output", broken)
    env = fake_env()
    assert isinstance(make_prompter(env), PlainPrompter)
    assert "plain prompts" in env.stderr.getvalue()


# -- the plain prompter ------------------------------------------------------------------


def plain(lines: str) -> tuple[PlainPrompter, io.StringIO]:
    err = io.StringIO()
    return PlainPrompter(stdin=io.StringIO(lines), stderr=err), err


@pytest.mark.parametrize(
    ("name", "typed", "value"),
    [
        ("hot_joint", "3\n", "yes"),
        ("hot_joint", "not sure\n", "unsure"),
        ("pain_now", "10\n", 10),
        ("limits", "1, 2\n", ["stairs", "walking"]),
        ("limits", "\n", None),
        ("tried", "n\n", False),
        ("weeks", "12\n", 12),
        ("comment", "fine\n", "fine"),
        ("comment", "\n", None),
    ],
)
def test_plain_every_type(q, name, typed, value):
    prompter, _ = plain(typed)
    assert prompter.ask(q[name], None, "Question 1 of 7") == value


def test_plain_shows_numbered_choices_and_anchors(q):
    prompter, err = plain("1\n5\n")
    prompter.ask(q["hot_joint"], None, "Question 1 of 7")
    prompter.ask(q["pain_now"], None, "Question 2 of 7")
    text = err.getvalue()
    assert "  1. No\n  2. Not sure\n  3. Yes" in text
    assert "0 = no pain, 10 = worst imaginable" in text
    assert "Question 2 of 7" in text


def test_plain_rejects_and_reasks_with_the_reason(q):
    prompter, err = plain("11\n1\n1,3\n1\n")
    assert prompter.ask(q["pain_now"], None, "") == 1
    assert "11 is out of range" in err.getvalue()
    assert prompter.ask(q["limits"], None, "") == ["stairs"]
    assert "cannot be combined" in err.getvalue()


def test_plain_back_default_and_eof(q):
    prompter, _ = plain("<\n\n")
    assert prompter.ask(q["weeks"], 4, "") is BACK
    assert prompter.ask(q["weeks"], 4, "") == 4
    with pytest.raises(EOFError):
        prompter.ask(q["weeks"], None, "")


def test_plain_menu_confirm_text():
    prompter, err = plain("\n2\nx\ny\n\n")
    assert prompter.menu("Pick", [("a", "A"), ("b", "B")], "a") == "a"
    assert prompter.menu("Pick", [("a", "A"), ("b", "B")], "a") == "b"
    assert prompter.confirm("Save?", False) is True
    assert "type y or n" in err.getvalue()
    assert prompter.text("Name", "x.toml") == "x.toml"


def test_plain_explains_with_labels_never_ids(q):
    prompter, err = plain("1,3\nmaybe\n1\n2\n")
    assert prompter.ask(q["limits"], None, "") == ["stairs"]
    assert "'None of these' cannot be combined" in err.getvalue() and "'none'" not in err.getvalue()
    assert prompter.ask(q["hot_joint"], None, "") == "unsure"
    assert "(type a number from 1 to 3)" in err.getvalue() and "choices: no, unsure" not in err.getvalue()


# -- long lists, narrow screens, wide characters ------------------------------------------------


def draw(prompt, cols: int, rows: int) -> str:
    """What ``prompt`` (a ``ListPrompt``) shows on a ``cols`` x ``rows`` terminal, as text."""
    prompt._size = lambda: (cols - 1, rows)  # as ListPrompt reads a terminal: one column spare
    return "".join(text for _, text in prompt.tokens())


def test_menu_with_two_digit_rows_waits_for_enter():
    options = [(f"k{i}", f"Row number {i}") for i in range(1, 16)]

    def pick(keys: str) -> Any:
        return drive(lambda: QuestionaryPrompter(fake_env()).menu("Pick", options, "k1"), keys)

    assert pick("12\r") == "k12"  # "1" alone picks nothing: it waits for the next digit or Enter
    assert pick("1\r") == "k1"
    assert pick("9\r") == "k9"
    assert pick("12" + BACKSPACE + "5\r") == "k15"
    assert pick("\r") == "k1" and pick(DOWN * 3 + "\r") == "k4"


def test_a_long_menu_scrolls_and_says_what_is_above_and_below():
    from pmpt_cli.cli.prompting import Item, ListPrompt

    items = [Item(i, f"Row number {i}, a label long enough to wrap onto a second line here", number=str(i))
             for i in range(1, 31)]  # fmt: skip
    shown = draw(ListPrompt("Check your answers", items, default=20, keys={}, hint="(hint)", number_entry=True), 50, 20)
    lines = shown.splitlines()
    assert len(lines) <= 19 and all(len(line) <= 50 for line in lines)
    assert "↑" in shown and "more above" in shown and "more below" in shown
    assert "❯ 20. Row number 20, a label long enough to wrap" in shown
    assert "    onto a second line here" in shown  # the hanging indent
    top = draw(ListPrompt("Check your answers", items, default=1, keys={}, hint="(hint)", number_entry=True), 50, 20)
    assert "more above" not in top and "more below" in top


def test_wide_characters_wrap_by_display_width():
    from pmpt_cli.cli.prompting import Item, ListPrompt
    from pmpt_cli.cli.wrap import cell_width

    label = "腰の痛み🦵が脚に広がる " * 4
    items = [Item("a", label, number="1"), Item("b", "b", number="2")]
    shown = draw(ListPrompt("痛みはどこですか？" * 4, items, default=None, keys={}, hint="(press a number)"), 40, 20)
    assert all(cell_width(line) <= 39 for line in shown.splitlines())
    assert "".join(shown.split()).count("腰の痛み🦵が脚に広がる") == 4


def test_welcome_keys_follow_the_question_types(mini):
    from pmpt_cli.loader import load_questionnaire

    core = load_questionnaire("pmpt-core")
    prompter = QuestionaryPrompter(fake_env())
    core_keys = prompter.key_help(frozenset(q.type for q in core.questions))
    assert "y or n" not in core_keys and "type < and press Enter" not in core_keys
    assert "press their numbers to tick" in core_keys and "0 to 10 scale" in core_keys
    mini_keys = prompter.key_help(frozenset(q.type for q in mini.questions))
    assert "y or n" in mini_keys and "type < and press Enter" in mini_keys
    plain_keys = PlainPrompter(io.StringIO(), io.StringIO()).key_help(frozenset({"choice"}))
    assert "y or n" not in plain_keys and "separated by spaces" not in plain_keys
