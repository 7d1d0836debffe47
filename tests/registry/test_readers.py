"""Files as people have them: every sheet of a workbook, ODS, UTF-16 and other encodings, separators,
and damaged files that must give one French sentence (never a traceback)."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pytest
from click.testing import CliRunner

from atlas.cli import cli
from atlas.errors import RegistryError
from atlas.registry.actors import read_actors
from atlas.registry.build import build_registries
from atlas.registry.readers import decode_text, read_raw_table

ROWS = [["Nom", "Type", "Code INSEE"], ["Épicerie du Cœur", "lieu de distribution", "62498"], ["CCAS", "CCAS", "62119"]]


def write_ods(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """A minimal OpenDocument spreadsheet written by hand (no ODS writer is installed)."""

    def cell(v: object) -> str:
        if isinstance(v, int | float):
            return f'<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>'
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(v))}</text:p></table:table-cell>'

    tables = "".join(
        f'<table:table table:name="{escape(name)}">'
        + "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows)
        + "</table:table>" for name, rows in sheets.items())
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
               f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]], hidden: tuple[str, ...] = ()) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        if name in hidden:
            ws.sheet_state = "hidden"
    wb.save(path)
    return path


def _data_sheet(n: int, prefix: str = "R") -> list[list[object]]:
    return [["Nom", "Type", "Code INSEE"], *[[f"{prefix}{i}", "distribution", "62498"] for i in range(n)]]


# --------------------------------------------------------------------------- sheets
def test_notes_first_then_data_sheet(tmp_path, communes):
    path = write_xlsx(tmp_path / "r.xlsx", {"Notes": [["Registre des acteurs du PAT"], ["mis à jour en mai"]],
                                            "Registre": _data_sheet(30)})
    res = read_actors(path, communes=communes)
    assert res.n_read == 30 == len(res.accepted)
    lines = res.sheet_lines()
    assert any(line.strip().startswith("feuille “Registre” : 30 lignes lues (en-tête ligne 1), 0 rejetées")
               for line in lines), lines
    assert any("feuille “Notes” ignorée : aucune ligne d'en-tête" in line for line in lines), lines


def test_two_data_sheets_with_their_own_headers_are_both_read(tmp_path, communes):
    second = [["Titre : acteurs du Nord"], [], ["Nom de la structure", "Catégorie", "Code commune"],
              ["Épicerie de Lille", "épicerie solidaire", "59350"], ["", "distribution", "59350"]]
    path = write_xlsx(tmp_path / "r.xlsx", {"Pas-de-Calais": _data_sheet(3), "Nord": second})
    res = read_actors(path, communes=communes)
    assert res.n_read == 5 == len(res.accepted) + len(res.rejected)
    assert set(res.accepted["name"]) == {"R0", "R1", "R2", "Épicerie de Lille"}
    rej = res.rejected.iloc[0]
    assert (rej["line"], rej["sheet"], rej["reason"]) == (5, "Nord", "nom manquant")  # the sheet's own row number
    assert list(res.rejected.columns[:3]) == ["line", "sheet", "reason"]
    # --sheet chooses
    only = read_actors(path, communes=communes, sheet="Nord")
    assert only.n_read == 2 and set(only.accepted["name"]) == {"Épicerie de Lille"}
    with pytest.raises(RegistryError, match="Feuille « Sud » introuvable"):
        read_actors(path, communes=communes, sheet="Sud")


def test_build_report_and_rejects_say_the_sheet(tmp_path):
    rows = [*_data_sheet(2), ["Sans type", "", "62498"]]
    path = write_xlsx(tmp_path / "r.xlsx", {"Lisez-moi": [["à lire"]], "Registre": rows, "Cachée": _data_sheet(1)},
                      hidden=("Cachée",))
    out = tmp_path / "out" / "a.gpkg"
    res = build_registries([path], output=out)
    report = "\n".join(res.report_lines())
    assert "feuille “Registre” : 3 lignes lues (en-tête ligne 1), 1 rejetées" in report
    assert "feuille “Lisez-moi” ignorée" in report and "feuille “Cachée” ignorée : feuille masquée" in report
    assert "r.xlsx, feuille « Registre », ligne 4 : type d'acteur manquant" in report
    rejects = (out.parent / "a-rejets.csv").read_text(encoding="utf-8-sig").splitlines()
    assert rejects[0].startswith("file;line;sheet;reason") and ";4;Registre;type d'acteur manquant" in rejects[1]


def test_cli_sheet_option(tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", {"A": _data_sheet(2, "a"), "B": _data_sheet(3, "b")})
    res = CliRunner().invoke(cli, ["build", str(path), "--sheet", "B", "-o", str(tmp_path / "o.gpkg")])
    assert res.exit_code == 0, res.output
    assert "3 lignes lues" in res.output and "feuille “B”" in res.output and "feuille “A”" not in res.output


def test_workbook_without_registry_sheet_is_a_clear_error(tmp_path, communes):
    path = write_xlsx(tmp_path / "r.xlsx", {"Notes": [["rien ici"]], "Vide": []})
    with pytest.raises(RegistryError, match="aucune feuille ne ressemble à un registre"):
        read_actors(path, communes=communes)


def test_ods_is_read(tmp_path, communes):
    path = write_ods(tmp_path / "r.ods", {"Notes": [["Registre du PAT"]], "Acteurs": ROWS})
    res = read_actors(path, communes=communes)
    assert res.n_read == 2 == len(res.accepted)
    assert res.accepted["insee"].tolist() == ["62498", "62119"]  # 62498.0 read as a whole number
    assert [s.name for s in res.sheets] == ["Notes", "Acteurs"]


def test_spreadsheet_cells_as_text(tmp_path):
    import datetime as dt

    path = write_xlsx(tmp_path / "r.xlsx", {"R": [["Nom", "Date de mise à jour", "Latitude"],
                                                  ["A", dt.date(2026, 1, 2), 50.5297], ["B", dt.datetime(2026, 3, 4), 50]]})
    raw, lines = read_raw_table(path, header_keys={"nom"})
    assert lines == [2, 3]
    assert raw["Date de mise à jour"].tolist() == ["2026-01-02", "2026-03-04"]
    assert raw["Latitude"].tolist() == ["50.5297", "50"]


# --------------------------------------------------------------------------- encodings and separators
@pytest.mark.parametrize(("encoding", "sep"), [("utf-16", "\t"), ("utf-16-le", "\t"), ("utf-16-be", ";"),
                                               ("utf-8-sig", ";"), ("utf-8", ","), ("cp1252", ";"), ("cp1252", "\t")])
def test_encodings_and_separators(tmp_path, communes, encoding, sep):
    path = tmp_path / "r.txt"
    path.write_bytes("\r\n".join(sep.join(r) for r in ROWS).encode(encoding))
    res = read_actors(path, communes=communes)
    assert res.n_read == 2 == len(res.accepted), res.rejected
    assert res.accepted["name"].iloc[0] == "Épicerie du Cœur"


def test_decode_text():
    assert decode_text("é".encode("utf-16")) == "é"
    assert decode_text("Nom;Cœur".encode("utf-16-le")) == "Nom;Cœur"  # no BOM
    assert decode_text("Cœur".encode("cp1252")) == "Cœur"
    assert decode_text("Cœur".encode()) == "Cœur"


def test_title_rows_above_the_header_and_repeated_headers(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("Registre des acteurs;;\n;;\nNom;Type;Nom\nA;distribution;bis\n", encoding="utf-8")
    raw, lines = read_raw_table(path, header_keys={"nom"})
    assert list(raw.columns) == ["Nom", "Type", "Nom.1"] and lines == [4]


def test_semicolon_chosen_over_commas_in_values(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("Nom;Type;Latitude\nA;distribution;50,5\nB;distribution;50,6\n", encoding="utf-8")
    raw, _ = read_raw_table(path)
    assert list(raw.columns) == ["Nom", "Type", "Latitude"] and raw["Latitude"].tolist() == ["50,5", "50,6"]


# --------------------------------------------------------------------------- damaged files
def _damaged(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """Damaged files and a word of the French message each must give."""
    rnd = os.urandom(4000)
    files = {
        "random.xlsx": (rnd, "n'est pas un classeur Excel ou OpenDocument lisible"),
        "random.csv": (rnd, "n'est pas un tableau lisible"),
        "random.ods": (b"PK\x03\x04" + rnd, "n'est pas un classeur"),
        "truncated.geojson": (json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"nom": "A"}, "geometry": {"type": "Point", "coordinates": [2.8, 50.4]}}]}
        ).encode()[:70], "illisible, tronqué"),
        "truncated.json": (b'[{"nom": "A", "type": "distrib', "JSON illisible ou tronqué"),
        "numbers.json": (b"[1, 2, 3]", "liste d'objets JSON"),
        "empty.csv": (b"", "est vide"),
        "no-name.csv": (b"Adresse;Ville\n1 rue;Lens\n", "aucune ligne d'en-tête avec une colonne attendue"),
        "text.xlsx": (b"Nom;Type\nA;distribution\n", "n'est pas un classeur"),
    }
    out = {}
    for name, (data, message) in files.items():
        (tmp_path / name).write_bytes(data)
        out[name] = (tmp_path / name, message)
    return out


def test_damaged_files_are_one_french_error(tmp_path, communes):
    for name, (path, message) in _damaged(tmp_path).items():
        with pytest.raises(RegistryError) as err:
            read_actors(path, communes=communes)
        text = str(err.value)
        assert message in text, (name, text)
        assert str(path) in text or path.name in text, (name, text)


def test_damaged_files_in_the_cli_exit_1_without_traceback(tmp_path):
    runner = CliRunner()
    out = tmp_path / "out" / "x.gpkg"
    for name, (path, message) in _damaged(tmp_path).items():
        res = runner.invoke(cli, ["build", str(path), "-o", str(out)])
        assert res.exit_code == 1, (name, res.output)
        assert "Traceback" not in res.output and isinstance(res.exception, SystemExit), (name, res.output)
        assert res.output.startswith("Erreur : ") and message in res.output, (name, res.output)
        assert res.output.count("\n") == 1, (name, res.output)  # one sentence
    assert not out.exists()


def test_debug_shows_the_traceback(tmp_path):
    path = tmp_path / "random.xlsx"
    path.write_bytes(os.urandom(1000))
    res = CliRunner().invoke(cli, ["--debug", "build", str(path), "-o", str(tmp_path / "x.gpkg")])
    assert res.exit_code == 1 and "Traceback" in res.output and "Erreur : " in res.output


def test_utf16_csv_through_the_cli(tmp_path):
    path = tmp_path / "unicode.txt"  # Excel's « Texte Unicode »: UTF-16 with BOM, tab-separated
    path.write_bytes("\r\n".join("\t".join(r) for r in ROWS).encode("utf-16"))
    res = CliRunner().invoke(cli, ["build", str(path), "-o", str(tmp_path / "x.gpkg")])
    assert res.exit_code == 0, res.output
    assert "2 lignes lues, 2 acceptées" in res.output


def test_unreadable_mapping_is_a_clear_error(tmp_path, communes):
    bad = tmp_path / "m.json"
    bad.write_text("{columns: ", encoding="utf-8")
    with pytest.raises(RegistryError, match="Correspondance illisible"):
        read_actors(tmp_path / "absent.csv", mapping=bad, communes=communes)


def test_unexpected_errors_are_one_sentence_and_debug_shows_them(tmp_path, monkeypatch):
    import atlas.registry.build as build_module

    def broken(*_args, **_kwargs):
        raise ValueError("Can only output finite numbers in PDF")

    monkeypatch.setattr(build_module, "build_registries", broken)
    res = CliRunner().invoke(cli, ["build", "-o", str(tmp_path / "x.gpkg")])
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert res.output.startswith("Erreur inattendue (ValueError : Can only output finite numbers in PDF)")
    res = CliRunner().invoke(cli, ["--debug", "build", "-o", str(tmp_path / "x.gpkg")])
    assert res.exit_code == 1 and isinstance(res.exception, ValueError)  # --debug: the traceback is shown
