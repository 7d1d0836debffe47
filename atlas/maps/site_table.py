"""One numbering of sites per territory, shared by the A3 sheet and the web page.

:func:`numbered_sites` picks the food-aid sites of a territory (a truck's stops one row each) and
numbers them by commune then name, located sites first: the number printed on the sheet's
marker and table row (:mod:`atlas.maps.print.sites`) is the number on the web page's marker,
popup, search result and list (:mod:`atlas.maps.web.render`) for the same territory and registry.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from atlas.registry.hours_fr import humanize_hours
from atlas.registry.schema import ACCESS_LABELS, AID_KINDS, NETWORK_LABELS, PRECISION_NOTES, SERVICE_LABELS
from atlas.territory.selection import Territory
from atlas.text import clean_text
from atlas.text import fold as fold_text

# --------------------------------------------------------------------------- text


def fold(text: str) -> str:
    """Text without accents, case-folded: the key of French alphabetical order."""
    return fold_text(text).casefold()


# --------------------------------------------------------------------------- sites
SITE_COLUMNS = ["number", "id", "name", "kind", "address", "commune", "hours", "services", "public",
                "phone", "x", "y", "located", "approximate", "mobile", "fictitious", "updated"]  # fmt: skip


def numbered_sites(actors: gpd.GeoDataFrame | None, territory: Territory,
                   kinds: Sequence[str] | None = AID_KINDS) -> pd.DataFrame:
    """The sites of a territory, numbered in table order (the A3 sheet's and the web page's numbers).

    Sites are those of ``kinds`` (all kinds when ``None``) whose commune belongs to the
    territory. A truck's stops are printed one row each (« camion itinérant ») and inherit the
    truck's hours, services, public and phone when theirs are blank; the truck's own row is
    left out when its stops are printed. Numbers follow commune then name; sites with no
    position come last, numbered « – » (no marker).

    Returns
    -------
    pandas.DataFrame
        Columns of :data:`SITE_COLUMNS`: French text ready for people (hours via
        :func:`atlas.registry.hours.humanize_hours`, services via
        :data:`atlas.registry.schema.SERVICE_LABELS`), Lambert-93 ``x``/``y`` (NaN when not located),
        ``located`` (a marker is drawn), ``approximate`` (marker at the town hall: the address
        is not located), ``mobile``; and ``placement``, said under the address when the marker
        is on the site's street or at its lieu-dit rather than at its door (« adresse approchée
        (rue) », :data:`atlas.registry.schema.PRECISION_NOTES`).
    """
    if actors is None or len(actors) == 0:
        return pd.DataFrame(columns=SITE_COLUMNS)
    insee = set(territory.communes["insee"])
    act = actors[actors["insee"].astype(str).isin(insee)]
    if kinds is not None:
        act = act[act["kind"].isin(list(kinds))]
    by_id = actors.set_index(actors["id"].astype(str), drop=False)
    stops_of = {clean_text(r) for r in act.get("route", pd.Series(dtype=str)) if clean_text(r)}
    rows = []
    for _, a in act.iterrows():
        rid = clean_text(a["id"])
        route = clean_text(a.get("route", ""))
        mobile = clean_text(a.get("mode", "")) == "mobile"
        if mobile and not route and rid in stops_of:
            continue  # the truck itself: its stops are printed
        parent = by_id.loc[route] if route and route in by_id.index else None
        if isinstance(parent, pd.DataFrame):
            parent = parent.iloc[0]

        def field_(col: str, _a: pd.Series = a, _p: Any = parent) -> str:
            v = clean_text(_a.get(col, ""))
            return v or (clean_text(_p.get(col, "")) if _p is not None else "")

        geom = a.geometry
        has_point = geom is not None and not shapely.is_empty(geom)
        precision = clean_text(a.get("precision", ""))
        services = [SERVICE_LABELS.get(x.strip(), x.strip().replace("-", " "))
                    for x in field_("services").split(",") if x.strip()]
        public = [field_("public")]
        access = ACCESS_LABELS.get(field_("access"), "")
        if access and access not in public[0]:
            public.append(access)
        price = field_("price")
        if price:
            plain = fold(price).startswith(("particip", "gratuit", "prix", "tarif", "sans"))
            public.append(price if plain else f"participation : {price}")
        hours = humanize_hours(field_("opening_hours")) if field_("opening_hours") else "horaires non communiqués"
        closures = field_("closures")
        network = NETWORK_LABELS.get(clean_text(a.get("network", "")).split(",")[0], "")
        rows.append({
            "id": rid,
            "name": clean_text(a["name"]),
            "network": network if network and fold(network)[:8] not in fold(clean_text(a["name"])) else "",
            "kind": clean_text(a["kind"]),
            "address": clean_text(a.get("address", "")),
            "postcode": clean_text(a.get("postcode", "")),
            "commune": clean_text(a.get("commune_name", "")) or clean_text(a.get("commune", "")),
            "hours": hours,
            "closures": closures,
            "services": ", ".join(services),
            "public": " ; ".join(p for p in public if p),
            "phone": field_("phone"),
            "x": geom.x if has_point else np.nan,
            "y": geom.y if has_point else np.nan,
            "located": has_point,
            "approximate": has_point and precision == "commune",
            "placement": PRECISION_NOTES.get(precision, "") if has_point else "",
            "mobile": mobile or bool(route),
            "fictitious": bool(a.get("fictitious", False)),
            "updated": clean_text(a.get("updated", "")),
        })
    df = pd.DataFrame(rows, columns=[*SITE_COLUMNS, "network", "postcode", "closures", "placement"])
    if df.empty:
        return df
    df["_k1"] = ~df["located"].astype(bool)
    df["_k2"] = df["commune"].map(fold)
    df["_k3"] = df["name"].map(fold)
    df = df.sort_values(["_k1", "_k2", "_k3"], kind="stable").drop(columns=["_k1", "_k2", "_k3"])
    df = df.reset_index(drop=True)
    n_loc = int(df["located"].sum())
    df["number"] = [str(i + 1) if i < n_loc else "–" for i in range(len(df))]
    return df


def site_numbers(actors: gpd.GeoDataFrame | None, territory: Territory,
                 kinds: Sequence[str] | None = AID_KINDS) -> dict[str, int]:
    """Actor id → number of the located sites of :func:`numbered_sites` (unlocated ones have none)."""
    sites = numbered_sites(actors, territory, kinds)
    return {i: int(n) for i, n in zip(sites.get("id", []), sites.get("number", []), strict=True) if n.isdigit()}


#: The registry named in the sources when no title is given (never a file name).
DEMO_REGISTRY = "registre de démonstration d'atlas (lieux fictifs et acteurs cités par les PAT)"
DEFAULT_REGISTRY = "registre des lieux d'aide alimentaire"


def registry_label(actors: gpd.GeoDataFrame | None, registry: str | None = None, *, editor: str | None = None) -> str:
    """How the sources name the registry: its title (``--titre-registre``), else what it is —
    the demonstration registry, or the registry of food-aid sites kept by ``editor`` — never a
    file name. Used by the A3 sheet and the web page alike."""
    if clean_text(registry):
        return clean_text(registry)
    if actors is not None and len(actors) and "fictitious" in actors.columns and actors["fictitious"].astype(bool).any():
        return DEMO_REGISTRY
    return f"{DEFAULT_REGISTRY} tenu par {clean_text(editor)}" if clean_text(editor) else DEFAULT_REGISTRY
