"""Opening hours and temporary closures said in French, for people.

:func:`humanize_hours` words an OpenStreetMap ``opening_hours`` expression (« du lundi au
vendredi 9 h – 12 h ») from what :func:`atlas.registry.hours.analyse_hours` found in it;
:func:`closures_fr` words the date selectors of the ``closures`` column (« du 20 juillet 2026 au
16 août 2026 »). Both are used on the printed and web maps.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from atlas.errors import HoursError
from atlas.fr import MONTHS_FR, NBSP, WEEKDAYS_FR, join_fr
from atlas.registry.hours import EVALUATED_YEAR, HoursAnalysis, Segment, WeekPattern, analyse_hours
from atlas.text import clean_text

__all__ = ["closures_fr", "day_runs", "humanize_hours"]

_UNREADABLE_PREFIX = "(horaires à vérifier)"
_NOT_GIVEN = "horaires non communiqués"


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
    cleaned = clean_text(text, collapse=False)
    if not cleaned:
        return _NOT_GIVEN
    try:
        analysis = analyse_hours(cleaned)
    except HoursError:
        return f"{_UNREADABLE_PREFIX} {cleaned}"
    try:
        return _humanize(analysis, sp)
    except Exception:  # never crash on an exotic but valid expression
        return f"{_UNREADABLE_PREFIX} {cleaned}"


def _humanize(a: HoursAnalysis, sp: str) -> str:
    distinct = list(dict.fromkeys(a.months))
    if len(distinct) > 1:
        blocks = []
        for pattern in distinct:
            months = [i + 1 for i, p in enumerate(a.months) if p == pattern]
            body = _week_fr(pattern, sp) or "fermé"
            blocks.append(f"{_months_fr(months)} : {body}")
        main = f"{sp}— ".join(blocks)
        if a.year != EVALUATED_YEAR:
            main = f"en {a.year}, {main}"
    elif a.year != EVALUATED_YEAR:
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
