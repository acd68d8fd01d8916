"""Writing health data safely: atomic, owner-readable only, never overwriting by surprise."""

from __future__ import annotations

import errno
import json
import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from pmpt_cli.errors import InputFileError, OutputExistsError
from pmpt_cli.messages import escape_data, quote_path

#: link() cannot make a hard link here (FAT, some network file systems): see _put_in_place.
_NO_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS, errno.EMLINK, errno.EXDEV}


@contextmanager
def private_file(
    path: str | Path, *, force: bool = False, newline: str | None = None, binary: bool = False
) -> Iterator[IO[Any]]:
    """A file to fill (text, or bytes with ``binary``) that appears at ``path`` only when the
    block ends without error.

    It is written beside the target (so the rename is atomic on one file system), with
    mode 0600, flushed to disk, then moved into place; on any error, Ctrl-C included, it
    is removed, so a reader never sees half a file and a failure leaves nothing behind.

    Without ``force`` an existing ``path`` is refused, a dangling symbolic link included,
    and the file is put in place with ``os.link``, which fails if ``path`` exists: a file
    created there while pmpt wrote (a long batch) is never replaced. A file system error
    (a full disk, a read-only folder, a file that may not be replaced) is an
    ``InputFileError`` that says so.
    """
    target = Path(path)
    if not force and os.path.lexists(target):
        raise OutputExistsError(
            f"{quote_path(target)} already exists; pass --force to overwrite it, or choose another name."
        )
    if target.is_dir():
        raise InputFileError(f"{quote_path(target)} is a folder; give a file name.")
    folder = target.parent if str(target.parent) else Path(".")
    import tempfile  # only the paths that write files pay for it

    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name[:100]}.", suffix=".tmp", dir=folder)
    except FileNotFoundError as exc:
        if folder.is_dir():  # a folder no file can be made in (/proc)
            raise InputFileError(_cannot_write(target, exc)) from None
        raise InputFileError(
            f"Cannot write {quote_path(target)}: the folder {quote_path(folder)} does not exist; create it first."
        ) from None
    except OSError as exc:
        raise InputFileError(_cannot_write(target, exc)) from None
    try:
        try:
            mode = {"mode": "wb"} if binary else {"mode": "w", "encoding": "utf-8", "newline": newline}
            with os.fdopen(fd, **mode) as fh:  # mkstemp made it 0600
                yield fh
                fh.flush()
                os.fsync(fh.fileno())
            _put_in_place(tmp, target, force=force)
        except OSError as exc:
            raise InputFileError(_cannot_write(target, exc)) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _put_in_place(tmp: str, target: Path, *, force: bool) -> None:
    if force:
        os.replace(tmp, target)
        return
    try:
        os.link(tmp, target)  # never replaces anything, not even a dangling symbolic link
    except FileExistsError:
        raise OutputExistsError(
            f"{quote_path(target)} appeared while pmpt was writing it; pass --force to overwrite it, "
            "or choose another name."
        ) from None
    except OSError as exc:
        if exc.errno not in _NO_LINKS:
            raise
        if os.path.lexists(target):  # no hard links on this file system: check, then rename
            raise OutputExistsError(f"{quote_path(target)} already exists; pass --force to overwrite it.") from None
        os.replace(tmp, target)
        return
    os.unlink(tmp)


def _cannot_write(target: Path, exc: OSError) -> str:
    fixes = {
        errno.ENOSPC: "free some space on that disk, or write somewhere else",
        errno.EDQUOT: "free some space within your quota, or write somewhere else",
        errno.EROFS: "that file system is read-only; write somewhere else",
        errno.EACCES: "you may not write there; choose a folder you can write to",
        errno.EPERM: "you may not write or replace that file; choose another name or folder",
        errno.ENAMETOOLONG: "choose a shorter name",
    }
    fix = fixes.get(exc.errno or 0, "check the name and that you may write there")
    return f"Cannot write {quote_path(target)}: {exc.strerror or exc}; {fix}."


def write_private(path: str | Path, text: str | bytes, *, force: bool = False, stdout: IO[str] | None = None) -> None:
    """Write ``text`` to ``path`` with ``private_file``; ``-`` writes it to ``stdout``.

    ``text`` is JSON, TOML, CSV or HTML: what a terminal could obey in it is escaped
    (messages.escape_data); ``bytes`` (a PDF) are written as they are.
    """
    if isinstance(text, bytes):
        if str(path) == "-" and stdout is not None:
            stdout.flush()
            stdout.buffer.write(text)  # type: ignore[attr-defined]
            stdout.buffer.flush()  # type: ignore[attr-defined]
            return
        with private_file(path, force=force, binary=True) as fh:
            fh.write(text)
        return
    text = escape_data(text)
    if str(path) == "-" and stdout is not None:
        stdout.write(text)
        stdout.flush()
        return
    with private_file(path, force=force) as fh:
        fh.write(text)


def json_text(data: Any) -> str:
    """``data`` as indented JSON: never ``NaN`` or ``Infinity`` (a non-finite number is
    ``null``), and nothing a terminal would obey (messages.escape_data)."""
    return escape_data(json.dumps(_finite(data), indent=2, ensure_ascii=False, allow_nan=False, default=str)) + "\n"


def write_json(data: Any, stream: IO[str]) -> None:
    """JSON straight to ``stream``: never through rich, which would wrap long lines."""
    stream.write(json_text(data))


def _finite(value: Any) -> Any:
    if value.__class__ is float:
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


def read_input(path: str, what: str, stdin: IO[str], *, limit: int = 10_000_000) -> tuple[str, bytes]:
    """``(origin, bytes)`` of a file to read (a regular file, at most ``limit`` bytes);
    ``-`` reads ``stdin``. ``what`` names it in errors ("a summary")."""
    from pmpt_cli.input_files import read_bounded

    if path != "-":
        return path, read_bounded(path, limit, what.removeprefix("a ").removeprefix("an "))
    data = stdin.buffer.read(limit + 1)  # type: ignore[attr-defined]
    if len(data) > limit:
        raise InputFileError(f"<stdin>: larger than {limit // 1_000_000} MB; not {what}.")
    return "<stdin>", data
