"""Shared test fixtures: paths to the real corpora and a way to run the real CLI."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CORPORA = ROOT / "tests" / "data"
SEEDS = EXAMPLES / "ista-dissertations.json"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Refuse to test a compiled module older than its source: the tests would not see the edits."""
    for compiled in sorted((ROOT / "kg").rglob("*.so")):
        stem = compiled.name.split(".")[0]
        for source in (compiled.with_name(stem + ".py"), compiled.with_name(stem + ".c")):
            if source.exists() and source.stat().st_mtime > compiled.stat().st_mtime:
                pytest.exit(
                    f"{source.relative_to(ROOT)} changed after it was compiled: rebuild with `pip install -e .` "
                    "(or delete kg's *.so files to test plain Python)",
                    returncode=2,
                )


def checkout_environment() -> dict[str, str]:
    """The environment in which Python imports kg from this checkout (not whatever kg is installed)."""
    return dict(os.environ, PYTHONPATH=str(ROOT))


def run_kg(*args: str, input: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run `python -m kg` from this checkout (not whatever kg is installed)."""
    return subprocess.run(
        [sys.executable, "-m", "kg", *map(str, args)],
        input=input,
        capture_output=True,
        env=checkout_environment(),
        cwd=cwd,
        timeout=300,
    )


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


# --- real SPARQL servers on loopback --------------------------------------------------------------

PUBLICATIONS = CORPORA / "librecat_repo_devel_publications.json"
free_port = _free_port


def wait_for_port(port: int, process: subprocess.Popen | None = None, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with status {process.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {seconds} s")


@dataclass
class OxigraphServer:
    """`oxigraph serve` on 127.0.0.1, a free port and its own folder; stoppable and restartable."""

    location: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def query_url(self) -> str:
        return self.url + "/query"

    def start(self) -> OxigraphServer:
        binary = oxigraph_binary()
        assert binary, "the oxigraph server binary is missing"
        self.process = subprocess.Popen(
            [binary, "serve", "--location", str(self.location), "--bind", f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, self.process)
        return self

    def kill(self) -> None:
        """SIGKILL: the crash a push must survive."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def select(self, query: str) -> list[dict]:
        return sparql_select(self.query_url, query)


@pytest.fixture
def oxigraph_server(tmp_path):
    if not oxigraph_binary():
        pytest.skip("the oxigraph server (pip install oxigraph) is not installed")
    server = OxigraphServer(tmp_path / "oxigraph").start()
    yield server
    server.stop()


def sparql_select(url: str, query: str) -> list[dict]:
    """Plain SPARQL JSON results (bindings as dicts), straight over HTTP."""
    request = urllib.request.Request(
        url,
        data=urllib.parse.urlencode({"query": query}).encode(),
        headers={"Accept": "application/sparql-results+json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)["results"]["bindings"]


def binding_nt(value: dict) -> str:
    """One SPARQL JSON binding as an N-Triples term (Virtuoso's 'typed-literal' included)."""
    import pyoxigraph as ox

    if value["type"] == "uri":
        return str(ox.NamedNode(value["value"]))
    if value["type"] == "bnode":
        return "_:" + value["value"]
    if "xml:lang" in value:
        return str(ox.Literal(value["value"], language=value["xml:lang"]))
    if "datatype" in value:
        return str(ox.Literal(value["value"], datatype=ox.NamedNode(value["datatype"])))
    return str(ox.Literal(value["value"]))


def endpoint_quads(url: str, graph_prefix: str) -> set[str]:
    """Every quad of the graphs whose names start with *graph_prefix*, as N-Quads lines."""
    rows = sparql_select(
        url,
        f'SELECT ?s ?p ?o ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{graph_prefix}")) }}',
    )
    return {f"{binding_nt(r['s'])} {binding_nt(r['p'])} {binding_nt(r['o'])} {binding_nt(r['g'])} ." for r in rows}


def file_quads(path: Path, graph_prefix: str | None = None, as_in_oxigraph: bool = True) -> set[str]:
    """The quads of an N-Quads/TriG dump, as N-Quads lines.

    Oxigraph canonicalises some literals when it stores them: derived integer types such as
    xsd:nonNegativeInteger come back as xsd:integer. With *as_in_oxigraph* the dump goes
    through an in-memory pyoxigraph store first, to compare like with like; Virtuoso 7.2
    keeps the datatypes as written.
    """
    import pyoxigraph as ox

    fmt = ox.RdfFormat.TRIG if str(path).endswith(".trig") else ox.RdfFormat.N_QUADS
    with open(path, "rb") as stream:
        parsed = list(ox.parse(stream, format=fmt))
    store: object = parsed
    if as_in_oxigraph:
        store = ox.Store()
        store.extend(parsed)
    return {
        f"{q} ."
        for q in store
        if graph_prefix is None or str(getattr(q.graph_name, "value", "")).startswith(graph_prefix)
    }


def store_quads(path: Path, graph_prefix: str) -> set[str]:
    """The quads of an embedded store folder (opened read-only, beside no writer)."""
    import pyoxigraph as ox

    store = ox.Store.read_only(str(path))
    return {f"{q} ." for q in store if str(getattr(q.graph_name, "value", "")).startswith(graph_prefix)}


# --- Virtuoso 7 with a writer account, one instance per test session (load/push/sync tests) ------------------------


@dataclass
class VirtuosoServer:
    directory: Path
    http_port: int
    sql_port: int
    process: subprocess.Popen
    user: str = "kgwriter"
    password: str = ""

    @property
    def query_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def update_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql-auth"

    @property
    def graph_store_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql-graph-crud-auth"


def virtuoso_missing() -> str | None:
    missing = [tool for tool in ("virtuoso-t", "isql-vt") if not shutil.which(tool)]
    if missing:
        return (
            f"Virtuoso 7 is not installed ({', '.join(missing)} not found): "
            "apt-get install virtuoso-opensource (.ci/run does)"
        )
    return None


def _isql(server_port: int, user: str, password: str, statement: str) -> None:
    result = subprocess.run(
        ["isql-vt", f"127.0.0.1:{server_port}", user, password, f"exec={statement}"],
        capture_output=True,
        timeout=60,
    )
    if result.returncode != 0 or b"*** Error" in result.stdout + result.stderr:
        raise RuntimeError(f"isql-vt failed on {statement.split()[0]}: {(result.stdout + result.stderr)[-300:]!r}")


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory):
    """A private Virtuoso with a kgwriter user allowed SPARQL Update (digest auth on /sparql-auth)."""
    reason = virtuoso_missing()
    if reason:
        pytest.skip(reason)
    directory = tmp_path_factory.mktemp("virtuoso")
    http_port = sql_port = free_port()
    while http_port == sql_port:
        http_port = free_port()
    (directory / "virtuoso.ini").write_text(_VIRTUOSO_INI.format(dir=directory, sql_port=sql_port, http_port=http_port))
    process = subprocess.Popen(
        ["virtuoso-t", "+foreground", "+configfile", str(directory / "virtuoso.ini")],
        cwd=directory,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(sql_port, process, 60)
        wait_for_port(http_port, process, 60)
        dba_password = "kgdba" + secrets.token_hex(8)  # an SQL identifier: no leading digit
        _isql(sql_port, "dba", "dba", f"SET PASSWORD dba {dba_password};")
        server = VirtuosoServer(directory, http_port, sql_port, process, password="kg" + secrets.token_hex(8))
        _isql(
            sql_port,
            "dba",
            dba_password,
            f"DB.DBA.USER_CREATE('{server.user}','{server.password}'); GRANT SPARQL_UPDATE TO \"{server.user}\";",
        )
        yield server
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()


# --- a real HTTP proxy in front of a real server, to inject the faults endpoints show -------------


class FaultProxy:
    """An HTTP server on loopback that forwards to *backend* and can misbehave on purpose.

    ``fail_first`` requests get a 500; ``require_basic`` = (user, password) answers 401 to
    anything else; ``max_body`` answers 413 to bigger request bodies; ``on_request(n)`` runs
    before the n-th request is forwarded (e.g. to kill the backend). A backend that does not
    answer gives 502, as a real reverse proxy does.
    """

    def __init__(self, backend: str) -> None:
        import http.server
        import threading

        self.backend = backend.rstrip("/")
        self.port = free_port()
        self.fail_first = 0
        self.stall_first = 0  # requests answered only after `stall_seconds` (a timeout for the client)
        self.stall_seconds = 1.5
        self.require_basic: tuple[str, str] | None = None
        self.max_body: int | None = None
        self.on_request = None
        self.statuses: list[int] = []
        self.body_sizes: list[int] = []
        self.bodies: list[bytes] = []
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep pytest output clean
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                if proxy.stall_first > 0:
                    proxy.stall_first -= 1
                    proxy.statuses.append(0)
                    time.sleep(proxy.stall_seconds)
                    return  # the client gave up long ago; close without an answer
                status, headers, payload = proxy._answer(self.command, self.path, dict(self.headers), body)
                proxy.statuses.append(status)
                try:
                    self.send_response(status)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _answer(self, method: str, path: str, headers: dict, body: bytes | None) -> tuple[int, dict, bytes]:
        import base64
        import urllib.error

        number = len(self.statuses) + 1
        self.body_sizes.append(len(body or b""))
        self.bodies.append(body or b"")
        if self.require_basic is not None:
            token = base64.b64encode(":".join(self.require_basic).encode()).decode()
            if headers.get("Authorization") != f"Basic {token}":
                return 401, {"WWW-Authenticate": 'Basic realm="kg-test"'}, b"Authentication required"
        if self.max_body is not None and len(body or b"") > self.max_body:
            return 413, {"Content-Type": "text/plain"}, b"request entity too large"
        if self.fail_first > 0:
            self.fail_first -= 1
            return 500, {"Content-Type": "text/plain"}, b"temporary failure injected by the test proxy"
        if self.on_request is not None:
            self.on_request(number)
        forwarded = urllib.request.Request(self.backend + path, data=body, method=method)
        for key in ("Content-Type", "Accept"):
            if key in headers:
                forwarded.add_header(key, headers[key])
        try:
            with urllib.request.urlopen(forwarded, timeout=60) as response:
                return response.status, {"Content-Type": response.headers.get("Content-Type", "")}, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, {"Content-Type": exc.headers.get("Content-Type", "")}, exc.read()
        except OSError:
            return 502, {"Content-Type": "text/plain"}, b"bad gateway: the backend does not answer"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fault_proxy():
    proxies: list[FaultProxy] = []

    def make(backend: str) -> FaultProxy:
        proxies.append(FaultProxy(backend))
        return proxies[-1]

    yield make
    for proxy in proxies:
        proxy.close()


def native_text_module():
    """kg._text, or None in a pure-Python build (where a compiled build is expected, it must be there)."""
    import kg

    if os.environ.get("KG_EXPECT_COMPILED") or kg.compiled_modules():
        from kg import _text

        return _text
    return None
