"""Settings: paths, environment variables and global switches.

Environment variables
---------------------
ATLAS_REFERENCE_DIR
    Folder holding the optional real reference data (``cog-2025/``, ``communes-2018-hdf/``,
    ``foodaid-2015-dataforgood/``, ``road-graph-fr-osmnx/``...). Defaults to ``../shared/data``
    beside the repository when that folder exists.
ATLAS_REQUIRE_REFERENCE
    When ``1`` (CI sets it), tests that need the reference data fail instead of skipping.
ATLAS_CACHE_DIR
    Cache for downloaded contours and derived reference layers (default ``~/.cache/atlas``).
"""

from __future__ import annotations

import os
from pathlib import Path

#: Repository root when running from a checkout (the folder holding ``pyproject.toml``); for an
#: installed (non-editable) package, the current folder, where ``data/`` and ``maps/`` are expected.
PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent if (PACKAGE_DIR.parent / "pyproject.toml").exists() else Path.cwd()

#: Hauts-de-France: INSEE region code and its départements.
REGION_CODE = "32"
REGION_NAME = "Hauts-de-France"
REGION_DEPARTEMENTS = ("02", "59", "60", "62", "80")

#: When True, progress bars and informative messages are silenced (``--quiet``).
QUIET = False


def reference_dir(required: bool = False) -> Path | None:
    """Folder of the optional real reference data.

    Parameters
    ----------
    required : bool
        Raise :class:`~atlas.errors.ReferenceDataError` when it cannot be found.

    Returns
    -------
    pathlib.Path or None
    """
    env = os.environ.get("ATLAS_REFERENCE_DIR")
    candidates = [Path(env)] if env else [REPO_DIR.parent / "shared" / "data"]
    for cand in candidates:
        if cand.is_dir():
            return cand
    if required:
        from atlas.errors import ReferenceDataError

        where = env or str(candidates[0])
        raise ReferenceDataError(
            f"Données de référence introuvables : « {where} ». "
            "Indiquez le dossier avec --reference-dir ou la variable ATLAS_REFERENCE_DIR."
        )
    return None


def cache_dir() -> Path:
    """Folder for cached downloads and derived layers (created on demand)."""
    path = Path(os.environ.get("ATLAS_CACHE_DIR", Path.home() / ".cache" / "atlas"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def processed_dir() -> Path:
    """Default folder for built layers (``data/processed``)."""
    return Path(os.environ.get("ATLAS_PROCESSED_DIR", REPO_DIR / "data" / "processed"))


def maps_dir() -> Path:
    """Default folder for maps (``maps``)."""
    return Path(os.environ.get("ATLAS_MAPS_DIR", REPO_DIR / "maps"))


def raw_dir() -> Path:
    """Folder of the demonstration registries (``data/raw``)."""
    return REPO_DIR / "data" / "raw"
