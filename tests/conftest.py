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


# --- a real Oxigraph server, started per use on 127.0.0.1 and a free port ----------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def oxigraph_binary() -> str | None:
    import shutil

    beside_python = Path(sys.executable).parent / "oxigraph"
    return str(beside_python) if beside_python.is_file() else shutil.which("oxigraph")


@pytest.fixture(scope="session")
def start_oxigraph(tmp_path_factory):
    """A factory: each call starts a fresh `oxigraph serve` and returns its base URL (http://127.0.0.1:PORT)."""
    import time
    import urllib.request

    binary = oxigraph_binary()
    if binary is None:
        pytest.skip("the oxigraph server binary is not installed (pip install oxigraph)")
    servers: list[subprocess.Popen] = []

    def start() -> str:
        port = _free_port()
        location = tmp_path_factory.mktemp("oxigraph")
        process = subprocess.Popen(
            [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        servers.append(process)
        url = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                with urllib.request.urlopen(f"{url}/query?query=ASK%7B%7D", timeout=1):
                    return url
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(f"oxigraph serve exited: {process.stderr.read().decode()}") from None
                time.sleep(0.05)
        raise RuntimeError("oxigraph serve did not answer within 10 s")

    yield start
    for process in servers:
        process.terminate()
        process.wait(timeout=10)


def post_nquads(url: str, nquads: bytes) -> None:
    """Append N-Quads to an Oxigraph server's store (Graph Store Protocol)."""
    import urllib.request

    request = urllib.request.Request(
        f"{url}/store", data=nquads, method="POST", headers={"Content-Type": "application/n-quads"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status in (200, 201, 204)


# --- the hand-built genealogy (tests/data/genealogy.json), on the embedded store and on a server ------

GENEALOGY = CORPORA / "genealogy.json"


def genealogy_store():
    """The genealogy records, mapped by the real pipeline, in an in-memory embedded store."""
    from kg.mapping import MappingContext
    from kg.pipeline import Mapped, process
    from kg.read import read_records
    from kg.store import EmbeddedStore

    store = EmbeddedStore(None)
    for outcome in process(read_records([str(GENEALOGY)]), MappingContext()):
        assert isinstance(outcome, Mapped), outcome
        store.replace_record(outcome.graph)
    return store


@pytest.fixture(scope="module")
def embedded():
    from kg.query import OxigraphBackend

    return OxigraphBackend(genealogy_store())


@pytest.fixture(scope="module")
def server_url(start_oxigraph):
    import pyoxigraph as ox

    url = start_oxigraph()
    post_nquads(url, genealogy_store().store.dump(format=ox.RdfFormat.N_QUADS))
    return url


@pytest.fixture(scope="module")
def server(server_url):
    from kg.query import EndpointBackend

    return EndpointBackend(f"{server_url}/query?union-default-graph")


# --- a private Virtuoso instance (where Virtuoso is installed) -----------------------------------------

_VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DirsAllowed = ., {dir}
CaseMode = 2
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
MaxClientConnections = 5
ServerThreads = 5
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
"""


@pytest.fixture(scope="session")
def start_virtuoso(tmp_path_factory):
    """A factory: each call starts a private Virtuoso loaded with N-Quads; returns its /sparql URL."""
    import shutil
    import time
    import urllib.request

    binary, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if binary is None or isql is None:
        pytest.skip("Virtuoso is not installed (Debian: virtuoso-opensource)")
    servers: list[subprocess.Popen] = []

    def start(nquads: bytes) -> str:
        directory = tmp_path_factory.mktemp("virtuoso")
        sql_port = http_port = _free_port()
        while http_port == sql_port:
            http_port = _free_port()
        ini = directory / "virtuoso.ini"
        ini.write_text(_VIRTUOSO_INI.format(dir=directory, sql_port=sql_port, http_port=http_port))
        (directory / "data.nq").write_bytes(nquads)
        process = subprocess.Popen(
            [binary, "+foreground", "+configfile", str(ini)],
            cwd=directory,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        servers.append(process)
        url = f"http://127.0.0.1:{http_port}/sparql"
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"{url}?query=ASK%7B%7D", timeout=1):
                    break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(f"virtuoso-t exited; see {directory}/virtuoso.log") from None
                time.sleep(0.1)
        else:
            raise RuntimeError("Virtuoso did not answer within 30 s")
        load = f"ld_dir('{directory}', 'data.nq', 'urn:kg:test:unused'); rdf_loader_run(); checkpoint;"
        completed = subprocess.run(
            [isql, f"127.0.0.1:{sql_port}", "dba", "dba", f"exec={load}"], capture_output=True, timeout=120
        )
        if completed.returncode != 0:
            raise RuntimeError(f"Virtuoso load failed: {completed.stdout.decode()} {completed.stderr.decode()}")
        return url

    yield start
    for process in servers:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def virtuoso(start_virtuoso):
    """The genealogy on a private Virtuoso (skipped where Virtuoso is not installed)."""
    import pyoxigraph as ox

    from kg.query import EndpointBackend

    return EndpointBackend(start_virtuoso(genealogy_store().store.dump(format=ox.RdfFormat.N_QUADS)))
