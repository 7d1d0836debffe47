"""Registry rows placed at their address with the Base Adresse Nationale (BAN).

:mod:`atlas.registry.actors` checks a registry row by row; a row without coordinates whose commune
is known is placed at its town hall (precision ``commune``). When a BAN source is given, the rows
of a registry that also carry an address are then geocoded **together** — one vectorised call per
registry — against the BAN département files (offline, :mod:`atlas.territory.geocoding.ban`), or, only when
asked, with the BAN's online geocoder (:mod:`atlas.territory.geocoding.ban_online`); with both, the files
come first and the rows they leave at the town hall are sent to the online service.

A row placed at its address or on its street gets the BAN point; a row the BAN does not find
stays at its town hall, exactly as without geocoding. Geocoding never rejects a row: it changes
its point and its precision, keeps the score, the BAN address used and the reason in
:data:`atlas.registry.schema.GEOCODE_COLUMNS`, and adds a warning for every row not placed at
its door.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from atlas.errors import AtlasError
from atlas.progress import info
from atlas.registry.schema import PRECISION_LABELS
from atlas.territory.geocoding.address import parse_addresses
from atlas.territory.geocoding.ban import BanIndex, geocode_addresses, load_index
from atlas.territory.geocoding.ban_online import geocode_online

#: The value of ``geocoder`` (``--geocodeur``) that sends addresses to the online service.
ONLINE = "en-ligne"
#: The value meaning « the BAN files only » (the default).
OFFLINE = "hors-ligne"

#: BAN precision (:data:`atlas.territory.geocoding.ban.PRECISIONS`) -> registry precision.
PRECISION_OF_BAN: dict[str, str] = {"adresse": "address", "voie": "street", "lieu-dit": "locality",
                                    "commune": "commune"}  # fmt: skip
#: Registry precision -> the BAN's French word (what ``atlas geocode`` writes back).
BAN_WORD: dict[str, str] = {v: k for k, v in PRECISION_OF_BAN.items()}


@dataclass
class Geocoder:
    """Where addresses are looked up: a BAN index, the online service, or both.

    Attributes
    ----------
    index : BanIndex or None
        Addresses of the BAN files (:func:`atlas.territory.geocoding.ban.load_index`).
    online : bool
        Send to the BAN's online geocoder the rows the files did not place (all rows without
        files).
    url : str or None
        Base URL of the online service (default: ``$ATLAS_GEOCODER_URL``, else the national one).
    """

    index: BanIndex | None = None
    online: bool = False
    url: str | None = None

    def geocode(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Place raw rows (``address``, ``postcode``, ``commune``, ``insee``: today's code).

        Returns
        -------
        pandas.DataFrame
            Same index; the columns of :func:`atlas.territory.geocoding.ban.geocode_addresses` (BAN
            precision words).
        """
        parsed = parse_addresses(frame).assign(insee=frame["insee"].to_numpy())
        out = None
        if self.index is not None:
            out = geocode_addresses(parsed, self.index, insee="insee", commune="commune")
        if self.online:
            todo = parsed if out is None else parsed[out["precision"] == "commune"]
            if len(todo):
                answers = geocode_online(todo, insee="insee", url=self.url)
                out = answers if out is None else _replace_rows(out, answers)
        return out


def _replace_rows(out: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """``out`` with the rows of ``rows`` (same columns) put in place of its own."""
    out = out.copy()
    for col in out.columns:
        out[col] = out[col].astype(object)
        out.loc[rows.index, col] = rows[col].astype(object)
    return out.astype({c: float for c in ("x", "y", "lon", "lat", "score")})


def ban_index(ban: str | Path | BanIndex | None) -> BanIndex | None:
    """The BAN index of a file or folder (loaded once, e.g. for several registries); None without."""
    if isinstance(ban, BanIndex):
        return ban
    return load_index(ban) if ban is not None and str(ban) != "" else None


def make_geocoder(ban: str | Path | BanIndex | None = None, geocoder: str | None = None, *,
                  url: str | None = None) -> Geocoder | None:  # fmt: skip
    """The geocoder for ``ban`` (file or folder of BAN files, or an index) and ``geocoder``.

    Parameters
    ----------
    ban : path or BanIndex, optional
        ``adresses-62.csv.gz``, a folder of such files, or an index already loaded.
    geocoder : str, optional
        ``"en-ligne"`` to use the BAN's online geocoder (never called otherwise); ``None`` or
        ``"hors-ligne"`` for the files only.
    url : str, optional
        Base URL of the online service.

    Returns
    -------
    Geocoder or None
        None when there is nothing to geocode with (rows stay at their town hall).

    Raises
    ------
    AtlasError
        An unknown ``geocoder`` value; :class:`~atlas.errors.BanError` for unreadable BAN files.
    """
    if geocoder not in (None, "", OFFLINE, ONLINE):
        raise AtlasError(
            f"géocodeur inconnu : « {geocoder} » (attendu : {ONLINE}, ou rien pour les fichiers de la BAN)"
        )
    index = ban_index(ban)
    online = geocoder == ONLINE
    if index is None and not online:
        return None
    return Geocoder(index=index, online=online, url=url)


def warning_text(precision: str, reason: str) -> str:
    """The warning of a row not placed at its door: « précision « lieu-dit » : placé au lieu-dit… »."""
    return f"précision « {PRECISION_LABELS[precision]} » : {reason}"


def geocode_records(records: list[dict], geocoder: Geocoder) -> list[tuple[int, str, str]]:
    """Geocode, in one call, the accepted rows that are at their town hall and have an address.

    Parameters
    ----------
    records : list of dict
        Accepted rows of :func:`atlas.registry.actors.validate_actors` (``address``,
        ``postcode``, ``commune``, ``line``, ``id``, ``_x``/``_y`` in Lambert-93, and
        ``_town_insee``: today's code of the commune whose town hall they are placed at). Changed
        in place: ``_x``, ``_y``, ``precision``, the :data:`~atlas.registry.schema.GEOCODE_COLUMNS`
        and ``_geo_insee`` (the commune the BAN placed the row in).
    geocoder : Geocoder

    Returns
    -------
    list of (int, str, str)
        Warnings ``(line, id, message)`` of the rows not placed at their door, with the reason.
    """
    todo = [r for r in records if r.get("_town_insee") and str(r.get("address", "")).strip()]
    if not todo:
        return []
    info(f"Géocodage de {len(todo)} adresse(s) avec la Base Adresse Nationale…")
    frame = pd.DataFrame({c: [str(r.get(c, "")) for r in todo] for c in ("address", "postcode", "commune")})
    frame["insee"] = [r["_town_insee"] for r in todo]
    found = geocoder.geocode(frame)
    notes = []
    for rec, x, y, word, score, label, reason in zip(
        todo, found["x"], found["y"], found["precision"], found["score"], found["label"], found["reason"], strict=True
    ):
        precision = PRECISION_OF_BAN.get(word, "commune")
        placed = precision != "commune" and bool(np.isfinite(x) and np.isfinite(y))
        precision = precision if placed else "commune"
        rec["geocode_score"] = float(score) if placed else float("nan")
        rec["geocode_label"] = label if placed else ""
        rec["geocode_reason"] = reason
        if placed:
            rec["_x"], rec["_y"], rec["precision"] = float(x), float(y), precision
            rec["_geo_insee"] = rec["_town_insee"]
        if precision != "address" or reason:
            notes.append((rec["line"], rec["id"], warning_text(precision, reason or "adresse introuvable")))
    return notes
