"""Writing health data safely: atomic, owner-readable only, never overwriting by surprise."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from pmpt_cli.errors import InputFileError, OutputExistsError


def write_private(path: str | Path, text: str | bytes, *, force: bool = False) -> None:
    """Write ``text`` to ``path`` atomically with mode 0600; ``-`` writes to stdout.

    The temporary file is created beside the target (so the rename is atomic on
    one file system) and removed if anything fails, so a reader never sees half
    a file and a failure leaves nothing behind.
    """
    if str(path) == "-":
        if isinstance(text, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(text)
            sys.stdout.buffer.flush()
        else:
            sys.stdout.write(text)
            sys.stdout.flush()
        return
    target = Path(path)
    if target.exists() and not force:
        raise OutputExistsError(f"'{target}' already exists; pass --force to overwrite it, or choose another name.")
    if target.is_dir():
        raise InputFileError(f"'{target}' is a folder; give a file name.")
    folder = target.parent if str(target.parent) else Path(".")
    import tempfile  # only the export path pays for it

    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except FileNotFoundError:
        raise InputFileError(f"Cannot write '{target}': folder '{folder}' does not exist.") from None
    except OSError as exc:
        raise InputFileError(f"Cannot write '{target}': {exc.strerror}.") from None
    try:
        binary = isinstance(text, bytes)  # a PDF
        with os.fdopen(fd, "wb" if binary else "w", encoding=None if binary else "utf-8") as fh:  # already 0600
            fh.write(text)  # type: ignore[arg-type]
            fh.flush()
            os.fsync(fh.fileno())
        if not force and target.exists():  # appeared while we wrote
            raise OutputExistsError(f"'{target}' already exists; pass --force to overwrite it.")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_input(path: str, what: str, *, limit: int = 10_000_000) -> tuple[str, bytes]:
    """``(origin, bytes)`` of a file to read; ``-`` reads standard input. ``what`` names it in errors."""
    if path == "-":
        data = sys.stdin.buffer.read(limit + 1)
        origin = "<stdin>"
    else:
        origin = path
        try:
            with open(path, "rb") as fh:
                data = fh.read(limit + 1)
        except FileNotFoundError:
            raise InputFileError(f"{what.capitalize()} '{path}' does not exist.") from None
        except IsADirectoryError:
            raise InputFileError(f"'{path}' is a folder; give the path of {what}.") from None
        except OSError as exc:
            raise InputFileError(f"Cannot read {what} '{path}': {exc.strerror}.") from None
    if len(data) > limit:
        raise InputFileError(f"{origin}: larger than {limit // 1_000_000} MB; not {what}.")
    return origin, data


def write_json(data: Any) -> None:
    """JSON straight to stdout: never through rich, which would wrap long lines."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
