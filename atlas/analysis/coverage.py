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

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from atlas import settings
from atlas.analysis.access import (
    AID_KINDS,
    AccessError,
    NoSiteError,
    check_thresholds,
    commune_origins,
    nearest,
    select_sites,
)
from atlas.crs import L93, to_l93

__all__ = [
    "Threshold",
    "french_table",
    "summarize",
    "threshold_list",
    "weekly_coverage",
    "weekly_table",
    "write_gaps",
    "zones_blanches",
    "zones_blanches_points",
]

_POP_RE = re.compile(r"^pop_uncovered_(.+)$")


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
        return f"{self.value:g}".replace(".", ",") + f" {self.unit}"


def threshold_list(thresholds_km: Iterable[float] | float | None = (5, 10, 20),
                   thresholds_min: Iterable[float] | float | None = None) -> list[Threshold]:
    """Validated thresholds (see :func:`atlas.analysis.access.check_thresholds`).

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


def _label_key(key: str) -> str:
    m = re.match(r"^([\d.]+)(km|min)$", key)
    return (m.group(1).replace(".", ",") + " " + m.group(2)) if m else key


def _attach_insee(origins: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Give origin points without an ``insee`` column the commune they fall in."""
    pts = to_l93(origins)
    joined = gpd.sjoin(pts[[pts.geometry.name]], communes[["insee", "geometry"]], how="left",
                       predicate="within")
    joined = joined[~joined.index.duplicated()]
    out = pts.copy()
    out["insee"] = joined["insee"].reindex(out.index).fillna("").astype(str).to_numpy()
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
        Sites (:func:`atlas.analysis.access.select_sites`).
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
        raise AccessError("un seuil en minutes demande un réseau routier (option --network)")
    if network is not None:
        from atlas.analysis.roads import network_nearest

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
    kinds: str | Iterable[str] | None = AID_KINDS,
    networks: str | Iterable[str] | None = None,
    services: str | Iterable[str] | None = None,
    day: int | str | dt.date | None = None,
    network: object | None = None,
    origins: gpd.GeoDataFrame | None = None,
    sites_selected: bool = False,
) -> gpd.GeoDataFrame:
    """Zones blanches per commune: population covered and not covered for each threshold.

    Parameters
    ----------
    communes : GeoDataFrame
        Reference communes, or a territory (:func:`atlas.territory.reference.select_territory`). Sites
        are taken from the whole registry, also outside the territory.
    actors : GeoDataFrame
        Registry actors (filtered by :func:`atlas.analysis.access.select_sites`), or already-selected
        sites with ``sites_selected=True``.
    thresholds_km : float or iterable of float, default (5, 10, 20)
        Distance thresholds (km): straight line, or along roads with ``network``.
    thresholds_min : float or iterable of float, optional
        Travel-time thresholds (minutes), with ``network`` only.
    kinds, networks, services, day
        Site filter, see :func:`atlas.analysis.access.select_sites`. With ``day`` a site closed that
        day covers nothing; a mobile truck covers its stops on their days.
    network : RoadNetwork, optional
        Road network (:func:`atlas.analysis.roads.load_network`).
    origins : GeoDataFrame, optional
        Population points (e.g. INSEE 200 m grid) with a ``population`` column; an ``insee``
        column is added by spatial join when missing (points outside the communes are
        dropped). Default: one point per commune carrying its whole population.
    sites_selected : bool, default False
        ``actors`` already are the sites.

    Returns
    -------
    GeoDataFrame
        One row per commune (polygons): ``insee``, ``name``, ``epci``, ``epci_name``, ``dep``,
        ``dep_name``, ``population``, ``distance_m`` (of the commune point; with a grid the
        population-weighted mean), ``site_id``, ``site_name`` (nearest site; with a grid, of
        the most populated point), ``time_min`` with a network, and per threshold
        ``pop_covered_<key>``, ``pop_uncovered_<key>``, ``zone_blanche_<key>`` (True when no
        origin of the commune is covered), ``<key>`` like ``10km`` or ``15min``.
        ``attrs["thresholds"]`` lists the keys, ``attrs["n_sites"]`` the sites used.

    Raises
    ------
    AccessError
        Nonsensical thresholds, no site of the asked kind (:class:`~atlas.analysis.access.NoSiteError`),
        minutes without network, network not covering the territory
        (:class:`~atlas.analysis.roads.NetworkCoverageError`).
    """
    thresholds = threshold_list(thresholds_km, thresholds_min)
    if communes is None or len(communes) == 0:
        raise AccessError("aucune commune dans le territoire demandé")
    sites = actors if sites_selected else select_sites(actors, kinds, networks, services, day)
    if origins is None:
        pts = commune_origins(communes)
    else:
        if "population" not in origins.columns:
            raise AccessError("les points d'origine doivent avoir une colonne « population »")
        pts = origins if "insee" in origins.columns else _attach_insee(origins, communes)
        pts = pts[pts["insee"].astype(str).isin(set(communes["insee"]))]
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
        frame = pd.DataFrame({"insee": insee, "pop": pop, "d": res["distance_m"].to_numpy()})
        frame["wd"] = frame["pop"] * frame["d"]
        g = frame.groupby("insee")
        wsum = g["pop"].sum()
        out["population"] = key.map(wsum).fillna(0).round().astype("int64").to_numpy()
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
            covered = key.map(g2["c"].sum()).fillna(0).round().astype("int64").to_numpy()
            out[f"pop_covered_{t.key}"] = covered
            out[f"pop_uncovered_{t.key}"] = out["population"].to_numpy() - covered
            out[f"zone_blanche_{t.key}"] = ~key.map(g2["n"].any()).fillna(False).astype(bool).to_numpy()
    out.attrs["thresholds"] = [t.key for t in thresholds]
    out.attrs["n_sites"] = len(sites)
    out.attrs["filter"] = sites.attrs.get("filter", "")
    return gpd.GeoDataFrame(out, geometry="geometry", crs=communes.crs or L93)


def _threshold_keys(frame: pd.DataFrame) -> list[str]:
    keys = frame.attrs.get("thresholds")
    if keys:
        return list(keys)
    return [m.group(1) for c in frame.columns if (m := _POP_RE.match(str(c)))]


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
    keys = _threshold_keys(zb)
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


_BASE_HEADERS = {
    "insee": "Code INSEE", "name": "Commune", "epci": "EPCI (SIREN)", "epci_name": "EPCI",
    "dep": "Département", "dep_name": "Nom du département", "region": "Région (code)",
    "region_name": "Région", "n_communes": "Communes", "population": "Population",
    "distance_m": "Distance au site le plus proche (km)", "time_min": "Temps jusqu'au site (min)",
    "site_name": "Site le plus proche",
}


def french_table(summary: pd.DataFrame, total: bool = True) -> pd.DataFrame:
    """The summary (or per-commune table) with French headers, shares in %, distances in km.

    Parameters
    ----------
    summary : DataFrame
        Output of :func:`summarize` (any ``by``).
    total : bool, default True
        Add a « Total » row (not for per-commune tables, which get none).

    Returns
    -------
    pandas.DataFrame
        Columns like « Population non couverte (10 km) », « Part couverte (10 km, %) ».
    """
    keys = _threshold_keys(summary)
    per_commune = "n_communes" not in summary.columns
    df = pd.DataFrame(summary).copy()
    if total and not per_commune and len(df) > 1:
        row: dict[str, object] = dict.fromkeys(df.columns, "")
        row[df.columns[0]] = "Total"
        for c in df.columns:
            if c.startswith(("pop_", "n_zone_blanche_")) or c in ("n_communes", "population"):
                row[c] = df[c].sum()
        for k in keys:
            t = row[f"pop_covered_{k}"] + row[f"pop_uncovered_{k}"]
            row[f"share_covered_{k}"] = row[f"pop_covered_{k}"] / t if t else np.nan
        df = pd.concat([df, pd.DataFrame([row])], ignore_index=True)
    headers = dict(_BASE_HEADERS)
    cols = [c for c in _BASE_HEADERS if c in df.columns and c not in ("site_id",)]
    if "distance_m" in df.columns:
        df["distance_m"] = (pd.to_numeric(df["distance_m"], errors="coerce") / 1000.0).round(2)
    if "time_min" in df.columns:
        df["time_min"] = pd.to_numeric(df["time_min"], errors="coerce").round(1)
    for k in keys:
        lab = _label_key(k)
        headers[f"pop_covered_{k}"] = f"Population couverte ({lab})"
        headers[f"pop_uncovered_{k}"] = f"Population non couverte ({lab})"
        cols += [f"pop_covered_{k}", f"pop_uncovered_{k}"]
        if f"share_covered_{k}" in df.columns:
            df[f"share_covered_{k}"] = (pd.to_numeric(df[f"share_covered_{k}"]) * 100).round(1)
            headers[f"share_covered_{k}"] = f"Part couverte ({lab}, %)"
            headers[f"n_zone_blanche_{k}"] = f"Communes en zone blanche ({lab})"
            cols += [f"share_covered_{k}", f"n_zone_blanche_{k}"]
        if f"zone_blanche_{k}" in df.columns:
            df[f"zone_blanche_{k}"] = np.where(df[f"zone_blanche_{k}"].astype(bool), "oui", "non")
            headers[f"zone_blanche_{k}"] = f"Zone blanche ({lab})"
            cols.append(f"zone_blanche_{k}")
    return df[cols].rename(columns=headers)


def _fr_number(v: object) -> str:
    if isinstance(v, (bool, np.bool_)):
        return "oui" if v else "non"
    if isinstance(v, (int, np.integer)):
        return f"{int(v):,}".replace(",", "\u202f")
    if isinstance(v, (float, np.floating)):
        if np.isnan(v):
            return "—"
        if float(v).is_integer() and abs(v) >= 1000:
            return f"{int(v):,}".replace(",", "\u202f")
        return f"{v:.1f}".replace(".", ",")
    return str(v).replace("|", "\\|")


def markdown_table(table: pd.DataFrame) -> str:
    """A Markdown table (French number formatting, ``|`` escaped)."""
    head = "| " + " | ".join(str(c) for c in table.columns) + " |"
    sep = "|" + "|".join("---:" if pd.api.types.is_numeric_dtype(table[c]) else "---" for c in table.columns) + "|"
    rows = ["| " + " | ".join(_fr_number(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join([head, sep, *rows]) + "\n"


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
    from atlas.io import write_text_atomic

    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".") or "csv").lower()
    if fmt == "markdown":
        fmt = "md"
    if fmt not in ("csv", "md", "gpkg"):
        raise AccessError(f"format de sortie inconnu : « {fmt} » (csv, md ou gpkg)")
    summary = summarize(zb, by=by)
    if fmt == "gpkg":
        from atlas.registry.build import write_gpkg
        from atlas.territory.reference import departement_polygons, epci_polygons

        epci = epci_polygons(zb)[["epci", "geometry"]].merge(summarize(zb, "epci"), on="epci")
        dep = departement_polygons(zb)[["dep", "geometry"]].merge(summarize(zb, "dep"), on="dep")
        layers: dict[str, pd.DataFrame] = {
            "zones_blanches_communes": zb,
            "zones_blanches_epci": gpd.GeoDataFrame(epci, geometry="geometry", crs=zb.crs),
            "zones_blanches_dep": gpd.GeoDataFrame(dep, geometry="geometry", crs=zb.crs),
        }
        if by in ("region",):
            layers["zones_blanches_region"] = summary
        return write_gpkg(path, layers)
    table = french_table(summary, total=by != "commune")
    if fmt == "csv":
        from atlas.io import atomic_output

        with atomic_output(path) as tmp:
            table.to_csv(tmp, index=False, encoding="utf-8")
        return path
    heading = title or "Zones blanches de l'aide alimentaire"
    lines = [f"# {heading}", ""]
    if zb.attrs.get("filter"):
        lines += [f"Sites retenus ({zb.attrs.get('n_sites', '?')}) : {zb.attrs['filter']}.", ""]
    lines.append(markdown_table(table))
    return write_text_atomic(path, "\n".join(lines))


def weekly_coverage(
    communes: gpd.GeoDataFrame,
    actors: gpd.GeoDataFrame,
    threshold_km: float = 10.0,
    by: str = "epci",
    kinds: str | Iterable[str] | None = AID_KINDS,
    networks: str | Iterable[str] | None = None,
    services: str | Iterable[str] | None = None,
    network: object | None = None,
    origins: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Share of the population with a site open that day within ``threshold_km``, day by day.

    Answers « quels jours de la semaine l'aide alimentaire est-elle à portée ? »: one
    :func:`zones_blanches` per weekday (a site covers only the days its opening hours say; a
    site without hours covers no day; a mobile truck covers its stops on their days), totalled
    with :func:`summarize`.

    Parameters
    ----------
    communes, actors, kinds, networks, services, network, origins
        As for :func:`zones_blanches`.
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
    from atlas.registry.hours import WEEKDAYS_FR

    out: pd.DataFrame | None = None
    key = None
    args = {"thresholds_km": [threshold_km], "kinds": kinds, "networks": networks, "services": services,
            "network": network, "origins": origins}
    for day in WEEKDAYS_FR:
        try:
            zb = zones_blanches(communes, actors, day=day, **args)
        except NoSiteError:  # no site open that day: nobody is covered, which is an answer
            zb = zones_blanches(communes, actors, **args)
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
    from atlas.registry.hours import WEEKDAYS_FR

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
    label = _label_key(str(weekly.attrs.get("key", "")))
    cols = [c for c in df.columns if c in names] + list(WEEKDAYS_FR)
    return df[cols].rename(columns={**names, **{d: f"{d} (% couvert, {label})" for d in WEEKDAYS_FR}})
