"""The publication record itself: type, titles, dates, identifiers, subjects, rights."""

from __future__ import annotations

import re
from typing import Final

from kg.mapping import codes
from kg.mapping.dates import date_literal, parse_date, parse_datetime
from kg.mapping.fields import (
    MappingError,
    as_text,
    code_list,
    flag,
    json_type,
    obj,
    object_list,
    required_text,
    single_line,
    strip_markup,
    text,
    text_list,
)
from kg.mapping.file import map_files
from kg.mapping.funding import map_projects
from kg.mapping.model import Description, Facts, MappingContext, RecordGraph, mention, plain, typed
from kg.mapping.organization import map_units, organization
from kg.mapping.person import map_people
from kg.mapping.relation import map_related_records, map_top_level_links
from kg.mapping.venue import map_venue
from kg.rdf import IRI
from kg.vocab import (
    BIBO,
    BIBO_STATUS,
    DBO,
    DCAM,
    DCAT,
    DCTERMS,
    FABIO,
    FOAF,
    KG,
    RDF,
    RDFS,
    RELATORS,
    XSD,
    rdf_member,
)

# Fields kg maps (here or in the entity modules).
MAPPED_FIELDS: Final = frozenset(
    """_id type status title alternative_title abstract year month day date_published
    publication_date date_created date_updated publisher place language original_language ddc keyword jel
    doi external_id publication_identifier publication series_title volume intvolume
    issue page article_number report_number edition conference license oa
    publication_status quality_controlled article_type author editor translator
    supervisor corporate_editor degree_awarded defense_date project ec_funded department
    acknowledged_ssus research_group related_material link file main_file_link citation
    urn""".split()
)
# Internal or derived fields that are deliberately never exported.
INTERNAL_FIELDS: Final = frozenset(
    """_version user_id creator email message locked accept extern has_accepted_license
    file_date_updated oa_version article_processing_charge funded_apc popular_science
    alternative_id""".split()
)

_DOI_PREFIX: Final = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.I)
_PAGE_RANGE: Final = re.compile(r"^\s*([A-Za-z]?\d+[A-Za-z]?)\s*[-–—]+\s*([A-Za-z]?\d+[A-Za-z]?)\s*$")
_DEWEY_CLASS: Final = re.compile(r"\d{3}(?:\.\d+)?")
_CITATION_PREFERENCE: Final = ("apa", "ama", "chicago", "mla", "ieee", "short", "default")


def map_publication(record: dict, ctx: MappingContext) -> RecordGraph:
    """One LibreCat publication record → its graph. Raises MappingError for unusable input."""
    record_id = required_text(record, "_id")
    record_type = required_text(record, "type")
    if record_type not in codes.PUBLICATION_TYPES:
        raise MappingError("type", f"{record_type!r} is not a LibreCat publication type")
    title = required_text(record, "title")

    iri = ctx.iris.record(record_id)
    graph = RecordGraph(record_id=record_id, iri=iri)
    cls = codes.PUBLICATION_TYPES[record_type][0]
    graph.add(iri, RDF.type, BIBO.Document)
    graph.add(iri, RDF.type, cls)
    if record_type == "journal_article":
        article_type = text(record, "article_type")
        if article_type in codes.ARTICLE_TYPES:
            graph.add(iri, RDF.type, codes.ARTICLE_TYPES[article_type])
    graph.add(iri, DCTERMS.type, codes.COAR_TYPES[record_type])
    graph.add(iri, DCTERMS.identifier, plain(record_id))
    graph.add(iri, FOAF.page, iri)

    graph.add(iri, DCTERMS.title, plain(single_line(strip_markup(title))))
    for alternative in text_list(record, "alternative_title"):
        graph.add(iri, DCTERMS.alternative, plain(single_line(alternative)))
    _abstracts(record, graph)
    _dates(record, graph)
    _languages(record, ctx, graph)
    _identifiers(record, ctx, graph)
    _subjects(record, ctx, graph)
    _numbering(record, record_type, graph)
    _rights_and_status(record, graph)

    publisher_name = text(record, "publisher")
    publisher = organization(publisher_name, ctx, graph) if publisher_name else None
    graph.add(iri, DCTERMS.publisher, publisher)
    graph.add(iri, KG.place, plain(text(record, "place")))

    _contributors(record, record_type, publisher, ctx, graph)
    map_venue(record, record_type, ctx, graph)
    map_projects(record, ctx, graph)
    map_units(record, "department", KG.department, ctx, graph)
    map_units(record, "research_group", KG.department, ctx, graph)
    map_units(record, "acknowledged_ssus", KG.acknowledgedServiceUnit, ctx, graph)
    map_related_records(record, record_type, ctx, graph)
    map_top_level_links(record, graph)
    map_files(record, ctx, graph)
    _citation(record, ctx, graph)

    graph.unmapped_fields = sorted(key for key in record if key not in MAPPED_FIELDS and key not in INTERNAL_FIELDS)
    return graph


def _abstracts(record: dict, graph: RecordGraph) -> None:
    for index, entry in enumerate(object_list(record, "abstract", " with lang and text")):
        body = as_text(entry.get("text"), "abstract", index, "text")
        if not body:
            continue
        code = as_text(entry.get("lang"), "abstract", index, "lang")
        tag = codes.LANGUAGE_TAGS.get(code.lower()) if code else None
        if code and not tag and code != "other":
            graph.warn(f"abstract[{index}].lang", f"unknown language code {code!r}")
        graph.add(graph.iri, DCTERMS.abstract, plain(strip_html_tags(body), tag))


_ABSTRACT_TAG: Final = re.compile(r"</?(?:p|br|i|b|em|strong|sup|sub|span|div|ul|ol|li|a|u|h[1-6])\b[^<>]*>", re.I)


def strip_html_tags(value: str) -> str:
    """Remove HTML tags from an abstract; MathJax and comparisons ("a < b") stay."""
    # Every tag starts with "<": most abstracts have none, and the pattern need not look.
    return (_ABSTRACT_TAG.sub("", value) if "<" in value else value).strip()


def _dates(record: dict, graph: RecordGraph) -> None:
    year = text(record, "year")
    issued = None
    if year:
        issued = date_literal(year, text(record, "month"), text(record, "day"))
        if issued is None:
            graph.warn("year", f"not a four-digit year: {year!r}")
        elif issued[1] == XSD.gYear:
            # A full date elsewhere is used when it agrees with the year.
            for field in ("publication_date", "date_published"):
                value = text(record, field)
                parsed = parse_date(value) if value else None
                if parsed and parsed[0][:4] == year:
                    issued = parsed
                    break
                if value and parsed is None:
                    graph.warn(field, f"not a date: {value!r}")
                elif parsed:
                    graph.warn(field, f"{value!r} disagrees with year {year}; year kept")
    if issued:
        graph.add(graph.iri, DCTERMS.issued, typed(*issued))
    for field, predicate in (("date_created", DCTERMS.created), ("date_updated", DCTERMS.modified)):
        value = text(record, field)
        if not value:
            continue
        stamp = parse_datetime(value)
        if stamp is None:
            graph.warn(field, f"not an ISO 8601 timestamp: {value!r}")
            continue
        graph.add(graph.iri, predicate, typed(stamp, XSD.dateTime))
        if field == "date_updated":
            graph.date_updated = stamp
    defense = text(record, "defense_date")
    if defense:
        parsed = parse_date(defense)
        if parsed:
            graph.add(graph.iri, DCTERMS.dateAccepted, typed(*parsed))
        else:
            graph.warn("defense_date", f"not a date: {defense!r}")


def _languages(record: dict, ctx: MappingContext, graph: RecordGraph) -> None:
    for field, predicate in (("language", DCTERMS.language), ("original_language", KG.originalLanguage)):
        for index, entry in enumerate(code_list(record, field, "iso")):
            code = as_text(entry.get("iso"), field, index, "iso")
            if not code or code == "other":
                continue
            code = code.lower()
            if code not in codes.LANGUAGE_TAGS:
                graph.warn(f"{field}[{index}].iso", f"unknown ISO 639-2 code {code!r}")
                continue
            graph.add(graph.iri, predicate, ctx.iris.language(code))


def _identifiers(record: dict, ctx: MappingContext, graph: RecordGraph) -> None:
    doi = text(record, "doi")
    if doi:
        doi = _DOI_PREFIX.sub("", doi).strip()
        if doi.startswith("10."):
            graph.add(graph.iri, BIBO.doi, plain(doi))
        else:
            graph.warn("doi", f"not a DOI: {doi!r}")
    urn = text(record, "urn")
    graph.add(graph.iri, DCTERMS.identifier, plain(urn))
    external = obj(record, "external_id")
    for kind in sorted(external):
        for value in text_list(external, kind):
            if kind == "pmid":
                graph.add(graph.iri, BIBO.pmid, plain(value))
                graph.add(graph.iri, RDFS.seeAlso, ctx.iris.pubmed(value))
            elif kind == "arxiv":
                graph.add(graph.iri, FABIO.hasArXivId, plain(value))
                graph.add(graph.iri, RDFS.seeAlso, ctx.iris.arxiv(value))
            elif kind == "isi":
                graph.add(graph.iri, KG.webOfScienceId, plain(value))
            else:
                graph.add(graph.iri, DCTERMS.identifier, plain(f"{kind}:{value}"))


def _subjects(record: dict, ctx: MappingContext, graph: RecordGraph) -> None:
    for notation in text_list(record, "ddc"):
        if not _DEWEY_CLASS.fullmatch(notation):
            graph.warn("ddc", f"not a Dewey class: {notation!r}")
            continue
        concept: IRI = mention(graph, ctx, ("ddc", notation), _describe_ddc_class, ctx, notation)
        graph.add(graph.iri, DCTERMS.subject, concept)
    for keyword in text_list(record, "keyword"):
        # Free-text keywords are not subjects with an IRI; dcat:keyword takes literals.
        graph.add(graph.iri, DCAT.keyword, plain(single_line(keyword)))
    for code in text_list(record, "jel"):
        graph.add(graph.iri, DCTERMS.subject, ctx.iris.jel(code))


def _describe_ddc_class(ctx: MappingContext, notation: str) -> tuple[IRI, Description]:
    concept = ctx.iris.ddc(notation)
    facts = Facts()
    facts.add(concept, DCAM.memberOf, DCTERMS.DDC)
    facts.add(concept, RDF.value, plain(notation))
    return concept, facts.description()


def _numbering(record: dict, record_type: str, graph: RecordGraph) -> None:
    volume = text(record, "volume") or text(record, "intvolume")
    graph.add(graph.iri, BIBO.volume, plain(volume))
    graph.add(graph.iri, BIBO.issue, plain(text(record, "issue")))
    graph.add(graph.iri, BIBO.edition, plain(text(record, "edition")))
    graph.add(graph.iri, BIBO.number, plain(text(record, "report_number")))
    graph.add(graph.iri, BIBO.number, plain(text(record, "article_number")))
    page = text(record, "page")
    if not page:
        return
    page_range = _PAGE_RANGE.match(page)
    if page_range:
        start, end = page_range.groups()
        # bibo:pages is for non-contiguous spans; a range is start and end.
        graph.add(graph.iri, BIBO.pageStart, plain(start))
        graph.add(graph.iri, BIBO.pageEnd, plain(end))
    elif page.isdecimal() and record_type in codes.MONOGRAPHS:
        graph.add(graph.iri, BIBO.numPages, typed(str(int(page)), XSD.integer))
    else:
        graph.add(graph.iri, BIBO.pages, plain(page))


def _rights_and_status(record: dict, graph: RecordGraph) -> None:
    license_key = text(record, "license")
    if license_key:
        licence = codes.LICENSE_IRIS.get(license_key)
        if licence is None and license_key.startswith(("http://", "https://")):
            licence = IRI(license_key)
        if licence:
            graph.add(graph.iri, DCTERMS.license, licence)
        else:
            graph.warn("license", f"unknown licence {license_key!r}")
    if flag(record.get("oa")):
        graph.add(graph.iri, DCTERMS.accessRights, codes.OPEN_ACCESS)
    status = text(record, "publication_status")
    if status:
        if status in codes.PUBLICATION_STATUS:
            graph.add(graph.iri, BIBO.status, codes.PUBLICATION_STATUS[status])
        else:
            graph.warn("publication_status", f"unknown publication status {status!r}")
    if flag(record.get("quality_controlled")):
        graph.add(graph.iri, BIBO.status, BIBO_STATUS.peerReviewed)


def _contributors(
    record: dict,
    record_type: str,
    publisher: IRI | None,
    ctx: MappingContext,
    graph: RecordGraph,
) -> None:
    iri = graph.iri
    authors = map_people(record, "author", ctx, graph)
    for person in authors:
        graph.add(iri, DCTERMS.creator, person)
    _ordered_list(iri, BIBO.authorList, ctx.iris.author_list(graph.record_id), authors, graph)

    editors = map_people(record, "editor", ctx, graph)
    for name in text_list(record, "corporate_editor"):
        editors.append(organization(name, ctx, graph))
    for person in editors:
        graph.add(iri, BIBO.editor, person)
    _ordered_list(iri, BIBO.editorList, ctx.iris.editor_list(graph.record_id), editors, graph)

    for person in map_people(record, "translator", ctx, graph):
        graph.add(iri, BIBO.translator, person)

    supervisors = map_people(record, "supervisor", ctx, graph)
    for person in supervisors:
        graph.add(iri, RELATORS.ths, person)

    if record_type != "dissertation":
        if text(record, "degree_awarded"):
            graph.warn("degree_awarded", f"ignored on a record of type {record_type!r}")
        return
    awarded = text(record, "degree_awarded")
    degree = codes.DEGREES.get(awarded.lower()) if awarded else None
    if awarded and degree is None:
        graph.warn("degree_awarded", f"unknown degree {awarded!r}; no degree stated")
    # bibo:degree says what the record states. Without a statement LibreCat's type still
    # means a doctoral thesis (COAR c_46ec), which the FaBiO class carries.
    graph.add(iri, BIBO.degree, degree)
    doctoral = degree in codes.DOCTORAL_DEGREES or awarded is None
    if doctoral:
        graph.add(iri, RDF.type, FABIO.DoctoralThesis)
    elif degree is not None:
        graph.add(iri, RDF.type, FABIO.MastersThesis)
    issuer = publisher
    if issuer is None and ctx.options.institution:
        issuer = organization(ctx.options.institution, ctx, graph)
    graph.add(iri, BIBO.issuer, issuer)
    if doctoral:
        for student in authors:
            for advisor in supervisors:
                if student != advisor:
                    graph.link(student, DBO.doctoralAdvisor, advisor)


def _ordered_list(record_iri: IRI, predicate: IRI, list_iri: IRI, members: list[IRI], graph: RecordGraph) -> None:
    if not members:
        return
    graph.add(record_iri, predicate, list_iri)
    graph.add(list_iri, RDF.type, RDF.Seq)
    for position, member in enumerate(members, start=1):
        graph.add(list_iri, rdf_member(position), member)


def _citation(record: dict, ctx: MappingContext, graph: RecordGraph) -> None:
    style = ctx.options.citation_style
    citations = record.get("citation")
    if style == "none" or not citations:
        return
    if not isinstance(citations, dict):
        # Derived text, not metadata: a malformed one is not worth rejecting the record for.
        graph.warn("citation", f"expected an object of citation styles, got {json_type(citations)}; ignored")
        return
    order = (style,) + tuple(s for s in _CITATION_PREFERENCE if s != style)
    for candidate in order + tuple(sorted(citations)):
        value = citations.get(candidate)
        cleaned = single_line(strip_markup(value)) if isinstance(value, str) else ""
        if cleaned:
            graph.add(graph.iri, DCTERMS.bibliographicCitation, plain(cleaned))
            return
        if value is not None and not isinstance(value, str):
            graph.warn(f"citation.{candidate}", f"expected text, got {json_type(value)}; ignored")
