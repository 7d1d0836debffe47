"""The printed look shared by every drawing (A3 food-aid sheets and the actors' maps): type sizes,
line widths, and the one scale bar and north arrow.

Sizes are typographic points, lengths on paper millimetres. The drawing helpers work in any
coordinates: they are told how many drawing units make one metre on the ground
(``units_per_m``) and one millimetre of paper (``units_per_mm``) — 1/scale and 1 on a sheet drawn
in millimetres, 1 and metres-per-millimetre on an axes drawn in Lambert-93 metres.

Examples
--------
>>> nice_length(7300.0), km_label(2500.0), km_label(800.0)
(5000.0, '2,5 km', '800 m')
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from matplotlib.patches import Polygon, Rectangle

from atlas.fr import number_fr

#: The smallest type printed (legends, sources), points.
MIN_PT = 7.0
#: Labels of the scale bar, points.
SCALE_PT = 7.0
#: The « N » of the north arrow, points.
NORTH_PT = 9.0
#: Table rows of the sheets, points.
TABLE_PT = 7.5
#: Line widths, points: thin outlines (scale bar, arrow), EPCI borders, département borders.
OUTLINE_LW = 0.5
EPCI_LW = 0.9
DEP_LW = 1.6
#: Ink of the scale bar and the north arrow.
INK = "#222222"

#: Thickness of the scale bar, paper millimetres.
SCALE_BAR_MM = 1.6
#: Height of the north arrow, paper millimetres.
NORTH_ARROW_MM = 10.0

TextFn = Callable[..., Any]


def nice_length(max_m: float) -> float:
    """A round length (1, 2, 5 × 10^k metres) not longer than ``max_m``."""
    k = 10 ** math.floor(math.log10(max_m))
    for f in (5, 2, 1):
        if f * k <= max_m:
            return f * k
    return k


def km_label(m: float) -> str:
    """« 2,5 km », « 800 m »."""
    return f"{number_fr(m / 1000)} km" if m >= 1000 else f"{number_fr(m)} m"


def draw_scale_bar(ax: Any, x: float, y: float, length_m: float, *, text: TextFn, units_per_m: float = 1.0,
                   units_per_mm: float = 1.0, fontsize: float = SCALE_PT, zorder: float | None = None) -> None:
    """A two-part scale bar (black then white) from ``(x, y)``, ``length_m`` metres long, labelled
    « 0 », the half length and the whole length (« 5 km ») above it.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    x, y : float
        Lower left corner, in drawing units.
    length_m : float
        Ground length of the bar (:func:`nice_length`).
    text : callable
        ``text(ax, x, y, s, **kw)`` draws a label (the sheet's or the drawing's text function).
    units_per_m, units_per_mm : float
        Drawing units per ground metre and per paper millimetre.
    fontsize : float
        Labels, points.
    zorder : float, optional
        Drawing order of the bar and its labels.
    """
    bar = length_m * units_per_m
    half = bar / 2
    h = SCALE_BAR_MM * units_per_mm
    extra = {} if zorder is None else {"zorder": zorder}
    ax.add_patch(Rectangle((x, y), half, h, facecolor=INK, edgecolor=INK, lw=OUTLINE_LW, **extra))
    ax.add_patch(Rectangle((x + half, y), half, h, facecolor="white", edgecolor=INK, lw=OUTLINE_LW, **extra))
    for xx, lab in ((x, "0"), (x + half, km_label(length_m / 2).split()[0]), (x + bar, km_label(length_m))):
        text(ax, xx, y + 3.0 * units_per_mm, lab, fontsize=fontsize, ha="center", va="baseline", **extra)


def draw_north_arrow(ax: Any, x: float, y: float, *, text: TextFn, units_per_mm: float = 1.0,
                     fontsize: float = NORTH_PT, zorder: float | None = None) -> None:
    """The north arrow, its tip :data:`NORTH_ARROW_MM` above ``(x, y)``, « N » over it (Lambert-93
    grid north is true north in the region within 1.5°).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    x, y : float
        Middle of the arrow's base, in drawing units.
    text : callable
        ``text(ax, x, y, s, **kw)`` draws the « N ».
    units_per_mm : float
        Drawing units per paper millimetre.
    fontsize : float
        The « N », points.
    zorder : float, optional
        Drawing order.
    """
    u = units_per_mm
    extra = {} if zorder is None else {"zorder": zorder}
    ax.add_patch(Polygon([(x - 2.6 * u, y), (x, y + NORTH_ARROW_MM * u), (x + 2.6 * u, y), (x, y + 2.6 * u)],
                         closed=True, facecolor=INK, edgecolor=INK, lw=OUTLINE_LW, **extra))
    text(ax, x, y + (NORTH_ARROW_MM + 1.5) * u, "N", fontsize=fontsize, fontweight="bold", ha="center",
         va="baseline", **extra)
