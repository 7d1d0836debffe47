"""Partnerships and actions registries: reading, French headers, rejects with line and reason."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from atlas import settings
from atlas.registry.partnerships import (
    load_partnerships,
    parse_weight,
    read_actions,
    read_partnerships,
    reject_lines,
)

DATA = Path(__file__).parents[1] / "data" / "graph"


def _actor_ids() -> set[str]:
    with open(DATA / "actors.csv", encoding="utf-8") as f:
        return {row["id"] for row in csv.DictReader(f)}


@pytest.fixture(scope="module")
def actions():
    return read_actions(DATA / "actions.csv")


def test_actions_fixture(actions):
    acc = actions.accepted
    assert actions.n_read == 4 and len(acc) == 4 and actions.rejected.empty
    # a short name of territory is turned into the SIREN
    assert acc.set_index("id").at["pat-cab", "territory"] == "200072460"
    assert set(acc["kind"]) == {"pat", "collectif", "action"}


def test_actions_rejects():
    res = read_actions(DATA / "actions_bad.csv")
    assert res.n_read == len(res.accepted) + len(res.rejected) == 6
    assert list(res.accepted["id"]) == ["a1", "a4"]
    assert res.accepted.set_index("id").at["a4", "kind"] == "collectif"  # « Collectif » as written
    reasons = dict(zip(res.rejected["line"], res.rejected["reason"], strict=True))
    assert reasons[3].startswith("identifiant d'action en double : « a1 » (déjà ligne 2)")
    assert reasons[4].startswith("nom d'action manquant")
    assert reasons[5].startswith("type d'action inconnu : « festival »")
    assert reasons[6] == "identifiant d'action manquant"


def test_partnerships_fixture(actions):
    res = read_partnerships(DATA / "partnerships.csv", _actor_ids(), actions)
    acc = res.accepted
    with open(DATA / "partnerships.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert res.n_read == len(rows) == len(acc) and res.rejected.empty
    assert list(acc["line"]) == list(range(2, len(rows) + 2))
    by_line = acc.set_index("line")
    # memberships: target is an action id
    n_members = sum(1 for r in rows if r["target"] in {"pat-cab", "coll-cab", "act-1", "pat-capso"})
    assert (acc["target_type"] == "action").sum() == n_members == 10
    # empty kind on a membership of a PAT: « pat_partner »
    assert by_line.at[4, "kind"] == "pat_partner"
    # « don » is a donation, directed by default, weight with its unit written in the cell
    assert by_line.at[11, "kind"] == "donation" and by_line.at[11, "weight"] == 7958.0
    assert by_line.at[11, "unit"] == "kg" and bool(by_line.at[11, "directed"])
    assert bool(by_line.at[10, "directed"])  # donation: directed by default
    assert not bool(by_line.at[5, "directed"])  # collectif: undirected by default
    assert pd.isna(by_line.at[2, "weight"])


def test_partnerships_rejects_line_and_reason(actions):
    res = read_partnerships(DATA / "partnerships_bad.csv", _actor_ids(), actions)
    # independent count of the non-empty data lines
    with open(DATA / "partnerships_bad.csv", encoding="utf-8") as f:
        data_lines = [ln for ln in f.read().splitlines()[1:] if ln.strip()]
    assert res.n_read == len(data_lines) == 16
    assert res.n_read == len(res.accepted) + len(res.rejected)
    assert sorted(res.accepted["line"]) == [5, 10, 15, 16]
    reasons = dict(zip(res.rejected["line"], res.rejected["reason"], strict=True))
    expected = {
        2: "acteur inconnu : « inconnu »",
        3: "acteur inconnu : « fantome »",
        4: "boucle : la source et la cible sont le même acteur (« spf-a »)",
        6: "lien en double",
        7: "poids négatif : « -5 »",
        8: "poids illisible : « beaucoup »",
        9: "type de lien inconnu : « amitié »",
        12: "sens illisible : « peut-être »",
        13: "acteur source manquant",
        14: "type de lien manquant",
        17: "lien en double",
        18: "la source « act-1 » est une action",
    }
    assert set(reasons) == set(expected)
    for line, start in expected.items():
        assert reasons[line].startswith(start), (line, reasons[line])
    assert "(déjà ligne 5)" in reasons[6]  # undirected: epi-a/spf-a is spf-a/epi-a
    assert "(déjà ligne 16)" in reasons[17]  # « don » and « donation » are the same kind
    # the raw fields of a rejected row are kept
    row7 = res.rejected.set_index("line").loc[7]
    assert row7["Poids"] == "-5" and row7["Source"] == "solaal"
    # a membership written backwards (action, actor) is read the right way round, with a warning
    acc = res.accepted.set_index("line")
    assert (acc.at[10, "source"], acc.at[10, "target"], acc.at[10, "target_type"]) == ("ccas-a", "act-1", "action")
    assert list(res.warnings["line"]) == [10]
    assert acc.at[16, "weight"] == 12.5  # decimal comma
    text = "\n".join(reject_lines(res))
    assert "partnerships_bad.csv, ligne 7 : poids négatif" in text


def test_unknown_target_without_actions_table(tmp_path):
    # actions.csv beside the partnerships is read, as the command line reads it
    beside = read_partnerships(DATA / "partnerships.csv", _actor_ids())
    assert len(beside.rejected) == 0
    assert beside.accepted.equals(read_partnerships(DATA / "partnerships.csv", _actor_ids(),
                                                    read_actions(DATA / "actions.csv")).accepted)
    # alone, memberships name unknown ids, and the reason says they may be actions
    alone = tmp_path / "partnerships.csv"
    alone.write_bytes((DATA / "partnerships.csv").read_bytes())
    res = read_partnerships(alone, _actor_ids())
    assert len(res.rejected) == 10
    hint = " (aucun registre d'actions lu : si c'est l'identifiant d'une action, donnez aussi ce registre)"
    assert set(res.rejected["reason"]) >= {f"acteur inconnu : « pat-cab »{hint}", f"acteur inconnu : « act-1 »{hint}"}


def test_load_finds_sibling_registries(tmp_path):
    """atlas.load(registry) reads partnerships.csv beside it and actions.csv beside those."""
    import atlas

    for name in ("actors.csv", "partnerships.csv", "actions.csv"):
        (tmp_path / name).write_bytes((settings.raw_dir() / name).read_bytes())
    built = atlas.load(tmp_path / "actors.csv")
    assert built.partnerships.path == str(tmp_path / "partnerships.csv")
    assert built.actions.path == str(tmp_path / "actions.csv")
    with open(tmp_path / "partnerships.csv", encoding="utf-8") as f:
        n_rows = sum(1 for _ in csv.DictReader(f))
    assert len(built.partnerships.accepted) + len(built.partnerships.rejected) == n_rows
    assert built.partnerships.rejected.empty
    assert atlas.load(tmp_path / "actors.csv", partnerships=False).partnerships is None


def test_excel_and_geopackage(tmp_path, actions):
    frame = pd.read_csv(DATA / "partnerships.csv", dtype=str, keep_default_na=False)
    xlsx = tmp_path / "liens.xlsx"
    frame.rename(columns={"source": "Source", "target": "Cible", "kind": "Type de lien", "weight": "Poids",
                          "period": "Période"}).to_excel(xlsx, index=False)
    res = read_partnerships(xlsx, _actor_ids(), actions)
    assert len(res.accepted) == len(frame) and res.rejected.empty
    assert list(res.accepted["line"]) == list(range(2, len(frame) + 2))
    import pyogrio

    gpkg = tmp_path / "liens.gpkg"
    pyogrio.write_dataframe(frame, gpkg, layer="partenariats", driver="GPKG")
    res = read_partnerships(gpkg, _actor_ids(), actions)
    assert len(res.accepted) == len(frame) and res.rejected.empty


def test_parse_weight():
    assert parse_weight("1 600") == (1600.0, "")
    assert parse_weight("7 958 kg") == (7958.0, "kg")
    assert parse_weight("") == (None, "")
    value, unit = parse_weight("n/a")
    assert value != value and unit == ""  # NaN


def test_demo_registry_nothing_dropped(demo):
    """Every row of the demonstration partnerships file is accounted for."""
    raw = settings.raw_dir()
    assert (raw / "partnerships.csv").exists(), "registre de démonstration absent de data/raw"
    parts, acts = load_partnerships(demo.actors)
    with open(raw / "partnerships.csv", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if any(v.strip() for v in r.values() if v)]
    with open(raw / "actions.csv", encoding="utf-8") as f:
        action_rows = list(csv.DictReader(f))
    assert parts.n_read == len(rows) == len(parts.accepted) + len(parts.rejected)
    assert acts.n_read == len(action_rows)
    # rows naming an unknown id are exactly the « acteur inconnu » rejects (independent check)
    actor_ids = set(demo.actors["id"])
    action_ids = {r["id"] for r in action_rows}

    def known(r: dict) -> bool:
        return (r["source"] in actor_ids or r["source"] in action_ids) and (
            r["target"] in actor_ids or r["target"] in action_ids)

    n_unknown = sum(1 for r in rows if not known(r))
    assert parts.rejected["reason"].str.startswith("acteur inconnu").sum() == n_unknown
    # memberships: rows whose target is an action id
    n_members = sum(1 for r in rows if r["target"] in action_ids and r["target"] not in actor_ids
                    and r["source"] in actor_ids)
    assert (parts.accepted["target_type"] == "action").sum() <= n_members


@pytest.mark.parametrize(("written", "kind"), [
    ("Partenaire du PAT", "pat_partner"), ("membre du collectif", "collectif"),
    ("partenaire de l'action", "action_partner"), ("Porteur", "action_partner"), ("pilote", "action_partner"),
    ("Financement", "funding"), ("subvention", "funding"), ("Don", "donation"), ("glanage", "donation"),
    ("Logistique", "logistics"), ("mutualisation", "logistics"), ("Gouvernance", "governance"), ("autre", "other"),
])
def test_french_kind_values(written, kind):
    from atlas.registry.partnerships import validate_partnerships

    raw = pd.DataFrame({"Acteur source": ["a"], "Acteur cible": ["b"], "Nature du lien": [written],
                        "Quantité": ["8 008 kg"], "Année": ["2021"], "Référence": ["doc"]})
    res = validate_partnerships(raw, [2], {"a", "b"})
    assert res.rejected.empty, res.rejected
    row = res.accepted.iloc[0]
    assert (row["kind"], row["weight"], row["unit"], row["period"], row["origin"]) == (kind, 8008.0, "kg", "2021", "doc")
    assert bool(row["directed"]) == (kind in ("funding", "donation"))


def test_missing_columns_is_an_error(tmp_path):
    from atlas.errors import RegistryError

    bad = tmp_path / "liens.csv"
    bad.write_text("de;type\na;don\n", encoding="utf-8")
    with pytest.raises(RegistryError, match="colonne\\(s\\) introuvable\\(s\\) : cible"):
        read_partnerships(bad, {"a"})
    bad.write_text("code;titre\na1;x\n", encoding="utf-8")
    with pytest.raises(RegistryError, match="nom"):
        read_actions(bad)
