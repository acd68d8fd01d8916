"""The interview loop with a scripted prompter, partial files, and ``pmpt triage`` in a pretend terminal."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import tomllib
from typing import Any

import pytest
from helpers import FIXTURES, ROOT, TYPICAL_CORE, Scripted, pretend_terminal, typical_core, typical_keys

from pmpt_cli.answers_file import read_answers_file
from pmpt_cli.cli import partial
from pmpt_cli.cli.interview import (
    BACK,
    CONTINUE,
    DONE,
    STOP,
    Interview,
    InterviewInterrupted,
    offer_to_save,
    red_flag_text,
    welcome_text,
)

MINI = str(FIXTURES / "mini.toml")


FULL = ["no", 5, 6, ["stairs"], 10, True, None]  # every mini question in order; comment left blank


def interview(mini, *script: Any, answers: dict | None = None) -> tuple[Any, Scripted]:
    prompter = Scripted(*script)
    return Interview(mini, prompter, dict(answers or {})).run(), prompter


# -- walking -----------------------------------------------------------------------------


def test_walks_every_question_in_order_then_reviews(mini, mini_answers):
    result, p = interview(mini, *FULL, DONE)
    assert result.answers == mini_answers and not result.stopped_early
    assert p.ids == ["hot_joint", "pain_now", "pain_worst", "limits", "weeks", "tried", "comment", "menu"]
    assert p.script == []


def test_welcome_says_what_how_long_not_a_diagnosis_and_the_keys(mini):
    _, p = interview(mini, *FULL, DONE)
    welcome = p.kinds("welcome")[0]
    assert "Mini knee check" in welcome and "about 1 minute" in welcome
    assert "not a diagnosis" in welcome and "KEYS-HELP" in welcome


def test_section_headings_once_each(mini):
    _, p = interview(mini, *FULL, DONE)
    assert p.kinds("heading") == ["Safety first", "Your pain\nA few questions about how much it hurts."]


def test_progress_counts_enabled_questions(mini):
    _, p = interview(mini, *FULL, DONE)
    progress = [text for _, _, text in p.asked[:7]]
    # pain_worst is not counted until pain_now is answered; nothing conditional is left after it.
    assert progress[:2] == ["Question 1 of about 6", "Question 2 of about 6"]
    assert progress[2:] == [f"Question {n} of 7" for n in range(3, 8)]


def test_enable_when_skips_silently(mini):
    result, p = interview(mini, "no", 0, ["none"], 3, True, None, DONE)
    assert "pain_worst" not in p.ids
    assert "pain_worst" not in result.answers
    assert p.kinds("info") == []


# -- back --------------------------------------------------------------------------------


def test_back_reasks_the_previous_question_with_its_answer(mini):
    result, p = interview(mini, "no", 5, BACK, 7, 8, ["walking"], 3, False, None, DONE)
    assert p.ids[:5] == ["hot_joint", "pain_now", "pain_worst", "pain_now", "pain_worst"]
    assert p.asked[3][1] == 5  # the old answer is the default
    assert result.answers["pain_now"] == 7 and result.answers["pain_worst"] == 8


def test_back_twice_then_forward_again(mini):
    result, p = interview(mini, "no", 5, BACK, BACK, "unsure", STOP)
    assert p.ids == ["hot_joint", "pain_now", "pain_worst", "pain_now", "hot_joint", "menu"]
    assert result.stopped_early and result.answers == {"hot_joint": "unsure", "pain_now": 5}


def test_back_at_the_first_question_says_so(mini):
    _, p = interview(mini, BACK, *FULL, DONE)
    assert p.ids[:2] == ["hot_joint", "hot_joint"]
    assert p.kinds("info") == ["This is the first question."]


def test_back_over_a_question_that_changes_what_is_asked(mini):
    """pain_now 5 -> back -> 0: pain_worst is no longer asked and its answer is gone."""
    result, p = interview(mini, "no", 5, 6, BACK, BACK, 0, ["none"], 2, True, None, DONE)
    assert p.ids[:6] == ["hot_joint", "pain_now", "pain_worst", "limits", "pain_worst", "pain_now"]
    assert p.ids[6] == "limits"
    assert "pain_worst" not in result.answers


# -- review ------------------------------------------------------------------------------


def test_review_lists_every_answer_and_confirm_is_the_default(mini):
    _, p = interview(mini, *FULL, DONE)
    options = dict(p.menus[-1])
    assert p.asked[-1][1] == DONE
    assert options["pain_now"].endswith("→  5") and options["limits"].endswith("→  Stairs")
    assert options["comment"].endswith("→  not answered")


def test_review_edit_changes_an_answer(mini):
    result, p = interview(mini, *FULL, "weeks", 3, DONE)
    assert result.answers["weeks"] == 3
    assert p.asked[-2][:2] == ("weeks", 10)


def test_review_edit_that_disables_a_question_drops_its_answer(mini):
    result, p = interview(mini, *FULL, "pain_now", 0, DONE)
    assert "pain_worst" not in result.answers
    assert "pain_worst" not in dict(p.menus[-1])


def test_review_edit_that_enables_a_question_asks_it(mini):
    result, p = interview(mini, "no", 0, ["none"], 3, True, None, "pain_now", 4, 7, DONE)
    assert p.ids[-3:] == ["pain_now", "pain_worst", "menu"]
    assert result.answers["pain_worst"] == 7


def test_review_back_cancels_the_edit(mini, mini_answers):
    result, _ = interview(mini, *FULL, "weeks", BACK, DONE)
    assert result.answers == mini_answers


# -- red flags ---------------------------------------------------------------------------


def test_red_flag_warns_at_once_and_can_stop(mini):
    result, p = interview(mini, "yes", STOP)
    assert result.stopped_early and result.answers == {"hot_joint": "yes"}
    alert = p.kinds("alert")[0]
    assert alert.startswith("Emergency: get medical help now")
    assert "1. Go to the emergency department now" in alert
    assert "A hot, red, swollen joint with fever can be a joint infection." in alert
    assert p.asked[-1] == ("menu", STOP, "What would you like to do?")


def test_red_flag_continue_finishes_and_warns_once(mini):
    result, p = interview(mini, "unsure", CONTINUE, 5, 6, ["stairs"], 10, True, None, DONE)
    assert not result.stopped_early and result.answers["hot_joint"] == "unsure"
    assert len(p.kinds("alert")) == 1


def test_red_flag_from_a_review_edit(mini):
    result, p = interview(mini, *FULL, "hot_joint", "yes", STOP)
    assert result.stopped_early and len(p.kinds("alert")) == 1


def test_red_flag_already_in_given_answers_warns_before_any_question(mini):
    result, p = interview(mini, STOP, answers={"hot_joint": "yes"})
    assert result.stopped_early and p.ids == ["menu"]


def test_red_flag_text_is_actionable(mini):
    text = red_flag_text(mini, [mini.rules[0]])
    lines = text.splitlines()
    assert lines[0] == mini.outcome_texts["emergency"].headline
    assert lines[2].startswith("1. ")  # what to do comes before why
    assert "Why:" in text


# -- given answers, interruption ---------------------------------------------------------


def test_given_answers_ask_only_what_is_missing(mini):
    given = {"hot_joint": "no", "pain_now": 5, "pain_worst": 6, "limits": ["stairs"]}
    result, p = interview(mini, 12, True, None, DONE, answers=given)
    assert p.ids == ["weeks", "tried", "comment", "menu"]
    assert "4 answers are already filled in" in p.kinds("welcome")[0]
    assert result.answers == given | {"weeks": 12, "tried": True}


def test_back_from_the_first_missing_question_reaches_a_given_answer(mini):
    _, p = interview(mini, BACK, ["walking"], 12, True, None, DONE,
                     answers={"hot_joint": "no", "pain_now": 5, "pain_worst": 6, "limits": ["stairs"]})  # fmt: skip
    assert p.ids[:2] == ["weeks", "limits"] and p.asked[1][1] == ["stairs"]


@pytest.mark.parametrize("stop", [KeyboardInterrupt, EOFError])
def test_interrupt_carries_the_answers_so_far(mini, stop):
    with pytest.raises(InterviewInterrupted) as info:
        interview(mini, "no", 5, stop)
    assert info.value.answers == {"hot_joint": "no", "pain_now": 5}


def test_welcome_text_without_minutes(mini):
    text = welcome_text(mini._replace(minutes=None), "K")
    assert "up to 7 questions." in text and "minute" not in text


# -- saving the summary ------------------------------------------------------------------


def test_offer_to_save_declined(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert offer_to_save(Scripted(False), "x", "s.toml") is None
    assert list(tmp_path.iterdir()) == []


def test_offer_to_save_writes_a_private_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert offer_to_save(Scripted(True, "s.toml"), "data\n", "s.toml") == "s.toml"
    assert (tmp_path / "s.toml").read_text() == "data\n"
    assert stat.S_IMODE((tmp_path / "s.toml").stat().st_mode) == 0o600


def test_offer_to_save_refuses_to_overwrite_and_suggests_another_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.toml").write_text("old")
    p = Scripted(True, "s.toml", "s-2.toml")
    assert offer_to_save(p, "new", "s.toml") == "s-2.toml"
    assert (tmp_path / "s.toml").read_text() == "old"
    assert "already exists" in p.kinds("info")[0]
    assert p.asked[-1] == ("text", "s-2.toml", "Save as:")


def test_offer_to_save_never_proposes_a_name_that_exists(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.toml").write_text("old")
    (tmp_path / "s-2.toml").write_text("old")
    p = Scripted(True, "s-3.toml")
    assert offer_to_save(p, "new", "s.toml") == "s-3.toml"
    assert p.asked[-1] == ("text", "s-3.toml", "Save as:")


def test_offer_to_save_empty_name_cancels(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert offer_to_save(Scripted(True, ""), "x", "s.toml") is None


# -- partial files -----------------------------------------------------------------------


def test_data_dir_follows_xdg_and_ignores_a_relative_one(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert partial.data_dir() == tmp_path / "pmpt"
    monkeypatch.setenv("XDG_DATA_HOME", "relative")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert partial.data_dir() == tmp_path / ".local" / "share" / "pmpt"


def test_partial_file_is_private_and_an_answers_file(mini, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    path = partial.save(partial.default_path("mini"), mini, {"hot_joint": "no", "limits": ["stairs"]}, MINI)
    assert path == tmp_path / "pmpt" / "partial-mini.toml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    again = read_answers_file(str(path))
    assert again.questionnaire == MINI and again.answers == {"hot_joint": "no", "limits": ["stairs"]}
    assert again.questionnaire_sha256 == mini.sha256
    assert partial.newest() == path


def test_questionnaire_ref_is_absolute_for_paths(mini):
    assert partial.questionnaire_ref(mini, "tests/fixtures/mini.toml") == str((ROOT / MINI).resolve())
    assert partial.questionnaire_ref(mini, None) == "mini"


# -- the CLI in a pretend terminal -------------------------------------------------------


@pytest.fixture
def term(tmp_path, monkeypatch, runner):
    """Run ``pmpt`` with stdin 'a terminal' fed by ``keys``; cwd and the data dir in tmp_path."""
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from pmpt_cli.cli.app import app

    pretend_terminal(monkeypatch)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("TERM", raising=False)
    monkeypatch.chdir(tmp_path)

    def invoke(args: list[str], keys: str = "", questionnaire: str = MINI) -> Any:
        with create_pipe_input() as inp:
            inp.send_text(keys)
            inp.close()  # after the keys, end of input: a prompt with no keys left ends instead of waiting
            with create_app_session(input=inp, output=DummyOutput()):
                return runner.invoke(app, ["triage", "-q", questionnaire, *args])

    return invoke


# hot_joint No, pain 5 and 7, limits Stairs, 10 weeks, tried yes, no comment, review OK, don't save.
KEYS = "1571\r10\ry\r\rn"


def test_cli_full_run_json_on_stdout_prompts_elsewhere(term):
    result = term(["--json"], KEYS)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["answers"] == {"hot_joint": "no", "pain_now": 5, "pain_worst": 7, "limits": ["stairs"],
                               "weeks": 10, "tried": True}  # fmt: skip
    assert data["outcome"] == "physical-therapy"
    assert "Question 1 of about 6" in result.stderr and "Safety first" in result.stderr
    card = result.stderr[result.stderr.index("Your result") :]  # the card, on the terminal
    assert "Physical therapy" in card and "the full result is on stdout" in card


def test_cli_summary_then_offer_to_save_with_the_date(term, tmp_path):
    from datetime import date

    result = term([], KEYS[:-1] + "y\r")
    assert result.exit_code == 0, result.stderr
    assert "Physical therapy" in result.stdout
    saved = tmp_path / f"pmpt-summary-{date.today().isoformat()}.toml"
    doc = tomllib.loads(saved.read_text())
    assert doc["outcome"] == "physical-therapy" and doc["answers"]["weeks"] == 10
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600


def test_cli_no_save_offer_when_exporting(term, tmp_path):
    result = term(["--export", "out.toml"], KEYS[:-1])
    assert result.exit_code == 0, result.stderr
    assert tomllib.loads((tmp_path / "out.toml").read_text())["outcome"] == "physical-therapy"


def test_cli_ctrl_c_saves_privately_and_says_how_to_resume(term, tmp_path):
    result = term([], "15\x03")
    assert result.exit_code == 130
    saved = tmp_path / "data" / "pmpt" / "partial-mini.toml"
    assert read_answers_file(str(saved)).answers == {"hot_joint": "no", "pain_now": 5}
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert "pmpt triage --resume" in result.stderr and str(saved) in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_cli_resume_asks_only_the_rest_and_deletes_the_partial_file(term, tmp_path):
    assert term([], "15\x03").exit_code == 130
    result = term(["--resume", "--json"], "71\r10\ry\r\rny")  # don't save; delete the unfinished answers
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["answers"]["pain_now"] == 5
    assert "2 answers are already filled in" in result.stderr
    assert not (tmp_path / "data" / "pmpt" / "partial-mini.toml").exists()


def resume_alone(runner, keys: str) -> Any:
    """``pmpt triage --resume --json`` in the pretend terminal, without --questionnaire."""
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from pmpt_cli.cli.app import app

    with create_pipe_input() as inp:
        inp.send_text(keys)
        inp.close()
        with create_app_session(input=inp, output=DummyOutput()):
            return runner.invoke(app, ["triage", "--resume", "--json"])


def test_cli_resume_without_questionnaire_finds_the_newest_file(term, runner, monkeypatch):
    monkeypatch.setenv("PMPT_QUESTIONNAIRES_DIR", str(FIXTURES))
    assert term([], "15\x03", questionnaire="mini").exit_code == 130
    result = resume_alone(runner, "71\r10\ry\r\rny")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["questionnaire"]["id"] == "mini"


def test_cli_resume_of_a_questionnaire_path_needs_it_confirmed(term, runner):
    """A saved file names a questionnaire path; only the command line may confirm one."""
    stopped = term([], "15\x03")
    resolved = str((ROOT / MINI).resolve())
    assert f"pmpt triage --resume --questionnaire {resolved}" in stopped.stderr
    refused = resume_alone(runner, "")
    assert refused.exit_code == 1 and refused.stdout == ""
    assert f"--questionnaire {resolved}" in refused.stderr.splitlines()[-1]
    confirmed = term(["--resume", "--json"], "71\r10\ry\r\rn", questionnaire=resolved)
    assert confirmed.exit_code == 0, confirmed.stderr
    assert json.loads(confirmed.stdout)["answers"]["pain_now"] == 5


def test_cli_save_flag_chooses_the_file_and_resume_reads_it(term, tmp_path):
    result = term(["--save", "mine.toml"], "1\x03")
    assert result.exit_code == 130
    assert "pmpt triage --resume" in result.stderr and "--save mine.toml" in result.stderr
    assert read_answers_file("mine.toml").answers == {"hot_joint": "no"}
    resumed = term(["--resume", "--save", "mine.toml", "--json"], "571\r10\ry\r\rnn")  # keep mine.toml
    assert resumed.exit_code == 0, resumed.stderr
    assert "Kept your answers in mine.toml" in resumed.stderr and (tmp_path / "mine.toml").exists()
    assert json.loads(resumed.stdout)["answers"]["hot_joint"] == "no"
    # --resume alone finds the answers saved with --save FILE too.
    again = term(["--resume", "--json"], "571\r10\ry\r\rny")
    assert again.exit_code == 0, again.stderr
    assert json.loads(again.stdout)["answers"]["hot_joint"] == "no"
    assert not (tmp_path / "mine.toml").exists()


def test_cli_resume_with_nothing_says_to_use_save(runner, tmp_path, monkeypatch):
    from pmpt_cli.cli.app import app

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    result = runner.invoke(app, ["triage", "--resume"])
    assert result.exit_code == 1
    assert "If you saved them with --save FILE, continue with: pmpt triage --resume --save FILE" in result.stderr


def test_cli_offers_to_continue_saved_answers(term):
    term([], "15\x03")
    result = term(["--json"], "\r71\r10\ry\r\rny")  # Enter: continue; at the end, delete them
    assert result.exit_code == 0, result.stderr
    assert "2 answers are already filled in" in result.stderr
    assert "Deleted the unfinished answers" in result.stderr
    assert json.loads(result.stdout)["answers"]["pain_now"] == 5


def test_cli_start_again_deletes_saved_answers(term, tmp_path):
    term([], "15\x03")
    result = term(["--json"], "2" + KEYS)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["answers"]["pain_now"] == 5
    assert not (tmp_path / "data" / "pmpt" / "partial-mini.toml").exists()


def test_cli_ctrl_c_before_any_answer_saves_nothing(term, tmp_path):
    result = term([], "\x03")
    assert result.exit_code == 130
    assert "nothing was saved" in result.stderr
    assert not (tmp_path / "data").exists()


def test_cli_red_flag_stops_early_and_the_outcome_is_emergency(term):
    result = term(["--json"], "3\rn")  # hot joint: yes; Enter: stop here; don't save
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["outcome"] == "emergency" and data["answers"] == {"hot_joint": "yes"}
    assert "A hot, red, swollen joint" in result.stderr
    assert "Go to the emergency department now" in result.stderr


def test_cli_back_and_review_edit(term):
    # pain 5, back, 8; then at the review pick question 3 (pain_now) and change it to 0;
    # the review opens again at that row, and 1 shows the result.
    keys = "15<871\r10\ry\r301n"
    result = term(["--json"], keys)
    assert result.exit_code == 0, result.stderr
    answers = json.loads(result.stdout)["answers"]
    assert answers["pain_now"] == 0 and "pain_worst" not in answers


def test_cli_partial_answers_file_asks_only_what_is_missing(term, tmp_path):
    (tmp_path / "a.toml").write_text('[answers]\nhot_joint = "no"\npain_now = 2\npain_worst = 3\nlimits = []\n')
    result = term(["--answers", "a.toml", "--json"], "4\rn\r\rn")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["answers"]["weeks"] == 4
    assert "Question 1 of" not in result.stderr and "Question 5 of 7" in result.stderr


def test_cli_plain_prompts_read_lines(runner, tmp_path, monkeypatch):
    from pmpt_cli.cli.app import app

    pretend_terminal(monkeypatch)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    lines = "1\n5\n7\n1\n10\ny\n\n\nn\n"
    result = runner.invoke(app, ["triage", "-q", MINI, "--plain", "--json"], input=lines)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["answers"]["limits"] == ["stairs"]
    assert "  1. No\n  2. Not sure\n  3. Yes" in result.stderr
    assert "\x1b[" not in result.stderr


def test_cli_missing_answers_without_a_terminal_lists_them_and_names_the_flags(runner, tmp_path):
    from pmpt_cli.cli.app import app

    (tmp_path / "a.toml").write_text('[answers]\nhot_joint = "no"\npain_now = 0\n')
    result = runner.invoke(app, ["triage", "-q", MINI, "--answers", str(tmp_path / "a.toml"), "--verbose"])
    assert result.exit_code == 1
    for qid in ("weeks", "tried"):
        assert f"answers.{qid}: required question not answered" in result.stderr
    assert "2 answers missing; run it in a terminal to be asked" in result.stderr
    assert "limits" not in result.stderr  # optional
    no_input = runner.invoke(app, ["triage", "-q", MINI, "--answers", str(tmp_path / "a.toml"), "--no-input"])
    assert no_input.exit_code == 1 and "run without --no-input to be asked" in no_input.stderr


def test_cli_bad_value_then_offer_to_ask_the_rest(term, tmp_path):
    """One invalid answer and several missing: the invalid one is reported first, then pmpt
    offers to ask; Enter (yes) asks the invalid and the missing questions."""
    (tmp_path / "a.toml").write_text('[answers]\nhot_joint = "maybe"\npain_now = 2\npain_worst = 3\nlimits = []\n')
    result = term(["--answers", "a.toml", "--json"], "\r" + "1" + "4\rn\r\rn")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.index("'maybe' is not a choice") < result.stderr.index("Question")
    assert json.loads(result.stdout)["answers"]["hot_joint"] == "no"
    declined = term(["--answers", "a.toml", "--json"], "n")
    assert declined.exit_code == 130 and "pmpt answers template" in declined.stderr


def test_cli_resume_errors(runner, tmp_path, monkeypatch):
    from pmpt_cli.cli.app import app

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    nothing = runner.invoke(app, ["triage", "--resume"])
    assert nothing.exit_code == 1 and "No unfinished answers to resume" in nothing.stderr
    both = runner.invoke(app, ["triage", "--resume", "--answers", "x.toml"])
    assert both.exit_code == 2 and "--answers alone" in both.stderr


def test_scripted_path_never_imports_questionary_or_prompt_toolkit(tmp_path, mini_answers):
    import tomli_w

    answers = tmp_path / "a.toml"
    answers.write_text(tomli_w.dumps({"questionnaire": MINI, "answers": mini_answers}))
    code = (
        "import sys\n"
        "from pmpt_cli.cli.app import main\n"
        f"status = main(['triage', '--answers', {str(answers)!r}, '--questionnaire', {MINI!r}, '--json'])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('questionary', 'prompt_toolkit'))\n"
        "sys.stderr.write(repr((status, heavy)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60, check=False)  # fmt: skip
    assert json.loads(done.stdout)["outcome"] == "physical-therapy"
    assert done.stderr.endswith("(0, [])")


# -- keystrokes ----------------------------------------------------------------------------


def run_keys(term_invoke, keys: list[str], questionnaire: str = MINI) -> Any:
    result = term_invoke(["--json"], "".join(keys), questionnaire)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_typical_mini_run_keystrokes(term, mini_answers):
    keys = typical_keys(load_mini(), mini_answers)
    data = run_keys(term, keys)
    assert data["answers"] == mini_answers
    assert len(keys) == 12  # 7 questions; the review and "save?" are one key each


def test_typical_pmpt_core_run_keystrokes(term):
    core = typical_core()
    keys = typical_keys(core, TYPICAL_CORE)
    data = run_keys(term, keys, core.path)
    assert data["answers"] == TYPICAL_CORE
    asked = len(TYPICAL_CORE)
    # One key per question, plus Enter after each multiple choice, the review and "save?".
    multi = sum(1 for qid in TYPICAL_CORE if core.question(qid).type == "multi_choice")
    assert len(keys) <= asked + 2 * multi + 2, len(keys)
    print(f"\npmpt-core typical run: {asked} questions, {len(keys)} keystrokes")


def load_mini():
    from pmpt_cli.loader import load_questionnaire

    return load_questionnaire(MINI)
