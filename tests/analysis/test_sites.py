"""Site selection: the site filter, kinds, networks, services, days, mobile stops, closures."""

from __future__ import annotations

import dataclasses
import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from atlas.analysis.sites import SiteFilter, select_sites
from atlas.crs import L93
from atlas.errors import AccessError, NoSiteError


def _actors(rows: list[dict]) -> gpd.GeoDataFrame:
    base = {"id": "", "name": "", "kind": "distribution", "network": "", "services": "", "opening_hours": "",
            "closures": "", "mode": "fixed", "route": "", "x": np.nan, "y": np.nan}
    df = pd.DataFrame([{**base, **r} for r in rows])
    geom = [shapely.Point(x, y) if np.isfinite(x) else None for x, y in zip(df["x"], df["y"], strict=True)]
    return gpd.GeoDataFrame(df.drop(columns=["x", "y"]), geometry=geom, crs=L93)


@pytest.fixture
def toy() -> gpd.GeoDataFrame:
    return _actors([
        {"id": "a", "name": "Colis A", "kind": "distribution", "network": "restos-du-coeur", "services": "colis",
         "opening_hours": "Sa 09:00-12:00", "x": 650_000, "y": 7_050_000},
        {"id": "b", "name": "Épicerie B", "kind": "epicerie", "network": "secours-populaire,andes",
         "services": "epicerie,fruits-legumes", "opening_hours": "Mo-Fr 14:00-17:00", "closures": "Aug",
         "x": 660_000, "y": 7_050_000},
        {"id": "c", "name": "Ferme C", "kind": "producer", "x": 670_000, "y": 7_050_000},
        {"id": "truck", "name": "Camion", "kind": "distribution", "mode": "mobile", "x": 700_000, "y": 7_000_000},
        {"id": "stop1", "name": "Camion – arrêt 1", "kind": "distribution", "mode": "mobile", "route": "truck",
         "opening_hours": "Tu 10:00-11:00", "x": 680_000, "y": 7_050_000},
        {"id": "stop2", "name": "Camion – arrêt 2", "kind": "", "mode": "mobile", "route": "truck2",
         "x": 690_000, "y": 7_050_000},
        {"id": "truck2", "name": "Camion 2", "kind": "meal", "mode": "mobile", "opening_hours": "Th 10:00-11:00"},
        {"id": "lost", "name": "Sans adresse", "kind": "distribution", "opening_hours": "Sa 09:00-12:00"},
    ])


def test_select_sites_kinds_networks_services(toy):
    assert list(select_sites(toy).frame["id"]) == ["a", "b", "stop1", "stop2"]  # trucks, producer, unlocated out
    assert select_sites(toy).n_unlocated == 1
    assert list(select_sites(toy, SiteFilter(kinds=None)).frame["id"]) == ["a", "b", "c", "stop1", "stop2"]
    assert list(select_sites(toy, SiteFilter(kinds="producer")).frame["id"]) == ["c"]
    assert list(select_sites(toy, SiteFilter(networks="andes")).frame["id"]) == ["b"]
    assert list(select_sites(toy, SiteFilter(services=["fruits-legumes", "colis"])).frame["id"]) == ["a", "b"]
    with pytest.raises(NoSiteError, match="aucun site"):
        select_sites(toy, SiteFilter(networks="emmaus"))
    with pytest.raises(AccessError, match="type de site inconnu"):
        select_sites(toy, SiteFilter(kinds="banque"))


def test_select_sites_day_and_mobile_stops(toy):
    # a stop without hours/kind takes its truck's (truck2: meal, Thursday)
    assert list(select_sites(toy, SiteFilter(day="samedi")).frame["id"]) == ["a"]
    assert list(select_sites(toy, SiteFilter(day="mardi")).frame["id"]) == ["b", "stop1"]
    assert list(select_sites(toy, SiteFilter(day=3)).frame["id"]) == ["b", "stop2"]
    assert select_sites(toy, SiteFilter(day="jeudi")).frame.set_index("id").loc["stop2", "kind"] == "meal"
    with pytest.raises(NoSiteError, match="dimanche"):
        select_sites(toy, SiteFilter(day="dimanche"))
    # unknown hours counted as open on request
    assert "c" in set(select_sites(toy, SiteFilter(kinds=None, day="dimanche", unknown_hours="open")).frame["id"])


def test_select_sites_calendar_date_uses_closures(toy):
    monday_june = dt.date(2026, 6, 1)
    monday_august = dt.date(2026, 8, 3)
    assert list(select_sites(toy, SiteFilter(day=monday_june)).frame["id"]) == ["b"]
    with pytest.raises(NoSiteError, match="03/08/2026"):
        select_sites(toy, SiteFilter(day=monday_august))
    assert list(select_sites(toy, SiteFilter(day="2026-06-02")).frame["id"]) == ["b", "stop1"]
    with pytest.raises(AccessError, match="date illisible"):
        select_sites(toy, SiteFilter(day="2026-13-45"))


def test_site_filter_is_a_normalised_value(toy):
    f = SiteFilter(kinds="producer", networks=[" andes ", ""], services=())
    assert (f.kinds, f.networks, f.services, f.day) == (("producer",), ("andes",), None, None)
    assert SiteFilter(kinds=["epicerie"]) == SiteFilter(kinds=("epicerie",))
    assert hash(f) == hash(SiteFilter(kinds=("producer",), networks="andes"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.day = "samedi"  # type: ignore[misc]
    assert dataclasses.replace(f, day="samedi").kinds == ("producer",)
    assert list(select_sites(toy, SiteFilter()).frame["id"]) == list(select_sites(toy).frame["id"])
    with pytest.raises(AccessError, match="horaires non communiqués"):
        select_sites(toy, SiteFilter(unknown_hours="maybe"))


def test_select_sites_names_the_filter(toy):
    # text printed in tables, as before the filter became a value
    sites = select_sites(toy, SiteFilter(kinds=("distribution", "epicerie"), networks="andes", day="2026-06-01"))
    assert sites.description == ("type « Distribution alimentaire » / « Épicerie solidaire ou sociale », "
                                     "réseau « andes », ouvert le 2026-06-01")
    assert list(sites.frame["id"]) == ["b"]
    sites = select_sites(toy, SiteFilter(kinds=None, services="colis", day="samedi"))
    assert sites.description == "service « colis », ouvert le samedi" and list(sites.frame["id"]) == ["a"]
