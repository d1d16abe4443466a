"""Every class and property kg emits is defined in ontologies/, and kg's own terms are documented."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import corpus_files

from kg.mapping import MappingContext
from kg.pipeline import Mapped, process
from kg.read import read_records
from kg.vocab import KG, PREFIXES, emitted_terms

ONTOLOGIES = Path(__file__).resolve().parent.parent / "ontologies"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
MEMBERSHIP = "http://www.w3.org/1999/02/22-rdf-syntax-ns#_"


@pytest.fixture(scope="module")
def defined() -> ox.Store:
    store = ox.Store()
    for path in sorted(ONTOLOGIES.glob("*.ttl")):
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    return store


def is_defined(store: ox.Store, iri: str) -> bool:
    return any(True for _ in store.quads_for_pattern(ox.NamedNode(iri), None, None))


def emitted_classes_and_properties():
    classes, properties = set(), set()
    for outcome in process(read_records([str(p) for p in corpus_files()]), MappingContext()):
        if isinstance(outcome, Mapped):
            for _, predicate, obj in outcome.graph.triples():
                properties.add(str(predicate))
                if predicate == RDF_TYPE:
                    classes.add(str(obj))
    return classes, properties


def test_every_emitted_class_and_property_is_defined(defined):
    classes, properties = emitted_classes_and_properties()
    assert len(classes) > 15 and len(properties) > 50
    missing = sorted(
        term for term in classes | properties if not term.startswith(MEMBERSHIP) and not is_defined(defined, term)
    )
    assert missing == []
    # rdf:_1, rdf:_2 … are instances of the declared rdfs:ContainerMembershipProperty.
    assert is_defined(defined, "http://www.w3.org/2000/01/rdf-schema#ContainerMembershipProperty")


def test_every_term_in_the_vocabulary_module_is_defined(defined):
    # XML Schema datatypes are defined by XSD itself, not by an RDF vocabulary.
    terms = [term for term in emitted_terms() if not term.startswith(PREFIXES["xsd"])]
    missing = sorted(str(term) for term in terms if not is_defined(defined, term))
    assert missing == []


def test_own_terms_have_label_comment_and_alignment(defined):
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    comment = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
    alignments = {
        ox.NamedNode(iri)
        for iri in (
            "http://www.w3.org/2000/01/rdf-schema#subPropertyOf",
            "http://www.w3.org/2000/01/rdf-schema#seeAlso",
            "http://www.w3.org/2004/02/skos/core#closeMatch",
        )
    }
    for term in KG.terms():
        node = ox.NamedNode(term)
        predicates = {q.predicate for q in defined.quads_for_pattern(node, None, None)}
        assert label in predicates and comment in predicates, term
        assert predicates & alignments, f"{term} has no alignment to a standard term"


def test_jsonld_context_matches_the_prefixes():
    import json

    context = json.loads((Path(__file__).resolve().parent.parent / "kg" / "context.jsonld").read_text())
    assert context["@context"] == PREFIXES
