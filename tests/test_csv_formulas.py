"""Every command that writes a CSV, run on one registry of formula cells (tests/data/registre_formules.csv:
``=HYPERLINK(…)``, ``+cmd|…``, ``@SUM(1)``, ``-1+1``, tab- and CR-prefixed cells, in names, addresses,
kinds, ids, sources, phones): no cell of any CSV written (files and standard output) starts a formula.

``atlas geocode`` is the one that rewrites the registry itself, cell by cell: each payload is found
there neutralised (« '=HYPERLINK… »), numbers as numbers."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from atlas.cli import cli

DATA = Path(__file__).parent / "data"
REGISTRY = DATA / "registre_formules.csv"
PARTNERSHIPS = DATA / "partenariats_formules.csv"
BAN = DATA / "ban" / "adresses-62.csv"
PAYLOADS = ('=HYPERLINK("http://evil","x")', "+cmd|' /C calc'!A0", "@SUM(1)", "-1+1", "\tTabulation",
            "\rRetour chariot")
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def _cells(text: str) -> list[str]:
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=";")
    return [cell for row in rows for cell in row]


def _dangerous(cells: list[str]) -> list[str]:
    """Cells Excel would run: a formula character first (spaces aside) that is not a plain number."""
    number = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?%?")
    bad = []
    for cell in cells:
        head = cell.lstrip(" \u00a0\u202f")
        if cell[:1] in ("\t", "\r", "\n") or (head[:1] in _DANGEROUS and not number.fullmatch(head.strip())):
            bad.append(cell)
    return bad


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, object]:
    """Every CSV-writing command run once on the formula registry: {label: CSV text} (files and stdout)."""
    out = tmp_path_factory.mktemp("formules")
    reg, parts = str(REGISTRY), str(PARTNERSHIPS)
    site = ["--registry", reg, "--epci", "CALL"]
    files = {
        "build": (["build", reg, "--partenariats", parts, "-o", str(out / "build" / "a.gpkg")], out / "build"),
        "build --ban": (["build", reg, "--ban", str(BAN), "-o", str(out / "ban" / "a.gpkg")], out / "ban"),
        "gaps": (["gaps", *site, "--by", "commune", "-o", str(out / "gaps.csv")], out / "gaps.csv"),
        "gaps --semaine": (["gaps", "--semaine", *site, "-o", str(out / "semaine.csv")], out / "semaine.csv"),
        "distances": (["distances", *site, "-o", str(out / "distances.csv")], out / "distances.csv"),
        "suggest": (["suggest", *site, "-o", str(out / "suggest.csv")], out / "suggest.csv"),
        "actors": (["actors", "--registry", reg, "--partenariats", parts, "--dessin", "svg", "-o",
                    str(out / "acteurs")], out / "acteurs"),
        "indicators": (["indicators", "--registry", reg, "--partenariats", parts, "--epci", "CALL", "-o",
                        str(out / "ind.csv")], out / "ind.csv"),
        "geocode": (["geocode", reg, "--ban", str(BAN), "-o", str(out / "geocode.csv")], out / "geocode.csv"),
    }
    stdout = {
        "gaps --format csv": ["gaps", *site, "--format", "csv"],
        "distances (écran)": ["distances", *site],
        "indicators --format csv": ["indicators", "--registry", reg, "--partenariats", parts, "--epci", "CALL",
                                    "--format", "csv"],
    }
    texts: dict[str, str] = {}
    runner = CliRunner()
    for label, (args, where) in files.items():
        res = runner.invoke(cli, ["-q", *args])
        assert res.exit_code == 0, (label, res.output)
        paths = sorted(where.rglob("*.csv")) if where.is_dir() else [where]
        assert paths, label
        for p in paths:
            texts[f"{label}: {p.name}"] = p.read_bytes().decode("utf-8-sig")  # line breaks in cells as written
    for label, args in stdout.items():
        res = CliRunner().invoke(cli, ["-q", *args])
        assert res.exit_code == 0, (label, res.output)
        texts[label] = res.stdout
    return texts


def test_every_csv_of_every_command_is_neutralised(outputs):
    expected = {"build: a-rejets.csv", "build: a-avertissements.csv", "build --ban: a-rejets.csv", "gaps: gaps.csv",
                "gaps --semaine: semaine.csv", "distances: distances.csv", "suggest: suggest.csv",
                "actors: acteurs-metriques.csv", "actors: acteurs-communautes.csv", "indicators: ind.csv",
                "geocode: geocode.csv", "gaps --format csv", "distances (écran)", "indicators --format csv"}
    assert expected <= set(outputs)
    scanned = 0
    for label, text in outputs.items():
        cells = _cells(text)
        assert cells, label
        assert _dangerous(cells) == [], label
        scanned += len(cells)
    assert scanned > 500
    # the payloads did reach the tables that carry names (else the scan would prove nothing)
    for label in ("build: a-rejets.csv", "distances: distances.csv", "actors: acteurs-metriques.csv"):
        assert "'=HYPERLINK" in outputs[label] or "'=1+1" in outputs[label], label


def test_geocode_rewrites_every_payload_neutralised(outputs):
    cells = _cells(outputs["geocode: geocode.csv"])
    for payload in PAYLOADS:
        assert "'" + payload in cells, payload
        assert payload not in cells, payload
    assert "'@SUM(1)" in cells and "'-1+1" in cells  # the sources too, not only the names
    assert "'+33 3 21 00 00 00" in cells  # a phone starting with « + » is text for Excel: neutralised, as elsewhere
    assert "-12,5" in cells and "50,4394" in cells  # numbers stay numbers
    assert "'=1+1" in cells and "'-f7" in cells  # the rejected row is copied, neutralised too
    header = next(csv.reader(io.StringIO(outputs["geocode: geocode.csv"], newline=""), delimiter=";"))
    assert header[:3] == ["Identifiant", "Nom", "Type"] and "precision" in header


def test_geocoded_registry_read_back_is_the_registry_again(tmp_path):
    """The neutralising « ' » is atlas's, not the registry's: a geocoded registry read again gives back
    its own text (a phone « +33 … » stays a phone), and geocoding it again writes the same bytes."""
    from atlas.registry.actors import read_actors

    first, second = tmp_path / "geo.csv", tmp_path / "geo2.csv"
    for src, out in ((REGISTRY, first), (first, second)):
        res = CliRunner().invoke(cli, ["-q", "geocode", str(src), "--ban", str(BAN), "-o", str(out)])
        assert res.exit_code == 0, res.output
    assert second.read_bytes() == first.read_bytes()
    again, original = read_actors(first), read_actors(REGISTRY)
    assert again.accepted["name"].tolist() == original.accepted["name"].tolist()
    assert '=HYPERLINK("http://evil","x")' in again.accepted["name"].tolist()
    assert "03 21 00 00 00" in again.accepted["phone"].tolist()  # read back as the French form, as any +33 phone
    assert not again.warnings["message"].str.contains("« '+33", regex=False).any()
