"""French formatting for people: dates, whole numbers (shared by tables, maps and popups).

Spaces inside numbers and before units are no-break spaces (U+00A0): the fonts atlas embeds in
PDFs and every browser render them, and a line never breaks inside « 12 345 hab. ».
"""

from __future__ import annotations

import datetime as dt

from atlas.registry.hours import MONTHS_FR

NBSP = "\u00a0"


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
    """« 6 003 283 »: a whole number with no-break spaces between thousands."""
    return f"{round(float(value)):,}".replace(",", NBSP)
