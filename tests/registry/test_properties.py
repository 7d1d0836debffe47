"""Property tests (hypothesis): whatever registry people give, every row is accounted for and only
French errors escape; whatever text a cell holds, no CSV cell written by atlas starts like a formula."""

from __future__ import annotations

import csv
import io
import itertools

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atlas.errors import AtlasError
from atlas.io import csv_text
from atlas.registry.actors import read_actors
from atlas.registry.vocabulary import KINDS, NETWORKS, SERVICES
from atlas.territory.selection import select_territory

PROPERTY = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])

HEADERS = ["Nom", "Type", "Code INSEE", "Code postal", "Commune", "Latitude", "Longitude", "Services", "Réseau",
           "Site web", "Téléphone", "Courriel", "Horaires", "Identifiant", "Fermetures", "Accès", "Mode"]
REALISTIC = ["", "Lens", "62498", "62500", "62505", "lieu de distribution", "CCAS de Saint-Omer", "épicerie",
             "Boulangerie", "50,75", "2,25", "inf", "-inf", "nan", "1e400", "7048107,9", "674235,6", "cinquante",
             "=HYPERLINK(\"http://x\",\"clic\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "javascript:alert(1)",
             "<img src=x onerror=alert(1)>", "Mo-Fr 09:00-12:00", "lundi matin", "colis, vêtements", "Restos du Cœur",
             "62", "0", "demo-1", "demo-1", "Saint-Omer", "62219"]  # fmt: skip
FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r", "\n", " =", "\uff1d"]

cells = st.one_of(st.sampled_from(REALISTIC), st.text(max_size=12),
                  st.builds(lambda a, b: a + b, st.sampled_from(FORMULA_STARTS), st.text(max_size=8)))


@st.composite
def registries(draw) -> bytes:
    """A registry file as bytes: random headers, rows with missing or extra cells, an encoding, a
    separator, and sometimes junk bytes."""
    headers = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8, unique=True))
    if draw(st.booleans()):
        headers.append(draw(st.text(min_size=1, max_size=6)))
    rows = draw(st.lists(st.lists(cells, min_size=0, max_size=len(headers) + 2), max_size=12))
    sep = draw(st.sampled_from([";", ",", "\t"]))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(headers)
    writer.writerows(rows)
    text = out.getvalue()
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "utf-16-le", "latin-1"]))
    data = text.encode(encoding, errors="replace")
    junk = draw(st.binary(max_size=40))
    where = draw(st.sampled_from(["none", "end", "middle", "start"]))
    if where == "end":
        data += junk
    elif where == "middle":
        data = data[: len(data) // 2] + junk + data[len(data) // 2:]
    elif where == "start":
        data = junk + data
    return data


@pytest.fixture(scope="module")
def small_territory(communes):
    return select_territory(communes, epci="CAPSO").communes


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("properties")


_names = itertools.count()


@PROPERTY
@given(data=registries(), suffix=st.sampled_from([".csv", ".txt", ".tsv"]))
def test_every_row_is_accepted_or_rejected(data, suffix, small_territory, folder, assert_excel_safe):
    path = folder / f"r{next(_names)}{suffix}"
    path.write_bytes(data)
    try:
        res = read_actors(path, communes=small_territory)
    except AtlasError as exc:  # a file that cannot be read at all: one French sentence naming it
        assert str(path.name) in str(exc) or "Fichier" in str(exc)
        return
    assert res.n_read == len(res.accepted) + len(res.rejected)
    assert all(isinstance(line, int | float) and line >= 1 for line in res.rejected["line"])
    assert all(isinstance(r, str) and r.strip() for r in res.rejected["reason"])
    assert all(isinstance(m, str) and m.strip() for m in res.warnings["message"])
    assert_excel_safe(csv_text(res.rejected))
    assert_excel_safe(csv_text(res.warnings))


@PROPERTY
@given(data=st.binary(max_size=600), suffix=st.sampled_from([".xlsx", ".ods", ".xls", ".csv", ".geojson", ".json"]))
def test_random_bytes_are_a_french_error_or_rows(data, suffix, small_territory, folder):
    path = folder / f"b{next(_names)}{suffix}"
    path.write_bytes(data)
    try:
        res = read_actors(path, communes=small_territory)
    except AtlasError:
        return
    assert res.n_read == len(res.accepted) + len(res.rejected)


@PROPERTY
@given(columns=st.lists(st.text(max_size=6), min_size=1, max_size=4, unique=True),
       values=st.lists(st.one_of(cells, st.floats(allow_nan=True), st.integers(-10**6, 10**6), st.none()),
                       min_size=1, max_size=30),
       numbers=st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=5))
def test_no_csv_cell_starts_like_a_formula(columns, values, numbers, assert_excel_safe):
    frame = pd.DataFrame({c: [values[(i + j) % len(values)] for j in range(len(numbers))]
                          for i, c in enumerate(columns)})
    frame["nombre"] = numbers
    assert_excel_safe(csv_text(frame))


@PROPERTY
@given(text=st.one_of(cells, st.text(max_size=40)))
def test_vocabularies_read_any_text(text):
    for vocabulary in (KINDS, NETWORKS, SERVICES):
        reading = vocabulary.read(text)
        assert reading.how in ("empty", "exact", "phrase", "typo", "unknown")
        assert (reading.value is None) == (reading.how == "unknown")
        if reading.value is None:
            assert vocabulary.unknown(text, reading).startswith(f"{vocabulary.field_fr} inconnu")
