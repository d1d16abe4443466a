"""The RDF term classes of kg's term model (see kg.rdf, which re-exports IRI and Literal).

They live apart because IRI and BlankNode subclass ``str``, which mypyc cannot
compile: this module stays plain Python while the modules that use them are compiled.
"""

from __future__ import annotations

from typing import NamedTuple


class IRI(str):
    """An absolute IRI (the str value is the IRI itself, without angle brackets)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"IRI({str.__repr__(self)})"


class Literal(NamedTuple):
    """A literal: lexical form, optional datatype IRI, optional BCP 47 language tag.

    The literals the mapping makes (kg.rdf.literal) are plain tuples of these three fields, which
    compiled code builds far faster; they equal the Literal of the same fields and hash alike. So a
    literal is told by ``kg.rdf.is_literal`` (or as the term that is neither an IRI nor a blank
    node), never by ``type(term) is Literal``.
    """

    value: str
    datatype: str | None = None
    lang: str | None = None


class BlankNode(str):
    """A blank node label (kg's converter mints none; query results, test fixtures and other data may hold them)."""

    __slots__ = ()
