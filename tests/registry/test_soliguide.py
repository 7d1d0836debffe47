"""Soliguide place exports load as a registry, hours converted to OSM syntax."""

from __future__ import annotations

from pathlib import Path

from atlas.registry.actors import read_actors
from atlas.registry.hours import is_valid_closures, is_valid_hours
from atlas.registry.hours_fr import humanize_hours
from atlas.registry.soliguide import hours_to_osm

DATA = Path(__file__).parents[1] / "data"


def test_hours_to_osm():
    day = {"open": True, "timeslot": [{"start": "08:00", "end": "12:30"}, {"start": "14:00", "end": "16:30"}]}
    closed = {"open": False, "timeslot": []}
    week = {k: day for k in ("monday", "tuesday", "wednesday", "thursday", "friday")}
    week |= {"saturday": closed, "sunday": {"open": True, "timeslot": [{"start": "23:00", "end": "05:00"}]}}
    assert hours_to_osm(week) == "Mo-Fr 08:00-12:30,14:00-16:30; Su 23:00-05:00"
    assert hours_to_osm({"h24": True, "closedHolidays": "CLOSED"}) == "24/7; PH off"
    assert hours_to_osm({"monday": closed}) == ""
    assert hours_to_osm(None) == ""
    assert is_valid_hours(hours_to_osm(week))


def test_soliguide_export_loads_without_mapping(communes):
    res = read_actors(DATA / "soliguide_places.json", communes=communes)
    assert res.n_read == 3 == len(res.accepted) and len(res.rejected) == 0
    acc = res.accepted.set_index("id")
    first = acc.loc["soliguide-101"]
    assert (first["kind"], first["insee"], first["precision"]) == ("epicerie", "62119", "address")
    assert first["opening_hours"] == "Mo,Th 14:00-17:00; Sa 09:00-12:00; PH off"
    assert humanize_hours(first["opening_hours"], nbsp=False).startswith("lundi et jeudi 14 h – 17 h")
    assert first["services"] == "epicerie,ateliers"
    assert (first["access"], first["price"]) == ("referral", "10 % du prix")
    assert first["closures"] == "2026 Aug 01-2026 Aug 22 off" and is_valid_closures(first["closures"])
    assert (first["phone"], first["email"], first["updated"]) == ("03 21 00 00 00", "contact@example.org", "2026-10-02")
    second = acc.loc["soliguide-102"]
    assert second["opening_hours"] == "Mo-Fr 09:00-12:00"  # integer time slots of older exports
    assert (second["kind"], second["access"], second["insee"]) == ("distribution", "unconditional", "62498")
    third = acc.loc["soliguide-103"]  # no coordinates: geocoded to Lille's town hall
    assert (third["kind"], third["opening_hours"], third["precision"], third["insee"]) == (
        "meal", "24/7", "commune", "59350")
