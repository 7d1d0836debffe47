"""A registry is read from one state of the file: one that changes while it is read (a copy still
under way) is refused with a French sentence and nothing is written; a quote opened and never
closed is reported with its line instead of swallowing the rest of the file into one cell, by the
fast reader and by the record-by-record one alike."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from atlas.cli import cli
from atlas.errors import RegistryError
from atlas.registry import build, csv_quotes, geocoded, readers

DATA = Path(__file__).parents[1] / "data"
REGISTRY = DATA / "registre_adresses.csv"  # 15 rows, « ; », UTF-8 with BOM
CHANGED = "a changé pendant la lecture"


def _grow_on_first_call(monkeypatch, module, name: str, path: Path) -> None:
    """``module.name`` appends a row to ``path`` the first time it is called (a copy under way)."""
    original = getattr(module, name)
    calls = []

    def growing(*args, **kwargs):
        if not calls:
            with open(path, "a", encoding="utf-8") as fh:
                fh.write("g99;Ligne en cours de copie;Distribution;1 rue Jean Jaurès;62300;Lens;;;;;copie\n")
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, growing)


@pytest.fixture
def registry(tmp_path) -> Path:
    path = tmp_path / "registre.csv"
    path.write_bytes(REGISTRY.read_bytes())
    return path


def test_read_of_a_file_growing_meanwhile_is_refused(monkeypatch, registry):
    frame, lines = readers.read_raw_table(registry)
    assert len(frame) == 15  # the file as it is: read
    _grow_on_first_call(monkeypatch, readers, "decode_text", registry)
    with pytest.raises(RegistryError, match=f"« {registry} » {CHANGED} .*relancez la commande"):
        readers.read_raw_table(registry)
    assert len(readers.read_raw_table(registry)[0]) == 16  # read again once complete: every row


def test_build_stops_and_writes_nothing_when_the_registry_changes(monkeypatch, registry, tmp_path):
    out = tmp_path / "sortie" / "atlas.gpkg"
    _grow_on_first_call(monkeypatch, readers, "decode_text", registry)
    res = CliRunner().invoke(cli, ["build", str(registry), "-o", str(out)])
    assert res.exit_code == 1, res.output
    assert CHANGED in res.output and "Traceback" not in res.output
    assert list(out.parent.iterdir()) == []


def test_build_checks_the_registry_again_before_writing(monkeypatch, registry, tmp_path):
    """Changed after it was read but before the files are written: the outputs would not be of the
    file that is there; refused, nothing written."""
    out = tmp_path / "atlas.gpkg"
    _grow_on_first_call(monkeypatch, build, "combine_registries", registry)
    res = CliRunner().invoke(cli, ["build", str(registry), "-o", str(out)])
    assert res.exit_code == 1, res.output
    assert f"Erreur : Le fichier « {registry} » {CHANGED}" in res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["registre.csv"]


def test_geocode_reads_one_state_of_the_registry(monkeypatch, registry, tmp_path):
    """``atlas geocode`` reads the registry twice (checked rows, then the rows as written): a change in
    between would misplace the added cells; refused."""
    out = tmp_path / "geo.csv"
    _grow_on_first_call(monkeypatch, geocoded, "read_raw_table", registry)
    res = CliRunner().invoke(cli, ["geocode", str(registry), "--ban", str(DATA / "ban" / "adresses-62.csv"),
                                   "-o", str(out)])
    assert res.exit_code == 1, res.output
    assert CHANGED in res.output and not out.exists()


# ------------------------------------------------------------------------------- unclosed quote
OPEN_AT_4 = ("id;name;kind;insee\r\n"
             "a1;Épicerie A;epicerie;62498\r\n"
             "a2;Restos B;distribution;62498\r\n"
             'a3;"Colis C;distribution;62498\r\n'
             "a4;Repas D;meal;62498\r\n"
             "a5;Épicerie E;epicerie;62498\r\n"
             "a6;Colis F;distribution;62498\r\n")
MESSAGE = "guillemet ouvert ligne 4 et jamais fermé : les 3 lignes suivantes seraient lues dans la même cellule"


def test_unclosed_quote_fast_reader(tmp_path):
    path = tmp_path / "guillemet.csv"
    path.write_text(OPEN_AT_4, encoding="utf-8", newline="")
    with pytest.raises(RegistryError, match=f"^{MESSAGE} ; fermez-le"):
        readers._csv_records(path)
    with pytest.raises(RegistryError, match=f"^« {path} » : {MESSAGE} ; fermez-le"):
        readers.read_raw_table(path)


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"])
def test_unclosed_quote_record_by_record_reader(newline):
    text = OPEN_AT_4.replace("\r\n", newline)
    with pytest.raises(RegistryError, match=MESSAGE):
        readers._csv_records_by_line(text, ";")
    last = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))[-1]
    assert last[1].startswith("Colis C;distribution") and last[1].count(newline) == 4  # what csv alone does
    with pytest.raises(RegistryError, match=MESSAGE):
        csv_quotes.check_quotes(text, last)


def test_unclosed_quote_in_a_real_command(tmp_path):
    path = tmp_path / "guillemet.csv"
    path.write_text(OPEN_AT_4, encoding="utf-8", newline="")
    out = tmp_path / "x.gpkg"
    res = CliRunner().invoke(cli, ["build", str(path), "-o", str(out)])
    assert res.exit_code == 1
    assert f"Erreur : « {path} » : {MESSAGE}" in res.output and "Traceback" not in res.output
    assert not out.exists()


@pytest.mark.parametrize(("text", "message"), [
    ('id;name\r\na1;"Colis', "guillemet ouvert ligne 2 et jamais fermé ;"),  # the last line, cut
    ('id;name\na1;"Colis ""C""\n', "guillemet ouvert ligne 2 et jamais fermé ;"),  # doubled quotes inside
    ('id;name\na1;"Colis\na2;Repas\n', "guillemet ouvert ligne 2 et jamais fermé : la ligne suivante serait lue"),
    ('id;name\na1;"x\ny";"Colis\na2;Repas\na3;B', "guillemet ouvert ligne 3 et jamais fermé : les 2 lignes"),
])
def test_unclosed_quote_lines(text, message):
    with pytest.raises(RegistryError, match=message):
        readers._csv_records_by_line(text, ";")


@pytest.mark.parametrize("text", [
    'id;name\na1;"Colis\nsur deux lignes"\na2;Repas\n',  # a closed quote over two lines
    'id;name\na1;"Colis ""C"""',  # closed at the very end, doubled quotes inside
    'id;name\na1;"Colis"\n',
    'id;name\na1;Colis"\n',  # a quote inside a cell is a character
    'id;name\na1;""\n',
    'id;name\na1;\n',
])
def test_closed_quotes_are_read(tmp_path, text):
    expected = readers._csv_records_by_line(text, ";")
    path = tmp_path / "ok.csv"
    path.write_text(text, encoding="utf-8", newline="")
    assert readers._csv_records(path) == expected
    assert [line for line, _ in expected][:2] == [1, 2]
