"""The kg command line: exit status, summary, reject report, settings."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CORPORA, SEEDS, checkout_environment, run_kg

EDGE = CORPORA / "edge_cases.json"


def test_clean_run_exits_zero_with_a_summary(tmp_path):
    result = run_kg("convert", str(SEEDS), "-o", str(tmp_path / "g.ttl"))
    assert result.returncode == 0
    assert b"read 2 records: 2 written, 0 rejected, 0 skipped as non-public" in result.stderr


def test_rejects_exit_one_and_every_record_is_counted_once(tmp_path):
    rejects = tmp_path / "rejects.jsonl"
    result = run_kg("convert", str(EDGE), "-o", str(tmp_path / "g.jsonld"), "--rejects", str(rejects))
    assert result.returncode == 1
    assert b"read 10 records: 3 written, 5 rejected, 2 skipped as non-public" in result.stderr
    entries = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert [(e["record"], e["field"]) for e in entries] == [
        ("e2", "title"),
        (None, None),
        ("e3", "author"),
        (None, "_id"),
        ("e8", "status"),
    ]
    assert all(e["source"].endswith("edge_cases.json") and e["position"].startswith("element ") for e in entries)
    assert b"Traceback" not in result.stderr
    assert b"record e1, author[1].orcid: invalid ORCID" in result.stderr


def test_quiet_keeps_only_the_summary(tmp_path):
    result = run_kg("convert", str(EDGE), "-o", str(tmp_path / "g.nt"), "-q")
    assert result.stderr.count(b"\n") <= 3


def test_unusable_input_and_options_exit_two(tmp_path):
    missing = run_kg("convert", str(tmp_path / "nope.json"), "-o", str(tmp_path / "g.nt"))
    assert missing.returncode == 2 and b"no such file" in missing.stderr
    bad_format = run_kg("convert", str(SEEDS), "-o", str(tmp_path / "g.txt"))
    assert bad_format.returncode == 2 and b"give -f" in bad_format.stderr
    bad_base = run_kg("convert", str(SEEDS), "-o", "-", "--base", "not a url")
    assert bad_base.returncode == 2 and b"base must be an http(s) URL" in bad_base.stderr
    for result in (missing, bad_format, bad_base):
        assert b"Traceback" not in result.stderr


def test_config_file(tmp_path):
    (tmp_path / "kg.toml").write_text('base = "https://pub.example.edu"\ncitation_style = "none"\n')
    result = run_kg("convert", str(SEEDS), "-o", "out.nt", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "out.nt").read_text()
    assert "<https://pub.example.edu/record/13074>" in text and "bibliographicCitation" not in text
    override = run_kg("convert", str(SEEDS), "-o", "-", "--base", "https://other.example.edu", cwd=tmp_path)
    assert b"<https://other.example.edu/record/13074>" in override.stdout
    (tmp_path / "kg.toml").write_text('bsae = "typo"\n')
    typo = run_kg("convert", str(SEEDS), "-o", "-", cwd=tmp_path)
    assert typo.returncode == 2 and b"unknown setting(s) bsae" in typo.stderr


# The command's own exit (kg.cli.run) skips the interpreter's teardown: what that teardown would
# have done that matters must still happen.


def test_a_dump_on_standard_output_is_whole(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    assert run_kg("generate", "1000", "-o", str(corpus)).returncode == 0
    assert run_kg("convert", str(corpus), "-o", str(tmp_path / "g.nt"), "-q").returncode == 1  # planted rejects
    piped = run_kg("convert", str(corpus), "-o", "-", "-f", "nt", "-q")
    assert piped.returncode == 1
    assert len(piped.stdout) > 100_000  # more than one buffer's worth is left to flush at exit
    assert piped.stdout == (tmp_path / "g.nt").read_bytes()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full (a device that is always full) here")
def test_a_dump_that_cannot_be_written_is_named(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    assert run_kg("generate", "300", "-o", str(corpus)).returncode == 0
    full = run_kg("convert", str(corpus), "-o", "/dev/full", "-f", "nt", "-q")
    assert full.returncode == 2
    assert b"kg: error: /dev/full: No space left on device" in full.stderr
    assert b"Traceback" not in full.stderr


def test_a_reader_that_stops_early_is_an_error_not_a_traceback(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    assert run_kg("generate", "2000", "-o", str(corpus)).returncode == 0
    process = subprocess.Popen(
        [sys.executable, "-m", "kg", "convert", str(corpus), "-o", "-", "-f", "nt", "-q"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=checkout_environment(),
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.read(100)
    process.stdout.close()  # as `| head -c 100` does
    stderr = process.stderr.read()
    assert process.wait(timeout=120) == 2
    assert stderr.count(b"broken pipe") == 1  # said once: not again when the exit flushes standard output
    assert b"Traceback" not in stderr and b"Exception ignored" not in stderr


def test_exit_handlers_run_and_other_threads_are_waited_for(tmp_path):
    script = tmp_path / "embed.py"
    script.write_text(
        f"""
import atexit, pathlib, sys, threading, time
from kg.cli import run
out = pathlib.Path({str(tmp_path)!r})
atexit.register(lambda: (out / "handler").write_text("ran"))
def late():
    time.sleep(0.3)
    (out / "thread").write_text("done")
threading.Thread(target=late).start()
sys.argv = ["kg", "--version"]
run()
"""
    )
    result = subprocess.run([sys.executable, str(script)], capture_output=True, env=checkout_environment(), timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(b"kg ")
    assert (tmp_path / "handler").read_text() == "ran"
    assert (tmp_path / "thread").read_text() == "done"
