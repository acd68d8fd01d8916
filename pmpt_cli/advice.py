"""Wording that depends on the answers: a note's "watch for" items, and consistency checks.

Both are plain FHIR-style conditions (``enablement.condition_holds``), so they cost a
triage nothing to evaluate and need no compiled program.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pmpt_cli.enablement import condition_holds
from pmpt_cli.model import Check, EnableWhen, Note

_SENTENCE = re.compile(r"[^.!?]*\{watch_for\}[^.!?]*[.!?]?")


def watch_items(note: Note, answers: Mapping[str, Any]) -> list[str]:
    """The note's ``watch_for`` items that apply: those none of whose ``unless`` holds."""
    return [
        item.text
        for item in note.watch_for
        if not any(condition_holds(c, answers.get(c.question)) for c in item.unless)
    ]


def note_text(note: Note, answers: Mapping[str, Any]) -> str:
    """The note as the person reads it: ``{watch_for}`` replaced by the items that apply
    ("a, b or c"), or its whole sentence left out when none does."""
    if not note.watch_for:
        return note.text
    items = watch_items(note, answers)
    if not items:
        return " ".join(_SENTENCE.sub("", note.text).split())
    listed = items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"
    return note.text.replace("{watch_for}", listed)


def check_holds(check: Check, answers: Mapping[str, Any]) -> bool:
    """Whether both answers are given and the unlikely relation between them holds."""
    value, other = answers.get(check.question), answers.get(check.other)
    if value is None or other is None:
        return False
    return condition_holds(EnableWhen(check.question, check.operator, other), value)
