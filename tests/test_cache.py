"""The questionnaire cache on a shared machine: its folder is never followed through a
link, never someone else's or open to others, and an entry is kept only if small enough."""

from __future__ import annotations

import os
import stat

import pytest
from helpers import ROOT


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("PMPT_NO_CACHE", raising=False)
    return tmp_path / "cache" / "pmpt"


def _core() -> bytes:
    return (ROOT / "questionnaires" / "pmpt-core.toml").read_bytes()


def _load_twice(monkeypatch) -> int:
    """Load pmpt-core twice; how many times its TOML was parsed (2: the cache was not used)."""
    import tomllib

    from pmpt_cli.loader import parse_questionnaire

    parses = []
    real = tomllib.loads
    monkeypatch.setattr(tomllib, "loads", lambda text: parses.append(1) or real(text))
    parse_questionnaire(_core())
    parse_questionnaire(_core())
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
    os.mkfifo(cache._path(_core()))
    from pmpt_cli.loader import parse_questionnaire

    assert parse_questionnaire(_core()).id == "pmpt-core"
