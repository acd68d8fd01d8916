"""Prompts on the terminal with prompt_toolkit: menus with one-key answers, wrapped to fit.

This is the only module that imports questionary and prompt_toolkit, and it does so
inside functions: they cost about 130 ms, which the scripted path must never pay.
Prompts are drawn on stderr so that stdout stays for data (``pmpt triage --json > out``).
Every typed answer goes through ``validation.parse_text``/``check_value``, the same
validator the answers file uses.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from pmpt_cli.cli.interview import BACK
from pmpt_cli.cli.plain_prompts import (
    BACK_WORD,
    PlainPrompter,
    answer_text,
    labelled,
    number_hint,
    parse_typed,
    scale_hint,
)
from pmpt_cli.cli.wrap import wrap
from pmpt_cli.messages import safe_text
from pmpt_cli.model import Question
from pmpt_cli.validation import AnswerInvalid, check_value

if TYPE_CHECKING:
    from pmpt_cli.cli.environment import Environment
    from pmpt_cli.cli.interview import Prompter

SKIP = "__skip__"


def make_prompter(env: Environment, *, plain: bool = False) -> Prompter:
    """Menus where prompt_toolkit can run; plain prompts with ``--plain``, ``TERM=dumb``, or on failure."""
    if plain or os.environ.get("TERM") == "dumb":
        return PlainPrompter(env.stdin, env.stderr)
    try:
        return QuestionaryPrompter(env)
    except Exception as exc:  # noqa: BLE001  any failure here (e.g. NoConsoleScreenBufferError on Windows) means no menus
        env.say(f"note: this terminal cannot show menus ({type(exc).__name__}); using plain prompts.")
        return PlainPrompter(env.stdin, env.stderr)


def scale_values(question: Question) -> list[int]:
    """Every point of a scale, lowest first."""
    return list(range(int(question.min or 0), int(question.max or 0) + 1))


def shows_as_menu(question: Question) -> bool:
    """A scale of up to 11 points is a one-key menu; a wider one is typed like a number."""
    return question.type == "scale" and len(scale_values(question)) <= 11 and (question.min or 0) >= 0


# -- menus ---------------------------------------------------------------------------------


class QuestionaryPrompter:
    """Menus with one-key answers, drawn on stderr with prompt_toolkit.

    Every question, help text and choice is wrapped to the terminal's width at word
    boundaries, with the continuation indented under the label (``ListPrompt``), and
    long lists scroll with "more above/below" lines. (The name is historical: the menus
    were questionary's, which cut long lines off.)
    """

    def __init__(self, env: Environment) -> None:
        from prompt_toolkit.application.current import get_app_session
        from prompt_toolkit.output import create_output

        # A caller (a test) that opened its own app session chose the streams; otherwise
        # draw on stderr. Creating the output is also where an unusable terminal fails.
        self._output = None if _session_has_output(get_app_session()) else create_output(stdout=env.stderr)
        from rich.console import Console

        self._console = Console(file=env.stderr, highlight=False, no_color=not env.colour)
        self._colour = env.colour

    def key_help(self, types: frozenset[str]) -> str:
        """The keys the questionnaire's question types use, and only those."""
        menus = types & {"choice", "multi_choice"} or any(t == "scale" for t in types)
        parts = []
        if menus:
            parts.append("press the number of an answer (or move with ↑ ↓ and press Enter)")
        if "multi_choice" in types:
            parts.append("where several answers may apply, press their numbers to tick them, then Enter")
        if "scale" in types:
            parts.append("on a 0 to 10 scale press 0 to 9, or type 10")
        if "yes_no" in types:
            parts.append("y or n for yes or no")
        back = "< or ← goes back one question"
        if types & {"number", "text"}:
            back += " (where you type an answer, type < and press Enter)"
        parts.append(back)
        return "Keys: " + "; ".join(parts) + ". Ctrl-C stops and saves your answers for later."

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

        text = safe_text(text)
        if kind in ("welcome", "alert"):  # numbered and bulleted lines hang under their text
            text = _hanging(text, self._console.width - 4)
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
        with self._session():
            if question.type in ("choice", "multi_choice"):
                return self._choices(question, default)
            if question.type == "yes_no":
                return self._yes_no(question, default)
            if shows_as_menu(question):
                return self._scale(question, default)
            return self._typed(question, default)

    def menu(self, message: str, options: Sequence[tuple[str, str]], default: str) -> str:
        items = [Item(key, label, number=str(i)) for i, (key, label) in enumerate(options, 1)]
        with self._session():
            if len(options) <= 9:
                keys = {str(i): key for i, (key, _) in enumerate(options, 1)}
                prompt = ListPrompt(message, items, default=default, keys=keys, hint="(press a number, or Enter)",
                                    back=False, colour=self._colour)  # fmt: skip
            else:  # two-digit rows: digits choose the row, Enter opens it (typing 1 of 12 picks nothing)
                prompt = ListPrompt(message, items, default=default, keys={}, number_entry=True, back=False,
                                    hint="(type a number and press Enter, or move with ↑ ↓; Enter picks)",
                                    colour=self._colour)  # fmt: skip
            return str(prompt.run())

    def confirm(self, message: str, default: bool) -> bool:
        items = [Item(True, "Yes", number="y"), Item(False, "No", number="n")]
        hint = f"(y/n, Enter: {'yes' if default else 'no'})"
        with self._session():
            prompt = ListPrompt(message, items, default=default, keys={"y": True, "Y": True, "n": False, "N": False},
                                hint=hint, back=False, compact=True, colour=self._colour)  # fmt: skip
            return bool(prompt.run())

    def text(self, message: str, default: str = "") -> str:
        with self._session():
            return str(_line_prompt(message, default, validate=None, hint=""))

    # -- one method per question type --------------------------------------------------

    def _choices(self, question: Question, default: Any) -> Any:
        multi = question.type == "multi_choice"
        items = [Item(c.value, safe_text(c.label), help=safe_text(c.help), number=str(i) if i <= 9 else "")
                 for i, c in enumerate(question.choices, 1)]  # fmt: skip
        keys = {str(i): c.value for i, c in enumerate(question.choices[:9], 1)}
        if multi:
            return self._multi(question, items, keys, default)
        hint = "(press a number; < back)"
        items, keys = _with_skip(question, items, keys)
        prompt = ListPrompt(safe_text(question.text), items, default=default, keys=keys, hint=hint,
                            help=safe_text(question.help), colour=self._colour)  # fmt: skip
        return _checked(question, prompt.run())

    def _scale(self, question: Question, default: Any) -> Any:
        values = scale_values(question)
        labels = {values[0]: question.min_label, values[-1]: question.max_label}
        items = [Item(v, safe_text(labels.get(v, "")), number=f"{v:>2}", separator="  ") for v in values]
        keys = {str(v): v for v in values}
        # The anchors sit beside their numbers in the list, so the hint stays one short line.
        hint = f"(press {values[0]} to {values[-1]}; < back)"
        items, keys = _with_skip(question, items, keys)
        prompt = ListPrompt(safe_text(question.text), items, default=default, keys=keys, hint=hint,
                            help=safe_text(question.help), colour=self._colour)  # fmt: skip
        return _checked(question, prompt.run())

    def _multi(self, question: Question, items: list[Item], keys: dict[str, Any], default: Any) -> Any:
        needs_one = question.required and any(c.exclusive for c in question.choices)

        def validate(values: list[Any]) -> str | None:
            if needs_one and not values:
                # An empty list would silently mean "none"; for safety questions make it a choice.
                none = next(c.label for c in question.choices if c.exclusive)
                return f"Choose at least one; choose '{safe_text(none)}' if none apply."
            try:
                check_value(question, values)
            except AnswerInvalid as exc:
                return labelled(question, str(exc))
            return None

        def toggle(selected: list[Any], value: Any) -> list[Any]:
            if value in selected:
                return [v for v in selected if v != value]
            exclusive = question.choice(value).exclusive  # type: ignore[union-attr]
            # Ticking "none of these" clears the others, and ticking another clears it.
            keep = [] if exclusive else [v for v in selected if not question.choice(v).exclusive]  # type: ignore[union-attr]
            return keep + [value]

        prompt = ListPrompt(safe_text(question.text), items, default=None, keys=keys,
                            hint="(press numbers to tick, then Enter; < back)", help=safe_text(question.help),
                            multi=True, chosen=list(default or []), toggle=toggle, validate=validate,
                            colour=self._colour)  # fmt: skip
        result = prompt.run()
        if result is BACK:
            return BACK
        order = question.choice_values
        return _checked(question, sorted(result, key=order.index))

    def _yes_no(self, question: Question, default: Any) -> Any:
        if default is None:
            hint = "(y/n, Enter to skip; < back)" if not question.required else "(y/n; < back)"
        else:
            hint = f"(y/n, Enter keeps '{'yes' if default else 'no'}'; < back)"
        items = [Item(True, "Yes", number="y"), Item(False, "No", number="n")]
        keys = {"y": True, "Y": True, "n": False, "N": False}
        # No preselected answer to a fresh yes/no: a stray Enter must not answer "no".
        enter: Any = _KEEP if default is not None else (None if not question.required else _IGNORE)
        prompt = ListPrompt(safe_text(question.text), items, default=default, keys=keys, hint=hint,
                            help=safe_text(question.help), compact=True, enter=enter,
                            colour=self._colour)  # fmt: skip
        result = prompt.run()
        return result if result is BACK or result is None else _checked(question, bool(result))

    def _typed(self, question: Question, default: Any) -> Any:
        hint = number_hint(question) if question.type in ("number", "scale") else ""
        if question.type == "scale":
            hint = scale_hint(question)
        extra = "Enter to skip; " if not question.required else ""
        instruction = f"({hint + '; ' if hint else ''}{extra}< back)"

        def validate(text: str) -> str | None:
            try:
                parse_typed(question, text)
            except AnswerInvalid as exc:
                return str(exc)
            return None

        message = safe_text(question.text) + (f"\n{safe_text(question.help)}" if question.help else "")
        return parse_typed(question, _line_prompt(message, answer_text(question, default), validate, instruction))


# -- the list prompt ---------------------------------------------------------------------------

_KEEP = object()  # Enter takes the highlighted item
_IGNORE = object()  # Enter does nothing


class Item:
    """One row of a ``ListPrompt``: the value it answers, its label and its number key."""

    __slots__ = ("value", "label", "help", "number", "separator")

    def __init__(self, value: Any, label: str, *, help: str = "", number: str = "", separator: str = ". ") -> None:
        self.value = value
        self.label = label
        self.help = help
        self.number = number  # shown before the label ("1", "10", "y")
        self.separator = separator


class ListPrompt:
    """A question and its answers as a list, wrapped to the terminal and scrolled to fit.

    Keys: each of ``keys`` answers at once (or ticks, with ``multi``); a key that starts
    a longer one ("1" and "10" on a 0-10 scale) waits half a second for the next. With
    ``number_entry`` digits instead build a row number (shown, and highlighted as they
    are typed) and Enter opens the row. ↑ ↓, Page Up/Down, Home and End move; Enter
    takes the highlighted row (or submits the ticks); < and ← go back; Ctrl-C stops.
    """

    def __init__(
        self,
        message: str,
        items: Sequence[Item],
        *,
        default: Any,
        keys: dict[str, Any],
        hint: str,
        help: str = "",
        back: bool = True,
        multi: bool = False,
        chosen: Sequence[Any] = (),
        toggle: Callable[[list[Any], Any], list[Any]] | None = None,
        validate: Callable[[list[Any]], str | None] | None = None,
        number_entry: bool = False,
        compact: bool = False,
        enter: Any = _KEEP,
        colour: bool = True,
    ) -> None:
        self.message, self.items, self.keys, self.hint, self.help = message, list(items), keys, hint, help
        self.back, self.multi, self.number_entry, self.compact, self.enter = back, multi, number_entry, compact, enter
        self.selected = list(chosen)
        self.toggle = toggle or (lambda selected, value: selected)
        self.validate = validate
        self.colour = colour
        values = [item.value for item in self.items]
        self.pointer = values.index(default) if default in values and default is not None else 0
        if multi and self.selected and self.selected[0] in values:
            self.pointer = values.index(self.selected[0])
        self.top = 0  # the first row on screen
        self.typed = ""  # digits typed so far (number_entry)
        self.error: str | None = None
        self.answer: str | None = None  # the chosen label(s), shown on the question line when done

    # -- drawing ----------------------------------------------------------------------------

    def _size(self) -> tuple[int, int]:
        from prompt_toolkit.application.current import get_app

        size = get_app().output.get_size()
        return max(20, size.columns - 1), max(6, size.rows)

    def tokens(self) -> list[tuple[str, str]]:
        """Everything the prompt shows, wrapped to the width of the terminal now."""
        from prompt_toolkit.application.current import get_app

        width, height = self._size()
        out: list[tuple[str, str]] = []

        def line(*parts: tuple[str, str]) -> None:
            out.extend(parts)
            out.append(("", "\n"))

        head = wrap(self.message, width, "? ", "  ", measure=_cwidth)
        if get_app().is_done:
            answer = self.answer or ""
            final = head[-1]
            for text in head[:-1]:
                line(("class:question", text))
            if answer and _cwidth(final) + 4 + _cwidth(answer) <= width:
                line(("class:question", final), ("class:answer", "  › " + answer))
            else:
                line(("class:question", final))
                for text in wrap(answer, width, "  › ", "    ", measure=_cwidth) if answer else []:
                    line(("class:answer", text))
            out.pop()
            return out
        header: list[list[tuple[str, str]]] = [[("class:question", text)] for text in head]
        if self.help:
            header += [[("class:help", text)] for text in wrap(self.help, width, "  ", measure=_cwidth)]
        if self.hint:
            header += [[("class:hint", text)] for text in wrap(self.hint, width, "  ", measure=_cwidth)]
        footer: list[list[tuple[str, str]]] = []
        pointed = self.items[self.pointer]
        if pointed.help:
            footer += [[("class:help", text)] for text in wrap(pointed.help, width, "  ", measure=_cwidth)]
        if self.number_entry and self.typed:
            footer.append([("class:hint", f"  Row {self.typed}: press Enter to open it (Backspace to change)")])
        if self.error:
            footer += [[("class:error", text)] for text in wrap(self.error, width, "  ", measure=_cwidth)]
        rows = [self._row(i, width) for i in range(len(self.items))]
        room = max(3, height - 1 - len(header) - len(footer))
        if len(header) + len(footer) + 3 > height - 1:  # a tiny screen: the list comes first
            header = header[-(max(1, height - 1 - len(footer) - 3)) :]
        first, last = self._window([len(r) for r in rows], room)
        for parts in header:
            line(*parts)
        if first > 0:
            line(("class:more", f"  ↑ {first} more above"))
        for index in range(first, last):
            for parts in rows[index]:
                line(*parts)
        if last < len(rows):
            line(("class:more", f"  ↓ {len(rows) - last} more below"))
        for parts in footer:
            line(*parts)
        out.pop()
        return out

    def _row(self, index: int, width: int) -> list[list[tuple[str, str]]]:
        item = self.items[index]
        here = index == self.pointer
        pointer = "❯ " if here else "  "
        mark = ("[x] " if item.value in self.selected else "[ ] ") if self.multi else ""
        number = f"{item.number}{item.separator}" if item.number else ""
        if not number and any(i.number for i in self.items):
            number = " " * max(_cwidth(f"{i.number}{i.separator}") for i in self.items if i.number)
        lead = pointer + mark + number
        style = "class:highlighted" if here else ("class:selected" if item.value in self.selected else "class:text")
        label_lines = wrap(item.label, width - _cwidth(lead), measure=_cwidth) or [""]
        rows = [[("class:pointer" if here else "", pointer), ("class:selected", mark), ("class:number", number),
                 (style, label_lines[0])]]  # fmt: skip
        rows += [[(style, " " * _cwidth(lead) + text)] for text in label_lines[1:]]
        return rows

    def _window(self, heights: list[int], room: int) -> tuple[int, int]:
        """The rows to draw, ``[first, last)``: the highlighted one is always among them."""
        if sum(heights) <= room:
            self.top = 0
            return 0, len(heights)
        self.top = min(self.top, self.pointer)

        def fits(first: int, last: int) -> bool:
            more = (first > 0) + (last < len(heights))
            return sum(heights[first:last]) + more <= room

        while self.top < self.pointer and not fits(self.top, self.pointer + 1):
            self.top += 1
        last = self.pointer + 1
        while last < len(heights) and fits(self.top, last + 1):
            last += 1
        while self.top > 0 and fits(self.top - 1, last):  # room left at the end: show more above
            self.top -= 1
        return self.top, max(last, self.top + 1)

    # -- keys ---------------------------------------------------------------------------------

    def run(self) -> Any:
        from prompt_toolkit.application import Application
        from prompt_toolkit.key_binding import KeyBindings
        from prompt_toolkit.layout import Layout, Window
        from prompt_toolkit.layout.controls import FormattedTextControl

        bindings = KeyBindings()
        values = [item.value for item in self.items]

        def finish(event: Any, value: Any) -> None:
            if event.app.is_done:
                return
            if value is BACK:
                self.answer = None
            elif self.multi:
                labels = [i.label for i in self.items if i.value in value]
                self.answer = ", ".join(labels) if labels else "none"
            else:
                item = self.items[values.index(value)] if value in values else None
                self.answer = item.label.strip() or item.number.strip() if item else None
                if item is not None and item.number.strip() and item.separator == "  ":  # a scale point
                    self.answer = item.number.strip() + (f"  {item.label}" if item.label else "")
            event.app.exit(result=value)

        def press(value: Any) -> Callable[[Any], None]:
            def handler(event: Any) -> None:
                if event.app.is_done:
                    return
                self.error = None
                if self.multi and value is not SKIP:
                    self.pointer = values.index(value)
                    self.selected = self.toggle(self.selected, value)
                    return
                self.pointer = values.index(value)
                finish(event, value)

            return handler

        for key, value in self.keys.items():
            longer = any(other != key and other.startswith(key) for other in self.keys)
            bindings.add(*key, eager=not longer)(press(value))

        def move(step: int | None = None, to: int | None = None) -> Callable[[Any], None]:
            def handler(event: Any) -> None:
                self.error = None
                self.typed = ""
                self.pointer = to if to is not None else max(0, min(len(values) - 1, self.pointer + (step or 0)))

            return handler

        bindings.add("up")(move(-1))
        bindings.add("down")(move(1))
        bindings.add("pageup")(move(-5))
        bindings.add("pagedown")(move(5))
        bindings.add("home")(move(to=0))
        bindings.add("end")(move(to=len(values) - 1))

        if self.number_entry:

            def digit(char: str) -> Callable[[Any], None]:
                def handler(event: Any) -> None:
                    typed = (self.typed + char).lstrip("0")
                    if typed and int(typed) <= len(values):
                        self.typed = typed
                        self.pointer = int(typed) - 1
                        self.error = None
                    elif char != "0" or self.typed:
                        self.error = f"There is no row {self.typed + char}; the rows go from 1 to {len(values)}."
                        self.typed = ""

                return handler

            for char in "0123456789":
                bindings.add(char, eager=True)(digit(char))

            @bindings.add("backspace", eager=True)
            def _backspace(event: Any) -> None:
                self.typed = self.typed[:-1]
                if self.typed:
                    self.pointer = int(self.typed) - 1

            @bindings.add("escape", eager=True)
            def _clear(event: Any) -> None:
                self.typed = ""

        if self.multi:

            @bindings.add(" ", eager=True)
            def _tick(event: Any) -> None:
                self.error = None
                self.selected = self.toggle(self.selected, values[self.pointer])

            for key in ("a", "i"):  # no tick-all: it would tick "none of these" with the rest
                bindings.add(key, eager=True)(lambda event: None)

        @bindings.add("enter", eager=True)
        def _enter(event: Any) -> None:
            if event.app.is_done:
                return
            self.typed = ""
            if self.multi:
                chosen = [v for v in values if v in self.selected]
                self.error = self.validate(chosen) if self.validate else None
                if self.error is None:
                    finish(event, chosen)
                return
            if self.enter is _IGNORE:
                return
            finish(event, values[self.pointer] if self.enter is _KEEP else self.enter)

        if self.back:
            for key in (BACK_WORD, "left"):
                bindings.add(key, eager=True)(lambda event: finish(event, BACK))

        @bindings.add("c-c", eager=True)
        def _interrupt(event: Any) -> None:
            event.app.exit(exception=KeyboardInterrupt, style="class:aborting")

        @bindings.add("c-d", eager=True)
        def _eof(event: Any) -> None:
            event.app.exit(exception=EOFError, style="class:aborting")

        tokens: Any = self.tokens
        control = FormattedTextControl(tokens, show_cursor=False, focusable=True)
        app: Any = Application(
            layout=Layout(Window(control, wrap_lines=False, dont_extend_height=True, always_hide_cursor=True)),
            key_bindings=bindings,
            style=_style(self.colour),
            erase_when_done=False,
            full_screen=False,
        )
        app.timeoutlen = 0.5
        return app.run()


def _hanging(text: str, width: int) -> str:
    """``text`` with each "1. " or "- " line wrapped so that it continues under its words."""
    import re

    lines = []
    for line in text.split("\n"):
        mark = re.match(r"(\d+\. |- )", line)
        if mark is None or width < 20:
            lines.append(line)
            continue
        lead = mark.group(1)
        lines += wrap(line[len(lead) :], width, lead, " " * len(lead), measure=_cwidth)
    return "\n".join(lines)


def _style(colour: bool) -> Any:
    from prompt_toolkit.styles import Style

    if not colour:
        return Style([("question", "bold"), ("highlighted", "reverse"), ("pointer", "bold"), ("error", "bold")])
    return Style([
        ("question", "bold"), ("answer", "fg:ansicyan bold"), ("help", "fg:ansibrightblack"),
        ("hint", "fg:ansibrightblack"), ("more", "fg:ansiyellow"), ("pointer", "fg:ansicyan bold"),
        ("highlighted", "fg:ansicyan bold"), ("selected", "fg:ansicyan"), ("number", ""),
        ("error", "fg:ansired bold"),
    ])  # fmt: skip


def _cwidth(text: str) -> int:
    from prompt_toolkit.utils import get_cwidth

    return get_cwidth(text)


def _line_prompt(message: str, default: str, validate: Callable[[str], str | None] | None, hint: str) -> str:
    """One line of typed text under a wrapped question; ``validate`` returns the reason it is refused."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.application.current import get_app
    from prompt_toolkit.validation import ValidationError, Validator

    def message_tokens() -> list[tuple[str, str]]:
        width = max(20, get_app().output.get_size().columns - 1)
        lines: list[tuple[str, str]] = []
        question, _, help_text = message.partition("\n")
        for text in wrap(question, width, "? ", "  ", measure=_cwidth):
            lines += [("class:question", text), ("", "\n")]
        for text in wrap(help_text, width, "  ", measure=_cwidth) if help_text else []:
            lines += [("class:help", text), ("", "\n")]
        for text in wrap(hint, width, "  ", measure=_cwidth) if hint else []:
            lines += [("class:hint", text), ("", "\n")]
        lines.append(("class:pointer", "› "))
        return lines

    class _Check(Validator):
        def validate(self, document: Any) -> None:
            reason = validate(document.text) if validate else None
            if reason:
                raise ValidationError(message=reason, cursor_position=len(document.text))

    shown: Any = message_tokens
    session: Any = PromptSession(shown, validator=_Check(), validate_while_typing=False,
                                 style=_style(True), erase_when_done=False)  # fmt: skip
    return str(session.prompt(default=default))


def _session_has_output(session: Any) -> bool:
    # ``_output`` is set only when someone passed an output to create_app_session; the
    # public ``output`` property would create (and cache) a stdout output instead.
    return getattr(session, "_output", None) is not None


def _checked(question: Question, value: Any) -> Any:
    """Run a menu's answer through the shared validator; pass BACK and skips through."""
    if value is BACK or value is None:
        return value
    if isinstance(value, str) and value == SKIP:
        return None
    return check_value(question, value)


def _with_skip(question: Question, items: list[Item], keys: dict[str, Any]) -> tuple[list[Item], dict[str, Any]]:
    """An optional question's list ends with "s. Skip this question"."""
    if question.required:
        return items, keys
    return [*items, Item(SKIP, "Skip this question", number="s")], {**keys, "s": SKIP}
