"""The atlas as a booklet people can leaf through: a cover, an index, one sheet per territory.

:func:`render_atlas` writes, in one PDF:

1. a cover: the title, the area covered (« Pas-de-Calais — Hauts-de-France »), the date, how
   many territories and sites, a small map of the region with the area covered;
2. an index: every territory with its number of sites and the page where it starts;
3. the sheets of the territories (:mod:`atlas.maps.print.render`), in the index's order; a
   territory with no recorded site gets a compact sheet instead of an empty map: the sites
   nearest to its main town hall (straight-line distance in Lambert-93), with their commune,
   territory, hours and phone, and a small map locating them.

The territories' sheets are written first (to learn how many pages each takes), then the cover
and the index, and both files are joined with pypdf, with a bookmark per territory.
"""

from __future__ import annotations

import datetime as dt
import math
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib import patheffects
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from atlas import placement, settings
from atlas.errors import AtlasError
from atlas.fr import date_fr, decimal_fr, integer_fr, plural_fr
from atlas.io import atomic_output
from atlas.maps.layers import MapLayers
from atlas.maps.print import typeset as pl
from atlas.maps.print.mapframe import SEA, PrintContext
from atlas.maps.print.render import (
    TITLE,
    SheetOptions,
    _check_output,
    _Renderer,
    _write,
    atlas_territories,
    shown_actors,
)
from atlas.maps.print.sheet import FOOTER_H, HEADER_H, MARGIN, Sheet, SheetLayout, draw_marker, draw_text
from atlas.maps.site_table import registry_label
from atlas.maps.symbols import ALERT, EDGE_COMMUNE, EDGE_OUT, FILL_IN, FILL_OUT, MUTED
from atlas.registry.publication import Audience
from atlas.registry.schema import AID_KINDS
from atlas.territory.reference import load_communes
from atlas.territory.selection import Territory, as_territory

__all__ = ["NEAREST", "nearest_sites", "render_atlas"]

#: Sites listed on the sheet of a territory with none.
NEAREST = 8
#: Index rows per column, two columns per page.
INDEX_ROWS = 34
A3_LANDSCAPE = pl.A3_MM
BY_WORDS = {"epci": "par intercommunalité (EPCI)", "commune": "par commune", "communes": "par commune",
            "dep": "par département", "departement": "par département"}


@dataclass
class _Entry:
    """One territory of the booklet: its sites, how many pages it takes and where it starts."""

    terr: Territory
    sites: pd.DataFrame
    pages: int = 0
    first: int = 0


def _origin(terr: Territory) -> tuple[str, float, float]:
    """The main commune of a territory (most populous) and its town hall (Lambert-93)."""
    com = terr.communes
    main = com.loc[com["population"].fillna(0).idxmax()] if len(com) else None
    if main is None:
        raise AtlasError("Territoire vide : aucune commune.")
    x, y = main.get("townhall_x"), main.get("townhall_y")
    if x is None or y is None or not np.isfinite([x, y]).all():
        p = main.geometry.representative_point()
        x, y = p.x, p.y
    return str(main["name"]), float(x), float(y)


def letter(i: int) -> str:
    """The mark of the ``i``-th nearest site (A, B, …): letters, so that they are never taken for
    the site numbers of the sheets, which belong to each site's own territory."""
    return chr(ord("A") + i) if i < 26 else str(i + 1)


def nearest_sites(pool: pd.DataFrame, terr: Territory, k: int = NEAREST) -> pd.DataFrame:
    """The ``k`` located sites of ``pool`` outside ``terr`` nearest to its main town hall.

    Parameters
    ----------
    pool : pandas.DataFrame
        Sites of the region (:func:`atlas.maps.print.sites.print_sites` rows) with an ``insee``
        column.
    terr : Territory
        The territory with no site.
    k : int
        How many.

    Returns
    -------
    pandas.DataFrame
        The rows of ``pool``, nearest first, with ``distance_km`` (straight line, Lambert-93)
        and ``origin`` (the commune whose town hall distances start from).
    """
    name, x0, y0 = _origin(terr)
    own = set(terr.communes["insee"].astype(str))
    cand = pool[pool["located"].astype(bool) & ~pool["insee"].astype(str).isin(own)].copy()
    cand["distance_km"] = np.hypot(cand["x"].astype(float) - x0, cand["y"].astype(float) - y0) / 1000.0
    cand["origin"] = name
    return cand.sort_values(["distance_km", "name"], kind="stable").head(k).reset_index(drop=True)


# --------------------------------------------------------------------------- pages
def _blank(rend: _Renderer, title: str, subtitle: str, *, demo: bool, page: tuple[int, int] | None) -> Sheet:
    w, h = A3_LANDSCAPE
    body = (MARGIN, MARGIN + FOOTER_H, w - 2 * MARGIN, h - 2 * MARGIN - FOOTER_H - HEADER_H)
    sheet = Sheet(SheetLayout(w, h, body, body, body))
    rend._header(sheet, title, subtitle, demo=demo, page=page)
    return sheet


def _cover(rend: _Renderer, entries: list[_Entry], *, area: str, by: str, demo: bool) -> Figure:
    """The cover: title, area and region, date, counts, and the area on a map of the region."""
    w, h = A3_LANDSCAPE
    sheet = _blank(rend, rend.title, f"Atlas {by} — {area}", demo=demo, page=None)  # a cover, not a sheet
    ax = sheet.page
    n_sites = sum(len(e.sites) for e in entries)
    empty = sum(1 for e in entries if not len(e.sites))
    lines = [
        (f"Atlas {by}", 26, True),
        (area, 20, False),
        ("Région Hauts-de-France", 16, False),
        (f"Édition du {date_fr(rend.generated)}", 14, False),
        (f"{plural_fr(len(entries), 'territoire')} ; {plural_fr(n_sites, 'lieu', 'lieux')} d'aide alimentaire"
         + (f" ; {plural_fr(empty, 'territoire')} sans lieu recensé : les lieux les plus proches y sont indiqués"
            if empty else ""), 12, False),
        ("Sommaire page 2. Chaque feuille : une carte numérotée et le tableau des lieux (adresse, horaires, "
         "téléphone).", 11, False),
    ]
    y = h - MARGIN - HEADER_H - 30
    for text, size, bold in lines:
        for line in pl.wrap_text(text, 230, size, bold=bold):
            draw_text(ax, MARGIN + 10, y, line, fontsize=size, fontweight="bold" if bold else "normal", va="baseline")
            y -= size * 0.55
        y -= 6
    # the region, the area covered in colour
    box = (w - MARGIN - 150, MARGIN + FOOTER_H + 25, 140, 190)
    m = sheet.axes_mm(box, zorder=2)
    m.set_axis_off()
    deps = rend.ctx.inset_deps
    deps.plot(ax=m, facecolor=FILL_OUT, edgecolor=EDGE_OUT, linewidth=0.6)
    covered = [e.terr.outline for e in entries]
    gpd.GeoSeries(covered, crs=deps.crs).simplify(300).plot(ax=m, facecolor=FILL_IN, edgecolor="#111111",
                                                             linewidth=0.5)
    m.set_aspect("equal", adjustable="datalim")
    return sheet.fig


def _index_pages(rend: _Renderer, entries: list[_Entry], *, area: str, demo: bool, n_pages: int) -> list[Figure]:
    """The index: territory, number of sites, page; two columns of :data:`INDEX_ROWS` rows a page."""
    per_page = 2 * INDEX_ROWS
    figs = []
    w, h = A3_LANDSCAPE
    col_w = (w - 2 * MARGIN - 14) / 2
    for p in range(n_pages):
        sheet = _blank(rend, "Sommaire", f"{area} — territoires, nombre de lieux et page",
                       demo=demo, page=(p + 1, n_pages) if n_pages > 1 else None)
        ax = sheet.page
        chunk = entries[p * per_page:(p + 1) * per_page]
        for c in range(2):
            part = chunk[c * INDEX_ROWS:(c + 1) * INDEX_ROWS]
            if not part:
                continue
            x = MARGIN + c * (col_w + 14)
            y = h - MARGIN - HEADER_H - 8
            for text, dx, ha in (("Territoire", 0, "left"), ("Lieux", col_w - 22, "right"), ("Page", col_w, "right")):
                draw_text(ax, x + dx, y, text, fontsize=9, fontweight="bold", ha=ha, va="baseline")
            ax.plot([x, x + col_w], [y - 2, y - 2], color="#2F2F2F", lw=0.6)
            y -= 7
            for e in part:
                label = pl.wrap_text(e.terr.name, col_w - 34, 9)
                text = label[0] + (" …" if len(label) > 1 else "")
                n = len(e.sites)
                draw_text(ax, x, y, text, fontsize=9, va="baseline")
                draw_text(ax, x + col_w - 22, y, integer_fr(n) if n else "aucun", fontsize=9, ha="right",
                          va="baseline", color=ALERT if not n else "#111111")
                draw_text(ax, x + col_w, y, str(e.first), fontsize=9, ha="right", va="baseline", fontweight="bold")
                ax.plot([x, x + col_w], [y - 2.2, y - 2.2], color="#D0D0D0", lw=0.3)
                y -= 6.6
        figs.append(sheet.fig)
    return figs


def _nearby_map(sheet: Sheet, box: tuple, ctx: PrintContext, terr: Territory, near: pd.DataFrame, *,
                origin: tuple[float, float], origin_name: str, marker_d: float) -> None:
    """A small map: the territory, its main town hall and the nearest sites, lettered as in the list."""
    ax = sheet.axes_mm(box, zorder=2)
    ax.set_axis_off()
    b = np.array(terr.communes.total_bounds, dtype=float)
    if len(near):
        b = np.r_[np.minimum(b[:2], [near["x"].min(), near["y"].min()]),
                  np.maximum(b[2:], [near["x"].max(), near["y"].max()])]
    pad = 0.08 * max(b[2] - b[0], b[3] - b[1]) + 1500
    bw, bh = b[2] - b[0] + 2 * pad, b[3] - b[1] + 2 * pad
    scale = max(bw / box[2], bh / box[3])
    cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
    x0, y0 = cx - scale * box[2] / 2, cy - scale * box[3] / 2
    x1, y1 = x0 + scale * box[2], y0 + scale * box[3]
    view = shapely.box(x0, y0, x1, y1)
    sea = ctx.sea(view)
    if not sea.is_empty:
        gpd.GeoSeries([sea], crs=ctx.communes.crs).plot(ax=ax, facecolor=SEA, edgecolor="none", zorder=0.9)
    com = ctx.communes.iloc[np.sort(ctx.tree.query(view, predicate="intersects"))]
    com.plot(ax=ax, facecolor=FILL_OUT, edgecolor=EDGE_OUT, linewidth=0.25, zorder=1)
    terr.communes.plot(ax=ax, facecolor=FILL_IN, edgecolor=EDGE_COMMUNE, linewidth=0.3, zorder=2)
    gpd.GeoSeries([terr.outline], crs=ctx.communes.crs).boundary.plot(ax=ax, color="#111111", lw=1.4,
                                                                                  zorder=3)
    ax.scatter([origin[0]], [origin[1]], marker="s", s=30, c="#111111", zorder=9)
    draw_text(ax, origin[0] + 2.5 * scale, origin[1], f"mairie de {origin_name}", fontsize=8, va="center", zorder=9,
              path_effects=[patheffects.withStroke(linewidth=2.2, foreground="white")])
    if len(near):  # markers at one place are spread apart, a leader line to their place
        true_mm = np.column_stack([(near["x"].to_numpy(float) - x0) / scale, (near["y"].to_numpy(float) - y0) / scale])
        pos, moved = placement.spread_markers(true_mm, marker_d, bounds=(0, 0, box[2], box[3]))
        px, py = x0 + pos[:, 0] * scale, y0 + pos[:, 1] * scale
        for i in np.flatnonzero(moved):
            ax.plot([near["x"].iloc[i], px[i]], [near["y"].iloc[i], py[i]], color="#333333", lw=0.5, zorder=8)
        for i, (_, s) in enumerate(near.iterrows()):
            draw_marker(ax, px[i], py[i], s["kind"], letter(i), d=marker_d, approximate=bool(s["approximate"]))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal", adjustable="box")
    ax.add_patch(Rectangle((0, 0), 1, 1, transform=ax.transAxes, fill=False, edgecolor="#2F2F2F", lw=0.8, zorder=30))


def _nearby_sheet(rend: _Renderer, terr: Territory, near: pd.DataFrame, *, demo: bool) -> Figure:
    """The compact sheet of a territory with no site: the nearest sites outside it, listed and mapped."""
    w, h = A3_LANDSCAPE
    name, ox, oy = _origin(terr)
    sheet = _blank(rend, rend.title, f"{terr.name} — aucun lieu recensé ; les lieux les plus proches",
                   demo=demo, page=(1, 1))
    ax = sheet.page
    top = h - MARGIN - HEADER_H
    bottom = MARGIN + FOOTER_H
    map_box = (MARGIN, bottom + 4, 165, top - bottom - 8)
    marker_d = 5.0
    _nearby_map(sheet, map_box, rend.ctx, terr, near, origin=(ox, oy), origin_name=name, marker_d=marker_d)
    x = MARGIN + 165 + 8
    width = w - MARGIN - x
    y = top - 6
    for line in pl.wrap_text("Aucun lieu d'aide alimentaire n'est recensé sur ce territoire.", width, 14, bold=True):
        draw_text(ax, x, y, line, fontsize=14, fontweight="bold", color=ALERT, va="baseline")
        y -= 7
    intro = (f"Les {len(near)} lieux les plus proches, hors du territoire, à vol d'oiseau depuis la mairie de {name} "
             "(carré noir sur la carte ; les lettres renvoient à la carte). Appelez avant de vous déplacer : un lieu peut être réservé aux habitants "
             "de sa commune ou demander une orientation.") if len(near) else "Aucun autre lieu n'est recensé."
    for line in pl.wrap_text(intro, width, 9.5):
        draw_text(ax, x, y, line, fontsize=9.5, va="baseline")
        y -= 4.6
    y -= 3
    cols = [("", 9), ("Lieu, adresse et horaires", width - 9 - 52 - 32 - 20), ("Commune", 52),
            ("Téléphone", 32), ("Distance", 20)]
    cx = [x]
    for _, cw in cols[:-1]:
        cx.append(cx[-1] + cw)
    for (title, cw), left in zip(cols, cx, strict=True):
        ha = "right" if title == "Distance" else "left"
        draw_text(ax, left + (cw if ha == "right" else 0), y, title, fontsize=8.5, fontweight="bold", ha=ha,
                  va="baseline")
    ax.plot([x, x + width], [y - 2, y - 2], color="#2F2F2F", lw=0.6)
    y -= 6.5
    size, lh = 8.5, pl.line_height_mm(8.5)
    for i, (_, s) in enumerate(near.iterrows(), start=1):
        place = s["commune"] + (f"\n({s['territory']})" if s.get("territory") else "")
        what = [(s["name"], True)] + [(v, False) for v in (s["address"], s["hours"]) if v]
        lines_l = [(ln, b) for text, b in what for ln in pl.wrap_text(text, cols[1][1] - 3, size, bold=b)]
        lines_c = [ln for part in place.split("\n") for ln in pl.wrap_text(part, cols[2][1] - 3, size)]
        phone = s["phone"] or "non communiqué"
        n = max(len(lines_l), len(lines_c), 1)
        if y - n * lh < bottom + 12:
            break
        draw_marker(ax, x + 3, y + 1.2, s["kind"], letter(i - 1), d=marker_d, approximate=bool(s["approximate"]))
        for k, (ln, b) in enumerate(lines_l):
            draw_text(ax, cx[1], y - k * lh, ln, fontsize=size, fontweight="bold" if b else "normal", va="baseline")
        for k, ln in enumerate(lines_c):
            draw_text(ax, cx[2], y - k * lh, ln, fontsize=size, va="baseline")
        draw_text(ax, cx[3], y, phone, fontsize=size, va="baseline", color="#111111" if s["phone"] else MUTED)
        draw_text(ax, x + width, y, f"{decimal_fr(s['distance_km'])} km", fontsize=size, ha="right", va="baseline",
                  fontweight="bold")
        ax.plot([x, x + width], [y - (n - 1) * lh - 2.2] * 2, color="#D0D0D0", lw=0.3)
        y -= n * lh + 3.5
    note = "Signalez un lieu manquant ou une erreur au service qui a produit cet atlas."
    draw_text(ax, x, bottom + 4, note, fontsize=8, color=MUTED, va="baseline")
    return sheet.fig


# --------------------------------------------------------------------------- public API
def render_atlas(  # noqa: PLR0913 - every option a keyword of its own, shown by help()
    territory: Territory | gpd.GeoDataFrame,
    actors: gpd.GeoDataFrame | None,
    *,
    by: str | Sequence[Any] = "epci",
    output: str | Path | None = None,
    layers: MapLayers | None = None,
    title: str = TITLE,
    registry: str | None = None,
    audience: Audience | None = None,
    kinds: Sequence[str] | None = AID_KINDS,
    orientation: str = "auto",
    editor: str | None = None,
    contact: str | None = None,
    generated: dt.date | None = None,
) -> Path:
    """Render an atlas booklet: cover, index, then one sheet per territory (plus table continuations).

    Parameters
    ----------
    territory : Territory or GeoDataFrame
        The area of the atlas (:func:`atlas.select_territory`; the whole region with
        ``atlas.territory()``); its ``reference`` communes are drawn around each sheet.
    actors : geopandas.GeoDataFrame or None
        Accepted actors.
    by : {"epci", "commune", "dep"} or list
        One sheet per EPCI, commune or département of ``territory``, or per listed territory
        (each item as for :func:`atlas.territory.selection.resolve_territory`).
    output : path, optional
        PDF to write (default ``maps/atlas-<by>.pdf``).
    layers, title, registry, audience, kinds, orientation, editor, contact, generated
        As for :func:`atlas.maps.print.render.render_map`.

    Returns
    -------
    pathlib.Path
        The PDF: page 1 the cover, then the index, then the territories in the index's order; a
        territory without a site has one compact sheet listing the :data:`NEAREST` nearest sites.

    Examples
    --------
    >>> import atlas, tempfile, pathlib
    >>> built = atlas.load()
    >>> capso = atlas.territory("CAPSO", communes=built.communes)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = atlas.render_atlas(capso, built.actors, by="epci", output=pathlib.Path(tmp) / "atlas.pdf")
    ...     path.name
    'atlas.pdf'
    """
    from pypdf import PdfReader, PdfWriter

    opts = SheetOptions(orientation=orientation, layers=layers, kinds=kinds, registry=registry, generated=generated,
                        title=title, audience=audience, editor=editor, contact=contact)
    area_terr = as_territory(territory)
    communes = area_terr.reference if area_terr.reference is not None else load_communes()
    terrs = atlas_territories(area_terr.communes, by)
    if not terrs:
        raise AtlasError("Atlas vide : aucun territoire à imprimer.")
    path = _check_output(output, f"atlas-{by if isinstance(by, str) else 'territoires'}.pdf")
    rend = _Renderer(PrintContext.build(communes), opts, registry_label(actors, opts.registry, editor=opts.editor))
    shown = shown_actors(actors, opts.audience)
    entries = [_Entry(t, rend.sites(shown, t)) for t in terrs]
    region = rend.sites(shown, Territory(communes, settings.REGION_NAME, "region", (settings.REGION_CODE,)))
    if shown is not None and len(region):
        ids = shown.drop_duplicates("id").set_index(shown.drop_duplicates("id")["id"].astype(str))
        region["insee"] = region["id"].map(ids["insee"].astype(str)).fillna("")
        terr_name = dict(zip(communes["insee"].astype(str), communes["epci_name"], strict=False))
        region["territory"] = region["insee"].map(terr_name).fillna("")
    else:
        region = region.assign(insee=[], territory=[])
    demo = bool(len(region) and region["fictitious"].any()) or any(
        bool(len(e.sites) and e.sites["fictitious"].any()) for e in entries)
    area = area_terr.name
    by_words = BY_WORDS.get(by, "par territoire") if isinstance(by, str) else "par territoire"
    n_index = math.ceil(len(entries) / (2 * INDEX_ROWS))

    def body() -> Iterable[Figure]:
        for e in entries:
            if len(e.sites):
                figs = list(rend.sheets(e.terr, e.sites, opts.orientation))
            else:
                figs = [_nearby_sheet(rend, e.terr, nearest_sites(region, e.terr), demo=demo)]
            e.pages = len(figs)
            yield from figs

    with tempfile.TemporaryDirectory(prefix="atlas-") as tmp:
        body_pdf = _write(Path(tmp) / "body.pdf", body(), f"{opts.title} — atlas")
        page = 2 + n_index
        for e in entries:
            e.first, page = page, page + e.pages
        front = [_cover(rend, entries, area=area, by=by_words, demo=demo),
                 *_index_pages(rend, entries, area=area, demo=demo, n_pages=n_index)]
        front_pdf = _write(Path(tmp) / "front.pdf", front, f"{opts.title} — atlas", total=len(front))
        writer = PdfWriter()
        writer.append(PdfReader(front_pdf))
        writer.append(PdfReader(body_pdf))
        writer.add_outline_item(title="Sommaire", page_number=1)
        for e in entries:
            writer.add_outline_item(title=e.terr.name, page_number=e.first - 1)
        writer.add_metadata({"/Title": f"{opts.title} — atlas {by_words} — {area}", "/Author": "atlas",
                             "/Subject": "Atlas de l'aide alimentaire", "/Creator": "atlas (matplotlib, pypdf)"})
        with atomic_output(path) as out:
            with open(out, "wb") as fh:
                writer.write(fh)
    return path
