"""The demo's web pages in a real browser (issue 13): they name their territory and places, speak
the A3 sheet's visual language and numbers, and work on a phone and from the keyboard.

The pages are those ``atlas demo`` writes (:func:`atlas.demo.write_demo_webmaps`). Headless
Chromium is driven through the DevTools protocol over a pipe (``--remote-debugging-pipe``: no
port, no extra package), so that the viewport can be exactly 390 px wide (a window cannot be
narrower than 500 px) and keys can be pressed. The network is cut as in ``test_web.py``: own
network namespace when ``unshare`` works, no host name resolves, the proxy is a closed port.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import unicodedata
from pathlib import Path

import pytest
from conftest import offline_prefix

from atlas.demo import DEMO_TERRITORIES, write_demo_webmaps
from atlas.maps.print.render import render_map, shown_actors
from atlas.maps.print.sites import print_sites
from atlas.maps.site_table import numbered_sites
from atlas.maps.web.panels import web_filename
from atlas.territory.selection import resolve_territory, select_territory, territory_label

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
    "--disable-component-update", "--disable-sync", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost", "--proxy-server=http://127.0.0.1:9",
]  # fmt: skip
PAGES = {"hauts-de-france": None, **{stem: code for code, stem in DEMO_TERRITORIES.items()}}
TERRITORY_PAGES = [stem for stem, code in PAGES.items() if code]
#: Where screenshots go when ATLAS_SCREENSHOTS names a folder (to look at them).
SHOTS = os.environ.get("ATLAS_SCREENSHOTS")


# --------------------------------------------------------------------------- DevTools over a pipe
class Browser:
    """Headless Chromium driven with the DevTools protocol on fds 3/4 (``--remote-debugging-pipe``)."""

    def __init__(self, exe: str, prefix: list[str]):
        r_cmd, self._w_cmd = os.pipe()  # Chromium reads commands on its fd 3...
        self._r_out, w_out = os.pipe()  # ...and answers on its fd 4
        self.profile = tempfile.mkdtemp(prefix="atlas-cdp-")

        def child() -> None:
            a, b = os.dup(r_cmd), os.dup(w_out)
            os.dup2(a, 3)  # dup2 makes them inheritable
            os.dup2(b, 4)

        self.proc = subprocess.Popen([*prefix, exe, *FLAGS, "--remote-debugging-pipe",
                                      f"--user-data-dir={self.profile}", "about:blank"],
                                     preexec_fn=child, close_fds=False,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(r_cmd)
        os.close(w_out)
        self._buf = b""
        self._n = 0

    def _message(self) -> dict:
        while b"\0" not in self._buf:
            chunk = os.read(self._r_out, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium a fermé la connexion")
            self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._n += 1
        msg: dict = {"id": self._n, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._w_cmd, json.dumps(msg).encode() + b"\0")
        while True:
            answer = self._message()
            if answer.get("id") == self._n:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result", {})

    def open(self, path: Path, width: int, height: int, fragment: str = "") -> Page:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session)
        self.send("Page.navigate", {"url": path.as_uri() + fragment}, session)
        page = Page(self, session, target)
        page.wait("document.body && document.body.getAttribute('data-atlas-ready') === '1'")
        time.sleep(0.6)  # clusters and commune names settle after the first view
        return page

    def close(self) -> None:
        try:
            self.send("Browser.close")
            self.proc.wait(timeout=30)
        except (RuntimeError, OSError, subprocess.TimeoutExpired):
            self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


class Page:
    """One tab: evaluate JavaScript, press keys, take screenshots."""

    def __init__(self, browser: Browser, session: str, target: str):
        self.b, self.session, self.target = browser, session, target

    def js(self, expression: str):
        res = self.b.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                               "awaitPromise": True}, self.session)
        if "exceptionDetails" in res:
            raise AssertionError(f"JavaScript : {res['exceptionDetails']}")
        return res["result"].get("value")

    def wait(self, condition: str, timeout: float = 60.0) -> None:
        end = time.monotonic() + timeout
        while not self.js(f"!!({condition})"):
            if time.monotonic() > end:
                raise AssertionError(f"jamais vrai : {condition}")
            time.sleep(0.1)

    def key(self, key: str, code: str, keycode: int) -> None:
        for kind in ("keyDown", "keyUp"):
            self.b.send("Input.dispatchKeyEvent", {"type": kind, "key": key, "code": code,
                                                   "windowsVirtualKeyCode": keycode}, self.session)

    def type(self, text: str) -> None:
        self.b.send("Input.insertText", {"text": text}, self.session)

    def screenshot(self, path: Path) -> None:
        data = self.b.send("Page.captureScreenshot", {"format": "png"}, self.session)["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        self.b.send("Target.closeTarget", {"targetId": self.target})


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def browser(chromium):
    b = Browser(chromium, offline_prefix())
    yield b
    b.close()


@pytest.fixture(scope="module")
def pages(demo, tmp_path_factory) -> dict[str, Path]:
    """The demo's web pages, written as ``atlas demo`` writes them."""
    folder = tmp_path_factory.mktemp("cartes")
    files = write_demo_webmaps(demo, folder)
    return {p.stem.removeprefix("carte-"): p for p in files}


@pytest.fixture(scope="module")
def blobs(pages) -> dict[str, dict]:
    out = {}
    for stem, path in pages.items():
        m = re.search(r'<script type="application/json" id="atlas-data">(.*?)</script>', path.read_text("utf-8"), re.S)
        out[stem] = json.loads(m.group(1))
    return out


def _territory(demo, stem: str):
    code = PAGES[stem]
    return demo.communes if code is None else select_territory(demo.communes, epci=code).communes


@pytest.fixture
def view(browser):
    opened: list[Page] = []

    def open_(path: Path, width: int = 1400, height: int = 900, fragment: str = "") -> Page:
        page = browser.open(path, width, height, fragment)
        opened.append(page)
        return page

    yield open_
    for page in opened:
        page.close()


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).replace("\u00a0", " ").split())


# --------------------------------------------------------------------------- the territory's name
def test_page_and_file_named_after_the_territory(pages):
    assert sorted(pages) == ["cabbalr", "capso", "hauts-de-france", "lens-lievin"]
    assert web_filename("Communauté d'agglomération de Lens - Liévin (CALL)") == "carte-call.html"
    assert web_filename("Hauts-de-France") == "carte-hauts-de-france.html"
    assert web_filename("Communauté d'agglomération de Béthune-Bruay, Artois-Lys Romane") == (
        "carte-communaute-d-agglomeration-de-bethune-bruay-artois-lys.html")
    assert web_filename(None) == "carte.html"


def test_cli_web_default_file_named_after_the_territory(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from atlas.cli import cli

    monkeypatch.setenv("ATLAS_MAPS_DIR", str(tmp_path))
    fixture = Path(__file__).parents[1] / "data" / "web_actors.csv"
    res = CliRunner().invoke(cli, ["-q", "web", "--epci", "CABBALR", "--registry", str(fixture)])
    assert res.exit_code == 0, res.output
    assert [p.name for p in tmp_path.iterdir()] == ["carte-cabbalr.html"]
    page = (tmp_path / "carte-cabbalr.html").read_text("utf-8")
    assert "<title>Communauté d&#x27;agglomération de Béthune-Bruay, Artois-Lys Romane (CABBALR) — " in page


@pytest.mark.parametrize("stem", list(PAGES))
def test_browser_territory_in_title_and_panel(view, pages, demo, stem):
    name = territory_label(_territory(demo, stem))
    page = view(pages[stem])
    assert page.js("document.title").startswith(name + " — ")
    assert page.js("document.querySelector('#atlas-title h1').textContent") == name
    others = {territory_label(_territory(demo, s)) for s in PAGES if s != stem}
    assert not any(page.js("document.title").startswith(o) for o in others)


# --------------------------------------------------------------------------- commune names
BIGGEST = {"hauts-de-france": "Lille", "cabbalr": "Béthune", "capso": "Saint-Omer", "lens-lievin": "Lens"}


@pytest.mark.parametrize("stem", list(PAGES))
def test_browser_commune_names_at_initial_zoom(view, pages, demo, stem):
    communes = _territory(demo, stem)
    assert communes.sort_values("population").iloc[-1]["name"] == BIGGEST[stem]
    page = view(pages[stem])
    labels = page.js("""Array.from(document.querySelectorAll('.atlas-commune-label')).map(function (e) {
        var r = e.getBoundingClientRect(); return [e.textContent, e.getAttribute('data-insee'), r.left, r.top, r.right,
        r.bottom]; })""")
    assert len(labels) >= 10, labels
    names = dict(zip(communes["insee"], communes["name"], strict=True))
    assert all(names[insee] == text for text, insee, *_ in labels)  # each name is its commune's
    assert BIGGEST[stem] in [t for t, *_ in labels]
    # each name is at its commune's point, or just under or over it (a marker is there)
    offsets = page.js("""(function () { var d = JSON.parse(document.getElementById('atlas-data').textContent).communes,
        o = atlasMap.getContainer().getBoundingClientRect();
        return Array.from(document.querySelectorAll('.atlas-commune-label')).map(function (e) {
          var i = d.insee.indexOf(e.getAttribute('data-insee')), p = atlasMap.latLngToContainerPoint(d.lab[i]),
              r = e.getBoundingClientRect();
          return [(r.left + r.right) / 2 - o.left - p.x, (r.top + r.bottom) / 2 - o.top - p.y]; }); })()""")
    assert all(abs(dx) < 1 and abs(dy) < 36 for dx, dy in offsets), offsets
    boxes = [b for *_, b0, b1, b2, b3 in labels for b in [(b0, b1, b2, b3)]]
    for i, a in enumerate(boxes):  # no two names overlap
        for b in boxes[i + 1:]:
            assert not (a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5), (a, b)
    # zooming in names a larger share of the communes in view, nearly all of them at zoom 13
    share = """(function () { var b = atlasMap.getBounds(), d = JSON.parse(document.getElementById('atlas-data')
        .textContent).communes, n = 0, i; for (i = 0; i < d.lab.length; i++) { if (b.contains(d.lab[i])) { n++; } }
        return document.querySelectorAll('.atlas-commune-label').length / Math.max(n, 1); })()"""
    before = page.js(share)
    page.js("void atlasMap.setZoom(atlasMap.getZoom() + 2, {animate: false})")
    time.sleep(0.6)
    after = page.js(share)
    big = json.dumps(BIGGEST[stem])
    page.js(f"""void atlasMap.setView(JSON.parse(document.getElementById('atlas-data').textContent).communes.lab[
        JSON.parse(document.getElementById('atlas-data').textContent).communes.names.indexOf({big})], 13,
        {{animate: false}})""")
    time.sleep(0.6)
    close = page.js(share)
    assert after > before and close >= 0.8, (before, after, close)


# --------------------------------------------------------------------------- one numbering
def _sheet_rows(pdf: Path) -> dict[str, str]:
    """Number → first line of the site's name in the sheet's table: the words of each table line
    that stand in the « Nom » column (from its header to the next header), read with pdfplumber."""
    import pdfplumber

    rows: dict[str, str] = {}
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            words = page.extract_words(keep_blank_chars=False, use_text_flow=False)
            heads = [w for w in words if w["text"] == "Nom"]
            for head in heads:
                line = sorted((w for w in words if abs(w["top"] - head["top"]) < 2), key=lambda w: w["x0"])
                after = [w for w in line if w["x0"] > head["x1"]]
                right = after[0]["x0"] if after else page.width
                below = [w for w in words if w["top"] > head["bottom"] + 1]
                names: dict[int, list] = {}  # name-column words by line
                for w in below:
                    if head["x0"] - 1 <= w["x0"] < right - 1:
                        names.setdefault(round(w["top"]), []).append(w)
                for w in below:  # a number of the N° column (drawn in its marker, a little off the line)
                    if w["x1"] <= head["x0"] and w["text"].isdigit() and w["text"] not in rows and names:
                        top = min(names, key=lambda t, w=w: abs(t - w["top"]))
                        if abs(top - w["top"]) < 8:
                            rows[w["text"]] = _fold(" ".join(x["text"] for x in sorted(names[top], key=lambda x: x["x0"])))
    return rows


@pytest.fixture(scope="module")
def lens_sheet(demo, tmp_path_factory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("a3") / "lens-lievin.pdf"
    render_map(resolve_territory(demo.communes, select_territory(demo.communes, epci="CALL")), demo.actors, output=out)
    return _sheet_rows(out)


def test_browser_marker_numbers_are_the_sheet_numbers_lens(view, pages, blobs, lens_sheet):
    """The Lens page against the A3 PDF itself: marker n is the site of row n of the sheet (words of
    the table's « Nom » column read back from the PDF)."""
    names = {a["i"]: _fold(a["n"]) for a in blobs["lens-lievin"]["actors"]}
    page = view(pages["lens-lievin"])
    drawn = {i: n for i, n in page.js("atlasMarkerNumbers()") if n}
    assert len(drawn) == len(lens_sheet) == 22
    for actor_id, number in drawn.items():
        assert names[actor_id].startswith(lens_sheet[number]), (number, names[actor_id], lens_sheet[number])
    # the markers on screen (not in a cluster) show the same numbers, with the name in their title
    shown = page.js("""Array.from(document.querySelectorAll('.leaflet-marker-pane .atlas-numbered')).map(function (e) {
        return [e.querySelector('.atlas-num').textContent, e.title]; })""")
    assert shown
    for number, title in shown:
        assert _fold(title).startswith(f"{number}. {lens_sheet[number]}"), (number, title)


@pytest.mark.parametrize("stem", TERRITORY_PAGES)
def test_browser_marker_numbers_are_print_numbers(view, pages, demo, stem):
    """Every territory: the numbers of the print path (print_sites of the actors a sheet shows)."""
    terr = resolve_territory(demo.communes, {"epci": PAGES[stem]})
    sheet = print_sites(shown_actors(demo.actors), terr)
    expected = {i: n for i, n in zip(sheet["id"], sheet["number"], strict=True) if n != "–"}
    assert expected and sorted(map(int, expected.values())) == list(range(1, len(expected) + 1))
    page = view(pages[stem])
    drawn = {i: n for i, n in page.js("atlasMarkerNumbers()") if n}
    assert drawn == expected
    # the list panel: « 1. Name – Commune », in the sheet's order
    items = page.js("Array.from(document.querySelectorAll('#atlas-list-numbered button')).map(e => e.textContent)")
    by_number = sheet.set_index("number")
    assert items == [f"{n}. {by_number.loc[n, 'name']} – {by_number.loc[n, 'commune']}"
                     for n in sorted(expected.values(), key=int)]


def test_numbering_is_shared():
    assert print_sites.__module__ == "atlas.maps.print.sites"
    assert numbered_sites.__module__ == "atlas.maps.site_table"


def test_browser_popup_and_search_carry_the_number(view, pages, blobs):
    actor = next(a for a in blobs["lens-lievin"]["actors"] if a.get("no") == 11)
    page = view(pages["lens-lievin"], fragment=f"#actor={actor['i']}")
    page.wait("document.body.getAttribute('data-atlas-popup') === " + json.dumps(actor["i"]))
    text = page.js("document.querySelector('.leaflet-popup .atlas-popup').textContent")
    assert text.startswith(f"11 {actor['n']}") and "n°\u00a011 : même numéro sur la carte papier" in text
    page.js("atlasSearch('Restos Lens')")
    hits = page.js("Array.from(document.querySelectorAll('.atlas-search-hit')).map(e => e.textContent)")
    assert any(h.startswith(f"11. {actor['n']}") for h in hits), hits


# --------------------------------------------------------------------------- legend and layers
@pytest.mark.parametrize("stem", list(PAGES))
def test_browser_legend_follows_visible_layers(view, pages, blobs, stem):
    data = blobs[stem]
    located = {data["kinds"][a["k"]][0] for a in data["actors"] if a["ll"]}
    expected = {f"k:{k}" for k in located} | {f"s:{i}" for i, s in enumerate(data["shapes"]) if s["show"]}
    page = view(pages[stem])
    visible = page.js("""Array.from(document.querySelectorAll('#atlas-legend li[data-layer]'))
        .filter(e => e.offsetParent !== null).map(e => e.getAttribute('data-layer'))""")
    assert set(visible) == expected
    titles = [s["title"] for s in data["shapes"]]
    assert titles[0] == "Bandes d'accès" and not data["shapes"][0]["show"]  # off, so not in the legend
    assert "s:0" not in visible
    legend = page.js("document.getElementById('atlas-legend').textContent")
    assert "(0 commune)" not in legend and "(0 commune)" not in " ".join(titles)
    assert "Groupe de lieux proches" in legend  # cluster bubbles explained...
    bubble = page.js("""(function () { var c = document.querySelector('.atlas-cluster div');
        return c ? getComputedStyle(c).backgroundColor : 'rgb(255, 255, 255)'; })()""")
    assert bubble == "rgb(255, 255, 255)"  # ...and white: no kind of site is white
    # switching a layer off in the layer control takes its entry out of the legend
    page.js("""Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label'))
        .find(l => l.textContent.trim() === 'Contours des EPCI').querySelector('input').click()""")
    epci = f"s:{titles.index('Contours des EPCI')}"
    assert page.js(f"document.querySelector('#atlas-legend li[data-layer=\"{epci}\"]').offsetParent === null")


def test_region_zones_blanches_off_by_default(blobs, demo):
    """3 360 communes of zones blanches would flood the region: the layer is there, off."""
    shapes = blobs["hauts-de-france"]["shapes"]
    zones = next(s for s in shapes if s["title"].startswith("Zones blanches"))
    communes = demo.communes
    area = communes.geometry.area.to_numpy()
    assert area[zones["geoms"]].sum() / area.sum() > 0.5
    assert zones["show"] is False


# --------------------------------------------------------------------------- unlocated actors
@pytest.mark.parametrize("stem", list(PAGES))
def test_browser_unlocated_actors_never_on_the_map(view, pages, blobs, stem):
    data = blobs[stem]
    lost = [a for a in data["actors"] if not a["ll"]]
    page = view(pages[stem])
    ids = {i for i, _ in page.js("atlasMarkerNumbers()")}
    assert ids == {a["i"] for a in data["actors"] if a["ll"]}
    assert not ids & {a["i"] for a in lost}
    listed = page.js("Array.from(document.querySelectorAll('#atlas-list-unlocated button'))"
                     ".map(e => e.getAttribute('data-actor-id'))")
    assert listed == [a["i"] for a in lost]
    if not lost:
        return
    actor = lost[0]
    page.js(f"atlasOpenActor({json.dumps(actor['i'])})")
    assert page.js("document.querySelector('.leaflet-popup') === null")  # no card at the map's centre
    assert page.js("document.querySelector('#atlas-list .atlas-popup').getAttribute('data-actor-id')") == actor["i"]
    # found by the search, and said to have no position (never « — (Tête de réseau) »)
    page.js(f"atlasSearch({json.dumps(actor['n'])})")
    hits = page.js("Array.from(document.querySelectorAll('.atlas-search-hit')).map(e => e.textContent)")
    hit = next(h for h in hits if h.startswith(actor["n"]))
    assert "sans localisation" in hit and " – (" not in hit and "— (" not in hit


# --------------------------------------------------------------------------- phone, keyboard, print
PANELS_JS = """Array.from(document.querySelectorAll('.leaflet-control')).filter(e => e.offsetParent !== null)
    .map(function (e) { var r = e.getBoundingClientRect();
      return [e.id || e.className.split(' ').filter(c => c.indexOf('leaflet-control-') === 0 || c.indexOf('atlas') === 0)
              .join(' ') || e.className, r.left, r.top, r.right, r.bottom]; })"""


@pytest.mark.parametrize("stem", list(PAGES))
def test_browser_phone_width_no_panel_overlaps(view, pages, stem, tmp_path):
    page = view(pages[stem], 390, 800)
    assert page.js("window.innerWidth") == 390
    panels = page.js(PANELS_JS)
    names = [p[0] for p in panels]
    for wanted in ("atlas-title", "leaflet-control-layers", "atlas-legend", "leaflet-control-scale",
                   "leaflet-control-attribution"):
        assert any(wanted in n for n in names), names
    for i, (na, *a) in enumerate(panels):
        assert a[0] >= 0 and a[2] <= 390 and a[1] >= 0 and a[3] <= 800, (na, a)  # on the screen
        for nb, *b in panels[i + 1:]:
            overlap = a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
            assert not overlap, (na, a, nb, b)
    if SHOTS:
        page.screenshot(Path(SHOTS) / f"{stem}-390.png")


@pytest.mark.parametrize("stem", list(PAGES))
def test_browser_wide_screen_no_panel_overlaps(view, pages, stem):
    page = view(pages[stem], 1400, 900)
    panels = page.js(PANELS_JS)
    for i, (na, *a) in enumerate(panels):
        for nb, *b in panels[i + 1:]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (na, a, nb, b)
    if SHOTS:
        page.screenshot(Path(SHOTS) / f"{stem}-1400.png")


@pytest.mark.parametrize("size", [(1400, 900), (1024, 768)])
@pytest.mark.parametrize("stem", TERRITORY_PAGES)
def test_browser_no_site_under_the_open_legend(view, pages, stem, size):
    """At the first view no marker (site or cluster) lies under the legend: the map moved out
    from under it, or the legend starts folded."""
    page = view(pages[stem], *size)
    legend, is_open = page.js("""(function () { var b = document.getElementById('atlas-legend'),
        r = b.getBoundingClientRect(); return [[r.left, r.top, r.right, r.bottom], b.hasAttribute('open')]; })()""")
    icons = page.js("""Array.from(document.querySelectorAll('.leaflet-marker-pane .leaflet-marker-icon'))
        .map(function (e) { var r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })""")
    assert icons
    for a in icons:
        assert not (a[0] < legend[2] and legend[0] < a[2] and a[1] < legend[3] and legend[1] < a[3]), (a, legend)
    if size == (1400, 900) and stem == "lens-lievin":
        assert is_open  # room was found by moving the map, the legend stays open
    if SHOTS:
        page.screenshot(Path(SHOTS) / f"{stem}-{size[0]}-legend.png")


def test_browser_keyboard_search(view, pages, blobs):
    page = view(pages["cabbalr"])
    assert page.js("document.getElementById('atlas-search-input').getAttribute('aria-label')")
    assert page.js("document.getElementById('atlas-search-results').getAttribute('role')") == "listbox"
    assert page.js("document.querySelector('.leaflet-control-layers-toggle').getAttribute('aria-label')")
    page.js("document.getElementById('atlas-search-input').focus()")
    page.type("Bruay")
    page.wait("document.querySelectorAll('.atlas-search-hit').length > 1")
    page.key("Tab", "Tab", 9)
    first = page.js("document.activeElement.textContent")
    assert page.js("document.activeElement.className") == "atlas-search-hit"
    page.key("ArrowDown", "ArrowDown", 40)
    second = page.js("document.activeElement.textContent")
    assert second != first and page.js("document.activeElement.className") == "atlas-search-hit"
    actor = next((a for a in blobs["cabbalr"]["actors"] if second.startswith(f"{a.get('no', '')}. {a['n']}")
                  or second.startswith(a["n"])), None)
    page.key("Enter", "Enter", 13)
    if actor is None:  # a commune: the map zoomed on it
        assert page.js("atlasMap.getZoom()") >= 11
    else:
        page.wait("document.body.getAttribute('data-atlas-popup') === " + json.dumps(actor["i"]))


def test_browser_print_style(view, pages):
    page = view(pages["capso"])
    page.b.send("Emulation.setEmulatedMedia", {"media": "print"}, page.session)
    hidden = page.js("""['.atlas-search', '.leaflet-control-layers', '.leaflet-control-zoom', '#atlas-list']
        .map(s => getComputedStyle(document.querySelector(s)).display)""")
    assert hidden == ["none"] * 4
    assert page.js("getComputedStyle(document.getElementById('atlas-legend')).display") != "none"
    assert page.js("getComputedStyle(document.getElementById('atlas-title')).display") != "none"
