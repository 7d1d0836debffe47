"""The CSV reader that reads every record at once gives the frames the record-by-record reader gave:
same cells, same line numbers (as a spreadsheet shows them, quoted cells over several lines
included), same accepted rows, rejected rows (line and reason) and warnings.

The reference below is the reader as it was before (one record at a time, ``reader.line_num``
after each; rows built one by one), kept here verbatim as the oracle.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pytest

from atlas.errors import RegistryError
from atlas.registry import readers
from atlas.registry.actors import read_actors
from tests.benchmarks.bench_registry import synthetic_registry

REPO = Path(__file__).resolve().parents[2]
REGISTRIES = sorted([*(REPO / "tests" / "data").glob("*.csv"), *(REPO / "tests" / "data").glob("*.json"),
                     *(REPO / "data" / "raw").glob("*.csv")])


# --------------------------------------------------------------------------- the reference
def reference_csv_records(path: Path) -> list[tuple[int, list[str]]]:
    data = path.read_bytes()
    text = readers.decode_text(data)
    if not readers.looks_like_text(text):
        raise RegistryError(f"« {path} » n'est pas un tableau lisible : son contenu n'est pas du texte (fichier "
                            "abîmé, ou d'un autre format que son nom l'indique). Enregistrez-le en CSV depuis le "
                            "tableur.")
    # record by record, each start line from the reader's own count (the reader's fallback)
    return readers._csv_records_by_line(text, readers._sniff_delimiter(text))


def reference_frame_from_records(records: Sequence[tuple[int, list[str]]], header_at: int):  # noqa: ANN201
    header = list(records[header_at][1])
    while header and not str(header[-1]).strip() and all(len(r) < len(header) or not str(r[len(header) - 1]).strip()
                                                        for _, r in records[header_at + 1:]):
        header.pop()
    rows, lines = [], []
    for line, rec in records[header_at + 1:]:
        rec = [str(c) for c in rec] + [""] * (len(header) - len(rec))
        if len(rec) > len(header):
            extra = [c for c in rec[len(header):] if c.strip()]
            rec = rec[: len(header)]
            if extra:
                rec.append("|".join(extra))
        rows.append(rec)
        lines.append(line)
    cols = readers._unique_headers(header)
    if any(len(r) > len(cols) for r in rows):
        cols = [*cols, "__extra__"]
        rows = [r + [""] * (len(cols) - len(r)) for r in rows]
    return pd.DataFrame(rows, columns=cols, dtype=object), lines


@pytest.fixture
def reference(monkeypatch):  # noqa: ANN201 - the record-by-record reader switched on within a test
    def use() -> None:
        monkeypatch.setattr(readers, "_csv_records", reference_csv_records)
        monkeypatch.setattr(readers, "_frame_from_records", reference_frame_from_records)

    return use


def _both(fn, reference):  # noqa: ANN001, ANN202 - fn(), then fn() with the reference reader
    def outcome():  # noqa: ANN202
        try:
            return fn()
        except RegistryError as exc:
            return ("error", str(exc))

    fast = outcome()
    reference()
    return fast, outcome()


def _same_raw(fast, ref) -> None:  # noqa: ANN001
    assert type(fast) is type(ref)
    if isinstance(ref[0], str):  # ("error", message)
        assert fast == ref
        return
    pd.testing.assert_frame_equal(fast[0], ref[0])
    assert fast[1] == ref[1]
    assert fast[0].attrs == ref[0].attrs


def _same_result(fast, ref) -> None:  # noqa: ANN001
    assert type(fast) is type(ref)
    if isinstance(ref, tuple):  # ("error", message)
        assert fast == ref
        return
    pd.testing.assert_frame_equal(fast.accepted, ref.accepted)
    pd.testing.assert_frame_equal(fast.rejected, ref.rejected)
    pd.testing.assert_frame_equal(fast.warnings, ref.warnings)
    assert fast.n_read == ref.n_read


# --------------------------------------------------------------------------- a synthetic registry
HEADER = "id;name;kind;address;postcode;commune;lon;lat;opening_hours;services;status\n"


def _awkward_text() -> str:
    """Title rows, blank lines (empty, separators only, spaces), quoted cells over several lines
    (LF, CRLF, CR), a quoted separator, doubled quotes, short rows, extra cells, an empty trailing
    header, accents, no line break after the last row."""
    return (
        "Registre de l'aide alimentaire;;;;;;;;;;\n"
        "\n"
        "Mis à jour en mars;;;;;;;;;;\n"
        + HEADER.replace("\n", ";\n")
        + 's1;"Épicerie ""La Main"";\nsolidaire";epicerie;"12 rue de la Gare\r\nBâtiment B";62300;Lens;2,8317;50,4321;'
          '"Mo-Fr 09:00-12:00";"colis; vestiaire";\n'
        + ";;;;;;;;;;\n"
        + "   \n"
        + 's2;Resto du cœur;distribution;"3 place\rde la mairie";62800;Liévin;;;;repas;ouvert\n'
        + "s3;CCAS;ccas;;62300;Lens\n"
        + "s4;Banque;distribution;;59000;Lille;3,06;50,63;;colis;;en trop;;encore\n"
        + '\r\n"s5";"Maraude";"repas";"";"";"";"";"";"";"";"peut-être"\r\n'
        + 's6;"Nom sur\n\ntrois lignes";repas;;62300;Lens;;;;;'
    )


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16", "utf-16-le", "utf-32"])
def test_awkward_registry_same_frames(tmp_path, encoding, communes, reference):
    path = tmp_path / f"registre-{encoding}.csv"
    path.write_bytes(_awkward_text().encode(encoding))
    keys = readers.name_header_keys({})
    fast, ref = _both(lambda: readers.read_raw_table(path, header_keys=keys), reference)
    _same_raw(fast, ref)
    raw, lines = fast
    # the lines as the spreadsheet shows them: s1 takes lines 5-7, two blank lines, s2 takes
    # 10-11, an empty line before s5
    assert lines == [5, 10, 12, 13, 15, 16]
    assert raw["name"].tolist()[0] == 'Épicerie "La Main";\nsolidaire'
    assert raw["address"].tolist()[:2] == ["12 rue de la Gare\r\nBâtiment B", "3 place\rde la mairie"]
    assert raw["colonne_12"].tolist() == ["", "", "", "en trop", "", ""]  # a cell under the empty header
    assert raw["__extra__"].tolist() == ["", "", "", "encore", "", ""]  # beyond the header


def test_awkward_registry_same_result(tmp_path, communes, monkeypatch):
    path = tmp_path / "registre.csv"
    path.write_text(_awkward_text(), encoding="utf-8")
    fast = read_actors(path, communes=communes)
    monkeypatch.setattr(readers, "_csv_records", reference_csv_records)
    monkeypatch.setattr(readers, "_frame_from_records", reference_frame_from_records)
    _same_result(fast, read_actors(path, communes=communes))
    assert fast.n_read == 6
    assert fast.rejected["line"].tolist() == [15] and fast.rejected["reason"].str.startswith("statut").all()
    assert fast.accepted["line"].tolist() == [5, 10, 12, 13, 16]


@pytest.mark.parametrize("text", [
    "",  # empty
    "\n\n  \n;;\n",  # only blank lines
    "nom;commune;;\nA;Lens;;\n\nB;Arras\n",  # empty trailing header cells, dropped
    "nom;commune\r",  # a header alone, CR line end
    "nom;commune\rA;Lens\rB;Liévin\r\rC;Arras",  # CR only (old Mac)
    'nom;commune\nA;"Lens\nB;Liévin\n',  # a quote never closed: refused, with its line
    'nom;commune\nA"b;Le"ns\n"C"d;x\n',  # quotes inside unquoted cells
    "nom\tcommune\tadresse\nA\tLens\t\"1\nrue\"\n",  # tabs
])
def test_edge_texts_same_frames(tmp_path, text, reference):
    path = tmp_path / "registre.csv"
    path.write_text(text, encoding="utf-8", newline="")
    fast, ref = _both(lambda: readers.read_raw_table(path), reference)
    _same_raw(fast, ref)


@pytest.mark.parametrize("path", REGISTRIES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_registry_same_frames(path, communes, reference):
    fast_raw = readers.read_raw_table(path)
    fast_keyed = _both(lambda: readers.read_raw_table(path, header_keys=readers.name_header_keys({})), lambda: None)[0]
    fast_result = _both(lambda: read_actors(path, communes=communes), lambda: None)[0]
    reference()
    _same_raw(fast_raw, readers.read_raw_table(path))
    _same_raw(fast_keyed, _both(lambda: readers.read_raw_table(path, header_keys=readers.name_header_keys({})),
                                lambda: None)[0])
    _same_result(fast_result, _both(lambda: read_actors(path, communes=communes), lambda: None)[0])


def test_synthetic_registry_with_multiline_cells_same_result(tmp_path, communes, reference):
    path = synthetic_registry(400, tmp_path / "registre.csv", seed=5)
    rows = path.read_bytes().decode("utf-8").split("\r\n")
    for i in range(3, len(rows) - 1, 37):  # every 37th row: a quoted address over two lines, then a blank line
        cells = rows[i].split(";")
        cells[4] = f'"{cells[4]}\nentrée B"'
        rows[i] = ";".join(cells) + "\r\n;;;"
    path.write_bytes("\r\n".join(rows).encode("cp1252", errors="replace"))
    fast, ref = _both(lambda: read_actors(path, communes=communes), reference)
    _same_result(fast, ref)
    assert fast.n_read == 400
    shown, line = [], 2  # the line each data row starts on, as the spreadsheet shows it
    for j in range(400):
        shown.append(line)
        line += 3 if j % 37 == 2 else 1  # a two-line address, then a blank line
    assert sorted([*fast.accepted["line"], *fast.rejected["line"]]) == shown


# --------------------------------------------------------------------------- workbooks
def reference_read_sheet(book, name: str) -> list[tuple[int, list[str]]]:  # noqa: ANN001
    rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    return [(i + 1, [readers.cell_text(c) for c in row]) for i, row in enumerate(rows)
            if any(c not in ("", None) for c in row)]


def test_workbook_same_frames(tmp_path, communes, monkeypatch):
    import datetime as dt

    from tests.registry.test_readers import write_xlsx

    registre = [["Registre des lieux"], [], ["Nom", "Type", "Code INSEE", "Code postal", "Mis à jour", None],
                ["Épicerie\nsolidaire", "epicerie", 62498, "62300", dt.date(2024, 3, 15), None],
                [None, None, None, None, None, None],
                ["Resto", "distribution", 62498.0, 62300, dt.datetime(2024, 3, 15, 10, 30), None, "en trop", 0],
                ["Maraude", "repas", "", None, 0.5, True],
                ["", "", 0, None, None, None],
                ["CCAS", "ccas", "62-498", 59000.25, False, None]]
    path = write_xlsx(tmp_path / "r.xlsx", {"Lisez-moi": [["à lire"]], "Registre": registre,
                                            "Nord": [["Nom", "Type"], ["Banque", "distribution"]],
                                            "Cachée": [["Nom"], ["x"]]}, hidden=("Cachée",))
    keys = readers.name_header_keys({})
    fast_raw = readers.read_raw_table(path, header_keys=keys)
    fast = read_actors(path, communes=communes)
    monkeypatch.setattr(readers, "_read_sheet", reference_read_sheet)
    _same_raw(fast_raw, readers.read_raw_table(path, header_keys=keys))
    _same_result(fast, read_actors(path, communes=communes))
    raw, lines = fast_raw
    assert lines == [4, 6, 7, 8, 9, 2]
    assert raw["Code INSEE"].tolist()[:5] == ["62498", "62498", "", "0", "62-498"]
    assert [r.name for r in raw.attrs["sheets"]] == ["Lisez-moi", "Registre", "Nord", "Cachée"]
