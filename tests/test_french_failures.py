"""Every failure is one French sentence, exit 1, no traceback, no English library text: a full disk
during ``build`` (the kernel's ENOSPC, SQLite's and GDAL's own words, a real full tmpfs), junk files
given to ``--reference``, ``--origins`` and ``--candidates``; matplotlib's « Glyph … missing from
font » warnings become one French line; a registry whose rows are all rejected, read with ``--ban``,
reports its rejects as usual and says that no row is left."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pyogrio
import pytest
from click.testing import CliRunner

from atlas.cli import cli
from atlas.cli.warnings_fr import french_warnings, glyph_line
from atlas.registry.build import NOTHING_LEFT

ROOT = Path(__file__).parents[1]
DATA = ROOT / "tests" / "data"
BAN = DATA / "ban" / "adresses-62.csv"
ATLAS = [sys.executable, "-c", "from atlas.cli import main; main()"]
ENGLISH = ("Traceback", "Erreur inattendue", "Failed", "not recognized", "sqlite", "Could not", "codec",
           "Warning", "DataSourceError", ".py:")


def _french_sentence(output: str) -> str:
    """The one line of an error: French, no library text."""
    assert output.count("\n") == 1 and output.startswith("Erreur : "), output
    for word in ENGLISH:
        assert word not in output, output
    return output


# ------------------------------------------------------------------------------------- full disk
@pytest.mark.parametrize("error", [
    OSError(errno.ENOSPC, "No space left on device"),
    pyogrio.errors.DataSourceError("sqlite3_exec(INSERT INTO gpkg_contents (table_name) VALUES ('t')) failed: "
                                   "database or disk is full"),
])
def test_full_disk_during_build(tmp_path, monkeypatch, error):
    def full(_frame, path, **_kw):
        Path(path).write_bytes(b"partial")
        raise error

    monkeypatch.setattr(pyogrio, "write_dataframe", full)
    out = tmp_path / "x.gpkg"
    res = CliRunner().invoke(cli, ["-q", "build", "-o", str(out)])
    assert res.exit_code == 1
    assert _french_sentence(res.output) == f"Erreur : Écriture impossible de « {out} » : plus de place sur le disque.\n"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("free", "cause"), [
    (4096, "plus de place sur le disque."),  # GDAL does not say why; the disk does
    (10**12, "l'écriture a échoué sans que GDAL en dise la raison en clair (relancez avec « atlas --debug … »"),
])
def test_gdal_failure_without_a_cause_is_french(tmp_path, monkeypatch, free, cause):
    def failed(_frame, path, **_kw):
        Path(path).write_bytes(b"partial")
        raise pyogrio.errors.DataSourceError("Failed to commit transaction.")

    monkeypatch.setattr(pyogrio, "write_dataframe", failed)
    real = shutil.disk_usage
    monkeypatch.setattr(shutil, "disk_usage", lambda p: real(p)._replace(free=free))
    out = tmp_path / "x.gpkg"
    res = CliRunner().invoke(cli, ["-q", "build", "-o", str(out)])
    assert res.exit_code == 1
    assert _french_sentence(res.output).startswith(f"Erreur : Écriture impossible de « {out} » : {cause}")
    assert list(tmp_path.iterdir()) == []


def _tmpfs_prefix(folder: Path, size: str) -> list[str] | None:
    """A command prefix running in a private mount namespace with a ``size`` tmpfs on ``folder``."""
    exe = shutil.which("unshare")
    if exe is None:
        return None
    for flags in (["-m"], ["-rm"]):
        probe = subprocess.run([exe, *flags, "sh", "-c", f"mount -t tmpfs -o size={size} tmpfs '{folder}'"],
                               capture_output=True)
        if probe.returncode == 0:
            return [exe, *flags, "sh", "-c", f'mount -t tmpfs -o size={size} tmpfs "{folder}" && exec "$@"', "sh"]
    return None


@pytest.mark.parametrize("size", ["300k", "2500k"])  # SQLite's « disk is full » / GDAL's « Failed to commit »
def test_real_full_disk_during_build(tmp_path, size):
    folder = tmp_path / "petit-disque"
    folder.mkdir()
    prefix = _tmpfs_prefix(folder, size)
    if prefix is None:
        pytest.skip("unshare/mount d'un tmpfs impossible ici")
    out = folder / "atlas.gpkg"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    res = subprocess.run([*prefix, *ATLAS, "-q", "build", "-o", str(out)], capture_output=True, text=True, env=env,
                         timeout=600)
    assert res.returncode == 1, res
    assert _french_sentence(res.stderr) == f"Erreur : Écriture impossible de « {out} » : plus de place sur le disque.\n"


# ------------------------------------------------------------------------------------- junk inputs
@pytest.fixture(scope="module")
def junk(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("junk")
    files = {"gpkg": folder / "junk.gpkg", "geojson": folder / "junk.geojson", "csv": folder / "junk.csv"}
    files["gpkg"].write_bytes(bytes(range(256)) * 12)
    files["geojson"].write_text("ceci n'est pas du GeoJSON", encoding="utf-8")
    files["csv"].write_bytes(b"\x83\xff\x00\x01" * 200)
    return files


@pytest.mark.parametrize("kind", ["gpkg", "geojson"])
def test_junk_reference(tmp_path, junk, kind):
    res = CliRunner().invoke(cli, ["-q", "build", "--reference", str(junk[kind]), "-o", str(tmp_path / "x.gpkg")])
    assert res.exit_code == 1
    assert _french_sentence(res.output) == (
        f"Erreur : impossible de lire les contours des communes (--reference) « junk.{kind} » : ce n'est pas un "
        "fichier géographique lisible (GeoPackage, GeoJSON, Shapefile…) : fichier abîmé, tronqué ou d'un autre "
        "format que son nom l'indique\n")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("command", "option", "what"), [
    ("gaps", "--origins", "points d'origine"), ("distances", "--origins", "points d'origine"),
    ("suggest", "--candidates", "points"),
])
@pytest.mark.parametrize("kind", ["gpkg", "geojson", "csv"])
def test_junk_origins_and_candidates(junk, command, option, what, kind):
    res = CliRunner().invoke(cli, ["-q", command, "--epci", "CAPSO", option, str(junk[kind])])
    assert res.exit_code == 1
    assert _french_sentence(res.output).startswith(
        f"Erreur : impossible de lire les {what} « junk.{kind} » : ce n'est pas un fichier géographique lisible")


# ------------------------------------------------------------------------------------- warnings
def test_glyph_warnings_become_one_french_line(tmp_path):
    """A real run (warnings are shown by Python as they are outside pytest): a full-width name."""
    text = (DATA / "graph" / "actors.csv").read_text(encoding="utf-8").replace("Ferme A", "Ｆｅｒｍｅ ＝ 全角")
    registry = tmp_path / "actors.csv"
    registry.write_text(text, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    env.pop("ATLAS_DEBUG", None)
    res = subprocess.run([*ATLAS, "-q", "actors", "--registry", str(registry), "--partenariats",
                          str(DATA / "graph" / "partnerships.csv"), "--actions", str(DATA / "graph" / "actions.csv"),
                          "--dessin", "svg", "-o", str(tmp_path / "acteurs")],
                         capture_output=True, text=True, env=env, timeout=600)
    assert res.returncode == 0, res.stderr
    assert "Glyph" not in res.stderr and "UserWarning" not in res.stderr and ".py:" not in res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.startswith("Attention : ")]
    assert lines == ["Attention : 7 caractères absents de la police DejaVu Sans (Ｆ ｅ ｒ ｍ ＝ 全 角) sont dessinés "
                     "comme des carrés vides sur les cartes et les graphes."]


def test_french_warnings_unit(capsys):
    with french_warnings():
        warnings.warn("Glyph 65309 (\\N{FULLWIDTH EQUALS SIGN}) missing from font(s) DejaVu Sans.", UserWarning,
                      stacklevel=1)
        warnings.warn("A value is trying to be set on a copy of a slice", FutureWarning, stacklevel=1)
    err = capsys.readouterr().err
    assert err == ("Attention : 1 caractère absent de la police DejaVu Sans (＝) est dessiné comme des carrés vides "
                   "sur les cartes et les graphes.\n")
    assert glyph_line(["rien à voir"]) is None
    with pytest.warns(FutureWarning), french_warnings(show_all=True):  # --debug: every warning as Python shows it
        warnings.warn("slice", FutureWarning, stacklevel=1)


# ------------------------------------------------------------------------------------- all rejected
@pytest.fixture(scope="module")
def all_rejected(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("rejets") / "tout-rejete.csv"
    path.write_text("Identifiant;Nom;Type;Adresse;Code postal;Commune\n"
                    "r1;Colis A;inconnu;1 rue Jean Jaurès;62300;Lens\n"
                    "r2;;Distribution;2 rue Jean Jaurès;62300;Lens\n", encoding="utf-8")
    return path


def _rejects_reported(output: str) -> None:
    assert "Erreur" not in output and "KeyError" not in output
    assert "ligne 2 : type d'acteur inconnu : « inconnu »" in output and "ligne 3 : nom manquant" in output


def test_all_rejected_build_with_ban(tmp_path, all_rejected):
    res = CliRunner().invoke(cli, ["build", str(all_rejected), "--ban", str(BAN), "-o", str(tmp_path / "x.gpkg")])
    assert res.exit_code == 0, res.output
    _rejects_reported(res.output)
    assert res.output.rstrip().endswith(NOTHING_LEFT) or NOTHING_LEFT in res.output
    assert "tout-rejete.csv : 2 lignes lues, 0 acceptées, 2 rejetées" in res.output


def test_all_rejected_print_with_ban(tmp_path, all_rejected):
    res = CliRunner().invoke(cli, ["print", "--commune", "62498", "--registry", str(all_rejected), "--ban", str(BAN),
                                   "-o", str(tmp_path / "x.pdf")])
    assert res.exit_code == 0, res.output
    _rejects_reported(res.output)
    assert NOTHING_LEFT in res.output


def test_all_rejected_geocode_with_ban(tmp_path, all_rejected):
    out = tmp_path / "g.csv"
    res = CliRunner().invoke(cli, ["geocode", str(all_rejected), "--ban", str(BAN), "-o", str(out)])
    assert res.exit_code == 0, res.output
    _rejects_reported(res.output)
    assert "Aucune ligne acceptée : il ne reste aucune adresse à géocoder" in res.output
    assert out.read_text(encoding="utf-8").splitlines()[1].startswith("r1;Colis A;inconnu;")  # copied as they are
