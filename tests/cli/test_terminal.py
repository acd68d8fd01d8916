"""End to end in a real pseudo-terminal (pexpect): keystrokes in, the screen and the files out.

pexpect makes its own pty, so these run under CI with no terminal attached.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import tomllib
from datetime import date
from pathlib import Path

import pytest
from helpers import FIXTURES, ROOT, TYPICAL_CORE, typical_steps

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
    from pmpt_cli.loader import load_questionnaire
    from pmpt_cli.validation import check_answers

    path = ROOT / "questionnaires" / "pmpt-core.toml"
    if not path.is_file():
        pytest.skip("questionnaires/pmpt-core.toml is not written yet")
    core = load_questionnaire(path)
    if check_answers(core, TYPICAL_CORE)[1]:
        pytest.fail("pmpt-core changed: update TYPICAL_CORE in tests/helpers.py")
    child = spawn(tmp_path, ["--export", "core.toml"], questionnaire=str(path))
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
