"""kg.iris: path segments and record IRIs, against their plain definitions."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import quote

import pytest

from kg.iris import Minter, segment, slug

SAFE = re.compile(r"[A-Za-z0-9\-._~:@!$&'()*+,;=]*")


def reference_segment(value: str) -> str:
    value = value.strip()
    return value if SAFE.fullmatch(value) else quote(value, safe="-._~:@!$&'()*+,;=")


@pytest.mark.parametrize(
    "value",
    ["12345", "AbC9", "", " 42 ", "a-b_c.d~e", "10.1000/xyz", "a b", "é1", "１２", "٣٤", "x²", "ID#7", "ß", "AZaz09"],
)
def test_segment_equals_the_regex_and_quote_definition(value):
    # Letters and digits outside ASCII (fullwidth, Arabic-Indic, superscript) are alphanumeric to
    # str.isalnum but not safe in a path: the quick test must not let them through.
    assert segment(value) == reference_segment(value)


def reference_slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    readable = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    digest = hashlib.sha1(" ".join(text.lower().split()).encode()).hexdigest()
    if not readable:
        return digest[:16]
    if len(readable) > 60:
        return readable[:60].rstrip("-") + "-" + digest[:8]
    return readable


@pytest.mark.parametrize(
    "text",
    ["Springer Nature", "  IEEE  ", "Müller, Jürgen", "ﬁne ﬂow", "東京大学", "---", "", "Ä" * 70, "ab " * 30, "x" * 60],
)
def test_slugs_equal_their_definition(text):
    # ASCII text skips the normalisation and the digest is made only for names that need it:
    # the slug must be the same either way.
    assert slug(text) == reference_slug(text)


def test_record_iris_are_minted_afresh_for_each_id():
    minter = Minter("https://repo.example.org/")
    ids = ["1", "2", "1", "1", "a b", "2", "1"]
    minted = [minter.record(record_id) for record_id in ids]
    assert minted == [f"https://repo.example.org/record/{reference_segment(i)}" for i in ids]
    assert minter.author_list("2") == "https://repo.example.org/record/2#authors"
    assert minter.record("1") == "https://repo.example.org/record/1"


@pytest.mark.parametrize(
    "name", ["thesis.pdf", "data_v1.2-final~.zip", "my thesis.pdf", "Ärger.txt", "a/b", "", "100%.csv"]
)
def test_download_iris_quote_file_names_as_quote_does(name):
    minter = Minter("https://repo.example.org")
    assert minter.download("7", "42", name) == f"https://repo.example.org/download/7/42/{quote(name, safe='')}"


def test_language_iris_stay_right_however_many_codes_are_asked_for():
    minter = Minter()
    codes = [f"x{number:03d}" for number in range(1500)] + ["eng", "ger", "eng"]
    for code in codes:
        assert minter.language(code) == f"http://id.loc.gov/vocabulary/iso639-2/{code}"
