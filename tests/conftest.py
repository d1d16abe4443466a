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
    return [SEEDS, *sorted(CORPORA.glob("librecat_*.json"))]
