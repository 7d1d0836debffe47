"""A library prints nothing: ``import atlas`` and a notebook session are silent until logging is configured.

Each check runs in a fresh Python process whose stdout and stderr are captured whole (pytest's own
capture, logging plugin and warning filters stay out of it).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from atlas import settings

#: A notebook session: load, zones blanches, weekly coverage, graph, A3 map, web map.
SESSION = """
import atlas
built = atlas.build_atlas(write=False, partnerships=True)
cab = atlas.select_territory(built.communes, epci="CABBALR")
sites = atlas.select_sites(built.actors, atlas.SiteFilter())
zb = atlas.zones_blanches(cab, sites, thresholds_km=(5, 10), sites_selected=True)
week = atlas.weekly_coverage(cab, built.actors, 10.0, by="epci")
graph = atlas.build_graph(built.actors, built.partnerships.accepted, built.actions.accepted)
atlas.render_map(built.communes, built.actors, territory=cab, output=OUT / "cab.pdf")
atlas.write_webmap(cab, built.actors, OUT / "cab.html")
assert len(zb) == 100 and len(week) == 1 and graph.number_of_nodes() > 0
"""


def _run(code: str, tmp_path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(settings.REPO_DIR), "MPLBACKEND": "Agg", "PYTHONWARNINGS": "default"}
    env.pop("ATLAS_DEBUG", None)
    prelude = f"from pathlib import Path\nOUT = Path({str(tmp_path)!r})\n"
    return subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=600)


def test_import_atlas_prints_nothing(tmp_path):
    run = _run("import atlas\nimport atlas.cli\natlas.load_communes\n", tmp_path)
    assert run.returncode == 0, run.stderr
    assert (run.stdout, run.stderr) == ("", "")


def test_library_messages_are_log_records_shown_once_logging_is_configured(tmp_path):
    """The registry report reaches a person only through logging (the CLI's handler prints it)."""
    code = """
    import atlas.inputs
    atlas.inputs.load_inputs(epci=["CABBALR"])
    print("--- logging configured")
    import logging
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    atlas.inputs.load_inputs(epci=["CABBALR"])
    """
    run = _run(code, tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout == "--- logging configured\n"
    lines = run.stderr.splitlines()
    assert lines and all(line.startswith("atlas.inputs: ") for line in lines), run.stderr
    assert any("lignes lues" in line for line in lines)


@pytest.mark.slow
def test_notebook_session_prints_nothing(tmp_path):
    run = _run(SESSION, tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    assert (run.stdout, run.stderr) == ("", "")
    assert (tmp_path / "cab.pdf").stat().st_size > 0 and (tmp_path / "cab.html").stat().st_size > 0


@pytest.mark.slow
def test_progress_hook_shows_the_long_work(tmp_path):
    code = """
    import atlas, atlas.progress
    seen = []
    atlas.progress.set_progress_hook(lambda items, label, total: (seen.append(label), items)[1])
    built = atlas.build_atlas(write=False)
    cab = atlas.select_territory(built.communes, epci="CABBALR")
    atlas.render_map(built.communes, built.actors, territory=cab, output=OUT / "cab.pdf")
    print(seen)
    """
    run = _run(code, tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout == "['Feuilles']\n" and run.stderr == ""
