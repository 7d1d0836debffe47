"""French wording for people: numbers, dates, weekdays, lists (shared by tables, maps and popups).

Every space inside a number, before a unit or a percent sign is a no-break space (U+00A0, :data:`NBSP`):
the fonts atlas embeds in PDFs and every browser render it, and a line never breaks inside
« 12 345 hab. ». This module is the only place that formats a number for a French reader.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Sequence

import numpy as np

NBSP = "\u00a0"

WEEKDAYS_FR: tuple[str, ...] = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
"""French weekday names, index 0 = Monday (as :meth:`datetime.date.weekday`)."""

MONTHS_FR: tuple[str, ...] = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)
"""French month names, index 0 = January."""


def date_fr(value: str | dt.date) -> str:
    """« 15 octobre 2026 » (« 1er août 2026 ») from an ISO date; « octobre 2026 » or « 2026 »
    when partial; anything unreadable is returned unchanged."""
    if isinstance(value, dt.date):
        day = "1er" if value.day == 1 else str(value.day)
        return f"{day} {MONTHS_FR[value.month - 1]} {value.year}"
    parts = str(value).strip().split("-")
    try:
        if len(parts) >= 3:
            return date_fr(dt.date(int(parts[0]), int(parts[1]), int(parts[2][:2])))
        if len(parts) == 2:
            return f"{MONTHS_FR[int(parts[1]) - 1]} {int(parts[0])}"
        if len(parts[0]) == 4 and parts[0].isdigit():
            return parts[0]
    except (ValueError, IndexError):
        return str(value)
    return str(value)


def integer_fr(value: float) -> str:
    """« 6 003 283 »: a whole number (rounded) with no-break spaces between thousands."""
    return f"{round(float(value)):,}".replace(",", NBSP)


def decimal_fr(value: float, digits: int = 1, *, missing: str = "–") -> str:
    """« 0,052 »: a decimal number with a decimal comma; ``missing`` for NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing
    return f"{value:.{digits}f}".replace(".", ",")


def percent_fr(value: float, digits: int = 1, *, missing: str = "–") -> str:
    """« 36,0 % » (no-break space before the sign); ``missing`` for NaN."""
    text = decimal_fr(value, digits, missing=missing)
    return text if text == missing else text + NBSP + "%"


def cell_fr(value: object) -> str:
    """One table cell for a French reader: « oui »/« non », thousands with no-break spaces,
    one decimal with a comma, « — » for a missing number; other values as text."""
    if isinstance(value, (bool, np.bool_)):
        return "oui" if value else "non"
    if isinstance(value, (int, np.integer)):
        return integer_fr(int(value))
    if isinstance(value, (float, np.floating)):
        if np.isnan(value):
            return "—"
        if float(value).is_integer() and abs(float(value)) >= 1000:
            return integer_fr(float(value))
        return decimal_fr(float(value), 1)
    return str(value)


def join_fr(items: Sequence[str], last: str = "et") -> str:
    """« a, b et c » (or « a, b ou c » with ``last="ou"``)."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


def plural_fr(k: int, singular: str, plural: str | None = None) -> str:
    """« 1 acteur », « 2 acteurs », « 0 acteur » (each word of ``singular`` takes an « s »)."""
    word = singular if abs(k) < 2 else (plural or " ".join(w + "s" for w in singular.split(" ")))
    return f"{k} {word}"


def number_fr(value: float) -> str:
    """« 2,5 », « 10 »: a number in its shortest form (``:g``) with a decimal comma."""
    return f"{float(value):g}".replace(".", ",")


def of_fr(name: str) -> str:
    """« de Tourcoing », « d'Albert », « d'Hénin-Beaumont » (elision before a vowel or a mute h)."""
    first = unicodedata.normalize("NFKD", name[:1]).encode("ascii", "ignore").decode().lower()
    return f"d'{name}" if first in "aeiouyh" and first else f"de {name}"
