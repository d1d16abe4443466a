"""kg push: real endpoints (Oxigraph server, Virtuoso 7) end up holding exactly the dump."""

from __future__ import annotations

import pytest
from conftest import PUBLICATIONS, SEEDS, OxigraphServer, endpoint_quads, file_quads, run_kg

from kg.push import Endpoint, EndpointError, RetryPolicy, classify, find_credentials

BASE = "https://repository.example.org"
RECORDS = f"{BASE}/record/"
FAST = ("--retry-wait", "0.01")


@pytest.fixture
def dump(tmp_path):
    out = tmp_path / "dump.nq"
    result = run_kg("convert", SEEDS, PUBLICATIONS, "-o", out, "-q")
    assert result.returncode == 0, result.stderr.decode()
    return file_quads(out)


def push(endpoint, *extra, inputs=(SEEDS, PUBLICATIONS), env=None):
    import os

    saved = {k: os.environ.get(k) for k in (env or {})}
    os.environ.update(env or {})
    try:
        return run_kg("push", *inputs, "--endpoint", endpoint, *FAST, *extra)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.mark.parametrize("protocol", ["update", "gsp"])
def test_push_gives_the_quads_of_the_dump(oxigraph_server, dump, protocol):
    result = push(oxigraph_server.query_url, "--protocol", protocol)
    assert result.returncode == 0, result.stderr.decode()
    assert endpoint_quads(oxigraph_server.query_url, RECORDS) == dump
    # Pushing again replaces, never duplicates.
    assert push(oxigraph_server.query_url, "--protocol", protocol).returncode == 0
    assert endpoint_quads(oxigraph_server.query_url, RECORDS) == dump


def test_small_batches_hold_whole_records(oxigraph_server, fault_proxy, dump):
    proxy = fault_proxy(oxigraph_server.url)
    result = push(proxy.url + "/query", "--batch-bytes", "20000")
    assert result.returncode == 0, result.stderr.decode()
    updates = [size for size in proxy.body_sizes if size > 0]
    assert len(updates) > 3  # several requests …
    assert endpoint_quads(oxigraph_server.query_url, RECORDS) == dump  # … and nothing lost


def test_an_oversized_batch_is_split_never_dropped(oxigraph_server, fault_proxy, dump):
    proxy = fault_proxy(oxigraph_server.url)
    proxy.max_body = 60_000  # the whole corpus is bigger; every single record is smaller
    result = push(proxy.url + "/query")
    assert result.returncode == 0, result.stderr.decode()
    assert 413 in proxy.statuses
    assert endpoint_quads(oxigraph_server.query_url, RECORDS) == dump


def test_a_single_graph_too_large_fails_loudly(oxigraph_server, fault_proxy):
    proxy = fault_proxy(oxigraph_server.url)
    proxy.max_body = 1000
    result = push(proxy.url + "/query")
    err = result.stderr.decode()
    assert result.returncode == 3
    assert "too large even on its own" in err and "Traceback" not in err


def test_a_500_is_retried(oxigraph_server, fault_proxy, dump):
    proxy = fault_proxy(oxigraph_server.url)
    proxy.fail_first = 1
    result = push(proxy.url + "/query")
    err = result.stderr.decode()
    assert result.returncode == 0, err
    assert proxy.statuses[0] == 500 and "retrying" in err
    assert endpoint_quads(oxigraph_server.query_url, RECORDS) == dump


def test_a_timeout_is_retried(oxigraph_server, fault_proxy, dump):
    proxy = fault_proxy(oxigraph_server.url)
    proxy.stall_first = 1
    result = push(proxy.url + "/query", "--timeout", "1")
    err = result.stderr.decode()
    assert result.returncode == 0, err
    assert "timed out; retrying" in err
    assert endpoint_quads(oxigraph_server.query_url, RECORDS) == dump


def test_a_4xx_fails_at_once_with_the_endpoints_message(oxigraph_server, fault_proxy):
    proxy = fault_proxy(oxigraph_server.url)
    result = push(proxy.url + "/query", "--update-endpoint", proxy.url + "/no-such-service")
    err = result.stderr.decode()
    assert result.returncode == 3
    assert "HTTP 404" in err and "retrying" not in err
    assert proxy.statuses.count(404) == 1


@pytest.mark.parametrize("protocol", ["update", "gsp"])
def test_the_endpoint_killed_mid_push_then_the_rerun_converges(tmp_path, fault_proxy, dump, protocol):
    server = OxigraphServer(tmp_path / "oxigraph").start()
    proxy = fault_proxy(server.url)
    killed = []

    def kill_before_the_third_write(number: int) -> None:
        writes = [b for b in proxy.bodies if b and not b.startswith(b"query=")]
        if len(writes) == 3 and not killed:  # two batches (or the state and a PUT) went through
            killed.append(number)
            server.kill()

    proxy.on_request = kill_before_the_third_write
    try:
        result = push(proxy.url + "/query", "--batch-bytes", "20000", "--retries", "2", "--protocol", protocol)
        err = result.stderr.decode()
        assert killed and result.returncode == 3, err
        assert "502" in err and "run the same command again" in err
        server.start()  # same folder, same port
        partial = endpoint_quads(server.query_url, RECORDS)
        assert partial and partial < dump  # some records arrived, some did not
        rerun = run_kg("sync", SEEDS, PUBLICATIONS, "--endpoint", proxy.url + "/query", "--protocol", protocol, *FAST)
        assert rerun.returncode == 0, rerun.stderr.decode()
        assert endpoint_quads(server.query_url, RECORDS) == dump
        # The state lists every record graph exactly once, with one hash each.
        rows = server.select(
            f"SELECT ?g (COUNT(?h) AS ?n) WHERE {{ GRAPH <{BASE}/kg/sync-state> "
            "{ ?e <https://w3id.org/librecat-kg/sync#graph> ?g ; <https://w3id.org/librecat-kg/sync#sha256> ?h } } "
            "GROUP BY ?g"
        )
        assert len(rows) == 19 and {r["n"]["value"] for r in rows} == {"1"}
    finally:
        server.stop()


def test_a_wrong_password_gives_a_clear_error_without_the_password(oxigraph_server, fault_proxy):
    proxy = fault_proxy(oxigraph_server.url)
    proxy.require_basic = ("kgwriter", "right-password")
    env = {"KG_ENDPOINT_USER": "kgwriter", "KG_ENDPOINT_PASSWORD": "wrong-password-7731"}
    result = push(proxy.url + "/query", env=env)
    err = result.stderr.decode()
    assert result.returncode == 3
    assert "HTTP 401" in err and "'kgwriter'" in err
    assert "wrong-password-7731" not in err + result.stdout.decode()
    assert "Traceback" not in err


def test_credentials_from_the_environment_and_from_netrc(oxigraph_server, fault_proxy, tmp_path, dump):
    proxy = fault_proxy(oxigraph_server.url)
    proxy.require_basic = ("kgwriter", "s3cret")
    env = {"KG_ENDPOINT_USER": "kgwriter", "KG_ENDPOINT_PASSWORD": "s3cret"}
    assert push(proxy.url + "/query", env=env).returncode == 0
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login kgwriter password s3cret\n")
    netrc.chmod(0o600)
    result = push(proxy.url + "/query", "--protocol", "gsp", env={"NETRC": str(netrc), "KG_ENDPOINT_USER": ""})
    assert result.returncode == 0, result.stderr.decode()
    assert endpoint_quads(oxigraph_server.query_url, RECORDS) == dump


def test_credentials_in_the_url_are_refused():
    result = run_kg("push", SEEDS, "--endpoint", "http://kgwriter:pw123@127.0.0.1:9/query")
    err = result.stderr.decode()
    assert result.returncode == 2
    assert "not in the URL" in err and "pw123" not in err


def test_retry_policy_and_failure_classes():
    import urllib.error

    assert RetryPolicy(attempts=4, initial=0.5, factor=2, maximum=1.5).delays() == [0.5, 1.0, 1.5]
    assert classify(urllib.error.URLError(ConnectionRefusedError())).transient
    assert classify(TimeoutError()).transient
    assert not classify(urllib.error.HTTPError("http://x", 403, "Forbidden", {}, None)).transient
    assert classify(urllib.error.HTTPError("http://x", 503, "Unavailable", {}, None)).transient


def test_a_dead_endpoint_is_retried_then_reported(tmp_path):
    from conftest import free_port

    waits: list[float] = []
    endpoint = Endpoint(
        f"http://127.0.0.1:{free_port()}/query", retry=RetryPolicy(attempts=3, initial=0.25), sleep=waits.append
    )
    with pytest.raises(EndpointError, match="connection refused .gave up after 3 attempts"):
        endpoint.select("ASK {}")
    assert waits == [0.25, 0.5]


def test_find_credentials_prefers_the_environment(monkeypatch, tmp_path):
    netrc = tmp_path / "netrc"
    netrc.write_text("machine example.org login fromnetrc password n\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.delenv("KG_ENDPOINT_USER", raising=False)
    assert find_credentials("https://example.org/sparql").user == "fromnetrc"
    assert find_credentials("https://other.example.org/sparql") is None
    monkeypatch.setenv("KG_ENDPOINT_USER", "fromenv")
    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", "p")
    creds = find_credentials("https://example.org/sparql", "digest")
    assert (creds.user, creds.scheme, creds.origin) == ("fromenv", "digest", "environment")
    assert "p'" not in repr(creds) and "password" not in repr(creds)


# --- Virtuoso 7: SPARQL Update through /sparql-auth with digest authentication ----------------------


def virtuoso_env(virtuoso_server, password=None):
    return {
        "KG_ENDPOINT_USER": virtuoso_server.user,
        "KG_ENDPOINT_PASSWORD": password or virtuoso_server.password,
        "KG_ENDPOINT_AUTH": "digest",
    }


@pytest.mark.parametrize("protocol", ["update", "gsp"])
def test_push_to_virtuoso(virtuoso_server, tmp_path, protocol):
    base = f"https://virtuoso-{protocol}.example.org"
    out = tmp_path / "dump.nq"
    assert run_kg("convert", SEEDS, PUBLICATIONS, "-o", out, "--base", base, "-q").returncode == 0
    args = [
        "--update-endpoint",
        virtuoso_server.update_url,
        "--graph-store",
        virtuoso_server.graph_store_url,
        "--base",
        base,
    ]
    result = push(virtuoso_server.query_url, "--protocol", protocol, *args, env=virtuoso_env(virtuoso_server))
    assert result.returncode == 0, result.stderr.decode()
    assert endpoint_quads(virtuoso_server.query_url, f"{base}/record/") == file_quads(out, as_in_oxigraph=False)
    assert (
        push(virtuoso_server.query_url, "--protocol", protocol, *args, env=virtuoso_env(virtuoso_server)).returncode
        == 0
    )
    assert endpoint_quads(virtuoso_server.query_url, f"{base}/record/") == file_quads(out, as_in_oxigraph=False)


def test_virtuoso_wrong_password(virtuoso_server):
    result = push(
        virtuoso_server.query_url,
        "--update-endpoint",
        virtuoso_server.update_url,
        "--base",
        "https://virtuoso-denied.example.org",
        env=virtuoso_env(virtuoso_server, password="not-the-password-0042"),
    )
    err = result.stderr.decode()
    assert result.returncode == 3
    assert "HTTP 401" in err and "not-the-password-0042" not in err and virtuoso_server.password not in err
