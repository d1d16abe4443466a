"""Where a publication appeared: journal, host book, proceedings, series, conference."""

from __future__ import annotations

from kg.mapping import codes
from kg.mapping.dates import parse_date
from kg.mapping.fields import as_text, obj, text, text_list
from kg.mapping.model import MappingContext, RecordGraph, plain, typed
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
            journal = ctx.iris.periodical((issns or eissns or [None])[0], container_title)
            graph.share_type(journal, cls)
            graph.share(journal, DCTERMS.title, plain(container_title))
            for issn in issns:
                graph.share(journal, BIBO.issn, plain(issn))
            for issn in eissns:
                graph.share(journal, BIBO.eissn, plain(issn))
            graph.add(graph.iri, DCTERMS.isPartOf, journal)
        issns = eissns = []
    elif record_type in codes.IN_BOOK or record_type in codes.IN_PROCEEDINGS:
        if container_title or isbns:
            cls = BIBO.Proceedings if record_type in codes.IN_PROCEEDINGS else BIBO.Book
            host = ctx.iris.host_book(isbns[0] if isbns else None, container_title or "")
            graph.share_type(host, cls)
            graph.share(host, DCTERMS.title, plain(container_title))
            for isbn in isbns:
                graph.share(host, BIBO.isbn, plain(isbn))
            graph.add(graph.iri, DCTERMS.isPartOf, host)
            holder = host
    else:
        for isbn in isbns:
            graph.add(graph.iri, BIBO.isbn, plain(isbn))

    if issns or eissns or series_title:
        series = ctx.iris.series((issns or eissns or [None])[0], series_title)
        graph.share_type(series, BIBO.Series)
        graph.share(series, DCTERMS.title, plain(series_title))
        for issn in issns:
            graph.share(series, BIBO.issn, plain(issn))
        for issn in eissns:
            graph.share(series, BIBO.eissn, plain(issn))
        if holder == graph.iri:
            graph.add(holder, DCTERMS.isPartOf, series)
        else:
            graph.share(holder, DCTERMS.isPartOf, series)

    map_conference(record, ctx, graph)


def map_conference(record: dict, ctx: MappingContext, graph: RecordGraph) -> None:
    conference = obj(record, "conference")
    name = as_text(conference.get("name"), "conference.name")
    if not name:
        return
    start = _conference_date(conference, "start_date", graph)
    end = _conference_date(conference, "end_date", graph)
    event = ctx.iris.conference(name, start)
    graph.share_type(event, BIBO.Conference, BIBO.Event)
    graph.share(event, DCTERMS.title, plain(name))
    graph.share(event, KG.place, plain(as_text(conference.get("location"), "conference.location")))
    graph.share(event, DBO.startDate, typed(start, XSD.date))
    graph.share(event, DBO.endDate, typed(end, XSD.date))
    graph.add(graph.iri, BIBO.presentedAt, event)


def _conference_date(conference: dict, key: str, graph: RecordGraph) -> str | None:
    value = as_text(conference.get(key), f"conference.{key}")
    if not value:
        return None
    parsed = parse_date(value)
    if parsed is None or parsed[1] != XSD.date:
        graph.warn(f"conference.{key}", f"not a date: {value!r}")
        return None
    return parsed[0]
