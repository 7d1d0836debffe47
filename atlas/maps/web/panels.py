"""Panels of the web map written in the HTML itself: title, legend and the list of places.

Every string from the registry or the caller goes through :func:`html.escape`; the symbols are
:mod:`atlas.maps.symbols`' SVG (the same shapes and colours as the printed sheet). Each legend
entry says which layer it explains (``data-layer``): the page's script hides the entry while
its layer is hidden.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from atlas.fr import date_fr, integer_fr, plural_fr
from atlas.maps.symbols import CLUSTER_LEGEND, kind_symbol, svg_marker
from atlas.maps.web.shapes import ShapeLayer
from atlas.registry.publication import PRO_MARK
from atlas.text import fold

LIST_TITLE = "Liste des lieux"
UNLOCATED_TITLE = "Sans localisation"


def web_filename(territory: str | None) -> str:
    """Default file name of a territory's web map.

    The territory's short code when its name ends with one (« … Artois-Lys Romane (CABBALR) » →
    « carte-cabbalr.html »), else its name (« carte-hauts-de-france.html »), cut at a word; «
    carte.html » with no name.
    """
    if not territory:
        return "carte.html"
    code = re.search(r"\(([^()]+)\)\s*$", territory)
    text = code.group(1) if code else territory
    text = fold(text).casefold()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(slug) > 60:
        slug = slug[:60].rsplit("-", 1)[0]
    return f"carte-{slug}.html" if slug else "carte.html"


def page_title(title: str, territory: str | None) -> str:
    """The browser tab's title: the territory first, so that tabs and files can be told apart."""
    return f"{territory} — {title}" if territory else title


def title_html(title: str, territory: str | None, records: list[dict], updated: list[str], *, fictitious: bool,
               pro: bool = False, notes: Iterable[str] = ()) -> str:
    """The title panel: territory (as the heading), title, counts of actors, date of the data,
    demonstration and professional warnings; the details fold away on a phone."""
    e = html.escape
    n_located = sum(1 for r in records if r["ll"])
    unlocated = len(records) - n_located
    sub = [f"{plural_fr(len(records), 'acteur')}, dont {integer_fr(n_located)} sur la carte"
           + (f" ({integer_fr(unlocated)} sans localisation : voir la liste)" if unlocated else "")]
    sub.append(f"Données à jour au {e(date_fr(updated[-1]))}" if updated else "Date des données non renseignée")
    sub.extend(e(n) for n in notes)
    demo = ('<div class="atlas-demo">Données de démonstration : acteurs fictifs, '
            "ne pas utiliser pour orienter des personnes.</div>") if fictitious else ""
    pro_mark = (f'<div class="atlas-pro">{e(PRO_MARK.capitalize())} : lieux réservés aux professionnels '
                "compris.</div>") if pro else ""
    heading = (f'<div class="atlas-kicker">{e(title)}</div><h1>{e(territory)}</h1>' if territory
               else f"<h1>{e(title)}</h1>")
    return (f'<div id="atlas-title" class="atlas-panel" role="region" aria-label="{e(page_title(title, territory))}"'
            f' style="display:none">{heading}{pro_mark}{demo}'
            '<details id="atlas-about" open><summary>À propos de cette carte</summary>'
            + "".join(f'<div class="atlas-sub">{s}</div>' for s in sub) + "</details></div>")


def _swatch(style: dict) -> str:
    if "fill" in style:
        border = style.get("line", style["fill"])
        return f'<span class="atlas-swatch" style="background:{style["fill"]};border:1px solid {border}"></span>'
    return f'<span class="atlas-swatch atlas-line" style="border-top-color:{style["line"]}"></span>'


def legend_html(kinds: list[str], counts: dict[str, int], shapes: Iterable[ShapeLayer], *, any_approx: bool,
                any_number: bool) -> str:
    """The legend: one entry per kind on the map (its shape and colour), numbers, approximate
    places, cluster bubbles, then the overlays; ``data-layer`` ties an entry to its layer
    (``k:<kind>`` or ``s:<index of the overlay>``)."""
    e = html.escape
    items = []
    for k in kinds:
        if not counts.get(k):
            continue  # only unlocated actors of this kind: nothing on the map
        items.append(f'<li data-layer="k:{e(k)}"><span class="atlas-swatch atlas-sym">{svg_marker(k)}</span>'
                     f"{e(kind_symbol(k).label)} ({integer_fr(counts[k])})</li>")
    if any_number:
        items.append('<li><span class="atlas-swatch atlas-sym atlas-num-demo">12</span>'
                     "numéro du lieu, le même sur la carte papier et dans la liste</li>")
    if any_approx:
        items.append(f'<li><span class="atlas-swatch atlas-sym">{svg_marker("distribution", approximate=True)}</span>'
                     "placé à la mairie (adresse non localisée)</li>")
    if counts:
        items.append('<li><span class="atlas-swatch atlas-cluster-swatch">3</span>'
                     f"{e(CLUSTER_LEGEND)}</li>")
    for i, layer in enumerate(shapes):
        for label, style in layer.legend or []:
            items.append(f'<li data-layer="s:{i}">{_swatch(style)}{e(label)}</li>')
    return ('<details id="atlas-legend" class="atlas-panel" style="display:none" open><summary>Légende</summary>'
            '<ul>' + "".join(items) + "</ul></details>")


def list_html(n_numbered: int, n_unlocated: int) -> str:
    """The (empty) list panel: the script fills it with the numbered places, then the actors with
    no position (never on the map)."""
    parts = []
    if n_numbered:
        parts.append(plural_fr(n_numbered, "lieu numéroté", "lieux numérotés"))
    if n_unlocated:
        parts.append(f"{integer_fr(n_unlocated)} sans localisation")
    count = f'<span class="atlas-list-count"> ({html.escape(", ".join(parts))})</span>' if parts else ""
    return (f'<details id="atlas-list" class="atlas-panel" style="display:none"><summary>{LIST_TITLE}{count}'
            '</summary><div id="atlas-list-body"></div></details>')
