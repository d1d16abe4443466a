"""Links between records (related_material.record) and to the web (related_material.link).

Each entry ``{relation: R, id: X, status: S}`` on record A describes the linked
record X relative to A ("Part of this Dissertation: X"). Every pair of inverse
values maps to one canonical triple, so the link comes out identically from
whichever side stores it (see DOMAIN.md).
"""

from __future__ import annotations

from typing import Final, NamedTuple

from kg.mapping.fields import MappingError, as_text, json_type, obj, object_list, place
from kg.mapping.model import MappingContext, RecordGraph
from kg.rdf import IRI, is_valid_iri
from kg.vocab import BIBO, DBO, DCTERMS, KG, RDFS


class Rule(NamedTuple):
    predicate: IRI
    # True: the triple reads "A predicate X"; False: "X predicate A".
    holder_is_subject: bool


RELATIONS: Final[dict[str, Rule]] = {
    # versions: the later version replaces the earlier one
    "earlier_version": Rule(DCTERMS.replaces, True),
    "later_version": Rule(DCTERMS.replaces, False),
    # containment: container dcterms:hasPart part
    "contains": Rule(DCTERMS.hasPart, False),
    "published_in": Rule(DCTERMS.hasPart, True),
    "dissertation_contains": Rule(DCTERMS.hasPart, False),
    "part_of_dissertation": Rule(DCTERMS.hasPart, True),
    # editions: the new edition dcterms:isVersionOf the old one (later → earlier, as versions)
    "old_edition": Rule(DCTERMS.isVersionOf, True),
    "new_edition": Rule(DCTERMS.isVersionOf, False),
    # series of works: the continuation dbo:previousWork the earlier item
    "continues": Rule(DBO.previousWork, False),
    "is_continued_by": Rule(DBO.previousWork, True),
    # the popular-science version is derived from (dcterms:source) the research paper
    "popular_science": Rule(DCTERMS.source, False),
    "research_paper": Rule(DCTERMS.source, True),
    "translation": Rule(BIBO.translationOf, False),
    "original": Rule(BIBO.translationOf, True),
    "cites": Rule(BIBO.cites, False),
    "is_cited_by": Rule(BIBO.cites, True),
    # relations that LibreCat also uses for files; the linked record plays that role
    "main_file": Rule(DCTERMS.hasFormat, True),
    "table_of_contents": Rule(DCTERMS.tableOfContents, True),
    "erratum": Rule(KG.hasErratum, True),
    "supplementary_material": Rule(DCTERMS.references, True),
    "research_data": Rule(DCTERMS.references, True),
    "software": Rule(DCTERMS.references, True),
    "confirmation": Rule(DCTERMS.relation, True),
    "poster": Rule(DCTERMS.relation, True),
    "slides": Rule(DCTERMS.relation, True),
    # symmetric: ordered by id so both sides give the same triple
    "other": Rule(DCTERMS.relation, True),
}
_DISSERTATION_PAIR: Final = {"dissertation_contains", "part_of_dissertation"}
# Links the repository deliberately does not show on the record page are not published.
UNPUBLISHED_RELATIONS: Final = {"hidden"}


def _id_order_key(record_id: str) -> tuple[int, int | str]:
    return (0, int(record_id)) if record_id.isdecimal() else (1, record_id)


def map_related_records(record: dict, record_type: str, ctx: MappingContext, graph: RecordGraph) -> None:
    related = obj(record, "related_material")
    holder_id = graph.record_id
    for index, entry in enumerate(object_list(related, "record")):
        relation = as_text(entry.get("relation"), "related_material.record", index, "relation")
        target_id = as_text(entry.get("id"), "related_material.record", index, "id")
        status = as_text(entry.get("status"), "related_material.record", index, "status")
        where = place("related_material.record", index)
        if not relation or not target_id:
            graph.warn(where, "link without relation or id skipped")
            continue
        if relation in UNPUBLISHED_RELATIONS:
            continue
        rule = RELATIONS.get(relation)
        if rule is None:
            graph.warn(f"{where}.relation", f"unknown relation {relation!r} skipped")
            continue
        if status != "public":
            # Never point at a record a portal cannot show.
            continue
        if target_id == holder_id:
            graph.warn(where, "record linked to itself skipped")
            continue
        holder_is_subject = rule.holder_is_subject
        if relation in _DISSERTATION_PAIR:
            # The dissertation is always the container (DOMAIN.md): data migrated
            # from other systems sometimes stores the pair the other way round.
            holder_is_container = record_type == "dissertation"
            if holder_is_container != holder_is_subject:
                graph.warn(
                    f"{where}.relation",
                    f"{relation!r} contradicts the record type {record_type!r}; "
                    "linked with the dissertation as the container",
                )
            holder_is_subject = holder_is_container
        elif relation == "other":
            holder_is_subject = _id_order_key(holder_id) < _id_order_key(target_id)
        target = ctx.iris.record(target_id)
        if holder_is_subject:
            graph.link(graph.iri, rule.predicate, target)
        else:
            graph.link(target, rule.predicate, graph.iri)

    for index, entry in enumerate(object_list(related, "link")):
        url = as_text(entry.get("url"), f"related_material.link[{index}].url")
        add_web_link(url, f"related_material.link[{index}].url", graph)


def add_web_link(url: str | None, where: str, graph: RecordGraph) -> None:
    if not url:
        return
    if not is_valid_iri(url):
        graph.warn(where, f"not a usable URL: {url!r}")
        return
    graph.add(graph.iri, RDFS.seeAlso, IRI(url))


def map_top_level_links(record: dict, graph: RecordGraph) -> None:
    """`link` (Ghent/Bielefeld instances): a URL or a list of them."""
    value = record.get("link")
    if value is None:
        return
    items = value if isinstance(value, list) else [value]
    for index, item in enumerate(items):
        where = f"link[{index}]" if isinstance(value, list) else "link"
        if isinstance(item, dict):
            item = item.get("url")
        if item is not None and not isinstance(item, str):
            raise MappingError(where, f"expected a URL, got {json_type(item)}")
        add_web_link(as_text(item, where), where, graph)
