"""Plain numbered prompts, for screen readers and terminals that cannot draw menus.

Also the wording both prompters share (scale anchors, number bounds, typed answers).
No questionary or prompt_toolkit here: plain prompts read lines from stdin and write
to stderr, never stdout.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import IO, Any

from pmpt_cli.cli.interview import BACK
from pmpt_cli.messages import safe_text
from pmpt_cli.model import Question
from pmpt_cli.validation import AnswerInvalid, check_value, parse_text

BACK_WORD = "<"


def scale_hint(question: Question) -> str:
    """``0 = no pain, 10 = worst imaginable``: the anchors of a scale."""
    lo, hi = _num(question.min), _num(question.max)
    parts = [f"{lo} = {question.min_label}" if question.min_label else lo,
             f"{hi} = {question.max_label}" if question.max_label else hi]  # fmt: skip
    return ", ".join(parts)


def number_hint(question: Question) -> str:
    """``0 to 10 weeks``: the bounds and unit of a number question."""
    return " ".join(p for p in (question.range_text.removeprefix("from "), question.unit) if p)


def _num(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def answer_text(question: Question, value: Any) -> str:
    """A value as the person would type it back (the default of a typed prompt)."""
    if value is None:
        return ""
    if question.type == "yes_no":
        return "yes" if value else "no"
    return _num(value) if question.type in ("scale", "number") else str(value)


def labelled(question: Question, message: str) -> str:
    """A validator's message in the person's terms: choice ids become their labels ("'none'
    cannot be combined" reads "'None of these' cannot be combined"), and the list of ids
    becomes the numbers to type."""
    import re

    from pmpt_cli.messages import safe_text

    if not question.choices:
        return message
    message = re.sub(r"\s*\(choices: [^)]*\)", f" (type a number from 1 to {len(question.choices)})", message)
    for choice in question.choices:
        message = message.replace(f"'{choice.value}'", f"'{safe_text(choice.label)}'")
    return message


def parse_typed(question: Question, text: str) -> Any:
    """A typed answer: ``<`` is back, empty skips an optional question, else the shared validator."""
    raw = text.strip()
    if raw == BACK_WORD:
        return BACK
    if not raw:
        if question.required:
            raise AnswerInvalid(f"an answer is needed (type {BACK_WORD} to go back)")
        return None
    return parse_text(question, raw)


class PlainPrompter:
    """Numbered prompts, one line in and plain lines out: for screen readers and limited terminals.

    Reads ``stdin`` line by line and writes to ``stderr``, never stdout; an empty read
    (a closed terminal) raises ``EOFError`` like prompt_toolkit does.
    """

    def key_help(self, types: frozenset[str]) -> str:
        """What to type, for the question types the questionnaire has."""
        parts = []
        if types & {"choice", "multi_choice", "scale"}:
            parts.append("Type the number of your answer and press Enter.")
        if "multi_choice" in types:
            parts.append("Where several answers may apply, type their numbers separated by spaces.")
        if "yes_no" in types:
            parts.append("For yes or no, type y or n.")
        if types & {"number", "text"}:
            parts.append("Where you type an answer, press Enter when it is done.")
        parts.append(
            "Type < and press Enter to go back one question. Press Ctrl-C to stop; your answers are saved for later."
        )
        return " ".join(parts)

    def __init__(self, stdin: IO[str], stderr: IO[str]) -> None:
        self.stdin = stdin
        self.stderr = stderr

    def _say(self, text: str = "") -> None:
        # Every line goes through safe_text: question texts and typed answers come from others.
        self.stderr.write(safe_text(text) + "\n")
        self.stderr.flush()

    def _read(self, prompt: str) -> str:
        self.stderr.write(safe_text(prompt))
        self.stderr.flush()
        line = self.stdin.readline()
        if not line:
            raise EOFError
        return line.strip()

    def show(self, kind: str, text: str) -> None:
        if kind == "heading":
            title, _, intro = text.partition("\n")
            self._say(f"\nSection: {title}")
            if intro:
                self._say(intro)
        elif kind == "alert":
            self._say("\nIMPORTANT, please read:")
            self._say(text)
            self._say()
        elif kind == "welcome":
            self._say(text)
            self._say()
        else:
            self._say(text)

    def ask(self, question: Question, default: Any, progress: str) -> Any:
        self._say(f"\n{progress}")
        self._say(question.text)
        if question.help:
            self._say(question.help)
        hint, parse = self._how(question, default)
        suffix = f" [Enter keeps: {self._shown(question, default)}]" if default is not None else ""
        while True:
            raw = self._read(f"{hint}{suffix}: ")
            if raw == BACK_WORD:
                return BACK
            if not raw and default is not None:
                return default
            try:
                return parse(raw)
            except AnswerInvalid as exc:
                self._say(f"Not accepted: {labelled(question, str(exc))}. Please try again.")

    def _shown(self, question: Question, value: Any) -> str:
        if question.type == "choice":
            return str(question.choice_values.index(value) + 1)
        if question.type == "multi_choice":
            return " ".join(str(question.choice_values.index(v) + 1) for v in value) or "none"
        return answer_text(question, value)

    def _how(self, question: Question, default: Any) -> tuple[str, Callable[[str], Any]]:
        """The prompt line for a question and the parser for what is typed."""
        optional = "" if question.required else ", or press Enter to skip"
        if question.type in ("choice", "multi_choice"):
            for i, c in enumerate(question.choices, 1):
                self._say(f"  {i}. {c.label}" + (f" ({c.help})" if c.help else ""))
            if question.type == "choice":
                return f"Type a number{optional}", lambda raw: self._pick(question, raw)
            return (f"Type the numbers that apply, separated by spaces{optional}",
                    lambda raw: self._pick_many(question, raw))  # fmt: skip
        if question.type == "yes_no":
            return f"Type y or n{optional}", lambda raw: parse_typed(question, raw)
        if question.type == "scale":
            self._say(f"  {scale_hint(question)}")
            return f"Type a number from {_num(question.min)} to {_num(question.max)}{optional}", \
                lambda raw: parse_typed(question, raw)  # fmt: skip
        hint = number_hint(question) if question.type == "number" else ""
        return f"Type your answer{f' ({hint})' if hint else ''}{optional}", lambda raw: parse_typed(question, raw)

    def _pick(self, question: Question, raw: str) -> Any:
        if not raw:
            return parse_typed(question, raw)
        return check_value(question, self._value(question, raw))

    def _pick_many(self, question: Question, raw: str) -> Any:
        if not raw and not question.required:
            return None
        parts = raw.replace(",", " ").split()
        if not parts:
            raise AnswerInvalid("type the numbers of the answers that apply")
        return check_value(question, sorted({self._value(question, p) for p in parts},
                                            key=question.choice_values.index))  # fmt: skip

    @staticmethod
    def _value(question: Question, raw: str) -> str:
        """A choice value from its number, or from its value or label as typed."""
        if raw.isdigit():
            index = int(raw) - 1
            if 0 <= index < len(question.choices):
                return question.choices[index].value
            raise AnswerInvalid(f"{raw} is not one of the numbers 1 to {len(question.choices)}")
        value = parse_text(question, raw)  # by value or label, through the shared validator
        return value[0] if isinstance(value, list) else value

    def menu(self, message: str, options: Sequence[tuple[str, str]], default: str) -> str:
        self._say(f"\n{message}")
        for i, (_, label) in enumerate(options, 1):
            self._say(f"  {i}. {label}")
        keys = [key for key, _ in options]
        while True:
            raw = self._read(f"Type a number [Enter: {keys.index(default) + 1}]: ")
            if not raw:
                return default
            if raw.isdigit() and 1 <= int(raw) <= len(options):
                return keys[int(raw) - 1]
            self._say(f"Not accepted: type a number from 1 to {len(options)}.")

    def confirm(self, message: str, default: bool) -> bool:
        while True:
            raw = self._read(f"{message} [{'Y/n' if default else 'y/N'}]: ").lower()
            if not raw:
                return default
            if raw in ("y", "yes", "n", "no"):
                return raw.startswith("y")
            self._say("Not accepted: type y or n.")

    def text(self, message: str, default: str = "") -> str:
        raw = self._read(f"{message} [{default}]: " if default else f"{message} ")
        return raw or default
