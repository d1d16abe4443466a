"""Remote stores: any SPARQL 1.1 endpoint, through SPARQL Update or the Graph Store Protocol.

* ``update`` (default): each request drops the graphs of a batch of records and
  inserts their triples and state entries (``kg.sync.update_request``), batched
  up to a size limit. A batch the endpoint refuses as too large (HTTP 413) is
  split in two and each half sent again, down to single graphs: never dropped.
* ``gsp``: one PUT per graph (``?graph=IRI``), then one SPARQL Update for the
  state entries of the batch.

Credentials come from ``KG_ENDPOINT_USER`` / ``KG_ENDPOINT_PASSWORD`` or from
``~/.netrc`` (``$NETRC``) for the endpoint's host, never from the command line, and
never appear in messages. Transient failures (connection refused or reset,
timeouts, HTTP 5xx, 429) are retried with exponential backoff; other 4xx fail at
once with the endpoint's own message.
"""

from __future__ import annotations

import ast
import base64
import http.client
import netrc
import os
import re
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO
from urllib.parse import quote, urlsplit

from SPARQLWrapper import DIGEST, JSON, POST, POSTDIRECTLY, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import (
    EndPointInternalError,
    EndPointNotFound,
    QueryBadFormed,
    SPARQLWrapperException,
    Unauthorized,
    URITooLong,
)

from kg import __version__
from kg.rdf import IRI
from kg.sync import (
    GraphUnit,
    Removal,
    StateEntry,
    read_state,
    replace_graph_request,
    state_prepare,
    state_request,
    update_operations,
    update_request,
)

USER_VARIABLE = "KG_ENDPOINT_USER"
PASSWORD_VARIABLE = "KG_ENDPOINT_PASSWORD"
AUTH_VARIABLE = "KG_ENDPOINT_AUTH"
PROTOCOLS = ("update", "gsp")
AUTH_SCHEMES = ("basic", "digest")
USER_AGENT = f"kg/{__version__}"


class _Wrapper(SPARQLWrapper):
    """SPARQLWrapper that is told the operation type instead of finding it with regexes.

    SPARQLWrapper strips comments and prefixes with regular expressions over the whole
    request to learn its type: seconds per request for megabyte-sized updates.
    """

    known_type: str | None = None

    def _parseQueryType(self, query: str) -> str | None:  # noqa: N802 - SPARQLWrapper's name
        return self.known_type or super()._parseQueryType(query)


class EndpointError(Exception):
    """A failure talking to an endpoint; the message is safe to show (no credentials)."""


class TooLarge(EndpointError):
    """The endpoint refused a request because of its size (HTTP 413)."""


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff: *initial* seconds, times *factor* per attempt, at most *maximum*."""

    attempts: int = 6
    initial: float = 0.5
    factor: float = 2.0
    maximum: float = 30.0

    def delays(self) -> list[float]:
        delays, delay = [], self.initial
        for _ in range(self.attempts - 1):
            delays.append(min(delay, self.maximum))
            delay *= self.factor
        return delays


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str = ""
    scheme: str = "basic"
    origin: str = "environment"

    def __repr__(self) -> str:  # never show the password, even in a debugger or a traceback
        return f"Credentials(user={self.user!r}, scheme={self.scheme!r}, origin={self.origin!r})"


def find_credentials(url: str, scheme: str | None = None) -> Credentials | None:
    """Credentials for *url*: the environment first, then .netrc; None when there are none."""
    scheme = (scheme or os.environ.get(AUTH_VARIABLE) or "basic").lower()
    if scheme not in AUTH_SCHEMES:
        raise EndpointError(f"{AUTH_VARIABLE}: unknown authentication scheme {scheme!r}; use basic or digest")
    user = os.environ.get(USER_VARIABLE)
    if user:
        return Credentials(user, os.environ.get(PASSWORD_VARIABLE, ""), scheme, "environment")
    host = urlsplit(url).hostname
    if not host:
        return None
    try:
        entry = netrc.netrc(os.environ.get("NETRC")).authenticators(host)
    except FileNotFoundError:
        return None
    except (netrc.NetrcParseError, OSError) as exc:
        raise EndpointError(f".netrc: cannot read it ({getattr(exc, 'msg', exc.__class__.__name__)})") from None
    if entry is None:
        return None
    login, _account, password = entry
    return Credentials(login or "", password or "", scheme, ".netrc")


def check_url(url: str, what: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise EndpointError(f"{what} must be an http(s) URL")
    if parts.username or parts.password:
        # Credentials on the command line end up in shell history and process lists.
        raise EndpointError(
            f"{what}: put credentials in {USER_VARIABLE}/{PASSWORD_VARIABLE} or ~/.netrc, not in the URL"
        )
    return url


def _derived(url: str, suffix: str) -> str | None:
    """Oxigraph's layout: /query, /update, /store side by side."""
    return url[: -len("/query")] + suffix if url.rstrip("/").endswith("/query") else None


@dataclass
class Failure:
    transient: bool
    status: int | None
    message: str


_REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 413: "Payload Too Large"}


def _body_text(body: bytes | str | None) -> str:
    if body is None:
        return ""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    if re.match(r"\s*<(!DOCTYPE|html|\?xml)", text, re.IGNORECASE):
        text = re.sub(r"<[^>]+>", " ", text)  # an HTML error page; plain-text messages keep their <IRIs>
    text = " ".join(text.split())
    return text[:600] + ("…" if len(text) > 600 else "")


def _wrapper_body(exc: SPARQLWrapperException) -> bytes | None:
    """SPARQLWrapper keeps the response only inside its message, as a bytes repr."""
    message = str(exc)
    if "Response:\n" not in message:
        return None
    try:
        value = ast.literal_eval(message.split("Response:\n", 1)[1].strip())
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, bytes) else None


_WRAPPER_STATUS = {
    QueryBadFormed: 400,
    Unauthorized: 401,
    EndPointNotFound: 404,
    URITooLong: 414,
    EndPointInternalError: 500,
}


def classify(exc: BaseException) -> Failure:
    """Is *exc* worth retrying, and what should the user read about it?"""
    status: int | None = None
    body: bytes | str | None = None
    if isinstance(exc, SPARQLWrapperException):
        status = next((code for cls, code in _WRAPPER_STATUS.items() if isinstance(exc, cls)), None)
        body = _wrapper_body(exc)
    elif isinstance(exc, urllib.error.HTTPError):
        status = exc.code
        try:
            body = exc.read()
        except (OSError, http.client.HTTPException):
            body = None
    if status is not None:
        text = _body_text(body)
        message = f"HTTP {status} {_REASONS.get(status, '')}".rstrip() + (f": {text}" if text else "")
        return Failure(status >= 500 or status in (408, 429), status, message)
    if isinstance(exc, urllib.error.URLError):
        reason = exc.reason
        if isinstance(reason, (ConnectionError, TimeoutError, socket.timeout)):
            return Failure(True, None, _describe_os_error(reason))
        if isinstance(reason, socket.gaierror):
            return Failure(False, None, f"cannot resolve the host ({reason.strerror})")
        return Failure(True, None, str(reason))
    if isinstance(exc, (ConnectionError, TimeoutError, socket.timeout, http.client.HTTPException)):
        return Failure(True, None, _describe_os_error(exc))
    if isinstance(exc, OSError):
        return Failure(True, None, _describe_os_error(exc))
    return Failure(False, None, f"{exc.__class__.__name__}: {exc}")


def _describe_os_error(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return "timed out"
    if isinstance(exc, http.client.RemoteDisconnected):
        return "the endpoint closed the connection without a response"
    if isinstance(exc, ConnectionError):
        return "connection lost"
    return getattr(exc, "strerror", None) or exc.__class__.__name__


class Endpoint:
    """A remote SPARQL store, usable as a ``kg.sync.Target``."""

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        graph_store_url: str | None = None,
        protocol: str = "update",
        credentials: Credentials | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = 120.0,
        log: TextIO | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if protocol not in PROTOCOLS:
            raise EndpointError(f"unknown protocol {protocol!r}; use update or gsp")
        self.query_url = check_url(query_url, "--endpoint")
        self.update_url = check_url(update_url or _derived(query_url, "/update") or query_url, "--update-endpoint")
        store = graph_store_url or _derived(query_url, "/store")
        if protocol == "gsp" and not store:
            raise EndpointError("--protocol gsp needs --graph-store URL (the Graph Store Protocol endpoint)")
        self.graph_store_url = check_url(store, "--graph-store") if store else None
        self.protocol = protocol
        self.credentials = credentials
        self.retry = retry or RetryPolicy()
        self.timeout = timeout
        self.log = log
        self.sleep = sleep
        self.requests = 0
        self.retries = 0
        self.server: str | None = None  # the Server header of the first answer

    @property
    def one_operation_per_request(self) -> bool:
        """Send a batch's operations one request each, in order?

        Virtuoso runs a multi-operation request neither atomically (see kg.sync.update_request)
        nor fast: a 600-record batch took 15-20 s as one request and under 1 s as five. Since the
        order of the operations alone is what keeps a stopped run convergent there, nothing is
        lost by splitting. Stores that run a request as one transaction (Oxigraph) get one request.
        """
        return bool(self.server) and "virtuoso" in self.server.lower()

    # --- the Target interface ------------------------------------------------------------------

    def read_state(self, state: IRI) -> dict[IRI, StateEntry]:
        return read_state(self, state)

    def apply(self, state: IRI, units: list[GraphUnit], removals: list[Removal]) -> None:
        if self.protocol == "gsp":
            self._apply_gsp(state, units, removals)
        else:
            self._apply_update(state, units, removals)

    def replace_meta_graph(self, name: IRI, lines: list[str]) -> None:
        if self.protocol == "gsp":
            self._put(name, lines)
        else:
            self.update(replace_graph_request(name, lines), f"replacing <{name}>")

    def select(self, sparql: str) -> list[dict[str, str]]:
        wrapper = self._wrapper()
        wrapper.setQuery(sparql)
        wrapper.setReturnFormat(JSON)
        wrapper.setMethod(POST)

        def ask() -> object:
            answer = wrapper.query()
            self.server = self.server or answer.info().get("server", "")
            return answer.convert()

        result = self._with_retries(f"{self.query_url}: querying", ask)
        if not isinstance(result, dict) or "results" not in result:
            raise EndpointError(f"{self.query_url}: the answer to a SELECT query is not SPARQL JSON results")
        return [{k: v["value"] for k, v in b.items()} for b in result["results"]["bindings"]]

    # --- SPARQL Update ---------------------------------------------------------------------------

    def update(self, request: str, what: str) -> None:
        wrapper = self._wrapper()
        wrapper.known_type = "INSERT"  # any update type: SPARQLWrapper only needs to know it is one
        wrapper.setQuery(request)
        wrapper.setMethod(POST)
        # The request as the body (application/sparql-update): URL-encoding megabytes in Python is slow.
        wrapper.setRequestMethod(POSTDIRECTLY)

        def send() -> None:
            wrapper.query().response.read()

        self._with_retries(f"{self.update_url}: {what}", send)

    def _apply_update(self, state: IRI, units: list[GraphUnit], removals: list[Removal]) -> None:
        try:
            what = f"sending {len(units)} graphs" + (f" and removing {len(removals)}" if removals else "")
            if self.one_operation_per_request:
                for operation in update_operations(state, units, removals):
                    self.update(operation, what)
            else:
                self.update(update_request(state, units, removals), what)
        except TooLarge:
            if len(units) + len(removals) <= 1:
                name = units[0].name if units else removals[0].name
                raise EndpointError(
                    f"{self.update_url}: the endpoint refuses the graph <{name}> as too large even on its own"
                ) from None
            # Split, never drop: each half goes in its own request (each graph still whole).
            items: list[GraphUnit | Removal] = [*units, *removals]
            half = len(items) // 2
            for part in (items[:half], items[half:]):
                self._apply_update(
                    state,
                    [i for i in part if isinstance(i, GraphUnit)],
                    [i for i in part if isinstance(i, Removal)],
                )

    # --- Graph Store Protocol --------------------------------------------------------------------

    def _graph_url(self, name: IRI) -> str:
        assert self.graph_store_url is not None
        url = self.graph_store_url
        if url.endswith("="):  # e.g. Virtuoso's …/sparql-graph-crud-auth?graph-uri=
            return url + quote(name, safe="")
        return url + ("&" if "?" in url else "?") + "graph=" + quote(name, safe="")

    def _put(self, name: IRI, lines: list[str]) -> None:
        body = ("\n".join(lines) + "\n").encode("utf-8")
        self._http("PUT", self._graph_url(name), body, f"putting <{name}>")

    def _delete(self, name: IRI) -> None:
        self._http("DELETE", self._graph_url(name), None, f"deleting <{name}>", missing_ok=True)

    def _apply_gsp(self, state: IRI, units: list[GraphUnit], removals: list[Removal]) -> None:
        # Order matters for crash safety (see kg.sync.state_prepare): the state marks the batch
        # as in flux first, then the graphs change, then the state records what is there.
        self.update(state_prepare(state, units, removals), "preparing the sync state")
        for unit in units:
            try:
                self._put(unit.name, unit.lines)
            except TooLarge:
                raise EndpointError(
                    f"{self.graph_store_url}: the endpoint refuses the graph <{unit.name}> as too large"
                ) from None
        for removal in removals:
            self._delete(removal.name)
        self.update(state_request(state, units, removals), "updating the sync state")

    def _http(self, method: str, url: str, body: bytes | None, what: str, missing_ok: bool = False) -> None:
        opener = self._opener()

        def send() -> None:
            request = urllib.request.Request(url, data=body, method=method)
            request.add_header("User-Agent", USER_AGENT)
            if body is not None:
                # N-Triples is Turtle, and every Graph Store implementation reads Turtle.
                request.add_header("Content-Type", "text/turtle; charset=utf-8")
            try:
                with opener.open(request, timeout=self.timeout) as response:
                    response.read()
            except urllib.error.HTTPError as exc:
                if missing_ok and exc.code == 404:
                    return
                raise

        self._with_retries(f"{url.split('?')[0]}: {what}", send)

    def _opener(self) -> urllib.request.OpenerDirector:
        handlers: list[urllib.request.BaseHandler] = []
        creds = self.credentials
        if creds and creds.scheme == "digest":
            manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            manager.add_password(None, self.graph_store_url or self.update_url, creds.user, creds.password)
            handlers.append(urllib.request.HTTPDigestAuthHandler(manager))
        opener = urllib.request.build_opener(*handlers)
        if creds and creds.scheme == "basic":
            token = base64.b64encode(f"{creds.user}:{creds.password}".encode()).decode("ascii")
            opener.addheaders = [("Authorization", f"Basic {token}")]
        return opener

    # --- plumbing --------------------------------------------------------------------------------

    def _wrapper(self) -> _Wrapper:
        wrapper = _Wrapper(self.query_url, updateEndpoint=self.update_url, agent=USER_AGENT)
        wrapper.setTimeout(max(1, int(self.timeout)))
        if self.credentials:
            if self.credentials.scheme == "digest":
                wrapper.setHTTPAuth(DIGEST)
            wrapper.setCredentials(self.credentials.user, self.credentials.password)
        return wrapper

    def _with_retries(self, what: str, call: Callable[[], object]):  # type: ignore[no-untyped-def]
        delays = self.retry.delays()
        attempt = 0
        while True:
            attempt += 1
            self.requests += 1
            try:
                return call()
            except Exception as exc:  # noqa: BLE001 - classified below, re-raised as EndpointError
                failure = classify(exc)
                message = self._scrub(failure.message)
                if failure.status == 413:
                    raise TooLarge(f"{what}: {message}") from None
                if failure.status == 401:
                    raise EndpointError(f"{what}: {message}. {self._auth_hint()}") from None
                if not failure.transient:
                    raise EndpointError(f"{what}: {message}") from None
                if attempt > len(delays):
                    tries = f" (gave up after {attempt} attempts)" if attempt > 1 else ""
                    raise EndpointError(f"{what}: {message}{tries}") from None
                delay = delays[attempt - 1]
                self.retries += 1
                if self.log is not None:
                    self.log.write(f"kg: {what}: {message}; retrying in {delay:g} s (attempt {attempt + 1})\n")
                    self.log.flush()
                self.sleep(delay)

    def _auth_hint(self) -> str:
        if self.credentials is None:
            return f"The endpoint wants credentials: set {USER_VARIABLE} and {PASSWORD_VARIABLE} or use ~/.netrc"
        c = self.credentials
        return f"The endpoint refused user {c.user!r} ({c.scheme} authentication, credentials from {c.origin})"

    def _scrub(self, message: str) -> str:
        creds = self.credentials
        if creds and creds.password:
            message = message.replace(creds.password, "***")
        return message
