"""Prompts on the terminal: questionary menus, or plain numbered prompts for screen readers.

This is the only module that imports questionary and prompt_toolkit, and it does so
inside functions: they cost about 130 ms, which the scripted path must never pay.
Prompts are drawn on stderr so that stdout stays for data (``pmpt triage --json > out``).
Every typed answer goes through ``validation.parse_text``/``check_value``, the same
validator the answers file uses.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import IO, Any

from .interactive import BACK
from .model import Question
from .validation import AnswerInvalid, check_value, parse_text

SKIP = "__skip__"
BACK_WORD = "<"


def make_prompter(*, plain: bool = False) -> Any:
    """Menus where prompt_toolkit can run; plain prompts with ``--plain``, ``TERM=dumb``, or on failure."""
    if plain or os.environ.get("TERM") == "dumb":
        return PlainPrompter()
    try:
        return QuestionaryPrompter()
    except Exception as exc:  # e.g. NoConsoleScreenBufferError: no console behind stderr on Windows
        sys.stderr.write(f"note: this terminal cannot show menus ({type(exc).__name__}); using plain prompts.\n")
        return PlainPrompter()


# -- wording shared by both prompters ------------------------------------------------------


def scale_hint(question: Question) -> str:
    """``0 = no pain, 10 = worst imaginable``: the anchors of a scale."""
    lo, hi = _num(question.min), _num(question.max)
    parts = [f"{lo} = {question.min_label}" if question.min_label else lo,
             f"{hi} = {question.max_label}" if question.max_label else hi]  # fmt: skip
    return ", ".join(parts)


def number_hint(question: Question) -> str:
    bounds = ""
    if question.min is not None and question.max is not None:
        bounds = f"{_num(question.min)} to {_num(question.max)}"
    elif question.min is not None:
        bounds = f"at least {_num(question.min)}"
    elif question.max is not None:
        bounds = f"at most {_num(question.max)}"
    return " ".join(p for p in (bounds, question.unit) if p)


def scale_values(question: Question) -> list[int]:
    return list(range(int(question.min or 0), int(question.max or 0) + 1))


def shows_as_menu(question: Question) -> bool:
    """A scale of up to 11 points is a one-key menu; a wider one is typed like a number."""
    return question.type == "scale" and len(scale_values(question)) <= 11 and (question.min or 0) >= 0


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


# -- questionary ---------------------------------------------------------------------------


class QuestionaryPrompter:
    """Arrow-key menus with one-key answers, drawn on stderr."""

    key_help = (
        "Keys: press the number of an answer (or move with ↑ ↓ and press Enter); y or n for yes/no; "
        "< or ← goes back one question (in typing questions type < and press Enter); "
        "Ctrl-C stops and saves your answers for later."
    )

    def __init__(self) -> None:
        from prompt_toolkit.application.current import get_app_session
        from prompt_toolkit.output import create_output

        # A caller (a test) that opened its own app session chose the streams; otherwise
        # draw on stderr. Creating the output is also where an unusable terminal fails.
        self._output = None if _session_has_output(get_app_session()) else create_output(stdout=sys.stderr)
        from rich.console import Console

        self._console = Console(stderr=True, highlight=False)

    @contextmanager
    def _session(self) -> Iterator[None]:
        if self._output is None:
            yield
            return
        from prompt_toolkit.application import create_app_session

        with create_app_session(output=self._output):
            yield

    def show(self, kind: str, text: str) -> None:
        from rich.markup import escape
        from rich.panel import Panel

        if kind == "welcome":
            title, _, body = text.partition("\n")
            self._console.print(Panel(escape(body), title=f"[bold]{escape(title)}[/bold]", title_align="left"))
        elif kind == "alert":
            self._console.print(Panel(escape(text), title="[bold]Important: please read[/bold]",
                                      border_style="bold red", title_align="left"))  # fmt: skip
        elif kind == "heading":
            title, _, intro = text.partition("\n")
            self._console.print(f"\n[bold underline]{escape(title)}[/bold underline]")
            if intro:
                self._console.print(escape(intro))
        elif kind == "progress":
            self._console.print(f"[dim]{escape(text)}[/dim]")
        else:
            self._console.print(f"[yellow]{escape(text)}[/yellow]")

    def ask(self, question: Question, default: Any, progress: str) -> Any:
        self.show("progress", progress)
        if question.help:
            self._console.print(f"  [dim]{_escape(question.help)}[/dim]")
        with self._session():
            if question.type == "choice":
                return self._choice(question, default)
            if question.type == "multi_choice":
                return self._multi(question, default)
            if question.type == "yes_no":
                return self._yes_no(question, default)
            if shows_as_menu(question):
                return self._scale(question, default)
            return self._typed(question, default)

    def menu(self, message: str, options: Sequence[tuple[str, str]], default: str) -> str:
        items = [(key, f"{i}. {label}" if i <= 9 else f"   {label}", "") for i, (key, label) in enumerate(options, 1)]
        keys = {str(i): key for i, (key, _) in enumerate(options[:9], 1)}
        with self._session():
            result = _select(message, items, default, keys, "(press a number, or ↑ ↓ and Enter)", back=False)
        return str(result)

    def confirm(self, message: str, default: bool) -> bool:
        import questionary

        with self._session():
            return bool(questionary.confirm(message, default=default, auto_enter=True).unsafe_ask())

    def text(self, message: str, default: str = "") -> str:
        import questionary

        with self._session():
            return str(questionary.text(message, default=default).unsafe_ask())

    # -- one method per question type --------------------------------------------------

    def _choice(self, question: Question, default: Any) -> Any:
        items = [(c.value, f"{i}. {c.label}" if i <= 9 else f"   {c.label}", c.help)
                 for i, c in enumerate(question.choices, 1)]  # fmt: skip
        keys = {str(i): c.value for i, c in enumerate(question.choices[:9], 1)}
        hint = "(press a number, or ↑ ↓ and Enter; < back)"
        return _checked(question, _select(question.text, _with_skip(question, items, keys), default, keys, hint))

    def _scale(self, question: Question, default: Any) -> Any:
        values = scale_values(question)
        labels = {values[0]: question.min_label, values[-1]: question.max_label}
        items = [(v, f"{v:>2}  {labels.get(v, '')}".rstrip(), "") for v in values]
        keys = {str(v): v for v in values}
        # The anchors sit beside their numbers in the list, so the hint stays one short line.
        hint = f"(press {values[0]} to {values[-1]}; < back)"
        return _checked(question, _select(question.text, _with_skip(question, items, keys), default, keys, hint))

    def _multi(self, question: Question, default: Any) -> Any:
        import questionary

        chosen = list(default or [])
        choices = [
            questionary.Choice(f"{i}. {c.label}" if i <= 9 else f"   {c.label}", value=c.value,
                               description=c.help or None, checked=c.value in chosen)
            for i, c in enumerate(question.choices, 1)
        ]  # fmt: skip
        needs_one = question.required and any(c.exclusive for c in question.choices)

        def validate(values: list[str]) -> bool | str:
            if needs_one and not values:
                # An empty list would silently mean "none"; for safety questions make it a choice.
                none = next(c.label for c in question.choices if c.exclusive)
                return f"Choose at least one; choose '{none}' if none apply."
            try:
                check_value(question, values)
            except AnswerInvalid as exc:
                return str(exc)
            return True

        hint = "(press numbers or Space to tick, then Enter; < back)"
        prompt = questionary.checkbox(question.text, choices=choices, validate=validate, instruction=hint)
        control = _control(prompt)
        order = question.choice_values

        def toggle(value: str) -> None:
            selected = control.selected_options
            if value in selected:
                selected.remove(value)
                return
            exclusive = question.choice(value).exclusive  # type: ignore[union-attr]
            # Ticking "none of these" clears the others, and ticking another clears it.
            keep = [] if exclusive else [v for v in selected if not question.choice(v).exclusive]  # type: ignore[union-attr]
            selected[:] = keep + [value]

        def tick(index: int) -> None:
            control.pointed_at = index
            toggle(order[index])

        bindings = _bindings()
        for i in range(min(9, len(order))):
            bindings.add(str(i + 1), eager=True)(_run(lambda i=i: tick(i)))
        bindings.add(" ", eager=True)(_run(lambda: toggle(control.get_pointed_at().value)))
        for key in ("a", "i"):  # questionary's tick-all and invert would tick "none" with the rest
            bindings.add(key, eager=True)(_run(lambda: None))
        _add_back(bindings)
        _extend(prompt, bindings)
        result = prompt.unsafe_ask()
        if result is BACK:
            return BACK
        return _checked(question, sorted(result, key=order.index))

    def _yes_no(self, question: Question, default: Any) -> Any:
        import questionary

        if default is None:
            hint = "(y/n, Enter to skip; < back)" if not question.required else "(y/n; < back)"
        else:
            hint = f"(y/n, Enter keeps '{'yes' if default else 'no'}'; < back)"
        prompt = questionary.confirm(question.text, default=bool(default), auto_enter=True, instruction=hint)
        bindings = _bindings()
        _add_back(bindings)
        if default is None:
            # No preselected answer to a fresh yes/no: a stray Enter must not answer "no".
            bindings.add("enter", eager=True)(_exit_with(None if not question.required else _IGNORE))
        _extend(prompt, bindings)
        result = prompt.unsafe_ask()
        return result if result is BACK or result is None else _checked(question, bool(result))

    def _typed(self, question: Question, default: Any) -> Any:
        import questionary

        hint = number_hint(question) if question.type in ("number", "scale") else ""
        if question.type == "scale":
            hint = scale_hint(question)
        extra = "Enter to skip; " if not question.required else ""
        instruction = f"({hint + '; ' if hint else ''}{extra}< back)"

        def validate(text: str) -> bool | str:
            try:
                _parse_typed(question, text)
            except AnswerInvalid as exc:
                return str(exc)
            return True

        prompt = questionary.text(question.text, default=answer_text(question, default), validate=validate,
                                  instruction=instruction)  # fmt: skip
        return _parse_typed(question, prompt.unsafe_ask())


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _session_has_output(session: Any) -> bool:
    # ``_output`` is set only when someone passed an output to create_app_session; the
    # public ``output`` property would create (and cache) a stdout output instead.
    return getattr(session, "_output", None) is not None


def _parse_typed(question: Question, text: str) -> Any:
    """A typed answer: ``<`` is back, empty skips an optional question, else the shared validator."""
    raw = text.strip()
    if raw == BACK_WORD:
        return BACK
    if not raw:
        if question.required:
            raise AnswerInvalid(f"an answer is needed (type {BACK_WORD} to go back)")
        return None
    return parse_text(question, raw)


def _checked(question: Question, value: Any) -> Any:
    """Run a menu's answer through the shared validator; pass BACK and skips through."""
    if value is BACK or value is None:
        return value
    if isinstance(value, str) and value == SKIP:
        return None
    return check_value(question, value)


def _with_skip(question: Question, items: list, keys: dict) -> list:
    if question.required:
        return items
    keys["s"] = SKIP
    return [*items, (SKIP, "s. Skip this question", "")]


_IGNORE = object()


def _bindings() -> Any:
    from prompt_toolkit.key_binding import KeyBindings

    return KeyBindings()


def _run(action: Callable[[], Any]) -> Callable[[Any], None]:
    """A key handler that runs ``action`` (a toggle, a no-op) without leaving the prompt."""

    def handler(_event: Any) -> None:
        action()

    return handler


def _exit_with(value: Any) -> Callable[[Any], None]:
    """A key handler that answers at once. A key typed straight after an answer (the Enter
    after "1" on a 0-10 scale) can reach a prompt that is already finishing: ignore it."""

    def handler(event: Any) -> None:
        if value is not _IGNORE and not event.app.is_done:
            event.app.exit(result=value)

    return handler


def _add_back(bindings: Any) -> None:
    for key in (BACK_WORD, "left"):
        bindings.add(key, eager=True)(_exit_with(BACK))


def _extend(prompt: Any, bindings: Any) -> None:
    """Add key bindings to a questionary prompt; merged last, so ours win on the same key."""
    from prompt_toolkit.key_binding import merge_key_bindings

    app = prompt.application
    app.key_bindings = merge_key_bindings([app.key_bindings, bindings])


def _control(prompt: Any) -> Any:
    """questionary's list control inside a prompt (it keeps the pointer and the ticks)."""
    from questionary.prompts.common import InquirerControl

    return next(c for c in prompt.application.layout.find_all_controls() if isinstance(c, InquirerControl))


def _select(message: str, items: Sequence[tuple[Any, str, str]], default: Any, keys: dict[str, Any],
            instruction: str, *, back: bool = True) -> Any:  # fmt: skip
    """A one-key menu: each of ``keys`` answers at once; Enter takes the highlighted item.

    A key that starts a longer one ("1" and "10" on a 0-10 scale) waits half a second for
    the next key, so "10" can be typed and a lone "1" still answers.
    """
    import questionary

    values = [value for value, _, _ in items]
    choices = [questionary.Choice(title, value=value, description=desc or None) for value, title, desc in items]
    prompt = questionary.select(message, choices=choices, default=default if default in values else None,
                                instruction=instruction, use_jk_keys=False, show_description=True)  # fmt: skip
    control = _control(prompt)

    def answer(value: Any) -> Callable[[Any], None]:
        def handler(event: Any) -> None:
            if event.app.is_done:
                return
            control.pointed_at = values.index(value)
            control.is_answered = True  # questionary then shows the answer on the prompt line
            event.app.exit(result=value)

        return handler

    bindings = _bindings()
    for key, value in keys.items():
        longer = any(other != key and other.startswith(key) for other in keys)
        bindings.add(*key, eager=not longer)(answer(value))
    bindings.add("enter", eager=True)(lambda event: answer(control.get_pointed_at().value)(event))
    if back:
        _add_back(bindings)
    _extend(prompt, bindings)
    prompt.application.timeoutlen = 0.5
    return prompt.unsafe_ask()


# -- plain ---------------------------------------------------------------------------------


class PlainPrompter:
    """Numbered prompts, one line in and plain lines out: for screen readers and limited terminals.

    Reads ``stdin`` line by line and writes to ``stderr``, never stdout; an empty read
    (a closed terminal) raises ``EOFError`` like prompt_toolkit does.
    """

    key_help = (
        "Type the number of your answer and press Enter. Type < and press Enter to go back one question. "
        "Press Ctrl-C to stop; your answers are saved for later."
    )

    def __init__(self, stdin: IO[str] | None = None, stderr: IO[str] | None = None) -> None:
        self.stdin = stdin or sys.stdin
        self.stderr = stderr or sys.stderr

    def _say(self, text: str = "") -> None:
        self.stderr.write(text + "\n")
        self.stderr.flush()

    def _read(self, prompt: str) -> str:
        self.stderr.write(prompt)
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
                self._say(f"Not accepted: {exc}. Please try again.")

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
            return f"Type y or n{optional}", lambda raw: _parse_typed(question, raw)
        if question.type == "scale":
            self._say(f"  {scale_hint(question)}")
            return f"Type a number from {_num(question.min)} to {_num(question.max)}{optional}", \
                lambda raw: _parse_typed(question, raw)  # fmt: skip
        hint = number_hint(question) if question.type == "number" else ""
        return f"Type your answer{f' ({hint})' if hint else ''}{optional}", lambda raw: _parse_typed(question, raw)

    def _pick(self, question: Question, raw: str) -> Any:
        if not raw:
            return _parse_typed(question, raw)
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
