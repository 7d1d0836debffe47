"""Public maps never show a closed, draft, offline or professional-only site; stale sites say « à vérifier ».

The registry holds one site of each status and visibility (see
``tests/registry/test_publication.py``), in Soliguide JSON and in a French CSV, all in
Lens-Liévin (CALL). Printed sheets are read back with pdftotext, web pages as HTML.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import named
from test_print import needs_pdftotext, pdf_text, squash

from atlas.cli import cli
from atlas.maps.layers import analysis_layers, web_layers
from atlas.maps.print import booklet
from atlas.maps.print import render as printmap
from atlas.maps.web import render as webmap
from atlas.registry.actors import read_actors
from atlas.registry.publication import PRO_MARK, Audience
from atlas.territory.selection import resolve_territory, select_territory

DATA = Path(__file__).parents[1] / "data"
SOLIGUIDE = DATA / "soliguide_statuts.json"
FRENCH_CSV = DATA / "registre_statuts_fr.csv"
PARTNERSHIPS = DATA / "partenariats_statuts.csv"
TODAY = dt.date(2026, 12, 1)

SHOWN = ("Colis alimentaires fictifs de l'Acacia", "Épicerie solidaire fictive du Bouleau")
PRO = "Colis d'urgence fictifs du Frêne"
NEVER = ("Distribution fictive du Cèdre", "Colis fictifs du Dattier", "Restaurant social fictif de l'Érable")
#: Words found only in the name and address of each hidden site.
HIDDEN_WORDS = {"Cèdre": NEVER[0], "Dattier": NEVER[1], "Érable": NEVER[2], "Frêne": PRO}
STALE = "informations de mars 2024 — à vérifier"


@pytest.fixture(scope="module", params=[SOLIGUIDE, FRENCH_CSV], ids=["soliguide", "csv-fr"])
def registry(request, communes):
    return read_actors(request.param, communes=communes).accepted


@pytest.fixture(scope="module")
def context(communes):
    return printmap.PrintContext.build(communes)


@pytest.fixture(scope="module")
def call(communes):
    return select_territory(communes, epci="CALL")


def blob(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="atlas-data">(.*?)</script>', page, re.S)
    assert m, "no data blob"
    return json.loads(m.group(1))


@needs_pdftotext
def test_public_sheet_shows_open_public_sites_only(registry, communes, context, tmp_path):
    csv = registry["id"].iloc[0] == "s1"  # the partnerships fixture names the CSV's ids
    layers = analysis_layers(communes, registry, zones_blanches_km=2, partnerships=PARTNERSHIPS if csv else False)
    pdf = printmap.render_map(resolve_territory(communes, "CALL"), registry, output=tmp_path / "call.pdf", generated=TODAY,
                              context=context, layers=layers)
    text = squash(pdf_text(pdf))
    for name in SHOWN:
        assert squash(name) in text
    for word in HIDDEN_WORDS:
        assert word not in text
    assert squash(STALE) in text and text.count("àvérifier") == 2  # the site, and the note under the table
    assert "professionnel" not in text.casefold()
    if csv:  # partnership lines only between shown sites: Acacia–Bouleau (not to Cèdre, Érable, Frêne)
        lines = layers.partnerships
        assert list(zip(lines["source"], lines["target"], strict=True)) == [("s1", "s2")]


@needs_pdftotext
def test_professional_sheet_shows_the_pro_site_with_its_mark(registry, communes, context, tmp_path):
    pdf = printmap.render_map(resolve_territory(communes, "CALL"), registry, output=tmp_path / "pro.pdf", generated=TODAY,
                              context=context, audience=Audience(professionals=True))
    text = pdf_text(pdf)
    flat = squash(text)
    assert squash(PRO) in flat
    assert squash(PRO_MARK.upper()) in flat  # the mark at the top of the sheet
    assert squash(PRO_MARK) in flat.casefold()  # and in the footer
    for word in ("Cèdre", "Dattier", "Érable"):
        assert word not in flat
    drafts = printmap.render_map(resolve_territory(communes, "CALL"), registry, output=tmp_path / "drafts.pdf",
                                 generated=TODAY, context=context, audience=Audience(include_drafts=True))
    flat = squash(pdf_text(drafts))
    assert "Cèdre" in flat and "Dattier" in flat and "Érable" not in flat and "Frêne" not in flat


@needs_pdftotext
def test_freshness_limit_and_atlas(registry, communes, tmp_path):
    pdf = booklet.render_atlas(resolve_territory(communes), registry, by=["CALL"], output=tmp_path / "atlas.pdf", generated=TODAY,
                                audience=Audience(freshness_months=48))
    flat = squash(pdf_text(pdf))
    assert "àvérifier" not in flat and "Frêne" not in flat and squash(SHOWN[0]) in flat


def test_public_web_page(registry, call):
    csv = registry["id"].iloc[0] == "s1"
    layers = web_layers(call, registry, zones_blanches_km=1, partnerships=PARTNERSHIPS if csv else False,
                        audience=Audience(today=TODAY))
    page = webmap.make_webmap(named(call, "CALL"), registry, layers=layers, audience=Audience(today=TODAY))
    for word in HIDDEN_WORDS:
        assert word not in page  # nor in a popup, a tooltip, a line or the search index
    data = blob(page)
    names = {a["n"]: a for a in data["actors"]}
    assert set(names) == set(SHOWN)
    assert names[SHOWN[1]]["v"] == STALE and "v" not in names[SHOWN[0]]
    assert "usage professionnel" not in page
    if csv:
        assert data["shapes"][-1]["labels"] == [f"{SHOWN[0]} — {SHOWN[1]} (Mutualisation logistique)"]


def test_professional_web_page(registry, call):
    aud = Audience(professionals=True, today=TODAY)
    page = webmap.make_webmap(named(call, "CALL"), registry, layers=web_layers(call, registry, audience=aud),
                              audience=aud)
    data = blob(page)
    assert {a["n"] for a in data["actors"]} == {*SHOWN, PRO}
    assert f'<div class="atlas-pro">{PRO_MARK.capitalize()}' in page
    for word in ("Cèdre", "Dattier", "Érable"):
        assert word not in page


def test_cli_print_and_web(tmp_path):
    runner = CliRunner()
    pdf = tmp_path / "call.pdf"
    run = runner.invoke(cli, ["print", "--epci", "CALL", "--registre", str(FRENCH_CSV), "-o", str(pdf)])
    assert run.exit_code == 0, run.output
    # one warning per hidden site, with why
    for name in (*NEVER, PRO):
        assert sum(name in line and "ligne" in line for line in run.output.splitlines()) == 1, name
    html = tmp_path / "call.html"
    run = runner.invoke(cli, ["-q", "web", "--epci", "CALL", "--registre", str(SOLIGUIDE), "--professionnels",
                              "--zones-blanches", "1", "-o", str(html)])
    assert run.exit_code == 0, run.output
    page = html.read_text(encoding="utf-8")
    assert "Frêne" in page and PRO_MARK.capitalize() in page
    assert "Érable" not in page and "Cèdre" not in page
    run = runner.invoke(cli, ["-q", "web", "--epci", "CALL", "--registre", str(SOLIGUIDE), "--zones-blanches", "1",
                              "-o", str(html)])
    assert run.exit_code == 0, run.output
    page = html.read_text(encoding="utf-8")
    assert not any(word in page for word in HIDDEN_WORDS) and STALE in page
