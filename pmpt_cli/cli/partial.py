"""Unfinished answers: where they are kept, and how they are written and found again.

A partial file is an ordinary answers file (``questionnaire`` plus ``[answers]``), so
``pmpt triage --answers FILE`` reads it too; ``--resume`` is a shorthand for it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pmpt_cli.cli.fileio import write_private
from pmpt_cli.errors import InputFileError
from pmpt_cli.messages import quote_path
from pmpt_cli.model import Questionnaire
from pmpt_cli.registry import looks_like_path

PREFIX = "partial-"


def data_dir() -> Path:
    """``$XDG_DATA_HOME/pmpt``, else ``~/.local/share/pmpt`` (the XDG base directory spec).

    A relative ``XDG_DATA_HOME`` is invalid by the spec and ignored.
    """
    base = os.environ.get("XDG_DATA_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".local" / "share"
    return root / "pmpt"


def default_path(questionnaire_id: str) -> Path:
    """Where the unfinished answers to one questionnaire are kept by default."""
    return data_dir() / f"{PREFIX}{questionnaire_id}.toml"


def check_folder(folder: Path) -> bool:
    """Whether the saved-answers folder exists; ``FolderRefused`` if it is not private to
    this user (private_folder): a file planted there by someone else is never resumed."""
    from pmpt_cli.private_folder import check_private_folder

    return check_private_folder(str(folder), purpose="unfinished answers")


def saved(path: Path) -> bool:
    """Whether unfinished answers are saved at ``path``, checking the folder first when
    it is the default one (``FolderRefused`` if that is not private)."""
    if path.parent == data_dir() and not check_folder(path.parent):
        return False
    return path.is_file()


def newest() -> Path | None:
    """The most recently saved partial file, for ``--resume`` without ``--questionnaire``."""
    folder = data_dir()
    if not check_folder(folder):
        return None
    found = [p for p in folder.glob(f"{PREFIX}*.toml") if p.is_file()]
    return max(found, key=lambda p: p.stat().st_mtime) if found else None


def questionnaire_ref(questionnaire: Questionnaire, given: str | None) -> str:
    """How the partial file names its questionnaire so that resuming finds it from any folder."""
    if given and looks_like_path(given):
        return str(Path(given).resolve())
    return questionnaire.id


def partial_text(questionnaire: Questionnaire, answers: dict[str, Any], ref: str) -> str:
    """The answers-file text for unfinished answers."""
    import tomli_w

    header = (
        "# pmpt: unfinished answers (not a diagnosis, not yet scored).\n"
        "# Continue with: pmpt triage --resume   (or: pmpt triage --answers THIS_FILE)\n"
    )
    doc = {"questionnaire": ref, "questionnaire_sha256": questionnaire.sha256, "answers": answers}
    return header + tomli_w.dumps(doc)


def save(path: str | Path, questionnaire: Questionnaire, answers: dict[str, Any], ref: str) -> Path:
    """Write the partial file atomically, readable by the owner only, replacing an older one."""
    target = Path(path)
    if target.parent == data_dir():
        # Health data: the folder is private too, not only the file, and never someone else's.
        import os

        from pmpt_cli.private_folder import open_private_folder

        try:
            os.close(open_private_folder(str(target.parent), create=True, purpose="unfinished answers"))
        except OSError as exc:
            raise InputFileError(f"Cannot make the folder {quote_path(target.parent)}: {exc.strerror}.") from None
    write_private(target, partial_text(questionnaire, answers, ref), force=True)
    return target
