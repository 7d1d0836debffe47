"""One accent/ligature folding and one « cell → clean text » helper (issue 21, part 6)."""

from __future__ import annotations

import math

import pandas as pd

from atlas.actors.labels import _key
from atlas.maps.site_table import fold as sort_key
from atlas.maps.web.panels import web_filename
from atlas.registry.hours import weekday_index
from atlas.registry.schema import slug
from atlas.registry.vocabulary import words
from atlas.territory.geocoding.address import fold as address_key
from atlas.territory.reference import normalize_name
from atlas.text import clean_text, fold


def test_fold_writes_ligatures_out():
    assert fold("Cœur Œuvre æther Æ Straße") == "Coeur OEuvre aether AE Strasse"
    assert fold("Épinoy-à-Ça") == "Epinoy-a-Ca"


def test_every_folding_keeps_oe():
    """The copies that used to drop « œ » (file names, sort keys, graph labels) now keep it."""
    assert web_filename("Communauté de communes du Cœur de Flandre") == "carte-communaute-de-communes-du-coeur-de-flandre.html"
    assert sorted(["Cuts", "Cœuvres-et-Valsery"], key=sort_key) == ["Cœuvres-et-Valsery", "Cuts"]
    assert _key("Restos du Cœur") == "restos du coeur"
    assert slug("Cœur") == "coeur"
    assert words("Les Restos du Cœur") == ("resto", "coeur")
    assert normalize_name("Cœuvres-et-Valsery") == "COEUVRES ET VALSERY"
    assert address_key("rue du Cœur") == "RUE DU COEUR"
    assert weekday_index("Mércredi") == 2


def test_clean_text():
    assert [clean_text(v) for v in (None, math.nan, pd.NA, pd.NaT, "  a \n b ", 3, 2.5)] == ["", "", "", "", "a b", "3", "2.5"]
    assert clean_text(" Mo-Fr  09:00-12:00 ", collapse=False) == "Mo-Fr  09:00-12:00"
