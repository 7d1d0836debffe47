"""Settings: where atlas reads and writes, and how much it says.

One typed, documented object, :data:`options` (like ``osmnx.settings``): set its fields from a
notebook or a script, e.g. ``atlas.settings.options.maps_dir = Path("cartes")``. A field left to ``None`` falls
back to its environment variable, then to its default, read at the time of use:

====================  ==========================  ===============================================
field                 environment variable        default
====================  ==========================  ===============================================
``reference_dir``     ``ATLAS_REFERENCE_DIR``     ``../shared/data`` beside the repository
``cache_dir``         ``ATLAS_CACHE_DIR``         ``~/.cache/atlas``
``processed_dir``     ``ATLAS_PROCESSED_DIR``     ``data/processed``
``maps_dir``          ``ATLAS_MAPS_DIR``          ``maps``
``reference_cache``   ``ATLAS_REFERENCE_CACHE``   ``True`` (``0``: decode in every process)
``quiet``             (``--quiet`` on the CLI)    ``False``
====================  ==========================  ===============================================

``ATLAS_REQUIRE_REFERENCE=1`` (set by CI) makes the tests that need the reference data fail
instead of skipping. Constants of the region (:data:`REGION_CODE`...) and of the checkout
(:data:`REPO_DIR`) live here too.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from atlas.errors import ReferenceDataError

#: Repository root when running from a checkout (the folder holding ``pyproject.toml``); for an
#: installed (non-editable) package, the current folder, where ``data/`` and ``maps/`` are expected.
PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent if (PACKAGE_DIR.parent / "pyproject.toml").exists() else Path.cwd()

#: Hauts-de-France: INSEE region code and its départements.
REGION_CODE = "32"
REGION_NAME = "Hauts-de-France"
REGION_DEPARTEMENTS = ("02", "59", "60", "62", "80")


@dataclass
class Settings:
    """Run-time settings of atlas.

    Attributes
    ----------
    reference_dir : Path or None
        Folder of the optional real reference data (``cog-2025/``, ``communes-2018-hdf/``,
        ``foodaid-2015-dataforgood/``, ``road-graph-fr-osmnx/``...). ``None``: the environment
        variable ``ATLAS_REFERENCE_DIR``, else ``../shared/data`` beside the repository.
    cache_dir : Path or None
        Cache for downloaded contours and derived reference layers (``ATLAS_CACHE_DIR``, else
        ``~/.cache/atlas``).
    processed_dir : Path or None
        Default folder of built layers and tables (``ATLAS_PROCESSED_DIR``, else ``data/processed``).
    maps_dir : Path or None
        Default folder of maps (``ATLAS_MAPS_DIR``, else ``maps``).
    reference_cache : bool or None
        Keep the decoded reference territory in :func:`cache_dir` (:mod:`atlas.territory.cache`);
        ``False`` decodes it in every process, as before the cache (``ATLAS_REFERENCE_CACHE=0``).
    quiet : bool
        Set by ``atlas -q``: the commands leave out the registry summaries they print. The library
        itself never prints (messages are :mod:`logging` records, progress goes through
        :func:`atlas.progress.set_progress_hook`).
    """

    reference_dir: Path | None = None
    cache_dir: Path | None = None
    processed_dir: Path | None = None
    maps_dir: Path | None = None
    reference_cache: bool | None = None
    quiet: bool = False


#: The settings in force (one per process).
options = Settings()


def _chosen(value: Path | None, env: str, default: Path) -> Path:
    if value is not None:
        return Path(value)
    from_env = os.environ.get(env)
    return Path(from_env) if from_env else default


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
    where = _chosen(options.reference_dir, "ATLAS_REFERENCE_DIR", REPO_DIR.parent / "shared" / "data")
    if where.is_dir():
        return where
    if required:
        raise ReferenceDataError(
            f"Données de référence introuvables : « {where} ». "
            "Indiquez le dossier avec --reference-dir ou la variable ATLAS_REFERENCE_DIR."
        )
    return None


def cache_dir() -> Path:
    """Folder for cached downloads and derived layers (created on demand)."""
    path = _chosen(options.cache_dir, "ATLAS_CACHE_DIR", Path.home() / ".cache" / "atlas")
    path.mkdir(parents=True, exist_ok=True)
    return path


def reference_cache() -> bool:
    """Whether the decoded reference territory is cached on disk (default yes)."""
    if options.reference_cache is not None:
        return bool(options.reference_cache)
    return os.environ.get("ATLAS_REFERENCE_CACHE", "1").strip().lower() not in ("0", "false", "non", "no")


def processed_dir() -> Path:
    """Default folder for built layers (``data/processed``)."""
    return _chosen(options.processed_dir, "ATLAS_PROCESSED_DIR", REPO_DIR / "data" / "processed")


def maps_dir() -> Path:
    """Default folder for maps (``maps``)."""
    return _chosen(options.maps_dir, "ATLAS_MAPS_DIR", REPO_DIR / "maps")


def raw_dir() -> Path:
    """Folder of the demonstration registries (``data/raw``)."""
    return REPO_DIR / "data" / "raw"
