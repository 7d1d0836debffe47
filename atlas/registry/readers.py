"""Registry files read as they are: raw string frames with the line number of each row.

Readers accept what people really have: CSV exported from Excel in France (``;`` separator,
decimal comma, UTF-8 with BOM or cp1252, French headers), Excel files, GeoJSON, GeoPackage and
data·inclusion or Soliguide exports (JSON list or CSV). Headers are mapped to the canonical columns of
:mod:`atlas.registry.schema` by :data:`atlas.registry.schema.HEADER_ALIASES`, plus an optional mapping (a dict, or
the name of a preset in ``atlas/registry/mappings/``, or a JSON file) for other exports.

Every row read keeps its line number (file line for CSV, row for spreadsheets, feature number
for GeoJSON), so that a rejected row can be found again in the file.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from pathlib import Path
from urllib.parse import unquote

import geopandas as gpd
import numpy as np
import pandas as pd

from atlas.crs import WGS84
from atlas.errors import RegistryError
from atlas.registry import schema, soliguide

_URL_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
MAPPINGS_DIR = Path(__file__).with_name("mappings")


# --------------------------------------------------------------------------- raw tables
def _decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _read_csv_lines(path: Path) -> tuple[pd.DataFrame, list[int]]:
    text = _decode(path.read_bytes())
    sample = text[:20_000]
    first = sample.splitlines()[0] if sample else ""
    delim = max([";", ",", "\t", "|"], key=first.count) if first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    try:
        header = next(reader)
    except StopIteration as exc:
        raise RegistryError(f"« {path} » est vide.") from exc
    rows, lines = [], []
    start = reader.line_num + 1
    for rec in reader:
        if any(c.strip() for c in rec):
            rec = rec + [""] * (len(header) - len(rec))
            if len(rec) > len(header):  # extra cells: keep them visible in the reject
                extra = [c for c in rec[len(header):] if c.strip()]
                rec = rec[: len(header)]
                if extra:
                    rec.append("|".join(extra))
            rows.append(rec)
            lines.append(start)
        start = reader.line_num + 1
    cols = [h.strip() or f"colonne_{i + 1}" for i, h in enumerate(header)]
    if any(len(r) > len(cols) for r in rows):
        cols = cols + ["__extra__"]
        rows = [r + [""] * (len(cols) - len(r)) for r in rows]
    return pd.DataFrame(rows, columns=cols, dtype=object), lines


def _frame_from_records(records: list[dict]) -> pd.DataFrame:
    flat = pd.json_normalize(records, sep="_")
    return flat.astype(object).where(flat.notna(), "")


def read_raw_table(path: str | Path, layer: str | None = None) -> tuple[pd.DataFrame, list[int]]:
    """Read a registry file as strings with the line number of each row.

    Returns
    -------
    (pandas.DataFrame, list of int)
        All values as ``str`` (missing as ""), the original headers; one line number per row.
        For GeoJSON/GeoPackage, ``lon``/``lat`` columns hold the point's coordinates in its
        file's CRS (``__crs__`` attribute of the frame).
    """
    path = Path(path)
    if not path.exists():
        raise RegistryError(f"Fichier introuvable : « {path} ».")
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".txt", ".tsv"):
            frame, lines = _read_csv_lines(path)
        elif suffix in (".xls", ".xlsx", ".ods"):
            # calamine (Rust) reads .xls, .xlsx and .ods alike; pandas' own choice for the future
            frame = pd.read_excel(path, dtype=str, sheet_name=0, engine="calamine").fillna("")
            lines = list(range(2, len(frame) + 2))
        elif suffix in (".geojson", ".gpkg", ".shp", ".fgb") or (suffix == ".json" and _is_geojson(path)):
            gdf = gpd.read_file(path, layer=layer) if layer else gpd.read_file(path)
            crs = gdf.crs or WGS84
            geom = gdf.geometry
            frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).astype(object)
            frame = frame.where(frame.notna(), "").astype(str)
            pts = geom.representative_point() if len(geom) else geom
            ok = ~(geom.isna() | geom.is_empty).to_numpy()
            frame["__gx__"] = np.where(ok, pts.x, np.nan) if len(geom) else []
            frame["__gy__"] = np.where(ok, pts.y, np.nan) if len(geom) else []
            frame.attrs["__crs__"] = str(crs)
            lines = list(range(1, len(frame) + 1))
        elif suffix == ".json":
            data = json.loads(_decode(path.read_bytes()))
            if isinstance(data, dict):
                data = data.get("places") or data.get("data") or data.get("items") or data.get("results") or [data]
            if soliguide.is_soliguide(data):  # Soliguide places: hours converted to OSM syntax
                data = soliguide.places_to_rows(data)
            frame = _frame_from_records(data)
            lines = list(range(1, len(frame) + 1))
        else:
            raise RegistryError(
                f"Format non reconnu pour « {path.name} » (CSV, XLS/XLSX, GeoJSON, GeoPackage, JSON)."
            )
    except (OSError, ValueError, UnicodeError) as exc:
        if isinstance(exc, RegistryError):
            raise
        raise RegistryError(f"Lecture impossible de « {path} » : {exc}") from exc
    frame = frame.astype(object).map(lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) else v)
    return frame, lines


def _is_geojson(path: Path) -> bool:
    head = _decode(path.read_bytes()[:4096])
    return '"FeatureCollection"' in head or '"Feature"' in head


# --------------------------------------------------------------------------- mapping
def load_mapping(mapping: str | Path | dict | None) -> dict:
    """A column mapping for exports whose headers atlas does not know.

    A JSON object with optional keys: ``columns`` (canonical column -> header, or list of headers
    whose first non-empty value is taken), ``templates`` (canonical column -> text with
    ``{header_key}`` fields, e.g. ``"{n_rue} {bis} {nom_de_rue}"``), ``value_maps`` (canonical
    column -> {value as written: canonical value}), ``defaults`` (canonical column -> value for
    empty cells), ``id_prefix``, and ``require_location`` (true for lists wider than the territory,
    e.g. national lists: a row with no place at all is then rejected instead of kept unlocated).

    ``mapping`` may be a dict, a JSON file, or the name of a preset of ``atlas/registry/mappings/``
    (``restos-2015``, ``croix-rouge-2015``, ``croix-rouge-u2a-2015``, ``secours-populaire-2015``,
    ``data-inclusion``).
    """
    if mapping is None:
        return {}
    if isinstance(mapping, dict):
        return mapping
    p = Path(mapping)
    if not p.exists():
        p = MAPPINGS_DIR / f"{mapping}.json"
    if not p.exists():
        presets = ", ".join(sorted(f.stem for f in MAPPINGS_DIR.glob("*.json")))
        raise RegistryError(f"Correspondance de colonnes inconnue : « {mapping} » (préréglages : {presets}).")
    return json.loads(p.read_text(encoding="utf-8"))


def canonical_frame(raw: pd.DataFrame, mapping: dict) -> pd.DataFrame:
    """Map raw headers to the canonical columns of :data:`atlas.registry.schema.HEADER_ALIASES`.

    Parameters
    ----------
    raw : pandas.DataFrame
        Rows as read by :func:`read_raw_table` (URL-encoded cells are decoded).
    mapping : dict
        Column mapping (see :func:`load_mapping`); ``{}`` for the known headers only.

    Returns
    -------
    pandas.DataFrame
        One column per canonical column (strings, stripped; "" where absent), plus ``__gx__`` and
        ``__gy__`` (numbers) when the file had geometries.
    """
    # « Anizy%20le%20ch%C3%A2teau »: URL-encoded cells in real exports
    raw = raw.map(lambda v: unquote(v) if isinstance(v, str) and " " not in v and _URL_ESCAPE.search(v) else v)
    keyed = {schema.header_key(c): c for c in raw.columns}
    out = pd.DataFrame(index=raw.index)
    explicit = mapping.get("columns", {})
    for canon, aliases in schema.HEADER_ALIASES.items():
        wanted = explicit.get(canon)
        if wanted is not None:
            names = [wanted] if isinstance(wanted, str) else list(wanted)
            cols = [keyed.get(schema.header_key(n)) for n in names]
            cols = [c for c in cols if c is not None]
        else:
            cols = [keyed[a] for a in aliases if a in keyed][:1]
        if not cols:
            out[canon] = ""
            continue
        vals = raw[cols[0]].astype(str).str.strip()
        for c in cols[1:]:  # first non-empty of several columns
            alt = raw[c].astype(str).str.strip()
            vals = vals.where(vals != "", alt)
        out[canon] = vals
    if mapping.get("templates"):
        fields = {schema.header_key(c): raw[c].astype(str).str.strip().tolist() for c in raw.columns}
        for canon, template in mapping["templates"].items():
            out[canon] = [
                re.sub(r"\s+", " ", template.format(**{k: v[i] for k, v in fields.items()})).strip(" ,-")
                for i in range(len(raw))
            ]
    for canon, table in mapping.get("value_maps", {}).items():
        keyed_table = {schema.slug(k): v for k, v in table.items()}
        out[canon] = [keyed_table.get(schema.slug(v), v) for v in out[canon]]
    for canon, value in mapping.get("defaults", {}).items():
        out[canon] = out[canon].where(out[canon] != "", value) if canon in out else value
    if "__gx__" in raw.columns:
        out["__gx__"] = pd.to_numeric(raw["__gx__"], errors="coerce")
        out["__gy__"] = pd.to_numeric(raw["__gy__"], errors="coerce")
    return out


# --------------------------------------------------------------------------- value parsing
def parse_number(text: object) -> float | None:
    """French or English decimal: ``"50,2917"`` -> 50.2917; ``""`` -> None; garbage -> NaN."""
    s = str(text).strip().replace("\u00a0", "").replace(" ", "")
    if not s:
        return None
    if "," in s and "." not in s:
        s = s.replace(",", ".")
    elif "," in s and "." in s:  # 1.234,56 or 1,234.56
        s = s.replace(".", "").replace(",", ".") if s.rfind(",") > s.rfind(".") else s.replace(",", "")
    try:
        return float(s)
    except ValueError:
        return float("nan")
