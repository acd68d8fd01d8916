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


#: Where unfinished answers saved with ``--save FILE`` are, so that ``--resume`` finds them too.
ELSEWHERE = "saved-elsewhere.txt"


def newest() -> Path | None:
    """The most recently saved partial file, for ``--resume`` without ``--questionnaire``:
    in the data folder, or one saved with ``--save FILE`` (``remember``)."""
    folder = data_dir()
    if not check_folder(folder):
        return None
    found = [p for p in folder.glob(f"{PREFIX}*.toml") if p.is_file()] + [p for p in elsewhere() if p.is_file()]
    return max(found, key=lambda p: p.stat().st_mtime) if found else None


def elsewhere() -> list[Path]:
    """The files unfinished answers were saved in with ``--save FILE`` (some may be gone)."""
    try:
        text = (data_dir() / ELSEWHERE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    return [Path(line) for line in text.splitlines() if line.strip()]


def newest_elsewhere(questionnaire_id: str) -> Path | None:
    """The newest file saved with ``--save FILE`` that holds answers to this questionnaire."""
    import tomllib

    found = []
    for path in elsewhere():
        try:
            ref = tomllib.loads(path.read_text(encoding="utf-8")).get("questionnaire", "")
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        if isinstance(ref, str) and (ref == questionnaire_id or Path(ref).stem == questionnaire_id):
            found.append(path)
    return max(found, key=lambda p: p.stat().st_mtime) if found else None


def remember(path: Path) -> None:
    """Note that unfinished answers are in ``path`` (saved with ``--save``), for ``--resume``."""
    from pmpt_cli.errors import PmptError

    target = str(path.resolve())
    known = [str(p) for p in elsewhere() if p.is_file() and str(p) != target][-19:] + [target]
    folder = data_dir()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_private(folder / ELSEWHERE, "\n".join(known) + "\n", force=True)
    except (OSError, PmptError):
        pass  # only a convenience: the message says where the answers are


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
