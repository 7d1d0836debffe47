"""French tables of analysis results: headers a PAT officer reads, shares in %, distances in km.

Shared by distances (:mod:`atlas.analysis.distances`) and zones blanches (:mod:`atlas.analysis.coverage`).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from atlas.fr import number_fr

_POP_RE = re.compile(r"^pop_uncovered_(.+)$")


def label_key(key: str) -> str:
    """« 2,5 km » from a threshold key ``2.5km`` (« 15 min » from ``15min``)."""
    m = re.match(r"^([\d.]+)(km|min)$", key)
    return f"{number_fr(float(m.group(1)))} {m.group(2)}" if m else key


def threshold_keys(frame: pd.DataFrame) -> list[str]:
    """Threshold keys (``10km``, ``15min``) of a coverage frame or summary, from its columns, in order."""
    return [m.group(1) for c in frame.columns if (m := _POP_RE.match(str(c)))]


_BASE_HEADERS = {
    "insee": "Code INSEE", "name": "Commune", "epci": "EPCI (SIREN)", "epci_name": "EPCI",
    "dep": "Département", "dep_name": "Nom du département", "region": "Région (code)",
    "region_name": "Région", "n_communes": "Communes", "population": "Population",
    "distance_m": "Distance au site le plus proche (km)", "time_min": "Temps jusqu'au site (min)",
    "site_name": "Site le plus proche",
}


def french_table(summary: pd.DataFrame, total: bool = True) -> pd.DataFrame:
    """The summary (or per-commune table) with French headers, shares in %, distances in km.

    Parameters
    ----------
    summary : DataFrame
        Output of :func:`summarize` (any ``by``).
    total : bool, default True
        Add a « Total » row (not for per-commune tables, which get none).

    Returns
    -------
    pandas.DataFrame
        Columns like « Population non couverte (10 km) », « Part couverte (10 km, %) ».
    """
    keys = threshold_keys(summary)
    per_commune = "n_communes" not in summary.columns
    df = pd.DataFrame(summary).copy()
    if total and not per_commune and len(df) > 1:
        row: dict[str, object] = dict.fromkeys(df.columns, "")
        row[df.columns[0]] = "Total"
        for c in df.columns:
            if c.startswith(("pop_", "n_zone_blanche_")) or c in ("n_communes", "population"):
                row[c] = df[c].sum()
        for k in keys:
            t = row[f"pop_covered_{k}"] + row[f"pop_uncovered_{k}"]
            row[f"share_covered_{k}"] = row[f"pop_covered_{k}"] / t if t else np.nan
        df = pd.concat([df, pd.DataFrame([row])], ignore_index=True)
    headers = dict(_BASE_HEADERS)
    cols = [c for c in _BASE_HEADERS if c in df.columns and c not in ("site_id",)]
    if "distance_m" in df.columns:
        df["distance_m"] = (pd.to_numeric(df["distance_m"], errors="coerce") / 1000.0).round(2)
    if "time_min" in df.columns:
        df["time_min"] = pd.to_numeric(df["time_min"], errors="coerce").round(1)
    for k in keys:
        lab = label_key(k)
        headers[f"pop_covered_{k}"] = f"Population couverte ({lab})"
        headers[f"pop_uncovered_{k}"] = f"Population non couverte ({lab})"
        cols += [f"pop_covered_{k}", f"pop_uncovered_{k}"]
        if f"share_covered_{k}" in df.columns:
            df[f"share_covered_{k}"] = (pd.to_numeric(df[f"share_covered_{k}"]) * 100).round(1)
            headers[f"share_covered_{k}"] = f"Part couverte ({lab}, %)"
            headers[f"n_zone_blanche_{k}"] = f"Communes en zone blanche ({lab})"
            cols += [f"share_covered_{k}", f"n_zone_blanche_{k}"]
        if f"zone_blanche_{k}" in df.columns:
            df[f"zone_blanche_{k}"] = np.where(df[f"zone_blanche_{k}"].astype(bool), "oui", "non")
            headers[f"zone_blanche_{k}"] = f"Zone blanche ({lab})"
            cols.append(f"zone_blanche_{k}")
    return df[cols].rename(columns=headers)


def append_columns(frame: pd.DataFrame, columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """``frame`` with ``columns`` added (or replaced) at once, in the given order.

    One :func:`pandas.concat` of a few blocks (runs of same-kind columns) instead of one
    ``frame[name] = values`` per column, each of which costs a copy of the column index: on
    small frames the column inserts cost more than the computation they report. Object arrays
    stay object columns (no per-row conversion to pandas' string dtype). The frame's data is not
    copied; a GeoDataFrame stays one, with its CRS and ``attrs``.
    """
    base = frame.drop(columns=[c for c in columns if c in frame.columns]) if any(
        c in frame.columns for c in columns) else frame
    blocks = [base]
    run: list[str] = []

    def flush() -> None:
        if run:
            values = columns[run[0]] if len(run) == 1 else np.column_stack([columns[c] for c in run])
            values = values.reshape(len(frame), -1)
            names = pd.Index(run, dtype=object)  # an object index: no Arrow string array built per block
            blocks.append(pd.DataFrame(values, index=frame.index, columns=names, dtype=values.dtype, copy=False))
            run.clear()

    for name, values in columns.items():
        if run and np.asarray(columns[run[0]]).dtype != np.asarray(values).dtype:
            flush()
        run.append(name)
    flush()
    out = pd.concat(blocks, axis=1)
    out.attrs = dict(frame.attrs)  # concat keeps attrs only when every block has the same
    return out
