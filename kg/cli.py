"""The `kg` command line: a thin layer over the Python API."""

from __future__ import annotations

import sys

import click

from kg import __version__
from kg.config import ConfigError, load_config, mapping_options
from kg.iris import Minter
from kg.pipeline import RECORD_STATUSES, Progress, convert
from kg.read import InputError
from kg.write import FORMATS, FormatError, format_for

EXIT_OK, EXIT_REJECTS, EXIT_USAGE = 0, 1, 2


def fail(message: str) -> None:
    click.echo(f"kg: error: {message}", err=True)
    sys.exit(EXIT_USAGE)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def main() -> None:
    """Turn LibreCat repository records into a linked-data knowledge graph."""


def mapping_settings(func):  # type: ignore[no-untyped-def]
    """Options shared by every command that maps records."""
    func = click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False),
        help="TOML settings file (default: ./kg.toml if present).",
    )(func)
    func = click.option("--base", help="Base URL the IRIs are minted under (the repository's own).")(func)
    func = click.option("--institution", help="Degree-granting institution for theses without a publisher.")(func)
    func = click.option("--citation-style", help="Citation style to export as plain text, or 'none' (default apa).")(
        func
    )
    func = click.option(
        "--status",
        "statuses",
        multiple=True,
        type=click.Choice(sorted(RECORD_STATUSES)),
        help="Export records of this status (repeatable). Default: public only.",
    )(func)
    return func


def jobs_option(func):  # type: ignore[no-untyped-def]
    """-j/--jobs: map records in N worker processes (output identical to one job)."""
    return click.option(
        "-j",
        "--jobs",
        type=click.IntRange(min=1),
        default=1,
        show_default=True,
        help="Worker processes that map records; the output is the same for any number.",
    )(func)


def resolve_options(config_path, base, institution, citation_style):  # type: ignore[no-untyped-def]
    try:
        options = mapping_options(
            load_config(config_path), base=base, institution=institution, citation_style=citation_style
        )
        Minter(options.base)
    except (ConfigError, ValueError, TypeError) as exc:
        fail(str(exc))
    return options


@main.command("convert")
@click.argument("inputs", nargs=-1, required=True)
@click.option(
    "-o", "--output", default="-", show_default=True, help="Output file ('-' for stdout); a .gz suffix compresses."
)
@click.option("-f", "--format", "fmt", help=f"Output format: {', '.join(FORMATS)} (default: from the suffix).")
@click.option(
    "--rejects",
    "rejects_path",
    type=click.Path(dir_okay=False),
    help="Write rejected records (JSON Lines: source, position, record, field, reason).",
)
@click.option("-q", "--quiet", is_flag=True, help="Only the summary; no per-record warnings.")
@jobs_option
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="dask: run on a dask.distributed cluster; -o names a folder that receives gzip N-Quads "
    "shards and manifest.json.",
)
@click.option("--scheduler", help="dask scheduler address (default: a local cluster of --jobs workers).")
@click.option(
    "--partition-size", type=click.IntRange(min=1), default=10_000, show_default=True, help="Records per dask shard."
)
@mapping_settings
def convert_command(  # type: ignore[no-untyped-def]
    inputs,
    output,
    fmt,
    rejects_path,
    quiet,
    jobs,
    engine,
    scheduler,
    partition_size,
    config_path,
    base,
    institution,
    citation_style,
    statuses,
):
    """Convert LibreCat exports (JSON array or JSON Lines, .gz, '-' for stdin, folders) to RDF.

    Exit status: 0 when every record was written or skipped as non-public,
    1 when some records were rejected (see --rejects), 2 on unusable input or options.
    """
    options = resolve_options(config_path, base, institution, citation_style)
    if engine == "dask":
        convert_on_dask(inputs, output, fmt, rejects_path, quiet, jobs, scheduler, partition_size, options, statuses)
    try:
        format_for(output, fmt)
        summary = convert(
            inputs,
            output,
            fmt=fmt,
            options=options,
            statuses=frozenset(statuses) if statuses else frozenset({"public"}),
            rejects_path=rejects_path,
            warnings_stream=None if quiet else sys.stderr,
            progress=Progress(),
            jobs=jobs,
        )
    except (FormatError, InputError) as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{exc.filename or ''}: {exc.strerror or exc}")
    click.echo(summary.report(), err=True)
    sys.exit(EXIT_REJECTS if summary.rejected else EXIT_OK)


def convert_on_dask(inputs, output, fmt, rejects_path, quiet, jobs, scheduler, partition_size, options, statuses):  # type: ignore[no-untyped-def]
    from kg.distributed import EngineError, convert_distributed

    try:
        if output == "-" or (fmt and format_for(None, fmt) != "nq"):
            fail("--engine dask writes gzip N-Quads shards: give -o FOLDER (and no -f, or -f nq)")
        summary = convert_distributed(
            inputs,
            output,
            options=options,
            statuses=frozenset(statuses) if statuses else frozenset({"public"}),
            rejects_path=rejects_path,
            warnings_stream=None if quiet else sys.stderr,
            progress=Progress(),
            scheduler=scheduler,
            workers=jobs,
            partition_size=partition_size,
        )
    except (FormatError, InputError, EngineError) as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{exc.filename or ''}: {exc.strerror or exc}")
    click.echo(summary.report(), err=True)
    sys.exit(EXIT_REJECTS if summary.rejected else EXIT_OK)


@main.command("generate")
@click.argument("count", type=click.IntRange(min=1))
@click.option("-o", "--output", required=True, help="JSON Lines file to write; a .gz suffix compresses.")
@click.option("--seed", type=int, default=1, show_default=True, help="The same seed gives the same corpus.")
def generate_command(count, output, seed):  # type: ignore[no-untyped-def]
    """Write COUNT synthetic, realistic LibreCat records (for tests and benchmarks).

    About one record in 500 is broken on purpose; `kg convert` rejects exactly those.
    """
    from kg.generate import write_corpus

    try:
        summary = write_corpus(count, output, seed)
    except OSError as exc:
        fail(f"{exc.filename or output}: {exc.strerror or exc}")
    click.echo(summary.report(), err=True)


if __name__ == "__main__":
    main()
