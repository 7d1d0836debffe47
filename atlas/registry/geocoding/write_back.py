"""A registry written back with its geocoding (``atlas geocode``), for coordinators to check and keep.

:func:`geocode_registry` reads a registry, places its rows with the Base Adresse Nationale
(:mod:`atlas.registry.geocoding.rows`) and returns the rows **as read**, in file order, with columns
added: ``longitude`` and ``latitude`` (filled only where they were empty and the BAN placed the
row at its address, on its street or at a lieu-dit), ``precision`` (« adresse », « voie »,
« lieu-dit », « commune », « inconnue »), ``score`` (street-name similarity 0-100),
``adresse_ban`` (the BAN address used) and ``remarque_geocodage`` (why the row is not at its
door). Columns the registry already has for longitude, latitude or precision are filled in place.

:func:`write_geocoded` writes them in the input's own dialect: a CSV keeps its separator,
encoding (UTF-8 with or without BOM, Windows-1252, UTF-16), line endings and decimal mark
(comma with ``;``); a spreadsheet, GeoJSON or JSON registry is written as a CSV for French Excel
(``;``, decimal comma, UTF-8 with BOM). Rejected rows are written unchanged (empty added cells).
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from atlas.errors import AtlasError
from atlas.fr import plural_fr
from atlas.io import atomic_output
from atlas.registry import schema
from atlas.registry.actors import read_actors
from atlas.registry.geocoding.rows import BAN_WORD
from atlas.registry.readers import load_mapping, name_header_keys, read_raw_table
from atlas.registry.results import RegistryResult

#: Columns added when the registry has none for them (canonical field -> header written).
ADDED_COLUMNS: dict[str, str] = {
    "lon": "longitude", "lat": "latitude", "precision": "precision", "geocode_score": "score",
    "geocode_label": "adresse_ban", "geocode_reason": "remarque_geocodage",
}  # fmt: skip
#: The word written in the precision column, by registry precision.
PRECISION_WORDS: dict[str, str] = {**BAN_WORD, "unknown": "inconnue"}
#: Why a row that was not geocoded is not at its door.
_NOT_GEOCODED = {"commune": "pas d'adresse dans le registre : mairie", "unknown": "commune non trouvée : non localisée"}


@dataclass(frozen=True)
class CsvDialect:
    """How a CSV file is written: separator, encoding, line ending, decimal mark."""

    delimiter: str = ";"
    encoding: str = "utf-8-sig"
    newline: str = "\r\n"
    decimal: str = ","

    @classmethod
    def of(cls, path: str | Path) -> CsvDialect | None:
        """The dialect of a CSV file (None for other formats)."""
        path = Path(path)
        if path.suffix.lower() not in (".csv", ".txt", ".tsv"):
            return None
        data = path.read_bytes()
        encoding, text = _decode(data)
        first = text.splitlines()[0] if text else ""
        delimiter = max([";", ",", "\t", "|"], key=first.count) if first else ","
        newline = "\r\n" if "\r\n" in text[:20_000] else "\n"
        return cls(delimiter, encoding, newline, "," if delimiter == ";" else ".")


def _decode(data: bytes) -> tuple[str, str]:
    """(encoding, text): the BOM first, then UTF-8, then Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16", data.decode("utf-16")
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig", data.decode("utf-8-sig")
    try:
        return "utf-8", data.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252", data.decode("cp1252", errors="replace")


EXCEL = CsvDialect()


@dataclass
class GeocodedRegistry:
    """A registry's rows as read, with the geocoding added (see the module's docstring).

    Attributes
    ----------
    table : pandas.DataFrame
        Every row read, in file order, the original columns first.
    result : RegistryResult
        The registry as atlas reads it (accepted rows with their precision and geocoding).
    dialect : CsvDialect or None
        The input's CSV dialect (None: not a CSV; written for French Excel).
    imprecise : pandas.DataFrame
        ``line``, ``name``, ``precision`` (French label), ``reason``: the accepted rows placed
        less precisely than their address.
    path : pathlib.Path
    """

    table: pd.DataFrame
    result: RegistryResult
    dialect: CsvDialect | None
    imprecise: pd.DataFrame = field(default_factory=pd.DataFrame)
    path: Path = Path()

    def report_lines(self, limit: int = 50) -> list[str]:
        """French lines: how the rows are placed, then the rows not at their door, with why."""
        acc = self.result.accepted
        counts = acc["precision"].value_counts() if len(acc) else pd.Series(dtype=int)
        placed = [f"{int(counts[p])} {schema.PRECISION_LABELS[p]}" for p in schema.PRECISION_LABELS if counts.get(p)]
        lines = [self.result.summary(), "Précision : " + (" ; ".join(placed) or "aucune ligne acceptée") + "."]
        if len(self.imprecise):
            lines.append(f"{plural_fr(len(self.imprecise), 'ligne placée')} moins précisément qu'à l'adresse :")
            for r in self.imprecise.head(limit).itertuples():
                lines.append(f"  ligne {r.line} ({r.name}) : {r.precision} — {r.reason}")
            if len(self.imprecise) > limit:
                lines.append(
                    f"  … et {len(self.imprecise) - limit} autres (colonne remarque_geocodage du fichier écrit)."
                )
        if len(self.result.rejected):
            lines.append("Lignes rejetées (recopiées telles quelles, sans géocodage) :")
        for r in self.result.rejected.head(limit).itertuples():
            lines.append(f"  ligne {r.line} : {r.reason}")
        return lines


def _number(value: float, decimal: str) -> str:
    if value is None or not math.isfinite(value):
        return ""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text.replace(".", decimal)


def _existing_column(raw: pd.DataFrame, canon: str, mapping: dict) -> str | None:
    """The registry's own column for a canonical field (mapping first, then the known headers)."""
    keyed = {schema.header_key(c): c for c in raw.columns if not str(c).startswith("__")}
    wanted = mapping.get("columns", {}).get(canon)
    names = ([wanted] if isinstance(wanted, str) else list(wanted)) if wanted else list(schema.HEADER_ALIASES[canon])
    for name in names:
        if schema.header_key(name) in keyed:
            return keyed[schema.header_key(name)]
    return None


def _added_values(acc: pd.DataFrame, decimal: str) -> dict[str, list[str]]:
    """The added cells of each accepted row (by canonical field)."""
    geocoded = acc["geocode_label"].astype(str) != ""
    score = pd.to_numeric(acc["geocode_score"], errors="coerce")
    return {
        "lon": [_number(v, decimal) if g else "" for v, g in zip(acc["lon"], geocoded, strict=True)],
        "lat": [_number(v, decimal) if g else "" for v, g in zip(acc["lat"], geocoded, strict=True)],
        "precision": [PRECISION_WORDS.get(str(p), str(p)) for p in acc["precision"]],
        "geocode_score": [f"{v:.0f}" if math.isfinite(v) else "" for v in score],
        "geocode_label": acc["geocode_label"].astype(str).tolist(),
        "geocode_reason": acc["geocode_reason"].astype(str).tolist(),
    }


def _imprecise(acc: pd.DataFrame) -> pd.DataFrame:
    rows = acc[acc["precision"] != "address"]
    reasons = [r or _NOT_GEOCODED.get(p, "") for r, p in zip(rows["geocode_reason"], rows["precision"], strict=True)]
    return pd.DataFrame({
        "line": rows["line"].to_numpy(), "name": rows["name"].to_numpy(),
        "precision": [schema.PRECISION_LABELS.get(p, p) for p in rows["precision"]], "reason": reasons,
    })  # fmt: skip


def geocode_registry(
    path: str | Path,
    *,
    mapping: str | Path | dict | None = None,
    reference: str | Path | None = None,
    communes=None,
    sheet: str | list[str] | None = None,
    ban=None,
    geocoder: str | None = None,
) -> GeocodedRegistry:
    """Read and geocode a registry; its rows as read, with the geocoding added.

    Parameters
    ----------
    path : path
        The registry (CSV, XLS/XLSX/ODS, GeoJSON, JSON).
    mapping, reference, communes, sheet : optional
        As for :func:`atlas.registry.actors.read_actors` (a workbook: one sheet at a time when the
        row numbers of several sheets would mix).
    ban : path or BanIndex, optional
        BAN file(s) (see :func:`atlas.registry.geocoding.rows.make_geocoder`).
    geocoder : str, optional
        ``"en-ligne"`` for the BAN's online geocoder.

    Returns
    -------
    GeocodedRegistry

    Examples
    --------
    >>> import atlas
    >>> from atlas import settings
    >>> geocoded = atlas.geocode_registry(settings.raw_dir() / "actors.csv")
    >>> len(geocoded.table), "precision" in geocoded.table.columns
    (190, True)
    """
    path = Path(path)
    mapping = load_mapping(mapping)
    result = read_actors(path, reference, mapping, communes, sheet=sheet, ban=ban, geocoder=geocoder)
    raw, lines = read_raw_table(path, sheet=sheet, header_keys=name_header_keys(mapping))
    if len(set(lines)) != len(lines):
        raise AtlasError(f"« {path.name} » : plusieurs feuilles ont des lignes de même numéro ; atlas geocode "
                         "réécrit une feuille à la fois (--feuille NOM).")  # fmt: skip
    dialect = CsvDialect.of(path)
    acc = result.accepted
    position = {line: pos for pos, line in enumerate(lines)}
    rows = [position[int(line)] for line in acc["line"]]
    table = raw[[c for c in raw.columns if not str(c).startswith("__")]].astype(str).copy()
    values = _added_values(acc, (dialect or EXCEL).decimal)
    # rows geocoded by this run; the others keep what the registry says (e.g. an earlier run's score)
    fresh = ((acc["geocode_label"].astype(str) != "") | (acc["geocode_reason"].astype(str) != "")).tolist()
    for canon, header in ADDED_COLUMNS.items():
        own = _existing_column(raw, canon, mapping) if canon in schema.HEADER_ALIASES else None
        column = own or header
        if column not in table.columns:
            table[column] = ""
        cells = table[column].to_numpy(object)
        for pos, value, new in zip(rows, values[canon], fresh, strict=True):
            if canon == "precision" or (new and (value or canon not in ("lon", "lat"))):
                cells[pos] = value
        table[column] = cells
    return GeocodedRegistry(table, result, dialect, _imprecise(acc), path)


def write_geocoded(geocoded: GeocodedRegistry, output: str | Path) -> Path:
    """Write the registry with its geocoding in the input's dialect (CSV for Excel otherwise).

    Parameters
    ----------
    geocoded : GeocodedRegistry
        From :func:`geocode_registry`.
    output : path
        The CSV to write (atomically: a failure leaves nothing behind).

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import atlas, tempfile, pathlib
    >>> from atlas import settings
    >>> geocoded = atlas.geocode_registry(settings.raw_dir() / "actors.csv")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     atlas.write_geocoded(geocoded, pathlib.Path(tmp) / "registre-geocode.csv").name
    'registre-geocode.csv'
    """
    dialect = geocoded.dialect or EXCEL
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=dialect.delimiter, lineterminator=dialect.newline)
    writer.writerow(list(geocoded.table.columns))
    writer.writerows(geocoded.table.itertuples(index=False, name=None))
    data = buf.getvalue().encode(dialect.encoding, errors="replace")
    with atomic_output(output) as tmp:
        tmp.write_bytes(data)
    return Path(output)
