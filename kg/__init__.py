"""kg: LibreCat repository records → a linked-data knowledge graph."""

from __future__ import annotations

import importlib.util

__version__ = "0.1.0"

# The modules setup.py compiles with mypyc (its HOT_PATH): the stages every record goes through.
HOT_PATH = (
    "kg.fastcheck",
    "kg.hashset",
    "kg.iris",
    "kg.mapping",
    "kg.mapping.codes",
    "kg.mapping.dates",
    "kg.mapping.fields",
    "kg.mapping.file",
    "kg.mapping.funding",
    "kg.mapping.model",
    "kg.mapping.organization",
    "kg.mapping.person",
    "kg.mapping.publication",
    "kg.mapping.relation",
    "kg.mapping.venue",
    "kg.pipeline",
    "kg.rdf",
    "kg.read",
    "kg.vocab",
    "kg.write",
)
# Modules written in C for kg (setup.py builds them beside the hot path): see kg/_text.c.
NATIVE = ("kg._text",)


def compiled_modules() -> list[str]:
    """The hot-path and C modules that run as compiled code (none in a pure-Python install)."""
    compiled = []
    for name in HOT_PATH + NATIVE:
        # Found, not imported: `kg --version` (and every command, which builds its help) would
        # otherwise import kg.fastcheck, hence pyshacl and rdflib, 80 ms of start-up.
        spec = importlib.util.find_spec(name)
        origin = (spec.origin if spec is not None else None) or ""
        if origin.endswith((".so", ".pyd")):
            compiled.append(name)
    return compiled


def build() -> str:
    """How this kg runs: compiled hot path or pure Python."""
    compiled = compiled_modules()
    if len(compiled) == len(HOT_PATH + NATIVE):
        return "hot path compiled with mypyc"
    if not compiled:
        return "pure Python; a build with a C compiler is about 2x faster"
    return f"partly compiled ({len(compiled)} of {len(HOT_PATH + NATIVE)} hot-path modules)"
