"""generate: realistic synthetic LibreCat corpora of any size, deterministic by seed.

The records imitate real LibreCat exports (see examples/ and tests/data/): the real
mix of the 20 publication types, author lists with a long tail up to hundreds,
people drawn from a pool so the same people recur with stable ids and ORCIDs,
supervisors forming a multi-generation academic genealogy, projects and grants
from a pool, departments, two-sided ``related_material`` links, files of every
access level, some non-public records, and a small share of deliberately broken
records that kg must reject (each with a clear reason).

Nothing is held in memory: anything one record needs to know about another
(its type, its status, whether it is broken) is a pure function of the seed and
that record's number, so records are produced one at a time in any amount.
"""

from __future__ import annotations

import gzip
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import IO

import orjson

from kg.mapping.person import orcid_check_digit

# The type mix of a large LibreCat instance (shares in per mille).
TYPE_MIX: dict[str, int] = {
    "journal_article": 440,
    "conference": 120,
    "book_chapter": 100,
    "conference_abstract": 50,
    "preprint": 40,
    "dissertation": 40,
    "book": 30,
    "report": 20,
    "working_paper": 20,
    "research_data": 20,
    "book_editor": 15,
    "review": 15,
    "newspaper_article": 10,
    "encyclopedia_article": 10,
    "conference_editor": 10,
    "journal_editor": 5,
    "patent": 5,
    "software": 5,
    "translation": 3,
    "translation_chapter": 2,
}
# Non-public statuses (per mille); the rest is public.
STATUS_MIX = {"private": 20, "submitted": 15, "new": 10, "returned": 10, "deleted": 15}
ACCESS_LEVELS = (("open_access", 50), ("closed", 25), ("local", 15), ("request", 10))
# One record in BROKEN_EVERY is broken on purpose, in one of these ways.
BROKEN_EVERY = 500
FLAWS = (
    "missing_title",
    "unknown_type",
    "bad_status",
    "author_not_a_list",
    "invalid_json",
    "duplicate_id",
    "file_not_an_object",
    "title_not_text",
)
# Two-sided links between nearby records: (relation on the earlier record, inverse on the later one).
LINK_PAIRS = (
    ("later_version", "earlier_version"),
    ("new_edition", "old_edition"),
    ("is_continued_by", "continues"),
    ("popular_science", "research_paper"),
    ("translation", "original"),
    ("is_cited_by", "cites"),
    ("other", "other"),
)
FIRST_ID = 1000

_FIRST = """Anna Ben Carla David Elena Felix Greta Hugo Ines Jonas Katrin Lukas Maria Niklas Olga Paul
Quentin Rosa Stefan Tanja Ulrich Vera Wolfgang Xenia Yusuf Zoe Ahmed Bea Chen Dmitri Emma Farid
Giulia Hiroshi Ingrid Jose Kofi Lena Mohammed Nadia Oscar Priya Rafael Sofia Tomasz Uma Viktor Wei
Yara Zhang Alexandra Bernhard Christoph Dan-Adrian Elisabeth François Gerhard Helena Igor Julia
Karl-Josef Laura Manuel Nicolas Petra Renate Sebastian Theresa Ursula Valentin""".split()
_LAST = """Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Richter Klein Wolf
Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann Lange Schmitt Werner Krause Meier
Lehmann Huber Kaiser Fuchs Peters Lang Scholz Möller Weiß Jung Hahn Vogel Friedrich Keller Günther
Frank Berger Winkler Roth Beck Lorenz Baumann Franke Albrecht Ludwig Winter Simon Kraus Martin
Garcia Rossi Novak Kowalski Nguyen Wang Li Zhang Chen Yamamoto Tanaka Kim Park Singh Patel Silva
Santos Dubois Moreau Laurent Bianchi Romano Jensen Hansen Nielsen Johansson Andersson Virtanen
O'Brien Murphy Smith Jones Taylor Brown Williams Lampert Alistarh Peste Matamoros Peñuelas
Bustos-Sanmamed Van\u00a0Hauwermeiren De\u00a0Vries""".split()
_WORDS = """learning network neural sparse quantum protein cell dynamics model analysis structure evolution
signal control system theory graph random field membrane gene expression synthesis catalytic
robust efficient adaptive scalable distributed inference optimal stochastic regulation transport
topology symmetry spectral memory plasticity cortex receptor lattice spin phase transition flow
turbulence climate carbon soil plant root nodule enzyme oxidative stress imaging microscopy single
molecule sequencing genome population selection speciation algebra geometry manifold operator
equation boundary estimate convergence complexity algorithm verification concurrency""".split()
_PUBLISHERS = (
    "Springer Nature",
    "Elsevier",
    "Wiley",
    "IEEE",
    "ACM",
    "Oxford University Press",
    "Cambridge University Press",
    "De Gruyter",
    "Institute of Science and Technology Austria",
    "PLOS",
    "Frontiers Media",
    "MDPI",
)
_CALLS = ("H2020", "FP7-IDEAS-ERC", "FP7", "HORIZON-ERC", "FWF", "DFG", "NSF", None)
_LANGS = ("eng",) * 17 + ("ger", "fre", "spa")
_LICENSES = ("cc_by_4_0", "cc_by_nc_4_0", "cc_by_sa_4_0", "cc_0_1_0", "mit")
_MEDIA = (("application/pdf", "pdf"), ("application/zip", "zip"), ("text/csv", "csv"), ("image/png", "png"))

_MASK = (1 << 64) - 1


def _mix(value: int) -> int:
    """splitmix64 finaliser: a cheap, well-spread hash of an integer."""
    value = (value + 0x9E3779B97F4A7C15) & _MASK
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK
    return value ^ (value >> 31)


def _cumulative(mix: dict[str, int] | tuple[tuple[str, int], ...]) -> list[tuple[int, str]]:
    items = mix.items() if isinstance(mix, dict) else mix
    total, out = 0, []
    for name, share in items:
        total += share
        out.append((total, name))
    return out


_TYPES_CUMULATIVE = _cumulative(TYPE_MIX)
_TYPE_TOTAL = _TYPES_CUMULATIVE[-1][0]
_ACCESS_CUMULATIVE = _cumulative(ACCESS_LEVELS)


def _below(rng: random.Random, limit: int) -> int:
    """rng.randrange(limit), 4x cheaper (and its own, stable sequence)."""
    return int(rng.random() * limit)


def _between(rng: random.Random, low: int, high: int) -> int:
    return low + int(rng.random() * (high - low + 1))


def _pick(cumulative: list[tuple[int, str]], value: int) -> str:
    for bound, name in cumulative:
        if value < bound:
            return name
    return cumulative[-1][1]


@dataclass(frozen=True)
class Generated:
    """One line of a generated corpus and, for a planted broken record, what is wrong with it."""

    number: int  # 1-based line number
    record_id: str
    status: str
    line: bytes
    flaw: str | None = None


class CorpusGenerator:
    """Records 1..size of the corpus for *seed*; cross-record facts are hashes of (seed, number)."""

    def __init__(self, size: int, seed: int = 1) -> None:
        if size < 1:
            raise ValueError("the corpus needs at least one record")
        self.size = size
        self.seed = seed
        self._salt = _mix(seed * 0x2545F4914F6CDD1D + 17)
        # Pools grow with the corpus so that people, projects and journals recur realistically.
        self.people = max(300, size // 3)
        self.staff = self.people // 2  # people with a local id; the rest are external
        self.projects = max(40, size // 150)
        self.journals = max(100, size // 60)
        self.departments = 60
        # Popular people and nearby records are asked for again and again: remember a bounded few.
        self.person = lru_cache(maxsize=1 << 16)(self._person)  # type: ignore[method-assign]
        self.record_type = lru_cache(maxsize=256)(self._record_type)  # type: ignore[method-assign]
        self.status = lru_cache(maxsize=256)(self._status)  # type: ignore[method-assign]
        self.link_pair = lru_cache(maxsize=256)(self._link_pair)  # type: ignore[method-assign]
        self.dissertation_parts = lru_cache(maxsize=256)(self._dissertation_parts)  # type: ignore[method-assign]

    # -- facts about any record, computable from its number alone --
    def _hash(self, number: int, salt: int) -> int:
        return _mix(number ^ self._salt ^ (salt * 0x9E3779B97F4A7C15 & _MASK))

    def record_id(self, number: int) -> str:
        return str(FIRST_ID + number)

    def _record_type(self, number: int) -> str:
        return _pick(_TYPES_CUMULATIVE, self._hash(number, 1) % _TYPE_TOTAL)

    def _status(self, number: int) -> str:
        value = self._hash(number, 2) % 1000
        for name, share in STATUS_MIX.items():
            if value < share:
                return name
            value -= share
        return "public"

    def flaw(self, number: int) -> str | None:
        value = self._hash(number, 3)
        if value % BROKEN_EVERY:
            return None
        flaw = FLAWS[(value // BROKEN_EVERY) % len(FLAWS)]
        if flaw == "duplicate_id" and not self._writable(number - 1):
            return "missing_title"
        return flaw

    def _writable(self, number: int) -> bool:
        return number >= 1 and self.status(number) == "public" and self.flaw(number) is None

    def _dissertation_parts(self, number: int) -> list[int]:
        """Records after a dissertation that are papers contained in it."""
        if self.record_type(number) != "dissertation":
            return []
        count = self._hash(number, 4) % 4
        return [n for n in range(number + 1, number + 1 + count) if n <= self.size and self._is_paper(n)]

    def _is_paper(self, number: int) -> bool:
        return self.record_type(number) in ("journal_article", "conference", "preprint")

    def _link_pair(self, number: int) -> tuple[int, str, str] | None:
        """(later record, relation here, relation there) when *number* opens a two-sided link."""
        value = self._hash(number, 5)
        if value % 25:
            return None
        partner = number + 1 + (value >> 8) % 9
        if partner > self.size:
            return None
        relation, inverse = LINK_PAIRS[(value >> 16) % len(LINK_PAIRS)]
        return partner, relation, inverse

    # -- pools --
    def _person(self, index: int) -> dict:
        first = _FIRST[_mix(index * 3 + 1) % len(_FIRST)]
        last = _LAST[_mix(index * 3 + 2) % len(_LAST)]
        person: dict = {"first_name": first, "last_name": last, "full_name": f"{last}, {first}"}
        if index < self.staff:
            person["id"] = f"{(index * 2654435761) & 0xFFFFFFFF:08X}-F248-11E8-B48F-1D18A9856A87"
        hashed = _mix(index * 3 + 3)
        if hashed % 100 < (40 if index < self.staff else 15):
            # A unique 11-digit body per person (index * odd multiplier mod 10^11 is a bijection).
            body = f"0000{(index * 7_919_000_001 + 12_345) % 10**11:011d}"
            check = orcid_check_digit(body)
            if hashed % 1000 == 7:  # a few people carry a wrong check digit everywhere (a warning)
                check = "0" if check != "0" else "1"
            digits = body + check
            person["orcid"] = "-".join(digits[i : i + 4] for i in range(0, 16, 4))
        return person

    def advisor(self, index: int) -> int:
        """Staff form an academic family tree: everyone's advisor has a smaller index."""
        return (index - 1) // 3

    def project(self, index: int) -> dict:
        project = {
            "_id": f"{(index * 40503 + 7) & 0xFFFF:04X}{index:04X}-B435-11E9-9278-68D0E5697425",
            "name": "Project " + " ".join(_WORDS[_mix(index * 5 + k) % len(_WORDS)] for k in range(3)).title(),
        }
        call = _CALLS[_mix(index * 5 + 4) % len(_CALLS)]
        if call is not None:
            project["call_identifier"] = call
            project["grant_number"] = str(100000 + _mix(index * 5 + 5) % 900000)
        return project

    def journal(self, index: int) -> tuple[str, str]:
        name = "Journal of " + " ".join(_WORDS[_mix(index * 7 + k) % len(_WORDS)] for k in range(2)).title()
        body = f"{1000000 + _mix(index * 7 + 3) % 9000000:07d}"
        total = sum(int(d) * w for d, w in zip(body, range(8, 1, -1), strict=True))
        check = (11 - total % 11) % 11
        return name, f"{body[:4]}-{body[4:]}{'X' if check == 10 else check}"

    # -- the records --
    def __iter__(self) -> Iterator[Generated]:
        rng = random.Random(self.seed)
        for number in range(1, self.size + 1):
            yield self._generate(number, rng)

    def _pick_person(self, rng: random.Random) -> int:
        # Skewed towards low indices: a few prolific people, a long tail of occasional ones.
        return int(self.people * rng.random() ** 2.2)

    def _people(self, rng: random.Random, count: int) -> list[dict]:
        # A small corpus has fewer people than a consortium paper has authors: without the cap
        # the skewed draw below would never find that many distinct ones.
        count = min(count, self.people // 2)
        seen: dict[int, None] = {}
        while len(seen) < count:
            seen[self._pick_person(rng)] = None
        return [self.person(i) for i in seen]

    def _author_count(self, rng: random.Random, record_type: str) -> int:
        if record_type == "dissertation":
            return 1
        roll = rng.random()
        if roll < 0.003:  # consortium papers
            return _between(rng, 100, 500)
        if roll < 0.02:
            return _between(rng, 20, 99)
        return 1 + min(int(rng.expovariate(0.35)), 18)

    def _words(self, rng: random.Random, count: int) -> str:
        return " ".join(rng.choices(_WORDS, k=count))

    def _generate(self, number: int, rng: random.Random) -> Generated:
        record_id = self.record_id(number)
        record_type = self.record_type(number)
        status = self.status(number)
        year = 1990 + _below(rng, 36)
        month, day = _between(rng, 1, 12), _between(rng, 1, 28)
        title = self._words(rng, _between(rng, 4, 12)).capitalize()
        record: dict = {
            "_id": record_id,
            "_version": _between(rng, 1, 9),
            "type": record_type,
            "status": status,
            "title": title,
            "year": str(year),
            "month": f"{month:02d}",
            "day": f"{day:02d}",
            "date_created": f"{year}-{month:02d}-{day:02d}T{_below(rng, 24):02d}:{_below(rng, 60):02d}:00Z",
            "date_updated": f"{min(year + 1, 2025)}-{month:02d}-{day:02d}T10:33:27Z",
            "language": [{"iso": rng.choice(_LANGS)}],
            "user_id": f"{rng.getrandbits(32):08x}-e2f2-11eb-945a-df72226e66a9",
            "creator": {"login": f"user{_below(rng, 500)}", "id": str(_below(rng, 10**6))},
            "publication_status": rng.choice(("published", "published", "published", "submitted", "inpress")),
        }
        if rng.random() < 0.6:
            record["abstract"] = [{"lang": "eng", "text": self._words(rng, _between(rng, 40, 160)).capitalize() + "."}]
        if rng.random() < 0.7:
            record["doi"] = f"10.{1000 + _below(rng, 9000)}/{record_type[:4]}.{record_id}"
        if rng.random() < 0.5:
            record["keyword"] = rng.sample(_WORDS, _between(rng, 1, 5))
        if rng.random() < 0.4:
            record["ddc"] = [f"{_below(rng, 10)}{_below(rng, 10)}0"]
        if rng.random() < 0.3:
            record["license"] = rng.choice(_LICENSES)
            record["oa"] = 1
        if rng.random() < 0.3:
            record["external_id"] = {"isi": [f"000{_below(rng, 10**12):012d}"], "pmid": [str(_below(rng, 10**8))]}
        if rng.random() < 0.1:
            record["external_id"] = {"arxiv": [f"{year % 100:02d}{month:02d}.{_below(rng, 10**5):05d}"]}
        self._contributors(record, record_type, rng)
        self._venue(record, record_type, rng, year)
        record["department"] = [{"_id": f"Dept{_below(rng, self.departments):02d}"} for _ in range(_between(rng, 1, 3))]
        if rng.random() < 0.2:
            record["project"] = [self.project(_below(rng, self.projects)) for _ in range(_between(rng, 1, 3))]
            record["ec_funded"] = 1
        self._related(record, number)
        self._files(record, number, rng)
        if rng.random() < 0.8:
            names = "; ".join(p["full_name"] for p in record.get("author", [])[:3]) or "Anon."
            record["citation"] = {
                "apa": f"{names} ({year}). <i>{title}</i>. {record.get('publisher', 'Repository')}.",
                "short": f"{names}, {title}, {year}.",
            }
        flaw = self.flaw(number) if status == "public" else None
        if flaw:
            record = self._break(record, flaw, number)
        line = orjson.dumps(record)
        if flaw == "invalid_json":
            line = line[: len(line) // 2]
        return Generated(number, record["_id"], status, line + b"\n", flaw)

    def _contributors(self, record: dict, record_type: str, rng: random.Random) -> None:
        if record_type in ("book_editor", "conference_editor", "journal_editor"):
            record["editor"] = self._people(rng, _between(rng, 1, 4))
        elif record_type in ("translation", "translation_chapter"):
            record["translator"] = self._people(rng, _between(rng, 1, 2))
        elif record_type == "dissertation":
            # A student of the staff tree, supervised by their advisor (and sometimes the advisor's advisor).
            student = 1 + _below(rng, self.staff - 1)
            record["author"] = [self.person(student)]
            supervisors = [self.advisor(student)]
            if rng.random() < 0.3 and supervisors[0] > 0:
                supervisors.append(self.advisor(supervisors[0]))
            record["supervisor"] = [self.person(i) for i in supervisors]
            record["degree_awarded"] = "PhD"
            record["defense_date"] = f"{record['year']}-{record['month']}-{record['day']}"
        else:
            record["author"] = self._people(rng, self._author_count(rng, record_type))
            if record_type in ("book_chapter", "encyclopedia_article") and rng.random() < 0.5:
                record["editor"] = self._people(rng, _between(rng, 1, 3))

    def _venue(self, record: dict, record_type: str, rng: random.Random, year: int) -> None:
        if record_type in ("journal_article", "review", "newspaper_article", "journal_editor"):
            name, issn = self.journal(int(self.journals * rng.random() ** 1.5))
            record["publication"] = name
            record["publication_identifier"] = {"issn": [issn]}
            record["volume"] = str(_between(rng, 1, 120))
            record["intvolume"] = record["volume"]
            record["issue"] = str(_between(rng, 1, 12))
            start = _between(rng, 1, 3000)
            record["page"] = f"{start}-{start + _between(rng, 2, 40)}"
            record["quality_controlled"] = "1"
            record["article_type"] = rng.choice(("original", "original", "review", "letter_note"))
        elif record_type in ("conference", "conference_abstract", "conference_editor"):
            index = _below(rng, max(50, self.size // 100))
            record["conference"] = {
                "name": f"Conference on {self._words(rng, 2).title()} {index}",
                "location": "Vienna, Austria",
                "start_date": f"{year}-06-05",
                "end_date": f"{year}-06-09",
            }
            if record_type != "conference_editor":
                record["publication"] = f"Proceedings of the Conference {index}"
        elif record_type in ("book_chapter", "encyclopedia_article", "translation_chapter"):
            record["publication"] = "Handbook of " + self._words(rng, 2).title()
            record["publication_identifier"] = {"isbn": [f"978-3-{_below(rng, 10**5):05d}-{_below(rng, 999):03d}-0"]}
            start = _between(rng, 1, 500)
            record["page"] = f"{start}-{start + _between(rng, 5, 30)}"
        else:
            record["page"] = str(_between(rng, 40, 400))
        if record_type in ("book", "book_editor", "dissertation", "report", "book_chapter", "conference_editor"):
            record["publisher"] = rng.choice(_PUBLISHERS)
            record["place"] = "Berlin"
        if record_type in ("book", "report", "working_paper") and rng.random() < 0.3:
            record["series_title"] = "Lecture Notes in " + self._words(rng, 1).title()

    def _related(self, record: dict, number: int) -> None:
        links = []
        for part in self.dissertation_parts(number):
            links.append({"relation": "part_of_dissertation", "id": self.record_id(part), "status": self.status(part)})
        if self._is_paper(number):
            for back in range(number - 1, max(0, number - 4), -1):
                if number in self.dissertation_parts(back):
                    links.append(
                        {"relation": "dissertation_contains", "id": self.record_id(back), "status": self.status(back)}
                    )
        pair = self.link_pair(number)
        if pair:
            partner, relation, _ = pair
            links.append({"relation": relation, "id": self.record_id(partner), "status": self.status(partner)})
        for back in range(number - 1, max(0, number - 10), -1):
            pair = self.link_pair(back)
            if pair and pair[0] == number:
                links.append({"relation": pair[2], "id": self.record_id(back), "status": self.status(back)})
        if links:
            record["related_material"] = {"record": links}

    def _files(self, record: dict, number: int, rng: random.Random) -> None:
        if rng.random() >= 0.45:
            return
        files = []
        for index in range(rng.choice((1, 1, 1, 2, 3))):
            media, suffix = rng.choice(_MEDIA)
            files.append(
                {
                    "file_id": str(number * 10 + index),
                    "file_name": f"{record['title'][:30].replace(' ', '_')}_{index}.{suffix}",
                    "access_level": _pick(_ACCESS_CUMULATIVE, _below(rng, 100)),
                    "content_type": media,
                    "file_size": _between(rng, 10**4, 10**8),
                    "checksum": f"{rng.getrandbits(128):032x}",
                    "relation": "main_file",
                    "creator": f"user{_below(rng, 500)}",
                    "date_created": record["date_created"],
                    "success": 1,
                }
            )
        record["file"] = files

    def _break(self, record: dict, flaw: str, number: int) -> dict:
        if flaw == "missing_title":
            del record["title"]
        elif flaw == "unknown_type":
            record["type"] = "thesis_draft"
        elif flaw == "bad_status":
            record["status"] = "published"
        elif flaw == "author_not_a_list":
            record["author"] = "Doe, Jane"
        elif flaw == "duplicate_id":
            record["_id"] = self.record_id(number - 1)
        elif flaw == "file_not_an_object":
            record["file"] = ["paper.pdf"]
        elif flaw == "title_not_text":
            record["title"] = {"en": record["title"]}
        return record


@dataclass
class GenerateSummary:
    records: int = 0
    statuses: Counter | None = None
    types: Counter | None = None
    flaws: Counter | None = None

    def report(self) -> str:
        statuses = ", ".join(f"{s} {n}" for s, n in sorted((self.statuses or {}).items()))
        flaws = ", ".join(f"{f} {n}" for f, n in sorted((self.flaws or {}).items())) or "none"
        return f"generated {self.records} records ({statuses}); broken on purpose: {flaws}"


def open_corpus(path: str) -> IO[bytes]:
    if path.endswith(".gz"):
        # mtime=0: the same seed gives the same bytes.
        return gzip.GzipFile(path, "wb", compresslevel=3, mtime=0)
    return open(path, "wb", buffering=1 << 20)


def write_corpus(size: int, path: str, seed: int = 1) -> GenerateSummary:
    """Write *size* records as JSON Lines (gzip-compressed for a .gz path), one at a time."""
    summary = GenerateSummary(0, Counter(), Counter(), Counter())
    assert summary.statuses is not None and summary.types is not None and summary.flaws is not None
    stream = open_corpus(path)
    batch: list[bytes] = []
    try:
        for generated in CorpusGenerator(size, seed):
            batch.append(generated.line)
            if len(batch) >= 1000:
                stream.write(b"".join(batch))
                batch.clear()
            summary.records += 1
            summary.statuses[generated.status] += 1
            if generated.flaw:
                summary.flaws[generated.flaw] += 1
        stream.write(b"".join(batch))
    finally:
        stream.close()
    return summary
