"""Opening hours: parsing, weekday questions and French wording.

Opening hours are stored in registries in the OpenStreetMap ``opening_hours`` syntax
(https://wiki.openstreetmap.org/wiki/Key:opening_hours/specification), e.g.
``Mo-Fr 09:00-12:00,14:00-17:30; PH off``. This module never parses that syntax itself: it
delegates to the maintained parser `opening-hours-py` (module :mod:`opening_hours`) and only
*evaluates* the parsed expression over fixed calendar periods.

Reference period
----------------
Questions about "a typical week" (:func:`open_on`, :func:`open_days`, :func:`weekly_intervals`)
are answered over the **reference month**, March 2025. No French public holiday falls in it
and every weekday occurs four or five times in it (five Saturdays, Sundays and Mondays), so
monthly patterns such as ``Mo[1]`` (first Monday of the month), ``Mo[-1]`` or biweekly ones
(``week 1-53/2 Mo``) still count as "open on Monday". A weekday's intervals are the union over
its occurrences in the reference month. :func:`humanize_hours` also evaluates the whole year
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
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from opening_hours import OpeningHours, State

from atlas.errors import AtlasError, HoursError
from atlas.fr import MONTHS_FR, NBSP, WEEKDAYS_FR, join_fr

__all__ = [
    "REFERENCE_MONTH",
    "WEEKDAYS_FR",
    "HoursError",
    "closed_on",
    "covers_day",
    "humanize_hours",
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

_YEAR = 2025

_UNREADABLE_PREFIX = "(horaires à vérifier)"
_NOT_GIVEN = "horaires non communiqués"

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


def _clean(text: object) -> str:
    """Return stripped text, or "" for None / NaN / pandas NA / blank strings."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text.strip()
    if isinstance(text, float) and math.isnan(text):
        return ""
    try:
        import pandas as pd

        if pd.isna(text):  # pd.NA, NaT, numpy nan
            return ""
    except (TypeError, ValueError):
        pass
    return str(text).strip()


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
    cleaned = _clean(text)
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
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


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
    days = _segments_by_day(ph, dt.date(_YEAR, 1, 1), dt.date(_YEAR + 2, 1, 1))
    return frozenset(d for d, p in days.items() if p)


@dataclass(frozen=True)
class _Analysis:
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
def _analyse(text: str) -> _Analysis:
    oh = _parse(text)
    normalized = str(oh)
    year = _year_days(oh, _YEAR)
    # Explicit years ("2026 Jul 15-2026 Aug 15 off"): the reference year alone may hide them.
    mentioned = sorted({int(y) for y in re.findall(r"(?<!\d)(?:19|20|21)\d\d(?!\d)", normalized)})
    others = [_year_days(oh, y) for y in mentioned if y != _YEAR][:4]

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
    return _Analysis(
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
    cleaned = _clean(text)
    if not cleaned:
        return []
    week = _analyse(cleaned).week
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
    cleaned = _clean(text)
    if not cleaned:
        return None
    pattern = _analyse(cleaned).week[wd]
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
    cleaned = _clean(text)
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
        cleaned = _clean(value)
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
    cleaned = _clean(closures)
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
    cleaned = _clean(closures)
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


# --------------------------------------------------------------------------------------------
# French wording
# --------------------------------------------------------------------------------------------


def day_runs(days: Iterable[int]) -> list[list[int]]:
    """Consecutive weekdays grouped: ``[0, 1, 2, 4]`` -> ``[[0, 1, 2], [4]]``."""
    runs: list[list[int]] = []
    for d in sorted(days):
        if runs and d == runs[-1][-1] + 1:
            runs[-1].append(d)
        else:
            runs.append([d])
    return runs


def _days_fr(days: Sequence[int]) -> str:
    days = sorted(days)
    if len(days) == 7:
        return "tous les jours"
    runs = day_runs(days)
    items: list[str] = []
    for run in runs:
        if len(run) >= 3:
            items.append(f"du {WEEKDAYS_FR[run[0]]} au {WEEKDAYS_FR[run[-1]]}")
        else:
            items.extend(WEEKDAYS_FR[d] for d in run)
    return join_fr(items)


def _months_fr(months: Sequence[int]) -> str:
    """French wording of month numbers (1-12), e.g. « de janvier à juin et en août »."""
    runs: list[list[int]] = []
    for m in sorted(months):
        if runs and m == runs[-1][-1] + 1:
            runs[-1].append(m)
        else:
            runs.append([m])
    items: list[str] = []
    for run in runs:
        if len(run) >= 3:
            first = MONTHS_FR[run[0] - 1]
            de = "d'" if first[0] in "aeiouyéèâ" else "de "
            items.append(f"{de}{first} à {MONTHS_FR[run[-1] - 1]}")
        else:
            items.append("en " + " et ".join(MONTHS_FR[m - 1] for m in run))
    return join_fr(items)


def _time_fr(minutes: int, sp: str) -> str:
    minutes = minutes % 1440 if minutes > 1440 else minutes
    h, m = divmod(minutes, 60)
    return f"{h}{sp}h" if m == 0 else f"{h}{sp}h{sp}{m:02d}"


def _wrap_overnight(week: WeekPattern) -> list[list[Segment]]:
    """Join a segment ending at midnight with the next day's segment starting at 0 h."""
    days = [list(p) for p in week]
    full = [len(p) == 1 and p[0][0] == 0 and p[0][1] == 1440 for p in days]
    for d in range(7):
        nxt = (d + 1) % 7
        if full[d] or full[nxt] or not days[d] or not days[nxt]:
            continue
        s, e, k, c = days[d][-1]
        s2, e2, k2, c2 = days[nxt][0]
        if e == 1440 and s2 == 0 and (k, c) == (k2, c2) and e2 < s:
            days[d][-1] = (s, 1440 + e2, k, c)
            days[nxt].pop(0)
    return days


def _week_fr(week: WeekPattern, sp: str) -> str:
    """Group days with identical intervals; "" when never open nor unknown."""
    days = _wrap_overnight(week)
    groups: dict[tuple[Segment, ...], list[int]] = {}
    for d, segs in enumerate(days):
        if segs:
            groups.setdefault(tuple(segs), []).append(d)
    parts = []
    for segs, ds in sorted(groups.items(), key=lambda kv: kv[1][0]):
        label = _days_fr(ds)
        if len(segs) == 1 and segs[0][0] == 0 and segs[0][1] == 1440:
            text = f"{label}, 24{sp}h/24"
            extra = _segment_note(segs[0])
            parts.append(text + (f" ({extra})" if extra else ""))
            continue
        ranges = []
        for s, e, k, c in segs:
            r = f"{_time_fr(s, sp)}{sp}– {_time_fr(e, sp)}"
            extra = _segment_note((s, e, k, c))
            ranges.append(r + (f" ({extra})" if extra else ""))
        parts.append(f"{label} {join_fr(ranges)}")
    return f"{sp}; ".join(parts)


def _segment_note(seg: Segment) -> str:
    _, _, kind, comment = seg
    if comment:
        return comment
    return "à confirmer" if kind == "unknown" else ""


def _plural_day(d: int) -> str:
    return WEEKDAYS_FR[d] + "s"


def humanize_hours(text: str | None, nbsp: bool = True) -> str:
    """Say opening hours in French, for people.

    Parameters
    ----------
    text : str or None
        OSM ``opening_hours`` expression.
    nbsp : bool, default True
        Use no-break spaces (U+00A0) where French typography wants them (« 14 h », before
        « – » and « ; »); plain spaces when False.

    Returns
    -------
    str
        E.g. ``"Mo,Th 14:00-17:00"`` → « lundi et jeudi 14 h – 17 h »,
        ``"Mo-Fr 09:00-12:00,14:00-17:30"`` → « du lundi au vendredi 9 h – 12 h et
        14 h – 17 h 30 », ``"24/7"`` → « tous les jours, 24 h/24 »; empty → « horaires non
        communiqués »; invalid syntax → the raw text prefixed « (horaires à vérifier) ».
        Days with identical intervals are grouped, runs of three days or more read
        « du … au … ». Seasonal expressions are described month group by month group;
        what a weekly description cannot say faithfully is added as a note
        (« seulement certains lundis », « horaires différents à certaines dates »,
        « fermé les jours fériés », …). Never raises.
    """
    sp = NBSP if nbsp else " "
    cleaned = _clean(text)
    if not cleaned:
        return _NOT_GIVEN
    try:
        analysis = _analyse(cleaned)
    except HoursError:
        return f"{_UNREADABLE_PREFIX} {cleaned}"
    try:
        return _humanize(analysis, sp)
    except Exception:  # never crash on an exotic but valid expression
        return f"{_UNREADABLE_PREFIX} {cleaned}"


def _humanize(a: _Analysis, sp: str) -> str:
    distinct = list(dict.fromkeys(a.months))
    if len(distinct) > 1:
        blocks = []
        for pattern in distinct:
            months = [i + 1 for i, p in enumerate(a.months) if p == pattern]
            body = _week_fr(pattern, sp) or "fermé"
            blocks.append(f"{_months_fr(months)} : {body}")
        main = f"{sp}— ".join(blocks)
        if a.year != _YEAR:
            main = f"en {a.year}, {main}"
    elif a.year != _YEAR:
        main = f"en {a.year} : " + (_week_fr(distinct[0], sp) or "fermé")
    else:
        main = _week_fr(a.week, sp) or "fermé"
    notes = []
    if a.partial_days:
        notes.append("seulement certains " + join_fr([_plural_day(d) for d in a.partial_days]))
    elif a.dated_exceptions:
        notes.append("horaires différents à certaines dates")
    if a.holidays == "closed":
        notes.append("fermé les jours fériés")
    elif a.holidays == "special":
        notes.append("horaires particuliers les jours fériés")
    if a.solar:
        notes.append("heures approximatives (lever et coucher du soleil)")
    if a.open_end:
        notes.append("heure de fermeture non précisée")
    if a.school_holidays:
        notes.append("vacances scolaires non prises en compte")
    return f"{sp}; ".join([main, *notes])


# --------------------------------------------------------------------------- closures for people
_OSM_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DATE = r"(?:(\d{4})\s+)?(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)(?:\s+(\d{1,2}))?"


def _month_fr(m: str) -> str:
    return MONTHS_FR[_OSM_MONTHS.index(m)]


def _date_part(year: str | None, month: str, day: str | None) -> str:
    d = "1er" if day and int(day) == 1 else (str(int(day)) if day else "")
    return " ".join(x for x in (d, _month_fr(month), year or "") if x)


def closures_fr(text: str) -> str:
    """Temporary closures in French for people.

    ``"Apr-Nov"`` → « d'avril à novembre », ``"Aug"`` → « en août »,
    ``"2026 Jul 20-2026 Aug 16"`` → « du 20 juillet 2026 au 16 août 2026 », ``"PH"`` →
    « les jours fériés »; free text is kept as written.
    """
    out = []
    for part in (p.strip() for p in str(text).split(";")):
        part = re.sub(r"\s+(off|closed)$", "", part, flags=re.IGNORECASE).strip()
        if not part:
            continue
        if part == "PH":
            out.append("les jours fériés")
            continue
        m = re.fullmatch(_DATE + r"\s*-\s*" + _DATE, part)
        if m:
            y1, m1, d1, y2, m2, d2 = m.groups()
            a, b = _date_part(y1, m1, d1), _date_part(y2 or (y1 if d2 else None), m2, d2)
            if not d1 and not d2:
                de = "d'" if _month_fr(m1)[0] in "aeiou" else "de "
                out.append(f"{de}{_month_fr(m1)} à {_month_fr(m2)}" + (f" {y1}" if y1 else ""))
            else:
                out.append(f"du {a} au {b}")
            continue
        m = re.fullmatch(_DATE, part)
        if m:
            y, mo, d = m.groups()
            out.append(f"le {_date_part(y, mo, d)}" if d else f"en {_month_fr(mo)}" + (f" {y}" if y else ""))
            continue
        out.append(part)
    return " ; ".join(out)
