"""Opening hours and temporary closures said in French, for people.

:func:`humanize_hours` words an OpenStreetMap ``opening_hours`` expression (« du lundi au
vendredi 9 h – 12 h ») from what :func:`atlas.registry.hours.analyse_hours` found in it;
:func:`closures_fr` words the date selectors of the ``closures`` column (« du 20 juillet 2026 au
16 août 2026 »). Both are used on the printed and web maps.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from atlas.errors import HoursError
from atlas.fr import MONTHS_FR, NBSP, WEEKDAYS_FR, join_fr
from atlas.registry.hours import (
    EVALUATED_YEAR,
    HoursAnalysis,
    Segment,
    WeekPattern,
    analyse_hours,
    clean_text,
    is_valid_hours,
)

__all__ = ["WrittenHours", "closures_fr", "day_runs", "humanize_hours", "read_french_hours"]

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


def nth_days_fr(weekday: int, weeks: Sequence[int]) -> str:
    """« 1er et 3e mercredis du mois », « dernier vendredi du mois », « 2e mardi du mois »."""
    ordinals = ["dernier" if k == -1 else ("1er" if k == 1 else f"{k}e") for k in weeks]
    day = WEEKDAYS_FR[weekday] + ("s" if len(weeks) > 1 else "")
    return f"{join_fr(ordinals)} {day} du mois"


def _week_fr(week: WeekPattern, sp: str, nth: dict[int, str] | None = None) -> str:
    """Group days with identical intervals; "" when never open nor unknown. A weekday of ``nth``
    (open on given weeks of the month) is said on its own, with its label."""
    nth = nth or {}
    days = _wrap_overnight(week)
    groups: dict[tuple, list[int]] = {}
    for d, segs in enumerate(days):
        if segs:
            groups.setdefault((tuple(segs), nth.get(d, "")), []).append(d)
    parts = []
    for (segs, monthly), ds in sorted(groups.items(), key=lambda kv: kv[1][0]):
        label = monthly or _days_fr(ds)
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
        (« horaires différents à certaines dates », « seulement certains lundis » unless the
        weekday is open on given weeks of every month: ``We[1,3]`` is said « 1er et 3e mercredis
        du mois »,
        « fermé les jours fériés », …). Never raises.
    """
    sp = NBSP if nbsp else " "
    cleaned = clean_text(text)
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


#: Up to this many months closed every year are said as a closure (« fermé en août »), more as seasons.
_SHORT_CLOSURE = 3


def _humanize(a: HoursAnalysis, sp: str) -> str:
    nth = {d: nth_days_fr(d, weeks) for d, weeks in a.nth_days}
    distinct = list(dict.fromkeys(a.months))
    closed = [i + 1 for i, p in enumerate(a.months) if not any(p)]
    if len(distinct) == 2 and 0 < len(closed) <= _SHORT_CLOSURE and a.year == EVALUATED_YEAR:
        # « mercredi 14 h – 17 h ; fermé en août » (a summer closure), not every month said
        (open_pattern,) = [p for p in distinct if any(p)]
        main = f"{_week_fr(open_pattern, sp, nth)}{sp}; fermé {_months_fr(closed)}"
    elif len(distinct) > 1:
        blocks = []
        for pattern in distinct:
            months = [i + 1 for i, p in enumerate(a.months) if p == pattern]
            body = _week_fr(pattern, sp, nth) or "fermé"
            blocks.append(f"{_months_fr(months)} : {body}")
        main = f"{sp}— ".join(blocks)
        if a.year != EVALUATED_YEAR:
            main = f"en {a.year}, {main}"
    elif a.year != EVALUATED_YEAR:
        main = f"en {a.year} : " + (_week_fr(distinct[0], sp) or "fermé")
    else:
        main = _week_fr(a.week, sp, nth) or "fermé"
    notes = []
    others = [d for d in a.partial_days if d not in nth]
    if others:
        notes.append("seulement certains " + join_fr([_plural_day(d) for d in others]))
    elif a.dated_exceptions and not nth:
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


# --------------------------------------------------------------------------- hours as people write them
#: The times a period word stands for when no time is written (said in a warning each time).
PERIOD_TIMES: dict[str, tuple[int, int, str]] = {
    "matin": (9 * 60, 12 * 60, "matin"),
    "apres-midi": (14 * 60, 17 * 60, "après-midi"),
    "midi": (12 * 60, 14 * 60, "midi"),
    "soir": (18 * 60, 20 * 60, "soir"),
    "journee": (9 * 60, 17 * 60, "journée"),
}

_MONTH_KEYS = ("janv(?:ier)?", "fev(?:r(?:ier)?)?", "mars", "avr(?:il)?", "mai", "juin", "juil(?:let)?", "aout",
               "sept(?:embre)?", "oct(?:obre)?", "nov(?:embre)?", "dec(?:embre)?")
_MONTH_RE = "|".join(f"(?:{m})" for m in _MONTH_KEYS)
_DAY_WORDS = (r"lun(?:di)?", r"mar(?:di)?", r"mer(?:credi)?", r"jeu(?:di)?", r"ven(?:dredi)?", r"sam(?:edi)?",
              r"dim(?:anche)?")
_DAY_RE = "|".join(f"(?:{d})" for d in _DAY_WORDS)
_DAY = rf"(?:{_DAY_RE})s?\.?"
_TIME = r"(?:\d{1,2}\s*(?:heures?|h|:)\s*(?:\d{2})?|midi|minuit)"
_TIME_LOOSE = r"(?:\d{1,2}(?:\s*(?:heures?|h|:)\s*(?:\d{2})?)?|midi)"  # « 9-12h »: the first time without its « h »
_NTH = r"(?:\d\s*(?:er|ere|re|e|eme|em|nd|nde)?|premier|premiere|deuxieme|second|troisieme|quatrieme|cinquieme|dernier)"
_TO = r"(?:-|a|au|jusqu'a|jusqu a|/)"

#: The tokens of hours written in French, tried in this order at each place of the (folded) text.
_TOKENS: tuple[tuple[str, re.Pattern], ...] = tuple((name, re.compile(rx)) for name, rx in (
    ("closed_months", rf"(?:ferme|fermee|fermes|fermees|fermeture|sauf|pas de distribution|relache)\s*"
                      rf"(?:en|au mois d'|au mois de|au mois|pendant|tout le mois d'|tout le mois de|le mois d'|"
                      rf"le mois de|d'|de|du)?\s*(?:{_MONTH_RE})(?:\s*(?:,|et|-|a|au)\s*(?:{_MONTH_RE}))*"),
    ("closed_holidays", r"(?:ferme|fermee|fermes|fermees|fermeture|sauf)\s*(?:les\s*)?jours?\s*feries?"),
    ("closed_school", r"(?:hors|sauf|ferme|fermee|fermes|fermees|fermeture|pas)\s*(?:pendant\s*|durant\s*|en\s*)?"
                      r"(?:les\s*)?(?:periodes?\s+de\s+)?vacances\s*(?:scolaires)?"),
    ("nth", rf"(?:les?\s+)?{_NTH}(?:\s*(?:,|et|&)\s*{_NTH})*\s+(?:{_DAY})\s+(?:du|de chaque|de|par)\s+mois"),
    ("nth_plain", rf"(?:les?\s+)?{_NTH}(?:\s*(?:,|et|&)\s*{_NTH})*\s+(?:{_DAY})(?=\s|$|[,;.:()])"),
    ("override", rf"\(?\s*(?:jusqu'a\s*)?({_TIME})\s+(?:le|les)\s+({_DAY})\s*\)?"),
    ("override_day", rf"\(?\s*(?:le|les)\s+({_DAY})\s+(?:jusqu'a|a)\s+({_TIME})\s*\)?"),
    ("all_days", r"(?:tous\s+les\s+jours|tlj|chaque\s+jour|7\s*j?\s*/\s*7|7\s*jours\s*(?:sur|/)\s*7|"
                 r"toute\s+la\s+semaine)"),
    ("weekdays", r"(?:en\s+semaine|jours\s+ouvres|jours\s+ouvrables)"),
    ("weekend", r"(?:le\s+|les\s+)?week[\s-]?ends?"),
    ("except", rf"(?:sauf|excepte|hors)\s+(?:le\s+|les\s+)?(?:{_DAY}|week[\s-]?ends?)"
               rf"(?:\s*(?:,|et)\s*(?:le\s+|les\s+)?(?:{_DAY}))*"),
    ("day_closed", rf"(?:{_DAY})\s*:?\s*(?:ferme|fermee|fermes|fermees|pas de distribution)(?=\s|$|[,;.)])"),
    ("day_chain", rf"(?:{_DAY})(?:\s*-\s*(?:{_DAY})){{2,}}"),
    ("day_range", rf"(?:du\s+|de\s+)?({_DAY})\s*(?:-|–|a|au)\s*({_DAY})"),
    ("day", rf"({_DAY})(?=\s|$|[,;.:/()\-+&]|\d)"),
    ("always", r"24\s*h?\s*/\s*24|24\s*heures\s*sur\s*24"),
    ("time_range", rf"(?:de\s+)?({_TIME_LOOSE})\s*{_TO}\s*({_TIME})"),
    ("period", r"(?:le\s+|l'|en\s+|dans\s+l'|la\s+)?(?:apres[\s-]?midi|aprem|matinee|matin|soiree|soir|"
               r"toute\s+la\s+journee|journee|midi)s?"),
    ("appointment", r"(?:uniquement\s+|seulement\s+)?(?:sur|par)\s+(?:rendez[\s-]?vous|rdv|inscription|"
                    r"orientation)"),
    ("sep", r"(?:[,;.:/+&|()\[\]\n]|\bet\b|\bpuis\b|-)"),
    ("filler", r"(?:\ble\b|\bles\b|\bl'|\bde\b|\bdes\b|\bdu\b|\bchaque\b|\btous\b|\btoutes\b|\bouvert(?:e|s|es)?\b|"
               r"\baccueil\b|\bhoraires?\b|\bpermanences?\b|\bdistributions?\b|\bouverture\b|\buniquement\b|"
               r"\bseulement\b|\bsur place\b|\bau public\b|\bpublic\b|\bdu mois\b)"),
))


@dataclass(frozen=True)
class WrittenHours:
    """Hours written in French as read by :func:`read_french_hours`.

    Attributes
    ----------
    osm : str
        The OSM ``opening_hours`` expression ("" when the text could not be read).
    notes : tuple of str
        What had to be interpreted (French), e.g. « « matin » compris 9 h – 12 h ».
    reason : str
        Why the text could not be read (French), "" when it was.
    """

    osm: str
    notes: tuple[str, ...] = ()
    reason: str = ""


def _minutes(text: str) -> int:
    t = re.sub(r"heures?", "h", text.replace(" ", ""))
    if t == "midi":
        return 12 * 60
    if t == "minuit":
        return 24 * 60
    m = re.fullmatch(r"(\d{1,2})(?:[h:](\d{2})?)?", t)
    if not m:
        raise ValueError(text)
    h, mm = int(m[1]), int(m[2] or 0)
    if h > 24 or mm > 59 or (h == 24 and mm):
        raise ValueError(text)
    return h * 60 + mm


def _day_of(word: str) -> int:
    w = word.rstrip(".")
    w = w[:-1] if w.endswith("s") and len(w) > 3 else w
    for i, rx in enumerate(_DAY_WORDS):
        if re.fullmatch(rx, w):
            return i
    raise ValueError(word)


_WORD_DAY = re.compile(rf"\b(?:{_DAY_RE})s?\b")


def _days_in(text: str) -> list[int]:
    return [_day_of(m[0]) for m in _WORD_DAY.finditer(text)]


def _nths(text: str) -> list[int]:
    out = []
    for m in re.finditer(rf"\b{_NTH}\b", text):
        word = m[0].replace(" ", "")
        if word.startswith("dernier"):
            out.append(-1)
        elif word[0].isdigit():
            out.append(int(word[0]))
        else:
            out.append(("premier", "deuxieme", "troisieme", "quatrieme", "cinquieme").index(
                word.replace("premiere", "premier").replace("second", "deuxieme")) + 1)
    return out


def _months_in(text: str) -> list[int]:
    """Month numbers named in ``text``; « juillet à août », « juillet-août » are ranges."""
    found = [(m.start(), m.end(), next(i for i, rx in enumerate(_MONTH_KEYS, 1) if re.fullmatch(rx, m[0])))
             for m in re.finditer(_MONTH_RE, text)]
    months: list[int] = []
    for k, (start, _, month) in enumerate(found):
        if k and re.fullmatch(r"\s*(?:-|a|au)\s*", text[found[k - 1][1]:start]):
            months.extend(range(found[k - 1][2], month + 1))
        else:
            months.append(month)
    return sorted(set(months))


def _osm_days(days: Sequence[int]) -> str:
    parts = []
    for run in day_runs(days):
        parts.append(f"{_OSM_DAYS[run[0]]}-{_OSM_DAYS[run[-1]]}" if len(run) >= 3 else ",".join(_OSM_DAYS[d] for d in run))
    return ",".join(parts)


def _osm_time(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _fold_text(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'").replace("–", "-").replace("—", "-"))
    folded = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return re.sub(r"[ \t\u00a0\u202f]+", " ", folded).strip()


def read_french_hours(text: str) -> WrittenHours:
    """Hours written in French by people, as an OSM ``opening_hours`` expression.

    Read: days (« lundi », « lun. », « mardis »), lists and ranges (« lundi et jeudi »,
    « lun-ven », « du lundi au vendredi »), « tous les jours », « en semaine », « le week-end »,
    « sauf dimanche »; times and ranges (« 9h-12h », « 9h/12h », « 9-12h », « de 9h à 12h »,
    « 14h30 », « midi »), several ranges (« 9h-12h et 14h-17h », « 9h-11h45/14h-16h30 »);
    the periods « matin » (9 h – 12 h), « après-midi » (14 h – 17 h), « midi » (12 h – 14 h),
    « soir » (18 h – 20 h), « journée » (9 h – 17 h) when no time is written, each time said in
    a note; days of the month (« 1er et 3e jeudi du mois » → ``Th[1,3]``, « dernier vendredi du
    mois » → ``Fr[-1]``); a day's other closing time (« (16h le vendredi) »); closed months
    (« fermé en août » → ``Aug off``) and holidays (« fermé les jours fériés » → ``PH off``);
    « sur rendez-vous » is left out of the hours, with a note.

    Returns
    -------
    WrittenHours
        ``osm`` checked by the OSM parser (opening-hours-py); when any part of the text is not
        understood, ``osm`` is "" and ``reason`` says what: the text is then kept as written.
    """
    folded = _fold_text(text)
    if not folded:
        return WrittenHours("", reason="horaires vides")
    tokens: list[tuple[str, re.Match]] = []
    pos = 0
    while pos < len(folded):
        if folded[pos].isspace():
            pos += 1
            continue
        token = _token_at(folded, pos)
        if token is None:
            return WrittenHours("", reason=f"« {folded[pos:].split()[0]} » non compris")
        if token[0] not in ("sep", "filler"):
            tokens.append(token)
        pos = token[1].end()
    reading = _Reading()
    try:
        for name, m in tokens:
            reading.take(name, m)
        return reading.result()
    except ValueError as exc:
        return WrittenHours("", reason=str(exc) or "horaires non compris")


def _token_at(text: str, pos: int) -> tuple[str, re.Match] | None:
    """The first token of :data:`_TOKENS` found at ``pos`` (None when none is)."""
    for name, rx in _TOKENS:
        m = rx.match(text, pos)
        if m and m.end() > pos:
            return name, m
    return None


_DAY_TOKENS = frozenset({"all_days", "weekdays", "weekend", "day_chain", "day_range", "day", "nth", "nth_plain",
                         "except"})
_TIME_TOKENS = frozenset({"time_range", "period", "always"})


class _Reading:
    """The rules being read from the tokens: runs of days and runs of times, paired in order (a
    run of times written before its days, « 9h-12h le lundi », is paired with the days after it)."""

    def __init__(self) -> None:
        self.notes: list[str] = []
        self.week: dict[int, list[tuple[int, int]]] = {}  # plain weekday -> its ranges
        self.nth_rules: list[tuple[int, tuple[int, ...], list[tuple[int, int]]]] = []
        self.closed_months: list[int] = []
        self.holidays_off = False
        self.school_off = False
        self.periods: list[tuple[int, int, str]] = []  # « matin »: the times it stands for, unless times are written
        self.overrides: list[tuple[int, int]] = []  # (weekday, closing time)
        self.days: list[int] = []
        self.nth_days: list[tuple[int, tuple[int, ...]]] = []
        self.times: list[tuple[int, int]] = []
        self.days_first = False  # the current run of days came before its times
        self.last = ""  # the kind of the last token of days or times

    def flush(self) -> None:
        """The current days and times as a rule; a period word (« le soir ») stands for its times
        only when no time is written with it (« le soir, 19h-21h »)."""
        if self.periods and not self.times:
            for start, end, label in self.periods:
                self.times.append((start, end))
                self.notes.append(f"« {label} » compris {_time_fr(start, ' ')} – {_time_fr(end, ' ')}")
        self.periods = []
        if (self.days or self.nth_days) and self.times:
            for d in self.days:
                self.week.setdefault(d, []).extend(self.times)
            for d, nth in self.nth_days:
                self.nth_rules.append((d, nth, list(self.times)))
        elif self.days or self.nth_days:
            raise ValueError("jours sans heures")
        elif self.times:
            raise ValueError("heures sans jours")
        self.days, self.nth_days, self.times, self.days_first = [], [], [], False

    def take(self, name: str, m: re.Match) -> None:
        is_day, is_time = name in _DAY_TOKENS, name in _TIME_TOKENS
        has_days, has_times = bool(self.days or self.nth_days), bool(self.times or self.periods)
        if is_day and name != "except" and has_times and has_days and self.days_first:
            self.flush()  # « lundi 9h-12h, mardi … »: new days after the times of the days before
        elif is_time and has_times and has_days and not self.days_first and self.last == "day":
            self.flush()  # « 9h-12h lundi, 14h-17h mardi »: new times after the days of the times before
        getattr(self, f"_{name}")(m)
        if is_day and not (self.times or self.periods):
            self.days_first = True
        if is_day or is_time:
            self.last = "day" if is_day else "time"

    # ---- days
    def _all_days(self, m: re.Match) -> None:
        self.days += range(7)

    def _weekdays(self, m: re.Match) -> None:
        self.days += range(5)

    def _weekend(self, m: re.Match) -> None:
        self.days += [5, 6]

    def _day_range(self, m: re.Match) -> None:
        a, b = _day_of(m[1]), _day_of(m[2])
        self.days += range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)]

    def _day(self, m: re.Match) -> None:
        self.days.append(_day_of(m[1]))

    def _day_chain(self, m: re.Match) -> None:  # « lundi-mercredi-vendredi »: a list, not a range
        self.days += _days_in(m[0])

    def _day_closed(self, m: re.Match) -> None:  # « mardi fermé »: a day without hours, said as such
        pass

    def _nth(self, m: re.Match) -> None:
        named = list(_WORD_DAY.finditer(m[0]))
        if len(named) != 1:
            raise ValueError("jour du mois non compris")
        nth = sorted(set(_nths(m[0][: named[0].start()])))
        self.nth_days.append((_day_of(named[0][0]), tuple(n for n in nth if n > 0) + tuple(n for n in nth if n < 0)))

    def _nth_plain(self, m: re.Match) -> None:
        self._nth(m)
        self.notes.append(f"« {m[0].strip()} » compris comme chaque mois")

    def _except(self, m: re.Match) -> None:
        excluded = set(_days_in(m[0])) | ({5, 6} if "week" in m[0] else set())
        self.days = [d for d in (self.days or range(7)) if d not in excluded]

    # ---- times
    def _time_range(self, m: re.Match) -> None:
        start, end = _minutes(m[1]), _minutes(m[2])
        if end <= start:
            raise ValueError(f"plage horaire à l'envers : « {m[0].strip()} »")
        self.times.append((start, end))

    def _always(self, m: re.Match) -> None:
        self.times.append((0, 24 * 60))

    def _period(self, m: re.Match) -> None:
        word = m[0].split(" ")[-1].split("'")[-1].rstrip("s")
        key = "apres-midi" if "apres" in m[0] else {"aprem": "apres-midi", "matinee": "matin",
                                                    "soiree": "soir"}.get(word, word)
        self.periods.append(PERIOD_TIMES[key])

    def _override(self, m: re.Match) -> None:
        self.overrides.append((_day_of(m[2]), _minutes(m[1])))

    def _override_day(self, m: re.Match) -> None:
        self.overrides.append((_day_of(m[1]), _minutes(m[2])))

    # ---- closures and notes
    def _closed_months(self, m: re.Match) -> None:
        self.closed_months += _months_in(m[0])

    def _closed_holidays(self, m: re.Match) -> None:
        self.holidays_off = True

    def _closed_school(self, m: re.Match) -> None:
        self.school_off = True

    def _appointment(self, m: re.Match) -> None:
        self.notes.append(f"« {m[0].strip()} » non repris dans les horaires")

    def result(self) -> WrittenHours:
        """The OSM expression of what was read (checked by the OSM parser)."""
        self.flush()
        for d, end in self.overrides:  # « (16h le vendredi) »: that day closes earlier (or later)
            if d not in self.week:
                raise ValueError("heure de fermeture d'un jour sans horaires")
            ranges = sorted(self.week[d])
            if end <= ranges[-1][0]:
                raise ValueError("heure de fermeture avant l'ouverture")
            self.week[d] = [*ranges[:-1], (ranges[-1][0], end)]
            self.notes.append(f"{WEEKDAYS_FR[d]} jusqu'à {_time_fr(end, ' ')}")
        if not self.week and not self.nth_rules:
            raise ValueError("aucun jour d'ouverture")
        groups: dict[tuple[tuple[int, int], ...], list[int]] = {}
        for d in sorted(self.week):
            groups.setdefault(tuple(sorted(set(self.week[d]))), []).append(d)
        rules = [f"{_osm_days(ds)} {_osm_ranges(ranges)}" for ranges, ds in sorted(groups.items(), key=lambda kv: kv[1][0])]
        rules += [f"{_OSM_DAYS[d]}[{','.join(map(str, nth))}] {_osm_ranges(ranges)}" for d, nth, ranges in self.nth_rules]
        expression = "; ".join(rules)
        if self.closed_months:
            expression += "; " + ",".join(_OSM_MONTHS[m - 1] for m in self.closed_months) + " off"
        if self.school_off:
            expression += "; SH off"
            self.notes.append("fermé pendant les vacances scolaires (dates non évaluées par atlas)")
        if self.holidays_off:
            expression += "; PH off"
        if not is_valid_hours(expression):
            raise ValueError(f"expression OSM refusée : « {expression} »")
        return WrittenHours(expression, tuple(dict.fromkeys(self.notes)))


_OSM_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")


def _osm_ranges(ranges: Iterable[tuple[int, int]]) -> str:
    return ",".join(f"{_osm_time(a)}-{_osm_time(b)}" for a, b in ranges)
