"""French formatting shared by tables, maps and popups."""

import datetime as dt

from atlas.fr import date_fr, integer_fr


def test_date_fr():
    assert date_fr("2026-11-02") == "2 novembre 2026"
    assert date_fr("2026-08-01") == "1er août 2026"
    assert date_fr(dt.date(2015, 5, 9)) == "9 mai 2015"
    assert date_fr("2026-10") == "octobre 2026"
    assert date_fr("2026") == "2026"
    assert date_fr("n.c.") == "n.c."
    assert date_fr("2026-13-01") == "2026-13-01"


def test_integer_fr_uses_no_break_spaces():
    assert integer_fr(6_003_283) == "6\u00a0003\u00a0283"
    assert integer_fr(999) == "999"
    assert integer_fr(16958.6) == "16\u00a0959"
