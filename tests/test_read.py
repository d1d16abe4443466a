"""read: every input shape streams records; broken pieces become rejects and reading goes on."""

from __future__ import annotations

import gzip
import json

import pytest
from conftest import SEEDS, record, run_kg, write_json

from kg import read
from kg.read import InputError, read_records


def ids(items):
    return [i.record["_id"] if i.record else ("ERR", i.position) for i in items]


def test_json_array(tmp_path):
    path = write_json(tmp_path / "a.json", [record("1"), record("2")])
    assert ids(read_records([str(path)])) == ["1", "2"]


def test_json_lines_and_gzip(tmp_path):
    lines = "\n".join(json.dumps(record(str(n))) for n in range(3)) + "\n"
    (tmp_path / "a.jsonl").write_text(lines)
    with gzip.open(tmp_path / "b.jsonl.gz", "wt") as handle:
        handle.write(lines)
    with gzip.open(tmp_path / "c.json.gz", "wt") as handle:
        json.dump([record("9")], handle)
    items = list(read_records([str(tmp_path)]))
    assert ids(items) == ["0", "1", "2", "0", "1", "2", "9"]
    assert items[0].position == "line 1"


def test_folder_without_records_and_missing_file(tmp_path):
    with pytest.raises(InputError, match="no .json"):
        list(read_records([str(tmp_path)]))
    with pytest.raises(InputError, match="no such file"):
        list(read_records([str(tmp_path / "missing.json")]))


def test_malformed_array_element_is_rejected_and_reading_goes_on(tmp_path):
    good = json.dumps(record("1"))
    text = f'[{good}, {{"_id": "2", "title": "x" "type": 1}}, {json.dumps(record("3"))}, 42]'
    (tmp_path / "a.json").write_text(text)
    items = list(read_records([str(tmp_path / "a.json")]))
    assert ids(items) == ["1", ("ERR", "element 2"), "3", ("ERR", "element 4")]
    assert "invalid JSON" in items[1].error
    assert "expected a record" in items[3].error


def test_brackets_and_quotes_inside_strings_do_not_confuse_the_scanner(tmp_path, monkeypatch):
    # A tiny chunk size makes every element straddle buffer boundaries.
    monkeypatch.setattr(read, "_CHUNK", 7)
    tricky = record("1", title='a "quoted" ] } [ { title \\ with backslash, and commas')
    path = write_json(tmp_path / "a.json", [tricky, record("2"), {"_id": "3", "nested": [[{"x": "]"}]]}])
    items = list(read_records([str(path)]))
    assert ids(items) == ["1", "2", "3"]
    assert items[0].record["title"] == tricky["title"]


def test_truncated_array(tmp_path):
    (tmp_path / "a.json").write_text(f'[{json.dumps(record("1"))}, {{"_id": "2", "title": "unfinished')
    items = list(read_records([str(tmp_path / "a.json")]))
    assert ids(items)[0] == "1"
    assert "file ends inside" in items[1].error


def test_malformed_line_in_json_lines(tmp_path):
    (tmp_path / "a.jsonl").write_text(json.dumps(record("1")) + "\n{oops\n\n" + json.dumps(record("3")) + "\n")
    items = list(read_records([str(tmp_path / "a.jsonl")]))
    assert ids(items) == ["1", ("ERR", "line 2"), "3"]


def test_invalid_utf8_line_is_rejected(tmp_path):
    (tmp_path / "a.jsonl").write_bytes(
        b'{"_id": "1", "title": "\xff\xfe"}\n' + json.dumps(record("2")).encode() + b"\n"
    )
    items = list(read_records([str(tmp_path / "a.jsonl")]))
    assert items[0].error and items[0].position == "line 1"
    assert items[1].record["_id"] == "2"


def test_pretty_printed_objects_one_after_another(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps(record("1"), indent=2) + "\n" + json.dumps(record("2"), indent=2))
    assert ids(read_records([str(tmp_path / "a.json")])) == ["1", "2"]


def test_byte_order_mark_and_empty_file(tmp_path):
    (tmp_path / "bom.json").write_bytes(b"\xef\xbb\xbf" + json.dumps([record("1")]).encode())
    (tmp_path / "empty.json").write_text("")
    assert ids(read_records([str(tmp_path / "bom.json"), str(tmp_path / "empty.json")])) == ["1"]


def test_stdin_through_the_cli():
    result = run_kg("convert", "-", "-o", "-", "-f", "nt", input=SEEDS.read_bytes())
    assert result.returncode == 0, result.stderr
    assert b"/record/13074>" in result.stdout
