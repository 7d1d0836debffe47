"""Actor registries: validate, geocode and join to communes.

Files are read by :mod:`atlas.registry.readers` (CSV exported from Excel in France, Excel files,
GeoJSON, GeoPackage, data·inclusion and Soliguide exports). Each row is then checked step by step:
its fields are normalised (vocabularies, networks, slugs, codes, ids), it is located from its
coordinates (swapped latitude and longitude, Lambert-93 values in the longitude/latitude columns
and points outside the region are caught) or, failing that, placed on its commune's town hall,
and its opening hours and closures are checked.

Nothing is silently dropped: every row read ends up either accepted or rejected, a rejected row
keeps its line number (file line for CSV, row for spreadsheets, feature number for GeoJSON) and
a French reason, and ``n_read == len(accepted) + len(rejected)``.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import jsonschema
import numpy as np
import pandas as pd
import shapely

from atlas.crs import L93, WGS84, l93_to_lonlat, lonlat_to_l93, looks_like_l93, to_wgs84
from atlas.registry import schema
from atlas.registry.geocoding import geocode_records, make_geocoder
from atlas.registry.hours import is_valid_closures, is_valid_hours
from atlas.registry.readers import canonical_frame, load_mapping, name_header_keys, parse_number, read_raw_table
from atlas.registry.results import RegistryResult, rejected_frame, warnings_frame
from atlas.registry.vocabulary import ACCESS, KINDS, MODES, NETWORKS, SERVICES, Vocabulary, read_list
from atlas.territory.ban import BanIndex
from atlas.territory.gazetteer import Gazetteer, Match
from atlas.territory.reference import load_communes

#: A point farther than this from every commune of the region is outside the territory (m).
OUTSIDE_TOLERANCE_M = 5_000.0
#: A point outside commune polygons but closer than this is attached to the nearest commune (m).
NEAREST_COMMUNE_M = 1_000.0


# --------------------------------------------------------------------------- the reader
def read_actors(
    path: str | Path,
    reference: str | Path | None = None,
    mapping: str | Path | dict | None = None,
    communes: gpd.GeoDataFrame | None = None,
    layer: str | None = None,
    *,
    sheet: str | list[str] | None = None,
    ban: str | Path | BanIndex | None = None,
    geocoder: str | None = None,
) -> RegistryResult:
    """Read, validate, geocode and join an actor registry.

    Parameters
    ----------
    path : str or Path
        CSV, XLS/XLSX/ODS, GeoJSON, GeoPackage or data·inclusion JSON file.
    reference : str or Path, optional
        Reference territory (see :func:`atlas.territory.reference.load_communes`).
    mapping : dict, str or Path, optional
        Column mapping or preset name (see :func:`atlas.registry.readers.load_mapping`).
    communes : geopandas.GeoDataFrame, optional
        Already loaded reference communes (overrides ``reference``).
    layer : str, optional
        Layer of a GeoPackage.
    sheet : str or list of str, optional
        Sheets of a workbook to read (default: every sheet with a name column; the others are
        reported in ``result.sheets``).
    ban : path or BanIndex, optional
        BAN département file(s) (file, folder, or an index already loaded): the rows without
        coordinates but with an address are placed at it (:mod:`atlas.registry.geocoding`).
    geocoder : str, optional
        ``"en-ligne"``: geocode those rows with the BAN's online service (never called otherwise).

    Returns
    -------
    RegistryResult
    """
    mapping = load_mapping(mapping)
    raw, lines = read_raw_table(path, layer=layer, sheet=sheet, header_keys=name_header_keys(mapping))
    communes = communes if communes is not None else load_communes(reference)
    result = validate_actors(raw, lines, communes, mapping, id_prefix=schema.slug(Path(path).stem)[:24],
                             ban=ban, geocoder=geocoder)
    result.path = str(path)
    result.sheets = list(raw.attrs.get("sheets", []))
    return result


@dataclass
class _Checks:
    """What every row is checked against: the schema, the territory and the mapping's options."""

    validator: jsonschema.Draft202012Validator
    gaz: Gazetteer
    tree: shapely.STRtree  # the communes (distance to the region = to the nearest commune)
    region_zone: shapely.Geometry  # the region's envelope widened by OUTSIDE_TOLERANCE_M
    region_deps: set[str]  # départements of the region (first two digits of postcodes)
    src_crs: str  # CRS of the file's geometries
    prefix: str  # of ids computed for rows without one
    mapping: dict

    @classmethod
    def build(cls, communes: gpd.GeoDataFrame, mapping: dict, src_crs: str, prefix: str) -> _Checks:
        region_zone = shapely.buffer(shapely.box(*communes.total_bounds), OUTSIDE_TOLERANCE_M)
        return cls(
            validator=jsonschema.Draft202012Validator(schema.ACTOR_SCHEMA),
            gaz=Gazetteer(communes),
            tree=shapely.STRtree(communes.geometry.values),
            region_zone=region_zone,
            region_deps={pc[:2] for pcs in communes["postcodes"].tolist() for pc in str(pcs).split(",") if pc},
            src_crs=src_crs,
            prefix=prefix,
            mapping=mapping,
        )


@dataclass
class _Row:
    """One row being checked: its canonical fields, its warnings and its point so far."""

    rec: dict[str, str]
    gx: float  # point of the file's geometry (file CRS), NaN when none
    gy: float
    warn: list[str] = field(default_factory=list)
    x: float = float("nan")  # Lambert-93
    y: float = float("nan")
    source: str = ""  # where the point comes from: "xy", "lonlat", or "" (none yet)
    lon: float | None = None  # as parsed from the longitude/latitude columns
    lat: float | None = None


def validate_actors(
    raw: pd.DataFrame,
    lines: list[int],
    communes: gpd.GeoDataFrame,
    mapping: dict | None = None,
    id_prefix: str = "acteur",
    *,
    ban: str | Path | BanIndex | None = None,
    geocoder: str | None = None,
) -> RegistryResult:
    """Validate raw registry rows (see :func:`read_actors`), returning accepted and rejected rows.

    With ``ban`` or ``geocoder`` (see :func:`read_actors`), the accepted rows placed at their town
    hall that have an address are geocoded in one call once every row is checked.
    """
    mapping = mapping or {}
    canon = canonical_frame(raw, mapping)
    checks = _Checks.build(communes, mapping, raw.attrs.get("__crs__", WGS84), mapping.get("id_prefix", id_prefix))
    accepted: list[dict] = []
    rejected: list[tuple[int, str, int]] = []  # (line, reason, raw position)
    notes: list[tuple[int, str, str]] = []
    seen_ids: dict[str, str] = {}
    sheets = raw["__sheet__"].astype(str).tolist() if "__sheet__" in raw.columns else None
    sheet_of: dict[str, str] = {}  # accepted id -> its sheet

    for pos, values in enumerate(canon.to_dict("records")):
        line = lines[pos]
        row = _Row({c: str(values.get(c, "")).strip() for c in schema.HEADER_ALIASES},
                   values.get("__gx__", np.nan), values.get("__gy__", np.nan))
        where = f"{line}" if sheets is None else f"{line} de la feuille « {sheets[pos]} »"
        reason = _check_row(row, checks, seen_ids)
        if reason:
            rejected.append((line, reason, pos))
            continue
        rec = row.rec
        seen_ids[rec["id"]] = where
        if sheets is not None:
            sheet_of[rec["id"]] = sheets[pos]
        rec["line"] = line
        rec["_x"], rec["_y"] = row.x, row.y
        rec["_declared_insee"] = rec["insee"]
        accepted.append(rec)
        for w in row.warn:
            notes.append((line, rec["id"], w))

    geo = make_geocoder(ban, geocoder)
    if geo is not None:  # one call for the whole registry; never rejects a row
        notes += geocode_records(accepted, geo)
    ids = {r["id"]: r for r in accepted}
    for r in accepted:  # a mobile stop names its truck
        if r["route"] and r["route"] not in ids:
            notes.append((r["line"], r["id"], f"tournée « {r['route']} » inconnue dans ce registre"))
    acc = _finish_accepted(accepted, communes, checks.gaz, notes)
    warns = warnings_frame(notes)
    if sheets is not None:
        warns.insert(1, "sheet", warns["id"].map(sheet_of).fillna(""))
    result = RegistryResult(acc, rejected_frame(raw, rejected), warns, n_read=len(raw))
    assert result.n_read == len(result.accepted) + len(result.rejected)
    return result


def _check_row(row: _Row, checks: _Checks, seen_ids: dict[str, str]) -> str:
    """Normalise, check and locate one row: the reason to reject it, or "" to accept it."""
    reason = _check_name_and_kind(row) or _check_publication(row.rec)
    if reason:
        return reason
    _normalise_vocabularies(row)
    _check_contacts(row)
    _normalise_codes(row.rec)
    _normalise_date(row.rec)
    if not row.rec["id"]:
        row.rec["id"] = _stable_id(checks.prefix, row.rec)
    reason = _schema_error(row.rec, checks.validator) or _duplicate_id(row.rec, seen_ids) or _locate(row, checks)
    if not reason:
        _hours_warnings(row)
    return reason


# --------------------------------------------------------------------------- normalising fields
def _read_value(row: _Row, col: str, vocabulary: Vocabulary) -> str | None:
    """The canonical value of one field (a warning when it was guessed); None when unknown."""
    given = row.rec[col]
    reading = vocabulary.read(given)
    if reading.guessed:
        row.warn.append(vocabulary.understood(given, reading))
    return reading.value


def _networks(row: _Row) -> str:
    """Networks read by meaning; unknown ones are kept as slugs, with a warning."""
    out, unknown = [], []
    for part, reading in read_list(NETWORKS, row.rec["network"]):
        if reading.value is None:
            unknown.append(part)
            canon = schema.slug(part)
        else:
            canon = reading.value
            if reading.guessed:
                row.warn.append(NETWORKS.understood(part, reading))
        if canon and canon not in out:
            out.append(canon)
    if unknown:
        row.warn.append(f"réseau hors liste connue : {', '.join(unknown)}")
    return ",".join(out)


def _services(row: _Row) -> str:
    """Services read by meaning; an unknown one keeps its text (no silent slug), with a warning."""
    out, unknown = [], []
    for part, reading in read_list(SERVICES, row.rec["services"], ",|;/"):
        if reading.value is None:
            unknown.append(part)
        elif reading.guessed:
            row.warn.append(SERVICES.understood(part, reading))
        out.append(part if reading.value is None else reading.value)
    if unknown:
        row.warn.append("service hors liste connue, gardé tel quel : " + ", ".join(f"« {u} »" for u in unknown))
    return ",".join(dict.fromkeys(out))


def _stable_id(prefix: str, row: dict[str, str]) -> str:
    """An id that stays the same while the row's name and place do (rows of exports without ids)."""
    basis = "|".join(str(row.get(k, "")).strip().casefold() for k in ("name", "address", "insee", "postcode", "commune"))
    return f"{prefix}-{hashlib.sha1(basis.encode()).hexdigest()[:10]}"


def _check_name_and_kind(row: _Row) -> str:
    """A row needs a name and a known kind of actor (normalised in place, guesses said)."""
    rec = row.rec
    if not rec["name"]:
        return "nom manquant"
    kind_given = rec["kind"]
    reading = KINDS.read(kind_given)
    if reading.value is None:
        return KINDS.unknown(kind_given, reading)
    if not reading.value:
        return "type d'acteur manquant"
    if reading.guessed:
        row.warn.append(KINDS.understood(kind_given, reading))
    rec["kind"] = reading.value
    return ""


def _vocab(value: str, aliases: dict[str, str]) -> str | None:
    """Exact reading of a word (no guess): its canonical value, "" for an empty cell, None if unknown."""
    if not value:
        return ""
    return aliases.get(schema.slug(value))


def _check_publication(rec: dict[str, str]) -> str:
    """Status and visibility as canonical values; an unknown value rejects the row.

    An empty cell is an open, public site. A value atlas cannot read is not guessed: the row is
    rejected with the accepted words, so that a typo never puts a closed or reserved site on a
    map handed out to the public.
    """
    for col, aliases, labels, default, what in (
        ("status", schema.STATUS_ALIASES, schema.STATUS_LABELS, "open", "statut"),
        ("visibility", schema.VISIBILITY_ALIASES, schema.VISIBILITY_LABELS, "public", "visibilité"),
    ):
        given = rec[col]
        value = _vocab(given, aliases)
        if value is None:
            accepted = ", ".join(f"« {w} »" for w in labels.values())
            return f"{what} inconnu(e) : « {given} » (attendu : {accepted})"
        rec[col] = value or default
    return ""


_DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_MONTH_FIRST = re.compile(r"(\d{1,2})[/.-](\d{4})")


def _normalise_date(rec: dict[str, str]) -> None:
    """``updated`` as ``AAAA-MM-JJ``: French dates (15/03/2024, 03/2024) and date-times are read."""
    text = rec["updated"].strip()
    iso = re.fullmatch(r"(\d{4}-\d{2}-\d{2})[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?", text)
    day_first = _DAY_FIRST.fullmatch(text)
    month_first = _MONTH_FIRST.fullmatch(text)
    if iso:
        text = iso.group(1)
    elif day_first:
        d, m, y = day_first.groups()
        text = f"{y}-{int(m):02d}-{int(d):02d}"
    elif month_first:
        m, y = month_first.groups()
        text = f"{y}-{int(m):02d}"
    rec["updated"] = text


def _normalise_vocabularies(row: _Row) -> None:
    """Access, mode, networks, services, world and precision as canonical values (warnings for guessed or
    unknown ones)."""
    rec = row.rec
    for col, vocabulary in (("access", ACCESS), ("mode", MODES)):
        given = rec[col]
        rec[col] = _read_value(row, col, vocabulary)
        if rec[col] is None:
            rec[col] = ""
            row.warn.append(f"{vocabulary.field_fr} non reconnu(es) : « {given} » (ignoré)")
    rec["mode"] = rec["mode"] or "fixed"
    rec["network"] = _networks(row)
    rec["services"] = _services(row)
    rec["world"] = schema.slug(rec["world"]) or schema.KIND_WORLD[rec["kind"]]
    rec["precision"] = schema.PRECISION_ALIASES.get(schema.slug(rec["precision"]), schema.slug(rec["precision"]))


#: Links the web map makes (the same rules as its script): http(s) pages, e-mail addresses, phone numbers.
SAFE_URL = re.compile(r"^https?://[^\s\"'<>]+$", re.IGNORECASE)
SAFE_EMAIL = re.compile(r"^[^@\s\"'<>]+@[^@\s\"'<>]+\.[^@\s\"'<>]+$")
SAFE_PHONE = re.compile(r"^[0-9+().\s/\-]*$")


def _check_contacts(row: _Row) -> None:
    """Website, phone and e-mail that cannot be safe links are kept as text, with a warning."""
    rec = row.rec
    if rec["website"] and not SAFE_URL.match(rec["website"]):
        row.warn.append(f"site web gardé sans lien (une adresse http:// ou https:// est attendue) : « {rec['website']} »")
    phone = rec["phone"]
    if phone and not (SAFE_PHONE.match(phone) and sum(c.isdigit() for c in phone) >= 4):
        row.warn.append(f"téléphone gardé sans lien (des chiffres sont attendus) : « {phone} »")
    if rec["email"] and not SAFE_EMAIL.match(rec["email"]):
        row.warn.append(f"courriel gardé sans lien (une adresse nom@domaine.fr est attendue) : « {rec['email']} »")


def _normalise_codes(rec: dict[str, str]) -> None:
    """Postcode (also found at the end of an address) and INSEE code, with leading zeros lost by Excel."""
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


def _schema_error(rec: dict[str, str], validator: jsonschema.Draft202012Validator) -> str:
    """The first field the actor schema refuses, in field order ("" when valid)."""
    errors = sorted(validator.iter_errors({k: v for k, v in rec.items() if k in schema.ACTOR_SCHEMA["properties"]}),
                    key=lambda e: list(e.path))
    if not errors:
        return ""
    err = errors[0]
    fieldname = err.path[0] if err.path else "?"
    label = schema.FIELD_LABELS_FR.get(str(fieldname), str(fieldname))
    return f"{label} invalide : « {rec.get(str(fieldname), '')} »"


def _duplicate_id(rec: dict[str, str], seen_ids: dict[str, str]) -> str:
    if rec["id"] in seen_ids:
        return f"identifiant en double : « {rec['id']} » (déjà ligne {seen_ids[rec['id']]})"
    return ""


# --------------------------------------------------------------------------- locating
def _locate(row: _Row, checks: _Checks) -> str:
    """A Lambert-93 point from the coordinates, checked against the region, else from the commune."""
    reason = _read_coordinates(row, checks.src_crs)
    if reason:
        return reason
    if row.source:
        return _check_in_region(row, checks)
    return _geocode(row, checks)


def _read_geometry(row: _Row, src_crs: str) -> None:
    """The file's own geometry: longitude/latitude when in WGS 84, else projected to Lambert-93."""
    if pd.notna(row.gx) and pd.notna(row.gy):
        if str(src_crs).upper().endswith("4326") or "WGS 84" in str(src_crs):
            row.rec["lon"], row.rec["lat"] = str(row.gx), str(row.gy)
        else:
            pt = gpd.GeoSeries(gpd.points_from_xy([row.gx], [row.gy]), crs=src_crs).to_crs(L93)
            row.x, row.y, row.source = float(pt.x[0]), float(pt.y[0]), "xy"


def _read_coordinates(row: _Row, src_crs: str) -> str:
    """Coordinates from the geometry, x/y or longitude/latitude columns (Lambert-93 values there too)."""
    rec = row.rec
    _read_geometry(row, src_crs)
    lon, lat = parse_number(rec["lon"]), parse_number(rec["lat"])
    px, py = parse_number(rec["x"]), parse_number(rec["y"])
    row.lon, row.lat = lon, lat
    bad = [v for v in (lon, lat, px, py) if v is not None and math.isnan(v)]
    if bad:
        return "coordonnées illisibles : " + " ; ".join(f"« {rec[k]} »" for k in ("lon", "lat", "x", "y") if rec[k])
    if any(v is not None and math.isinf(v) for v in (lon, lat, px, py)):
        return "coordonnées non finies (infini) : " + " ; ".join(f"« {rec[k]} »" for k in ("lon", "lat", "x", "y")
                                                                  if rec[k])
    if row.source:  # the file's geometry, already projected
        return ""
    if px is not None and py is not None:
        row.x, row.y, row.source = px, py, "xy"
    elif lon is not None and lat is not None:
        if looks_like_l93(lon, lat):
            row.x, row.y, row.source = lon, lat, "xy"
            row.warn.append("coordonnées en Lambert-93 dans les colonnes longitude/latitude")
        elif not (-180 <= lon <= 180 and -90 <= lat <= 90):
            return f"coordonnées impossibles : longitude {lon}, latitude {lat}"
        else:
            xs, ys = lonlat_to_l93([lon], [lat])
            row.x, row.y, row.source = float(xs[0]), float(ys[0]), "lonlat"
    elif (lon is None) != (lat is None) or (px is None) != (py is None):
        return "coordonnées incomplètes (une seule des deux valeurs)"
    return ""


def _check_in_region(row: _Row, checks: _Checks) -> str:
    """A point outside the region is rejected (as swapped latitude and longitude when that is why)."""
    p = shapely.Point(row.x, row.y)
    if not shapely.intersects(checks.region_zone, p) or not _near_region(checks, p):
        lon, lat = row.lon, row.lat
        if row.source == "lonlat" and -90 <= lon <= 90:
            sx, sy = lonlat_to_l93([lat], [lon])
            swapped = shapely.Point(sx[0], sy[0])
            if np.isfinite([sx[0], sy[0]]).all() and _near_region(checks, swapped):
                return f"latitude et longitude inversées (latitude {lat}, longitude {lon})"
        return f"coordonnées hors du territoire ({_describe_point(row.x, row.y)})"
    row.rec["precision"] = row.rec["precision"] or "address"
    return ""


def _near_region(checks: _Checks, p: shapely.Point) -> bool:
    """Within :data:`NEAREST_COMMUNE_M` of a commune of the region."""
    return len(checks.tree.query(p, predicate="dwithin", distance=NEAREST_COMMUNE_M)) > 0


def _describe_point(x: float, y: float) -> str:
    lon, lat = l93_to_lonlat([x], [y])
    return f"longitude {lon[0]:.4f}, latitude {lat[0]:.4f}"


# --------------------------------------------------------------------------- offline geocoding
def _commune_match(rec: dict[str, str], checks: _Checks) -> tuple[Match | None, str]:
    """The commune named by the INSEE code, else by the postcode and name (and the reason to reject)."""
    m = checks.gaz.by_insee(rec["insee"]) if rec["insee"] else None
    if rec["insee"] and not m.found:
        return m, f"code INSEE inconnu : « {rec['insee']} »"
    if (m is None or not m.found) and rec["postcode"]:
        if rec["postcode"][:2] not in checks.region_deps:
            return m, f"code postal hors du territoire : « {rec['postcode']} »"
        names = [rec["commune"], *checks.mapping.get("_extra_names", [])]
        m = checks.gaz.by_postcode_name(rec["postcode"], names)
    return m, ""


def _geocode(row: _Row, checks: _Checks) -> str:
    """Without coordinates: the point of the commune's town hall, or kept unlocated (with a warning)."""
    m, reason = _commune_match(row.rec, checks)
    if reason:
        return reason
    if m is not None and m.found:
        row.x, row.y = m.x, m.y
        row.rec["precision"] = "commune"
        row.rec["_town_insee"] = m.insee  # an address may then place it better (geocoding.py)
        if m.note:
            row.warn.append(m.note)
        return ""
    return _unlocated(row, checks)


def _unlocated(row: _Row, checks: _Checks) -> str:
    """A row whose place is not found: kept without a point, unless its commune is unknown."""
    rec = row.rec
    if not (rec["insee"] or rec["postcode"] or rec["commune"] or rec["address"]):
        if checks.mapping.get("require_location"):  # lists wider than the territory
            return "aucune indication de lieu (ni coordonnées, ni code INSEE, ni code postal, ni commune)"
        rec["precision"] = "unknown"
        row.warn.append("aucune indication de lieu : acteur gardé, sans position sur les cartes")
    elif rec["commune"] and not rec["postcode"] and not rec["insee"] and not checks.gaz.has_name(rec["commune"]):
        return f"commune « {rec['commune']} » inconnue dans le territoire"
    else:
        rec["precision"] = "unknown"
        if rec["commune"] and not rec["postcode"]:
            row.warn.append(f"commune « {rec['commune']} » sans code postal ni code INSEE : non localisée "
                            "(un nom de commune seul est ambigu)")
        else:
            row.warn.append("adresse non localisée")
    return ""


# --------------------------------------------------------------------------- hours
def _hours_warnings(row: _Row) -> None:
    """Opening hours and closures that atlas cannot read are kept as written, with a warning."""
    rec = row.rec
    if rec["opening_hours"] and not is_valid_hours(rec["opening_hours"]):
        row.warn.append(f"horaires illisibles (syntaxe OpenStreetMap attendue), gardés tels quels : « {rec['opening_hours']} »")
    if rec["closures"] and not is_valid_closures(rec["closures"]):
        row.warn.append(f"fermetures temporaires illisibles, gardées telles quelles : « {rec['closures']} »")


# --------------------------------------------------------------------------- accepted rows
def _finish_accepted(
    accepted: list[dict], communes: gpd.GeoDataFrame, gaz: Gazetteer, notes: list
) -> gpd.GeoDataFrame:
    cols = [c for c in schema.ACTOR_COLUMNS if c not in ("lon", "lat")]
    if not accepted:
        empty = gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in [*cols, "line"]},
                                 geometry=gpd.GeoSeries([], crs=L93), crs=L93)
        for c in ("epci", "epci_name", "dep", "lon", "lat", *schema.GEOCODE_COLUMNS, "fictitious"):
            empty[c] = pd.Series(dtype=object)
        return empty
    df = pd.DataFrame(accepted)
    xs, ys = df.pop("_x").to_numpy(float), df.pop("_y").to_numpy(float)
    geocoded = _geocode_columns(df)
    ok = ~(np.isnan(xs) | np.isnan(ys))
    geom = np.array([None] * len(df), dtype=object)
    geom[ok] = shapely.points(xs[ok], ys[ok])
    gdf = gpd.GeoDataFrame(df, geometry=list(geom), crs=L93)
    # ---- spatial join to communes (points with coordinates)
    joined = join_communes(gdf, communes)
    for i, (declared, found, how) in enumerate(zip(gdf["_declared_insee"], joined["insee"], joined["_how"], strict=True)):
        rid, line = gdf["id"].iloc[i], gdf["line"].iloc[i]
        if geocoded[i]:  # a BAN point: its commune is the one the BAN searched in
            continue
        if how == "nearest":
            notes.append((line, rid, f"point hors des limites communales, rattaché à {found} ({gaz.name_of(found)})"))
        elif how == "none" and ok[i]:
            notes.append((line, rid, "point hors de toute commune (non rattaché)"))
        if declared and found and gaz.today_code(declared) not in (found, None):
            notes.append((line, rid, f"coordonnées dans la commune {found} ({gaz.name_of(found)}), "
                                        f"code INSEE déclaré {declared}"))
    gdf["insee"] = np.where(geocoded != "", geocoded, joined["insee"].to_numpy())
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
    keep = [*cols, "commune_name", "epci", "epci_name", "dep", "lon", "lat", *schema.GEOCODE_COLUMNS, "fictitious",
            "line", "geometry"]  # fmt: skip
    return gdf[keep].reset_index(drop=True)


def _geocode_columns(df: pd.DataFrame) -> np.ndarray:
    """Geocoding columns of the accepted rows (empty where not geocoded); the commune of each row
    placed by the BAN ("" for the others). Internal columns are dropped."""
    geocoded = df.pop("_geo_insee").fillna("").to_numpy(object) if "_geo_insee" in df else np.full(len(df), "")
    if "_town_insee" in df:
        del df["_town_insee"]
    df["geocode_score"] = pd.to_numeric(df["geocode_score"], errors="coerce") if "geocode_score" in df else np.nan
    for col in ("geocode_label", "geocode_reason"):
        df[col] = df[col].fillna("") if col in df else ""
    return geocoded


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
