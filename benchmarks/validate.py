"""Benchmark: SHACL validation of the converter's output, per record in the stream vs whole graph.

    python benchmarks/validate.py                 # 10k records
    python benchmarks/validate.py 10000 100000    # several sizes
    python benchmarks/validate.py --whole-limit 20000 100000   # skip whole-graph above 20k

Generates N realistic synthetic LibreCat records (the same mix of types, people, projects,
files and theses as a real institutional repository), maps them, then times

* mapping alone (the baseline every mode pays),
* per record: ``kg.check.Shapes.check_record`` on each record's graph as it streams
  (what ``kg convert --validate`` does),
* fast: ``kg.fastcheck.FastShapes.check_record`` on each record's graph (the default engine
  of ``kg convert --validate``; pyshacl's results, compiled to Python),
* whole graph: loading all triples into one rdflib graph, then one pyshacl run
  (what ``kg validate`` does), including the SPARQL advisor-cycle constraint.

Times are CPU seconds of this process (time.process_time), so that other work on a shared
machine does not distort them. Prints a table; figures go to README.md ("Validation").
Not a test: no assertions on time.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kg.check import Dataset, Shapes, validate_dataset, validate_in_batches  # noqa: E402
from kg.fastcheck import FastShapes  # noqa: E402
from kg.mapping import MappingContext, map_record  # noqa: E402
from kg.mapping.person import orcid_check_digit  # noqa: E402
from kg.pipeline import Mapped, Rejected  # noqa: E402

TYPES = [
    ("journal_article", 50),
    ("conference", 10),
    ("book_chapter", 8),
    ("preprint", 5),
    ("dissertation", 5),
    ("report", 4),
    ("research_data", 4),
    ("book", 3),
    ("conference_abstract", 2),
    ("working_paper", 2),
    ("software", 2),
    ("book_editor", 1),
    ("conference_editor", 1),
    ("encyclopedia_article", 1),
    ("review", 1),
    ("patent", 1),
]
FIRST = "Anna Ben Clara David Eva Felix Greta Hugo Ida Jonas Klara Leon Mia Noah Olga Paul Rosa Sven Tara Uwe".split()
LAST = "Adler Berger Conrad Dietz Ebner Fuchs Graf Huber Igel Jung Kraus Lang Maier Novak Ott Pichler Rainer".split()
WORDS = (
    "quantum sparse neural network relaxation protein dynamics graph theory stochastic lattice "
    "entropy scalable inference robust topology genome ecology signal transport catalysis"
).split()
JOURNALS = [(f"Journal of {w.title()} Studies", f"{1000 + i:04d}-{100 + i:03d}") for i, w in enumerate(WORDS)]


def orcid(rng: random.Random) -> str:
    digits = "".join(str(rng.randrange(10)) for _ in range(15))
    full = digits + orcid_check_digit(digits)
    return "-".join(full[i : i + 4] for i in range(0, 16, 4))


def issn_check(seven: str) -> str:
    total = sum(int(d) * w for d, w in zip(seven, range(8, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def issn(number: int) -> str:
    seven = f"{number % 10_000_000:07d}"
    return f"{seven[:4]}-{seven[4:]}{issn_check(seven)}"


class Generator:
    """Seeded, so every run validates the same corpus."""

    def __init__(self, seed: int = 42, people: int = 5000) -> None:
        self.rng = random.Random(seed)
        rng = self.rng
        self.people = [
            {
                "first_name": rng.choice(FIRST),
                "last_name": rng.choice(LAST),
                "id": f"P{i:06d}",
                **({"orcid": orcid(rng)} if rng.random() < 0.4 else {}),
            }
            for i in range(people)
        ]
        for person in self.people:
            person["full_name"] = f"{person['last_name']}, {person['first_name']}"
        # Advisors never write theses here, so the generated genealogy has no cycles.
        self.advisors = self.people[: people // 20]
        self.authors = self.people[people // 20 :]
        self.projects = [
            {
                "_id": f"PR{i:04d}",
                "name": f"Project {rng.choice(WORDS)} {i}",
                **(
                    {"grant_number": str(600000 + i), "call_identifier": rng.choice(["H2020", "FP7-IDEAS-ERC"])}
                    if i % 3 == 0
                    else {"grant_number": f"P {30000 + i}", "call_identifier": "FWF"}
                    if i % 3 == 1
                    else {}
                ),
            }
            for i in range(300)
        ]
        self.journals = [(f"Journal of {rng.choice(WORDS).title()} {i}", issn(1000 + i * 7)) for i in range(400)]
        self.departments = [f"D{i:03d}" for i in range(60)]

    def title(self) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(4, 10))).capitalize()

    def person(self, pool: list[dict]) -> dict:
        if self.rng.random() < 0.15:  # an external co-author: name only
            return {"first_name": self.rng.choice(FIRST), "last_name": self.rng.choice(LAST)}
        return dict(self.rng.choice(pool))

    def record(self, number: int) -> dict:
        rng = self.rng
        kind = rng.choices([t for t, _ in TYPES], [w for _, w in TYPES])[0]
        year = str(rng.randint(1995, 2024))
        record: dict = {
            "_id": str(100000 + number),
            "type": kind,
            "status": "public",
            "title": self.title(),
            "year": year,
            "date_created": f"{year}-03-04T10:11:12Z",
            "date_updated": "2024-01-02T03:04:05Z",
            "language": [{"iso": rng.choice(["eng", "eng", "eng", "ger", "fre"])}],
            "abstract": [{"lang": "eng", "text": " ".join(rng.choice(WORDS) for _ in range(80))}],
            "keyword": rng.sample(WORDS, 3),
            "department": [{"_id": d} for d in rng.sample(self.departments, rng.randint(1, 2))],
            "citation": {"apa": "Author, A. (2020). A citation."},
        }
        if rng.random() < 0.6:
            record["doi"] = f"10.{rng.randint(1000, 9999)}/x{number}"
        if rng.random() < 0.3:
            record["project"] = [dict(p) for p in rng.sample(self.projects, rng.randint(1, 2))]
        if rng.random() < 0.35:
            record["file"] = [
                {
                    "file_id": str(number * 10),
                    "file_name": "fulltext.pdf",
                    "access_level": rng.choice(["open_access", "open_access", "closed"]),
                    "content_type": "application/pdf",
                    "file_size": str(rng.randint(10_000, 9_000_000)),
                    "checksum": f"{rng.getrandbits(128):032x}",
                }
            ]
        if kind == "dissertation":
            record["author"] = [dict(rng.choice(self.authors))]
            record["supervisor"] = [dict(a) for a in rng.sample(self.advisors, rng.randint(1, 2))]
            record["degree_awarded"] = "PhD"
            record["publisher"] = "Institute of Science and Technology Austria"
            record["page"] = str(rng.randint(80, 300))
        else:
            record["author"] = [self.person(self.authors) for _ in range(rng.randint(1, 8))]
        if kind in ("journal_article", "review"):
            title, number_issn = rng.choice(self.journals)
            record["publication"] = title
            record["publication_identifier"] = {"issn": [number_issn]}
            record["volume"] = str(rng.randint(1, 80))
            start = rng.randint(1, 900)
            record["page"] = f"{start}-{start + rng.randint(3, 30)}"
            record["article_type"] = "original"
        elif kind in ("book_chapter", "encyclopedia_article"):
            record["publication"] = f"Handbook of {rng.choice(WORDS)}"
            record["publication_identifier"] = {"isbn": ["978-3-16-148410-0"]}
        elif kind in ("conference", "conference_abstract"):
            record["publication"] = f"Proceedings of {rng.choice(WORDS).upper()} {year}"
            record["conference"] = {
                "name": f"{rng.choice(WORDS).upper()} {year}",
                "location": "Vienna, Austria",
                "start_date": f"{year}-07-01",
                "end_date": f"{year}-07-04",
            }
        elif kind in ("book", "book_editor", "conference_editor"):
            record["publisher"] = rng.choice(["Springer", "Elsevier", "MIT Press"])
            record["editor"] = [self.person(self.people) for _ in range(rng.randint(1, 3))]
        elif kind in ("research_data", "software"):
            record["main_file_link"] = [{"url": f"https://data.example.org/{number}", "open_access": "1"}]
        return record


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(
    size: int, shapes: Shapes, fast: FastShapes, whole_limit: int, per_record_limit: int, batches: list[int]
) -> dict:
    generator = Generator()
    records = [generator.record(i) for i in range(size)]
    context = MappingContext()

    started = time.process_time()
    graphs = [map_record(record, context) for record in records]
    mapping = time.process_time() - started
    triples = sum(len(g.triples()) for g in graphs)

    row = {"records": size, "triples": triples, "mapping_s": mapping}
    row.update(fast_per_record(graphs, fast))
    if size <= per_record_limit:
        row.update(per_record(graphs, shapes))
    for batch in batches:
        row[f"batch_{batch}_s"] = batched(graphs, shapes, batch)
    if size <= whole_limit:
        row.update(whole_graph(graphs, shapes))
    row["peak_mb"] = peak_mb()
    return row


def per_record(graphs: list, shapes: Shapes) -> dict:
    started = time.process_time()
    violations = warnings = 0
    for graph in graphs:
        found_violations, found_warnings = shapes.check_record(graph)
        violations += len(found_violations)
        warnings += len(found_warnings)
    return {
        "per_record_s": time.process_time() - started,
        "per_record_violations": violations,
        "per_record_warnings": warnings,
    }


def fast_per_record(graphs: list, fast: FastShapes) -> dict:
    started = time.process_time()
    violations = warnings = 0
    for graph in graphs:
        found_violations, found_warnings = fast.check_record(graph)
        violations += len(found_violations)
        warnings += len(found_warnings)
    return {"fast_s": time.process_time() - started, "fast_violations": violations, "fast_warnings": warnings}


def batched(graphs: list, shapes: Shapes, batch: int) -> float:
    """The stream validated *batch* records per pyshacl run (kg convert --validate)."""
    outcomes = (Mapped(graph, {}, "bench", str(i)) for i, graph in enumerate(graphs))
    started = time.process_time()
    rejected = sum(isinstance(o, Rejected) for o in validate_in_batches(outcomes, shapes, batch))
    assert rejected == 0, "the generated corpus should conform"
    return time.process_time() - started


def whole_graph(graphs: list, shapes: Shapes) -> dict:
    started = time.process_time()
    dataset = Dataset()
    for graph in graphs:
        dataset.add_record(graph)
    loading = time.process_time() - started
    started = time.process_time()
    report = validate_dataset(dataset, shapes)
    return {
        "whole_load_s": loading,
        "whole_validate_s": time.process_time() - started,
        "whole_violations": len(report.violations),
        "whole_warnings": len(report.warnings),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000])
    parser.add_argument("--whole-limit", type=int, default=10**9, help="skip whole-graph validation above this size")
    parser.add_argument(
        "--per-record-limit", type=int, default=10**9, help="skip per-record validation above this size"
    )
    parser.add_argument(
        "--batches", default="100,500,2000", help="batch sizes for batched stream validation (comma-separated)"
    )
    args = parser.parse_args()
    batches = [int(b) for b in args.batches.split(",") if b]
    started = time.process_time()
    shapes = Shapes()
    fast = FastShapes()
    print(f"shapes loaded in {time.process_time() - started:.2f} s ({len(shapes.info)} shapes)", flush=True)
    header = (
        f"{'records':>8} {'triples':>9} {'map s':>7} {'fast s':>7} {'rec/s':>7} {'viol/warn':>10} "
        f"{'per-record s':>13} {'rec/s':>7} "
        f"{'whole load s':>13} {'whole shacl s':>14} {'rec/s':>7} {'viol/warn (per rec | whole)':>28} {'peak MB':>8}"
    )
    header += "".join(f" {'batch ' + str(b) + ' s':>12} {'rec/s':>6}" for b in batches)
    print(header, flush=True)
    for size in args.sizes:
        row = measure(size, shapes, fast, args.whole_limit, args.per_record_limit, batches)
        whole_total = row.get("whole_load_s", 0) + row.get("whole_validate_s", 0)
        whole = (
            f"{row['whole_load_s']:>13.1f} {row['whole_validate_s']:>14.1f} {size / whole_total:>7.0f}"
            if "whole_validate_s" in row
            else f"{'skipped':>13} {'':>14} {'':>7}"
        )
        stream = (
            f"{row['per_record_s']:>13.1f} {size / row['per_record_s']:>7.0f}"
            if "per_record_s" in row
            else f"{'skipped':>13} {'':>7}"
        )
        fast_counts = f"{row['fast_violations']}/{row['fast_warnings']}"
        counts = f"{row.get('per_record_violations', '-')}/{row.get('per_record_warnings', '-')}"
        counts += f" | {row.get('whole_violations', '-')}/{row.get('whole_warnings', '-')}"
        print(
            f"{size:>8} {row['triples']:>9} {row['mapping_s']:>7.1f} {row['fast_s']:>7.1f} "
            f"{size / row['fast_s']:>7.0f} {fast_counts:>10} {stream} {whole} {counts:>28} "
            f"{row['peak_mb']:>8.0f}"
            + "".join(f" {row[f'batch_{b}_s']:>12.1f} {size / row[f'batch_{b}_s']:>6.0f}" for b in batches),
            flush=True,
        )


if __name__ == "__main__":
    main()
