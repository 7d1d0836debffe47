"""Locating registry rows, by column: coordinates parsed, projected and checked against the region
for all rows at once, commune look-ups done once per distinct (code, postcode, commune).

Used by :func:`atlas.registry.actors.validate_actors`. The rules are those of a row read alone
(same order, same French reasons and warnings); only the work is shared: one coordinate
transformation for every row given in longitude/latitude, one spatial-index query for every
point, one gazetteer look-up per distinct place.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from atlas.crs import L93, L93_FRANCE_BOUNDS, l93_to_lonlat, lonlat_to_l93
from atlas.registry.readers import parse_number
from atlas.territory.geocoding.gazetteer import Gazetteer, Match

#: A point farther than this from every commune of the region is outside the territory (m).
OUTSIDE_TOLERANCE_M = 5_000.0
#: A point outside commune polygons but closer than this is attached to the nearest commune (m).
NEAREST_COMMUNE_M = 1_000.0


@dataclass(frozen=True)
class Territory:
    """What the rows are checked against that depends on the communes alone (built once per
    communes frame, see :func:`territory_of`)."""

    gaz: Gazetteer
    tree: shapely.STRtree  # the communes' polygons
    region_zone: shapely.Geometry  # the region's envelope widened by OUTSIDE_TOLERANCE_M
    region_deps: frozenset[str]  # départements of the region (first two digits of postcodes)
    insee: np.ndarray  # the communes' codes, in the tree's order
    attrs: pd.DataFrame  # the communes indexed by INSEE code

    polygons: np.ndarray  # the communes' geometries, in the tree's order

    @classmethod
    def build(cls, communes: gpd.GeoDataFrame) -> Territory:
        region_zone = shapely.buffer(shapely.box(*communes.total_bounds), OUTSIDE_TOLERANCE_M)
        shapely.prepare(region_zone)  # tested against every point: prepared, the same answers sooner
        return cls(
            gaz=Gazetteer(communes),
            tree=shapely.STRtree(communes.geometry.values),
            region_zone=region_zone,
            region_deps=frozenset(pc[:2] for pcs in communes["postcodes"].tolist() for pc in str(pcs).split(",") if pc),
            insee=communes["insee"].to_numpy(),
            attrs=communes.set_index("insee"),
            polygons=np.array(communes.geometry.values, dtype=object),  # a copy: the frame may change later
        )


#: Territories built, by the fingerprint of their communes (the last few, most recent last).
_TERRITORIES: dict[tuple, Territory] = {}
_TERRITORIES_KEPT = 4

#: The columns of the communes a territory reads (names, codes, town halls, groups).
_TERRITORY_COLUMNS = frozenset({"insee", "name", "postcodes", "dep", "epci", "epci_name", "townhall_x", "townhall_y"})


def _fingerprint(communes: gpd.GeoDataFrame) -> tuple:
    """What a territory is built from: the columns, their types, the values of the columns it
    reads, and the polygons' coordinates and shapes (kinds, parts, rings, points of each)."""
    parts: list = [len(communes), tuple(communes.columns), tuple(map(str, communes.dtypes))]
    for col in [c for c in communes.columns if c in _TERRITORY_COLUMNS or c == communes.geometry.name]:
        values = communes[col]
        if col == communes.geometry.name:
            geoms = np.asarray(values.values)
            parts += [shapely.get_coordinates(geoms).tobytes(), shapely.get_type_id(geoms).tobytes(),
                      shapely.get_num_geometries(geoms).tobytes(), shapely.get_num_coordinates(geoms).tobytes()]
        elif values.dtype.kind in "biuf":
            parts.append(values.to_numpy().tobytes())
        else:  # text: str() of NaN is the same every time (its hash is not)
            parts.append("\x1f".join(map(str, values.tolist())))
    return tuple(parts)


def territory_of(communes: gpd.GeoDataFrame) -> Territory:
    """The :class:`Territory` of a communes frame, built once for communes of the same content
    (:func:`_fingerprint`: the same values, whichever frame holds them; the last few kept)."""
    stamp = _fingerprint(communes)
    territory = _TERRITORIES.pop(stamp, None) or Territory.build(communes)
    _TERRITORIES[stamp] = territory  # the most recent last
    while len(_TERRITORIES) > _TERRITORIES_KEPT:
        del _TERRITORIES[next(iter(_TERRITORIES))]
    return territory


@dataclass
class Checks:
    """What every row is checked against: the territory and the mapping's options."""

    territory: Territory
    src_crs: str  # CRS of the file's geometries
    prefix: str  # of ids computed for rows without one
    mapping: dict

    @classmethod
    def build(cls, communes: gpd.GeoDataFrame, mapping: dict, src_crs: str, prefix: str) -> Checks:
        return cls(territory=territory_of(communes), src_crs=src_crs, prefix=prefix, mapping=mapping)


@dataclass
class Located:
    """Where each row is: a reason to reject it ("" when none), its Lambert-93 point (NaN when
    none), its precision, the commune whose town hall it is placed at (None) and its warnings."""

    reason: list[str]
    x: np.ndarray
    y: np.ndarray
    precision: list[str]
    town_insee: list[str | None]
    warn: list[list[str]] = field(default_factory=list)


def per_value(values: list, fn, parts: int | None = None) -> list:  # noqa: ANN001 - any function of one value
    """``[fn(v) for v in values]`` computed once per distinct value; with ``parts``, ``fn`` returns
    a tuple and each of its first ``parts`` items is given back as a list of its own."""
    return _per_code(*numbered(values), fn, parts)


def per_combination(columns: list[list], fn, parts: int | None = None) -> list:  # noqa: ANN001 - any function of one tuple
    """``per_value(list(zip(*columns)), fn, parts)``, without a tuple per row: the distinct values
    of each column are numbered, then the distinct combinations of those numbers."""
    key = np.zeros(len(columns[0]), dtype=np.int64)
    coded = []
    for col in columns:
        codes, uniques = numbered(col)
        key = pd.factorize(key * len(uniques) + codes)[0]  # < n * n: no overflow
        coded.append((codes, uniques))
    first = np.unique(key, return_index=True)[1]  # a row of each combination, in order
    combos = list(zip(*(list(map(uniques.__getitem__, codes[first].tolist())) for codes, uniques in coded), strict=True))
    return _per_code(key, combos, fn, parts)


def numbered(values: list) -> tuple[np.ndarray, list]:
    """Each value's number among the distinct values, and those values (in order of appearance):
    found by pandas' hash table for a list of text, by a dict otherwise."""
    if values and type(values[0]) is str:
        holder = np.empty(len(values), dtype=object)
        holder[:] = values
        codes, uniques = pd.factorize(holder)
        uniques = uniques.tolist()
        if not (codes < 0).any() and set(map(type, uniques)) == {str}:  # all text: as a dict would
            return codes, uniques
    distinct = dict(zip(dict.fromkeys(values), itertools.count()))
    return np.fromiter(map(distinct.__getitem__, values), dtype=np.int64, count=len(values)), list(distinct)


def _per_code(codes: np.ndarray, uniques: list, fn, parts: int | None) -> list:  # noqa: ANN001 - any function
    """``fn`` of each distinct value, given back to every row by its number (see :func:`per_value`)."""
    results = list(map(fn, uniques))
    out = [np.empty(len(uniques), dtype=object) for _ in range(parts or 1)]
    for i, r in enumerate(results):
        if parts is None:
            out[0][i] = r
        else:
            for j in range(parts):
                out[j][i] = r[j]
    taken = [o[codes].tolist() for o in out]
    return taken[0] if parts is None else taken


def _is_wgs84(src_crs: str) -> bool:
    return str(src_crs).upper().endswith("4326") or "WGS 84" in str(src_crs)


#: Plain decimals (ASCII digits, a point or a comma): what :func:`parse_number` reads as ``float``
#: after a comma is made a point, read here by Arrow for the whole column at once.
_PLAIN_DECIMAL = r"^-?[0-9]+(?:[.,][0-9]+)?$"


def _numbers(values: list[str]) -> np.ndarray:
    """Parsed numbers (:func:`parse_number`), NaN for garbage; None (empty) as a separate mask.

    Plain decimals are converted by column (Arrow's correctly rounded parsing, as ``float``); the
    other non-empty cells by :func:`parse_number`, once per distinct value."""
    out = np.full(len(values), None, dtype=object)
    if not values:
        return out
    try:
        text = pa.array(values, type=pa.large_string())
    except (pa.ArrowTypeError, pa.ArrowInvalid, UnicodeEncodeError):  # not text; lone surrogates
        return np.array(per_value(values, parse_number), dtype=object)
    plain = pc.match_substring_regex(text, _PLAIN_DECIMAL).to_numpy(zero_copy_only=False)
    if plain.any():
        fast = pc.filter(text, pa.array(plain))
        out[plain] = pc.cast(pc.replace_substring(fast, ",", "."), pa.float64()).to_numpy()
    rest = np.flatnonzero(~plain & (pc.not_equal(text, "").to_numpy(zero_copy_only=False)))
    if len(rest):
        cells = [values[i] for i in rest.tolist()]
        out[rest] = per_value(cells, parse_number)
    return out


def _quoted(cols: dict[str, list[str]], i: int) -> str:
    return " ; ".join(f"« {cols[k][i]} »" for k in ("lon", "lat", "x", "y") if cols[k][i])


def locate(cols: dict[str, list[str]], gx: np.ndarray, gy: np.ndarray, checks: Checks) -> Located:
    """Locate every row (see the module's description).

    Parameters
    ----------
    cols : dict of list of str
        Canonical fields of the rows, normalised (``lon``, ``lat``, ``x``, ``y``, ``insee``,
        ``postcode``, ``commune``, ``address``, ``precision``). ``lon``/``lat`` are replaced by the
        file's geometry when it is in WGS 84, as the reasons quote them.
    gx, gy : numpy.ndarray
        The file's own point geometry (file CRS), NaN when none.
    checks : Checks

    Returns
    -------
    Located
    """
    n = len(gx)
    reason = [""] * n
    warn: list[list[str]] = [[] for _ in range(n)]
    x, y = np.full(n, np.nan), np.full(n, np.nan)
    source = np.full(n, "", dtype=object)
    has_geom = ~(pd.isna(gx) | pd.isna(gy))
    if has_geom.any():
        if _is_wgs84(checks.src_crs):
            for i in np.flatnonzero(has_geom):
                cols["lon"][i], cols["lat"][i] = str(gx[i]), str(gy[i])
        else:
            pts = gpd.GeoSeries(gpd.points_from_xy(gx[has_geom], gy[has_geom]), crs=checks.src_crs).to_crs(L93)
            x[has_geom], y[has_geom] = pts.x.to_numpy(), pts.y.to_numpy()
            source[has_geom] = "xy"
    lon, lat, px, py = (_numbers(cols[k]) for k in ("lon", "lat", "x", "y"))
    given = np.column_stack([v != None for v in (lon, lat, px, py)])  # noqa: E711 - object arrays
    vals = np.where(given, np.column_stack([lon, lat, px, py]), 0.0).astype(float)
    bad = (given & np.isnan(vals)).any(axis=1)
    inf = (given & np.isinf(vals)).any(axis=1) & ~bad
    for i in np.flatnonzero(bad):
        reason[i] = "coordonnées illisibles : " + _quoted(cols, i)
    for i in np.flatnonzero(inf):
        reason[i] = "coordonnées non finies (infini) : " + _quoted(cols, i)
    todo = ~bad & ~inf & (source == "")
    use_xy = todo & given[:, 2] & given[:, 3]
    x[use_xy], y[use_xy], source[use_xy] = vals[use_xy, 2], vals[use_xy, 3], "xy"
    lonlat = todo & ~use_xy & given[:, 0] & given[:, 1]
    xmin, ymin, xmax, ymax = L93_FRANCE_BOUNDS
    lo, la = vals[:, 0], vals[:, 1]
    l93 = lonlat & (xmin <= lo) & (lo <= xmax) & (ymin <= la) & (la <= ymax)
    x[l93], y[l93], source[l93] = lo[l93], la[l93], "xy"
    for i in np.flatnonzero(l93):
        warn[i].append("coordonnées en Lambert-93 dans les colonnes longitude/latitude")
    rest = lonlat & ~l93
    impossible = rest & ~((-180 <= lo) & (lo <= 180) & (-90 <= la) & (la <= 90))
    for i in np.flatnonzero(impossible):
        reason[i] = f"coordonnées impossibles : longitude {lon[i]}, latitude {lat[i]}"
    wgs = rest & ~impossible
    if wgs.any():
        x[wgs], y[wgs] = lonlat_to_l93(lo[wgs], la[wgs])
        source[wgs] = "lonlat"
    half = todo & ~use_xy & ~lonlat & ((given[:, 0] != given[:, 1]) | (given[:, 2] != given[:, 3]))
    for i in np.flatnonzero(half):
        reason[i] = "coordonnées incomplètes (une seule des deux valeurs)"
    out = Located(reason, x, y, list(cols["precision"]), [None] * n, warn)
    placed = (source != "") & ~bad & ~inf
    _check_in_region(out, np.flatnonzero(placed), _Given(source, lon, lat), checks)
    nowhere = ~placed & ~bad & ~inf & ~impossible & ~half
    _geocode(out, np.flatnonzero(nowhere), cols, checks)
    return out


@dataclass
class _Given:
    """Where each point comes from (``xy``, ``lonlat`` or "") and the longitude/latitude as read."""

    source: np.ndarray
    lon: np.ndarray  # objects: float, or None when empty
    lat: np.ndarray


def near_region(checks: Checks, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """For each point, whether it is within :data:`NEAREST_COMMUNE_M` of a commune of the region."""
    pts = shapely.points(x, y)
    out = np.zeros(len(pts), dtype=bool)
    out[checks.territory.tree.query(pts, predicate="intersects")[0]] = True  # inside a commune: fast, most points
    rest = np.flatnonzero(~out)
    out[rest[checks.territory.tree.query(pts[rest], predicate="dwithin", distance=NEAREST_COMMUNE_M)[0]]] = True
    return out


def _check_in_region(loc: Located, rows: np.ndarray, given: _Given, checks: Checks) -> None:
    """A point outside the region is rejected (as swapped latitude and longitude when that is why)."""
    if not len(rows):
        return
    x, y, reason, precision, source, lon, lat = loc.x, loc.y, loc.reason, loc.precision, given.source, given.lon, given.lat
    lo, la = lon[rows].astype(float), lat[rows].astype(float)  # None (empty) as NaN
    inside = shapely.intersects(checks.territory.region_zone, shapely.points(x[rows], y[rows]))
    inside[inside] = near_region(checks, x[rows][inside], y[rows][inside])
    out = rows[~inside]
    for i in rows[inside]:
        precision[i] = precision[i] or "address"
    if not len(out):
        return
    pos = ~inside
    swap = (source[out] == "lonlat") & (-90 <= lo[pos]) & (lo[pos] <= 90)
    swappable = out[swap]
    swapped = set()
    if len(swappable):
        sx, sy = lonlat_to_l93(la[pos][swap], lo[pos][swap])
        finite = np.isfinite(sx) & np.isfinite(sy)
        ok = np.zeros(len(swappable), dtype=bool)
        ok[finite] = near_region(checks, sx[finite], sy[finite])
        swapped = set(swappable[ok].tolist())
    dlon, dlat = l93_to_lonlat(x[out], y[out])
    for i, dx, dy in zip(out.tolist(), dlon, dlat, strict=True):
        if i in swapped:
            reason[i] = f"latitude et longitude inversées (latitude {lat[i]}, longitude {lon[i]})"
        else:
            reason[i] = f"coordonnées hors du territoire (longitude {dx:.4f}, latitude {dy:.4f})"


def _commune_match(insee: str, postcode: str, commune: str, checks: Checks) -> tuple[Match | None, str]:
    """The commune named by the INSEE code, else by the postcode and name (and the reason to reject)."""
    m = checks.territory.gaz.by_insee(insee) if insee else None
    if insee and not m.found:
        return m, f"code INSEE inconnu : « {insee} »"
    if (m is None or not m.found) and postcode:
        if postcode[:2] not in checks.territory.region_deps:
            return m, f"code postal hors du territoire : « {postcode} »"
        names = [commune, *checks.mapping.get("_extra_names", [])]
        m = checks.territory.gaz.by_postcode_name(postcode, names)
    return m, ""


def _place(key: tuple[str, str, str, bool], checks: Checks) -> tuple[str, float, float, str, str | None, list[str]]:
    """Without coordinates: the point of the commune's town hall, or kept unlocated (with a warning).

    Returns (reason, x, y, precision, town insee, warnings) for ``(insee, postcode, commune, has
    address)``.
    """
    insee, postcode, commune, has_address = key
    m, reason = _commune_match(insee, postcode, commune, checks)
    if reason:
        return reason, np.nan, np.nan, "", None, []
    if m is not None and m.found:
        return "", m.x, m.y, "commune", m.insee, [m.note] if m.note else []
    if not (insee or postcode or commune or has_address):
        if checks.mapping.get("require_location"):  # lists wider than the territory
            return ("aucune indication de lieu (ni coordonnées, ni code INSEE, ni code postal, ni commune)",
                    np.nan, np.nan, "", None, [])
        return "", np.nan, np.nan, "unknown", None, ["aucune indication de lieu : acteur gardé, sans position sur les cartes"]
    if commune and not postcode and not insee and not checks.territory.gaz.has_name(commune):
        return f"commune « {commune} » inconnue dans le territoire", np.nan, np.nan, "", None, []
    if commune and not postcode:
        return "", np.nan, np.nan, "unknown", None, [
            f"commune « {commune} » sans code postal ni code INSEE : non localisée (un nom de commune seul est ambigu)"]
    return "", np.nan, np.nan, "unknown", None, ["adresse non localisée"]


def _geocode(loc: Located, rows: np.ndarray, cols: dict[str, list[str]], checks: Checks) -> None:
    """Rows without coordinates placed at their commune's town hall, once per distinct place."""
    reason, x, y, precision, town, warn = loc.reason, loc.x, loc.y, loc.precision, loc.town_insee, loc.warn
    if not len(rows):
        return
    fields = [taken(cols[k], rows) for k in ("insee", "postcode", "commune", "address")]
    fields[3] = list(map(bool, fields[3]))  # has an address
    places = per_combination(fields, lambda k: _place(k, checks))
    for i, (why, px, py, prec, code, notes) in zip(rows.tolist(), places, strict=True):
        if why:
            reason[i] = why
            continue
        x[i], y[i] = px, py
        precision[i], town[i] = prec, code
        warn[i].extend(notes)


def taken(values: list, idx: np.ndarray) -> list:
    """``[values[i] for i in idx]``, by numpy."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out[idx].tolist()
