"""``atlas build``: GeoPackage layers, rejects kept, atomic writes, CLI messages."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from click.testing import CliRunner

from atlas.cli import cli
from atlas.io import atomic_output, write_gpkg
from atlas.registry.build import build_registries

DATA = Path(__file__).parents[1] / "data"


def test_build_writes_all_layers(tmp_path):
    out = tmp_path / "atlas.gpkg"
    res = build_registries([DATA / "registre_excel_fr.csv"], output=out)
    layers = dict(pyogrio.list_layers(out))
    assert set(layers) == {"communes", "epci", "departements", "actors", "rejects", "warnings", "publication"}
    assert layers["communes"] == "MultiPolygon" and layers["actors"] == "Point" and layers["rejects"] is None
    assert len(gpd.read_file(out, layer="communes")) == 3782
    assert len(gpd.read_file(out, layer="epci")) == 92
    actors = gpd.read_file(out, layer="actors")
    rejects = pyogrio.read_dataframe(out, layer="rejects")
    assert len(actors) + len(rejects) == 15 == res.registries[0].n_read
    assert actors.crs == "EPSG:2154"
    assert sorted(rejects["line"].astype(int)) == [4, 5, 6, 7, 8, 9, 10]
    located = actors[actors["precision"] != "unknown"]
    assert located["insee"].str.fullmatch(r"\d{5}").all()  # INSEE codes stored as text
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "atlas-avertissements.csv", "atlas-rejets.csv", "atlas.gpkg"]
    rej_csv = (tmp_path / "atlas-rejets.csv").read_bytes()
    assert rej_csv.startswith(b"\xef\xbb\xbf") and b";" in rej_csv.splitlines()[0]
    assert len(rej_csv.decode("utf-8-sig").strip().splitlines()) == 1 + len(rejects)


def test_duplicate_ids_across_registries_are_rejects(tmp_path):
    res = build_registries([DATA / "registre_excel_fr.csv", DATA / "registre_excel_fr.csv"], write=False)
    assert len(res.actors) == 8
    assert len(res.rejects) == 7 + 15  # second file: its own 7 rejects + 8 duplicates of the first
    assert res.rejects["reason"].str.contains("déjà dans registre_excel_fr.csv").sum() == 8


def test_interrupted_write_leaves_nothing(tmp_path):
    out = tmp_path / "x.gpkg"
    out.write_bytes(b"previous version")
    frame = build_registries([DATA / "registre_excel_fr.csv"], write=False).actors

    class Boom(Exception):
        pass

    with pytest.raises(Boom), atomic_output(out) as tmp:
        pyogrio.write_dataframe(frame, tmp, layer="actors", driver="GPKG")
        raise Boom
    assert out.read_bytes() == b"previous version"
    assert [p.name for p in tmp_path.iterdir()] == ["x.gpkg"]
    write_gpkg(out, {"actors": frame})
    assert len(gpd.read_file(out)) == len(frame)


def test_cli_build_reports_rejects_without_traceback(tmp_path):
    runner = CliRunner()
    out = tmp_path / "a.gpkg"
    r = runner.invoke(cli, ["build", str(DATA / "registre_excel_fr.csv"), "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "15 lignes lues, 8 acceptées, 7 rejetées" in r.output
    assert "ligne 6 : latitude et longitude inversées" in r.output
    r = runner.invoke(cli, ["build", str(tmp_path / "absent.csv"), "-o", str(out)])
    assert r.exit_code == 1
    assert "Erreur : Fichier introuvable" in r.output
    assert "Traceback" not in r.output
    r = runner.invoke(cli, ["build", str(DATA / "registre_excel_fr.csv"), "-o", "/proc/atlas.gpkg"])
    assert r.exit_code == 1 and "Erreur" in r.output and "Traceback" not in r.output


def test_build_with_partnerships_writes_their_layers_and_rejects(tmp_path):
    import csv

    graph = DATA / "graph"
    out = tmp_path / "g.gpkg"
    res = build_registries([graph / "actors.csv"], output=out, partnerships=graph / "partnerships_bad.csv",
                      actions=graph / "actions.csv")
    layers = dict(pyogrio.list_layers(out))
    assert {"partnerships", "actions", "partnership_lines"} <= set(layers)
    assert layers["partnership_lines"] == "LineString"
    with open(graph / "partnerships_bad.csv", encoding="utf-8-sig", newline="") as fh:
        n_rows = sum(1 for _ in csv.DictReader(fh, delimiter=";"))
    parts = pyogrio.read_dataframe(out, layer="partnerships")
    rejects = pyogrio.read_dataframe(out, layer="rejects")
    from_parts = rejects[rejects["file"].str.endswith("partnerships_bad.csv")]
    assert len(parts) + len(from_parts) == n_rows == res.partnerships.n_read
    assert (from_parts["reason"] != "").all() and (from_parts["line"].astype(int) >= 2).all()
