"""Benchmark of registry validation (``registry``), run by ``python -m tests.benchmarks``.

    python -m tests.benchmarks registry            # 1,000 → 200,000 rows
    python -m tests.benchmarks registry --quick    # 1,000 → 20,000 rows

A synthetic registry in the documented CSV format (:func:`synthetic_registry`): rows placed by
longitude/latitude near a town hall, by INSEE code, by postcode and commune name, Lambert-93
values in the longitude/latitude columns, swapped coordinates, points outside the region, and
rows to reject (no name, unknown kind, bad postcode, unknown status, duplicate id), with
opening hours, networks and services as people write them. ``read_actors`` is timed on the
file (reading, checks, locating, joining to the communes); the reference communes are loaded
once beforehand, as ``build_registries`` does. Target: 200,000 rows ≤ 8 s, ≥ 10× faster per row
than the per-row validation it replaced.

The *before* column runs that row-by-row validation itself, side by side on the same file (its
``atlas/registry/actors.py`` taken from git at :data:`BEFORE_COMMIT`, the rest of atlas as it
is now, so the reading of the file is the same on both sides), up to :data:`BEFORE_MAX_ROWS` rows.
"""

from __future__ import annotations

import csv
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.benchmarks import Config, Table, bench  # noqa: E402

SIZES = (1_000, 10_000, 50_000, 200_000)
QUICK_SIZES = (1_000, 5_000, 20_000)
#: The last commit validating row by row (issue 14), and the largest registry timed with it.
BEFORE_COMMIT = "e79c56d"
BEFORE_MAX_ROWS = 200_000

HEADER = ["id", "name", "kind", "network", "address", "postcode", "commune", "insee", "lon", "lat",
          "opening_hours", "services", "access", "status", "updated"]
KINDS = ["distribution", "Épicerie solidaire", "repas", "CCAS", "lieu de distribution", "epicrie sociale",
         "producteur", "association"]
NETWORKS = ["", "", "Restos du Cœur", "secours populaire", "Croix-Rouge française", "réseau local"]
SERVICES = ["", "colis", "colis, vestiaire", "épicerie; douches", "repas", "atelier cuisine"]
HOURS = ["", "Mo-Fr 09:00-12:00", "Tu,Th 14:00-17:00", "le mardi matin", "We 09:00-11:30; Sa 10:00-12:00"]
ACCESS = ["", "accès libre", "sur orientation", "inscription"]
STATUS = ["", "", "", "ouvert", "brouillon", "fermé"]


def synthetic_registry(n: int, path: Path, seed: int = 0) -> Path:
    """Write a registry of ``n`` varied rows (see the module's description) to ``path``."""
    from atlas.crs import l93_to_lonlat
    from atlas.territory.reference import load_communes

    communes = load_communes(columns=["insee", "name", "postcodes", "townhall_x", "townhall_y"])
    communes = communes[communes["townhall_x"].notna()].reset_index(drop=True)
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(communes), n)
    x = communes["townhall_x"].to_numpy()[pick] + rng.normal(0, 300, n)
    y = communes["townhall_y"].to_numpy()[pick] + rng.normal(0, 300, n)
    lon, lat = l93_to_lonlat(x, y)
    how = rng.choice(["lonlat", "insee", "postcode", "l93", "swapped", "outside", "noname", "kind", "cp",
                      "status", "dup"], n, p=[.5, .2, .15, .04, .03, .02, .01, .01, .01, .01, .02])
    rows = []
    for i in range(n):
        c = communes.iloc[pick[i]] if how[i] in ("insee", "postcode") else None
        row = {"id": f"s{i}" if how[i] != "dup" else f"s{max(i - 1, 0)}",
               "name": "" if how[i] == "noname" else f"Site {i}",
               "kind": "boulangerie" if how[i] == "kind" else KINDS[i % len(KINDS)],
               "network": NETWORKS[i % len(NETWORKS)], "address": f"{i % 90 + 1} rue de la Gare",
               "postcode": "", "commune": "", "insee": "", "lon": "", "lat": "",
               "opening_hours": HOURS[i % len(HOURS)], "services": SERVICES[i % len(SERVICES)],
               "access": ACCESS[i % len(ACCESS)], "status": "peut-être" if how[i] == "status" else STATUS[i % 6],
               "updated": "15/03/2024" if i % 3 else "2024-03"}
        if how[i] in ("lonlat", "dup", "noname", "kind", "status"):
            row["lon"], row["lat"] = f"{lon[i]:.6f}".replace(".", ","), f"{lat[i]:.6f}".replace(".", ",")
        elif how[i] == "swapped":
            row["lon"], row["lat"] = f"{lat[i]:.6f}", f"{lon[i]:.6f}"
        elif how[i] == "l93":
            row["lon"], row["lat"] = f"{x[i]:.1f}", f"{y[i]:.1f}"
        elif how[i] == "outside":
            row["lon"], row["lat"] = "2.3522", "48.8566"  # Paris
        elif how[i] == "insee":
            row["insee"] = c["insee"]
        elif how[i] == "postcode":
            row["postcode"], row["commune"] = str(c["postcodes"]).split(",")[0], c["name"]
        if how[i] == "cp":
            row["postcode"] = "5900"[: 3]
        rows.append(row)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, HEADER, delimiter=";")
        writer.writeheader()
        writer.writerows(rows)
    return path


def before_module():  # noqa: ANN201 - a module, or None without git
    """``atlas.registry.actors`` as of :data:`BEFORE_COMMIT` (row-by-row validation), or None."""
    import importlib.util

    try:
        source = subprocess.run(["git", "-C", str(REPO), "show", f"{BEFORE_COMMIT}:atlas/registry/actors.py"],
                                capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    path = Path(tempfile.mkdtemp()) / "actors_before.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("actors_before", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["actors_before"] = module
    spec.loader.exec_module(module)
    return module


def time_registry(path: Path, module=None) -> tuple[float, int, int]:  # noqa: ANN001
    """Seconds of ``read_actors`` on a registry file (of ``module``, default atlas's); accepted
    and rejected rows."""
    from atlas.registry import actors
    from atlas.territory.reference import load_communes

    communes = load_communes()
    start = time.perf_counter()
    result = (module or actors).read_actors(path, communes=communes)
    return time.perf_counter() - start, len(result.accepted), len(result.rejected)


@bench("registry", "Registry validation: read_actors on 1,000 → 200,000 rows")
def registry_bench(config: Config) -> list[Table]:
    sizes = QUICK_SIZES if config.quick else SIZES
    table = Table(f"`read_actors` on a synthetic registry (median of {config.repeats} interleaved runs)",
                  ["rows", "before / now", "now", "per row", "before (row by row)", "accepted", "rejected"])
    before = before_module()
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = synthetic_registry(n, Path(tmp) / f"registre-{n}.csv")
            runs, ratios, olds = [], [], []
            for _ in range(config.repeats if n <= 50_000 else 3):
                runs.append(time_registry(path))
                if before is not None and n <= BEFORE_MAX_ROWS:
                    old = time_registry(path, before)
                    assert old[1:] == runs[-1][1:]  # the same rows accepted and rejected
                    olds.append(old[0])
                    ratios.append(old[0] / runs[-1][0])
            t = float(np.median([r[0] for r in runs]))
            table.rows.append([f"{n:,}", f"**{np.median(ratios):.1f}×**" if ratios else "—", f"{t:.2f} s",
                               f"{t / n * 1e6:.0f} µs", f"{np.median(olds):.2f} s" if olds else "—",
                               f"{runs[0][1]:,}", f"{runs[0][2]:,}"])
    table.notes.append(f"Before = commit {BEFORE_COMMIT}'s row-by-row `read_actors`, same file, same process. "
                       "Targets: ≥ 10× faster per row, 200,000 rows ≤ 8 s.")
    return [table]


if __name__ == "__main__":
    from tests.benchmarks.__main__ import main

    raise SystemExit(main(["registry", *sys.argv[1:]]))
