"""The README's exit-status table is what the program does: one case per row."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time

from helpers import EXAMPLES, FIXTURES, ROOT

from pmpt_cli.cli.app import app

README_CODES = {int(code) for code in re.findall(r"^\| (\d+) \|", (ROOT / "README.md").read_text(), re.M)}


def test_the_table_lists_every_status_the_program_uses() -> None:
    from pmpt_cli.errors import ExitCode

    used = {v for k, v in vars(ExitCode).items() if not k.startswith("_")}
    assert README_CODES == used == {0, 1, 2, 3, 70, 130}


def test_each_row(runner, tmp_path, monkeypatch) -> None:
    def code(*args: str, stdin: str = "") -> int:
        return runner.invoke(app, list(args), input=stdin).exit_code

    knee = str(EXAMPLES / "physical-therapy-knee.toml")
    assert code("triage", "--answers", knee, "--json") == 0
    assert code("triage", "--answers", str(tmp_path / "missing.toml")) == 1  # unreadable input
    (tmp_path / "partial.toml").write_text('[answers]\nhot_joint = "no"\n')
    assert code("triage", "-q", str(FIXTURES / "mini.toml"), "--answers", str(tmp_path / "partial.toml")) == 1
    (tmp_path / "out.toml").write_text("")
    assert code("triage", "--answers", knee, "--export", str(tmp_path / "out.toml")) == 1  # exists, no --force
    assert code("triage", "--no-such-flag") == 2
    assert code("triage", "--no-input") == 2  # no answers file and may not prompt
    assert code("questionnaires", "validate", str(FIXTURES / "lint" / "rule-never-fires.toml")) == 3

    import pmpt_cli.cli.triage_flow as flow

    def bug(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(flow, "decide", bug)
    assert code("triage", "--answers", knee) == 70


def test_ctrl_c_is_130() -> None:
    child = subprocess.Popen(
        [sys.executable, "-m", "pmpt_cli", "triage", "--answers", "-"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
    )  # fmt: skip
    time.sleep(3)  # by then it waits on stdin, which never ends (start-up takes ~0.1 s)
    child.send_signal(signal.SIGINT)
    child.communicate(timeout=30)
    assert child.returncode == 130
