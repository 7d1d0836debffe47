"""Every CSV atlas writes is safe to open in Excel: registry text that looks like a formula is
neutralised in the rejects, warnings, distances, metrics, communities and indicators tables, on
stdout too; absurd numbers are rejects, not crashes; unsafe links are warned."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from atlas.cli import cli

GRAPH = Path(__file__).parent / "data" / "graph"
FORMULA_NAME = '=HYPERLINK("http://x","clic")'
CMD_NAME = "+cmd|' /C calc'!A0"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> dict[str, Path]:
    """The graph fixture with formulas as names and ids, a rejected row, absurd weights, unsafe links."""
    folder = tmp_path_factory.mktemp("hostile")
    with open(GRAPH / "actors.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        r["id"] = "@spf-a" if r["id"] == "spf-a" else r["id"]
        r["name"] = {"Secours populaire A": FORMULA_NAME, "Ferme A": CMD_NAME}.get(r["name"], r["name"])
    fields = [*rows[0].keys(), "website", "phone"]
    rows[0].update(website="javascript:alert(1)", phone="javascript:alert(12345)")
    rows.append({"id": "-bad", "name": "-2+3+cmd|' /C calc'!A0", "kind": "=1+1", "network": "", "insee": "62119",
                 "world": "", "source": "@SUM(1+1)*cmd|' /C calc'!A0"})
    with open(folder / "actors.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    text = (GRAPH / "partnerships.csv").read_text(encoding="utf-8").replace("spf-a,", "@spf-a,").replace(",spf-a,", ",@spf-a,")
    text += "cab,restos-a,donation,oui,inf,kg,2024,poids infini\ncab,ferme-a,donation,oui,1e30,kg,2024,poids absurde\n"
    (folder / "partnerships.csv").write_text(text, encoding="utf-8")
    (folder / "actions.csv").write_text((GRAPH / "actions.csv").read_text(encoding="utf-8"), encoding="utf-8")
    return {"actors": folder / "actors.csv", "partnerships": folder / "partnerships.csv",
            "actions": folder / "actions.csv", "folder": folder}


def _read(path: Path) -> str:
    text = path.read_text(encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf"), path  # UTF-8 with BOM
    return text


def test_rejects_and_warnings_csv(hostile, tmp_path, assert_excel_safe):
    out = tmp_path / "a.gpkg"
    res = CliRunner().invoke(cli, ["build", str(hostile["actors"]), "-o", str(out)])
    assert res.exit_code == 0, res.output
    rejects, warnings = _read(tmp_path / "a-rejets.csv"), _read(tmp_path / "a-avertissements.csv")
    assert "'-2+3+cmd" in rejects and "'@SUM(1+1)" in rejects and "'-bad" in rejects
    assert assert_excel_safe(rejects) > 10 and assert_excel_safe(warnings) > 3
    assert "site web gardé sans lien (une adresse http:// ou https:// est attendue) : « javascript:alert(1) »" in warnings
    assert "téléphone gardé sans lien" in warnings


def test_distances_csv_file_and_stdout(hostile, tmp_path, assert_excel_safe):
    out = tmp_path / "d.csv"
    args = ["-q", "distances", "--registry", str(hostile["actors"]), "--epci", "CABBALR"]
    res = CliRunner().invoke(cli, [*args, "-o", str(out)])
    assert res.exit_code == 0, res.output
    text = _read(out)
    assert FORMULA_NAME.replace('"', '""') in text and "'=HYPERLINK" in text
    assert text.splitlines()[0].startswith("Code INSEE;Commune;")  # the French Excel dialect
    assert_excel_safe(text)
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 0 and "'=HYPERLINK" in res.output
    assert_excel_safe(res.output)


@pytest.mark.slow
def test_actors_folder_metrics_and_communities(hostile, tmp_path, assert_excel_safe):
    out = tmp_path / "acteurs"
    res = CliRunner().invoke(cli, ["-q", "actors", "--registry", str(hostile["actors"]), "--partenariats",
                                   str(hostile["partnerships"]), "--actions", str(hostile["actions"]),
                                   "--dessin", "pdf", "-o", str(out)])
    assert res.exit_code == 0, res.output
    # absurd weights are rejects with their line and reason (the PDF is no longer asked for infinity)
    assert re.search(r"partnerships.csv, ligne \d+ : poids non fini \(infini\) : « inf »", res.output)
    assert re.search(r"partnerships.csv, ligne \d+ : poids invraisemblable : « 1e30 »", res.output)
    metrics = _read(out / "acteurs-metriques.csv")
    assert "'@spf-a" in metrics and "'=HYPERLINK" in metrics and "'+cmd" in metrics
    assert_excel_safe(metrics)
    assert_excel_safe(_read(out / "acteurs-communautes.csv"))
    assert not [p for p in out.iterdir() if ".part" in p.name]


def test_indicators_csv_ids_too(hostile, tmp_path, assert_excel_safe):
    base = ["-q", "indicators", "--registry", str(hostile["actors"]), "--partenariats", str(hostile["partnerships"]),
            "--actions", str(hostile["actions"]), "--epci", "CABBALR"]
    out = tmp_path / "ind.csv"
    res = CliRunner().invoke(cli, [*base, "-o", str(out)])
    assert res.exit_code == 0, res.output
    text = _read(out)
    assert ";'@spf-a,epi-a;'@spf-a,asso-x," in text  # the lists of ids are neutralised too
    assert_excel_safe(text)
    res = CliRunner().invoke(cli, [*base, "--format", "csv"])
    assert res.exit_code == 0
    assert_excel_safe(res.output)


@pytest.mark.slow
def test_weekly_coverage_csv(tmp_path, assert_excel_safe):
    out = tmp_path / "semaine.csv"
    res = CliRunner().invoke(cli, ["-q", "gaps", "--semaine", "--epci", "CAPSO", "-o", str(out)])
    assert res.exit_code == 0, res.output
    text = _read(out)
    assert text.splitlines()[0].startswith("EPCI (SIREN);EPCI;Département;Population;lundi (% couvert, 10 km);")
    assert "," in text.splitlines()[1]  # decimal comma of the shares
    assert_excel_safe(text)
