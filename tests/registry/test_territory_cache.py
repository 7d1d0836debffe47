"""The territory rows are checked against is built once per content of the communes frame."""

from __future__ import annotations

from atlas.registry.actors import read_actors
from atlas.registry.locate import territory_of


def test_same_communes_share_one_territory(communes):
    assert territory_of(communes) is territory_of(communes.copy())


def test_communes_changed_in_place_get_a_new_territory(communes):
    frame = communes.copy()
    before = territory_of(frame)
    frame.loc[frame.index[0], "name"] = "Ailleurs"
    after = territory_of(frame)
    assert after is not before
    assert after.gaz.name_of(frame["insee"].iloc[0]) == "Ailleurs"
    frame.loc[frame.index[1], "geometry"] = frame.geometry.iloc[1].buffer(10)
    assert territory_of(frame) is not after


def test_a_renamed_commune_is_read_as_renamed(communes, tmp_path):
    code = communes["insee"].iloc[0]
    path = tmp_path / "r.csv"
    path.write_text(f"nom;type;code_insee\nÉpicerie;epicerie;{code}\n", encoding="utf-8")
    first = read_actors(path, communes=communes)
    renamed = communes.copy()
    renamed.loc[renamed.index[0], "name"] = "Ailleurs"
    again = read_actors(path, communes=renamed)
    assert first.accepted["commune_name"].tolist() == [communes["name"].iloc[0]]
    assert again.accepted["commune_name"].tolist() == ["Ailleurs"]
