"""Reading other people's files: bounded work, regular files only, strict parsing."""

from __future__ import annotations

import os
import threading

import pytest

from pmpt_cli.errors import InputFileError, QuestionnaireError, QuestionnaireNotFoundError
from pmpt_cli.input_files import MAX_NESTING, decode, load_json, load_toml, read_bounded


def test_a_regular_file_is_read_whole(tmp_path):
    path = tmp_path / "a.toml"
    path.write_bytes(b"x = 1\n")
    assert read_bounded(str(path), 100, "answers file") == b"x = 1\n"


def test_a_named_pipe_is_refused_at_once_not_waited_on(tmp_path):
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    done: list[BaseException] = []
    # A blocking open of a pipe with no writer would wait forever: run it where a hang shows.
    worker = threading.Thread(target=lambda: done.append(_error(str(fifo))), daemon=True)
    worker.start()
    worker.join(30)
    assert done, "reading a named pipe blocked"
    assert isinstance(done[0], InputFileError) and "named pipe" in done[0].message


def _error(path: str) -> BaseException:
    try:
        read_bounded(path, 100, "questionnaire file")
    except BaseException as exc:  # noqa: BLE001 - handed to the test
        return exc
    return AssertionError("no error")


def test_a_device_that_never_ends_is_refused(tmp_path):
    error = _error("/dev/zero")
    assert isinstance(error, InputFileError)
    assert "character device, not a regular file" in error.message


def test_missing_folder_and_bad_names_say_so(tmp_path):
    with pytest.raises(QuestionnaireNotFoundError, match="does not exist"):
        read_bounded(str(tmp_path / "no.toml"), 10, "questionnaire file", missing=QuestionnaireNotFoundError)
    with pytest.raises(InputFileError, match="is a folder"):
        read_bounded(str(tmp_path), 10, "answers file")
    with pytest.raises(InputFileError, match="not a valid file name"):
        read_bounded("a\x00b.toml", 10, "answers file")


def test_at_most_the_limit_is_read(tmp_path):
    path = tmp_path / "big.toml"
    path.write_bytes(b"#" * 101)
    with pytest.raises(InputFileError, match="larger than"):
        read_bounded(str(path), 100, "answers file")


def test_a_byte_order_mark_is_accepted_and_bad_utf8_explained():
    assert decode("\ufeffx = 1".encode(), "a.toml") == "x = 1"
    with pytest.raises(QuestionnaireError, match="not UTF-8 text .* save the file as UTF-8"):
        decode(b"\xff\xfe", "q.toml", error=QuestionnaireError)


@pytest.mark.parametrize(
    ("text", "located"),
    [
        ('{"answers": {"bladder_bowel": "yes", "bladder_bowel": "no"}}', "answers.bladder_bowel"),
        ('{"questionnaire": "a", "questionnaire": "b", "answers": {}}', "questionnaire"),
        ('{"answers": {"x": [{"k": 1, "k": 1}]}}', "answers.x[0].k"),
    ],
)
def test_a_json_key_given_twice_is_a_located_problem(text, located):
    with pytest.raises(InputFileError) as info:
        load_json(text, "a.json")
    assert [p.location for p in info.value.problems] == [located]
    assert "given 2 times" in info.value.problems[0].message and "keep only one" in info.value.problems[0].hint


def test_duplicate_listing_stops_after_twenty():
    body = ", ".join(f'"k{i}": 1, "k{i}": 2' for i in range(50))
    with pytest.raises(InputFileError) as info:
        load_json("{" + body + "}", "a.json")
    assert len(info.value.problems) == 20 and info.value.more == 30
    assert "50 duplicate keys" in info.value.message


@pytest.mark.parametrize("load", [load_json, load_toml])
def test_deep_nesting_is_an_error_not_a_crash(load):
    deep = "[" * 100_000 + "]" * 100_000
    with pytest.raises(InputFileError, match="nested more than"):
        load(deep if load is load_json else f"a = {deep}", "f")
    just_over = "[" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1)
    with pytest.raises(InputFileError, match="nested more than"):
        load(just_over if load is load_json else f"a = {just_over}", "f")


@pytest.mark.parametrize("load", [load_json, load_toml])
def test_an_integer_beyond_4300_digits_is_an_error_not_a_crash(load):
    digits = "1" * 5000
    with pytest.raises(InputFileError, match="more than 4,300 digits"):
        load(f'{{"a": {digits}}}' if load is load_json else f"a = {digits}", "f")


def test_half_a_surrogate_pair_is_not_text():
    with pytest.raises(InputFileError, match="lone surrogate"):
        load_json('{"answers": {"notes": "\\ud800"}}', "a.json")
    with pytest.raises(InputFileError, match="lone surrogate"):
        load_json('{"\\udc00": 1}', "a.json")
    assert load_json('{"a": "\\ud83d\\ude00"}', "a.json") == {"a": "\U0001f600"}
