"""The streaming readers: one record at a time, every physical line accounted for."""

from __future__ import annotations

import io
import json

import pytest

from pmpt_cli import readers
from pmpt_cli.readers import CsvFormatError, Pending, Tally, read_csv, read_jsonl


def jsonl(*lines: str | bytes, end: bytes = b"\n") -> io.BytesIO:
    return io.BytesIO(b"".join((x if isinstance(x, bytes) else x.encode()) + end for x in lines))


def accounted(tally: Tally) -> bool:
    return tally.lines == tally.header + tally.blank + tally.record_lines


def test_json_lines_split_on_line_feed_only(mini_answers):
    # U+2028, U+2029 and U+0085 are valid inside JSON strings; str.splitlines() splits at each.
    lines = [json.dumps({"id": f"p{i}", "comment": f"a{sep}b", **mini_answers}, ensure_ascii=False)
             for i, sep in enumerate(["\u2028", "\u2029", "\x85", "\x1c", "\x0b\x0c"])]  # fmt: skip
    tally = Tally()
    records = list(read_jsonl(jsonl(*lines), origin="p.jsonl", tally=tally))
    assert [r.id for r in records] == ["p0", "p1", "p2", "p3", "p4"]
    assert [r.error for r in records] == [None] * 5
    assert records[0].answers["comment"] == "a\u2028b" and records[2].answers["comment"] == "a\x85b"
    assert (tally.lines, tally.records, tally.blank) == (5, 5, 0) and accounted(tally)


def test_one_bad_json_line_never_stops_the_rest(mini_answers):
    good = json.dumps({"id": "ok", **mini_answers})
    huge = '{"id": "huge", "weeks": ' + "9" * 5000 + "}"  # over Python's 4,300-digit limit
    deep = '{"id": "deep", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    tally = Tally()
    stream = jsonl(good, huge, "{not json", b'{"id": "\xff"}', "[1]", '{"x": 1}', deep, "", "  ", good)
    records = list(read_jsonl(stream, origin="p.jsonl", tally=tally))
    assert [r.error for r in records] == [
        None,
        "not valid JSON: a number has more than 4,300 digits",
        "not valid JSON: Expecting property name enclosed in double quotes (column 2)",
        "not UTF-8 text",
        "each line must be a JSON object",
        "no 'id' (a string or number) in this line",
        "not valid JSON: nested too deeply",
        None,
    ]
    assert [r.source for r in records] == [f"p.jsonl:{n}" for n in (1, 2, 3, 4, 5, 6, 7, 10)]
    assert (tally.lines, tally.records, tally.blank) == (10, 8, 2) and accounted(tally)


def test_json_lines_with_bom_crlf_nested_answers_and_a_missing_final_newline(mini_answers):
    text = "\ufeff" + json.dumps({"id": 7, "questionnaire": "mini", "answers": mini_answers}) + "\r\n"
    text += json.dumps({"id": "b", **mini_answers})  # no newline at the end
    records = list(read_jsonl(io.BytesIO(text.encode()), origin="p"))
    assert records[0] == Pending("7", "p:1", mini_answers, questionnaire="mini")
    assert records[1].id == "b" and records[1].answers == mini_answers


def test_a_line_over_the_limit_is_one_failed_record_and_is_never_held(monkeypatch, mini_answers):
    monkeypatch.setattr(readers, "MAX_LINE_BYTES", 300)
    long = json.dumps({"id": "long", "comment": "x" * 5_000})
    records = list(read_jsonl(jsonl(long, json.dumps({"id": "next", **mini_answers})), origin="p"))
    assert records[0].error == "the line is longer than 300 bytes" and records[0].source == "p:1"
    assert records[1].id == "next" and records[1].error is None


CSV_HEAD = "id,hot_joint,pain_now,pain_worst,limits,weeks,tried,comment\n"


def read(text: str, questionnaire, tally: Tally | None = None) -> list[Pending]:
    return list(read_csv(io.BytesIO(text.encode()), questionnaire, origin="p.csv", tally=tally))


def test_csv_accounts_for_every_physical_line(mini):
    text = CSV_HEAD + 'a,no,1,1,,1,no,"two\nlines"\n\n   \nb,no,1,1,,1,no,\nc,no,1\n'
    tally = Tally()
    records = read(text, mini, tally)
    assert [(r.id, r.source) for r in records] == [("a", "p.csv:2-3"), ("b", "p.csv:6"), ("c", "p.csv:7")]
    assert records[0].answers["comment"] == "two\nlines"
    assert records[2].error == "has 3 cells but the header has 8"
    assert (tally.lines, tally.header, tally.blank, tally.records, tally.multiline) == (7, 1, 2, 3, 1)
    assert accounted(tally)


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        # A stray quote opens a cell that swallows the rows after it: the file is malformed.
        (b'a,no,1,1,,1,no,\nb,no,"3,3,,1,no,\nc,no,1,1,,1,no,\nd,no,1,1,,1,no,\n', 3, "unexpected end of data"),
        (b'a,no,1,1,,1,no,\nb,no,"3"4,1,,1,no,\n', 3, "',' expected after '\"'"),
        (b"a,no,1,1,,1,no,\nb,no,1,1,,1,no,\xff\n", 3, "not UTF-8 text"),
    ],
)
def test_malformed_csv_fails_with_its_line_number(mini, body, line, message):
    with pytest.raises(CsvFormatError) as info:
        list(read_csv(io.BytesIO(CSV_HEAD.encode() + body), mini, origin="p.csv"))
    assert info.value.line == line and f"p.csv, line {line}: not valid CSV" in info.value.message
    assert message in info.value.message


def test_an_oversized_field_or_line_fails_the_file_with_its_line_number(mini, monkeypatch):
    text = CSV_HEAD + "a,no,1,1,,1,no,\n" + "b,no,1,1,,1,no," + "x" * 200_000 + "\n" + "c,no,1,1,,1,no,\n"
    with pytest.raises(CsvFormatError) as info:
        read(text, mini)
    assert info.value.line == 3 and "field larger than field limit" in info.value.message
    monkeypatch.setattr(readers, "MAX_LINE_BYTES", 1000)
    with pytest.raises(CsvFormatError) as info:
        read(text, mini)
    assert info.value.line == 3 and "the line is longer than 1,000 bytes" in info.value.message


def test_csv_header_that_does_not_fit_is_one_failed_record(mini):
    tally = Tally()
    (record,) = read("id,pain_nw\na,1\nb,2\n", mini, tally)
    assert record.id == "p.csv" and "1 unknown column" in (record.error or "")
    assert "did you mean 'pain_now'?" in record.problems[0].message
    assert tally.header == 1 and tally.lines <= 2  # the file is not read past its header


def test_csv_cells_are_parsed_like_typed_answers(mini):
    (record,) = read('id,hot_joint,pain_now,limits,tried\n a ,Not sure,5,"Stairs, walking",Y\n', mini)
    assert record.id == "a" and record.answers == {
        "hot_joint": "unsure", "pain_now": 5, "limits": ["stairs", "walking"], "tried": True,
    }  # fmt: skip
    (record,) = read("id,pain_now,limits\nb,5.5,[]\n", mini)
    assert record.answers == {"limits": []} and "must be a whole number" in record.problems[0].message
