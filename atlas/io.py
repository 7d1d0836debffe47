"""Every file atlas writes goes through here: atomic writes (an interrupted run never leaves a
half-written file), atomic *sets* of files (a GeoPackage and its CSV companions are replaced
together or not at all), GeoPackage layers, the one CSV writer (French Excel dialect, cells that
Excel would run as formulas neutralised), Markdown tables, and the choice of a format from a
file's suffix.

Temporary files are named ``.<name>.<pid>-<random>.part<suffix>`` beside their destination. A run
killed before renaming them leaves such files behind: the next run writing the same output
removes them (their process is gone). A set of files is committed through a small record
``.<name>.<pid>-<random>.commit`` listing the renames: written once every file of the set is
complete, removed once they are all renamed. A run killed in between leaves the record, and the
next run writing into that folder finishes the renames first; so the files of a set are always
either all from the previous run or all from the new one.

Two runs never write one output at once: every atomic write holds the lock of its destination
(``.<name>.lock`` beside it, :func:`atlas.locks.output_lock`); a second run stops with « un autre
calcul d'atlas (pid N) écrit déjà … ». A read-only output file is refused, not replaced. The
registries read are checked not to change while they are read (:func:`atlas.locks.file_state`,
:func:`atlas.locks.check_unchanged`, re-exported here).
"""

from __future__ import annotations

import contextlib
import errno
import json
import math
import os
import re
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

import pandas as pd

from atlas.errors import AtlasError
from atlas.fr import cell_fr, join_fr
from atlas.locks import acquire_lock, pid_alive, release_lock, remove_stale_lock
from atlas.locks import check_unchanged as check_unchanged  # re-exported: files are read and written through here
from atlas.locks import file_state as file_state
from atlas.locks import lock_path as lock_path
from atlas.locks import output_lock as output_lock

# --------------------------------------------------------------------------------------------
# Errors of the file system, in French
# --------------------------------------------------------------------------------------------

_ERRNO_FR: dict[int, str] = {
    errno.ENOSPC: "plus de place sur le disque",
    errno.EDQUOT: "quota du disque dépassé",
    errno.EFBIG: "fichier trop gros pour ce disque",
    errno.EACCES: "accès refusé (droits insuffisants)",
    errno.EPERM: "opération non permise (droits insuffisants)",
    errno.EROFS: "disque en lecture seule",
    errno.EIO: "erreur de lecture ou d'écriture du disque",
    errno.ENOENT: "fichier ou dossier introuvable",
    errno.EISDIR: "c'est un dossier, pas un fichier",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.ENAMETOOLONG: "nom de fichier trop long",
    errno.EBUSY: "fichier occupé (ouvert dans un autre programme ?)",
    errno.ETXTBSY: "fichier occupé (ouvert dans un autre programme ?)",
    errno.EMFILE: "trop de fichiers ouverts",
}

#: Errors of the disk itself (not of the data): a write failing this way is reported as such.
DISK_ERRNOS: frozenset[int] = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EACCES, errno.EPERM,
                                         errno.EROFS, errno.EIO})

#: The same errors as GDAL/SQLite word them (pyogrio raises its own exceptions, not OSError).
_GDAL_FR: tuple[tuple[str, str], ...] = (
    ("no space left on device", _ERRNO_FR[errno.ENOSPC]),
    ("database or disk is full", _ERRNO_FR[errno.ENOSPC]),
    ("disk quota exceeded", _ERRNO_FR[errno.EDQUOT]),
    ("permission denied", _ERRNO_FR[errno.EACCES]),
    ("read-only file system", _ERRNO_FR[errno.EROFS]),
    ("readonly database", _ERRNO_FR[errno.EROFS]),
    ("attempt to write a readonly database", _ERRNO_FR[errno.EROFS]),
    ("no such file or directory", _ERRNO_FR[errno.ENOENT]),
    ("disk i/o error", _ERRNO_FR[errno.EIO]),
)


def _known_fr(exc: BaseException) -> str | None:
    """The French words of a file error atlas knows (its errno, or GDAL's or SQLite's text), else None."""
    if isinstance(exc, OSError) and exc.errno in _ERRNO_FR:
        return _ERRNO_FR[exc.errno]
    low = str(exc).strip().casefold()
    for needle, french in _GDAL_FR:
        if needle in low:
            return french
    return None


def error_fr(exc: BaseException) -> str:
    """The cause of a file error in French words (« plus de place sur le disque »...).

    Parameters
    ----------
    exc : BaseException
        An :class:`OSError` (its ``errno``), or any error whose message is GDAL's or SQLite's.

    Returns
    -------
    str
        A French phrase; for an :class:`OSError` atlas has no words for, « erreur du système
        (ECODE) »; for another error, its original message.
    """
    known = _known_fr(exc)
    if known is not None:
        return known
    if isinstance(exc, OSError) and exc.errno is not None:
        return f"erreur du système ({errno.errorcode.get(exc.errno, exc.errno)})"
    text = str(exc).strip()
    return text or type(exc).__name__


def is_disk_error(exc: BaseException) -> bool:
    """True for an error of the disk (full, read-only, permission), not of the data written."""
    if isinstance(exc, OSError) and exc.errno in DISK_ERRNOS:
        return True
    low = str(exc).casefold()
    return not isinstance(exc, OSError) and any(needle in low for needle, _ in _GDAL_FR[:-2])


#: Free space under which a write that failed for a reason GDAL does not say is taken for a full disk (bytes).
NEARLY_FULL_BYTES = 16 * 1024 * 1024


def _nearly_full(folder: Path, written: Path | None = None) -> bool:
    """True when ``folder``'s disk has less free space than :data:`NEARLY_FULL_BYTES`, or than the
    size of the file ``written`` so far."""
    try:
        free = shutil.disk_usage(folder).free
        size = written.stat().st_size if written is not None and written.exists() else 0
    except OSError:
        return False
    return free < max(NEARLY_FULL_BYTES, size)


def write_error(path: str | Path, exc: BaseException, *, written: str | Path | None = None) -> AtlasError:
    """« Écriture impossible de « path » : plus de place sur le disque. » (for ``raise … from exc``).

    Parameters
    ----------
    path : path
        The destination, named in the message.
    exc : BaseException
        The error of the writer (an :class:`OSError`, or GDAL's or SQLite's).
    written : path, optional
        The (temporary) file being written: when the writer's message says no cause atlas knows
        (GDAL's « Failed to commit transaction. »), the free space of its disk tells whether it is
        full; otherwise the message says, in French, that the writer failed (never its English text).
    """
    cause = _known_fr(exc)
    if cause is None and written is not None and _nearly_full(Path(written).parent, Path(written)):
        cause = _ERRNO_FR[errno.ENOSPC]
    if cause is None and isinstance(exc, OSError):
        cause = error_fr(exc)
    if cause is None:
        cause = ("l'écriture a échoué sans que GDAL en dise la raison en clair (relancez avec « atlas --debug … » "
                 "pour le détail)")
    return AtlasError(f"Écriture impossible de « {path} » : {cause}.")


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
        raise AtlasError(f"Impossible de créer le dossier « {parent} » : {error_fr(exc)}.") from exc
    if not os.access(parent, os.W_OK):
        raise AtlasError(f"Le dossier « {parent} » n'est pas accessible en écriture.")
    if path.is_dir():
        raise AtlasError(f"« {path} » est un dossier : indiquez un nom de fichier.")
    refuse_read_only(path)
    return path


def refuse_read_only(path: str | Path) -> None:
    """Refuse to replace a file made read-only (no write permission for its owner, or for us).

    Replacing is a rename in the folder, which the system allows whatever the file's own
    permission: a file someone made read-only is kept, not silently replaced (root included).

    Raises
    ------
    AtlasError
        « « path » est en lecture seule : … » (one French sentence).
    """
    try:
        st = os.stat(path)
    except OSError:
        return
    if stat.S_ISREG(st.st_mode) and (not st.st_mode & stat.S_IWUSR or not os.access(path, os.W_OK)):
        raise AtlasError(f"« {path} » est en lecture seule : atlas ne le remplace pas (rendez-le modifiable, "
                         "ou choisissez un autre fichier de sortie avec -o).")


# --------------------------------------------------------------------------------------------
# Temporary files, orphans of killed runs, commit records
# --------------------------------------------------------------------------------------------

#: A temporary file with no living process is an orphan; one older than this is one anyway (s).
ORPHAN_AGE_S = 24 * 3600
#: Temporary files of versions of atlas without a process number: orphans after this age (s).
LEGACY_ORPHAN_AGE_S = 600
_COMMIT = ".commit"




def _temp_pattern(stem: str) -> re.Pattern[str]:
    """Temporary files of the destination ``stem`` (nested ones too): ``.stem.<pid>-<rnd>.part…``."""
    return re.compile(rf"^\.+{re.escape(stem)}\.(?:(?P<pid>\d+)-)?[A-Za-z0-9_]+\.(?:part|commit)")


def _is_orphan(entry: Path, pid: str | None, now: float) -> bool:
    try:
        age = now - entry.lstat().st_mtime
    except FileNotFoundError:
        return False
    if pid is None:
        return age > LEGACY_ORPHAN_AGE_S
    return not pid_alive(int(pid)) or age > ORPHAN_AGE_S


def _finish_commits(folder: Path) -> None:
    """Complete the renames of a set whose run was killed while renaming (its record is there)."""
    try:
        records = [p for p in folder.iterdir() if p.name.startswith(".") and p.name.endswith(_COMMIT)]
    except OSError:
        return
    for record in records:
        m = re.search(r"\.(\d+)-[A-Za-z0-9_]+\.commit$", record.name)
        if m is None or pid_alive(int(m.group(1))):
            continue
        try:
            pairs = json.loads(record.read_text(encoding="utf-8"))["files"]
        except (OSError, ValueError, KeyError, TypeError):
            pairs = []
        for tmp, final in pairs:
            with contextlib.suppress(OSError):
                if Path(tmp).exists():
                    os.replace(tmp, final)
        with contextlib.suppress(OSError):
            record.unlink()


def remove_orphans(path: str | Path) -> list[Path]:
    """Finish interrupted commits beside ``path`` and remove the temporary files a killed run left
    for it (``.name.<pid>-<random>.part…`` whose process is gone, GDAL's ``-journal`` included), and
    its lock file when no process holds it any more.

    Returns
    -------
    list of Path
        The files removed.
    """
    path = Path(path)
    folder = path.parent if path.parent != Path("") else Path(".")
    if not folder.is_dir():
        return []
    _finish_commits(folder)
    pattern = _temp_pattern(path.stem)
    removed = [lock for lock in (remove_stale_lock(path),) if lock is not None]
    now = time.time()
    for entry in folder.iterdir():
        m = pattern.match(entry.name)
        if m is None or entry.name.endswith(_COMMIT) or not _is_orphan(entry, m.group("pid"), now):
            continue
        with contextlib.suppress(OSError):
            entry.unlink()
            removed.append(entry)
    return removed


def _reserve_temp(path: Path, suffix: str | None = None) -> Path:
    """A free temporary name beside ``path``: ``.stem.<pid>-<random>.part<suffix>`` (not created:
    GDAL refuses an existing empty file)."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.{os.getpid()}-",
                                   suffix=f".part{path.suffix}" if suffix is None else suffix, dir=path.parent)
    except OSError as exc:
        raise AtlasError(f"Impossible d'écrire dans « {path.parent} » : {error_fr(exc)}.") from exc
    os.close(fd)
    os.unlink(tmp)
    return Path(tmp)


def _discard(tmp: Path) -> None:
    """Remove a temporary file and what SQLite/GDAL or a download may have left beside it."""
    for p in (tmp, *tmp.parent.glob(f"{glob_escape(tmp.name)}*")):
        with contextlib.suppress(OSError):
            p.unlink()


def glob_escape(name: str) -> str:
    """``name`` with the wildcard characters of :meth:`pathlib.Path.glob` escaped."""
    return re.sub(r"([*?\[])", r"[\1]", name)


def _as_write_error(path: Path, exc: BaseException) -> BaseException:
    """A disk error while writing becomes a French :class:`AtlasError` naming the destination."""
    if isinstance(exc, AtlasError) or not is_disk_error(exc):
        return exc
    return write_error(path, exc)


def _destination_of(exc: BaseException, pairs: list[tuple[Path, Path]]) -> Path:
    """The destination whose temporary file the error names (else the first of the set)."""
    where = f"{getattr(exc, 'filename', '') or ''} {exc}"
    for tmp, final in pairs:
        if tmp.name in where:
            return final
    return pairs[0][1] if pairs else Path(".")


@contextlib.contextmanager
def atomic_output(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` only on success.

    The temporary file keeps the destination's suffix so that drivers choosing a format by
    extension (GeoPackage, PDF) behave. On any exception the temporary file is removed and
    the destination is left untouched; a full disk or a refused permission becomes an
    :class:`AtlasError` naming ``path`` in French. Orphans of earlier killed runs writing ``path``
    are removed first (:func:`remove_orphans`).
    """
    with atomic_outputs([path]) as (tmp,):
        yield tmp


class OutputSet:
    """Files written together (see :func:`atomic_outputs`): ask :meth:`temp` for the temporary
    path of each destination, write there; all are renamed when the block ends without error."""

    def __init__(self) -> None:
        self.pairs: list[tuple[Path, Path]] = []  # (temporary, destination)
        self.locks: list[Path] = []

    def temp(self, path: str | Path) -> Path:
        """The temporary path to write ``path`` to (its lock taken, orphans of ``path`` removed first)."""
        path = ensure_writable_dir(path)
        if any(final == path for _, final in self.pairs):
            raise AtlasError(f"« {path} » est écrit deux fois dans le même ensemble de fichiers.")
        self.locks.append(acquire_lock(path))
        refuse_read_only(path)  # made read-only while we waited for the lock
        remove_orphans(path)
        tmp = _reserve_temp(path)
        self.pairs.append((tmp, path))
        return tmp

    def __iter__(self) -> Iterator[Path]:
        return iter([tmp for tmp, _ in self.pairs])

    @property
    def paths(self) -> list[Path]:
        """The destinations, in the order they were asked for."""
        return [final for _, final in self.pairs]

    def commit(self) -> None:
        """Rename every temporary file onto its destination, through a commit record."""
        for tmp, final in self.pairs:
            if not tmp.exists():
                raise AtlasError(f"Aucun fichier n'a été écrit pour « {final} ».")
        if len(self.pairs) == 1:
            tmp, final = self.pairs[0]
            os.replace(tmp, final)
            return
        record = _reserve_temp(self.pairs[0][1], _COMMIT)
        staged = record.with_name(record.name + ".part")
        staged.write_text(json.dumps({"files": [[str(t.resolve()), str(f.resolve())] for t, f in self.pairs]}),
                          encoding="utf-8")
        os.replace(staged, record)  # from here on, the set is committed: a later run finishes it
        for tmp, final in self.pairs:
            os.replace(tmp, final)
        record.unlink()

    def discard(self) -> None:
        for tmp, _ in self.pairs:
            _discard(tmp)

    def release(self) -> None:
        """Give back the locks of the destinations."""
        while self.locks:
            release_lock(self.locks.pop())


@contextlib.contextmanager
def atomic_outputs(paths: Iterable[str | Path] = ()) -> Iterator[OutputSet]:
    """Write several files as one: all are replaced when the block succeeds, none otherwise.

    Parameters
    ----------
    paths : iterable of path
        Destinations known in advance; the :class:`OutputSet` yielded unpacks to their temporary
        paths (``with atomic_outputs([a, b]) as (ta, tb):``). More can be added with
        :meth:`OutputSet.temp`.

    Yields
    ------
    OutputSet

    Notes
    -----
    Each temporary file is complete before any is renamed. A run killed while renaming leaves
    a commit record that the next run writing into the same folder completes, so a set is never
    left half old, half new (see the module's documentation).
    """
    out = OutputSet()
    try:
        for p in paths:
            out.temp(p)
        yield out
        out.commit()
    except BaseException as exc:
        out.discard()
        converted = _as_write_error(_destination_of(exc, out.pairs), exc)
        if isinstance(converted, AtlasError):  # a writer's message names our temporary file: name the destination
            text = str(converted)
            for tmp, final in out.pairs:
                text = text.replace(str(tmp), str(final)).replace(tmp.name, final.name)
            if text != str(converted):
                converted = type(converted)(text)
        if converted is exc:
            raise
        raise converted from exc
    finally:
        out.release()


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically and return the path."""
    with atomic_output(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


# --------------------------------------------------------------------------------------------
# Geographic files read, their failures in French
# --------------------------------------------------------------------------------------------

#: Why GDAL could not read a geographic file, in French (its own message is English).
UNREADABLE_GEO = ("ce n'est pas un fichier géographique lisible (GeoPackage, GeoJSON, Shapefile…) : fichier abîmé, "
                  "tronqué ou d'un autre format que son nom l'indique")


def read_vector(path: str | Path, *, what: str, error: type[AtlasError] = AtlasError, **kwargs: object):  # noqa: ANN201 - a GeoDataFrame (geopandas imported lazily)
    """Read a geographic file with :func:`geopandas.read_file`; its failures in one French sentence.

    Parameters
    ----------
    path : path
    what : str
        What the file holds, for the message (« points d'origine », « contours des communes »).
    error : AtlasError subclass
        Raised for a missing or unreadable file: « impossible de lire les points « x.gpkg » : ce
        n'est pas un fichier géographique lisible … » (never GDAL's English text).
    **kwargs
        Passed to :func:`geopandas.read_file` (``layer``…).

    Returns
    -------
    geopandas.GeoDataFrame
    """
    import geopandas as gpd

    p = Path(path)
    if not p.is_file():
        raise error(f"fichier de {what} introuvable : « {p} »")
    try:
        return gpd.read_file(p, **kwargs)
    except OSError as exc:
        raise error(f"impossible de lire les {what} « {p.name} » : {error_fr(exc)}") from exc
    except Exception as exc:  # pyogrio's DataSourceError, DataLayerError, UnicodeDecodeError of a CSV…
        raise error(f"impossible de lire les {what} « {p.name} » : {UNREADABLE_GEO}") from exc


# --------------------------------------------------------------------------------------------
# CSV for French Excel, safe to open
# --------------------------------------------------------------------------------------------

#: First characters that make Excel or LibreOffice read a cell as a formula (OWASP « CSV injection »),
#: with their full-width forms.
FORMULA_CHARS: tuple[str, ...] = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
#: Control characters that must not start a cell either (tab, carriage return, line feed).
_CONTROL_START = ("\t", "\r", "\n")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?%?")


def excel_safe(value: object) -> object:
    """A cell as Excel may open it: text starting like a formula gets a leading ``'``.

    Text whose first character (after spaces) is ``=``, ``+``, ``-`` or ``@``, or which starts
    with a tab, a carriage return or a line feed, is prefixed with an apostrophe, as OWASP
    recommends; numbers written as text (« -12,5 », « +3 ») and non-text values are kept.

    Examples
    --------
    >>> excel_safe('=HYPERLINK("http://x","clic")')
    '\\'=HYPERLINK("http://x","clic")'
    >>> excel_safe("-12,5")
    '-12,5'
    """
    if not isinstance(value, str) or not value:
        return value
    if value[0] in _CONTROL_START:
        return "'" + value
    head = value.lstrip(" \u00a0\u202f")
    if head[:1] in FORMULA_CHARS and not _PLAIN_NUMBER.fullmatch(head.rstrip()):
        return "'" + value
    return value


def excel_unsafe(value: str) -> str:
    """A cell as it was before :func:`excel_safe`: « '=HYPERLINK(…) » read back is « =HYPERLINK(…) »;
    any other text is kept (« '-12,5 », « 'ok », « ''=x »).

    A CSV atlas wrote (``atlas geocode``'s registry, rejects) read again as a registry gives back
    the registry's own text, a phone « +33 3 21 … » a phone, and is neutralised again when written.

    Examples
    --------
    >>> excel_unsafe("'+33 3 21 00 00 00")
    '+33 3 21 00 00 00'
    >>> excel_unsafe("'-12,5")
    "'-12,5"
    """
    if value[:1] == "'" and excel_safe(value[1:]) == value:
        return value[1:]
    return value


_GUARDED = re.compile(r"""(?:^|[;,\t|\r\n])"?'[ \u00a0\u202f]*[=+@\uff1d\uff0b\uff0d\uff20\t\r\n-]""")


def may_hold_excel_safe(text: str) -> bool:
    """False when no cell of the CSV text ``text`` can be one :func:`excel_safe` neutralised (one
    search of the whole text; True does not say there is one)."""
    return _GUARDED.search(text) is not None


def _safe_column(values: pd.Series) -> pd.Series:
    def cell(v: object) -> object:
        if isinstance(v, float) and not isinstance(v, bool):
            return "" if math.isnan(v) else excel_safe(repr(v).replace(".", ","))  # « '-inf »
        return excel_safe(v)

    return values.astype(object).map(cell)


def csv_text(frame: pd.DataFrame) -> str:
    """A table as CSV text for a French Excel: ``;`` separator, decimal comma, formulas neutralised.

    The one CSV dialect of atlas (:func:`write_csv_excel` writes it to a file). Headers and text
    cells go through :func:`excel_safe`; numeric columns are written as numbers; lines end with
    CRLF and a cell holding a line break of any kind is quoted.

    Parameters
    ----------
    frame : pandas.DataFrame

    Returns
    -------
    str
    """
    safe = pd.DataFrame(frame).copy()
    for i in range(safe.shape[1]):
        series = safe.iloc[:, i]
        infinite = pd.api.types.is_float_dtype(series) and bool(series.isin([math.inf, -math.inf]).any())
        if infinite or not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_datetime64_any_dtype(series)):
            safe.isetitem(i, _safe_column(series))  # type: ignore[arg-type]
    safe.columns = [excel_safe(str(c)) for c in safe.columns]
    # CRLF, as RFC 4180 and Excel: a cell holding a bare carriage return is then quoted too (with
    # "\n" alone as line end, the csv module leaves it bare and Excel breaks the row there)
    return safe.to_csv(sep=";", decimal=",", index=False, lineterminator="\r\n")


def write_csv_excel(path: str | Path, frame: pd.DataFrame) -> Path:
    """Write a table the way French Excel opens it, atomically: :func:`csv_text` in UTF-8 with BOM."""
    with atomic_output(path) as tmp:
        tmp.write_text(csv_text(frame), encoding="utf-8-sig")
    return Path(path)


# --------------------------------------------------------------------------------------------
# Tables and layers
# --------------------------------------------------------------------------------------------


def _unique_fields(columns: Iterable[object]) -> list[object]:
    """GeoPackage field names are case-insensitive: « source » and « Source » (rejects of several
    registries with their own headers) would clash; the second becomes « Source_2 ». Control
    characters (a header read from a damaged file) are dropped."""
    seen: dict[str, int] = {}
    renamed = []
    for col in columns:
        name = re.sub(r"[\x00-\x1f\x7f]", "", str(col)) if isinstance(col, str) else col
        key = str(name).casefold()
        seen[key] = seen.get(key, 0) + 1
        renamed.append(name if seen[key] == 1 else f"{name}_{seen[key]}")
    return renamed


def _no_controls(frame: pd.DataFrame) -> pd.DataFrame:
    """Text without NUL characters (SQLite text stops at them; GDAL refuses them)."""
    for i in range(frame.shape[1]):
        series = frame.iloc[:, i]
        if series.dtype == object or pd.api.types.is_string_dtype(series):
            frame.isetitem(i, series.map(lambda v: v.replace("\x00", "") if isinstance(v, str) else v))  # type: ignore[arg-type]
    return frame


def write_gpkg(path: str | Path, layers: dict[str, pd.DataFrame]) -> Path:
    """Write several layers (spatial or not) to one GeoPackage, atomically.

    Raises
    ------
    AtlasError
        When GDAL cannot write the file (full disk, read-only folder...), in French, naming ``path``.
    """
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
            try:
                if isinstance(frame, gpd.GeoDataFrame):
                    pyogrio.write_dataframe(_no_controls(frame), tmp, layer=name, driver="GPKG")
                else:
                    pyogrio.write_dataframe(_no_controls(frame.astype(str)), tmp, layer=name, driver="GPKG")
            except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, pyogrio.errors.FieldError,
                    pyogrio.errors.GeometryError, pyogrio.errors.CRSError) as exc:
                raise write_error(path, exc, written=tmp) from exc
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
        the chosen one: ``csv`` returns a DataFrame (written by :func:`write_csv_excel`: ``;``,
        decimal comma, UTF-8 with BOM), ``md`` the Markdown text, ``gpkg`` a dict of layers
        (:func:`write_gpkg`).
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
    return write_csv_excel(path, content)  # type: ignore[arg-type]
