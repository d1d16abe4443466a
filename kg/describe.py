"""Dataset description (VoID + DCAT) and provenance (PROV-O) for dumps and stores.

Every figure is counted over what was actually written, so the description cannot
drift from the data. The writers count the union graph as the records stream by
(``kg.write.DumpCounter``; memory grows with the distinct shared things, not the
records). Where no such count exists, a dump is parsed back (pyoxigraph) and counted
with SPARQL, and a store is counted with SPARQL where it stands, over the graphs its
sync state lists: when a run did not see every graph of the store. Distinct objects
(mostly literals) are counted only then for dumps, and never for stores: that needs
memory in proportion to the data.

* ``kg convert -o graph.ttl`` writes ``graph.void.ttl`` beside the dump (the dump's
  suffixes, ``.gz`` included, are replaced by ``.void.ttl``);
* ``kg load`` / ``kg push`` / ``kg sync`` put the description into the store's
  graph ``{base}/kg/description``.

The generation time is the wall clock, or ``SOURCE_DATE_EPOCH`` when set
(reproducible builds).
"""

from __future__ import annotations

import gzip
import hashlib
import os
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox

from kg import __version__
from kg.checksum import FileFacts
from kg.iris import Minter
from kg.rdf import IRI, Literal, nt_term
from kg.sync import SYNC_GRAPH, rdf_format

VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
SPDX = "http://spdx.org/rdf/terms#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = IRI("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = IRI("http://www.w3.org/2000/01/rdf-schema#label")
CC0 = "http://creativecommons.org/publicdomain/zero/1.0/"
PREFIXES = {"void": VOID, "dcat": DCAT, "dcterms": DCT, "prov": PROV, "spdx": SPDX, "xsd": XSD}

MEDIA_TYPES = {
    "nt": "application/n-triples",
    "nq": "application/n-quads",
    "ttl": "text/turtle",
    "trig": "application/trig",
    "jsonld": "application/ld+json",
    "xml": "application/rdf+xml",
}
_FORMAT_BY_OX = {
    ox.RdfFormat.N_TRIPLES: "nt",
    ox.RdfFormat.N_QUADS: "nq",
    ox.RdfFormat.TURTLE: "ttl",
    ox.RdfFormat.TRIG: "trig",
    ox.RdfFormat.JSON_LD: "jsonld",
    ox.RdfFormat.RDF_XML: "xml",
}


class DescribeError(Exception):
    pass


@dataclass
class Counts:
    triples: int = 0
    entities: int = 0
    distinct_subjects: int = 0
    properties: int = 0
    # None when not counted: counting distinct objects (most are literals) needs memory in
    # proportion to the data.
    distinct_objects: int | None = 0
    classes: dict[str, int] = field(default_factory=dict)


# Where a pattern is matched: the graphs a store's state lists, or a whole dump.
Select = Callable[[str], list[dict[str, str]]]


def store_scope(state: IRI) -> str:
    return f"GRAPH <{state}> {{ ?kg_entry <{SYNC_GRAPH}> ?kg_graph }} GRAPH ?kg_graph {{ %s }}"


def count(select: Select, scope: str = "%s", *, objects: bool = True) -> Counts:
    """The VoID counts of what *scope* matches; distinct objects only when *objects*."""

    def one(query: str) -> int:
        rows = select(query)
        return int(rows[0]["n"]) if rows and "n" in rows[0] else 0

    counts = Counts(
        triples=one(f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{ {scope % '?s ?p ?o'} }} }}"),
        entities=one(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {scope % f'?s <{RDF_TYPE}> ?c'} }}"),
        distinct_subjects=one(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {scope % '?s ?p ?o'} }}"),
        properties=one(f"SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{ {scope % '?s ?p ?o'} }}"),
        distinct_objects=one(f"SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ {scope % '?s ?p ?o'} }}")
        if objects
        else None,
    )
    rows = select(f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {scope % f'?s <{RDF_TYPE}> ?c'} }} GROUP BY ?c")
    counts.classes = {row["c"]: int(row["n"]) for row in rows if "c" in row}
    return counts


def count_dump(path: str, fmt: str | None = None) -> Counts:
    """Parse a dump back and count its union graph."""
    oxfmt = {v: k for k, v in _FORMAT_BY_OX.items()}[fmt] if fmt else rdf_format(path)
    if oxfmt is None:
        raise DescribeError(f"{path}: cannot tell the RDF format")
    store = ox.Store()
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rb") as stream:
            store.bulk_extend(
                ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                for q in ox.parse(stream, format=oxfmt, base_iri=Path(path).resolve().as_uri())
            )
    except SyntaxError as exc:
        raise DescribeError(f"{path}: cannot be read back to describe it: {exc.msg}") from None

    def select(query: str) -> list[dict[str, str]]:
        results = store.query(query)
        names = [v.value for v in results.variables]
        return [{n: s[n].value for n in names if s[n] is not None} for s in results]

    return count(select)


def now() -> datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdecimal():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC).replace(microsecond=0)


def _dt(moment: datetime) -> Literal:
    return Literal(moment.strftime("%Y-%m-%dT%H:%M:%SZ"), XSD + "dateTime")


def _int(value: int) -> Literal:
    return Literal(str(value), XSD + "integer")


def _size(value: int) -> Literal:
    return Literal(str(value), XSD + "nonNegativeInteger")


@dataclass
class Description:
    base: str
    title: str | None = None
    license: str = CC0
    counts: Counts = field(default_factory=Counts)
    dumps: list[tuple[FileFacts, str, bool]] = field(default_factory=list)  # (facts, media type, gzipped)
    endpoint: str | None = None
    inputs: list[FileFacts] = field(default_factory=list)
    started: datetime | None = None
    ended: datetime | None = None

    def triples(self) -> list[tuple[IRI, IRI, IRI | Literal]]:
        base = Minter(self.base).base
        dataset = IRI(f"{base}/kg/dataset")
        ended = self.ended or now()
        started = self.started or ended
        run_key = hashlib.sha256(
            "|".join([_dt(ended).value, *(f.sha256 or f.name for f in self.inputs)]).encode()
        ).hexdigest()[:16]
        run = IRI(f"{base}/kg/run/{run_key}")
        agent = IRI(f"{base}/kg/software/kg-{__version__}")
        out: list[tuple[IRI, IRI, IRI | Literal]] = []

        def add(s: IRI, p: str, o: IRI | Literal) -> None:
            out.append((s, IRI(p), o))

        add(dataset, RDF_TYPE, IRI(VOID + "Dataset"))
        add(dataset, RDF_TYPE, IRI(DCAT + "Dataset"))
        add(dataset, DCT + "title", Literal(self.title or f"LibreCat records of {base} as linked data", None, "en"))
        add(dataset, DCT + "license", IRI(self.license))
        add(dataset, VOID + "uriSpace", Literal(base + "/"))
        c = self.counts
        add(dataset, VOID + "triples", _int(c.triples))
        add(dataset, VOID + "entities", _int(c.entities))
        add(dataset, VOID + "distinctSubjects", _int(c.distinct_subjects))
        add(dataset, VOID + "properties", _int(c.properties))
        if c.distinct_objects is not None:
            add(dataset, VOID + "distinctObjects", _int(c.distinct_objects))
        add(dataset, VOID + "classes", _int(len(c.classes)))
        for cls, n in sorted(c.classes.items()):
            partition = IRI(f"{dataset}#class-{hashlib.sha256(cls.encode()).hexdigest()[:12]}")
            add(dataset, VOID + "classPartition", partition)
            add(partition, VOID + "class", IRI(cls))
            add(partition, VOID + "entities", _int(n))
        for facts, media_type, gzipped in self.dumps:
            dist = IRI(f"{base}/kg/dump/{quote(facts.name, safe='-._~')}")
            add(dataset, DCAT + "distribution", dist)
            add(dataset, VOID + "dataDump", dist)
            add(dist, RDF_TYPE, IRI(DCAT + "Distribution"))
            add(dist, DCT + "title", Literal(facts.name))
            add(dist, DCAT + "mediaType", IRI(f"https://www.iana.org/assignments/media-types/{media_type}"))
            if gzipped:
                add(dist, DCAT + "compressFormat", IRI("https://www.iana.org/assignments/media-types/application/gzip"))
            self._file_facts(add, dist, facts)
            add(dist, PROV + "wasGeneratedBy", run)
        if self.endpoint:
            service = IRI(f"{dataset}#sparql")
            dist = IRI(f"{dataset}#sparql-distribution")
            add(dataset, VOID + "sparqlEndpoint", IRI(self.endpoint))
            add(dataset, DCAT + "distribution", dist)
            add(dist, RDF_TYPE, IRI(DCAT + "Distribution"))
            add(dist, DCAT + "accessURL", IRI(self.endpoint))
            add(dist, DCAT + "accessService", service)
            add(service, RDF_TYPE, IRI(DCAT + "DataService"))
            add(service, DCAT + "endpointURL", IRI(self.endpoint))
            add(service, DCAT + "servesDataset", dataset)
        # Provenance: which program made it, when, from what.
        add(dataset, PROV + "wasGeneratedBy", run)
        add(dataset, PROV + "generatedAtTime", _dt(ended))
        add(dataset, DCT + "modified", _dt(ended))
        add(run, RDF_TYPE, IRI(PROV + "Activity"))
        add(run, PROV + "startedAtTime", _dt(started))
        add(run, PROV + "endedAtTime", _dt(ended))
        add(run, PROV + "wasAssociatedWith", agent)
        add(agent, RDF_TYPE, IRI(PROV + "SoftwareAgent"))
        add(agent, RDFS_LABEL, Literal(f"kg {__version__}"))
        add(agent, DCT + "hasVersion", Literal(__version__))
        for index, facts in enumerate(self.inputs):
            source = IRI(f"{base}/kg/input/{facts.sha256 or f'{run_key}-{index}'}")
            add(run, PROV + "used", source)
            add(dataset, PROV + "wasDerivedFrom", source)
            add(source, RDF_TYPE, IRI(PROV + "Entity"))
            add(source, DCT + "title", Literal(facts.name))
            self._file_facts(add, source, facts)
        return out

    @staticmethod
    def _file_facts(add, subject: IRI, facts: FileFacts) -> None:  # type: ignore[no-untyped-def]
        if facts.byte_size is not None:
            add(subject, DCAT + "byteSize", _size(facts.byte_size))
        if facts.sha256:
            checksum = IRI(f"{subject}#sha256")
            add(subject, SPDX + "checksum", checksum)
            add(checksum, RDF_TYPE, IRI(SPDX + "Checksum"))
            add(checksum, SPDX + "algorithm", IRI(SPDX + "checksumAlgorithm_sha256"))
            add(checksum, SPDX + "checksumValue", Literal(facts.sha256, XSD + "hexBinary"))

    def lines(self) -> list[str]:
        return [f"{nt_term(s)} {nt_term(p)} {nt_term(o)} ." for s, p, o in self.triples()]

    def turtle(self) -> bytes:
        from kg.store import to_oxigraph

        # Grouped by subject, in the order subjects first appear, so the file reads top-down.
        grouped: dict[IRI, list[ox.Triple]] = {}
        for s, p, o in self.triples():
            grouped.setdefault(s, []).append(ox.Triple(ox.NamedNode(s), ox.NamedNode(p), to_oxigraph(o)))
        ordered = [triple for triples in grouped.values() for triple in triples]
        return ox.serialize(ordered, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)  # type: ignore[no-any-return]


def description_path(dump: str) -> str:
    """graph.ttl → graph.void.ttl; graph.nq.gz → graph.void.ttl."""
    path = Path(dump)
    name = path.name
    if name.lower().endswith(".gz"):
        name = name[:-3]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return str(path.with_name(stem + ".void.ttl"))


def input_files_in_background(sources: Iterable[str]) -> Future[list[FileFacts]]:
    """``input_files(sources)`` on a thread of its own (its errors are raised by ``result()``)."""
    executor = ThreadPoolExecutor(1, thread_name_prefix="kg-checksum")
    future = executor.submit(input_files, list(sources))
    executor.shutdown(wait=False)
    return future


def input_files(sources: Iterable[str]) -> list[FileFacts]:
    from kg.read import expand_sources
    from kg.sync import split_inputs

    records, rdf = split_inputs(sources)
    return [FileFacts.of(path) for path in [*expand_sources(records), *rdf]]


def describe_dump(
    dump: str,
    fmt: str,
    sources: Iterable[str],
    base: str,
    *,
    title: str | None = None,
    license: str | None = None,
    started: datetime | None = None,
    counts: Counts | None = None,
    facts: FileFacts | None = None,
    inputs: list[FileFacts] | None = None,
) -> str:
    """Write the description of *dump* beside it; returns its path.

    *counts* are the writer's own (see ``kg.write.DumpCounter``); without them the dump
    is parsed back and counted, which needs memory in proportion to the dump. *facts*
    (the dump's size and SHA-256, see ``Summary.dump``) and *inputs* (those of the
    *sources*), when known, spare reading the files again.
    """
    description = Description(
        base,
        title=title,
        license=license or CC0,
        counts=counts if counts is not None else count_dump(dump, fmt),
        dumps=[(facts or FileFacts.of(dump), MEDIA_TYPES[fmt], dump.endswith(".gz"))],
        inputs=inputs if inputs is not None else input_files(sources),
        started=started,
    )
    target = description_path(dump)
    with open(target, "wb") as stream:
        stream.write(description.turtle())
    return target
