"""What may be shown to whom: a site's status, visibility and freshness decide where it appears.

One rule, used by the analyses, the maps and the build report alike:

- a site **permanently closed** (``status == "closed"``) is kept in the GeoPackage, as closed, but is
  never on a map nor counted in coverage;
- a **draft** or **offline** site (``draft``, ``offline``) is left out of maps and coverage, unless
  ``include_drafts`` asks for it (an internal check before publishing);
- a site **reserved to professionals** (``visibility == "pro"``) is never on a map for the public;
  it counts for coverage (it serves people, by referral) and is on maps made for professionals
  (``professionals=True``), which say so;
- a site whose information is older than ``months`` months (12 by default) carries « informations
  de mars 2024 — à vérifier » on paper and screen.

Typical use::

    from atlas.registry.publication import coverage_sites, public_sites, freshness_notes
    on_the_map = public_sites(actors)                      # atlas print, atlas web
    for_coverage = coverage_sites(actors)                  # zones blanches, distances
    notes = freshness_notes(on_the_map, today=date(2026, 12, 1))
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from atlas.errors import PublicationError
from atlas.fr import date_fr, plural_fr
from atlas.registry.schema import STATUS_LABELS, VISIBILITY_LABELS

__all__ = [
    "DEFAULT_FRESHNESS_MONTHS",
    "PRO_MARK",
    "REASONS",
    "Audience",
    "age_fr",
    "check_months",
    "coverage_mask",
    "coverage_sites",
    "freshness_note",
    "freshness_notes",
    "hidden_reasons",
    "hidden_warnings",
    "is_stale",
    "last_update",
    "public_sites",
    "publication_lines",
    "publication_table",
    "stale_mask",
    "status_of",
    "visibility_of",
]

#: Information older than this (months) is printed « à vérifier ».
DEFAULT_FRESHNESS_MONTHS = 12

#: Mark of every sheet and page made with ``professionals=True``.
PRO_MARK = "usage professionnel — ne pas diffuser"

#: Why a site is not on a map (or not counted), by status and visibility.
REASONS: dict[str, str] = {
    "closed": "fermé définitivement : gardé dans le GeoPackage, absent des cartes et de la couverture",
    "draft": "brouillon : absent des cartes et de la couverture (--inclure-brouillons pour l'inclure)",
    "offline": "hors ligne : absent des cartes et de la couverture (--inclure-brouillons pour l'inclure)",
    "pro": "réservé aux professionnels : absent des cartes publiques (--professionnels), compté dans la couverture",
}


@dataclass(frozen=True)
class Audience:
    """Who a map or a report is made for.

    Parameters
    ----------
    professionals : bool, default False
        Professional-only sites are shown (the outputs are marked :data:`PRO_MARK`).
    include_drafts : bool, default False
        Draft and offline sites are shown and counted (an internal check).
    freshness_months : int, default 12
        Information older than this is « à vérifier ».
    today : datetime.date, optional
        The day freshness is judged on (default: today).
    """

    professionals: bool = False
    include_drafts: bool = False
    freshness_months: int = DEFAULT_FRESHNESS_MONTHS
    today: dt.date | None = None

    def __post_init__(self) -> None:
        check_months(self.freshness_months)


def check_months(months: object) -> int:
    """``months`` as a whole number of months, at least 1 (French error otherwise)."""
    try:
        value = int(str(months))
    except ValueError:
        value = 0
    if value < 1 or str(value) != str(months).strip():
        raise PublicationError(f"fraîcheur invalide : « {months} » (attendu : un nombre entier de mois, au moins 1)")
    return value


# --------------------------------------------------------------------------- status and visibility
def _column(actors: pd.DataFrame, name: str, default: str) -> pd.Series:
    """A canonical column, ``default`` where absent or empty (frames read before these columns existed)."""
    if name not in actors.columns:
        return pd.Series([default] * len(actors), index=actors.index, dtype=object)
    values = actors[name].fillna("").astype(str).str.strip()
    return values.where(values != "", default)


def status_of(actors: pd.DataFrame) -> pd.Series:
    """Status of every actor (``open`` where not given)."""
    return _column(actors, "status", "open")


def visibility_of(actors: pd.DataFrame) -> pd.Series:
    """Visibility of every actor (``public`` where not given)."""
    return _column(actors, "visibility", "public")


def coverage_mask(actors: pd.DataFrame, *, include_drafts: bool = False) -> np.ndarray:
    """Actors that count for coverage: not closed, and neither draft nor offline unless asked."""
    status = status_of(actors)
    counted = ("open", "draft", "offline") if include_drafts else ("open",)
    return status.isin(counted).to_numpy()


def hidden_reasons(actors: pd.DataFrame, *, professionals: bool = False, include_drafts: bool = False) -> pd.Series:
    """Why each actor is not on a map ("" for those that are), in French (:data:`REASONS`)."""
    status, visibility = status_of(actors), visibility_of(actors)
    reasons = pd.Series([""] * len(actors), index=actors.index, dtype=object)
    if not professionals:
        reasons = reasons.mask(visibility == "pro", REASONS["pro"])
    hidden_status = ("closed",) if include_drafts else ("closed", "draft", "offline")
    for value in hidden_status:  # the status says more than the visibility: it comes last
        reasons = reasons.mask(status == value, REASONS[value])
    return reasons


def public_sites(actors: pd.DataFrame, *, professionals: bool = False, include_drafts: bool = False) -> pd.DataFrame:
    """The actors that may be shown on a map (``atlas print``, ``atlas web``).

    Parameters
    ----------
    actors : (Geo)DataFrame
        Accepted actors (``status`` and ``visibility`` columns; absent columns mean open and public).
    professionals : bool, default False
        Keep the sites reserved to professionals (for a map marked :data:`PRO_MARK`).
    include_drafts : bool, default False
        Keep draft and offline sites.

    Returns
    -------
    (Geo)DataFrame
        The same columns, fewer rows (permanently closed sites are never kept); the rows left out
        are reported with their reason by :func:`hidden_warnings`.
    """
    keep = (hidden_reasons(actors, professionals=professionals, include_drafts=include_drafts) == "").to_numpy()
    return actors[keep].copy() if not keep.all() else actors.copy()


def coverage_sites(actors: pd.DataFrame, *, include_drafts: bool = False) -> pd.DataFrame:
    """The actors that count for coverage (zones blanches, distances): professional-only sites included.

    Returns
    -------
    (Geo)DataFrame
        The same columns, without the closed (and draft, offline) rows
        (:func:`atlas.analysis.sites.select_sites` counts them in ``Sites.n_not_counted``).
    """
    keep = coverage_mask(actors, include_drafts=include_drafts)
    return actors[keep].copy() if not keep.all() else actors.copy()


# --------------------------------------------------------------------------- freshness
_PARTIAL_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def last_update(value: object) -> dt.date | None:
    """The latest day an ``updated`` value can mean: « 2024-03 » is 31 March 2024, « 2019 » 31 December.

    Returns None for an empty or unreadable value (freshness unknown, nothing is flagged).
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    match = _PARTIAL_DATE.fullmatch(str(value if value is not None else "").strip()[:10])
    if not match:
        return None
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        if month is None:
            return dt.date(year, 12, 31)
        if day is None:
            return dt.date(year, month, calendar.monthrange(year, month)[1])
        return dt.date(year, month, day)
    except ValueError:
        return None


def _months_before(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def is_stale(value: object, *, months: int = DEFAULT_FRESHNESS_MONTHS, today: dt.date | None = None) -> bool:
    """True when ``value`` (an ``updated`` date) is older than ``months`` months before ``today``."""
    when = last_update(value)
    return when is not None and when < _months_before(today or dt.date.today(), check_months(months))


def stale_mask(actors: pd.DataFrame, *, months: int = DEFAULT_FRESHNESS_MONTHS,
               today: dt.date | None = None) -> np.ndarray:
    """Actors whose ``updated`` date is older than ``months`` months (no date: not flagged)."""
    limit = _months_before(today or dt.date.today(), check_months(months))
    values = actors["updated"].tolist() if "updated" in actors.columns else [None] * len(actors)
    return np.array([(d := last_update(v)) is not None and d < limit for v in values], dtype=bool)


def _of(text: str) -> str:
    """« de mars 2024 », « d'avril 2024 », « d'août 2024 » (elision before a vowel)."""
    return f"d'{text}" if text[:1].lower() in "aâeéèêiîoôuy" else f"de {text}"


def freshness_note(value: object, *, months: int = DEFAULT_FRESHNESS_MONTHS, today: dt.date | None = None) -> str:
    """« informations de mars 2024 — à vérifier » when ``value`` is stale (:func:`is_stale`), else ""."""
    if not is_stale(value, months=months, today=today):
        return ""
    text = str(value).strip()[:7] if not isinstance(value, dt.date) else value.isoformat()[:7]
    return f"informations {_of(date_fr(text))} — à vérifier"


def freshness_notes(actors: pd.DataFrame, *, months: int = DEFAULT_FRESHNESS_MONTHS,
                    today: dt.date | None = None) -> pd.Series:
    """:func:`freshness_note` of every actor ("" when fresh or undated), indexed like ``actors``."""
    values = actors["updated"].tolist() if "updated" in actors.columns else [None] * len(actors)
    return pd.Series([freshness_note(v, months=months, today=today) for v in values], index=actors.index, dtype=object)


def age_fr(months: int) -> str:
    """« plus d'un an », « plus de 2 ans », « plus de 6 mois », « plus d'un mois »."""
    if months % 12 == 0:
        return "plus d'un an" if months == 12 else f"plus de {months // 12} ans"
    return "plus d'un mois" if months == 1 else f"plus de {months} mois"


# --------------------------------------------------------------------------- report
def publication_table(actors: pd.DataFrame, audience: Audience | None = None) -> pd.DataFrame:
    """How many sites were read, shown, counted and hidden, per status and visibility, and why.

    Parameters
    ----------
    actors : (Geo)DataFrame
        Accepted actors.
    audience : Audience, optional
        Who the maps are for (default: the public, drafts left out, 12 months).

    Returns
    -------
    pandas.DataFrame
        One row per status and visibility present: ``status``, ``visibility`` (canonical values),
        ``statut``, ``visibilite`` (French), ``read``, ``shown`` (on the maps for this audience),
        ``counted`` (in coverage), ``hidden`` (not on the maps), ``stale`` (shown or counted, and
        older than the freshness limit) and ``why`` (French, "" when nothing is hidden).
    """
    aud = audience or Audience()
    status, visibility = status_of(actors), visibility_of(actors)
    reasons = hidden_reasons(actors, professionals=aud.professionals, include_drafts=aud.include_drafts)
    counted = coverage_mask(actors, include_drafts=aud.include_drafts)
    stale = stale_mask(actors, months=aud.freshness_months, today=aud.today)
    frame = pd.DataFrame({"status": status.to_numpy(), "visibility": visibility.to_numpy(),
                          "shown": (reasons == "").to_numpy(), "counted": counted,
                          "stale": stale & (counted | (reasons == "").to_numpy()), "why": reasons.to_numpy()})
    order = {s: i for i, s in enumerate([*STATUS_LABELS, *VISIBILITY_LABELS])}
    rows = []
    for (st, vis), group in frame.groupby(["status", "visibility"], sort=False):
        why = [w for w in dict.fromkeys(group["why"]) if w]
        rows.append({
            "status": st, "visibility": vis,
            "statut": STATUS_LABELS.get(st, st), "visibilite": VISIBILITY_LABELS.get(vis, vis),
            "read": len(group), "shown": int(group["shown"].sum()), "counted": int(group["counted"].sum()),
            "hidden": int((~group["shown"]).sum()), "stale": int(group["stale"].sum()), "why": " ; ".join(why),
        })
    table = pd.DataFrame(rows, columns=["status", "visibility", "statut", "visibilite", "read", "shown", "counted",
                                        "hidden", "stale", "why"])
    key = [(order.get(s, 99), order.get(v, 99)) for s, v in zip(table["status"], table["visibility"], strict=True)]
    return table.iloc[sorted(range(len(table)), key=key.__getitem__)].reset_index(drop=True)


def hidden_warnings(actors: pd.DataFrame, audience: Audience | None = None) -> pd.DataFrame:
    """One warning per actor left off the maps: ``line``, ``id``, ``message`` (and ``file`` when known).

    The message names the site and says why (:data:`REASONS`), so that nothing is dropped silently.
    """
    aud = audience or Audience()
    reasons = hidden_reasons(actors, professionals=aud.professionals, include_drafts=aud.include_drafts)
    hidden = actors[(reasons != "").to_numpy()]
    out = pd.DataFrame({
        "line": hidden["line"].to_numpy() if "line" in hidden.columns else [""] * len(hidden),
        "id": hidden["id"].astype(str).to_numpy() if "id" in hidden.columns else [""] * len(hidden),
        "message": [f"« {n} » {r}" for n, r in zip(hidden.get("name", pd.Series([""] * len(hidden))).astype(str),
                                                   reasons[(reasons != "").to_numpy()], strict=True)],
    })
    if "file" in hidden.columns:
        out.insert(0, "file", hidden["file"].astype(str).to_numpy())
    return out


def publication_lines(table: pd.DataFrame, warnings: pd.DataFrame | None = None, *,
                      audience: Audience | None = None, limit: int = 20) -> list[str]:
    """French lines of the build report: the table per status and visibility, stale sites, hidden sites.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`publication_table`.
    warnings : pandas.DataFrame, optional
        :func:`hidden_warnings`: one line per hidden site, at most ``limit``.
    audience : Audience, optional
        Who the maps are for (its freshness limit is named).
    """
    aud = audience or Audience()
    maps = "cartes professionnelles" if aud.professionals else "cartes publiques"
    lines = [f"Statut et visibilité des lieux (lus, montrés sur les {maps}, comptés dans la couverture) :"]
    for r in table.itertuples(index=False):
        text = (f"  {r.statut} · {r.visibilite} : {plural_fr(r.read, 'lu')}, {plural_fr(r.shown, 'montré')}, "
                f"{plural_fr(r.counted, 'compté')}")
        if r.hidden:
            text += f", {plural_fr(r.hidden, 'masqué')} — {r.why}"
        lines.append(text)
    n_stale = int(table["stale"].sum()) if len(table) else 0
    if n_stale:
        lines.append(f"{plural_fr(n_stale, 'lieu', 'lieux')} non mis à jour depuis {age_fr(aud.freshness_months)} "
                     "(« à vérifier » sur les cartes).")
    if warnings is not None and len(warnings):
        lines.append("Lieux masqués (fichier, ligne, raison) :")
        for w in warnings.head(limit).to_dict("records"):
            where = f"{str(w.get('file', '')).rsplit('/', 1)[-1]}, " if w.get("file") else ""
            lines.append(f"  {where}ligne {w['line']} : {w['message']}")
        if len(warnings) > limit:
            lines.append(f"  … et {len(warnings) - limit} autres (couche « warnings » du GeoPackage).")
    return lines
