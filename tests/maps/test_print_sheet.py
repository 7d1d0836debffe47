"""The A3 hand-out of issue 12 on the demonstration registry: one sheet per territory with every
site, a telephone column, service pictograms, only what is drawn in the legend, and whom to call.

The three demo territories (Lens-Liévin ``CALL``, ``CABBALR``, ``CAPSO``) are printed as the demo
and ``atlas print`` print them, and read back with pdftotext and pdfplumber.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pdfplumber
import pytest
from click.testing import CliRunner
from test_print import needs_pdftotext, page_sizes_mm, pdf_text, squash

from atlas.cli import cli
from atlas.maps import pictograms as pg
from atlas.maps import site_table as numbering
from atlas.maps.layers import analysis_layers
from atlas.maps.print import render as printmap
from atlas.maps.print import typeset as pl
from atlas.maps.print.fit import balanced_blocks, fill_blocks, spread_pages
from atlas.maps.print.mapframe import PrintContext
from atlas.maps.print.sites import print_sites
from atlas.placement import MM_PER_PT
from atlas.registry.schema import SERVICE_LABELS
from atlas.territory.selection import resolve_territory

DAY = dt.date(2026, 12, 2)
EDITOR = "PAT du Pays de Lens"
CONTACT = "CCAS de Lens — 03 21 00 00 00"
TITLE = "Registre de l'aide alimentaire du Pays de Lens"
#: Sites of each demo territory (issue 12: « Lens 22/22, CABBALR 19/19, CAPSO 14/14 »).
COUNTS = {"CALL": 22, "CABBALR": 19, "CAPSO": 14}


@pytest.fixture(scope="module")
def demo_layers(demo):
    """The layers the demo prints with: zones blanches at 10 km, no partnership line."""
    return analysis_layers(demo.communes, demo.actors, zones_blanches_km=10, access=False)


@pytest.fixture(scope="module")
def sheets(demo, demo_layers, tmp_path_factory):
    """CALL through ``atlas print`` (its defaults), CABBALR and CAPSO through render_map as the demo does."""
    out = tmp_path_factory.mktemp("sheets")
    result = CliRunner().invoke(cli, ["-q", "print", "--epci", "CALL", "--zones-blanches", "10", "--editeur", EDITOR,
                                      "--contact", CONTACT, "--titre-registre", TITLE, "-o", str(out / "CALL.pdf")])
    assert result.exit_code == 0, result.output
    paths = {"CALL": out / "CALL.pdf"}
    ctx = PrintContext.build(demo.communes)
    for code in ("CABBALR", "CAPSO"):
        paths[code] = printmap.render_map(resolve_territory(demo.communes, code), demo.actors, output=out / f"{code}.pdf",
                                          layers=demo_layers, generated=DAY, context=ctx)
    return paths


def _sites(demo, code):
    terr = resolve_territory(demo.communes, code)
    return print_sites(printmap.shown_actors(demo.actors), terr)


# --------------------------------------------------------------------------- one sheet
def test_each_demo_territory_fits_one_a3_sheet(sheets):
    for code, path in sheets.items():
        sizes = page_sizes_mm(path)
        assert len(sizes) == 1, code
        assert sorted(sizes[0]) == pytest.approx([297.0, 420.0], abs=0.5), code


@needs_pdftotext
def test_every_site_and_the_telephone_column_are_on_the_sheet(sheets, demo):
    for code, path in sheets.items():
        sites = _sites(demo, code)
        assert len(sites) == COUNTS[code]
        text = pdf_text(path)
        flat = squash(text)
        assert "Téléphone" in text
        for name in sites["name"]:
            assert squash(name) in flat, (code, name)
        # every number of the table is on the sheet (markers and table)
        for n in sites["number"]:
            assert re.search(rf"(?<!\d){re.escape(n)}(?!\d)", text), (code, n)


def _column_words(path, header):
    """Words whose left edge is the column's (cells start where the header starts), under it."""
    with pdfplumber.open(path) as pdf:
        words = pdf.pages[0].extract_words()
    head = next(w for w in words if w["text"] == header)
    return [w["text"] for w in words if abs(w["x0"] - head["x0"]) < 0.6 and w["top"] > head["bottom"]]


def test_a_site_without_phone_reads_non_communique(sheets, demo):
    for code, path in sheets.items():
        sites = _sites(demo, code)
        without = int((sites["phone"] == "").sum())
        col = _column_words(path, "Téléphone")
        assert col.count("non") == without, code
        phones = [w for w in col if re.fullmatch(r"\d{2}", w[:2] or "")]
        assert len(phones) == len(sites) - without, code
    assert (_sites(demo, "CALL")["phone"] == "").any()  # the demo has sites without a phone
    assert squash("non communiqué") in squash(pdf_text(sheets["CALL"]))


def test_no_text_under_7_points(sheets):
    for code, path in sheets.items():
        with pdfplumber.open(path) as pdf:
            sizes = [c["size"] for page in pdf.pages for c in page.chars]
        assert sizes, code
        assert min(sizes) >= pl.MIN_FONT_PT - 0.01, (code, min(sizes))


# --------------------------------------------------------------------------- only what is drawn
@needs_pdftotext
def test_no_partnership_line_unless_asked_and_legend_only_for_drawn_layers(sheets, demo, demo_layers):
    col = demo_layers.zones_column
    zones = demo_layers.zones
    for code, path in sheets.items():
        flat = squash(pdf_text(path))
        assert squash("Partenariat entre acteurs") not in flat, code
        terr = resolve_territory(demo.communes, code)
        drawn = bool(zones[zones["insee"].isin(terr.communes["insee"])][col].any())
        assert (squash("Zone blanche") in flat) == drawn, code


def test_print_asks_partnerships_only_with_the_option():
    from atlas.cli.print_map import print_map

    opts = {p.name: p for p in print_map.params}
    assert opts["partnerships"].default is None


# --------------------------------------------------------------------------- who made it, whom to call
@needs_pdftotext
def test_footer_names_editor_contact_and_registry_title(sheets):
    flat = " ".join(pdf_text(sheets["CALL"]).split())
    assert f"Carte réalisée par {EDITOR}." in flat
    assert f"Signalez un lieu manquant ou une erreur à : {CONTACT}." in flat
    assert f"registre : {TITLE}" in flat
    assert "actors.csv" not in flat
    # without a title, the demo registry is named for what it is, not by its file name
    other = " ".join(pdf_text(sheets["CAPSO"]).split())
    assert f"registre : {numbering.DEMO_REGISTRY}" in other and "actors.csv" not in other
    assert "Signalez un lieu manquant ou une erreur au service qui vous a remis cette carte." in other


def test_subtitle_lines_are_balanced(sheets):
    for code, path in sheets.items():
        with pdfplumber.open(path) as pdf:
            page = pdf.pages[0]
            lines = [ln["text"].strip() for ln in page.extract_text_lines() if ln["chars"][0]["size"] == 11.0]
        assert lines, code
        assert all(not re.fullmatch(r"\d{4}", ln) for ln in lines), (code, lines)
        if len(lines) == 2:  # the shorter line is at least a third of the longer
            short, long_ = sorted(lines, key=len)
            assert len(short) >= len(long_) / 3, (code, lines)


def test_balanced_lines_break_after_the_dash():
    text = "Communauté d'agglomération de Lens - Liévin — 22 lieux ; données à jour au 24\u00a0novembre\u00a02026"
    assert pl.text_width_mm(text, 11.0) > 150.0  # too long for one line of 150 mm
    lines = pl.balanced_lines(text, 150.0, 11.0)
    assert lines == ["Communauté d'agglomération de Lens - Liévin —", "22 lieux ; données à jour au 24\u00a0novembre\u00a02026"]
    assert pl.balanced_lines("court", 200.0, 11.0) == ["court"]
    words = "un deux trois quatre cinq six sept huit neuf dix onze douze treize"
    two = pl.balanced_lines(words, pl.text_width_mm(words, 11.0) * 0.8, 11.0)
    assert len(two) == 2 and abs(len(two[0]) - len(two[1])) <= 12


# --------------------------------------------------------------------------- pictograms
def test_every_service_of_the_vocabulary_has_a_pictogram():
    assert set(pg.PICTOGRAMS) == set(SERVICE_LABELS)
    for key in pg.PICTOGRAMS:
        path = pg.pictogram_path(key)
        lo, hi = path.vertices.min(axis=0), path.vertices.max(axis=0)
        assert (lo >= -1e-9).all() and (hi <= 1 + 1e-9).all(), key
        svg = pg.pictogram_svg(key)
        assert svg.startswith("<svg") and f"<title>{pg.pictogram_label(key)}" in svg.replace("&#x27;", "'")


def test_pictograms_are_at_least_the_7pt_type_and_tell_apart_in_greyscale():
    """Each pictogram as printed (its size at 7 pt, rasterised at 300 dpi in grey): it has ink and
    paper, and any two differ on at least 12 % of their pixels."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    size = pl.icon_size_mm(7.0)
    assert size >= 7.0 * MM_PER_PT  # never smaller than the em of the smallest text
    px = round(size / 25.4 * 300)
    images = {}
    for key in pg.PICTOGRAMS:
        fig = Figure(figsize=(size / 25.4, size / 25.4), dpi=300)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, size)
        ax.set_ylim(0, size)
        ax.set_axis_off()
        pg.draw_pictogram(ax, key, 0, 0, size)
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        rgba = np.asarray(canvas.buffer_rgba())[:px, :px, :3].mean(axis=2)
        ink = rgba < 128
        assert 0.12 < ink.mean() < 0.75, (key, ink.mean())
        images[key] = ink
    keys = list(images)
    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            assert (images[a] != images[b]).mean() > 0.12, (a, b)


@needs_pdftotext
def test_pictograms_are_explained_under_the_table(sheets, demo):
    for code, path in sheets.items():
        flat = squash(pdf_text(path))
        assert squash("Services :") in flat
        used = {k.strip() for s in demo.actors[demo.actors["insee"].isin(
            resolve_territory(demo.communes, code).communes["insee"])]["services"].dropna() for k in s.split(",")}
        for key in used & set(pg.PICTOGRAMS):
            assert squash(pg.pictogram_label(key)) in flat, (code, key)


# --------------------------------------------------------------------------- fitting
def test_fill_and_balance_blocks():
    assert fill_blocks([5, 5, 5], 10, 2) == [[0, 1], [2]]
    assert fill_blocks([5, 5, 5], 9, 2) is None
    assert balanced_blocks([5, 5, 5, 5], 20, 2) == [[0, 1], [2, 3]]
    assert balanced_blocks([5, 5, 5], 9, 2) is None


def test_continuation_pages_are_filled_evenly():
    pages = spread_pages([5.0] * 50, 100.0, 2)  # 40 rows per page: two pages, about 25 rows each
    assert len(pages) == 2
    counts = [sum(len(b) for b in p) for p in pages]
    assert sum(counts) == 50 and min(counts) >= 24  # the last page is no thin remainder (greedy: 40 + 10)
    assert all(len(b) >= 11 for p in pages for b in p)  # nor any block
    assert [i for p in pages for b in p for i in b] == list(range(50))


def test_table_styles_never_go_below_7pt():
    assert all(st.size >= pl.MIN_FONT_PT and st.header_size >= pl.MIN_FONT_PT for st in pl.TABLE_STYLES)


# --------------------------------------------------------------------------- one sheet, or a filled second one
def _copies(actors, n):
    import pandas as pd

    capso = actors[actors["epci"] == "200069037"]
    parts = []
    for k in range(n):
        c = capso.copy()
        c["id"] = c["id"] + f"-{k}"
        c["name"] = c["name"] + f" (copie {k + 1})"
        parts.append(c)
    return pd.concat(parts, ignore_index=True).set_geometry("geometry")


@needs_pdftotext
def test_39_sites_on_one_sheet_and_65_on_two_filled_sheets(communes, tmp_path):
    from pathlib import Path

    from atlas.registry.actors import read_actors

    fixture = Path(__file__).parents[1] / "data" / "print_sites.csv"
    actors = read_actors(fixture, communes=communes).accepted
    ctx = PrintContext.build(communes)
    many = _copies(actors, 3)
    assert len(many) == 39
    out = printmap.render_map(resolve_territory(communes, "CAPSO"), many, output=tmp_path / "39.pdf", generated=DAY,
                              context=ctx)
    assert len(page_sizes_mm(out)) == 1
    flat = squash(pdf_text(out))
    assert all(squash(nm) in flat for nm in many["name"])
    # 65 sites cannot fit: the table goes on to a second sheet that is filled, not a thin remainder
    many = _copies(actors, 5)
    out = printmap.render_map(resolve_territory(communes, "CAPSO"), many, output=tmp_path / "65.pdf", generated=DAY,
                              context=ctx)
    assert len(page_sizes_mm(out)) == 2
    page1, page2 = squash(pdf_text(out, page=1)), squash(pdf_text(out, page=2))
    on1 = sum(squash(nm) in page1 for nm in many["name"])
    on2 = sum(squash(nm) in page2 for nm in many["name"])
    assert on1 + on2 == 65 and on2 >= 30, (on1, on2)
