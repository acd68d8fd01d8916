"""The questionnaire cache: a questionnaire that loaded once loads again in a fraction.

Parsing pmpt-core's TOML takes about 6 ms, importing hashlib about 2 ms, validating it
about 3 ms, checking its expressions about 10 ms and compiling its program
(engine.compile_program) about 10 ms: together more than half of `pmpt triage`. So a
questionnaire that loaded once is kept as marshal data in $XDG_CACHE_HOME/pmpt (else
~/.cache/pmpt): the file's bytes, the built questionnaire as plain data (``_freeze``)
and its program's code. Loading it again only rebuilds the objects (``_thaw``).

An entry is used only if its bytes equal the file's exactly and it was written by this
very pmpt and Python (``_tag``), so it can never be stale; it is written only for a
questionnaire that loaded without problems. Like Python's own __pycache__ it holds
code, and marshal is only safe for data we wrote ourselves: the folder is made 0700
without following a symbolic link, and used, by its descriptor, only if it belongs to
this user and is open to nobody else (private_folder; never chmod-ed into shape);
entries are 0600, written atomically, never larger than ``MAX_ENTRY_BYTES``, and read
only if they belong to this user and nobody else may write them. Any problem is a miss,
and a failure to write is ignored. PMPT_NO_CACHE=1 turns the cache off. docs/performance.md
has the measurements.
"""

from __future__ import annotations

import marshal
import os
import stat
import sys
import zlib
from functools import lru_cache
from types import CodeType
from typing import Any

from pmpt_cli.expr.expressions import CompiledExpression, expression_from_summary
from pmpt_cli.expr.names import NameInfo
from pmpt_cli.expr.runtime import ProgramCode
from pmpt_cli.model import (
    Advice,
    Band,
    Check,
    Choice,
    Default,
    EnableWhen,
    Note,
    OutcomeText,
    Question,
    Questionnaire,
    Rule,
    Score,
    Section,
    Source,
)  # fmt: skip

MAX_ENTRY_BYTES = 20_000_000
ENTRIES = 32  # at most this many questionnaires are kept; the oldest go first
_RECORDS = {cls.__name__: cls for cls in (Advice, Band, Check, Choice, Default, EnableWhen, Note, OutcomeText,
                                          Question, Rule, Score, Section, Source)}  # fmt: skip


def load(data: bytes, origin: str) -> Questionnaire | None:
    """The questionnaire these bytes built before, or ``None``."""
    path = _path(data)
    entry = _read(path, data) if path else None
    if entry is None:
        return None
    fields, program = entry
    try:
        return _thaw_questionnaire(fields, program, origin)
    except Exception:  # noqa: BLE001 - an entry that does not fit this pmpt is a miss
        return None


def store(data: bytes, questionnaire: Questionnaire) -> None:
    """Keep ``questionnaire``, built from ``data``, for the next load (if the cache is on)."""
    path = _path(data)
    tag = _tag() if path else None
    if path is None or tag is None or questionnaire.program is None:
        return
    fields = {name: _freeze(getattr(questionnaire, name)) for name in Questionnaire._fields
              if name not in ("path", "program")}  # fmt: skip
    try:
        blob = marshal.dumps((tag, data, fields, tuple(questionnaire.program)))
    except ValueError:  # TOML dates and times are not marshallable: do not cache those files
        return
    _write(path, blob)


# -- the built questionnaire as plain data --------------------------------------------


def _freeze(value: Any) -> Any:
    """Records, tuples, lists, dicts and expressions as tagged tuples marshal can store."""
    if isinstance(value, CompiledExpression):  # what checking found; its code is the program's
        return ("expression", value.source, tuple(sorted(value.names)), value._flat)
    if isinstance(value, tuple):
        items = tuple(_freeze(v) for v in value)
        return ("record", type(value).__name__, items) if hasattr(value, "_fields") else ("tuple", items)
    if isinstance(value, list):
        return ("list", [_freeze(v) for v in value])
    if isinstance(value, dict):
        return ("dict", {k: _freeze(v) for k, v in value.items()})
    return value  # str, int, float, bool, None, frozenset


def _thaw(value: Any, names: dict[str, NameInfo]) -> Any:
    if value.__class__ is not tuple:
        return value
    kind = value[0]
    if kind == "record":
        return tuple.__new__(_RECORDS[value[1]], [_thaw(v, names) for v in value[2]])
    if kind == "tuple":
        return tuple([_thaw(v, names) for v in value[1]])
    if kind == "expression":
        return expression_from_summary(value[1], frozenset(value[2]), value[3], names)
    if kind == "list":
        return [_thaw(v, names) for v in value[1]]
    if kind == "dict":
        return {k: _thaw(v, names) for k, v in value[1].items()}
    raise ValueError(f"unknown cache item {kind!r}")


def _thaw_questionnaire(fields: dict[str, Any], program: tuple[Any, ...], origin: str) -> Questionnaire:
    # Should an expression's own functions be needed, it is checked again against these names.
    names: dict[str, NameInfo] = {}
    thawed = {name: _thaw(value, names) for name, value in fields.items()}
    names.update((q.id, NameInfo.of_question(q)) for q in thawed["questions"])
    names.update((s.id, NameInfo("score")) for s in thawed["scores"])
    return Questionnaire(**thawed, path=origin, program=ProgramCode(*program))


# -- entries ----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _tag() -> str | None:
    """This pmpt and Python (tomllib's output and code objects depend on both), and a
    checksum of the code that builds an entry; ``None``, no cache, if it cannot be read.
    Computed once per process."""
    from pmpt_cli.version import __version__

    stamp = _source_stamp()
    return None if stamp is None else f"pmpt-cache-4 {__version__} {stamp:08x} {sys.version}"


def _source_stamp() -> int | None:
    """CRC-32 of the name and source of every module of the core and ``expr``.

    Any of them can shape a built questionnaire (the default outcome texts, the checker,
    the code generator...), so an edit to one, as a developer makes, is a new tag: a
    checksum of the contents, not of modification times, which a checkout or a copy can
    keep. Only ``cli`` is left out: it never builds a questionnaire. Reading the ~250 KB
    costs about 0.2 ms (docs/performance.md).
    """
    root = os.path.dirname(__file__)
    crc = 0
    try:
        for folder in (root, os.path.join(root, "expr")):
            for name in sorted(os.listdir(folder)):
                if name.endswith(".py"):
                    with open(os.path.join(folder, name), "rb") as fh:
                        crc = zlib.crc32(fh.read(), zlib.crc32(name.encode(), crc))
    except OSError:
        return None
    return crc


def _folder() -> str | None:
    if os.environ.get("PMPT_NO_CACHE") or not hasattr(os, "getuid"):
        return None
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # unset, or relative (invalid by the XDG spec)
        home = os.path.expanduser("~")
        if not os.path.isabs(home):
            return None
        base = os.path.join(home, ".cache")
    return os.path.join(base, "pmpt")


def _path(data: bytes) -> str | None:
    folder = _folder()
    if folder is None:
        return None
    name = f"toml-{sys.implementation.cache_tag}-{zlib.crc32(data):08x}-{len(data):x}.marshal"
    return os.path.join(folder, name)


def _private(st: os.stat_result) -> bool:
    """Owned by this user, and nobody else may write it."""
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


def _open_folder(folder: str, *, create: bool) -> int | None:
    """The cache folder's descriptor if it is private (private_folder), else ``None``: a miss."""
    from pmpt_cli.errors import PmptError
    from pmpt_cli.private_folder import open_private_folder

    try:
        return open_private_folder(folder, create=create, purpose="its cache")
    except (OSError, PmptError):
        return None


def _read(path: str, data: bytes) -> tuple[dict[str, Any], tuple[Any, ...]] | None:
    """``(fields, program)`` of the entry at ``path`` if it is sound and made from ``data``."""
    folder = _open_folder(os.path.dirname(path), create=False)
    if folder is None:
        return None
    try:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(os.path.basename(path), flags, dir_fd=folder)
    except OSError:
        return None
    finally:
        os.close(folder)
    try:
        with open(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode) or not _private(st) or st.st_size > MAX_ENTRY_BYTES:
                return None
            blob = fh.read(MAX_ENTRY_BYTES + 1)
        entry = marshal.loads(blob)
        if (
            type(entry) is tuple and len(entry) == 4 and entry[0] == _tag() and entry[1] == data
            and type(entry[2]) is dict and type(entry[3]) is tuple and len(entry[3]) == 3
            and all(type(c) is CodeType for c in (entry[3][0], *filter(None, entry[3][2])))
        ):  # fmt: skip
            return entry[2], entry[3]
    except Exception:  # noqa: BLE001 - a damaged or foreign entry is a miss, never an error
        pass
    return None


def _write(path: str, blob: bytes) -> None:
    """Write the entry inside the private folder, by its descriptor: no path is followed twice."""
    if len(blob) > MAX_ENTRY_BYTES:
        return  # too large to be worth keeping (and to read back: _read refuses it)
    try:
        folder = _open_folder(os.path.dirname(path), create=True)
    except OSError:
        return
    if folder is None:
        return
    name = os.path.basename(path)
    tmp = f"{name}.{os.getpid()}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600, dir_fd=folder)
        with open(fd, "wb") as fh:
            fh.write(blob)
        os.replace(tmp, name, src_dir_fd=folder, dst_dir_fd=folder)
        _prune(folder)
    except OSError:
        try:
            os.unlink(tmp, dir_fd=folder)
        except OSError:
            pass
    finally:
        os.close(folder)


def _prune(folder: int) -> None:
    entries = []
    for entry in os.scandir(folder):
        if entry.name.startswith("toml-") and entry.name.endswith((".marshal", ".tmp")):
            entries.append((entry.stat(follow_symlinks=False).st_mtime, entry.name))
    if len(entries) > ENTRIES:
        entries.sort()
        for _, old in entries[: len(entries) - ENTRIES]:
            os.unlink(old, dir_fd=folder)
