"""Choosing a territory: communes selected by EPCI, département or commune, and their names.

One home for what every output says about a territory: :func:`select_territory` (communes of
EPCI(s), département(s), commune(s)), :func:`resolve_territory` (anything a caller may give, as a
:class:`Territory` with its French label and short code), :func:`territory_label` (the French name
printed in titles) and :func:`territory_code` (the short code used in file names).

Typical use::

    from atlas.territory.reference import load_communes
    from atlas.territory.selection import resolve_territory, select_territory
    communes = load_communes()
    cab = select_territory(communes, epci="CABBALR")
    terr = resolve_territory(communes, "62")  # Territory(communes, "Département : Pas-de-Calais (62)", "62")
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from atlas import settings
from atlas.errors import AtlasError, TerritoryError
from atlas.territory import contours

#: Short names that PAT staff use for their EPCI, mapped to the SIREN.
EPCI_ALIASES: dict[str, str] = {
    "CABBALR": "200072460",  # Béthune-Bruay, Artois-Lys Romane
    "CAPSO": "200069037",  # Pays de Saint-Omer
    "CALL": "246200364",  # Lens-Liévin
    "CAHC": "246200299",  # Hénin-Carvin
    "CUD": "245900428",  # Communauté urbaine de Dunkerque
    "MEL": "200093201",  # Métropole européenne de Lille
    "CAB": "246200729",  # Boulonnais
    "AMIENS": "248000531",  # Amiens Métropole
}

#: The ways :func:`territory_label` names a territory.
LABEL_MODES = ("content", "epci", "dep", "region")


# --------------------------------------------------------------------------- selection
def resolve_epci(code: str, communes: gpd.GeoDataFrame) -> str:
    """Return the SIREN of an EPCI given its SIREN, a known short name, or its exact name."""
    raw = str(code).strip()
    siren = EPCI_ALIASES.get(raw.upper(), raw)
    if siren in set(communes["epci"]):
        return siren
    by_name = communes.loc[communes["epci_name"].str.casefold() == raw.casefold(), "epci"]
    if len(by_name):
        return str(by_name.iloc[0])
    raise TerritoryError(
        f"Territoire inconnu : EPCI « {raw} » (SIREN à 9 chiffres ou sigle connu : "
        f"{', '.join(sorted(EPCI_ALIASES))})."
    )


def select_territory(
    communes: gpd.GeoDataFrame,
    epci: str | list[str] | None = None,
    dep: str | list[str] | None = None,
    insee: str | list[str] | None = None,
) -> gpd.GeoDataFrame:
    """Communes of a territory given by EPCI(s), département(s) or INSEE code(s).

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        Reference communes (:func:`atlas.territory.reference.load_communes`).
    epci : str or list of str, optional
        EPCI SIREN codes or short names (« CABBALR », « CAPSO », « CALL »...).
    dep : str or list of str, optional
        Département codes (« 62 », « 2A »...).
    insee : str or list of str, optional
        INSEE codes of communes (strings, leading zeros kept).

    Returns
    -------
    geopandas.GeoDataFrame
        The communes selected by all the given filters (the whole input when none is given).

    Raises
    ------
    TerritoryError
        When a code does not exist in the reference data (French message).
    """
    mask = np.ones(len(communes), dtype=bool)

    def _as_list(v: str | list[str]) -> list[str]:
        return [v] if isinstance(v, str) else list(v)

    if epci:
        sirens = [resolve_epci(e, communes) for e in _as_list(epci)]
        mask &= communes["epci"].isin(sirens).to_numpy()
    if dep:
        deps = [str(d).strip().zfill(2) for d in _as_list(dep)]
        unknown = sorted(set(deps) - set(communes["dep"]))
        if unknown:
            raise TerritoryError(
                f"Territoire inconnu : département « {', '.join(unknown)} » "
                f"(départements de la région : {', '.join(settings.REGION_DEPARTEMENTS)})."
            )
        mask &= communes["dep"].isin(deps).to_numpy()
    if insee:
        codes = [str(c).strip() for c in _as_list(insee)]
        unknown = sorted(set(codes) - set(communes["insee"]))
        if unknown:
            raise TerritoryError(f"Territoire inconnu : commune « {', '.join(unknown)} ».")
        mask &= communes["insee"].isin(codes).to_numpy()
    return communes[mask].copy()


# --------------------------------------------------------------------------- names
def _epci_names(communes: gpd.GeoDataFrame, short_names: bool) -> str:
    names = list(dict.fromkeys(communes["epci_name"].astype(str)))
    short = [k for k, v in EPCI_ALIASES.items() if v in set(communes["epci"])] if short_names else []
    return ", ".join(names) + (f" ({', '.join(short)})" if short else "")


def _dep_names(communes: gpd.GeoDataFrame) -> str:
    return ", ".join(dict.fromkeys(f"{n} ({c})" for c, n in zip(communes["dep"], communes["dep_name"], strict=True)))


def territory_label(communes: gpd.GeoDataFrame, *, by: str = "content", short_names: bool = False) -> str:
    """The French name of a territory, as titles print it.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        The territory's communes (``name``, ``dep``, ``dep_name``, ``epci``, ``epci_name``).
    by : {"content", "epci", "dep", "region"}
        What the name says. ``"content"`` (print maps) describes what the communes make up:
        « Béthune (62) » for one commune, the EPCI's name for the communes of one EPCI,
        « Département : Pas-de-Calais (62) » for a whole département (more than 300 communes),
        the region's name for the whole region, else « 12 communes (59, 62) ». ``"epci"`` gives
        the names of the communes' EPCIs, ``"dep"`` their départements with their codes
        (« Nord (59), Pas-de-Calais (62) »), ``"region"`` the region's name (« Hauts-de-France »).
    short_names : bool
        With ``by="epci"``, add the EPCIs' known short names in parentheses (« (CABBALR) »).

    Returns
    -------
    str
    """
    if by == "epci":
        return _epci_names(communes, short_names)
    if by == "dep":
        return _dep_names(communes)
    if by == "region":
        return settings.REGION_NAME
    if by != "content":
        raise ValueError(f"by must be one of {LABEL_MODES}, not {by!r}")
    if len(communes) == 1:
        return f"{communes['name'].iloc[0]} ({communes['dep'].iloc[0]})"
    if communes["epci"].nunique() == 1:
        return str(communes["epci_name"].iloc[0])
    if communes["dep"].nunique() == 1 and len(communes) > 300:
        return f"Département : {communes['dep_name'].iloc[0]} ({communes['dep'].iloc[0]})"
    if communes["dep"].nunique() == len(settings.REGION_DEPARTEMENTS) and len(communes) > 3000:
        return settings.REGION_NAME
    return f"{len(communes)} communes ({', '.join(sorted(communes['dep'].unique()))})"


def territory_code(communes: gpd.GeoDataFrame, given: Any = None) -> str:
    """Short code of a territory, used in default file names (« cabbalr », « 62 », « 62765 »).

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        The territory's communes.
    given : optional
        What the caller named the territory with: a string is its own code (lower case).

    Returns
    -------
    str
        The code, or « » when the communes are not one commune, EPCI or département.
    """
    if isinstance(given, str):
        return given.strip().lower()
    if len(communes) == 1:
        return str(communes["insee"].iloc[0])
    if communes["epci"].nunique() == 1:
        siren = str(communes["epci"].iloc[0])
        return next((k.lower() for k, v in EPCI_ALIASES.items() if v == siren), siren)
    if communes["dep"].nunique() == 1:
        return str(communes["dep"].iloc[0])
    return ""


# --------------------------------------------------------------------------- territories
@dataclass
class Territory:
    """A territory to map: its communes, a French label and a short code."""

    communes: gpd.GeoDataFrame
    label: str
    code: str = ""

    @functools.cached_property
    def outline(self) -> shapely.Geometry:
        """The territory's outline (:func:`atlas.territory.contours.outline` of its communes),
        computed once for every part of a sheet that needs it."""
        return contours.outline(self.communes)


def resolve_territory(communes: gpd.GeoDataFrame, territory: Any = None) -> Territory:
    """Turn what the caller gave into a :class:`Territory`.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        Reference communes (see :func:`atlas.territory.reference.load_communes`).
    territory : str, dict, GeoDataFrame, Territory or None
        ``None`` (all the given communes), an EPCI SIREN or short name (« CABBALR »), a
        département code (« 62 »), an INSEE code (5 characters), a dict of
        :func:`select_territory` arguments (``{"epci": ..., "dep": ..., "insee": ...}``), a
        subset of ``communes`` or a :class:`Territory` (returned as it is).

    Returns
    -------
    Territory
        Labelled by :func:`territory_label` (``by="content"``), coded by :func:`territory_code`.

    Raises
    ------
    atlas.errors.TerritoryError
        Unknown code (French message).
    atlas.errors.AtlasError
        No commune in the territory.
    """
    if territory is None:
        sub = communes
    elif isinstance(territory, Territory):
        return territory
    elif isinstance(territory, gpd.GeoDataFrame):
        sub = territory
    elif isinstance(territory, dict):
        sub = select_territory(communes, **territory)
    else:
        code = str(territory).strip()
        if re.fullmatch(r"\d{1,2}", code):
            sub = select_territory(communes, dep=code)
        elif re.fullmatch(r"\d[\dAB]\d{3}", code):
            sub = select_territory(communes, insee=code)
        else:
            sub = select_territory(communes, epci=code)
    if len(sub) == 0:
        raise AtlasError("Territoire vide : aucune commune ne correspond.")
    return Territory(sub, territory_label(sub), territory_code(sub, territory))
