"""Saved unfinished answers on a shared machine: only ever in, and from, a private folder."""

from __future__ import annotations

import os
import stat

import pytest
from helpers import FIXTURES

from pmpt_cli.cli import partial
from pmpt_cli.cli.app import app
from pmpt_cli.private_folder import FolderRefused


@pytest.fixture
def data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "shared"))
    monkeypatch.setenv("PMPT_QUESTIONNAIRES_DIR", str(FIXTURES))
    return tmp_path / "shared" / "pmpt"


def plant(folder, mode: int = 0o777) -> None:
    folder.mkdir(parents=True)
    (folder / "partial-mini.toml").write_text('questionnaire = "mini"\n[answers]\nhot_joint = "no"\n')
    folder.chmod(mode)


def test_saving_makes_a_private_folder(data_home, mini):
    path = partial.save(partial.default_path("mini"), mini, {"hot_joint": "no"}, "mini")
    assert stat.S_IMODE(data_home.stat().st_mode) == 0o700 and path.parent == data_home


def test_saving_into_a_folder_open_to_others_is_refused(data_home, mini):
    data_home.mkdir(parents=True)
    data_home.chmod(0o777)
    with pytest.raises(FolderRefused, match="open to other users"):
        partial.save(partial.default_path("mini"), mini, {"hot_joint": "no"}, "mini")
    assert list(data_home.iterdir()) == []


def test_a_partial_file_planted_in_a_shared_folder_is_never_resumed(data_home, runner):
    plant(data_home)
    result = runner.invoke(app, ["triage", "--resume", "--json"])
    assert result.exit_code == 1 and result.stdout == ""
    assert "will not use the folder" in result.stderr and "open to other users (mode 0777)" in result.stderr
    assert "chmod 700" in result.stderr
    by_id = runner.invoke(app, ["triage", "--resume", "-q", "mini", "--json"])
    assert by_id.exit_code == 1 and "open to other users" in by_id.stderr


def test_a_folder_of_another_user_is_never_resumed_from(data_home, runner, monkeypatch):
    plant(data_home, 0o700)
    real = os.getuid()
    monkeypatch.setattr(os, "getuid", lambda: real + 1)
    result = runner.invoke(app, ["triage", "--resume", "--json"])
    assert result.exit_code == 1 and "belongs to another user" in result.stderr


def test_a_symbolic_link_for_the_folder_is_refused(data_home, tmp_path, runner):
    elsewhere = tmp_path / "elsewhere"
    plant(elsewhere, 0o700)
    data_home.parent.mkdir(parents=True)
    data_home.symlink_to(elsewhere)
    result = runner.invoke(app, ["triage", "--resume", "--json"])
    assert result.exit_code == 1 and "is a symbolic link" in result.stderr


def test_a_private_folder_resumes(data_home, runner):
    plant(data_home, 0o700)
    assert partial.newest() == data_home / "partial-mini.toml"
