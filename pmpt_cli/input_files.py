"""Reading files that other people wrote: bounded, regular files only, parsed strictly.

Questionnaires, answers files and saved answers come from other people and other
programs. Whatever they hold, reading one is bounded work with a clear error:

- ``read_bounded`` opens without blocking (a named pipe would otherwise wait forever for
  a writer), refuses anything but a regular file (``/dev/zero`` never ends), and reads
  at most the limit;
- ``decode`` takes UTF-8, with or without the byte-order mark spreadsheets and Windows
  editors add;
- ``load_toml`` and ``load_json`` turn what the parsers cannot take (nesting deep enough
  to exhaust the stack, integers longer than Python converts) into that error, refuse
  nesting deeper than any pmpt file needs, and, for JSON, refuse a key given twice in
  one object: JSON parsers keep the last value silently, so a trailing
  ``"bladder_bowel": "no"`` could turn an emergency into self-care. (TOML refuses
  duplicate keys itself.)
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from typing import Any

from pmpt_cli.errors import InputFileError, PmptError, Problem

#: The largest questionnaire and answers file pmpt reads.
MAX_QUESTIONNAIRE_BYTES = 2_000_000
MAX_ANSWERS_BYTES = 5_000_000
#: No pmpt file nests deeper than this (an answers file needs 3 levels, a questionnaire 6).
MAX_NESTING = 20
#: FHIR resources nest deeper (groups in groups, answers, extensions): bounded all the same.
MAX_FHIR_NESTING = 200

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def read_bounded(
    path: str, limit: int, what: str, *, missing: type[PmptError] = InputFileError, fix: str = ""
) -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them, else a ``PmptError``.

    ``what`` names the file in messages ("questionnaire file"); ``missing`` is raised when
    it does not exist; ``fix`` ends the message for a file that is not a regular file.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except ValueError:  # a NUL byte in the name
        raise InputFileError(f"{quote(path)} is not a valid file name; check the name.") from None
    except FileNotFoundError:
        raise missing(f"The {what} {quote(path)} does not exist; check the name.") from None
    except IsADirectoryError:
        raise missing(f"{quote(path)} is a folder; {fix or 'give the path of a file'}.") from None
    except OSError as exc:
        raise InputFileError(f"Cannot read the {what} {quote(path)}: {exc.strerror}.") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
            if stat.S_ISDIR(mode):
                raise missing(f"{quote(path)} is a folder; {fix or 'give the path of a file'}.")
            raise InputFileError(
                f"{quote(path)} is {kind}, not a regular file; pmpt reads {what}s only from regular files "
                f"({fix or 'save it to a file first'})."
            )
        if os.fstat(fd).st_size > limit:
            raise InputFileError(_too_large(path, limit, what))
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise InputFileError(f"Cannot read the {what} {quote(path)}: {exc.strerror}.") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise InputFileError(_too_large(path, limit, what))
    return data


def quote(value: object) -> str:
    from pmpt_cli.messages import quote_path  # only when something is wrong: it imports re

    return quote_path(value)


def _too_large(path: str, limit: int, what: str) -> str:
    return f"{quote(path)} is larger than {_size(limit)}, too large for a {what}; check that it is the right file."


def _size(limit: int) -> str:
    return f"{limit // 1_000_000} MB" if limit >= 1_000_000 else f"{limit // 1000} KB"


def decode(data: bytes, origin: str, *, error: type[PmptError] = InputFileError) -> str:
    """UTF-8 text, a leading byte-order mark dropped."""
    try:
        return data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")  # not "utf-8-sig": its codec is an import
    except UnicodeDecodeError as exc:
        raise error(f"{origin}: not UTF-8 text ({exc.reason} at byte {exc.start}); save the file as UTF-8.") from None


def load_toml(
    text: str,
    origin: str,
    *,
    error: type[PmptError] = InputFileError,
    hint: str = "",
    loads: Callable[[str], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Parse TOML, turning every way it can fail into ``error``; ``hint`` ends a syntax error.

    ``loads`` parses (default ``tomllib.loads``); it must raise ``tomllib.TOMLDecodeError``
    as tomllib does (``toml_parser.loads`` does)."""
    import tomllib

    try:
        data = (loads or tomllib.loads)(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{origin}: not valid TOML: {exc}; correct the file there.{' ' + hint if hint else ''}") from None
    except (RecursionError, MemoryError):
        raise error(_nested(origin)) from None
    except ValueError as exc:  # an integer beyond Python's conversion limit (4,300 digits)
        raise error(_number(origin, exc)) from None
    _check_tree(data, origin, error, duplicates=False)
    return data


def load_json(
    text: str, origin: str, *, error: type[PmptError] = InputFileError, hint: str = "", max_depth: int = MAX_NESTING
) -> Any:
    """Parse JSON strictly: as ``load_toml``, and a key given twice in one object is an error.
    ``max_depth`` bounds the nesting (FHIR resources nest deeper than pmpt's own files)."""
    import json

    found: list[bool] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        table = dict(items)
        if len(table) == len(items):
            return table
        found.append(True)
        return _Duplicated(table, items)

    try:
        data = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        raise error(
            f"{origin}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).{' ' + hint if hint else ''}"
        ) from None
    except (RecursionError, MemoryError):
        raise error(_nested(origin, max_depth)) from None
    except ValueError as exc:
        raise error(_number(origin, exc)) from None
    _check_tree(data, origin, error, duplicates=bool(found), json=True, max_depth=max_depth)
    return data


def _nested(origin: str, max_depth: int = MAX_NESTING) -> str:
    return (
        f"{origin}: nested more than {max_depth} levels deep, deeper than any pmpt file; "
        "check that it is the right file."
    )


def _number(origin: str, exc: ValueError) -> str:
    if "digits" in str(exc):
        return (
            f"{origin}: holds a number of more than 4,300 digits, which no answer or questionnaire needs; "
            "check that it is the right file."
        )
    return f"{origin}: cannot be read ({exc}); check that it is the right file."


def _is_text(value: str) -> bool:
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class _Duplicated(dict[str, Any]):
    """A JSON object that gave some key more than once (the last value, as JSON keeps it)."""

    def __init__(self, table: dict[str, Any], items: list[tuple[str, Any]]) -> None:
        super().__init__(table)
        counts: dict[str, int] = {}
        for key, _ in items:
            counts[key] = counts.get(key, 0) + 1
        self.repeated = {key: n for key, n in counts.items() if n > 1}


def _check_tree(
    data: Any,
    origin: str,
    error: type[PmptError],
    *,
    duplicates: bool,
    json: bool = False,
    max_depth: int = MAX_NESTING,
) -> None:
    """Refuse nesting deeper than ``MAX_NESTING``, and for ``json`` half a surrogate pair
    (``"\\ud800"``, which is not text: no file could be written with it) and, if the
    parser saw any (``duplicates``), repeated keys.

    Iterative, so no input can exhaust the stack here; the problems found are listed.
    """
    from pmpt_cli.messages import MAX_LISTED

    problems: list[Problem] = []
    extra = 0
    stack: list[tuple[Any, str, int]] = [(data, "", 1)]
    while stack:
        value, where, depth = stack.pop()
        if depth > max_depth:
            raise error(_nested(origin, max_depth))
        if isinstance(value, dict):
            if duplicates and isinstance(value, _Duplicated):
                for key, count in value.repeated.items():
                    if len(problems) < MAX_LISTED:
                        problems.append(Problem(
                            f"{where}.{key}" if where else key,
                            f"the key {quote(key)} is given {count} times in one object",
                            "keep only one: pmpt will not guess which value counts",
                        ))  # fmt: skip
                    else:
                        extra += 1
            stack.extend((item, f"{where}.{key}" if where else str(key), depth + 1) for key, item in value.items())
        elif isinstance(value, list):
            stack.extend((item, f"{where}[{index}]", depth + 1) for index, item in enumerate(value))
        elif json and isinstance(value, str) and not _is_text(value):
            raise error(
                f"{origin}: the text at {where or 'the top'} holds a lone surrogate escape (like \\ud800), which is not "
                "text; write the character itself, or a pair of escapes."
            )
        if json and isinstance(value, dict) and not all(_is_text(key) for key in value):
            raise error(f"{origin}: a key in {where or 'the document'} holds a lone surrogate escape (like \\ud800), "
                        "which is not text; write the character itself, or a pair of escapes.")  # fmt: skip
    if problems:
        problems.sort(key=lambda p: p.location)
        count = len(problems) + extra
        raise error(
            f"{origin}: {count} duplicate key{'s' if count != 1 else ''}; give each key once, then try again.",
            problems=problems,
            more=extra,
        )
