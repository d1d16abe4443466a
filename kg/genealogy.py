"""Academic genealogy pictures: the doctoral-advisor network around one person, drawn with Graphviz.

The network is collected with the catalogue's one-level queries (`advisors`, `students`) and
the generation engine of kg.query, so it shows exactly what `kg query ancestors/descendants`
answer. Edges run advisor → student; edges of a thesis with several supervisors are dashed
(co-supervision); edges inside a cycle (bad data) are red; the person asked about is highlighted.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from kg.query import (
    QUERY_DIR,
    Backend,
    QueryError,
    ResultTerm,
    Step,
    bind_values,
    cycle_warnings,
    find_cycles,
    find_query,
    generations,
    plain_value,
    select_for_people,
)
from kg.rdf import IRI, Literal

OUTPUT_SUFFIXES = (".svg", ".png", ".dot", ".gv")


@dataclass
class Edge:
    advisor: IRI
    student: IRI
    thesis: IRI | None
    year: str


@dataclass
class Genealogy:
    # The person the picture is about; None for a whole supervision network.
    center: IRI | None
    names: dict[IRI, str] = field(default_factory=dict)
    # Years of each person's own doctoral theses.
    years: dict[IRI, set[str]] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    cycles: list[list[IRI]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    title: str = ""
    _edge_keys: set = field(default_factory=set, repr=False)  # type: ignore[type-arg]

    @property
    def people(self) -> list[IRI]:
        """The person asked about first, then everyone else by IRI (a stable order for stable output)."""
        others = sorted(({e.advisor for e in self.edges} | {e.student for e in self.edges}) - {self.center})
        return others if self.center is None else [self.center, *others]

    def add_edge(self, edge: Edge) -> None:
        key = (edge.advisor, edge.student, edge.thesis)
        if key not in self._edge_keys:
            self._edge_keys.add(key)
            self.edges.append(edge)


def _text(term: ResultTerm | None) -> str:
    return plain_value(term) if term is not None else ""


def collect(
    backend: Backend,
    person: IRI,
    up: bool = True,
    down: bool = True,
    depth: int | None = None,
    directory: Path = QUERY_DIR,
) -> Genealogy:
    """The advisors above and/or the students below *person*, up to *depth* generations."""
    advisors = find_query("advisors", directory)
    students = find_query("students", directory)
    picture = Genealogy(person)
    if up:
        walk = generations(backend, advisors, "advisor", person, depth)
        for step in walk.steps:
            picture.add_edge(Edge(step.target, step.source, _iri(step.row.get("thesis")), _text(step.row.get("year"))))
    if down:
        walk = generations(backend, students, "student", person, depth)
        for step in walk.steps:
            picture.add_edge(Edge(step.source, step.target, _iri(step.row.get("thesis")), _text(step.row.get("year"))))
    # Each person's own doctoral theses: their years for the label, and every supervisor of a
    # thesis already drawn, so that co-supervisors outside the walk still show.
    drawn = {e.thesis for e in picture.edges if e.thesis}
    for row in select_for_people(backend, advisors, picture.people):
        member = row["person"]
        if type(member) is IRI:
            year = _text(row.get("year"))
            if year:
                picture.years.setdefault(member, set()).add(year)
            thesis, advisor = _iri(row.get("thesis")), _iri(row.get("advisor"))
            if thesis in drawn and advisor is not None:
                picture.add_edge(Edge(advisor, member, thesis, year))
    picture.names = _names(backend, picture.people)
    # Cycles among everything drawn (co-supervisor edges included), advisor → student.
    picture.cycles = find_cycles(Step(e.advisor, e.student, {}) for e in picture.edges)
    picture.warnings = cycle_warnings(picture.cycles, picture.names)
    return picture


def collect_network(
    backend: Backend, department: IRI | None = None, label: str | None = None, directory: Path = QUERY_DIR
) -> Genealogy:
    """Every doctoral advisor edge (of one department's theses), from the supervision-network query."""
    query = find_query("supervision-network", directory)
    result = backend.select(bind_values(query.sparql, {"department": department} if department else {}))
    picture = Genealogy(None, title="Supervision network" + (f" of {label or department}" if department else ""))
    for row in result.rows:
        advisor, student = _iri(row.get("advisor")), _iri(row.get("student"))
        if advisor is None or student is None:
            continue
        year = _text(row.get("year"))
        picture.add_edge(Edge(advisor, student, _iri(row.get("thesis")), year))
        if year:
            picture.years.setdefault(student, set()).add(year)
        for person, name in ((advisor, row.get("advisor_name")), (student, row.get("student_name"))):
            if isinstance(name, Literal) and name.value:
                picture.names.setdefault(person, name.value)
    for person in picture.people:
        picture.names.setdefault(person, re.split(r"[/#]", person.rstrip("/"))[-1])
    picture.cycles = find_cycles(Step(e.advisor, e.student, {}) for e in picture.edges)
    picture.warnings = cycle_warnings(picture.cycles, picture.names)
    return picture


def _iri(term: ResultTerm | None) -> IRI | None:
    return term if type(term) is IRI else None


_NAME_QUERY = """
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
SELECT ?person (MIN(?name) AS ?label) WHERE { ?person foaf:name ?name } GROUP BY ?person
"""


def _names(backend: Backend, people: list[IRI]) -> dict[IRI, str]:
    """Each person's name (the smallest, when records spell it differently), else the IRI's last segment."""
    names = {person: re.split(r"[/#]", person.rstrip("/"))[-1] for person in people}
    for row in select_for_people(backend, _NAME_QUERY, people):
        label = row.get("label")
        if type(row.get("person")) is IRI and isinstance(label, Literal) and label.value:
            names[row["person"]] = label.value
    return names


# --- DOT ---------------------------------------------------------------------------------------------


def dot_string(text: str) -> str:
    """A DOT double-quoted string: backslashes and quotes escaped, line breaks as \\n."""
    text = re.sub(r"[\x00-\x09\x0b-\x1f\x7f]", " ", text)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(picture: Genealogy) -> str:
    ids = {person: f"p{index}" for index, person in enumerate(picture.people)}
    in_cycle = {(a, b) for cycle in picture.cycles for a, b in zip(cycle, cycle[1:] + cycle[:1], strict=True)}
    title = picture.title or "Academic genealogy of " + picture.names.get(picture.center, picture.center or "")
    lines = [
        "digraph genealogy {",
        f'  graph [rankdir=TB, labelloc=t, fontname="Helvetica", fontsize=16, label={dot_string(title)}];',
        '  node [shape=box, style="rounded,filled", fillcolor="#f4f4f4", color="#888888", fontname="Helvetica"];',
        '  edge [color="#444444", arrowsize=0.7, fontname="Helvetica", fontsize=10];',
    ]
    for person, node in ids.items():
        name = picture.names.get(person, person)
        years = sorted(picture.years.get(person, ()))
        label = name + ("\nPhD " + ", ".join(years) if years else "")
        attributes = [f"label={dot_string(label)}", f"tooltip={dot_string(str(person))}"]
        if person == picture.center:
            attributes += ['fillcolor="#ffd966"', 'color="#b45f06"', "penwidth=2.5", 'fontname="Helvetica-Bold"']
        lines.append(f"  {node} [{', '.join(attributes)}];")
    supervisors: dict[IRI, set[IRI]] = {}
    for edge in picture.edges:
        if edge.thesis:
            supervisors.setdefault(edge.thesis, set()).add(edge.advisor)
    for edge in sorted(picture.edges, key=lambda e: (e.advisor, e.student, e.thesis or "")):
        attributes: dict[str, str] = {}
        if edge.year:
            attributes["tooltip"] = dot_string(f"thesis {edge.year}")
        if edge.thesis and len(supervisors[edge.thesis]) > 1:
            attributes.update(style="dashed", color='"#1f77b4"')
        # Edges of a cycle (bad data: a student who advised their own advisor) are drawn red.
        if (edge.advisor, edge.student) in in_cycle or (edge.student, edge.advisor) in in_cycle:
            attributes.update(color='"#d62728"', penwidth="2")
        listed = ", ".join(f"{key}={value}" for key, value in attributes.items())
        lines.append(f"  {ids[edge.advisor]} -> {ids[edge.student]}" + (f" [{listed}]" if listed else "") + ";")
    lines += [
        "  subgraph cluster_legend {",
        '    label="Legend"; fontsize=10; color="#cccccc";',
        '    node [shape=plaintext, style="", fontsize=9];',
        '    legend_a [label="advisor"]; legend_b [label="student"];',
        '    legend_c [label="co-supervisor"]; legend_d [label="co-supervised student"];',
        "    legend_a -> legend_b;",
        '    legend_c -> legend_d [style=dashed, color="#1f77b4"];',
    ]
    if picture.cycles:
        lines += [
            '    legend_e [label="cycle"]; legend_f [label="(bad data)"];',
            '    legend_e -> legend_f [color="#d62728", penwidth=2];',
        ]
    lines += ["  }", "}"]
    return "\n".join(lines) + "\n"


def write_picture(picture: Genealogy, output: str) -> None:
    """Write DOT text (.dot/.gv) or have Graphviz draw it (.svg/.png)."""
    suffix = Path(output).suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        raise QueryError(f"{output}: choose an output ending in {', '.join(OUTPUT_SUFFIXES)}")
    dot_text = to_dot(picture)
    if suffix in (".dot", ".gv"):
        Path(output).write_text(dot_text, encoding="utf-8")
        return
    dot = shutil.which("dot")
    if dot is None:
        raise QueryError("Graphviz 'dot' is not installed (apt-get install graphviz); or write a .dot file")
    completed = subprocess.run(
        [dot, f"-T{suffix[1:]}", "-o", output], input=dot_text.encode("utf-8"), capture_output=True, timeout=120
    )
    if completed.returncode != 0:
        raise QueryError(f"dot failed: {completed.stderr.decode('utf-8', 'replace').strip()}")
