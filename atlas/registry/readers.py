"""Registry files read as they are: raw string frames with the line number of each row.

Readers accept what people really have: CSV exported from Excel in France (``;`` separator,
decimal comma, UTF-8 with or without BOM, Windows-1252, or UTF-16 as Excel's « texte Unicode »
writes it, ``;``/``,``/tab separators), workbooks (XLSX, XLS, ODS: every sheet that looks like a
registry), GeoJSON, GeoPackage and data·inclusion or Soliguide exports (JSON list or CSV). Headers
are mapped to the canonical columns of :mod:`atlas.registry.schema` by
:data:`atlas.registry.schema.HEADER_ALIASES`, plus an optional mapping (a dict, or the name of a
preset in ``atlas/registry/mappings/``, or a JSON file) for other exports.

The header row, and the rows below it that are no places, are found by :mod:`atlas.registry.layout`;
a web page saved as a spreadsheet (« export Excel ») is read as its table (:mod:`atlas.registry.html_table`).

Every row read keeps its line number (file line for CSV, row for spreadsheets, feature number
for GeoJSON) and, in a workbook, its sheet, so that a rejected row can be found again in the file.
A file that cannot be read at all (not a table, damaged, truncated, of another format than its
name says) is a :class:`~atlas.errors.RegistryError` with one French sentence naming it; so is a
file that changes while it is read (a copy still under way: its size, time and inode are
compared before and after) and a CSV file with a quote opened and never closed (the csv module
would read the rest of the file as one cell).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import gc
import io
import itertools
import json
import math
import operator
import re
import unicodedata
from collections.abc import Collection, Sequence
from pathlib import Path
from urllib.parse import unquote

import geopandas as gpd
import numpy as np
import pandas as pd
import python_calamine

from atlas.crs import WGS84
from atlas.errors import OpenQuoteError, RegistryError
from atlas.io import check_unchanged, error_fr, excel_unsafe, file_state, may_hold_excel_safe
from atlas.registry import html_table, layout, schema, soliguide
from atlas.registry.csv_quotes import check_quotes
from atlas.registry.layout import HEADER_SEARCH_ROWS
from atlas.registry.results import SheetReport

_URL_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
MAPPINGS_DIR = Path(__file__).with_name("mappings")

SPREADSHEET_SUFFIXES = (".xls", ".xlsx", ".xlsm", ".xlsb", ".ods")
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
GEO_SUFFIXES = (".geojson", ".gpkg", ".shp", ".fgb")
_DELIMITERS = (";", ",", "\t", "|")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


# --------------------------------------------------------------------------- text files
def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a BOM: every other byte is NUL in text of Latin letters."""
    head = data[:4000]
    if len(head) < 4:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    half = len(head) // 2
    if odd > 0.3 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.3 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def decode_text(data: bytes) -> str:
    """Text of a file as people save it: BOM (UTF-8, UTF-16, UTF-32), UTF-16 without BOM, UTF-8,
    Windows-1252, else Latin-1 (which never fails: :func:`looks_like_text` judges the result)."""
    for bom, enc in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
                     (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(enc, errors="replace")
    utf16 = _utf16_without_bom(data)
    if utf16:
        return data.decode(utf16, errors="replace")
    for enc in ("utf-8", "cp1252"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def looks_like_text(text: str) -> bool:
    """False for the decoding of a binary file: NUL or many control or replacement characters."""
    sample = text[:20_000]
    if not sample.strip():
        return True
    if "\x00" in sample:
        return False
    odd = sum(sample.count(c) for c in set(sample) if c == "\ufffd" or (  # each distinct character once
        unicodedata.category(c) in ("Cc", "Co", "Cn") and c not in "\t\r\n\x0c"))
    return odd <= max(2, 0.01 * len(sample))


def _sniff_delimiter(text: str) -> str:
    """The separator giving the most columns in the first line, the most regular rows on a tie."""
    lines = [ln for ln in text[:50_000].splitlines() if ln.strip()][:50]
    if not lines:
        return ","
    best, best_score = ",", (0, 0.0)
    for delim in _DELIMITERS:
        rows = list(csv.reader(lines, delimiter=delim))
        width = len(rows[0])
        if width < 2:
            continue
        regular = sum(len(r) == width for r in rows) / len(rows)
        score = (width, regular) if regular >= 0.5 else (0, regular)
        if score > best_score:
            best, best_score = delim, score
    return best


def _csv_text(path: Path) -> str:
    """A CSV file's text (see :func:`decode_text`), refused when it is not text."""
    text = decode_text(path.read_bytes())
    if not looks_like_text(text):
        raise RegistryError(
            f"« {path} » n'est pas un tableau lisible : son contenu n'est pas du texte (fichier abîmé, "
            "ou d'un autre format que son nom l'indique). Enregistrez-le en CSV depuis le tableur."
        )
    return text


def _csv_records_by_line(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """Non-empty records with the line each starts on, read record by record (the reference).

    Raises
    ------
    OpenQuoteError
        For a quote opened and never closed (:func:`atlas.registry.csv_quotes.check_quotes`).
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records, start, rec = [], 1, []
    for rec in reader:
        if any(c.strip() for c in rec):
            records.append((start, rec))
        start = reader.line_num + 1
    check_quotes(text, rec)
    return records


def _csv_records(path: Path) -> list[tuple[int, list[str]]]:
    """Non-empty records of a CSV file with the line each starts on.

    The records are read by :mod:`csv` at once; the line a record starts on is counted from the
    line breaks of the records before it (a record takes one line plus the line breaks of its
    quoted cells, an empty line is an empty record), checked against the reader's own count of
    lines: should they ever differ, the records are read again one by one.
    """
    text = _csv_text(path)
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = list(reader)
    check_quotes(text, rows[-1] if rows else [])
    joined = list(map(" ".join, rows))  # a space: blank stays blank, no line break is made or lost
    if reader.line_num == len(rows):  # no record over several lines
        starts: Sequence[int] = range(1, len(rows) + 1)
    else:
        spans = [1 + s.count("\n") + s.count("\r") - s.count("\r\n") if "\n" in s or "\r" in s else 1
                 for s in joined]
        if sum(spans) != reader.line_num:  # pragma: no cover - not seen; the reference then
            return _unguarded(text, _csv_records_by_line(text, delimiter))
        starts = list(itertools.accumulate(spans[:-1], initial=1))
    return _unguarded(text, list(itertools.compress(zip(starts, rows, strict=True), map(str.strip, joined))))


def _unguarded(text: str, records: list[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
    """The records with the cells atlas neutralised for Excel as they were (:func:`atlas.io.excel_unsafe`:
    a registry atlas wrote, read again, gives back its own text); searched only when ``text`` may hold one."""
    if not may_hold_excel_safe(text):
        return records
    return [(line, [excel_unsafe(c) if c[:1] == "'" else c for c in rec]) for line, rec in records]


# --------------------------------------------------------------------------- rows to a frame
def _unique_headers(header: list[str]) -> list[str]:
    """Headers as read, an empty one named « colonne_N », a repeated one « Nom.1 » (as pandas)."""
    cols: list[str] = []
    seen: dict[str, int] = {}
    for i, h in enumerate(header):
        name = str(h).strip() or f"colonne_{i + 1}"
        n = seen.get(name, 0)
        seen[name] = n + 1
        cols.append(name if n == 0 else f"{name}.{n}")
    return cols


def _frame_from_records(records: Sequence[tuple[int, list[str]]], header_at: int) -> tuple[pd.DataFrame, list[int]]:
    """Rows below the header (cells read as text); extra cells beyond the header kept in
    ``__extra__`` (the non-empty ones, joined by « | »)."""
    header = list(records[header_at][1])
    body = records[header_at + 1:]
    while header and not str(header[-1]).strip() and all(len(r) < len(header) or not str(r[len(header) - 1]).strip()
                                                        for _, r in body):
        header.pop()  # empty trailing columns of a sheet
    width = len(header)
    lines = list(map(operator.itemgetter(0), body))
    rows = list(map(operator.itemgetter(1), body))
    extra = None
    if set(map(len, rows)) - {width}:  # short rows padded, long ones cut (their extra cells kept)
        extra = ["|".join(c for c in r[width:] if c.strip()) for r in rows]
        rows = [r[:width] if len(r) >= width else [*r, *[""] * (width - len(r))] for r in rows]
        if not any(extra):
            extra = None
    cols = _unique_headers(header)
    if extra is not None:
        cols = [*cols, "__extra__"]
        rows = [[*r, e] for r, e in zip(rows, extra, strict=True)]
    return pd.DataFrame(rows, columns=cols, dtype=object), lines


def _no_header(path: Path, where: str, header_keys: Collection[str]) -> str:
    examples = ", ".join(sorted(header_keys)[:4])
    return (f"« {path} »{where} : aucune ligne d'en-tête avec une colonne attendue ({examples}…) "
            f"dans les {HEADER_SEARCH_ROWS} premières lignes")


def _read_csv(path: Path, header_keys: Collection[str] | None) -> tuple[pd.DataFrame, list[int]]:
    try:
        records = _csv_records(path)
    except OpenQuoteError as exc:
        raise RegistryError(f"« {path} » : {exc}") from exc
    if not records:
        raise RegistryError(f"« {path} » est vide.")
    at = layout.find_header(records, header_keys)
    if at is None:
        raise RegistryError(_no_header(path, "", header_keys or ()) + ".")
    records, skipped = layout.without_notes(records, at, header_keys)  # type: ignore[assignment]
    frame, lines = _frame_from_records(records, at)
    frame.attrs[_ALL_TEXT] = True  # the csv module reads every cell as text
    frame.attrs[layout.SKIPPED_ATTR] = skipped
    return frame, lines


#: Attribute :func:`read_raw_table` takes off the frame a reader made of text cells alone.
_ALL_TEXT = "__all_text__"


# --------------------------------------------------------------------------- workbooks
def cell_text(value: object) -> str:
    """A spreadsheet cell as text, as pandas' ``dtype=str`` reads it (whole numbers without ``.0``),
    dates as ``AAAA-MM-JJ``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _open_workbook(path: Path) -> python_calamine.CalamineWorkbook:
    try:
        return python_calamine.CalamineWorkbook.from_path(str(path))
    except python_calamine.PasswordError as exc:
        raise RegistryError(f"« {path} » est protégé par un mot de passe : enregistrez-en une copie sans "
                            "mot de passe.") from exc
    except Exception as exc:  # CalamineError, ZipError, XmlError...: not a readable workbook
        raise RegistryError(f"« {path} » n'est pas un classeur Excel ou OpenDocument lisible (fichier abîmé, "
                            "ou d'un autre format que son nom l'indique).") from exc


def _chosen_sheets(path: Path, book: python_calamine.CalamineWorkbook,
                   sheet: str | Sequence[str] | None) -> list[tuple[str, bool]]:
    """(name, chosen) of the sheets to look at: those named by ``sheet``, else every one."""
    names = [m.name for m in book.sheets_metadata if m.typ == python_calamine.SheetTypeEnum.WorkSheet]
    if sheet is None:
        return [(n, False) for n in names]
    wanted = [sheet] if isinstance(sheet, str) else list(sheet)
    missing = [w for w in wanted if w not in names]
    if missing:
        listed = ", ".join(f"« {n} »" for n in names)
        raise RegistryError(f"Feuille « {missing[0]} » introuvable dans « {path} » (feuilles : {listed}).")
    return [(n, True) for n in wanted]


def _read_sheet(book: python_calamine.CalamineWorkbook, name: str) -> list[tuple[int, list[str]]]:
    """Non-empty rows of a sheet as text (:func:`cell_text`) with their row number; text cells, most
    of them, taken as they are."""
    rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    return [(i + 1, [c if type(c) is str else cell_text(c) for c in row]) for i, row in enumerate(rows)
            if row.count("") + row.count(None) < len(row)]  # type: ignore[arg-type]


def _read_workbook(path: Path, header_keys: Collection[str] | None,
                   sheet: str | Sequence[str] | None) -> tuple[pd.DataFrame, list[int]]:
    """Every sheet that looks like a registry, one after the other, with a ``__sheet__`` column."""
    book = _open_workbook(path)
    hidden = {m.name for m in book.sheets_metadata if m.visible != python_calamine.SheetVisibleEnum.Visible}
    frames, lines, reports, columns, skipped = [], [], [], {}, []
    for name, chosen in _chosen_sheets(path, book, sheet):
        if name in hidden and not chosen:
            reports.append(SheetReport(name, skipped="feuille masquée (choisissez-la avec --sheet)"))
            continue
        records = _read_sheet(book, name)
        at = layout.find_header(records, header_keys)
        if not records:
            reason = "feuille vide"
        elif at is None:
            reason = _no_header(path, f", feuille « {name} »", header_keys or ()).split(" : ", 1)[1]
        else:
            reason = ""
        if reason and chosen:
            raise RegistryError(f"« {path} », feuille « {name} » : {reason}.")
        if reason:
            reports.append(SheetReport(name, skipped=reason))
            continue
        records, notes = layout.without_notes(records, at, header_keys)  # type: ignore[arg-type,assignment]
        frame, sheet_lines = _frame_from_records(records, at)  # type: ignore[arg-type]
        skipped += [(line, why, name) for line, why in notes]
        frame["__sheet__"] = name
        frames.append(frame)
        columns[name] = list(frame.columns)
        lines += sheet_lines
        reports.append(SheetReport(name, rows=len(frame) + len(notes), header_line=records[at][0],  # type: ignore[index]
                                   left_out=len(notes)))
    if not frames:
        why = " ; ".join(f"« {r.name} » : {r.skipped}" for r in reports) or "aucune feuille"
        raise RegistryError(f"« {path} » : aucune feuille ne ressemble à un registre ({why}).")
    frame = pd.concat(frames, ignore_index=True).fillna("") if len(frames) > 1 else frames[0]
    frame.attrs["sheet_columns"] = columns
    frame.attrs["sheets"] = reports
    frame.attrs[layout.SKIPPED_ATTR] = skipped
    return frame, lines


def sheet_frames(raw: pd.DataFrame) -> list[pd.DataFrame]:
    """The rows of each sheet with that sheet's own columns (the whole frame when not a workbook)."""
    columns = raw.attrs.get("sheet_columns")
    if "__sheet__" not in raw.columns or not columns or len(columns) < 2:
        return [raw]
    parts = []
    for name, cols in columns.items():
        part = raw.loc[raw["__sheet__"] == name, cols]
        part.attrs = {k: v for k, v in raw.attrs.items() if k != "sheet_columns"}
        parts.append(part)
    return parts


# --------------------------------------------------------------------------- any file
def _sniff(path: Path) -> str:
    """« workbook » (zip or OLE container), « html » (a web page: :mod:`atlas.registry.html_table`),
    or « other », from the first bytes."""
    with open(path, "rb") as fh:
        head = fh.read(1024)
    if head.startswith(_ZIP_MAGIC) or head.startswith(_OLE_MAGIC):
        return "workbook"
    return "html" if html_table.looks_like_html(head) else "other"


def _read_html(path: Path, header_keys: Collection[str] | None) -> tuple[pd.DataFrame, list[int]]:
    """An HTML table saved as a spreadsheet, read as the table it is (rows numbered from 1)."""
    records = html_table.html_records(decode_text(path.read_bytes()))
    if not records:
        raise RegistryError(f"« {path} » est une page web sans tableau : enregistrez le tableau en CSV ou en XLSX.")
    at = layout.find_header(records, header_keys)
    if at is None:
        raise RegistryError(_no_header(path, " (page web enregistrée en tableur)", header_keys or ()) + ".")
    records, skipped = layout.without_notes(records, at, header_keys)  # type: ignore[assignment]
    frame, lines = _frame_from_records(records, at)
    frame.attrs[_ALL_TEXT] = True
    frame.attrs[layout.SKIPPED_ATTR] = skipped
    return frame, lines


def _read_geo(path: Path, layer: str | None) -> tuple[pd.DataFrame, list[int]]:
    try:
        gdf = gpd.read_file(path, layer=layer) if layer else gpd.read_file(path)
    except Exception as exc:  # pyogrio's DataSourceError, DataLayerError...
        raise RegistryError(f"Lecture impossible de « {path} » : fichier géographique illisible, tronqué ou "
                            "d'un autre format que son nom l'indique.") from exc
    crs = gdf.crs or WGS84
    geom = gdf.geometry
    frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).astype(object)
    frame = frame.where(frame.notna(), "").astype(str)
    pts = geom.representative_point() if len(geom) else geom
    ok = ~(geom.isna() | geom.is_empty).to_numpy()
    frame["__gx__"] = np.where(ok, pts.x, np.nan) if len(geom) else []
    frame["__gy__"] = np.where(ok, pts.y, np.nan) if len(geom) else []
    frame.attrs["__crs__"] = str(crs)
    return frame, list(range(1, len(frame) + 1))


def _read_json(path: Path) -> tuple[pd.DataFrame, list[int]]:
    text = decode_text(path.read_bytes())
    try:
        data = json.loads(text)
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        where = f" (ligne {line})" if line else ""
        raise RegistryError(f"Lecture impossible de « {path} » : JSON illisible ou tronqué{where}.") from exc
    if isinstance(data, dict):
        data = data.get("places") or data.get("data") or data.get("items") or data.get("results") or [data]
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise RegistryError(f"« {path} » n'est pas un registre : une liste d'objets JSON (un par lieu) est attendue.")
    if soliguide.is_soliguide(data):  # Soliguide places: hours converted to OSM syntax
        data = soliguide.places_to_rows(data)
    flat = pd.json_normalize(data, sep="_")
    frame = flat.astype(object).where(flat.notna(), "")
    return frame, list(range(1, len(frame) + 1))


def read_raw_table(
    path: str | Path,
    layer: str | None = None,
    *,
    sheet: str | Sequence[str] | None = None,
    header_keys: Collection[str] | None = None,
    keep_notes: bool = False,
) -> tuple[pd.DataFrame, list[int]]:
    """Read a registry file as strings with the line number of each row.

    Parameters
    ----------
    path : str or Path
        CSV/TXT/TSV, XLSX/XLS/ODS, GeoJSON, GeoPackage, Shapefile, FlatGeobuf or JSON file.
    layer : str, optional
        Layer of a GeoPackage.
    sheet : str or list of str, optional
        Sheets of a workbook to read (default: every sheet whose header names one of
        ``header_keys``; the others are reported in ``attrs["sheets"]``).
    header_keys : collection of str, optional
        Normalised headers (:func:`atlas.registry.schema.header_key`) that mark the header row of a
        registry, e.g. the aliases of the name column. Default: the first non-empty row is the
        header.
    keep_notes : bool, default False
        Keep the rows below the header that are no places (sections, comments, totals: see
        :mod:`atlas.registry.layout`), e.g. to write the whole registry back; by default they are
        left out and listed in ``attrs["skipped"]``.

    Returns
    -------
    (pandas.DataFrame, list of int)
        All values as ``str`` (missing as ""), the original headers; one line number per row.
        For GeoJSON/GeoPackage, ``__gx__``/``__gy__`` columns hold the point's coordinates in its
        file's CRS (``__crs__`` attribute of the frame). For a workbook, ``__sheet__`` names the
        sheet of each row and ``attrs["sheets"]`` lists :class:`~atlas.registry.results.SheetReport`.

    Raises
    ------
    RegistryError
        For a file that cannot be read as a table, or that changed while it was read (one French
        sentence naming it).
    """
    path = Path(path)
    if not path.exists():
        raise RegistryError(f"Fichier introuvable : « {path} ».")
    if path.is_dir():
        raise RegistryError(f"« {path} » est un dossier, pas un fichier de registre.")
    suffix = path.suffix.lower()
    try:
        before = file_state(path)
        with no_cyclic_gc():
            with layout.keeping_notes(keep_notes):
                frame, lines = _read_any(path, suffix, layer, header_keys, sheet)
        check_unchanged(path, before, error=RegistryError)  # one state of the file, not half a copy
    except RegistryError:
        raise
    except OSError as exc:
        raise RegistryError(f"Lecture impossible de « {path} » : {error_fr(exc)}.") from exc
    except (ValueError, UnicodeError, KeyError, TypeError, csv.Error) as exc:
        raise RegistryError(f"Lecture impossible de « {path} » : fichier illisible ({exc}).") from exc
    all_text = frame.attrs.pop(_ALL_TEXT, False)
    attrs = dict(frame.attrs)
    frame = frame.astype(object)
    for col in [] if all_text else frame.columns:  # missing cells as "" (columns of text only left as they are)
        if pd.api.types.infer_dtype(frame[col], skipna=False) != "string":
            frame[col] = frame[col].map(lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) else v)
    frame.attrs.update(attrs)
    return frame, lines


@contextlib.contextmanager
def no_cyclic_gc():  # noqa: ANN202 - a context manager
    """Python's cyclic garbage collector paused (and restored as it was): reading and checking a
    registry make millions of lists, tuples and strings (no cycles among them) and each automatic
    collection would walk through all of them again (a third of the time on 200,000 rows)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read_any(path: Path, suffix: str, layer: str | None, header_keys: Collection[str] | None,
              sheet: str | Sequence[str] | None) -> tuple[pd.DataFrame, list[int]]:
    """The reader of the file's format (see :func:`read_raw_table`)."""
    if suffix in SPREADSHEET_SUFFIXES and _sniff(path) == "html":  # a web tool's « export Excel »
        return _read_html(path, header_keys)
    if suffix in SPREADSHEET_SUFFIXES or (suffix in CSV_SUFFIXES and _sniff(path) == "workbook"):
        return _read_workbook(path, header_keys, sheet)
    if suffix in CSV_SUFFIXES:
        return _read_csv(path, header_keys)
    if suffix in GEO_SUFFIXES or (suffix == ".json" and _is_geojson(path)):
        return _read_geo(path, layer)
    if suffix == ".json":
        return _read_json(path)
    raise RegistryError(f"Format non reconnu pour « {path.name} » (CSV, XLS/XLSX/ODS, GeoJSON, GeoPackage, JSON).")


def _is_geojson(path: Path) -> bool:
    head = decode_text(path.read_bytes()[:4096])
    return '"FeatureCollection"' in head or '"Feature"' in head


# --------------------------------------------------------------------------- mapping
def load_mapping(mapping: str | Path | dict | None) -> dict:
    """A column (and value) mapping for exports whose headers or words atlas does not know.

    A JSON object with optional keys: ``columns`` (canonical column -> header, or list of headers
    whose first non-empty value is taken), ``templates`` (canonical column -> text with
    ``{header_key}`` fields, e.g. ``"{n_rue} {bis} {nom_de_rue}"``), ``value_maps`` or ``values``
    (canonical column -> {value as written: canonical value}, e.g. ``{"kind": {"Lieu X":
    "distribution"}}``; for ``network`` and ``services`` each part of a list is mapped), ``patterns``
    (canonical column -> ``{"from": column, "rules": [[regex, value], ...]}`` or a list of them: an
    empty cell takes the value of the first rule found in the ``from`` column, e.g. a kind read from
    the structure's name, see :func:`_by_patterns`), ``defaults`` (canonical column -> value for
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
    try:
        data = json.loads(decode_text(p.read_bytes()))
    except (OSError, ValueError) as exc:
        line = getattr(exc, "lineno", None)
        raise RegistryError(f"Correspondance illisible : « {p} » (JSON invalide{f', ligne {line}' if line else ''}).") from exc
    if not isinstance(data, dict):
        raise RegistryError(f"Correspondance illisible : « {p} » (un objet JSON {{…}} est attendu).")
    return data


def _joined_text(cells: pd.Series) -> str | None:
    """A column's cells joined by line breaks when they are all text, None otherwise."""
    if cells.dtype != object and pd.api.types.infer_dtype(cells, skipna=False) != "string":
        return None
    try:
        return "\n".join(cells.tolist())
    except TypeError:  # not all text
        return None


def without_url_escapes(path: str | Path) -> bool:
    """True when ``path`` is read as CSV text and holds no « % » byte: none of its cells can then
    hold a URL escape (a « % » is the byte 0x25, or has it, in every encoding :func:`decode_text`
    reads); False when unsure (other formats, a workbook named .csv)."""
    path = Path(path)
    try:
        if path.suffix.lower() not in CSV_SUFFIXES or _sniff(path) == "workbook":
            return False
        return b"%" not in path.read_bytes()
    except OSError:
        return False


def _decode_url_escapes(raw: pd.DataFrame) -> pd.DataFrame:
    """``raw`` with URL-encoded cells decoded (no space and a ``%xx`` escape), searched column by
    column; a copy when some are, ``raw`` itself otherwise."""
    source = raw
    for col in source.columns:
        cells = source[col]
        joined = _joined_text(cells)
        if joined is not None:
            if not _URL_ESCAPE.search(joined):
                continue  # no escape anywhere in the column (most columns): one search
            text = cells
        elif cells.dtype == object:
            text = cells.map(lambda v: v if isinstance(v, str) else "")
        else:
            continue  # numbers: nothing to decode
        hit = (text.str.contains(_URL_ESCAPE.pattern, regex=True) & ~text.str.contains(" ", regex=False)).to_numpy(bool)
        if hit.any():
            raw = raw.copy() if raw is source else raw
            raw[col] = cells.astype(object)
            raw.loc[hit, col] = [unquote(v) for v in text[hit]]
    return raw


def canonical_frame(raw: pd.DataFrame, mapping: dict, *, url_escapes: bool = True) -> pd.DataFrame:
    """Map raw headers to the canonical columns of :data:`atlas.registry.schema.HEADER_ALIASES`.

    Parameters
    ----------
    raw : pandas.DataFrame
        Rows as read by :func:`read_raw_table` (URL-encoded cells are decoded).
    mapping : dict
        Column mapping (see :func:`load_mapping`); ``{}`` for the known headers only.
    url_escapes : bool, default True
        False when no cell can hold a URL escape (:func:`without_url_escapes`): the cells are not
        searched for one.

    Returns
    -------
    pandas.DataFrame
        One column per canonical column (strings, stripped; "" where absent), plus ``__gx__`` and
        ``__gy__`` (numbers) when the file had geometries.
    """
    parts = sheet_frames(raw)
    if len(parts) > 1:  # sheets with headers of their own: each mapped on its own
        return pd.concat([canonical_frame(part, mapping, url_escapes=url_escapes) for part in parts]).loc[raw.index]
    if url_escapes:  # « Anizy%20le%20ch%C3%A2teau »: URL-encoded cells in real exports
        raw = _decode_url_escapes(raw)
    keyed = {schema.header_key(c): c for c in raw.columns}
    out = pd.DataFrame(index=raw.index)
    stripped: set[str] = set()  # columns of Python strings already stripped
    explicit = mapping.get("columns", {})
    for canon, aliases in schema.HEADER_ALIASES.items():
        wanted = explicit.get(canon)
        if wanted is not None:
            names = [wanted] if isinstance(wanted, str) else list(wanted)
            found = [keyed.get(schema.header_key(n)) for n in names]
            cols = [c for c in found if c is not None]
        else:
            cols = [keyed[a] for a in aliases if a in keyed][:1]
        if not cols:
            out[canon] = ""
            stripped.add(canon)
            continue
        vals, text = _stripped_text(raw[cols[0]])
        for c in cols[1:]:  # first non-empty of several columns
            alt, alt_text = _stripped_text(raw[c])
            vals, text = vals.where(vals != "", alt), text and alt_text
        out[canon] = vals
        if text:
            stripped.add(canon)
    if mapping.get("templates"):
        fields = {schema.header_key(c): raw[c].astype(str).str.strip().tolist() for c in raw.columns}
        for canon, template in mapping["templates"].items():
            out[canon] = [
                re.sub(r"\s+", " ", template.format(**{k: v[i] for k, v in fields.items()})).strip(" ,-")
                for i in range(len(raw))
            ]
    for canon, blocks in mapping.get("patterns", {}).items():
        out[canon] = _by_patterns(out, canon, blocks)
    for canon, table in {**mapping.get("values", {}), **mapping.get("value_maps", {})}.items():
        if canon in out:
            out[canon] = map_values(out[canon], table, several=canon in LIST_COLUMNS)
    for canon, value in mapping.get("defaults", {}).items():
        out[canon] = out[canon].where(out[canon] != "", value) if canon in out else value
    if "__gx__" in raw.columns:
        out["__gx__"] = pd.to_numeric(raw["__gx__"], errors="coerce")
        out["__gy__"] = pd.to_numeric(raw["__gy__"], errors="coerce")
    changed = {*mapping.get("templates", {}), *mapping.get("values", {}), *mapping.get("value_maps", {}),
               *mapping.get("defaults", {}), *mapping.get("patterns", {})}
    out.attrs[STRIPPED_ATTR] = sorted(stripped - changed)
    return out


def _by_patterns(out: pd.DataFrame, canon: str, blocks: list[dict] | dict) -> list[str]:
    """A mapping's ``patterns`` for one canonical column: its empty cells get the value of the first
    rule whose regular expression (case ignored) is found in the cell of the rule's ``from`` column.

    ``blocks`` is ``{"from": "name", "rules": [["^DD ", "network"], ...]}`` or a list of such
    blocks, tried in order (a Croix-Rouge structure's kind read from its name, a Secours populaire
    structure's from its code)."""
    blocks = [blocks] if isinstance(blocks, dict) else list(blocks)
    compiled = [(b["from"], [(re.compile(rx, re.IGNORECASE), str(v)) for rx, v in b["rules"]]) for b in blocks]
    given = out[canon].tolist() if canon in out else [""] * len(out)
    sources = {src: (out[src].astype(str).tolist() if src in out else [""] * len(out)) for src, _ in compiled}
    result = []
    for i, value in enumerate(given):
        if not value:
            value = next((v for src, rules in compiled for rx, v in rules if rx.search(sources[src][i])), "")
        result.append(value)
    return result


#: Attribute of :func:`canonical_frame`'s result naming its columns of Python strings already
#: stripped (``str(cell).strip()`` would give them back unchanged).
STRIPPED_ATTR = "__stripped__"


def _stripped_text(cells: pd.Series) -> tuple[pd.Series, bool]:
    """A column as stripped text (``str(cell).strip()``), and whether it was all text: then it is
    kept as Python strings (objects), without a round trip through Arrow strings."""
    if cells.dtype == object:
        try:
            return pd.Series(list(map(str.strip, cells.tolist())), index=cells.index, dtype=object), True
        except TypeError:  # not all text
            pass
    return cells.astype(str).str.strip(), False


#: Canonical columns holding several values in one cell (« colis, épicerie »).
LIST_COLUMNS: tuple[str, ...] = ("network", "services")


def map_values(values: pd.Series, table: dict[str, str], *, several: bool = False) -> list[str]:
    """Values replaced by a mapping's ``value_maps`` (keys compared as slugs; a list cell part by part)."""
    keyed = {schema.slug(k): str(v) for k, v in table.items()}
    if not several:
        return [keyed.get(schema.slug(v), v) for v in values]
    out = []
    for v in values:
        parts = [p.strip() for p in re.split(r"[,|;/+]", str(v)) if p.strip()]
        if len(parts) <= 1:
            out.append(keyed.get(schema.slug(v), v))
        else:
            out.append(",".join(keyed.get(schema.slug(p), p) for p in parts))
    return out


def name_header_keys(mapping: dict) -> set[str] | None:
    """Headers marking the header row of an actor registry: the aliases of the name column and the
    mapping's own; None when the mapping builds the name from a template (any first row is then the
    header)."""
    if "name" in mapping.get("templates", {}):
        return None
    keys = set(schema.HEADER_ALIASES["name"])
    wanted = mapping.get("columns", {}).get("name")
    if wanted is not None:
        keys |= {schema.header_key(n) for n in ([wanted] if isinstance(wanted, str) else wanted)}
    return keys


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
