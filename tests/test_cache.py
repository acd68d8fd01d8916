"""The questionnaire cache (start-up: parsing pmpt-core's TOML costs ~6 ms), and on a shared
machine: its folder is never followed through a link, never someone else's or open to
others, and an entry is kept only if small enough."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from helpers import ROOT


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("PMPT_NO_CACHE", raising=False)
    return tmp_path / "cache" / "pmpt"


def _core_bytes() -> bytes:
    return (ROOT / "questionnaires" / "pmpt-core.toml").read_bytes()


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("toml-*.marshal")) if folder.exists() else []


def test_a_cached_questionnaire_loads_the_same_without_parsing_toml(cache_home, monkeypatch) -> None:
    import hashlib
    import tomllib

    from pmpt_cli.loader import parse_questionnaire

    data = _core_bytes()
    first = parse_questionnaire(data, origin="core")
    (entry,) = _entries(cache_home)
    assert cache_home.stat().st_mode & 0o777 == 0o700
    assert entry.stat().st_mode & 0o777 == 0o600

    def no_parsing(*args, **kwargs):
        raise AssertionError("the cache was not used")

    monkeypatch.setattr(tomllib, "loads", no_parsing)
    second = parse_questionnaire(data, origin="core")
    assert second.sha256 == first.sha256 == hashlib.sha256(data).hexdigest()
    assert second.questions == first.questions
    assert [(r.id, r.when.source) for r in second.rules] == [(r.id, r.when.source) for r in first.rules]


def test_an_entry_is_used_only_for_the_exact_same_bytes(cache_home) -> None:
    from pmpt_cli import cache, loader

    data = _core_bytes()
    loader.parse_questionnaire(data)
    (entry,) = _entries(cache_home)
    edited = data.replace(b'title = "', b'title = "Edited ', 1)
    # Even an entry filed under the edited file's name is not trusted: its bytes differ.
    entry.rename(cache._path(edited))
    assert loader.parse_questionnaire(edited).title.startswith("Edited ")


@pytest.mark.parametrize("damage", ["truncate", "garbage", "group-writable"])
def test_a_damaged_or_unsafe_entry_is_a_miss(cache_home, damage) -> None:
    from pmpt_cli.loader import parse_questionnaire

    data = _core_bytes()
    expected = parse_questionnaire(data)
    (entry,) = _entries(cache_home)
    if damage == "truncate":
        entry.write_bytes(entry.read_bytes()[:1000])
    elif damage == "garbage":
        entry.write_bytes(b"\x00not marshal data" * 100)
    else:
        entry.chmod(0o660)
    assert parse_questionnaire(data).sha256 == expected.sha256


def test_no_cache_and_an_unwritable_cache_are_not_errors(cache_home, monkeypatch, tmp_path) -> None:
    from pmpt_cli.loader import parse_questionnaire

    monkeypatch.setenv("PMPT_NO_CACHE", "1")
    parse_questionnaire(_core_bytes())
    assert not cache_home.exists()
    monkeypatch.delenv("PMPT_NO_CACHE")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert parse_questionnaire(_core_bytes()).id == "pmpt-core"


def test_invalid_questionnaires_are_not_cached(cache_home) -> None:
    from pmpt_cli.errors import QuestionnaireError
    from pmpt_cli.loader import parse_questionnaire

    with pytest.raises(QuestionnaireError):
        parse_questionnaire(_core_bytes().replace(b"format = 1", b"format = 9", 1))
    assert _entries(cache_home) == []


def test_an_entry_from_another_pmpt_or_python_is_a_miss(cache_home, monkeypatch) -> None:
    """The tag names pmpt's version, Python's and the code-generating modules' edit times."""
    import tomllib

    from pmpt_cli import cache
    from pmpt_cli.loader import parse_questionnaire

    data = _core_bytes()
    parse_questionnaire(data)
    parses = []
    real_loads = tomllib.loads
    monkeypatch.setattr(tomllib, "loads", lambda text: parses.append(1) or real_loads(text))
    parse_questionnaire(data)
    assert parses == []  # the entry was used
    monkeypatch.setattr(cache, "_tag", lambda: "pmpt-cache-3 another pmpt")
    assert parse_questionnaire(data).id == "pmpt-core"
    assert parses == [1]  # a miss: parsed and compiled again, and the entry rewritten for this tag
    parse_questionnaire(data)
    assert parses == [1]


def test_an_edit_to_any_core_module_is_a_new_tag(cache_home, monkeypatch) -> None:
    """The default outcome texts shape a built questionnaire as much as the code generator:
    the tag is a checksum of every core and expr module's source, not of pmpt's version."""
    from pmpt_cli import cache, outcome_texts

    before = cache._source_stamp()
    source = Path(outcome_texts.__file__)
    real_open = open

    def edited_open(path, *args, **kwargs):
        handle = real_open(path, *args, **kwargs)
        if str(path) == str(source):
            import io

            return io.BytesIO(handle.read() + b"\n# edited\n")
        return handle

    monkeypatch.setattr("builtins.open", edited_open)
    assert cache._source_stamp() != before
    monkeypatch.undo()
    assert cache._source_stamp() == before


# -- on a shared machine (issue 13) -----------------------------------------------------------


def _load_twice(monkeypatch) -> int:
    """Load pmpt-core twice; how many times its TOML was parsed (2: the cache was not used)."""
    import tomllib

    from pmpt_cli.loader import parse_questionnaire

    parses = []
    real = tomllib.loads
    monkeypatch.setattr(tomllib, "loads", lambda text: parses.append(1) or real(text))
    parse_questionnaire(_core_bytes())
    parse_questionnaire(_core_bytes())
    return len(parses)


def test_the_cache_works_in_a_private_folder(cache_home, monkeypatch):
    assert _load_twice(monkeypatch) == 1
    assert stat.S_IMODE(cache_home.stat().st_mode) == 0o700


def test_a_symbolic_link_for_the_folder_is_not_followed(cache_home, monkeypatch, tmp_path):
    target = tmp_path / "planted"
    target.mkdir(mode=0o700)
    cache_home.parent.mkdir()
    cache_home.symlink_to(target)
    assert _load_twice(monkeypatch) == 2
    assert list(target.iterdir()) == []


def test_a_folder_open_to_others_is_not_used_nor_changed(cache_home, monkeypatch):
    cache_home.mkdir(parents=True)
    cache_home.chmod(0o777)
    assert _load_twice(monkeypatch) == 2
    assert list(cache_home.iterdir()) == []
    assert stat.S_IMODE(cache_home.stat().st_mode) == 0o777


def test_a_folder_of_another_user_is_not_used(cache_home, monkeypatch):
    cache_home.mkdir(parents=True, mode=0o700)
    real = os.getuid()
    monkeypatch.setattr(os, "getuid", lambda: real + 1)
    assert _load_twice(monkeypatch) == 2
    assert list(cache_home.iterdir()) == []


def test_an_entry_too_large_is_never_written(cache_home, monkeypatch):
    from pmpt_cli import cache

    monkeypatch.setattr(cache, "MAX_ENTRY_BYTES", 1000)
    assert _load_twice(monkeypatch) == 2
    assert not cache_home.exists() or not any(cache_home.iterdir())


def test_a_planted_named_pipe_entry_is_a_miss_not_a_hang(cache_home, monkeypatch):
    from pmpt_cli import cache

    cache_home.mkdir(parents=True, mode=0o700)
    os.mkfifo(cache._path(_core_bytes()))
    from pmpt_cli.loader import parse_questionnaire

    assert parse_questionnaire(_core_bytes()).id == "pmpt-core"
