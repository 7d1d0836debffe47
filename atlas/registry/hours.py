"""Opening hours: parsing, weekday questions and temporary closures.

Opening hours are stored in registries in the OpenStreetMap ``opening_hours`` syntax
(https://wiki.openstreetmap.org/wiki/Key:opening_hours/specification), e.g.
``Mo-Fr 09:00-12:00,14:00-17:30; PH off``. This module never parses that syntax itself: it
delegates to the maintained parser `opening-hours-py` (module :mod:`opening_hours`) and only
*evaluates* the parsed expression over fixed calendar periods. Their French wording for people
is :mod:`atlas.registry.hours_fr`.

Reference period
----------------
Questions about "a typical week" (:func:`open_on`, :func:`open_days`, :func:`weekly_intervals`)
are answered over the **reference month**, March 2025. No French public holiday falls in it
and every weekday occurs four or five times in it (five Saturdays, Sundays and Mondays), so
monthly patterns such as ``Mo[1]`` (first Monday of the month), ``Mo[-1]`` or biweekly ones
(``week 1-53/2 Mo``) still count as "open on Monday". A weekday's intervals are the union over
its occurrences in the reference month. :func:`analyse_hours` also evaluates the whole year
2025 (and any year written in the expression) to describe seasons and flag exceptions. Expressions are evaluated without a country, so
``PH`` (public holiday) rules never apply there; they are compared separately with the French
holiday calendar of the parser (``country="FR"``) to mention « fermé les jours fériés ».

Temporary closures
------------------
The registry column ``closures`` holds OSM-style date selectors separated by ``;``, each
optionally followed by ``off``/``closed`` (added when missing)::

    2026 Jul 15-2026 Aug 15 off      (a dated range)
    Aug off                          (every August)
    2026 Dec 24-2027 Jan 02; 2026 May 01

:func:`closed_on` evaluates ``24/7; <closures>`` with the same parser: a day is closed when the
combined expression is never open during that day.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from opening_hours import OpeningHours, State

from atlas.errors import AtlasError, HoursError
from atlas.fr import WEEKDAYS_FR
from atlas.text import clean_text, fold

__all__ = [
    "EVALUATED_YEAR",
    "REFERENCE_MONTH",
    "WEEKDAYS_FR",
    "HoursAnalysis",
    "HoursError",
    "analyse_hours",
    "closed_on",
    "covers_day",
    "is_valid_closures",
    "is_valid_hours",
    "open_days",
    "open_on",
    "parse_hours",
    "weekday_index",
    "weekly_intervals",
]

REFERENCE_MONTH = dt.date(2025, 3, 1)
"""First day of the reference month (March 2025: no French public holiday)."""

EVALUATED_YEAR = 2025
"""Year evaluated to describe seasons and exceptions (besides the years an expression names)."""

_OSM_DAYS = ("mo", "tu", "we", "th", "fr", "sa", "su")
_EN_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_ALIASES: dict[str, int] = {}
for _i, (_fr, _osm, _en) in enumerate(zip(WEEKDAYS_FR, _OSM_DAYS, _EN_DAYS, strict=True)):
    for _alias in (_fr, _fr[:3], _osm, _en, _en[:3]):
        _DAY_ALIASES[_alias] = _i
# French two-letter abbreviations (lu, ma, me, je, ve, sa, di) do not collide with OSM ones.
for _i, _alias in enumerate(("lu", "ma", "me", "je", "ve", "sa", "di")):
    _DAY_ALIASES.setdefault(_alias, _i)


# --------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def _parse(text: str, country: str | None = None) -> OpeningHours:
    """Parse a non-empty, stripped expression (cached: registries repeat strings)."""
    try:
        return OpeningHours(text, country=country)
    except Exception as exc:  # ParserError, SyntaxError, ValueError depending on version
        raise HoursError(f"horaires illisibles (syntaxe OpenStreetMap attendue) : « {text} »") from exc


def parse_hours(text: str | None) -> OpeningHours | None:
    """Parse an OSM ``opening_hours`` expression.

    Parameters
    ----------
    text : str or None
        Expression such as ``"Mo-Fr 09:00-12:00; PH off"``. None, NaN, pandas NA and blank
        strings mean "unknown".

    Returns
    -------
    opening_hours.OpeningHours or None
        The parsed expression (shared, cached object: do not mutate), None when empty.

    Raises
    ------
    HoursError
        When the syntax is invalid; the French message quotes the text.
    """
    cleaned = clean_text(text, collapse=False)
    if not cleaned:
        return None
    return _parse(cleaned)


def is_valid_hours(text: str | None) -> bool:
    """Tell whether ``text`` is readable OSM ``opening_hours`` syntax.

    Parameters
    ----------
    text : str or None
        Expression to check.

    Returns
    -------
    bool
        True when the parser accepts it **or when it is empty** (empty means "not given",
        which is not a syntax error); False otherwise.
    """
    try:
        parse_hours(text)
    except HoursError:
        return False
    return True


# --------------------------------------------------------------------------------------------
# Weekdays
# --------------------------------------------------------------------------------------------


def _fold(text: str) -> str:
    return fold(text).casefold()


def weekday_index(day: int | str) -> int:
    """Turn a weekday into its index, 0 = Monday … 6 = Sunday.

    Parameters
    ----------
    day : int or str
        0–6, a French name (« lundi », « Samedi », « MERCREDI », with or without accents,
        or abbreviated « lun », « sam », « di »), an OSM abbreviation ("Mo" … "Su") or an
        English name ("Saturday", "sat").

    Returns
    -------
    int
        Weekday index.

    Raises
    ------
    AtlasError
        « jour inconnu : … » for anything else.
    """
    if isinstance(day, bool):
        raise AtlasError(f"jour inconnu : {day!r}")
    if isinstance(day, (int, np.integer)):
        if 0 <= int(day) <= 6:
            return int(day)
        raise AtlasError(f"jour inconnu : {day!r} (attendu : 0 = lundi … 6 = dimanche)")
    if isinstance(day, str):
        key = _fold(day).strip().rstrip(".")
        if key in _DAY_ALIASES:
            return _DAY_ALIASES[key]
    raise AtlasError(f"jour inconnu : {day!r}")


# --------------------------------------------------------------------------------------------
# Evaluation over calendar periods
# --------------------------------------------------------------------------------------------

# A segment is (start_minute, end_minute, kind, comment), minutes within one calendar day
# (0..1440), kind "open" or "unknown". A day pattern is a sorted tuple of segments.
Segment = tuple[int, int, str, str]
DayPattern = tuple[Segment, ...]
WeekPattern = tuple[DayPattern, ...]


def _merge(segments: Iterable[Segment]) -> DayPattern:
    """Union of segments: overlapping/touching ones with the same kind and comment merge."""
    out: list[list] = []
    for start, end, kind, comment in sorted(segments, key=lambda s: (s[2], s[3], s[0], s[1])):
        if out and out[-1][2] == kind and out[-1][3] == comment and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end, kind, comment])
    return tuple(sorted((s, e, k, c) for s, e, k, c in out))


def _segments_by_day(oh: OpeningHours, start: dt.date, end: dt.date) -> dict[dt.date, DayPattern]:
    """Open/unknown segments of every calendar day in [start, end).

    The parser is queried one day at a time: with fallback rules (``||``) its multi-day
    ``intervals()`` iterator skips changes (opening-hours-py 2.1), per-day queries do not.
    """
    days: dict[dt.date, DayPattern] = {}
    day = start
    one_day = dt.timedelta(days=1)
    while day < end:
        t0 = dt.datetime.combine(day, dt.time())
        t1 = t0 + one_day
        segments: list[Segment] = []
        for a, b, state, comment in oh.intervals(t0, t1):
            if state == State.CLOSED:
                continue
            a = t0 if a is None else max(a.replace(tzinfo=None), t0)
            b = t1 if b is None else min(b.replace(tzinfo=None), t1)
            m0 = (a - t0) // dt.timedelta(minutes=1)
            m1 = (b - t0) // dt.timedelta(minutes=1)
            if m1 > m0:
                kind = "open" if state == State.OPEN else "unknown"
                segments.append((m0, m1, kind, comment or ""))
        days[day] = _merge(segments)
        day += one_day
    return days


def _union_by_weekday(days: dict[dt.date, DayPattern], keep) -> WeekPattern:
    buckets: list[list[Segment]] = [[] for _ in range(7)]
    for day, pattern in days.items():
        if keep(day):
            buckets[day.weekday()].extend(pattern)
    return tuple(_merge(b) for b in buckets)


@lru_cache(maxsize=1)
def _french_holidays() -> frozenset[dt.date]:
    """French public holidays of the evaluation years, from the parser's own calendar."""
    ph = OpeningHours("PH", country="FR")
    days = _segments_by_day(ph, dt.date(EVALUATED_YEAR, 1, 1), dt.date(EVALUATED_YEAR + 2, 1, 1))
    return frozenset(d for d, p in days.items() if p)


@dataclass(frozen=True)
class HoursAnalysis:
    """What an expression means over the evaluated periods (see :func:`analyse_hours`)."""

    week: WeekPattern  # union per weekday over the reference month
    months: tuple[WeekPattern, ...]  # union per weekday for each month of the year
    partial_days: tuple[int, ...]  # weekdays not identical every week of the reference month
    dated_exceptions: bool  # some dates differ from their month's pattern
    holidays: str  # "", "closed" or "special"
    school_holidays: bool
    year: int  # year whose months are described (2025 unless only other years are open)
    solar: bool  # sunrise/sunset times: evaluated without coordinates, approximate
    open_end: bool  # "10:00+" (closing time not given)


@lru_cache(maxsize=8192)
def analyse_hours(text: str) -> HoursAnalysis:
    """Evaluate an expression over the reference month and the evaluated years (cached).

    Parameters
    ----------
    text : str
        Non-empty, stripped OSM ``opening_hours`` expression (see :func:`atlas.text.clean_text`).

    Returns
    -------
    HoursAnalysis
        The typical week, each month's week, and what a weekly description cannot say (weekdays
        open only some weeks, dated exceptions, public and school holidays, solar times, open end).

    Raises
    ------
    HoursError
        On invalid syntax.
    """
    oh = _parse(text)
    normalized = str(oh)
    year = _year_days(oh, EVALUATED_YEAR)
    # Explicit years ("2026 Jul 15-2026 Aug 15 off"): the reference year alone may hide them.
    mentioned = sorted({int(y) for y in re.findall(r"(?<!\d)(?:19|20|21)\d\d(?!\d)", normalized)})
    others = [_year_days(oh, y) for y in mentioned if y != EVALUATED_YEAR][:4]

    described = year
    if not any(year.values()):
        described = next((days for days in others if any(days.values())), year)
    months = tuple(_union_by_weekday(described, lambda d, m=m: d.month == m) for m in range(1, 13))
    ref_year, ref_month = REFERENCE_MONTH.year, REFERENCE_MONTH.month
    week = _union_by_weekday(year, lambda d: d.month == ref_month)
    partial = sorted(
        {d.weekday() for d, p in year.items() if d.month == ref_month and d.year == ref_year and p != week[d.weekday()]}
    )
    dated = any(p != months[d.month - 1][d.weekday()] for days in (year, *others) for d, p in days.items())

    holidays = ""
    oh_fr = _parse(text, "FR")
    differing: list[DayPattern] = []
    for day in sorted(_french_holidays()):
        with_ph = _segments_by_day(oh_fr, day, day + dt.timedelta(days=1))[day]
        without = _segments_by_day(oh, day, day + dt.timedelta(days=1))[day]
        if with_ph != without:
            differing.append(with_ph)
    if differing:
        holidays = "closed" if all(not p for p in differing) else "special"
    return HoursAnalysis(
        week=week,
        months=months,
        partial_days=tuple(partial),
        dated_exceptions=dated,
        holidays=holidays,
        school_holidays=re.search(r"\bSH\b", normalized) is not None,
        year=next(iter(described)).year,
        solar=re.search(r"sunrise|sunset|dawn|dusk", normalized) is not None,
        open_end=re.search(r"\d\+", normalized) is not None,
    )


def _year_days(oh: OpeningHours, year: int) -> dict[dt.date, DayPattern]:
    return _segments_by_day(oh, dt.date(year, 1, 1), dt.date(year + 1, 1, 1))


def _minutes_to_time(m: int) -> dt.time:
    return dt.time.max if m >= 1440 else dt.time(m // 60, m % 60)


def weekly_intervals(text: str | None) -> list[tuple[int, dt.time, dt.time]]:
    """Opening intervals of a typical week.

    Parameters
    ----------
    text : str or None
        OSM ``opening_hours`` expression.

    Returns
    -------
    list of (int, datetime.time, datetime.time)
        ``(weekday, start, end)`` sorted, weekday 0 = Monday, state "open" only, union over the
        reference month (see module docstring). Intervals are cut at midnight; an interval
        running until midnight ends at ``datetime.time.max``. Empty list for empty text.

    Raises
    ------
    HoursError
        On invalid syntax.
    """
    cleaned = clean_text(text, collapse=False)
    if not cleaned:
        return []
    week = analyse_hours(cleaned).week
    return [
        (wd, _minutes_to_time(s), _minutes_to_time(e))
        for wd, pattern in enumerate(week)
        for s, e, kind, _ in pattern
        if kind == "open"
    ]


def open_on(text: str | None, day: int | str) -> bool | None:
    """Is the place open at some time on this weekday, in a typical week?

    Parameters
    ----------
    text : str or None
        OSM ``opening_hours`` expression.
    day : int or str
        Weekday, see :func:`weekday_index`.

    Returns
    -------
    bool or None
        True when open at some time that weekday during the reference month (so ``Mo[1]``,
        first Monday of the month, counts as open on Monday); None when the hours are empty or
        only "unknown" that day; False otherwise. Public holidays and seasonal rules outside
        March are ignored. Overnight hours count for both days (``Fr 22:00-02:00`` is open on
        Saturday until 2 h). A comment-only fallback rule (``Mo-Fr 09:00-12:00 || "rdv"``)
        is treated by opening-hours-py as open all day on the other days.

    Raises
    ------
    HoursError
        On invalid syntax.
    AtlasError
        On an unknown weekday.
    """
    wd = weekday_index(day)
    cleaned = clean_text(text, collapse=False)
    if not cleaned:
        return None
    pattern = analyse_hours(cleaned).week[wd]
    if any(kind == "open" for _, _, kind, _ in pattern):
        return True
    if pattern:
        return None
    return False


def open_days(text: str | None) -> set[int] | None:
    """Weekdays (0 = Monday) on which the place is open in a typical week.

    Parameters
    ----------
    text : str or None
        OSM ``opening_hours`` expression.

    Returns
    -------
    set of int or None
        None when the hours are empty.

    Raises
    ------
    HoursError
        On invalid syntax.
    """
    cleaned = clean_text(text, collapse=False)
    if not cleaned:
        return None
    return {wd for wd, _, _ in weekly_intervals(cleaned)}


def covers_day(texts: Sequence[str | None], day: int | str, strict: bool = False) -> np.ndarray:
    """Vectorised :func:`open_on` over many registry rows.

    Parameters
    ----------
    texts : sequence of str or None
        Opening hours of each row (a list, array or pandas Series; NaN/None allowed).
    day : int or str
        Weekday, see :func:`weekday_index`.
    strict : bool, default False
        When True, invalid syntax raises :class:`HoursError`; otherwise such rows count as
        not open.

    Returns
    -------
    numpy.ndarray of bool
        True where :func:`open_on` is True; empty/unknown (None) and invalid rows are False.
    """
    wd = weekday_index(day)
    values = list(texts.tolist() if hasattr(texts, "tolist") else texts)
    memo: dict[str, bool] = {}
    out = np.zeros(len(values), dtype=bool)
    for i, value in enumerate(values):
        cleaned = clean_text(value, collapse=False)
        if not cleaned:
            continue
        if cleaned not in memo:
            try:
                memo[cleaned] = open_on(cleaned, wd) is True
            except HoursError:
                if strict:
                    raise
                memo[cleaned] = False
        out[i] = memo[cleaned]
    return out


# --------------------------------------------------------------------------------------------
# Temporary closures
# --------------------------------------------------------------------------------------------


def _closures_expression(closures: str) -> str:
    parts = [p.strip() for p in closures.split(";") if p.strip()]
    rules = []
    for part in parts:
        if not re.search(r"\b(off|closed)\s*$", part, flags=re.IGNORECASE):
            part = f"{part} off"
        rules.append(part)
    return "; ".join(["24/7", *rules])


def _to_date(value: dt.date | dt.datetime | str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError as exc:
        raise AtlasError(f"date illisible : « {value} » (attendu : AAAA-MM-JJ)") from exc


def is_valid_closures(closures: str | None) -> bool:
    """Tell whether a ``closures`` value is readable (empty counts as readable).

    Parameters
    ----------
    closures : str or None
        Temporary closures, see the module docstring.

    Returns
    -------
    bool
    """
    cleaned = clean_text(closures, collapse=False)
    if not cleaned:
        return True
    try:
        _parse(_closures_expression(cleaned))
    except HoursError:
        return False
    return True


def closed_on(closures: str | None, date: dt.date | dt.datetime | str, strict: bool = False) -> bool:
    """Is the place closed all day on ``date`` because of a temporary closure?

    Parameters
    ----------
    closures : str or None
        OSM-style date selectors separated by ``;`` (``off`` optional), e.g.
        ``"2026 Jul 15-2026 Aug 15 off"`` or ``"Aug off"``. See the module docstring.
    date : datetime.date, datetime.datetime or str
        Day to check (ISO ``YYYY-MM-DD`` when a string).
    strict : bool, default False
        When True, unreadable closures (free text) raise :class:`HoursError`; otherwise they
        are treated as "no known closure" (False).

    Returns
    -------
    bool
        True when ``24/7; <closures>`` is never open during that day.
    """
    day = _to_date(date)
    cleaned = clean_text(closures, collapse=False)
    if not cleaned:
        return False
    try:
        oh = _parse(_closures_expression(cleaned))
    except HoursError:
        if strict:
            raise HoursError(
                f"fermetures illisibles (plages de dates OpenStreetMap attendues) : « {cleaned} »"
            ) from None
        return False
    pattern = _segments_by_day(oh, day, day + dt.timedelta(days=1))[day]
    return not any(kind == "open" for _, _, kind, _ in pattern)
