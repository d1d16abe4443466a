"""Non-public records, non-open files and internal fields never reach any output."""

from __future__ import annotations

import json

import pytest
from conftest import CORPORA, SEEDS, run_kg

from kg.pipeline import convert

EDGE = CORPORA / "edge_cases.json"
SECRETS = [
    "SECRET-USER-ID",
    "secretlogin",
    "SECRET-CREATOR",
    "secret@example.org",
    "internal note",
    "CLOSED-SECRET",
    "LOCAL-SECRET",
    "REQUEST-SECRET",
    "PRIVATE-SECRET-TITLE",
    "DELETED-SECRET-TITLE",
    # from the seeds: uploader logins, user ids, closed source archives and their checksums
    "epeste",
    "gnadirad",
    "8b945eb4-e2f2-11eb",
    "c635000d-4b10-11ee",
    "PhD_Thesis_APeste.zip",
    "Thesis_Final_09_12_2021.zip",
    "8d0df94bbcf4db72c991f22503b3fd60",
    "13088",
    "10437",
    # from the shared LibreCat records: the private working paper and logins
    "einstein",
    "INTERNATIONAL TRADE AND JOB POLARIZATION",
    "2737399",
]


@pytest.mark.parametrize("fmt", ["nt", "nq", "ttl", "trig", "jsonld", "rdf"])
def test_no_secret_in_any_format(tmp_path, fmt):
    out = tmp_path / f"out.{fmt}"
    rejects = tmp_path / "rejects.jsonl"
    convert([str(SEEDS), str(CORPORA), str(EDGE)], str(out), rejects_path=str(rejects))
    text = out.read_text(encoding="utf-8")
    leaked = [s for s in SECRETS if s.lower() in text.lower()]
    assert leaked == []
    # The reject report names records and fields, never their content.
    report = rejects.read_text()
    assert [s for s in SECRETS if s in report] == []


def test_open_access_file_is_published(tmp_path):
    out = tmp_path / "out.nt"
    convert([str(EDGE)], str(out))
    assert "<https://repository.example.org/download/e1/f1/open%20paper.pdf>" in out.read_text()


def test_other_statuses_only_on_explicit_request(tmp_path):
    out = tmp_path / "out.nt"
    result = run_kg("convert", str(EDGE), "-o", str(out), "--status", "public", "--status", "private")
    assert "PRIVATE-SECRET-TITLE" in out.read_text()
    assert "DELETED-SECRET-TITLE" not in out.read_text()
    assert result.returncode == 1  # EDGE holds rejected records
    # Internal fields stay out even then.
    assert "SECRET-USER-ID-2" not in out.read_text()


def test_links_to_private_records_are_not_exported(tmp_path):
    out = tmp_path / "out.nt"
    convert([str(EDGE)], str(out))
    lines = [line for line in out.read_text().splitlines() if "/record/e7>" in line and "cites" in line]
    # "cites: e1" on e7 describes e1 relative to e7 (DOMAIN.md): e1 cites e7.
    assert lines == [
        "<https://repository.example.org/record/e1> <http://purl.org/ontology/bibo/cites> <https://repository.example.org/record/e7> ."
    ]
    assert json.dumps("e5") not in out.read_text()
