"""The corpus generator: deterministic, realistic, and its records convert (bar the planted broken ones)."""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import orjson
import pytest

from kg.generate import ACCESS_LEVELS, FLAWS, TYPE_MIX, CorpusGenerator, write_corpus
from kg.mapping.person import normalise_orcid
from tests.conftest import run_kg

SIZE = 20_000
SEED = 11
# What kg must say about each kind of planted breakage: (field, words in the reason).
EXPECTED_REJECT = {
    "missing_title": ("title", "missing"),
    "unknown_type": ("type", "not a LibreCat publication type"),
    "bad_status": ("status", "not a LibreCat record status"),
    "author_not_a_list": ("author", "expected an array"),
    "invalid_json": (None, "invalid JSON"),
    "duplicate_id": ("_id", "duplicate record id"),
    "file_not_an_object": ("file[0]", "expected an object"),
    "title_not_text": ("title", "expected text, got an object"),
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("generated") / "corpus.jsonl"
    write_corpus(SIZE, str(path), SEED)
    return path


@pytest.fixture(scope="module")
def records(corpus) -> list[dict]:
    out = []
    for line in corpus.read_bytes().splitlines():
        with contextlib.suppress(orjson.JSONDecodeError):  # the planted invalid lines
            out.append(orjson.loads(line))
    return out


def test_same_seed_same_bytes_other_seed_other_corpus(tmp_path):
    paths = [tmp_path / name for name in ("a.jsonl", "b.jsonl", "c.jsonl", "d.jsonl.gz")]
    write_corpus(2000, str(paths[0]), seed=5)
    write_corpus(2000, str(paths[1]), seed=5)
    write_corpus(2000, str(paths[2]), seed=6)
    write_corpus(2000, str(paths[3]), seed=5)
    assert paths[0].read_bytes() == paths[1].read_bytes()
    assert paths[0].read_bytes() != paths[2].read_bytes()
    assert gzip.decompress(paths[3].read_bytes()) == paths[0].read_bytes()


def test_a_larger_corpus_starts_like_a_smaller_one(tmp_path):
    # Records do not depend on the corpus size except through the pools: same seed, same first records' ids/types.
    small = list(CorpusGenerator(500, seed=3))
    large = list(CorpusGenerator(5000, seed=3))[:500]
    assert [(g.record_id, g.status, g.flaw) for g in small] == [(g.record_id, g.status, g.flaw) for g in large]


def test_cli_writes_the_requested_number_of_lines(tmp_path):
    out = tmp_path / "c.jsonl.gz"
    result = run_kg("generate", "300", "-o", out, "--seed", "2")
    assert result.returncode == 0, result.stderr
    assert len(gzip.decompress(out.read_bytes()).splitlines()) == 300
    assert b"generated 300 records" in result.stderr


def test_the_type_mix_and_statuses_are_realistic(records):
    types = Counter(r["type"] for r in records if r["type"] in TYPE_MIX)
    assert set(types) == set(TYPE_MIX)  # all 20 LibreCat types
    assert types.most_common(1)[0][0] == "journal_article"
    statuses = Counter(r["status"] for r in records)
    assert {"public", "private", "submitted", "new", "returned", "deleted"} <= set(statuses)
    assert statuses["public"] > 0.9 * len(records)


def test_author_lists_have_a_long_tail_and_people_recur(records):
    counts = [len(r["author"]) for r in records if isinstance(r.get("author"), list)]
    assert max(counts) >= 100
    assert Counter(counts).most_common(1)[0][0] <= 3
    people = Counter(p["id"] for r in records for p in r.get("author", []) if isinstance(p, dict) and "id" in p)
    assert people.most_common(1)[0][1] >= 50  # prolific people appear in many records


def test_people_are_stable_and_orcids_valid_except_a_few_planted(records):
    by_id: dict[str, tuple] = {}
    valid = invalid = 0
    for record in records:
        for role in ("author", "editor", "supervisor", "translator"):
            for person in record.get(role, []) if isinstance(record.get(role), list) else []:
                key = (person.get("first_name"), person.get("last_name"), person.get("orcid"))
                if "id" in person:
                    assert by_id.setdefault(person["id"], key) == key
                if "orcid" in person:
                    if normalise_orcid(person["orcid"]):
                        valid += 1
                    else:
                        invalid += 1
    assert valid > 1000
    assert 0 < invalid < valid / 50


def test_supervisors_form_a_multi_generation_genealogy(records):
    advisor_of: dict[str, set[str]] = {}
    for record in records:
        if record["type"] == "dissertation" and isinstance(record.get("author"), list):
            for student in record["author"]:
                for supervisor in record.get("supervisor", []):
                    advisor_of.setdefault(student["id"], set()).add(supervisor["id"])
    grand = [s for s, advisors in advisor_of.items() if any(a in advisor_of for a in advisors)]
    assert grand, "some supervisors were students of other supervisors in the corpus"


def test_projects_departments_and_files_of_every_access_level(records):
    assert sum(1 for r in records if r.get("project")) > 0.1 * len(records)
    assert all(r.get("department") for r in records)
    levels = Counter(f["access_level"] for r in records for f in r.get("file", []) if isinstance(f, dict))
    assert set(levels) == {level for level, _ in ACCESS_LEVELS}


def test_related_records_are_linked_from_both_sides(records):
    inverse = {
        "part_of_dissertation": "dissertation_contains",
        "dissertation_contains": "part_of_dissertation",
        "later_version": "earlier_version",
        "earlier_version": "later_version",
        "new_edition": "old_edition",
        "old_edition": "new_edition",
        "is_continued_by": "continues",
        "continues": "is_continued_by",
        "popular_science": "research_paper",
        "research_paper": "popular_science",
        "translation": "original",
        "original": "translation",
        "is_cited_by": "cites",
        "cites": "is_cited_by",
        "other": "other",
    }
    links = {
        (r["_id"], link["relation"], link["id"])
        for r in records
        for link in r.get("related_material", {}).get("record", [])
    }
    assert len(links) > 100
    ids = Counter(r["_id"] for r in records)
    missing = [(a, rel, b) for a, rel, b in links if ids[b] == 1 and ids[a] == 1 and (b, inverse[rel], a) not in links]
    # Records whose line is invalid JSON or whose id is duplicated on purpose are left out above.
    assert missing == []


def test_only_the_planted_records_are_rejected_each_with_its_reason(corpus, tmp_path):
    planted = {f"line {g.number}": g.flaw for g in CorpusGenerator(SIZE, SEED) if g.flaw}
    assert set(planted.values()) == set(FLAWS)  # every kind occurs in this corpus
    rejects_path = tmp_path / "rejects.jsonl"
    result = run_kg("convert", corpus, "-o", tmp_path / "out.nt", "--rejects", rejects_path, "-q", "--jobs", "2")
    assert result.returncode == 1, result.stderr  # rejects present
    rejects = [json.loads(line) for line in rejects_path.read_text().splitlines()]
    assert {r["position"]: r for r in rejects}.keys() == planted.keys()
    for reject in rejects:
        field, words = EXPECTED_REJECT[planted[reject["position"]]]
        assert reject["field"] == field
        assert words in reject["reason"]


@pytest.mark.parametrize("seed", [1, 2, 4, 5])
def test_small_corpora_with_consortium_papers_are_generated(tmp_path, seed):
    # 1,000 records have 333 people; a consortium paper asks for up to 500 authors (this used to hang).
    path = tmp_path / "small.jsonl"
    result = subprocess.run(
        [sys.executable, "-m", "kg", "generate", "1000", "-o", str(path), "--seed", str(seed)],
        capture_output=True,
        timeout=60,
        env=dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent)),
    )
    assert result.returncode == 0, result.stderr
    lines = path.read_bytes().splitlines()
    records = []
    for line in lines:
        with contextlib.suppress(orjson.JSONDecodeError):  # the planted invalid-JSON lines
            records.append(orjson.loads(line))
    authors = [len(r["author"]) for r in records if isinstance(r, dict) and isinstance(r.get("author"), list)]
    assert len(lines) == 1000
    assert max(authors) > 100  # the long tail is still there
    assert max(authors) <= 333 // 2
