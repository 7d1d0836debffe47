"""Benchmarks of the actors graph: the whole ``atlas actors`` command on synthetic registries.

    python tests/benchmarks/bench_graph.py                  # 300, 1,000, 3,000 and 10,000 actors
    python tests/benchmarks/bench_graph.py --sizes 300 1000 # some sizes
    python tests/benchmarks/bench_graph.py --twice          # each size twice: output files compared
    python -m tests.benchmarks graph                        # the same, through the benchmark runner

:func:`write_registry` writes a synthetic registry in the documented format (``actors.csv``,
``partnerships.csv``, ``actions.csv``, see ``data/raw/README.md``): ``n`` actors of every kind and
world, in communes of the Pas-de-Calais (located at their town hall, as real registries without
coordinates are), about 5 links per actor: direct partnerships mostly within groups of about 60
actors (so that communities exist), actions or collectifs of 3 to 8 members, donations in kg.
Names repeat between communes (« Épicerie solidaire de Lens » twice), as in real registries.

Each size is run as ``atlas actors`` in a fresh process under ``/usr/bin/time``: wall time and peak
resident memory of the whole command (reading, validating, metrics, every export and both
drawings). With ``--twice`` the command runs a second time under another ``PYTHONHASHSEED`` and
every output file is compared byte for byte.
"""

from __future__ import annotations

import argparse
import csv
import filecmp
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.benchmarks import Config, Table, bench  # noqa: E402

SIZES = (300, 1000, 3000, 10000)
_PREFIX = {
    "distribution": "Point de distribution", "epicerie": "Épicerie solidaire", "meal": "Restaurant social",
    "producer": "Ferme", "ccas": "CCAS", "social_centre": "Centre social", "association": "Association",
    "collectivity": "Commune", "chamber": "Chambre d'agriculture", "network": "Tête de réseau",
    "logistics": "Plateforme logistique", "other": "Bureau d'études",
}  # fmt: skip
_ACTOR_HEADER = ["id", "name", "kind", "network", "address", "postcode", "commune", "insee", "lon", "lat",
                 "precision", "opening_hours", "services", "public", "phone", "email", "website", "mode", "route",
                 "access", "price", "closures", "source", "updated", "world"]


def _communes() -> list[tuple[str, str]]:
    """(name, INSEE code) of the communes of the Pas-de-Calais, by code."""
    from atlas.territory.reference import load_communes

    c = load_communes()
    c = c[c["insee"].str.startswith("62")].sort_values("insee")
    return list(zip(c["name"], c["insee"], strict=True))


def write_registry(n: int, folder: str | Path, *, seed: int = 0, links_per_actor: float = 5.0) -> dict[str, Path]:
    """Write a synthetic registry of ``n`` actors in the documented format.

    Returns the paths of ``actors.csv``, ``partnerships.csv`` and ``actions.csv``.
    """
    from atlas.registry.schema import KIND_WORLD

    rng = np.random.default_rng(seed)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    communes = _communes()
    kinds = list(_PREFIX)
    group = 60  # actors of one group share a few communes and most of their partners
    with open(folder / "actors.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, _ACTOR_HEADER)
        w.writeheader()
        for i in range(n):
            kind = kinds[int(rng.integers(len(kinds)))]
            g = i // group
            name, insee = communes[(g * 7 + int(rng.integers(4))) % len(communes)]
            w.writerow({"id": f"a{i}", "name": f"{_PREFIX[kind]} de {name}", "kind": kind, "commune": name,
                        "insee": insee, "precision": "commune", "mode": "fixed", "source": "synthétique",
                        "updated": "2024-06-30", "world": KIND_WORLD[kind]})
    n_actions = max(n // 25, 1)
    with open(folder / "actions.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "kind", "territory", "source"])
        for j in range(n_actions):
            w.writerow([f"act{j}", f"Action collective n° {j}", "action", "", "synthétique"])
    rows = []
    projected = 0  # pairs of actors linked through an action
    for j in range(n_actions):  # actions of 3 to 8 members, mostly of one group
        base = int(rng.integers(n))
        members = {min(max(base + int(d), 0), n - 1) for d in rng.normal(0, group / 2, int(rng.integers(3, 9)))}
        rows += [[f"a{m}", f"act{j}", "action_partner", "", "", "", "", "synthétique"] for m in sorted(members)]
        projected += len(members) * (len(members) - 1) // 2
    # direct partnerships: the rest of the links, 90 % within the group
    n_direct = int(1.08 * links_per_actor * n) - projected  # 8 % more rows: some pairs repeat
    for _ in range(max(n_direct, 0)):
        a = int(rng.integers(n))
        b = (a // group) * group + int(rng.integers(group)) if rng.random() < 0.9 else int(rng.integers(n))
        b = min(b, n - 1)
        if a == b:
            continue
        if rng.random() < 0.08:
            rows.append([f"a{a}", f"a{b}", "donation", "true", str(int(rng.integers(10, 9000))), "kg", "2023",
                         "synthétique"])
        else:
            rows.append([f"a{a}", f"a{b}", ["pat_partner", "logistics", "funding", "other"][int(rng.integers(4))],
                         "", "", "", "", "synthétique"])
    with open(folder / "partnerships.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["source", "target", "kind", "directed", "weight", "unit", "period", "origin"])
        w.writerows(rows)
    return {"actors": folder / "actors.csv", "partnerships": folder / "partnerships.csv",
            "actions": folder / "actions.csv"}


def run_command(paths: dict[str, Path], out: Path, *, hash_seed: str = "0") -> tuple[float, float, float, str]:
    """Run ``atlas actors`` on the registry in a fresh process: (wall seconds, CPU seconds (user +
    system), peak RSS in MiB, output)."""
    cmd = [sys.executable, "-c", "from atlas.cli import main; main()", "-q", "actors", "--registry",
           str(paths["actors"]), "--partenariats", str(paths["partnerships"]), "--actions", str(paths["actions"]),
           "-o", str(out)]
    env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(REPO), "MPLBACKEND": "Agg"}
    start = time.perf_counter()
    res = subprocess.run(["/usr/bin/time", "-f", "@@ %e %M %U %S", *cmd], capture_output=True, text=True, env=env,
                         check=False)
    wall = time.perf_counter() - start
    if res.returncode != 0:
        raise RuntimeError(f"atlas actors failed ({res.returncode}): {res.stderr[-2000:]}")
    m = re.search(r"@@ ([\d.]+) (\d+) ([\d.]+) ([\d.]+)", res.stderr)
    rss = int(m.group(2)) / 1024 if m else float("nan")
    cpu = float(m.group(3)) + float(m.group(4)) if m else float("nan")
    return wall, cpu, rss, res.stdout


def same_files(a: Path, b: Path) -> list[str]:
    """Names of the files that differ between two output folders (or exist in one only)."""
    names = sorted({p.name for p in a.iterdir()} | {p.name for p in b.iterdir()})
    return [x for x in names if not ((a / x).exists() and (b / x).exists()
                                     and filecmp.cmp(a / x, b / x, shallow=False))]


def curve(sizes: tuple[int, ...] = SIZES, *, twice: bool = False) -> Table:
    """Time and memory of ``atlas actors`` for each size."""
    load = os.getloadavg()[0]
    table = Table("`atlas actors` on synthetic registries (whole command, fresh process)",
                  ["actors", "links (pairs)", "wall time", "CPU time", "peak memory", "betweenness",
                   "identical twice"])
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            paths = write_registry(n, Path(tmp) / f"reg{n}")
            wall, cpu, rss, out = run_command(paths, Path(tmp) / f"out{n}")
            links = re.search(r"([\d\u202f\u00a0 ]+) paires d'acteurs liées", out)
            method = "sampled" if "estimée" in (Path(tmp) / f"out{n}" / "acteurs-metriques.csv").read_text(
                encoding="utf-8-sig") else "exact"
            same = "—"
            if twice:
                wall2, cpu2, rss2, _ = run_command(paths, Path(tmp) / f"out{n}b", hash_seed="12345")
                diff = same_files(Path(tmp) / f"out{n}", Path(tmp) / f"out{n}b")
                same = "yes" if not diff else "no: " + ", ".join(diff)
                wall, cpu, rss = min(wall, wall2), min(cpu, cpu2), max(rss, rss2)
            table.rows.append([f"{n:,}", re.sub(r"\D", "", links.group(1)) if links else "?", f"{wall:.1f} s",
                               f"{cpu:.1f} s", f"{rss:.0f} MiB", method, same])
            print(" | ".join(table.rows[-1]), flush=True)
    table.notes.append(f"Load average before the runs: {load:.1f} on {os.cpu_count()} CPUs "
                       "(wall time grows with the other work on a shared machine; CPU time much less).")
    table.notes.append("Each size: `atlas actors --registry actors.csv --partenariats partnerships.csv --actions "
                       "actions.csv -o DIR` under `/usr/bin/time`"
                       + ("; run twice, the second time under another PYTHONHASHSEED, files compared byte for byte; "
                          "wall and CPU time are the lower of the two runs, peak memory the higher." if twice else ".")
                       + " Targets: 10,000 actors / 50,000 links ≤ 120 s and ≤ 2 GB; 1,000 actors ≤ 15 s.")
    return table


@bench("graph", "Whole `atlas actors` on synthetic registries of 300 to 10,000 actors")
def bench_graph(config: Config) -> list[Table]:
    return [curve((300, 1000) if config.quick else SIZES, twice=not config.quick)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--twice", action="store_true", help="run each size twice and compare the files")
    parser.add_argument("--write", type=Path, default=None, help="only write the registry of the first size here")
    parser.add_argument("-o", "--output", type=Path, default=None, help="Markdown file to write (machine included)")
    args = parser.parse_args()
    if args.write:
        print(write_registry(args.sizes[0], args.write))
        return
    from tests.benchmarks.__main__ import machine

    info = machine()
    head = (f"Command: `python tests/benchmarks/bench_graph.py {' '.join(sys.argv[1:])}`.\n\n"
            f"Machine: {info['cpu']}; {info['system']}; load average before the run {info['load']}.\n\n"
            f"Libraries: {info['versions']}.\n")
    print(head, flush=True)
    text = head + "\n" + curve(tuple(args.sizes), twice=args.twice).markdown()
    print(text)
    if args.output:
        args.output.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
