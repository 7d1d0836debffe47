"""Road-network distances and travel times (walking, driving) from OpenStreetMap data.

A :class:`RoadNetwork` is read from an OpenStreetMap extract (``.osm.pbf``, through
:mod:`pyrosm`) or a saved street graph (OSMnx GraphML, through :func:`osmnx.load_graphml`),
projected to Lambert-93. Each edge carries its length (metres) and a travel time (minutes):
walking at 4.5 km/h; driving at the ``maxspeed`` of the way, else a default speed by
``highway`` class (:data:`atlas.analysis.road_speeds.DRIVE_SPEEDS_KMH`).

Nearest-site queries run **one multi-source Dijkstra from all sites at once** on the
reversed graph (:func:`scipy.sparse.csgraph.dijkstra` with ``min_only=True``, compiled code),
which gives every node its distance to the nearest site in a single pass; this was chosen on
measurement against pandana's ``nearest_pois`` and networkx's ``multi_source_dijkstra`` (see
``tests/benchmarks/bench_access.py``). ``engine="pandana"`` is available too.

Origins and sites are attached to the nearest node of the network's largest strongly
connected component; the straight-line connector is added to the distance (and to the time, at
:data:`CONNECTOR_SPEED_KMH`). A point farther than ``max_snap_m`` from the network means the
network does not cover it: :class:`~atlas.errors.NetworkCoverageError`.

To use your region's roads, download its extract (e.g. Geofabrik
``nord-pas-de-calais-latest.osm.pbf`` and ``picardie-latest.osm.pbf``, or
``pyrosm.get_data("Nord-Pas-de-Calais")``), or save an OSMnx graph with
``osmnx.save_graphml``, and pass the file to :func:`load_network` or ``atlas gaps --network``.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import math
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

from atlas import settings
from atlas.analysis import road_index
from atlas.analysis.road_speeds import (
    DRIVE_SPEEDS_KMH,
    FR_ZONE_SPEEDS,
    NO_WALK,
    WALK_SPEED_KMH,
    drive_speed,
    first_highway,
)
from atlas.crs import lonlat_to_l93, points_xy
from atlas.errors import AtlasError, NetworkCoverageError, NetworkError
from atlas.progress import info

__all__ = [
    "CONNECTOR_SPEED_KMH",
    "CACHE_VERSION",
    "RoadNetwork",
    "cache_file",
    "from_graph",
    "load_network",
    "network_nearest",
    "network_nearest_xy",
]

#: Number of points from which snapping uses pykdtree's multithreaded queries (cKDTree below).
BIG_QUERY = 100_000

#: Speed (km/h) on the straight connector between a point and its network node.
CONNECTOR_SPEED_KMH = {"walk": WALK_SPEED_KMH, "drive": 20.0}


@dataclass
class RoadNetwork:
    """A directed road network in Lambert-93 with lengths (m) and travel times (min).

    Everything the searches need (sparse adjacency matrices, main component, snapping index)
    is built once, on the first query or by :meth:`prepare`, and kept
    (:mod:`atlas.analysis.road_index`); :func:`load_network` keeps it in the cache folder too.

    Attributes
    ----------
    mode : str
        ``walk`` or ``drive``.
    node_xy : numpy.ndarray
        ``(n, 2)`` Lambert-93 node coordinates.
    edge_from, edge_to : numpy.ndarray
        Edge endpoints (node positions), one row per direction travelled.
    length_m, time_min : numpy.ndarray
        Edge length and travel time.
    source : str
        File the network came from.
    node_ids : numpy.ndarray
        OpenStreetMap id of each node (same order as ``node_xy``).
    """

    mode: str
    node_xy: np.ndarray
    edge_from: np.ndarray
    edge_to: np.ndarray
    length_m: np.ndarray
    time_min: np.ndarray
    source: str = ""
    node_ids: np.ndarray | None = None
    _prepared: road_index.Prepared | None = field(default=None, repr=False)
    _tree: cKDTree | None = field(default=None, repr=False)
    _big_tree: object | None = field(default=None, repr=False)
    _matrices: dict = field(default_factory=dict, repr=False)
    _pandana: object | None = field(default=None, repr=False)
    _last_snap: tuple[np.ndarray, np.ndarray, np.ndarray] | None = field(default=None, repr=False)

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_xy)

    @property
    def n_edges(self) -> int:
        """Number of directed edges."""
        return len(self.edge_from)

    def prepare(self) -> RoadNetwork:
        """Build the adjacency matrices, the main component and the snapping nodes now (else on
        the first query; the k-d tree is built by the first snapping, of the kind its size
        needs); returns the network itself."""
        if self._prepared is None:
            self._prepared = road_index.prepare(self.node_xy, self.edge_from, self.edge_to, self.length_m,
                                                self.time_min, node_ids=self.node_ids)
        return self

    def matrix(self, weight: str = "length", reverse: bool = False) -> sparse.csr_matrix:
        """Sparse adjacency matrix weighted by ``length`` (m) or ``time`` (min).

        Parallel edges keep their minimum weight. ``reverse`` transposes it (distances *to* a
        node become distances *from* it).
        """
        key = (weight, reverse)
        if key not in self._matrices:
            self._matrices[key] = self.prepare()._prepared.matrix(weight, reverse)
        return self._matrices[key]

    def main_nodes(self) -> np.ndarray:
        """Positions of the nodes of the largest strongly connected component."""
        return self.prepare()._prepared.main

    def snap(self, xy: np.ndarray, *, reuse: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Nearest node (of the main component) of each point.

        Of several nodes at the same coordinates, the one with the lowest id is taken.

        Parameters
        ----------
        xy : numpy.ndarray
            ``(n, 2)`` Lambert-93 coordinates.
        reuse : bool, default False
            Keep the answer, and give it again without a search when the same points come
            back (the same origins for each day of the week, for distances then times).

        Returns
        -------
        (nodes, distances)
            Node positions and straight-line connector lengths (m); -1 / NaN for NaN points.
            Read-only when ``reuse`` is set.
        """
        nodes, dist, _, _ = self.snap_with(xy, np.empty((0, 2)), reuse=reuse)
        return nodes, dist

    def snap_with(self, xy: np.ndarray, other: np.ndarray, *, reuse: bool = False
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`snap` of ``xy`` (kept with ``reuse``) and of ``other`` (never kept), in one
        search when ``xy`` is not already kept: ``(nodes, distances, other_nodes, other_distances)``."""
        self.prepare()
        xy = np.asarray(xy, dtype=float)
        other = np.asarray(other, dtype=float)
        last = self._last_snap
        if reuse and last is not None and last[0].shape == xy.shape and np.array_equal(last[0], xy, equal_nan=True):
            return (last[1], last[2], *self._snap(other, len(xy) + len(other)))
        nodes, dist = self._snap(np.concatenate([xy, other]) if len(other) else xy, len(xy) + len(other))
        nodes, dist, o_nodes, o_dist = nodes[:len(xy)], dist[:len(xy)], nodes[len(xy):], dist[len(xy):]
        if reuse:
            nodes, dist = nodes.copy(), dist.copy()
            nodes.flags.writeable = dist.flags.writeable = False
            self._last_snap = (xy.copy(), nodes, dist)
        return nodes, dist, o_nodes, o_dist

    def _snap(self, xy: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
        snap_nodes = self._prepared.snap_nodes
        if not len(xy):
            return np.empty(0, dtype=snap_nodes.dtype), np.empty(0)
        query = self._query_big if size >= BIG_QUERY else self._query_small
        finite = np.isfinite(xy).all(axis=1)
        if finite.all():
            dist, i = query(xy)
            return snap_nodes[i], dist
        nodes = np.full(len(xy), -1, dtype=snap_nodes.dtype)
        dist = np.full(len(xy), np.nan)
        if finite.any():
            dist[finite], i = query(xy[finite])
            nodes[finite] = snap_nodes[i]
        return nodes, dist

    def _query_small(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self._tree is None:  # built on the first small query only: a large one needs the other tree
            # sliding-midpoint tree: built 2-3x faster than the median-split one, queried as fast
            self._tree = cKDTree(self.node_xy[self._prepared.snap_nodes], balanced_tree=False)
        return self._tree.query(xy)

    def _query_big(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """pykdtree: queried 2x faster than cKDTree on every core (OpenMP) once the query is
        large enough for its threads to pay off (on a thousand points, waking them on a busy
        machine costs more than the whole query); same float64 distances (of equidistant
        nodes, either may be taken, as with cKDTree)."""
        if self._big_tree is None:
            from pykdtree.kdtree import KDTree

            self._big_tree = KDTree(np.ascontiguousarray(self.node_xy[self._prepared.snap_nodes], dtype=float))
        dist, i = self._big_tree.query(np.ascontiguousarray(xy, dtype=float))
        return dist, i.astype(np.intp, copy=False)

    def node_index(self, ids: object) -> np.ndarray:
        """Positions of nodes given by their OpenStreetMap ids (-1 when absent)."""
        return pd.Index(self.node_ids).get_indexer(np.atleast_1d(np.asarray(ids, dtype=object)))

    def extent(self) -> tuple[float, float, float, float]:
        """Lambert-93 bounds of the nodes (xmin, ymin, xmax, ymax)."""
        return (*self.node_xy.min(axis=0), *self.node_xy.max(axis=0))

    def shortest_lengths(self, orig: np.ndarray, dest: np.ndarray, weight: str = "length") -> np.ndarray:
        """Shortest path weight between node pairs (for checks; one Dijkstra per origin)."""
        orig = np.asarray(orig)
        dest = np.asarray(dest)
        uniq, inv = np.unique(orig, return_inverse=True)
        d = csgraph.dijkstra(self.matrix(weight), directed=True, indices=uniq)
        return d[inv, dest]

    def pandana(self) -> object:
        """The same network as a :class:`pandana.Network` (weights ``length`` and ``time``)."""
        if self._pandana is None:
            import pandana

            weights = pd.DataFrame({"length": self.length_m, "time": self.time_min})
            self._pandana = pandana.Network(
                pd.Series(self.node_xy[:, 0]), pd.Series(self.node_xy[:, 1]),
                pd.Series(self.edge_from), pd.Series(self.edge_to), weights, twoway=False,
            )
        return self._pandana


# --------------------------------------------------------------------------------------------
# Speeds
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Ways:
    """Nodes and edges as read (OpenStreetMap extract or street graph), before projection and filtering.

    Edges join nodes given by their ids (``u`` → ``v``), with their length (m), ``highway``
    class and ``maxspeed`` tag, and whether they may be travelled ``forward`` (u → v) and
    ``backward`` (v → u).
    """

    node_ids: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    u: np.ndarray
    v: np.ndarray
    length: np.ndarray
    highway: list[str]
    maxspeed: list[object]
    forward: np.ndarray
    backward: np.ndarray


def _build(mode: str, ways: _Ways, source: str) -> RoadNetwork:
    """Assemble a network from edge tables (ids, both-direction flags)."""
    index = pd.Index(ways.node_ids)
    if not index.is_unique:
        index = index.drop_duplicates()
    a = index.get_indexer(ways.u)
    b = index.get_indexer(ways.v)
    ok = (a >= 0) & (b >= 0) & np.isfinite(ways.length)
    hw = np.array(ways.highway, dtype=object)
    if mode == "walk":
        ok &= ~np.isin(hw, list(NO_WALK))
        speed = np.full(len(ways.u), WALK_SPEED_KMH)
    else:
        ok &= np.isin(hw, list(DRIVE_SPEEDS_KMH))
        speed = np.array([drive_speed(h, m) for h, m in zip(hw, ways.maxspeed, strict=True)], dtype=float)
    fw = ok & ways.forward
    bw = ok & ways.backward
    frm = np.concatenate([a[fw], b[bw]])
    to = np.concatenate([b[fw], a[bw]])
    ln = np.concatenate([ways.length[fw], ways.length[bw]]).astype(float)
    sp = np.concatenate([speed[fw], speed[bw]])
    if len(frm) == 0:
        raise NetworkError(f"le réseau « {Path(source).name} » ne contient aucune voie pour le mode « {mode} »")
    used = np.unique(np.concatenate([frm, to]))
    remap = np.full(len(index), -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    x, y = lonlat_to_l93(np.asarray(ways.lon, dtype=float)[used], np.asarray(ways.lat, dtype=float)[used])
    return RoadNetwork(
        mode=mode,
        node_xy=np.column_stack([x, y]),
        edge_from=remap[frm],
        edge_to=remap[to],
        length_m=ln,
        time_min=ln / (sp * 1000.0 / 60.0),
        source=str(source),
        node_ids=np.asarray(index)[used],
    )


def _from_pbf(path: Path, mode: str) -> RoadNetwork:
    import pyrosm

    try:
        osm = pyrosm.OSM(str(path))
        nodes, edges = osm.get_network(network_type="walking" if mode == "walk" else "driving", nodes=True)
    except Exception as exc:  # pyrosm raises bare exceptions on corrupt files
        raise NetworkError(f"impossible de lire le réseau routier « {path.name} » : {exc}") from exc
    if edges is None or nodes is None or len(edges) == 0:
        raise NetworkError(f"le fichier « {path.name} » ne contient aucune voie pour le mode « {mode} »")
    n = len(edges)
    if mode == "walk":
        forward = np.ones(n, dtype=bool)
        backward = np.ones(n, dtype=bool)
    else:
        ow = edges["oneway"].astype(str).str.lower() if "oneway" in edges else pd.Series([""] * n)
        rb = (edges["junction"].astype(str).str.lower() == "roundabout") if "junction" in edges \
            else pd.Series(np.zeros(n, dtype=bool))
        is_fw = (ow.isin(["yes", "true", "1"]) | rb).to_numpy()
        is_bw = ow.isin(["-1", "reverse"]).to_numpy()
        forward = ~is_bw
        backward = ~is_fw
    maxspeed = edges["maxspeed"].tolist() if "maxspeed" in edges else [None] * n
    ways = _Ways(
        node_ids=nodes["id"].to_numpy(), lon=nodes["lon"].to_numpy(), lat=nodes["lat"].to_numpy(),
        u=edges["u"].to_numpy(), v=edges["v"].to_numpy(), length=edges["length"].to_numpy(dtype=float),
        highway=[first_highway(h) for h in edges["highway"].tolist()], maxspeed=maxspeed,
        forward=forward, backward=backward,
    )
    return _build(mode, ways, str(path))


def from_graph(graph: object, mode: str = "walk", source: str = "graphe") -> RoadNetwork:
    """Build a :class:`RoadNetwork` from a networkx (OSMnx-style) street graph.

    Parameters
    ----------
    graph : networkx.MultiDiGraph or Graph
        Nodes with ``x`` (longitude), ``y`` (latitude); edges with ``length`` (metres), and
        optionally ``highway``, ``maxspeed``. Directed edges are taken as one-way for driving
        (OSMnx adds both directions of two-way streets); walking uses every edge both ways.
    mode : {"walk", "drive"}
    source : str
        Label for messages.

    Returns
    -------
    RoadNetwork
    """
    _check_mode(mode)
    nodes = list(graph.nodes(data=True))
    if not nodes:
        raise NetworkError(f"le réseau « {source} » est vide")
    ids = np.array([n for n, _ in nodes], dtype=object)
    try:
        lon = np.array([float(d["x"]) for _, d in nodes])
        lat = np.array([float(d["y"]) for _, d in nodes])
    except (KeyError, TypeError, ValueError) as exc:
        raise NetworkError(f"le réseau « {source} » n'a pas de coordonnées x/y sur ses nœuds") from exc
    crs = str(getattr(graph, "graph", {}).get("crs", "epsg:4326")).lower()
    if "4326" not in crs and "wgs" not in crs:
        raise NetworkError(f"le réseau « {source} » doit être en longitude/latitude (EPSG:4326), pas « {crs} »")
    edges = list(graph.edges(data=True))
    u = np.array([e[0] for e in edges], dtype=object)
    v = np.array([e[1] for e in edges], dtype=object)
    length = np.array([float(e[2].get("length", np.nan)) for e in edges])
    highway = [first_highway(e[2].get("highway", "road")) or "road" for e in edges]
    maxspeed = [e[2].get("maxspeed") for e in edges]
    n = len(edges)
    directed = graph.is_directed()
    forward = np.ones(n, dtype=bool)
    backward = np.ones(n, dtype=bool) if (mode == "walk" or not directed) else np.zeros(n, dtype=bool)
    ways = _Ways(node_ids=ids, lon=lon, lat=lat, u=u, v=v, length=length, highway=highway, maxspeed=maxspeed,
                 forward=forward, backward=backward)
    return _build(mode, ways, source)


def _check_mode(mode: str) -> None:
    if mode not in ("walk", "drive"):
        raise NetworkError(f"mode de déplacement inconnu : « {mode} » (attendu : walk ou drive)")


def load_network(path: str | Path, mode: str = "walk", *, cache: bool = True) -> RoadNetwork:
    """Read a road network for walking or driving.

    The network is prepared for the searches (:meth:`RoadNetwork.prepare`) and kept in the
    cache folder (:func:`atlas.settings.cache_dir`, ``roads/``), keyed by the file's path, size
    and modification time, the mode and the speeds: the next run with the same file reads it
    back in a fraction of a second instead of parsing the extract again.

    Parameters
    ----------
    path : str or Path
        OpenStreetMap extract ``.osm.pbf`` (read with pyrosm) or a saved street graph
        ``.graphml`` (OSMnx, read with :func:`osmnx.load_graphml`).
    mode : {"walk", "drive"}
        Walking (every way usable both ways, 4.5 km/h, no motorways) or driving (drivable
        ``highway`` classes, one-way streets respected, ``maxspeed`` or class speeds).
    cache : bool, default True
        Read and write the prepared network in the cache folder.

    Returns
    -------
    RoadNetwork

    Raises
    ------
    NetworkError
        Missing or unreadable file, unknown format or mode, no usable way.

    Examples
    --------
    >>> import atlas, os, pyrosm
    >>> helsinki = os.path.join(os.path.dirname(pyrosm.__file__), "data", "Helsinki.osm.pbf")
    >>> network = atlas.load_network(helsinki, mode="walk", cache=False)
    >>> network.mode, len(network.node_xy) > 1000
    ('walk', True)
    """
    _check_mode(mode)
    path = Path(path)
    if not path.is_file():
        raise NetworkError(f"réseau routier introuvable : « {path} »")
    name = path.name.lower()
    if not name.endswith((".pbf", ".graphml", ".xml")):
        raise NetworkError(
            f"format de réseau non reconnu : « {path.name} » (attendu : extrait OpenStreetMap .osm.pbf "
            "ou graphe OSMnx .graphml)"
        )
    stored = cache_file(path, mode) if cache else None
    if stored is not None and stored.is_file():
        net = _read_cache(stored, path, mode)
        if net is not None:
            return net
    if name.endswith(".pbf"):
        net = _from_pbf(path, mode)
    else:
        try:
            import osmnx

            graph = osmnx.load_graphml(path)
        except Exception as exc:
            raise NetworkError(f"impossible de lire le graphe « {path.name} » : {exc}") from exc
        net = from_graph(graph, mode=mode, source=str(path))
    if stored is not None:
        _write_cache(net, stored)
    return net


# --------------------------------------------------------------------------------------------
# Cache of prepared networks
# --------------------------------------------------------------------------------------------

#: Version of the cached form; bump it when the prepared arrays or the way they are built change.
CACHE_VERSION = 1


def cache_file(path: str | Path, mode: str) -> Path | None:
    """Where :func:`load_network` keeps the prepared network of ``path`` for ``mode``.

    The name holds a digest of the file's absolute path, and one of its size, modification
    time, the mode, the speeds, the version of the reader (pyrosm or osmnx) and
    :data:`CACHE_VERSION`: a changed file is never read from an old entry. None when the cache
    folder cannot be created.
    """
    path = Path(path)
    try:
        folder = settings.cache_dir() / "roads"
        st = path.stat()
    except OSError:
        return None
    reader = "pyrosm" if path.name.lower().endswith(".pbf") else "osmnx"
    try:
        reader += " " + importlib.metadata.version(reader)
    except importlib.metadata.PackageNotFoundError:
        pass
    where = hashlib.sha1(str(path.resolve()).encode("utf-8")).hexdigest()[:10]
    state = repr((st.st_size, st.st_mtime_ns, mode, CACHE_VERSION, reader, WALK_SPEED_KMH,
                  sorted(DRIVE_SPEEDS_KMH.items()), sorted(FR_ZONE_SPEEDS.items()), sorted(NO_WALK),
                  CONNECTOR_SPEED_KMH[mode]))
    digest = hashlib.sha1(state.encode("utf-8")).hexdigest()[:16]
    return folder / f"{path.name}.{where}.{mode}.{digest}.npz"


def _read_cache(stored: Path, path: Path, mode: str) -> RoadNetwork | None:
    try:
        prepared, arrays = road_index.load(stored)
        net = RoadNetwork(mode=mode, node_xy=arrays["node_xy"], edge_from=arrays["edge_from"],
                          edge_to=arrays["edge_to"], length_m=arrays["length_m"], time_min=arrays["time_min"],
                          source=str(path), node_ids=arrays["node_ids"], _prepared=prepared)
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile):
        return None  # unreadable entry: built again and rewritten
    return net


def _write_cache(net: RoadNetwork, stored: Path) -> None:
    ids = road_index.storable_ids(net.node_ids)
    if ids is None:
        return
    net.prepare()
    arrays = {"node_xy": net.node_xy, "edge_from": net.edge_from, "edge_to": net.edge_to,
              "length_m": net.length_m, "time_min": net.time_min, "node_ids": ids}
    try:
        road_index.write_entry(stored, net._prepared, arrays)
    except (AtlasError, OSError) as exc:
        info(f"Réseau routier non mis en cache ({exc}) : il sera relu au prochain lancement.")


# --------------------------------------------------------------------------------------------
# Nearest site along the network
# --------------------------------------------------------------------------------------------


def _coverage_error(what: str, n_out: int, n: int, *, max_snap_m: float, net: RoadNetwork,
                    examples: list[str]) -> NetworkCoverageError:
    ex = f" (ex. : {', '.join(examples[:3])})" if examples else ""
    return NetworkCoverageError(
        f"le réseau routier ne couvre pas le territoire : {n_out} {what} sur {n} à plus de "
        f"{max_snap_m / 1000:g} km du réseau « {Path(net.source).name} »{ex}"
    )


def _labels(frame: pd.DataFrame, mask: np.ndarray) -> list[str]:
    for col in ("name", "insee", "id"):
        if col in frame.columns:
            return [str(v) for v in frame.loc[mask, col].head(3)]
    return [str(v) for v in frame.index[mask][:3]]


def _node_nearest(net: RoadNetwork, site_nodes: np.ndarray, site_conn: np.ndarray, weight: str,
                  engine: str) -> tuple[np.ndarray, np.ndarray]:
    """For every node: weight to the nearest site (connector included) and that site's position.

    ``scipy``: one multi-source Dijkstra on the reversed graph augmented with one virtual node
    per site, linked to the site's node by its connector (exact). ``pandana``: ``nearest_pois``
    over the site nodes, the connector of the site found added afterwards (exact when
    connectors are equal, e.g. sites on nodes).
    """
    m = len(site_nodes)
    if engine == "scipy":
        base = net.matrix(weight, reverse=True)
        n = net.n_nodes
        # m extra rows (virtual sources), one entry each: append to the CSR arrays directly
        indptr = np.concatenate([base.indptr, base.indptr[-1] + np.arange(1, m + 1)])
        indices = np.concatenate([base.indices, site_nodes]).astype(base.indices.dtype, copy=False)
        vals = np.concatenate([base.data, np.maximum(site_conn, 1e-9)])
        aug = sparse.csr_matrix((vals, indices, indptr.astype(base.indptr.dtype, copy=False)), shape=(n + m, n + m))
        d, _, src = csgraph.dijkstra(aug, directed=True, indices=n + np.arange(m), min_only=True,
                                     return_predecessors=True)
        pos = np.where(src >= n, src - n, -1)
        return d[:n], pos[:n]
    if engine == "pandana":
        pn = net.pandana()
        order = np.lexsort((site_conn, site_nodes))
        first = np.ones(m, dtype=bool)
        first[1:] = site_nodes[order][1:] != site_nodes[order][:-1]
        best = order[first]  # one site per node: the closest to it
        xy = net.node_xy[site_nodes[best]]
        # larger than any path, in both impedances (pandana wants one bound per category)
        # (a power of two: pandana keeps it in float32 and refuses a query bound above it)
        big = float(2.0 ** math.ceil(math.log2(max(net.length_m.sum(), net.time_min.sum()) + 1.0)))
        category = f"atlas_{weight}"
        pn.set_pois(category, big, 1, pd.Series(xy[:, 0]), pd.Series(xy[:, 1]))
        res = pn.nearest_pois(big, category, num_pois=1, imp_name=weight, include_poi_ids=True)
        d = res[1].to_numpy(dtype=float)
        poi = res["poi1"].to_numpy(dtype=float)
        ok = (d < big) & np.isfinite(poi)
        pos = np.where(ok, best[np.nan_to_num(poi, nan=0).astype(int)], -1)
        d = np.where(ok, d + site_conn[np.maximum(pos, 0)], np.inf)
        return d, pos
    raise NetworkError(f"moteur de calcul inconnu : « {engine} » (scipy ou pandana)")


def network_nearest_xy(net: RoadNetwork, origin_xy: np.ndarray, site_xy: np.ndarray, *, max_snap_m: float = 2000.0,
                       engine: str = "scipy", with_time: bool = True) -> dict[str, np.ndarray]:
    """:func:`network_nearest` on coordinate arrays: no GeoDataFrame read or built.

    Parameters
    ----------
    net : RoadNetwork
    origin_xy, site_xy : numpy.ndarray
        ``(n, 2)`` and ``(m, 2)`` Lambert-93 coordinates (NaN rows: no result, sites ignored).
    max_snap_m, engine, with_time
        As :func:`network_nearest`.

    Returns
    -------
    dict of numpy.ndarray
        ``distance_m``, ``site`` (row of ``site_xy`` nearest by distance, -1 when none),
        ``time_min`` and ``site_time`` (with ``with_time``), ``snap_m``.

    Raises
    ------
    NetworkCoverageError
        As :func:`network_nearest` (examples given by row number).
    """
    return _nearest_arrays(net, np.asarray(origin_xy, dtype=float), np.asarray(site_xy, dtype=float),
                           max_snap_m=max_snap_m, engine=engine, with_time=with_time,
                           examples=lambda frame, mask: [f"n° {i}" for i in np.flatnonzero(mask)[:3]])


def _nearest_arrays(net: RoadNetwork, oxy: np.ndarray, sxy: np.ndarray, *, max_snap_m: float, engine: str,
                    with_time: bool, examples: Callable[[int, np.ndarray], list[str]]) -> dict[str, np.ndarray]:
    """The search behind both APIs; ``examples(0 or 1, mask)`` names origins (0) or sites (1)."""
    s_pos = np.flatnonzero(np.isfinite(sxy).all(axis=1))  # sites kept, by row
    # one search for both, or for the sites alone when the origins come again (each day, ...)
    o_nodes, o_snap, s_nodes, s_snap = net.snap_with(oxy, sxy[s_pos], reuse=True)
    out_o = np.isfinite(o_snap) & (o_snap > max_snap_m)
    if out_o.any():
        raise _coverage_error("points d'origine", int(out_o.sum()), len(oxy), max_snap_m=max_snap_m, net=net,
                              examples=examples(0, out_o))
    in_s = s_snap <= max_snap_m
    if not in_s.any():
        far = np.zeros(len(sxy), dtype=bool)
        far[s_pos] = True
        raise _coverage_error("sites", len(s_pos), len(s_pos), max_snap_m=max_snap_m, net=net,
                              examples=examples(1, far))
    if not in_s.all():
        s_pos, s_nodes, s_snap = s_pos[in_s], s_nodes[in_s], s_snap[in_s]
    s_pos = np.append(s_pos, -1)  # position -1 (no site reached) stays -1
    speed = CONNECTOR_SPEED_KMH[net.mode] * 1000.0 / 60.0  # m/min
    valid = o_nodes >= 0
    found = {}
    for weight in ("length", "time") if with_time else ("length",):
        to_w = 1.0 if weight == "length" else 1.0 / speed
        d_node, pos_node = _node_nearest(net, s_nodes, s_snap * to_w, weight, engine)
        dn, pn = d_node[o_nodes], pos_node[o_nodes]  # (rows of origins without a node: masked next)
        reach = valid & np.isfinite(dn) & (pn >= 0)
        key = "distance_m" if weight == "length" else "time_min"
        found[key] = np.where(reach, dn + o_snap * to_w, np.nan)
        found["site" if weight == "length" else "site_time"] = s_pos[np.where(reach, pn, -1)]
    found["snap_m"] = o_snap.copy()
    return found


def network_nearest(
    net: RoadNetwork,
    origins: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    *,
    max_snap_m: float = 2000.0,
    engine: str = "scipy",
    with_time: bool = True,
) -> gpd.GeoDataFrame:
    """Distance and travel time along the road network from each origin to the nearest site.

    Parameters
    ----------
    net : RoadNetwork
        From :func:`load_network`.
    origins : GeoDataFrame
        Origin points (commune points, grid cells…).
    sites : GeoDataFrame
        Sites (:func:`atlas.analysis.sites.select_sites`).
    max_snap_m : float, default 2000
        Largest straight-line gap between a point and the network; beyond it the point is
        "outside the network".
    engine : {"scipy", "pandana"}
        Shortest-path engine (identical results; scipy is faster here, see the benchmark).
    with_time : bool, default True
        Also compute travel times (a second search); False for distances only.

    Returns
    -------
    GeoDataFrame
        ``origins`` plus ``distance_m`` (shortest distance along roads, connectors included),
        ``site_id``, ``site_name`` (nearest by distance), ``time_min`` (shortest travel time,
        connectors included), ``site_id_time`` (nearest by time), ``snap_m`` (origin
        connector length). NaN where no site can be reached.

    Raises
    ------
    NetworkCoverageError
        When some origin, or every site, is farther than ``max_snap_m`` from the network.
    """
    found = _nearest_arrays(net, points_xy(origins), points_xy(sites), max_snap_m=max_snap_m, engine=engine,
                            with_time=with_time, examples=lambda frame, mask: _labels((origins, sites)[frame], mask))
    # site ids and names with "" appended: position -1 (no site reached) reads ""
    ids = road_index.with_blank(sites["id"] if "id" in sites.columns else sites.index.astype(str))
    names = road_index.with_blank(sites["name"]) if "name" in sites.columns else np.full(len(sites) + 1, "", dtype=object)
    columns = {"distance_m": found["distance_m"], "site_id": ids[found["site"]], "site_name": names[found["site"]]}
    if with_time:
        columns["time_min"] = found["time_min"]
        columns["site_id_time"] = ids[found["site_time"]]
    columns["snap_m"] = found["snap_m"]
    return road_index.with_columns(origins, columns)
