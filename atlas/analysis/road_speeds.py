"""Travel speeds on OpenStreetMap ways: walking, driving by ``highway`` class, ``maxspeed`` tags.

What :mod:`atlas.analysis.roads` needs to turn ways into travel times, apart from the network
itself: the ways closed to walkers, default driving speeds by class, and the reading of
``maxspeed`` values as people tag them (``"50"``, ``"30 mph"``, ``"FR:urban"``, lists).
"""

from __future__ import annotations

import math
import re

__all__ = ["DRIVE_SPEEDS_KMH", "FR_ZONE_SPEEDS", "NO_WALK", "WALK_SPEED_KMH", "drive_speed", "first_highway",
           "parse_maxspeed"]

WALK_SPEED_KMH = 4.5
"""Walking speed (km/h)."""

#: Default driving speed (km/h) by OSM ``highway`` class when ``maxspeed`` is missing.
DRIVE_SPEEDS_KMH: dict[str, float] = {
    "motorway": 110, "motorway_link": 60, "trunk": 90, "trunk_link": 50,
    "primary": 70, "primary_link": 40, "secondary": 60, "secondary_link": 40,
    "tertiary": 50, "tertiary_link": 30, "unclassified": 40, "residential": 30,
    "living_street": 10, "service": 15, "road": 30, "busway": 30,
}  # fmt: skip

#: ``highway`` classes closed to walkers.
NO_WALK = {"motorway", "motorway_link", "trunk", "trunk_link", "construction", "proposed", "raceway"}

#: Speeds (km/h) of French ``maxspeed`` zones (``FR:urban``…).
FR_ZONE_SPEEDS = {"urban": 50, "rural": 80, "motorway": 130, "trunk": 110, "zone30": 30, "walk": 6,
                  "living_street": 20}


def first_highway(value: object) -> str:
    """The first ``highway`` class of a way (a list, a list written as text, or one value)."""
    if isinstance(value, (list, tuple)):
        value = value[0] if value else ""
    text = str(value or "")
    if text.startswith("["):
        found = re.findall(r"'([^']+)'", text)
        text = found[0] if found else ""
    return text


def parse_maxspeed(value: object) -> float | None:
    """Read an OSM ``maxspeed`` value in km/h (``"50"``, ``"30 mph"``, ``"FR:urban"``).

    Lists (``['50', '30']`` or ``"50;30"``) give their lowest value; unreadable gives None.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    values = value if isinstance(value, (list, tuple)) else re.split(r"[;|]", str(value).strip("[]"))
    speeds = []
    for v in values:
        t = str(v).strip().strip("'\"").lower()
        if not t or t in ("none", "nan", "signals", "variable", "no"):
            continue
        m = re.match(r"^(\d+(?:\.\d+)?)\s*(mph|km/h|kmh)?$", t)
        if m:
            s = float(m.group(1)) * (1.609 if m.group(2) == "mph" else 1.0)
            if 0 < s <= 150:
                speeds.append(s)
            continue
        zone = t.split(":", 1)[-1]
        if zone in FR_ZONE_SPEEDS:
            speeds.append(float(FR_ZONE_SPEEDS[zone]))
    return min(speeds) if speeds else None


def drive_speed(highway: str, maxspeed: object) -> float:
    """Driving speed (km/h): the ``maxspeed`` tag, else the class's default, else 30."""
    s = parse_maxspeed(maxspeed)
    return s if s is not None else DRIVE_SPEEDS_KMH.get(highway, 30.0)
