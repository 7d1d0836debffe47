"""Every file atlas writes goes through here: atomic writes (an interrupted run never leaves a
half-written file), GeoPackage layers, CSV for French Excel, Markdown tables, and the choice of a
format from a file's suffix."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

import pandas as pd

from atlas.errors import AtlasError
from atlas.fr import cell_fr, join_fr


def ensure_writable_dir(path: str | Path) -> Path:
    """Create the parent folder of ``path`` and check it is writable.

    Raises
    ------
    AtlasError
        With a French message when the folder cannot be created or written.
    """
    path = Path(path)
    parent = path.parent if path.parent != Path("") else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AtlasError(f"Impossible de créer le dossier « {parent} » : {exc.strerror}.") from exc
    if not os.access(parent, os.W_OK):
        raise AtlasError(f"Le dossier « {parent} » n'est pas accessible en écriture.")
    return path


@contextlib.contextmanager
def atomic_output(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` only on success.

    The temporary file keeps the destination's suffix so that drivers choosing a format by
    extension (GeoPackage, PDF) behave. On any exception the temporary file is removed and
    the destination is left untouched.
    """
    path = ensure_writable_dir(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".part{path.suffix}", dir=path.parent)
    except OSError as exc:
        raise AtlasError(f"Impossible d'écrire dans « {path.parent} » : {exc.strerror}.") from exc
    os.close(fd)
    os.unlink(tmp)  # let writers create it themselves (GDAL refuses an existing empty file)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        if not tmp_path.exists():
            raise AtlasError(f"Aucun fichier n'a été écrit pour « {path} ».")
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically and return the path."""
    with atomic_output(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


# --------------------------------------------------------------------------------------------
# Tables and layers
# --------------------------------------------------------------------------------------------


def write_csv_excel(path: str | Path, frame: pd.DataFrame) -> Path:
    """Write a table the way French Excel opens it (``;`` separator, UTF-8 with BOM), atomically."""
    with atomic_output(path) as tmp:
        frame.to_csv(tmp, sep=";", index=False, encoding="utf-8-sig")
    return Path(path)


def _unique_fields(columns: Iterable[object]) -> list[object]:
    """GeoPackage field names are case-insensitive: « source » and « Source » (rejects of several
    registries with their own headers) would clash; the second becomes « Source_2 »."""
    seen: dict[str, int] = {}
    renamed = []
    for col in columns:
        key = str(col).casefold()
        seen[key] = seen.get(key, 0) + 1
        renamed.append(col if seen[key] == 1 else f"{col}_{seen[key]}")
    return renamed


def write_gpkg(path: str | Path, layers: dict[str, pd.DataFrame]) -> Path:
    """Write several layers (spatial or not) to one GeoPackage, atomically."""
    import geopandas as gpd
    import pyogrio

    path = Path(path)
    with atomic_output(path) as tmp:
        for name, frame in layers.items():
            frame = frame.copy()
            frame.columns = _unique_fields(frame.columns)
            for col in frame.columns:
                if frame[col].dtype == bool:
                    frame[col] = frame[col].astype("int8")
            if isinstance(frame, gpd.GeoDataFrame):
                pyogrio.write_dataframe(frame, tmp, layer=name, driver="GPKG")
            else:
                pyogrio.write_dataframe(frame.astype(str), tmp, layer=name, driver="GPKG")
    return path


def markdown_table(table: pd.DataFrame) -> str:
    """A Markdown table (French number formatting by :func:`atlas.fr.cell_fr`, ``|`` escaped)."""
    head = "| " + " | ".join(str(c) for c in table.columns) + " |"
    sep = "|" + "|".join("---:" if pd.api.types.is_numeric_dtype(table[c]) else "---" for c in table.columns) + "|"
    rows = ["| " + " | ".join(cell_fr(v).replace("|", "\\|") for v in row) + " |"
            for row in table.itertuples(index=False)]
    return "\n".join([head, sep, *rows]) + "\n"


FORMATS = ("csv", "md", "gpkg")


def output_format(path: str | Path | None, fmt: str | None = None, *, allowed: Sequence[str] = FORMATS,
                  default: str = "csv", error: type[AtlasError] = AtlasError) -> str:
    """The output format: ``fmt`` when given, else the file's suffix, else ``default``.

    Raises
    ------
    AtlasError
        « format de sortie inconnu » for a format outside ``allowed`` (of class ``error``).
    """
    suffix = Path(path).suffix.lstrip(".") if path is not None else ""
    fmt = (fmt or suffix or default).lower()
    if fmt == "markdown":
        fmt = "md"
    if fmt not in allowed:
        raise error(f"format de sortie inconnu : « {fmt} » ({join_fr(list(allowed), 'ou')})")
    return fmt


def write_output(path: str | Path, fmt: str | None = None, *, default: str = "csv",
                 error: type[AtlasError] = AtlasError, **writers: Callable[[], object]) -> Path:
    """Write one result in the format chosen from ``fmt`` or the file suffix, atomically.

    Parameters
    ----------
    path : str or Path
        Output file.
    fmt : str, optional
        ``csv``, ``md`` or ``gpkg``; default from the suffix of ``path``, else ``default``.
    **writers
        One zero-argument callable per format the result can be written in, computed only for
        the chosen one: ``csv`` returns a DataFrame (UTF-8, comma), ``md`` the Markdown text,
        ``gpkg`` a dict of layers (:func:`write_gpkg`).
    error : AtlasError subclass
        Raised for a format none of ``writers`` writes.

    Returns
    -------
    pathlib.Path
    """
    fmt = output_format(path, fmt, allowed=[f for f in FORMATS if f in writers], default=default, error=error)
    content = writers[fmt]()
    if fmt == "gpkg":
        return write_gpkg(path, content)  # type: ignore[arg-type]
    if fmt == "md":
        return write_text_atomic(path, str(content))
    with atomic_output(path) as tmp:
        content.to_csv(tmp, index=False, encoding="utf-8")  # type: ignore[union-attr]
    return Path(path)
