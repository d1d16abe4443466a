"""Every IRI kg mints, in one place.

IRIs are shaped like the repository's own pages (``{base}/record/{id}``,
``{base}/person/{id}`` …) so that they can be made to dereference, and depend only
on the base and the record's content, so they are stable across runs.
Things without an id of their own (publishers, journals, conferences) get a
readable slug of their name; things that exist only inside one record are
scoped under that record's IRI.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache
from typing import Final
from urllib.parse import quote

from kg.rdf import IRI, IS_ALNUM, IS_ASCII

DEFAULT_BASE: Final = "https://repository.example.org"

_NON_SLUG: Final = re.compile(r"[^a-z0-9]+")
_MAX_SLUG: Final = 60


@lru_cache(maxsize=1 << 16)  # the same names (people, publishers, journals) recur in many records
def slug(text: str) -> str:
    """A readable, stable path segment for a name ("Springer Nature" → "springer-nature")."""
    # ASCII text is its own NFKD form: normalised and stripped of the rest only when it is not.
    ascii_text = text if IS_ASCII(text) else unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    readable = _NON_SLUG.sub("-", ascii_text.lower()).strip("-")
    if readable and len(readable) <= _MAX_SLUG:
        return readable
    digest = hashlib.sha1(" ".join(text.lower().split()).encode()).hexdigest()
    if not readable:
        return digest[:16]
    return readable[:_MAX_SLUG].rstrip("-") + "-" + digest[:8]


_SEGMENT_SAFE: Final = re.compile(r"[A-Za-z0-9\-._~:@!$&'()*+,;=]*")
# The characters quote() never encodes: a name of only these is its own quoted form.
_QUOTE_UNCHANGED: Final = re.compile(r"[A-Za-z0-9_.\-~]*")


def _quote_all(value: str) -> str:
    """``quote(value, safe="")``; quote is Python code, called only where it changes something."""
    return value if _QUOTE_UNCHANGED.fullmatch(value) else quote(value, safe="")


def segment(value: str) -> str:
    """Percent-encode an id so it is one safe path segment."""
    value = value.strip()
    if IS_ASCII(value) and IS_ALNUM(value):  # the usual id, letters and digits: two quick tests
        return value
    if _SEGMENT_SAFE.fullmatch(value):  # most other ids need no encoding either; quote() is slow
        return value
    return quote(value, safe="-._~:@!$&'()*+,;=")


# ISO 639-2 has about 500 codes.
_LANGUAGES_KEPT: Final = 1000


class Minter:
    """Mints the IRIs of one repository (one base)."""

    def __init__(self, base: str = DEFAULT_BASE) -> None:
        base = base.strip().rstrip("/")
        if not re.match(r"^https?://[^\s/]+", base):
            raise ValueError(f"base must be an http(s) URL, got {base!r}")
        self.base = base
        # The last record IRI minted: a record's mapping asks for it several times (its lists, files).
        self._last_record_id = ""
        self._last_record = IRI(f"{base}/record/")
        self._languages: dict[str, IRI] = {}

    # Records and what lives only inside one record.
    def record(self, record_id: str) -> IRI:
        if record_id != self._last_record_id:
            self._last_record = IRI(f"{self.base}/record/{segment(record_id)}")
            self._last_record_id = record_id
        return self._last_record

    def author_list(self, record_id: str) -> IRI:
        return IRI(f"{self.record(record_id)}#authors")

    def editor_list(self, record_id: str) -> IRI:
        return IRI(f"{self.record(record_id)}#editors")

    def local_person(self, record_id: str, name: str) -> IRI:
        return self.in_record(self.record(record_id), self.person_fragment(name))

    @staticmethod
    def person_fragment(name: str) -> str:
        """The fragment naming a person without id or ORCID inside a record."""
        return f"person-{slug(name)}"

    @staticmethod
    def in_record(record: IRI, fragment: str) -> IRI:
        """A node that exists only inside the record whose IRI is *record*."""
        return IRI(f"{record}#{fragment}")

    def distribution(self, record_id: str, file_id: str) -> IRI:
        return IRI(f"{self.record(record_id)}#file-{segment(file_id)}")

    def linked_file(self, record_id: str, url: str) -> IRI:
        return IRI(f"{self.record(record_id)}#link-{hashlib.sha1(url.encode()).hexdigest()[:12]}")

    def checksum(self, record_id: str, file_id: str) -> IRI:
        return IRI(f"{self.record(record_id)}#file-{segment(file_id)}-checksum")

    def download(self, record_id: str, file_id: str, file_name: str) -> IRI:
        return IRI(f"{self.base}/download/{segment(record_id)}/{segment(file_id)}/{_quote_all(file_name)}")

    # Things shared by many records.
    def person(self, person_id: str) -> IRI:
        return IRI(f"{self.base}/person/{segment(person_id)}")

    def person_by_orcid(self, orcid: str) -> IRI:
        return IRI(f"{self.base}/person/orcid/{orcid}")

    def department(self, department_id: str) -> IRI:
        return IRI(f"{self.base}/department/{segment(department_id)}")

    def project(self, project_id: str) -> IRI:
        return IRI(f"{self.base}/project/{segment(project_id)}")

    def grant(self, grant_number: str, call_identifier: str | None) -> IRI:
        # Grant numbers are unique per funding programme, not globally.
        scope = slug(call_identifier) if call_identifier else "unknown-call"
        return IRI(f"{self.base}/grant/{scope}/{segment(grant_number)}")

    def funder(self, key: str) -> IRI:
        return IRI(f"{self.base}/funder/{slug(key)}")

    def organization(self, name: str) -> IRI:
        return IRI(f"{self.base}/organization/{slug(name)}")

    def periodical(self, issn: str | None, title: str | None) -> IRI:
        if issn:
            return IRI(f"{self.base}/periodical/issn/{segment(issn.upper())}")
        return IRI(f"{self.base}/periodical/{slug(title or '')}")

    def series(self, issn: str | None, title: str | None) -> IRI:
        if issn:
            return IRI(f"{self.base}/series/issn/{segment(issn.upper())}")
        return IRI(f"{self.base}/series/{slug(title or '')}")

    def host_book(self, isbn: str | None, title: str) -> IRI:
        if isbn:
            return IRI(f"{self.base}/book/isbn/{segment(isbn)}")
        return IRI(f"{self.base}/book/{slug(title)}")

    def conference(self, name: str, start_date: str | None) -> IRI:
        return IRI(f"{self.base}/conference/{slug(name + ' ' + (start_date or ''))}")

    # Well-known external IRIs.
    @staticmethod
    def orcid(orcid: str) -> IRI:
        return IRI(f"https://orcid.org/{orcid}")

    def language(self, iso639_2b: str) -> IRI:
        known = self._languages.get(iso639_2b)  # a few codes, in most records
        if known is None:
            if len(self._languages) >= _LANGUAGES_KEPT:
                self._languages.clear()
            known = self._languages[iso639_2b] = IRI(f"http://id.loc.gov/vocabulary/iso639-2/{iso639_2b}")
        return known

    @staticmethod
    def ddc(notation: str) -> IRI:
        return IRI(f"http://dewey.info/class/{segment(notation)}/")

    @staticmethod
    def jel(code: str) -> IRI:
        return IRI(f"http://zbw.eu/beta/external_identifiers/jel#{segment(code)}")

    @staticmethod
    def media_type(content_type: str) -> IRI:
        return IRI(f"https://www.iana.org/assignments/media-types/{content_type}")

    @staticmethod
    def arxiv(arxiv_id: str) -> IRI:
        return IRI(f"https://arxiv.org/abs/{segment(arxiv_id)}")

    @staticmethod
    def pubmed(pmid: str) -> IRI:
        return IRI(f"https://pubmed.ncbi.nlm.nih.gov/{segment(pmid)}/")

    @staticmethod
    def doi(doi: str) -> IRI:
        return IRI(f"https://doi.org/{quote(doi, safe='/:;()._-')}")
