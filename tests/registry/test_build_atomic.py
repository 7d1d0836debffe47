"""``atlas build`` killed (SIGKILL) at several moments leaves either the whole previous set of files
(GeoPackage, rejects, warnings) or the whole new one, and the next run leaves no orphan."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyogrio
import pytest

from atlas.io import remove_orphans
from atlas.registry.build import build_registries, output_set

#: Runs ``atlas build`` with its writers and renames slowed down at one chosen moment (KILL_AT), printing
#: a marker line there so that the test can kill it exactly then.
DRIVER = textwrap.dedent('''
    import os, sys, time
    from pathlib import Path
    import atlas.registry.build as build

    stop = os.environ["KILL_AT"]
    finals = {Path(p).resolve() for p in os.environ["FINALS"].split(os.pathsep)}
    renames = [0]
    real_replace = os.replace

    def pause(marker):
        print(marker, flush=True)
        time.sleep(120)

    def replace(src, dst, *args, **kwargs):
        if Path(dst).resolve() in finals:
            renames[0] += 1
            if stop == f"rename:{renames[0]}":
                pause(stop)
        return real_replace(src, dst, *args, **kwargs)

    def slowed(writer, name):
        def wrapper(path, *args, **kwargs):
            out = writer(path, *args, **kwargs)
            if stop == f"written:{name}":
                pause(stop)
            return out
        return wrapper

    os.replace = replace
    build.write_gpkg = slowed(build.write_gpkg, "gpkg")
    build.write_csv_excel = slowed(build.write_csv_excel, "csv")
    from atlas.cli import main
    sys.argv = ["atlas", "-q", "build", *sys.argv[1:]]
    main()
''')

#: Moments of the kill: after the GeoPackage is written aside, after the first CSV is, between the first and
#: second renames of the commit, between the second and the third.
MOMENTS = ("written:gpkg", "written:csv", "rename:2", "rename:3")


def _registry(path: Path, names: list[str]) -> Path:
    rows = [f"{n};distribution;62498" for n in names]
    path.write_text("nom;type;code insee\n" + "\n".join([*rows, ";distribution;62498", "W;lieu de distribution;62498"])
                    + "\n", encoding="utf-8")
    return path


def _state(target: Path) -> tuple[frozenset[str], str, str]:
    """What the set says: names in the GeoPackage, the registry named in the rejects and in the warnings."""
    names = frozenset(pyogrio.read_dataframe(target, layer="actors", read_geometry=False)["name"])
    rejects, warnings = (p.read_text(encoding="utf-8-sig") for p in output_set(target)[1:])
    return names, rejects.splitlines()[1].split(";")[0], warnings.splitlines()[1].split(";")[0]


@pytest.fixture(scope="module")
def sets(tmp_path_factory):
    root = tmp_path_factory.mktemp("sets")
    old_reg = _registry(root / "ancien.csv", ["Ancien 1", "Ancien 2"])
    new_reg = _registry(root / "nouveau.csv", ["Nouveau 1", "Nouveau 2", "Nouveau 3"])
    states = {}
    for name, reg in (("old", old_reg), ("new", new_reg)):
        target = root / name / "x.gpkg"
        build_registries([reg], output=target)
        states[name] = _state(target)
    assert states["old"] != states["new"]
    assert states["new"] == (frozenset({"Nouveau 1", "Nouveau 2", "Nouveau 3", "W"}), str(new_reg), str(new_reg))
    return root, old_reg, new_reg, states


def test_kill_at_any_moment_leaves_a_whole_set(sets, tmp_path):
    root, _, new_reg, states = sets
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path(__file__).parents[2]), os.environ.get("PYTHONPATH", "")]))
    runs = {}
    for moment in MOMENTS:  # all at once: each waits at its own moment
        folder = tmp_path / moment.replace(":", "-")
        shutil.copytree(root / "old", folder)
        target = folder / "x.gpkg"
        finals = os.pathsep.join(str(p) for p in output_set(target))
        proc = subprocess.Popen([sys.executable, str(driver), str(new_reg), "-o", str(target)], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, env=dict(env, KILL_AT=moment, FINALS=finals))
        runs[moment] = (proc, target)
    seen = {}
    for moment, (proc, target) in runs.items():
        deadline = time.monotonic() + 300
        for line in proc.stdout:  # type: ignore[union-attr]
            if line.strip() == moment or time.monotonic() > deadline:
                break
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL, moment
        leftovers = [p.name for p in target.parent.iterdir() if p.name.startswith(".")]
        assert leftovers, moment  # the killed run left temporary files (or its commit record) behind
        # what the next run does first: finish an interrupted commit, remove the orphans
        for path in output_set(target):
            remove_orphans(path)
        assert not [p.name for p in target.parent.iterdir() if p.name.startswith(".")], moment
        seen[moment] = _state(target)
        assert seen[moment] in (states["old"], states["new"]), (moment, seen[moment])
    # killed before the commit: the old set; killed while renaming: the commit is finished, the new set
    assert seen == {"written:gpkg": states["old"], "written:csv": states["old"],
                    "rename:2": states["new"], "rename:3": states["new"]}


def test_next_run_on_the_same_output_removes_orphans(sets, tmp_path):
    root, _, new_reg, states = sets
    folder = tmp_path / "out"
    shutil.copytree(root / "old", folder)
    dead = 999_999
    while True:
        try:
            os.kill(dead, 0)
            dead -= 1
        except ProcessLookupError:
            break
    orphans = [folder / f".x.{dead}-abcd1234.part.gpkg", folder / f".x.{dead}-abcd1234.part.gpkg-journal",
               folder / f".x-rejets.{dead}-efgh5678.part.csv"]
    for p in orphans:
        p.write_bytes(b"half written")
    build_registries([new_reg], output=folder / "x.gpkg")
    assert sorted(p.name for p in folder.iterdir()) == ["x-avertissements.csv", "x-rejets.csv", "x.gpkg"]
    assert _state(folder / "x.gpkg") == states["new"]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="/dev/full absent")
def test_full_disk_during_build(sets, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from atlas.cli import cli

    root, _, new_reg, states = sets
    folder = tmp_path / "out"
    shutil.copytree(root / "old", folder)

    def full(*_args, **_kwargs):  # the CSV files hit a full disk (the kernel's own ENOSPC) after the GeoPackage
        with open("/dev/full", "w") as fh:
            fh.write("x" * 100_000)
            fh.flush()

    monkeypatch.setattr(Path, "write_text", full)
    res = CliRunner().invoke(cli, ["build", str(new_reg), "-o", str(folder / "x.gpkg")])
    monkeypatch.undo()
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert res.output == f"Erreur : Écriture impossible de « {folder / 'x-rejets.csv'} » : plus de place sur le disque.\n"
    assert sorted(p.name for p in folder.iterdir()) == ["x-avertissements.csv", "x-rejets.csv", "x.gpkg"]
    assert _state(folder / "x.gpkg") == states["old"]  # the previous set, whole
