"""Messages: text from other people is shown, never obeyed, by a terminal."""

from __future__ import annotations

import pytest

from pmpt_cli.messages import quote, safe_text, suggest


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain words, é and 漢字 stay", "plain words, é and 漢字 stay"),
        ("line one\n\tline two", "line one\n\tline two"),
        ("age < 65\x1b[2K", "age < 65\\x1b[2K"),
        ("\x1b]0;pwned\x07title", "\\x1b]0;pwned\\x07title"),
        ("back\rspace\x08\x7f", "back\\x0dspace\\x08\\x7f"),
        ("c1 \x9b31m", "c1 \\x9b31m"),
        ("bidi \u202eevil\u202c \u2066iso\u2069", "bidi \\u202eevil\\u202c \\u2066iso\\u2069"),
    ],
)
def test_safe_text_escapes_what_commands_a_terminal(text: str, shown: str) -> None:
    assert safe_text(text) == shown
    assert "\x1b" not in safe_text(text) and "\u202e" not in safe_text(text)


def test_quote_escapes_and_cuts_long_values() -> None:
    assert quote("a\x1bb") == "'a\\x1bb'"
    assert quote(["\x1b"]) == "['\\x1b']"
    long = quote("x" * 500)
    assert len(long) == 60 and long.endswith("…")


def test_suggest_names_the_closest_candidate_quoted() -> None:
    assert suggest("pain_nw", ["pain_now", "weeks"]) == ", did you mean 'pain_now'?"
    assert suggest("zzz", ["pain_now"]) == ""
