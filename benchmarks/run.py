#!/usr/bin/env python3
"""Benchmarks: kg against the floor and its peers, on the same generated corpora. Prints a table.

    python benchmarks/run.py [--sizes 10000,100000,1000000] [--jobs 2] [--tools kg,floor,plain,morph,catmandu]

Every measurement is a separate process timed by /usr/bin/time (wall seconds, peak
RSS of the largest process). Corpora come from `kg generate` (seed 1) and are
kept in benchmarks/corpora/; outputs go to benchmarks/out/ (or --out) and are
deleted after each run. Nothing here is a test: the figures depend on the machine.

- floor: parse the same JSON Lines with orjson and write as many bytes as kg's
  N-Triples output — the fastest any converter in Python could go.
- plain: benchmarks/plain.py, the common fields written as N-Triples with f-strings
  and nothing else (no checks, no de-duplication, no counts, no rejects): what
  building the text alone costs in plain Python, the issue's second yardstick.
- Morph-KGC: benchmarks/morph/mapping.ttl, an RML mapping of the core fields, in
  its own venv (benchmarks/.venv-morph, created on first use: it pins rdflib<7.3).
  RML has no way to drop broken or non-public records, so the peers get the
  readable records of the corpus (a JSON array for Morph-KGC), all statuses.
- Catmandu::RDF: benchmarks/catmandu/core.fix (Debian libcatmandu-rdf-perl), on
  the readable JSON Lines.

Commands that belong to other parts of kg (validate, load, push) are run when this
checkout has them and reported as n/a otherwise; see KG_RUNS. Commands without
--jobs (load, push) run once, with one job. push goes to a fresh `oxigraph serve`
(its /query, /update and /store endpoints), started before the timing and waited
for until its port answers.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import json
import operator
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
by_jobs = operator.attrgetter("jobs")
ROOT = HERE.parent
CORPORA = HERE / "corpora"
OUT = HERE / "out"
MORPH_VENV = HERE / ".venv-morph"
PYTHON = sys.executable

# name → (kg arguments after the corpus, output suffix, feature the run needs: a command or a convert option).
KG_RUNS: dict[str, tuple[list[str], str, str | None]] = {
    "convert nt": (["convert", "{corpus}", "-o", "{out}.nt", "-q"], "nt", None),
    "convert ttl": (["convert", "{corpus}", "-o", "{out}.ttl", "-q"], "ttl", None),
    "convert jsonld": (["convert", "{corpus}", "-o", "{out}.jsonld", "-q"], "jsonld", None),
    "convert nq.gz": (["convert", "{corpus}", "-o", "{out}.nq.gz", "-q"], "nq.gz", None),
    "convert dask nq.gz shards": (["convert", "{corpus}", "-o", "{out}.shards", "--engine", "dask", "-q"], "", None),
    "convert+validate nt": (["convert", "{corpus}", "-o", "{out}.nt", "-q", "--validate"], "nt", "convert --validate"),
    "load (embedded store)": (["load", "{corpus}", "--store", "{out}.store", "-q"], "store", "load"),
    "push (Oxigraph server)": (
        ["push", "{corpus}", "--endpoint", "{endpoint}/query", "--update-endpoint", "{endpoint}/update", "-q"],
        "",
        "push",
    ),
    "push gsp (Oxigraph server)": (
        ["push", "{corpus}", "--endpoint", "{endpoint}/query", "--graph-store", "{endpoint}/store"]
        + ["--protocol", "gsp", "-q"],
        "",
        "push --protocol",
    ),
}
SERVER_START_TIMEOUT = 30.0  # seconds for `oxigraph serve` to answer on its port


@dataclass
class Result:
    size: int
    tool: str
    jobs: int
    seconds: float | None
    rss_mb: float | None
    triples: int | None = None
    note: str = ""
    # Which round of --repeat it was measured in (ratios are also given round by round).
    round: int = 0

    @property
    def records_per_s(self) -> float | None:
        return self.size / self.seconds if self.seconds else None

    def times(self, other: Result) -> float:
        """How many times this run's records/s is *other*'s (both timed)."""
        assert self.records_per_s and other.records_per_s
        return self.records_per_s / other.records_per_s

    @property
    def triples_per_s(self) -> float | None:
        return self.triples / self.seconds if self.seconds and self.triples else None


def timed(command: list[str] | str, cwd: Path | None = None, shell: bool = False) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MiB, stderr) of one command, via GNU time."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        prefix = ["/usr/bin/time", "-o", report.name, "-f", "%e %M"]
        full = shlex.join(prefix) + " " + command if shell else prefix + command  # type: ignore[operator]
        started = time.monotonic()
        done = subprocess.run(full, cwd=cwd, shell=shell, capture_output=True, text=True)
        wall = time.monotonic() - started
        fields = report.read().split()
    # Exit 1 is kg's "some records rejected" (the corpora plant broken records); Python's exit on a crash is 1 too.
    if done.returncode not in (0, 1) or "Traceback (most recent call last)" in done.stderr:
        print(f"{command} failed ({done.returncode}):\n{done.stderr[-2000:]}", file=sys.stderr)
        lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
        # The last exception's own line says more than the last line (often a hint or a URL).
        error = next((line for line in reversed(lines) if re.match(r"[\w.]*(Error|Exception)\b", line)), None)
        raise RuntimeError(f"exit {done.returncode}: {error or (lines[-1] if lines else '')}")
    rss = int(fields[-1]) / 1024 if fields else float("nan")
    return wall, rss, done.stderr


def kg(*args: str) -> list[str]:
    return [PYTHON, "-m", "kg", *args]


def compile_bytecode() -> None:
    """Byte-compile this checkout's kg, as ``pip install`` does for an installed one.

    The peers are installed packages, their bytecode compiled at install time. kg runs from the
    checkout, and where PYTHONDONTWRITEBYTECODE is set (as on the benchmark VMs) Python compiled
    its pure-Python modules (the CLI, sync, the description) again at every start: ~10 ms of
    each run (15 ms at best), a hundredth of a 10k conversion, that an installed kg never pays.
    """
    compileall.compile_dir(ROOT / "kg", quiet=1)


def has_feature(feature: str) -> bool:
    words = feature.split()
    done = subprocess.run(kg(words[0], "--help"), cwd=ROOT, capture_output=True, text=True)
    return done.returncode == 0 and all(word in done.stdout for word in words[1:])


def corpus(size: int, seed: int) -> Path:
    CORPORA.mkdir(exist_ok=True)
    path = CORPORA / (f"corpus-{size}.jsonl" if seed == 1 else f"corpus-{size}-seed{seed}.jsonl")
    if not path.exists():
        # Written aside and renamed, so that a failed or interrupted run leaves no truncated corpus to reuse.
        partial = path.with_suffix(".partial")
        limit = 120 + size / 500  # seconds; far above what generation takes, so only a stuck generator hits it
        try:
            subprocess.run(
                kg("generate", str(size), "-o", str(partial), "--seed", str(seed)), cwd=ROOT, check=True, timeout=limit
            )
        except subprocess.TimeoutExpired:
            partial.unlink(missing_ok=True)
            sys.exit(f"kg generate {size} --seed {seed} did not finish in {limit:.0f} s; try another --seed")
        partial.rename(path)
    return path


def readable_copies(path: Path) -> tuple[Path, Path]:
    """The corpus without its unparseable lines, as JSON Lines and as a JSON array (peers' input)."""
    import orjson

    lines_path, array_path = path.with_suffix(".clean.jsonl"), path.with_suffix(".json")
    if not lines_path.exists() or not array_path.exists():
        with open(path, "rb") as source, open(lines_path, "wb") as lines, open(array_path, "wb") as array:
            array.write(b"[")
            first = True
            for line in source:
                try:
                    orjson.loads(line)
                except orjson.JSONDecodeError:
                    continue
                lines.write(line)
                array.write((b"" if first else b",\n") + line.rstrip(b"\n"))
                first = False
            array.write(b"]\n")
    return lines_path, array_path


def summary_triples(stderr: str) -> int | None:
    found = re.search(r"(\d+) triples", stderr)
    return int(found.group(1)) if found else None


def count_lines(path: Path) -> int:
    with open(path, "rb") as handle:
        return sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, server: subprocess.Popen[bytes], timeout: float = SERVER_START_TIMEOUT) -> None:
    """Return once 127.0.0.1:*port* accepts a connection; RuntimeError if *server* exits or *timeout* passes."""
    deadline = time.monotonic() + timeout
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"oxigraph serve exited ({server.returncode}) before answering on port {port}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"oxigraph serve did not answer on port {port} within {timeout:.0f} s")
        time.sleep(0.05)


def start_oxigraph(location: Path) -> tuple[subprocess.Popen[bytes], str]:
    """An `oxigraph serve` on a free local port, storing in *location*, and its base URL, once it answers."""
    port = free_port()
    oxigraph = str(Path(PYTHON).parent / "oxigraph")
    if not Path(oxigraph).exists():
        oxigraph = shutil.which("oxigraph") or "oxigraph"
    server = subprocess.Popen(
        [oxigraph, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, server)
    except RuntimeError:
        server.terminate()
        server.wait()
        raise
    return server, f"http://127.0.0.1:{port}"


def job_counts(name: str, jobs_list: list[int], parallel: bool) -> list[int]:
    """The headline runs with every job count, a dask cluster with the most, the rest in one process."""
    if not parallel:
        return [1]
    if name in ("convert nt", "convert+validate nt"):
        return jobs_list
    return [max(jobs_list)] if "dask" in name else [min(jobs_list)]


def run_kg(size: int, path: Path, jobs_list: list[int], results: list[Result], only: set[str] | None) -> None:
    reference = OUT / f"kg-{size}-1.nt"  # kept for run_floor; main() deletes it after the size
    for name, (template, _suffix, feature) in KG_RUNS.items():
        if only and name not in only:
            continue
        if feature and not has_feature(feature):
            results.append(Result(size, f"kg {name}", 1, None, None, note=f"n/a: no `kg {feature}` on this branch"))
            continue
        for jobs in job_counts(name, jobs_list, has_feature(f"{template[0]} --jobs")):
            out = OUT / f"kg-{size}-{jobs}"
            server = None
            try:
                endpoint = ""
                if any("{endpoint}" in a for a in template):
                    server, endpoint = start_oxigraph(Path(str(out) + ".server"))
                args = [a.format(corpus=path, out=out, endpoint=endpoint) for a in template]
                if jobs > 1:
                    args += ["--jobs", str(jobs)]
                seconds, rss, stderr = timed(kg(*args), cwd=ROOT)
                results.append(Result(size, f"kg {name}", jobs, seconds, rss, summary_triples(stderr)))
            except RuntimeError as exc:
                results.append(Result(size, f"kg {name}", jobs, None, None, note=f"failed: {str(exc)[:80]}"))
            finally:
                if server is not None:
                    server.terminate()
                    server.wait()
                for leftover in OUT.glob(f"kg-{size}-{jobs}*"):
                    if leftover.is_dir():
                        shutil.rmtree(leftover)
                    elif leftover != reference:  # the floor writes as many bytes as this N-Triples output
                        leftover.unlink()


def run_floor(size: int, path: Path, results: list[Result]) -> None:
    reference = OUT / f"kg-{size}-1.nt"
    nbytes = reference.stat().st_size if reference.exists() else 0
    seconds, rss, _ = timed([PYTHON, __file__, "--floor", str(path), str(OUT / "floor.out"), str(nbytes)])
    results.append(Result(size, "floor (orjson parse + write)", 1, seconds, rss, note=f"{nbytes / 1e6:.0f} MB written"))
    (OUT / "floor.out").unlink(missing_ok=True)


def run_plain(size: int, path: Path, results: list[Result]) -> None:
    out = OUT / f"plain-{size}.nt"
    seconds, rss, _ = timed([PYTHON, str(HERE / "plain.py"), str(path), str(out)])
    results.append(
        Result(
            size,
            "plain string building (no checks)",
            1,
            seconds,
            rss,
            count_lines(out),
            note=f"{out.stat().st_size / 1e6:.0f} MB written",
        )
    )
    out.unlink()


def floor(source: str, target: str, nbytes: int) -> None:
    """Parse every line with orjson and write *nbytes* in total, spread over the records."""
    import orjson

    with open(source, "rb") as handle:
        lines = sum(1 for _ in handle)
    per_record, extra = divmod(nbytes, max(lines, 1))
    chunk = b"x" * per_record
    with open(source, "rb") as handle, open(target, "wb", buffering=1 << 20) as out:
        for number, line in enumerate(handle):
            with contextlib.suppress(orjson.JSONDecodeError):
                orjson.loads(line)
            out.write(chunk)
            if number < extra:
                out.write(b"x")


def ensure_morph() -> Path | None:
    python = MORPH_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable.replace("python", "python3"), "-m", "venv", str(MORPH_VENV)], check=False)
        if not python.exists():
            subprocess.run(["python3", "-m", "venv", str(MORPH_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "morph-kgc"], check=True)
    return python


def run_morph(size: int, array_path: Path, jobs_list: list[int], results: list[Result]) -> None:
    python = ensure_morph()
    for jobs in jobs_list:
        work = OUT / f"morph-{size}-{jobs}"
        work.mkdir(parents=True, exist_ok=True)
        mapping = (HERE / "morph" / "mapping.ttl").read_text().replace("corpus.json", str(array_path))
        (work / "mapping.ttl").write_text(mapping)
        (work / "config.ini").write_text(
            "[CONFIGURATION]\noutput_file=out.nt\noutput_format=N-TRIPLES\n"
            f"number_of_processes={jobs}\nlogging_level=WARNING\n\n[DataSource1]\nmappings=mapping.ttl\n"
        )
        try:
            seconds, rss, _ = timed([str(python), "-m", "morph_kgc", "config.ini"], cwd=work)
            triples = count_lines(work / "out.nt")
            results.append(Result(size, "Morph-KGC (RML, core fields)", jobs, seconds, rss, triples))
        except RuntimeError as exc:
            results.append(Result(size, "Morph-KGC (RML, core fields)", jobs, None, None, note=str(exc)[:80]))
        shutil.rmtree(work)


def run_catmandu(size: int, lines_path: Path, results: list[Result]) -> None:
    if not shutil.which("catmandu"):
        results.append(Result(size, "Catmandu::RDF", 1, None, None, note="n/a: apt install libcatmandu-rdf-perl"))
        return
    out = OUT / f"catmandu-{size}.nt"
    fix = HERE / "catmandu" / "core.fix"
    command = f"catmandu convert JSON to RDF --type ntriples --fix {fix} < {lines_path} > {out}"
    seconds, rss, _ = timed(command, shell=True)
    results.append(Result(size, "Catmandu::RDF (core fix)", 1, seconds, rss, count_lines(out)))
    out.unlink()


def medians(rounds: list[Result]) -> list[Result]:
    """One result per size, tool and job count: the median time of its runs (the range in the note)."""
    grouped: dict[tuple[int, str, int], list[Result]] = {}
    for result in rounds:
        grouped.setdefault((result.size, result.tool, result.jobs), []).append(result)
    out = []
    for (size, tool, jobs), runs in grouped.items():
        timed_runs = sorted((r for r in runs if r.seconds is not None), key=lambda r: r.seconds or 0.0)
        if not timed_runs:
            out.append(runs[0])
            continue
        middle = timed_runs[len(timed_runs) // 2]
        spread = f"median of {len(timed_runs)}: {timed_runs[0].seconds:.1f}–{timed_runs[-1].seconds:.1f} s"
        note = "; ".join(part for part in (middle.note, spread) if part)
        rss = max(r.rss_mb for r in timed_runs if r.rss_mb is not None)
        out.append(Result(size, tool, jobs, middle.seconds, rss, middle.triples, note))
    return out


def fmt(value: float | None, digits: int = 0) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def table(results: list[Result]) -> str:
    rows = [
        "| records | tool | jobs | seconds | records/s | triples | triples/s | peak RSS MiB | vs floor | note |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for result in results:
        floor = next((r for r in results if r.size == result.size and r.tool.startswith("floor")), None)
        ratio = (
            f"{result.times(floor) / result.jobs:.1%}"
            if result.records_per_s and floor and floor.records_per_s and not result.tool.startswith("floor")
            else ""
        )
        rows.append(
            f"| {result.size:,} | {result.tool} | {result.jobs} | {fmt(result.seconds, 1)} | "
            f"{fmt(result.records_per_s)} | {fmt(result.triples)} | {fmt(result.triples_per_s)} | "
            f"{fmt(result.rss_mb)} | {ratio} | {result.note} |"
        )
    return "\n".join(rows)


def ratios(results: list[Result], rounds: list[Result] | None = None) -> str:
    """kg's records/s against each peer's, and its share of the floor's per process.

    With *rounds* (every run of --repeat), each line also gives the spread of the ratio taken
    round by round: the machine's drift moves all tools of a round together, so the per-round
    ratios say how firm a ratio of medians is.
    """
    lines = []
    for size in sorted({r.size for r in results}):
        by_tool = {(r.tool, r.jobs): r for r in results if r.size == size and r.records_per_s}
        for (tool, jobs), result in sorted(by_tool.items()):
            if tool.startswith("floor"):
                for kg_result in sorted((r for r in by_tool.values() if r.tool == "kg convert nt"), key=by_jobs):
                    share = kg_result.times(result) / kg_result.jobs
                    spread = _spread(rounds, size, kg_result, result, per_process=True)
                    lines.append(
                        f"- {size:,} records: kg convert nt ({kg_result.jobs} job(s)) runs at {share:.1%} "
                        f"of the floor's records/s per process{spread}"
                    )
                continue
            ours = by_tool.get(("kg convert nt", jobs)) or by_tool.get(("kg convert nt", 1))
            if ours is None or not tool.startswith(("Morph", "Catmandu", "plain")):
                continue
            spread = _spread(rounds, size, ours, result)
            lines.append(
                f"- {size:,} records: kg convert nt ({ours.jobs} job(s)) is "
                f"{ours.times(result):.1f}x {tool} ({jobs} process(es)) in records/s{spread}"
            )
    return "\n".join(lines)


def _spread(rounds: list[Result] | None, size: int, ours: Result, theirs: Result, per_process: bool = False) -> str:
    """The ratio of *ours* to *theirs* round by round, as " (round by round: low–high)" (or "" for one round)."""
    if not rounds:
        return ""

    def run_of(like: Result, number: int) -> Result | None:
        return next(
            (
                r
                for r in rounds
                if r.size == size and r.tool == like.tool and r.jobs == like.jobs and r.round == number and r.seconds
            ),
            None,
        )

    values = []
    for number in sorted({r.round for r in rounds if r.size == size}):
        mine, peer = run_of(ours, number), run_of(theirs, number)
        if mine is not None and peer is not None:
            values.append(mine.times(peer) / (mine.jobs if per_process else 1))
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    shown = f"{low:.1%}–{high:.1%}" if per_process else f"{low:.1f}–{high:.1f}x"
    return f" (round by round: {shown})"


def main() -> None:
    global OUT
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated corpus sizes")
    parser.add_argument("--jobs", default="1,2", help="comma-separated job counts for kg and Morph-KGC")
    parser.add_argument("--tools", default="kg,floor,plain,morph,catmandu", help="which tools to run")
    parser.add_argument("--runs", help=f"only these kg runs (comma-separated): {', '.join(KG_RUNS)}")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--repeat", type=int, default=1, help="run every size's tools this many times, interleaved; report medians"
    )
    parser.add_argument("--json", help="also write the results as JSON here")
    parser.add_argument("--out", help=f"folder for the outputs (default {OUT}; each run's are deleted after it)")
    parser.add_argument("--floor", nargs=3, metavar=("SOURCE", "TARGET", "BYTES"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor:
        floor(args.floor[0], args.floor[1], int(args.floor[2]))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    jobs_list = [int(j) for j in args.jobs.split(",")]
    tools = set(args.tools.split(","))
    if args.out:  # two runs at once need folders of their own: each deletes its outputs by name
        OUT = Path(args.out).resolve()
    OUT.mkdir(parents=True, exist_ok=True)
    compile_bytecode()
    results: list[Result] = []
    every_run: list[Result] = []
    for size in sizes:
        path = corpus(size, args.seed)
        rounds: list[Result] = []
        # Each round runs every tool once, so that the machine's drift is shared between them.
        for number in range(args.repeat):
            first = len(rounds)
            if "kg" in tools:
                run_kg(size, path, jobs_list, rounds, set(args.runs.split(",")) if args.runs else None)
            if "floor" in tools:
                run_floor(size, path, rounds)
            if "plain" in tools:
                run_plain(size, path, rounds)
            if tools & {"morph", "catmandu"}:
                lines_path, array_path = readable_copies(path)
                if "morph" in tools:
                    run_morph(size, array_path, jobs_list, rounds)
                if "catmandu" in tools:
                    run_catmandu(size, lines_path, rounds)
            for leftover in OUT.glob(f"kg-{size}-*"):
                leftover.unlink()
            for result in rounds[first:]:
                result.round = number
        results.extend(medians(rounds) if args.repeat > 1 else rounds)
        every_run.extend(rounds)
        print(table([r for r in results if r.size == size]), flush=True)
        print(ratios([r for r in results if r.size == size], rounds), flush=True)
    cores = os.cpu_count()
    print(f"\nAll sizes ({cores} cores, {time.strftime('%Y-%m-%d')}):\n")
    print(table(results))
    print(ratios(results, every_run))
    if args.json:
        Path(args.json).write_text(json.dumps([r.__dict__ for r in results], indent=2))


if __name__ == "__main__":
    main()
