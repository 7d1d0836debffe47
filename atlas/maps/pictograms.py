"""Service pictograms: small filled vector icons for the services of a site (colis, repas, épicerie…).

One pictogram per service of :data:`atlas.registry.schema.SERVICE_LABELS`, so that a reader who
reads little French still sees what a site gives. They are plain filled shapes (legible in
greyscale and at small sizes) and are drawn from vector paths, never from a bitmap:
:func:`pictogram_path` gives a matplotlib :class:`~matplotlib.path.Path` (printed map),
:func:`pictogram_svg` an inline ``<svg>`` (web map). Both outputs use the same icons.

The paths are those of Material Design Icons (``@mdi/svg`` 7.4.47 on npm, by the Pictogrammers
icon group and Google), copied here unchanged, in a 24 × 24 box with y pointing down. Licence of
the icons: Apache License 2.0 (https://www.apache.org/licenses/LICENSE-2.0); see
:data:`PICTOGRAM_LICENSE`. The SVG path syntax is read with the ``svg.path`` package.
"""

from __future__ import annotations

import functools
from html import escape

import numpy as np
from matplotlib.path import Path
from svg.path import Arc, Close, CubicBezier, Line, Move, QuadraticBezier, parse_path

from atlas.registry.schema import SERVICE_LABELS

#: Where the pictograms come from, said in the sources of every sheet that shows them.
PICTOGRAM_CREDIT = "pictogrammes : Material Design Icons (Apache 2.0)"
PICTOGRAM_LICENSE = (
    "Material Design Icons (@mdi/svg 7.4.47), Pictogrammers Free License: icons under the Apache "
    "License 2.0 (https://www.apache.org/licenses/LICENSE-2.0)."
)
#: Side of the icons' box in the source paths.
VIEWBOX = 24.0

#: Service (:data:`atlas.registry.schema.SERVICE_LABELS`) -> (Material Design Icons name, SVG path data).
PICTOGRAMS: dict[str, tuple[str, str]] = {
    "colis": ("package-variant-closed", "M21,16.5C21,16.88 20.79,17.21 20.47,17.38L12.57,21.82C12.41,21.94 12.21,22 12,22C11.79,22 11.59,21.94 11.43,21.82L3.53,17.38C3.21,17.21 3,16.88 3,16.5V7.5C3,7.12 3.21,6.79 3.53,6.62L11.43,2.18C11.59,2.06 11.79,2 12,2C12.21,2 12.41,2.06 12.57,2.18L20.47,6.62C20.79,6.79 21,7.12 21,7.5V16.5M12,4.15L10.11,5.22L16,8.61L17.96,7.5L12,4.15M6.04,7.5L12,10.85L13.96,9.75L8.08,6.35L6.04,7.5M5,15.91L11,19.29V12.58L5,9.21V15.91M19,15.91V9.21L13,12.58V19.29L19,15.91Z"),
    "epicerie": ("basket", "M5.5,21C4.72,21 4.04,20.55 3.71,19.9V19.9L1.1,10.44L1,10A1,1 0 0,1 2,9H6.58L11.18,2.43C11.36,2.17 11.66,2 12,2C12.34,2 12.65,2.17 12.83,2.44L17.42,9H22A1,1 0 0,1 23,10L22.96,10.29L20.29,19.9C19.96,20.55 19.28,21 18.5,21H5.5M12,4.74L9,9H15L12,4.74M12,13A2,2 0 0,0 10,15A2,2 0 0,0 12,17A2,2 0 0,0 14,15A2,2 0 0,0 12,13Z"),
    "repas": ("silverware-fork-knife", "M11,9H9V2H7V9H5V2H3V9C3,11.12 4.66,12.84 6.75,12.97V22H9.25V12.97C11.34,12.84 13,11.12 13,9V2H11V9M16,6V14H18.5V22H21V2C18.24,2 16,4.24 16,6Z"),
    "douches": ("shower-head", "M20,20A1,1 0 0,1 21,21A1,1 0 0,1 20,22A1,1 0 0,1 19,21A1,1 0 0,1 20,20M16,20A1,1 0 0,1 17,21A1,1 0 0,1 16,22A1,1 0 0,1 15,21A1,1 0 0,1 16,20M12,20A1,1 0 0,1 13,21A1,1 0 0,1 12,22A1,1 0 0,1 11,21A1,1 0 0,1 12,20M8,20A1,1 0 0,1 9,21A1,1 0 0,1 8,22A1,1 0 0,1 7,21A1,1 0 0,1 8,20M4,20A1,1 0 0,1 5,21A1,1 0 0,1 4,22A1,1 0 0,1 3,21A1,1 0 0,1 4,20M6,17A1,1 0 0,1 7,18A1,1 0 0,1 6,19H6A1,1 0 0,1 5,18A1,1 0 0,1 6,17H6M10,17A1,1 0 0,1 11,18A1,1 0 0,1 10,19A1,1 0 0,1 9,18A1,1 0 0,1 10,17M14,17A1,1 0 0,1 15,18A1,1 0 0,1 14,19A1,1 0 0,1 13,18A1,1 0 0,1 14,17M18,17A1,1 0 0,1 19,18A1,1 0 0,1 18,19A1,1 0 0,1 17,18A1,1 0 0,1 18,17M8,14A1,1 0 0,1 9,15A1,1 0 0,1 8,16A1,1 0 0,1 7,15A1,1 0 0,1 8,14M12,14A1,1 0 0,1 13,15A1,1 0 0,1 12,16A1,1 0 0,1 11,15A1,1 0 0,1 12,14M16,14A1,1 0 0,1 17,15A1,1 0 0,1 16,16A1,1 0 0,1 15,15A1,1 0 0,1 16,14M19,12H5V10H19V12M17.92,9H6.08C6.5,6.5 8.5,4.5 11,4.08V2H13V4.08C15.5,4.5 17.5,6.5 17.92,9Z"),
    "vestiaire": ("tshirt-crew", "M16,21H8A1,1 0 0,1 7,20V12.07L5.7,13.07C5.31,13.46 4.68,13.46 4.29,13.07L1.46,10.29C1.07,9.9 1.07,9.27 1.46,8.88L7.34,3H9C9,4.1 10.34,5 12,5C13.66,5 15,4.1 15,3H16.66L22.54,8.88C22.93,9.27 22.93,9.9 22.54,10.29L19.71,13.12C19.32,13.5 18.69,13.5 18.3,13.12L17,12.12V20A1,1 0 0,1 16,21"),
    "accompagnement": ("hand-heart", "M20 17Q20.86 17 21.45 17.6T22.03 19L14 22L7 20V11H8.95L16.22 13.69Q17 14 17 14.81 17 15.28 16.66 15.63T15.8 16H13L11.25 15.33L10.92 16.27L13 17H20M16 3.23Q17.06 2 18.7 2 20.06 2 21 3T22 5.3Q22 6.33 21 7.76T19.03 10.15 16 13Q13.92 11.11 12.94 10.15T10.97 7.76 10 5.3Q10 3.94 10.97 3T13.31 2Q14.91 2 16 3.23M.984 11H5V22H.984V11Z"),
    "ateliers": ("chef-hat", "M12.5,1.5C10.73,1.5 9.17,2.67 8.67,4.37C8.14,4.13 7.58,4 7,4A4,4 0 0,0 3,8C3,9.82 4.24,11.41 6,11.87V19H19V11.87C20.76,11.41 22,9.82 22,8A4,4 0 0,0 18,4C17.42,4 16.86,4.13 16.33,4.37C15.83,2.67 14.27,1.5 12.5,1.5M12,10.5H13V17.5H12V10.5M9,12.5H10V17.5H9V12.5M15,12.5H16V17.5H15V12.5M6,20V21A1,1 0 0,0 7,22H18A1,1 0 0,0 19,21V20H6Z"),
    "fruits-legumes": ("food-apple", "M20,10C22,13 17,22 15,22C13,22 13,21 12,21C11,21 11,22 9,22C7,22 2,13 4,10C6,7 9,7 11,8V5C5.38,8.07 4.11,3.78 4.11,3.78C4.11,3.78 6.77,0.19 11,5V3H13V8C15,7 18,7 20,10Z"),
    "domiciliation": ("email", "M20,8L12,13L4,8V6L12,11L20,6M20,4H4C2.89,4 2,4.89 2,6V18A2,2 0 0,0 4,20H20A2,2 0 0,0 22,18V6C22,4.89 21.1,4 20,4Z"),
    "maraude": ("walk", "M14.12,10H19V8.2H15.38L13.38,4.87C13.08,4.37 12.54,4.03 11.92,4.03C11.74,4.03 11.58,4.06 11.42,4.11L6,5.8V11H7.8V7.33L9.91,6.67L6,22H7.8L10.67,13.89L13,17V22H14.8V15.59L12.31,11.05L13.04,8.18M14,3.8C15,3.8 15.8,3 15.8,2C15.8,1 15,0.2 14,0.2C13,0.2 12.2,1 12.2,2C12.2,3 13,3.8 14,3.8Z"),
    "petits-dejeuners": ("coffee", "M2,21H20V19H2M20,8H18V5H20M20,3H4V13A4,4 0 0,0 8,17H14A4,4 0 0,0 18,13V10H20A2,2 0 0,0 22,8V5C22,3.89 21.1,3 20,3Z"),
    "bebe": ("baby-bottle", "M11.28 2.8L10.78 3.3A5.5 5.5 0 0 0 6.41 2.87L6.33 2.8A2.5 2.5 0 0 0 2.8 6.33L2.87 6.41A5.5 5.5 0 0 0 3.3 10.78L2.8 11.28A1.5 1.5 0 0 0 2.8 13.4L4.21 14.82A1.5 1.5 0 0 0 6.33 14.82L6.68 14.46L13.76 21.53A1.5 1.5 0 0 0 15.88 21.53L21.53 15.88A1.5 1.5 0 0 0 21.53 13.76L14.46 6.68L14.82 6.33A1.5 1.5 0 0 0 14.82 4.21L13.4 2.8A1.5 1.5 0 0 0 11.28 2.8M13.76 5.27L5.27 13.76L3.86 12.34L12.34 3.86M14.82 11.63L11.63 14.82L10.57 13.76L13.76 10.57M16.94 13.76L13.76 16.94L12.69 15.88L15.88 12.69Z"),
    "hygiene": ("hand-wash", "M17 5L17.62 6.37L19 7L17.62 7.63L17 9L16.36 7.63L15 7L16.36 6.37L17 5M11 6.13V4H13C13.57 4 14.1 4.17 14.55 4.45L16 3C15.15 2.39 14.13 2 13 2H7.5V4H9V6.14C7.23 6.5 5.81 7.8 5.26 9.5H9.24L15 11.65V11.03C15 8.61 13.28 6.59 11 6.13M1 22H5V11H1V22M20 17H13L10.91 16.27L11.24 15.33L13 16H15.82C16.47 16 17 15.47 17 14.82C17 14.33 16.69 13.89 16.23 13.71L8.97 11H7V20L14 22L22 19C22 17.9 21.11 17 20 17M20 14C21.1 14 22 13.1 22 12S20 8 20 8 18 10.9 18 12 18.9 14 20 14Z"),
    "jardin": ("sprout", "M2,22V20C2,20 7,18 12,18C17,18 22,20 22,20V22H2M11.3,9.1C10.1,5.2 4,6.1 4,6.1C4,6.1 4.2,13.9 9.9,12.7C9.5,9.8 8,9 8,9C10.8,9 11,12.4 11,12.4V17C11.3,17 11.7,17 12,17C12.3,17 12.7,17 13,17V12.8C13,12.8 13,8.9 16,7.9C16,7.9 14,10.9 14,12.9C21,13.6 21,4 21,4C21,4 12.1,3 11.3,9.1Z"),
    "livraison": ("truck-delivery", "M3,4A2,2 0 0,0 1,6V17H3A3,3 0 0,0 6,20A3,3 0 0,0 9,17H15A3,3 0 0,0 18,20A3,3 0 0,0 21,17H23V12L20,8H17V4M10,6L14,10L10,14V11H4V9H10M17,9.5H19.5L21.47,12H17M6,15.5A1.5,1.5 0 0,1 7.5,17A1.5,1.5 0 0,1 6,18.5A1.5,1.5 0 0,1 4.5,17A1.5,1.5 0 0,1 6,15.5M18,15.5A1.5,1.5 0 0,1 19.5,17A1.5,1.5 0 0,1 18,18.5A1.5,1.5 0 0,1 16.5,17A1.5,1.5 0 0,1 18,15.5Z"),
    "cheques": ("ticket", "M15.58,16.8L12,14.5L8.42,16.8L9.5,12.68L6.21,10L10.46,9.74L12,5.8L13.54,9.74L17.79,10L14.5,12.68M20,12C20,10.89 20.9,10 22,10V6C22,4.89 21.1,4 20,4H4A2,2 0 0,0 2,6V10C3.11,10 4,10.9 4,12A2,2 0 0,1 2,14V18A2,2 0 0,0 4,20H20A2,2 0 0,0 22,18V14A2,2 0 0,1 20,12Z"),
    "frigo-solidaire": ("fridge", "M7,2H17A2,2 0 0,1 19,4V9H5V4A2,2 0 0,1 7,2M19,19A2,2 0 0,1 17,21V22H15V21H9V22H7V21A2,2 0 0,1 5,19V10H19V19M8,5V7H10V5H8M8,12V15H10V12H8Z"),
    "accueil-de-jour": ("home-heart", "M2,12L12,3L22,12H19V20H5V12H2M12,18L12.72,17.34C15.3,15 17,13.46 17,11.57C17,10.03 15.79,8.82 14.25,8.82C13.38,8.82 12.55,9.23 12,9.87C11.45,9.23 10.62,8.82 9.75,8.82C8.21,8.82 7,10.03 7,11.57C7,13.46 8.7,15 11.28,17.34L12,18Z"),
}


def has_pictogram(service: str) -> bool:
    """True when ``service`` (a canonical service value) has a pictogram."""
    return service in PICTOGRAMS


def service_keys(services: str) -> list[str]:
    """The canonical services of a registry cell (« colis, repas »), in order, without repeats."""
    out: list[str] = []
    for raw in str(services or "").split(","):
        key = raw.strip()
        if key and key not in out:
            out.append(key)
    return out


def pictogram_label(service: str) -> str:
    """The French name of a service, as the legend explains its pictogram."""
    return SERVICE_LABELS.get(service, service.replace("-", " "))


@functools.lru_cache(maxsize=64)
def pictogram_path(service: str) -> Path:
    """The pictogram of ``service`` as a matplotlib path in a unit box (0..1, y up).

    Curves are kept as Bézier curves; elliptical arcs (rare in these icons) are sampled.

    Raises
    ------
    KeyError
        No pictogram for this service (see :func:`has_pictogram`).
    """
    verts: list[tuple[float, float]] = []
    codes: list[int] = []

    def pt(c: complex) -> tuple[float, float]:
        return (c.real / VIEWBOX, 1.0 - c.imag / VIEWBOX)

    for seg in parse_path(PICTOGRAMS[service][1]):
        if isinstance(seg, Move):
            verts.append(pt(seg.end))
            codes.append(Path.MOVETO)  # type: ignore[arg-type]
        elif isinstance(seg, Close):
            verts.append(pt(seg.end))
            codes.append(Path.CLOSEPOLY)  # type: ignore[arg-type]
        elif isinstance(seg, Line):
            verts.append(pt(seg.end))
            codes.append(Path.LINETO)  # type: ignore[arg-type]
        elif isinstance(seg, CubicBezier):
            verts += [pt(seg.control1), pt(seg.control2), pt(seg.end)]
            codes += [Path.CURVE4] * 3  # type: ignore[list-item]
        elif isinstance(seg, QuadraticBezier):
            verts += [pt(seg.control), pt(seg.end)]
            codes += [Path.CURVE3] * 2  # type: ignore[list-item]
        elif isinstance(seg, Arc):
            for t in np.linspace(0, 1, 9)[1:]:
                verts.append(pt(seg.point(float(t))))
                codes.append(Path.LINETO)  # type: ignore[arg-type]
    return Path(np.array(verts, dtype=float), codes)


def pictogram_svg(service: str, *, size: str = "1em", title: bool = True) -> str:
    """The pictogram of ``service`` as an inline ``<svg>`` element (``currentColor`` fill).

    ``title`` adds the service's French name as the element's title (read by screen readers
    and shown on hover).
    """
    name, d = PICTOGRAMS[service]
    label = escape(pictogram_label(service))
    head = f'<title>{label}</title>' if title else ""
    return (f'<svg class="pictogram pictogram-{escape(service)}" viewBox="0 0 24 24" width="{size}" '
            f'height="{size}" role="img" aria-label="{label}" fill="currentColor">{head}'
            f'<path d="{escape(d)}"/></svg>')


def draw_pictogram(ax, service: str, x: float, y: float, size: float, *, color: str = "#1F1F1F",
                   zorder: float = 3) -> None:
    """Draw the pictogram of ``service`` on ``ax`` (data units in mm), ``size`` wide and high,
    its bottom-left corner at ``(x, y)``."""
    from matplotlib.patches import PathPatch
    from matplotlib.transforms import Affine2D

    path = pictogram_path(service).transformed(Affine2D().scale(size).translate(x, y))
    ax.add_patch(PathPatch(path, facecolor=color, edgecolor="none", lw=0, zorder=zorder))
