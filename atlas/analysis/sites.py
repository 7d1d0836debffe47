"""Which food-aid sites count for an analysis: the site filter and the selection it makes.

A :class:`SiteFilter` names the kinds, networks and services of the sites kept and, optionally,
the day they must be open; :func:`select_sites` applies it to the actors of a registry and
returns located sites in Lambert-93, mobile stops included. Distances to these sites live in
:mod:`atlas.analysis.distances`, zones blanches in :mod:`atlas.analysis.coverage`.

Typical use::

    from atlas.analysis.sites import SiteFilter, select_sites
    sites = select_sites(actors, SiteFilter(kinds=("distribution", "epicerie"), day="samedi"))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from atlas.crs import L93, to_l93
from atlas.errors import AccessError, NoSiteError
from atlas.fr import WEEKDAYS_FR
from atlas.registry.hours import closed_on, covers_day, weekday_index
from atlas.registry.publication import coverage_mask
from atlas.registry.schema import AID_KINDS, KIND_LABELS

__all__ = ["SiteFilter", "Sites", "select_sites", "sites_frame"]


def _as_tuple(value: str | Iterable[str] | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    out = tuple(str(v).strip() for v in value if str(v).strip())
    return out or None


@dataclass(frozen=True)
class SiteFilter:
    """Which actors count as sites in an access analysis.

    Parameters
    ----------
    kinds : str or iterable of str or None, default :data:`atlas.registry.schema.AID_KINDS`
        Kinds kept (``distribution``, ``epicerie``, ``meal``, ``producer``…); None keeps all.
    networks : str or iterable of str, optional
        Keep actors belonging to at least one of these networks (``restos-du-coeur``…).
    services : str or iterable of str, optional
        Keep actors offering at least one of these services (``colis``, ``fruits-legumes``…).
    day : int, str or datetime.date, optional
        Keep only sites open that day: a weekday (0 = lundi, « samedi », "Sa"), judged on a
        typical week (:func:`atlas.registry.hours.covers_day`), or a calendar date (``date`` or
        ``"2026-08-01"``), which also drops sites with a temporary closure that day
        (:func:`atlas.registry.hours.closed_on` on ``closures``).
    unknown_hours : {"closed", "open"}, default "closed"
        How to count sites whose opening hours are not given when ``day`` is set.
    include_drafts : bool, default False
        Count draft and offline sites too (an internal check). Permanently closed sites never
        count; sites reserved to professionals always do
        (:func:`atlas.registry.publication.coverage_sites`).

    Notes
    -----
    ``kinds``, ``networks`` and ``services`` are stored as tuples of stripped names, None when
    empty (an empty selection keeps everything), so that a filter is hashable and immutable.
    The values are checked when the filter is applied (:func:`select_sites`).

    Examples
    --------
    >>> import atlas
    >>> saturday = atlas.SiteFilter(kinds="distribution", day="samedi")
    >>> saturday.kinds, saturday.day
    (('distribution',), 'samedi')
    """

    kinds: str | Iterable[str] | None = AID_KINDS
    networks: str | Iterable[str] | None = None
    services: str | Iterable[str] | None = None
    day: int | str | dt.date | None = None
    unknown_hours: str = "closed"
    include_drafts: bool = False

    def __post_init__(self) -> None:
        for name in ("kinds", "networks", "services"):
            object.__setattr__(self, name, _as_tuple(getattr(self, name)))


def _split_slugs(series: pd.Series) -> list[set[str]]:
    return [{p.strip() for p in str(v).split(",") if p.strip()} if isinstance(v, str) else set()
            for v in series.tolist()]


def _column(actors: pd.DataFrame, name: str) -> pd.Series:
    if name in actors.columns:
        return actors[name].fillna("").astype(str)
    return pd.Series([""] * len(actors), index=actors.index, dtype=str)


def _resolve_day(day: int | str | dt.date | None) -> tuple[int | None, dt.date | None]:
    """A weekday index, and the calendar date when one was given."""
    if day is None:
        return None, None
    if isinstance(day, dt.datetime):
        day = day.date()
    if isinstance(day, dt.date):
        return day.weekday(), day
    if isinstance(day, str) and len(day.strip()) >= 8 and day.strip()[:4].isdigit():
        try:
            date = dt.date.fromisoformat(day.strip()[:10])
        except ValueError as exc:
            raise AccessError(f"date illisible : « {day} » (attendu : AAAA-MM-JJ ou un jour, ex. samedi)") from exc
        return date.weekday(), date
    return weekday_index(day), None


def _with_truck_fields(df: gpd.GeoDataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(hours, kind, route) of every row; mobile stops without hours or kind take their truck's.

    ``df`` is updated in place (``opening_hours`` and ``kind``) when it holds stops.
    """
    hours = _column(df, "opening_hours")
    kind = _column(df, "kind")
    route = _column(df, "route")
    if (route != "").any() and "id" in df.columns:
        ids = df["id"].astype(str)
        truck_hours = dict(zip(ids, hours, strict=True))
        truck_kind = dict(zip(ids, kind, strict=True))
        stop = route != ""
        hours = hours.where(~(stop & (hours == "")), route.map(truck_hours).fillna(""))
        kind = kind.where(~(stop & (kind == "")), route.map(truck_kind).fillna(""))
        df["opening_hours"] = hours
        df["kind"] = kind
    return hours, kind, route


def _attribute_mask(df: gpd.GeoDataFrame, kind: pd.Series, sites_filter: SiteFilter) -> tuple[np.ndarray, list[str]]:
    """Rows of the filter's kinds, networks and services, and the French words naming the filter."""
    mask = np.ones(len(df), dtype=bool)
    what = []
    kinds_t = sites_filter.kinds
    if kinds_t:
        unknown = [k for k in kinds_t if k not in KIND_LABELS]
        if unknown:
            raise AccessError(f"type de site inconnu : « {', '.join(unknown)} » (attendu : {', '.join(KIND_LABELS)})")
        mask &= kind.isin(kinds_t).to_numpy()
        what.append("type " + " / ".join(f"« {KIND_LABELS.get(k, k)} »" for k in kinds_t))
    nets = sites_filter.networks
    if nets:
        have = _split_slugs(_column(df, "network"))
        mask &= np.array([bool(h & set(nets)) for h in have], dtype=bool)
        what.append("réseau " + " / ".join(f"« {n} »" for n in nets))
    servs = sites_filter.services
    if servs:
        have = _split_slugs(_column(df, "services"))
        mask &= np.array([bool(h & set(servs)) for h in have], dtype=bool)
        what.append("service " + " / ".join(f"« {s} »" for s in servs))
    return mask, what


def _open_mask(df: gpd.GeoDataFrame, hours: pd.Series, wd: int, date: dt.date | None,
               unknown_hours: str) -> np.ndarray:
    """Rows open on weekday ``wd`` (and not closed on ``date`` when one is given)."""
    is_open = covers_day(hours.to_numpy(), wd)
    if unknown_hours == "open":
        is_open |= (hours == "").to_numpy()
    if date is not None:
        closures = _column(df, "closures")
        is_open &= np.array([not (c and closed_on(c, date)) for c in closures], dtype=bool)
    return is_open


@dataclass(eq=False, repr=False)
class Sites:
    """The sites of an access analysis: what :func:`select_sites` kept, and why.

    Attributes
    ----------
    frame : geopandas.GeoDataFrame
        The sites, Point geometries in Lambert-93, the actors' columns.
    site_filter : SiteFilter
        The filter that chose them.
    description : str
        The filter in French (« type « Distribution alimentaire », ouvert le samedi »).
    n_unlocated : int
        Actors matching the filter left out for lack of a location.
    n_not_counted : int
        Actors matching the filter left out for their status (permanently closed; draft or
        offline unless ``include_drafts``).
    actors : geopandas.GeoDataFrame or None
        The actors they were chosen from (so that :func:`atlas.weekly_coverage` can choose again,
        day by day).

    Examples
    --------
    >>> import atlas
    >>> actors = atlas.load().actors
    >>> saturday = atlas.select_sites(actors, atlas.SiteFilter(day="samedi"))
    >>> len(saturday), saturday.n_not_counted
    (7, 0)
    >>> saturday.description
    'type « Distribution alimentaire » / « Épicerie solidaire ou sociale » / « Repas (restaurant social) », ouvert le samedi'
    """

    frame: gpd.GeoDataFrame
    site_filter: SiteFilter
    description: str = ""
    n_unlocated: int = 0
    n_not_counted: int = 0
    actors: gpd.GeoDataFrame | None = None

    def __len__(self) -> int:
        """Number of sites."""
        return len(self.frame)

    def __repr__(self) -> str:
        return f"Sites({len(self.frame)} sites: {self.description or 'tous'})"


def sites_frame(sites: Sites | gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The sites' points: :attr:`Sites.frame`, or a GeoDataFrame given as the sites themselves."""
    return sites.frame if isinstance(sites, Sites) else sites


def select_sites(actors: gpd.GeoDataFrame, sites_filter: SiteFilter | None = None) -> Sites:
    """Sites (located actors) that count for an access analysis.

    Parameters
    ----------
    actors : GeoDataFrame
        Accepted actors of a registry (:func:`atlas.registry.actors.read_actors`,
        :func:`atlas.registry.build.build_registries`).
    sites_filter : SiteFilter, optional
        Kinds, networks, services and day of the sites kept; default ``SiteFilter()``
        (the food-aid kinds :data:`atlas.registry.schema.AID_KINDS`, any day).

    Returns
    -------
    Sites
        ``frame``: the kept sites with a Point geometry in Lambert-93 (actors not located are
        dropped), same columns as ``actors``. Mobile stops (rows whose ``route`` names a truck
        row) are sites of their own; a stop without hours takes its truck's hours, and its
        truck's kind when its own is empty. A truck row that has stops covers nothing itself (its
        point, if any, is its depot); a truck row without geometry covers nothing either.
        ``n_unlocated`` counts matching actors dropped for lack of a location; ``n_not_counted``
        those left out for their status (permanently closed, and draft or offline unless
        ``include_drafts``: :func:`atlas.registry.publication.coverage_mask`); ``description``
        names the filter in French.

    Raises
    ------
    NoSiteError
        When nothing is left, with a French message naming the filter.
    AccessError
        On an unknown kind, an unknown ``unknown_hours`` value or an unreadable date.

    Examples
    --------
    >>> import atlas
    >>> sites = atlas.select_sites(atlas.load().actors, atlas.SiteFilter(services="colis"))
    >>> len(sites), sites.description
    (26, 'type « Distribution alimentaire » / « Épicerie solidaire ou sociale » / « Repas (restaurant social) », service « colis »')
    """
    f = SiteFilter() if sites_filter is None else sites_filter
    if f.unknown_hours not in ("closed", "open"):
        raise AccessError(f"valeur inconnue pour les horaires non communiqués : « {f.unknown_hours} »")
    if actors is None or len(actors) == 0:
        raise NoSiteError("le registre ne contient aucun acteur")
    df = actors if actors.crs is None else to_l93(actors)
    df = df.copy()
    hours, kind, route = _with_truck_fields(df)

    mask, what = _attribute_mask(df, kind, f)
    if not mask.any():
        raise NoSiteError(f"aucun site dans le registre pour : {', '.join(what) or 'la sélection'}")
    counted = coverage_mask(df, include_drafts=f.include_drafts)
    n_not_counted = int((mask & ~counted).sum())
    if not (mask & counted).any():
        raise NoSiteError(f"aucun site en service pour : {', '.join(what) or 'la sélection'} "
                          f"({n_not_counted} fermé(s) définitivement, en brouillon ou hors ligne)")
    mask &= counted

    wd, date = _resolve_day(f.day)
    if wd is not None:
        is_open = _open_mask(df, hours, wd, date, f.unknown_hours)
        if not (mask & is_open).any():
            when = date.strftime("%d/%m/%Y") if date else WEEKDAYS_FR[wd]
            raise NoSiteError(
                f"aucun site ouvert le {when} pour : {', '.join(what) or 'la sélection'} "
                f"({int(mask.sum())} site(s) de ce type, aucun ouvert ce jour-là d'après ses horaires)"
            )
        mask &= is_open
        what.append(f"ouvert le {date.isoformat() if date else WEEKDAYS_FR[wd]}")

    # A truck with stops covers its stops, on their days, not its own (depot) location.
    if "id" in df.columns:
        trucks = set(route[route != ""])
        if trucks:
            mask &= ~df["id"].astype(str).isin(trucks).to_numpy()
    geom = np.asarray(df.geometry.array)
    located = ~(shapely.is_missing(geom) | shapely.is_empty(geom))
    n_unlocated = int((mask & ~located).sum())
    mask &= located
    if not mask.any():
        raise NoSiteError(f"aucun site localisé pour : {', '.join(what) or 'la sélection'}")
    out = df[mask].copy()
    if out.crs is None:
        out = out.set_crs(L93)
    return Sites(out, f, ", ".join(what), n_unlocated, n_not_counted, actors)
