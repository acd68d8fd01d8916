"""Load a questionnaire: find the file, then take it from the cache or build it.

A file that loaded before comes back from the cache (cache.py) without parsing,
validating or compiling; otherwise the TOML is parsed and handed to the builder
(builder.py), which validates it strictly and compiles it, and the result is cached.
"""

from __future__ import annotations

from difflib import get_close_matches
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pmpt_cli.errors import QuestionnaireError

if TYPE_CHECKING:
    from pmpt_cli.model import Questionnaire

MAX_FILE_BYTES = 2_000_000


def suggest(word: str, candidates: Any) -> str:
    """``, did you mean 'x'?`` for the closest candidate, or an empty string."""
    match = get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f", did you mean '{match[0]}'?" if match else ""


def load_questionnaire(source: str | Path) -> Questionnaire:
    """Load a questionnaire by bundled id, by id on ``PMPT_QUESTIONNAIRES_DIR``, or by path."""
    from pmpt_cli.registry import resolve  # the registry imports this module's parser

    origin, data = resolve(source)
    return parse_questionnaire(data, origin=origin)


def parse_questionnaire(data: bytes, *, origin: str = "<memory>") -> Questionnaire:
    """Parse TOML bytes into a validated ``Questionnaire``; raise ``QuestionnaireError``."""
    if len(data) > MAX_FILE_BYTES:
        raise QuestionnaireError(
            f"{origin}: file is larger than {MAX_FILE_BYTES // 1_000_000} MB; is this really a questionnaire?"
        )
    from pmpt_cli import cache

    cached = cache.load(data, origin)
    if cached is not None:
        return cached
    import tomllib  # only on a cache miss

    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise QuestionnaireError(f"{origin}: not UTF-8 text ({exc.reason} at byte {exc.start}).") from None
    except tomllib.TOMLDecodeError as exc:
        raise QuestionnaireError(f"{origin}: not valid TOML: {exc}.") from None
    except RecursionError:
        raise QuestionnaireError(f"{origin}: nested too deeply to be a questionnaire.") from None
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
