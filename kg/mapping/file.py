"""Files: only open-access files become public distributions.

A file of any other access level leaves no trace: not its name, size, checksum
or id, and not the login of whoever uploaded it.
"""

from __future__ import annotations

import re
from typing import Final

from kg.mapping.fields import as_text, flag, object_list, place
from kg.mapping.model import MappingContext, RecordGraph, plain, typed
from kg.rdf import IRI, is_valid_iri
from kg.vocab import DCAT, DCTERMS, RDF, SPDX, XSD

_MEDIA_TYPE: Final = re.compile(r"^[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+$", re.I)
_CHECKSUM_ALGORITHMS: Final = {
    32: SPDX.checksumAlgorithm_md5,
    40: SPDX.checksumAlgorithm_sha1,
    64: SPDX.checksumAlgorithm_sha256,
}
_HEX: Final = re.compile(r"^[0-9a-fA-F]+$")


def map_files(record: dict, ctx: MappingContext, graph: RecordGraph) -> None:
    for index, entry in enumerate(object_list(record, "file")):
        if as_text(entry.get("access_level"), "file", index, "access_level") != "open_access":
            continue
        file_id = as_text(entry.get("file_id"), "file", index, "file_id")
        file_name = as_text(entry.get("file_name"), "file", index, "file_name")
        if not file_id or not file_name:
            graph.warn(place("file", index), "open-access file without file_id or file_name skipped")
            continue
        dist = ctx.iris.distribution(graph.record_id, file_id)
        graph.add(graph.iri, DCAT.distribution, dist)
        graph.add(dist, RDF.type, DCAT.Distribution)
        graph.add(dist, DCTERMS.title, plain(file_name))
        download = ctx.iris.download(graph.record_id, file_id, file_name)
        # DCAT-AP requires an access URL; for a file it is the download itself.
        graph.add(dist, DCAT.accessURL, download)
        graph.add(dist, DCAT.downloadURL, download)
        content_type = as_text(entry.get("content_type"), "file", index, "content_type")
        if content_type and _MEDIA_TYPE.match(content_type):
            media_type = ctx.iris.media_type(content_type.lower())
            graph.add(dist, DCAT.mediaType, media_type)
            graph.share_type(media_type, DCTERMS.MediaType)
        elif content_type:
            graph.warn(place("file", index, "content_type"), f"not a media type: {content_type!r}")
        size = as_text(entry.get("file_size"), "file", index, "file_size")
        if size and size.isdecimal():  # what int() takes ("²" is a digit, not decimal)
            graph.add(dist, DCAT.byteSize, typed(str(int(size)), XSD.nonNegativeInteger))
        checksum = as_text(entry.get("checksum"), "file", index, "checksum")
        if checksum and _HEX.match(checksum) and len(checksum) in _CHECKSUM_ALGORITHMS:
            node = ctx.iris.checksum(graph.record_id, file_id)
            graph.add(dist, SPDX.checksum, node)
            graph.add(node, RDF.type, SPDX.Checksum)
            algorithm = _CHECKSUM_ALGORITHMS[len(checksum)]
            graph.add(node, SPDX.algorithm, algorithm)
            graph.share_type(algorithm, SPDX.ChecksumAlgorithm)
            graph.add(node, SPDX.checksumValue, typed(checksum.lower(), XSD.hexBinary))

    for index, entry in enumerate(object_list(record, "main_file_link")):
        url = as_text(entry.get("url"), "main_file_link", index, "url")
        if not url or not flag(entry.get("open_access")):
            continue
        if not is_valid_iri(url):
            graph.warn(place("main_file_link", index, "url"), f"not a usable URL: {url!r}")
            continue
        # Named by the URL, not the list position, so reordering keeps the IRI.
        dist = ctx.iris.linked_file(graph.record_id, url)
        graph.add(graph.iri, DCAT.distribution, dist)
        graph.add(dist, RDF.type, DCAT.Distribution)
        graph.add(dist, DCAT.accessURL, IRI(url))
