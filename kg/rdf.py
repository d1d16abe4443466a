"""The smallest RDF term model the pipeline needs.

kg does not build rdflib graphs on the hot path: a mapped record is a list of plain
tuples of these terms, which the writers format directly. rdflib and pyoxigraph
are used where a real RDF library earns its cost (parsing, SHACL, stores).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final, cast

from kg.terms import IRI, Literal

__all__ = [
    "IRI",
    "Literal",
    "LiteralItems",
    "StoredTriple",
    "Term",
    "Triple",
    "clean_text",
    "escape_string",
    "is_literal",
    "is_valid_iri",
    "literal",
    "native",
    "nt_term",
]

XSD: Final = "http://www.w3.org/2001/XMLSchema#"
RDF_LANG_STRING: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
XSD_STRING: Final = XSD + "string"

# The IRI class as a compiled constant: a name imported from a plain Python module (kg.terms)
# is otherwise looked up in this module's dictionary at each use.
_IRI: Final = IRI
# String methods compiled code has no primitive for, called as functions: a method call looks the
# method up by name on each call (Python's generic protocol), a function is called directly.
_IS_PRINTABLE: Final = str.isprintable
_TRANSLATE_BYTES: Final = bytes.translate
# Shared with the modules that need them (kg.iris, kg.write), for the same reason.
IS_ASCII: Final = str.isascii
IS_ALNUM: Final = str.isalnum


def literal(value: str, datatype: str | None = None, lang: str | None = None) -> Literal:
    """A literal as a plain tuple (value, datatype, lang), equal to ``Literal(value, datatype, lang)``.

    Compiled code builds a plain tuple itself; a Literal, a tuple subclass, is made by a call into
    the interpreter (tuple.__new__: ten times the instructions, and as many again to free it).
    """
    return cast(Literal, (value, datatype, lang))


def is_literal(term: object) -> bool:
    """Whether *term* is a literal: a Literal or the plain tuple ``literal`` makes."""
    return isinstance(term, tuple)


Term = IRI | Literal
Triple = tuple[IRI, IRI, Term]
# A triple where it is only stored or passed on (in a set, a list): compiled code keeps a Triple as
# its three items and packs them into a new tuple each time it is stored; this is the tuple object.
StoredTriple = tuple
# A Literal as the fixed tuple type it is: cast to it, compiled code reads the items directly
# instead of subscribing a Term (a generic lookup each).
LiteralItems = tuple[str, str | None, str | None]

# Characters that may not appear raw inside an N-Triples/Turtle IRIREF.
_IRI_FORBIDDEN: Final = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_ABSOLUTE_IRI: Final = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]*$")


def is_valid_iri(value: str) -> bool:
    """True when *value* can be written as an absolute IRI without escaping."""
    return bool(_ABSOLUTE_IRI.match(value)) and not _IRI_FORBIDDEN.search(value)


# N-Triples string escaping (also valid Turtle): the mandatory escapes plus every
# other control character as \\uXXXX so that dumps are plain-text safe.
_ESCAPES: Final = {
    "\\": "\\\\",
    '"': '\\"',
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
}
for _code in list(range(0x00, 0x20)) + [0x7F]:
    _ESCAPES.setdefault(chr(_code), f"\\u{_code:04X}")
_ESCAPE_TABLE: Final = str.maketrans(_ESCAPES)


# Above this length a string is tested as UTF-8 bytes (an abstract): see _holds_any.
_LONG: Final = 64
# The bytes of the characters escape_string escapes: all ASCII, so its UTF-8 test is exact.
_ESCAPED_BYTES: Final = bytes([*range(0x20), 0x7F, ord('"'), ord("\\")])
# The bytes of the ASCII characters clean_text changes: controls but tab and newline (CR included).
_CLEANED_BYTES: Final = bytes([*(c for c in range(0x20) if c not in (0x09, 0x0A)), 0x7F])


def _holds_any(value: str, deleted: bytes) -> bool:
    """Whether *value* holds an ASCII character of *deleted*.

    UTF-8 encodes every other character in bytes above 0x7F, so deleting those bytes from the
    encoded string tells exactly; for long strings that is 2-4 times faster than str.isprintable(),
    which looks each character up in the Unicode database.
    """
    encoded = value.encode("utf-8", "surrogatepass")
    return len(_TRANSLATE_BYTES(encoded, None, deleted)) != len(encoded)


def needs_escape(value: str) -> bool:
    """Whether *value* holds a character escape_string escapes (may say so of one it does not)."""
    if len(value) > _LONG:
        return _holds_any(value, _ESCAPED_BYTES)
    # Every character with an escape is a control character (not printable), '"' or '\\'.
    return not _IS_PRINTABLE(value) or '"' in value or "\\" in value


def needs_cleaning(value: str) -> bool:
    """Whether clean_text may change *value*."""
    if len(value) > _LONG:
        return _holds_any(value, _CLEANED_BYTES) or "\ufffe" in value or "\uffff" in value
    return not _IS_PRINTABLE(value)


def needs_spacing(value: str) -> bool:
    """Whether ``" ".join(value.split())`` differs from *value* (a title, a keyword on one line)."""
    return " ".join(value.split()) != value


def native(name: str) -> Any:
    """The function *name* of kg/_text.c, which gives what a Python definition of kg's gives,
    faster; None where kg was built without a C compiler."""
    try:
        from kg import _text
    except ImportError:
        return None
    return getattr(_text, name)


# The tests of kg/_text.c (exact, and several times faster), else the ones above. Compiled
# constants: called directly, not looked up as module attributes at each call.
NEEDS_ESCAPE: Final[Callable[[str], bool]] = native("needs_escape") or needs_escape
NEEDS_CLEANING: Final[Callable[[str], bool]] = native("needs_cleaning") or needs_cleaning
NEEDS_SPACING: Final[Callable[[str], bool]] = native("needs_spacing") or needs_spacing


def escape_string(value: str) -> str:
    # The test spares translate() its per-character table lookups: few strings need an escape.
    return value.translate(_ESCAPE_TABLE) if NEEDS_ESCAPE(value) else value


def nt_term(term: Term) -> str:
    """Format one term in N-Triples syntax."""
    if type(term) is _IRI:
        return f"<{term}>"
    items = cast(LiteralItems, term)
    value, datatype, lang = items
    text = '"' + escape_string(value) + '"'
    if lang:
        return f"{text}@{lang}"
    if datatype and datatype != XSD_STRING:
        return f"{text}^^<{datatype}>"
    return text


# Control characters that are not allowed in XML 1.0 and mean nothing in metadata.
_CONTROL_CHARS: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def clean_text(value: str) -> str:
    """Normalise line ends and drop control characters (kept: tab and newline)."""
    if not NEEDS_CLEANING(value):  # the common case: nothing to clean
        return value
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_CHARS.sub("", value)
