"""map: what each LibreCat field becomes, and how bad values are reported."""

from __future__ import annotations

import pytest
from conftest import map_one, native_text_module, record, triples_nt

from kg.mapping import MappingError
from kg.mapping.codes import PUBLICATION_TYPES
from kg.mapping.person import normalise_orcid, orcid_check_digit

B = "https://repo.example.org"
R1 = f"<{B}/record/1>"


def nt(graph) -> str:
    return "\n".join(sorted(triples_nt(graph)))


@pytest.mark.parametrize("kind", sorted(PUBLICATION_TYPES))
def test_every_type_gets_its_class_and_coar_type(kind):
    cls, coar = PUBLICATION_TYPES[kind]
    lines = triples_nt(map_one(record(type=kind)))
    assert f"{R1} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{cls}>" in lines
    assert f"{R1} <http://purl.org/dc/terms/type> <http://purl.org/coar/resource_type/{coar}>" in lines


def test_issued_date_has_the_most_precise_type():
    assert '"2016"^^<http://www.w3.org/2001/XMLSchema#gYear>' in nt(map_one(record(year="2016")))
    assert '"2016-03"^^<http://www.w3.org/2001/XMLSchema#gYearMonth>' in nt(map_one(record(year="2016", month="3")))
    full = nt(map_one(record(year="2016", month="03", day="9")))
    assert '"2016-03-09"^^<http://www.w3.org/2001/XMLSchema#date>' in full
    from_field = nt(map_one(record(year="2016", publication_date="2016-09-23")))
    assert '"2016-09-23"^^<http://www.w3.org/2001/XMLSchema#date>' in from_field
    graph = map_one(record(year="2016", publication_date="2916-09-23"))
    assert '"2016"^^<http://www.w3.org/2001/XMLSchema#gYear>' in nt(graph)
    assert any(w.field == "publication_date" for w in graph.warnings)
    bad = map_one(record(year="20xx"))
    assert "issued" not in nt(bad) and bad.warnings[0].field == "year"


def test_issn_goes_on_the_journal_not_on_the_article():
    graph = map_one(
        record(
            publication="Journal of Experimental Botany",
            publication_identifier={"issn": ["1460-2431"]},
            volume=66,
            issue="10",
            page="2979-2990",
        )
    )
    text = nt(graph)
    journal = f"<{B}/periodical/issn/1460-2431>"
    assert f"{R1} <http://purl.org/dc/terms/isPartOf> {journal}" in text
    assert f'{journal} <http://purl.org/ontology/bibo/issn> "1460-2431"' in text
    assert (
        f"{journal} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://purl.org/ontology/bibo/Journal>" in text
    )
    assert f"{R1} <http://purl.org/ontology/bibo/issn>" not in text
    assert f'{R1} <http://purl.org/ontology/bibo/pageStart> "2979"' in text
    assert f'{R1} <http://purl.org/ontology/bibo/pageEnd> "2990"' in text
    assert f'{R1} <http://purl.org/ontology/bibo/volume> "66"' in text


def test_chapter_isbn_goes_on_the_host_book_and_book_isbn_on_the_book():
    chapter = nt(
        map_one(
            record(type="book_chapter", publication="Youth 2.0", publication_identifier={"isbn": ["978-3-319-27893-3"]})
        )
    )
    book = f"<{B}/book/isbn/978-3-319-27893-3>"
    assert f'{book} <http://purl.org/ontology/bibo/isbn> "978-3-319-27893-3"' in chapter
    assert f"{R1} <http://purl.org/dc/terms/isPartOf> {book}" in chapter
    monograph = nt(
        map_one(
            record(
                type="book",
                publication_identifier={"isbn": ["978-1"], "issn": ["0000-0000"]},
                series_title="Verhandelingen",
            )
        )
    )
    assert f'{R1} <http://purl.org/ontology/bibo/isbn> "978-1"' in monograph
    assert f'<{B}/series/issn/0000-0000> <http://purl.org/dc/terms/title> "Verhandelingen"' in monograph


def test_conference_node():
    text = nt(
        map_one(
            record(
                type="conference",
                conference={
                    "name": " Rare Earths 2016",
                    "location": " Sapporo, Japan",
                    "start_date": "2016-06-05",
                    "end_date": " 2016-06-10",
                },
            )
        )
    )
    assert '<http://dbpedia.org/ontology/startDate> "2016-06-05"^^<http://www.w3.org/2001/XMLSchema#date>' in text
    assert '<https://w3id.org/librecat-kg/ontology#place> "Sapporo, Japan"' in text
    assert f"{R1} <http://purl.org/ontology/bibo/presentedAt> <{B}/conference/rare-earths-2016-2016-06-05>" in text


def test_languages_identifiers_subjects_licence():
    text = nt(
        map_one(
            record(
                language=[{"iso": "ger"}],
                abstract=[{"lang": "fre", "text": "R\u00e9sum\u00e9 <i>ital</i>\r\nline"}],
                doi="https://doi.org/10.1093/JXB/erv066",
                external_id={"isi": ["000356223900015"], "pmid": ["25740929"], "arxiv": ["1234.5678"]},
                ddc=["570"],
                keyword=["Legumes"],
                license="cc_by_4_0",
                oa="1",
                quality_controlled="1",
                publication_status="inpress",
            )
        )
    )
    assert f"{R1} <http://purl.org/dc/terms/language> <http://id.loc.gov/vocabulary/iso639-2/ger>" in text
    assert '"R\\u00E9sum\\u00E9 ital\\nline"@fr' not in text  # not ASCII-escaped: kept as UTF-8
    assert '"Résumé ital\\nline"@fr' in text
    assert f'{R1} <http://purl.org/ontology/bibo/doi> "10.1093/JXB/erv066"' in text
    assert f'{R1} <http://purl.org/ontology/bibo/pmid> "25740929"' in text
    assert f'{R1} <https://w3id.org/librecat-kg/ontology#webOfScienceId> "000356223900015"' in text
    assert f'{R1} <http://purl.org/spar/fabio/hasArXivId> "1234.5678"' in text
    assert f"{R1} <http://purl.org/dc/terms/subject> <http://dewey.info/class/570/>" in text
    assert f'{R1} <http://www.w3.org/ns/dcat#keyword> "Legumes"' in text
    assert f"{R1} <http://purl.org/dc/terms/license> <https://creativecommons.org/licenses/by/4.0/>" in text
    assert f"{R1} <http://purl.org/dc/terms/accessRights> <http://purl.org/coar/access_right/c_abf2>" in text
    assert f"{R1} <http://purl.org/ontology/bibo/status> <http://purl.org/ontology/bibo/status/peerReviewed>" in text
    assert f"{R1} <http://purl.org/ontology/bibo/status> <http://purl.org/ontology/bibo/status/forthcoming>" in text


def test_orcid_check_digit():
    assert orcid_check_digit("000000021825009") == "7"  # ORCID's documented example
    assert normalise_orcid("0000-0002-1825-0097") == "0000-0002-1825-0097"
    assert normalise_orcid("https://orcid.org/0000-0003-3650-940x") == "0000-0003-3650-940X"
    assert normalise_orcid("0000-0002-1825-0098") is None  # wrong check digit
    assert normalise_orcid("0000-0002-1825") is None  # truncated


def test_person_iris_local_id_first_then_orcid_then_record_scoped():
    graph = map_one(
        record(
            type="book_editor",
            editor=[
                {"first_name": "Ann", "last_name": "Local", "id": "42", "orcid": "0000-0002-1825-0097"},
                {"first_name": "Otto", "last_name": "External", "orcid": "0000-0001-5634-0731"},
                {"full_name": "Nobody, Known"},
            ],
        )
    )
    text = nt(graph)
    assert f'<{B}/person/42> <http://purl.org/cerif/frapo/hasORCID> "0000-0002-1825-0097"' in text
    assert f"<{B}/person/42> <http://www.w3.org/2002/07/owl#sameAs> <https://orcid.org/0000-0002-1825-0097>" in text
    assert f'<{B}/person/orcid/0000-0001-5634-0731> <http://xmlns.com/foaf/0.1/name> "Otto External"' in text
    assert f'<{B}/record/1#person-nobody-known> <http://xmlns.com/foaf/0.1/name> "Nobody, Known"' in text
    # editor order is kept
    assert f"<{B}/record/1#editors> <http://www.w3.org/1999/02/22-rdf-syntax-ns#_1> <{B}/person/42>" in text
    assert (
        f"<{B}/record/1#editors> <http://www.w3.org/1999/02/22-rdf-syntax-ns#_3> <{B}/record/1#person-nobody-known>"
        in text
    )


def test_invalid_orcid_is_dropped_with_a_warning_naming_record_and_person():
    graph = map_one(record(author=[{"first_name": "Bad", "last_name": "Orcid", "orcid": "0000-0002-1825-0098"}]))
    assert "hasORCID" not in nt(graph)
    (warning,) = graph.warnings
    assert warning.record == "1" and warning.field == "author[0].orcid" and "Bad Orcid" in warning.reason


def thesis(degree=None, supervisors=2):
    people = [{"first_name": f"S{n}", "last_name": "Sup", "id": f"s{n}"} for n in range(supervisors)]
    return record(
        type="dissertation",
        degree_awarded=degree,
        publisher="Uni",
        author=[{"first_name": "Stu", "last_name": "Dent", "id": "stu"}],
        supervisor=people,
    )


def test_doctoral_thesis_links_student_to_each_supervisor():
    text = nt(map_one(thesis("PhD")))
    for n in range(2):
        assert f"<{B}/person/stu> <http://dbpedia.org/ontology/doctoralAdvisor> <{B}/person/s{n}>" in text
        assert f"{R1} <http://id.loc.gov/vocabulary/relators/ths> <{B}/person/s{n}>" in text
    assert f"{R1} <http://purl.org/ontology/bibo/degree> <http://purl.org/ontology/bibo/degrees/phd>" in text
    assert f"{R1} <http://purl.org/ontology/bibo/issuer> <{B}/organization/uni>" in text


def test_masters_thesis_gets_the_thesis_link_only():
    text = nt(map_one(thesis("MSc")))
    assert "doctoralAdvisor" not in text
    assert f"{R1} <http://id.loc.gov/vocabulary/relators/ths> <{B}/person/s0>" in text
    assert "<http://purl.org/ontology/bibo/degrees/ms>" in text


def test_same_grant_in_two_records_is_one_node():
    project = [{"_id": "P1", "name": "Elastic", "grant_number": "805223", "call_identifier": "H2020"}]
    first, second = map_one(record("1", project=project)), map_one(record("2", project=project))
    grant = f"<{B}/grant/h2020/805223>"
    for graph in (first, second):
        text = nt(graph)
        assert f"<{B}/record/{graph.record_id}> <http://purl.org/cerif/frapo/isFundedBy> {grant}" in text
        assert f"{grant} <http://purl.org/cerif/frapo/isFundedBy> <{B}/funder/european-commission>" in text
        assert f"<{B}/record/{graph.record_id}> <http://purl.org/cerif/frapo/isOutputOf> <{B}/project/P1>" in text
    assert {t for t in first.shared_triples() if str(t[0]) == grant[1:-1]} == {
        t for t in second.shared_triples() if str(t[0]) == grant[1:-1]
    }


def test_departments_and_service_units():
    text = nt(map_one(record(department=[{"_id": "DaAl"}], acknowledged_ssus=[{"_id": "ScienComp"}])))
    assert f"{R1} <https://w3id.org/librecat-kg/ontology#department> <{B}/department/DaAl>" in text
    assert (
        f"<{B}/department/ScienComp> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/ns/org#OrganizationalUnit>"
        in text
    )


def test_citation_is_plain_text():
    graph = map_one(
        record(
            citation={
                "apa": 'Peste, E.-A. (2023). <i>Efficiency</i>. <a href="https://doi.org/x">https://doi.org/x</a> &amp; more'
            }
        )
    )
    assert '"Peste, E.-A. (2023). Efficiency. https://doi.org/x & more"' in nt(graph)


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ({"title": {"en": "x"}}, "title", "expected text, got an object"),
        ({"title": "  "}, "title", "required field is missing or empty"),
        ({"_id": None}, "_id", "required field is missing"),
        ({"author": "Smith, John"}, "author", "expected an array of people (objects), got a string"),
        ({"author": ["Smith, John"]}, "author[0]", "expected an object with first_name/last_name, got a string"),
        ({"type": "blog_post"}, "type", "'blog_post' is not a LibreCat publication type"),
        ({"department": {"_id": "1"}}, "department", "expected an array of objects"),
        ({"abstract": [{"lang": "eng", "text": ["x"]}]}, "abstract[0].text", "expected text, got an array"),
        ({"department": [{"_id": "1"}, ["2"]]}, "department[1]", "expected an object with _id, got an array"),
        ({"department": [{"_id": "1"}, {"_id": {"x": 1}}]}, "department[1]._id", "expected text, got an object"),
        ({"language": True}, "language", "expected an array of objects with iso, got a boolean"),
        ({"keyword": ["a", ["b"]]}, "keyword[1]", "expected text, got an array"),
        ({"author": [{"last_name": "Lee", "orcid": ["x"]}]}, "author[0].orcid", "expected text, got an array"),
        ({"file": [{"access_level": True}]}, "file[0].access_level", "expected text, got a boolean"),
        ({"file": [{"access_level": "open_access", "file_id": {}}]}, "file[0].file_id", "expected text, got an object"),
        ({"project": [{"_id": "1", "grant_number": []}]}, "project[0].grant_number", "expected text, got an array"),
        ({"conference": {"name": "C", "start_date": ["2020"]}}, "conference.start_date", "expected text, got an array"),
    ],
)
def test_wrong_shapes_name_the_field(fields, field, reason):
    with pytest.raises(MappingError) as caught:
        map_one(record(**fields))
    assert caught.value.field == field
    assert reason in caught.value.reason


def test_text_is_cleaned_but_kept():
    title = 'Quotes "x" and \\backslash\\, emoji 🧬, <i>markup</i>\x00\x07 tab\there'
    text = nt(map_one(record(title=title)))
    assert '"Quotes \\"x\\" and \\\\backslash\\\\, emoji 🧬, markup tab here"' in text


def test_unknown_fields_are_reported_not_mapped():
    graph = map_one(record(shoe_size="44", user_id="u1", creator={"login": "secret"}))
    assert graph.unmapped_fields == ["shoe_size"]


def test_bare_codes_are_accepted_for_languages_and_departments():
    text = nt(map_one(record(language=["eng"], department="DaAl")))
    assert f"{R1} <http://purl.org/dc/terms/language> <http://id.loc.gov/vocabulary/iso639-2/eng>" in text
    assert f"{R1} <https://w3id.org/librecat-kg/ontology#department> <{B}/department/DaAl>" in text


def test_malformed_citation_is_a_warning_not_a_reject():
    graph = map_one(record(citation="Smith 2020"))
    assert "bibliographicCitation" not in nt(graph)
    assert graph.warnings[0].field == "citation"


def test_dissertation_without_stated_degree_is_doctoral_by_type():
    text = nt(map_one(thesis(None)))
    assert "<http://purl.org/ontology/bibo/degree>" not in text
    assert f"{R1} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://purl.org/spar/fabio/DoctoralThesis>" in text
    assert f"<{B}/person/stu> <http://dbpedia.org/ontology/doctoralAdvisor> <{B}/person/s0>" in text


def test_unknown_degree_is_reported_and_not_guessed():
    graph = map_one(thesis("Habilitation"))
    assert "degree" not in nt(graph) and "doctoralAdvisor" not in nt(graph)
    assert graph.warnings[0].field == "degree_awarded"


def test_person_memo_keys_tell_every_entry_apart():
    """The memo key of a person entry is one string: it must differ for entries that differ, and an
    entry whose text could be mistaken for the key's separator is not memoised at all."""
    from kg.mapping.person import _person_key

    entries = [
        {"first_name": "Ann", "last_name": "Lee"},
        {"first_name": "Ann", "last_name": "Lee", "full_name": ""},
        {"first_name": "Ann", "last_name": "Lee", "full_name": None},
        {"first_name": "AnnLee"},
        {"first_name": "Ann", "full_name": "Lee"},
        {"last_name": "Ann", "first_name": "Lee"},
        {"first_name": "Ann", "last_name": "Lee", "id": "1"},
        {"first_name": "Ann", "last_name": "Lee", "orcid": "1"},
        {"id": "\x01"},
        {"id": ""},
        {},
        {"first_name": "Ann\x00", "last_name": "Lee"},
        {"first_name": "Ann", "last_name": "\x00Lee"},
        {"first_name": "Ann", "last_name": 7},
    ]
    keys = [_person_key(entry) for entry in entries]
    assert keys[1] != keys[0] and keys[2] == keys[0]  # "" is a value; null is as absent
    memoised = [key for key in keys if key is not None]
    assert len(memoised) == len(entries) - 3
    assert len(set(memoised)) == len(memoised) - 1  # only entries 0 and 2 share one
    assert keys[-3:] == [None, None, None]  # the separator in a value, or not text


def person_entries(seed: int) -> list:
    """Person entries of every make: fields absent, null, empty, of 1-, 2- and 4-byte text, holding
    the key's separator, of other JSON types; and as dicts of other types of key or of subclass."""
    import random

    rng = random.Random(seed)
    values = [None, "", "Ann", "Lee", "Müller", "中文", "\U0001f600", "\x00", "a\x00b", "\x01", 7, 7.5, True]
    values += [["Ann"], {"x": 1}, "0000-0002-1825-0097", "https://orcid.org/0000-0002-1825-0097", "x" * 300]
    names = ["first_name", "last_name", "full_name", "id", "orcid"]
    entries = []
    for _ in range(60):
        entry = {name: rng.choice(values) for name in names if rng.random() < 0.7}
        if rng.random() < 0.2:
            entry["other"] = rng.choice(values)
        entries.append(entry)
    return entries


@pytest.mark.parametrize("seed", range(10))
def test_the_c_person_key_equals_the_python_definition(seed):
    from kg.mapping import person

    native = native_text_module()
    entries = person_entries(seed)
    if native is None:
        assert person.PERSON_KEY is person._person_key
        return
    assert person.PERSON_KEY is native.person_key
    for entry in entries:
        assert native.person_key(entry) == person._person_key(entry), entry
    with pytest.raises(TypeError, match="expected dict, got list"):
        native.person_key([])


def test_the_c_timestamp_test_equals_the_python_definition():
    """Every place of a LibreCat timestamp changed to each character that may stand or nearly
    stand there, and stamps of other lengths: the C test and the definition agree on all."""
    from kg.mapping import dates

    native = native_text_module()
    stamps = ["2016-03-16T10:22:41Z", "2000-02-29T23:59:59Z", "1900-02-28T00:00:00Z", "0001-01-01T00:00:00Z"]
    swaps = "0123456789-:TZtz /２\u00e9中\U0001f600"
    values = ["", "2016-03-16T10:22:41", "2016-03-16T10:22:41ZZ", "2016-03-16T10:22:41+00:00"]
    for stamp in stamps:
        for at in range(len(stamp)):
            values += [stamp[:at] + swap + stamp[at + 1 :] for swap in swaps]
    for day in range(0, 33):
        values += [
            f"{year}-{month:02d}-{day:02d}T12:00:00Z" for year in (1900, 2000, 2015, 2016) for month in range(14)
        ]
    if native is None:
        assert dates.IS_UTC_SECOND is dates.is_utc_second
        return
    assert dates.IS_UTC_SECOND is native.utc_second
    for value in values:
        assert native.utc_second(value) == dates.is_utc_second(value), repr(value)
    assert sum(map(native.utc_second, values)) > 1000  # the real ones are among them
    with pytest.raises(TypeError, match="expected str, got int"):
        native.utc_second(20)


def test_timestamps_are_checked_as_the_pattern_and_fromisoformat_check_them():
    """parse_datetime checks LibreCat's own form part by part: it must agree with the full check."""
    import datetime as dt
    import re

    from kg.mapping.dates import parse_datetime

    pattern = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?$")

    def reference(value: str) -> str | None:
        value = value.strip()
        if not pattern.match(value):
            return None
        try:
            dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return value

    days = ["2016-03-16", "2016-02-29", "2015-02-29", "1900-02-29", "2000-02-29", "2016-04-31", "2016-13-01"]
    days += ["2016-00-10", "2016-01-00", "0000-01-01", "0001-01-01", "9999-12-31", "２０１６-03-16", "2016-3-16x"]
    times = ["10:22:41", "00:00:00", "23:59:59", "24:00:00", "23:60:00", "23:59:60", "1:22:41Z", "10:2２:41"]
    values = [f"{day}T{time}Z" for day in days for time in times]
    values += [f"{day}T{time}{end}" for day in days[:3] for time in times[:3] for end in ("", "z", "+01:00", ".5Z")]
    values += [" 2016-03-16T10:22:41Z ", "2016-03-16 10:22:41Z", "2016-03-16t10:22:41Z", "2016-03-16T10:22:41ZZ"]
    for value in values:
        assert parse_datetime(value) == reference(value), repr(value)


def test_real_days_are_those_datetime_takes():
    """The month lengths and the leap rule kg writes out agree with datetime's, day by day."""
    import datetime as dt

    from kg.mapping.dates import _real_day

    for year in (1, 4, 100, 400, 1600, 1900, 2000, 2015, 2016, 2024, 2100, 9996, 9999):
        for month in range(0, 14):
            for mday in range(0, 33):
                day = f"{year:04d}-{month:02d}-{mday:02d}"
                try:
                    dt.date(year, month, mday)
                    real = True
                except ValueError:
                    real = False
                assert _real_day(day) is real, day
