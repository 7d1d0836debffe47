"""Record the outputs of ``atlas demo`` and compare two recordings (behaviour-preserving refactors).

Usage::

    python tests/tools/compare_demo.py snapshot /tmp/before     # run the demo, keep its outputs
    # ... restructure ...
    python tests/tools/compare_demo.py snapshot /tmp/after
    python tests/tools/compare_demo.py compare /tmp/before /tmp/after
    python tests/tools/compare_demo.py compare /tmp/before /tmp/after --nbsp --ignore 'web_assets|maps/web/assets'

``snapshot`` runs ``atlas -q demo`` with ``ATLAS_PROCESSED_DIR``/``ATLAS_MAPS_DIR`` pointing inside
the given folder. ``compare`` checks, file by file:

* Markdown, CSV, GEXF, GraphML and HTML: identical text (lines carrying the run's date or time,
  such as GEXF's ``lastmodifieddate``, are ignored);
* PDF: identical ``pdftotext -layout`` output, and the same number of pages;
* GeoPackage: the same layers, each equal by ``geopandas.testing.assert_geodataframe_equal``;
* PNG/SVG drawings: present on both sides (pixels are not compared: fonts hinting may differ).

``--nbsp`` treats U+202F and U+00A0 as the same character (a deliberate change of issue 9: one
no-break space everywhere); ``--ignore REGEX`` (repeatable) skips the text lines it matches, for a
change you have explained. Exit status 0 when everything is identical, 1 otherwise (with the
differences listed).
"""

from __future__ import annotations

import difflib
import os
import re
import subprocess
import sys
from pathlib import Path

TEXT_SUFFIXES = {".md", ".csv", ".gexf", ".graphml", ".html", ".json", ".txt"}
# Lines that legitimately change from one run to the next (dates of the run).
VOLATILE = re.compile(r"lastmodifieddate|<dc:date>|CreationDate|ModDate|généré le|mis à jour le \d", re.I)


def snapshot(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, ATLAS_PROCESSED_DIR=str(folder / "processed"), ATLAS_MAPS_DIR=str(folder / "maps"),
               MPLBACKEND="Agg")
    subprocess.run(["atlas", "-q", "demo"], check=True, env=env)
    for pdf in sorted(folder.rglob("*.pdf")):
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True).stdout
        pdf.with_suffix(".pdf.txt").write_bytes(text)


OPTIONS: dict[str, object] = {"nbsp": False, "ignore": []}


def _text_lines(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    if OPTIONS["nbsp"]:
        text = text.replace("\u202f", "\u00a0")
    ignore = [re.compile(r) for r in OPTIONS["ignore"]]  # type: ignore[union-attr]
    return [line for line in text.splitlines()
            if not VOLATILE.search(line) and not any(r.search(line) for r in ignore)]


def _compare_text(a: Path, b: Path) -> list[str]:
    la, lb = _text_lines(a), _text_lines(b)
    if la == lb:
        return []
    diff = list(difflib.unified_diff(la, lb, str(a), str(b), lineterm="", n=1))
    return [f"{a.name}: text differs", *diff[:40]]


def _compare_gpkg(a: Path, b: Path) -> list[str]:
    import geopandas as gpd
    import pyogrio
    from geopandas.testing import assert_geodataframe_equal

    layers_a = sorted(name for name, _ in pyogrio.list_layers(a))
    layers_b = sorted(name for name, _ in pyogrio.list_layers(b))
    if layers_a != layers_b:
        return [f"{a.name}: layers {layers_a} != {layers_b}"]
    problems = []
    for layer in layers_a:
        fa, fb = gpd.read_file(a, layer=layer), gpd.read_file(b, layer=layer)
        try:
            if "geometry" in fa and fa.geometry.name in fa:
                assert_geodataframe_equal(fa, fb, check_like=False)
            else:
                import pandas.testing as pdt

                pdt.assert_frame_equal(fa, fb)
        except AssertionError as exc:
            problems.append(f"{a.name}:{layer}: {str(exc)[:300]}")
    return problems


def compare(before: Path, after: Path) -> int:
    files_a = {p.relative_to(before) for p in before.rglob("*") if p.is_file()}
    files_b = {p.relative_to(after) for p in after.rglob("*") if p.is_file()}
    problems = [f"only before: {p}" for p in sorted(files_a - files_b)]
    problems += [f"only after: {p}" for p in sorted(files_b - files_a)]
    checked = 0
    for rel in sorted(files_a & files_b):
        a, b = before / rel, after / rel
        if rel.suffix in TEXT_SUFFIXES or rel.name.endswith(".pdf.txt"):
            problems += _compare_text(a, b)
        elif rel.suffix == ".gpkg":
            problems += _compare_gpkg(a, b)
        else:
            continue
        checked += 1
    for line in problems:
        print(line)
    print(f"{checked} files compared, {len(problems)} differences", file=sys.stderr)
    return 1 if problems else 0


def main(argv: list[str]) -> int:
    argv = list(argv)
    if "--nbsp" in argv:
        argv.remove("--nbsp")
        OPTIONS["nbsp"] = True
    while "--ignore" in argv:
        i = argv.index("--ignore")
        OPTIONS["ignore"].append(argv[i + 1])  # type: ignore[union-attr]
        del argv[i:i + 2]
    if len(argv) == 2 and argv[0] == "snapshot":
        snapshot(Path(argv[1]))
        return 0
    if len(argv) == 3 and argv[0] == "compare":
        return compare(Path(argv[1]), Path(argv[2]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
