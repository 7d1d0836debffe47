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
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from atlas import settings
from atlas.crs import L93
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
    *,
    epci: str | Sequence[str] | None = None,
    dep: str | Sequence[str] | None = None,
    insee: str | Sequence[str] | None = None,
) -> Territory:
    """The territory of the communes given by EPCI(s), département(s) or INSEE code(s).

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
    Territory
        The communes selected by all the given filters (the whole input when none is given), its
        name, kind and codes; ``reference`` is ``communes``.

    Raises
    ------
    TerritoryError
        When a code does not exist in the reference data (French message).
    AtlasError
        When no commune is left.

    Examples
    --------
    >>> import atlas
    >>> communes = atlas.load_communes()
    >>> atlas.select_territory(communes, dep="62")
    Territory('Département : Pas-de-Calais (62)', kind='dep', codes=('62',), 887 communes)
    >>> atlas.select_territory(communes, insee="62119").name
    'Béthune (62)'
    """
    mask = np.ones(len(communes), dtype=bool)
    sirens: list[str] = []
    deps: list[str] = []

    def _as_list(v: str | Sequence[str]) -> list[str]:
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
    terr = make_territory(communes[mask].copy(), reference=communes)
    given = {"epci": sirens if epci else None, "dep": deps if dep else None}.get(terr.kind)
    if given:  # the codes in the order the caller gave them
        terr.codes = tuple(dict.fromkeys(given))
    return terr


# --------------------------------------------------------------------------- names
def _epci_names(communes: gpd.GeoDataFrame, short_names: bool) -> str:
    names = list(dict.fromkeys(communes["epci_name"].astype(str)))
    short = [k for k, v in EPCI_ALIASES.items() if v in set(communes["epci"])] if short_names else []
    return ", ".join(names) + (f" ({', '.join(short)})" if short else "")


def _dep_names(communes: gpd.GeoDataFrame) -> str:
    return ", ".join(dict.fromkeys(f"{n} ({c})" for c, n in zip(communes["dep"], communes["dep_name"], strict=True)))


def territory_label(communes: Territory | gpd.GeoDataFrame, *, by: str = "content", short_names: bool = False) -> str:
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
    if isinstance(communes, Territory):
        communes = communes.communes
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


def territory_code(communes: Territory | gpd.GeoDataFrame, given: Any = None) -> str:
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
    if isinstance(communes, Territory):
        communes = communes.communes
    if len(communes) == 1:
        return str(communes["insee"].iloc[0])
    if communes["epci"].nunique() == 1:
        siren = str(communes["epci"].iloc[0])
        return next((k.lower() for k, v in EPCI_ALIASES.items() if v == siren), siren)
    if communes["dep"].nunique() == 1:
        return str(communes["dep"].iloc[0])
    return ""


# --------------------------------------------------------------------------- territories
#: The kinds of :class:`Territory`: what its communes make up.
KINDS = ("commune", "epci", "dep", "region", "perimeter")


@dataclass(eq=False, repr=False)
class Territory:
    """A territory: the communes it holds, its name, its kind and codes, its metric CRS.

    Every function of atlas that works on a territory takes one (:func:`select_territory`,
    :func:`atlas.territory`); a GeoDataFrame of communes is also accepted and named by its content
    (:func:`as_territory`).

    Attributes
    ----------
    communes : geopandas.GeoDataFrame
        Its communes (``insee``, ``name``, ``epci``, ``epci_name``, ``dep``, ``dep_name``,
        ``population``, polygons), in :attr:`crs`.
    name : str
        Its name as people write it, printed in titles (« CA de Béthune-Bruay, Artois-Lys Romane »,
        « Département : Pas-de-Calais (62) », « Hauts-de-France »).
    kind : {"commune", "epci", "dep", "region", "perimeter"}
        What its communes make up (``perimeter``: any other set of communes).
    codes : tuple of str
        The official codes of what it is made of: INSEE codes (communes), SIREN (EPCI),
        département codes or the region's code; empty for a perimeter.
    slug : str
        Short code used in default file names (« cabbalr », « 62 », « 62765 »; « » when none).
    crs : str
        The metric CRS its distances and areas are computed in (Lambert-93 for mainland France;
        one per territory, so that overseas territories can carry their own).
    reference : geopandas.GeoDataFrame or None
        Every commune it was chosen from (its surroundings: neighbours, region inset, points of a
        grid that fall just outside); None when only its communes are known.

    Examples
    --------
    >>> import atlas
    >>> cab = atlas.select_territory(atlas.load_communes(), epci="CABBALR")
    >>> cab.name, cab.kind, cab.codes, cab.slug, len(cab)
    ("Communauté d'agglomération de Béthune-Bruay, Artois-Lys Romane", 'epci', ('200072460',), 'cabbalr', 100)
    """

    communes: gpd.GeoDataFrame
    name: str
    kind: str = "perimeter"
    codes: tuple[str, ...] = ()
    slug: str = ""
    crs: str = L93
    reference: gpd.GeoDataFrame | None = field(default=None)

    def __len__(self) -> int:
        """Number of communes."""
        return len(self.communes)

    def __repr__(self) -> str:
        n = len(self.communes)
        return f"Territory({self.name!r}, kind={self.kind!r}, codes={self.codes!r}, {n} commune{'s' * (n != 1)})"

    @functools.cached_property
    def outline(self) -> shapely.Geometry:
        """The territory's outline (:func:`atlas.territory.contours.outline` of its communes),
        computed once for every part of a sheet that needs it."""
        return contours.outline(self.communes)

    @property
    def surroundings(self) -> gpd.GeoDataFrame:
        """:attr:`reference` when known, else the territory's own communes."""
        return self.communes if self.reference is None else self.reference


def _kind_and_codes(sub: gpd.GeoDataFrame, reference: gpd.GeoDataFrame | None) -> tuple[str, tuple[str, ...]]:
    """What ``sub`` makes up: one commune, whole EPCI(s), whole département(s), the region."""
    if len(sub) == 1:
        return "commune", (str(sub["insee"].iloc[0]),)
    ref = sub if reference is None else reference
    whole = functools.partial(_whole, sub, ref)
    if sub["dep"].nunique() == len(settings.REGION_DEPARTEMENTS) and (
            len(sub) == len(ref) if reference is not None else len(sub) > 3000):
        return "region", (settings.REGION_CODE,)
    for kind, column in (("epci", "epci"), ("dep", "dep")):
        if column in sub.columns and whole(column):
            return kind, tuple(dict.fromkeys(str(v) for v in sub[column]))
    return "perimeter", ()


def _whole(sub: gpd.GeoDataFrame, ref: gpd.GeoDataFrame, column: str) -> bool:
    values = set(sub[column].astype(str))
    return int(ref[column].astype(str).isin(values).sum()) == len(sub)


def make_territory(communes: gpd.GeoDataFrame, *, reference: gpd.GeoDataFrame | None = None,
                   given: Any = None, name: str | None = None) -> Territory:
    """A :class:`Territory` of ``communes``, named (:func:`territory_label`) and coded by their content.

    Raises
    ------
    atlas.errors.AtlasError
        No commune.
    """
    if len(communes) == 0:
        raise AtlasError("Territoire vide : aucune commune ne correspond.")
    kind, codes = _kind_and_codes(communes, reference)
    return Territory(communes, name or territory_label(communes), kind, codes, territory_code(communes, given),
                     reference=reference)


def as_territory(territory: Territory | gpd.GeoDataFrame) -> Territory:
    """``territory`` as a :class:`Territory` (a GeoDataFrame of communes is named by its content).

    Raises
    ------
    TypeError
        Anything else (a code must go through :func:`select_territory` or :func:`resolve_territory`).
    """
    if isinstance(territory, Territory):
        return territory
    if isinstance(territory, gpd.GeoDataFrame):
        return make_territory(territory)
    raise TypeError(f"a Territory (atlas.select_territory) is expected, not {type(territory).__name__}")


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
    if isinstance(territory, Territory):
        return territory
    if territory is None or isinstance(territory, gpd.GeoDataFrame):
        sub = communes if territory is None else territory
        return make_territory(sub, reference=communes)
    if isinstance(territory, dict):
        return select_territory(communes, **territory)
    code = str(territory).strip()
    if re.fullmatch(r"\d{1,2}", code):
        terr = select_territory(communes, dep=code)
    elif re.fullmatch(r"\d[\dAB]\d{3}", code):
        terr = select_territory(communes, insee=code)
    else:
        terr = select_territory(communes, epci=code)
    return make_territory(terr.communes, reference=communes, given=territory)


def choose_territory(
    spec: str | Territory | gpd.GeoDataFrame | None = None,
    *,
    communes: gpd.GeoDataFrame | None = None,
    epci: str | Sequence[str] | None = None,
    dep: str | Sequence[str] | None = None,
    insee: str | Sequence[str] | None = None,
) -> Territory:
    """A territory from a code or from filters: what ``atlas.territory(...)`` calls.

    Parameters
    ----------
    spec : str, Territory or GeoDataFrame, optional
        An EPCI short name or SIREN (« CABBALR »), a département (« 62 »), an INSEE code
        (« 62119 »): see :func:`resolve_territory`. Not with ``epci``/``dep``/``insee``.
    communes : geopandas.GeoDataFrame, optional
        The reference communes to choose from (default :func:`atlas.territory.reference.load_communes`).
    epci, dep, insee : str or sequence of str, optional
        Filters of :func:`select_territory`.

    Returns
    -------
    Territory

    Raises
    ------
    TerritoryError
        Unknown code (French message).

    Examples
    --------
    >>> import atlas
    >>> atlas.territory("CAPSO")
    Territory("Communauté d'agglomération du Pays de Saint-Omer", kind='epci', codes=('200069037',), 53 communes)
    >>> atlas.territory(dep=["59", "62"]).kind
    'dep'
    """
    if spec is not None and any(v is not None for v in (epci, dep, insee)):
        raise TypeError("give a territory code or filters (epci, dep, insee), not both")
    if communes is None:
        from atlas.territory.reference import load_communes

        communes = load_communes()
    if spec is not None:
        return resolve_territory(communes, spec)
    return select_territory(communes, epci=epci, dep=dep, insee=insee)
