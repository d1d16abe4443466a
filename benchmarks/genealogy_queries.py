"""How long the ready queries take on a synthetic academic genealogy (prints figures; asserts nothing).

    python benchmarks/genealogy_queries.py [--generations 8] [--children 3]

Builds LibreCat dissertation records for a tree: one root, each person with CHILDREN doctoral
students per generation, every thesis co-supervised by a second, random member of the previous
generation. Maps them with the real pipeline into the in-memory embedded store (and, when the
`oxigraph` binary is installed, into an Oxigraph server on 127.0.0.1), then times queries.
"""

from __future__ import annotations

import argparse
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pyoxigraph as ox  # noqa: E402

from kg.genealogy import collect, collect_network, to_dot  # noqa: E402
from kg.mapping import MappingContext  # noqa: E402
from kg.pipeline import Mapped, process  # noqa: E402
from kg.query import EndpointBackend, OxigraphBackend, find_query, run_query  # noqa: E402
from kg.rdf import IRI  # noqa: E402
from kg.read import Item  # noqa: E402
from kg.store import EmbeddedStore  # noqa: E402


def person(pid: str) -> dict:
    return {"id": pid, "first_name": "P", "last_name": pid, "full_name": f"{pid}, P"}


def synthetic_records(generations: int, children: int, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    levels = [["g0-0"]]
    records = []
    for level in range(1, generations + 1):
        current = []
        for parent in levels[-1]:
            for index in range(children):
                pid = f"g{level}-{len(current)}"
                current.append(pid)
                supervisors = [person(parent)]
                other = rng.choice(levels[-1])
                if other != parent:
                    supervisors.append(person(other))
                records.append(
                    {
                        "_id": f"t-{pid}",
                        "type": "dissertation",
                        "status": "public",
                        "title": f"Thesis of {pid}",
                        "year": str(1900 + level * 5 + index),
                        "author": [person(pid)],
                        "supervisor": supervisors,
                    }
                )
        levels.append(current)
    return records


def timed(label: str, action, repeat: int = 1):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    for _ in range(repeat):
        result = action()
    seconds = (time.perf_counter() - started) / repeat
    size = f"{len(result.rows)} rows" if hasattr(result, "rows") else f"{result} characters"
    print(f"  {label:<44} {seconds * 1000:9.1f} ms  ({size})")
    return result


def run_all(backend, leaf: str) -> None:  # type: ignore[no-untyped-def]
    root = IRI("https://repository.example.org/person/g0-0")
    timed(
        "descendants of the root (all generations)",
        lambda: run_query(find_query("descendants"), {"person": "g0-0"}, backend),
    )
    timed(
        "descendants of the root, depth 2",
        lambda: run_query(find_query("descendants"), {"person": "g0-0", "depth": "2"}, backend),
        5,
    )
    timed("ancestors of a leaf", lambda: run_query(find_query("ancestors"), {"person": leaf}, backend), 5)
    timed(
        "advisors of a leaf (one query + id lookup)",
        lambda: run_query(find_query("advisors"), {"person": leaf}, backend),
        5,
    )
    timed("top-supervisors", lambda: run_query(find_query("top-supervisors"), {}, backend), 3)
    timed("supervision-network", lambda: run_query(find_query("supervision-network"), {}, backend), 3)
    timed("genealogy picture of the root (DOT text)", lambda: len(to_dot(collect(backend, root))))
    timed("whole network picture (DOT text)", lambda: len(to_dot(collect_network(backend))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generations", type=int, default=7)
    parser.add_argument("--children", type=int, default=3)
    args = parser.parse_args()
    records = synthetic_records(args.generations, args.children)
    started = time.perf_counter()
    store = EmbeddedStore(None)
    for outcome in process((Item("synthetic", str(i), r) for i, r in enumerate(records)), MappingContext()):
        assert isinstance(outcome, Mapped)
        store.replace_record(outcome.graph)
    print(
        f"{len(records)} theses, {len(store.store)} quads, mapped and stored in {time.perf_counter() - started:.1f} s"
    )
    leaf = f"g{args.generations}-0"
    print("embedded store (in memory):")
    run_all(OxigraphBackend(store), leaf)

    binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(binary).is_file():
        print("oxigraph server: not installed, skipped")
        return
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with tempfile.TemporaryDirectory() as location:
        server = subprocess.Popen(
            [binary, "serve", "--location", location, "--bind", f"127.0.0.1:{port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            for _ in range(200):
                try:
                    urllib.request.urlopen(f"{url}/query?query=ASK%7B%7D", timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.05)
            data = store.store.dump(format=ox.RdfFormat.N_QUADS)
            request = urllib.request.Request(
                f"{url}/store", data=data, method="POST", headers={"Content-Type": "application/n-quads"}
            )
            urllib.request.urlopen(request, timeout=300).close()
            print(f"oxigraph server (HTTP on 127.0.0.1:{port}):")
            run_all(EndpointBackend(f"{url}/query?union-default-graph"), leaf)
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
