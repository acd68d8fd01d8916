"""Words for messages about what is wrong: "did you mean" suggestions."""

from __future__ import annotations

from collections.abc import Iterable


def suggest(word: str, candidates: Iterable[str]) -> str:
    """``, did you mean 'x'?`` for the closest candidate, or an empty string."""
    from difflib import get_close_matches  # only when something is wrong

    match = get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f", did you mean '{match[0]}'?" if match else ""
