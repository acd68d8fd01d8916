"""Writing files: atomic, private, never overwriting by surprise, and clear when the disk says no."""

from __future__ import annotations

import errno
import json
import os
import signal
import stat
import subprocess
import sys

import pytest
from helpers import ROOT

from pmpt_cli.cli import fileio
from pmpt_cli.cli.fileio import json_text, private_file, write_private
from pmpt_cli.errors import InputFileError, OutputExistsError


def _leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_new_file_is_private_and_complete(tmp_path):
    write_private(tmp_path / "out.toml", "a = 1\n")
    assert (tmp_path / "out.toml").read_text() == "a = 1\n"
    assert stat.S_IMODE((tmp_path / "out.toml").stat().st_mode) == 0o600
    assert _leftovers(tmp_path) == ["out.toml"]


def test_an_existing_file_and_a_dangling_link_count_as_existing(tmp_path):
    (tmp_path / "old.toml").write_text("old")
    with pytest.raises(OutputExistsError, match="--force"):
        write_private(tmp_path / "old.toml", "new")
    (tmp_path / "link.toml").symlink_to(tmp_path / "nowhere.toml")
    with pytest.raises(OutputExistsError):
        write_private(tmp_path / "link.toml", "new")
    assert not (tmp_path / "nowhere.toml").exists()
    assert (tmp_path / "old.toml").read_text() == "old"


def test_force_replaces_a_link_itself_never_writing_through_it(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (tmp_path / "out.toml").symlink_to(victim)
    write_private(tmp_path / "out.toml", "new", force=True)
    assert victim.read_text() == "precious"
    assert not (tmp_path / "out.toml").is_symlink() and (tmp_path / "out.toml").read_text() == "new"


def test_a_file_created_while_writing_is_never_replaced(tmp_path):
    """os.link puts the file in place: it fails if the target appeared meanwhile (a long batch)."""
    target = tmp_path / "results.csv"
    with pytest.raises(OutputExistsError, match="appeared while pmpt was writing"):
        with private_file(target) as fh:
            fh.write("rows")
            target.write_text("someone else's")
    assert target.read_text() == "someone else's"
    assert _leftovers(tmp_path) == ["results.csv"]


def test_without_hard_links_the_file_still_arrives(tmp_path, monkeypatch):
    def no_links(src, dst):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    write_private(tmp_path / "out.toml", "x")
    assert (tmp_path / "out.toml").read_text() == "x" and _leftovers(tmp_path) == ["out.toml"]


def test_ctrl_c_while_writing_leaves_nothing(tmp_path):
    with pytest.raises(KeyboardInterrupt):
        with private_file(tmp_path / "out.csv") as fh:
            fh.write("half")
            raise KeyboardInterrupt
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("code", "fix"),
    [
        (errno.ENOSPC, "free some space"),
        (errno.EDQUOT, "quota"),
        (errno.EROFS, "read-only"),
        (errno.EIO, "check the name"),
    ],
)
def test_a_disk_that_refuses_the_write_is_a_clear_error(tmp_path, monkeypatch, code, fix):
    real_fsync = os.fsync

    def failing(fd):
        real_fsync(fd)
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "fsync", failing)
    with pytest.raises(InputFileError) as info:
        write_private(tmp_path / "out.toml", "x" * 10_000)
    assert info.value.message.startswith(f"Cannot write '{tmp_path / 'out.toml'}': {os.strerror(code)}")
    assert fix in info.value.message
    assert _leftovers(tmp_path) == []


def test_a_full_disk_midway_through_a_long_write_leaves_nothing(tmp_path, monkeypatch):
    with pytest.raises(InputFileError, match="No space left on device; free some space"):
        with private_file(tmp_path / "out.csv") as fh:
            fh.write("row\n")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    assert _leftovers(tmp_path) == []


def test_a_read_only_folder_is_a_clear_error(tmp_path, monkeypatch):
    import tempfile

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    with pytest.raises(InputFileError, match="Read-only file system; that file system is read-only"):
        write_private(tmp_path / "out.toml", "x")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_folder_without_write_permission_is_a_clear_error(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(InputFileError, match="Permission denied; you may not write there"):
            write_private(folder / "out.toml", "x")
    finally:
        folder.chmod(0o700)


def test_force_onto_a_file_that_may_not_be_replaced_is_a_clear_error(tmp_path, monkeypatch):
    (tmp_path / "theirs.toml").write_text("theirs")

    def refused(src, dst, **kwargs):
        raise PermissionError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(os, "replace", refused)
    with pytest.raises(InputFileError, match="Operation not permitted; you may not write or replace that file"):
        write_private(tmp_path / "theirs.toml", "mine", force=True)
    assert (tmp_path / "theirs.toml").read_text() == "theirs"
    assert _leftovers(tmp_path) == ["theirs.toml"]


_KILLED_WRITER = """
import sys, time
from pmpt_cli.cli.fileio import private_file
with private_file(sys.argv[1], force=True) as fh:
    fh.write("new content " * 10_000)
    fh.flush()
    print("written", flush=True)
    time.sleep(60)
"""


@pytest.mark.parametrize("existing", [True, False])
def test_a_write_killed_midway_leaves_the_old_file_or_none(tmp_path, existing):
    target = tmp_path / "summary.toml"
    if existing:
        target.write_text("old content")
    child = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, str(target)], stdout=subprocess.PIPE, text=True,
                             cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})  # fmt: skip
    try:
        assert child.stdout is not None and child.stdout.readline() == "written\n"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(30)
        child.stdout.close()  # type: ignore[union-attr]
    if existing:
        assert target.read_text() == "old content"
    else:
        assert not target.exists()
    # Only the hidden temporary file may remain (nothing can clean up after SIGKILL).
    assert all(name.startswith(".summary.toml.") and name.endswith(".tmp") for name in _leftovers(tmp_path)
               if name != "summary.toml")  # fmt: skip


def test_json_never_holds_nan_or_infinity_nor_what_a_terminal_obeys():
    data = {"a": float("nan"), "b": [float("inf"), -float("inf"), 1.5], "t": "x\x1b[2K\x9b\u202eevil\x7f"}
    text = json_text(data)
    assert "NaN" not in text and "Infinity" not in text
    assert not any(c in text for c in "\x1b\x9b\u202e\x7f")
    assert json.loads(text) == {"a": None, "b": [None, None, 1.5], "t": "x\x1b[2K\x9b\u202eevil\x7f"}


def test_toml_written_to_stdout_is_escaped_the_same_way(tmp_path):
    import io
    import tomllib

    import tomli_w

    out = io.StringIO()
    write_private("-", tomli_w.dumps({"t": "a\x9bb\u202ec"}), stdout=out)
    assert "\x9b" not in out.getvalue() and "\u202e" not in out.getvalue()
    assert tomllib.loads(out.getvalue()) == {"t": "a\x9bb\u202ec"}


def test_fileio_reads_no_stream_of_its_own():
    assert "sys.std" not in open(fileio.__file__).read()


def test_ctrl_c_during_a_batch_leaves_no_partial_output(tmp_path, monkeypatch, runner):
    from helpers import FIXTURES

    from pmpt_cli import rows
    from pmpt_cli.cli.app import app

    people = tmp_path / "people.csv"
    people.write_text("id,hot_joint,pain_now,pain_worst,weeks,tried\n" + "p,no,5,6,10,yes\n" * 50)
    real = rows.run_triage  # what triage_record, and so batch, runs for each row
    calls = []

    def interrupted(*args, **kwargs):
        calls.append(1)
        if len(calls) == 20:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(rows, "run_triage", interrupted)
    result = runner.invoke(app, ["batch", str(people), "-q", str(FIXTURES / "mini.toml"), "--output",
                                 str(tmp_path / "out.csv")])  # fmt: skip
    assert result.exit_code == 130
    assert _leftovers(tmp_path) == ["people.csv"]


@pytest.mark.parametrize("folder", ["/sys", "/proc"])
def test_a_real_folder_nobody_may_write_is_a_clear_error(folder):
    """Kernel file systems refuse new files even to root: a real refusal, not a mock."""
    if not os.path.isdir(folder):
        pytest.skip(f"no {folder} here")
    with pytest.raises(InputFileError) as info:
        write_private(f"{folder}/pmpt-summary.toml", "x")
    assert info.value.message.startswith(f"Cannot write '{folder}/pmpt-summary.toml': ")
    assert "does not exist" not in info.value.message
