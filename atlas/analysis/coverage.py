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
from atlas.analysis.roads import RoadNetwork, network_nearest
from atlas.analysis.sites import SiteFilter, Sites, select_sites, sites_frame
from atlas.analysis.tables import french_table, label_key, threshold_keys
from atlas.crs import L93
from atlas.errors import AccessError, NoSiteError
from atlas.fr import WEEKDAYS_FR, number_fr
from atlas.io import markdown_table, write_output
from atlas.territory.reference import departement_polygons, epci_polygons
from atlas.territory.selection import Territory, as_territory

__all__ = [
    "Coverage",
    "Threshold",
    "WeeklyCoverage",
    "french_table",
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
        raise AccessError("un seuil en minutes demande un réseau routier (option --network)")
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


@dataclass(eq=False)
class Coverage:
    """Zones blanches of a territory (:func:`zones_blanches`): the frame and what it was measured with.

    Attributes
    ----------
    frame : geopandas.GeoDataFrame
        One row per commune (see :func:`zones_blanches`).
    thresholds : tuple of str
        The threshold keys, in order (``10km``, ``15min``): columns ``pop_covered_<key>``,
        ``pop_uncovered_<key>``, ``zone_blanche_<key>``.
    n_sites : int
        The sites used.
    site_filter : SiteFilter or None
        The filter that chose them (None when points were given as the sites).
    sites_description : str
        That filter in French (« type « Distribution alimentaire », ouvert le samedi »).
    origins : OriginReport or None
        With origin points: how many points and inhabitants were given, kept, joined across a
        gap, in other communes and outside (:class:`~atlas.analysis.origins.OriginReport`).

    Examples
    --------
    >>> import atlas
    >>> built = atlas.load()
    >>> zb = atlas.zones_blanches(atlas.territory("CAPSO", communes=built.communes), atlas.select_sites(built.actors),
    ...                           thresholds_km=(10,))
    >>> zb.zones_column(), len(zb), zb.messages()
    ('zone_blanche_10km', 53, [])
    """

    frame: gpd.GeoDataFrame
    thresholds: tuple[str, ...]
    n_sites: int
    site_filter: SiteFilter | None = None
    sites_description: str = ""
    origins: OriginReport | None = None

    def __len__(self) -> int:
        """Number of communes."""
        return len(self.frame)

    def zones_column(self, index: int = 0) -> str:
        """The boolean column of the zones blanches at a threshold (« zone_blanche_10km »)."""
        return f"zone_blanche_{self.thresholds[index]}"

    def messages(self) -> list[str]:
        """French sentences on the origin points joined across a gap or left out."""
        return self.origins.messages() if self.origins is not None else []


def zones_blanches(
    territory: Territory | gpd.GeoDataFrame,
    sites: Sites | gpd.GeoDataFrame,
    *,
    thresholds_km: Sequence[float] | None = (5, 10, 20),
    thresholds_min: Sequence[float] | None = None,
    network: RoadNetwork | None = None,
    origins: gpd.GeoDataFrame | None = None,
) -> Coverage:
    """Zones blanches per commune: population covered and not covered for each threshold.

    Parameters
    ----------
    territory : Territory or GeoDataFrame
        The territory (:func:`atlas.select_territory`); a GeoDataFrame of communes is taken as one.
    sites : Sites or GeoDataFrame
        The sites (:func:`atlas.analysis.sites.select_sites`), taken from the whole registry, also
        outside the territory. With a ``day`` a site closed that day covers nothing; a mobile
        truck covers its stops on their days.
    thresholds_km : sequence of float, default (5, 10, 20)
        Distance thresholds (km): straight line, or along roads with ``network``.
    thresholds_min : sequence of float, optional
        Travel-time thresholds (minutes), with ``network`` only.
    network : RoadNetwork, optional
        Road network (:func:`atlas.analysis.roads.load_network`).
    origins : GeoDataFrame, optional
        Population points (e.g. INSEE 200 m grid) with a ``population`` column; an ``insee``
        column is added when missing (:func:`atlas.analysis.origins.attach_origins`: a point in
        a gap between the simplified polygons joins the nearest commune within
        :data:`~atlas.analysis.origins.ORIGIN_GAP_M`; points of other communes or farther away
        are counted, reported in French and left out; a point of a neighbouring commune is told
        from a point in a gap by the territory's ``reference``). Default: one point per commune
        carrying its whole population.

    Returns
    -------
    Coverage
        ``frame``: one row per commune (polygons): ``insee``, ``name``, ``epci``, ``epci_name``, ``dep``,
        ``dep_name``, ``population``, ``distance_m`` (of the commune point; with a grid the
        population-weighted mean), ``site_id``, ``site_name`` (nearest site; with a grid, of
        the most populated point), ``time_min`` with a network, and per threshold
        ``pop_covered_<key>``, ``pop_uncovered_<key>``, ``zone_blanche_<key>`` (True when no
        origin of the commune is covered), ``<key>`` like ``10km`` or ``15min``; ``thresholds``
        lists the keys, ``n_sites`` counts the sites used. With ``origins``, ``origins`` says how
        many points and inhabitants were given, kept, joined across a gap, in other communes and
        outside; populations are then the sums of the input values (not rounded: fractional grid
        populations stay fractional), and per threshold covered + uncovered = the population
        kept.

    Raises
    ------
    AccessError
        Nonsensical thresholds, no site of the asked kind (:class:`~atlas.errors.NoSiteError`),
        minutes without network, network not covering the territory
        (:class:`~atlas.errors.NetworkCoverageError`).

    Examples
    --------
    >>> import atlas
    >>> built = atlas.load()
    >>> cab = atlas.territory("CABBALR", communes=built.communes)
    >>> zb = atlas.zones_blanches(cab, atlas.select_sites(built.actors), thresholds_km=(5, 10))
    >>> zb.thresholds, zb.n_sites, int(zb.frame["pop_uncovered_5km"].sum()), int(zb.frame["pop_uncovered_10km"].sum())
    (('5km', '10km'), 57, 14111, 0)
    """
    thresholds = threshold_list(thresholds_km, thresholds_min)
    if territory is None or len(territory) == 0:
        raise AccessError("aucune commune dans le territoire demandé")
    terr = as_territory(territory)
    communes = terr.communes
    chosen = sites
    sites = sites_frame(sites)
    report: OriginReport | None = None
    if origins is None:
        pts = commune_origins(communes)
    else:
        if "population" not in origins.columns:
            raise AccessError("les points d'origine doivent avoir une colonne « population »")
        pts, report = attach_origins(origins, communes, all_communes=terr.reference)
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
    frame = gpd.GeoDataFrame(out, geometry="geometry", crs=communes.crs or L93)
    if isinstance(chosen, Sites):
        return Coverage(frame, tuple(t.key for t in thresholds), len(sites), chosen.site_filter,
                        chosen.description, report)
    return Coverage(frame, tuple(t.key for t in thresholds), len(sites), origins=report)


def summarize(zb: Coverage | pd.DataFrame, by: str = "epci") -> pd.DataFrame:
    """Total the zones blanches by EPCI, département or region.

    Parameters
    ----------
    zb : Coverage
        Output of :func:`zones_blanches` (or its ``frame``).
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

    Examples
    --------
    >>> import atlas
    >>> built = atlas.load()
    >>> zb = atlas.zones_blanches(atlas.territory("62", communes=built.communes), atlas.select_sites(built.actors),
    ...                           thresholds_km=(10,))
    >>> atlas.summarize(zb, by="dep")[["dep_name", "population", "pop_uncovered_10km"]].to_records(index=False).tolist()
    [('Pas-de-Calais', 1468018, 626474)]
    """
    keys = list(zb.thresholds) if isinstance(zb, Coverage) else threshold_keys(zb)
    zb = zb.frame if isinstance(zb, Coverage) else zb
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
    return out[cols].sort_values([f"pop_uncovered_{keys[0]}", groups[0]], ascending=[False, True], ignore_index=True)


def write_gaps(zb: Coverage, path: str | Path, fmt: str | None = None, by: str = "epci",
               title: str | None = None) -> Path:
    """Write the zones blanches atomically as CSV, Markdown or GeoPackage.

    Parameters
    ----------
    zb : Coverage
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

    frame = zb.frame

    def layers() -> dict[str, pd.DataFrame]:
        epci = epci_polygons(frame)[["epci", "geometry"]].merge(summarize(zb, "epci"), on="epci")
        dep = departement_polygons(frame)[["dep", "geometry"]].merge(summarize(zb, "dep"), on="dep")
        out: dict[str, pd.DataFrame] = {
            "zones_blanches_communes": frame,
            "zones_blanches_epci": gpd.GeoDataFrame(epci, geometry="geometry", crs=frame.crs),
            "zones_blanches_dep": gpd.GeoDataFrame(dep, geometry="geometry", crs=frame.crs),
        }
        if by == "region":
            out["zones_blanches_region"] = summarize(zb, by=by)
        return out

    def table() -> pd.DataFrame:
        return french_table(summarize(zb, by=by), total=by != "commune")

    def markdown() -> str:
        lines = [f"# {title or 'Zones blanches de l' + chr(39) + 'aide alimentaire'}", ""]
        if zb.sites_description:
            lines += [f"Sites retenus ({zb.n_sites}) : {zb.sites_description}.", ""]
        notes = zb.messages()
        if notes:
            lines += [*notes, ""]
        lines.append(markdown_table(table()))
        return "\n".join(lines)

    return write_output(path, fmt, error=AccessError, csv=table, md=markdown, gpkg=layers)


@dataclass(eq=False)
class WeeklyCoverage:
    """Coverage day by day (:func:`weekly_coverage`).

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per group: code, name, ``population``, then for each French weekday (« lundi »…
        « dimanche ») the share covered (0–1) and ``uncovered_<jour>`` the population not covered
        that day; least covered on Saturday first.
    threshold_km : float
        The distance threshold.
    key : str
        Its key (``10km``).
    """

    frame: pd.DataFrame
    threshold_km: float
    key: str

    def __len__(self) -> int:
        """Number of groups."""
        return len(self.frame)


def weekly_coverage(
    territory: Territory | gpd.GeoDataFrame,
    sites: Sites,
    *,
    thresholds_km: Sequence[float] = (10.0,),
    by: str = "epci",
    network: RoadNetwork | None = None,
    origins: gpd.GeoDataFrame | None = None,
) -> WeeklyCoverage:
    """Share of the population with a site open that day within the threshold, day by day.

    Answers « quels jours de la semaine l'aide alimentaire est-elle à portée ? »: one
    :func:`zones_blanches` per weekday (a site covers only the days its opening hours say; a
    site without hours covers no day; a mobile truck covers its stops on their days), totalled
    with :func:`summarize`.

    Parameters
    ----------
    territory, network, origins
        As for :func:`zones_blanches`.
    sites : Sites
        The sites of :func:`atlas.analysis.sites.select_sites` (any day): they are chosen again
        from the same actors, with the same filter, for each weekday in turn.
    thresholds_km : sequence of one float
        The distance threshold (km).
    by : {"epci", "dep", "region"}
        Grouping.

    Returns
    -------
    WeeklyCoverage

    Raises
    ------
    AccessError
        Not one threshold, sites not from :func:`~atlas.analysis.sites.select_sites`, or any
        error of :func:`zones_blanches`.

    Examples
    --------
    >>> import atlas
    >>> built = atlas.load()
    >>> week = atlas.weekly_coverage(atlas.territory("CABBALR", communes=built.communes),
    ...                              atlas.select_sites(built.actors), thresholds_km=(10,))
    >>> week.key, round(float(week.frame["samedi"].iloc[0]), 3)
    ('10km', 0.779)
    """
    if not isinstance(sites, Sites) or sites.actors is None:
        raise AccessError("la couverture par jour choisit les sites de chaque jour : donnez ceux de select_sites")
    values = check_thresholds(thresholds_km, "km")
    if len(values) != 1:
        raise AccessError("la couverture par jour se calcule à un seul seuil en km")
    threshold_km = values[0]
    terr = as_territory(territory)
    out: pd.DataFrame | None = None
    key = ""
    base = sites.site_filter
    if origins is not None and "population" in origins.columns:  # given their communes once (one report)
        origins, _ = attach_origins(origins, terr.communes, all_communes=terr.reference)
    args = {"thresholds_km": [threshold_km], "network": network, "origins": origins}
    for day in WEEKDAYS_FR:
        try:
            zb = zones_blanches(terr, select_sites(sites.actors, replace(base, day=day)), **args)
        except NoSiteError:  # no site open that day: nobody is covered, which is an answer
            zb = zones_blanches(terr, select_sites(sites.actors, replace(base, day=None)), **args)
            k = zb.thresholds[0]
            zb.frame[f"pop_uncovered_{k}"] = zb.frame[f"pop_covered_{k}"] + zb.frame[f"pop_uncovered_{k}"]
            zb.frame[f"pop_covered_{k}"] = 0
            zb.frame[f"zone_blanche_{k}"] = True
        key = zb.thresholds[0]
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
    return WeeklyCoverage(out, threshold_km, key)


def weekly_table(weekly: WeeklyCoverage) -> pd.DataFrame:
    """:func:`weekly_coverage` for people: French headers, shares in %, with a « Total » row."""
    df = weekly.frame.copy()
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
    label = label_key(weekly.key)
    cols = [c for c in df.columns if c in names] + list(WEEKDAYS_FR)
    return df[cols].rename(columns={**names, **{d: f"{d} (% couvert, {label})" for d in WEEKDAYS_FR}})
