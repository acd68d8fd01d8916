"""Where questionnaires come from: a path, ``PMPT_QUESTIONNAIRES_DIR``, or the bundled set.

Lookup by id never parses TOML: a questionnaire's id is its file name, which keeps
shell completion and ``--help`` fast.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from pmpt_cli.errors import QuestionnaireNotFoundError

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

DEFAULT_QUESTIONNAIRE = "pmpt-core"
SEARCH_PATH_ENV = "PMPT_QUESTIONNAIRES_DIR"


def bundled_root() -> Traversable:
    """The bundled questionnaires: inside the installed package, else the checkout's folder.

    ``importlib.resources`` alone fails for editable installs, where the package is
    imported from the source tree and ``pmpt_cli/questionnaires`` does not exist. A
    plain path is tried first because importing ``importlib.resources`` costs ~2 ms;
    it is still the fallback for zip-imported installs.
    """
    here = Path(__file__).resolve().parent
    for folder in (here / "questionnaires", here.parent / "questionnaires"):
        if folder.is_dir():
            return folder
    from importlib.resources import files

    packaged = files("pmpt_cli") / "questionnaires"
    if packaged.is_dir():
        return packaged
    raise QuestionnaireNotFoundError(
        "The bundled questionnaires are missing from this installation; "
        "reinstall pmpt (pip install --force-reinstall pmpt)."
    )


def search_dirs() -> list[Traversable]:
    """Folders searched for questionnaire ids, first match wins: the environment, then bundled."""
    dirs: list[Traversable] = [Path(d) for d in os.environ.get(SEARCH_PATH_ENV, "").split(os.pathsep) if d]
    dirs.append(bundled_root())
    return dirs


def looks_like_path(ref: str | Path) -> bool:
    text = str(ref)
    return isinstance(ref, Path) or text.endswith(".toml") or "/" in text or os.sep in text


def available() -> dict[str, Traversable]:
    """Every questionnaire id that can be named, mapped to its file (earlier folders win)."""
    found: dict[str, Traversable] = {}
    for folder in search_dirs():
        if not folder.is_dir():
            continue
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".toml") and _is_file(entry):
                found.setdefault(entry.name[: -len(".toml")], entry)
    return found


def resolve(ref: str | Path) -> tuple[str, bytes]:
    """Return ``(origin, content)`` for a questionnaire id or path.

    A file is read only if it is a regular file, and at most ``MAX_QUESTIONNAIRE_BYTES``
    of it (input_files.read_bounded): a named pipe or a device is refused, not waited on.
    """
    from pmpt_cli.input_files import MAX_QUESTIONNAIRE_BYTES, read_bounded
    from pmpt_cli.messages import quote

    if looks_like_path(ref):
        path = str(ref)
        return path, read_bounded(path, MAX_QUESTIONNAIRE_BYTES, "questionnaire file",
                                  missing=QuestionnaireNotFoundError, fix="give the path of a .toml file")  # fmt: skip
    for folder in search_dirs():
        entry = folder / f"{ref}.toml"
        if _is_file(entry):
            return str(entry), read_entry(entry)
    from pmpt_cli.messages import suggest

    hint = suggest(str(ref), available()) or "."
    raise QuestionnaireNotFoundError(
        f"Questionnaire {quote(str(ref))} not found{hint} "
        "Run 'pmpt questionnaires list' to see the available ids, or give the path of a .toml file."
    )


def read_entry(entry: Traversable) -> bytes:
    """The bytes of a questionnaire found by id (``available``), read as ``resolve`` reads them."""
    from pmpt_cli.input_files import MAX_QUESTIONNAIRE_BYTES, read_bounded

    if isinstance(entry, Path):
        return read_bounded(str(entry), MAX_QUESTIONNAIRE_BYTES, "questionnaire file",
                            missing=QuestionnaireNotFoundError)  # fmt: skip
    return entry.read_bytes()  # bundled, inside a zip: pmpt's own


def _is_file(entry: Traversable) -> bool:
    try:
        return entry.is_file()
    except (OSError, ValueError):  # a name no file can have (a NUL byte), or too long
        return False


def complete_questionnaire_ids(incomplete: str) -> list[str]:
    """Shell completion: questionnaire ids from file names only (every TAB starts pmpt)."""
    try:
        return [qid for qid in available() if qid.startswith(incomplete)]
    except QuestionnaireNotFoundError:
        return []
