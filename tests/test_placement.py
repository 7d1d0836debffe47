"""Placement on a drawing: labels that never overlap, markers and discs that never hide one another.

The print map's own checks (markers at one place, commune names) are in tests/maps/test_print.py.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from atlas import placement


def test_label_box_of_several_lines():
    one = placement.label_box(0.0, 0.0, "Secours populaire", 8.0)
    two = placement.label_box(0.0, 0.0, "Secours populaire\nfrançais", 8.0)
    assert two[2] == one[2]  # as wide as the widest line
    assert two[3] - one[3] == pytest.approx(1.2 * 8.0 * placement.MM_PER_PT / 2)
    assert placement.label_box(0.0, 0.0, "Secours", 8.0, bold=True)[2] > placement.label_box(0.0, 0.0, "Secours", 8.0)[2]


def test_label_spots_around_markers():
    # nine labels around one marker, then further away: none overlaps another, the marker or the frame
    marker = (45.0, 45.0, 55.0, 55.0)
    labels = [placement.Label(50.0, 50.0, f"Acteur {i}", 7.0, clearance=5.0, steps=(0.5, 6.0, 12.0))
              for i in range(30)]
    spots = placement.label_spots(labels, [marker], (0.0, 0.0, 100.0, 100.0), centred=False,
                                  directions=placement.compass(range(0, 360, 45)))
    kept = [s for s in spots if s is not None]
    assert 8 <= len(kept) < 30  # the first ring is full, further rings take more, some are left out
    assert [s.step for s in kept] == sorted(s.step for s in kept)  # nearest first
    for a, b in itertools.combinations(kept, 2):
        assert not placement.boxes_overlap(a.box, b.box)
    for s in kept:
        assert not placement.boxes_overlap(s.box, marker)
        assert s.box[0] >= 0 and s.box[1] >= 0 and s.box[2] <= 100 and s.box[3] <= 100
        assert s.distance == 5.0 + (0.5, 6.0, 12.0)[s.step]
    # a label on the right starts at its distance from the anchor (plus the halo margin)
    right = next(s for s in kept if s.direction == (1.0, 0.0))
    assert right.box[0] == pytest.approx(50.0 + right.distance)


def test_label_spots_with_measured_sizes():
    # a caller measuring its text (a screen renderer) gives the box size: it is used as is
    lab = placement.Label(50.0, 50.0, "x", 7.0, width=20.0, height=4.0)
    spot, = placement.label_spots([lab], [], (0.0, 0.0, 100.0, 100.0), pad=0.5)
    assert spot.box == (39.5, 47.5, 60.5, 52.5) and spot.step == -1
    blocked, = placement.label_spots([lab], [spot.box], (0.0, 0.0, 100.0, 100.0), pad=0.5)
    assert blocked is not None and not placement.boxes_overlap(blocked.box, spot.box)


def test_discs_of_different_sizes_are_spread():
    rng = np.random.default_rng(5)
    xy = np.r_[np.full((5, 2), 200.0), rng.uniform(150, 250, (30, 2))]
    d = rng.uniform(10, 40, len(xy))
    pos, displaced = placement.spread_markers(xy, d, (0.0, 0.0, 400.0, 400.0), 400, gap=6.0, rings=False)
    dist = np.hypot(pos[:, None, 0] - pos[None, :, 0], pos[:, None, 1] - pos[None, :, 1])
    need = (d[:, None] + d[None, :]) / 2 + 6.0
    np.fill_diagonal(dist, np.inf)
    assert (dist >= need - 1e-6).all()  # no two discs closer than their radii and the gap
    assert displaced[:5].all()
    assert (pos - d[:, None] / 2 >= -1e-9).all() and (pos + d[:, None] / 2 <= 400 + 1e-9).all()


def test_box_index_finds_the_same_overlaps_as_all_pairs():
    rng = np.random.default_rng(8)
    boxes = [(x, y, x + w, y + h) for x, y, w, h in zip(rng.uniform(0, 300, 400), rng.uniform(0, 300, 400),
                                                         rng.uniform(0.5, 40, 400), rng.uniform(0.5, 8, 400),
                                                         strict=True)]
    index = placement.BoxIndex(cell=12.0)
    for b in boxes[:300]:
        index.add(b)
    probe = np.asarray(boxes[300:])
    brute = np.array([any(placement.boxes_overlap(tuple(p), b) for b in boxes[:300]) for p in probe])
    assert (index.hits(probe) == brute).all()
    assert brute.any() and not brute.all()


def test_label_spots_accept_filters_positions():
    # only positions whose centre lies right of x = 52 are allowed: the label goes right
    lab = placement.Label(50.0, 50.0, "Lens", 8.0)
    spot, = placement.label_spots([lab], [], (0.0, 0.0, 100.0, 100.0),
                                  accept=lambda k, boxes: (boxes[:, 0] + boxes[:, 2]) / 2 > 52.0)
    assert spot.direction == (1, 0) and spot.x > 52.0
    none, = placement.label_spots([lab], [], (0.0, 0.0, 100.0, 100.0), accept=lambda k, boxes: boxes[:, 0] > 1e9)
    assert none is None


def test_many_markers_are_spread_apart_near_their_place():
    rng = np.random.default_rng(4)
    n, d = 3000, 5.5
    side = float(np.sqrt(n * 60.0))
    xy = rng.uniform(0, side, (n, 2))
    pos, moved = placement.spread_markers(xy, d, (0.0, 0.0, side, side))
    from scipy.spatial import cKDTree

    assert len(cKDTree(pos).query_pairs(d)) == 0  # no two markers overlap
    assert np.hypot(*(pos - xy).T).mean() < 3.0  # each stays near its place (mean shift < 3 mm)
    assert moved.sum() == (np.hypot(*(pos - xy).T) > 0.05).sum()
