"""Offline geocoding to commune level.

A registry row with no coordinates is placed at its commune's town hall (reference data) with
precision ``commune``, found from its INSEE code, or from its postal code and commune name. A
commune name alone is never a key (many communes share a name); former communes (communes
déléguées or associées, merged since) resolve to today's commune. Where the town-hall point of the
reference falls outside its commune's (simplified) polygon — 240 of the 3,782 communes — a point
inside the polygon is used instead, so that the row always joins back to its own commune.

Rows that carry an address are then placed at it, when the Base Adresse Nationale is given, by
:mod:`atlas.registry.geocoding.rows` (over :mod:`atlas.territory.geocoding.ban`); the town hall stays the
fallback.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from atlas.territory.reference import former_communes, normalize_name, representative_points, strip_article


@dataclass(frozen=True)
class Match:
    """Result of a commune lookup.

    Attributes
    ----------
    insee : str
        Today's INSEE code ("" when not found).
    x, y : float
        Town-hall point in Lambert-93 (NaN when not found).
    note : str
        French remark for the report (empty when the match is exact).
    """

    insee: str
    x: float
    y: float
    note: str = ""

    @property
    def found(self) -> bool:
        return bool(self.insee)


NOT_FOUND = Match("", float("nan"), float("nan"))


class Gazetteer:
    """Commune lookups built once from the reference communes.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        Output of :func:`atlas.territory.reference.load_communes`.
    """

    def __init__(self, communes: gpd.GeoDataFrame) -> None:
        self.communes = communes
        # the town hall when it lies inside the commune polygon, else a point inside it, so that a
        # commune-level point always joins back to its own commune
        pts = representative_points(communes)
        xs, ys = pts.geometry.x.tolist(), pts.geometry.y.tolist()
        insees, names = communes["insee"].tolist(), communes["name"].tolist()  # lists: fast to walk
        self._point = dict(zip(insees, zip(xs, ys, strict=True), strict=True))
        self._name = dict(zip(insees, names, strict=True))
        former = former_communes()
        former = former[former["parent"].isin(self._point.keys())]
        self._former = dict(zip(former["insee"].tolist(), former["parent"].tolist(), strict=True))
        by_postcode: dict[str, list[tuple[str, str]]] = {}
        by_dep_name: dict[tuple[str, str], set[str]] = {}
        pcs_list, deps_list = communes["postcodes"].tolist(), communes["dep"].tolist()
        rows = list(zip(insees, names, pcs_list, deps_list, strict=True))
        parent_pcs = dict(zip(insees, pcs_list, strict=True))
        parent_dep = dict(zip(insees, deps_list, strict=True))
        rows += [
            (p, n, parent_pcs[p], parent_dep[p])
            for n, p in zip(former["name"].tolist(), former["parent"].tolist(), strict=True)
        ]
        for insee, name, pcs, dep in rows:
            key = normalize_name(name)
            for pc in str(pcs).split(","):
                if pc:
                    by_postcode.setdefault(pc, []).append((key, insee))
            by_dep_name.setdefault((dep, key), set()).add(insee)
        self._by_postcode = by_postcode
        self._by_dep_name = by_dep_name

    def has_name(self, name: str) -> bool:
        """True when some commune (current or former) of the territory bears this name."""
        key = normalize_name(name)
        return any(k == key for (_, k) in self._by_dep_name)

    def today_code(self, insee: str) -> str | None:
        """Today's code for a current or former INSEE code, else None."""
        if insee in self._point:
            return insee
        return self._former.get(insee)

    def name_of(self, insee: str) -> str:
        """Name of today's commune ``insee``."""
        return self._name.get(insee, "")

    def _match(self, insee: str, note: str = "") -> Match:
        x, y = self._point[insee]
        return Match(insee, float(x), float(y), note)

    def by_insee(self, insee: str) -> Match:
        """Look up by INSEE code (current or former)."""
        code = str(insee).strip().upper()
        if len(code) == 4 and code.isdigit():
            code = "0" + code  # a code that lost its leading zero in a spreadsheet
        today = self.today_code(code)
        if today is None:
            return NOT_FOUND
        note = "" if today == code else f"commune fusionnée {code} → {today} ({self.name_of(today)})"
        return self._match(today, note)

    def by_postcode_name(self, postcode: str, names: list[str]) -> Match:
        """Look up by postal code and commune name(s), tried in order."""
        pc = str(postcode).strip()
        if len(pc) == 4 and pc.isdigit():
            pc = "0" + pc
        keys = [normalize_name(n) for n in names if n and str(n).strip()]
        cands = self._by_postcode.get(pc, [])
        for key in keys:
            hits = {insee for k, insee in cands if k == key}
            if len(hits) == 1:
                return self._match(hits.pop())
        for key in keys:  # « Le Meux » written for Meux, and the reverse
            hits = {insee for k, insee in cands if strip_article(k) == strip_article(key)}
            if len(hits) == 1:
                return self._match(hits.pop())
        # CEDEX or special postal codes: same name within the postcode's département
        dep = pc[:2]
        for key in keys:
            hits = self._by_dep_name.get((dep, key), set())
            if len(hits) == 1:
                insee = next(iter(hits))
                return self._match(insee, f"code postal {pc} absent de la commune, trouvée par le nom")
        distinct = {insee for _, insee in cands}
        if len(distinct) == 1:
            insee = distinct.pop()
            given = names[0] if names else ""
            return self._match(insee, f"nom « {given} » non reconnu ; seule commune du code postal {pc}")
        return NOT_FOUND


def geocode_communes(frame: pd.DataFrame, communes: gpd.GeoDataFrame) -> pd.DataFrame:
    """Commune-level geocoding of a table with ``insee`` and/or ``postcode`` + ``commune``.

    Parameters
    ----------
    frame : pandas.DataFrame
        Columns ``insee``, ``postcode``, ``commune`` (strings; missing ones are treated as empty).
    communes : geopandas.GeoDataFrame
        Reference communes.

    Returns
    -------
    pandas.DataFrame
        Same index, columns ``insee`` (today's code or ""), ``x``, ``y`` (Lambert-93 town hall),
        ``note``.
    """
    gaz = Gazetteer(communes)
    out = []
    for _, row in frame.iterrows():
        m = NOT_FOUND
        if row.get("insee"):
            m = gaz.by_insee(row["insee"])
        if not m.found and row.get("postcode"):
            m = gaz.by_postcode_name(row["postcode"], [row.get("commune", "")])
        out.append((m.insee, m.x, m.y, m.note))
    return pd.DataFrame(out, index=frame.index, columns=["insee", "x", "y", "note"])
