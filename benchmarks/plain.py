#!/usr/bin/env python3
"""Plain string building: the issue's second reference point beside the floor.

    python benchmarks/plain.py CORPUS.jsonl OUT.nt

A converter with none of kg's work besides making text: each line parsed with
orjson and its common fields written as N-Triples with f-strings, in plain
Python. It checks nothing (a wrong type or a broken date goes out as it is),
drops no repeated triple, counts nothing for a dataset description, hashes
nothing and reports no reject: broken lines are skipped. Its triples are close
to kg's for the same fields (types, titles, abstracts, dates, languages,
subjects, keywords, volume/issue/pages, authors, editors and supervisors with
their names and ORCIDs, journals, departments, projects, files, DOIs,
citations) so that its speed says what building the text alone costs. It is
not kg's mapping and not a converter anyone should use: it is only a yardstick.
"""

from __future__ import annotations

import sys

import orjson

BASE = "https://repository.example.org/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
BIBO = "http://purl.org/ontology/bibo/"
XSD = "http://www.w3.org/2001/XMLSchema#"
KG = "https://w3id.org/librecat-kg/ontology#"
TYPES = {
    "journal_article": "AcademicArticle",
    "book": "Book",
    "book_chapter": "Chapter",
    "conference": "Article",
    "dissertation": "Thesis",
}


def text(value: object) -> str:
    """An N-Triples string literal's quoted text (the escapes N-Triples requires)."""
    value = str(value)
    if "\\" in value or '"' in value or "\n" in value or "\r" in value:
        value = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{value}"'


def person(lines: list[str], iri: str, entry: dict) -> None:
    lines.append(f"<{iri}> <{RDF}type> <{FOAF}Person> .\n")
    first, last = entry.get("first_name", ""), entry.get("last_name", "")
    lines.append(f"<{iri}> <{FOAF}name> {text(f'{first} {last}'.strip())} .\n")
    if first:
        lines.append(f"<{iri}> <{FOAF}givenName> {text(first)} .\n")
    if last:
        lines.append(f"<{iri}> <{FOAF}familyName> {text(last)} .\n")
    if entry.get("orcid"):
        lines.append(f"<{iri}> <http://vivoweb.org/ontology/core#orcidId> <https://orcid.org/{entry['orcid']}> .\n")


def people(lines: list[str], s: str, record: dict, field: str, predicate: str) -> None:
    entries = record.get(field)
    if not isinstance(entries, list):
        return
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            continue
        key = entry.get("id") or entry.get("orcid") or f"{entry.get('last_name', '')}-{entry.get('first_name', '')}"
        iri = f"{BASE}person/{key}"
        lines.append(f"<{s}> <{predicate}> <{iri}> .\n")
        if field == "author":
            lines.append(f"<{s}#authors> <{RDF}_{number}> <{iri}> .\n")
        person(lines, iri, entry)
    if field == "author":
        lines.append(f"<{s}> <{BIBO}authorList> <{s}#authors> .\n")
        lines.append(f"<{s}#authors> <{RDF}type> <{RDF}Seq> .\n")


def record_lines(record: dict) -> list[str]:
    s = f"{BASE}record/{record['_id']}"
    lines = [
        f"<{s}> <{RDF}type> <{BIBO}Document> .\n",
        f"<{s}> <{RDF}type> <{BIBO}{TYPES.get(record.get('type', ''), 'Document')}> .\n",
        f"<{s}> <{DCT}identifier> {text(record['_id'])} .\n",
        f"<{s}> <{FOAF}page> <{s}> .\n",
    ]
    if "title" in record:
        lines.append(f"<{s}> <{DCT}title> {text(record['title'])} .\n")
    for abstract in record.get("abstract") or ():
        lines.append(f"<{s}> <{DCT}abstract> {text(abstract.get('text', ''))}@en .\n")
    if record.get("year"):
        date = "-".join(str(record[k]) for k in ("year", "month", "day") if record.get(k))
        lines.append(f'<{s}> <{DCT}issued> "{date}"^^<{XSD}date> .\n')
    for field, predicate in (("date_created", "created"), ("date_updated", "modified")):
        if record.get(field):
            lines.append(f'<{s}> <{DCT}{predicate}> "{record[field]}"^^<{XSD}dateTime> .\n')
    for language in record.get("language") or ():
        lines.append(f"<{s}> <{DCT}language> <http://id.loc.gov/vocabulary/iso639-2/{language.get('iso')}> .\n")
    for ddc in record.get("ddc") or ():
        lines.append(f"<{s}> <{DCT}subject> <http://dewey.info/class/{ddc}/> .\n")
        lines.append(f"<http://dewey.info/class/{ddc}/> <{RDF}value> {text(ddc)} .\n")
    for keyword in record.get("keyword") or ():
        lines.append(f"<{s}> <http://www.w3.org/ns/dcat#keyword> {text(keyword)} .\n")
    for field in ("volume", "issue"):
        if record.get(field):
            lines.append(f"<{s}> <{BIBO}{field}> {text(record[field])} .\n")
    if record.get("page"):
        start, _, end = str(record["page"]).partition("-")
        lines.append(f"<{s}> <{BIBO}pageStart> {text(start)} .\n")
        if end:
            lines.append(f"<{s}> <{BIBO}pageEnd> {text(end)} .\n")
    if record.get("publication_status"):
        lines.append(f"<{s}> <{BIBO}status> <{BIBO}status/{record['publication_status']}> .\n")
    if record.get("doi"):
        lines.append(f"<{s}> <{BIBO}doi> {text(record['doi'])} .\n")
        lines.append(f"<{s}> <http://www.w3.org/2002/07/owl#sameAs> <https://doi.org/{record['doi']}> .\n")
    people(lines, s, record, "author", f"{DCT}creator")
    people(lines, s, record, "editor", f"{BIBO}editor")
    people(lines, s, record, "supervisor", f"{KG}supervisor")
    if record.get("publication"):
        issns = (record.get("publication_identifier") or {}).get("issn") or ()
        journal = f"{BASE}periodical/issn/{issns[0]}" if issns else f"{s}#periodical"
        lines.append(f"<{s}> <{DCT}isPartOf> <{journal}> .\n")
        lines.append(f"<{journal}> <{RDF}type> <{BIBO}Journal> .\n")
        lines.append(f"<{journal}> <{DCT}title> {text(record['publication'])} .\n")
        for issn in issns:
            lines.append(f"<{journal}> <{BIBO}issn> {text(issn)} .\n")
    for department in record.get("department") or ():
        unit = f"{BASE}department/{department.get('_id')}"
        lines.append(f"<{s}> <{KG}department> <{unit}> .\n")
        lines.append(f"<{unit}> <{RDF}type> <{FOAF}Organization> .\n")
    for project in record.get("project") or ():
        grant = f"{BASE}project/{project.get('_id')}"
        lines.append(f"<{s}> <http://purl.org/cerif/frapo/isOutputOf> <{grant}> .\n")
        lines.append(f"<{grant}> <{DCT}title> {text(project.get('name', ''))} .\n")
    for file in record.get("file") or ():
        if not isinstance(file, dict) or file.get("access_level") != "open_access":
            continue
        iri = f"{s}/file/{file.get('file_id')}"
        lines.append(f"<{s}> <http://www.w3.org/ns/dcat#distribution> <{iri}> .\n")
        lines.append(f"<{iri}> <{DCT}title> {text(file.get('file_name', ''))} .\n")
        lines.append(f"<{iri}> <http://www.w3.org/ns/dcat#mediaType> {text(file.get('content_type', ''))} .\n")
        lines.append(f'<{iri}> <http://www.w3.org/ns/dcat#byteSize> "{file.get("file_size")}"^^<{XSD}integer> .\n')
    citation = record.get("citation")
    if isinstance(citation, dict) and citation.get("apa"):
        lines.append(f"<{s}> <{DCT}bibliographicCitation> {text(citation['apa'])} .\n")
    return lines


def convert(source: str, target: str) -> tuple[int, int]:
    """(records written, triples written)."""
    records = triples = 0
    with open(source, "rb") as lines, open(target, "w", encoding="utf-8", buffering=1 << 20) as out:
        for line in lines:
            try:
                record = orjson.loads(line)
                if record.get("status") != "public":
                    continue
                made = record_lines(record)
            except (orjson.JSONDecodeError, AttributeError, KeyError, TypeError):
                continue  # a yardstick: broken records are skipped, not reported
            out.write("".join(made))
            records += 1
            triples += len(made)
    return records, triples


if __name__ == "__main__":
    written, made = convert(sys.argv[1], sys.argv[2])
    print(f"plain: {written} records, {made} triples", file=sys.stderr)
