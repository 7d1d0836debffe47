"""Partnerships and actions registries: who works with whom, who takes part in what.

Two small tables complete the actor registry (:mod:`atlas.registry.actors`):

``actions.csv``
    One row per action, collectif or PAT: ``id``, ``name``, ``kind`` (``action`` | ``collectif`` |
    ``pat``), ``territory`` (EPCI SIREN or short name such as ``CABBALR``), ``source``.
``partnerships.csv``
    One row per link: ``source`` (actor id), ``target`` (actor id, or action id for a membership),
    ``kind`` (see :data:`PARTNERSHIP_KINDS`), ``directed`` (oui/non, default by kind), ``weight``
    (a number ≥ 0, e.g. kilograms donated or number of joint actions), ``unit`` (``kg``,
    ``actions``...), ``period`` (free text, e.g. ``2021`` or ``2022-2024``), ``origin`` (the
    document the link comes from).

A row whose target is an action id is a *membership* (actor ↔ action/collectif/PAT): together
they form a bipartite structure that :mod:`atlas.actors.model` projects onto actor ↔ actor links.

As for actors, nothing is dropped silently: every row read is accepted or rejected with its line
number and a French reason (unknown actor, self-loop, duplicate, negative or unreadable weight,
unknown kind...), and ``n_read == len(accepted) + len(rejected)``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from atlas import settings
from atlas.crs import L93
from atlas.errors import RegistryError
from atlas.registry import schema
from atlas.registry.readers import parse_number, read_raw_table, sheet_frames

if TYPE_CHECKING:  # networkx is imported only by what draws or measures the graph (start-up time)
    import networkx as nx
from atlas.registry.results import RegistryResult, rejected_frame, warnings_frame
from atlas.registry.vocabulary import Vocabulary
from atlas.territory.selection import EPCI_ALIASES

#: Canonical columns of a partnerships registry, in file order.
PARTNERSHIP_COLUMNS: tuple[str, ...] = (
    "source", "target", "kind", "directed", "weight", "unit", "period", "origin",
)  # fmt: skip

#: Canonical columns of an actions registry.
ACTION_COLUMNS: tuple[str, ...] = ("id", "name", "kind", "territory", "source")

#: Kinds of links, with the French label shown to people.
PARTNERSHIP_KINDS: dict[str, str] = {
    "pat_partner": "Partenaire du PAT",
    "collectif": "Membre d'un collectif",
    "action_partner": "Partenaire d'une action",
    "funding": "Financement",
    "donation": "Don / flux de denrées",
    "logistics": "Mutualisation logistique",
    "governance": "Gouvernance",
    "other": "Autre lien",
}

#: Kinds that have a direction by default (the source gives to / funds the target).
DIRECTED_KINDS: tuple[str, ...] = ("funding", "donation")

#: Kinds of actions, with French labels.
ACTION_KINDS: dict[str, str] = {"action": "Action", "collectif": "Collectif", "pat": "Projet alimentaire territorial"}

#: Link kind given to a membership row with an empty kind, by the kind of the action.
MEMBERSHIP_DEFAULT_KIND: dict[str, str] = {"action": "action_partner", "collectif": "collectif", "pat": "pat_partner"}

#: Accepted headers (normalised with :func:`atlas.registry.schema.header_key`) for each canonical column.
PARTNERSHIP_HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "source": ("source", "acteur_source", "id_source", "acteur", "de", "depuis", "from", "donateur",
               "membre", "acteur_1", "structure"),
    "target": ("target", "cible", "acteur_cible", "id_cible", "vers", "to", "partenaire", "beneficiaire",
               "action", "collectif", "acteur_2"),
    "kind": ("kind", "type", "type_de_lien", "type_de_partenariat", "nature", "nature_du_lien", "lien",
             "relation"),
    "directed": ("directed", "oriente", "dirige", "sens", "a_un_sens"),
    "weight": ("weight", "poids", "quantite", "valeur", "volume", "montant"),
    "unit": ("unit", "unite"),
    "period": ("period", "periode", "annee", "annees", "date", "dates"),
    "origin": ("origin", "origine", "document", "source_document", "reference", "references"),
}  # fmt: skip

ACTION_HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "identifiant", "code", "id_action"),
    "name": ("name", "nom", "intitule", "libelle", "action", "nom_de_l_action"),
    "kind": ("kind", "type", "nature", "type_d_action"),
    "territory": ("territory", "territoire", "epci", "siren", "perimetre"),
    "source": ("source", "origine", "document"),
}

#: Link kinds as people write them (slugged), mapped to the canonical kind.
PARTNERSHIP_KIND_ALIASES: dict[str, str] = {
    **{k: k for k in PARTNERSHIP_KINDS},
    "pat-partner": "pat_partner", "partenaire-pat": "pat_partner", "partenaire-du-pat": "pat_partner",
    "pat": "pat_partner", "partenaire": "pat_partner",
    "membre": "collectif", "membre-du-collectif": "collectif", "membre-d-un-collectif": "collectif",
    "action-partner": "action_partner", "partenaire-action": "action_partner",
    "partenaire-d-une-action": "action_partner", "partenaire-de-l-action": "action_partner",
    "action": "action_partner", "porteur": "action_partner", "pilote": "action_partner",
    "financement": "funding", "financeur": "funding", "subvention": "funding",
    "don": "donation", "dons": "donation", "flux": "donation", "flux-de-denrees": "donation",
    "don-flux": "donation", "don-flux-de-denrees": "donation", "glanage": "donation",
    "logistique": "logistics", "mutualisation": "logistics", "mutualisation-logistique": "logistics",
    "gouvernance": "governance", "copil": "governance", "cotech": "governance",
    "autre": "other", "autre-lien": "other",
}  # fmt: skip

ACTION_KIND_ALIASES: dict[str, str] = {
    "action": "action", "projet": "action", "fiche-action": "action",
    "collectif": "collectif", "reseau": "collectif", "collectif-d-acteurs": "collectif",
    "pat": "pat", "projet-alimentaire-territorial": "pat",
}  # fmt: skip

#: Kinds of links and of actions read by meaning (« partenaire du projet alimentaire », « financeur »...).
LINK_KINDS = Vocabulary("type de lien", PARTNERSHIP_KINDS, PARTNERSHIP_KIND_ALIASES, {
    "partenaire du projet alimentaire territorial": "pat_partner", "membre": "collectif",
    "don de denrées": "donation", "dons alimentaires": "donation", "approvisionnement": "donation",
    "financement": "funding", "subvention": "funding", "mutualisation logistique": "logistics",
    "comité de pilotage": "governance", "pilotage": "governance", "partenariat": "action_partner",
})
ACTION_KINDS_VOCABULARY = Vocabulary("type d'action", ACTION_KINDS, ACTION_KIND_ALIASES, {
    "fiche action": "action", "programme": "action", "appel à projets": "action", "collectif d'acteurs": "collectif",
    "projet alimentaire territorial": "pat",
})

#: A weight above this (kg, €, actions...) is taken for a mistake (1e30 kg is no food flow).
MAX_WEIGHT = 1e9

_TRUE = {"oui", "o", "vrai", "true", "1", "yes", "y", "oriente", "dirige"}
_FALSE = {"non", "n", "faux", "false", "0", "no"}
_WEIGHT_WITH_UNIT = re.compile(r"^\s*([-+]?[\d\s\u00a0.,]*\d)\s*([A-Za-zÀ-ÿ%€][\wÀ-ÿ%€ ]*)\s*$")


# --------------------------------------------------------------------------- helpers
def _read_table(path: str | Path, layer: str | None = None, *, aliases: dict[str, tuple[str, ...]] | None = None,
                required: tuple[str, ...] = ()) -> tuple[pd.DataFrame, list[int]]:
    """Strings + line numbers; GeoPackage attribute tables (no geometry) are read too. The header row
    of a sheet (or of a CSV file under title rows) names one of the ``required`` columns."""
    path = Path(path)
    if path.suffix.lower() == ".gpkg" and path.exists():
        try:
            frame = pyogrio.read_dataframe(path, layer=layer, read_geometry=False)
        except Exception as exc:  # pyogrio raises its own DataSourceError/DataLayerError
            raise RegistryError(f"Lecture impossible de « {path} » : {exc}") from exc
        frame = pd.DataFrame(frame).astype(object)
        frame = frame.map(lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v))
        return frame, list(range(1, len(frame) + 1))
    keys = {a for c in required for a in (aliases or {}).get(c, ())} or None
    return read_raw_table(path, layer=layer, header_keys=keys)


_COLUMN_FR = {"source": "source", "target": "cible", "id": "identifiant", "name": "nom"}


def _require_columns(raw: pd.DataFrame, aliases: dict[str, tuple[str, ...]], required: tuple[str, ...],
                     what: str) -> None:
    """A file without a source or target column at all is an error, not a file of rejects."""
    keyed = {schema.header_key(c) for c in raw.columns}
    missing = [c for c in required if not keyed & set(aliases[c])]
    if missing:
        expected = " ; ".join(f"{_COLUMN_FR[c]} ({', '.join(aliases[c][:4])}…)" for c in missing)
        found = ", ".join(str(c) for c in raw.columns if not str(c).startswith("__")) or "aucune"
        raise RegistryError(f"Registre {what} : colonne(s) introuvable(s) : {expected}. Colonnes lues : {found}.")


def _canonical(raw: pd.DataFrame, aliases: dict[str, tuple[str, ...]]) -> pd.DataFrame:
    parts = sheet_frames(raw)
    if len(parts) > 1:  # sheets with headers of their own
        return pd.concat([_canonical(part, aliases) for part in parts]).loc[raw.index]
    keyed = {schema.header_key(c): c for c in raw.columns}
    out = pd.DataFrame(index=raw.index)
    for canon, names in aliases.items():
        col = next((keyed[a] for a in names if a in keyed), None)
        out[canon] = raw[col].astype(str).str.strip() if col is not None else ""
    return out


def parse_weight(text: str) -> tuple[float | None, str]:
    """Read a weight as written: ``"1 600"`` -> 1600.0, ``"7 958 kg"`` -> (7958.0, "kg").

    Returns
    -------
    (float or None, str)
        The number (None when empty, NaN when unreadable) and a unit found after the number.
    """
    s = str(text).strip()
    if not s:
        return None, ""
    value = parse_number(s)
    if value is not None and not math.isnan(value):
        return value, ""
    m = _WEIGHT_WITH_UNIT.match(s)
    if m:
        value = parse_number(m.group(1))
        if value is not None and not math.isnan(value):
            return value, m.group(2).strip().lower()
    return float("nan"), ""


def _actor_ids(actors: pd.DataFrame | list | set | None) -> set[str]:
    if actors is None:
        return set()
    if isinstance(actors, pd.DataFrame):
        return set(actors["id"].astype(str))
    return {str(a) for a in actors}


# --------------------------------------------------------------------------- actions
def read_actions(path: str | Path, layer: str | None = None) -> RegistryResult:
    """Read and validate an actions registry (actions, collectifs, PAT).

    Parameters
    ----------
    path : str or Path
        CSV, XLS/XLSX or GeoPackage (attribute table) file.
    layer : str, optional
        Layer of a GeoPackage.

    Returns
    -------
    RegistryResult
        ``accepted`` is a DataFrame with :data:`ACTION_COLUMNS` plus ``kind_label`` and ``line``;
        rejected rows (missing id or name, unknown kind, duplicate id) carry ``line`` and ``reason``.

    Examples
    --------
    >>> import atlas
    >>> from atlas import settings
    >>> actions = atlas.read_actions(settings.raw_dir() / "actions.csv")
    >>> len(actions.accepted), sorted(set(actions.accepted["kind"]))[:2]
    (86, ['action', 'collectif'])
    """
    raw, lines = _read_table(path, layer, aliases=ACTION_HEADER_ALIASES, required=("id", "name"))
    result = validate_actions(raw, lines)
    result.path = str(path)
    result.sheets = list(raw.attrs.get("sheets", []))
    return result


def validate_actions(raw: pd.DataFrame, lines: list[int]) -> RegistryResult:
    """Validate raw action rows (see :func:`read_actions`)."""
    if len(raw.columns):
        _require_columns(raw, ACTION_HEADER_ALIASES, ("id", "name"), "des actions")
    canon = _canonical(raw, ACTION_HEADER_ALIASES)
    accepted: list[dict] = []
    rejected: list[tuple[int, str, int]] = []
    warnings: list[tuple[int, str, str]] = []
    seen: dict[str, int] = {}
    for pos, (_, row) in enumerate(canon.iterrows()):
        line = lines[pos]
        rec = {c: str(row[c]).strip() for c in ACTION_COLUMNS}
        if not rec["id"]:
            rejected.append((line, "identifiant d'action manquant", pos))
            continue
        if not rec["name"]:
            rejected.append((line, f"nom d'action manquant (« {rec['id']} »)", pos))
            continue
        given = rec["kind"]
        reading = ACTION_KINDS_VOCABULARY.read(given)
        if reading.value is None:
            rejected.append((line, ACTION_KINDS_VOCABULARY.unknown(given, reading), pos))
            continue
        rec["kind"] = reading.value or "action"
        if reading.guessed:
            warnings.append((line, rec["id"], ACTION_KINDS_VOCABULARY.understood(given, reading)))
        if rec["id"] in seen:
            rejected.append((line, f"identifiant d'action en double : « {rec['id']} » (déjà ligne {seen[rec['id']]})", pos))
            continue
        seen[rec["id"]] = line
        rec["territory"] = _territory_code(rec["territory"])
        rec["kind_label"] = ACTION_KINDS[rec["kind"]]
        rec["line"] = line
        accepted.append(rec)
    acc = pd.DataFrame(accepted, columns=[*ACTION_COLUMNS, "kind_label", "line"])
    acc["line"] = acc["line"].astype("int64")
    result = RegistryResult(acc, rejected_frame(raw, rejected), warnings_frame(warnings), n_read=len(raw))  # type: ignore[arg-type]
    assert result.n_read == len(result.accepted) + len(result.rejected)
    return result


def _territory_code(text: str) -> str:
    """EPCI SIREN for a short name (« CABBALR » -> 200072460); anything else kept as written."""
    t = str(text).strip()
    return EPCI_ALIASES.get(t.upper(), t)


# --------------------------------------------------------------------------- partnerships
def read_partnerships(
    path: str | Path,
    actors: pd.DataFrame | list | set,
    actions: pd.DataFrame | RegistryResult | str | Path | None = None,
    layer: str | None = None,
) -> RegistryResult:
    """Read and validate a partnerships registry against the actors (and actions) registries.

    Parameters
    ----------
    path : str or Path
        CSV (``,`` or ``;``), XLS/XLSX or GeoPackage file; French headers are accepted
        (« Source », « Cible », « Type de lien », « Orienté », « Poids », « Unité », « Période »,
        « Origine »).
    actors : DataFrame or collection of str
        Accepted actors (their ``id`` column) or their ids.
    actions : DataFrame, RegistryResult, path, optional
        Accepted actions (see :func:`read_actions`); a target that is an action id makes the row a
        membership. Default: ``actions.csv`` beside ``path`` when it exists (as the command line
        reads it); with no actions at all, a row naming an unknown id says that it may be an
        action whose registry was not given.
    layer : str, optional
        Layer of a GeoPackage.

    Returns
    -------
    RegistryResult
        ``accepted``: DataFrame with :data:`PARTNERSHIP_COLUMNS` plus ``target_type``
        (``actor`` | ``action``), ``kind_label`` and ``line``; ``directed`` is bool, ``weight``
        float (NaN when not given). ``rejected``: ``line``, ``reason`` and the raw fields.

    Examples
    --------
    >>> import atlas
    >>> from atlas import settings
    >>> built = atlas.load(partnerships=False)
    >>> parts = atlas.read_partnerships(settings.raw_dir() / "partnerships.csv", built.actors)
    >>> len(parts.accepted), len(parts.rejected)
    (333, 0)
    """
    if actions is None and (Path(path).parent / "actions.csv").exists():  # as the command line finds it
        actions = read_actions(Path(path).parent / "actions.csv")
    raw, lines = _read_table(path, layer, aliases=PARTNERSHIP_HEADER_ALIASES, required=("source", "target"))
    result = validate_partnerships(raw, lines, actors, actions)
    result.path = str(path)
    result.sheets = list(raw.attrs.get("sheets", []))
    return result


def _action_table(actions: pd.DataFrame | RegistryResult | str | Path | None) -> pd.DataFrame:
    if actions is None:
        return pd.DataFrame(columns=[*ACTION_COLUMNS, "kind_label", "line"])
    if isinstance(actions, RegistryResult):
        return actions.accepted
    if isinstance(actions, str | Path):
        return read_actions(actions).accepted
    return actions


def validate_partnerships(
    raw: pd.DataFrame,
    lines: list[int],
    actors: pd.DataFrame | list | set,
    actions: pd.DataFrame | RegistryResult | str | Path | None = None,
) -> RegistryResult:
    """Validate raw partnership rows (see :func:`read_partnerships`)."""
    _require_columns(raw, PARTNERSHIP_HEADER_ALIASES, ("source", "target"), "des partenariats")
    known = _Known.build(actors, actions)
    canon = _canonical(raw, PARTNERSHIP_HEADER_ALIASES)
    accepted: list[dict] = []
    rejected: list[tuple[int, str, int]] = []
    warnings: list[tuple[int, str, str]] = []
    seen: dict[tuple, int] = {}

    # plain dicts: a pandas row per line costs ~0.4 ms (20 s for 50,000 partnerships)
    for pos, row in enumerate(canon[list(PARTNERSHIP_COLUMNS)].to_dict("records")):
        line = lines[pos]
        rec = {c: str(row[c]).strip() for c in PARTNERSHIP_COLUMNS}
        link = _Link(line, rec, rec["source"], rec["target"])
        reason = _check_link(link, known, seen)
        # what was noticed before a reject is still said (e.g. a membership written backwards)
        warnings.extend((line, link.src, w) for w in link.warn)
        if reason:
            rejected.append((line, reason, pos))
            continue
        if link.weight == 0:
            warnings.append((line, link.src, "poids nul"))
        accepted.append({
            "source": link.src, "target": link.tgt, "kind": link.kind, "directed": link.directed,
            "weight": float("nan") if link.weight is None else float(link.weight), "unit": link.unit.lower(),
            "period": link.period, "origin": rec["origin"], "target_type": link.target_type,
            "kind_label": PARTNERSHIP_KINDS[link.kind], "line": line,
        })  # fmt: skip

    cols = [*PARTNERSHIP_COLUMNS, "target_type", "kind_label", "line"]
    acc = pd.DataFrame(accepted, columns=cols)
    acc["directed"] = acc["directed"].astype(bool)
    acc["weight"] = acc["weight"].astype(float)
    acc["line"] = acc["line"].astype("int64")
    result = RegistryResult(acc, rejected_frame(raw, rejected), warnings_frame(warnings), n_read=len(raw))  # type: ignore[arg-type]
    assert result.n_read == len(result.accepted) + len(result.rejected)
    return result


@dataclass
class _Known:
    """The actors and actions a link may name."""

    actor_ids: set[str]
    action_kind: dict[str, str]  # action id -> kind of action
    unknown_hint: str  # said after « acteur inconnu » when there are actions too

    @classmethod
    def build(cls, actors: pd.DataFrame | list | set,
              actions: pd.DataFrame | RegistryResult | str | Path | None) -> _Known:
        act = _action_table(actions)
        action_kind = dict(zip(act["id"].astype(str), act["kind"].astype(str), strict=True))
        hint = (" (ni acteur du registre, ni action)" if action_kind else
                " (aucun registre d'actions lu : si c'est l'identifiant d'une action, donnez aussi ce registre)")
        return cls(_actor_ids(actors), action_kind, hint)


@dataclass
class _Link:
    """One partnership row being checked."""

    line: int
    rec: dict[str, str]  # the row's canonical fields, as written
    src: str
    tgt: str
    warn: list[str] = field(default_factory=list)
    target_type: str = ""  # "actor" or "action"
    kind: str = ""
    weight: float | None = None
    unit: str = ""
    directed: bool = False
    period: str = ""


def _check_link(link: _Link, known: _Known, seen: dict[tuple, int]) -> str:
    """Check one row step by step: the reason to reject it, or "" to accept it."""
    return (_check_ends(link, known) or _check_kind(link, known) or _check_weight(link)
            or _check_direction(link) or _check_duplicate(link, seen))


def _check_ends(link: _Link, known: _Known) -> str:
    """Source and target: known actors, or an actor member of an action (written backwards too)."""
    src, tgt = link.src, link.tgt
    if not src or not tgt:
        return "acteur source manquant" if not src else "cible manquante"
    # an action written as source and an actor as target: a membership written backwards
    if src in known.action_kind and src not in known.actor_ids and tgt in known.actor_ids:
        link.src, link.tgt = tgt, src
        src, tgt = link.src, link.tgt
        link.warn.append(f"membre et action inversés (« {tgt} » est une action) : lu comme "
                         f"« {src} » membre de « {tgt} »")
    if src not in known.actor_ids:
        if src in known.action_kind:
            return f"la source « {src} » est une action, pas un acteur (une action ne peut être membre d'une action)"
        return f"acteur inconnu : « {src} »{known.unknown_hint}"
    if tgt in known.actor_ids:
        link.target_type = "actor"
        if tgt in known.action_kind:
            link.warn.append(f"« {tgt} » est à la fois un acteur et une action : lu comme un acteur")
    elif tgt in known.action_kind:
        link.target_type = "action"
    else:
        return f"acteur inconnu : « {tgt} »{known.unknown_hint}"
    if src == tgt:
        return f"boucle : la source et la cible sont le même acteur (« {src} »)"
    return ""


def _check_kind(link: _Link, known: _Known) -> str:
    """The kind of link as written, or the default kind of a membership."""
    given = link.rec["kind"]
    if not given:
        if link.target_type != "action":
            return "type de lien manquant"
        link.kind = MEMBERSHIP_DEFAULT_KIND[known.action_kind[link.tgt]]
        return ""
    reading = LINK_KINDS.read(given)
    if reading.value is None:
        return LINK_KINDS.unknown(given, reading)
    if reading.guessed:
        link.warn.append(LINK_KINDS.understood(given, reading))
    link.kind = reading.value
    return ""


def _check_weight(link: _Link) -> str:
    """A readable, non-negative weight, and a unit that does not contradict the one written with it."""
    rec = link.rec
    weight, unit_in_weight = parse_weight(rec["weight"])
    if weight is not None and math.isnan(weight):
        return f"poids illisible : « {rec['weight']} »"
    if weight is not None and math.isinf(weight):
        return f"poids non fini (infini) : « {rec['weight']} »"
    if weight is not None and weight < 0:
        return f"poids négatif : « {rec['weight']} »"
    if weight is not None and weight > MAX_WEIGHT:
        return f"poids invraisemblable : « {rec['weight']} » (plus d'un milliard)"
    if rec["unit"] and unit_in_weight and schema.slug(rec["unit"]) != schema.slug(unit_in_weight):
        return f"unité contradictoire : poids « {rec['weight']} », unité « {rec['unit']} »"
    link.weight, link.unit = weight, rec["unit"] or unit_in_weight
    return ""


def _check_direction(link: _Link) -> str:
    """Oui/non as written, or the default direction of the kind of link."""
    d = schema.slug(link.rec["directed"])
    if not d:
        link.directed = link.kind in DIRECTED_KINDS
    elif d in _TRUE:
        link.directed = True
    elif d in _FALSE:
        link.directed = False
    else:
        return f"sens illisible : « {link.rec['directed']} » (attendu : oui ou non)"
    return ""


def _check_duplicate(link: _Link, seen: dict[tuple, int]) -> str:
    """The same link (same ends, kind and period) given twice; an undirected link has no order."""
    src, tgt = link.src, link.tgt
    period = re.sub(r"\s+", " ", link.rec["period"])
    link.period = period
    pair = (src, tgt) if link.directed or link.target_type == "action" else tuple(sorted((src, tgt)))
    key = (*pair, link.kind, period.casefold())
    if key in seen:
        return (f"lien en double : {src} – {tgt}, {PARTNERSHIP_KINDS[link.kind].lower()}"
                f"{', ' + period if period else ''} (déjà ligne {seen[key]})")
    seen[key] = link.line
    return ""


def default_paths() -> tuple[Path, Path]:
    """``data/raw/partnerships.csv`` and ``data/raw/actions.csv`` of the demonstration registry."""
    raw = settings.raw_dir()
    return raw / "partnerships.csv", raw / "actions.csv"


def load_partnerships(
    actors: pd.DataFrame,
    partnerships: str | Path | None = None,
    actions: str | Path | None = None,
) -> tuple[RegistryResult, RegistryResult]:
    """Read the actions then the partnerships registries (defaults: the demonstration files).

    Parameters
    ----------
    actors : DataFrame
        Accepted actors (``id`` column).
    partnerships : path, optional
        Partnerships file (default ``data/raw/partnerships.csv``).
    actions : path, optional
        Actions file (default: ``actions.csv`` beside the partnerships file, when it exists).

    Returns
    -------
    (RegistryResult, RegistryResult)
        Partnerships, then actions.
    """
    default_p, _ = default_paths()
    ppath = Path(partnerships) if partnerships is not None else default_p
    if actions is None and (ppath.parent / "actions.csv").exists():
        actions = ppath.parent / "actions.csv"
    if actions is not None:
        acts = read_actions(actions)
    else:
        acts = validate_actions(pd.DataFrame(columns=list(ACTION_COLUMNS)), [])
    parts = read_partnerships(ppath, actors, acts)
    return parts, acts


def reject_lines(result: RegistryResult, limit: int = 20) -> list[str]:
    """French lines: the registry's summary (left out with ``--quiet`` when nothing was rejected)
    and its rejected rows and warnings (file, line, reason)."""
    quiet = settings.options.quiet and result.rejected.empty and result.warnings.empty
    lines = [] if quiet else [result.summary(), *result.sheet_lines()]
    name = Path(result.path).name if result.path else "registre"
    for _, r in result.rejected.head(limit).iterrows():
        sheet = f", feuille « {r['sheet']} »" if str(r.get("sheet", "") or "") else ""
        lines.append(f"  {name}{sheet}, ligne {r['line']} : {r['reason']}")
    if len(result.rejected) > limit:
        lines.append(f"  … et {len(result.rejected) - limit} autres lignes rejetées.")
    for _, r in result.warnings.head(limit).iterrows():
        lines.append(f"  {name}, ligne {r['line']} (avertissement) : {r['message']}")
    return lines


def memberships(partnerships: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``partnerships`` that are memberships (actor ↔ action)."""
    return partnerships[partnerships["target_type"] == "action"]


def actor_links(partnerships: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``partnerships`` that link two actors."""
    return partnerships[partnerships["target_type"] == "actor"]


def partnership_lines(graph_or_partnerships: nx.Graph | pd.DataFrame, actors: pd.DataFrame) -> gpd.GeoDataFrame:
    """Partnerships as lines between located actors (Lambert-93), for maps.

    Parameters
    ----------
    graph_or_partnerships : networkx.Graph or DataFrame
        A graph from :func:`build_graph` (one line per edge, direct or projected) or the accepted
        partnerships (one line per actor ↔ actor row; memberships have no second actor).
    actors : DataFrame
        Actors with a Lambert-93 point ``geometry`` (None where not located).

    Returns
    -------
    geopandas.GeoDataFrame
        ``source``, ``target``, ``source_name``, ``target_name``, ``kind`` (link kinds, or
        « shared_action »), ``kind_label`` (French), ``weight``, ``kg``, ``actions``,
        ``length_m``, LineString geometry in EPSG:2154. Pairs where an actor is not located are
        left out: their number is that of the links given minus the rows.
    """
    geo = actors.set_index(actors["id"].astype(str))["geometry"]
    names = actors.set_index(actors["id"].astype(str))["name"].astype(str)
    rows: list[dict] = []
    if not isinstance(graph_or_partnerships, pd.DataFrame):  # a networkx graph
        H = graph_or_partnerships
        it = []
        for u, v, d in H.edges(data=True):
            kinds = d.get("kinds", d.get("kind", "")) or "shared_action"
            it.append((u, v, kinds, float(d.get("weight", 1.0)), float(d.get("kg", 0.0)), str(d.get("actions", ""))))
    else:
        links = actor_links(graph_or_partnerships)
        it = [(str(r["source"]), str(r["target"]), str(r["kind"]),
               1.0 if math.isnan(r["weight"]) else float(r["weight"]),
               float(r["weight"]) if r["unit"] == "kg" and not math.isnan(r["weight"]) else 0.0, "")
              for _, r in links.iterrows()]
    for u, v, kinds, w, kg, acts in it:
        gu, gv = geo.get(u), geo.get(v)
        if gu is None or gv is None or shapely.is_empty(gu) or shapely.is_empty(gv):
            continue
        line = shapely.LineString([gu, gv])
        label = ", ".join(PARTNERSHIP_KINDS.get(k, "Action partagée") for k in kinds.split(",") if k)
        rows.append({"source": u, "target": v, "source_name": names.get(u, u), "target_name": names.get(v, v),
                     "kind": kinds, "kind_label": label or "Action partagée", "weight": w, "kg": kg,
                     "actions": acts, "length_m": float(line.length), "geometry": line})
    cols = ["source", "target", "source_name", "target_name", "kind", "kind_label", "weight", "kg", "actions",
            "length_m", "geometry"]
    return gpd.GeoDataFrame(rows, columns=cols, geometry="geometry", crs=L93)
