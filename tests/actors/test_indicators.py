"""Follow-up indicators (PAT 1.1 of the Pays de Saint-Omer, AMI DRAAF/DREETS), checked by hand on a
fixture and against an independent recomputation from the CSV files on the demonstration registry."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pandas as pd
import pytest

from atlas import settings
from atlas.actors.indicators import (
    INDICATORS,
    actor_territories,
    compute_indicators,
    indicators_markdown,
    write_indicators,
)
from atlas.actors.model import build_graph
from atlas.errors import AtlasError
from atlas.registry.actors import read_actors
from atlas.registry.partnerships import load_partnerships, read_actions, read_partnerships
from atlas.registry.schema import KIND_WORLD, NATIONAL_AID_NETWORKS
from atlas.territory.selection import select_territory

DATA = Path(__file__).parents[1] / "data" / "graph"
CABBALR, CAPSO = "200072460", "200069037"


@pytest.fixture(scope="module")
def fx(communes):
    actors = read_actors(DATA / "actors.csv", communes=communes).accepted
    acts = read_actions(DATA / "actions.csv").accepted
    parts = read_partnerships(DATA / "partnerships.csv", actors, acts).accepted
    return actors, parts, acts


def _values(table: pd.DataFrame) -> dict[tuple[str, str], tuple[int, int]]:
    return {(r.territory, r.code): (r.numerator, r.denominator) for r in table.itertuples()}


def test_fixture_indicators_by_hand(fx, communes):
    actors, parts, acts = fx
    table = compute_indicators(select_territory(communes, epci=["CABBALR", "CAPSO"]), actors, parts, actions=acts)
    assert list(table["code"]) == [i.code for i in INDICATORS] * 2
    v = _values(table)
    # CABBALR: associations spf-a, restos-a, epi-a, asso-x, solaal; PAT partners spf-a, epi-a
    assert v[(CABBALR, "PAT_1_1")] == (2, 5)
    # branches spf-a (Secours populaire), restos-a, epi-a (ANDES); in the collectif: restos-a, epi-a
    assert v[(CABBALR, "AMI_6")] == (2, 3)
    # food-aid actors: spf-a, restos-a, epi-a, ccas-a, asso-x, solaal; asso-x has no partnership
    assert v[(CABBALR, "AMI_PARTENARIAT")] == (5, 6)
    assert v[(CABBALR, "AMI_7")] == (4, 6)  # solaal only gives, is member of no action
    assert v[(CABBALR, "GRAPHE_PONT")] == (5, 6)
    assert v[(CAPSO, "PAT_1_1")] == (1, 3)
    assert v[(CAPSO, "AMI_6")] == (0, 1)
    assert v[(CAPSO, "AMI_PARTENARIAT")] == (1, 3)
    row = table.set_index(["territory", "code"]).loc[(CABBALR, "PAT_1_1")]
    assert row["value"] == 40.0 and row["numerator_ids"] == "epi-a,spf-a"
    assert row["territory_name"].startswith("Communauté d'agglomération de Béthune-Bruay")
    assert "indicateur 1.1 du PAT du Pays de Saint-Omer" in row["source"]
    capso6 = table.set_index(["territory", "code"]).loc[(CAPSO, "AMI_6")]
    assert capso6["value"] == 0.0 and "aucun collectif" in capso6["note"]
    assert table.set_index(["territory", "code"]).loc[(CABBALR, "AMI_6"), "value"] == 66.7


def test_unlocated_actor_attached_by_its_actions(fx, communes):
    actors, parts, acts = fx
    moved = actors.copy()
    moved.loc[moved["id"] == "spf-a", "epci"] = ""  # spf-a no longer located
    moved.loc[moved["id"] == "cab", "epci"] = ""  # an institution is never attached
    terr = actor_territories(moved, parts, acts)
    assert terr["spf-a"] == CABBALR and terr["cab"] == ""
    table = compute_indicators(select_territory(communes, epci="CABBALR"), moved, parts, actions=acts)
    row = table.set_index("code").loc["PAT_1_1"]
    assert (row["numerator"], row["denominator"]) == (2, 5)
    assert "spf-a" in row["note"]


def test_empty_denominator_and_unknown_territory(fx, communes):
    actors, parts, acts = fx
    table = compute_indicators(select_territory(communes, epci="CALL"), actors, parts, actions=acts)
    assert (table["denominator"] == 0).all() and table["value"].isna().all()
    assert table["note"].str.contains("aucun acteur concerné").all()
    with pytest.raises(AtlasError, match="Territoire inconnu"):
        compute_indicators(select_territory(communes, epci="NULLEPART"), actors, parts, actions=acts)


def test_tables_for_people(fx, communes, tmp_path):
    actors, parts, acts = fx
    table = compute_indicators(select_territory(communes, epci=["CABBALR", "CAPSO"]), actors, parts, actions=acts)
    md = indicators_markdown(table)
    assert "| PAT_1_1 | Part des associations de lutte contre la précarité alimentaire partenaires du PAT | 2 | 5 | " \
           "40,0\u00a0% |" in md
    assert "## Définitions" in md and "AMI « Accès de tous" in md
    path = write_indicators(table, tmp_path / "ind.csv")
    with open(path, encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    assert len(rows) == 10 and rows[0]["numérateur"] == "2" and rows[0]["valeur (%)"] == "40,0"
    assert write_indicators(table, tmp_path / "ind.md").read_text(encoding="utf-8") == md


# --------------------------------------------------------------------------- demonstration registry
def _independent(territory: str, actors_rows: list[dict], epci: dict[str, str], rows: list[dict],
                 action_rows: list[dict]) -> dict[str, tuple[int, int]]:
    """The indicators' definitions recomputed from the raw CSV rows with plain Python."""
    kind = {a["id"]: a["kind"] for a in actors_rows}
    world = {a["id"]: a["world"] or KIND_WORLD.get(a["kind"], "pat") for a in actors_rows}
    nets = {a["id"]: {n.strip() for n in a["network"].split(",") if n.strip()} for a in actors_rows}
    act_kind = {a["id"]: a["kind"] for a in action_rows}
    act_terr = {a["id"]: a["territory"] for a in action_rows}
    mem = [(r["source"], r["target"], r["kind"]) for r in rows if r["target"] in act_kind and r["source"] in kind]
    links = [(r["source"], r["target"], r["kind"]) for r in rows if r["target"] in kind and r["source"] in kind]
    # territory of each actor: location, else the single EPCI of its actions
    terr = dict(epci)
    for a in kind:
        if terr.get(a):
            continue
        codes = {act_terr[t] for s, t, _ in mem if s == a}
        if len(codes) == 1 and all(len(c) == 9 for c in codes) and kind[a] not in ("collectivity", "chamber",
                                                                                     "network"):
            terr[a] = codes.pop()
    here = {a for a in kind if terr.get(a) == territory}
    assoc = {a for a in here if kind[a] in ("distribution", "epicerie", "meal", "association", "network")
             and world[a] in ("aid", "both")}
    pats = {t for t, k in act_kind.items() if k == "pat" and act_terr[t] == territory}
    partners = {s for s, t, k in mem if t in pats and k in ("pat_partner", "governance")}
    carriers = {s for s, t, k in mem if t in pats and k == "governance"}
    anchors = carriers | {a for a in here if kind[a] == "collectivity"}
    partners |= {s for s, t, k in links if k == "pat_partner" and t in anchors}
    partners |= {t for s, t, k in links if k == "pat_partner" and s in anchors}
    carried = {t for s, t, _ in mem if s in carriers and act_kind[t] in ("action", "collectif")
               and act_terr[t] == territory}
    partners |= {s for s, t, _ in mem if t in carried}
    branches = {a for a in here if nets[a] & set(NATIONAL_AID_NETWORKS) and kind[a] != "network"}
    colls = {t for t, k in act_kind.items() if k == "collectif" and act_terr[t] == territory}
    in_coll = {s for s, t, _ in mem if t in colls}
    aid = {a for a in here if world[a] in ("aid", "both") and kind[a] not in ("collectivity", "chamber")}
    named = {s for s, _, _ in mem} | {s for s, _, _ in links} | {t for _, t, _ in links}
    members = {s for s, _, _ in mem}
    return {
        "PAT_1_1": (len(partners & assoc), len(assoc)),
        "AMI_6": (len(in_coll & branches), len(branches)),
        "AMI_PARTENARIAT": (len(named & aid), len(aid)),
        "AMI_7": (len(members & aid), len(aid)),
    }


@pytest.mark.parametrize("territory", ["CABBALR", "CAPSO"])
def test_demo_indicators_against_csv(demo, territory):
    raw = settings.raw_dir()
    assert (raw / "partnerships.csv").exists(), "registre de démonstration absent de data/raw"
    parts, acts = load_partnerships(demo.actors)
    G = build_graph(demo.actors, parts.accepted, acts.accepted)
    table = compute_indicators(select_territory(demo.communes, epci=territory), demo.actors, parts.accepted, G, actions=acts.accepted)
    with open(raw / "actors.csv", encoding="utf-8") as f:
        actors_rows = [r for r in csv.DictReader(f) if r["id"] in set(demo.actors["id"])]
    with open(raw / "partnerships.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    with open(raw / "actions.csv", encoding="utf-8") as f:
        action_rows = list(csv.DictReader(f))
    siren = {"CABBALR": CABBALR, "CAPSO": CAPSO}[territory]
    epci = dict(zip(demo.actors["id"], demo.actors["epci"].fillna(""), strict=True))
    expected = _independent(siren, actors_rows, epci, rows, action_rows)
    got = table.set_index("code")
    for code, (num, den) in expected.items():
        assert (got.at[code, "numerator"], got.at[code, "denominator"]) == (num, den), code
        value = got.at[code, "value"]
        assert (math.isnan(value) and den == 0) or value == round(100 * num / den, 1)
    assert got.at["PAT_1_1", "denominator"] > 0 and got.at["AMI_PARTENARIAT", "denominator"] > 0


def test_cli_indicators(tmp_path):
    from click.testing import CliRunner

    from atlas.cli import cli

    args = ["-q", "indicators", "--registry", str(DATA / "actors.csv"), "--partnerships", str(DATA / "partnerships.csv"),
            "--epci", "CABBALR", "--epci", "CAPSO"]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 0, res.output
    assert "## Communauté d'agglomération de Béthune-Bruay, Artois-Lys Romane (200072460)" in res.output
    assert "| AMI_6 | Participation des antennes locales des têtes de réseaux au collectif | 2 | 3 | 66,7\u00a0% |" in res.output
    res = CliRunner().invoke(cli, [*args, "--format", "csv"])
    assert res.exit_code == 0 and res.stdout.splitlines()[0].startswith("SIREN;territoire;code;indicateur")
    res = CliRunner().invoke(cli, [*args, "-o", str(tmp_path / "ind.csv")])
    assert res.exit_code == 0 and (tmp_path / "ind.csv").exists()
    res = CliRunner().invoke(cli, [*args[:-4], "--epci", "NULLEPART"])
    assert res.exit_code == 1 and "Territoire inconnu" in res.output


def test_fictitious_actors(fx, communes):
    actors, parts, acts = fx
    mixed = actors.copy()
    mixed["fictitious"] = mixed["id"].isin(["asso-x", "restos-a"])  # two fictitious demonstration rows
    with_f = compute_indicators(select_territory(communes, epci="CABBALR"), mixed, parts, actions=acts).set_index("code")
    assert (with_f.at["PAT_1_1", "numerator"], with_f.at["PAT_1_1", "denominator"]) == (2, 5)
    assert "dont 2 acteur(s) fictif(s) de démonstration" in with_f.at["PAT_1_1", "note"]
    real = compute_indicators(select_territory(communes, epci="CABBALR"), mixed, parts, actions=acts,
                              fictitious=False).set_index("code")
    assert (real.at["PAT_1_1", "numerator"], real.at["PAT_1_1", "denominator"]) == (2, 3)
    assert (real.at["AMI_6", "numerator"], real.at["AMI_6", "denominator"]) == (1, 2)
    assert "fictif" not in real.at["PAT_1_1", "note"]
