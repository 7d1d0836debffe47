"""Choosing a territory: selection by code, the one label function and the short codes."""

from __future__ import annotations

import pytest

from atlas.errors import AtlasError, TerritoryError
from atlas.territory.selection import (
    Territory,
    resolve_territory,
    select_territory,
    territory_code,
    territory_label,
)


def test_select_territory_and_errors(communes):
    cab = select_territory(communes, epci="CABBALR")
    assert len(cab) == 100
    assert set(select_territory(communes, dep="2")["dep"]) == {"02"}
    with pytest.raises(TerritoryError, match="Territoire inconnu"):
        select_territory(communes, epci="123456789")
    with pytest.raises(TerritoryError, match="département"):
        select_territory(communes, dep="75")


def test_label_describes_what_the_communes_make_up(communes):
    cab = select_territory(communes, epci="CABBALR")
    assert territory_label(cab) == str(cab["epci_name"].iloc[0])
    one = select_territory(communes, insee="62119")
    assert territory_label(one) == f"{one['name'].iloc[0]} (62)"
    assert territory_label(select_territory(communes, dep="62")) == "Département : Pas-de-Calais (62)"
    assert territory_label(communes) == "Hauts-de-France"
    two = select_territory(communes, epci=["CABBALR", "CUD"])
    assert territory_label(two) == f"{len(two)} communes (59, 62)"


def test_label_by_what_was_asked(communes):
    two = select_territory(communes, epci=["CAPSO", "CABBALR"])
    names = list(dict.fromkeys(two["epci_name"]))
    assert territory_label(two, by="epci") == ", ".join(names)
    assert territory_label(two, by="epci", short_names=True) == ", ".join(names) + " (CABBALR, CAPSO)"
    deps = select_territory(communes, dep=["59", "62"])
    assert territory_label(deps, by="dep") == "Nord (59), Pas-de-Calais (62)"
    assert territory_label(deps, by="region") == "Hauts-de-France"
    with pytest.raises(ValueError):
        territory_label(deps, by="commune")


def test_codes_and_resolution(communes):
    assert territory_code(select_territory(communes, epci="CABBALR")) == "cabbalr"
    assert territory_code(select_territory(communes, dep="62")) == "62"
    assert territory_code(select_territory(communes, insee="62119")) == "62119"
    assert territory_code(communes) == ""
    assert territory_code(communes, " MEL ") == "mel"
    terr = resolve_territory(communes, "62")
    assert (terr.label, terr.code, len(terr.communes)) == ("Département : Pas-de-Calais (62)", "62", 887)
    assert resolve_territory(communes, {"insee": ["62119"]}).code == "62119"
    assert resolve_territory(communes, terr) is terr
    assert isinstance(resolve_territory(communes), Territory)
    with pytest.raises(AtlasError, match="Territoire vide"):
        resolve_territory(communes, communes.iloc[0:0])
