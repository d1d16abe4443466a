"""`kg validate`: read RDF or LibreCat records, validate the whole graph, report by record."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable

from kg.check import Dataset, Finding, Report, Shapes, UnusableInput, parse_rdf, rdf_format_for, validate_dataset
from kg.mapping import MappingContext, MappingOptions
from kg.pipeline import Mapped, Rejected, process
from kg.read import read_records


def read_inputs(
    inputs: Iterable[str], options: MappingOptions | None = None, statuses: frozenset[str] = frozenset({"public"})
) -> tuple[Dataset, list[str]]:
    """RDF files are parsed; everything else is read as LibreCat records and converted.

    Returns the data and the conversion rejects ("source position: record: reason").
    """
    dataset = Dataset()
    records: list[str] = []
    for source in inputs:
        if source != "-" and rdf_format_for(source) is not None:
            dataset.add_quads(parse_rdf(source))
        else:
            records.append(source)
    rejected: list[str] = []
    if records:
        for outcome in process(read_records(records), MappingContext(options), statuses):
            if isinstance(outcome, Mapped):
                dataset.add_record(outcome.graph)
            elif isinstance(outcome, Rejected):
                where = f"record {outcome.record}" if outcome.record else f"{outcome.source} {outcome.position}"
                field = f", {outcome.field}" if outcome.field else ""
                rejected.append(f"{where}{field}: {outcome.reason}")
    if len(dataset.graph) == 0 and not rejected:
        raise UnusableInput("no RDF triples or records in the input")
    return dataset, rejected


def validate_inputs(dataset: Dataset, shapes: Shapes, rejected: list[str] | None = None) -> Report:
    report = validate_dataset(dataset, shapes)
    report.rejected = list(rejected or [])
    return report


def record_label(record_iri: str) -> str:
    return f"record {record_iri.rsplit('/', 1)[-1]} <{record_iri}>"


def _group_key(finding: Finding) -> str:
    if not finding.records:
        return "not attributable to a record"
    if len(finding.records) == 1:
        return record_label(finding.records[0])
    shown = ", ".join(r.rsplit("/", 1)[-1] for r in finding.records[:5])
    more = f" and {len(finding.records) - 5} more" if len(finding.records) > 5 else ""
    return f"records {shown}{more} (shared node)"


def format_text(report: Report) -> str:
    groups: dict[str, dict[tuple[str, str], list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for finding in report.findings:
        groups[_group_key(finding)][(finding.severity, finding.shape_name)].append(finding)
    lines: list[str] = []
    for group in sorted(groups, key=lambda g: (g.startswith("not attributable"), g)):
        lines.append(group)
        for (severity, shape_name), findings in sorted(
            groups[group].items(), key=lambda i: (i[0][0] != "Violation", i[0])
        ):
            lines.append(f"  {severity}: {shape_name}")
            for finding in findings:
                value = f" value {finding.value}" if finding.value else ""
                path = f" {finding.path}" if finding.path else ""
                lines.append(f"    <{finding.focus}>{path}{value}")
                lines.append(f"      {finding.message}")
    if report.rejected:
        lines.append("rejected while converting")
        lines.extend(f"  {line}" for line in report.rejected)
    lines.append(report.summary())
    return "\n".join(lines) + "\n"


def format_json(report: Report) -> str:
    document = {
        "conforms": report.conforms,
        "records": report.records_checked,
        "triples": report.triples,
        "violations": len(report.violations),
        "warnings": len(report.warnings),
        "rejected": report.rejected,
        "results": [finding.as_dict() for finding in report.findings],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def format_report(report: Report, fmt: str = "text") -> str:
    if fmt == "json":
        return format_json(report)
    if fmt == "ttl":
        return report.report_graph.serialize(format="turtle")
    return format_text(report)
