"""Offline geocoding against the Base Adresse Nationale (BAN) département files.

The BAN publishes one CSV per département (``adresses-62.csv.gz``: ``;``-separated UTF-8, columns
``id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;nom_commune;code_insee_ancienne_commune;
nom_ancienne_commune;x;y;lon;lat;type_position;alias;nom_ld;libelle_acheminement;nom_afnor;...``).
:func:`load_index` reads one file or a folder of several; the first use of a file builds a compact
index (Parquet, one per file, in ``settings.cache_dir()/ban``, keyed by the file's path, size and
modification time, written atomically), so that later runs load it in a second or two.

:func:`geocode_addresses` places parsed addresses (:mod:`atlas.territory.geocoding.address`) within their
commune — today's INSEE code or a former commune's (code or name):

========== ===================================================================================
precision  meaning
========== ===================================================================================
adresse    the house number was found on the street (``rep`` bis/ter... matched when possible)
voie       the street was found, not the number: nearest number on the same side of the street,
           or the middle of the street when the registry gives no number
lieu-dit   a lieu-dit (BAN ``nom_ld``, or a named place without house numbers)
commune    nothing found: the caller keeps the commune's town hall; ``reason`` says why
========== ===================================================================================

Street names are compared through :func:`atlas.territory.geocoding.address.street_key`, exactly first, then
fuzzily (``rapidfuzz``); the score (0-100) is kept in the output.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from atlas import settings
from atlas.crs import lonlat_to_l93
from atlas.errors import AtlasError, BanError
from atlas.io import atomic_output
from atlas.progress import info
from atlas.territory.geocoding.address import (
    MIN_SCORE,
    best_street,
    best_streets,
    parse_addresses,
    rep_key,
    split_street_key,
    street_key,
    text_or_empty,
)
from atlas.territory.reference import normalize_name

#: Columns of a BAN « adresses » file, in the published order.
BAN_COLUMNS: tuple[str, ...] = (
    "id", "id_fantoir", "numero", "rep", "nom_voie", "code_postal", "code_insee", "nom_commune",
    "code_insee_ancienne_commune", "nom_ancienne_commune", "x", "y", "lon", "lat", "type_position", "alias",
    "nom_ld", "libelle_acheminement", "nom_afnor", "source_position", "source_nom_voie",
    "certification_commune", "cad_parcelles",
)  # fmt: skip
REQUIRED_COLUMNS: tuple[str, ...] = ("numero", "nom_voie", "code_insee", "lon", "lat")
_TEXT_COLUMNS = ("id", "rep", "nom_voie", "code_postal", "code_insee", "nom_commune", "code_insee_ancienne_commune",
                 "nom_ancienne_commune", "alias", "nom_ld")  # fmt: skip

#: The BAN's house number of a named place without numbers (a lieu-dit « toponyme »).
TOPONYM_NUMBER = 99999
PRECISIONS: tuple[str, ...] = ("adresse", "voie", "lieu-dit", "commune")
INDEX_VERSION = 1
ENV_VAR = "ATLAS_BAN_DIR"
RESULT_COLUMNS: tuple[str, ...] = ("x", "y", "lon", "lat", "precision", "score", "label", "reason", "ban_id")

_NUMBER_STRIDE = 100_000  # numbers < 100000: (street, number) packed in one int64


# --------------------------------------------------------------------------- files
def ban_source(path: str | Path | None = None) -> Path | None:
    """The BAN file or folder to use: ``path`` when given, else ``$ATLAS_BAN_DIR``, else None.

    Raises
    ------
    BanError
        When the path given (or the variable) does not exist.
    """
    given = path if path not in (None, "") else os.environ.get(ENV_VAR, "")
    if not given:
        return None
    p = Path(given).expanduser()
    if not p.exists():
        origin = "" if path not in (None, "") else f" (variable {ENV_VAR})"
        raise BanError(f"Fichier ou dossier BAN introuvable : « {p} »{origin}.")
    return p


def ban_files(path: str | Path) -> list[Path]:
    """The BAN files of ``path``: the file itself, or the ``.csv``/``.csv.gz`` files of a folder.

    In a folder, files named ``adresses-*`` are taken when there are any (the BAN's own names).
    """
    p = Path(path).expanduser()
    if p.is_file():
        return [p]
    if not p.is_dir():
        raise BanError(f"Fichier ou dossier BAN introuvable : « {p} ».")
    files = sorted(f for f in p.iterdir() if f.is_file() and f.name.endswith((".csv", ".csv.gz")))
    named = [f for f in files if f.name.startswith("adresses-")]
    if not (named or files):
        raise BanError(f"Aucun fichier BAN (adresses-XX.csv ou adresses-XX.csv.gz) dans le dossier « {p} ».")
    return named or files


def _header(path: Path) -> list[str]:
    """Column names of a BAN file (gzip or plain), with a French error when unreadable."""
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8-sig") as fh:
            line = fh.readline()
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise BanError(f"Fichier BAN illisible : « {path} » ({exc}).") from exc
    return [c.strip().strip('"') for c in line.rstrip("\r\n").split(";")]


def index_cache_path(path: str | Path) -> Path:
    """Where the index of one BAN file is cached (one file per source path)."""
    p = Path(path).expanduser().resolve()
    digest = hashlib.sha1(str(p).encode()).hexdigest()[:12]
    stem = p.name.removesuffix(".gz").removesuffix(".csv")
    return settings.cache_dir() / "ban" / f"{stem}-{digest}.parquet"


def _cache_key(path: Path) -> str:
    st = path.stat()
    return json.dumps({"path": str(path.resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns,
                       "version": INDEX_VERSION})  # fmt: skip


# --------------------------------------------------------------------------- index build
def _map_dictionary(column: pa.ChunkedArray, func) -> pa.Array:
    """Apply ``func`` to each distinct value of a string column (dictionary-encoded result)."""
    enc = pc.fill_null(column, "").combine_chunks().dictionary_encode()
    mapped = pd.Series([func(v) for v in enc.dictionary.to_pylist()], dtype=object)
    codes, uniques = pd.factorize(mapped)
    new_indices = pa.array(codes.astype(np.int32)).take(enc.indices)
    return pa.DictionaryArray.from_arrays(new_indices, pa.array(list(uniques), type=pa.string()))


def read_ban_file(path: str | Path) -> pa.Table:
    """Read one BAN file into the compact index table (sorted by street, then number).

    Returns
    -------
    pyarrow.Table
        Columns ``sid`` (street id), ``number``, ``rep``, ``rep_key``, ``insee``, ``old_insee``,
        ``old_name``, ``commune``, ``postcode``, ``street``, ``street_key``, ``alias_key``, ``ld``,
        ``ld_key``, ``x``, ``y`` (Lambert-93), ``lon``, ``lat``, ``id``.

    Raises
    ------
    BanError
        Unreadable file, or a file without the BAN columns.
    """
    path = Path(path)
    header = _header(path)
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise BanError(
            f"« {path.name} » n'est pas un fichier d'adresses BAN : colonne(s) manquante(s) {', '.join(missing)} "
            f"(attendu : {';'.join(BAN_COLUMNS[:14])};…)."
        )
    wanted = [c for c in _TEXT_COLUMNS if c in header] + ["numero", "lon", "lat"]
    types = {c: pa.string() for c in _TEXT_COLUMNS} | {"numero": pa.string(), "lon": pa.float64(), "lat": pa.float64()}
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(block_size=16 << 20),
            parse_options=pacsv.ParseOptions(delimiter=";", newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(include_columns=wanted, column_types=types,
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False),
        )  # fmt: skip
    except (pa.ArrowInvalid, OSError) as exc:
        raise BanError(f"Fichier BAN illisible : « {path} » ({str(exc).splitlines()[0]}).") from exc
    return _index_table(table)


def _text(table: pa.Table, name: str) -> pa.ChunkedArray:
    if name in table.column_names:
        return table[name]
    return pa.chunked_array([pa.array([""] * table.num_rows, type=pa.string())])


def _index_table(table: pa.Table) -> pa.Table:
    """The raw columns of a BAN file -> the index table (see :func:`read_ban_file`)."""
    number = pd.to_numeric(pd.Series(table["numero"].to_numpy(zero_copy_only=False)), errors="coerce")
    lon = table["lon"].to_numpy(zero_copy_only=False).astype(float)
    lat = table["lat"].to_numpy(zero_copy_only=False).astype(float)
    keep = np.isfinite(lon) & np.isfinite(lat) & number.notna().to_numpy() & (number.to_numpy() < _NUMBER_STRIDE)
    table = table.filter(pa.array(keep))
    number, lon, lat = number.to_numpy()[keep].astype(np.int32), lon[keep], lat[keep]
    x, y = lonlat_to_l93(lon, lat)
    cols = {
        "number": pa.array(number),
        "rep": _map_dictionary(_text(table, "rep"), lambda v: v.strip().lower()),
        "rep_key": _map_dictionary(_text(table, "rep"), rep_key),
        "insee": _map_dictionary(_text(table, "code_insee"), str.strip),
        "old_insee": _map_dictionary(_text(table, "code_insee_ancienne_commune"), str.strip),
        "old_name": _map_dictionary(_text(table, "nom_ancienne_commune"), str.strip),
        "commune": _map_dictionary(_text(table, "nom_commune"), str.strip),
        "postcode": _map_dictionary(_text(table, "code_postal"), str.strip),
        "street": _map_dictionary(_text(table, "nom_voie"), str.strip),
        "street_key": _map_dictionary(_text(table, "nom_voie"), street_key),
        "alias_key": _map_dictionary(_text(table, "alias"), street_key),
        "ld": _map_dictionary(_text(table, "nom_ld"), str.strip),
        "ld_key": _map_dictionary(_text(table, "nom_ld"), street_key),
        "x": pa.array(x), "y": pa.array(y), "lon": pa.array(lon), "lat": pa.array(lat),
        "id": pc.fill_null(_text(table, "id"), "").combine_chunks(),
    }  # fmt: skip
    # street id: one per (commune, former commune, street key), rows sorted by street then number
    codes = [np.asarray(cols[c].indices).astype(np.int64) for c in ("insee", "old_insee", "street_key")]
    sizes = [len(cols[c].dictionary) + 1 for c in ("old_insee", "street_key")]
    combined = (codes[0] * sizes[0] + codes[1]) * sizes[1] + codes[2]
    sid, _ = pd.factorize(combined, sort=True)
    order = np.lexsort((np.asarray(cols["rep_key"].indices), number, sid))
    out = pa.table({"sid": pa.array(sid.astype(np.int32)), **cols})
    return out.take(pa.array(order))


def _build_cached(path: Path, *, cache: bool) -> pa.Table:
    """The index of one file, from the cache when its key matches, else built (and cached)."""
    target = index_cache_path(path)
    key = _cache_key(path)
    if cache and target.exists():
        try:
            meta = pq.read_schema(target).metadata or {}
            if meta.get(b"atlas_ban_key", b"").decode() == key:
                return pq.read_table(target)
        except (pa.ArrowInvalid, OSError):
            pass  # unreadable cache: rebuilt below
    info(f"Index BAN : lecture de « {path.name} » (première utilisation, une fois pour toutes)…")
    table = read_ban_file(path)
    if cache:
        table = table.replace_schema_metadata({"atlas_ban_key": key})
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with atomic_output(target) as tmp:
                pq.write_table(table, tmp, compression="zstd")
        except (AtlasError, OSError) as exc:
            info(f"Index BAN non mis en cache ({exc}) : il sera reconstruit la prochaine fois.")
    return table


def load_index(path: str | Path, *, cache: bool = True) -> BanIndex:
    """Load the BAN index of a file or of every BAN file of a folder.

    Parameters
    ----------
    path : str or pathlib.Path
        ``adresses-62.csv.gz``, or a folder holding several département files.
    cache : bool
        Read/write the compact index in ``settings.cache_dir()/ban`` (default). Without it the
        files are read every time.

    Returns
    -------
    BanIndex
    """
    files = ban_files(path)
    tables, offset = [], 0
    for f in files:
        t = _build_cached(f, cache=cache)
        sid = pc.add(t["sid"], pa.scalar(offset, pa.int32()))
        offset += (pc.max(t["sid"]).as_py() or 0) + 1 if t.num_rows else 0
        tables.append(t.set_column(0, "sid", sid).replace_schema_metadata(None))
    table = pa.concat_tables(tables).unify_dictionaries() if len(tables) > 1 else tables[0]
    return BanIndex(table.to_pandas(), tuple(files))


# --------------------------------------------------------------------------- index
@dataclass
class _Choices:
    """Keys to match in one commune and what each stands for (a street id or a row)."""

    keys: list[str]
    targets: list[int]

    @cached_property
    def names(self) -> list[str]:
        return [split_street_key(k)[1] for k in self.keys]

    def __bool__(self) -> bool:
        return bool(self.keys)


def _first_rows(sid: np.ndarray) -> np.ndarray:
    return np.flatnonzero(np.r_[True, sid[1:] != sid[:-1]]) if len(sid) else np.zeros(0, dtype=int)


def _medoids(group: np.ndarray, x: np.ndarray, y: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Row of each group (rows sorted by group) nearest to the group's mean point."""
    if not len(starts):
        return np.zeros(0, dtype=np.intp)
    counts = np.diff(np.r_[starts, len(group)])
    gi = np.repeat(np.arange(len(starts)), counts)
    mx = np.add.reduceat(x, starts) / counts
    my = np.add.reduceat(y, starts) / counts
    d = (x - mx[gi]) ** 2 + (y - my[gi]) ** 2
    best = np.flatnonzero(d == np.minimum.reduceat(d, starts)[gi])
    _, first = np.unique(gi[best], return_index=True)  # first row at the minimum, per group
    return best[first]


def _normalized_names(names: pd.Series) -> np.ndarray:
    text = names.astype(str)
    table = {v: normalize_name(v) if v else "" for v in text.unique()}
    return text.map(table).to_numpy()


@dataclass
class BanIndex:
    """Addresses of one or several BAN files, ready to match.

    Attributes
    ----------
    addresses : pandas.DataFrame
        One row per BAN address (categorical text columns), sorted by street id then number.
    files : tuple of pathlib.Path
        The BAN files read.
    """

    addresses: pd.DataFrame
    files: tuple[Path, ...] = ()
    _communes: dict = field(default_factory=dict, repr=False)
    _texts: dict = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.addresses)

    @cached_property
    def packed(self) -> np.ndarray:
        """``sid * 100000 + number``, sorted (the exact-number lookup)."""
        a = self.addresses
        return a["sid"].to_numpy(np.int64) * _NUMBER_STRIDE + a["number"].to_numpy(np.int64)

    @cached_property
    def streets(self) -> pd.DataFrame:
        """One row per street: commune, former commune, key, label, first row, row count, medoid row."""
        a = self.addresses
        sid = a["sid"].to_numpy()
        starts = _first_rows(sid)
        head = a.iloc[starts]
        out = pd.DataFrame({
            "insee": head["insee"].astype(str).to_numpy(), "old_insee": head["old_insee"].astype(str).to_numpy(),
            "old_name": _normalized_names(head["old_name"]),
            "key": head["street_key"].astype(str).to_numpy(), "alias_key": head["alias_key"].astype(str).to_numpy(),
            "start": starts, "stop": np.r_[starts[1:], len(sid)],
        }, index=sid[starts])  # fmt: skip
        toponym = a["number"].to_numpy() == TOPONYM_NUMBER
        numbered = np.add.reduceat((~toponym).astype(int), starts) if len(starts) else np.zeros(0, int)
        out["numbered"] = numbered > 0
        out["medoid"] = _medoids(sid, a["x"].to_numpy(), a["y"].to_numpy(), starts)
        return out

    @cached_property
    def lieux_dits(self) -> pd.DataFrame:
        """One row per (commune, former commune, lieu-dit key) of ``nom_ld``, with its medoid row."""
        a = self.addresses
        cats = a["ld_key"].cat.categories.astype(str)
        codes = a["ld_key"].cat.codes.to_numpy()
        empty = np.flatnonzero(cats == "")
        rows = np.flatnonzero((codes >= 0) & ~np.isin(codes, empty))
        parts = [a[c].cat.codes.to_numpy()[rows].astype(np.int64) for c in ("insee", "old_insee", "ld_key")]
        sizes = [len(a[c].cat.categories) + 1 for c in ("old_insee", "ld_key")]
        gid, _ = pd.factorize((parts[0] * sizes[0] + parts[1]) * sizes[1] + parts[2], sort=True)
        order = np.argsort(gid, kind="stable")
        starts = _first_rows(gid[order])
        med = rows[order][_medoids(gid[order], a["x"].to_numpy()[rows][order], a["y"].to_numpy()[rows][order], starts)]
        return pd.DataFrame({
            "insee": self.text("insee", med), "old_insee": self.text("old_insee", med), "key": self.text("ld_key", med),
            "row": med,
        })  # fmt: skip

    @cached_property
    def arrays(self) -> dict[str, np.ndarray]:
        """Plain arrays of the address columns read row by row while matching."""
        a = self.addresses
        return {c: a[c].to_numpy() for c in ("number", "x", "y", "lon", "lat")} | {
            "rep_key": a["rep_key"].cat.codes.to_numpy(),
            "rep_keys": np.asarray([*a["rep_key"].cat.categories.astype(str), ""], dtype=object),
        }

    @cached_property
    def street_arrays(self) -> dict[str, np.ndarray]:
        """The columns of :attr:`streets` as arrays indexed by street id."""
        st = self.streets
        return {c: st[c].to_numpy() for c in st.columns}

    def text(self, column: str, rows: np.ndarray) -> list[str]:
        """Values of a text column at ``rows`` ("" for missing)."""
        if column not in self._texts:
            values = self.addresses[column]
            if isinstance(values.dtype, pd.CategoricalDtype):
                cats = np.asarray([*values.cat.categories.astype(str), ""], dtype=object)
                self._texts[column] = (values.cat.codes.to_numpy(), cats)
            else:
                self._texts[column] = (values, None)
        codes, cats = self._texts[column]
        if cats is None:
            return [str(v) for v in codes.take(rows)]
        return list(cats[codes[rows]])

    def communes(self) -> set[str]:
        """INSEE codes covered (today's and former communes')."""
        s = self.streets
        return set(s["insee"]) | (set(s["old_insee"]) - {""})

    @cached_property
    def _groups(self) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Street ids and lieu-dit positions by INSEE code (today's and former)."""
        out = []
        for table in (self.streets, self.lieux_dits):
            by: dict[str, list[np.ndarray]] = {}
            for col in ("insee", "old_insee"):
                for code, pos in table.groupby(col, sort=False).indices.items():
                    if code:
                        by.setdefault(code, []).append(pos)
            out.append({k: np.unique(np.concatenate(v)) for k, v in by.items()})
        return out[0], out[1]

    def choices(self, insee: str, hint: str = "") -> tuple[_Choices, _Choices]:
        """Streets and lieux-dits of a commune (today's code: with its former communes).

        With ``hint`` (a former commune's normalised name), only that former commune's streets
        (empty when the name is not one of the commune's former communes).
        """
        if (insee, hint) not in self._communes:
            by_street, by_ld = self._groups
            st = self.street_arrays
            pos = by_street.get(insee, np.zeros(0, dtype=np.intp))
            if hint and len(pos):  # « Hellemmes » for Hellemmes-Lille
                old = st["old_name"][pos]
                pos = pos[[o == hint or o.startswith(hint + " ") for o in old]]
            sids = self.streets.index.to_numpy()[pos]
            aliased = pos[st["alias_key"][pos] != ""]
            lds = by_ld.get(insee, np.zeros(0, dtype=np.intp))
            ld = self.lieux_dits
            self._communes[(insee, hint)] = (
                _Choices(
                    [*st["key"][pos], *st["alias_key"][aliased]], [*sids, *self.streets.index.to_numpy()[aliased]]
                ),
                _Choices(list(ld["key"].to_numpy()[lds]), list(ld["row"].to_numpy()[lds])),
            )
        return self._communes[(insee, hint)]

    def geocode(self, frame: pd.DataFrame, **options) -> pd.DataFrame:
        """:func:`geocode_addresses` against this index."""
        return geocode_addresses(frame, self, **options)


def _match_key(key: str, choices: _Choices, *, min_score: float) -> tuple[list[int], float]:
    """Street ids matching ``key`` (several for equal names in two former communes, or ties) and the score."""
    if not choices or not key:
        return [], 0.0
    found, score = best_streets(key, choices.keys, names=choices.names, min_score=min_score)
    return list(dict.fromkeys(int(choices.targets[i]) for i in found)), score


# --------------------------------------------------------------------------- placing one row
@dataclass
class _Query:
    insee: str
    number: int | None
    rep: str  # comparable (rep_key)
    rep_text: str  # as written
    key: str
    ld_key: str
    hint: str  # former commune's normalised name
    has_place: bool
    has_box: bool


def _house(number: int, rep: object) -> str:
    rep = text_or_empty(rep)
    return f"{number} {rep}" if rep else str(number)


def _house_of(index: BanIndex, row: int) -> str:
    return _house(int(index.arrays["number"][row]), index.text("rep", np.array([row]))[0])


def _exact_row(index: BanIndex, sids: list[int], number: int, rep: str, rep_text: str) -> tuple[int, str]:
    """Row of ``number`` (+ rep) on one of the streets, and a reason when the rep differs."""
    packed, codes, names = index.packed, index.arrays["rep_key"], index.arrays["rep_keys"]
    for sid in sids:
        key = int(sid) * _NUMBER_STRIDE + number  # int: a numpy int32 street id would overflow
        lo, hi = np.searchsorted(packed, key, "left"), np.searchsorted(packed, key, "right")
        if lo == hi:
            continue
        found = list(names[codes[lo:hi]])
        if rep in found:
            return lo + found.index(rep), ""
        pick = lo + (found.index("") if "" in found else 0)
        if rep:
            return pick, f"indice {rep_text} absent de la BAN : placé au n° {_house_of(index, pick)}"
        return pick, f"n° {number} absent de la BAN : placé au n° {_house_of(index, pick)}"
    return -1, ""


def _nearest_row(index: BanIndex, sid: int, number: int) -> int:
    """Row of the nearest house number on the street, same side (parity) first; -1 if none."""
    st = index.street_arrays
    start, stop = int(st["start"][sid]), int(st["stop"][sid])
    nums = index.arrays["number"][start:stop].astype(np.int64)
    ok = nums != TOPONYM_NUMBER
    if not ok.any():
        return -1
    same = ok & (nums % 2 == number % 2)
    pool = same if same.any() else ok
    dist = np.where(pool, np.abs(nums - number), np.iinfo(np.int64).max)
    return start + int(np.argmin(dist))


def _place_on_street(index: BanIndex, q: _Query, number: int | None, sids: list[int], score: float) -> tuple:
    """(row, precision, score, reason) for a query whose street was found."""
    st = index.street_arrays
    numbered = [s for s in sids if st["numbered"][s]]
    if number is not None and numbered:
        row, reason = _exact_row(index, numbered, number, q.rep, q.rep_text)
        if row >= 0:
            return row, "adresse", score, reason
        row = _nearest_row(index, numbered[0], number)
        return row, "voie", score, f"numéro {number} absent de la BAN : placé au n° {_house_of(index, row)}"
    if numbered:
        row = int(st["medoid"][numbered[0]])
        return row, "voie", score, f"sans numéro : placé au milieu de la voie (n° {_house_of(index, row)})"
    row = int(st["medoid"][sids[0]])
    return row, "lieu-dit", score, f"placé au lieu-dit « {index.text('street', np.array([row]))[0]} »"


def _place_lieu_dit(index: BanIndex, choices: _Choices, key: str, *, min_score: float) -> tuple | None:
    """(row, "lieu-dit", score, reason) from the ``nom_ld`` of the commune, or None."""
    if not choices or not key:
        return None
    pos, score = best_street(key, choices.keys, names=choices.names, min_score=min_score)
    if pos < 0:
        return None
    row = int(choices.targets[pos])
    return row, "lieu-dit", score, f"placé au lieu-dit « {index.text('ld', np.array([row]))[0]} »"


def _match_streets(index: BanIndex, q: _Query, key: str, *, min_score: float) -> tuple[list[int], float]:
    """Streets for ``key``: in the former commune named by the row first, then the whole commune."""
    if q.hint:
        hinted, _ = index.choices(q.insee, q.hint)
        sids, score = _match_key(key, hinted, min_score=min_score)
        if sids:
            return sids, score
    streets, _ = index.choices(q.insee)
    return _match_key(key, streets, min_score=min_score)


def _not_found(q: _Query) -> str:
    if q.key:
        return "rue inconnue dans la commune : mairie"
    if q.ld_key:
        return "lieu-dit inconnu dans la commune : mairie"
    if q.has_place:
        return "bâtiment sans voie : mairie"
    if q.has_box:
        return "boîte postale sans voie : mairie"
    return "adresse sans voie : mairie"


def _place(index: BanIndex, q: _Query, *, min_score: float) -> tuple:
    """(row or -1, precision, score, reason) for one query."""
    if not q.insee:
        return -1, "commune", np.nan, "commune non reconnue : pas de point"
    streets, lds = index.choices(q.insee)
    if not (streets or lds):
        return -1, "commune", np.nan, "commune absente des fichiers BAN : mairie"
    for key in dict.fromkeys(k for k in (q.key, q.ld_key) if k):
        sids, score = _match_streets(index, q, key, min_score=min_score)
        if sids:
            # the number belongs to the street written, not to a lieu-dit found instead of it
            number = q.number if key == q.key else None
            return _place_on_street(index, q, number, sids, score)
        found = _place_lieu_dit(index, lds, key, min_score=min_score)
        if found:
            return found
    return -1, "commune", np.nan, _not_found(q)


# --------------------------------------------------------------------------- public batch
def _queries(frame: pd.DataFrame, *, insee: str, commune: str | None) -> list[_Query]:
    parsed = frame if "street_key" in frame.columns else parse_addresses(frame)
    n = len(frame)
    codes = frame[insee].map(text_or_empty).tolist() if insee in frame else [""] * n
    towns = frame[commune].map(text_or_empty).tolist() if commune and commune in frame else [""] * n
    numbers = pd.to_numeric(parsed["number"].map(text_or_empty), errors="coerce").tolist()
    lds = parsed["lieu_dit"].map(street_key).tolist() if "lieu_dit" in parsed else [""] * n
    places = parsed["place"].map(bool).tolist() if "place" in parsed else [False] * n
    boxes = parsed["po_box"].map(bool).tolist() if "po_box" in parsed else [False] * n
    reps = parsed["rep"].map(text_or_empty).tolist() if "rep" in parsed else [""] * n
    keys = parsed["street_key"].map(text_or_empty).tolist()
    out = []
    for i in range(n):
        num = numbers[i]
        out.append(
            _Query(
                insee=codes[i],
                number=int(num) if num == num and num < _NUMBER_STRIDE else None,
                rep=rep_key(reps[i]),
                rep_text=reps[i],
                key=keys[i],
                ld_key=lds[i],
                hint=normalize_name(towns[i]) if towns[i] else "",
                has_place=places[i],
                has_box=boxes[i],
            )
        )
    return out


def geocode_addresses(
    frame: pd.DataFrame,
    index: BanIndex,
    *,
    insee: str = "insee",
    commune: str | None = "commune",
    min_score: float = MIN_SCORE,
) -> pd.DataFrame:
    """Place addresses with the BAN, within their commune.

    Parameters
    ----------
    frame : pandas.DataFrame
        Either parsed addresses (the output of
        :func:`atlas.territory.geocoding.address.parse_addresses`, with ``street_key``, ``number``, ``rep``,
        ``lieu_dit``...) joined to the row's INSEE code, or raw rows with ``address``,
        ``postcode``, ``commune`` (parsed here).
    index : BanIndex
        From :func:`load_index`.
    insee : str
        Column of the commune's INSEE code: today's, or a former commune's.
    commune : str or None
        Column of the commune name as written (used to prefer a former commune's streets when
        two former communes of today's commune have a street of the same name).
    min_score : float
        Lowest fuzzy score (0-100) accepted for a street name.

    Returns
    -------
    pandas.DataFrame
        Same index; ``x``, ``y`` (Lambert-93, EPSG:2154), ``lon``, ``lat`` (NaN for precision
        ``commune``), ``precision`` (« adresse », « voie », « lieu-dit », « commune »), ``score``
        (street similarity 0-100, NaN for ``commune``), ``label`` (the BAN address used),
        ``reason`` (French, empty when the number was found as given) and ``ban_id``.
    """
    queries = _queries(frame, insee=insee, commune=commune)
    cache: dict[tuple, tuple] = {}
    rows, precision, score, reason = [], [], [], []
    for q in queries:
        k = tuple(q.__dict__.values())
        if k not in cache:
            cache[k] = _place(index, q, min_score=min_score)
        r, p, s, why = cache[k]
        rows.append(r)
        precision.append(p)
        score.append(s)
        reason.append(why)
    rows_arr = np.asarray(rows, dtype=np.int64)
    found = rows_arr >= 0
    hit = rows_arr[found]
    out = pd.DataFrame(index=frame.index)
    for col in ("x", "y", "lon", "lat"):
        values = np.full(len(rows_arr), np.nan)
        values[found] = index.arrays[col][hit]
        out[col] = values
    out["precision"] = precision
    out["score"] = np.asarray(score, dtype=float)
    labels, ids = np.full(len(rows_arr), "", dtype=object), np.full(len(rows_arr), "", dtype=object)
    labels[found] = _labels(index, hit)
    ids[found] = index.text("id", hit)
    out["label"] = list(labels)
    out["reason"] = reason
    out["ban_id"] = list(ids)
    return out


def _labels(index: BanIndex, rows: np.ndarray) -> list[str]:
    """« 10 bis Rue Jean Jaurès 62300 Lens » (« Le Hamel 62xxx Commune » for a lieu-dit)."""
    numbers = index.arrays["number"][rows]
    cols = [index.text(c, rows) for c in ("rep", "street", "postcode", "commune")]
    out = []
    for number, rep, street, postcode, commune in zip(numbers, *cols, strict=True):
        first = street if number == TOPONYM_NUMBER else f"{_house(int(number), rep)} {street}"
        out.append(" ".join(p for p in (first, postcode, commune) if p))
    return out
