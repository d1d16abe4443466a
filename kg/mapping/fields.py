"""Reading fields of a LibreCat record defensively.

Exports are index documents: numbers arrive as strings, flags as 1/"1"/"0", text
with stray whitespace. These helpers accept every harmless variant and raise
``MappingError`` naming the field when a value has the wrong shape, so the
record is rejected with a reason instead of crashing the run.
"""

from __future__ import annotations

import html
import re
from typing import Any, Final

from kg.rdf import NEEDS_SPACING, clean_text


class MappingError(Exception):
    """A record cannot be mapped: *field* holds something unusable."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def place(field: str, index: int = -1, key: str = "") -> str:
    """Where a value is in a record: a field, the element *index* of its array, *key* in that
    element ("author[2].orcid")."""
    where = field if index < 0 else f"{field}[{index}]"
    return f"{where}.{key}" if key else where


def as_text(value: Any, field: str, index: int = -1, key: str = "") -> str | None:
    """A scalar as clean text; None for empty. Objects and arrays are errors naming the value's
    place (see ``place``: put together only then, as most values are text)."""
    if type(value) is str:  # the common case first
        value = clean_text(value).strip()
        return value or None
    if value is None:
        return None
    if isinstance(value, bool):
        raise MappingError(place(field, index, key), f"expected text, got {json_type(value)}")
    if isinstance(value, (int, float)):
        return str(value)
    if not isinstance(value, str):
        raise MappingError(place(field, index, key), f"expected text, got {json_type(value)}")
    value = clean_text(value).strip()
    return value or None


def required_text(record: dict, field: str) -> str:
    value = record.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise MappingError(field, "required field is missing or empty")
    result = as_text(value, field)
    if result is None:
        raise MappingError(field, "required field is empty")
    return result


def text(record: dict, field: str) -> str | None:
    return as_text(record.get(field), field)


def text_list(record: dict, field: str) -> list[str]:
    """An array of scalars as clean texts (a lone scalar is read as a one-element array)."""
    value = record.get(field)
    if value is None:
        return []
    if not isinstance(value, list):
        value = [value]
    out = []
    for index, item in enumerate(value):
        item_text = as_text(item, field, index)
        if item_text is not None:
            out.append(item_text)
    return out


def object_list(record: dict, field: str, hint: str = "") -> list[dict]:
    """An array of objects. Anything else is an error naming the element."""
    value = record.get(field)
    if value is None:
        return []
    if not isinstance(value, list):
        raise MappingError(field, f"expected an array of objects{hint}, got {json_type(value)}")
    _check_objects(value, field, hint)
    return value


def _check_objects(value: list, field: str, hint: str) -> None:
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise MappingError(f"{field}[{index}]", f"expected an object{hint}, got {json_type(item)}")


def code_list(record: dict, field: str, key: str) -> list[dict]:
    """An array of objects keyed by *key* ({"iso": "eng"}, {"_id": "DaAl"}); bare codes are accepted too."""
    value = record.get(field)
    if value is None:
        return []
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list):
        raise MappingError(field, f"expected an array of objects with {key}, got {json_type(value)}")
    items = [{key: item} if isinstance(item, (str, int)) and not isinstance(item, bool) else item for item in value]
    for item in items:
        if not isinstance(item, dict):
            _check_objects(items, field, f" with {key}")  # raises, naming the element
    return items


def obj(record: dict, field: str) -> dict:
    value = record.get(field)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MappingError(field, f"expected an object, got {json_type(value)}")
    return value


def flag(value: Any) -> bool:
    """LibreCat flags: 1, "1", true, "true", "yes" are set; everything else is not."""
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes"}
    return value is True or value == 1


_TAG: Final = re.compile(r"<!--.*?-->|</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>", re.S)
_SPACE: Final = re.compile(r"[ \t]+")


def strip_markup(value: str) -> str:
    """Plain text from LibreCat's generated HTML (citations, some abstracts).

    Only things shaped like tags are removed, so "a < b" in a formula survives.
    """
    # Each step only where it can change something: most titles carry no markup at all.
    if "<" in value:
        value = _TAG.sub("", value)
    if "&" in value:  # html.unescape is Python code: called only where there is a reference to expand
        value = html.unescape(value)
    if "  " in value or "\t" in value:
        value = _SPACE.sub(" ", value)
    return value.strip()


def single_line(value: str) -> str:
    # Split into words and joined again only when that changes something (a new string a word).
    return " ".join(value.split()) if NEEDS_SPACING(value) else value
