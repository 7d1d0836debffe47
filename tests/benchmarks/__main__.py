"""Run the registered benchmarks: ``python -m tests.benchmarks [NAME ...] [--quick] [-o FILE] [--readme]``.

Imports every ``tests/benchmarks/bench_*.py`` (each registers its functions with
:func:`tests.benchmarks.bench`), prints the machine, runs the chosen benchmarks (all by
default) and writes their tables, preceded by the machine and the command, to ``-o``.

With ``--readme``, the tables of each benchmark run replace, in ``docs/benchmarks.md`` (:data:`BENCH_PAGE`), the block between
``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->``, headed by the command, the date and the
machine of that run: every figure of such a block comes from one named run.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import re
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
#: The page whose ``<!-- bench:NAME -->`` blocks ``--readme`` replaces.
BENCH_PAGE = REPO / "docs" / "benchmarks.md"
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.benchmarks import BENCHES, Config  # noqa: E402

LIBRARIES = ("numpy", "scipy", "pandas", "shapely", "geopandas", "pyproj", "networkx", "pandana", "pyrosm",
             "matplotlib")


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError):
        pass
    return "RAM unknown"


def _versions() -> str:
    parts = [f"Python {platform.python_version()}"]
    for name in LIBRARIES:
        try:
            module = importlib.import_module(name)
        except Exception:  # noqa: BLE001 - an optional library may fail to import in many ways
            continue
        parts.append(f"{name} {getattr(module, '__version__', '?')}")
    return ", ".join(parts)


def commit() -> str:
    """The checkout's commit (short hash), « with uncommitted changes » when the tree differs."""
    import subprocess

    try:
        head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown commit"
    return f"commit `{head}`" + (" with uncommitted changes" if dirty else "")


def machine() -> dict[str, str]:
    """CPU model, logical cores, memory, system, load average and library versions."""
    try:
        load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    except OSError:
        load = "unknown"
    return {"cpu": f"{_cpu()}, {os.cpu_count()} logical CPUs, {_memory()}",
            "system": f"{platform.system()} {platform.release()}", "load": load, "versions": _versions()}


def discover() -> list[str]:
    """Import every ``bench_*.py`` beside this file; return the modules that failed to import."""
    failed = []
    for path in sorted(HERE.glob("bench_*.py")):
        try:
            importlib.import_module(f"tests.benchmarks.{path.stem}")
        except Exception as exc:  # noqa: BLE001 - one broken benchmark must not stop the others
            failed.append(f"{path.name}: {exc}")
    return failed


def readme_block(name: str, header: str, text: str) -> str:
    """The block of benchmark ``name``: markers, the run's command and machine, its tables."""
    body = text.split("\n", 1)[1].strip()  # the tables, without the runner's own title line
    return f"<!-- bench:{name} -->\n{header}\n\n{body}\n<!-- /bench:{name} -->"


def update_readme(path: Path, blocks: dict[str, str]) -> list[str]:
    """Replace the marked blocks of ``path`` (see the module's description); the names not found."""
    text = path.read_text(encoding="utf-8")
    missing = []
    for name, block in blocks.items():
        pattern = re.compile(rf"<!-- bench:{re.escape(name)} -->.*?<!-- /bench:{re.escape(name)} -->", re.S)
        if not pattern.search(text):
            missing.append(name)
            continue
        text = pattern.sub(lambda _, b=block: b, text)
    tmp = path.with_suffix(".md.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return missing


def main(argv: list[str] | None = None) -> int:
    failed = discover()
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (default: all): {', '.join(BENCHES)}")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("-r", "--repeats", type=int, default=3, help="interleaved runs per ratio (at least 3)")
    parser.add_argument("--workers", type=int, default=1, help="threads of the k-d tree queries (both sides)")
    parser.add_argument("-o", "--output", type=Path, help="Markdown file to write")
    parser.add_argument("--readme", action="store_true",
                        help="replace the <!-- bench:NAME --> blocks of docs/benchmarks.md with this run's tables")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in BENCHES]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)} (known: {', '.join(BENCHES)})")
    if args.repeats < 3:
        parser.error("--repeats: every ratio is a median of at least 3 runs")
    import atlas.settings

    atlas.settings.options.quiet = True
    config = Config(quick=args.quick, repeats=args.repeats, workers=args.workers)
    info = machine()
    command = "python -m tests.benchmarks " + " ".join(sys.argv[1:] if argv is None else argv)
    code = commit()
    header = [f"Command: `{command.strip()}`, run {date.today().isoformat()} on {code}.", "",
              f"Machine: {info['cpu']}; {info['system']}; load average before the run {info['load']}.", "",
              f"Libraries: {info['versions']}.", ""]
    print("\n".join(header), flush=True)
    for line in failed:
        print(f"(not imported: {line})", flush=True)
    sections = []
    blocks: dict[str, str] = {}
    run_line = (f"Run `{command.strip()}` on {date.today().isoformat()} ({code}): {info['cpu']}, {info['system']}, "
                f"load average {info['load']} at the start; {info['versions']}.")
    for name in args.names or list(BENCHES):
        entry = BENCHES[name]
        print(f"== {name}: {entry.title}", flush=True)
        start = time.perf_counter()
        tables = entry.run(config)
        elapsed = time.perf_counter() - start
        text = f"### {entry.title} (`{name}`, {elapsed:.0f} s)\n\n" + "\n".join(t.markdown() for t in tables)
        print(text, flush=True)
        sections.append(text)
        blocks[name] = readme_block(name, run_line, text)
    try:
        after = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    except OSError:
        after = "unknown"
    footer = f"Load average after the run: {after}.\n"
    print(footer)
    if args.readme:
        missing = update_readme(BENCH_PAGE, blocks)
        print(f"{BENCH_PAGE.relative_to(REPO)}: {len(blocks) - len(missing)} block(s) replaced"
              + (f"; no block for {', '.join(missing)}" if missing else ""))
    if args.output:
        args.output.write_text("\n".join(header) + "\n" + "\n".join(sections) + "\n" + footer, encoding="utf-8")
        print(f"written: {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
