"""The printed map read as a person reads it: commune names that never mislead, and the atlas booklet.

Sheets of the demonstration registry (CAPSO, CABBALR, Lens-Liévin) are rendered and read back
with ``pdftotext -bbox``: every commune that has a site carries its name on the map, as real
text of at least 7 pt, and no marker covers the name of another commune.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import shapely
from conftest import skip_or_fail

from atlas import placement
from atlas.maps.print import render as printmap
from atlas.maps.print.mapframe import PrintContext
from atlas.registry.schema import AID_KINDS
from atlas.territory.selection import resolve_territory

DAY = dt.date(2026, 11, 24)
#: DejaVu Sans: pdftotext's word box is ascent + descent = 1.164 em high.
EM_HEIGHT = 0.928 + 0.236
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')


def words(path: Path, page: int = 1) -> list[tuple[float, float, float, float, str]]:
    """Words of a page with their box in points from the top left (pdftotext -bbox)."""
    if shutil.which("pdftotext") is None:
        skip_or_fail("pdftotext (poppler-utils) absent")
    out = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), "-enc", "UTF-8", str(path), "-"],
                         check=True, capture_output=True, text=True).stdout
    return [(float(a), float(b), float(c), float(d), html.unescape(w)) for a, b, c, d, w in WORD.findall(out)]


@pytest.fixture(scope="module")
def context(demo):
    return PrintContext.build(demo.communes)


@pytest.fixture(scope="module")
def sheets(demo, context, tmp_path_factory):
    """The first sheet of CAPSO, CABBALR and CALL, with what draw_map reported (labels, markers)."""
    out = {}
    tmp = tmp_path_factory.mktemp("sheets")
    for code in ("CAPSO", "CABBALR", "CALL"):
        seen = []
        real = printmap.draw_map

        def spy(sheet, *a, _seen=seen, _real=real, **k):
            info = _real(sheet, *a, **k)
            _seen.append((sheet.layout, info))
            return info

        printmap.draw_map = spy
        try:
            pdf = printmap.render_map(resolve_territory(demo.communes, code), demo.actors, output=tmp / f"{code}.pdf",
                                      context=context, generated=DAY)
        finally:
            printmap.draw_map = real
        out[code] = (pdf, *seen[0])
    return out


def _communes_with_site(demo, code: str) -> dict[str, str]:
    """INSEE → name of the communes of ``code`` with a public food-aid site, from the registry itself."""
    terr = resolve_territory(demo.communes, code)
    shown = printmap.shown_actors(demo.actors)
    act = shown[shown["kind"].isin(AID_KINDS) & shown["insee"].astype(str).isin(set(terr.communes["insee"]))]
    names = terr.communes.set_index("insee")["name"]
    return {str(c): str(names[c]) for c in sorted(set(act["insee"].astype(str)))}


def _to_points(layout, box_mm):
    """A box in mm of the map box as (x0, top, x1, bottom) in PDF points from the page's top left."""
    mx, my = layout.map[0], layout.map[1]
    k = 1 / placement.MM_PER_PT
    return ((mx + box_mm[0]) * k, (layout.height - my - box_mm[3]) * k,
            (mx + box_mm[2]) * k, (layout.height - my - box_mm[1]) * k)


@pytest.mark.parametrize("code", ["CAPSO", "CABBALR", "CALL"])
def test_every_commune_with_a_site_is_named_on_the_map(demo, sheets, code):
    pdf, layout, info = sheets[code]
    expected = _communes_with_site(demo, code)
    assert len(expected) >= 8  # the demo registry spreads its sites over many communes
    labels = {lab["insee"]: lab for lab in info["labels"]}
    assert set(expected) <= set(labels), sorted(set(expected) - set(labels))
    page = words(pdf)
    for insee, name in expected.items():
        x0, top, x1, bottom = _to_points(layout, labels[insee]["box"])
        inside = [w for w in page if x0 <= (w[0] + w[2]) / 2 <= x1 and top <= (w[1] + w[3]) / 2 <= bottom]
        assert " ".join(w[4] for w in sorted(inside)) == name  # the name, as text, where it was placed
        for w in inside:
            assert (w[3] - w[1]) / EM_HEIGHT >= 7.0 - 1e-6  # type size read from the PDF


@pytest.mark.parametrize("code", ["CAPSO", "CABBALR", "CALL"])
def test_no_name_under_7_pt_and_no_marker_on_another_communes_name(demo, sheets, code):
    pdf, layout, info = sheets[code]
    assert info["labels"]
    page = words(pdf)
    for lab in info["labels"]:
        assert lab["size"] >= 7.0
        x0, top, x1, bottom = _to_points(layout, lab["box"])
        inside = [w for w in page if x0 <= (w[0] + w[2]) / 2 <= x1 and top <= (w[1] + w[3]) / 2 <= bottom]
        assert inside, lab["name"]
        assert min((w[3] - w[1]) / EM_HEIGHT for w in inside) >= 7.0 - 1e-6
        for insee, box in info["markers"]:
            if insee != lab["insee"]:
                assert not placement.boxes_overlap(lab["box"], box), (lab["name"], insee)
        # a name is centred in its commune, or within 3 mm of it (a leader line joins it otherwise)
        if not lab["leader"]:
            geom = demo.communes.set_index("insee").geometry[lab["insee"]]
            x = info["origin"][0] + lab["x"] * info["scale"]
            y = info["origin"][1] + lab["y"] * info["scale"]
            assert shapely.distance(geom, shapely.Point(x, y)) <= 3.0 * info["scale"], lab["name"]


def test_capso_longuenesse_is_named_and_blendecques_is_not_on_its_marker(demo, sheets):
    # the case: marker 8 (Longuenesse) sat on « Blendecques » while Longuenesse was unnamed
    pdf, layout, info = sheets["CAPSO"]
    labels = {lab["name"]: lab for lab in info["labels"]}
    assert "Longuenesse" in labels and "Blendecques" in labels
    longuenesse = labels["Longuenesse"]["insee"]
    for insee, box in info["markers"]:
        if insee == longuenesse:
            assert not placement.boxes_overlap(labels["Blendecques"]["box"], box)


# --------------------------------------------------------------------------- the booklet
def pdf_text(path: Path, page: int) -> str:
    if shutil.which("pdftotext") is None:
        skip_or_fail("pdftotext (poppler-utils) absent")
    return subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-f", str(page), "-l", str(page), str(path), "-"],
                          check=True, capture_output=True, text=True).stdout


def _epci(communes, words: str) -> str:
    return str(communes.loc[communes["epci_name"].str.contains(words), "epci"].iloc[0])


@pytest.fixture(scope="module")
def book(demo, tmp_path_factory):
    from atlas.maps.print import booklet

    codes = ["CAPSO", _epci(demo.communes, "Grand Calais"), _epci(demo.communes, "Pays de Lumbres")]
    pdf = booklet.render_atlas(resolve_territory(demo.communes), demo.actors, by=codes, output=tmp_path_factory.mktemp("b") / "a.pdf",
                               generated=DAY)
    return pdf, [resolve_territory(demo.communes, c) for c in codes]


def test_booklet_starts_with_a_cover_and_an_index(book):
    from pypdf import PdfReader

    pdf, terrs = book
    cover = pdf_text(pdf, 1)
    assert "Où trouver de l'aide alimentaire" in cover and "Atlas par territoire" in cover
    assert "Région Hauts-de-France" in cover and "Édition du 24 novembre 2026" in cover
    assert "3 territoires" in cover and "14 lieux" in cover and "2 territoires sans lieu recensé" in cover
    index = pdf_text(pdf, 2)
    assert "Sommaire" in index
    assert "feuille 1/1" not in cover and "feuille 1/1" not in index  # a cover and a one-page index are not sheets
    reader = PdfReader(pdf)
    pages = {}
    for t in terrs:
        line = next(ln for ln in index.splitlines() if ln.startswith(t.name))
        pages[t.name] = int(line.split()[-1])
        # the page the index gives is the territory's own sheet
        assert t.name in pdf_text(pdf, pages[t.name]).replace("\n", " ")
    assert sorted(pages.values())[0] == 3 and len(reader.pages) >= 5
    assert [o.title for o in reader.outline] == ["Sommaire", *(t.name for t in terrs)]
    for p in reader.pages:  # A3, landscape or portrait (a territory's sheet may be either)
        w, h = sorted((float(p.mediabox.width) / 72 * 25.4, float(p.mediabox.height) / 72 * 25.4))
        assert abs(w - 297) < 0.5 and abs(h - 420) < 0.5


def test_an_empty_territory_lists_its_nearest_sites(demo, book):
    pdf, terrs = book
    calais = terrs[1]
    index = pdf_text(pdf, 2)
    page = int(next(ln for ln in index.splitlines() if ln.startswith(calais.name)).split()[-1])
    text = pdf_text(pdf, page)
    assert "Aucun lieu d'aide alimentaire n'est recensé sur ce territoire." in text
    listed = [float(d.replace(",", ".")) for d in re.findall(r"(\d+,\d) km", text)]
    assert len(listed) == 8
    # recomputed from the registry: public food-aid sites with a point, outside the territory,
    # straight-line distance (Lambert-93) from the town hall of its most populous commune
    main = calais.communes.sort_values("population", ascending=False).iloc[0]
    assert f"mairie de {main['name']}" in text
    shown = printmap.shown_actors(demo.actors)
    shown = shown[shown["kind"].isin(AID_KINDS) & ~shown.geometry.is_empty & shown.geometry.notna()]
    trucks = set(shown["route"].fillna("").astype(str)) - {""}
    shown = shown[~shown["id"].astype(str).isin(trucks)]  # a truck is listed by its stops
    shown = shown[~shown["insee"].astype(str).isin(set(calais.communes["insee"]))]
    d = shapely.distance(shown.geometry.to_crs(2154).values, shapely.Point(main["townhall_x"], main["townhall_y"]))
    expected = sorted(round(float(v) / 1000, 1) for v in d)[:8]
    assert listed == pytest.approx(expected, abs=0.051)
    nearest = shown.iloc[int(d.argmin())]
    assert str(nearest["name"]).split(" (")[0][:30] in text.replace("\n", " ")
    # the nearest sites are marked A to H, never with numbers that belong to other sheets
    import pdfplumber

    with pdfplumber.open(pdf) as doc:
        words = {w["text"] for w in doc.pages[page - 1].extract_words()}
    assert set("ABCDEFGH") <= words
    assert not {str(k) for k in range(1, 8)} & words  # (« Les 8 lieux les plus proches » has an 8)


# --------------------------------------------------------------------------- beyond one sheet
def test_more_sites_than_a_sheet_can_show_is_a_french_message(demo, context, tmp_path):
    import importlib.util

    from atlas.errors import AtlasError, TooManySitesError

    spec = importlib.util.spec_from_file_location("bench_print", Path(__file__).parents[1] / "benchmarks" / "bench_print.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    reg = bench.synthetic_registry(demo.communes, demo.actors, 2_000)
    with pytest.raises(TooManySitesError) as err:
        printmap.render_map(resolve_territory(demo.communes, "CABBALR"), reg, output=tmp_path / "x.pdf", context=context,
                            generated=DAY)
    msg = str(err.value)
    assert isinstance(err.value, AtlasError)  # the CLI prints it as one sentence, exit 1
    assert msg.startswith("Trop de lieux pour une carte A3 lisible : 2\u00a0000 lieux sur")
    assert "atlas print --atlas commune --epci" in msg
    assert not (tmp_path / "x.pdf").exists()


# --------------------------------------------------------------------------- the sea
def _l93(lon: float, lat: float) -> shapely.Point:
    from pyproj import Transformer

    x, y = Transformer.from_crs(4326, 2154, always_xy=True).transform(lon, lat)
    return shapely.Point(x, y)


def test_sea_is_what_no_commune_covers_west_of_belgium(demo, context):
    calais = resolve_territory(demo.communes, _epci(demo.communes, "Grand Calais"))
    b = calais.communes.total_bounds
    view = shapely.box(b[0] - 5_000, b[1] - 5_000, b[2] + 5_000, b[3] + 5_000)
    sea = context.sea(view)
    assert sea.area > 50e6  # the Channel off Calais
    assert sea.contains(_l93(1.75, 51.02))  # off Sangatte
    assert not sea.contains(_l93(1.858, 50.951))  # Calais itself
    # no commune under the sea (beyond the width of a line)
    assert shapely.union_all(calais.communes.geometry.values).intersection(sea).area < 1e4
    # inland: no sea; near Dunkirk: Belgium is not sea
    arras = resolve_territory(demo.communes, _epci(demo.communes, "Arras")).communes.total_bounds
    assert context.sea(shapely.box(*arras)).is_empty
    cud = resolve_territory(demo.communes, _epci(demo.communes, "urbaine de Dunkerque")).communes.total_bounds
    cud_sea = context.sea(shapely.box(cud[0], cud[1], cud[2] + 15_000, cud[3] + 5_000))
    assert cud_sea.contains(_l93(2.30, 51.07)) and not cud_sea.contains(_l93(2.62, 51.05))  # De Panne (BE)


def test_calais_sheet_paints_the_sea_and_keeps_borders_on_land(demo, context, tmp_path):
    import matplotlib.colors as mcolors
    from matplotlib import image

    from atlas.maps.print.mapframe import SEA

    code = _epci(demo.communes, "Grand Calais")
    seen = []
    real = printmap.draw_map

    def spy(sheet, *a, **k):
        info = real(sheet, *a, **k)
        seen.append((sheet.layout, info))
        return info

    printmap.draw_map = spy
    try:
        pdf = printmap.render_map(resolve_territory(demo.communes, code), demo.actors, output=tmp_path / "c.pdf",
                                  context=context, generated=DAY)
    finally:
        printmap.draw_map = real
    layout, info = seen[0]
    if shutil.which("pdftoppm") is None:
        skip_or_fail("pdftoppm (poppler-utils) absent")
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")], check=True)
    img = image.imread(next(tmp_path.glob("p*.png")))
    x0, y0 = info["origin"]
    view = shapely.box(x0, y0, x0 + info["size_mm"][0] * info["scale"], y0 + info["size_mm"][1] * info["scale"])
    water = context.sea(view)
    assert water.area > 0.05 * view.area  # a coastal sheet
    sea_point = shapely.get_parts(water)[np.argmax(shapely.area(shapely.get_parts(water)))].buffer(-1500)
    sea_point = sea_point.representative_point()  # well inside the sea
    mm_x = layout.map[0] + (sea_point.x - info["origin"][0]) / info["scale"]
    mm_y = layout.map[1] + (sea_point.y - info["origin"][1]) / info["scale"]
    px = int(mm_x / 25.4 * 40)
    py = int((layout.height - mm_y) / 25.4 * 40)
    assert np.allclose(img[py, px, :3], mcolors.to_rgb(SEA), atol=0.03)  # the sea, not the land's colour
    # the département and EPCI borders stop at the coast: no border drawn along or over the sea
    lines = shapely.union_all([shapely.boundary(g) for g in context.deps.geometry] +
                              [shapely.boundary(g) for g in context.epci.geometry]).intersection(view)
    along = lines.intersection(water.buffer(40)).length  # what the map would have drawn on the coast
    assert along > 10_000  # the plain borders do run along the coast here …
    drawn = shapely.union_all(info["borders"])
    assert drawn.length > 10_000  # … but those drawn (land borders, e.g. with CAPSO) do not
    assert drawn.intersection(water.buffer(30)).length < 100
