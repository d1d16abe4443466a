"""Shared test fixtures: paths to the real corpora and a way to run the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CORPORA = ROOT / "tests" / "data"
SEEDS = EXAMPLES / "ista-dissertations.json"


def run_kg(*args: str, input: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run `python -m kg` from this checkout (not whatever kg is installed)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "kg", *map(str, args)],
        input=input,
        capture_output=True,
        env=env,
        cwd=cwd,
        timeout=300,
    )


@pytest.fixture
def kg_cli():
    return run_kg


def corpus_files() -> list[Path]:
    """Every test corpus: the seeds, the shared LibreCat records and our edge cases."""
    return [SEEDS, *sorted(CORPORA.glob("librecat_repo_*.json")), *sorted(CORPORA.glob("edge_*.json"))]


def write_json(path: Path, records: object) -> Path:
    import json

    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return path


def record(record_id: str = "1", **fields: object) -> dict:
    """A minimal public LibreCat record; keyword arguments add or override fields."""
    base = {"_id": record_id, "type": "journal_article", "status": "public", "title": f"Record {record_id}"}
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


def map_one(rec: dict, base: str = "https://repo.example.org"):
    """Map one record in process; returns its RecordGraph."""
    from kg.mapping import MappingContext, MappingOptions, map_record

    return map_record(rec, MappingContext(MappingOptions(base=base)))


def triples_nt(graph) -> set[str]:
    from kg.rdf import nt_term

    return {" ".join(nt_term(t) for t in triple) for triple in graph.triples()}
