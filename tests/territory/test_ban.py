"""Offline BAN geocoding against the BAN-format fixtures of tests/data/ban (made-up coordinates)."""

from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from atlas.errors import AtlasError, BanError
from atlas.territory.geocoding import ban
from atlas.territory.geocoding.address import parse_addresses
from atlas.territory.geocoding.ban import (
    ban_files,
    ban_source,
    geocode_addresses,
    index_cache_path,
    load_index,
    read_ban_file,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "ban"


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def index(cache):
    return load_index(DATA)


ROWS = [
    # address, insee, commune, precision, score, label, reason
    ("12bis, rue J. Jaurès", "62498", "", "adresse", 95.0, "12 bis Rue Jean Jaurès 62300 Lens", ""),
    ("12 rue Jean Jaurès", "62498", "", "adresse", 100.0, "12 bis Rue Jean Jaurès 62300 Lens",
     "n° 12 absent de la BAN : placé au n° 12 bis"),
    ("5 ter rue Jean Jaurès", "62498", "", "adresse", 100.0, "5 Rue Jean Jaurès 62300 Lens",
     "indice ter absent de la BAN : placé au n° 5"),
    ("9 rue Jean Jaurès", "62498", "", "voie", 100.0, "7 Rue Jean Jaurès 62300 Lens",
     "numéro 9 absent de la BAN : placé au n° 7"),
    ("Rue Jean Jaurès 20", "62498", "", "voie", 100.0, "16 Rue Jean Jaurès 62300 Lens",
     "numéro 20 absent de la BAN : placé au n° 16"),
    ("bd E. Basly 3", "62498", "", "adresse", 95.0, "3 Boulevard Émile Basly 62300 Lens", ""),
    ("3 avenue Emile Basly", "62498", "", "adresse", 90.0, "3 Boulevard Émile Basly 62300 Lens", ""),
    ("Place de la République", "62498", "", "voie", 100.0, "3 Place de la République 62300 Lens",
     "sans numéro : placé au milieu de la voie (n° 3)"),
    ("3 rue du Presbytère", "62498", "", "adresse", 100.0, "3 Rue de l'Église 62300 Lens", ""),
    ("4 rue du 11 novembre", "62498", "", "adresse", 90.0, "4 Rue du 11 Novembre 1918 62300 Lens", ""),
    ("4 rue Jean Jaures", "62510", "", "adresse", 100.0, "4 Rue Jean Jaurès 62800 Liévin", ""),
    ("Le Riaumont", "62510", "", "lieu-dit", 100.0, "Le Riaumont 62800 Liévin", "placé au lieu-dit « Le Riaumont »"),
    ("Hameau de Rollencourt", "62510", "", "lieu-dit", 100.0, "3 Chemin Vert 62800 Liévin",
     "placé au lieu-dit « Hameau de Rollencourt »"),
    ("Rollencourt", "62510", "", "lieu-dit", 100.0, "3 Chemin Vert 62800 Liévin",
     "placé au lieu-dit « Hameau de Rollencourt »"),
    ("12 rue Inconnue", "62498", "", "commune", np.nan, "", "rue inconnue dans la commune : mairie"),
    ("Salle des fêtes", "62498", "", "commune", np.nan, "", "bâtiment sans voie : mairie"),
    ("BP 12", "62498", "", "commune", np.nan, "", "boîte postale sans voie : mairie"),
    ("ZA du Moulin", "62498", "", "commune", np.nan, "", "lieu-dit inconnu dans la commune : mairie"),
    ("", "62498", "", "commune", np.nan, "", "adresse sans voie : mairie"),
    ("1 rue Jean Jaurès", "59999", "", "commune", np.nan, "", "commune absente des fichiers BAN : mairie"),
    ("1 rue Jean Jaurès", "", "", "commune", np.nan, "", "commune non reconnue : pas de point"),
    ("307 avenue de dunkerque", "59350", "LOMME", "adresse", 100.0, "307 Avenue de Dunkerque 59160 Lille", ""),
    ("307 avenue de dunkerque", "59355", "", "adresse", 100.0, "307 Avenue de Dunkerque 59160 Lille", ""),
    ("303 avenue de dunkerque", "59355", "", "voie", 100.0, "301 Avenue de Dunkerque 59160 Lille",
     "numéro 303 absent de la BAN : placé au n° 301"),
    ("15 rue Roger Salengro", "59350", "", "adresse", 100.0, "15 Rue Roger Salengro 59260 Lille", ""),
    ("5 rue Roger Salengro", "59350", "Hellemmes", "adresse", 100.0, "5 Rue Roger Salengro 59260 Lille", ""),
    ("5 rue Roger Salengro", "59350", "Lomme", "adresse", 100.0, "5 Rue Roger Salengro 59160 Lille", ""),
    ("2 rue de la Republique", "59350", "Lille", "adresse", 100.0, "2 Rue de la République 59000 Lille", ""),
    ("1 rue Roger Salengro", "59298", "", "adresse", 100.0, "1 Rue Roger Salengro 59260 Lille", ""),
]  # fmt: skip


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {"address": [r[0] for r in ROWS], "insee": [r[1] for r in ROWS], "commune": [r[2] for r in ROWS],
         "postcode": ""},
        index=pd.RangeIndex(100, 100 + len(ROWS)),
    )  # fmt: skip


def test_geocode_addresses(index):
    out = geocode_addresses(_frame(), index)
    assert list(out.columns) == list(ban.RESULT_COLUMNS)
    assert list(out.index) == list(range(100, 100 + len(ROWS)))
    for (address, insee, _, precision, score, label, reason), (_, got) in zip(ROWS, out.iterrows(), strict=True):
        where = f"{address!r} ({insee})"
        assert got["precision"] == precision, where
        assert got["label"] == label, where
        assert got["reason"] == reason, where
        if np.isnan(score):
            assert np.isnan(got["score"]) and np.isnan(got["x"]) and got["ban_id"] == "", where
        else:
            assert got["score"] == pytest.approx(score), where
            assert np.isfinite(got["x"]) and got["ban_id"], where
    assert out["precision"].value_counts().to_dict() == {"adresse": 15, "commune": 7, "voie": 4, "lieu-dit": 3}


def test_points_are_the_ban_points_in_lambert93(index):
    raw = pd.read_csv(DATA / "adresses-62.csv", sep=";", dtype=str)
    one = raw[(raw["nom_voie"] == "Rue Jean Jaurès") & (raw["numero"] == "12") & (raw["code_insee"] == "62498")]
    assert len(one) == 1 and one["rep"].iat[0] == "bis"
    out = geocode_addresses(pd.DataFrame({"address": ["12 bis r. Jean-Jaurès"], "insee": ["62498"]}), index)
    assert out["ban_id"].iat[0] == one["id"].iat[0] == "62498_0001_00012_bis"
    lon, lat = float(one["lon"].iat[0]), float(one["lat"].iat[0])
    assert (out["lon"].iat[0], out["lat"].iat[0]) == (lon, lat)
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True).transform(lon, lat)
    assert out["x"].iat[0] == pytest.approx(x, abs=1e-6) and out["y"].iat[0] == pytest.approx(y, abs=1e-6)
    # and within a few centimetres of the file's own x/y (lon/lat written with 6 decimals)
    assert abs(out["x"].iat[0] - float(one["x"].iat[0])) < 0.1 and abs(out["y"].iat[0] - float(one["y"].iat[0])) < 0.1


def test_nearest_number_same_side_first(index):
    # Avenue de Dunkerque has 300-311 without 303: 303 -> 301 (odd side), 312 -> 310, 299 -> 301
    frame = pd.DataFrame({"address": ["303 av de Dunkerque", "312 av de Dunkerque", "299 av de Dunkerque"],
                          "insee": "59355"})  # fmt: skip
    out = geocode_addresses(frame, index)
    assert list(out["label"].str.split().str[0]) == ["301", "310", "301"]
    assert list(out["precision"]) == ["voie"] * 3


def test_parsed_frame_gives_the_same(index):
    frame = _frame()
    parsed = parse_addresses(frame).assign(insee=frame["insee"], commune_given=frame["commune"])
    a = geocode_addresses(frame, index)
    b = geocode_addresses(parsed, index, commune="commune_given")
    pd.testing.assert_frame_equal(a, b)


def test_min_score(index):
    frame = pd.DataFrame({"address": ["3 avenue Emile Basly"], "insee": ["62498"]})
    assert geocode_addresses(frame, index)["precision"].iat[0] == "adresse"  # 90: another type
    out = geocode_addresses(frame, index, min_score=95)
    assert (out["precision"].iat[0], out["reason"].iat[0]) == ("commune", "rue inconnue dans la commune : mairie")


def test_index_contents(index):
    assert len(index) == 109  # 58 rows in 62 + 51 in 59
    assert [f.name for f in index.files] == ["adresses-59.csv.gz", "adresses-62.csv"]
    assert index.communes() == {"59350", "59355", "59298", "62498", "62510"}
    assert len(index.streets) == 12
    assert list(index.lieux_dits["key"]) == ["HAMEAU ROLLENCOURT"]
    assert index.addresses["sid"].is_monotonic_increasing
    assert str(index.addresses["street_key"].dtype) == "category"


def test_cache_written_then_reused(cache, monkeypatch):
    first = load_index(DATA / "adresses-62.csv")
    target = index_cache_path(DATA / "adresses-62.csv")
    assert target.exists() and target.parent == cache / "ban" and target.suffix == ".parquet"
    assert not list(target.parent.glob(".*part*"))  # atomic: no temporary file left

    def boom(path):
        raise AssertionError("the cached index should have been read")

    monkeypatch.setattr(ban, "read_ban_file", boom)
    again = load_index(DATA / "adresses-62.csv")
    pd.testing.assert_frame_equal(first.addresses, again.addresses)


def test_cache_rebuilt_when_the_file_changes(cache, tmp_path):
    copy = tmp_path / "adresses-62.csv"
    shutil.copy(DATA / "adresses-62.csv", copy)
    assert len(load_index(copy)) == 58
    lines = copy.read_text(encoding="utf-8").splitlines(keepends=True)
    copy.write_text("".join(lines[:-7]), encoding="utf-8")  # a shorter file (size and date change)
    st = copy.stat()
    os.utime(copy, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert len(load_index(copy)) == 51
    assert len(list((cache / "ban").glob("*.parquet"))) == 1  # one cache file per source path


def test_without_cache(cache):
    index = load_index(DATA / "adresses-59.csv.gz", cache=False)
    assert len(index) == 51
    assert not (cache / "ban").exists()


def test_unwritable_cache_still_geocodes(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.setattr(ban, "index_cache_path", lambda path: blocker / "x.parquet")
    index = load_index(DATA / "adresses-62.csv")
    assert len(index) == 58


def test_read_ban_file_columns():
    table = read_ban_file(DATA / "adresses-59.csv.gz")
    assert table.num_rows == 51
    assert table.column_names == ["sid", "number", "rep", "rep_key", "insee", "old_insee", "old_name", "commune",
                                  "postcode", "street", "street_key", "alias_key", "ld", "ld_key", "x", "y", "lon",
                                  "lat", "id"]  # fmt: skip


def test_minimal_columns_and_bad_rows(tmp_path, cache):
    path = tmp_path / "adresses-80.csv"
    path.write_text(
        "numero;nom_voie;code_insee;lon;lat\n"
        "1;Rue de Sully;80021;2.30;49.89\n"
        "x;Rue de Sully;80021;2.30;49.89\n"  # no number: dropped
        "3;Rue de Sully;80021;;\n",  # no point: dropped
        encoding="utf-8",
    )
    index = load_index(path)
    assert len(index) == 1
    out = geocode_addresses(pd.DataFrame({"address": ["51 Rue de Sully"], "insee": ["80021"]}), index)
    assert (out["precision"].iat[0], out["label"].iat[0]) == ("voie", "1 Rue de Sully")


def test_errors(tmp_path, cache):
    with pytest.raises(BanError, match="Fichier ou dossier BAN introuvable : « .*absent.csv »"):
        load_index(tmp_path / "absent.csv")
    empty = tmp_path / "vide"
    empty.mkdir()
    with pytest.raises(BanError, match="Aucun fichier BAN .* dans le dossier"):
        load_index(empty)
    bad = tmp_path / "adresses-02.csv"
    bad.write_text("id;numero;voie;commune\n1;2;Rue X;02691\n", encoding="utf-8")
    with pytest.raises(BanError, match=r"n'est pas un fichier d'adresses BAN : colonne\(s\) manquante\(s\) "
                                       r"nom_voie, code_insee, lon, lat"):  # fmt: skip
        load_index(bad)
    broken = tmp_path / "adresses-60.csv.gz"
    broken.write_bytes(gzip.compress((DATA / "adresses-62.csv").read_bytes())[:300])
    with pytest.raises(BanError, match="Fichier BAN illisible"):
        load_index(broken)
    not_gzip = tmp_path / "adresses-59.csv.gz"
    not_gzip.write_text("pas du gzip", encoding="utf-8")
    with pytest.raises(BanError, match="Fichier BAN illisible"):
        load_index(not_gzip)
    assert issubclass(BanError, AtlasError)


def test_ban_files_and_source(tmp_path, monkeypatch):
    assert [f.name for f in ban_files(DATA)] == ["adresses-59.csv.gz", "adresses-62.csv"]
    other = tmp_path / "autres"
    other.mkdir()
    (other / "b.csv").write_text("x")
    (other / "a.csv.gz").write_bytes(b"")
    (other / "notes.txt").write_text("x")
    assert [f.name for f in ban_files(other)] == ["a.csv.gz", "b.csv"]
    monkeypatch.delenv("ATLAS_BAN_DIR", raising=False)
    assert ban_source() is None and ban_source("") is None
    assert ban_source(DATA) == DATA
    monkeypatch.setenv("ATLAS_BAN_DIR", str(DATA))
    assert ban_source() == DATA
    assert ban_source(other) == other  # the option wins over the variable
    monkeypatch.setenv("ATLAS_BAN_DIR", str(tmp_path / "nulle-part"))
    with pytest.raises(BanError, match=r"introuvable : « .*nulle-part » \(variable ATLAS_BAN_DIR\)"):
        ban_source()


def test_many_streets(tmp_path, cache):
    # more than 2**31 / 100000 streets: packed (street, number) keys must not overflow
    n = 22_000
    lines = ["numero;nom_voie;code_insee;lon;lat"] + [f"{k % 7 + 1};Rue X{k:05d};62498;2.83;50.43" for k in range(n)]
    path = tmp_path / "adresses-62.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    index = load_index(path)
    assert len(index.streets) == n
    out = geocode_addresses(pd.DataFrame({"address": ["6 Rue X21999", "2 Rue X21999"], "insee": "62498"}), index)
    assert list(out["precision"]) == ["adresse", "voie"]
    assert list(out["label"]) == ["6 Rue X21999", "6 Rue X21999"]


def test_number_decides_between_tied_streets(tmp_path, cache):
    path = tmp_path / "adresses-62.csv"
    path.write_text(
        "numero;nom_voie;code_insee;lon;lat\n"
        "1;Rue Jean Jaurès;62498;2.830;50.430\n"
        "2;Rue Jean Jaurès;62498;2.830;50.430\n"
        "5;Rue Jules Jaurès;62498;2.840;50.440\n",
        encoding="utf-8",
    )
    frame = pd.DataFrame({"address": ["5 r. J. Jaurès", "2 r. J. Jaurès", "9 r. J. Jaurès"], "insee": "62498"})
    out = geocode_addresses(frame, load_index(path))
    assert list(out["label"]) == ["5 Rue Jules Jaurès", "2 Rue Jean Jaurès", "1 Rue Jean Jaurès"]
    assert list(out["precision"]) == ["adresse", "adresse", "voie"]
