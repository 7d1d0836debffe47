"""2SFCA / E2SFCA through PySAL access: hand-computed small cases (as access's own tests do)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest

from atlas.analysis.capacity import floating_catchment
from atlas.crs import L93
from atlas.errors import AccessError

pytest.importorskip("access")


def _pts(xy, **cols) -> gpd.GeoDataFrame:
    xy = np.asarray(xy, dtype=float)
    return gpd.GeoDataFrame(cols, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=L93)


@pytest.fixture
def case():
    # O1 reaches S1 only (0 km), O2 reaches S1 (6 km) and S2 (4 km), O3 reaches only S3 (capacity unknown)
    origins = _pts([[0, 0], [6000, 0], [30_000, 0]], population=[100, 300, 50], poor=[10, 20, 5],
                   insee=["a", "b", "c"])
    sites = _pts([[0, 0], [10_000, 0], [30_000, 1000]], capacity=[40, "60", ""], name=["S1", "S2", "S3"])
    return origins, sites


def test_2sfca_by_hand(case):
    origins, sites = case
    out = floating_catchment(origins, sites, threshold_km=8, min_ratio=0.2)
    # R1 = 40 / (100 + 300) = 0.1 ; R2 = 60 / 300 = 0.2 ; A = [0.1, 0.1 + 0.2, 0]
    assert out.frame["capacity_per_demand"].tolist() == pytest.approx([0.1, 0.3, 0.0])
    assert out.frame["n_sites_reached"].tolist() == [1, 2, 1]
    assert out.frame["capacity_unknown"].tolist() == [False, False, True]
    assert out.frame["zone_grise"].tolist() == [True, False, False]  # O3: no verdict, its only site has no capacity
    assert out.frame["zone_blanche"].tolist() == [False, False, False]
    assert out.n_sites_unknown_capacity == 1 and out.capacity_total == 100
    # beyond every site: a zone blanche, never a zone grise
    far = floating_catchment(origins, sites.iloc[:2], threshold_km=8, min_ratio=0.2)
    assert far.frame["zone_blanche"].tolist() == [False, False, True] and not far.frame["zone_grise"].iloc[2]


def test_e2sfca_bands_by_hand(case):
    origins, sites = case
    out = floating_catchment(origins, sites, bands={5: 1.0, 8: 0.5})
    # weights: O1-S1 0 km -> 1, O2-S1 6 km -> 0.5, O2-S2 4 km -> 1
    # R1 = 40 / (100 + 0.5 * 300) = 0.16 ; R2 = 60 / 300 = 0.2 ; A1 = 0.16, A2 = 0.5 * 0.16 + 0.2 = 0.28
    assert out.frame["capacity_per_demand"].tolist() == pytest.approx([0.16, 0.28, 0.0])
    assert out.method == "E2SFCA"


def test_weights_replace_population(case):
    origins, sites = case
    out = floating_catchment(origins, sites, threshold_km=8, weights="poor")
    # R1 = 40 / (10 + 20) ; R2 = 60 / 20 = 3
    assert out.frame["capacity_per_demand"].tolist() == pytest.approx([40 / 30, 40 / 30 + 3, 0.0])


def test_bad_capacity(case):
    origins, sites = case
    with pytest.raises(AccessError, match="colonne de capacité"):
        floating_catchment(origins, sites.drop(columns="capacity"))
    with pytest.raises(AccessError, match=r"site\(s\) n° 2"):
        floating_catchment(origins, sites.assign(capacity=[1, "beaucoup", 3]))


def test_cli_capacite_zones_grises(tmp_path):
    """On the demonstration registry: one capacity file by site id; the verdicts follow the library's."""
    import io

    import pandas as pd
    from click.testing import CliRunner

    from atlas.cli import cli

    actors = pd.read_csv("data/raw/actors.csv", dtype=str)
    aid = actors[actors["kind"].isin(["distribution", "epicerie", "meal"])]
    caps = tmp_path / "capacites.csv"
    pd.DataFrame({"id": [*aid["id"], "inconnu"], "beneficiaires": [100] * len(aid) + [5]}).to_csv(caps, index=False)
    res = CliRunner().invoke(cli, ["capacite", "--epci", "CABBALR", "--capacites", str(caps), "--ratio-min", "5",
                                   "--format", "csv"])
    assert res.exit_code == 0, res.output
    said = next(line for line in res.output.splitlines() if "ne sont pas des sites retenus" in line)
    assert "inconnu" in said or said.endswith("…")  # said, never dropped silently (trucks are not sites, their stops are)
    table = pd.read_csv(io.StringIO(res.output[res.output.index("Code INSEE"):]), sep=";", decimal=",")
    grey = table[table["Verdict"] == "zone grise"]
    assert len(grey) > 0 and (grey["Capacité à portée pour 1 000 (par semaine)"] <= 5).all()  # shown rounded to 0.1
    rest = table[table["Verdict"].isna()]
    assert (rest["Capacité à portée pour 1 000 (par semaine)"] >= 5).all()
    res = CliRunner().invoke(cli, ["capacite", "--epci", "CABBALR", "--capacites", str(caps), "--paliers", "5:1,x"])
    assert res.exit_code == 1 and "paliers illisibles" in res.output
