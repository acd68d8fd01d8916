"""Health data never leaves the machine: no socket is opened by triage, batch, export or import.

Each command runs in a fresh interpreter whose audit hook (PEP 578) records every socket
event (creating a socket of any family, connecting, resolving a name) from the first
import of pmpt on; the test fails if any was seen.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from helpers import EXAMPLES, FIXTURES, ROOT

_RUNNER = r"""
import json, sys
seen = []

def hook(event, args):
    if event.startswith("socket.") or event in ("urllib.Request", "http.client.connect", "ftplib.connect",
                                                "smtplib.connect", "webbrowser.open"):
        seen.append(event)

sys.addaudithook(hook)
import pkgutil, importlib
import pmpt_cli
for module in pkgutil.walk_packages(pmpt_cli.__path__, "pmpt_cli."):
    if module.name != "pmpt_cli.__main__":
        importlib.import_module(module.name)  # "import": every module of pmpt
from pmpt_cli.cli.app import main
codes = [main(args) for args in json.loads(sys.argv[1])]
sys.stderr.write("\nRESULT " + json.dumps({"codes": codes, "seen": seen}) + "\n")
"""


def _run(tmp_path, commands: list[list[str]]) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "XDG_DATA_HOME": str(tmp_path / "data"), "PMPT_QUESTIONNAIRES_DIR": str(FIXTURES)}  # fmt: skip
    done = subprocess.run([sys.executable, "-c", _RUNNER, json.dumps(commands)], capture_output=True, text=True,
                          cwd=tmp_path, env=env, timeout=120, check=False, stdin=subprocess.DEVNULL)  # fmt: skip
    line = next(line for line in done.stderr.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def test_no_socket_is_opened_by_any_scripted_command(tmp_path):
    answers = str(EXAMPLES / "physical-therapy-knee.toml")
    people = tmp_path / "people.csv"
    people.write_text("id,hot_joint,pain_now,pain_worst,weeks,tried\np1,no,5,6,10,yes\np2,no,1,1,1,no\n")
    lines = tmp_path / "people.jsonl"
    lines.write_text(json.dumps({"id": "p1", "hot_joint": "no", "pain_now": 5, "pain_worst": 6, "weeks": 10,
                                 "tried": True}) + "\n")  # fmt: skip
    commands = [
        ["triage", "--answers", answers, "--no-input"],  # import: an answers file
        ["triage", "--answers", answers, "--json"],
        ["triage", "--answers", answers, "--export", "summary.toml"],  # export
        ["triage", "--answers", "summary.toml", "--json"],  # import: a summary
        ["triage", "--answers", answers, "--export", "-"],
        ["batch", str(people), "-q", "mini", "--output", "out.csv"],
        ["batch", str(lines), "-q", "mini", "--output", "out.jsonl"],
        ["answers", "template", "mini", "--output", "template.toml"],
        ["questionnaires", "list", "--json"],
        ["questionnaires", "show", "pmpt-core"],
        ["questionnaires", "validate", str(FIXTURES / "mini.toml")],
    ]
    result = _run(tmp_path, commands)
    assert result["codes"] == [0] * len(commands), result
    assert result["seen"] == []


@pytest.mark.parametrize("event", ["socket.__new__", "socket.getaddrinfo"])
def test_the_hook_would_see_a_socket(tmp_path, event):
    """The check itself works: a command that opened a socket would be caught."""
    runner = _RUNNER.replace("codes = [", "import socket\nsocket.getaddrinfo('localhost', 80) if 'getaddr' in "
                             f"{event!r} else socket.socket().close()\ncodes = [")  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", runner, "[]"], capture_output=True, text=True, cwd=tmp_path,
                          env=env, timeout=120, check=False)  # fmt: skip
    line = next(line for line in done.stderr.splitlines() if line.startswith("RESULT "))
    assert event in json.loads(line.removeprefix("RESULT "))["seen"]
