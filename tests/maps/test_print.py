"""Printable A3 maps (:mod:`atlas.maps.print.render`): page size, searchable text, atlas pages, tables.

PDFs are rendered from the fixture registry ``tests/data/print_sites.csv`` (40 fictitious sites
of CABBALR and CAPSO, several at the same point, a truck with stops, a name with ``$5 $`` and
``<b>``) and read back with pypdf and pdftotext.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import skip_or_fail
from pypdf import PdfReader

from atlas import placement
from atlas.errors import AtlasError, TerritoryError
from atlas.fr import date_fr
from atlas.maps.layers import MapLayers, analysis_layers
from atlas.maps.print import booklet
from atlas.maps.print import render as printmap
from atlas.maps.print import typeset as pl
from atlas.maps.print.mapframe import PrintContext
from atlas.maps.print.sites import print_sites, table_columns
from atlas.registry.actors import read_actors
from atlas.territory.selection import resolve_territory

FIXTURE = Path(__file__).parents[1] / "data" / "print_sites.csv"
DAY = dt.date(2026, 11, 24)
def _needs_pdftotext(func):
    """pdftotext (poppler-utils) is installed by .ci/run: missing, the test fails in CI, skips elsewhere."""
    import functools

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if shutil.which("pdftotext") is None:
            skip_or_fail("pdftotext (poppler-utils) absent")
        return func(*args, **kwargs)

    return wrapper


needs_pdftotext = _needs_pdftotext


def squash(text: str) -> str:
    """Text without any whitespace (names wrap over lines and hyphens end lines)."""
    return re.sub(r"\s+", "", text.replace("\u00a0", " ").replace("\u202f", " "))


def pdf_text(path: Path, page: int | None = None) -> str:
    args = ["pdftotext", "-raw", "-enc", "UTF-8"]
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    return subprocess.run([*args, str(path), "-"], check=True, capture_output=True, text=True).stdout


def page_sizes_mm(path: Path) -> list[tuple[float, float]]:
    return [(float(p.mediabox.width) / 72 * 25.4, float(p.mediabox.height) / 72 * 25.4)
            for p in PdfReader(path).pages]


@pytest.fixture(scope="module")
def actors(communes):
    return read_actors(FIXTURE, communes=communes).accepted


@pytest.fixture(scope="module")
def context(communes):
    return PrintContext.build(communes)


@pytest.fixture(scope="module")
def capso_pdf(communes, actors, context, tmp_path_factory):
    out = tmp_path_factory.mktemp("print") / "capso.pdf"
    return printmap.render_map(resolve_territory(communes, "CAPSO"), actors, output=out, generated=DAY, context=context)


@pytest.fixture(scope="module")
def cabbalr_pdf(communes, actors, context, tmp_path_factory):
    out = tmp_path_factory.mktemp("print") / "cabbalr.pdf"
    return printmap.render_map(resolve_territory(communes, "CABBALR"), actors, output=out, generated=DAY, context=context)


# --------------------------------------------------------------------------- the sheet
def test_page_is_a3(capso_pdf, cabbalr_pdf):
    for path in (capso_pdf, cabbalr_pdf):
        for w, h in page_sizes_mm(path):
            assert sorted((w, h)) == pytest.approx([297.0, 420.0], abs=0.5)


def test_orientation_can_be_forced(communes, actors, context, tmp_path):
    out = printmap.render_map(resolve_territory(communes, "CAPSO"), actors, output=tmp_path / "p.pdf", orientation="portrait",
                              generated=DAY, context=context)
    w, h = page_sizes_mm(out)[0]
    assert (w, h) == pytest.approx((297.0, 420.0), abs=0.5)
    with pytest.raises(AtlasError, match="Orientation inconnue"):
        printmap.render_map(resolve_territory(communes, "CAPSO"), actors, output=tmp_path / "q.pdf", orientation="oblique",
                            context=context)


@needs_pdftotext
def test_every_site_name_is_in_the_text(capso_pdf, cabbalr_pdf, actors, communes):
    for path, code in ((capso_pdf, "CAPSO"), (cabbalr_pdf, "CABBALR")):
        terr = resolve_territory(communes, code)
        sites = print_sites(actors, terr)
        expected = actors[actors["insee"].isin(terr.communes["insee"])
                          & actors["kind"].isin(["distribution", "epicerie", "meal"])
                          & (actors["id"] != "t-025")]  # the truck itself is replaced by its stops
        assert sorted(sites["id"]) == sorted(expected["id"])
        text = squash(pdf_text(path))
        for name in sites["name"]:
            assert squash(name) in text, name


@needs_pdftotext
def test_registry_text_is_printed_as_text(cabbalr_pdf):
    text = pdf_text(cabbalr_pdf)
    assert "$5 $ <b>Solidarité</b>" in text.replace("\n", " ")


def test_fonts_are_embedded_truetype(capso_pdf):
    reader = PdfReader(capso_pdf)
    found = 0
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        for ref in fonts.values():
            font = ref.get_object()
            descendants = [d.get_object() for d in font.get("/DescendantFonts", [])] or [font]
            for d in descendants:
                desc = d["/FontDescriptor"].get_object()
                assert "/FontFile2" in desc, d.get("/BaseFont")
                found += 1
    assert found >= 2  # regular and bold at least
    assert any("DejaVuSans" in str(ref.get_object()["/BaseFont"])
               for ref in reader.pages[0]["/Resources"]["/Font"].values())


@needs_pdftotext
def test_title_footer_demo_mark_and_french_hours(capso_pdf):
    text = pdf_text(capso_pdf).replace("\u00a0", " ")
    flat = " ".join(text.split())
    assert "Où trouver de l'aide alimentaire" in flat
    assert "Communauté d'agglomération du Pays de Saint-Omer" in flat
    assert "données à jour au 2 novembre 2026" in flat  # max `updated` of the printed rows
    assert "DONNÉES DE DÉMONSTRATION" in flat
    assert "Sources : IGN, INSEE — Licence Ouverte" in flat
    assert "généré le 24/11/2026" in flat
    assert "lundi et jeudi 14 h – 17 h" in flat  # « Mo,Th 14:00-17:00 »
    assert "colis alimentaires" in flat


@needs_pdftotext
def test_no_demo_mark_for_real_rows(communes, actors, context, tmp_path):
    real = actors.assign(fictitious=False)
    out = printmap.render_map(resolve_territory(communes, "CAPSO"), real, output=tmp_path / "r.pdf", generated=DAY,
                              context=context)
    assert "DÉMONSTRATION" not in pdf_text(out)


@needs_pdftotext
def test_truck_stops_and_unlocated_sites(cabbalr_pdf, actors, communes):
    flat = " ".join(pdf_text(cabbalr_pdf).split())
    # one row per stop (t-026, t-027); their names say « camion », so « camion itinérant » is not repeated
    assert flat.count("Camion du cœur — arrêt") == 2 and "camion itinérant" not in flat
    terr = resolve_territory(communes, "CABBALR")
    sites = print_sites(actors, terr)
    stop = sites[sites["id"] == "t-026"].iloc[0]
    assert stop["mobile"] and stop["located"]
    assert stop["phone"]  # inherited from the truck row
    # a row without coordinates is placed at the town hall: marker, and the table says so
    t23 = sites[sites["id"] == "t-023"].iloc[0]
    assert t23["approximate"] and not t23["address"]
    # its address reads « non communiquée », its marker (on the map and in the table) is dotted, as the legend says
    assert "non communiquée" in flat
    assert squash("Contour pointillé : lieu repéré à la mairie de sa commune") in squash(flat)


@needs_pdftotext
def test_site_without_any_position_is_listed_without_marker(communes, actors, context, tmp_path):
    act = actors.copy()
    act.loc[act["id"] == "o-012", "geometry"] = None
    terr = resolve_territory(communes, "CAPSO")
    sites = print_sites(act, terr)
    row = sites[sites["id"] == "o-012"].iloc[0]
    assert row["number"] == "–" and not row["located"]
    assert sites["number"].iloc[-1] == "–"  # listed last
    assert list(sites["number"].iloc[:-1]) == [str(i) for i in range(1, len(sites))]
    out = printmap.render_map(resolve_territory(communes, "CAPSO"), act, output=tmp_path / "u.pdf", generated=DAY,
                              context=context)
    flat = squash(pdf_text(out))
    assert squash("Association Entraide Wizernes") in flat
    assert squash("lieu sans repère (adresse non localisée)") in flat


@needs_pdftotext
def test_territory_without_site_says_so(communes, actors, context, tmp_path):
    out = printmap.render_map(resolve_territory(communes, "CALL"), actors, output=tmp_path / "e.pdf", generated=DAY,
                              context=context)
    assert len(PdfReader(out).pages) == 1
    flat = " ".join(pdf_text(out).split())
    assert flat.count("Aucun site d'aide alimentaire recensé sur ce territoire") == 2  # map and table
    assert "DÉMONSTRATION" not in flat


def test_unknown_territory(communes, actors, tmp_path):
    with pytest.raises(TerritoryError, match="Territoire inconnu"):
        printmap.render_map(resolve_territory(communes, "NULLEPART"), actors, output=tmp_path / "x.pdf")
    assert not list(tmp_path.iterdir())


def test_unwritable_output(communes, actors, context, tmp_path):
    blocker = tmp_path / "fichier"
    blocker.write_text("x")
    with pytest.raises(AtlasError, match="Impossible"):
        printmap.render_map(resolve_territory(communes, "CAPSO"), actors, output=blocker / "x.pdf", context=context)
    assert [p.name for p in tmp_path.iterdir()] == ["fichier"]


def test_not_a_pdf_path(communes, actors, tmp_path):
    with pytest.raises(AtlasError, match=r"\.pdf"):
        printmap.render_map(resolve_territory(communes, "CAPSO"), actors, output=tmp_path / "x.png")


def test_interrupted_run_leaves_no_half_written_pdf(communes, actors, context, tmp_path, monkeypatch):
    target = tmp_path / "carte.pdf"
    target.write_bytes(b"previous")
    real = printmap._Renderer.sheets

    def sheets_then_interrupt(self, terr, sites, orientation="auto"):
        yield from real(self, terr, sites, orientation)
        raise KeyboardInterrupt

    monkeypatch.setattr(printmap._Renderer, "sheets", sheets_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        booklet.render_atlas(resolve_territory(communes), actors, by=["CAPSO", "CABBALR"], output=target, generated=DAY)
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["carte.pdf"]


# --------------------------------------------------------------------------- long tables, atlas
@needs_pdftotext
def test_long_table_continues_on_more_sheets(communes, actors, context, tmp_path):
    import pandas as pd

    capso = actors[actors["epci"] == "200069037"]
    copies = []
    for k in range(5):
        c = capso.copy()
        c["id"] = c["id"] + f"-{k}"
        c["name"] = c["name"] + f" (copie {k + 1})"
        copies.append(c)
    many = pd.concat(copies, ignore_index=True)
    many = many.set_geometry("geometry")
    out = printmap.render_map(resolve_territory(communes, "CAPSO"), many, output=tmp_path / "long.pdf", generated=DAY,
                              context=context)
    n = len(PdfReader(out).pages)
    assert n >= 2
    flat = squash(pdf_text(out))
    for name in many["name"]:
        assert squash(name) in flat, name
    page2 = " ".join(pdf_text(out, page=2).split())
    assert "suite du tableau" in page2
    assert "Horaires" in page2 and "Téléphone" in page2  # same header
    assert f"Suite du tableau : feuille 2/{n}" in " ".join(pdf_text(out, page=1).split())
    # every row is printed exactly once over the sheets
    assert sum(squash(pdf_text(out)).count(squash(nm)) for nm in many["name"]) >= len(many)


def test_table_type_is_never_below_7pt():
    with pytest.raises(ValueError):
        pl.TableStyle(size=6.5)
    assert pl.TableStyle().size >= pl.MIN_FONT_PT


def test_atlas_has_one_page_per_territory(communes, actors, tmp_path):
    terrs = ["62765", "62525", "62040", "CALL"]
    out = booklet.render_atlas(resolve_territory(communes), actors, by=terrs, output=tmp_path / "atlas.pdf", generated=DAY)
    assert len(PdfReader(out).pages) == 2 + len(terrs)  # cover, index, one sheet each
    for w, h in page_sizes_mm(out):
        assert sorted((w, h)) == pytest.approx([297.0, 420.0], abs=0.5)


@needs_pdftotext
def test_atlas_by_commune_within_territory(communes, actors, tmp_path):
    small = ["62765", "62040", "62139"]  # Saint-Omer, Arques, Blendecques
    sub = communes[communes["insee"].isin(small)]
    out = booklet.render_atlas(resolve_territory(communes, sub), actors, by="commune", output=tmp_path / "c.pdf",
                                generated=DAY)
    assert len(PdfReader(out).pages) == 2 + 3  # cover and index first
    # pages in name order, each framed on its commune with its own table
    assert "Arques (62)" in pdf_text(out, page=3)
    assert "Restos du Cœur — Arques" in pdf_text(out, page=3)
    assert "Restos du Cœur — Saint-Omer" not in pdf_text(out, page=3)
    assert "Saint-Omer (62)" in pdf_text(out, page=5)


def test_atlas_territories_by_epci(communes):
    terrs = printmap.atlas_territories(communes[communes["dep"] == "62"], "epci")
    assert len(terrs) == communes.loc[communes["dep"] == "62", "epci"].nunique()
    with pytest.raises(AtlasError, match="Découpage"):
        printmap.atlas_territories(communes, "canton")


# --------------------------------------------------------------------------- layers
@needs_pdftotext
def test_optional_layers_are_drawn_and_explained(communes, actors, context, tmp_path):
    import geopandas as gpd
    import shapely

    terr = resolve_territory(communes, "CAPSO").communes
    zones = terr.assign(zone_blanche=terr["population"] < 300)
    a, b = actors[actors["id"] == "o-001"].geometry.iloc[0], actors[actors["id"] == "o-006"].geometry.iloc[0]
    lines = gpd.GeoDataFrame({"weight": [3.0]}, geometry=[shapely.LineString([a, b])], crs=communes.crs)
    bands = terr.assign(band=np.where(terr["population"] > 2000, "moins de 2 km", "2 à 5 km"))
    out = printmap.render_map(resolve_territory(communes, "CAPSO"), actors, output=tmp_path / "l.pdf", generated=DAY,
                              context=context, layers=MapLayers(zones=zones, partnerships=lines, bands=bands))
    flat = " ".join(pdf_text(out).split())
    assert "Zone blanche" in flat
    assert "Partenariat entre acteurs" in flat
    assert "Lieu le plus proche : moins de 2 km" in flat


# --------------------------------------------------------------------------- layout helpers
def test_markers_at_the_same_place_do_not_hide_each_other():
    rng = np.random.default_rng(3)
    xy = np.r_[np.full((7, 2), 50.0), rng.uniform(40, 60, (15, 2)), [[1.0, 1.0], [1.5, 1.2]]]
    d = 5.0
    pos, displaced = placement.spread_markers(xy, d, bounds=(0, 0, 100, 100))
    dist = np.hypot(pos[:, None, 0] - pos[None, :, 0], pos[:, None, 1] - pos[None, :, 1])
    np.fill_diagonal(dist, np.inf)
    assert dist.min() >= d  # no overlap at all
    assert displaced[:7].all()  # the seven at one point are all moved off it (leader lines)
    assert (pos >= d / 2 - 1e-9).all() and (pos <= 100 - d / 2 + 1e-9).all()  # kept inside the frame
    lone, moved = placement.spread_markers(np.array([[10.0, 10.0]]), d)
    assert not moved.any() and lone.tolist() == [[10.0, 10.0]]


def test_wrapped_lines_fit_their_column():
    text = "Croix-Rouge française — unité locale de Béthune-Bruay-la-Buissière et environs (antenne)"
    for width in (18.0, 30.0, 60.0):
        lines = pl.wrap_text(text, width, 7.5, bold=True)
        assert all(placement.text_width_mm(line, 7.5, bold=True) <= width for line in lines)
        assert squash("".join(lines)) == squash(text)
    assert pl.wrap_text("14\u00a0h\u00a0–\u00a017\u00a0h", 5.0, 7.5)[0].startswith("14")


def test_labels_never_overlap():
    cands = [(50.0, 50.0, f"Commune {i}", 8.0, False) for i in range(6)] + [(10.0, 10.0, "Isolée", 9.0, True)]
    kept = placement.place_labels(cands, obstacles=[(48, 48, 52, 52)], bounds=(0, 0, 100, 100))
    boxes = [placement.label_box(x, y, t, s, b) for x, y, t, s, b in kept]
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            assert not placement.boxes_overlap(boxes[i], boxes[j])
        assert not placement.boxes_overlap(boxes[i], (48, 48, 52, 52))
    assert any(t == "Isolée" for _, _, t, _, _ in kept)


def test_balanced_columns_fill_the_width():
    cols = table_columns(200.0)
    rows = [{"name": [pl.Paragraph("Un nom assez long pour une association", bold=True)], "address": "3 rue X",
             "commune": "62500 Saint-Omer", "hours": "du lundi au vendredi 9 h – 12 h", "services": "colis",
             "public": "tout public", "phone": "03 21 00 00 00", "number": "1"}]
    widths = pl.balanced_widths(rows, cols, 200.0, pl.TableStyle())
    assert sum(widths) == pytest.approx(200.0)
    assert widths[1] > widths[5]  # the long name gets more room than « colis »


def test_french_dates():
    assert date_fr("2026-11-02") == "2 novembre 2026"
    assert date_fr("2026-08-01") == "1er août 2026"
    assert date_fr("2026-10") == "octobre 2026"


# --------------------------------------------------------------------------- CLI
def test_cli_print(tmp_path):
    from atlas.cli import cli

    runner = CliRunner()
    out = tmp_path / "capso.pdf"
    res = runner.invoke(cli, ["-q", "print", "--epci", "CAPSO", "--registry", str(FIXTURE), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert out.exists() and "Carte imprimable écrite" in res.output
    res = runner.invoke(cli, ["-q", "print", "--epci", "NULLEPART", "--registry", str(FIXTURE),
                              "-o", str(tmp_path / "x.pdf")])
    assert res.exit_code == 1
    assert "Territoire inconnu" in res.output and "Traceback" not in res.output
    res = runner.invoke(cli, ["-q", "print", "--registry", str(FIXTURE)])
    assert res.exit_code == 2


# --------------------------------------------------------------------------- demonstration registry
@needs_pdftotext
def test_demo_registry_maps(demo, tmp_path):
    for code in ("CABBALR", "CAPSO"):
        out = printmap.render_map(resolve_territory(demo.communes, code), demo.actors, output=tmp_path / f"{code}.pdf",
                                  generated=DAY)
        terr = resolve_territory(demo.communes, code)
        sites = print_sites(demo.actors, terr)
        assert len(sites) > 0
        flat = squash(pdf_text(out))
        for name in sites["name"]:
            assert squash(name) in flat, name


@needs_pdftotext
def test_analysis_layers_from_the_other_modules(demo, tmp_path):
    layers = analysis_layers(demo.communes, demo.actors, zones_blanches_km=5, access=True,
                                      partnerships=True)
    zones = layers.zones
    col = layers.zones_column
    assert col == "zone_blanche_5km" and zones[col].dtype == bool
    assert len(zones) == len(demo.communes) and zones[col].any() and not zones[col].all()
    assert list(layers.bands["band_max"]) == sorted(layers.bands["band_max"])
    assert len(layers.partnerships) > 0
    assert set(layers.partnerships.geom_type) == {"LineString"}
    # CABBALR: one partnership line crosses it (on CAPSO, none does: no line is drawn there)
    out = printmap.render_map(resolve_territory(demo.communes, "CABBALR"), demo.actors, output=tmp_path / "a.pdf",
                              layers=layers, generated=DAY)
    flat = squash(pdf_text(out))  # legend labels wrap over two lines
    assert squash("Zone blanche : à plus de 5 km (à vol d'oiseau) de tout lieu d'aide") in flat
    assert squash("Lieu le plus proche : moins de 2 km") in flat
    assert squash("Partenariat entre acteurs") in flat
