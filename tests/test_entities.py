"""Department and project records (LibreCat's other exports) give names, hierarchy and funding."""

from __future__ import annotations

from conftest import CORPORA, run_kg

from kg.mapping import MappingContext, MappingOptions
from kg.pipeline import Mapped, process
from kg.rdf import nt_term
from kg.read import read_records

ENTITIES = CORPORA / "entities"
B = "https://repository.example.org"


def lines(kind: str, path) -> set[str]:
    context = MappingContext(MappingOptions(kind=kind))
    out = set()
    for outcome in process(read_records([str(path)]), context):
        assert isinstance(outcome, Mapped), outcome
        out |= {" ".join(nt_term(t) for t in triple) for triple in outcome.graph.triples()}
    return out


def test_department_records_name_units_and_their_parents():
    text = lines("department", ENTITIES / "librecat_repo_devel_department.json")
    assert f'<{B}/department/99992> <http://xmlns.com/foaf/0.1/name> "Game Theory"' in text
    # `tree` lists ancestors nearest first: Game Theory is part of Applied Mathematics.
    assert f"<{B}/department/99992> <http://www.w3.org/ns/org#subOrganizationOf> <{B}/department/99991>" in text
    assert not any(line.startswith(f"<{B}/department/1> <http://www.w3.org/ns/org#subOrganizationOf>") for line in text)


def test_project_records_give_grants_funders_and_dates():
    text = lines("project", ENTITIES / "librecat_repo_devel_project_sample.json")
    project, grant = f"<{B}/project/41K07811>", f"<{B}/grant/fp7-ideas-erc/284126>"
    assert f'{project} <http://purl.org/cerif/frapo/hasAcronym> "KONGOKING"' in text
    assert (
        f'{project} <http://purl.org/cerif/frapo/hasStartDate> "2012-01-01"^^<http://www.w3.org/2001/XMLSchema#date>'
        in text
    )
    assert f"{project} <http://purl.org/cerif/frapo/isFundedBy> {grant}" in text
    assert f"{grant} <http://purl.org/cerif/frapo/isFundedBy> <{B}/funder/european-commission>" in text
    assert f"<{B}/funder/ugent> <http://purl.org/cerif/frapo/funds> <{B}/grant/tag1-tag2-tag3/101>" in text
    # Administrative fields stay internal.
    assert not any("1222144" in line or "Franck" in line for line in text)


def test_kind_option_on_the_command_line(tmp_path):
    out = tmp_path / "departments.nt"
    result = run_kg(
        "convert", "--kind", "department", str(ENTITIES / "librecat_repo_devel_department.json"), "-o", str(out)
    )
    assert result.returncode == 0, result.stderr
    assert b"9 written" in result.stderr
    assert '"Fakult\u00e4t f\u00fcr Biologie"' in out.read_text(encoding="utf-8")
