"""Overlays of the web map: zones blanches, access bands, EPCI borders and partnerships.

Layers made of communes (zones blanches, access bands) are lists of commune numbers of the page,
EPCI borders a list of arc numbers of the communes' topology: they cost almost nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from atlas.crs import L93, WGS84
from atlas.errors import AtlasError
from atlas.maps.symbols import EPCI_STYLE, LINK_COLORS, LINK_LABELS, LINK_STYLE, WEB_BAND_COLORS, ZONE_STYLE
from atlas.maps.web.topology import SIMPLIFY_TOLERANCE_M, Topology, encode_lines, encode_polygons, to_wgs84
from atlas.text import clean_text


@dataclass
class ShapeLayer:
    """A polygon or line overlay of the page (zones blanches, access bands, EPCI, partnerships)."""

    title: str
    geoms: list
    labels: list[str]
    styles: list[dict]
    style_index: list[int]
    lines: bool
    show: bool = True
    legend: list[tuple[str, dict]] | None = None
    arcs: bool = False  # geoms are lists of arc numbers of the communes' topology

    def to_json(self) -> dict:
        """The layer's entry of the JSON blob."""
        return {"title": self.title, "geoms": self.geoms, "labels": self.labels, "styles": self.styles,
                "style_index": self.style_index, "lines": self.lines, "show": self.show, "arcs": self.arcs}


def _label_column(gdf: gpd.GeoDataFrame, candidates: Sequence[str]) -> str | None:
    return next((c for c in candidates if c in gdf.columns), None)


def epci_layer(communes: pd.DataFrame, topology: Topology) -> ShapeLayer:
    """EPCI borders: the commune arcs between two EPCIs, or on the edge of the map.

    Costs a list of arc numbers (the borders are already in the page with the communes).
    """
    if "epci" not in communes.columns:
        raise AtlasError("Les communes n'ont pas de colonne « epci » : contours d'EPCI impossibles.")
    epci = communes["epci"].astype(str).to_numpy()
    names = (communes["epci_name"] if "epci_name" in communes.columns else communes["epci"]).astype(str).to_numpy()
    groups: dict[tuple[str, ...], list[int]] = {}
    for i, own in enumerate(topology.owners):
        pair = tuple(sorted({names[o] for o in own} if len({epci[o] for o in own}) > 1 or len(own) == 1 else ()))
        if pair:
            groups.setdefault(pair, []).append(i)
    labels = [" / ".join(pair) if len(pair) > 1 else pair[0] for pair in groups]
    return ShapeLayer(
        title="Contours des EPCI", geoms=list(groups.values()), labels=labels,
        styles=[EPCI_STYLE], style_index=[0] * len(groups), lines=True, arcs=True,
        legend=[("Contour d'EPCI", {"line": EPCI_STYLE["color"]})],
    )


def _polygon_geoms(gdf: gpd.GeoDataFrame, commune_index: dict[str, int] | None) -> list:
    """Encoded polygons, or the index of the commune already in the page when a row is a commune.

    A layer made of communes (``insee`` column, e.g. zones blanches) costs nothing more than a
    list of integers: the browser reuses the commune polygons.
    """
    if commune_index and "insee" in gdf.columns:
        keys = [clean_text(v) for v in gdf["insee"]]
        if all(k in commune_index for k in keys):
            return [commune_index[k] for k in keys]
    simp = gdf.to_crs(L93).geometry.simplify(SIMPLIFY_TOLERANCE_M / 2, preserve_topology=True)
    return [encode_polygons(g) for g in gpd.GeoSeries(simp, crs=L93).to_crs(WGS84)]


def zones_layer(zones: gpd.GeoDataFrame, title: str = "Zones blanches",
                commune_index: dict[str, int] | None = None, label: str | None = None) -> ShapeLayer:
    """The zones blanches overlay.

    Parameters
    ----------
    zones : geopandas.GeoDataFrame
        Polygons (communes from :func:`atlas.analysis.coverage.zones_blanches`, or any polygons); the
        tooltip is the ``label``, ``name``, ``commune_name`` or ``nom`` column, the first found.
    title : str
        Name of the layer in the layer control.
    commune_index : dict, optional
        INSEE code -> commune number in the page: rows with such an ``insee`` reuse the
        commune polygon instead of carrying their own geometry.
    label : str, optional
        Legend entry (default: ``title``).

    Returns
    -------
    ShapeLayer
    """
    zones = zones[~(zones.geometry.isna() | zones.geometry.is_empty)]
    col = _label_column(zones, ("label", "name", "commune_name", "nom"))
    labels = [f"Zone blanche : {clean_text(v)}" if col else "Zone blanche"
              for v in (zones[col] if col else [None] * len(zones))]
    return ShapeLayer(title=title, geoms=_polygon_geoms(zones, commune_index), labels=labels,
                      styles=[ZONE_STYLE], style_index=[0] * len(zones), lines=False,
                      legend=[(label or title, {"fill": ZONE_STYLE["fillColor"], "line": ZONE_STYLE["color"]})])


def bands_layer(bands: gpd.GeoDataFrame, title: str = "Bandes d'accès",
                commune_index: dict[str, int] | None = None) -> ShapeLayer:
    """The access bands overlay (hidden until chosen in the layer control).

    Parameters
    ----------
    bands : geopandas.GeoDataFrame
        Polygons with a ``label``, ``band`` or ``class`` column (e.g.
        :func:`atlas.maps.layers.access_band_polygons`); colours go from green to red in the order of
        ``band_max`` (or ``max``, ``upper``, ``order``) when present, else of appearance.
        With a ``name`` column, the tooltip reads « name — band ».
    title : str
        Name of the layer in the layer control.
    commune_index : dict, optional
        See :func:`zones_layer`.

    Returns
    -------
    ShapeLayer
    """
    bands = bands[~(bands.geometry.isna() | bands.geometry.is_empty)]
    col = _label_column(bands, ("label", "band", "class"))
    values = [clean_text(v) for v in bands[col]] if col else [""] * len(bands)
    places = [clean_text(v) for v in bands["name"]] if "name" in bands.columns else [""] * len(bands)
    order_col = _label_column(bands, ("band_max", "max", "upper", "band_order", "order"))
    if order_col:
        firsts = pd.DataFrame({"v": values, "o": bands[order_col].to_numpy()}).groupby("v", sort=False)["o"].min()
        uniq = list(firsts.sort_values().index)
    else:
        uniq = list(dict.fromkeys(values))
    palette = WEB_BAND_COLORS if len(uniq) > 1 else WEB_BAND_COLORS[-1:]
    styles = [{"color": palette[min(i, len(palette) - 1)], "weight": 0.5, "fillColor": palette[min(i, len(palette) - 1)],
               "fillOpacity": 0.45} for i in range(len(uniq))]
    return ShapeLayer(title=title, geoms=_polygon_geoms(bands, commune_index),
                      labels=[f"{p} — {v}" if p else (f"{title} : {v}" if v else title)
                              for p, v in zip(places, values, strict=True)], styles=styles,
                      style_index=[uniq.index(v) for v in values], lines=False, show=False,
                      legend=[(f"{title} : {v}" if v else title, {"fill": s["fillColor"]}) for v, s in zip(uniq, styles, strict=True)])


def partnerships_layer(lines: gpd.GeoDataFrame, actors: pd.DataFrame | None = None,
                       title: str = "Partenariats", *, show: bool = False) -> ShapeLayer:
    """The partnerships overlay: one line per link, coloured by its (first) kind.

    Parameters
    ----------
    lines : geopandas.GeoDataFrame
        LineStrings (:func:`atlas.registry.partnerships.partnership_lines`) with optional ``source``,
        ``target``, ``source_name``, ``target_name``, ``kind``, ``kind_label`` and ``label``.
    actors : pandas.DataFrame, optional
        Actors (``id``, ``name``) to name the ends when the lines carry only ids.
    title : str
        Name of the layer in the layer control.
    show : bool, default False
        Drawn when the page opens. Off by default: the lines are for the PAT team, and people
        looking for a site would read a line leaving the territory as a way to go; the layer
        control turns them on (and their legend with them).

    Returns
    -------
    ShapeLayer
        Tooltips « A — B (kind) », or the ``label`` column.
    """
    lines = lines[~(lines.geometry.isna() | lines.geometry.is_empty)]
    names = {}
    if actors is not None and len(actors):
        names = dict(zip(actors["id"].astype(str), actors["name"].astype(str), strict=False))
    kinds = [clean_text(v) for v in lines["kind"]] if "kind" in lines.columns else ["other"] * len(lines)
    first = [k.split(",")[0] for k in kinds]  # colour by the first kind of a multi-kind link
    uniq = list(dict.fromkeys(first))
    styles = [{**LINK_STYLE, "color": LINK_COLORS.get(k, LINK_STYLE["color"])} for k in uniq]
    labels = []
    for pos, (_, row) in enumerate(lines.iterrows()):
        if "label" in lines.columns and clean_text(row["label"]):
            labels.append(clean_text(row["label"]))
            continue
        a = clean_text(row.get("source_name")) or names.get(clean_text(row.get("source")), clean_text(row.get("source")))
        b = clean_text(row.get("target_name")) or names.get(clean_text(row.get("target")), clean_text(row.get("target")))
        kind = clean_text(row.get("kind_label")) or ", ".join(LINK_LABELS.get(k, k) for k in kinds[pos].split(",") if k)
        labels.append(f"{a} — {b}" + (f" ({kind})" if kind else ""))
    wgs = to_wgs84(lines)
    return ShapeLayer(title=title, geoms=[encode_lines(g) for g in wgs], labels=labels, styles=styles,
                      style_index=[uniq.index(k) for k in first], lines=True, show=show,
                      legend=[(f"Partenariat : {LINK_LABELS.get(k, k)}", {"line": s["color"]})
                              for k, s in zip(uniq, styles, strict=True)])
