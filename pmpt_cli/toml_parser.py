"""TOML for answers files in bulk: the compiled ``tomli`` when installed (``pmpt[fast]``),
else the standard library's ``tomllib``, with the same results either way.

``pmpt batch`` over a folder of small answers files spent most of its time in
``tomllib``; the mypyc-compiled ``tomli`` wheel parses such a file about three times
faster (docs/performance.md). Results are identical: ``tomllib`` is ``tomli`` 2.0 inside
the standard library, and only ``tomli`` from 2.2 (the first compiled wheels) to before
2.4 (which parses TOML 1.1, a newer language) is used. A document ``tomli`` rejects is
parsed again by ``tomllib``, whose result or error is the one returned, so even error
messages do not depend on what is installed. ``PMPT_TOML=tomllib`` turns ``tomli`` off.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from typing import Any

#: tomli versions used: compiled wheels from 2.2; TOML 1.1 from 2.4.
TOMLI_VERSIONS = ((2, 2), (2, 4))

_fast: list[Callable[[str], dict[str, Any]] | None] = []  # the choice, made once


def fast_parser() -> Callable[[str], dict[str, Any]] | None:
    """``tomli.loads`` if a usable tomli is installed and not turned off, else ``None``."""
    if not _fast:
        _fast.append(_find_tomli())
    return _fast[0]


def _find_tomli() -> Callable[[str], dict[str, Any]] | None:
    if os.environ.get("PMPT_TOML", "").lower() == "tomllib":
        return None
    try:
        import tomli
    except ImportError:
        return None
    try:
        version = tuple(int(part) for part in str(tomli.__version__).split(".")[:2])
    except (AttributeError, ValueError):
        return None
    low, high = TOMLI_VERSIONS
    return tomli.loads if low <= version < high else None


def parser_name() -> str:
    """Which parser ``loads`` uses first: ``tomli X.Y.Z`` or ``tomllib``."""
    if fast_parser() is None:
        return "tomllib"
    import tomli

    return f"tomli {tomli.__version__}"


def loads(text: str) -> dict[str, Any]:
    """``tomllib.loads(text)``, faster when tomli is installed; raises ``tomllib.TOMLDecodeError``."""
    fast = fast_parser()
    if fast is not None:
        try:
            return fast(text)
        except Exception:  # noqa: BLE001 - tomllib decides what an error is, and says it
            pass
    return tomllib.loads(text)
