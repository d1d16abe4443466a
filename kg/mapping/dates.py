"""Dates: LibreCat's year/month/day fields and ISO 8601 strings to typed literals."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Final

from kg.rdf import IRI, native
from kg.vocab import XSD

_DATE: Final = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T ][0-9:.]+(?:Z|[+-]\d\d:?\d\d)?)?$")
_YEAR: Final = re.compile(r"\d{4}")
_DATETIME: Final = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?$")
# Bound methods as compiled constants: called directly, not looked up by name on each call.
_MATCH_DATETIME: Final = _DATETIME.match
_FROM_ISO_FORMAT: Final = dt.datetime.fromisoformat


@lru_cache(maxsize=1 << 16)  # a few thousand distinct dates recur across a corpus
def date_literal(year: str, month: str | None = None, day: str | None = None) -> tuple[str, IRI] | None:
    """The most precise valid (lexical form, XSD type) for the given parts."""
    if not _YEAR.fullmatch(year or ""):
        return None
    # isdecimal, not isdigit: int() takes the decimal digits of any script, not "²" (a digit).
    if month and month.isdecimal() and 1 <= int(month) <= 12:
        if day and day.isdecimal():
            try:
                return dt.date(int(year), int(month), int(day)).isoformat(), XSD.date
            except (ValueError, OverflowError):  # a day past the month's end, or past a C long
                pass
        return f"{year}-{int(month):02d}", XSD.gYearMonth
    return year, XSD.gYear


def parse_date(value: str) -> tuple[str, IRI] | None:
    """'2016-03-16', '2016-03', '2016' or an ISO timestamp → typed date literal parts."""
    match = _DATE.match(value.strip())
    if not match:
        return None
    return date_literal(*match.groups())


# LibreCat's own timestamps ("2016-03-16T10:22:41Z"): their parts checked against these instead of
# by the pattern and datetime.fromisoformat (five times the instructions), a check per record.
_HOURS: Final = frozenset(f"{n:02d}" for n in range(24))
_MINUTES: Final = frozenset(f"{n:02d}" for n in range(60))


# Last days of the months as two-digit text (text of equal length compares as the numbers do),
# those of a common year: 29 February is the leap rule's (_real_day). Written out: the calendar
# module (and the locale module it brings) cost every start-up 4 ms for twelve numbers.
_LAST_DAYS: Final = {
    "01": "31", "02": "28", "03": "31", "04": "30", "05": "31", "06": "30",
    "07": "31", "08": "31", "09": "30", "10": "31", "11": "30", "12": "31",
}  # fmt: skip
_DAYS: Final = frozenset(f"{n:02d}" for n in range(1, 32))


def _real_day(day: str) -> bool:
    """Whether *day* is a real "YYYY-MM-DD" (year 0001 to 9999, as datetime.date takes)."""
    if day[4] != "-" or day[7] != "-":
        return False
    last = _LAST_DAYS.get(day[5:7])
    mday = day[8:10]
    if last is None or mday not in _DAYS:
        return False
    year = day[:4]
    if not (year.isascii() and year.isdigit()) or year == "0000":
        return False
    if mday <= last:
        return True
    return last == "28" and mday == "29" and _is_leap(int(year))


def _is_leap(year: int) -> bool:
    """The Gregorian rule (calendar.isleap's)."""
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def is_utc_second(value: str) -> bool:
    """Whether *value* is a real "YYYY-MM-DDTHH:MM:SSZ"; False may also mean another form, which
    parse_datetime then checks in full."""
    return (
        len(value) == 20
        and value[19] == "Z"
        and value[10] == "T"
        and value[13] == ":"
        and value[16] == ":"
        and value[11:13] in _HOURS
        and value[14:16] in _MINUTES
        and value[17:19] in _MINUTES
        and _real_day(value[:10])
    )


# kg/_text.c's is_utc_second where it is built: it reads the characters where they are stored,
# where the definition above makes a string of each part to compare (4,000 instructions a stamp).
IS_UTC_SECOND: Final[Callable[[str], bool]] = native("utc_second") or is_utc_second


def parse_datetime(value: str) -> str | None:
    """*value* without surrounding space when it is an ISO 8601 timestamp of a real moment, else None."""
    value = value.strip()
    if IS_UTC_SECOND(value):
        return value
    if not _MATCH_DATETIME(value):
        return None
    try:
        _FROM_ISO_FORMAT(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value
