"""Where a publication appeared: journal, host book, proceedings, series, conference."""

from __future__ import annotations

from kg.mapping import codes
from kg.mapping.dates import parse_date
from kg.mapping.fields import as_text, obj, text, text_list
from kg.mapping.model import Description, Facts, MappingContext, RecordGraph, mention, plain, typed
from kg.rdf import IRI
from kg.vocab import BIBO, DBO, DCTERMS, KG, XSD


def map_venue(record: dict, record_type: str, ctx: MappingContext, graph: RecordGraph) -> None:
    identifiers = obj(record, "publication_identifier")
    issns = text_list(identifiers, "issn")
    eissns = text_list(identifiers, "eissn")
    isbns = text_list(identifiers, "isbn") + text_list(identifiers, "eisbn")
    container_title = text(record, "publication")
    series_title = text(record, "series_title")

    holder: IRI = graph.iri  # the node a series hangs from
    if record_type in codes.IN_PERIODICAL:
        if container_title or issns or eissns:
            cls = BIBO.Newspaper if record_type == "newspaper_article" else BIBO.Journal
            journal = _periodical(cls, container_title, issns, eissns, ctx, graph)
            graph.add(graph.iri, DCTERMS.isPartOf, journal)
        issns = eissns = []
    elif record_type in codes.IN_BOOK or record_type in codes.IN_PROCEEDINGS:
        if container_title or isbns:
            cls = BIBO.Proceedings if record_type in codes.IN_PROCEEDINGS else BIBO.Book
            host = _host(cls, container_title, isbns, ctx, graph)
            graph.add(graph.iri, DCTERMS.isPartOf, host)
            holder = host
    else:
        for isbn in isbns:
            graph.add(graph.iri, BIBO.isbn, plain(isbn))

    if issns or eissns or series_title:
        in_series = None if holder == graph.iri else holder
        series = _series(series_title, issns, eissns, in_series, ctx, graph)
        if in_series is None:
            graph.add(holder, DCTERMS.isPartOf, series)

    map_conference(record, ctx, graph)


def _first(*lists: list[str]) -> str | None:
    for values in lists:
        if values:
            return values[0]
    return None


def _periodical(
    cls: IRI, title: str | None, issns: list[str], eissns: list[str], ctx: MappingContext, graph: RecordGraph
) -> IRI:
    key = ("periodical", cls, title, tuple(issns), tuple(eissns))
    journal: IRI = mention(graph, ctx, key, _describe_periodical, ctx, cls, title, issns, eissns)
    return journal


def _describe_periodical(
    ctx: MappingContext, cls: IRI, title: str | None, issns: list[str], eissns: list[str]
) -> tuple[IRI, Description]:
    journal = ctx.iris.periodical(_first(issns, eissns), title)
    facts = Facts()
    facts.types(journal, cls)
    facts.add(journal, DCTERMS.title, plain(title))
    for issn in issns:
        facts.add(journal, BIBO.issn, plain(issn))
    for issn in eissns:
        facts.add(journal, BIBO.eissn, plain(issn))
    return journal, facts.description()


def _host(cls: IRI, title: str | None, isbns: list[str], ctx: MappingContext, graph: RecordGraph) -> IRI:
    host: IRI = mention(graph, ctx, ("host", cls, title, tuple(isbns)), _describe_host, ctx, cls, title, isbns)
    return host


def _describe_host(ctx: MappingContext, cls: IRI, title: str | None, isbns: list[str]) -> tuple[IRI, Description]:
    host = ctx.iris.host_book(_first(isbns), title or "")
    facts = Facts()
    facts.types(host, cls)
    facts.add(host, DCTERMS.title, plain(title))
    for isbn in isbns:
        facts.add(host, BIBO.isbn, plain(isbn))
    return host, facts.description()


def _series(
    title: str | None,
    issns: list[str],
    eissns: list[str],
    in_series: IRI | None,
    ctx: MappingContext,
    graph: RecordGraph,
) -> IRI:
    """The series node; *in_series* is a host book that is part of it (said with the series)."""
    key = ("series", title, tuple(issns), tuple(eissns), in_series)
    series: IRI = mention(graph, ctx, key, _describe_series, ctx, title, issns, eissns, in_series)
    return series


def _describe_series(
    ctx: MappingContext, title: str | None, issns: list[str], eissns: list[str], in_series: IRI | None
) -> tuple[IRI, Description]:
    series = ctx.iris.series(_first(issns, eissns), title)
    facts = Facts()
    facts.types(series, BIBO.Series)
    facts.add(series, DCTERMS.title, plain(title))
    for issn in issns:
        facts.add(series, BIBO.issn, plain(issn))
    for issn in eissns:
        facts.add(series, BIBO.eissn, plain(issn))
    if in_series is not None:
        facts.add(in_series, DCTERMS.isPartOf, series)
    return series, facts.description()


def map_conference(record: dict, ctx: MappingContext, graph: RecordGraph) -> None:
    conference = obj(record, "conference")
    name = as_text(conference.get("name"), "conference.name")
    if not name:
        return
    start = _conference_date(conference, "start_date", graph)
    end = _conference_date(conference, "end_date", graph)
    location = as_text(conference.get("location"), "conference.location")
    key = ("conference", name, start, end, location)
    event: IRI = mention(graph, ctx, key, _describe_conference, ctx, name, start, end, location)
    graph.add(graph.iri, BIBO.presentedAt, event)


def _describe_conference(
    ctx: MappingContext, name: str, start: str | None, end: str | None, location: str | None
) -> tuple[IRI, Description]:
    event = ctx.iris.conference(name, start)
    facts = Facts()
    facts.types(event, BIBO.Conference, BIBO.Event)
    facts.add(event, DCTERMS.title, plain(name))
    facts.add(event, KG.place, plain(location))
    facts.add(event, DBO.startDate, typed(start, XSD.date))
    facts.add(event, DBO.endDate, typed(end, XSD.date))
    return event, facts.description()


def _conference_date(conference: dict, key: str, graph: RecordGraph) -> str | None:
    value = as_text(conference.get(key), "conference", -1, key)
    if not value:
        return None
    parsed = parse_date(value)
    if parsed is None or parsed[1] != XSD.date:
        graph.warn(f"conference.{key}", f"not a date: {value!r}")
        return None
    return parsed[0]
