"""Exports of the actors graph: GEXF (Gephi), GraphML (Cytoscape, yEd), metrics and communities
as CSV for people, partnerships as GeoPackage lines, and :func:`export_all` for ``atlas actors``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pyogrio

from atlas.actors.draw import WORLD_COLOURS, draw_graph, draw_partnership_map, save_drawing
from atlas.actors.metrics import LOUVAIN_SEED, METRIC_LABELS, community_table, node_metrics, summary_lines
from atlas.actors.model import build_graph, subgraph_territory
from atlas.io import atomic_output, atomic_outputs, write_csv_excel
from atlas.registry import schema
from atlas.registry.partnerships import partnership_lines
from atlas.territory.reference import load_communes
from atlas.territory.selection import resolve_epci


def _export_ready(G: nx.Graph, metrics: pd.DataFrame | None = None) -> nx.Graph:
    """Copy with attributes GEXF/GraphML accept: str, float, int, bool; never None or NaN."""
    H = nx.Graph() if not G.is_multigraph() else nx.MultiGraph()
    H.graph.update({k: str(v) for k, v in G.graph.items() if isinstance(v, str | int | float)})
    cols = ("degree", "weighted_degree", "betweenness", "bridge_score", "community", "component", "isolated",
            "reaches_pat", "bridge", "articulation")
    extra = (metrics.set_index("id")[list(cols)].to_dict("index") if metrics is not None and len(metrics) else {})

    def clean(d: dict) -> dict:
        out = {}
        for k, v in d.items():
            if isinstance(v, bool | np.bool_):
                out[k] = bool(v)
            elif isinstance(v, int | np.integer):
                out[k] = int(v)
            elif isinstance(v, float | np.floating):
                if math.isfinite(v):
                    out[k] = float(v)
                elif k not in ("lon", "lat"):  # an actor without location has no lon/lat attribute
                    out[k] = 0.0
            elif v is None:
                out[k] = ""
            else:
                out[k] = str(v)
        return out

    for n, d in G.nodes(data=True):
        attrs = dict(d)
        attrs["label"] = str(d.get("name", n))
        attrs["world_label"] = schema.WORLD_LABELS.get(d.get("world", ""), "")
        attrs["kind_label"] = schema.KIND_LABELS.get(d.get("kind", ""), "")
        attrs.update(extra.get(n, {}))
        H.add_node(n, **clean(attrs))
    for u, v, d in G.edges(data=True):
        H.add_edge(u, v, **clean(dict(d)))
    return H


def write_gexf(G: nx.Graph, path: str | Path, metrics: pd.DataFrame | None = None) -> Path:
    """Write the graph as GEXF (Gephi), node metrics included, atomically.

    Nodes also carry Gephi's visual attributes: colour of their world (as in the drawing) and a
    size growing with the number of partners.
    """
    H = _export_ready(G, metrics)
    for n, d in H.nodes(data=True):
        colour = WORLD_COLOURS.get(str(d.get("world", "")), "#777777").lstrip("#")
        r, g, b = (int(colour[i:i + 2], 16) for i in (0, 2, 4))
        d["viz"] = {"color": {"r": r, "g": g, "b": b, "a": 1.0}, "size": 5.0 + 2.0 * math.sqrt(G.degree(n))}
    with atomic_output(path) as tmp:
        nx.write_gexf(H, tmp)
    return Path(path)


def write_graphml(G: nx.Graph, path: str | Path, metrics: pd.DataFrame | None = None) -> Path:
    """Write the graph as GraphML (Cytoscape, yEd), node metrics included, atomically."""
    with atomic_output(path) as tmp:
        nx.write_graphml(_export_ready(G, metrics), tmp)
    return Path(path)


def metrics_for_people(metrics: pd.DataFrame) -> pd.DataFrame:
    """The metrics table with French headers (:data:`METRIC_LABELS`) and « oui »/« non »."""
    out = metrics[[c for c in METRIC_LABELS if c in metrics.columns]].copy()
    for col in ("isolated", "no_partnership", "reaches_pat", "bridge", "articulation"):
        if col in out:
            out[col] = out[col].map({True: "oui", False: "non"})
    for col in ("betweenness", "betweenness_se", "bridge_score"):
        if col in out:
            out[col] = out[col].round(4)
    if "network" in out:
        out["network"] = [", ".join(schema.NETWORK_LABELS.get(x, x) for x in str(v).split(",") if x)
                          for v in out["network"]]
    return out.rename(columns=METRIC_LABELS)


def write_metrics_csv(metrics: pd.DataFrame, path: str | Path) -> Path:
    """Write the metrics table for people: French headers, ``;`` separator, decimal comma,
    UTF-8 with BOM (opens as is in a French Excel), atomically."""
    return write_csv_excel(path, metrics_for_people(metrics))


def write_lines_gpkg(lines: gpd.GeoDataFrame, path: str | Path) -> Path:
    """Write partnership lines (:func:`atlas.registry.partnerships.partnership_lines`) to a
    GeoPackage layer « partenariats »."""
    # a fixed date in the GeoPackage's tables: the same registry gives the same bytes
    before = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": "2000-01-01T00:00:00.000Z"})
    try:
        with atomic_output(path) as tmp:
            pyogrio.write_dataframe(lines, tmp, layer="partenariats", driver="GPKG")
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": before})
    return Path(path)


def export_all(
    actors: pd.DataFrame,
    partnerships: pd.DataFrame,
    actions: pd.DataFrame | None = None,
    output_dir: str | Path = "maps/acteurs",
    *,
    epci: Iterable[str] | None = None,
    communes: gpd.GeoDataFrame | None = None,
    stem: str = "acteurs",
    formats: Iterable[str] = ("png", "pdf"),
    seed: int = LOUVAIN_SEED,
) -> tuple[dict[str, Path], list[str]]:
    """Build the graph, read it, write every output of ``atlas actors``.

    Writes ``<stem>-metriques.csv`` (French headers, for people), ``<stem>-communautes.csv``,
    ``<stem>.gexf`` (Gephi), ``<stem>.graphml`` (Cytoscape), ``<stem>-liens.gpkg`` (partnerships
    as lines, Lambert-93), the drawing in each of ``formats`` (png, svg, pdf) and, when
    ``communes`` is given, the geographic view ``<stem>-carte.<format>``
    (:func:`draw_partnership_map`).

    Parameters
    ----------
    actors, partnerships, actions : DataFrame
        Accepted registries.
    output_dir : path
        Folder to write into (created).
    epci : list of str, optional
        Restrict to the actors of these EPCI (SIREN or short names) and their direct partners.
    communes : GeoDataFrame, optional
        Reference communes (to resolve ``epci``).
    stem : str
        Base name of the files.
    formats : iterable of str
        Drawing formats.
    seed : int
        Louvain and layout seed.

    Returns
    -------
    (dict, list of str)
        Written paths by kind, and French summary lines.

    Examples
    --------
    >>> import atlas, tempfile
    >>> built = atlas.load()
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     written, lines = atlas.export_all(built.actors, built.partnerships.accepted, built.actions.accepted, tmp,
    ...                                       formats=("svg",))
    ...     sorted(written)
    ['communities', 'gexf', 'graphml', 'lines', 'metrics', 'svg']
    """
    out = Path(output_dir)
    G = build_graph(actors, partnerships, actions)
    title = "Cartographie des acteurs : qui travaille avec qui"
    if epci:
        communes = communes if communes is not None else load_communes()
        codes = [resolve_epci(e, communes) for e in epci]
        G = subgraph_territory(G, codes, neighbours=True)
        names = sorted({str(n) for n in communes.loc[communes["epci"].isin(codes), "epci_name"]})
        title = f"Cartographie des acteurs : {', '.join(names)}"
    metrics = node_metrics(G, seed=seed)
    written: dict[str, Path] = {}
    # every file of the folder is written aside, then all are renamed together (a run stopped half-way
    # leaves the previous set whole, never a new metrics table beside an old drawing)
    with atomic_outputs() as files:
        def temp(key: str, name: str) -> Path:
            written[key] = out / name
            return files.temp(out / name)

        write_metrics_csv(metrics, temp("metrics", f"{stem}-metriques.csv"))
        write_gexf(G, temp("gexf", f"{stem}.gexf"), metrics)
        write_graphml(G, temp("graphml", f"{stem}.graphml"), metrics)
        write_csv_excel(temp("communities", f"{stem}-communautes.csv"), community_table(G, metrics).rename(columns={
            "community": "communauté", "n_actors": "acteurs", "n_pat": "monde du PAT", "n_aid": "aide alimentaire",
            "n_both": "les deux mondes", "members": "membres", "epci_names": "EPCI"}))
        lines = partnership_lines(G, actors) if "geometry" in actors else None
        if lines is not None:
            write_lines_gpkg(lines, temp("lines", f"{stem}-liens.gpkg"))
        suffixes = [f.lower().lstrip(".") for f in formats]
        save_drawing(draw_graph(G, metrics, title=title, seed=seed), [temp(f, f"{stem}.{f}") for f in suffixes])
        if communes is not None and isinstance(actors, gpd.GeoDataFrame):
            codes = [resolve_epci(e, communes) for e in epci] if epci else None
            geo_title = title.replace("Cartographie des acteurs", "Les partenariats sur la carte")
            fig = draw_partnership_map(G, actors, communes, epci=codes, metrics=metrics, title=geo_title)
            save_drawing(fig, [temp(f"map_{f}", f"{stem}-carte.{f}") for f in suffixes])
    summary = summary_lines(G, metrics)
    n_unlocated = G.number_of_edges() - len(lines) if lines is not None else 0  # one line per edge, when located
    if n_unlocated:
        summary.append(f"{n_unlocated} liens sans tracé géographique (acteur non localisé).")
    return written, summary
