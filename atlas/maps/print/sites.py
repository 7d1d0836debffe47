"""The sites printed on a sheet: which ones, in which order, and their table rows in French.

:func:`print_sites` picks the food-aid sites of a territory (a truck's stops one row each) and
numbers them in table order; :func:`table_columns` and :func:`table_rows` turn them into the
paragraphs of the sheet's table (:mod:`atlas.maps.print.typeset`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import geopandas as gpd
import pandas as pd

from atlas import placement
from atlas.maps.pictograms import has_pictogram
from atlas.maps.print import typeset as pl
from atlas.maps.site_table import SITE_COLUMNS, fold, numbered_sites
from atlas.maps.symbols import ALERT, MUTED
from atlas.registry.hours_fr import closures_fr
from atlas.registry.schema import AID_KINDS, SERVICE_LABELS
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
__all__ = ["SITE_COLUMNS", "fold", "print_sites", "table_columns", "table_rows", "typo"]


def print_sites(actors: gpd.GeoDataFrame | None, territory: Territory, kinds: Sequence[str] | None = AID_KINDS
                ) -> pd.DataFrame:
    """The sites printed for a territory, numbered in table order: :func:`atlas.maps.site_table.numbered_sites`,
    the numbering shared with the web page."""
    return numbered_sites(actors, territory, kinds)


# --------------------------------------------------------------------------- table
#: What a cell says when the registry does not give the value (agreeing with its column).
UNKNOWN = "non communiqué"
UNKNOWN_ADDRESS = "non communiquée"
UNKNOWN_HOURS = "non communiqués"
#: Phone numbers and « non communiqué » are never wrapped: the phone column is as wide as the widest.
_PHONE_SAMPLE = "03 21 00 00 00"
_SERVICE_KEYS = {label: key for key, label in SERVICE_LABELS.items()}


def table_columns(width: float = 0.0, phone: bool = True, *, phones: Sequence[str] = (), size: float = 7.5
                  ) -> list[pl.Column]:
    """The table's columns: N°, nom, adresse, commune, horaires, services, public et accès, téléphone.

    The telephone column is always there (a site without a phone reads « non communiqué »), as
    wide as the longest of ``phones`` and « non communiqué » at ``size`` points. ``width`` and
    ``phone`` are kept for callers of earlier versions and are not used.
    """
    del width, phone
    widest = max((placement.text_width_mm(t, size) for t in (*phones, _PHONE_SAMPLE, UNKNOWN)), default=0.0)
    return [
        pl.Column("number", "N°", fixed_mm=8.0),
        pl.Column("name", "Nom", 1.15),
        pl.Column("address", "Adresse", 1.0),
        pl.Column("commune", "Commune", 1.0),
        pl.Column("hours", "Horaires", 1.1),
        pl.Column("services", "Services", 1.0),
        pl.Column("public", "Public et accès", 0.9),
        pl.Column("phone", "Téléphone", fixed_mm=widest + 2.4),
    ]


def service_keys(services: str) -> list[str]:
    """The services of a site's « services » text (French labels joined by commas) as canonical
    values (:data:`atlas.registry.schema.SERVICE_LABELS`), those with a pictogram only."""
    keys = [_SERVICE_KEYS.get(s.strip(), s.strip().replace(" ", "-")) for s in str(services).split(",") if s.strip()]
    return [k for k in dict.fromkeys(keys) if has_pictogram(k)]


def _unknown(text: str = UNKNOWN) -> pl.Paragraph:
    return pl.Paragraph(text, italic=True, color=MUTED)


def table_rows(sites: pd.DataFrame) -> list[dict]:
    """One row of the table per site: paragraphs keyed by column (:func:`table_columns`), plus the
    site's ``_kind`` and ``_located`` for its number's marker, and ``_services`` (canonical services
    with a pictogram). Every column has a value: what the registry does not give reads « non
    communiqué ». The services cell starts with the services' pictograms. A site with a
    ``freshness`` note (:func:`atlas.registry.publication.freshness_note`) carries it under its hours,
    in the style of its temporary closures (a row grows by one line at most)."""
    rows = []
    for _, s in sites.iterrows():
        name = [pl.Paragraph(typo(s["name"]), bold=True)]
        if s["mobile"] and not any(w in fold(s["name"]) for w in ("camion", "itinerant", "bus ")):
            name.append(pl.Paragraph(MOBILE, italic=True, color=MUTED))
        address = [pl.Paragraph(typo(s["address"]))] if s["address"] else [_unknown(UNKNOWN_ADDRESS)]
        if not s["located"]:
            address.append(pl.Paragraph(NOT_LOCATED, italic=True, color=ALERT))
        elif s["approximate"] and s["address"]:  # placed at the town hall although the address is known
            address.append(pl.Paragraph(TOWN_HALL, italic=True, color=MUTED))
        elif s.get("placement"):  # geocoded on the street or at the lieu-dit, not at the door
            address.append(pl.Paragraph(s["placement"], italic=True, color=MUTED))
        commune = " ".join(p for p in (s.get("postcode", ""), s["commune"]) if p)
        known_hours = s["hours"] and fold(s["hours"]) != "horaires non communiques"
        hours = [pl.Paragraph(s["hours"])] if known_hours else [_unknown(UNKNOWN_HOURS)]
        if s.get("closures"):
            closed = closures_fr(s["closures"])
            closed = closed if fold(closed).startswith("ferm") else f"Fermé : {closed}"
            hours.append(pl.Paragraph(typo(closed), italic=True, color=ALERT))
        if s.get("freshness"):  # « informations de mars 2024 — à vérifier »: hours are what goes stale first
            hours.append(pl.Paragraph(typo(s["freshness"]), italic=True, color=ALERT))
        keys = service_keys(s["services"])
        services = [pl.Paragraph(typo(s["services"]), lead=" ".join(keys)) if s["services"] else _unknown()]
        public = [pl.Paragraph(typo(s["public"]))] if s["public"] else [_unknown()]
        phone = [pl.Paragraph(s["phone"].replace(" ", "\u00a0"))] if s["phone"] else [_unknown()]
        rows.append({
            "number": s["number"], "name": name, "address": address, "commune": commune or UNKNOWN,
            "hours": hours, "services": services, "public": public, "phone": phone,
            "_kind": s["kind"], "_located": s["located"], "_approximate": bool(s["approximate"]), "_services": keys,
        })
    return rows
