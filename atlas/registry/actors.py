"""Actor and partnership registries: read, validate, geocode, join to communes.

Readers accept what people really have: CSV exported from Excel in France (``;`` separator,
decimal comma, UTF-8 with BOM or cp1252, French headers), Excel files, GeoJSON, GeoPackage and
data·inclusion exports (JSON list or CSV). Headers are mapped to the canonical columns of
:mod:`atlas.registry.schema` by :data:`atlas.registry.schema.HEADER_ALIASES`, plus an optional mapping (a dict, or
the name of a preset in ``atlas/registry/mappings/``, or a JSON file) for other exports.

Nothing is silently dropped: every row read ends up either accepted or rejected, a rejected row
keeps its line number (file line for CSV, row for spreadsheets, feature number for GeoJSON) and
a French reason, and ``n_read == len(accepted) + len(rejected)``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import geopandas as gpd
import jsonschema
import numpy as np
import pandas as pd
import shapely

from atlas.crs import L93, WGS84, lonlat_to_l93, looks_like_l93, to_wgs84
from atlas.errors import RegistryError
from atlas.registry import schema, soliguide
from atlas.registry.hours import is_valid_closures, is_valid_hours
from atlas.territory.gazetteer import Gazetteer
from atlas.territory.reference import load_communes

_URL_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
MAPPINGS_DIR = Path(__file__).with_name("mappings")

#: A point farther than this from every commune of the region is outside the territory (m).
OUTSIDE_TOLERANCE_M = 5_000.0
#: A point outside commune polygons but closer than this is attached to the nearest commune (m).
NEAREST_COMMUNE_M = 1_000.0


@dataclass
class RegistryResult:
    """What reading a registry gave.

    Attributes
    ----------
    accepted : geopandas.GeoDataFrame
        Valid rows, canonical columns, Lambert-93 points (None where not locatable), ``line``.
    rejected : pandas.DataFrame
        ``line``, ``reason`` and the row's original fields, as read.
    warnings : pandas.DataFrame
        ``line``, ``id``, ``message``: accepted rows with something to check.
    n_read : int
        Rows read from the file (``len(accepted) + len(rejected)``).
    path : str
        Where the rows came from.
    """

    accepted: gpd.GeoDataFrame
    rejected: pd.DataFrame
    warnings: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["line", "id", "message"]))
    n_read: int = 0
    path: str = ""

    def summary(self) -> str:
        """One French line: « 42 lignes lues : 40 acceptées, 2 rejetées (3 avertissements) »."""
        return (
            f"{self.path} : {self.n_read} lignes lues, {len(self.accepted)} acceptées, "
            f"{len(self.rejected)} rejetées, {len(self.warnings)} avertissements"
        )


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


def _canonical_frame(raw: pd.DataFrame, mapping: dict) -> pd.DataFrame:
    """Map raw headers to canonical columns (strings, stripped)."""
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


def _vocab(value: str, aliases: dict[str, str]) -> str | None:
    if not value:
        return ""
    return aliases.get(schema.slug(value))


def _networks(value: str) -> tuple[str, list[str]]:
    """Normalise a list of networks; unknown ones are kept as slugs (returned for warnings)."""
    out, unknown = [], []
    for part in re.split(r"[,|/+]", value):
        if not part.strip():
            continue
        s = schema.slug(part)
        canon = schema.NETWORK_ALIASES.get(s, s)
        if canon not in schema.NETWORK_LABELS:
            unknown.append(part.strip())
        if canon not in out:
            out.append(canon)
    return ",".join(out), unknown


def _list_slugs(value: str) -> str:
    parts = [schema.slug(p) for p in re.split(r"[,|;/]", value) if p.strip()]
    return ",".join(dict.fromkeys(p for p in parts if p))


def _stable_id(prefix: str, row: dict[str, str]) -> str:
    """An id that stays the same while the row's name and place do (rows of exports without ids)."""
    basis = "|".join(str(row.get(k, "")).strip().casefold() for k in ("name", "address", "insee", "postcode", "commune"))
    return f"{prefix}-{hashlib.sha1(basis.encode()).hexdigest()[:10]}"


# --------------------------------------------------------------------------- the reader
def read_actors(
    path: str | Path,
    reference: str | Path | None = None,
    mapping: str | Path | dict | None = None,
    communes: gpd.GeoDataFrame | None = None,
    layer: str | None = None,
) -> RegistryResult:
    """Read, validate, geocode and join an actor registry.

    Parameters
    ----------
    path : str or Path
        CSV, XLS/XLSX, GeoJSON, GeoPackage or data·inclusion JSON file.
    reference : str or Path, optional
        Reference territory (see :func:`atlas.territory.reference.load_communes`).
    mapping : dict, str or Path, optional
        Column mapping or preset name (see :func:`load_mapping`).
    communes : geopandas.GeoDataFrame, optional
        Already loaded reference communes (overrides ``reference``).
    layer : str, optional
        Layer of a GeoPackage.

    Returns
    -------
    RegistryResult
    """
    raw, lines = read_raw_table(path, layer=layer)
    communes = communes if communes is not None else load_communes(reference)
    result = validate_actors(raw, lines, communes, load_mapping(mapping),
                             id_prefix=schema.slug(Path(path).stem)[:24])
    result.path = str(path)
    return result


def validate_actors(
    raw: pd.DataFrame,
    lines: list[int],
    communes: gpd.GeoDataFrame,
    mapping: dict | None = None,
    id_prefix: str = "acteur",
) -> RegistryResult:
    """Validate raw registry rows (see :func:`read_actors`), returning accepted and rejected rows."""
    mapping = mapping or {}
    canon = _canonical_frame(raw, mapping)
    src_crs = raw.attrs.get("__crs__", WGS84)
    validator = jsonschema.Draft202012Validator(schema.ACTOR_SCHEMA)
    gaz = Gazetteer(communes)
    region = shapely.union_all(communes.geometry.values)
    region_zone = shapely.buffer(shapely.envelope(region), OUTSIDE_TOLERANCE_M)
    shapely.prepare(region)
    prefix = mapping.get("id_prefix", id_prefix)
    region_deps = {pc[:2] for pcs in communes["postcodes"] for pc in str(pcs).split(",") if pc}

    accepted: list[dict] = []
    rejected: list[tuple[int, str, int]] = []  # (line, reason, raw position)
    notes: list[tuple[int, str, str]] = []
    seen_ids: dict[str, int] = {}

    for pos, row in enumerate(canon.to_dict("records")):
        line = lines[pos]
        rec = {c: str(row.get(c, "")).strip() for c in schema.HEADER_ALIASES}
        warn: list[str] = []

        def reject(reason: str, _line: int = line, _pos: int = pos) -> None:
            rejected.append((_line, reason, _pos))

        if not rec["name"]:
            reject("nom manquant")
            continue
        kind_given = rec["kind"]
        rec["kind"] = _vocab(kind_given, schema.KIND_ALIASES)
        if rec["kind"] is None:
            reject(f"type d'acteur inconnu : « {kind_given} » (attendu : {', '.join(schema.KIND_LABELS)})")
            continue
        if not rec["kind"]:
            reject("type d'acteur manquant")
            continue
        for col, aliases, label in (("access", schema.ACCESS_ALIASES, "conditions d'accès"),
                                    ("mode", schema.MODE_ALIASES, "mode (fixe/mobile)")):
            given = rec[col]
            rec[col] = _vocab(given, aliases)
            if rec[col] is None:
                rec[col] = ""
                warn.append(f"{label} non reconnu(es) : « {given} » (ignoré)")
        rec["mode"] = rec["mode"] or "fixed"
        rec["network"], unknown_nets = _networks(rec["network"])
        if unknown_nets:
            warn.append(f"réseau hors liste connue : {', '.join(unknown_nets)}")
        rec["services"] = _list_slugs(rec["services"])
        rec["world"] = schema.slug(rec["world"]) or schema.KIND_WORLD[rec["kind"]]
        rec["precision"] = {"adresse": "address", "commune": "commune", "inconnue": "unknown"}.get(
            schema.slug(rec["precision"]), schema.slug(rec["precision"]))
        rec["postcode"] = rec["postcode"].replace(" ", "")
        if not rec["postcode"] and rec["address"]:  # « 3 rue Henry Dunant   1000 BOURG EN BRESSE »
            found = re.findall(r"(?:^|\s)(\d{4,5})\s+([A-Za-zÀ-ÿ][^\d,]*)", rec["address"])
            if found:
                rec["postcode"] = found[-1][0].zfill(5)
                rec["commune"] = rec["commune"] or found[-1][1].strip()
        if re.fullmatch(r"\d{4}", rec["postcode"]):
            rec["postcode"] = "0" + rec["postcode"]  # lost leading zero (Excel)
        if re.fullmatch(r"\d{4}", rec["insee"]):
            rec["insee"] = "0" + rec["insee"]
        rec["insee"] = rec["insee"].upper()
        if not rec["id"]:
            rec["id"] = _stable_id(prefix, rec)
        errors = sorted(validator.iter_errors({k: v for k, v in rec.items() if k in schema.ACTOR_SCHEMA["properties"]}),
                        key=lambda e: list(e.path))
        if errors:
            err = errors[0]
            fieldname = err.path[0] if err.path else "?"
            label = schema.FIELD_LABELS_FR.get(str(fieldname), str(fieldname))
            reject(f"{label} invalide : « {rec.get(str(fieldname), '')} »")
            continue
        if rec["id"] in seen_ids:
            reject(f"identifiant en double : « {rec['id']} » (déjà ligne {seen_ids[rec['id']]})")
            continue

        # ---- coordinates
        x = y = float("nan")
        coord_source = ""
        gx, gy = row.get("__gx__", np.nan), row.get("__gy__", np.nan)
        if pd.notna(gx) and pd.notna(gy):
            if str(src_crs).upper().endswith("4326") or "WGS 84" in str(src_crs):
                rec["lon"], rec["lat"] = str(gx), str(gy)
            else:
                pt = gpd.GeoSeries(gpd.points_from_xy([gx], [gy]), crs=src_crs).to_crs(L93)
                x, y, coord_source = float(pt.x[0]), float(pt.y[0]), "xy"
        lon, lat = parse_number(rec["lon"]), parse_number(rec["lat"])
        px, py = parse_number(rec["x"]), parse_number(rec["y"])
        bad = [v for v in (lon, lat, px, py) if v is not None and math.isnan(v)]
        if bad:
            reject("coordonnées illisibles : " + " ; ".join(f"« {rec[k]} »" for k in ("lon", "lat", "x", "y") if rec[k]))
            continue
        if coord_source:
            pass
        elif px is not None and py is not None:
            x, y, coord_source = px, py, "xy"
        elif lon is not None and lat is not None:
            if looks_like_l93(lon, lat):
                x, y, coord_source = lon, lat, "xy"
                warn.append("coordonnées en Lambert-93 dans les colonnes longitude/latitude")
            elif not (-180 <= lon <= 180 and -90 <= lat <= 90):
                reject(f"coordonnées impossibles : longitude {lon}, latitude {lat}")
                continue
            else:
                xs, ys = lonlat_to_l93([lon], [lat])
                x, y, coord_source = float(xs[0]), float(ys[0]), "lonlat"
        elif (lon is None) != (lat is None) or (px is None) != (py is None):
            reject("coordonnées incomplètes (une seule des deux valeurs)")
            continue

        if coord_source:
            p = shapely.Point(x, y)
            if not shapely.intersects(region_zone, p) or shapely.distance(region, p) > NEAREST_COMMUNE_M:
                if coord_source == "lonlat" and -90 <= lon <= 90:
                    sx, sy = lonlat_to_l93([lat], [lon])
                    swapped = shapely.Point(sx[0], sy[0])
                    if np.isfinite([sx[0], sy[0]]).all() and shapely.distance(region, swapped) <= NEAREST_COMMUNE_M:
                        reject(f"latitude et longitude inversées (latitude {lat}, longitude {lon})")
                        continue
                reject(f"coordonnées hors du territoire ({_describe_point(x, y)})")
                continue
            rec["precision"] = rec["precision"] or "address"
        else:
            # ---- offline geocoding to the commune's town hall
            m = gaz.by_insee(rec["insee"]) if rec["insee"] else None
            if rec["insee"] and not m.found:
                reject(f"code INSEE inconnu : « {rec['insee']} »")
                continue
            if (m is None or not m.found) and rec["postcode"]:
                if rec["postcode"][:2] not in region_deps:
                    reject(f"code postal hors du territoire : « {rec['postcode']} »")
                    continue
                names = [rec["commune"], *mapping.get("_extra_names", [])]
                m = gaz.by_postcode_name(rec["postcode"], names)
            if m is not None and m.found:
                x, y = m.x, m.y
                rec["precision"] = "commune"
                if m.note:
                    warn.append(m.note)
            elif not (rec["insee"] or rec["postcode"] or rec["commune"] or rec["address"]):
                if mapping.get("require_location"):  # lists wider than the territory
                    reject("aucune indication de lieu (ni coordonnées, ni code INSEE, ni code postal, ni commune)")
                    continue
                rec["precision"] = "unknown"
                warn.append("aucune indication de lieu : acteur gardé, sans position sur les cartes")
            elif rec["commune"] and not rec["postcode"] and not rec["insee"] and not gaz.has_name(rec["commune"]):
                reject(f"commune « {rec['commune']} » inconnue dans le territoire")
                continue
            else:
                rec["precision"] = "unknown"
                if rec["commune"] and not rec["postcode"]:
                    warn.append(f"commune « {rec['commune']} » sans code postal ni code INSEE : non localisée "
                                "(un nom de commune seul est ambigu)")
                else:
                    warn.append("adresse non localisée")

        if rec["opening_hours"] and not is_valid_hours(rec["opening_hours"]):
            warn.append(f"horaires illisibles (syntaxe OpenStreetMap attendue), gardés tels quels : « {rec['opening_hours']} »")
        if rec["closures"] and not is_valid_closures(rec["closures"]):
            warn.append(f"fermetures temporaires illisibles, gardées telles quelles : « {rec['closures']} »")
        seen_ids[rec["id"]] = line
        rec["line"] = line
        rec["_x"], rec["_y"] = x, y
        rec["_declared_insee"] = rec["insee"]
        accepted.append(rec)
        for w in warn:
            notes.append((line, rec["id"], w))

    ids = {r["id"]: r for r in accepted}
    for r in accepted:  # a mobile stop names its truck
        if r["route"] and r["route"] not in ids:
            notes.append((r["line"], r["id"], f"tournée « {r['route']} » inconnue dans ce registre"))
    acc = _finish_accepted(accepted, communes, gaz, notes)
    rej = _rejected_frame(raw, rejected)
    warn_df = pd.DataFrame(notes, columns=["line", "id", "message"]).sort_values("line", kind="stable")
    result = RegistryResult(acc, rej, warn_df.reset_index(drop=True), n_read=len(raw))
    assert result.n_read == len(result.accepted) + len(result.rejected)
    return result


def _describe_point(x: float, y: float) -> str:
    from atlas.crs import l93_to_lonlat

    lon, lat = l93_to_lonlat([x], [y])
    return f"longitude {lon[0]:.4f}, latitude {lat[0]:.4f}"


def _rejected_frame(raw: pd.DataFrame, rejected: list[tuple[int, str, int]]) -> pd.DataFrame:
    if not rejected:
        cols = ["line", "reason", *[c for c in raw.columns if not c.startswith("__")]]
        return pd.DataFrame(columns=cols)
    pos = [p for _, _, p in rejected]
    body = raw.iloc[pos].drop(columns=[c for c in raw.columns if c.startswith("__")]).reset_index(drop=True)
    body = body.astype(str)
    head = pd.DataFrame({"line": [ln for ln, _, _ in rejected], "reason": [r for _, r, _ in rejected]})
    return pd.concat([head, body], axis=1)


def _finish_accepted(
    accepted: list[dict], communes: gpd.GeoDataFrame, gaz: Gazetteer, notes: list
) -> gpd.GeoDataFrame:
    cols = [c for c in schema.ACTOR_COLUMNS if c not in ("lon", "lat")]
    if not accepted:
        empty = gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in [*cols, "line"]},
                                 geometry=gpd.GeoSeries([], crs=L93), crs=L93)
        for c in ("epci", "epci_name", "dep", "lon", "lat", "fictitious"):
            empty[c] = pd.Series(dtype=object)
        return empty
    df = pd.DataFrame(accepted)
    xs, ys = df.pop("_x").to_numpy(float), df.pop("_y").to_numpy(float)
    ok = ~(np.isnan(xs) | np.isnan(ys))
    geom = np.array([None] * len(df), dtype=object)
    geom[ok] = shapely.points(xs[ok], ys[ok])
    gdf = gpd.GeoDataFrame(df, geometry=list(geom), crs=L93)
    # ---- spatial join to communes (points with coordinates)
    joined = join_communes(gdf, communes)
    for i, (declared, found, how) in enumerate(zip(gdf["_declared_insee"], joined["insee"], joined["_how"], strict=True)):
        rid, line = gdf["id"].iloc[i], gdf["line"].iloc[i]
        if how == "nearest":
            notes.append((line, rid, f"point hors des limites communales, rattaché à {found} ({gaz.name_of(found)})"))
        elif how == "none" and ok[i]:
            notes.append((line, rid, "point hors de toute commune (non rattaché)"))
        if declared and found and gaz.today_code(declared) not in (found, None):
            notes.append((line, rid, f"coordonnées dans la commune {found} ({gaz.name_of(found)}), "
                                        f"code INSEE déclaré {declared}"))
    gdf["insee"] = joined["insee"].to_numpy()
    nojoin = gdf["insee"] == ""
    if nojoin.any():  # not locatable: keep the declared commune when it is known
        gdf.loc[nojoin, "insee"] = [gaz.today_code(c) or "" for c in gdf.loc[nojoin, "_declared_insee"]]
    attrs = communes.set_index("insee")
    for col in ("epci", "epci_name", "dep"):
        gdf[col] = gdf["insee"].map(attrs[col]).fillna("")
    gdf["commune"] = [c or gaz.name_of(i) for c, i in zip(gdf["commune"], gdf["insee"], strict=True)]
    gdf["commune_name"] = gdf["insee"].map(attrs["name"]).fillna(gdf["commune"])
    gdf["fictitious"] = gdf["source"].str.contains("fictif|fictive|fictitious", case=False, regex=True)
    lonlat = to_wgs84(gdf).geometry
    gdf["lon"] = np.where(ok, lonlat.x.round(6), np.nan) if ok.any() else np.nan
    gdf["lat"] = np.where(ok, lonlat.y.round(6), np.nan) if ok.any() else np.nan
    keep = [*cols, "commune_name", "epci", "epci_name", "dep", "lon", "lat", "fictitious", "line", "geometry"]
    return gdf[keep].reset_index(drop=True)


def join_communes(points: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> pd.DataFrame:
    """INSEE code of the commune containing each point.

    Points inside no commune polygon but within :data:`NEAREST_COMMUNE_M` of one (coastline,
    simplified borders) get the nearest commune.

    Returns
    -------
    pandas.DataFrame
        Same length as ``points``: ``insee`` ("" if none) and ``_how`` (``within``, ``nearest``,
        ``none``).
    """
    pts = points.geometry.to_numpy()
    has = np.array([g is not None and not shapely.is_empty(g) for g in pts], dtype=bool)
    insee = np.array([""] * len(points), dtype=object)
    how = np.array(["none"] * len(points), dtype=object)
    if has.any():
        tree = shapely.STRtree(communes.geometry.values)
        idx_pts, idx_com = tree.query(pts[has], predicate="within")
        rows = np.flatnonzero(has)
        # a point on a shared border: keep the first commune
        first = pd.Series(idx_com).groupby(idx_pts).first()
        insee[rows[first.index.to_numpy()]] = communes["insee"].to_numpy()[first.to_numpy()]
        how[rows[first.index.to_numpy()]] = "within"
        missing = rows[np.isin(np.arange(len(rows)), first.index.to_numpy(), invert=True)]
        if len(missing):
            near_pts, near_com = tree.query_nearest(pts[missing], max_distance=NEAREST_COMMUNE_M, all_matches=False)
            insee[missing[near_pts]] = communes["insee"].to_numpy()[near_com]
            how[missing[near_pts]] = "nearest"
    return pd.DataFrame({"insee": insee, "_how": how})
