"""Wrapping text for a terminal by display width, at word boundaries, with a hanging indent.

``textwrap`` counts characters, so a line with emoji or CJK text (two columns each)
overflows and the terminal cuts or breaks it. Here every width is the number of
columns a string takes on screen (``cell_width``); a word wider than the line is the
only thing ever broken. No rich or prompt_toolkit: the plain summary must not load them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

_SPACE = re.compile(r"\s+")
_ASCII = re.compile(r"[\x20-\x7e]*")


def char_width(char: str) -> int:
    """Columns one character takes: 0 for combining marks and joiners, 2 for wide ones."""
    if " " <= char <= "~":
        return 1
    if unicodedata.combining(char) or char in "\u200b\u200c\u200d\ufe0e\ufe0f" or unicodedata.category(char) == "Cf":
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def cell_width(text: str) -> int:
    """Columns ``text`` takes on a terminal (one line, no tabs)."""
    if _ASCII.fullmatch(text):
        return len(text)
    return sum(char_width(c) for c in text)


def wrap(
    text: str,
    width: int,
    first: str = "",
    rest: str | None = None,
    *,
    measure: Callable[[str], int] = cell_width,
) -> list[str]:
    """``text`` as lines of at most ``width`` columns: the first starts with ``first``,
    the others with ``rest`` (the hanging indent; default: as wide as ``first``, blank).

    Words are never split unless one alone is wider than a line. Line breaks in
    ``text`` are kept as paragraph breaks.
    """
    rest = " " * measure(first) if rest is None else rest
    lines: list[str] = []
    for number, paragraph in enumerate(text.split("\n")):
        lines.extend(_wrap_one(paragraph, width, first if number == 0 else rest, rest, measure))
    return lines


def _wrap_one(text: str, width: int, first: str, rest: str, measure: Callable[[str], int]) -> list[str]:
    words = _SPACE.split(text.strip())
    lines: list[str] = []
    line, used = first, measure(first)
    empty = True  # nothing but the indent on this line yet
    for word in words:
        if not word:
            continue
        size = measure(word)
        if not empty and used + 1 + size > width:
            lines.append(line)
            line, used, empty = rest, measure(rest), True
        if empty and used + size > width:  # one word wider than the line: break it by columns
            for piece in _pieces(word, max(1, width - used), max(1, width - measure(rest)), measure):
                if not empty:
                    lines.append(line)
                    line, used = rest, measure(rest)
                line, used, empty = line + piece, used + measure(piece), False
            continue
        line, used = (line + word, used + size) if empty else (line + " " + word, used + 1 + size)
        empty = False
    lines.append(line.rstrip() if empty else line)
    return lines


def _pieces(word: str, first: int, rest: int, measure: Callable[[str], int]) -> list[str]:
    """``word`` cut into pieces: the first at most ``first`` columns wide, the others ``rest``."""
    pieces, piece, used, limit = [], "", 0, first
    for char in word:
        size = measure(char)
        if piece and used + size > limit:
            pieces.append(piece)
            piece, used, limit = "", 0, rest
        piece, used = piece + char, used + size
    pieces.append(piece)
    return pieces


def fill(text: str, width: int, first: str = "", rest: str | None = None) -> str:
    """``wrap`` joined into one string with newlines."""
    return "\n".join(wrap(text, width, first, rest))
