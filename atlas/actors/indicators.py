"""Follow-up indicators of the PAT and of the AMI, computed from the registries and the graph.

Every indicator is a share ``numerator / denominator`` of actors located in one EPCI (the
``epci`` column of the actor registry), with both counts and the ids behind them shown, so
that a person can check them by hand. Definitions (French, for people) are in
:data:`INDICATORS` and written in every table.

``PAT_1_1`` — indicateur 1.1 du PAT du Pays de Saint-Omer (thématique « justice sociale »,
type « partenariat ») : part des associations de lutte contre la précarité alimentaire (y compris
les associations d'aide alimentaire habilitées) partenaires du PAT, par rapport au nombre total
d'associations de lutte contre la précarité alimentaire présentes sur le territoire.

* denominator: actors located in the EPCI, of world ``aid`` or ``both``, whose kind is one of
  :data:`FOOD_INSECURITY_ASSOCIATION_KINDS` (distribution, épicerie, repas, association, tête de
  réseau) — CCAS/CIAS, centres sociaux, collectivités and platforms are not associations;
* numerator: those that are partners of the PAT of this EPCI (:func:`pat_partners`): members of
  the PAT (action of kind ``pat`` whose territory is the EPCI) as ``pat_partner`` or
  ``governance``; or linked by a direct ``pat_partner`` link to the carrier of the PAT (the actor
  with a ``governance`` membership of it) or to a collectivity of the EPCI; or taking part in an
  action or collectif of the EPCI in which the carrier of the PAT takes part too (the PAT's
  actions, e.g. the CABBALR action sheets).

Actors « of the EPCI » are those located in it (``epci`` column); an actor without a location
is attached to the EPCI of its actions when all of them belong to that one EPCI and it is not an
institution or a head of network (:func:`actor_territories`); the table's ``note`` names them.
Institutions (collectivités, chambers) never count as « acteurs des solidarités alimentaires ».

``AMI_6`` — indicateur 6 de l'AMI « Accès de tous à une alimentation locale, durable, saine et de
qualité » (DRAAF/DREETS Hauts-de-France, 2022-2024) : part des antennes locales des têtes de
réseaux qui participent aux actions du collectif.

* denominator: actors located in the EPCI whose ``network`` names one of the national networks
  of :data:`atlas.registry.schema.NATIONAL_AID_NETWORKS` (Restos du Cœur, Secours populaire, Croix-Rouge,
  Banques alimentaires, ANDES), the head of network itself (kind ``network``) excluded;
* numerator: those members (any link kind) of an action of kind ``collectif`` whose territory is
  the EPCI.

``AMI_PARTENARIAT`` — part des acteurs de l'aide alimentaire recensés qui ont au moins un
partenariat (after AMI indicators 4 and 7: « acteurs recensés », « participation au réseau »).

* denominator: actors located in the EPCI of world ``aid`` or ``both`` (acteurs des solidarités
  alimentaires as the AMI defines them);
* numerator: those named in at least one accepted row of the partnerships registry (direct
  link or membership, any kind, any territory).

``AMI_7`` — indicateur 7 de l'AMI : part des acteurs recensés qui participent à au moins une action
et/ou à l'animation. Same denominator; numerator: members of at least one action, collectif or
PAT (any territory).

``GRAPHE_PONT`` — part des acteurs de l'aide alimentaire reliés au monde du PAT (atlas, from the
graph): denominator: actors of the EPCI of world ``aid``; numerator: those with a path in the
actors graph to an actor of world ``pat`` or ``both``. The others are the « ponts manquants ».
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import networkx as nx
import pandas as pd

from atlas.actors.model import build_graph
from atlas.fr import percent_fr
from atlas.io import write_csv_excel, write_text_atomic
from atlas.registry import schema
from atlas.registry.partnerships import ACTION_COLUMNS, actor_links, memberships
from atlas.territory.selection import Territory, as_territory

#: Kinds of actors counted as « associations de lutte contre la précarité alimentaire ».
FOOD_INSECURITY_ASSOCIATION_KINDS: tuple[str, ...] = ("distribution", "epicerie", "meal", "association", "network")

#: Kinds that are not counted among the « acteurs des solidarités alimentaires » (institutions).
NOT_FOOD_AID_ACTOR_KINDS: tuple[str, ...] = ("collectivity", "chamber")

#: Unlocated actors of these kinds (institutions, heads of networks) are never attached to a
#: territory through their actions.
NOT_ATTACHABLE_KINDS: tuple[str, ...] = ("collectivity", "chamber", "network")

SOURCE_CAPSO = "indicateur 1.1 du PAT du Pays de Saint-Omer (bilan pour la reconnaissance de niveau 2, 2024)"
SOURCE_AMI = ("AMI « Accès de tous à une alimentation locale, durable, saine et de qualité », "
              "DRAAF/DREETS Hauts-de-France 2022-2024")


@dataclass(frozen=True)
class Indicator:
    """An indicator's code, French label, French definition and source document."""

    code: str
    label: str
    definition: str
    source: str


#: The indicators, in table order.
INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "PAT_1_1",
        "Part des associations de lutte contre la précarité alimentaire partenaires du PAT",
        "Numérateur : associations de lutte contre la précarité alimentaire du territoire (distribution, "
        "épicerie solidaire, repas, association ou tête de réseau, du monde de l'aide alimentaire) partenaires "
        "du PAT de l'EPCI : membres du PAT (comme partenaires ou dans sa gouvernance), liées comme partenaires "
        "à son porteur, ou partenaires d'une action ou d'un collectif du territoire auquel le porteur du PAT "
        "participe. Dénominateur : toutes les associations de lutte contre la précarité alimentaire de l'EPCI "
        "(CCAS/CIAS, centres sociaux et collectivités exclus). Un acteur non localisé compte pour l'EPCI quand "
        "toutes ses actions y sont.",
        SOURCE_CAPSO,
    ),
    Indicator(
        "AMI_6",
        "Participation des antennes locales des têtes de réseaux au collectif",
        "Numérateur : antennes locales des réseaux nationaux (Restos du Cœur, Secours populaire, Croix-Rouge, "
        "Banques alimentaires, ANDES) situées dans l'EPCI et membres d'un collectif du territoire. "
        "Dénominateur : toutes ces antennes locales situées dans l'EPCI (la tête de réseau elle-même exclue).",
        f"indicateur 6 de l'{SOURCE_AMI}",
    ),
    Indicator(
        "AMI_PARTENARIAT",
        "Part des acteurs de l'aide alimentaire recensés ayant au moins un partenariat",
        "Numérateur : acteurs des solidarités alimentaires de l'EPCI cités dans au moins un partenariat du "
        "registre (lien direct ou participation à une action, tout type). Dénominateur : tous les acteurs des "
        "solidarités alimentaires recensés dans l'EPCI (monde de l'aide alimentaire ou les deux mondes, "
        "collectivités et chambres consulaires exclues).",
        f"d'après les indicateurs 4 et 7 de l'{SOURCE_AMI}",
    ),
    Indicator(
        "AMI_7",
        "Participation des acteurs recensés à au moins une action",
        "Numérateur : acteurs des solidarités alimentaires situés dans l'EPCI membres d'au moins une action, "
        "un collectif ou un PAT. Dénominateur : tous les acteurs des solidarités alimentaires recensés dans "
        "l'EPCI.",
        f"indicateur 7 de l'{SOURCE_AMI}",
    ),
    Indicator(
        "GRAPHE_PONT",
        "Part des acteurs de l'aide alimentaire reliés au monde du PAT",
        "Numérateur : acteurs de l'aide alimentaire situés dans l'EPCI qui ont un chemin dans le graphe des "
        "partenariats vers un acteur du monde du PAT. Dénominateur : tous les acteurs de l'aide alimentaire "
        "situés dans l'EPCI. Les autres sont les « ponts manquants ».",
        "atlas, graphe des acteurs",
    ),
)

INDICATOR_COLUMNS: tuple[str, ...] = (
    "territory", "territory_name", "code", "label", "numerator", "denominator", "value", "definition",
    "source", "numerator_ids", "denominator_ids", "note",
)  # fmt: skip

#: French headers of the indicator table.
INDICATOR_LABELS: dict[str, str] = {
    "territory": "SIREN", "territory_name": "territoire", "code": "code", "label": "indicateur",
    "numerator": "numérateur", "denominator": "dénominateur", "value": "valeur (%)",
    "definition": "définition", "source": "source", "numerator_ids": "acteurs du numérateur",
    "denominator_ids": "acteurs du dénominateur", "note": "remarque",
}  # fmt: skip


# --------------------------------------------------------------------------- sets of actors
def actor_territories(actors: pd.DataFrame, partnerships: pd.DataFrame | None = None,
                      actions: pd.DataFrame | None = None) -> pd.Series:
    """EPCI of each actor (index: id): where it is located; for an actor that is not located,
    the EPCI of the actions it takes part in when they all belong to a single EPCI (none of them
    regional or departmental) and it is not an institution (kinds :data:`NOT_ATTACHABLE_KINDS`),
    else "".

    The result is stored as the column ``territory_epci`` used by the indicators; column
    ``territory_how`` says ``location``, ``actions`` or ``unknown``.
    """
    epci = actors.set_index(actors["id"].astype(str))["epci"].fillna("").astype(str)
    if partnerships is None or actions is None or not len(actions):
        return epci
    terr = dict(zip(actions["id"].astype(str), actions["territory"].astype(str), strict=True))
    mem = memberships(partnerships)
    by_actor: dict[str, set[str]] = {}
    for a, t in zip(mem["source"], mem["target"], strict=True):
        code = terr.get(str(t), "")
        if len(code) == 9 and code.isdigit():
            by_actor.setdefault(str(a), set()).add(code)
    other: set[str] = set()  # actors also taking part in regional / departmental actions
    for a, t in zip(mem["source"], mem["target"], strict=True):
        code = terr.get(str(t), "")
        if not (len(code) == 9 and code.isdigit()):
            other.add(str(a))
    kinds = actors.set_index(actors["id"].astype(str))["kind"].astype(str)
    out = epci.copy()
    for a in out.index[out == ""]:
        codes = by_actor.get(a, set())
        if len(codes) == 1 and a not in other and kinds.get(a, "") not in NOT_ATTACHABLE_KINDS:
            out[a] = next(iter(codes))
    return out


def with_territories(actors: pd.DataFrame, partnerships: pd.DataFrame | None = None,
                     actions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Copy of ``actors`` with ``territory_epci`` and ``territory_how`` (see :func:`actor_territories`)."""
    out = pd.DataFrame(actors.drop(columns="geometry", errors="ignore")).copy()
    t = actor_territories(actors, partnerships, actions)
    out["territory_epci"] = out["id"].astype(str).map(t).fillna("").to_numpy()
    located = out["epci"].fillna("").astype(str) != ""
    out["territory_how"] = ["location" if loc else "actions" if te else "unknown"
                            for loc, te in zip(located, out["territory_epci"], strict=True)]
    return out


def _in_territory(actors: pd.DataFrame, siren: str) -> pd.DataFrame:
    col = "territory_epci" if "territory_epci" in actors else "epci"
    return actors[actors[col].astype(str) == siren]


def _worlds(actors: pd.DataFrame) -> pd.Series:
    kinds = actors["kind"].astype(str)
    w = actors["world"].astype(str) if "world" in actors else pd.Series("", index=actors.index)
    return w.where(w.isin(list(schema.WORLD_LABELS)), kinds.map(schema.KIND_WORLD).fillna("pat"))


def food_insecurity_associations(actors: pd.DataFrame, siren: str) -> set[str]:
    """Ids of the « associations de lutte contre la précarité alimentaire » located in the EPCI."""
    a = _in_territory(actors, siren)
    ok = a["kind"].isin(FOOD_INSECURITY_ASSOCIATION_KINDS) & _worlds(a).isin(["aid", "both"])
    return set(a.loc[ok, "id"].astype(str))


def food_aid_actors(actors: pd.DataFrame, siren: str, worlds: tuple[str, ...] = ("aid", "both")) -> set[str]:
    """Ids of the actors of the EPCI whose world is in ``worlds`` (institutions excluded:
    :data:`NOT_FOOD_AID_ACTOR_KINDS`)."""
    a = _in_territory(actors, siren)
    ok = _worlds(a).isin(list(worlds)) & ~a["kind"].isin(NOT_FOOD_AID_ACTOR_KINDS)
    return set(a.loc[ok, "id"].astype(str))


def network_branches(actors: pd.DataFrame, siren: str) -> set[str]:
    """Ids of the local branches of national networks (:data:`atlas.registry.schema.NATIONAL_AID_NETWORKS`)
    located in the EPCI, heads of network (kind ``network``) excluded."""
    a = _in_territory(actors, siren)
    nets = a["network"].astype(str).str.split(",")
    ok = nets.map(lambda ns: any(n.strip() in schema.NATIONAL_AID_NETWORKS for n in ns)) & (a["kind"] != "network")
    return set(a.loc[ok, "id"].astype(str))


def pat_carriers(partnerships: pd.DataFrame, actions: pd.DataFrame, siren: str) -> set[str]:
    """Ids of the actors that carry the PAT of the EPCI (``governance`` membership of its ``pat`` action)."""
    pats = set(actions.loc[(actions["kind"] == "pat") & (actions["territory"].astype(str) == siren), "id"])
    mem = memberships(partnerships)
    return set(mem.loc[mem["target"].isin(pats) & (mem["kind"] == "governance"), "source"])


def pat_partners(partnerships: pd.DataFrame, actions: pd.DataFrame, actors: pd.DataFrame, siren: str) -> set[str]:
    """Ids of the actors that are partners of the PAT of the EPCI.

    An actor is a partner of the PAT when it is a member of the PAT (action of kind ``pat`` of the
    EPCI) as ``pat_partner`` or ``governance``; or it has a direct ``pat_partner`` link with the
    carrier of the PAT or with a collectivity of the EPCI; or it takes part in an action or
    collectif of the EPCI in which the carrier of the PAT also takes part (the PAT's actions).
    """
    pats = set(actions.loc[(actions["kind"] == "pat") & (actions["territory"].astype(str) == siren), "id"])
    mem = memberships(partnerships)
    in_pat = mem[mem["target"].isin(pats)]
    out = set(in_pat.loc[in_pat["kind"].isin(["pat_partner", "governance"]), "source"])
    carriers = pat_carriers(partnerships, actions, siren)
    local_coll = set(_in_territory(actors, siren).query("kind == 'collectivity'")["id"].astype(str))
    anchors = carriers | local_coll
    links = actor_links(partnerships)
    links = links[links["kind"] == "pat_partner"]
    out |= set(links.loc[links["target"].isin(anchors), "source"]) | set(links.loc[links["source"].isin(anchors), "target"])
    local_actions = set(actions.loc[actions["kind"].isin(["action", "collectif"])
                                    & (actions["territory"].astype(str) == siren), "id"])
    carried = set(mem.loc[mem["target"].isin(local_actions) & mem["source"].isin(carriers), "target"])
    out |= set(mem.loc[mem["target"].isin(carried), "source"])
    return out


def collectif_members(partnerships: pd.DataFrame, actions: pd.DataFrame, siren: str) -> set[str]:
    """Ids of the members (any link kind) of the collectifs of the EPCI (actions of kind ``collectif``)."""
    colls = set(actions.loc[(actions["kind"] == "collectif") & (actions["territory"].astype(str) == siren), "id"])
    mem = memberships(partnerships)
    return set(mem.loc[mem["target"].isin(colls), "source"])


def partnered(partnerships: pd.DataFrame) -> set[str]:
    """Ids of the actors named in at least one partnership row (link or membership)."""
    links = actor_links(partnerships)
    return set(partnerships["source"]) | set(links["target"])


def action_members(partnerships: pd.DataFrame) -> set[str]:
    """Ids of the actors members of at least one action, collectif or PAT."""
    return set(memberships(partnerships)["source"])


def reaching_pat(graph: nx.Graph) -> set[str]:
    """Ids of the nodes that have a path in ``graph`` to a node of world ``pat`` or ``both``."""
    out: set[str] = set()
    for comp in nx.connected_components(graph if not graph.is_directed() else graph.to_undirected()):
        if any(graph.nodes[n].get("world") in ("pat", "both") for n in comp):
            out |= comp
    return out


# --------------------------------------------------------------------------- computing
def _row(ind: Indicator, siren: str, name: str, num: set[str], den: set[str], *, note: str = "",
         by_actions: set[str] | None = None, fictitious: set[str] | None = None) -> dict:
    n, d = len(num & den), len(den)
    fict = den & (fictitious or set())
    if fict:
        extra = f"dont {len(fict)} acteur(s) fictif(s) de démonstration au dénominateur"
        note = f"{note} ; {extra}" if note else extra
    if d == 0:
        empty = "aucun acteur concerné dans le registre pour ce territoire"
        note = f"{note} ; {empty}" if note else empty
    attached = sorted(den & (by_actions or set()))
    if attached:
        extra = (f"{len(attached)} acteur(s) sans localisation rattaché(s) au territoire par leurs actions : "
                 f"{', '.join(attached)}")
        note = f"{note} ; {extra}" if note else extra
    return {
        "territory": siren, "territory_name": name, "code": ind.code, "label": ind.label,
        "numerator": n, "denominator": d, "value": round(100.0 * n / d, 1) if d else float("nan"),
        "definition": ind.definition, "source": ind.source,
        "numerator_ids": ",".join(sorted(num & den)), "denominator_ids": ",".join(sorted(den)), "note": note,
    }  # fmt: skip


def compute_indicators(
    territory: Territory | gpd.GeoDataFrame,
    actors: pd.DataFrame,
    partnerships: pd.DataFrame,
    graph: nx.Graph | None = None,
    *,
    actions: pd.DataFrame | None = None,
    fictitious: bool = True,
) -> pd.DataFrame:
    """Compute the follow-up indicators (:data:`INDICATORS`) for each EPCI of a territory.

    Parameters
    ----------
    territory : Territory or GeoDataFrame
        The territory (:func:`atlas.select_territory`): one row per indicator for each of its
        EPCI (in the order of its communes).
    actors : DataFrame
        Accepted actors (``id``, ``kind``, ``world``, ``network``, ``epci``).
    partnerships : DataFrame
        Accepted partnerships (:func:`atlas.registry.partnerships.read_partnerships`).
    graph : networkx.Graph, optional
        Actors graph (:func:`atlas.actors.model.build_graph`); built when not given.
    actions : DataFrame, optional
        Accepted actions (kinds ``pat`` and ``collectif`` and their territory); without it the
        PAT and collectif indicators have empty numerators.
    fictitious : bool
        Count the fictitious demonstration actors (``fictitious`` column); when True, the
        ``note`` says how many of the denominator are fictitious.

    Returns
    -------
    pandas.DataFrame
        :data:`INDICATOR_COLUMNS`: one row per EPCI and indicator, ``value`` in percent
        (one decimal, NaN when the denominator is 0, with a ``note``).

    Examples
    --------
    >>> import atlas
    >>> built = atlas.load()
    >>> table = atlas.compute_indicators(atlas.territory("CAPSO", communes=built.communes), built.actors,
    ...                                  built.partnerships.accepted, actions=built.actions.accepted)
    >>> table[["code", "numerator", "denominator"]].head(2).to_records(index=False).tolist()
    [('PAT_1_1', 1, 16), ('AMI_6', 0, 5)]
    """
    terr = as_territory(territory)
    communes = terr.communes
    acts = actions if actions is not None else pd.DataFrame(columns=list(ACTION_COLUMNS))
    if graph is None:
        graph = build_graph(actors, partnerships, acts)
    codes = list(terr.codes) if terr.kind == "epci" else list(dict.fromkeys(communes["epci"].astype(str)))
    actors = with_territories(actors, partnerships, acts)
    fict = actors["fictitious"].fillna(False).astype(bool) if "fictitious" in actors else pd.Series(False, index=actors.index)
    if not fictitious:
        actors = actors[~fict.to_numpy()]
    fictitious_ids = set(actors.loc[fict.reindex(actors.index).fillna(False).astype(bool), "id"].astype(str))
    reach = reaching_pat(graph)
    has_link = partnered(partnerships)
    members = action_members(partnerships)
    rows = []
    for code in codes:
        siren = code
        name = str(communes.loc[communes["epci"] == siren, "epci_name"].iloc[0])
        by = {i.code: i for i in INDICATORS}
        via = set(actors.loc[(actors["territory_how"] == "actions") & (actors["territory_epci"] == siren), "id"])
        assoc = food_insecurity_associations(actors, siren)
        partners = pat_partners(partnerships, acts, actors, siren)
        has_pat = ((acts["kind"] == "pat") & (acts["territory"].astype(str) == siren)).any()
        rows.append(_row(by["PAT_1_1"], siren, name, partners, assoc,
                         note="" if has_pat else "aucun PAT de ce territoire dans le registre des actions",
                         by_actions=via, fictitious=fictitious_ids))
        branches = network_branches(actors, siren)
        has_coll = ((acts["kind"] == "collectif") & (acts["territory"].astype(str) == siren)).any()
        rows.append(_row(by["AMI_6"], siren, name, collectif_members(partnerships, acts, siren), branches,
                         note="" if has_coll else "aucun collectif de ce territoire dans le registre des actions",
                         by_actions=via, fictitious=fictitious_ids))
        aid = food_aid_actors(actors, siren)
        rows.append(_row(by["AMI_PARTENARIAT"], siren, name, has_link, aid, by_actions=via, fictitious=fictitious_ids))
        rows.append(_row(by["AMI_7"], siren, name, members, aid, by_actions=via, fictitious=fictitious_ids))
        aid_only = food_aid_actors(actors, siren, worlds=("aid",))
        rows.append(_row(by["GRAPHE_PONT"], siren, name, reach, aid_only, by_actions=via, fictitious=fictitious_ids))
    out = pd.DataFrame(rows, columns=list(INDICATOR_COLUMNS))
    out["numerator"] = out["numerator"].astype("int64")
    out["denominator"] = out["denominator"].astype("int64")
    return out


# --------------------------------------------------------------------------- tables for people
def indicators_markdown(table: pd.DataFrame, detail: bool = True) -> str:
    """A French Markdown table per territory (with, if ``detail``, the ids of the actors counted),
    then the definitions and sources."""
    out: list[str] = []
    for (siren, name), grp in table.groupby(["territory", "territory_name"], sort=False):
        out += [f"## {name} ({siren})", "", "| Code | Indicateur | Numérateur | Dénominateur | Valeur |",
                "| --- | --- | ---: | ---: | ---: |"]
        for _, r in grp.iterrows():
            label = str(r["label"]).replace("|", "\\|")
            out.append(f"| {r['code']} | {label} | {r['numerator']} | {r['denominator']} | {percent_fr(r['value'])} |")
        notes = [f"- {r['code']} : {r['note']}" for _, r in grp.iterrows() if r["note"]]
        if notes:
            out += ["", "Remarques :", *notes]
        if detail:
            out += ["", "Acteurs comptés (identifiants du registre) :"]
            for _, r in grp.iterrows():
                num = [x for x in str(r["numerator_ids"]).split(",") if x]
                den = [x for x in str(r["denominator_ids"]).split(",") if x]
                rest = [x for x in den if x not in set(num)]
                out.append(f"- {r['code']} : au numérateur ({len(num)}) : {', '.join(num) or '—'} ; "
                           f"au dénominateur seulement ({len(rest)}) : {', '.join(rest) or '—'}")
        out.append("")
    out += ["## Définitions", ""]
    for ind in INDICATORS:
        out.append(f"- **{ind.code} — {ind.label}** ({ind.source}). {ind.definition}")
    return "\n".join(out) + "\n"


def indicators_for_people(table: pd.DataFrame) -> pd.DataFrame:
    """The table with French headers (:data:`INDICATOR_LABELS`)."""
    return table[list(INDICATOR_COLUMNS)].rename(columns=INDICATOR_LABELS)


def write_indicators(table: pd.DataFrame, path: str | Path) -> Path:
    """Write the table as CSV (French headers, ``;``, decimal comma, UTF-8 with BOM) or Markdown
    (``.md``), atomically."""
    path = Path(path)
    if path.suffix.lower() == ".md":
        return write_text_atomic(path, indicators_markdown(table))
    return write_csv_excel(path, indicators_for_people(table))
