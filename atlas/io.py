"""Safe output: atomic writes, so an interrupted run never leaves a half-written file."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from atlas.errors import AtlasError


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
