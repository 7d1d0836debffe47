"""Validation by column gives every row the outcome it has alone: a registry of varied rows is
validated whole, then row by row (one-row registries), and each row's reason or warnings agree."""

from __future__ import annotations

import pytest

from atlas.registry.actors import validate_actors
from atlas.registry.readers import read_raw_table
from tests.benchmarks.bench_registry import synthetic_registry


@pytest.fixture(scope="module")
def registry(tmp_path_factory, communes):
    path = synthetic_registry(300, tmp_path_factory.mktemp("reg") / "registre.csv", seed=3)
    raw, lines = read_raw_table(path)
    return raw, lines, validate_actors(raw, lines, communes)


@pytest.mark.slow
def test_every_row_as_alone(registry, communes):
    raw, lines, whole = registry
    ids = raw["id"].tolist()
    reasons = dict(zip(whole.rejected["line"], whole.rejected["reason"], strict=True))
    warnings = whole.warnings.groupby("line")["message"].apply(list).to_dict()
    kinds = set()
    sample = sorted({*range(0, len(raw), 4), *(p for p, line in enumerate(lines) if line in reasons)})
    for pos in sample:  # every rejected row and every fourth row: a few seconds
        if ids.count(ids[pos]) > 1:
            continue  # a duplicate id is a matter of the whole file
        alone = validate_actors(raw.iloc[[pos]], [lines[pos]], communes)
        line = lines[pos]
        if line in reasons:
            assert alone.rejected["reason"].tolist() == [reasons[line]], line
            kinds.add(reasons[line].split(" ")[0])
        else:
            assert len(alone.accepted) == 1 and not len(alone.rejected), line
            assert alone.warnings["message"].tolist() == warnings.get(line, []), line
            row = whole.accepted[whole.accepted["line"] == line].iloc[0]
            mine = alone.accepted.iloc[0]
            for col in ("id", "kind", "insee", "precision", "network", "services", "status", "updated"):
                assert mine[col] == row[col], (line, col)
            assert mine.geometry.equals_exact(row.geometry, 0) if row.geometry is not None else mine.geometry is None
    # the sample did meet rejects of several kinds (coordinates, type, postcode, status, name)
    assert {"coordonnées", "latitude", "type", "code", "statut", "nom"} <= kinds
