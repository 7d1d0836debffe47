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

import functools
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

from atlas.crs import L93, WGS84, l93_to_lonlat
from atlas.registry import fields, schema
from atlas.registry.geocoding.rows import geocode_records, make_geocoder
from atlas.registry.hours import is_valid_closures, is_valid_hours
from atlas.registry.locate import (
    NEAREST_COMMUNE_M,
    OUTSIDE_TOLERANCE_M,
    Checks,
    Located,
    Territory,
    locate,
    numbered,
    per_combination,
    per_value,
    taken,
    territory_of,
)
from atlas.registry.readers import (
    STRIPPED_ATTR,
    canonical_frame,
    load_mapping,
    name_header_keys,
    no_cyclic_gc,
    read_raw_table,
    without_url_escapes,
)
from atlas.registry.results import RegistryResult, rejected_frame, warnings_frame
from atlas.registry.vocabulary import ACCESS, MODES, Vocabulary
from atlas.territory.geocoding.ban import BanIndex
from atlas.territory.reference import load_communes

__all__ = ["NEAREST_COMMUNE_M", "OUTSIDE_TOLERANCE_M", "join_communes", "read_actors", "validate_actors"]


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
        coordinates but with an address are placed at it (:mod:`atlas.registry.geocoding.rows`).
    geocoder : str, optional
        ``"en-ligne"``: geocode those rows with the BAN's online service (never called otherwise).

    Returns
    -------
    RegistryResult

    Examples
    --------
    >>> import atlas
    >>> from atlas import settings
    >>> result = atlas.read_actors(settings.raw_dir() / "actors.csv")
    >>> len(result.accepted), len(result.rejected)
    (190, 0)
    """
    mapping = load_mapping(mapping)
    raw, lines = read_raw_table(path, layer=layer, sheet=sheet, header_keys=name_header_keys(mapping))
    communes = communes if communes is not None else load_communes(reference)
    result = validate_actors(raw, lines, communes, mapping, id_prefix=schema.slug(Path(path).stem)[:24],
                             ban=ban, geocoder=geocoder, url_escapes=not without_url_escapes(path))
    result.path = str(path)
    result.sheets = list(raw.attrs.get("sheets", []))
    return result


def validate_actors(
    raw: pd.DataFrame,
    lines: list[int],
    communes: gpd.GeoDataFrame,
    mapping: dict | None = None,
    id_prefix: str = "acteur",
    *,
    ban: str | Path | BanIndex | None = None,
    geocoder: str | None = None,
    url_escapes: bool = True,
) -> RegistryResult:
    """Validate raw registry rows (see :func:`read_actors`), returning accepted and rejected rows.

    Every rule reads one row, but the work is done by column: each rule runs once per distinct
    value of its fields, coordinates are parsed, projected and checked against the region for all
    rows at once (:mod:`atlas.registry.locate`). A row's reason to be rejected is the first of, in
    order: name and kind, status and visibility, schema (first field in alphabetical order),
    duplicate id, location.

    With ``ban`` or ``geocoder`` (see :func:`read_actors`), the accepted rows placed at their town
    hall that have an address are geocoded in one call once every row is checked. With
    ``url_escapes=False`` the cells are not searched for URL escapes (see
    :func:`atlas.registry.readers.canonical_frame`).
    """
    with no_cyclic_gc():
        return _validate(raw, lines, communes, mapping or {}, id_prefix, ban=ban, geocoder=geocoder,
                         url_escapes=url_escapes)


def _validate(raw: pd.DataFrame, lines: list[int], communes: gpd.GeoDataFrame, mapping: dict, id_prefix: str, *,
              ban: str | Path | BanIndex | None, geocoder: str | None, url_escapes: bool) -> RegistryResult:
    canon = canonical_frame(raw, mapping, url_escapes=url_escapes)
    n = len(canon)
    checks = Checks.build(communes, mapping, raw.attrs.get("__crs__", WGS84), mapping.get("id_prefix", id_prefix))
    cols = _canonical_texts(canon, n)
    gx = canon["__gx__"].to_numpy(float) if "__gx__" in canon else np.full(n, np.nan)
    gy = canon["__gy__"].to_numpy(float) if "__gy__" in canon else np.full(n, np.nan)
    reasons, warns = _normalise_columns(cols, checks.prefix)
    where = _schema_errors(cols, [not r for r in reasons])
    reasons = [r or w for r, w in zip(reasons, where, strict=True)]
    located = locate(cols, gx, gy, checks)
    sheets = raw["__sheet__"].astype(str).tolist() if "__sheet__" in raw.columns else None
    keep, rejected = _accept(cols["id"], reasons, located.reason, lines, sheets)
    cols["precision"] = located.precision
    hours = _hours_column_warnings(cols)
    accepted_ids = taken(cols["id"], np.asarray(keep, dtype=int))
    notes = _row_notes(keep, accepted_ids, lines, (warns, located.warn, hours))
    accepted = _accepted_frame(cols, keep, lines, located)
    geo = make_geocoder(ban, geocoder)
    if geo is not None:  # one call for the whole registry; never rejects a row
        records = accepted.to_dict("records")
        for r in records:
            if not isinstance(r["_town_insee"], str):
                del r["_town_insee"]
        notes += geocode_records(records, geo)
        accepted = pd.DataFrame(records)
    ids = set(accepted_ids)
    for line, rid, route in zip(accepted["line"].tolist(), accepted_ids, accepted["route"].to_numpy(dtype=object),
                                strict=True):
        if route and route not in ids:  # a mobile stop names its truck
            notes.append((line, rid, f"tournée « {route} » inconnue dans ce registre"))
    acc = _finish_accepted(accepted, communes, checks.territory, notes)
    warns_frame = warnings_frame(notes)
    if sheets is not None:
        sheet_of = {rid: sheets[i] for i, rid in zip(keep, accepted_ids, strict=True)}
        warns_frame.insert(1, "sheet", warns_frame["id"].map(sheet_of).fillna(""))
    result = RegistryResult(acc, rejected_frame(raw, rejected), warns_frame, n_read=len(raw))
    assert result.n_read == len(result.accepted) + len(result.rejected)
    return result


def _row_notes(keep: list[int], ids: list[str], lines: list[int],
               warnings: tuple[list, ...]) -> list[tuple[int, str, str]]:
    """``(line, id, warning)`` of each warning of the kept rows, in order (those without any
    warning skipped at once)."""
    some = np.zeros(len(lines), dtype=bool)
    for each in warnings:
        some |= np.fromiter(map(bool, each), dtype=bool, count=len(each))
    kept = np.asarray(keep, dtype=int)
    noted = np.flatnonzero(some[kept]).tolist()
    return [(lines[i], ids[j], w) for j, i in zip(noted, kept[noted].tolist(), strict=True)
            for each in warnings for w in each[i]]


def _canonical_texts(canon: pd.DataFrame, n: int) -> dict[str, list[str]]:
    """Every canonical column as stripped text (:func:`_texts`; "" where absent); the columns
    :func:`canonical_frame` says are stripped text already are taken as they are."""
    stripped = set(canon.attrs.get(STRIPPED_ATTR, ()))
    return {c: ((canon[c].to_numpy(dtype=object).tolist() if c in stripped else _texts(canon[c])) if c in canon
                else [""] * n) for c in schema.HEADER_ALIASES}


def _texts(values: pd.Series) -> list[str]:
    """A column's cells as stripped text (``str(cell).strip()``), by column when it is all text."""
    cells = values.to_numpy(dtype=object).tolist()
    try:
        return list(map(str.strip, cells))
    except TypeError:  # not all text
        return [str(v).strip() for v in cells]


def _accept(ids: list[str], reasons: list[str], where_located: list[str], lines: list[int],
            sheets: list[str] | None) -> tuple[list[int], list[tuple[int, str, int]]]:
    """Rows kept and rows rejected (line, reason, position), in order: an id already accepted
    makes a later row a duplicate (checked after the fields, before the location).

    By column: of the rows with neither a field's nor a location's reason, the first of each id
    is kept; a later row of that id without a field's reason is its duplicate."""
    n = len(ids)
    free = ~_truthy(reasons)  # no reason from the fields
    candidate = free & ~_truthy(where_located)
    codes, distinct = numbered(ids)
    kept_at = np.full(len(distinct), n, dtype=np.int64)  # the row kept of each id (n: none)
    rows = np.flatnonzero(candidate)
    kept_at[codes[rows[::-1]]] = rows[::-1]  # the first candidate of each id
    kept_of = kept_at[codes]
    everyone = np.arange(n)
    keep = candidate & (kept_of == everyone)
    duplicate = free & (kept_of < everyone)
    rejected: list[tuple[int, str, int]] = []
    for pos in np.flatnonzero(~keep).tolist():
        if duplicate[pos]:
            first = int(kept_of[pos])
            seen = f"{lines[first]}" if sheets is None else f"{lines[first]} de la feuille « {sheets[first]} »"
            reason = f"identifiant en double : « {ids[pos]} » (déjà ligne {seen})"
        else:
            reason = reasons[pos] or where_located[pos]
        rejected.append((lines[pos], reason, pos))
    return np.flatnonzero(keep).tolist(), rejected


def _accepted_frame(cols: dict[str, list[str]], keep: list[int], lines: list[int], located: Located) -> pd.DataFrame:
    """The accepted rows: their fields, line, point and the commune they are placed at."""
    idx = np.asarray(keep, dtype=int)
    frame = {c: _text_column(v, idx) for c, v in cols.items()}
    frame["line"] = taken(lines, idx)
    frame["_x"], frame["_y"] = located.x[idx], located.y[idx]
    frame["_declared_insee"] = frame["insee"]
    frame["_town_insee"] = pd.Series([located.town_insee[i] for i in keep], dtype=object)  # None: not at a town hall
    return pd.DataFrame(frame)


#: The dtype pandas gives a column built from a list of ``str``.
_STR = pd.StringDtype("pyarrow", na_value=np.nan)


def _text_column(values: list[str], idx: np.ndarray) -> list[str] | pd.api.extensions.ExtensionArray:
    """``[values[i] for i in idx]`` as the text column pandas would make of it, built by Arrow at
    once (a list when there is nothing to take, or when not every value is text)."""
    if not len(idx):
        return []
    if not any(values) and values.count("") == len(values):  # a column absent from the file: no text to convert
        return pd.arrays.ArrowStringArray(pa.repeat(pa.scalar("", type=pa.large_string()), len(idx)), dtype=_STR)
    try:
        text = pa.array(values, type=pa.large_string())
    except (pa.ArrowTypeError, pa.ArrowInvalid, UnicodeEncodeError):  # not text; lone surrogates
        text = None
    if text is None or text.null_count:
        return taken(values, idx)
    return pd.arrays.ArrowStringArray(text.take(idx), dtype=_STR)


def _normalise_columns(cols: dict[str, list[str]], prefix: str) -> tuple[list[str], list[tuple[str, ...]]]:
    """Name, kind, status and visibility checked, the other fields normalised (in place), each
    rule once per distinct value; returns each row's reason to be rejected ("") and warnings."""
    kind_reason, kind, kind_warn = per_value(cols["kind"], _kind_of, parts=3)
    reasons, status, visibility = per_combination([cols["status"], cols["visibility"]], _publication_of, parts=3)
    no_name, bad_kind = ~_truthy(cols["name"]), _truthy(kind_reason)
    for i in np.flatnonzero(bad_kind & ~no_name).tolist():  # the kind's reason comes before the status'
        reasons[i] = kind_reason[i]
    for i in np.flatnonzero(no_name).tolist():
        reasons[i] = "nom manquant"
    good = ~(no_name | bad_kind | _truthy(reasons))
    refused = np.flatnonzero(~good).tolist()
    for col, value in (("kind", kind), ("status", status), ("visibility", visibility)):
        given = cols[col]
        for i in refused:  # a refused row keeps its values as given
            value[i] = given[i]
        cols[col] = value
    per_field = [kind_warn]
    for col, fn in (("access", _access_of), ("mode", _mode_or_fixed), ("network", _network_of),
                    ("services", _services_of)):
        cols[col], warned = per_value(cols[col], fn, parts=2)
        per_field.append(warned)
    ok = good.tolist()
    cols["world"] = per_combination([cols["world"], cols["kind"], ok], _world_of)
    cols["precision"] = per_value(cols["precision"], _precision_of)
    for col in ("website", "phone", "email"):
        per_field.append(per_value(cols[col], functools.partial(_contact_warning, col)))
    in_address = per_value(_addresses_without_postcode(cols["postcode"], cols["address"]), fields.postcode_in_address)
    cols["postcode"], cols["commune"], cols["insee"] = per_combination(
        [cols["postcode"], in_address, cols["commune"], cols["insee"]], _codes_of, parts=3)
    cols["updated"] = per_value(cols["updated"], _date_of)
    ids = cols["id"] = list(cols["id"])
    for i in np.flatnonzero(good & ~_truthy(ids)).tolist():  # an accepted row without an id gets one
        ids[i] = fields.stable_id(prefix, {k: cols[k][i] for k in ("name", "address", "insee", "postcode", "commune")})
    warns = [sum(row, ()) for row in zip(*per_field, strict=True)]
    return reasons, warns


def _addresses_without_postcode(postcodes: list[str], addresses: list[str]) -> list[str]:
    """Each row's address where its postcode is empty (spaces aside), else ""."""
    out = np.empty(len(addresses), dtype=object)
    out[:] = addresses
    out[np.array(per_value(postcodes, _has_postcode), dtype=bool)] = ""
    return out.tolist()


def _has_postcode(postcode: str) -> bool:
    return bool(postcode.replace(" ", ""))


def _kind_of(kind: str) -> tuple[str, str, tuple[str, ...]]:
    row = fields.stub(name="-", kind=kind)
    reason = fields.check_name_and_kind(row)
    return reason, row.rec["kind"], tuple(row.warn)


def _publication_of(pair: tuple[str, str]) -> tuple[str, str, str]:
    rec = {"status": pair[0], "visibility": pair[1]}
    reason = fields.check_publication(rec)
    return reason, rec["status"], rec["visibility"]


def _vocabulary_of(col: str, vocabulary: Vocabulary, given: str) -> tuple[str, tuple[str, ...]]:
    """Access or mode as a canonical value (warnings for guessed or unknown ones)."""
    row = fields.stub(**{col: given})
    value = fields.read_value(row, col, vocabulary)
    if value is None:
        value = ""
        row.warn.append(f"{vocabulary.field_fr} non reconnu(es) : « {given} » (ignoré)")
    return value, tuple(row.warn)


_access_of = functools.partial(_vocabulary_of, "access", ACCESS)
_mode_of = functools.partial(_vocabulary_of, "mode", MODES)


def _mode_or_fixed(given: str) -> tuple[str, tuple[str, ...]]:
    """:func:`_mode_of`, a site without a mode being fixed."""
    value, warned = _mode_of(given)
    return value or "fixed", warned


def _network_of(value: str) -> tuple[str, tuple[str, ...]]:
    row = fields.stub(network=value)
    return fields.networks(row), tuple(row.warn)


def _services_of(value: str) -> tuple[str, tuple[str, ...]]:
    row = fields.stub(services=value)
    return fields.services(row), tuple(row.warn)


def _world_of(key: tuple[str, str, bool]) -> str:
    world, kind, valid = key
    return (schema.slug(world) or schema.KIND_WORLD[kind]) if valid else world


def _precision_of(value: str) -> str:
    return schema.PRECISION_ALIASES.get(schema.slug(value), schema.slug(value))


def _contact_warning(col: str, value: str) -> tuple[str, ...]:
    row = fields.stub(website="", phone="", email="")
    row.rec[col] = value
    fields.check_contacts(row)
    return tuple(row.warn)


def _codes_of(key: tuple[str, tuple[str, str] | None, str, str]) -> tuple[str, str, str]:
    """Postcode, commune and INSEE code normalised (:func:`fields.normalise_codes`) from the postcode, the
    postcode and commune found in the address (:func:`fields.postcode_in_address`), commune and code."""
    postcode, in_address, commune, insee = key
    rec = {"postcode": postcode, "commune": commune, "insee": insee}
    fields.normalise_codes(rec, in_address)
    return rec["postcode"], rec["commune"], rec["insee"]


def _date_of(value: str) -> str:
    rec = {"updated": value}
    fields.normalise_date(rec)
    return rec["updated"]


def _hours_column_warnings(cols: dict[str, list[str]]) -> list[tuple[str, ...]]:
    """Opening hours and closures that atlas cannot read are kept as written, with a warning."""
    hours, closures = cols["opening_hours"], cols["closures"]
    bad_hours = {v for v in set(hours) if v and not is_valid_hours(v)}
    bad_closures = {v for v in set(closures) if v and not is_valid_closures(v)}
    out: list[tuple[str, ...]] = [()] * len(hours)
    if not bad_hours and not bad_closures:
        return out
    h = np.fromiter(map(bad_hours.__contains__, hours), dtype=bool, count=len(hours))
    c = np.fromiter(map(bad_closures.__contains__, closures), dtype=bool, count=len(closures))
    for i in np.flatnonzero(h | c).tolist():
        w = ()
        if h[i]:
            w += (f"horaires illisibles (syntaxe OpenStreetMap attendue), gardés tels quels : « {hours[i]} »",)
        if c[i]:
            w += (f"fermetures temporaires illisibles, gardées telles quelles : « {closures[i]} »",)
        out[i] = w
    return out


def _schema_errors(cols: dict[str, list[str]], todo: list[bool]) -> list[str]:
    """For each row to check, the first field the actor schema refuses ("" when valid or not
    checked): fields in alphabetical order, as the JSON Schema errors sorted by path."""
    props = schema.ACTOR_SCHEMA["properties"]
    out = [""] * len(todo)
    left = np.asarray(todo, dtype=bool)  # rows still without a reason
    for name in sorted(props):
        valid = _valid_column(name, cols[name])
        bad = np.flatnonzero(left & ~valid)
        label, values = schema.FIELD_LABELS_FR.get(name, name), cols[name]
        for i in bad.tolist():
            out[i] = f"{label} invalide : « {values[i]} »"
        left[bad] = False
    return out


def _valid_column(name: str, values: list[str]) -> np.ndarray:
    """:func:`_valid_value` for every value of a column: by length alone when the field only asks
    for a minimal length (names and ids, nearly all distinct), else once per distinct value."""
    spec = schema.ACTOR_SCHEMA["properties"][name]
    if set(spec) <= {"type", "minLength"} and spec.get("type", "string") == "string":
        least = spec.get("minLength", 0)
        return np.fromiter(map(len, values), dtype=np.int64, count=len(values)) >= least
    invalid = {v for v in set(values) if not _valid_value(name, v)}
    if not invalid:
        return np.ones(len(values), dtype=bool)
    return ~np.fromiter(map(invalid.__contains__, values), dtype=bool, count=len(values))


@functools.cache
def _field_validator(name: str):  # noqa: ANN202 - a jsonschema validator
    import jsonschema  # only for keywords read by neither of the four above

    return jsonschema.Draft202012Validator({"properties": {name: schema.ACTOR_SCHEMA["properties"][name]}})


def _valid_value(name: str, value: str) -> bool:
    """Whether the actor schema accepts ``value`` for field ``name`` (the keywords ``type``
    string, ``minLength``, ``enum`` and ``pattern`` read directly, any other by ``jsonschema``)."""
    spec = schema.ACTOR_SCHEMA["properties"][name]
    for keyword, arg in spec.items():
        if keyword == "type" and arg == "string":
            continue
        if keyword == "minLength":
            ok = len(value) >= arg
        elif keyword == "enum":
            ok = value in arg
        elif keyword == "pattern":
            ok = re.search(arg, value) is not None
        else:
            return _field_validator(name).is_valid({name: value})
        if not ok:
            return False
    return True


# --------------------------------------------------------------------------- accepted rows
def _finish_accepted(
    accepted: pd.DataFrame | list[dict], communes: gpd.GeoDataFrame, territory: Territory, notes: list
) -> gpd.GeoDataFrame:
    cols = [c for c in schema.ACTOR_COLUMNS if c not in ("lon", "lat")]
    if len(accepted) == 0:
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
    gaz = territory.gaz
    joined = join_communes(gdf, communes, territory=territory)
    declared_insee, found_insee, hows = gdf["_declared_insee"].tolist(), joined["insee"].tolist(), joined["_how"].to_numpy()
    rids, lines = gdf["id"].to_numpy(dtype=object), gdf["line"].to_numpy(dtype=object)
    both = np.flatnonzero(_truthy(declared_insee) & _truthy(found_insee))
    elsewhere = np.zeros(len(gdf), dtype=bool)  # a declared code that is not where the point is
    elsewhere[both] = per_combination([taken(declared_insee, both), taken(found_insee, both)],
                                      lambda pair: gaz.today_code(pair[0]) not in (pair[1], None))
    rows = ~_truthy(geocoded.tolist()) & ((hows == "nearest") | ((hows == "none") & ok) | elsewhere)  # a note
    for i in np.flatnonzero(rows).tolist():  # a BAN point is skipped: its commune is the one the BAN searched in
        declared, found, how, rid, line = declared_insee[i], found_insee[i], hows[i], rids[i], lines[i]
        if how == "nearest":
            notes.append((line, rid, f"point hors des limites communales, rattaché à {found} ({gaz.name_of(found)})"))
        elif how == "none" and ok[i]:
            notes.append((line, rid, "point hors de toute commune (non rattaché)"))
        if elsewhere[i]:
            notes.append((line, rid, f"coordonnées dans la commune {found} ({gaz.name_of(found)}), "
                                        f"code INSEE déclaré {declared}"))
    gdf["insee"] = np.where(geocoded != "", geocoded, joined["insee"].to_numpy())
    nojoin = gdf["insee"] == ""
    if nojoin.any():  # not locatable: keep the declared commune when it is known
        gdf.loc[nojoin, "insee"] = [gaz.today_code(c) or "" for c in gdf.loc[nojoin, "_declared_insee"]]
    attrs, found = territory.attrs, _found_in(gdf["insee"], territory.attrs.index)
    for col in ("epci", "epci_name", "dep"):
        gdf[col] = pd.Series(attrs[col].array.take(found, allow_fill=True), index=gdf.index).fillna("")
    named = gdf["commune"].tolist()
    blank = np.flatnonzero(~_truthy(named))
    if len(blank):  # no commune written: today's name of its code
        for i, name in zip(blank.tolist(), per_value(taken(gdf["insee"].tolist(), blank), gaz.name_of), strict=True):
            named[i] = name
    gdf["commune"] = named
    gdf["commune_name"] = pd.Series(attrs["name"].array.take(found, allow_fill=True),
                                    index=gdf.index).fillna(gdf["commune"])
    gdf["fictitious"] = gdf["source"].str.contains("fictif|fictive|fictitious", case=False, regex=True)
    lon, lat = np.full(len(gdf), np.nan), np.full(len(gdf), np.nan)
    lon[ok], lat[ok] = l93_to_lonlat(xs[ok], ys[ok])  # the coordinates alone (the same transformation)
    gdf["lon"] = lon.round(6) if ok.any() else np.nan
    gdf["lat"] = lat.round(6) if ok.any() else np.nan
    keep = [*cols, "commune_name", "epci", "epci_name", "dep", "lon", "lat", *schema.GEOCODE_COLUMNS, "fictitious",
            "line", "geometry"]  # fmt: skip
    return gdf[keep].reset_index(drop=True)


def _found_in(codes: pd.Series, index: pd.Index) -> np.ndarray:
    """Each code's position in ``index`` (-1 when absent), as ``Series.map`` finds it, looked up
    once per distinct code."""
    numbers, distinct = pd.factorize(codes.to_numpy(dtype=object), use_na_sentinel=False)
    return index.get_indexer(distinct)[numbers]


def _truthy(values: list) -> np.ndarray:
    """``bool(v)`` for every value."""
    return np.fromiter(map(bool, values), dtype=bool, count=len(values))


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


def join_communes(points: gpd.GeoDataFrame, communes: gpd.GeoDataFrame, *,
                  territory: Territory | None = None) -> pd.DataFrame:
    """INSEE code of the commune containing each point.

    Points inside no commune polygon but within :data:`NEAREST_COMMUNE_M` of one (coastline,
    simplified borders) get the nearest commune.

    Returns
    -------
    pandas.DataFrame
        Same length as ``points``: ``insee`` ("" if none) and ``_how`` (``within``, ``nearest``,
        ``none``).

    Other Parameters
    ----------------
    territory : Territory, optional
        ``territory_of(communes)`` when the caller has it already.
    """
    pts = points.geometry.to_numpy()
    has = ~shapely.is_missing(pts) & ~shapely.is_empty(pts)
    insee = np.array([""] * len(points), dtype=object)
    how = np.array(["none"] * len(points), dtype=object)
    if has.any():
        territory = territory or territory_of(communes)
        geoms = pts[has]
        distinct, back = _distinct_points(geoms)
        found, found_how = _join_geometries(distinct, territory)
        insee[has], how[has] = found[back], found_how[back]
    return pd.DataFrame({"insee": insee, "_how": how})


def _distinct_points(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct geometries (points at one place, e.g. a town hall, made one) and, for each
    geometry, its position among them; only finite two-dimensional points are merged."""
    everyone = np.arange(len(geoms))
    if not (shapely.get_type_id(geoms) == 0).all() or shapely.has_z(geoms).any():
        return geoms, everyone
    xy = shapely.get_coordinates(geoms)
    if len(xy) != len(geoms) or not np.isfinite(xy).all():
        return geoms, everyone
    codes, uniques = pd.factorize(xy[:, 0] + 1j * xy[:, 1])
    if len(uniques) == len(geoms):
        return geoms, everyone
    first = np.zeros(len(uniques), dtype=np.int64)
    first[codes[::-1]] = everyone[::-1]  # the first geometry at each place
    return geoms[first], codes


def _join_geometries(geoms: np.ndarray, territory: Territory) -> tuple[np.ndarray, np.ndarray]:
    """:func:`join_communes` of present geometries: INSEE code and how it was found."""
    tree, codes = territory.tree, territory.insee
    insee = np.array([""] * len(geoms), dtype=object)
    how = np.array(["none"] * len(geoms), dtype=object)
    inside, commune = _within(geoms, territory)
    insee[inside] = codes[commune]
    how[inside] = "within"
    missing = np.flatnonzero(how == "none")
    if len(missing):
        near_pts, near_com = tree.query_nearest(geoms[missing], max_distance=NEAREST_COMMUNE_M, all_matches=False)
        insee[missing[near_pts]] = codes[near_com]
        how[missing[near_pts]] = "nearest"
    return insee, how


#: From this many points, the points are put in a tree of their own, queried by each commune.
_POINT_TREE_FROM = 5_000


def _within(geoms: np.ndarray, territory: Territory) -> tuple[np.ndarray, np.ndarray]:
    """The geometries within a commune and, for each, the first commune the communes' tree gives
    (a point on a border shared by overlapping polygons: the first one).

    Many points are looked for by commune instead (a tree of the points queried by each commune
    polygon, prepared: ``contains`` is ``within`` reversed); a point within several communes is
    then asked again of the communes' tree, for its first one."""
    if len(geoms) < _POINT_TREE_FROM:
        return _within_by_communes_tree(geoms, territory)
    idx_com, idx_pts = shapely.STRtree(geoms).query(territory.polygons, predicate="contains")
    count = np.bincount(idx_pts, minlength=len(geoms))
    commune = np.full(len(geoms), -1, dtype=np.int64)
    once = count[idx_pts] == 1
    commune[idx_pts[once]] = idx_com[once]
    several = np.flatnonzero(count > 1)
    if len(several):
        again, first = _within_by_communes_tree(geoms[several], territory)
        commune[several[again]] = first
    inside = np.flatnonzero(commune >= 0)
    return inside, commune[inside]


def _within_by_communes_tree(geoms: np.ndarray, territory: Territory) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_within` by the communes' tree: the first commune it gives for each point."""
    idx_pts, idx_com = territory.tree.query(geoms, predicate="within")
    inside, first = np.unique(idx_pts, return_index=True)
    return inside, idx_com[first]
