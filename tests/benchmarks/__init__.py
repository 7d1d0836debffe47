"""Benchmarks of atlas (not collected by pytest), run together by ``python -m tests.benchmarks``.

A benchmark is a function registered with :func:`bench`; it receives a :class:`Config` and
returns :class:`Table` objects, which the runner prints and writes to one Markdown file,
preceded by the machine (CPU, cores, memory, library versions)::

    python -m tests.benchmarks                      # every registered benchmark, full sizes
    python -m tests.benchmarks access roads --quick # some of them, smaller sizes
    python -m tests.benchmarks -o bench.md          # the Markdown tables docs/benchmarks.md quotes

To add one: in a ``tests/benchmarks/bench_<name>.py`` module, decorate a function::

    from tests.benchmarks import Config, Table, bench, measure, ratio_cell

    @bench("name", "What it measures")
    def my_bench(config: Config) -> list[Table]:
        runs = measure({"atlas": lambda: ..., "baseline": lambda: ...}, config.repeats)
        return [Table("Title", ["ratio", "atlas", "baseline"],
                      [[ratio_cell(runs, "atlas", "baseline"), seconds(runs, "atlas"), ...]])]

Every ratio is the median, over ``config.repeats`` (at least 3) interleaved runs, of the ratio
measured within each run: slow spells of a shared machine hit both sides of a ratio alike.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["BENCHES", "Bench", "Config", "Table", "bench", "measure", "median", "ratio", "ratio_cell", "seconds"]


@dataclass(frozen=True)
class Config:
    """What a benchmark is asked for: ``quick`` (smaller sizes, for a smoke run), ``repeats``
    (interleaved runs, at least 3), ``workers`` (threads of the k-d tree queries, both sides)."""

    quick: bool = False
    repeats: int = 3
    workers: int = 1


@dataclass
class Table:
    """One Markdown table of results: ratios first, then absolute times."""

    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def markdown(self) -> str:
        """The table as Markdown, title and notes included."""
        lines = [f"#### {self.title}", "", "| " + " | ".join(self.columns) + " |",
                 "|" + "|".join(["---"] * len(self.columns)) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        if self.notes:
            lines += [""] + self.notes
        return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Bench:
    """A registered benchmark."""

    name: str
    title: str
    run: Callable[[Config], list[Table]]


#: Registered benchmarks, by name, in registration order.
BENCHES: dict[str, Bench] = {}


def bench(name: str, title: str) -> Callable[[Callable[[Config], list[Table]]], Callable[[Config], list[Table]]]:
    """Register a benchmark function under ``name`` (see the module's description)."""

    def register(fn: Callable[[Config], list[Table]]) -> Callable[[Config], list[Table]]:
        BENCHES[name] = Bench(name, title, fn)
        return fn

    return register


def peak_rss_bytes() -> int:
    """Peak resident memory of this process (bytes): its own ``VmHWM``.

    Not ``ru_maxrss``: Linux carries it over ``exec`` from the process that forked it, so a child
    started by a big runner would report the runner's size.
    """
    import re
    import resource

    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            found = re.search(r"VmHWM:\s+(\d+) kB", fh.read())
        if found:
            return int(found.group(1)) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kB on Linux


def measure(fns: dict[str, Callable[[], object]], repeats: int, *,
            setup: Callable[[], object] | None = None) -> list[dict[str, float]]:
    """Time each function once per run, interleaved, for ``repeats`` runs (seconds).

    ``setup`` runs before each function (untimed), e.g. to give it a fresh object.
    """
    runs = []
    for _ in range(max(repeats, 1)):
        run: dict[str, float] = {}
        for key, fn in fns.items():
            if setup is not None:
                setup()
            start = time.perf_counter()
            fn()
            run[key] = time.perf_counter() - start
        runs.append(run)
    return runs


def median(runs: list[dict[str, float]], key: str) -> float:
    """Median time of ``key`` over the runs (NaN when it was not measured)."""
    values = [r[key] for r in runs if key in r]
    return statistics.median(values) if values else float("nan")


def ratio(runs: list[dict[str, float]], num: str, den: str) -> float:
    """Median over the runs of ``num / den`` measured within each run."""
    values = [r[num] / r[den] for r in runs if num in r and den in r and r[den] > 0]
    return statistics.median(values) if values else float("nan")


def ratio_cell(runs: list[dict[str, float]], num: str, den: str, *, bold: bool = False) -> str:
    """A ratio for a table: ``1.23×`` (``—`` when not measured)."""
    value = ratio(runs, num, den)
    if value != value:
        return "—"
    text = f"{value:.2f}×" if value < 10 else f"{value:.0f}×"
    return f"**{text}**" if bold else text


def seconds(runs: list[dict[str, float]] | float, key: str | None = None) -> str:
    """A time for a table, in ms below one second (``—`` when not measured)."""
    value = median(runs, key) if key is not None else runs
    if value != value:
        return "—"
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"
