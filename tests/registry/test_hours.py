"""Tests for atlas.registry.hours (OSM opening_hours over opening-hours-py, French wording)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from opening_hours import OpeningHours

from atlas.errors import AtlasError
from atlas.registry.hours import (
    REFERENCE_MONTH,
    WEEKDAYS_FR,
    HoursError,
    closed_on,
    covers_day,
    is_valid_closures,
    is_valid_hours,
    open_days,
    open_on,
    parse_hours,
    weekday_index,
    weekly_intervals,
)
from atlas.registry.hours_fr import closures_fr, humanize_hours

NB = "\u00a0"

# Real-world patterns (food-aid sites, CCAS, épiceries solidaires) and their French wording
# (plain spaces: nbsp=False).
HUMANIZED = {
    "Mo,Th 14:00-17:00": "lundi et jeudi 14 h – 17 h",
    "Mo-Fr 09:00-12:00,14:00-17:30": "du lundi au vendredi 9 h – 12 h et 14 h – 17 h 30",
    "Tu 09:00-12:00; Sa 09:00-11:30": "mardi 9 h – 12 h ; samedi 9 h – 11 h 30",
    "24/7": "tous les jours, 24 h/24",
    "Mo-We,Fr 09:00-12:00": "du lundi au mercredi et vendredi 9 h – 12 h",
    "Mo-Sa 08:30-12:00": "du lundi au samedi 8 h 30 – 12 h",
    "Sa,Su 10:00-12:00": "samedi et dimanche 10 h – 12 h",
    "Mo,We,Fr 13:45-16:15": "lundi, mercredi et vendredi 13 h 45 – 16 h 15",
    "Tu,Th 09:00-12:00,14:00-16:00,18:00-19:00": ("mardi et jeudi 9 h – 12 h, 14 h – 16 h et 18 h – 19 h"),
    "Mo-Fr 09:00-12:00; PH off": "du lundi au vendredi 9 h – 12 h ; fermé les jours fériés",
    "Mo-Fr 08:00-18:00; Sa 09:00-12:00; Su,PH off": (
        "du lundi au vendredi 8 h – 18 h ; samedi 9 h – 12 h ; fermé les jours fériés"
    ),
    # ";" replaces the day's hours (OSM semantics), "," adds to them.
    "Mo-Fr 09:00-12:00; We 14:00-17:00": ("lundi, mardi, jeudi et vendredi 9 h – 12 h ; mercredi 14 h – 17 h"),
    "Mo-Fr 09:00-12:00, We 14:00-17:00": (
        "lundi, mardi, jeudi et vendredi 9 h – 12 h ; mercredi 9 h – 12 h et 14 h – 17 h"
    ),
    'Mo-Fr 09:00-12:00 "sur rendez-vous"': ("du lundi au vendredi 9 h – 12 h (sur rendez-vous)"),
    "Mo-Fr 00:00-24:00": "du lundi au vendredi, 24 h/24",
    "Fr 22:00-02:00": "vendredi 22 h – 2 h",
    "Mo[1] 14:00-16:00": "1er lundi du mois 14 h – 16 h",
    "We[1,3] 14:00-17:00": "1er et 3e mercredis du mois 14 h – 17 h",
    "Mo 14:00-16:00; We[1] 09:00-12:00": "lundi 14 h – 16 h ; 1er mercredi du mois 9 h – 12 h",
    "week 1-53/2 Tu 09:00-11:00": "mardi 9 h – 11 h ; seulement certains mardis",
    "We 14:00-17:00; Jul-Aug off": "mercredi 14 h – 17 h ; fermé en juillet et août",
    "Th[1,3] 14:00-16:00; Aug off": "1er et 3e jeudis du mois 14 h – 16 h ; fermé en août",
    "We 14:00-17:00; Jun-Sep off": (
        "de janvier à mai et d'octobre à décembre : mercredi 14 h – 17 h — de juin à septembre : fermé"
    ),
    "Mo-Fr 10:00-12:00; 2025 Dec 24-2025 Dec 31 off": (
        "du lundi au vendredi 10 h – 12 h ; horaires différents à certaines dates"
    ),
    "Mo-Fr 10:00-12:00; PH 10:00-11:00": ("du lundi au vendredi 10 h – 12 h ; horaires particuliers les jours fériés"),
    "Apr-Oct Sa 10:00-12:00": (
        "de janvier à mars et en novembre et décembre : fermé — d'avril à octobre : samedi 10 h – 12 h"
    ),
    "Mo[-1] 10:00-12:00": "dernier lundi du mois 10 h – 12 h",
    "2026 Jan-Mar Mo 10:00-12:00": (
        "en 2026, de janvier à mars : lundi 10 h – 12 h — d'avril à décembre : fermé"
        " ; horaires différents à certaines dates"
    ),
    "Mo-Fr 10:00-12:00; 2026 Jul 15-2026 Aug 15 off": (
        "du lundi au vendredi 10 h – 12 h ; horaires différents à certaines dates"
    ),
    "Mo 12:00-14:00 unknown": "lundi 12 h – 14 h (à confirmer)",
    "off": "fermé",
}


@pytest.mark.parametrize(("text", "expected"), list(HUMANIZED.items()))
def test_humanize_exact_french(text: str, expected: str) -> None:
    assert humanize_hours(text, nbsp=False) == expected


def test_humanize_uses_no_break_spaces_by_default() -> None:
    assert humanize_hours("Mo,Th 14:00-17:30") == f"lundi et jeudi 14{NB}h{NB}– 17{NB}h{NB}30"
    assert humanize_hours("24/7") == f"tous les jours, 24{NB}h/24"
    assert humanize_hours("Tu 09:00-12:00; Sa 09:00-11:30") == (
        f"mardi 9{NB}h{NB}– 12{NB}h{NB}; samedi 9{NB}h{NB}– 11{NB}h{NB}30"
    )
    # Only U+00A0 (covered by every PDF font), never the narrow U+202F.
    assert "\u202f" not in humanize_hours("Mo-Fr 09:00-12:00; PH off")


@pytest.mark.parametrize("empty", [None, "", "   ", float("nan"), pd.NA, np.nan])
def test_empty_hours(empty: object) -> None:
    assert humanize_hours(empty) == "horaires non communiqués"  # type: ignore[arg-type]
    assert parse_hours(empty) is None  # type: ignore[arg-type]
    assert open_on(empty, "samedi") is None  # type: ignore[arg-type]
    assert open_days(empty) is None  # type: ignore[arg-type]
    assert weekly_intervals(empty) == []  # type: ignore[arg-type]
    assert is_valid_hours(empty)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["Lu-Ve 9h-12h", "lundi matin", "Mo-Fr 25:00-26:99", "Mo 10:00-12:00;;"])
def test_invalid_syntax(bad: str) -> None:
    assert not is_valid_hours(bad)
    with pytest.raises(HoursError) as info:
        parse_hours(bad)
    message = str(info.value)
    assert message.startswith("horaires illisibles (syntaxe OpenStreetMap attendue)")
    assert bad in message
    assert isinstance(info.value, AtlasError)
    assert humanize_hours(bad) == f"(horaires à vérifier) {bad}"
    with pytest.raises(HoursError):
        open_on(bad, 0)


def test_parse_hours_returns_parser_object() -> None:
    oh = parse_hours("  Mo-Fr 09:00-12:00 ")
    assert isinstance(oh, OpeningHours)
    assert oh.is_open(dt.datetime(2025, 3, 10, 10, 0))
    assert not oh.is_open(dt.datetime(2025, 3, 15, 10, 0))


@pytest.mark.parametrize(
    ("day", "index"),
    [
        (0, 0),
        (6, 6),
        (np.int64(5), 5),
        ("lundi", 0),
        ("Mardi", 1),
        ("MERCREDI", 2),
        ("mércredi", 2),
        ("jeudi", 3),
        ("vendredi", 4),
        ("samedi", 5),
        ("Dimanche", 6),
        ("sam.", 5),
        ("dim", 6),
        ("Mo", 0),
        ("tu", 1),
        ("We", 2),
        ("Th", 3),
        ("Fr", 4),
        ("Sa", 5),
        ("Su", 6),
        ("Saturday", 5),
        ("sunday", 6),
        ("Wed", 2),
    ],
)
def test_weekday_index(day: int | str, index: int) -> None:
    assert weekday_index(day) == index


@pytest.mark.parametrize("bad", [7, -1, "funday", "", "lundimatin", True])
def test_weekday_index_unknown(bad: object) -> None:
    with pytest.raises(AtlasError, match="jour inconnu"):
        weekday_index(bad)  # type: ignore[arg-type]


def test_weekdays_fr() -> None:
    assert WEEKDAYS_FR == (
        "lundi",
        "mardi",
        "mercredi",
        "jeudi",
        "vendredi",
        "samedi",
        "dimanche",
    )
    assert all(weekday_index(name) == i for i, name in enumerate(WEEKDAYS_FR))


def test_open_on_weekend() -> None:
    assert open_on("Tu 09:00-12:00; Sa 09:00-11:30", "samedi") is True
    assert open_on("Tu 09:00-12:00; Sa 09:00-11:30", "dimanche") is False
    assert open_on("Mo-Fr 09:00-17:00", "Sa") is False
    assert open_on("Mo-Fr 09:00-17:00", 6) is False
    assert open_on("24/7", "dimanche") is True
    assert open_on("Mo-Su 10:00-12:00; Su off", "Su") is False
    assert open_on("Sa[1] 09:00-12:00", "samedi") is True  # first Saturday of the month
    assert open_on("Su 22:00-02:00", "lundi") is True  # until 2 h on Monday morning
    assert open_on("Sa 10:00-12:00 unknown", "samedi") is None


def test_public_holidays_do_not_change_typical_week() -> None:
    text = "Mo-Fr 09:00-12:00; PH off"
    assert open_days(text) == {0, 1, 2, 3, 4}
    assert open_days("PH 10:00-12:00") == set()
    assert humanize_hours("PH 10:00-12:00", nbsp=False) == ("fermé ; horaires particuliers les jours fériés")
    # The parser itself closes on 14 July (a Monday in 2025) with the French calendar.
    assert not OpeningHours(text, country="FR").is_open(dt.datetime(2025, 7, 14, 10))


def test_weekly_intervals() -> None:
    assert weekly_intervals("Mo,Th 14:00-17:00") == [
        (0, dt.time(14), dt.time(17)),
        (3, dt.time(14), dt.time(17)),
    ]
    assert weekly_intervals("Fr 22:00-02:00") == [
        (4, dt.time(22), dt.time.max),
        (5, dt.time(0), dt.time(2)),
    ]
    assert len(weekly_intervals("24/7")) == 7


def test_covers_day_matches_loop() -> None:
    texts = pd.Series(
        list(HUMANIZED) * 3 + [None, "", float("nan"), "pas lisible", "Sa[2] 09:00-12:00"],
        dtype=object,
    )
    for day in range(7):
        vector = covers_day(texts, day)
        assert vector.dtype == bool
        assert vector.shape == (len(texts),)
        expected = []
        for text in texts:
            try:
                expected.append(open_on(text, day) is True)
            except HoursError:
                expected.append(False)
        assert vector.tolist() == expected
    saturday = {
        "Tu 09:00-12:00; Sa 09:00-11:30",
        "24/7",
        "Mo-Sa 08:30-12:00",
        "Sa,Su 10:00-12:00",
        "Mo-Fr 08:00-18:00; Sa 09:00-12:00; Su,PH off",
        "Fr 22:00-02:00",  # open until 2 h on Saturday
        "Sa[2] 09:00-12:00",
    }
    assert texts[covers_day(texts, "samedi")].tolist() == [t for t in texts if t in saturday]
    with pytest.raises(HoursError):
        covers_day(texts, "samedi", strict=True)


def _reference_days() -> list[dt.date]:
    return [REFERENCE_MONTH + dt.timedelta(days=i) for i in range(31)]


@pytest.mark.parametrize("text", [t for t in HUMANIZED if t != "off"] + ['Mo-Fr 09:00-12:00 || "rdv"'])
def test_open_days_independent_sampling(text: str) -> None:
    """Open days recomputed with the parser's own is_open() at sampled times."""
    oh = OpeningHours(text)
    sampled: set[int] = set()
    for day in _reference_days():
        for minute in range(0, 1440, 5):
            moment = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minute)
            if oh.is_open(moment):
                sampled.add(day.weekday())
    assert open_days(text) == sampled


@pytest.mark.parametrize(
    "text",
    ["Mo-Fr 09:00-12:00,14:00-17:30", "Tu 09:00-12:00; Sa 09:00-11:30", "Fr 22:00-02:00"],
)
def test_weekly_intervals_independent_sampling(text: str) -> None:
    """Each sampled minute of an ordinary week is open iff it lies in a weekly interval."""
    oh = OpeningHours(text)
    intervals = weekly_intervals(text)
    monday = dt.date(2025, 3, 10)
    for offset in range(0, 7 * 1440, 10):
        moment = dt.datetime.combine(monday, dt.time()) + dt.timedelta(minutes=offset)
        clock = moment.time()
        inside = any(wd == moment.weekday() and s <= clock < e for wd, s, e in intervals)
        assert inside == oh.is_open(moment), moment


@pytest.mark.parametrize(
    "text",
    ["sunrise-sunset", "Mo 10:00+", "easter off; 10:00-12:00", "2026 Jan-Mar Mo 10:00-12:00"],
)
def test_humanize_never_crashes(text: str) -> None:
    assert is_valid_hours(text)
    result = humanize_hours(text)
    assert isinstance(result, str) and result


def test_closures() -> None:
    summer = "2026 Jul 15-2026 Aug 15 off"
    assert closed_on(summer, dt.date(2026, 7, 15))
    assert closed_on(summer, "2026-08-15")
    assert not closed_on(summer, "2026-08-16")
    assert not closed_on(summer, dt.date(2025, 7, 20))
    assert closed_on("2026 Jul 15-2026 Aug 15", dt.datetime(2026, 8, 1, 18, 30))  # "off" implied
    assert closed_on("Aug off", "2025-08-03")
    assert closed_on("Aug off", "2031-08-31")
    assert not closed_on("Aug off", "2031-09-01")
    assert closed_on("2026 Dec 24-2027 Jan 02; 2026 May 01", "2027-01-01")
    assert closed_on("2026 Dec 24-2027 Jan 02; 2026 May 01", "2026-05-01")
    assert not closed_on("2026 Dec 24-2027 Jan 02; 2026 May 01", "2026-05-02")
    assert not closed_on("", "2026-05-02")
    assert not closed_on(None, "2026-05-02")
    assert not closed_on("fermé en août", "2026-08-10")  # free text: unknown
    assert not is_valid_closures("fermé en août")
    assert is_valid_closures(summer)
    with pytest.raises(HoursError, match="fermé en août"):
        closed_on("fermé en août", "2026-08-10", strict=True)
    with pytest.raises(AtlasError, match="date illisible"):
        closed_on(summer, "15/07/2026")


def test_closures_fr_for_people():
    assert closures_fr("Apr-Nov") == "d'avril à novembre"
    assert closures_fr("Aug off") == "en août"
    assert closures_fr("2026 Jul 20-2026 Aug 16 off") == "du 20 juillet 2026 au 16 août 2026"
    assert closures_fr("PH off; 2026 Dec 25") == "les jours fériés ; le 25 décembre 2026"
    assert closures_fr("travaux") == "travaux"
