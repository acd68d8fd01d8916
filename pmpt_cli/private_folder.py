"""Folders only their owner may use: the questionnaire cache and the saved unfinished answers.

pmpt runs on shared machines, and ``XDG_CACHE_HOME`` or ``XDG_DATA_HOME`` can point at a
folder someone else controls. A folder pmpt keeps files in is therefore made without
following a symbolic link (``mkdir``, then ``open`` with ``O_NOFOLLOW | O_DIRECTORY`` and
``fstat`` of that descriptor), and used only if it belongs to this user and nobody else
may read, write or enter it. pmpt never changes the mode of a folder it did not just
make: a folder open to others is refused, with the command that makes it private.
"""

from __future__ import annotations

import os
import stat

from pmpt_cli.errors import InputFileError

_OPEN_FOLDER = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


class FolderRefused(InputFileError):
    """A folder pmpt would keep private files in is not private (exit 1)."""


def open_private_folder(path: str, *, create: bool, purpose: str = "its files") -> int:
    """A descriptor of the folder ``path``, made (mode 0700) if ``create`` and missing.

    Raises ``FolderRefused`` if it is a symbolic link, not a folder, owned by someone
    else or open to others; ``FileNotFoundError`` if it is missing and not ``create``;
    ``OSError`` if it cannot be made. The caller closes the descriptor.
    """
    created = False
    if create:
        parent = os.path.dirname(path)
        if parent:
            os.makedirs(parent, mode=0o700, exist_ok=True)
        try:
            os.mkdir(path, 0o700)  # never through a symbolic link: one in its place is EEXIST
            created = True
        except FileExistsError:
            pass
    try:
        fd = os.open(path, _OPEN_FOLDER)
    except FileNotFoundError:
        raise
    except OSError as exc:  # ELOOP: a symbolic link; ENOTDIR: a file
        if os.path.islink(path):
            raise _refused(path, purpose, "is a symbolic link", "replace it with a real folder") from None
        if isinstance(exc, NotADirectoryError):
            raise _refused(path, purpose, "is not a folder", "remove it, or point pmpt elsewhere") from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISDIR(info.st_mode):
            raise _refused(path, purpose, "is not a folder", "remove it, or point pmpt elsewhere")
        if not hasattr(os, "getuid"):
            return fd  # no owners and modes to check (Windows)
        if info.st_uid != os.getuid():
            raise _refused(path, purpose, f"belongs to another user (uid {info.st_uid})",
                           "use a folder of your own (set XDG_CACHE_HOME or XDG_DATA_HOME)")  # fmt: skip
        if created:
            os.fchmod(fd, 0o700)  # exactly, whatever the umask
        elif info.st_mode & 0o077:
            from shlex import quote

            raise _refused(path, purpose, f"is open to other users (mode {stat.S_IMODE(info.st_mode):04o})",
                           f"make it private with: chmod 700 {quote(path)}")  # fmt: skip
    except BaseException:
        os.close(fd)
        raise
    return fd


def check_private_folder(path: str, *, purpose: str = "its files") -> bool:
    """Whether ``path`` exists; raise ``FolderRefused`` if it does but is not private."""
    try:
        os.close(open_private_folder(path, create=False, purpose=purpose))
    except FileNotFoundError:
        return False
    return True


def _refused(path: str, purpose: str, why: str, fix: str) -> FolderRefused:
    from pmpt_cli.messages import quote_path

    return FolderRefused(f"pmpt will not use the folder {quote_path(path)} for {purpose}: it {why}; {fix}.")
