"""The streams and the terminal facts, in one object passed down to whatever writes or asks.

After httpie's ``Environment``: the command line makes one (``from_system``) and hands it
on; nothing else reads ``sys.stdin``, ``sys.stdout`` or ``sys.stderr`` or asks whether
they are terminals. A test makes its own with any streams and any answers to "is this a
terminal?", "how wide?", "colour?", and so simulates any terminal.
"""

from __future__ import annotations

import os
import sys
from typing import IO, Any, TextIO

from pmpt_cli.records import Record

DEFAULT_WIDTH = 80
DEFAULT_HEIGHT = 24


class Environment(Record):
    """Where pmpt reads and writes, and what it may assume of the terminal."""

    stdin: TextIO
    stdout: TextIO  # data: the summary, JSON, exports to "-"
    stderr: TextIO  # people: prompts, progress, warnings, errors
    stdin_isatty: bool = False
    stdout_isatty: bool = False
    stderr_isatty: bool = False
    #: Colours and styles are allowed at all: not NO_COLOR, not TERM=dumb, not --no-color
    #: (each stream must also be a terminal: ``styled``).
    colour: bool = True
    width: int = DEFAULT_WIDTH  # columns
    height: int = DEFAULT_HEIGHT  # rows

    @classmethod
    def from_system(cls, *, no_color: bool = False) -> Environment:
        """The process's own streams and terminal, read now."""
        streams = (sys.stdin, sys.stdout, sys.stderr)
        ttys = [_isatty(stream) for stream in streams]
        colour = not (no_color or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb")
        width, height = _size(streams, ttys)
        return cls(
            sys.stdin, sys.stdout, sys.stderr, stdin_isatty=ttys[0], stdout_isatty=ttys[1], stderr_isatty=ttys[2],
            colour=colour, width=width, height=height,
        )  # fmt: skip

    @property
    def can_prompt(self) -> bool:
        """Whether pmpt may ask questions: it reads stdin and draws prompts on stderr."""
        return self.stdin_isatty and self.stderr_isatty

    def is_terminal(self, stream: IO[str]) -> bool:
        """Whether ``stream`` (stdout or stderr) is a terminal."""
        return (stream is self.stdout and self.stdout_isatty) or (stream is self.stderr and self.stderr_isatty)

    def styled(self, stream: IO[str]) -> bool:
        """Whether text for ``stream`` may carry colour (clig.dev, no-color.org)."""
        return self.colour and self.is_terminal(stream)

    def width_for(self, stream: IO[str]) -> int:
        """Columns to fill on ``stream``: the terminal's, or 80 in files, pipes and logs."""
        return self.width if self.is_terminal(stream) else DEFAULT_WIDTH

    def say(self, text: str) -> None:
        """A line for the person, on stderr; a closed terminal is not an error here.

        What a terminal would obey in ``text`` (file names, ids from files) is shown
        escaped (messages.safe_text).
        """
        from pmpt_cli.messages import safe_text

        try:
            self.stderr.write(safe_text(text) + "\n")
            self.stderr.flush()
        except (OSError, ValueError):  # the terminal is gone (ValueError: the stream is closed)
            pass


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):  # replaced, closed or detached streams
        return False


def _size(streams: tuple[Any, ...], ttys: list[bool]) -> tuple[int, int]:
    """``COLUMNS``/``LINES`` when set, else the size of the first terminal, else 80 x 24."""
    width = height = 0
    for stream, tty in zip(streams, ttys):
        if tty:
            try:
                width, height = os.get_terminal_size(stream.fileno())
                break
            except (AttributeError, ValueError, OSError):
                continue
    return _env_number("COLUMNS") or width or DEFAULT_WIDTH, _env_number("LINES") or height or DEFAULT_HEIGHT


def _env_number(name: str) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.isdigit() and int(value) > 0 else 0


def from_context(ctx: Any) -> Environment:
    """The environment the root command keeps in its click context (``cli.app``); a fresh
    one when a command runs without it."""
    env = getattr(ctx.find_root().obj, "env", None)
    return env if isinstance(env, Environment) else Environment.from_system()
