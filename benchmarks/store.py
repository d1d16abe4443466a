"""Figures for kg load / push / sync: prints seconds and triples per second.

    python benchmarks/store.py [--records 5000]

Makes a corpus by copying the test records under new ids, then times, each in a fresh place:
load into the embedded store, a no-change sync, a sync with 1% of records edited, and push to
an Oxigraph server (update and gsp) started on 127.0.0.1 and a free port. Writes under
benchmarks/out/ (git-ignored).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
SOURCES = [ROOT / "tests/data/librecat_repo_devel_publications.json", ROOT / "examples/ista-dissertations.json"]


def corpus(count: int, edit_every: int | None = None) -> list[dict]:
    records = [r for source in SOURCES for r in json.loads(source.read_text())]
    out = []
    for i in range(count):
        record = copy.deepcopy(records[i % len(records)])
        record["_id"] = str(1_000_000 + i)
        record["title"] = f"{record.get('title', 'untitled')} #{i}"
        if edit_every and i % edit_every == 0:
            record["title"] += " (edited)"
        out.append(record)
    return out


def kg(*args: str) -> tuple[float, str]:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "kg", *args, "-q"],
        capture_output=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    seconds = time.monotonic() - started
    if result.returncode not in (0, 1):
        sys.exit(f"kg {args[0]} failed: {result.stderr.decode()[-500:]}")
    return seconds, result.stderr.decode()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def oxigraph_server(location: Path) -> tuple[subprocess.Popen, str]:
    binary = Path(sys.executable).parent / "oxigraph"
    port = free_port()
    process = subprocess.Popen(
        [
            str(binary if binary.exists() else "oxigraph"),
            "serve",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(500):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            time.sleep(0.02)
    return process, f"http://127.0.0.1:{port}/query"


def triples_in(stderr: str) -> int:
    for line in stderr.splitlines():
        if line.endswith("batches") and "triples sent" in line:
            return int(line.split()[0])
    return 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=5000)
    args = parser.parse_args()
    shutil.rmtree(OUT / "store-bench", ignore_errors=True)
    work = OUT / "store-bench"
    work.mkdir(parents=True)
    first = work / "v1.json"
    second = work / "v2.json"
    first.write_text(json.dumps(corpus(args.records)))
    second.write_text(json.dumps(corpus(args.records, edit_every=100)))

    def report(label: str, seconds: float, stderr: str) -> None:
        sent = triples_in(stderr)
        rate = f"{sent / seconds:,.0f} triples/s" if sent else ""
        plan = next((line for line in stderr.splitlines() if "graphs;" in line), "")
        print(f"{label:<38} {seconds:6.2f} s  {sent:>8,} triples sent  {rate:<20} {plan}")

    print(f"{args.records} records")
    seconds, err = kg("convert", str(first), "-o", str(work / "v1.nq"))
    print(f"{'convert to N-Quads (reference)':<38} {seconds:6.2f} s")
    store = work / "store"
    report("load (embedded store)", *kg("load", str(first), "--store", str(store)))
    report("sync, nothing changed", *kg("sync", str(first), "--store", str(store)))
    report("sync, 1% of records edited", *kg("sync", str(second), "--store", str(store)))
    for protocol in ("update", "gsp"):
        process, url = oxigraph_server(work / f"oxigraph-{protocol}")
        try:
            report(
                f"push to Oxigraph server ({protocol})",
                *kg("push", str(first), "--endpoint", url, "--protocol", protocol),
            )
            report(
                f"sync Oxigraph server, 1% edited ({protocol})",
                *kg("sync", str(second), "--endpoint", url, "--protocol", protocol),
            )
        finally:
            process.terminate()
            process.wait()


if __name__ == "__main__":
    main()
