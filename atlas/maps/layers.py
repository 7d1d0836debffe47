"""Analysis layers of the maps, computed here for both outputs (printed PDF and web page).

Three layers can be drawn over the communes:

- zones blanches: communes farther than a distance (straight line) from every food-aid site
  (:func:`atlas.analysis.coverage.zones_blanches`);
- access bands: communes coloured by the distance to the nearest food-aid site
  (:func:`atlas.analysis.distances.commune_access`, cut by :func:`access_band_polygons`);
- partnerships: one line between partner actors
  (:func:`atlas.registry.partnerships.partnership_lines`), from the demonstration partnerships
  registry or a given file.

What may be shown follows :mod:`atlas.registry.publication` (an :class:`Audience`): zones
blanches and access bands count the sites in service, professional-only ones included (they
serve people, by referral), never the permanently closed ones, nor drafts unless asked; lines
and tooltips name only sites shown on the map, so a public map never points at a hidden site.

Both renderers take them as one :class:`MapLayers` (``layers=`` of
:func:`atlas.maps.print.render.render_map` and :func:`atlas.maps.web.render.write_webmap`).
:func:`analysis_layers` builds it as the print command and the demo draw it, :func:`web_layers` as
the web command draws it (zones blanches with their tooltips).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np

from atlas.analysis.coverage import Coverage, zones_blanches
from atlas.analysis.distances import commune_access
from atlas.analysis.sites import SiteFilter, select_sites
from atlas.fr import decimal_fr, integer_fr, number_fr
from atlas.registry.partnerships import load_partnerships, partnership_lines
from atlas.registry.publication import Audience, public_sites
from atlas.territory.selection import Territory, as_territory

#: Distance bands of the access layer (km, straight line unless a road network is used).
ACCESS_BANDS_KM: tuple[float, ...] = (2.0, 5.0, 10.0, 15.0)


@dataclass(frozen=True, eq=False)
class MapLayers:
    """The analysis layers drawn over the communes of a map (printed sheet and web page).

    Attributes
    ----------
    zones : geopandas.GeoDataFrame, optional
        Communes of the zones blanches: with ``zones_column``, only the rows where that column is
        true are zones blanches; without it, every row is (tooltips from ``label``, ``name``).
    zones_column : str, optional
        The boolean column of ``zones`` (« zone_blanche_10km »).
    zones_label : str, optional
        Their entry in the printed legend (default « Zone blanche : commune éloignée de tout lieu »).
    bands : geopandas.GeoDataFrame, optional
        Access bands: polygons (or communes with ``insee``) with a ``bands_column``.
    bands_column : str
        The label column of ``bands`` (default ``band``).
    partnerships : geopandas.GeoDataFrame, optional
        LineStrings between partner actors (optional ``weight``, ``source``, ``target``, ``kind``,
        ``label``).
    partnerships_label : str, optional
        Their entry in the printed legend (default « Partenariat entre acteurs »).

    Examples
    --------
    >>> import atlas
    >>> built = atlas.load()
    >>> layers = atlas.analysis_layers(atlas.territory(communes=built.communes), built.actors,
    ...                                zones_blanches_km=10)
    >>> layers.zones_column, layers.bands is None
    ('zone_blanche_10km', True)
    """

    zones: gpd.GeoDataFrame | None = None
    zones_column: str | None = None
    zones_label: str | None = None
    bands: gpd.GeoDataFrame | None = None
    bands_column: str = "band"
    partnerships: gpd.GeoDataFrame | None = None
    partnerships_label: str | None = None

    def zone_rows(self) -> gpd.GeoDataFrame | None:
        """The rows of ``zones`` that are zones blanches (all of them without ``zones_column``)."""
        zones = self.zones
        if zones is None:
            return None
        col = self.zones_column
        return zones[zones[col].astype(bool)] if col and col in zones.columns else zones


# --------------------------------------------------------------------------- access bands
def access_band_polygons(access: gpd.GeoDataFrame, bands_km: Sequence[float] = ACCESS_BANDS_KM,
                         dissolve: bool = False) -> gpd.GeoDataFrame:
    """Dissolve communes into distance bands (« moins de 2 km », « 2 à 5 km », …).

    Parameters
    ----------
    access : geopandas.GeoDataFrame
        Communes with ``distance_m`` (:func:`atlas.analysis.distances.commune_access`).
    bands_km : sequence of float
        Upper bounds of the bands, increasing.
    dissolve : bool, default False
        One polygon per band; by default one row per commune (``insee``, ``name``), which the
        web map draws from the commune polygons already in the page at no extra size.

    Returns
    -------
    geopandas.GeoDataFrame
        ``band`` (French label), ``band_max`` (km, ``inf`` for the last), geometry (Lambert-93).
    """
    edges = [0.0, *sorted(float(b) for b in bands_km), float("inf")]

    def fr(x: float) -> str:
        return number_fr(x)

    labels = [f"moins de {fr(edges[1])} km"]
    labels += [f"{fr(lo)} à {fr(hi)} km" for lo, hi in zip(edges[1:-2], edges[2:-1], strict=True)]
    labels.append(f"plus de {fr(edges[-2])} km")
    km = access["distance_m"].astype(float).to_numpy() / 1000
    idx = np.searchsorted(edges[1:-1], km, side="right")
    idx = np.where(np.isnan(km), len(labels) - 1, idx)
    out = gpd.GeoDataFrame({"band_i": idx}, geometry=access.geometry.to_numpy(), crs=access.crs)
    if not dissolve:
        out["insee"] = access["insee"].astype(str).to_numpy()
        out["name"] = access["name"].astype(str).to_numpy()
    else:
        out = out.dissolve(by="band_i").reset_index()
    out["band"] = [labels[i] for i in out["band_i"]]
    out["band_max"] = [edges[i + 1] for i in out["band_i"]]
    return out[[*(["insee", "name"] if not dissolve else []), "band", "band_max", "geometry"]]


def access_bands_layer(communes: gpd.GeoDataFrame, actors: gpd.GeoDataFrame, *,
                       include_drafts: bool = False) -> gpd.GeoDataFrame:
    """Access bands of ``communes``: straight-line distance to the nearest food-aid site of ``actors``.

    Sites are those in service (:class:`atlas.analysis.sites.SiteFilter`: draft and offline ones
    only with ``include_drafts``).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per commune, in the communes' order (:func:`access_band_polygons`).
    """
    return access_band_polygons(commune_access(communes, select_sites(actors, SiteFilter(include_drafts=include_drafts))))


# --------------------------------------------------------------------------- zones blanches
def zones_blanches_layer(communes: gpd.GeoDataFrame, actors: gpd.GeoDataFrame, km: float, *,
                         include_drafts: bool = False) -> Coverage:
    """Every commune with a boolean column telling whether it is a zone blanche at ``km`` km.

    Distances are straight lines to the nearest food-aid site in service of the whole registry
    (:func:`atlas.analysis.coverage.zones_blanches`; draft and offline sites only with
    ``include_drafts``); :func:`zones_column` names the column.
    """
    return zones_blanches(communes, select_sites(actors, SiteFilter(include_drafts=include_drafts)),
                          thresholds_km=(km,))


def zones_legend(km: float) -> str:
    """Legend entry of the zones blanches at ``km`` km on the printed map."""
    text = number_fr(km)
    return f"Zone blanche : à plus de {text} km (à vol d'oiseau) de tout lieu d'aide"


def far_communes(zones: Coverage, *, shown_ids: set[str] | None = None) -> gpd.GeoDataFrame:
    """The zones blanches of a :func:`zones_blanches_layer`, with a French tooltip ``label``.

    Parameters
    ----------
    zones : Coverage
        :func:`zones_blanches_layer`.
    shown_ids : set of str, optional
        Ids of the sites shown on the map: the nearest site is named only when it is one of them
        (a site reserved to professionals is never named on a public map). None names every site.

    Returns
    -------
    geopandas.GeoDataFrame
        ``insee``, ``name``, ``label`` (« Ruisseauville (150 hab.) — lieu d'aide le plus proche à
        12,3 km : … »), geometry.
    """
    frame = zones.frame
    far = frame[frame[zones.zones_column()].astype(bool)].copy()
    names = far["site_name"].fillna("").astype(str)
    if shown_ids is not None and "site_id" in far.columns:
        names = names.where(far["site_id"].astype(str).isin(shown_ids), "")
    far["label"] = [
        f"{n} ({integer_fr(p)} hab.) — lieu d'aide le plus proche à {decimal_fr(d / 1000, 1)} km"
        + (f" : {s}" if s else "")
        for n, p, d, s in zip(far["name"], far["population"], far["distance_m"].astype(float), names, strict=True)
    ]
    return far[["insee", "name", "label", "geometry"]]


# --------------------------------------------------------------------------- partnerships
def partnership_lines_layer(actors: gpd.GeoDataFrame, source: bool | str | Path = True, *,
                            shown: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """Accepted partnerships between ``actors`` as lines.

    Parameters
    ----------
    actors : geopandas.GeoDataFrame
        Accepted actors (the partnerships registry is checked against all of them).
    source : True or path
        ``True`` for the demonstration partnerships registry, else the partnerships file to read.
    shown : geopandas.GeoDataFrame, optional
        The actors shown on the map (:func:`atlas.registry.publication.public_sites`): a line is
        drawn only between two of them. Default: every actor.

    Returns
    -------
    geopandas.GeoDataFrame
        LineStrings (:func:`atlas.registry.partnerships.partnership_lines`).
    """
    parts, _ = load_partnerships(actors, partnerships=None if source is True else Path(source))
    return partnership_lines(parts.accepted, actors if shown is None else shown)


# --------------------------------------------------------------------------- map layers
def analysis_layers(
    territory: Territory | gpd.GeoDataFrame,
    actors: gpd.GeoDataFrame,
    *,
    zones_blanches_km: float | None = None,
    access: bool = False,
    partnerships: bool | str | Path = False,
    audience: Audience | None = None,
) -> MapLayers:
    """Layers of the analysis issues, ready for ``layers=`` of both renderers.

    Parameters
    ----------
    territory : Territory or GeoDataFrame
        The territory to analyse (the whole region for an atlas; sites are taken from the whole
        registry anyway).
    actors : geopandas.GeoDataFrame
        Accepted actors.
    zones_blanches_km : float, optional
        Shade communes farther than this (straight line) from every food-aid site.
    access : bool
        Access bands (distance to the nearest food-aid site), nearest band first.
    partnerships : bool or path
        Partnerships as lines, from the demonstration partnerships registry (``True``) or the
        given file.
    audience : Audience, optional
        Who the map is for (:class:`atlas.registry.publication.Audience`, default the public):
        drafts counted or not, partnership lines only between the actors shown.

    Returns
    -------
    MapLayers
        Only the layers asked for.

    Examples
    --------
    >>> import atlas
    >>> built = atlas.load()
    >>> layers = atlas.analysis_layers(atlas.territory("CAPSO", communes=built.communes), built.actors, access=True)
    >>> sorted(set(layers.bands["band"]))[:2], layers.zones is None
    (['10 à 15 km', '2 à 5 km'], True)
    """
    communes = as_territory(territory).communes
    aud = audience or Audience()
    fields: dict[str, object] = {}
    if zones_blanches_km is not None:
        zb = zones_blanches_layer(communes, actors, zones_blanches_km, include_drafts=aud.include_drafts)
        fields.update(zones=zb.frame, zones_column=zb.zones_column(), zones_label=zones_legend(zones_blanches_km))
    if access:
        bands = access_bands_layer(communes, actors, include_drafts=aud.include_drafts)
        fields["bands"] = bands.sort_values("band_max", kind="stable")
    if partnerships:
        shown = public_sites(actors, professionals=aud.professionals, include_drafts=aud.include_drafts)
        fields["partnerships"] = partnership_lines_layer(actors, partnerships, shown=shown)
    return MapLayers(**fields)  # type: ignore[arg-type]


def web_layers(
    territory: Territory | gpd.GeoDataFrame,
    actors: gpd.GeoDataFrame,
    *,
    zones_blanches_km: float | None = None,
    access: bool = False,
    partnerships: bool | str | Path = False,
    audience: Audience | None = None,
) -> MapLayers:
    """The analysis layers as the ``atlas web`` command draws them.

    As :func:`analysis_layers`, but ``zones`` holds only the zones blanches, each with its
    tooltip (:func:`far_communes`, naming the nearest site only when it is shown to this
    ``audience``), and ``bands`` keeps the communes' order.

    Returns
    -------
    MapLayers
        Only the layers asked for.
    """
    communes = as_territory(territory).communes
    aud = audience or Audience()
    shown = public_sites(actors, professionals=aud.professionals, include_drafts=aud.include_drafts)
    fields: dict[str, object] = {}
    if zones_blanches_km is not None:
        zb = zones_blanches_layer(communes, actors, zones_blanches_km, include_drafts=aud.include_drafts)
        fields["zones"] = far_communes(zb, shown_ids=set(shown["id"].astype(str)))
    if access:
        fields["bands"] = access_bands_layer(communes, actors, include_drafts=aud.include_drafts)
    if partnerships:
        fields["partnerships"] = partnership_lines_layer(actors, partnerships, shown=shown)
    return MapLayers(**fields)  # type: ignore[arg-type]
