"""SHACL validation of kg's output with pyshacl.

Two modes share one set of shapes (``kg/shapes/*.ttl``, loaded and harvested once per
process by ``Shapes``):

* **in the stream** (``kg convert --validate --validator pyshacl``; the default engine there
  is kg.fastcheck, which reports the same results): each record's own graph — the record and
  the people, projects, grants, venues … it describes — is validated as it streams by,
  either alone (``Shapes.check_record``, the ``kg.pipeline.Check`` contract) or a batch of
  records per pyshacl run (``validate_in_batches``, its default: pyshacl's fixed cost per
  run dominates small graphs; see README "Validation"). This covers every shape except
  SPARQL-based ones: a record's graph cannot show a cycle of doctoral advisors (the
  converter never makes a person their own advisor), so they are left out here.
* **whole graph** (``kg validate``): the union of all input is validated at once, so the
  advisor-cycle constraint and warnings that need several records (a person with two
  spellings of their name, two ORCIDs) are decided too.

Results are attributed to records: the named graph a focus node lives in (quads, or the
record graphs of a batch), the record IRI the focus node is or starts with
(``{base}/record/{id}#…``), or the records that link to it.
"""

from __future__ import annotations

import gzip
import io
import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib
from pyshacl import Validator
from pyshacl.errors import ConstraintLoadError, ReportableRuntimeError, ShapeLoadError
from pyshacl.graph_abstraction import DataGraph
from pyshacl.shapes_graph import ShapesGraph
from rdflib.namespace import RDF, SH

from kg.mapping.model import Problem, RecordGraph
from kg.pipeline import with_cycle_collector
from kg.rdf import IRI, Term
from kg.vocab import PREFIXES

# pyshacl logs what it then raises; kg reports the raised error once, in its own words.
_QUIET = logging.getLogger("kg.check.pyshacl")
_QUIET.addHandler(logging.NullHandler())
_QUIET.propagate = False
SHAPES_DIR = Path(__file__).resolve().parent / "shapes"
BIBO_DOCUMENT = rdflib.URIRef("http://purl.org/ontology/bibo/Document")
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RECORD_IRI = re.compile(r"^(?P<record>[a-z][a-z0-9+.-]*://.+?/record/[^/#?]+)(?:[#?].*)?$", re.I)
_SEVERITY_NAMES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}

# RDF formats kg validate reads, by file suffix (after an optional .gz).
RDF_SUFFIXES: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
}


class UnusableInput(Exception):
    """A shapes or data file that cannot be read; the message names file and line."""


# --------------------------------------------------------------------------- terms


def to_rdflib(term: Term) -> rdflib.term.Node:
    """A kg term as an rdflib term."""
    if type(term) is IRI:
        return rdflib.URIRef(term)
    value, datatype, lang = term  # type: ignore[misc]
    if lang:
        return rdflib.Literal(value, lang=lang)
    if datatype and datatype != XSD_STRING:
        return rdflib.Literal(value, datatype=rdflib.URIRef(datatype))
    return rdflib.Literal(value)


def ox_to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> rdflib.term.Node:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return rdflib.Literal(term.value)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(datatype))
    raise UnusableInput(f"unsupported RDF term {term!r} (RDF-star is not supported)")


def record_graph_to_rdflib(graph: RecordGraph) -> rdflib.Graph:
    data = rdflib.Graph(bind_namespaces="none")
    add = data.add
    for subject, predicate, obj in graph.triples():
        add((rdflib.URIRef(subject), rdflib.URIRef(predicate), to_rdflib(obj)))
    return data


# --------------------------------------------------------------------------- reading RDF


def _read_bytes(path: Path) -> bytes:
    raw = path.read_bytes()
    return gzip.decompress(raw) if path.suffix == ".gz" else raw


def rdf_format_for(path: str | Path) -> ox.RdfFormat | None:
    """The RDF format of a file by its suffix (``.ttl``, ``.nq.gz`` …), None if not RDF."""
    suffixes = [s.lower() for s in Path(path).suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    return RDF_SUFFIXES.get(suffixes[-1]) if suffixes else None


def parse_rdf(path: str | Path, fmt: ox.RdfFormat | None = None) -> Iterator[tuple]:
    """Quads (s, p, o, graph name or None) of one RDF file as rdflib terms.

    pyoxigraph parses: it is strict, fast and says where a syntax error is.
    """
    path = Path(path)
    fmt = fmt or rdf_format_for(path)
    if fmt is None:
        raise UnusableInput(f"{path}: not an RDF file name (use .ttl, .nt, .nq, .trig, .jsonld or .rdf)")
    try:
        data = _read_bytes(path)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise UnusableInput(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        for quad in ox.parse(io.BytesIO(data), fmt, base_iri=path.resolve().as_uri(), rename_blank_nodes=True):
            graph_name = quad.graph_name
            name = None if isinstance(graph_name, ox.DefaultGraph) else ox_to_rdflib(graph_name)
            yield ox_to_rdflib(quad.subject), ox_to_rdflib(quad.predicate), ox_to_rdflib(quad.object), name
    except SyntaxError as exc:
        raise UnusableInput(f"{path}:{_syntax_location(exc)} {_syntax_message(exc)}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise UnusableInput(f"{path}: {exc}") from None


def _syntax_location(exc: SyntaxError) -> str:
    if exc.lineno:
        return f"{exc.lineno}:{exc.offset or 0}:" if exc.offset else f"{exc.lineno}:"
    return ""


def _syntax_message(exc: SyntaxError) -> str:
    message = exc.msg or str(exc)
    return re.sub(r"^Parser error (?:at|between) [^:]*: ", "", message).strip()


# --------------------------------------------------------------------------- shapes


@dataclass(frozen=True)
class ShapeInfo:
    iri: str
    name: str
    message: str
    severity: str


def load_shapes_graph(directory: str | Path | None = None) -> rdflib.Graph:
    """Every ``*.ttl`` file of the shapes folder, as one rdflib graph."""
    directory = Path(directory) if directory is not None else SHAPES_DIR
    if not directory.is_dir():
        raise UnusableInput(f"{directory}: shapes folder not found")
    files = sorted(directory.glob("*.ttl"))
    if not files:
        raise UnusableInput(f"{directory}: no shapes (*.ttl) in this folder")
    graph = rdflib.Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    graph.bind("kgsh", "https://w3id.org/librecat-kg/shapes#")
    for path in files:
        for subject, predicate, obj, _ in parse_rdf(path, ox.RdfFormat.TURTLE):
            graph.add((subject, predicate, obj))
    return graph


class Shapes:
    """The SHACL shapes, parsed and harvested once, applied to any number of graphs."""

    def __init__(self, directory: str | Path | None = None) -> None:
        self.directory = Path(directory) if directory is not None else SHAPES_DIR
        self.graph = load_shapes_graph(self.directory)
        self.info = _shape_info(self.graph)
        self._whole = self._harvest(self.graph)
        # Per record: the same shapes without SPARQL-based constraints (see module doc).
        self._per_record = self._harvest(_without_sparql_targets(self.graph))

    def _harvest(self, graph: rdflib.Graph) -> ShapesGraph:
        shapes_graph = ShapesGraph(graph, logger=_QUIET)
        try:
            shapes_graph.shapes  # noqa: B018 - harvesting parses every shape once, here
        except (ShapeLoadError, ConstraintLoadError, ReportableRuntimeError) as exc:
            message = str(getattr(exc, "message", None) or exc).splitlines()[0]
            raise UnusableInput(f"{self.directory}: unusable shapes: {message}") from None
        return shapes_graph

    def _run(self, data: rdflib.Graph, shapes_graph: ShapesGraph) -> rdflib.Graph:
        validator = Validator(
            DataGraph.from_rdflib(data),
            shacl_graph=shapes_graph.graph,
            options={
                "inference": "none",
                "inplace": True,
                "advanced": False,
                "logger": _QUIET,
                # sh:conforms in the report then agrees with the exit status: warnings do not fail.
                "allow_warnings": True,
                "allow_infos": True,
            },
        )
        validator.shacl_graph = shapes_graph  # reuse the harvested shapes instead of re-reading them
        try:
            _conforms, report, _text = validator.run()
        except (ShapeLoadError, ConstraintLoadError, ReportableRuntimeError, re.error) as exc:
            # pyshacl builds a shape's constraints when it first has a focus node.
            message = str(getattr(exc, "message", None) or exc).splitlines()[0]
            raise UnusableInput(f"{self.directory}: unusable shapes: {message}") from None
        return report

    def validate(self, data: rdflib.Graph, whole: bool = True) -> tuple[list[Finding], rdflib.Graph]:
        """Validate *data*; the findings and pyshacl's standard validation report graph."""
        report = self._run(data, self._whole if whole else self._per_record)
        return self.findings(report), report

    def findings(self, report: rdflib.Graph) -> list[Finding]:
        results = []
        for result in report.objects(None, SH.result):
            shape = report.value(result, SH.sourceShape)
            info = self.info.get(str(shape)) if isinstance(shape, rdflib.URIRef) else None
            path = report.value(result, SH.resultPath)
            value = report.value(result, SH.value)
            focus = report.value(result, SH.focusNode)
            if value == focus:  # node-level constraints (sh:or, sh:not) report the focus node as the value
                value = None
            message = report.value(result, SH.resultMessage)
            severity = report.value(result, SH.resultSeverity)
            results.append(
                Finding(
                    severity=_SEVERITY_NAMES.get(severity, str(severity)),
                    focus=str(focus),
                    path=_short(path) if isinstance(path, rdflib.URIRef) else None,
                    value=_show_value(value) if value is not None else None,
                    message=str(message) if message else (info.message if info else "constraint not met"),
                    shape=str(shape) if shape is not None else "",
                    shape_name=info.name if info else _short(shape) if isinstance(shape, rdflib.URIRef) else "",
                )
            )
        results.sort(key=lambda f: (f.focus, f.severity != "Violation", f.shape, f.value or ""))
        return results

    def check_record(self, graph: RecordGraph) -> tuple[list[Problem], list[Problem]]:
        """Per-record validation for ``kg.pipeline.process``: (violations, warnings)."""
        with with_cycle_collector():  # rdflib graphs and pyshacl's validators make cycles
            findings, _ = self.validate(record_graph_to_rdflib(graph), whole=False)
        return problems_of(graph, findings)

    def batch_stage(self, batch_size: int = 2000):  # type: ignore[no-untyped-def]
        """A ``kg.pipeline`` stage validating records in batches (see ``validate_in_batches``)."""
        return lambda outcomes: validate_in_batches(outcomes, self, batch_size)


def problems_of(graph: RecordGraph, findings: Iterable[Finding]) -> tuple[list[Problem], list[Problem]]:
    """SHACL findings about one record's graph as (violations, warnings) Problems."""
    violations, warnings = [], []
    for finding in findings:
        where = finding.path or finding.shape_name
        if finding.focus != graph.iri:
            where = f"{where} of <{finding.focus}>"
        reason = finding.message + (f" (value: {finding.value})" if finding.value else "")
        problem = Problem(graph.record_id, where, reason)
        (violations if finding.severity == "Violation" else warnings).append(problem)
    return violations, warnings


def validate_in_batches(outcomes: Iterable, shapes: Shapes, batch_size: int = 2000) -> Iterator:
    """Validate the stream's record graphs *batch_size* records at a time; order is kept.

    One pyshacl run over the union of a batch's record graphs gives the same results as
    one run per record (every shape looks only at a node and its own triples, and every
    record graph carries the full description of the shared nodes it mentions), but pays
    pyshacl's fixed cost per run once per batch: see README "Validation" for figures.
    A result on a shared node (a person in three records) goes to every record of the
    batch whose graph describes it. Two warnings can appear only across records of a
    batch: a person or grant spelt two ways (a second foaf:name or ORCID).
    """
    from kg.pipeline import Mapped, Rejected

    buffer: list = []
    mapped = 0
    for outcome in outcomes:
        buffer.append(outcome)
        if isinstance(outcome, Mapped):
            mapped += 1
            if mapped >= batch_size:
                yield from _flush(buffer, shapes, Mapped, Rejected)
                buffer, mapped = [], 0
    yield from _flush(buffer, shapes, Mapped, Rejected)


def _flush(buffer: list, shapes: Shapes, mapped_type: type, rejected_type: type) -> Iterator:
    graphs = [outcome.graph for outcome in buffer if isinstance(outcome, mapped_type)]
    by_record: dict[str, list[Finding]] = defaultdict(list)
    if graphs:
        with with_cycle_collector():  # rdflib graphs and pyshacl's validators make cycles
            dataset = Dataset()
            for graph in graphs:
                dataset.add_record(graph)
            findings, _ = shapes.validate(dataset.graph, whole=False)
            for finding in findings:
                for record in dataset.records_of(finding.focus):
                    by_record[record].append(finding)
    for outcome in buffer:
        if not isinstance(outcome, mapped_type):
            yield outcome
            continue
        graph = outcome.graph
        violations, warnings = problems_of(graph, by_record.get(str(graph.iri), []))
        graph.warnings.extend(warnings)
        if violations:
            reason = "; ".join(f"{v.field}: {v.reason}" if v.field else v.reason for v in violations)
            yield rejected_type(outcome.source, outcome.position, graph.record_id, "shacl", reason)
        else:
            yield outcome


def _shape_info(graph: rdflib.Graph) -> dict[str, ShapeInfo]:
    info = {}
    for kind in (SH.NodeShape, SH.PropertyShape):
        for shape in graph.subjects(RDF.type, kind):
            if not isinstance(shape, rdflib.URIRef):
                continue
            severity = graph.value(shape, SH.severity, default=SH.Violation)
            info[str(shape)] = ShapeInfo(
                iri=str(shape),
                name=str(graph.value(shape, SH.name) or _short(shape)),
                message=str(graph.value(shape, SH.message) or ""),
                severity=_SEVERITY_NAMES.get(severity, str(severity)),
            )
    return info


_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def _without_sparql_targets(graph: rdflib.Graph) -> rdflib.Graph:
    """A copy of the shapes where SPARQL-constrained shapes target nothing."""
    copy = rdflib.Graph()
    for triple in graph:
        copy.add(triple)
    for shape in set(graph.subjects(SH.sparql, None)):
        for target in _TARGETS:
            copy.remove((shape, target, None))
    return copy


_NAMESPACES = sorted(
    [(ns, prefix) for prefix, ns in PREFIXES.items()] + [("https://w3id.org/librecat-kg/shapes#", "kgsh")],
    key=lambda pair: -len(pair[0]),
)


def _short(node: object) -> str:
    text = str(node)
    for namespace, prefix in _NAMESPACES:
        if text.startswith(namespace) and re.fullmatch(r"[A-Za-z_][\w.-]*", text[len(namespace) :]):
            return f"{prefix}:{text[len(namespace) :]}"
    return text


def _show_value(value: rdflib.term.Node) -> str:
    if isinstance(value, rdflib.Literal):
        return value.n3()
    if isinstance(value, rdflib.URIRef):
        return f"<{value}>"
    return str(value)


# --------------------------------------------------------------------------- whole-graph validation


@dataclass
class Finding:
    severity: str
    focus: str
    path: str | None
    value: str | None
    message: str
    shape: str
    shape_name: str
    records: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "records": self.records,
            "severity": self.severity,
            "focus": self.focus,
            "path": self.path,
            "value": self.value,
            "shape": self.shape,
            "shape_name": self.shape_name,
            "message": self.message,
        }


@dataclass
class Dataset:
    """Everything kg validate reads: one union graph plus where each node came from."""

    graph: rdflib.Graph = field(default_factory=lambda: rdflib.Graph(bind_namespaces="none"))
    # subject → the named graphs (records) whose triples describe it (quad input only)
    graphs_of: dict[rdflib.term.Node, set[str]] = field(default_factory=lambda: defaultdict(set))

    def add_quads(self, quads: Iterable[tuple]) -> None:
        add = self.graph.add
        graphs_of = self.graphs_of
        for subject, predicate, obj, name in quads:
            add((subject, predicate, obj))
            if name is not None:
                graphs_of[subject].add(str(name))

    def add_record(self, graph: RecordGraph) -> None:
        name = str(graph.iri)
        add = self.graph.add
        for subject, predicate, obj in graph.triples():
            node = rdflib.URIRef(subject)
            add((node, rdflib.URIRef(predicate), to_rdflib(obj)))
            self.graphs_of[node].add(name)

    def records_of(self, focus: str) -> list[str]:
        """The records a focus node belongs to (see the module doc)."""
        is_iri = re.match(r"^[a-z][a-z0-9+.-]*:", focus, re.I)
        node: rdflib.term.Node = rdflib.URIRef(focus) if is_iri else rdflib.BNode(focus)
        if node in self.graphs_of:
            names = self.graphs_of[node]
            own = [name for name in names if name == focus or focus.startswith(name + "#")]
            return own or sorted(names)
        match = _RECORD_IRI.match(focus)
        if match:
            return [match.group("record")]
        return self._linking_records(node)

    def _linking_records(self, node: rdflib.term.Node, depth: int = 3) -> list[str]:
        """Records that reach *node* within a few links (grant → project → record …)."""
        frontier, seen, found = {node}, {node}, set()
        for _ in range(depth):
            next_frontier = set()
            for target in frontier:
                for subject in self.graph.subjects(None, target):
                    if subject in seen:
                        continue
                    seen.add(subject)
                    match = _RECORD_IRI.match(str(subject)) if isinstance(subject, rdflib.URIRef) else None
                    if (subject, RDF.type, BIBO_DOCUMENT) in self.graph or match:
                        found.add(match.group("record") if match else str(subject))
                    else:
                        next_frontier.add(subject)
            if found:
                break
            frontier = next_frontier
        return sorted(found)


@dataclass
class Report:
    findings: list[Finding]
    report_graph: rdflib.Graph
    records_checked: int = 0
    triples: int = 0
    # conversion rejects when records were converted first (source, record, reason)
    rejected: list[str] = field(default_factory=list)

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Violation"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity != "Violation"]

    @property
    def conforms(self) -> bool:
        return not self.violations and not self.rejected

    def summary(self) -> str:
        verdict = "conforms" if self.conforms else "does not conform"
        rejected = f", {len(self.rejected)} records rejected while converting" if self.rejected else ""
        return (
            f"{self.records_checked} records, {self.triples} triples: {len(self.violations)} violations, "
            f"{len(self.warnings)} warnings{rejected}: {verdict}"
        )


def validate_dataset(dataset: Dataset, shapes: Shapes) -> Report:
    """Whole-graph validation of everything read, with results attributed to records."""
    findings, report_graph = shapes.validate(dataset.graph, whole=True)
    for finding in findings:
        finding.records = dataset.records_of(finding.focus)
    records = sum(1 for _ in dataset.graph.subjects(RDF.type, BIBO_DOCUMENT))
    return Report(findings, report_graph, records_checked=records, triples=len(dataset.graph))
