"""What ``pmpt triage`` was asked to do, and the answers it gathered: shared by the
scripted path (``triage_flow``) and the interactive one (``interview_flow``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pmpt_cli.records import Record


class TriageRequest(Record):
    """The triage command's options, independent of typer."""

    answers_path: str | None = None
    questionnaire: str | None = None
    overrides: tuple[str, ...] = ()
    no_input: bool = False
    as_json: bool = False
    export: str | None = None
    force: bool = False
    redact: bool = False  # --export leaves out free text and anything identifying
    plain: bool = False  # --plain: a plain summary (--no-color and non-terminals get one too)
    plain_prompts: bool = False  # --plain: numbered prompts (--no-color alone keeps the menus)
    resume: bool = False  # continue saved unfinished answers
    save: str | None = None  # where unfinished answers go on Ctrl-C (and what --resume reads)
    verbose: bool = False  # list every missing answer, not only their number


class Gathered(Record):
    """The answers to triage, and how they were gathered."""

    answers: dict[str, Any]
    stopped_early: bool = False  # stopped at a red flag: triage what was said
    prompter: Any = None  # set when the person answered in the terminal
    resumed_from: Path | None = None  # a partial file to delete once the triage is shown
