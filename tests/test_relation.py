"""related_material: each of LibreCat's 25 relation values gives one canonical triple."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import map_one, record, write_json

from kg.mapping import MappingOptions
from kg.mapping.relation import RELATIONS, UNPUBLISHED_RELATIONS
from kg.pipeline import convert

B = "https://repo.example.org"
A, X = f"<{B}/record/100>", f"<{B}/record/200>"
DCT = "http://purl.org/dc/terms/"

# value stored on record 100 about record 200 → the triple expected (DOMAIN.md direction).
EXPECTED = {
    "earlier_version": (A, f"<{DCT}replaces>", X),
    "later_version": (X, f"<{DCT}replaces>", A),
    "contains": (X, f"<{DCT}hasPart>", A),
    "published_in": (A, f"<{DCT}hasPart>", X),
    "dissertation_contains": (X, f"<{DCT}hasPart>", A),
    "part_of_dissertation": (A, f"<{DCT}hasPart>", X),
    "old_edition": (A, f"<{DCT}isVersionOf>", X),
    "new_edition": (X, f"<{DCT}isVersionOf>", A),
    "continues": (X, "<http://dbpedia.org/ontology/previousWork>", A),
    "is_continued_by": (A, "<http://dbpedia.org/ontology/previousWork>", X),
    "popular_science": (X, f"<{DCT}source>", A),
    "research_paper": (A, f"<{DCT}source>", X),
    "translation": (X, "<http://purl.org/ontology/bibo/translationOf>", A),
    "original": (A, "<http://purl.org/ontology/bibo/translationOf>", X),
    "cites": (X, "<http://purl.org/ontology/bibo/cites>", A),
    "is_cited_by": (A, "<http://purl.org/ontology/bibo/cites>", X),
    "other": (A, f"<{DCT}relation>", X),
    "main_file": (A, f"<{DCT}hasFormat>", X),
    "table_of_contents": (A, f"<{DCT}tableOfContents>", X),
    "erratum": (A, "<https://w3id.org/librecat-kg/ontology#hasErratum>", X),
    "supplementary_material": (A, f"<{DCT}references>", X),
    "research_data": (A, f"<{DCT}references>", X),
    "software": (A, f"<{DCT}references>", X),
    "confirmation": (A, f"<{DCT}relation>", X),
    # hidden links are not shown by the repository, so they are not published either
    "hidden": None,
}
OPPOSITE = {
    "earlier_version": "later_version",
    "contains": "published_in",
    "dissertation_contains": "part_of_dissertation",
    "old_edition": "new_edition",
    "continues": "is_continued_by",
    "popular_science": "research_paper",
    "translation": "original",
    "cites": "is_cited_by",
    "other": "other",
}
OPPOSITE.update({v: k for k, v in list(OPPOSITE.items())})


def link(relation, target, status="public"):
    return {"related_material": {"record": [{"relation": relation, "id": target, "status": status}]}}


def test_the_25_values_are_all_covered():
    controlled = json.loads((Path(__file__).parent / "data" / "lists" / "librecat_controlled_lists.json").read_text())
    values = {r["value"] for r in controlled["related_material_relations"] if r["in_record_enum"]}
    assert len(values) == 25
    assert values == set(EXPECTED)
    # poster and slides are file relations LibreCat also lists; kg accepts them on records too.
    assert values == (set(RELATIONS) | UNPUBLISHED_RELATIONS) - {"poster", "slides"}


def link_lines(path):
    return [line for line in path.read_text().splitlines() if "/record/100>" in line and "/record/200>" in line]


@pytest.mark.parametrize("relation", sorted(EXPECTED))
def test_one_side_gives_the_canonical_triple(relation, tmp_path):
    # Record 100 is a dissertation only where the dissertation pair needs it to be the container.
    holder_type = "dissertation" if relation == "part_of_dissertation" else "journal_article"
    records = [record("100", type=holder_type, **link(relation, "200")), record("200")]
    out = tmp_path / "out.nt"
    convert([str(write_json(tmp_path / "in.json", records))], str(out), options=repo_options())
    expected = EXPECTED[relation]
    assert link_lines(out) == ([" ".join(expected) + " ."] if expected else [])


@pytest.mark.parametrize("relation", sorted(OPPOSITE))
def test_both_sides_give_the_triple_once(relation, tmp_path):
    types = {"100": "journal_article", "200": "journal_article"}
    if relation in {"part_of_dissertation", "dissertation_contains"}:
        types["100" if relation == "part_of_dissertation" else "200"] = "dissertation"
    records = [
        record("100", type=types["100"], **link(relation, "200")),
        record("200", type=types["200"], **link(OPPOSITE[relation], "100")),
    ]
    out = tmp_path / "out.nt"
    convert([str(write_json(tmp_path / "in.json", records))], str(out), options=repo_options())
    assert link_lines(out) == [" ".join(EXPECTED[relation]) + " ."]
    quads = tmp_path / "out.nq"
    convert([str(tmp_path / "in.json")], str(quads), options=repo_options())
    # Each record's own graph says the link (so either graph can be replaced alone).
    graphs = {line.rsplit(" ", 2)[-2] for line in link_lines(quads)}
    assert graphs == {A, X}


def test_dissertation_is_the_container_even_when_stored_the_wrong_way_round():
    graph = map_one(record("100", type="journal_article", **link("part_of_dissertation", "200")))
    [(subject, _, obj)] = graph.shared_triples()
    assert (subject, obj) == (f"{B}/record/200", f"{B}/record/100")
    assert "contradicts the record type" in graph.warnings[0].reason


@pytest.mark.parametrize("status", ["private", "deleted", "returned", "new", None])
def test_links_to_non_public_records_are_dropped(status):
    graph = map_one(record("100", **link("cites", "200", status)))
    assert graph.shared_triples() == []


def test_web_links():
    graph = map_one(
        record(
            "100",
            related_material={
                "link": [{"url": "https://example.org/data", "relation": "research_data"}, {"url": "not a url"}]
            },
            link="https://biblio.ugent.be/publication/1",
        )
    )
    objects = {str(o) for _, p, o in graph.own if p.endswith("seeAlso")}
    assert objects == {"https://example.org/data", "https://biblio.ugent.be/publication/1"}
    assert "not a usable URL" in graph.warnings[0].reason


def repo_options():
    return MappingOptions(base=B)
