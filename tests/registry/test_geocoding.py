"""Registries placed at their address with the BAN: ``atlas build --ban``, ``atlas geocode`` and
``--geocodeur en-ligne`` (against a loopback server answering like the BAN's CSV geocoder).

The registry ``tests/data/registre_adresses.csv`` (UTF-8 with BOM, « ; », CRLF: a CSV saved by
French Excel) has addresses in Lens, Liévin, Lille and its former communes Lomme and
Hellemmes-Lille; the BAN files of ``tests/data/ban`` have made-up coordinates.
"""

from __future__ import annotations

import csv
import functools
import io
import math
import socket
import threading
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from click.testing import CliRunner

from atlas.cli import cli
from atlas.registry.build import build_registries
from atlas.registry.geocoding import rows as geocoding
from atlas.registry.geocoding.write_back import CsvDialect, geocode_registry, write_geocoded
from atlas.territory.geocoding import ban_online

DATA = Path(__file__).resolve().parents[1] / "data"
REGISTRY = DATA / "registre_adresses.csv"
BAN = DATA / "ban"
NAN = float("nan")

# id: (precision, score, BAN address used, reason, INSEE)
EXPECTED = {
    "g1": ("address", 95.0, "12 bis Rue Jean Jaurès 62300 Lens", "", "62498"),
    "g2": ("street", 100.0, "7 Rue Jean Jaurès 62300 Lens", "numéro 9 absent de la BAN : placé au n° 7", "62498"),
    "g3": ("address", 95.0, "3 Boulevard Émile Basly 62300 Lens", "", "62498"),
    "g4": ("street", 100.0, "3 Place de la République 62300 Lens", "sans numéro : placé au milieu de la voie (n° 3)",
           "62498"),
    "g5": ("commune", NAN, "", "rue inconnue dans la commune : mairie", "62498"),
    "g6": ("locality", 100.0, "Le Riaumont 62800 Liévin", "placé au lieu-dit « Le Riaumont »", "62510"),
    "g7": ("address", 100.0, "307 Avenue de Dunkerque 59160 Lille", "", "59350"),
    # the made-up point of this Lomme street lies in Sequedin's polygon: the BAN's commune is kept
    "g8": ("address", 100.0, "5 Rue Roger Salengro 59160 Lille", "", "59350"),
    "g9": ("address", 100.0, "5 Rue Roger Salengro 59260 Lille", "", "59350"),
    "g10": ("address", 100.0, "2 Rue de la République 59000 Lille", "", "59350"),
    "g11": ("address", NAN, "", "", "62498"),  # coordinates in the registry: not geocoded
    "g12": ("commune", NAN, "", "", "62510"),  # no address: the town hall, as without the BAN
    "g15": ("address", 100.0, "12 bis Rue Jean Jaurès 62300 Lens", "n° 12 absent de la BAN : placé au n° 12 bis",
            "62498"),
}  # fmt: skip
WARNINGS = [
    (3, "g2", "précision « rue (numéro approché) » : numéro 9 absent de la BAN : placé au n° 7"),
    (5, "g4", "précision « rue (numéro approché) » : sans numéro : placé au milieu de la voie (n° 3)"),
    (6, "g5", "précision « commune (mairie) » : rue inconnue dans la commune : mairie"),
    (7, "g6", "précision « lieu-dit » : placé au lieu-dit « Le Riaumont »"),
    (16, "g15", "précision « adresse » : n° 12 absent de la BAN : placé au n° 12 bis"),
]
REJECTED = [(14, "nom manquant"), (15, "code INSEE inconnu : « 99999 »")]


@pytest.fixture(autouse=True)
def cache(tmp_path_factory, monkeypatch) -> Path:
    """BAN index and online answers cached in a folder of the test's own."""
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(folder))
    monkeypatch.delenv("ATLAS_BAN_DIR", raising=False)
    return folder


def _check_actors(actors: pd.DataFrame, expected: dict = EXPECTED) -> None:
    acc = actors.set_index("id")
    assert set(acc.index) == set(expected)
    for rid, (precision, score, label, reason, insee) in expected.items():
        got = acc.loc[rid]
        assert (got["precision"], got["geocode_label"], got["geocode_reason"], got["insee"]) == (
            precision, label, reason, insee), rid  # fmt: skip
        if math.isnan(score):
            assert math.isnan(got["geocode_score"]), rid
        else:
            assert got["geocode_score"] == pytest.approx(score), rid


def _ban_point(ban_id: str) -> tuple[float, float]:
    """Longitude and latitude of one address of the BAN fixtures."""
    raw = pd.concat([pd.read_csv(BAN / f, sep=";", dtype=str) for f in ("adresses-62.csv", "adresses-59.csv.gz")])
    one = raw[raw["id"] == ban_id]
    assert len(one) == 1
    return float(one["lon"].iat[0]), float(one["lat"].iat[0])


# --------------------------------------------------------------------------- atlas build --ban
def test_build_with_ban_places_rows_at_address_street_lieu_dit_or_town_hall(tmp_path):
    out = tmp_path / "atlas.gpkg"
    res = CliRunner().invoke(cli, ["-q", "build", str(REGISTRY), "--ban", f"{BAN}/", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "15 lignes lues, 13 acceptées, 2 rejetées, 5 avertissements" in res.output
    actors = gpd.read_file(out, layer="actors")
    _check_actors(actors)
    rejects = gpd.read_file(out, layer="rejects")
    assert list(zip(rejects["line"].astype(int), rejects["reason"], strict=True)) == REJECTED
    warns = gpd.read_file(out, layer="warnings")
    assert list(zip(warns["line"].astype(int), warns["id"], warns["message"], strict=True)) == WARNINGS
    # the marker is the BAN point; a row the BAN does not find stays at its town hall
    acc = actors.set_index("id")
    assert (acc.loc["g2", "lon"], acc.loc["g2", "lat"]) == pytest.approx(_ban_point("62498_0001_00007"))
    assert (acc.loc["g6", "lon"], acc.loc["g6", "lat"]) == pytest.approx(_ban_point("62510_0007_99999"))
    assert (acc.loc["g8", "lon"], acc.loc["g8", "lat"]) == pytest.approx(_ban_point("59350_0011_00005"), abs=1e-6)
    plain = build_registries([REGISTRY], write=False).actors.set_index("id")
    for rid in ("g5", "g12"):
        assert acc.loc[rid].geometry.distance(plain.loc[rid].geometry) < 0.01


def test_without_ban_nothing_changes_but_the_empty_columns():
    result = build_registries([REGISTRY], write=False)
    assert result.registries[0].n_read == len(result.actors) + len(result.rejects) == 15
    acc = result.actors.set_index("id")
    assert set(acc["precision"]) == {"commune", "address"}
    assert acc.loc["g11", "precision"] == "address"
    assert (acc["geocode_label"] == "").all() and (acc["geocode_reason"] == "").all()
    assert acc["geocode_score"].isna().all()
    assert not any("précision" in m for m in result.warnings["message"])


def test_geocoding_is_one_call_per_registry(monkeypatch):
    calls = []
    real = geocoding.geocode_addresses

    def counting(frame, index, **kw):
        calls.append(len(frame))
        return real(frame, index, **kw)

    monkeypatch.setattr(geocoding, "geocode_addresses", counting)
    result = build_registries([REGISTRY, REGISTRY], write=False, ban=BAN)
    assert calls == [11, 11]  # the rows at their town hall that have an address, once per registry
    assert len(result.rejects) == 2 + 2 + 13  # the second copy's ids are duplicates


def test_environment_variable_gives_the_ban(tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_BAN_DIR", str(BAN))
    out = tmp_path / "g.csv"
    res = CliRunner().invoke(cli, ["-q", "geocode", str(REGISTRY), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "Précision : 8 adresse ; 2 rue (numéro approché) ; 1 lieu-dit ; 2 commune (mairie)." in res.output
    monkeypatch.setenv("ATLAS_BAN_DIR", str(tmp_path / "absent"))
    res = CliRunner().invoke(cli, ["-q", "build", str(REGISTRY), "-o", str(tmp_path / "x.gpkg")])
    assert res.exit_code == 1 and "Fichier ou dossier BAN introuvable" in res.output
    assert "(variable ATLAS_BAN_DIR)" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "x.gpkg").exists()


def test_a_file_that_is_not_ban_is_a_french_error(tmp_path):
    out = tmp_path / "x.gpkg"
    res = CliRunner().invoke(cli, ["-q", "build", str(REGISTRY), "--ban", str(REGISTRY), "-o", str(out)])
    assert res.exit_code == 1 and "n'est pas un fichier d'adresses BAN" in res.output
    assert "Traceback" not in res.output and not out.exists()


# --------------------------------------------------------------------------- atlas geocode
def _read(path: Path, dialect: CsvDialect) -> list[list[str]]:
    text = path.read_bytes().decode(dialect.encoding)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=dialect.delimiter))


def test_geocode_writes_the_registry_back_in_its_dialect(tmp_path):
    out = tmp_path / "registre-geocode.csv"
    res = CliRunner().invoke(cli, ["-q", "geocode", str(REGISTRY), "--ban", str(BAN), "-o", str(out)])
    assert res.exit_code == 0, res.output
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data  # UTF-8 with BOM, CRLF: as the input
    rows = _read(out, CsvDialect(";", "utf-8-sig"))
    given = _read(REGISTRY, CsvDialect(";", "utf-8-sig"))
    head = rows[0]
    assert head == [*given[0], "precision", "score", "adresse_ban", "remarque_geocodage"]
    assert len(rows) == len(given)
    n = len(given[0])
    for got, was in zip(rows[1:], given[1:], strict=True):  # the registry's own cells, except coordinates
        keep = [i for i, h in enumerate(given[0]) if h not in ("Latitude", "Longitude")]
        assert [got[i] for i in keep] == [was[i] for i in keep]
    by_id = {r[0]: dict(zip(head, r, strict=True)) for r in rows[1:]}
    g2 = by_id["g2"]
    lon, lat = _ban_point("62498_0001_00007")
    assert (g2["Longitude"], g2["Latitude"]) == (f"{lon:.6f}".rstrip("0").replace(".", ","),
                                                 f"{lat:.6f}".rstrip("0").replace(".", ","))  # fmt: skip
    assert [g2[c] for c in head[n:]] == ["voie", "100", "7 Rue Jean Jaurès 62300 Lens",
                                         "numéro 9 absent de la BAN : placé au n° 7"]  # fmt: skip
    assert [by_id["g6"][c] for c in head[n:]] == ["lieu-dit", "100", "Le Riaumont 62800 Liévin",
                                                  "placé au lieu-dit « Le Riaumont »"]  # fmt: skip
    # not found: no coordinates written (the town hall is not the address), the reason is
    assert [by_id["g5"][c] for c in ("Longitude", "Latitude", *head[n:])] == [
        "", "", "commune", "", "", "rue inconnue dans la commune : mairie"]  # fmt: skip
    assert [by_id["g11"][c] for c in ("Longitude", "Latitude", *head[n:])] == ["2,8300", "50,4300", "adresse", "", "",
                                                                               ""]  # fmt: skip
    assert [by_id["g12"][c] for c in head[n:]] == ["commune", "", "", ""]
    assert [by_id[i][c] for i in ("g13", "g14") for c in head[n:]] == [""] * 8  # rejected: as they were
    # the report lists the rows not at their door, with why
    assert "5 lignes placées moins précisément qu'à l'adresse :" in res.output
    assert "ligne 3 (Restos du Cœur de Lens) : rue (numéro approché) — numéro 9 absent de la BAN : placé au n° 7" in (
        res.output
    )
    assert (
        "ligne 6 (Banque alimentaire de la rue perdue) : commune (mairie) — rue inconnue dans la commune : mairie"
        in res.output
    )
    assert "ligne 13 (Distribution sans adresse) : commune (mairie) — pas d'adresse dans le registre : mairie" in (
        res.output
    )
    assert "ligne 14 : nom manquant" in res.output
    assert f"Registre géocodé écrit : {out} (même format que le registre)" in res.output


def test_geocoded_registry_reads_back_with_the_same_places(tmp_path):
    out = tmp_path / "g.csv"
    write_geocoded(geocode_registry(REGISTRY, ban=BAN), out)
    again = build_registries([out], write=False)  # no BAN: the coordinates are in the file now
    acc = again.actors.set_index("id")
    assert {rid: acc.loc[rid, "precision"] for rid in EXPECTED} == {rid: e[0] for rid, e in EXPECTED.items()}
    first = build_registries([REGISTRY], write=False, ban=BAN).actors.set_index("id")
    for rid in ("g1", "g2", "g6", "g7"):
        assert acc.loc[rid].geometry.distance(first.loc[rid].geometry) < 0.2  # lon/lat to 6 decimals


def test_geocode_keeps_a_windows_1252_comma_separated_registry(tmp_path):
    text = REGISTRY.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    src = tmp_path / "registre.csv"
    buf = io.StringIO()
    csv.writer(buf, delimiter=",", lineterminator="\n").writerows(
        [[c.replace(",", ".") if i in (7, 8) else c for i, c in enumerate(r)] for r in rows])  # fmt: skip
    src.write_bytes(buf.getvalue().replace("—", "-").encode("cp1252"))
    assert CsvDialect.of(src) == CsvDialect(",", "cp1252", "\n", ".")
    out = tmp_path / "out.csv"
    res = CliRunner().invoke(cli, ["-q", "geocode", str(src), "--ban", str(BAN), "-o", str(out)])
    assert res.exit_code == 0, res.output
    data = out.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf") and b"\r\n" not in data
    back = list(csv.reader(io.StringIO(data.decode("cp1252"), newline=""), delimiter=","))
    head = back[0]
    g2 = dict(zip(head, next(r for r in back if r[0] == "g2"), strict=True))
    assert g2["Nom"] == "Restos du Cœur de Lens" and g2["Longitude"].startswith("2.81") and g2["precision"] == "voie"
    assert g2["adresse_ban"] == "7 Rue Jean Jaurès 62300 Lens"


def test_geocode_of_a_spreadsheet_writes_a_csv_for_excel(tmp_path):
    text = REGISTRY.read_bytes().decode("utf-8-sig")
    frame = pd.read_csv(io.StringIO(text), sep=";", dtype=str, keep_default_na=False)
    src = tmp_path / "registre.xlsx"
    frame.to_excel(src, index=False)
    out = tmp_path / "out.csv"
    res = CliRunner().invoke(cli, ["-q", "geocode", str(src), "--ban", str(BAN), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "(CSV pour Excel : « ; », UTF-8)" in res.output
    back = pd.read_csv(out, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig").set_index("Identifiant")
    assert back.loc["g2", "precision"] == "voie" and back.loc["g2", "Longitude"].startswith("2,81")


def test_geocode_without_a_source_is_a_usage_error(tmp_path):
    res = CliRunner().invoke(cli, ["geocode", str(REGISTRY), "-o", str(tmp_path / "x.csv")])
    assert res.exit_code == 2 and "--ban CHEMIN" in res.output and "--geocodeur en-ligne" in res.output
    assert not (tmp_path / "x.csv").exists()


# --------------------------------------------------------------------------- online, on 127.0.0.1
# query sent -> (result_type, label, score, lon, lat, citycode, oldcitycode)
ONLINE = {
    "12 bis rue J. Jaurès 62300 Lens": ("housenumber", "12 bis Rue Jean Jaurès 62300 Lens", 0.93, 2.8186, 50.4396,
                                        "62498", ""),
    "9 rue Jean Jaurès 62300 Lens": ("street", "Rue Jean Jaurès 62300 Lens", 0.71, 2.8180, 50.4395, "62498", ""),
    "12 rue Inconnue 62300 Lens": ("housenumber", "12 Rue Inconnue 62300 Lens", 0.88, 2.8250, 50.4330, "62498", ""),
    "Le Riaumont 62800 Liévin": ("locality", "Le Riaumont 62800 Liévin", 0.88, 2.7625, 50.4204, "62510", ""),
}  # fmt: skip
HEADER = ["latitude", "longitude", "result_label", "result_score", "result_type", "result_id", "result_housenumber",
          "result_citycode", "result_oldcitycode"]  # fmt: skip


class _FakeBan(BaseHTTPRequestHandler):
    """POST /search/csv/: the CSV sent with the BAN's result columns appended."""

    def log_message(self, *args):  # quiet
        pass

    def do_POST(self):  # noqa: N802
        length = int(self.headers["Content-Length"])
        head = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
        msg = BytesParser(policy=HTTP).parsebytes(head + self.rfile.read(length))
        form = {p.get_param("name", header="content-disposition"): p.get_payload(decode=True) for p in msg.iter_parts()}
        rows = list(csv.reader(io.StringIO(form["data"].decode("utf-8"))))
        q = rows[0].index(form["columns"].decode())
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(rows[0] + HEADER)
        for row in rows[1:]:
            self.server.queries.append(row[q])
            hit = ONLINE.get(row[q])
            if hit is None:
                w.writerow(row + [""] * len(HEADER))
                continue
            kind, label, score, lon, lat, city, old = hit
            w.writerow(row + [lat, lon, label, score, kind, f"id-{row[0]}", "", city, old])
        body = out.getvalue().encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/csv; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def service(monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeBan)
    server.queries = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("ATLAS_GEOCODER_URL", f"http://127.0.0.1:{server.server_address[1]}")
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def unreachable(monkeypatch):
    """A port nothing listens on, and no waiting between the retries."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("ATLAS_GEOCODER_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setattr(geocoding, "geocode_online",
                        functools.partial(ban_online.geocode_online, sleep=lambda s: None))  # fmt: skip


def test_online_geocoder_on_the_loopback_server(service, tmp_path):
    out = tmp_path / "g.csv"
    res = CliRunner().invoke(cli, ["-q", "geocode", str(REGISTRY), "--geocodeur", "en-ligne", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "12 rue Inconnue 62300 Lens" in service.queries and len(service.queries) == 11
    back = pd.read_csv(out, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig").set_index("Identifiant")
    assert back.loc["g1", ["precision", "score", "adresse_ban"]].tolist() == [
        "adresse", "93", "12 bis Rue Jean Jaurès 62300 Lens"]  # fmt: skip
    assert back.loc["g2", ["precision", "remarque_geocodage"]].tolist() == [
        "voie", "numéro 9 absent de la BAN : placé sur la voie"]  # fmt: skip
    assert back.loc["g6", "precision"] == "lieu-dit"
    assert back.loc["g3", ["precision", "remarque_geocodage"]].tolist() == [
        "commune", "adresse introuvable par le géocodeur : mairie"]  # fmt: skip
    assert (back.loc["g1", "Longitude"], back.loc["g1", "Latitude"]) == ("2,8186", "50,4396")
    # the answers are cached: the next run needs no network
    service.queries.clear()
    again = CliRunner().invoke(cli, ["-q", "geocode", str(REGISTRY), "--geocodeur", "en-ligne",
                                     "-o", str(tmp_path / "h.csv")])  # fmt: skip
    assert again.exit_code == 0 and service.queries == []
    assert (tmp_path / "h.csv").read_bytes() == out.read_bytes()


def test_files_first_then_the_online_service_for_what_they_leave_at_the_town_hall(service):
    result = build_registries([REGISTRY], write=False, ban=BAN, geocoder="en-ligne")
    assert service.queries == ["12 rue Inconnue 62300 Lens"]  # the only address the files did not place
    acc = result.actors.set_index("id")
    assert acc.loc["g5", ["precision", "geocode_label", "geocode_score"]].tolist() == [
        "address", "12 Rue Inconnue 62300 Lens", pytest.approx(88.0)]  # fmt: skip
    expected = {**EXPECTED, "g5": ("address", 88.0, "12 Rue Inconnue 62300 Lens", "", "62498")}
    _check_actors(result.actors, expected)


def test_the_network_is_never_called_without_the_flag(service, tmp_path):
    res = CliRunner().invoke(cli, ["-q", "geocode", str(REGISTRY), "--ban", str(BAN), "-o", str(tmp_path / "g.csv")])
    assert res.exit_code == 0, res.output
    build_registries([REGISTRY], write=False)
    assert service.queries == []


def test_unreachable_service_fails_cleanly_and_writes_nothing(unreachable, tmp_path):
    out = tmp_path / "g.csv"
    res = CliRunner().invoke(cli, ["geocode", str(REGISTRY), "--geocodeur", "en-ligne", "-o", str(out)])
    assert res.exit_code == 1, res.output
    assert "Erreur : Géocodeur en ligne injoignable" in res.output and "Traceback" not in res.output
    assert "géocodez hors ligne avec les fichiers de la BAN" in res.output
    gpkg = tmp_path / "a.gpkg"
    res = CliRunner().invoke(cli, ["build", str(REGISTRY), "--geocodeur", "en-ligne", "-o", str(gpkg)])
    assert res.exit_code == 1 and "Géocodeur en ligne injoignable" in res.output
    assert list(tmp_path.iterdir()) == []


def test_distances_use_the_geocoded_points(tmp_path):
    out = {}
    for name, extra in (("ban", ["--ban", str(BAN)]), ("mairie", [])):
        path = tmp_path / f"{name}.csv"
        args = ["-q", "distances", "--registre", str(REGISTRY), "--kind", "distribution", "--dep", "62"]
        res = CliRunner().invoke(cli, [*args, "-o", str(path), *extra])
        assert res.exit_code == 0, res.output
        table = pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig", dtype={"Code INSEE": str})  # for Excel
        out[name] = table.set_index("Code INSEE")
    km, site = "Distance au site le plus proche (km)", "Site le plus proche"
    # Angres is nearest to the Riaumont lieu-dit (1.37 km), farther from Liévin's town hall
    assert out["ban"].loc["62032", [km, site]].tolist() == [1.37, "Secours populaire du Riaumont"]
    assert out["mairie"].loc["62032", km] > 1.37


def test_geocode_one_sheet_of_a_workbook(tmp_path):
    text = REGISTRY.read_bytes().decode("utf-8-sig")
    frame = pd.read_csv(io.StringIO(text), sep=";", dtype=str, keep_default_na=False)
    src = tmp_path / "classeur.xlsx"
    with pd.ExcelWriter(src) as xl:
        frame.iloc[:5].to_excel(xl, sheet_name="Lens", index=False)
        frame.iloc[5:].to_excel(xl, sheet_name="Autres", index=False)
    out = tmp_path / "out.csv"
    res = CliRunner().invoke(cli, ["-q", "geocode", str(src), "--ban", str(BAN), "-o", str(out)])
    assert res.exit_code == 1 and "--feuille NOM" in res.output and not out.exists()
    res = CliRunner().invoke(cli, ["-q", "geocode", str(src), "--feuille", "Lens", "--ban", str(BAN), "-o", str(out)])
    assert res.exit_code == 0, res.output
    back = pd.read_csv(out, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert back["Identifiant"].tolist() == ["g1", "g2", "g3", "g4", "g5"]
    assert back["precision"].tolist() == ["adresse", "voie", "adresse", "voie", "commune"]
