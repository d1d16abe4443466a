"""Ready SPARQL queries: the catalogue in queries/, safe parameter binding, execution, output.

A query file opens with a comment header::

    # title: Doctoral advisors
    # description: The person's doctoral advisors …
    #   (indented comment lines continue the previous entry)
    # param: person (person) the student: a local person id, an ORCID or an IRI
    # param: depth (integer, optional) …
    # engine: generations up advisors advisor

Parameters are SPARQL variables of the same name. Their values are turned into RDF terms
(IRIs validated strictly, literals escaped as in N-Triples) and bound by a ``VALUES`` block
placed at the start of the query's outermost group, which works the same way on every SPARQL
1.1 store (the embedded store, an Oxigraph server, Virtuoso). User text is never pasted into
the query: only those serialised terms are, and an IRI that would need escaping is refused.
(pyoxigraph's own ``substitutions`` are not used: they bind after evaluation, so a FILTER or
EXISTS does not see the value — measured with pyoxigraph 0.5.)

Queries with an ``engine: generations`` line are evaluated by `generations`: SPARQL 1.1 property
paths do not give path lengths, so the one-level query it names is run level by level.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TextIO

import pyoxigraph as ox

from kg.iris import segment
from kg.mapping import MappingOptions
from kg.mapping.person import normalise_orcid
from kg.rdf import IRI, XSD, Literal, Term, is_literal, is_valid_iri, nt_term
from kg.store import EmbeddedStore
from kg.terms import BlankNode

# queries/ at the top of the checkout; kg/queries links to it so that it is installed with the package.
QUERY_DIR = Path(__file__).resolve().parent / "queries"
PARAM_TYPES = ("person", "department", "record", "iri", "string", "integer")
OUTPUT_FORMATS = ("table", "csv", "tsv", "json")
XSD_INTEGER = XSD + "integer"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

_VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_HEADER_LINE = re.compile(r"^#\s?(title|description|param|engine):\s*(.*)$")
_PARAM_SPEC = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*\(\s*([a-z]+)\s*(,\s*optional\s*)?\)\s*(.*)$")


class QueryError(Exception):
    """A query that cannot be run as asked: unknown name, bad or missing parameter, store error."""


ResultTerm = IRI | Literal | BlankNode


# --- the catalogue ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    optional: bool
    description: str

    def usage(self) -> str:
        kind = f"{self.type}, optional" if self.optional else self.type
        return f"{self.name} ({kind})"


@dataclass(frozen=True)
class Engine:
    """`generations DIRECTION STEP_QUERY COLUMN`: walk STEP_QUERY's COLUMN level by level."""

    direction: str
    step: str
    column: str


@dataclass(frozen=True)
class NamedQuery:
    name: str
    path: Path
    title: str
    description: str
    params: tuple[Param, ...]
    sparql: str
    engine: Engine | None = None
    engine_notes: str = ""

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


def parse_query_file(path: Path) -> NamedQuery:
    """Read a .rq file and its comment header (a file without a header has no parameters)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise QueryError(f"{path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise QueryError(f"{path}: not UTF-8 text") from None
    entries: list[list[str]] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        match = _HEADER_LINE.match(stripped)
        if match:
            entries.append([match.group(1), match.group(2).strip()])
        elif entries and re.match(r"^#\s{2,}\S", stripped):
            entries[-1][1] += ("\n" if entries[-1][0] == "engine" else " ") + stripped[1:].strip()
    title, description, params, engine, notes = path.stem, "", [], None, ""
    for key, value in entries:
        if key == "title":
            title = value
        elif key == "description":
            description = value
        elif key == "param":
            match = _PARAM_SPEC.match(value)
            if not match or match.group(2) not in PARAM_TYPES:
                raise QueryError(
                    f"{path}: bad parameter line {value!r}; write 'param: NAME (TYPE[, optional]) description' "
                    f"with TYPE one of {', '.join(PARAM_TYPES)}"
                )
            params.append(Param(match.group(1), match.group(2), bool(match.group(3)), match.group(4).strip()))
        elif key == "engine":
            first, _, notes = value.partition("\n")
            words = first.split()
            if len(words) != 4 or words[0] != "generations" or words[1] not in ("up", "down"):
                raise QueryError(f"{path}: bad engine line {first!r}; write 'engine: generations up|down STEP COLUMN'")
            engine = Engine(words[1], words[2], words[3])
    return NamedQuery(path.stem, path, title, description, tuple(params), text, engine, notes.strip())


def catalogue(directory: Path = QUERY_DIR) -> dict[str, NamedQuery]:
    """Every named query, by name (the file name without .rq)."""
    if not directory.is_dir():
        return {}
    return {path.stem: parse_query_file(path) for path in sorted(directory.glob("*.rq"))}


def find_query(name_or_file: str, directory: Path = QUERY_DIR) -> NamedQuery:
    """A catalogue query by name, or any .rq file by path."""
    queries = catalogue(directory)
    if name_or_file in queries:
        return queries[name_or_file]
    path = Path(name_or_file)
    if name_or_file.endswith(".rq") or path.is_file():
        if not path.is_file():
            raise QueryError(f"{name_or_file}: no such query file")
        return parse_query_file(path)
    known = ", ".join(queries) or "(none)"
    raise QueryError(f"unknown query {name_or_file!r}; known queries: {known} (or give a FILE.rq)")


# --- backends ------------------------------------------------------------------------------------


@dataclass
class Result:
    variables: list[str]
    rows: list[dict[str, ResultTerm | None]]
    warnings: list[str] = field(default_factory=list)


class Backend(Protocol):
    def select(self, sparql: str) -> Result: ...


def _from_oxigraph(term: object) -> ResultTerm | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return IRI(term.value)
    if isinstance(term, ox.BlankNode):
        return BlankNode(term.value)
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if term.language or datatype in (XSD + "string", RDF_LANG_STRING):
            datatype = None
        return Literal(term.value, datatype, term.language)
    raise QueryError(f"unsupported term in a result: {term!r}")


class OxigraphBackend:
    """The embedded store (on disk) or an in-memory store, queried over the union of its graphs."""

    def __init__(self, store: EmbeddedStore | ox.Store) -> None:
        self.store = store.store if isinstance(store, EmbeddedStore) else store

    def select(self, sparql: str) -> Result:
        try:
            solutions = self.store.query(sparql, use_default_graph_as_union=True)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from None
        except OSError as exc:
            raise QueryError(f"store error: {exc}") from None
        if not isinstance(solutions, ox.QuerySolutions):
            raise QueryError("only SELECT queries can be run here")
        variables = [v.value for v in solutions.variables]
        rows = [{name: _from_oxigraph(solution[name]) for name in variables} for solution in solutions]
        return Result(variables, rows)


def _from_json(binding: dict) -> ResultTerm:
    kind, value = binding.get("type"), binding.get("value", "")
    if kind == "uri":
        return IRI(value)
    if kind == "bnode":
        return BlankNode(value)
    lang = binding.get("xml:lang")
    datatype = binding.get("datatype")
    # Virtuoso still says "typed-literal" (SPARQL 1.0 JSON results).
    if lang or datatype in (None, XSD + "string", RDF_LANG_STRING):
        return Literal(value, None, lang)
    return Literal(value, datatype, None)


class EndpointBackend:
    """A SPARQL 1.1 endpoint over HTTP (Oxigraph server: give …/query?union-default-graph)."""

    def __init__(self, url: str, timeout: int = 120) -> None:
        if not re.match(r"^https?://", url):
            raise QueryError(f"--endpoint must be an http(s) URL, got {url!r}")
        self.url = url
        self.timeout = timeout

    def select(self, sparql: str) -> Result:
        from SPARQLWrapper import JSON, POST, SPARQLWrapper
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        client = SPARQLWrapper(self.url)
        client.setMethod(POST)
        client.setReturnFormat(JSON)
        client.setTimeout(self.timeout)
        client.setQuery(sparql)
        try:
            data = client.queryAndConvert()
        except SPARQLWrapperException as exc:
            raise QueryError(f"{self.url}: {str(exc).splitlines()[0]}") from None
        except OSError as exc:
            raise QueryError(f"{self.url}: {getattr(exc, 'reason', None) or exc}") from None
        if not isinstance(data, dict) or "results" not in data:
            raise QueryError(f"{self.url}: the answer is not SPARQL JSON results (only SELECT queries can be run)")
        variables = list(data.get("head", {}).get("vars", []))
        rows = [
            {name: _from_json(b[name]) if name in b else None for name in variables}
            for b in data["results"].get("bindings", [])
        ]
        return Result(variables, rows)


def open_data(
    files: Sequence[str], options: MappingOptions | None = None, warnings: TextIO | None = None
) -> OxigraphBackend:
    """An in-memory store holding RDF files and/or LibreCat record exports (mapped on the fly)."""
    from kg.mapping import MappingContext
    from kg.pipeline import Mapped, Rejected, process
    from kg.read import RECORD_SUFFIXES, read_records

    store = EmbeddedStore(None)
    records = [f for f in files if f.endswith(RECORD_SUFFIXES) or Path(f).is_dir()]
    for path in files:
        if path in records:
            continue
        try:
            rdf_format = ox.RdfFormat.from_extension(Path(path).suffix.lstrip("."))
        except ValueError:
            rdf_format = None
        if rdf_format is None:
            raise QueryError(f"{path}: unknown data format (use .json/.jsonl records or an RDF file such as .nt, .ttl)")
        try:
            # Triples go into a graph named after the file: queries read the union of graphs.
            store.store.load(path=path, format=rdf_format, to_graph=ox.NamedNode(Path(path).resolve().as_uri()))
        except (OSError, SyntaxError, ValueError) as exc:
            raise QueryError(f"{path}: {exc}") from None
    if records:
        from kg.read import InputError

        try:
            for outcome in process(read_records(records), MappingContext(options)):
                if isinstance(outcome, Mapped):
                    store.replace_record(outcome.graph)
                elif isinstance(outcome, Rejected) and warnings is not None:
                    warnings.write(f"warning: {outcome.source} {outcome.position} rejected: {outcome.reason}\n")
        except InputError as exc:
            raise QueryError(str(exc)) from None
    return OxigraphBackend(store)


def open_store(path: str) -> OxigraphBackend:
    if not Path(path).is_dir():
        raise QueryError(f"no store at {path!r} (build one with kg load, or use --data / --endpoint)")
    try:
        return OxigraphBackend(ox.Store.read_only(path))
    except OSError as exc:
        raise QueryError(f"cannot open the store at {path!r}: {exc}") from None


# --- parameters: text → RDF terms → a VALUES block --------------------------------------------------


def serialize_term(term: Term) -> str:
    """A term in SPARQL syntax, refusing any IRI that would need escaping (no injection)."""
    if type(term) is IRI:
        if not is_valid_iri(term):
            raise QueryError(f"not a valid IRI: {str(term)!r}")
        return f"<{term}>"
    if not (is_literal(term) and len(term) == 3):  # a Literal, or a literal as the mapping makes it
        raise QueryError(f"cannot bind {term!r}")
    _, datatype, lang = term
    if lang and not re.fullmatch(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*", lang):
        raise QueryError(f"not a language tag: {lang!r}")
    if datatype and not is_valid_iri(datatype):
        raise QueryError(f"not a valid datatype IRI: {datatype!r}")
    # nt_term escapes \, ", newlines and every control character: the value stays one literal.
    return nt_term(term)


def _skip_string(text: str, start: int) -> int:
    """Index just after the string literal opening at *start*."""
    quote = text[start]
    if text.startswith(quote * 3, start):
        end = start + 3
        while end < len(text):
            if text[end] == "\\":
                end += 2
                continue
            if text.startswith(quote * 3, end):
                return end + 3
            end += 1
        return len(text)
    end = start + 1
    while end < len(text) and text[end] not in (quote, "\n"):
        end += 2 if text[end] == "\\" else 1
    return end + 1


_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")


def _outer_group_start(sparql: str) -> int:
    """Index just after the '{' that opens the query's WHERE clause, or -1."""
    position, after_where, first_brace = 0, False, -1
    while position < len(sparql):
        char = sparql[position]
        if char == "#":
            newline = sparql.find("\n", position)
            position = len(sparql) if newline < 0 else newline + 1
        elif char in "\"'":
            position = _skip_string(sparql, position)
        elif char == "<" and (iri := _IRIREF.match(sparql, position)):
            position = iri.end()
        elif char == "{":
            if after_where:
                return position + 1
            if first_brace < 0:
                first_brace = position + 1
            # A CONSTRUCT template comes before WHERE: keep looking for the keyword.
            depth = 1
            position += 1
            while position < len(sparql) and depth:
                inner = sparql[position]
                if inner in "\"'":
                    position = _skip_string(sparql, position)
                    continue
                if inner == "#":
                    newline = sparql.find("\n", position)
                    position = len(sparql) if newline < 0 else newline + 1
                    continue
                if inner == "<" and (iri := _IRIREF.match(sparql, position)):
                    position = iri.end()
                    continue
                depth += {"{": 1, "}": -1}.get(inner, 0)
                position += 1
        elif char in "?$:" and position + 1 < len(sparql):
            word = _WORD.match(sparql, position + 1)
            position = word.end() if word else position + 1
        elif word := _WORD.match(sparql, position):
            if word.group().upper() == "WHERE":
                after_where = True
            position = word.end()
        else:
            position += 1
    return first_brace


def bind_values(sparql: str, bindings: dict[str, Term]) -> str:
    """The query with a VALUES block binding *bindings* at the start of its WHERE group."""
    if not bindings:
        return sparql
    return bind_rows(sparql, list(bindings), [list(bindings.values())])


def bind_rows(sparql: str, names: Sequence[str], rows: Sequence[Sequence[Term]]) -> str:
    """The query with a VALUES block of several rows (one solution each) at the start of its WHERE group."""
    for name in names:
        if not _VARIABLE_NAME.match(name):
            raise QueryError(f"not a parameter name: {name!r}")
    start = _outer_group_start(sparql)
    if start < 0:
        raise QueryError("the query has no WHERE group to bind parameters in")
    header = " ".join(f"?{name}" for name in names)
    block = " ".join("(" + " ".join(serialize_term(term) for term in row) + ")" for row in rows)
    return f"{sparql[:start]} VALUES ({header}) {{ {block} }}{sparql[start:]}"


# People per query when a one-level query is run for a whole generation at once.
BATCH_SIZE = 200


def select_for_people(backend: Backend, query: NamedQuery | str, people: Sequence[IRI]) -> list[dict]:
    """Run a query that projects ?person for many people: one query per batch of people."""
    sparql, name = (query.sparql, query.name) if isinstance(query, NamedQuery) else (query, "query")
    rows: list[dict] = []
    for first in range(0, len(people), BATCH_SIZE):
        batch = people[first : first + BATCH_SIZE]
        result = backend.select(bind_rows(sparql, ["person"], [[person] for person in batch]))
        if "person" not in result.variables:
            raise QueryError(f"{name!r} must project ?person to be run for a generation at once")
        rows += result.rows
    return rows


_FIND_BY_SUFFIX = """
SELECT DISTINCT ?thing WHERE {
  ?thing a ?class .
  FILTER (isIRI(?thing) && STRENDS(STR(?thing), ?suffix))
}
ORDER BY ?thing
"""
_FIND_BY_ORCID = """
PREFIX frapo: <http://purl.org/cerif/frapo/>
SELECT DISTINCT ?thing WHERE { ?thing frapo:hasORCID ?orcid . FILTER (isIRI(?thing)) } ORDER BY ?thing
"""
_EXISTS = "SELECT ?thing WHERE { { ?thing ?p ?o } UNION { ?s ?p ?thing } } LIMIT 1"
_ABSOLUTE = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.\-]*://|urn:)")
_CLASSES = {
    "person": ("http://xmlns.com/foaf/0.1/Person", "/person/"),
    "department": ("http://www.w3.org/ns/org#OrganizationalUnit", "/department/"),
    "record": ("http://purl.org/ontology/bibo/Document", "/record/"),
}


def _lookup(backend: Backend, sparql: str, bindings: dict[str, Term]) -> list[IRI]:
    return [row["thing"] for row in backend.select(bind_values(sparql, bindings)).rows if type(row["thing"]) is IRI]


def resolve(param: Param, value: str, backend: Backend) -> Term:
    """Turn a parameter's text into the RDF term it names."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise QueryError(f"parameter {param.name}: the value is not valid UTF-8 text") from None
    value = value.strip()
    if param.type == "string":
        return Literal(value)
    if param.type == "integer":
        if not re.fullmatch(r"[+-]?\d+", value):
            raise QueryError(f"parameter {param.name}: {value!r} is not an integer")
        return Literal(str(int(value)), XSD_INTEGER)
    # An ORCID, bare or as https://orcid.org/…, names the person who carries it.
    if param.type == "person":
        orcid = normalise_orcid(value)
        if orcid is None and re.fullmatch(r"(?:https?://(?:www\.)?orcid\.org/)?\d{4}-\d{4}-\d{4}-\d{3}[\dXx]", value):
            raise QueryError(f"parameter {param.name}: {value!r} is not a valid ORCID (wrong check digit)")
        if orcid:
            found = _lookup(backend, _FIND_BY_ORCID, {"orcid": Literal(orcid)})
            if len(found) == 1:
                return found[0]
            if found:
                listed = ", ".join(found)
                raise QueryError(f"parameter {param.name}: ORCID {orcid} belongs to several people: {listed}")
            raise QueryError(f"parameter {param.name}: no person with ORCID {orcid} in the data")
    if _ABSOLUTE.match(value):
        if not is_valid_iri(value):
            raise QueryError(f"parameter {param.name}: {value!r} is not a valid IRI")
        iri = IRI(value)
        if param.type in _CLASSES and not _lookup(backend, _EXISTS, {"thing": iri}):
            raise QueryError(f"parameter {param.name}: {value} does not occur in the data")
        return iri
    if param.type == "iri":
        raise QueryError(f"parameter {param.name}: {value!r} is not an absolute IRI")
    if not value:
        raise QueryError(f"parameter {param.name}: empty value")
    cls, path = _CLASSES[param.type]
    found = _lookup(backend, _FIND_BY_SUFFIX, {"class": IRI(cls), "suffix": Literal(path + segment(value))})
    if len(found) == 1:
        return found[0]
    if found:
        raise QueryError(f"parameter {param.name}: {value!r} is ambiguous: {', '.join(found)}")
    raise QueryError(
        f"parameter {param.name}: no {param.type} with id {value!r} in the data (give an id, ORCID or IRI)"
    )


def resolve_params(query: NamedQuery, given: dict[str, str], backend: Backend) -> dict[str, Term]:
    """Check the given parameters against the header and resolve them to terms."""
    if query.params:
        unknown = sorted(set(given) - {p.name for p in query.params})
        if unknown:
            raise QueryError(
                f"query {query.name!r} has no parameter {', '.join(unknown)}; "
                f"its parameters: {', '.join(p.usage() for p in query.params)}"
            )
    missing = [p for p in query.params if not p.optional and p.name not in given]
    if missing:
        raise QueryError(
            f"query {query.name!r} needs {', '.join(p.usage() for p in missing)}; "
            f"give --param {missing[0].name}=VALUE (its parameters: {', '.join(p.usage() for p in query.params)})"
        )
    bindings: dict[str, Term] = {}
    for name, value in given.items():
        # A file without a header: absolute IRIs are bound as IRIs, anything else as a string.
        param = query.param(name) or Param(name, "iri" if _ABSOLUTE.match(value.strip()) else "string", True, "")
        if not query.params and not re.search(rf"[?$]{re.escape(name)}\b", query.sparql):
            raise QueryError(f"parameter {name}: the query has no variable ?{name}")
        bindings[name] = resolve(param, value, backend)
    return bindings


def parse_param_options(options: Iterable[str]) -> dict[str, str]:
    """--param key=value … → a dict (a key given twice is an error)."""
    params: dict[str, str] = {}
    for option in options:
        key, sep, value = option.partition("=")
        key = key.strip()
        if not sep or not _VARIABLE_NAME.match(key):
            raise QueryError(f"--param wants key=value, got {option!r}")
        if key in params:
            raise QueryError(f"--param {key} given twice")
        params[key] = value
    return params


# --- running ---------------------------------------------------------------------------------------


def run_query(query: NamedQuery, given: dict[str, str], backend: Backend, directory: Path = QUERY_DIR) -> Result:
    bindings = resolve_params(query, given, backend)
    if query.engine is None:
        return backend.select(bind_values(query.sparql, bindings))
    step = find_query(query.engine.step, directory)
    depth = int(bindings["depth"].value) if "depth" in bindings else None  # type: ignore[union-attr]
    if depth is not None and depth < 1:
        raise QueryError("parameter depth: must be 1 or more")
    walk = generations(backend, step, query.engine.column, bindings["person"], depth)  # type: ignore[arg-type]
    column = "ancestor" if query.engine.direction == "up" else "descendant"
    rows: list[dict[str, ResultTerm | None]] = [
        {"generation": Literal(str(level), XSD_INTEGER), column: person, "name": walk.names.get(person)}
        for person, level in sorted(
            walk.levels.items(), key=lambda item: (item[1], _sort_text(walk.names.get(item[0])), item[0])
        )
        if person != walk.start
    ]
    return Result(["generation", column, "name"], rows, walk.cycle_warnings())


def _sort_text(term: ResultTerm | None) -> str:
    return "" if term is None else term.value if isinstance(term, Literal) else str(term)


@dataclass
class Step:
    """One row of a one-level query: an edge from the walked person to a neighbour."""

    source: IRI
    target: IRI
    row: dict[str, ResultTerm | None]


@dataclass
class Walk:
    start: IRI
    levels: dict[IRI, int]
    names: dict[IRI, ResultTerm | None]
    steps: list[Step]
    cycles: list[list[IRI]]

    def cycle_warnings(self) -> list[str]:
        return cycle_warnings(self.cycles, self.names)


def cycle_warnings(cycles: Iterable[list[IRI]], names: dict) -> list[str]:  # type: ignore[type-arg]
    """One line per cycle, naming the people in it in order."""

    def label(person: IRI) -> str:
        name = names.get(person)
        text = name if isinstance(name, str) else _sort_text(name)
        return f"{text} <{person}>" if text else f"<{person}>"

    return [
        "cycle in the doctoral-advisor graph (bad data?): " + " → ".join(label(p) for p in [*cycle, cycle[0]])
        for cycle in cycles
    ]


def generations(backend: Backend, step: NamedQuery, column: str, start: IRI, depth: int | None = None) -> Walk:
    """Breadth-first walk from *start*: the one-level *step* query is run once per generation.

    Each person is expanded once, at the first generation that reaches them, so their level
    is the minimum over all paths, and a cycle in the data ends the walk instead of looping.
    """
    levels: dict[IRI, int] = {start: 0}
    names: dict[IRI, ResultTerm | None] = {}
    steps: list[Step] = []
    frontier, level = [start], 0
    while frontier and (depth is None or level < depth):
        following: list[IRI] = []
        for row in select_for_people(backend, step, frontier):
            if column not in row:
                raise QueryError(f"query {step.name!r} has no column {column!r} to walk")
            source, target = row["person"], row[column]
            if type(target) is not IRI or type(source) is not IRI:
                continue
            steps.append(Step(source, target, row))
            if row.get("name") is not None:
                names.setdefault(target, row["name"])
            if target not in levels:
                levels[target] = level + 1
                following.append(target)
        frontier, level = following, level + 1
    return Walk(start, levels, names, steps, find_cycles(steps))


def find_cycles(steps: Iterable[Step]) -> list[list[IRI]]:
    """Cycles among the walked edges: one per strongly connected component (Tarjan, iterative)."""
    graph: dict[IRI, list[IRI]] = {}
    for step in steps:
        graph.setdefault(step.source, [])
        if step.target not in graph[step.source]:
            graph[step.source].append(step.target)
        graph.setdefault(step.target, [])
    index: dict[IRI, int] = {}
    low: dict[IRI, int] = {}
    on_stack: set[IRI] = set()
    stack: list[IRI] = []
    components: list[list[IRI]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, child_index = work.pop()
            if child_index == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            children = graph[node]
            if child_index < len(children):
                work.append((node, child_index + 1))
                child = children[child_index]
                if child not in index:
                    work.append((child, 0))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph[node]:
                    components.append(_cycle_order(component, graph))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return components


def _cycle_order(component: list[IRI], graph: dict[IRI, list[IRI]]) -> list[IRI]:
    """The component's members in the order one cycle through them visits them (from the smallest IRI)."""
    members = set(component)
    start = min(component)
    cycle, current, seen = [start], start, {start}
    while True:
        following = sorted(n for n in graph[current] if n in members)
        nxt = next((n for n in following if n not in seen), None)
        if nxt is None:
            return cycle
        cycle.append(nxt)
        seen.add(nxt)
        current = nxt


# --- output ------------------------------------------------------------------------------------------


def plain_value(term: ResultTerm | None) -> str:
    if term is None:
        return ""
    if isinstance(term, Literal):
        return term.value
    if isinstance(term, BlankNode):
        return f"_:{term}"
    return str(term)


def _json_term(term: ResultTerm) -> dict[str, str]:
    if isinstance(term, Literal):
        out = {"type": "literal", "value": term.value}
        if term.lang:
            out["xml:lang"] = term.lang
        elif term.datatype:
            out["datatype"] = term.datatype
        return out
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": str(term)}
    return {"type": "uri", "value": str(term)}


def format_result(result: Result, fmt: str) -> str:
    """table (aligned text), csv, tsv (plain values) or json (SPARQL 1.1 JSON results)."""
    if fmt == "json":
        document = {
            "head": {"vars": result.variables},
            "results": {
                "bindings": [
                    {name: _json_term(term) for name, term in row.items() if term is not None} for row in result.rows
                ]
            },
        }
        return json.dumps(document, ensure_ascii=False, indent=1) + "\n"
    table = [[plain_value(row.get(name)) for name in result.variables] for row in result.rows]
    if fmt in ("csv", "tsv"):
        out = io.StringIO()
        if fmt == "csv":
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(result.variables)
            writer.writerows(table)
        else:
            escape = str.maketrans({"\t": "\\t", "\n": "\\n", "\r": "\\r", "\\": "\\\\"})
            for line in [result.variables, *table]:
                out.write("\t".join(cell.translate(escape) for cell in line) + "\n")
        return out.getvalue()
    if fmt != "table":
        raise QueryError(f"unknown output format {fmt!r}; choose one of {', '.join(OUTPUT_FORMATS)}")
    cells = [[" ".join(cell.split()) for cell in line] for line in table]
    widths = [len(name) for name in result.variables]
    for line in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, line, strict=True)]
    lines = ["  ".join(n.ljust(w) for n, w in zip(result.variables, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in cells]
    lines.append(f"({len(result.rows)} row{'s' if len(result.rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def describe_catalogue(queries: dict[str, NamedQuery]) -> Iterator[str]:
    """`kg queries`: each query with its description and parameters."""
    for query in queries.values():
        params = " ".join(f"--param {p.name}=…" if not p.optional else f"[--param {p.name}=…]" for p in query.params)
        yield f"{query.name}  {params}".rstrip()
        yield f"    {query.title}: {query.description}" if query.description else f"    {query.title}"
        for param in query.params:
            yield f"    {param.usage()}: {param.description}"
        if query.engine:
            yield f"    (kg runs the '{query.engine.step}' query once per generation to count generations)"
        yield ""


def warn(result: Result, stream: TextIO | None = None) -> None:
    for message in result.warnings:
        (stream or sys.stderr).write(f"warning: {message}\n")
