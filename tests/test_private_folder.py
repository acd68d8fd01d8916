"""Folders pmpt keeps private files in: made without following links, refused if not private."""

from __future__ import annotations

import os
import stat

import pytest

from pmpt_cli.private_folder import FolderRefused, check_private_folder, open_private_folder


def _mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_a_new_folder_is_private_whatever_the_umask(tmp_path):
    old = os.umask(0o002)
    try:
        os.close(open_private_folder(str(tmp_path / "a" / "pmpt"), create=True))
    finally:
        os.umask(old)
    assert _mode(tmp_path / "a" / "pmpt") == 0o700
    assert check_private_folder(str(tmp_path / "a" / "pmpt"))
    assert not check_private_folder(str(tmp_path / "missing"))


def test_a_symbolic_link_in_its_place_is_refused_not_followed(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    (tmp_path / "pmpt").symlink_to(elsewhere)
    with pytest.raises(FolderRefused, match="symbolic link"):
        open_private_folder(str(tmp_path / "pmpt"), create=True)
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    with pytest.raises(FolderRefused, match="symbolic link"):
        open_private_folder(str(tmp_path / "dangling"), create=True)
    assert not (tmp_path / "nowhere").exists()


def test_a_folder_open_to_others_is_refused_not_changed(tmp_path):
    folder = tmp_path / "pmpt"
    folder.mkdir()
    folder.chmod(0o755)
    with pytest.raises(FolderRefused, match=r"open to other users \(mode 0755\); make it private with: chmod 700"):
        open_private_folder(str(folder), create=True)
    assert _mode(folder) == 0o755


def test_a_folder_of_another_user_is_refused(tmp_path, monkeypatch):
    folder = tmp_path / "pmpt"
    folder.mkdir(mode=0o700)
    real = os.getuid()
    monkeypatch.setattr(os, "getuid", lambda: real + 1)
    with pytest.raises(FolderRefused, match="belongs to another user"):
        open_private_folder(str(folder), create=True)


def test_a_file_in_its_place_is_refused(tmp_path):
    (tmp_path / "pmpt").write_text("")
    with pytest.raises(FolderRefused, match="not a folder"):
        open_private_folder(str(tmp_path / "pmpt"), create=True)
