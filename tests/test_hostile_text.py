"""Registry text is data, never code, on every output (issue 20): a property test.

Hypothesis builds registries whose names, addresses and action names mix hostile fragments — HTML
(``<script>``, ``<img onerror>``), ``</script>``, ``]]>``, Jinja2 (``{{ }}``, ``{% %}``, ``{# #}``),
matplotlib mathtext (``$x^2$``, ``$\\frac{}{}$``), control characters XML cannot carry, right-to-left
overrides and isolates, zero-width characters, 10,000-character names — and runs every command that
writes them: ``atlas build``, ``atlas web``, ``atlas print``, ``atlas actors`` (drawings, GEXF, GraphML,
CSV) and ``atlas actors --web``. Each output must give the same text back:

- web pages (headless Chromium, network cut): the DOM text of the popup, the search results, the list
  and the actors' details panel is the registry text (runs of whitespace compared as one space); no dialog opened, no resource requested;
- the A3 PDF and the actors drawings (text read back with pdfplumber): the registry text, character for
  character — never mathematics (« $x^2$ » prints as « $x^2$ ») — with the characters a sheet cannot
  show written « � » (:data:`NOT_DRAWN`, the rule stated in atlas/text.py); whitespace is not compared
  (a table cell wraps its text, French typography puts no-break spaces before « % » or « : »);
  a text too long for its place ends with
  « … (texte abrégé) » on the sheet, « … » on the graph drawing;
- GEXF, GraphML and SVG parse as XML; their text nodes and attributes are the registry text with the
  characters XML 1.0 cannot carry written « � » (:data:`XML_ILLEGAL`);
- CSV cells are the registry text exactly.

The expected values are written here from these rules, never computed by atlas. The example counts are
small and derandomised (the same examples on every run); the parts that open a browser or draw a PDF
are marked ``slow``.
"""

from __future__ import annotations

import csv
import html
import json
import re
import subprocess
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import pdfplumber
import pytest
from click.testing import CliRunner
from conftest import ALERT_HOOK, CHROMIUM_FLAGS, offline_prefix
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from atlas.cli import cli

#: Hostile pieces of text, mixed by Hypothesis with ordinary words.
FRAGMENTS = (
    "<script>alert(1)</script>", "<img src=x onerror=alert(2)>", "</script>", "]]>", "<![CDATA[", "<!--", "-->",
    "&amp;", "& <b>gras</b>", "\"'", "{{7*7}}", "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{% for x in range(3) %}loop{% endfor %}", "{# c #}", "$x^2$", "$\\frac{1}{2}$", "$", "\\$", "\\n",
    "\x01", "\x07", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x85", "\ufffe", "\uffff", "\t", "\u202e", "\u202d",
    "\u2066", "\u2069", "\u200b", "\u200d", "\u200f", "\ufeff", "\u2028", "é", "œ", "«\u00a0»", "%", " : ",
)  # fmt: skip

#: What XML 1.0 cannot carry (written « � » in GEXF, GraphML, SVG).
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: What a drawing cannot show (written « � »): C0 and C1 controls, U+FFFE/U+FFFF, bidi overrides and
#: isolates; tab and carriage return are spaces (and whitespace is not compared); U+FEFF is drawn as the
#: word joiner U+2060 (matplotlib's PDF writer fails on U+FEFF: « Erreur inattendue (IndexError) »).
NOT_DRAWN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]")
WHITESPACE = re.compile(r"\s+")
#: Zero-width characters (U+200B–U+200D, U+2060) are not compared in PDFs: invisible, and pdfplumber
#: reads some of them twice.
ZERO_WIDTH = re.compile("[\u200b-\u200d\u2060]")
#: How the A3 sheet says it shortened a text too long for its place (a table cell holds 16 lines).
ABRIDGED = "… (texte abrégé)"

#: The three sites of a test registry (in CABBALR, aid kinds: all on the A3 table).
SITES = (("distribution", "62119", "Béthune", "2.6391", "50.5298"),
         ("epicerie", "62178", "Bruay-la-Buissière", "2.5489", "50.4829"),
         ("meal", "62048", "Auchel", "2.4751", "50.5090"))  # fmt: skip
TOKEN = "hxq"
#: Ordinary text in a column atlas does not read: a file whose text is more than 1 % control
#: characters is refused as binary (readers.looks_like_text), and these registries are small.
FILLER = "texte ordinaire " * 200  # in every name: a search for it finds the three sites

words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ÉéèàçôœABC0123456789", min_size=1, max_size=8)
hostile = st.lists(st.one_of(st.sampled_from(FRAGMENTS), words), min_size=1, max_size=6).map("".join)
triples = st.tuples(hostile, hostile, hostile)

#: The cases named in issue 20, always run (then Hypothesis's own).
NAMED = (
    ("$x^2$ et $\\frac{1}{2}$ à 5 $", "{{7*7}} {% for x in range(3) %}loop{% endfor %} {# c #}",
     "<script>alert(1)</script><img src=x onerror=alert(2)>"),
    ("</script><script>alert(3)</script> ]]> & <b>gras</b>", "\x01\x07\x0b\x1b\x7f\x85\ufffe contrôle",
     "A\u202eRTL\u2066isolé\u2069 zw\u200b\u200d\ufeff"),
    ("N" * 10_000, "{{ cycler.__init__.__globals__.os.popen('id').read() }}", "court"),
)
SLOW = settings(max_examples=2, derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
FAST = settings(max_examples=25, derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def named(test):
    for case in reversed(NAMED):
        test = example(texts=case)(test)
    return test


# --------------------------------------------------------------------------- the registries
def site_names(texts: tuple[str, str, str]) -> list[str]:
    """Names as written in the registry (a word before and after: a name is not only blank)."""
    return [f"Lieu {TOKEN}{k} {t} fin{k}" for k, t in enumerate(texts)]


def addresses(texts: tuple[str, str, str]) -> list[str]:
    return [f"{k + 1} rue {texts[(k + 1) % 3]}" for k in range(3)]


def action_name(texts: tuple[str, str, str]) -> str:
    return f"Action {texts[2]} commune"


def write_registries(folder: Path, texts: tuple[str, str, str]) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {k: folder / f"{k}.csv" for k in ("actors", "partnerships", "actions")}
    with paths["actors"].open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, quoting=csv.QUOTE_ALL)
        w.writerow(["id", "name", "kind", "address", "commune", "insee", "lon", "lat", "opening_hours", "world",
                    "source", "remarque"])
        for k, (name, address, (kind, insee, commune, lon, lat)) in enumerate(
                zip(site_names(texts), addresses(texts), SITES, strict=True)):
            w.writerow([f"h{k}", name, kind, address, commune, insee, lon, lat, "Mo 14:00-17:00", "aid", "fictif",
                        FILLER])
    paths["actions"].write_text("id,name,kind,territory,source\n"
                                + _csv_line(["a1", action_name(texts), "action", "200072460", "fictif"]),
                                encoding="utf-8", newline="")
    paths["partnerships"].write_text(
        "source,target,kind,directed,weight,unit,period,origin\n"
        "h0,h1,logistics,,,,2022,fictif\r\nh1,h2,donation,,100,kg,2021,fictif\r\nh0,a1,action_partner,,,,2021,fictif\r\n"
        "h2,a1,action_partner,,,,2021,fictif\r\n", encoding="utf-8", newline="")
    return paths


def _csv_line(cells: list[str]) -> str:
    import io

    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL).writerow(cells)
    return out.getvalue()


def run(*args: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # matplotlib's missing-glyph warnings are issue 20, part 5
        res = CliRunner().invoke(cli, ["-q", *args], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res.output


def drawn(text: str) -> str:
    """The text a drawing shows, whitespace and zero-width characters removed (the rule of the module
    docstring). Characters Unicode calls whitespace (\\x0b, \\x1c–\\x1f, \\x85, U+2028...) are whitespace:
    a sheet may show them as spaces."""
    return ZERO_WIDTH.sub("", NOT_DRAWN.sub("\ufffd", WHITESPACE.sub("", text)).replace("\ufeff", "\u2060"))


def pdf_text(path: Path) -> str:
    """Every character drawn in the PDF, in the order drawn, whitespace removed."""
    with pdfplumber.open(path) as pdf:
        return ZERO_WIDTH.sub("", WHITESPACE.sub("", "".join(c["text"] for page in pdf.pages for c in page.chars)))


def assert_drawn(text: str, page: str, *, abridged: str) -> None:
    """``text`` is in the PDF whole, or its start (8 characters at least) then the mark ``abridged``."""
    want = drawn(text)
    if want in page:
        return
    mark = WHITESPACE.sub("", abridged)
    k = max((i for i in range(1, min(len(want), 2000) + 1) if want[:i] + mark in page), default=0)
    assert k >= min(len(want), 8), f"ni entier ni abrégé (« {abridged} ») dans le PDF : {text[:200]!r}"


# --------------------------------------------------------------------------- reading keeps the text
@FAST
@named
@given(texts=triples)
def test_reading_keeps_registry_text(tmp_path_factory, texts):
    from atlas.registry.actors import read_actors

    paths = write_registries(tmp_path_factory.mktemp("lecture"), texts)
    read = read_actors(paths["actors"])
    assert len(read.rejected) == 0
    assert list(read.accepted.sort_values("id")["name"]) == site_names(texts)


# --------------------------------------------------------------------------- XML and CSV (no drawing)
@FAST
@named
@given(texts=triples)
def test_gexf_graphml_and_csv_carry_the_text(tmp_path_factory, texts):
    from atlas.actors.export import write_gexf, write_graphml, write_metrics_csv
    from atlas.actors.metrics import node_metrics
    from atlas.actors.model import build_graph
    from atlas.registry.actors import read_actors
    from atlas.registry.partnerships import read_actions, read_partnerships

    folder = tmp_path_factory.mktemp("xml")
    paths = write_registries(folder, texts)
    actors = read_actors(paths["actors"]).accepted
    acts = read_actions(paths["actions"]).accepted
    read = read_partnerships(paths["partnerships"], actors, acts)
    assert len(read.rejected) == 0
    parts = read.accepted
    G = build_graph(actors, parts, acts)
    m = node_metrics(G)
    want = dict(zip(["h0", "h1", "h2"], site_names(texts), strict=True))
    for path in (write_gexf(G, folder / "g.gexf", m), write_graphml(G, folder / "g.graphml", m)):
        check_xml_labels(path, want)
    got = {r["identifiant"]: r["nom"] for r in _csv_rows(write_metrics_csv(m, folder / "m.csv"))}
    assert {k: got[k] for k in want} == want


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def check_xml_labels(path: Path, want: dict[str, str]) -> None:
    """The file parses as XML; each node's label is the registry text (XML-illegal characters as « � »)."""
    root = ET.parse(path).getroot()  # raises on a file that is not well-formed XML
    expected = {k: XML_ILLEGAL.sub("\ufffd", v) for k, v in want.items()}
    if path.suffix == ".gexf":
        labels = {n.get("id"): n.get("label") for n in root.iter() if n.tag.endswith("}node")}
    else:
        keys = {k.get("id"): k.get("attr.name") for k in root.iter() if k.tag.endswith("}key")}
        labels = {}
        for n in root.iter():
            if n.tag.endswith("}node"):
                data = {keys[d.get("key")]: d.text or "" for d in n if d.tag.endswith("}data")}
                labels[n.get("id")] = data.get("label")
    assert {k: labels.get(k) for k in expected} == expected


# --------------------------------------------------------------------------- the A3 PDF
@pytest.mark.slow
@SLOW
@named
@given(texts=triples)
def test_print_pdf_shows_the_text(tmp_path_factory, texts):
    folder = tmp_path_factory.mktemp("print")
    paths = write_registries(folder, texts)
    pdf = folder / "carte.pdf"
    options = [f"Registre {texts[0]} titre", f"Éditeur {texts[1]} fin", f"Carte {texts[2]} titre"]
    run("print", "--registry", str(paths["actors"]), "--epci", "CABBALR", "--titre-registre", options[0],
        "--editeur", options[1], "--title", options[2], "-o", str(pdf))
    page = pdf_text(pdf)
    for text in [*site_names(texts), *addresses(texts), *options]:
        assert_drawn(text, page, abridged=ABRIDGED)


# --------------------------------------------------------------------------- the actors drawings and exports
@pytest.mark.slow
@SLOW
@named
@given(texts=triples)
def test_actors_outputs_carry_the_text(tmp_path_factory, texts):
    folder = tmp_path_factory.mktemp("acteurs")
    paths = write_registries(folder, texts)
    out = folder / "sortie"
    run("actors", "--registry", str(paths["actors"]), "--partnerships", str(paths["partnerships"]),
        "--actions", str(paths["actions"]), "--dessin", "png", "--dessin", "pdf", "--dessin", "svg", "-o", str(out))
    want = dict(zip(["h0", "h1", "h2"], site_names(texts), strict=True))
    check_xml_labels(out / "acteurs.gexf", want)
    check_xml_labels(out / "acteurs.graphml", want)
    for svg in (out / "acteurs.svg", out / "acteurs-carte.svg"):
        ET.parse(svg)  # well-formed XML (matplotlib writes each text in a comment too)
    assert (out / "acteurs.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    got = {r["identifiant"]: r["nom"] for r in _csv_rows(out / "acteurs-metriques.csv")}
    assert {k: got[k] for k in want} == want
    graph = pdf_text(out / "acteurs.pdf")
    carte = pdf_text(out / "acteurs-carte.pdf")
    for text in site_names(texts):
        assert_drawn(text, graph, abridged="…")
        assert_drawn(text, carte, abridged="…")


# --------------------------------------------------------------------------- the web pages, in a browser
#: Appended to the test copy of the map page: once it is built, what was requested is counted.
RESOURCES_HOOK = ("<script>setTimeout(function(){document.documentElement.setAttribute('data-resources',"
                  "JSON.stringify(performance.getEntriesByType('resource').map(function(e){return e.name;})));},"
                  "3000);</script>")


def browse(chromium: str, page: str, path: Path, fragment: str = "") -> str:
    """The DOM of ``page`` after its scripts, in headless Chromium with the network cut; no dialog
    was opened, no JavaScript error occurred and no resource was requested."""
    page = page.replace("<head>", "<head>" + ALERT_HOOK, 1).replace("</body>", RESOURCES_HOOK + "</body>", 1)
    path.write_text(page, encoding="utf-8")
    args = [*offline_prefix(), chromium, *CHROMIUM_FLAGS, f"--user-data-dir={path.parent / 'profile'}",
            "--dump-dom", path.as_uri() + fragment]
    res = subprocess.run(args, capture_output=True, text=True, timeout=180)
    assert res.returncode == 0, res.stderr[-2000:]
    dom = res.stdout
    for attr in ("data-js-errors", "data-alerts"):
        m = re.search(rf'<html[^>]*\s{attr}="([^"]*)"', dom)
        assert m is None, f"{attr}: {html.unescape(m.group(1))}"
    m = re.search(r'<html[^>]*\sdata-resources="([^"]*)"', dom)
    assert m is not None, "the page did not finish"
    assert json.loads(html.unescape(m.group(1))) == []
    return dom


def _text(fragment: str) -> str:
    """Text of an HTML fragment of the dumped DOM (tags removed, entities decoded, whitespace folded)."""
    return fold(html.unescape(re.sub(r"<[^>]+>", "", fragment)))


def fold(text: str) -> str:
    """Runs of whitespace as one space: an address « 1 rue\\x0bX » is written « 1 rue X » (Python's
    whitespace, \\x0b, \\x85, U+2028... included); nothing else is changed."""
    return WHITESPACE.sub(" ", text)


@pytest.mark.slow
@SLOW
@named
@given(texts=triples)
def test_web_map_shows_the_text(chromium, tmp_path_factory, texts):
    folder = tmp_path_factory.mktemp("web")
    paths = write_registries(folder, texts)
    out = folder / "carte.html"
    run("web", "--registry", str(paths["actors"]), "--epci", "CABBALR", "-o", str(out))
    names, addr = [fold(n) for n in site_names(texts)], [fold(a) for a in addresses(texts)]
    dom = browse(chromium, out.read_text(encoding="utf-8"), folder / "test.html", f"#actor=h0&q={TOKEN}")
    popup = _text(re.search(r'<pre id="atlas-test-popup">(.*?)</pre>', dom, re.S).group(1))
    assert names[0] in popup and addr[0] in popup
    hits = [_text(h) for h in re.findall(r'<li class="atlas-search-hit"[^>]*>.*?<strong>(.*?)</strong>', dom, re.S)]
    assert sorted(hits) == sorted(names)
    for k, name in enumerate(names):
        item = re.search(rf'<li id="atlas-item-h{k}">(.*?)</li>', dom, re.S)
        assert item is not None and name in _text(item.group(1))


@pytest.mark.slow
@SLOW
@named
@given(texts=triples)
def test_actors_page_shows_the_text(chromium, tmp_path_factory, texts):
    folder = tmp_path_factory.mktemp("acteurs-web")
    paths = write_registries(folder, texts)
    out = folder / "acteurs.html"
    run("actors", "--web", "--registry", str(paths["actors"]), "--partnerships", str(paths["partnerships"]),
        "--actions", str(paths["actions"]), "-o", str(out))
    page = out.read_text(encoding="utf-8").replace(
        "<script>atlasActors();</script>",
        "<script>atlasActors();window.atlasActorsSelect('h0');document.body.setAttribute('data-test-details',"
        "document.getElementById('aa-details').textContent);</script>", 1)
    dom = browse(chromium, page, folder / "test.html")
    details = fold(html.unescape(re.search(r'<body[^>]*\sdata-test-details="([^"]*)"', dom).group(1)))
    names = [fold(n) for n in site_names(texts)]
    assert names[0] in details  # its card
    assert names[1] in details  # its partner, listed
    assert fold(action_name(texts)) in details  # its action
    partners = [_text(b) for b in re.findall(r'<button class="aa-link" type="button" data-id="[^"]*">(.*?)</button>',
                                             dom, re.S)]
    assert names[1] in partners
