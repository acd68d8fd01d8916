"""Writing health data safely: atomic, owner-readable only, never overwriting by surprise."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from pmpt_cli.errors import InputFileError, OutputExistsError


@contextmanager
def private_file(path: str | Path, *, force: bool = False, newline: str | None = None) -> Iterator[IO[str]]:
    """A text file to fill that appears at ``path`` only when the block ends without error.

    It is written beside the target (so the rename is atomic on one file system), with
    mode 0600, flushed to disk, then moved into place; on any error, Ctrl-C included, it
    is removed, so a reader never sees half a file and a failure leaves nothing behind.
    Without ``force`` an existing ``path`` is refused, before and after writing.
    """
    target = Path(path)
    if target.exists() and not force:
        raise OutputExistsError(f"'{target}' already exists; pass --force to overwrite it, or choose another name.")
    if target.is_dir():
        raise InputFileError(f"'{target}' is a folder; give a file name.")
    folder = target.parent if str(target.parent) else Path(".")
    import tempfile  # only the paths that write files pay for it

    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except FileNotFoundError:
        raise InputFileError(f"Cannot write '{target}': folder '{folder}' does not exist.") from None
    except OSError as exc:
        raise InputFileError(f"Cannot write '{target}': {exc.strerror}.") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as fh:  # mkstemp made it 0600
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        if not force and target.exists():  # appeared while we wrote
            raise OutputExistsError(f"'{target}' already exists; pass --force to overwrite it.")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_private(path: str | Path, text: str, *, force: bool = False, stdout: IO[str] | None = None) -> None:
    """Write ``text`` to ``path`` with ``private_file``; ``-`` writes it to ``stdout``."""
    if str(path) == "-" and stdout is not None:
        stdout.write(text)
        stdout.flush()
        return
    with private_file(path, force=force) as fh:
        fh.write(text)


def write_json(data: Any, stream: IO[str]) -> None:
    """JSON straight to ``stream``: never through rich, which would wrap long lines."""
    stream.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
