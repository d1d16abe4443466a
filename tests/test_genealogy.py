"""Genealogy pictures from the hand-built fixture (see tests/test_query.py for its shape)."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET

import pytest
from conftest import GENEALOGY, run_kg

from kg.genealogy import collect, dot_string, to_dot
from kg.query import IRI, EndpointBackend, OxigraphBackend

BASE = "https://repository.example.org/"
ZOE = "person/orcid/0000-0002-7777-8887"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")

EVERYONE_AROUND_BEN = [
    "Ada Root",
    "Ben Second",
    "Cleo Second",  # co-supervisor of Dan's and Hana's theses
    "O'Neil, Zoe",  # the external co-supervisor, one node for both theses
    "Dan Third",
    "Eve Third",
    "Finn Fourth",
    "Hana Fifth",
    "Xavier Loop",
    "Yara Loop",
]


def person(local: str) -> IRI:
    return IRI(BASE + local)


def svg_text(path) -> str:
    """Every text node of an SVG, joined (entities such as &#39; decoded by the XML parser)."""
    return "\n".join(node.text or "" for node in ET.parse(path).iter() if node.tag.endswith("}text"))


@needs_dot
def test_svg_names_everyone_around_a_person(tmp_path):
    output = tmp_path / "ben.svg"
    completed = run_kg("genealogy", "ben", "--data", GENEALOGY, "-o", output)
    assert completed.returncode == 0, completed.stderr
    text = svg_text(output)
    for name in EVERYONE_AROUND_BEN:
        assert name in text
    assert "Mia Master" not in text  # a master's student is not in the doctoral genealogy
    assert "PhD 2000" in text  # Ben's own thesis year
    assert b"cycle in the doctoral-advisor graph" in completed.stderr


@needs_dot
def test_png_output(tmp_path):
    output = tmp_path / "hana.png"
    completed = run_kg("genealogy", "0000-0002-3333-4440", "--up", "--data", GENEALOGY, "-o", output)
    assert completed.returncode == 0, completed.stderr
    assert output.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_up_and_down_with_depth(embedded):
    up = collect(embedded, person("person/finn"), down=False)
    assert set(up.people) == {
        person(p) for p in ("person/finn", "person/dan", ZOE, "person/ben", "person/cleo", "person/ada")
    }
    down = collect(embedded, person("person/ben"), up=False, depth=1)
    # Dan and Eve, and the co-supervisors of their theses (Cleo, Zoe), but not Finn one level further.
    assert set(down.people) == {person(p) for p in ("person/ben", "person/dan", "person/eve", "person/cleo", ZOE)}
    edges = {(e.advisor, e.student) for e in down.edges}
    assert (person("person/cleo"), person("person/dan")) in edges
    assert (person(ZOE), person("person/eve")) in edges
    assert down.cycles == []


def test_dot_marks_co_supervision_the_person_and_the_cycle(embedded):
    picture = collect(embedded, person("person/eve"))
    dot = to_dot(picture)
    nodes = [line for line in dot.splitlines() if line.startswith("  p") and "[label=" in line]
    assert len(nodes) == len(picture.people)
    center = next(line for line in nodes if '"Eve Third\\nPhD 2009"' in line)
    assert "#ffd966" in center and "penwidth=2.5" in center
    names = {picture.names[p]: f"p{i}" for i, p in enumerate(picture.people)}
    # Ben and Zoe co-supervised Eve: dashed edges; Eve alone supervised nothing doctoral but Xavier (with Yara).
    zoe, ben, eve = names["O'Neil, Zoe"], names["Ben Second"], names["Eve Third"]
    assert f'  {ben} -> {eve} [tooltip="thesis 2009", style=dashed' in dot
    assert f'  {zoe} -> {eve} [tooltip="thesis 2009", style=dashed' in dot
    xavier, yara = names["Xavier Loop"], names["Yara Loop"]
    cycle_edge = f'  {xavier} -> {yara} [tooltip="thesis 2011", color="#d62728"'
    assert cycle_edge in dot
    assert "Mia Master" not in dot
    assert len(picture.warnings) == 1 and "Yara Loop" in picture.warnings[0]
    assert 'legend_e [label="cycle"]' in dot
    assert "legend_e" not in to_dot(collect(embedded, person("person/hana")))  # no cycle around Hana


def test_same_picture_from_an_oxigraph_server(embedded, server):
    assert isinstance(embedded, OxigraphBackend) and isinstance(server, EndpointBackend)
    local = collect(embedded, person("person/cleo"))
    remote = collect(server, person("person/cleo"))
    assert to_dot(local) == to_dot(remote)
    assert set(local.names.values()) == {
        "Cleo Second", "Ada Root", "Dan Third", "Ben Second", "Hana Fifth", "Finn Fourth", "O'Neil, Zoe"
    }  # fmt: skip


def test_dot_labels_are_escaped(tmp_path):
    assert dot_string('A "quoted" \\ name\nPhD 2000') == '"A \\"quoted\\" \\\\ name\\nPhD 2000"'
    output = tmp_path / "out.dot"
    completed = run_kg("genealogy", "ada", "--down", "--depth", "1", "--data", GENEALOGY, "-o", output)
    assert completed.returncode == 0, completed.stderr
    text = output.read_text()
    assert text.startswith("digraph genealogy {") and "Ada Root" in text and "Dan Third" not in text


def test_genealogy_errors():
    completed = run_kg("genealogy", "nobody", "--data", GENEALOGY, "-o", "x.svg")
    assert completed.returncode == 2 and b"no person with id 'nobody'" in completed.stderr
    completed = run_kg("genealogy", "ada", "--data", GENEALOGY, "-o", "x.pdf")
    assert completed.returncode == 2 and b"choose an output ending in .svg" in completed.stderr


def test_generations_in_small_batches_give_the_same_picture(embedded, monkeypatch):
    import kg.query

    whole = collect(embedded, person("person/ben"))
    monkeypatch.setattr(kg.query, "BATCH_SIZE", 1)
    assert to_dot(collect(embedded, person("person/ben"))) == to_dot(whole)
    one_by_one = kg.query.run_query(kg.query.find_query("descendants"), {"person": "ada"}, embedded)
    monkeypatch.undo()
    assert one_by_one.rows == kg.query.run_query(kg.query.find_query("descendants"), {"person": "ada"}, embedded).rows


def test_whole_network_and_one_department(embedded, tmp_path):
    from kg.genealogy import collect_network

    network = collect_network(embedded)
    assert len(network.edges) == 13  # every doctoral edge; Mia's master thesis is not one
    assert "Mia Master" not in network.names.values()
    assert network.center is None and len(network.warnings) == 1
    lab = collect_network(embedded, person("department/OtherLab"), "OtherLab")
    assert {(network.names[e.advisor], network.names[e.student]) for e in lab.edges} == {
        ("Eve Third", "Xavier Loop"),
        ("Yara Loop", "Xavier Loop"),
        ("Xavier Loop", "Yara Loop"),
    }
    dot = to_dot(lab)
    assert 'label="Supervision network of OtherLab"' in dot
    assert "#ffd966" not in dot  # nobody is highlighted
    output = tmp_path / "lab.dot"
    completed = run_kg("genealogy", "--department", "OtherLab", "--data", GENEALOGY, "-o", output)
    assert completed.returncode == 0, completed.stderr
    assert output.read_text() == dot
    neither = run_kg("genealogy", "--data", GENEALOGY, "-o", output)
    assert neither.returncode == 2 and b"or --network" in neither.stderr
