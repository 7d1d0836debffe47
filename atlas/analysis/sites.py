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
from atlas.registry.hours import closed_on, covers_day, is_valid_hours, weekday_index
from atlas.registry.publication import coverage_mask, kind_count_fr, left_out_fr
from atlas.registry.schema import AID_KINDS, KIND_LABELS

__all__ = ["SiteFilter", "select_sites", "selection_lines"]


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
    is_open = covers_day(hours.to_numpy(), wd)  # type: ignore[arg-type]
    if unknown_hours == "open":
        is_open |= (hours == "").to_numpy()
    if date is not None:
        closures = _column(df, "closures")
        is_open &= np.array([not (c and closed_on(c, date)) for c in closures], dtype=bool)
    return is_open


def select_sites(actors: gpd.GeoDataFrame, sites_filter: SiteFilter | None = None) -> gpd.GeoDataFrame:
    """Sites (located actors) that count for an access analysis.

    Parameters
    ----------
    actors : GeoDataFrame
        Accepted actors of a registry (:func:`atlas.registry.actors.read_actors`,
        :func:`atlas.registry.build.build_atlas`).
    sites_filter : SiteFilter, optional
        Kinds, networks, services and day of the sites kept; default ``SiteFilter()``
        (the food-aid kinds :data:`atlas.registry.schema.AID_KINDS`, any day).

    Returns
    -------
    GeoDataFrame
        The kept sites with a Point geometry in Lambert-93 (actors not located are dropped),
        same columns as ``actors``. Mobile stops (rows whose ``route`` names a truck row) are
        sites of their own; a stop without hours takes its truck's hours, and its truck's kind
        when its own is empty. A truck row that has stops covers nothing itself (its point, if
        any, is its depot); a truck row without geometry covers nothing either.
        ``attrs["n_unlocated"]`` counts matching actors dropped for lack of a location;
        ``attrs["n_not_counted"]`` those left out for their status (permanently closed, and draft
        or offline unless ``include_drafts``: :func:`atlas.registry.publication.coverage_mask`);
        ``attrs["filter"]`` names the filter in French.

    Raises
    ------
    NoSiteError
        When nothing is left, with a French message naming the filter.
    AccessError
        On an unknown kind, an unknown ``unknown_hours`` value or an unreadable date.
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
    # what the kinds leave out, among the actors of the networks and services asked for
    others, _ = _attribute_mask(df, kind, SiteFilter(kinds=None, networks=f.networks, services=f.services))
    left_kinds = kind[others & ~mask].value_counts().to_dict() if f.kinds else {}
    if not mask.any():
        raise NoSiteError(f"aucun site dans le registre pour : {', '.join(what) or 'la sélection'}")
    counted = coverage_mask(df, include_drafts=f.include_drafts)
    n_not_counted = int((mask & ~counted).sum())
    if not (mask & counted).any():
        raise NoSiteError(f"aucun site en service pour : {', '.join(what) or 'la sélection'} "
                          f"({n_not_counted} fermé(s) définitivement, en brouillon ou hors ligne)")
    mask &= counted

    wd, date = _resolve_day(f.day)
    n_closed_day = n_no_hours = 0
    if wd is not None:
        is_open = _open_mask(df, hours, wd, date, f.unknown_hours)
        n_closed_day = int((mask & ~is_open).sum())
        n_no_hours = int((mask & (hours == "").to_numpy()).sum())
        if not (mask & is_open).any():
            when = date.strftime("%d/%m/%Y") if date else WEEKDAYS_FR[wd]
            unknown = f" ; {n_no_hours} sans horaires, comptés comme fermés" if n_no_hours else ""
            raise NoSiteError(
                f"aucun site ouvert le {when} pour : {', '.join(what) or 'la sélection'} "
                f"({int(mask.sum())} site(s) de ce type, aucun ouvert ce jour-là d'après ses horaires{unknown})"
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
    out.attrs["n_unlocated"] = n_unlocated
    out.attrs["n_not_counted"] = n_not_counted
    out.attrs["filter"] = ", ".join(what)
    out.attrs["left_out_kinds"] = {str(k): int(v) for k, v in left_kinds.items()}
    out.attrs["n_closed_day"] = n_closed_day
    out.attrs["n_no_hours"] = n_no_hours
    out.attrs["unknown_hours"] = f.unknown_hours
    out.attrs["day"] = (date.strftime("%d/%m/%Y") if date else WEEKDAYS_FR[wd]) if wd is not None else ""
    return out


def selection_lines(sites: gpd.GeoDataFrame, *, week: bool = False) -> list[str]:
    """What a selection of sites (:func:`select_sites`) counts, per kind, and what it left out and
    why, in French: one line of counts, then one line per reason.

    With ``week`` (``atlas gaps --semaine``), the sites without readable hours are counted too:
    they cover no day.
    """
    attrs = sites.attrs
    per_kind = _column(sites, "kind").value_counts()
    detail = ", ".join(kind_count_fr(str(k), int(n)) for k, n in per_kind.items())
    label = f" ({attrs['filter']})" if attrs.get("filter") else ""
    lines = [f"{len(sites)} site{'s' if len(sites) > 1 else ''} compté{'s' if len(sites) > 1 else ''}{label}"
             + (f" : {detail}" if detail else "")]
    for kind, n in sorted(attrs.get("left_out_kinds", {}).items(), key=lambda kv: -kv[1]):
        lines.append("  " + left_out_fr(kind, n))
    if attrs.get("n_not_counted"):
        n = attrs["n_not_counted"]
        lines.append(f"  {n} non compté{'s' if n > 1 else ''} : fermé(s) définitivement, en brouillon ou hors ligne")
    n_none, day = attrs.get("n_no_hours", 0), attrs.get("day", "")
    if attrs.get("n_closed_day"):
        n = attrs["n_closed_day"]
        among = f", dont {n_none} sans horaires (comptés comme fermés)" if n_none else ""
        lines.append(f"  {n} non compté{'s' if n > 1 else ''} : fermé(s) le {day} d'après leurs horaires{among}")
    elif n_none:  # counted as open (unknown_hours="open")
        lines.append(f"  dont {n_none} sans horaires, comptés comme ouverts le {day}")
    if attrs.get("n_unlocated"):
        n = attrs["n_unlocated"]
        lines.append(f"  {n} non compté{'s' if n > 1 else ''} : sans position (adresse non localisée)")
    if week:
        hours = _column(sites, "opening_hours")
        none = int((hours == "").sum())
        unreadable = int(((hours != "") & ~np.array([is_valid_hours(h) for h in hours], dtype=bool)).sum()) if len(
            hours) else 0
        if none or unreadable:
            parts = [f"{none} sans horaires"] if none else []
            parts += [f"{unreadable} aux horaires illisibles" if unreadable else ""]
            lines.append(f"  {' et '.join(p for p in parts if p)} : ne couvrent aucun jour de la semaine "
                         "(comptés comme fermés chaque jour)")
        else:
            lines.append("  tous les sites ont des horaires : chacun couvre les jours où il est ouvert")
    return lines
