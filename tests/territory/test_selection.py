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
    assert set(select_territory(communes, dep="2").communes["dep"]) == {"02"}
    with pytest.raises(TerritoryError, match="Territoire inconnu"):
        select_territory(communes, epci="123456789")
    with pytest.raises(TerritoryError, match="département"):
        select_territory(communes, dep="75")


def test_label_describes_what_the_communes_make_up(communes):
    cab = select_territory(communes, epci="CABBALR")
    assert territory_label(cab) == cab.name == str(cab.communes["epci_name"].iloc[0])
    one = select_territory(communes, insee="62119")
    assert territory_label(one) == one.name == f"{one.communes['name'].iloc[0]} (62)"
    assert territory_label(select_territory(communes, dep="62")) == "Département : Pas-de-Calais (62)"
    assert territory_label(communes) == "Hauts-de-France"
    two = select_territory(communes, epci=["CABBALR", "CUD"])
    assert territory_label(two) == f"{len(two)} communes (59, 62)"


def test_label_by_what_was_asked(communes):
    two = select_territory(communes, epci=["CAPSO", "CABBALR"])
    names = list(dict.fromkeys(two.communes["epci_name"]))
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
    assert (terr.name, terr.slug, len(terr.communes)) == ("Département : Pas-de-Calais (62)", "62", 887)
    assert resolve_territory(communes, {"insee": ["62119"]}).slug == "62119"
    assert resolve_territory(communes, terr) is terr
    assert isinstance(resolve_territory(communes), Territory)
    with pytest.raises(AtlasError, match="Territoire vide"):
        resolve_territory(communes, communes.iloc[0:0])


def test_territory_kind_codes_crs_and_reference(communes):
    """One Territory for every function: its kind and codes are what its communes make up."""
    import atlas

    cab = atlas.territory("CABBALR", communes=communes)
    assert isinstance(cab, atlas.Territory) and cab.kind == "epci" and cab.codes == ("200072460",)
    assert cab.crs == "EPSG:2154" and cab.reference is communes and len(cab) == 100
    assert cab.slug == "cabbalr" and cab.name == str(cab.communes["epci_name"].iloc[0])
    two = select_territory(communes, epci=["CAPSO", "CABBALR"])
    assert two.kind == "epci" and two.codes == ("200069037", "200072460")  # in the order asked
    dep = select_territory(communes, dep=["62", "59"])
    assert dep.kind == "dep" and dep.codes == ("62", "59")
    one = select_territory(communes, insee="62119")
    assert one.kind == "commune" and one.codes == ("62119",)
    region = atlas.territory(communes=communes)
    assert region.kind == "region" and region.codes == ("32",) and region.name == "Hauts-de-France"
    part = select_territory(communes, insee=["62119", "62178"])
    assert part.kind == "perimeter" and part.codes == ()
    assert atlas.territory(epci="CAPSO", communes=communes).codes == ("200069037",)
    with pytest.raises(TypeError):
        atlas.territory("62", dep="62")
