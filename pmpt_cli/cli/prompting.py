"""Prompts on the terminal with questionary: arrow-key menus with one-key answers.

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
from functools import partial
from typing import TYPE_CHECKING, Any

from pmpt_cli.cli.interview import BACK
from pmpt_cli.cli.plain_prompts import BACK_WORD, PlainPrompter, answer_text, number_hint, parse_typed, scale_hint
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


# -- questionary ---------------------------------------------------------------------------


class QuestionaryPrompter:
    """Arrow-key menus with one-key answers, drawn on stderr."""

    key_help = (
        "Keys: press the number of an answer (or move with ↑ ↓ and press Enter); y or n for yes/no; "
        "< or ← goes back one question (in typing questions type < and press Enter); "
        "Ctrl-C stops and saves your answers for later."
    )

    def __init__(self, env: Environment) -> None:
        from prompt_toolkit.application.current import get_app_session
        from prompt_toolkit.output import create_output

        # A caller (a test) that opened its own app session chose the streams; otherwise
        # draw on stderr. Creating the output is also where an unusable terminal fails.
        self._output = None if _session_has_output(get_app_session()) else create_output(stdout=env.stderr)
        from rich.console import Console

        self._console = Console(file=env.stderr, highlight=False, no_color=not env.colour)

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
            result = _select(message, items, default, keys, "(press a number, or Enter)", back=False)
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
        hint = "(press a number; < back)"
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

        hint = "(press numbers to tick, then Enter; < back)"
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
            bindings.add(str(i + 1), eager=True)(_run(partial(tick, i)))
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
                parse_typed(question, text)
            except AnswerInvalid as exc:
                return str(exc)
            return True

        prompt = questionary.text(question.text, default=answer_text(question, default), validate=validate,
                                  instruction=instruction)  # fmt: skip
        return parse_typed(question, prompt.unsafe_ask())


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


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
