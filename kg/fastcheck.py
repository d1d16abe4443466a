"""A fast per-record SHACL checker for the core constraints kg's shapes use.

pyshacl (kg.check) validates ~250 record graphs a second: most of its time goes into
building an rdflib graph per record and walking its generic engine. The shapes are
fixed per run, so ``FastShapes`` compiles them once into plain Python closures and
evaluates them on a record's triples (``RecordGraph.triples()``: kg.rdf terms) through a
small per-record index — no rdflib on the hot path.

It supports exactly the SHACL features kg's shapes use: node and property shapes;
targets sh:targetClass, sh:targetNode, sh:targetSubjectsOf, sh:targetObjectsOf; paths
that are a predicate, an sh:alternativePath of predicates or an sh:inversePath of one;
sh:class, sh:datatype, sh:nodeKind, sh:minCount, sh:maxCount, sh:in, sh:pattern
(+ sh:flags), sh:hasValue, sh:or, sh:not, sh:qualifiedValueShape with
sh:qualifiedMinCount/MaxCount; sh:severity, sh:message, sh:name. Its findings equal
pyshacl's per-record findings (``Shapes.check_record``) — tests/test_fastcheck.py
compares them result by result on every test corpus and on broken records.

Shapes with SPARQL-based constraints (the doctoral-advisor cycle) are whole-graph
checks by design, skipped per record by pyshacl too (see kg.check): they are listed in
``whole_graph_only`` and decided by ``kg validate``. A shape using any other feature is
listed in ``unsupported``; callers then fall back to pyshacl (kg convert does).

sh:class looks at rdf:type in the record graph only. SHACL also follows rdfs:subClassOf
in the data graph, but kg's graphs hold no subClassOf triples, so this equals pyshacl.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Final, cast

import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH

from kg.check import _SEVERITY_NAMES, Finding, _short, _show_value, load_shapes_graph, problems_of, to_rdflib
from kg.mapping.model import Problem, RecordGraph
from kg.rdf import IRI, RDF_LANG_STRING, XSD, XSD_STRING, Literal, is_literal, literal
from kg.terms import BlankNode

RDF_TYPE = IRI(str(RDF.type))
RDFS_LITERAL = "http://www.w3.org/2000/01/rdf-schema#Literal"
RDFS_DATATYPE = "http://www.w3.org/2000/01/rdf-schema#Datatype"


Node = IRI | Literal | BlankNode
# subject → predicate → objects (a set: an RDF graph holds each triple once); when a shape has an
# inverse path, also (object,) → predicate → subjects: a plain 1-tuple, which no node is.
Index = dict[object, dict[str, set[Node]]]
Values = set[Node] | list[Node]


# The compiled tests are small native classes: mypyc calls their method through a vtable, where a
# closure went through Python's call protocol.
class ValueTest:
    """A test of one value node: one result per failing value."""

    def passes(self, value: Node, index: Index) -> bool:
        raise NotImplementedError


class FocusTest:
    """A test of the focus node's value set as a whole: one result without a value."""

    def passes(self, focus: Node, found: Values, index: Index) -> bool:
        raise NotImplementedError


class ValuesOf:
    """The value nodes a shape's path reaches from a focus node; without a path, the focus itself."""

    def of(self, focus: Node, index: Index) -> Values:
        return [focus]


# Shape-level predicates the compiler understands; any other sh: predicate makes a shape unsupported.
_TARGETS = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf}
_DESCRIPTIVE = {SH.name, SH.message, SH.severity, SH.description, SH.order, SH.group}
_CONSTRAINTS = {
    SH["class"],
    SH.datatype,
    SH.nodeKind,
    SH.minCount,
    SH.maxCount,
    SH["in"],
    SH.pattern,
    SH.flags,
    SH.hasValue,
    SH["or"],
    SH["not"],
    SH.qualifiedValueShape,
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
}
_SUPPORTED = _TARGETS | _DESCRIPTIVE | _CONSTRAINTS | {SH.path}


def _sh_name(predicate: rdflib.term.Node) -> str:
    text = str(predicate)
    return "sh:" + text[len(str(SH)) :] if text.startswith(str(SH)) else _short(predicate)


class Unsupported(Exception):
    """A shape uses a SHACL feature the fast checker does not compile."""


# --------------------------------------------------------------------------- terms


def normalise(term: Node) -> Node:
    """The term as an RDF graph holds it: xsd:string literals plain, language-tagged ones without datatype."""
    if is_literal(term):
        value, datatype, lang = term  # type: ignore[misc]
        if lang or datatype == XSD_STRING:
            return literal(value, None, lang)
    return term


def is_blank(node: Node) -> bool:
    return type(node) is BlankNode


def from_rdflib(term: rdflib.term.Node) -> Node:
    """An rdflib term as a fast-checker node (for data that was parsed with rdflib)."""
    if isinstance(term, rdflib.URIRef):
        return IRI(term)
    if isinstance(term, rdflib.BNode):
        return BlankNode(term)
    if isinstance(term, rdflib.Literal):
        return normalise(literal(str(term), str(term.datatype) if term.datatype else None, term.language))
    raise Unsupported(f"unsupported term {term!r}")


def _as_rdflib(node: Node) -> rdflib.term.Node:
    return rdflib.BNode(node) if type(node) is BlankNode else to_rdflib(node)  # type: ignore[arg-type]


def _shown(node: Node) -> str:
    return str(node) if type(node) is BlankNode else _show_value(_as_rdflib(node))


def _focus_text(node: Node) -> str:
    return str(_as_rdflib(node))  # rdflib's str() of a literal is its (normalised) lexical form


# --------------------------------------------------------------------------- datatypes


def _valid_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _valid_datetime(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


# Lexical forms that are surely well-typed for rdflib, checked without building an rdflib
# literal; anything else asks rdflib (as pyshacl does), once per distinct literal.
_DATE_FORM: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME_FORM: Final = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})?")


def _lexical_date(value: str) -> bool:
    return bool(_DATE_FORM.fullmatch(value)) and _valid_date(value)


def _lexical_datetime(value: str) -> bool:
    return bool(_DATETIME_FORM.fullmatch(value)) and _valid_datetime(value)


def _lexical(pattern: str) -> Callable[[str], bool]:
    form = re.compile(pattern)

    def test(value: str) -> bool:
        return form.fullmatch(value) is not None

    return test


_FAST_LEXICAL: Final[dict[str, Callable[[str], bool]]] = {
    XSD + "date": _lexical_date,
    XSD + "dateTime": _lexical_datetime,
    XSD + "nonNegativeInteger": _lexical(r"[0-9]+"),
    XSD + "integer": _lexical(r"-?[0-9]+"),
    XSD + "gYear": _lexical(r"[1-9][0-9]{3}"),
    XSD + "gYearMonth": _lexical(r"[1-9][0-9]{3}-(?:0[1-9]|1[0-2])"),
    XSD + "hexBinary": _lexical(r"(?:[0-9A-Fa-f]{2})*"),
}
_RDFLIB_VERDICTS: dict[tuple[str, str], bool] = {}


def _well_typed_by_rdflib(value: str, datatype: str) -> bool:
    key = (value, datatype)
    verdict = _RDFLIB_VERDICTS.get(key)
    if verdict is None:
        from pyshacl.constraints.core.value_constraints import DatatypeConstraintComponent

        term = rdflib.Literal(value, datatype=rdflib.URIRef(datatype))
        verdict = getattr(term, "ill_typed", None) is not True and bool(
            DatatypeConstraintComponent._assert_actual_datatype(None, term, rdflib.URIRef(datatype))  # type: ignore[arg-type]
        )
        if len(_RDFLIB_VERDICTS) < 100_000:
            _RDFLIB_VERDICTS[key] = verdict
    return verdict


def _well_typed(value: str, datatype: str) -> bool:
    fast = _FAST_LEXICAL.get(datatype)
    if fast is not None and fast(value):
        return True
    return _well_typed_by_rdflib(value, datatype)


class DatatypeTest(ValueTest):
    """pyshacl's sh:datatype semantics (DatatypeConstraintComponent) for one datatype IRI."""

    def __init__(self, rule: str) -> None:
        self.rule = rule

    def passes(self, value: Node, index: Index) -> bool:
        if not is_literal(value):
            return False
        rule = self.rule
        lexical, datatype, lang = value
        if lang:
            return rule in (RDF_LANG_STRING, RDFS_LITERAL)
        if datatype is None:
            return rule in (XSD_STRING, RDFS_LITERAL)
        if datatype == rule:
            return _well_typed(lexical, datatype)
        return rule in (RDFS_LITERAL, RDFS_DATATYPE)


_NODE_KINDS: dict[rdflib.URIRef, tuple[bool, bool, bool]] = {
    # (IRI, blank node, literal) allowed
    SH.IRI: (True, False, False),
    SH.BlankNode: (False, True, False),
    SH.Literal: (False, False, True),
    SH.BlankNodeOrIRI: (True, True, False),
    SH.BlankNodeOrLiteral: (False, True, True),
    SH.IRIOrLiteral: (True, False, True),
}


class NodeKindTest(ValueTest):
    def __init__(self, rule: rdflib.term.Node) -> None:
        if rule not in _NODE_KINDS:
            raise Unsupported(f"sh:nodeKind {rule}")
        self.iri_ok, self.blank_ok, self.literal_ok = _NODE_KINDS[rule]  # type: ignore[index]

    def passes(self, value: Node, index: Index) -> bool:
        kind = type(value)
        return self.iri_ok if kind is IRI else self.blank_ok if kind is BlankNode else self.literal_ok


# --------------------------------------------------------------------------- compiled shapes


@dataclass
class CompiledShape:
    iri: str
    values: ValuesOf
    value_tests: list[ValueTest]
    focus_tests: list[FocusTest]
    # what a result reports (top-level shapes only)
    path: str | None = None
    severity: str = "Violation"
    message: str = ""
    shape_name: str = ""

    def conforms(self, focus: Node, index: Index) -> bool:
        values = self.values.of(focus, index)
        for focus_test in self.focus_tests:
            if not focus_test.passes(focus, values, index):
                return False
        for value_test in self.value_tests:
            for value in values:
                if not value_test.passes(value, index):
                    return False
        return True

    def results(self, focus: Node, index: Index) -> list[Node | None]:
        """One entry per validation result: the failing value node, or None for focus-level ones."""
        values = self.values.of(focus, index)
        found: list[Node | None] = []
        for focus_test in self.focus_tests:
            if not focus_test.passes(focus, values, index):
                found.append(None)
        for value_test in self.value_tests:
            for value in values:
                if not value_test.passes(value, index):
                    found.append(value)
        return found


class _Compiler:
    def __init__(self, graph: rdflib.Graph) -> None:
        self.graph = graph
        self.uses_inverse = False

    def items(self, head: rdflib.term.Node) -> list[rdflib.term.Node]:
        return list(Collection(self.graph, head))

    def one(self, shape: rdflib.term.Node, predicate: rdflib.URIRef) -> rdflib.term.Node | None:
        values = list(self.graph.objects(shape, predicate))
        if len(values) > 1:
            raise Unsupported(f"more than one {_sh_name(predicate)}")
        return values[0] if values else None

    def path(self, shape: rdflib.term.Node) -> tuple[ValuesOf, str | None]:
        path = self.one(shape, SH.path)
        if path is None:
            return ValuesOf(), None
        if isinstance(path, rdflib.URIRef):
            return _Objects(str(path)), _short(path)
        alternatives = self.graph.value(path, SH.alternativePath)
        inverse = self.graph.value(path, SH.inversePath)
        if alternatives is not None and set(self.graph.predicates(path, None)) == {SH.alternativePath}:
            predicates = [str(p) for p in self.items(alternatives)]
            if not predicates or not all(isinstance(p, rdflib.URIRef) for p in self.items(alternatives)):
                raise Unsupported("sh:alternativePath other than a list of predicates")
            return _AlternativeObjects(predicates), None
        if isinstance(inverse, rdflib.URIRef) and set(self.graph.predicates(path, None)) == {SH.inversePath}:
            self.uses_inverse = True
            return _Subjects(str(inverse)), None
        raise Unsupported("a property path other than a predicate, sh:alternativePath or sh:inversePath")

    def shape(self, node: rdflib.term.Node, top_level: bool) -> CompiledShape:
        graph = self.graph
        for predicate in set(graph.predicates(node, None)):
            if str(predicate).startswith(str(SH)) and predicate not in _SUPPORTED:
                raise Unsupported(_sh_name(predicate))
        if not top_level and (set(graph.objects(node, SH.severity)) - {SH.Violation}):
            raise Unsupported("sh:severity on a nested shape")
        values, path_name = self.path(node)
        value_tests: list[ValueTest] = []
        focus_tests: list[FocusTest] = []
        for cls in graph.objects(node, SH["class"]):
            value_tests.append(_ClassTest(str(cls)))
        datatype = self.one(node, SH.datatype)
        if datatype is not None:
            value_tests.append(DatatypeTest(str(datatype)))
        kind = self.one(node, SH.nodeKind)
        if kind is not None:
            value_tests.append(NodeKindTest(kind))
        minimum = self.one(node, SH.minCount)
        if minimum is not None:
            focus_tests.append(_CountTest(_integer(minimum), None))
        maximum = self.one(node, SH.maxCount)
        if maximum is not None:
            focus_tests.append(_CountTest(None, _integer(maximum)))
        for head in graph.objects(node, SH["in"]):
            value_tests.append(_InTest(frozenset(from_rdflib(term) for term in self.items(head))))
        flags = self.one(node, SH.flags)
        re_flags = 0
        if flags is not None:
            text = str(flags).lower()
            re_flags = (re.I if "i" in text else 0) | (re.M if "m" in text else 0)
        for pattern in graph.objects(node, SH.pattern):
            value_tests.append(_PatternTest(re.compile(str(pattern), re_flags)))
        for wanted in graph.objects(node, SH.hasValue):
            focus_tests.append(_HasValueTest(from_rdflib(wanted)))
        for head in graph.objects(node, SH["or"]):
            options = [self.shape(member, top_level=False) for member in self.items(head)]
            value_tests.append(_OrTest(options))
        for negated in graph.objects(node, SH["not"]):
            value_tests.append(_NotTest(self.shape(negated, top_level=False)))
        qualified = self.one(node, SH.qualifiedValueShape)
        if qualified is not None:
            inner = self.shape(qualified, top_level=False)
            qualified_min = self.one(node, SH.qualifiedMinCount)
            qualified_max = self.one(node, SH.qualifiedMaxCount)
            if qualified_max is not None:
                focus_tests.append(_QualifiedTest(inner, None, _integer(qualified_max)))
            if qualified_min is not None:
                focus_tests.append(_QualifiedTest(inner, _integer(qualified_min), None))
        elif self.one(node, SH.qualifiedMinCount) is not None or self.one(node, SH.qualifiedMaxCount) is not None:
            raise Unsupported("sh:qualifiedMinCount without sh:qualifiedValueShape")
        return CompiledShape(str(node), values, value_tests, focus_tests, path=path_name)


_EMPTY: Final[set[Node]] = set()


def _integer(term: rdflib.term.Node) -> int:
    return int(term)  # type: ignore[call-overload]


class _Objects(ValuesOf):
    def __init__(self, predicate: str) -> None:
        self.predicate = predicate

    def of(self, focus: Node, index: Index) -> Values:
        described = index.get(focus)
        return described.get(self.predicate, _EMPTY) if described else _EMPTY


class _AlternativeObjects(ValuesOf):
    def __init__(self, predicates: list[str]) -> None:
        self.predicates = predicates

    def of(self, focus: Node, index: Index) -> Values:
        described = index.get(focus)
        if not described:
            return _EMPTY
        found: set[Node] = set()
        for predicate in self.predicates:
            found.update(described.get(predicate, ()))
        return found


class _Subjects(ValuesOf):
    """The inverse path of a predicate: the subjects that point at the focus."""

    def __init__(self, predicate: str) -> None:
        self.predicate = predicate

    def of(self, focus: Node, index: Index) -> Values:
        pointing = index.get((focus,))
        return pointing.get(self.predicate, _EMPTY) if pointing else _EMPTY


class _CountTest(FocusTest):
    def __init__(self, least: int | None, most: int | None) -> None:
        self.least = least
        self.most = most

    def passes(self, focus: Node, found: Values, index: Index) -> bool:
        count = len(found)
        return (self.least is None or count >= self.least) and (self.most is None or count <= self.most)


class _HasValueTest(FocusTest):
    def __init__(self, expected: Node) -> None:
        self.expected = expected

    def passes(self, focus: Node, found: Values, index: Index) -> bool:
        return self.expected in found


class _QualifiedTest(FocusTest):
    def __init__(self, inner: CompiledShape, least: int | None, most: int | None) -> None:
        self.inner = inner
        self.least = least
        self.most = most

    def passes(self, focus: Node, found: Values, index: Index) -> bool:
        count = 0
        for value in found:
            if self.inner.conforms(value, index):
                count += 1
        return (self.least is None or count >= self.least) and (self.most is None or count <= self.most)


class _InTest(ValueTest):
    def __init__(self, allowed: frozenset[Node]) -> None:
        self.allowed = allowed

    def passes(self, value: Node, index: Index) -> bool:
        return value in self.allowed


class _NotTest(ValueTest):
    def __init__(self, inner: CompiledShape) -> None:
        self.inner = inner

    def passes(self, value: Node, index: Index) -> bool:
        return not self.inner.conforms(value, index)


class _ClassTest(ValueTest):
    def __init__(self, cls: str) -> None:
        self.cls = cls

    def passes(self, value: Node, index: Index) -> bool:
        if is_literal(value):
            return False
        described = index.get(value)
        return described is not None and self.cls in described.get(RDF_TYPE, _EMPTY)


class _PatternTest(ValueTest):
    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.search = pattern.search

    def passes(self, value: Node, index: Index) -> bool:
        kind = type(value)
        if kind is BlankNode:
            return False
        if kind is not IRI:  # a literal
            return self.search(_focus_text(value) if value[1] else value[0]) is not None  # type: ignore[index]
        return self.search(value) is not None  # type: ignore[arg-type]


class _OrTest(ValueTest):
    def __init__(self, options: list[CompiledShape]) -> None:
        self.options = options

    def passes(self, value: Node, index: Index) -> bool:
        return any(option.conforms(value, index) for option in self.options)


# --------------------------------------------------------------------------- the checker


class FastShapes:
    """kg's shapes compiled into Python checks, applied to one record graph at a time."""

    def __init__(self, directory: str | Path | None = None, graph: rdflib.Graph | None = None) -> None:
        self.graph = graph if graph is not None else load_shapes_graph(directory)
        self.unsupported: list[str] = []  # "shape: feature"
        self.whole_graph_only: list[str] = []  # SPARQL-based shapes, decided by kg validate
        self.shapes: list[CompiledShape] = []
        compiler = _Compiler(self.graph)
        for node in self._top_level_shapes():
            if (node, SH.sparql, None) in self.graph:
                self.whole_graph_only.append(str(node))
                continue
            try:
                shape = compiler.shape(node, top_level=True)
                self._describe(shape, node)
            except (Unsupported, ValueError, re.error) as exc:
                self.unsupported.append(f"{_short(node)}: {exc}")
                continue
            self.shapes.append(shape)
        self._uses_inverse = compiler.uses_inverse
        self._by_class: dict[str, list[int]] = {}
        self._by_subject_of: dict[str, list[int]] = {}
        self._by_object_of: dict[str, list[int]] = {}
        self._by_node: dict[Node, list[int]] = {}
        for number, shape in enumerate(self.shapes):
            node = rdflib.URIRef(shape.iri)
            for cls in self.graph.objects(node, SH.targetClass):
                self._by_class.setdefault(str(cls), []).append(number)
            for predicate in self.graph.objects(node, SH.targetSubjectsOf):
                self._by_subject_of.setdefault(str(predicate), []).append(number)
            for predicate in self.graph.objects(node, SH.targetObjectsOf):
                self._by_object_of.setdefault(str(predicate), []).append(number)
            for target in self.graph.objects(node, SH.targetNode):
                self._by_node.setdefault(from_rdflib(target), []).append(number)

    @property
    def supported(self) -> bool:
        return not self.unsupported

    def _top_level_shapes(self) -> list[rdflib.URIRef]:
        shapes: set[rdflib.term.Node] = set()
        for target in _TARGETS:
            shapes.update(self.graph.subjects(target, None))
        for shape in shapes:
            if not isinstance(shape, rdflib.URIRef):
                self.unsupported.append(f"{shape}: a blank-node shape with targets")
        return sorted(shape for shape in shapes if isinstance(shape, rdflib.URIRef))

    def _describe(self, shape: CompiledShape, node: rdflib.term.Node) -> None:
        messages = list(self.graph.objects(node, SH.message))
        if len(messages) != 1:
            # pyshacl then writes its own per-constraint messages; not replicated here
            raise Unsupported("a shape needs exactly one sh:message")
        severities = list(self.graph.objects(node, SH.severity)) or [SH.Violation]
        if len(severities) > 1:
            raise Unsupported("more than one sh:severity")
        shape.message = str(messages[0])
        shape.severity = _SEVERITY_NAMES.get(severities[0], str(severities[0]))  # type: ignore[call-overload]
        shape.shape_name = str(self.graph.value(node, SH.name) or _short(node))

    def index(self, triples: Iterable[tuple[Node, str, Node]]) -> Index:
        """subject → predicate → objects (and, when a shape needs it, object → predicate → subjects)."""
        index: Index = {}
        inverse = self._uses_inverse
        for subject, predicate, obj in triples:
            kind = type(obj)
            if kind is not IRI and kind is not BlankNode:
                # a literal, as an RDF graph holds it: xsd:string and lang without datatype
                value, datatype, lang = obj
                if lang or datatype == XSD_STRING:
                    datatype = None
                if datatype != obj[1]:
                    obj = literal(value, datatype, lang)
            described = index.get(subject)
            if described is None:
                described = index[subject] = {}
            objects = described.get(predicate)
            if objects is None:
                described[predicate] = {obj}
            else:
                objects.add(obj)
            if inverse:
                pointing = index.setdefault((obj,), {})
                pointing.setdefault(predicate, set()).add(subject)
        return index

    def findings_of_triples(self, triples: Iterable[tuple[Node, str, Node]]) -> list[Finding]:
        """Validation results for one graph, as kg.check.Finding (sorted like kg.check does)."""
        index = self.index(triples)
        focus: set[tuple[int, Node]] = set()
        by_class, by_subject_of, by_object_of = self._by_class, self._by_subject_of, self._by_object_of
        for key, described in list(index.items()):
            if type(key) is tuple:  # the inverse index
                continue
            subject = cast(Node, key)
            for predicate, objects in described.items():
                if predicate == RDF_TYPE:
                    for cls in objects:
                        for number in by_class.get(cast(str, cls), ()):
                            focus.add((number, subject))
                for number in by_subject_of.get(predicate, ()):
                    focus.add((number, subject))
                for number in by_object_of.get(predicate, ()):
                    for obj in objects:
                        focus.add((number, obj))
        for node, numbers in self._by_node.items():
            for number in numbers:
                focus.add((number, node))
        findings = []
        shapes = self.shapes
        for number, node in focus:
            shape = shapes[number]
            failures = shape.results(node, index)
            for value in failures:
                findings.append(self._finding(shape, node, value))
        findings.sort(key=lambda f: (f.focus, f.severity != "Violation", f.shape, f.value or ""))
        return findings

    @staticmethod
    def _finding(shape: CompiledShape, focus: Node, value: Node | None) -> Finding:
        if value is not None and value == focus:
            value = None  # as kg.check: node-level results name the focus node, not a value
        return Finding(
            severity=shape.severity,
            focus=_focus_text(focus),
            path=shape.path,
            value=_shown(value) if value is not None else None,
            message=shape.message,
            shape=shape.iri,
            shape_name=shape.shape_name,
        )

    def findings(self, graph: RecordGraph) -> list[Finding]:
        return self.findings_of_triples(graph.triples())  # type: ignore[arg-type]

    def check_record(self, graph: RecordGraph) -> tuple[list[Problem], list[Problem]]:
        """Per-record validation for ``kg.pipeline.process``: (violations, warnings), as Shapes.check_record."""
        return problems_of(graph, self.findings(graph))
