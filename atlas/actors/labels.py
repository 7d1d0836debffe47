"""Labels of the actors drawings: short, never two alike, set where they hide nothing.

:func:`unique_labels` shortens names for a drawing without making two actors read the same
(« Le Petit Panier solidaire – Auchel », « … – Beuvry » rather than twice « Le Petit Panier
solidaire – épicerie de… »); :func:`place_node_labels` sets them around their markers with
:func:`atlas.placement.label_spots`, a thin leader line joining a label set apart.
"""

from __future__ import annotations

import re
import textwrap

import numpy as np

from atlas.actors.style import mpl_text
from atlas.placement import MM_PER_PT, Label, compass, label_spots
from atlas.text import fold

# Directions tried around a marker for its label, and the distances (points) beyond the marker:
# the most important nodes may go further (with a leader line) than the others.
DIRECTIONS = compass((0, 180, 90, 270, 45, 135, 315, 225, 20, 160, 340, 200, 67, 113, 293, 247))
STEPS_FAR = (2.5, 9.0, 17.0, 28.0, 42.0, 58.0)
STEPS_NEAR = (2.5, 9.0, 17.0, 28.0)
_SMALL_WORDS = r"(?:de|d'|du|des|de la|à|au|aux|en|sur|pour)"


def _key(text: str) -> str:
    """Comparison key: case, accents and spaces ignored."""
    text = fold(text.replace("\n", " "))
    return re.sub(r"\W+", " ", text).strip().lower()


def _fits(text: str, width: int, max_lines: int) -> str | None:
    lines = textwrap.wrap(text, width=width, break_on_hyphens=False)
    return "\n".join(lines) if len(lines) <= max_lines and all(len(x) <= width for x in lines) else None


def _cut(text: str, width: int, max_lines: int, suffix: str = "") -> str:
    """``text`` cut with « … » (at a word) so that ``text… suffix`` fits on ``max_lines`` lines."""
    whole = _fits(text + suffix, width, max_lines)
    if whole:
        return whole
    words = text.split()[:-1]
    while words:
        out = _fits(" ".join(words).rstrip(" ,;:–-") + "…" + suffix, width, max_lines)
        if out:
            return out
        words = words[:-1]
    return "\n".join(textwrap.wrap(text + suffix, width=width, break_on_hyphens=False))


def candidates(name: str, commune: str = "", *, width: int = 24, max_lines: int = 2) -> list[str]:
    """Shortened forms of a name, preferred first (each fits ``max_lines`` lines of ``width``).

    The acronym in final parentheses (« … (CABBALR) » -> « CABBALR »), the name itself, the name
    with its last part replaced by the commune (« Le Petit Panier solidaire – épicerie de Auchel »
    -> « Le Petit Panier solidaire – Auchel »), the name cut with « … » and the commune kept, the
    name cut; the last form is the whole name, on as many lines as it needs.
    """
    name = " ".join(str(name).split())
    commune = " ".join(str(commune or "").split())
    out: list[str] = []

    def add(text: str | None) -> None:
        if text and text not in out:
            out.append(text)

    m = re.search(r"\(([^()]{2,14})\)\s*$", name)
    if m and re.fullmatch(r"[A-ZÀ-Ý0-9][A-ZÀ-Ý0-9 .&'-]*", m.group(1).strip()):
        add(m.group(1).strip())
    add(_fits(name, width, max_lines))
    if commune and _key(commune) in _key(name):
        head = name[: name.lower().rfind(commune.lower())] if commune.lower() in name.lower() else name
        head = re.sub(rf"[\s,(–-]*(?:\b{_SMALL_WORDS}\s*)?$", "", head)
        head = re.sub(rf"[\s,(–-]*(?:\b{_SMALL_WORDS}\s*)?$", "", head)
        first = re.split(r"\s+[–-]\s+", head)[0]
        for h in (head, first):
            if h and _key(h) != _key(commune):
                add(_fits(f"{h} – {commune}", width, max_lines))
        add(_cut(first or head, width, max_lines, f" – {commune}"))
    add(_cut(name, width, max_lines))
    if commune and _key(commune) not in _key(name):
        add(_fits(f"{name} – {commune}", width, max_lines))
        add(_cut(name, width, max_lines, f" – {commune}"))
    add("\n".join(textwrap.wrap(name + (f" – {commune}" if commune and _key(commune) not in _key(name) else ""),
                                width=width, break_on_hyphens=False)) or name)
    return out


def unique_labels(items: list[tuple[str, str, str]], *, width: int = 24, max_lines: int = 2) -> dict[str, str]:
    """Labels for ``(id, name, commune)`` items: the first form of :func:`candidates` that no other
    item shares (compared without case, accents or line breaks). Items still alike after every
    form (same name in the same commune) are told apart by « (1) », « (2) »… in the order given.
    """
    forms = {i: candidates(name, commune, width=width, max_lines=max_lines) for i, name, commune in items}
    choice = dict.fromkeys(forms, 0)
    for _ in range(8):
        seen: dict[str, list[str]] = {}
        for i in forms:
            seen.setdefault(_key(forms[i][choice[i]]), []).append(i)
        clash = [ids for ids in seen.values() if len(ids) > 1]
        if not clash:
            break
        moved = False
        for ids in clash:
            for i in ids:
                if choice[i] + 1 < len(forms[i]):
                    choice[i] += 1
                    moved = True
        if not moved:
            break
    out = {i: forms[i][choice[i]] for i in forms}
    groups: dict[str, list[str]] = {}
    for i in forms:
        groups.setdefault(_key(out[i]), []).append(i)
    for ids in groups.values():
        if len(ids) > 1:
            for k, i in enumerate(ids, start=1):
                out[i] = f"{out[i]} ({k})"
    return out


def one_line(text: str, width: int) -> str:
    """``text`` on one line, cut with « … » beyond ``width`` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1].rstrip(" ,;–-") + "…"


# --------------------------------------------------------------------------- on the sheet
def sheet_mm(ax) -> tuple[np.ndarray, float]:
    """The axes frame ``(xmin, ymin, xmax, ymax)`` in millimetres on the sheet, and the
    millimetres per display pixel."""
    px = 25.4 / ax.figure.dpi
    frame = ax.get_window_extent(ax.figure.canvas.get_renderer())
    return np.array([frame.x0 * px, frame.y0 * px, frame.x1 * px, frame.y1 * px]), px


def disc_boxes(ax, pos: dict, radius: dict[str, float]) -> list[tuple[float, float, float, float]]:
    """Boxes in mm on the sheet around markers of ``radius`` points (plus one pixel)."""
    if not pos:
        return []
    _, px = sheet_mm(ax)
    ids = list(pos)
    centre = ax.transData.transform(np.array([pos[n] for n in ids], dtype=float)) * px
    r = np.array([radius[n] for n in ids]) * MM_PER_PT + px
    boxes = np.column_stack([centre[:, 0] - r, centre[:, 1] - r, centre[:, 0] + r, centre[:, 1] + r])
    return [tuple(b) for b in boxes.tolist()]


def place_node_labels(ax, pos: dict, labels: dict[str, str], order: list[str], *, radius: dict[str, float],
                      obstacles: list[tuple[float, float, float, float]], styles: dict[str, dict],
                      far: int = 25, halo: bool = True) -> tuple[list[str], list[tuple[float, float, float, float]]]:
    """Name the nodes of ``order`` (most important first) where their label hides nothing.

    Each label is measured once with the renderer, then set around its marker (16 directions,
    growing distances, a thin leader line beyond the first ring) where it overlaps no other
    label, no obstacle (boxes in mm on the sheet) and stays inside the axes; the first ``far``
    nodes may go further away than the others. ``radius`` is the marker radius in points.

    Returns
    -------
    (list, list)
        The nodes left without a label, and the boxes (mm) of the labels set.
    """
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    bounds, px = sheet_mm(ax)
    base = {"zorder": 5, "linespacing": 0.95}
    if halo:
        base["bbox"] = {"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.88}
    wanted, looks = [], []
    probe = ax.text(0.0, 0.0, "")
    for rank, n in enumerate(order):
        style = {**base, **styles.get(n, {})}
        probe.update({k: v for k, v in style.items() if k not in ("zorder",)})
        probe.set_text(mpl_text(labels[n]))
        ext = probe.get_window_extent(renderer)
        x, y = ax.transData.transform(pos[n]) * px
        wanted.append(Label(x, y, labels[n], style.get("fontsize", 10.0), clearance=radius[n] * MM_PER_PT,
                            steps=tuple(s * MM_PER_PT for s in (STEPS_FAR if rank < far else STEPS_NEAR)),
                            width=ext.width * px, height=ext.height * px))
        looks.append(style)
    probe.remove()
    spots = label_spots(wanted, obstacles, tuple(bounds), directions=DIRECTIONS, centred=False, pad=1.5 * px)
    to_data = ax.transData.inverted()
    failed, boxes = [], []
    for n, lab, spot, style in zip(order, wanted, spots, looks, strict=True):
        if spot is None:
            failed.append(n)
            continue
        boxes.append(spot.box)
        dx, dy = spot.direction
        align = "left" if dx > 0.3 else "right" if dx < -0.3 else "center"
        ax.text(*to_data.transform((spot.x / px, spot.y / px)), mpl_text(labels[n]), ha="center", va="center",
                multialignment=align, **style)
        if spot.step > 0:  # a thin leader line from the marker to a label set apart
            near, far_end = lab.clearance, spot.distance - MM_PER_PT
            ends = to_data.transform([((lab.x + dx * near) / px, (lab.y + dy * near) / px),
                                      ((lab.x + dx * far_end) / px, (lab.y + dy * far_end) / px)])
            ax.plot(ends[:, 0], ends[:, 1], color="#6f6f6f", lw=0.6, zorder=4.5)
    return failed, boxes
