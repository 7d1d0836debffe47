"""The sites printed on a sheet: which ones, in which order, and their table rows in French.

:func:`print_sites` picks the food-aid sites of a territory (a truck's stops one row each) and
numbers them in table order; :func:`table_columns` and :func:`table_rows` turn them into the
paragraphs of the sheet's table (:mod:`atlas.maps.print.layout`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import geopandas as gpd
import pandas as pd

from atlas import placement
from atlas.maps.numbering import SITE_COLUMNS, clean, fold, numbered_sites
from atlas.maps.print import layout as pl
from atlas.maps.symbols import ALERT, MUTED
from atlas.registry.hours_fr import closures_fr
from atlas.registry.schema import AID_KINDS
from atlas.territory.selection import Territory

NOT_LOCATED = "adresse non localisée"
NO_ADDRESS = "adresse non communiquée (repère : mairie)"
TOWN_HALL = "repère sur la carte : mairie"
MOBILE = "camion itinérant"


# --------------------------------------------------------------------------- text
def typo(text: str) -> str:
    """French typography: no-break spaces before « ; : ! ? % € » and inside « guillemets »."""
    text = re.sub(r" ([;:!?%€»])", "\u00a0\\1", text)
    return re.sub(r"« ", "«\u00a0", text)


# --------------------------------------------------------------------------- sites
__all__ = ["SITE_COLUMNS", "clean", "fold", "print_sites", "table_columns", "table_rows", "typo"]


def print_sites(actors: gpd.GeoDataFrame | None, territory: Territory, kinds: Sequence[str] | None = AID_KINDS
                ) -> pd.DataFrame:
    """The sites printed for a territory, numbered in table order: :func:`atlas.maps.numbering.numbered_sites`,
    the numbering shared with the web page."""
    return numbered_sites(actors, territory, kinds)


# --------------------------------------------------------------------------- table
def table_columns(width: float, phone: bool = True) -> list[pl.Column]:
    """The table's columns (the phone column is left out when no site has a phone)."""
    num_w = 8.0
    phone_w = placement.text_width_mm("03 21 00 00 00", 7.5) + 2.6
    cols = [
        pl.Column("number", "N°", fixed_mm=num_w),
        pl.Column("name", "Nom", 1.15),
        pl.Column("address", "Adresse", 1.0),
        pl.Column("commune", "Commune", 1.0),
        pl.Column("hours", "Horaires", 1.1),
        pl.Column("services", "Services", 1.0),
        pl.Column("public", "Public et accès", 0.9),
        pl.Column("phone", "Téléphone", fixed_mm=phone_w),
    ]
    return cols if phone else cols[:-1]


def table_rows(sites: pd.DataFrame) -> list[dict]:
    """One row of the table per site: paragraphs keyed by column (:func:`table_columns`), plus the
    site's ``_kind`` and ``_located`` for its number's marker. A site with a ``freshness`` note
    (:func:`atlas.registry.publication.freshness_note`) carries it under its hours, in the style of
    its temporary closures (a row grows by one line at most)."""
    rows = []
    for _, s in sites.iterrows():
        name = [pl.Paragraph(typo(s["name"]), bold=True)]
        if s["mobile"]:
            name.append(pl.Paragraph(MOBILE, italic=True, color=MUTED))
        address = [pl.Paragraph(typo(s["address"]))] if s["address"] else []
        if not s["located"]:
            address.append(pl.Paragraph(NOT_LOCATED, italic=True, color=ALERT))
        elif s["approximate"]:  # placed at the town hall: say so, and that the address is missing
            address.append(pl.Paragraph(TOWN_HALL if s["address"] else NO_ADDRESS, italic=True, color=MUTED))
        elif s.get("placement"):  # geocoded on the street or at the lieu-dit, not at the door
            address.append(pl.Paragraph(s["placement"], italic=True, color=MUTED))
        commune = " ".join(p for p in (s.get("postcode", ""), s["commune"]) if p)
        hours = [pl.Paragraph(s["hours"])]
        if s.get("closures"):
            closed = closures_fr(s["closures"])
            closed = closed if fold(closed).startswith("ferm") else f"Fermé : {closed}"
            hours.append(pl.Paragraph(typo(closed), italic=True, color=ALERT))
        if s.get("freshness"):  # « informations de mars 2024 — à vérifier »: hours are what goes stale first
            hours.append(pl.Paragraph(typo(s["freshness"]), italic=True, color=ALERT))
        rows.append({
            "number": s["number"], "name": name, "address": address, "commune": commune,
            "hours": hours, "services": typo(s["services"]), "public": typo(s["public"]),
            "phone": s["phone"].replace(" ", "\u00a0"), "_kind": s["kind"], "_located": s["located"],
        })
    return rows
