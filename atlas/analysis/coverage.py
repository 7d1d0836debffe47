"""Zones blanches de l'aide alimentaire: inhabited places beyond a threshold from any site.

:func:`zones_blanches` measures, for every origin point (one per commune by default, or a
population grid), the distance — straight line, or along roads with a
:class:`~atlas.analysis.roads.RoadNetwork` (distance or travel time) — to the nearest site of the
chosen kinds open on the chosen day, and counts the population covered and not covered for
several thresholds at once. :func:`summarize` totals it by EPCI, département or region;
:func:`french_table` and :func:`write_gaps` turn it into tables for people.

Covered + uncovered population always add up to the population of the origins (the
communes' ``population``, or the grid's), per threshold.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from atlas import settings
from atlas.analysis.distances import check_thresholds, commune_origins, nearest
from atlas.analysis.origins import OriginReport, attach_origins
from atlas.analysis.roads import network_nearest
from atlas.analysis.sites import SiteFilter, select_sites
from atlas.analysis.tables import french_table, label_key, threshold_keys
from atlas.crs import L93
from atlas.errors import AccessError, NoSiteError
from atlas.fr import WEEKDAYS_FR, number_fr
from atlas.io import markdown_table, write_output
from atlas.territory.reference import departement_polygons, epci_polygons

__all__ = [
    "Threshold",
    "french_table",
    "origin_messages",
    "summarize",
    "threshold_list",
    "weekly_coverage",
    "weekly_table",
    "write_gaps",
    "zones_blanches",
    "zones_blanches_points",
]

@dataclass(frozen=True)
class Threshold:
    """An access threshold: ``value`` in ``unit`` (``km`` or ``min``)."""

    value: float
    unit: str

    @property
    def key(self) -> str:
        """Column suffix, e.g. ``10km``, ``15min``, ``2.5km``."""
        return f"{self.value:g}{self.unit}"

    @property
    def label(self) -> str:
        """French label, e.g. « 10 km », « 15 min », « 2,5 km »."""
        return f"{number_fr(self.value)} {self.unit}"


def threshold_list(thresholds_km: Iterable[float] | float | None = (5, 10, 20),
                   thresholds_min: Iterable[float] | float | None = None) -> list[Threshold]:
    """Validated thresholds (see :func:`atlas.analysis.distances.check_thresholds`).

    Raises
    ------
    AccessError
        Nonsensical values, or no threshold at all.
    """
    out = [Threshold(v, "km") for v in check_thresholds(thresholds_km, "km")]
    out += [Threshold(v, "min") for v in check_thresholds(thresholds_min, "min")]
    if not out:
        raise AccessError("aucun seuil de distance ni de temps n'a été donné")
    return out


def zones_blanches_points(
    origins: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    thresholds: Sequence[Threshold],
    network: object | None = None,
) -> gpd.GeoDataFrame:
    """Coverage of every origin point (one row per point).

    Parameters
    ----------
    origins : GeoDataFrame
        Points with a ``population`` column (missing means 1 per point).
    sites : GeoDataFrame
        Sites (:func:`atlas.analysis.sites.select_sites`).
    thresholds : sequence of Threshold
        From :func:`threshold_list`; minutes need ``network``.
    network : RoadNetwork, optional
        Road network; default straight line.

    Returns
    -------
    GeoDataFrame
        ``origins`` plus ``distance_m``, ``site_id``, ``site_name`` (``time_min`` with a
        network) and, per threshold, ``covered_<key>`` (bool).
    """
    if any(t.unit == "min" for t in thresholds) and network is None:
        raise AccessError("un seuil en minutes demande un réseau routier (option --routes)")
    if network is not None:
        res = network_nearest(network, origins, sites)
    else:
        res = nearest(origins, sites)
    if "population" not in res.columns:
        res["population"] = 1
    for t in thresholds:
        value = res["distance_m"].to_numpy() / 1000.0 if t.unit == "km" else res["time_min"].to_numpy()
        res[f"covered_{t.key}"] = np.nan_to_num(value, nan=np.inf) <= t.value
    return res


def zones_blanches(
    communes: gpd.GeoDataFrame,
    actors: gpd.GeoDataFrame,
    thresholds_km: Iterable[float] | float | None = (5, 10, 20),
    thresholds_min: Iterable[float] | float | None = None,
    *,
    sites_filter: SiteFilter | None = None,
    network: object | None = None,
    origins: gpd.GeoDataFrame | None = None,
    sites_selected: bool = False,
    all_communes: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Zones blanches per commune: population covered and not covered for each threshold.

    Parameters
    ----------
    communes : GeoDataFrame
        Reference communes, or a territory (:func:`atlas.territory.selection.select_territory`). Sites
        are taken from the whole registry, also outside the territory.
    actors : GeoDataFrame
        Registry actors (filtered by :func:`atlas.analysis.sites.select_sites`), or already-selected
        sites with ``sites_selected=True``.
    thresholds_km : float or iterable of float, default (5, 10, 20)
        Distance thresholds (km): straight line, or along roads with ``network``.
    thresholds_min : float or iterable of float, optional
        Travel-time thresholds (minutes), with ``network`` only.
    sites_filter : SiteFilter, optional
        Which actors are sites (:func:`atlas.analysis.sites.select_sites`); default
        ``SiteFilter()``, the food-aid sites on any day. With a ``day`` a site closed that day
        covers nothing; a mobile truck covers its stops on their days.
    network : RoadNetwork, optional
        Road network (:func:`atlas.analysis.roads.load_network`).
    origins : GeoDataFrame, optional
        Population points (e.g. INSEE 200 m grid) with a ``population`` column; an ``insee``
        column is added when missing (:func:`atlas.analysis.origins.attach_origins`: a point in
        a gap between the simplified polygons joins the nearest commune within
        :data:`~atlas.analysis.origins.ORIGIN_GAP_M`; points of other communes or farther away
        are counted, reported in French and left out). Default: one point per commune carrying
        its whole population.
    sites_selected : bool, default False
        ``actors`` already are the sites.
    all_communes : GeoDataFrame, optional
        Every commune ``communes`` was selected from (to tell a point of a neighbouring
        commune from a point in a gap); default the embedded reference.

    Returns
    -------
    GeoDataFrame
        One row per commune (polygons): ``insee``, ``name``, ``epci``, ``epci_name``, ``dep``,
        ``dep_name``, ``population``, ``distance_m`` (of the commune point; with a grid the
        population-weighted mean), ``site_id``, ``site_name`` (nearest site; with a grid, of
        the most populated point), ``time_min`` with a network, and per threshold
        ``pop_covered_<key>``, ``pop_uncovered_<key>``, ``zone_blanche_<key>`` (True when no
        origin of the commune is covered), ``<key>`` like ``10km`` or ``15min``.
        ``attrs["thresholds"]`` lists the keys, ``attrs["n_sites"]`` the sites used. With
        ``origins``, ``attrs["origins_…"]`` say how many points and inhabitants were given, kept,
        joined across a gap, in other communes and outside
        (:class:`~atlas.analysis.origins.OriginReport`); populations are then the sums of the
        input values (not rounded: fractional grid populations stay fractional), and per
        threshold covered + uncovered = the population kept.

    Raises
    ------
    AccessError
        Nonsensical thresholds, no site of the asked kind (:class:`~atlas.errors.NoSiteError`),
        minutes without network, network not covering the territory
        (:class:`~atlas.errors.NetworkCoverageError`).
    """
    thresholds = threshold_list(thresholds_km, thresholds_min)
    if communes is None or len(communes) == 0:
        raise AccessError("aucune commune dans le territoire demandé")
    sites = actors if sites_selected else select_sites(actors, sites_filter)
    report: OriginReport | None = None
    if origins is None:
        pts = commune_origins(communes)
    else:
        if "population" not in origins.columns:
            raise AccessError("les points d'origine doivent avoir une colonne « population »")
        pts, report = attach_origins(origins, communes, all_communes=all_communes)
        if len(pts) == 0:
            raise AccessError("aucun point d'origine dans le territoire demandé")
    res = zones_blanches_points(pts, sites, thresholds, network)

    keep = ["insee", "name", "epci", "epci_name", "dep", "dep_name", "population", "geometry"]
    out = communes[[c for c in keep if c in communes.columns]].copy()
    key = out["insee"].astype(str)
    pop = res["population"].fillna(0).astype(float).to_numpy()
    insee = res["insee"].astype(str).to_numpy()
    if origins is None:
        for col in ("distance_m", "site_id", "site_name", "time_min"):
            if col in res.columns:
                out[col] = res[col].to_numpy()
        for t in thresholds:
            cov = res[f"covered_{t.key}"].to_numpy()
            out[f"pop_covered_{t.key}"] = np.where(cov, pop, 0).astype("int64")
            out[f"pop_uncovered_{t.key}"] = np.where(cov, 0, pop).astype("int64")
            out[f"zone_blanche_{t.key}"] = ~cov
    else:
        # sums of the input values; whole numbers stay integers (exact), fractions stay as they are
        whole = bool(np.array_equal(pop, np.round(pop)))

        def as_counts(values: pd.Series) -> np.ndarray:
            return values.round().astype("int64").to_numpy() if whole else values.to_numpy(dtype=float)

        frame = pd.DataFrame({"insee": insee, "pop": pop, "d": res["distance_m"].to_numpy()})
        frame["wd"] = frame["pop"] * frame["d"]
        g = frame.groupby("insee")
        wsum = g["pop"].sum()
        out["population"] = as_counts(key.map(wsum).fillna(0))
        mean_d = (g["wd"].sum() / wsum.where(wsum > 0)).fillna(g["d"].mean())
        out["distance_m"] = key.map(mean_d).to_numpy()
        top = res.assign(_pop=pop).sort_values("_pop", ascending=False).drop_duplicates("insee")
        top = top.set_index(top["insee"].astype(str))
        out["site_id"] = key.map(top["site_id"]).fillna("").to_numpy()
        out["site_name"] = key.map(top["site_name"]).fillna("").to_numpy()
        if "time_min" in res.columns:
            frame["wt"] = frame["pop"] * res["time_min"].to_numpy()
            out["time_min"] = key.map(g["wt"].sum() / wsum.where(wsum > 0)).to_numpy()
        for t in thresholds:
            cov = res[f"covered_{t.key}"].to_numpy()
            f2 = pd.DataFrame({"insee": insee, "c": np.where(cov, pop, 0.0), "n": cov})
            g2 = f2.groupby("insee")
            covered = as_counts(key.map(g2["c"].sum()).fillna(0))
            out[f"pop_covered_{t.key}"] = covered
            out[f"pop_uncovered_{t.key}"] = out["population"].to_numpy() - covered
            out[f"zone_blanche_{t.key}"] = ~key.map(g2["n"].any()).fillna(False).astype(bool).to_numpy()
    out.attrs["thresholds"] = [t.key for t in thresholds]
    out.attrs["n_sites"] = len(sites)
    out.attrs["filter"] = sites.attrs.get("filter", "")
    if report is not None:
        out.attrs.update(report.attrs())
    return gpd.GeoDataFrame(out, geometry="geometry", crs=communes.crs or L93)


def origin_messages(zb: pd.DataFrame) -> list[str]:
    """French sentences on the origin points joined across a gap or left out (from ``zb.attrs``)."""
    fields = {k.removeprefix("origins_"): v for k, v in zb.attrs.items() if k.startswith("origins_")}
    return OriginReport(**fields).messages() if fields else []


def summarize(zb: pd.DataFrame, by: str = "epci") -> pd.DataFrame:
    """Total the zones blanches by EPCI, département or region.

    Parameters
    ----------
    zb : DataFrame
        Output of :func:`zones_blanches`.
    by : {"epci", "dep", "region", "commune"}
        Grouping (``commune`` returns the per-commune rows without geometry).

    Returns
    -------
    pandas.DataFrame
        One row per group: its code and name (``epci``, ``epci_name``, ``dep``; ``dep``,
        ``dep_name``; or ``region``, ``region_name``), ``n_communes``, ``population`` and per
        threshold ``pop_covered_<key>``, ``pop_uncovered_<key>``, ``share_covered_<key>``
        (0–1) and ``n_zone_blanche_<key>`` (communes entirely uncovered). Sorted by
        uncovered population at the first threshold, largest first.
    """
    keys = threshold_keys(zb)
    if not keys:
        raise AccessError("tableau de zones blanches attendu (colonnes pop_uncovered_…)")
    frame = pd.DataFrame(zb.drop(columns=zb.geometry.name) if isinstance(zb, gpd.GeoDataFrame) else zb)
    if by == "commune":
        return frame
    if by == "epci":
        groups = ["epci", "epci_name"]
    elif by == "dep":
        groups = ["dep", "dep_name"]
    elif by == "region":
        frame = frame.assign(region=settings.REGION_CODE, region_name=settings.REGION_NAME)
        groups = ["region", "region_name"]
    else:
        raise AccessError(f"regroupement inconnu : « {by} » (attendu : commune, epci, dep ou region)")
    agg: dict[str, tuple[str, str]] = {"n_communes": ("insee", "size"), "population": ("population", "sum")}
    if by == "epci" and "dep" in frame.columns:
        agg["dep"] = ("dep", "first")
    for k in keys:
        agg[f"pop_covered_{k}"] = (f"pop_covered_{k}", "sum")
        agg[f"pop_uncovered_{k}"] = (f"pop_uncovered_{k}", "sum")
        agg[f"n_zone_blanche_{k}"] = (f"zone_blanche_{k}", "sum")
    out = frame.groupby(groups, as_index=False, sort=True).agg(**agg)
    for k in keys:
        total = out[f"pop_covered_{k}"] + out[f"pop_uncovered_{k}"]
        out[f"share_covered_{k}"] = np.where(total > 0, out[f"pop_covered_{k}"] / total.where(total > 0, 1), np.nan)
    cols = [*groups, *(["dep"] if "dep" in out.columns and by == "epci" else []), "n_communes", "population"]
    for k in keys:
        cols += [f"pop_covered_{k}", f"pop_uncovered_{k}", f"share_covered_{k}", f"n_zone_blanche_{k}"]
    out = out[cols].sort_values([f"pop_uncovered_{keys[0]}", groups[0]], ascending=[False, True], ignore_index=True)
    out.attrs["thresholds"] = keys
    return out


def write_gaps(zb: gpd.GeoDataFrame, path: str | Path, fmt: str | None = None, by: str = "epci",
               title: str | None = None) -> Path:
    """Write the zones blanches atomically as CSV, Markdown or GeoPackage.

    Parameters
    ----------
    zb : GeoDataFrame
        Output of :func:`zones_blanches`.
    path : str or Path
        Output file.
    fmt : {"csv", "md", "gpkg"}, optional
        Default from the file suffix.
    by : {"commune", "epci", "dep", "region"}
        Table written to CSV / Markdown. The GeoPackage always holds the layers
        ``zones_blanches_communes`` (polygons) and ``zones_blanches_epci`` (EPCI polygons),
        ``zones_blanches_dep`` and the table of ``by``.
    title : str, optional
        Markdown title.

    Returns
    -------
    pathlib.Path
    """

    def layers() -> dict[str, pd.DataFrame]:
        epci = epci_polygons(zb)[["epci", "geometry"]].merge(summarize(zb, "epci"), on="epci")
        dep = departement_polygons(zb)[["dep", "geometry"]].merge(summarize(zb, "dep"), on="dep")
        out: dict[str, pd.DataFrame] = {
            "zones_blanches_communes": zb,
            "zones_blanches_epci": gpd.GeoDataFrame(epci, geometry="geometry", crs=zb.crs),
            "zones_blanches_dep": gpd.GeoDataFrame(dep, geometry="geometry", crs=zb.crs),
        }
        if by == "region":
            out["zones_blanches_region"] = summarize(zb, by=by)
        return out

    def table() -> pd.DataFrame:
        return french_table(summarize(zb, by=by), total=by != "commune")

    def markdown() -> str:
        lines = [f"# {title or 'Zones blanches de l' + chr(39) + 'aide alimentaire'}", ""]
        if zb.attrs.get("filter"):
            lines += [f"Sites retenus ({zb.attrs.get('n_sites', '?')}) : {zb.attrs['filter']}.", ""]
        notes = origin_messages(zb)
        if notes:
            lines += [*notes, ""]
        lines.append(markdown_table(table()))
        return "\n".join(lines)

    return write_output(path, fmt, error=AccessError, csv=table, md=markdown, gpkg=layers)


def weekly_coverage(
    communes: gpd.GeoDataFrame,
    actors: gpd.GeoDataFrame,
    threshold_km: float = 10.0,
    by: str = "epci",
    *,
    sites_filter: SiteFilter | None = None,
    network: object | None = None,
    origins: gpd.GeoDataFrame | None = None,
    all_communes: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Share of the population with a site open that day within ``threshold_km``, day by day.

    Answers « quels jours de la semaine l'aide alimentaire est-elle à portée ? »: one
    :func:`zones_blanches` per weekday (a site covers only the days its opening hours say; a
    site without hours covers no day; a mobile truck covers its stops on their days), totalled
    with :func:`summarize`.

    Parameters
    ----------
    communes, actors, network, origins, all_communes
        As for :func:`zones_blanches`.
    sites_filter : SiteFilter, optional
        Kinds, networks and services of the sites (default ``SiteFilter()``); its ``day`` is
        replaced by each weekday in turn.
    threshold_km : float
        Distance threshold (km).
    by : {"epci", "dep", "region"}
        Grouping.

    Returns
    -------
    pandas.DataFrame
        One row per group: code, name, ``population``, then for each French weekday
        (« lundi »…« dimanche ») the share covered (0–1) and ``uncovered_<jour>`` the population
        not covered that day; ``attrs["threshold_km"]``.
    """
    out: pd.DataFrame | None = None
    key = None
    base = SiteFilter() if sites_filter is None else sites_filter
    if origins is not None and "population" in origins.columns:  # given their communes once (one report)
        origins, _ = attach_origins(origins, communes, all_communes=all_communes)
    args = {"thresholds_km": [threshold_km], "network": network, "origins": origins}
    for day in WEEKDAYS_FR:
        try:
            zb = zones_blanches(communes, actors, sites_filter=replace(base, day=day), **args)
        except NoSiteError:  # no site open that day: nobody is covered, which is an answer
            zb = zones_blanches(communes, actors, sites_filter=replace(base, day=None), **args)
            k = zb.attrs["thresholds"][0]
            zb[f"pop_uncovered_{k}"] = zb[f"pop_covered_{k}"] + zb[f"pop_uncovered_{k}"]
            zb[f"pop_covered_{k}"] = 0
            zb[f"zone_blanche_{k}"] = True
        key = zb.attrs["thresholds"][0]
        summary = summarize(zb, by=by)
        groups = [c for c in summary.columns if c in ("epci", "epci_name", "dep", "dep_name", "region", "region_name")]
        part = summary[groups + ["population"]].copy() if out is None else None
        if out is None:
            out = part
        merged = summary.set_index(groups[0])
        out[day] = out[groups[0]].map(merged[f"share_covered_{key}"]).to_numpy()
        out[f"uncovered_{day}"] = out[groups[0]].map(merged[f"pop_uncovered_{key}"]).to_numpy()
    assert out is not None
    out = out.sort_values(WEEKDAYS_FR[5]).reset_index(drop=True)  # least covered on Saturday first
    out.attrs["threshold_km"] = threshold_km
    out.attrs["key"] = key
    return out


def weekly_table(weekly: pd.DataFrame) -> pd.DataFrame:
    """:func:`weekly_coverage` for people: French headers, shares in %, with a « Total » row."""
    df = weekly.copy()
    first = df.columns[0]
    total: dict[str, object] = dict.fromkeys(df.columns, "")
    total[first] = "Total"
    total["population"] = df["population"].sum()
    for day in WEEKDAYS_FR:
        total[f"uncovered_{day}"] = df[f"uncovered_{day}"].sum()
        pop = total["population"]
        total[day] = 1 - total[f"uncovered_{day}"] / pop if pop else np.nan
    df = pd.concat([df, pd.DataFrame([total])], ignore_index=True)
    for day in WEEKDAYS_FR:
        df[day] = (pd.to_numeric(df[day]) * 100).round(1)
    names = {"epci": "EPCI (SIREN)", "epci_name": "EPCI", "dep": "Département", "dep_name": "Nom",
             "region": "Région", "region_name": "Nom", "population": "Population"}
    label = label_key(str(weekly.attrs.get("key", "")))
    cols = [c for c in df.columns if c in names] + list(WEEKDAYS_FR)
    return df[cols].rename(columns={**names, **{d: f"{d} (% couvert, {label})" for d in WEEKDAYS_FR}})
