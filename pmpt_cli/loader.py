"""Load a questionnaire: find the file, then take it from the cache or build it.

A file that loaded before comes back from the cache (cache.py) without parsing,
validating or compiling; otherwise the TOML is parsed and handed to the builder
(builder.py), which validates it strictly and compiles it, and the result is cached.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from pmpt_cli.errors import QuestionnaireError

if TYPE_CHECKING:
    from pmpt_cli.model import Questionnaire

MAX_FILE_BYTES = 2_000_000  # input_files.MAX_QUESTIONNAIRE_BYTES, without importing it on a cache hit


def load_questionnaire(source: str | Path) -> Questionnaire:
    """Load a questionnaire by bundled id, by id on ``PMPT_QUESTIONNAIRES_DIR``, or by path."""
    from pmpt_cli.registry import resolve  # the registry imports this module's parser

    origin, data = resolve(source)
    return parse_questionnaire(data, origin=origin)


def parse_questionnaire(data: bytes, *, origin: str = "<memory>") -> Questionnaire:
    """Parse TOML bytes into a validated ``Questionnaire``; raise ``QuestionnaireError``."""
    if len(data) > MAX_FILE_BYTES:
        raise QuestionnaireError(
            f"{origin}: file is larger than {MAX_FILE_BYTES // 1_000_000} MB, too large for a questionnaire; "
            "check that it is the right file."
        )
    from pmpt_cli import cache

    cached = cache.load(data, origin)
    if cached is not None:
        return cached
    from pmpt_cli.input_files import decode, load_toml  # only on a cache miss

    raw = load_toml(decode(data, origin, error=QuestionnaireError), origin, error=QuestionnaireError)
    import hashlib  # only on a cache miss: importing it loads OpenSSL, about 2 ms

    sha256 = hashlib.sha256(data).hexdigest()
    questionnaire = build_questionnaire(raw, sha256=sha256, origin=origin)
    cache.store(data, questionnaire)
    return questionnaire


def build_questionnaire(raw: dict[str, Any], *, sha256: str = "", origin: str = "<memory>") -> Questionnaire:
    """Validate a parsed TOML document and build the ``Questionnaire``, with its program.

    Raises ``QuestionnaireError`` listing every problem (see builder.py).
    """
    from pmpt_cli.builder import build_questionnaire as build

    return build(raw, sha256=sha256, origin=origin)
