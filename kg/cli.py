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
# Records per pyshacl run for `kg convert --validate`, chosen by benchmarks/validate.py.
DEFAULT_VALIDATE_BATCH = 2000


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
@click.option(
    "--validate",
    is_flag=True,
    help="Validate each record's graph with the SHACL shapes: violations reject the record, warnings are listed.",
)
@click.option(
    "--shapes",
    "shapes_dir",
    type=click.Path(),
    help="Folder of SHACL shapes (*.ttl) to use instead of kg's (implies --validate).",
)
@click.option(
    "--validate-batch",
    type=click.IntRange(min=1),
    default=DEFAULT_VALIDATE_BATCH,
    show_default=True,
    help="Records validated per pyshacl run with --validate (1: each record alone; see README 'Validation').",
)
@mapping_settings
def convert_command(  # type: ignore[no-untyped-def]
    inputs,
    output,
    fmt,
    rejects_path,
    quiet,
    validate,
    shapes_dir,
    validate_batch,
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
    check = stage = None
    if validate or shapes_dir:
        shapes = load_shapes(shapes_dir)
        if validate_batch == 1:
            check = shapes.check_record
        else:
            stage = shapes.batch_stage(validate_batch)
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
            check=check,
            stage=stage,
        )
    except (FormatError, InputError) as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{exc.filename or ''}: {exc.strerror or exc}")
    except Exception as exc:  # unusable shapes surface only when validation first runs
        from kg.check import UnusableInput

        if not isinstance(exc, UnusableInput):
            raise
        fail(str(exc))
    click.echo(summary.report(), err=True)
    sys.exit(EXIT_REJECTS if summary.rejected else EXIT_OK)


def load_shapes(shapes_dir: str | None):  # type: ignore[no-untyped-def]
    """The SHACL shapes, loaded once per process (imported here: pyshacl is slow to import)."""
    from kg.check import Shapes, UnusableInput

    try:
        return Shapes(shapes_dir)
    except UnusableInput as exc:
        fail(str(exc))


@main.command("validate")
@click.argument("inputs", nargs=-1, required=True)
@click.option(
    "-f",
    "--format",
    "report_format",
    type=click.Choice(["text", "json", "ttl"]),
    default="text",
    show_default=True,
    help="Report format: readable text grouped by record, JSON, or the standard SHACL validation report (Turtle).",
)
@click.option(
    "--shapes", "shapes_dir", type=click.Path(), help="Folder of SHACL shapes (*.ttl) to use instead of kg's."
)
@mapping_settings
def validate_command(  # type: ignore[no-untyped-def]
    inputs, report_format, shapes_dir, config_path, base, institution, citation_style, statuses
):
    """Validate RDF (.ttl .nt .nq .trig .jsonld .rdf, optionally .gz) or LibreCat records against the SHACL shapes.

    LibreCat exports (.json, .jsonl, folders, '-') are converted first. The whole input is
    validated as one graph, so constraints that span records (advisor cycles) are checked.

    Exit status: 0 conforms (warnings allowed), 1 violations found, 2 unusable input or shapes.
    """
    from kg.check import UnusableInput
    from kg.validate import format_report, read_inputs, validate_inputs

    options = resolve_options(config_path, base, institution, citation_style)
    shapes = load_shapes(shapes_dir)
    try:
        dataset, rejected = read_inputs(inputs, options, frozenset(statuses) if statuses else frozenset({"public"}))
        report = validate_inputs(dataset, shapes, rejected)
    except (UnusableInput, InputError) as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{exc.filename or ''}: {exc.strerror or exc}")
    click.echo(format_report(report, report_format), nl=False)
    if report_format != "text":
        click.echo(report.summary(), err=True)
    sys.exit(EXIT_OK if report.conforms else EXIT_REJECTS)


if __name__ == "__main__":
    main()
