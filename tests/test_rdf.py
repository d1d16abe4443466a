"""kg.rdf: the term model, and the escaping and cleaning of strings, whose quick tests must never change a result."""

from __future__ import annotations

import os
import random

import pyoxigraph as ox
import pytest

import kg
from kg.rdf import (
    _CONTROL_CHARS,
    _ESCAPE_TABLE,
    _ESCAPES,
    IRI,
    Literal,
    clean_text,
    escape_string,
    is_literal,
    literal,
    nt_term,
)
from kg.terms import BlankNode

# Characters each test must tell apart: controls (tab, newline, CR among them), quote and
# backslash, printable ASCII, non-ASCII printable and not (no-break space, line separator),
# astral, a lone surrogate (JSON may escape one), and the noncharacters clean_text drops.
ALPHABET = [chr(c) for c in range(0x20)] + ['"', "\\", "\x7f", "a", "Z", " ", "é", "–", "\u00a0", "\u2028"]
ALPHABET += ["\U0001f600", "\ud800", "\ufffe", "\uffff", "中"]


def strings(count: int, seed: int) -> list[str]:
    """Mostly plain text with now and then one character of ALPHABET, short and long (abstracts)."""
    rng = random.Random(seed)
    made = []
    for _ in range(count):
        length = rng.choice([0, 1, 5, 63, 64, 65, 200, 3000])
        chars = [rng.choice("abcdefghij klmnop,.") for _ in range(length)]
        for _ in range(rng.choice([0, 0, 1, 3])):
            if chars:
                chars[rng.randrange(len(chars))] = rng.choice(ALPHABET)
        made.append("".join(chars))
    return made


def reference_clean(value: str) -> str:
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_CHARS.sub("", value)


@pytest.mark.parametrize("seed", range(4))
def test_escaping_equals_the_full_translation(seed):
    for value in strings(2000, seed):
        assert escape_string(value) == value.translate(_ESCAPE_TABLE), repr(value)


@pytest.mark.parametrize("seed", range(4))
def test_cleaning_equals_the_full_substitution(seed):
    for value in strings(2000, seed):
        assert clean_text(value) == reference_clean(value), repr(value)


def placed(char: str) -> list[str]:
    """*char* at every place of a 70-character text, stored as 1, 2 and 4 bytes a character."""
    made = []
    for kind in ("", "中", "\U0001f600"):
        for at in range(70):
            text = list("abcdefghij" * 7)
            text[at] = char
            made.append(kind + "".join(text) if at % 2 else "".join(text) + kind)
    return made


def test_the_quick_string_tests_tell_exactly():
    """The C tests (kg/_text.c) say exactly whether a string holds a character that escaping or
    cleaning changes (the Python ones may also say so of some that they leave alone), and whether
    single_line changes it."""
    from kg import rdf

    native = pytest.importorskip("kg._text") if os.environ.get("KG_EXPECT_COMPILED") or kg.compiled_modules() else None
    values = [value for seed in range(4) for value in strings(2000, seed)]
    values += [value for char in ALPHABET for value in placed(char)]
    for value in values:
        escapes = any(char in _ESCAPES for char in value)
        cleans = reference_clean(value) != value
        assert rdf.needs_escape(value) or not escapes, repr(value)
        assert rdf.needs_cleaning(value) or not cleans, repr(value)
        if native is not None:
            assert native.needs_escape(value) == escapes, repr(value)
            assert native.needs_cleaning(value) == cleans, repr(value)
    spaced = [value for seed in range(2) for value in strings(2000, seed)]
    spaced += [
        "",
        " ",
        "a",
        " a",
        "a ",
        "a  b",
        "a b",
        "a\tb",
        "a\u00a0b",
        "a\u2028b",
        "a\u3000b",
        "中 文",
        "\U0001f600 a",
    ]
    spaced += [value for char in [" ", "\t", "\n", "\x1c", "\x85", "\u00a0", "\u2009", "x"] for value in placed(char)]
    for value in spaced:
        assert rdf.needs_spacing(value) == (" ".join(value.split()) != value), repr(value)
        if native is not None:
            assert native.needs_spacing(value) == (" ".join(value.split()) != value), repr(value)
    if native is not None:
        assert rdf.NEEDS_ESCAPE is native.needs_escape and rdf.NEEDS_CLEANING is native.needs_cleaning
        assert rdf.NEEDS_SPACING is native.needs_spacing
        with pytest.raises(TypeError, match="expected str"):
            native.needs_escape(b"bytes")


def test_a_long_escaped_literal_reads_back_as_written():
    value = 'An abstract of two paragraphs,\nwith a "quoted" term, a tab\tand a backslash \\. ' * 5
    parsed = ox.parse(f"<http://x.org/s> <http://x.org/p> {nt_term(literal(value))} .", format=ox.RdfFormat.N_TRIPLES)
    assert next(iter(parsed)).object.value == value


def test_a_literal_is_a_plain_tuple_equal_to_the_named_one():
    """literal() makes plain tuples (compiled code builds them itself): they must stand for the
    same literal as a Literal wherever terms are compared, hashed or told apart."""
    for fields in [("x", None, None), ("x", None, "en"), ("2020", "http://www.w3.org/2001/XMLSchema#gYear", None)]:
        made, named = literal(*fields), Literal(*fields)
        assert type(made) is tuple
        assert made == named and hash(made) == hash(named) and len({made, named}) == 1
        assert is_literal(made) and is_literal(named)
        assert nt_term(made) == nt_term(named)
    assert not is_literal(IRI("https://example.org/a")) and not is_literal(BlankNode("b0"))
