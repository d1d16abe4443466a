"""The `kg` command line: a thin layer over the Python API."""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import TextIO

import click

from kg import __version__, build
from kg.config import ConfigError, load_config, mapping_options
from kg.describe import DescribeError, describe_dump, input_files_in_background
from kg.iris import DEFAULT_BASE, Minter
from kg.pipeline import RECORD_STATUSES, Progress, WorkerError, convert
from kg.read import InputError
from kg.write import FORMATS, FormatError, format_for

EXIT_OK, EXIT_REJECTS, EXIT_USAGE, EXIT_STORE = 0, 1, 2, 3
# Records per pyshacl run for `kg convert --validate`, chosen by benchmarks/validate.py.
DEFAULT_VALIDATE_BATCH = 2000


def fail(message: str) -> None:
    click.echo(f"kg: error: {message}", err=True)
    sys.exit(EXIT_USAGE)


def os_error_message(exc: OSError, name: str = "") -> str:
    """What went wrong with a file, named; a reader that stopped reading (``| head``) said as such."""
    if isinstance(exc, BrokenPipeError):
        return "the output was closed before all of it was written (broken pipe)"
    return f"{exc.filename or name}: {exc.strerror or exc}"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg", message=f"%(prog)s %(version)s ({build()})")
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


def description_settings(func):  # type: ignore[no-untyped-def]
    """Options of the dataset description (VoID/DCAT/PROV) written beside dumps and into stores."""
    func = click.option("--title", help="Dataset title in the description (default: from --base).")(func)
    func = click.option(
        "--license", "license_iri", help="Licence IRI of the dataset (default: CC0 1.0, as usual for metadata)."
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
        help=(
            "Worker processes that map (and with --validate, check) records; the output is the same "
            "for any number. On two cores, N-Triples without --validate are fastest with one job."
        ),
    )(func)


def resolve_options(config_path, base, institution, citation_style, kind=None):  # type: ignore[no-untyped-def]
    try:
        options = mapping_options(
            load_config(config_path), base=base, institution=institution, citation_style=citation_style, kind=kind
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
    "--kind",
    type=click.Choice(["publication", "department", "project"]),
    help="What the input records are (default: publication records).",
)
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
@click.option(
    "--validator",
    type=click.Choice(["fast", "pyshacl"]),
    default="fast",
    show_default=True,
    help="--validate engine: fast (kg.fastcheck, shapes compiled to Python; pyshacl if the shapes need more) "
    "or pyshacl.",
)
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
@description_settings
def convert_command(  # type: ignore[no-untyped-def]
    inputs,
    output,
    fmt,
    rejects_path,
    quiet,
    kind,
    validate,
    shapes_dir,
    validate_batch,
    validator,
    jobs,
    engine,
    scheduler,
    partition_size,
    config_path,
    base,
    institution,
    citation_style,
    statuses,
    title,
    license_iri,
):
    """Convert LibreCat exports (JSON array or JSON Lines, .gz, '-' for stdin, folders) to RDF.

    Beside the dump (not for stdout) goes its description: graph.ttl → graph.void.ttl
    (VoID counts, DCAT distribution with byte size and SHA-256, PROV-O provenance).

    Exit status: 0 when every record was written or skipped as non-public,
    1 when some records were rejected (see --rejects), 2 on unusable input or options.
    """
    options = resolve_options(config_path, base, institution, citation_style, kind)
    if options.base == DEFAULT_BASE and not quiet:
        click.echo(f"kg: note: IRIs are minted under the placeholder {DEFAULT_BASE}; set --base or kg.toml", err=True)
    check = stage = None
    if (validate or shapes_dir) and validator == "fast":
        check = load_fast_shapes(shapes_dir)
    if (validate or shapes_dir) and check is None:
        shapes = load_shapes(shapes_dir)
        if validate_batch == 1:
            check = shapes.check_record
        else:
            stage = shapes.batch_stage(validate_batch)
    if engine == "dask":
        if check is not None or stage is not None:
            fail("--validate is not available with --engine dask yet")
        convert_on_dask(inputs, output, fmt, rejects_path, quiet, jobs, scheduler, partition_size, options, statuses)
    # The description gives the inputs' SHA-256: computed on another core while the records convert.
    input_facts = input_files_in_background(inputs) if output != "-" else None
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
            jobs=jobs,
        )
    except (FormatError, InputError, WorkerError) as exc:
        fail(str(exc))
    except OSError as exc:
        fail(os_error_message(exc))
    except Exception as exc:  # unusable shapes surface only when validation first runs
        from kg.check import UnusableInput

        if not isinstance(exc, UnusableInput):
            raise
        fail(str(exc))
    if output != "-":
        # The description needs the closed dump (its byte size and SHA-256).
        try:
            describe_dump(
                output,
                format_for(output, fmt),
                inputs,
                options.base,
                title=title,
                license=license_iri,
                counts=summary.counts,
                facts=summary.dump,
                inputs=input_facts.result() if input_facts is not None else None,
            )
        except (DescribeError, OSError) as exc:
            fail(str(exc))
    click.echo(summary.report(), err=True)
    sys.exit(EXIT_REJECTS if summary.rejected else EXIT_OK)


# --- load / push / sync: the graph into a store ------------------------------------------------


def store_settings(func):  # type: ignore[no-untyped-def]
    """Options shared by load, push and sync (besides the mapping settings)."""
    func = click.option(
        "--rejects",
        "rejects_path",
        type=click.Path(dir_okay=False),
        help="Write rejected records (JSON Lines: source, position, record, field, reason).",
    )(func)
    func = click.option("-q", "--quiet", is_flag=True, help="Only the summary; no per-record warnings.")(func)
    func = click.option(
        "--batch-bytes",
        type=click.IntRange(min=1),
        default=4 << 20,
        show_default=True,
        help="Size limit of one request; a batch holds whole graphs only.",
    )(func)
    return func


def endpoint_settings(func):  # type: ignore[no-untyped-def]
    """Where and how to reach a remote store (shown in this order in --help)."""
    options = [
        click.option("--endpoint", "endpoint_url", help="SPARQL query endpoint URL."),
        click.option("--update-endpoint", help="SPARQL Update URL (default: …/query → …/update, else --endpoint)."),
        click.option("--graph-store", help="Graph Store Protocol URL for --protocol gsp (default: …/query → …/store)."),
        click.option(
            "--protocol",
            type=click.Choice(["update", "gsp"]),
            default="update",
            show_default=True,
            help="SPARQL Update requests holding whole records, or one Graph Store PUT per record.",
        ),
        click.option(
            "--auth",
            type=click.Choice(["basic", "digest"]),
            help="HTTP authentication scheme (default: $KG_ENDPOINT_AUTH or basic). Credentials: "
            "$KG_ENDPOINT_USER/$KG_ENDPOINT_PASSWORD or ~/.netrc.",
        ),
        click.option(
            "--retries",
            type=click.IntRange(min=0),
            default=5,
            show_default=True,
            help="Retries of a transient failure (connection refused, timeout, HTTP 5xx).",
        ),
        click.option(
            "--retry-wait",
            type=click.FloatRange(min=0),
            default=0.5,
            show_default=True,
            help="First wait before a retry in seconds; doubles each time, at most 30 s.",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(min=1),
            default=120.0,
            show_default=True,
            help="Seconds to wait for one response.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def open_endpoint(endpoint_url, update_endpoint, graph_store, protocol, auth, retries, retry_wait, timeout):  # type: ignore[no-untyped-def]
    from kg.push import Endpoint, EndpointError, RetryPolicy, find_credentials

    try:
        return Endpoint(
            endpoint_url,
            update_endpoint,
            graph_store,
            protocol,
            credentials=find_credentials(update_endpoint or endpoint_url, auth),
            retry=RetryPolicy(attempts=retries + 1, initial=retry_wait),
            timeout=timeout,
            log=sys.stderr,
        )
    except EndpointError as exc:
        fail(str(exc))


def run_place(  # type: ignore[no-untyped-def]
    target,
    inputs,
    *,
    incremental,
    full=False,
    dry_run=False,
    graph=None,
    endpoint_url=None,
    options,
    statuses,
    rejects_path,
    quiet,
    batch_bytes,
    title,
    license_iri,
):
    """Shared body of load, push and sync: kg.sync.run with the command line's reporting."""
    from kg.pipeline import PUBLIC, Summary
    from kg.push import EndpointError
    from kg.sync import SyncError, run

    summary = Summary()
    rejects = None
    try:
        rejects = open(rejects_path, "w", encoding="utf-8") if rejects_path else None
        plan = run(
            inputs,
            target,
            options=options,
            summary=summary,
            incremental=incremental,
            full=full,
            dry_run=dry_run,
            graph=graph,
            endpoint_url=endpoint_url,
            statuses=frozenset(statuses) if statuses else PUBLIC,
            batch_bytes=batch_bytes,
            rejects=rejects,
            warnings=None if quiet else sys.stderr,
            progress=Progress(),
            title=title,
            license_iri=license_iri,
        )
    except (InputError, SyncError) as exc:
        fail(str(exc))
    except EndpointError as exc:
        click.echo(f"kg: error: {exc}", err=True)
        click.echo("kg: no record was half-written: fix the cause and run the same command again", err=True)
        sys.exit(EXIT_STORE)
    except OSError as exc:
        fail(os_error_message(exc))
    finally:
        if rejects:
            rejects.close()
    if summary.read:
        click.echo(summary.report(), err=True)
    click.echo(plan.report(dry_run), err=True)
    return summary


@main.command("load")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--store", "store_path", default="kg-store", show_default=True, help="Store folder (created if missing).")
@click.option("--graph", help="Graph IRI for triples-only RDF inputs (default: {base}/graph/FILE-NAME).")
@store_settings
@mapping_settings
@description_settings
def load_command(
    inputs,
    store_path,
    graph,
    rejects_path,
    quiet,
    batch_bytes,
    config_path,
    base,
    institution,  # type: ignore[no-untyped-def]
    citation_style,
    statuses,
    title,
    license_iri,
):
    """Load records or RDF into the embedded on-disk store, one named graph per record.

    Inputs are LibreCat exports (as for convert) or RDF files (.nt .nq .ttl .trig .jsonld .rdf, .gz):
    N-Quads/TriG keep their graphs. Loading the same input twice gives the same store.
    Exit status: 0 ok, 1 some records rejected, 2 unusable input or store.
    """
    from kg.store import EmbeddedStore, StoreError

    options = resolve_options(config_path, base, institution, citation_style)
    try:
        store = EmbeddedStore(store_path)
    except StoreError as exc:
        fail(str(exc))
    summary = run_place(
        store,
        inputs,
        incremental=False,
        graph=graph,
        options=options,
        statuses=statuses,
        rejects_path=rejects_path,
        quiet=quiet,
        batch_bytes=batch_bytes,
        title=title,
        license_iri=license_iri,
    )
    store.flush()
    sys.exit(EXIT_REJECTS if summary.rejected else EXIT_OK)


@main.command("push")
@click.argument("inputs", nargs=-1, required=True)
@endpoint_settings
@click.option("--graph", help="Graph IRI for triples-only RDF inputs (default: {base}/graph/FILE-NAME).")
@store_settings
@mapping_settings
@description_settings
def push_command(
    inputs,
    endpoint_url,
    update_endpoint,
    graph_store,
    protocol,
    auth,
    retries,
    retry_wait,
    timeout,  # type: ignore[no-untyped-def]
    graph,
    rejects_path,
    quiet,
    batch_bytes,
    config_path,
    base,
    institution,
    citation_style,
    statuses,
    title,
    license_iri,
):
    """Send every record's graph to a SPARQL 1.1 store, replacing what it held for that record.

    Exit status: 0 ok, 1 some records rejected, 2 unusable input or options, 3 the endpoint failed
    (re-running the same command converges).
    """
    if not endpoint_url:
        fail("--endpoint is required")
    options = resolve_options(config_path, base, institution, citation_style)
    target = open_endpoint(endpoint_url, update_endpoint, graph_store, protocol, auth, retries, retry_wait, timeout)
    summary = run_place(
        target,
        inputs,
        incremental=False,
        graph=graph,
        endpoint_url=endpoint_url,
        options=options,
        statuses=statuses,
        rejects_path=rejects_path,
        quiet=quiet,
        batch_bytes=batch_bytes,
        title=title,
        license_iri=license_iri,
    )
    sys.exit(EXIT_REJECTS if summary.rejected else EXIT_OK)


@main.command("sync")
@click.argument("inputs", nargs=-1, required=True)
@endpoint_settings
@click.option("--store", "store_path", help="Sync the embedded store in this folder instead of an endpoint.")
@click.option(
    "--dry-run", is_flag=True, help="Print the plan (counts and ids to add, replace, remove); change nothing."
)
@click.option("--full", is_flag=True, help="The input is a full export: remove records it does not contain.")
@store_settings
@mapping_settings
@description_settings
def sync_command(
    inputs,
    endpoint_url,
    update_endpoint,
    graph_store,
    protocol,
    auth,
    retries,
    retry_wait,
    timeout,  # type: ignore[no-untyped-def]
    store_path,
    dry_run,
    full,
    rejects_path,
    quiet,
    batch_bytes,
    config_path,
    base,
    institution,
    citation_style,
    statuses,
    title,
    license_iri,
):
    """Bring a store up to date: send only new and changed records, remove withdrawn ones.

    The state (graph → content hash, record id, date_updated) lives in the store itself,
    in the graph {base}/kg/sync-state, and changes in the same request as the records.
    Exit status as for push.
    """
    if bool(endpoint_url) == bool(store_path):
        fail("give either --endpoint URL or --store DIR")
    options = resolve_options(config_path, base, institution, citation_style)
    if store_path:
        from kg.store import EmbeddedStore, StoreError

        try:
            target = EmbeddedStore(store_path)
        except StoreError as exc:
            fail(str(exc))
    else:
        target = open_endpoint(endpoint_url, update_endpoint, graph_store, protocol, auth, retries, retry_wait, timeout)
    summary = run_place(
        target,
        inputs,
        incremental=True,
        full=full,
        dry_run=dry_run,
        endpoint_url=endpoint_url,
        options=options,
        statuses=statuses,
        rejects_path=rejects_path,
        quiet=quiet,
        batch_bytes=batch_bytes,
        title=title,
        license_iri=license_iri,
    )
    if store_path:
        target.flush()
    sys.exit(EXIT_REJECTS if summary.rejected else EXIT_OK)


# --- ready queries and genealogy pictures ---------------------------------------------------------


def data_source_options(func):  # type: ignore[no-untyped-def]
    """Where queries read from: the embedded store, a SPARQL endpoint, or files loaded for one run.

    `--data a.json b.ttl` takes several files: click options take one value each, so the words
    after the command's own argument are collected here and count as more --data files.
    """
    func = click.argument("more_data", nargs=-1, type=click.Path(), metavar="[--data FILE…]")(func)
    func = click.option("--base", help="Base URL for IRIs of records given with --data (default from kg.toml).")(func)
    func = click.option("--config", "config_path", type=click.Path(dir_okay=False), help="TOML settings file.")(func)
    func = click.option(
        "--data",
        "data_files",
        multiple=True,
        type=click.Path(),
        help="RDF files (.nt .nq .ttl .trig .rdf .jsonld) or LibreCat exports (.json .jsonl) to query (repeatable).",
    )(func)
    func = click.option(
        "--endpoint", help="SPARQL endpoint URL (Oxigraph server: http://HOST:PORT/query?union-default-graph)."
    )(func)
    func = click.option("--store", "store_dir", help="Embedded store folder (default: ./kg-store).")(func)
    return func


def open_backend(store_dir, endpoint, data_files, more_data, config_path, base):  # type: ignore[no-untyped-def]
    from kg.query import EndpointBackend, QueryError, open_data, open_store
    from kg.store import DEFAULT_STORE

    if more_data and not data_files:
        fail(f"unexpected argument {more_data[0]!r} (data files follow --data)")
    data_files = (*data_files, *more_data)

    sources = (("--store", store_dir), ("--endpoint", endpoint), ("--data", data_files))
    chosen = [name for name, value in sources if value]
    if len(chosen) > 1:
        fail(f"give only one of {', '.join(chosen)}")
    try:
        if endpoint:
            if endpoint.split("?")[0].endswith("/query") and "graph" not in endpoint.partition("?")[2]:
                click.echo(
                    "note: an Oxigraph server queries its default graph only; the records are named graphs: "
                    "use …/query?union-default-graph",
                    err=True,
                )
            return EndpointBackend(endpoint)
        if data_files:
            options = resolve_options(config_path, base, None, None)
            return open_data(list(data_files), options, sys.stderr)
        return open_store(store_dir or DEFAULT_STORE)
    except QueryError as exc:
        fail(str(exc))


@main.command("query")
@click.argument("name")
@click.option("-p", "--param", "params", multiple=True, metavar="KEY=VALUE", help="A query parameter (repeatable).")
@click.option(
    "-f", "--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]), default="table", show_default=True
)
@click.option("-o", "--output", default="-", show_default=True, help="Output file ('-' for stdout).")
@data_source_options
def query_command(name, params, fmt, output, more_data, store_dir, endpoint, data_files, config_path, base):  # type: ignore[no-untyped-def]
    """Run a ready query (see `kg queries`) or a FILE.rq.

    A person is given as a local person id, an ORCID or an IRI. Parameters are bound as RDF
    terms, never pasted into the query text.
    """
    from kg.query import QueryError, find_query, format_result, parse_param_options, run_query, warn

    try:
        query = find_query(name)
        given = parse_param_options(params)
    except QueryError as exc:
        fail(str(exc))
    backend = open_backend(store_dir, endpoint, data_files, more_data, config_path, base)
    try:
        result = run_query(query, given, backend)
    except QueryError as exc:
        fail(str(exc))
    warn(result)
    text = format_result(result, fmt)
    if output == "-":
        click.echo(text, nl=False)
    else:
        try:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            fail(os_error_message(exc, output))


@main.command("queries")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def queries_command(fmt: str) -> None:
    """List the ready queries with their descriptions and parameters."""
    import json

    from kg.query import QueryError, catalogue, describe_catalogue

    try:
        queries = catalogue()
    except QueryError as exc:
        fail(str(exc))
    if fmt == "json":
        listing = [
            {
                "name": q.name,
                "title": q.title,
                "description": q.description,
                "parameters": [
                    {"name": p.name, "type": p.type, "optional": p.optional, "description": p.description}
                    for p in q.params
                ],
            }
            for q in queries.values()
        ]
        click.echo(json.dumps(listing, ensure_ascii=False, indent=1))
        return
    for line in describe_catalogue(queries):
        click.echo(line)


@main.command("genealogy")
@click.argument("person", required=False)
@click.option("--up", "direction", flag_value="up", help="Only advisors, their advisors …")
@click.option("--down", "direction", flag_value="down", help="Only students, their students …")
@click.option("--depth", type=click.IntRange(min=1), help="Generations to follow (default: all).")
@click.option("--network", is_flag=True, help="Draw the whole supervision network instead of one person's.")
@click.option("--department", help="With --network: only theses of this department (id or IRI).")
@click.option("-o", "--output", required=True, help="Picture file: .svg, .png (need Graphviz) or .dot.")
@data_source_options
def genealogy_command(  # type: ignore[no-untyped-def]
    person, direction, depth, network, department, output, more_data, store_dir, endpoint, data_files, config_path, base
):
    """Draw the doctoral-advisor network around PERSON (local id, ORCID or IRI) with Graphviz.

    With --network (and optionally --department), draw every advisor edge instead.
    """
    from kg.genealogy import collect, collect_network, write_picture
    from kg.query import Param, QueryError, resolve

    network = network or department is not None
    if network and person:
        if not data_files:
            fail("give either PERSON or --network, not both")
        more_data = (person, *more_data)  # `--network --data a.json b.json`: b.json lands here
    if not network and not person:
        fail("give PERSON (a local person id, ORCID or IRI), or --network for the whole supervision network")
    backend = open_backend(store_dir, endpoint, data_files, more_data, config_path, base)
    try:
        if network:
            unit = resolve(Param("department", "department", False, ""), department, backend) if department else None
            picture = collect_network(backend, unit, department)  # type: ignore[arg-type]
        else:
            iri = resolve(Param("person", "person", False, ""), person, backend)
            picture = collect(backend, iri, up=direction != "down", down=direction != "up", depth=depth)  # type: ignore[arg-type]
        for message in picture.warnings:
            click.echo(f"warning: {message}", err=True)
        write_picture(picture, output)
    except QueryError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(os_error_message(exc, output))
    click.echo(f"{len(picture.people)} people, {len(picture.edges)} advisor edges → {output}", err=True)


def load_shapes(shapes_dir: str | None):  # type: ignore[no-untyped-def]
    """The SHACL shapes, loaded once per process (imported here: pyshacl is slow to import)."""
    from kg.check import Shapes, UnusableInput

    try:
        return Shapes(shapes_dir)
    except UnusableInput as exc:
        fail(str(exc))


def load_fast_shapes(shapes_dir: str | None):  # type: ignore[no-untyped-def]
    """kg.fastcheck's per-record check, or None (with a note) when the shapes need pyshacl."""
    from kg.check import UnusableInput
    from kg.fastcheck import FastShapes

    try:
        fast = FastShapes(shapes_dir)
    except UnusableInput as exc:
        fail(str(exc))
    if not fast.supported:
        click.echo(f"kg: note: validating with pyshacl: the fast checker lacks {'; '.join(fast.unsupported)}", err=True)
        return None
    return fast.check_record


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
        fail(os_error_message(exc))
    click.echo(format_report(report, report_format), nl=False)
    if report_format != "text":
        click.echo(report.summary(), err=True)
    sys.exit(EXIT_OK if report.conforms else EXIT_REJECTS)


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
        fail(os_error_message(exc))
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
        fail(os_error_message(exc, output))
    click.echo(summary.report(), err=True)


def run() -> None:
    """The ``kg`` command (console script and ``python -m kg``): ``main``, then a quick exit.

    When a command is done, the interpreter's teardown (freeing every module and object one by
    one) took 40-55 ms, a twentieth of converting 10k records, for nothing the command needs.
    The exit does what of it matters: exit handlers run, and standard output and error are
    flushed. Another thread still running, or an exit with a message, takes the usual way.
    Commands close their files and stores themselves before they exit (``with``, ``finally``),
    and by the time ``main`` has returned or raised the frames that held them are gone.
    """
    try:
        main()
    except SystemExit as stop:
        code = stop.code
    else:
        code = EXIT_OK
    if not isinstance(code, int | None) or threading.active_count() > 1:
        sys.exit(code)
    atexit._run_exitfuncs()  # what the interpreter runs first on its way out
    unwritten = _flush(sys.stdout)
    message = f"kg: error: {os_error_message(unwritten, '<stdout>')}\n" if unwritten is not None else ""
    unsaid = _flush(sys.stderr, message)
    if unwritten is not None or unsaid is not None:
        code = code or EXIT_USAGE  # unwritten output (a closed pipe) must not pass for success
    os._exit(code or EXIT_OK)


def _flush(stream: TextIO | None, last: str = "") -> OSError | None:
    """Write *last* to *stream* and flush it (when open); the error that kept it from being written."""
    if stream is None or stream.closed:
        return None
    try:
        stream.write(last)
        stream.flush()
    except OSError as exc:
        return exc
    return None


if __name__ == "__main__":
    run()
