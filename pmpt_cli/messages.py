"""Words for messages: "did you mean" suggestions, values quoted safely, and text made
safe for a terminal.

Questionnaires, answers files, CSV cells and file names come from other people. Text
from them can hold escape sequences that move the cursor, erase a line or retitle the
window, or bidirectional overrides that reorder what a reader sees: every path that
writes such text to a terminal passes it through ``safe_text``, and every error message
quotes a value with ``quote``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: C0 controls but tab and newline, DEL, C1 controls, and the bidirectional overrides and
#: isolates (the "Trojan Source" characters, CVE-2021-42574).
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
#: A quoted value is cut to this many characters: a message must stay readable.
QUOTE_LIMIT = 60
#: File names are cut only past this: the person needs the whole name to find the file.
PATH_LIMIT = 400
#: Problem listings and "did you mean" suggestions stop after this many ("... and N more"):
#: a file of a million unknown keys must not take minutes to report.
MAX_LISTED = 20
#: Words longer than this get no "did you mean" (no id is anywhere near as long).
SUGGEST_LIMIT = 100


def and_more(count: int, noun: str = "more") -> str:
    """``... and 3 more``: the line that ends a listing cut at ``MAX_LISTED``."""
    return f"... and {count} {noun}"


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe_text(text: str) -> str:
    """``text`` with every control, escape and bidi-override character shown as an escape
    (``\\x1b``), so it prints as the characters it holds and cannot command the terminal."""
    return UNSAFE.sub(_escape, text) if UNSAFE.search(text) else text


def escape_data(text: str) -> str:
    """JSON or TOML text with every character ``safe_text`` escapes written as ``\\uXXXX``.

    In the JSON and TOML pmpt writes, such characters can only stand inside a quoted
    string, where ``\\uXXXX`` means the very same character: the data is unchanged, and a
    terminal that shows it has nothing to obey.
    """
    return UNSAFE.sub(_unicode_escape, text) if UNSAFE.search(text) else text


def _unicode_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def quote(value: object, limit: int = QUOTE_LIMIT) -> str:
    """A value for an error message, ``repr``-style (quotes, escapes), cut to ``limit`` characters."""
    try:
        text = repr(value) if isinstance(value, str) else safe_text(repr(value))
    except ValueError:  # an int beyond Python's 4,300-digit conversion limit
        text = "<a number of more than 4,300 digits>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quote_path(path: object) -> str:
    """A file name for a message: quoted as ``quote`` does, cut only if absurdly long."""
    return quote(str(path), PATH_LIMIT)


def suggest(word: str, candidates: Iterable[str]) -> str:
    """``, did you mean 'x'?`` for the closest candidate, or an empty string."""
    if len(word) > SUGGEST_LIMIT:
        return ""
    from difflib import get_close_matches  # only when something is wrong

    match = get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f", did you mean {quote(match[0])}?" if match else ""
