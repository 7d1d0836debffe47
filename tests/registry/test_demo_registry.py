"""The demonstration registry of data/raw, checked against the CSV read independently."""

from __future__ import annotations

import csv
import json
from collections import Counter

from atlas import settings


def _rows(name: str) -> list[dict]:
    with open(settings.raw_dir() / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_every_demo_row_is_accepted(demo):
    rows = _rows("actors.csv")
    assert len(demo.actors) == len(rows)
    assert len(demo.rejects) == 0
    assert list(demo.actors["id"]) == [r["id"] for r in rows]


def test_fictitious_rows_are_marked(demo):
    rows = _rows("actors.csv")
    fict = {r["id"] for r in rows if "fictif" in r["source"].lower()}
    assert fict == {r["id"] for r in rows if r["id"].startswith("demo-")}
    assert set(demo.actors.loc[demo.actors["fictitious"], "id"]) == fict
    assert len(fict) == 52


def test_demo_communes_and_epci_match_the_cog(demo, shared_data):
    rows = _rows("actors.csv")
    cog_epci = json.loads((shared_data / "cog-2025" / "epci.json").read_text(encoding="utf-8"))
    epci_of = {m["code"]: e["code"] for e in cog_epci for m in e["membres"]}
    expected = Counter(epci_of[r["insee"]] for r in rows if r["insee"])
    got = Counter(demo.actors.loc[demo.actors["epci"] != "", "epci"])
    assert got == expected
    assert got["200072460"] == 25 and got["200069037"] == 19 and got["246200364"] == 26


def test_demo_actions_and_partnerships_reference_known_ids():
    actors = {r["id"] for r in _rows("actors.csv")}
    actions = {r["id"] for r in _rows("actions.csv")}
    links = _rows("partnerships.csv")
    assert all(link["source"] in actors | actions and link["target"] in actors | actions for link in links)
    # SOLAAL donation flows of document 003 sum to 16,959 kg
    kg = sum(float(link["weight"]) for link in links if link["kind"] == "donation" and link["unit"] == "kg"
             and link["source"].startswith("solaal"))
    assert round(kg) == 16_959
