"""Sites placed with the BAN on the A3 sheet and the web map: the registry's address for every site
that has one, and, when the marker is not at the door, how near it is (« adresse approchée (rue) »).

Registry ``tests/data/registre_adresses.csv`` and BAN fixtures ``tests/data/ban`` (made-up
coordinates); see ``tests/registry/test_geocoding.py`` for the geocoding itself.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import skip_or_fail

from atlas.cli import cli
from atlas.maps.print.sites import print_sites
from atlas.registry.build import build_registries
from atlas.territory.selection import resolve_territory

DATA = Path(__file__).resolve().parents[1] / "data"
REGISTRY = DATA / "registre_adresses.csv"
BAN = DATA / "ban"
COMMUNES = ["62498", "62510", "59350"]  # Lens, Liévin, Lille


@pytest.fixture(autouse=True)
def cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.delenv("ATLAS_BAN_DIR", raising=False)


@pytest.fixture(scope="module")
def registry_rows() -> pd.DataFrame:
    """The registry's accepted rows as written (id, name, address)."""
    raw = pd.read_csv(REGISTRY, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return raw[(raw["Nom"] != "") & (raw["Code INSEE"] != "99999")]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text.replace("\u00a0", " ").replace("\u202f", " "))


def test_print_sites_say_how_near_the_marker_is(communes):
    actors = build_registries([REGISTRY], write=False, ban=BAN).actors
    sites = print_sites(actors, resolve_territory(communes, {"insee": COMMUNES}), kinds=None).set_index("id")
    assert sites.loc["g2", "placement"] == "adresse approchée (rue)"
    assert sites.loc["g6", "placement"] == "adresse approchée (lieu-dit)"
    assert sites.loc[["g1", "g5", "g11", "g12"], "placement"].tolist() == ["", "", "", ""]
    assert sites.loc[["g5", "g12"], "approximate"].tolist() == [True, True]  # at the town hall
    assert not sites.loc[["g1", "g2", "g6"], "approximate"].any()
    by_id = actors.set_index("id")
    assert (sites.loc["g2", "x"], sites.loc["g2", "y"]) == (by_id.loc["g2"].geometry.x, by_id.loc["g2"].geometry.y)


def test_a3_table_prints_every_registry_address(tmp_path, registry_rows):
    if shutil.which("pdftotext") is None:
        skip_or_fail("pdftotext (poppler-utils) absent")
    out = tmp_path / "carte.pdf"
    args = ["-q", "print", "--registre", str(REGISTRY), "--ban", str(BAN), "--all-kinds", "-o", str(out)]
    res = CliRunner().invoke(cli, args + [a for c in COMMUNES for a in ("--commune", c)])
    assert res.exit_code == 0, res.output
    text = squash(subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(out), "-"], check=True,
                                 capture_output=True, text=True).stdout)  # fmt: skip
    for address in registry_rows["Adresse"]:
        if address:
            assert squash(address) in text, address
    assert text.count(squash("adresse approchée (rue)")) == 2  # g2, g4
    assert text.count(squash("adresse approchée (lieu-dit)")) == 1  # g6
    assert text.count(squash("repère sur la carte : mairie")) == 1  # g5: street unknown to the BAN
    # g12: no address: « non communiquée », its marker dotted (at the town hall) as the legend says
    assert text.count(squash("non communiquée")) == 1
    assert squash("Contour pointillé : lieu repéré à la mairie de sa commune") in text


def test_web_popup_shows_every_registry_address(tmp_path, registry_rows):
    out = tmp_path / "carte.html"
    res = CliRunner().invoke(cli, ["-q", "web", "--registre", str(REGISTRY), "--ban", str(BAN), "--dep", "59",
                                   "--dep", "62", "-o", str(out)])  # fmt: skip
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    blob = json.loads(re.search(r'<script type="application/json" id="atlas-data">(.*?)</script>', page, re.S)[1])
    records = {r["i"]: r for r in blob["actors"]}
    address_field = [label for label, _ in blob["fields"]].index("Adresse")
    for rid, address in zip(registry_rows["Identifiant"], registry_rows["Adresse"], strict=True):
        fields = dict((k, v) for k, v in records[rid]["f"])
        if address:
            assert fields[address_field].startswith(address), rid
    assert {rid: records[rid]["p"] for rid in ("g1", "g2", "g5", "g6", "g12")} == {
        "g1": "address", "g2": "street", "g5": "commune", "g6": "locality", "g12": "commune"}  # fmt: skip
    assert blob["precision"]["street"] == "localisation : adresse approchée (rue)"
    assert blob["precision"]["locality"] == "localisation : adresse approchée (lieu-dit)"
    lat, lon = records["g2"]["ll"]
    assert (lon, lat) == pytest.approx((2.817965, 50.439614), abs=1e-5)  # the BAN point of « 7 Rue Jean Jaurès »
