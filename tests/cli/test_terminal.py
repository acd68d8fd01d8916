"""End to end in a real pseudo-terminal (pexpect): keystrokes in, the screen and the files out.

pexpect makes its own pty, so these run under CI with no terminal attached.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import sys
import time
import tomllib
from datetime import date
from pathlib import Path

import pytest
from helpers import FIXTURES, ROOT, TYPICAL_CORE, Screen, typical_core, typical_steps

pexpect = pytest.importorskip("pexpect")

pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")]

MINI = str(FIXTURES / "mini.toml")
TIMEOUT = 20
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def spawn(
    tmp_path: Path,
    args: list[str],
    *,
    shell: str | None = None,
    term: str = "xterm-256color",
    questionnaire: str = MINI,
):
    """``python -m pmpt_cli triage ARGS`` in a fresh pty; ``shell`` wraps it (for redirections)."""
    # A real terminal answers prompt_toolkit's cursor-position query at once; a bare pty never does,
    # and each prompt would wait a second for it.
    env = {
        **os.environ,
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "TERM": term,
        "PYTHONPATH": str(ROOT),
        "PROMPT_TOOLKIT_NO_CPR": "1",
    }
    env.pop("NO_COLOR", None)
    command = [sys.executable, "-m", "pmpt_cli", "triage", "-q", questionnaire, *args]
    if shell is not None:
        import shlex

        return pexpect.spawn("/bin/sh", ["-c", " ".join(map(shlex.quote, command)) + shell], cwd=tmp_path,
                             env=env, encoding="utf-8", timeout=TIMEOUT, dimensions=(50, 120))  # fmt: skip
    return pexpect.spawn(command[0], command[1:], cwd=tmp_path, env=env, encoding="utf-8", timeout=TIMEOUT,
                         dimensions=(50, 120))  # fmt: skip


def answer(child, prompt: str, keys: str) -> None:
    """Wait for ``prompt`` on screen, then type ``keys``."""
    child.expect_exact(prompt)
    child.send(keys)


def finish(child) -> tuple[int | None, str]:
    """Read to the end; the exit status and everything shown, without colour codes."""
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus, ANSI.sub("", child.before or "")


def answer_mini(child, *, weeks: str = "10") -> None:
    answer(child, "Is the knee hot", "1")
    answer(child, "How bad is the pain right now?", "6")
    answer(child, "at its worst this week?", "8")
    answer(child, "What does the pain stop you doing?", "12\r")
    answer(child, "How many weeks", weeks + "\r")
    answer(child, "tried exercises", "n")
    answer(child, "Anything else", "\r")
    answer(child, "Check your answers", "\r")


def test_whole_questionnaire_by_keystrokes_then_save_the_summary(tmp_path):
    child = spawn(tmp_path, [])
    child.expect_exact("It is not a diagnosis.")
    answer_mini(child)
    child.expect_exact("What to do next")
    shown = ANSI.sub("", child.before)
    assert "Pain management first, then physical therapy" in shown  # pain 7 mean + limits: "both"
    answer(child, "Save this summary to a file?", "y")
    answer(child, "Save as:", "\r")
    status, rest = finish(child)
    assert status == 0
    saved = tmp_path / f"pmpt-summary-{date.today().isoformat()}.toml"
    assert f"Saved the summary to {saved.name}" in rest
    doc = tomllib.loads(saved.read_text())
    assert doc["outcome"] == "both"
    assert doc["answers"] == {"hot_joint": "no", "pain_now": 6, "pain_worst": 8, "limits": ["stairs", "walking"],
                              "weeks": 10, "tried": False}  # fmt: skip
    assert saved.stat().st_mode & 0o777 == 0o600


def test_json_redirected_to_a_file_while_prompts_stay_on_the_terminal(tmp_path):
    child = spawn(tmp_path, ["--json"], shell=" > result.json")
    answer_mini(child)
    child.expect_exact("Your result")
    child.expect_exact("Pain management first, then physical therapy")
    answer(child, "Save this summary to a file?", "n")
    status, _ = finish(child)
    assert status == 0
    data = json.loads((tmp_path / "result.json").read_text())  # nothing but JSON reached stdout
    assert data["outcome"] == "both" and data["answers"]["weeks"] == 10


def test_export_to_stdout_redirected_while_the_summary_shows_on_the_terminal(tmp_path):
    child = spawn(tmp_path, ["--export", "-"], shell=" > summary.toml")
    answer_mini(child)
    child.expect_exact("What to do next")  # the summary moved to stderr, the terminal
    status, _ = finish(child)
    assert status == 0
    assert tomllib.loads((tmp_path / "summary.toml").read_text())["outcome"] == "both"


def test_ctrl_c_saves_then_resume_finishes_and_exports(tmp_path):
    child = spawn(tmp_path, [])
    answer(child, "Is the knee hot", "1")
    answer(child, "How bad is the pain right now?", "6")
    answer(child, "at its worst this week?", "\x03")
    status, shown = finish(child)
    assert status == 130
    assert "To continue where you left off, run: pmpt triage --resume" in shown
    assert "Traceback" not in shown
    partial = tmp_path / "data" / "pmpt" / "partial-mini.toml"
    assert tomllib.loads(partial.read_text())["answers"] == {"hot_joint": "no", "pain_now": 6}

    child = spawn(tmp_path, ["--resume", "--export", "summary.toml"])
    child.expect_exact("2 answers are already filled in")
    answer(child, "at its worst this week?", "8")
    answer(child, "What does the pain stop you doing?", "3\r")
    answer(child, "How many weeks", "2\r")
    answer(child, "tried exercises", "y")
    answer(child, "Anything else", "\r")
    answer(child, "Check your answers", "\r")
    status, shown = finish(child)
    assert status == 0, shown
    assert tomllib.loads((tmp_path / "summary.toml").read_text())["answers"]["limits"] == ["none"]
    assert not partial.exists()


def test_red_flag_message_appears_at_once(tmp_path):
    child = spawn(tmp_path, ["--json"], shell=" > result.json")
    answer(child, "Is the knee hot", "3")
    child.expect_exact("Go to the emergency department now")
    answer(child, "What would you like to do?", "\r")
    answer(child, "Save this summary to a file?", "n")
    status, _ = finish(child)
    assert status == 0
    assert json.loads((tmp_path / "result.json").read_text())["outcome"] == "emergency"


def test_closing_the_terminal_saves_the_answers(tmp_path):
    child = spawn(tmp_path, [])
    answer(child, "Is the knee hot", "2")
    child.expect_exact("What would you like to do?")
    child.send("2")  # finish the questions first
    child.expect_exact("How bad is the pain right now?")
    child.kill(signal.SIGHUP)
    child.expect(pexpect.EOF)
    child.close()
    partial = tmp_path / "data" / "pmpt" / "partial-mini.toml"
    assert tomllib.loads(partial.read_text())["answers"] == {"hot_joint": "unsure"}


def test_plain_prompts_in_a_terminal(tmp_path):
    child = spawn(tmp_path, ["--plain"])
    for prompt, line in [("Type a number", "1"), ("from 0 to 10", "6"), ("from 0 to 10", "8"),
                         ("numbers that apply", "1 2"), ("Type your answer", "10"), ("Type y or n", "n"),
                         ("Type your answer", ""), ("Check your answers", "")]:  # fmt: skip
        answer(child, prompt, line + "\r")
    answer(child, "Save this summary", "\r")
    shown = child.before
    assert "OUTCOME: both" in shown  # the plain summary
    assert "\x1b[" not in shown
    status, _ = finish(child)
    assert status == 0


def test_pmpt_core_typical_run_in_a_terminal(tmp_path):
    """The bundled questionnaire, answered key by key as the commonest user would."""
    core = typical_core()
    child = spawn(tmp_path, ["--export", "core.toml"], questionnaire=core.path)
    child.expect_exact("It is not a diagnosis.")
    sent = 0
    for question, keys in typical_steps(core, TYPICAL_CORE):
        child.expect_exact(question.text[:30])
        for key in keys:
            child.send(key)
        sent += len(keys)
    answer(child, "Check your answers", "\r")
    status, shown = finish(child)
    assert status == 0, shown
    assert tomllib.loads((tmp_path / "core.toml").read_text())["answers"] == TYPICAL_CORE
    assert sent + 1 <= len(TYPICAL_CORE) * 1.3  # about one key per question


# -- the screen a person sees (pyte emulates the terminal) ---------------------------------------

pytest.importorskip("pyte")
CORE = ROOT / "questionnaires" / "pmpt-core.toml"


def every_question_answers(core) -> dict:
    """No red flag, yet every question of pmpt-core asked: every region, every safety
    question "not sure" with its follow-up answered reassuringly, a young, pregnant person
    with nerve words after an injury who takes opioids now and then."""
    answers = TYPICAL_CORE | {
        "region": [c.value for c in core.question("region").choices], "arm_use": "none", "age_band": "age_20_to_24",
        "pregnancy": "pregnant", "pelvic_girdle": "no", "nerve_words": ["burning"], "nerve_cause": ["none"],
        "onset": "injury", "crps_signs": ["none"], "medicines": ["opioid"], "opioid_use": "occasional",
        "opioid_signs": ["none"],
    }  # fmt: skip
    for follow_up, reassuring in REASSURING_FOLLOW_UPS.items():
        parent = core.question(follow_up).enable_when[0].question
        answers[parent] = ["unsure"] if core.question(parent).type == "multi_choice" else "unsure"
        answers[follow_up] = reassuring
    return answers


#: Each red-flag follow-up and an answer to it that resolves "not sure" reassuringly.
REASSURING_FOLLOW_UPS = {
    "bladder_check": "yes_normal", "saddle_check": "same", "leg_check": "yes_normal", "cancer_check": "no",
    "weight_check": "same", "fever_check": "no", "injury_check": "yes", "unremitting_check": "eases", "aaa_check": "no",
    "neck_check": "longstanding", "hands_check": "same", "hot_joint_check": "no", "bone_check": "activity",
}  # fmt: skip


@pytest.mark.parametrize(("cols", "rows"), [(80, 24), (50, 20)])
def test_every_pmpt_core_choice_label_appears_in_full(tmp_path, cols, rows):
    """Each question of pmpt-core at 80x24 and 50x20: the pointer walks down every choice,
    and each label is on the screen whole (wrapped, never cut); then the review reaches a
    two-digit row by typing it, keeps its place after the change, and the result card is
    on the last screen."""
    from pmpt_cli.loader import load_questionnaire

    core = load_questionnaire(CORE)
    answers = every_question_answers(core)
    screen = Screen(tmp_path, ["triage", "-q", str(CORE)], cols, rows)
    asked = typical_steps(core, answers)
    assert len(asked) == len(core.questions)  # every question is asked
    for question, keys in asked:
        screen.wait_for(question.text)  # the whole question, wrapped at words
        if question.help:
            screen.wait_for(question.help)
        if question.type in ("choice", "multi_choice"):
            for i, choice in enumerate(question.choices):
                if i:
                    screen.send(DOWN)
                screen.wait(lambda s, c=choice: s.pointer_on(c.label), f"pointer on {choice.label!r}")
                screen.wait_for(choice.label)  # whole, though wrapped
                assert all(len(line) <= cols for line in screen.lines)
        elif question.type == "scale":
            screen.wait_for(question.max_label)
        for key in keys:
            screen.send(key)
    screen.wait_for("Check your answers")
    review = [q for q, _ in asked]
    row = 12  # the review's row 1 is "show my result", so row 12 is the 11th question
    screen.send("1")
    screen.wait(lambda s: s.pointer_on("These answers are right"), "row 1 highlighted, nothing chosen yet")
    screen.send("2")
    target = review[row - 2]
    screen.wait(lambda s: s.pointer_on(target.text), f"row {row} highlighted")
    screen.send("\r")
    screen.wait_for(target.text.split("?")[0][:40])
    screen.wait_for("Changing your answer")
    for key in next(keys for question, keys in asked if question is target):  # the same answer again
        screen.send(key)
    screen.wait_for("Check your answers")
    screen.wait(lambda s: s.pointer_on(target.text), "the review keeps its place")
    assert "more above" in screen.flat  # row 12 is not on the first screen: it says so
    screen.send("1\r")
    screen.wait_for("Save this summary to a file?")
    from pmpt_cli.engine import run_triage

    headline = core.outcome_texts[run_triage(core, answers).outcome].headline
    assert headline in screen.flat, "\n".join(screen.lines)
    screen.send("n")
    assert screen.finish() == 0
    assert headline in screen.flat and "Your result" in screen.flat


DOWN = "\x1b[B"


@pytest.mark.parametrize(("cols", "rows"), [(80, 24), (50, 20)])
@pytest.mark.parametrize("path", sorted((ROOT / "examples").glob("*.toml")), ids=lambda p: p.stem)
def test_the_outcome_is_on_the_last_screen(tmp_path, path, cols, rows):
    """`pmpt triage --answers FILE` at 80x24 and 50x20: the headline is on the screen when
    pmpt ends, and under a red flag the instruction is the last thing on it."""
    from pmpt_cli.engine import run_triage
    from pmpt_cli.loader import load_questionnaire

    core = load_questionnaire(CORE)
    outcome = run_triage(core, tomllib.loads(path.read_text())["answers"]).outcome
    screen = Screen(tmp_path, ["triage", "--answers", str(path)], cols, rows)
    assert screen.finish() == 0
    text = core.outcome_texts[outcome]
    assert text.headline in screen.words
    if outcome in ("emergency", "urgent"):
        shown = [line.strip("│ ") for line in screen.lines if line.strip()]
        last = " ".join(" ".join(shown[-4:]).split())
        assert " ".join(text.steps[0].split()[-6:]) in last, "\n".join(screen.lines)


def test_ctrl_c_at_the_emergency_prompt_repeats_the_instruction(tmp_path):
    screen = Screen(tmp_path, ["triage", "-q", MINI], 80, 24)
    screen.wait_for("Is the knee hot")
    screen.send("3")
    screen.wait_for("What would you like to do?")
    screen.send("\x03")
    assert screen.finish() == 130
    assert "error:" not in screen.flat
    last = [line for line in screen.lines if line.strip()][-2:]
    assert "Go to the emergency department now" in " ".join(last), "\n".join(screen.lines)


def test_emergency_stop_then_save_prompt_keeps_the_card_and_ends_on_the_instruction(tmp_path):
    screen = Screen(tmp_path, ["triage", "-q", MINI], 80, 24)
    screen.wait_for("Is the knee hot")
    screen.send("3")
    screen.wait_for("What would you like to do?")
    screen.send("\r")
    screen.wait_for("Save this summary to a file?")
    assert "Your result" in screen.flat and "Emergency: get medical help now" in screen.flat
    screen.send("n")
    assert screen.finish() == 0
    last = " ".join(" ".join(line for line in screen.lines if line.strip()).split())
    assert last.endswith("call your local emergency number."), "\n".join(screen.lines)


def test_closing_the_window_of_a_shell_saves_the_answers_every_time(tmp_path):
    """20 times: pmpt run by bash in a pty, two answers, then the window closes (the pty's
    master end goes away: SIGHUP from the kernel), and SIGHUP and SIGTERM keep coming
    until pmpt has gone, so some arrive while it saves. The answers are saved every time."""
    saved = 0
    partial = tmp_path / "data" / "pmpt" / "partial-mini.toml"
    pmpt = f"{shlex.quote(sys.executable)} -m pmpt_cli triage -q {shlex.quote(MINI)}"
    for _attempt in range(20):
        partial.unlink(missing_ok=True)
        screen = Screen(tmp_path, [], 80, 24, command=["bash", "-c", pmpt])
        screen.wait_for("Is the knee hot")
        screen.send("1")
        screen.wait_for("How bad is the pain right now?")
        screen.send("6")
        screen.wait_for("at its worst this week?")
        pid = screen.child.pid
        screen.child.ptyproc.fileobj.close()  # the window closes: the pty's master end is gone
        # Keep signalling until pmpt has gone, so that signals also arrive while it saves.
        for count in range(5000):
            if os.waitpid(pid, os.WNOHANG) != (0, 0):
                break
            try:
                os.killpg(pid, (signal.SIGHUP, signal.SIGTERM)[count % 2])
            except ProcessLookupError:
                pass
            time.sleep(0.001)
        else:
            os.killpg(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        if partial.is_file() and tomllib.loads(partial.read_text())["answers"] == {"hot_joint": "no", "pain_now": 6}:
            saved += 1
    assert saved == 20
