"""The prepared form of a road network, built once and reused by every query.

:func:`prepare` turns a list of directed edges into what the shortest-path searches and the
snapping of points need, in linear passes (no sort of all edges):

- the **forward adjacency** in compressed sparse row form (CSR), parallel edges merged with
  their minimum length and minimum time: edges are grouped by source node with scipy's
  counting-sort conversion (CSC → CSR) and sorted by target within each row;
- the **reverse adjacency** (distances *to* a node), as a permutation of the forward entries,
  shared by the length and the time weights;
- the **largest strongly connected component**, where points are attached;
- the **snapping nodes**: the main component's nodes, one per coordinate (when two OpenStreetMap
  nodes share their coordinates, the one with the lowest id), so that snapping never depends on
  the order of a k-d tree.

:func:`save` and :func:`load` keep a prepared network (its edges and all of the above) in one
uncompressed ``.npz`` file, read back without any computation but the k-d tree.

:func:`with_columns` builds the result frame of a query (the origins and their new columns) from
its blocks: on a network of a thousand nodes, :func:`pandas.concat` cost more than the search.
"""

from __future__ import annotations

import contextlib
import functools
import glob
from dataclasses import dataclass, fields
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse import csgraph

from atlas.analysis.tables import append_columns
from atlas.io import atomic_output

try:
    from pandas.api.internals import create_dataframe_from_blocks as _from_blocks  # type: ignore[import-not-found]
except ImportError:  # pandas < 2.3
    _from_blocks = None

__all__ = ["MIN_WEIGHT", "Prepared", "load", "prepare", "save", "storable_ids", "with_blank", "with_columns",
           "write_entry"]

#: Weight given to zero-length edges: scipy's graph routines read an explicit zero as "no edge".
MIN_WEIGHT = 1e-9


@dataclass(frozen=True)
class Prepared:
    """Adjacency, main component and snapping nodes of a network of ``n`` nodes.

    Attributes
    ----------
    indptr, indices : numpy.ndarray
        Forward CSR structure (row = source node, column = target node), parallel edges merged.
    length, time : numpy.ndarray
        Minimum length (m) and minimum time (min) of each forward entry, at least
        :data:`MIN_WEIGHT`.
    rindptr, rindices, rperm : numpy.ndarray
        Reverse CSR structure (row = target node) and, for each of its entries, the position of
        the same edge in the forward arrays.
    main : numpy.ndarray
        Sorted positions of the nodes of the largest strongly connected component.
    snap_nodes : numpy.ndarray
        Sorted positions of the main component's nodes used for snapping: one per coordinate,
        the lowest node id among coincident nodes.
    """

    indptr: np.ndarray
    indices: np.ndarray
    length: np.ndarray
    time: np.ndarray
    rindptr: np.ndarray
    rindices: np.ndarray
    rperm: np.ndarray
    main: np.ndarray
    snap_nodes: np.ndarray

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.indptr) - 1

    def matrix(self, weight: str = "length", reverse: bool = False) -> sparse.csr_matrix:
        """Adjacency matrix weighted by ``length`` or ``time``, forward or reverse (no copy of the
        structure; the reverse weights are gathered once per call)."""
        data = self.length if weight == "length" else self.time
        n = self.n_nodes
        if reverse:
            return _csr(data[self.rperm], self.rindices, self.rindptr, n)
        return _csr(data, self.indices, self.indptr, n)


def _csr(data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, n: int) -> sparse.csr_matrix:
    m = sparse.csr_matrix((data, indices, indptr), shape=(n, n), copy=False)
    m.has_sorted_indices = True
    return m


def _index_type(*sizes: int) -> type:
    return np.int32 if max(sizes, default=0) < np.iinfo(np.int32).max else np.int64


def _group_by_row(n: int, rows: np.ndarray, itype: type) -> tuple[np.ndarray, np.ndarray]:
    """(indptr, order): positions of ``rows`` grouped by row value, stable, in linear time."""
    m = len(rows)
    one_per_column = sparse.csc_matrix(
        (np.ones(m, dtype=np.int8), rows.astype(itype, copy=False), np.arange(m + 1, dtype=itype)), shape=(n, m)
    )
    grouped = one_per_column.tocsr()  # scipy's csr_tocsc: a counting sort
    return grouped.indptr.astype(itype, copy=False), grouped.indices.astype(itype, copy=False)


def _forward(n: int, edge_from: np.ndarray, edge_to: np.ndarray, length: np.ndarray,
             time: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Forward CSR with parallel edges merged (minimum length, minimum time)."""
    itype = _index_type(n, len(edge_from))
    indptr, order = _group_by_row(n, edge_from, itype)
    by_row = sparse.csr_matrix((order, edge_to[order].astype(itype, copy=False), indptr), shape=(n, n), copy=False)
    by_row.has_sorted_indices = False
    by_row.sort_indices()  # targets sorted within each row (the edge positions follow)
    cols, edge = by_row.indices, by_row.data
    first = np.empty(len(cols), dtype=bool)
    if len(cols):
        first[0] = True
        np.not_equal(cols[1:], cols[:-1], out=first[1:])
        first[indptr[:-1][np.diff(indptr) > 0]] = True  # a new row starts a new pair
    if first.all():
        lmin, tmin = length[edge], time[edge]
    else:  # parallel edges: keep the minimum of each weight
        starts = np.flatnonzero(first)
        lmin = np.minimum.reduceat(length[edge], starts)
        tmin = np.minimum.reduceat(time[edge], starts)
        kept = np.concatenate([[0], np.cumsum(first, dtype=np.int64)])
        indptr = kept[indptr].astype(itype)
        cols = cols[starts]
    return indptr, cols, np.maximum(lmin, MIN_WEIGHT), np.maximum(tmin, MIN_WEIGHT)


def _id_rank(ids: np.ndarray) -> np.ndarray:
    """Rank of node ids (numbers, else text); positions when ids cannot be ordered."""
    try:
        order = np.argsort(ids, kind="stable")
    except TypeError:
        order = np.argsort(np.asarray([str(v) for v in ids]), kind="stable")
    rank = np.empty(len(ids), dtype=np.int64)
    rank[order] = np.arange(len(ids))
    return rank


def _snap_nodes(main: np.ndarray, node_xy: np.ndarray, node_ids: np.ndarray | None) -> np.ndarray:
    """Main nodes with one node per coordinate: the lowest id (or position) among coincident ones."""
    xy = np.ascontiguousarray(node_xy[main], dtype=float)
    # one 64-bit key per coordinate pair (hashing one column is 2-3x faster than two): equal
    # pairs share their key; a rare collision only adds a candidate, checked exactly below
    bits = xy.view(np.int64)
    twins = pd.Index(bits[:, 0] * np.int64(1_000_003) ^ bits[:, 1]).duplicated(keep=False)
    if not twins.any():
        return main
    sub = main[twins]
    rank = _id_rank(np.asarray(node_ids)[sub]) if node_ids is not None else sub
    order = np.lexsort((rank, xy[twins, 1], xy[twins, 0]))
    sxy = xy[twins][order]
    lead = np.ones(len(order), dtype=bool)
    lead[1:] = (sxy[1:] != sxy[:-1]).any(axis=1)
    return np.sort(np.concatenate([main[~twins], sub[order][lead]]))


def prepare(node_xy: np.ndarray, edge_from: np.ndarray, edge_to: np.ndarray, length: np.ndarray,
            time: np.ndarray, *, node_ids: np.ndarray | None = None) -> Prepared:
    """Build the :class:`Prepared` form of a network (see the module's description).

    Parameters
    ----------
    node_xy : numpy.ndarray
        ``(n, 2)`` node coordinates.
    edge_from, edge_to : numpy.ndarray
        Directed edges (node positions).
    length, time : numpy.ndarray
        Edge weights.
    node_ids : numpy.ndarray, optional
        Node ids, to break ties between coincident nodes (lowest id); positions otherwise.

    Returns
    -------
    Prepared
    """
    n = len(node_xy)
    indptr, indices, lmin, tmin = _forward(n, np.asarray(edge_from), np.asarray(edge_to),
                                           np.asarray(length, dtype=float), np.asarray(time, dtype=float))
    itype = indices.dtype.type
    positions = _csr(np.arange(len(indices), dtype=itype), indices, indptr, n)
    reverse = positions.T.tocsr()  # transposition: a counting sort too
    _, labels = csgraph.connected_components(_csr(lmin, indices, indptr, n), directed=True, connection="strong")
    main = np.flatnonzero(labels == np.bincount(labels).argmax()) if n else np.zeros(0, dtype=np.int64)
    return Prepared(indptr=indptr, indices=indices, length=lmin, time=tmin,
                    rindptr=reverse.indptr.astype(itype, copy=False),
                    rindices=reverse.indices.astype(itype, copy=False),
                    rperm=reverse.data.astype(itype, copy=False), main=main,
                    snap_nodes=_snap_nodes(main, np.asarray(node_xy, dtype=float), node_ids))


_PREFIX = "prepared_"


def save(path: Path, prepared: Prepared, arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` (the network's own) and the prepared arrays to one ``.npz`` file.

    ``path`` must end with ``.npz`` (numpy would add it otherwise); arrays of Python objects are
    refused, so that reading never unpickles anything.
    """
    payload = {**arrays, **{_PREFIX + f.name: getattr(prepared, f.name) for f in fields(Prepared)}}
    with open(path, "wb") as handle:
        np.savez(handle, **payload)


def load(path: Path) -> tuple[Prepared, dict[str, np.ndarray]]:
    """Read what :func:`save` wrote: (prepared form, the network's own arrays)."""
    with np.load(path, allow_pickle=False) as data:
        everything = {key: data[key] for key in data.files}
    prepared = Prepared(**{f.name: everything.pop(_PREFIX + f.name) for f in fields(Prepared)})
    return prepared, everything


def storable_ids(ids: np.ndarray | None) -> np.ndarray | None:
    """Node ids as a plain numpy array (integers or text), None when they are something else."""
    if ids is None:
        return None
    ids = np.asarray(ids)
    if ids.dtype.kind in "iuU":
        return ids
    kind = pd.api.types.infer_dtype(ids, skipna=False)
    if kind == "integer":
        return ids.astype(np.int64)
    if kind == "string":
        return ids.astype(str)
    return None


def write_entry(stored: Path, prepared: Prepared, arrays: dict[str, np.ndarray]) -> None:
    """:func:`save` to ``stored`` atomically, then remove the older entries of the same file.

    Entries are named ``<file name>.<path digest>.<mode>.<state digest>.npz``: those with the
    same first three parts are older states of the same file.
    """
    with atomic_output(stored) as tmp:
        save(tmp, prepared, arrays)
    prefix = ".".join(stored.name.split(".")[:-2])
    for old in stored.parent.glob(f"{glob.escape(prefix)}.*.npz"):
        if old != stored:
            with contextlib.suppress(OSError):
                old.unlink()


def with_blank(values: pd.Series | pd.Index) -> np.ndarray:
    """``values`` as an object array (Python objects, as ``to_numpy(dtype=object)``) with ``""``
    appended."""
    out = np.empty(len(values) + 1, dtype=object)
    out[:-1] = values.tolist()
    out[-1] = ""
    return out


@functools.lru_cache(maxsize=64)
def _labels(names: tuple, added: tuple, dtype: object) -> pd.Index:
    """Column labels of a result frame (an index is immutable: frames may share it)."""
    return pd.Index([*names, *added], dtype=dtype)  # type: ignore[call-overload]


def with_columns(frame: gpd.GeoDataFrame, columns: dict[str, np.ndarray]) -> gpd.GeoDataFrame:
    """:func:`~atlas.analysis.tables.append_columns` (same frame, same dtypes) built from its
    blocks, without :func:`pandas.concat`, whose fixed cost (about 0.6 ms) was most of a query on
    a network of a thousand nodes; :func:`append_columns` itself when the frame has other
    columns than plain names or the pandas at hand lacks the block constructor. The frame's
    columns are copied (cheap next to a search), so that the result can be written to freely."""
    names = list(frame.columns)
    if (_from_blocks is None or not isinstance(frame, gpd.GeoDataFrame) or frame.columns.dtype.kind not in "OTU"
            or not frame.columns.is_unique or any(c in columns for c in names)):
        return append_columns(frame, columns)
    try:  # copies of the frame's own blocks (no column read through pandas' indexing); copies,
        # since blocks built from raw arrays escape copy-on-write: writing to the result would
        # write to the caller's frame
        blocks = [(blk.values.copy(), blk.mgr_locs.as_array) for blk in frame._mgr.blocks]
    except AttributeError:
        return append_columns(frame, columns)
    for j, values in enumerate(columns.values()):
        blocks.append((np.asarray(values).reshape(1, -1), np.array([len(names) + j])))
    df = _from_blocks(blocks, index=frame.index, columns=_labels(tuple(names), tuple(columns), frame.columns.dtype))
    out = type(frame)._from_mgr(df._mgr, axes=df._mgr.axes).__finalize__(frame)
    out.attrs = dict(frame.attrs)
    return out
