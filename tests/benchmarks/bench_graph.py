"""Benchmarks of the actors graph (not collected by pytest; run it by hand).

    python tests/benchmarks/bench_graph.py            # 300, 1,000 and 3,000 actors
    python tests/benchmarks/bench_graph.py --quick    # 300 actors only

A synthetic registry (no reference data needed): ``n`` actors of every kind and world, one
partnership row per actor on average, one action per 10 actors with 2 to 12 members, and some
donations in kg. Prints the time of each step: building the graph (with the projection of the
memberships), the node metrics (betweenness, Louvain, bridges), the indicators' set operations,
and the drawing (layout + non-overlapping labels), so that the step that grows fastest is seen.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from atlas.actors.draw import draw_graph
from atlas.actors.metrics import node_metrics
from atlas.actors.model import build_graph
from atlas.registry.partnerships import validate_actions, validate_partnerships
from atlas.registry.schema import KIND_LABELS, KIND_WORLD


def synthetic(n: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    kinds = list(KIND_LABELS)
    ids = [f"a{i}" for i in range(n)]
    kind = rng.choice(kinds, n)
    actors = pd.DataFrame({"id": ids, "name": [f"Acteur synthétique numéro {i}" for i in range(n)], "kind": kind,
                           "world": [KIND_WORLD[k] for k in kind], "network": "", "epci": "200072460",
                           "commune_name": "Béthune"})
    n_act = max(n // 10, 1)
    actions = pd.DataFrame({"id": [f"act{i}" for i in range(n_act)], "name": [f"Action {i}" for i in range(n_act)],
                            "kind": "action", "territory": "200072460", "source": "synthétique"})
    acts = validate_actions(actions, list(range(2, n_act + 2))).accepted
    rows = []
    for i in range(n_act):
        for m in rng.choice(n, rng.integers(2, 13), replace=False):
            rows.append({"source": ids[m], "target": f"act{i}", "kind": "action_partner"})
    for _ in range(n // 2):
        a, b = rng.choice(n, 2, replace=False)
        rows.append({"source": ids[a], "target": ids[b], "kind": "pat_partner"})
    for _ in range(n // 20):
        a, b = rng.choice(n, 2, replace=False)
        rows.append({"source": ids[a], "target": ids[b], "kind": "donation", "weight": str(rng.integers(10, 9000)),
                     "unit": "kg"})
    raw = pd.DataFrame(rows).fillna("")
    parts = validate_partnerships(raw, list(range(2, len(raw) + 2)), actors, acts).accepted
    return actors, parts, acts


def run(n: int) -> None:
    actors, parts, acts = synthetic(n)
    t0 = time.perf_counter()
    G = build_graph(actors, parts, acts)
    t1 = time.perf_counter()
    m = node_metrics(G)
    t2 = time.perf_counter()
    fig = draw_graph(G, m)
    t3 = time.perf_counter()
    ax = fig.axes[0]
    n_numbered = sum(1 for t in ax.texts if t.get_text().isdigit())
    print(f"{n:>6} acteurs, {G.number_of_edges():>6} liens : graphe {t1 - t0:6.2f} s, mesures {t2 - t1:6.2f} s, "
          f"dessin {t3 - t2:6.2f} s ({n_numbered} acteurs numérotés faute de place)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    for n in (300,) if args.quick else (300, 1000, 3000):
        run(n)


if __name__ == "__main__":
    main()
