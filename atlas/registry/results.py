"""What reading a registry gives: accepted rows, rejected rows with their reason, warnings.

Shared by the actor registry (:mod:`atlas.registry.actors`) and the partnerships and actions
registries (:mod:`atlas.registry.partnerships`), so that every registry reports its rejects and
warnings in the same frames.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

#: Columns of a warnings frame.
WARNING_COLUMNS: tuple[str, ...] = ("line", "id", "message")


@dataclass(frozen=True)
class SheetReport:
    """What was done with one sheet of a workbook.

    Attributes
    ----------
    name : str
        The sheet's name.
    rows : int
        Rows read from it (0 when skipped).
    skipped : str
        Why it was left out, in French (``""`` when read).
    header_line : int
        Row of its header (1 = first row), 0 when skipped.
    left_out : int
        Rows of it that are no places (sections, comments, totals), counted in ``rows``.
    """

    name: str
    rows: int = 0
    skipped: str = ""
    header_line: int = 0
    left_out: int = 0


#: Columns of a skipped-rows frame (``sheet`` only for workbooks).
SKIPPED_COLUMNS: tuple[str, ...] = ("line", "reason")


def skipped_frame(raw: pd.DataFrame) -> pd.DataFrame:
    """The rows a reader left out of ``raw`` because they are no places (section titles, comments,
    totals: :mod:`atlas.registry.layout`), from its ``attrs["skipped"]``: ``line``, ``sheet``
    (workbooks) and ``reason``."""
    rows = raw.attrs.get("skipped") or []
    if rows and len(rows[0]) == 3:
        return pd.DataFrame([(line, sheet, why) for line, why, sheet in rows], columns=["line", "sheet", "reason"])
    return pd.DataFrame(rows, columns=list(SKIPPED_COLUMNS))


def warnings_frame(warnings: list[tuple[int, str, str]]) -> pd.DataFrame:
    """Warnings as a frame, in line order.

    Parameters
    ----------
    warnings : list of (int, str, str)
        ``(line, id, message)`` of accepted rows with something to check.

    Returns
    -------
    pandas.DataFrame
        ``line``, ``id``, ``message``, sorted by line (stable: a row's warnings keep their order).
    """
    frame = pd.DataFrame(warnings, columns=list(WARNING_COLUMNS))
    return frame.sort_values("line", kind="stable").reset_index(drop=True)


def rejected_frame(raw: pd.DataFrame, rejected: list[tuple[int, str, int]]) -> pd.DataFrame:
    """Rejected rows as read, after their line number (and sheet) and reason.

    Parameters
    ----------
    raw : pandas.DataFrame
        The rows as read (see :func:`atlas.registry.readers.read_raw_table`); internal columns
        (named ``__…``) are left out.
    rejected : list of (int, str, int)
        ``(line, reason, position of the row in raw)``.

    Returns
    -------
    pandas.DataFrame
        ``line``, ``sheet`` (rows of a workbook only), ``reason`` and the row's original fields as
        strings.
    """
    internal = [c for c in raw.columns if str(c).startswith("__")]
    sheet = ["sheet"] if "__sheet__" in raw.columns else []
    if not rejected:
        return pd.DataFrame(columns=["line", *sheet, "reason", *[c for c in raw.columns if c not in internal]])
    rows = raw.iloc[[p for _, _, p in rejected]]
    body = rows.drop(columns=internal).reset_index(drop=True).astype(str)
    head = pd.DataFrame({"line": [ln for ln, _, _ in rejected], "reason": [r for _, r, _ in rejected]})
    if sheet:
        head.insert(1, "sheet", rows["__sheet__"].astype(str).to_numpy())
    return pd.concat([head, body], axis=1)


@dataclass
class RegistryResult:
    """What reading a registry gave.

    Attributes
    ----------
    accepted : geopandas.GeoDataFrame
        Valid rows, canonical columns, Lambert-93 points (None where not locatable), ``line``.
    rejected : pandas.DataFrame
        ``line``, ``reason`` and the row's original fields, as read.
    warnings : pandas.DataFrame
        ``line``, ``id``, ``message``: accepted rows with something to check.
    n_read : int
        Rows read from the file below its header (``len(accepted) + len(rejected) + len(skipped)``).
    path : str
        Where the rows came from.
    """

    accepted: gpd.GeoDataFrame
    rejected: pd.DataFrame
    warnings: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(WARNING_COLUMNS)))
    n_read: int = 0
    path: str = ""
    sheets: list[SheetReport] = field(default_factory=list)
    skipped: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(SKIPPED_COLUMNS)))
    """Rows that are no places (section titles, comments, totals): ``line``, ``sheet``, ``reason``."""

    def summary(self) -> str:
        """One French line: « 42 lignes lues : 40 acceptées, 2 rejetées (3 avertissements) »,
        and the rows left out when there are some (« 3 ignorées : sections, commentaires, totaux »)."""
        left_out = f", {len(self.skipped)} ignorées (sections, commentaires, totaux)" if len(self.skipped) else ""
        return (
            f"{self.path} : {self.n_read} lignes lues, {len(self.accepted)} acceptées, "
            f"{len(self.rejected)} rejetées{left_out}, {len(self.warnings)} avertissements"
        )

    def skipped_lines(self, limit: int = 20) -> list[str]:
        """French lines, one per row left out (« ligne 4 ignorée : ligne de section « SECTEUR DE
        BÉTHUNE » »), at most ``limit`` and a last line saying how many more."""
        out = []
        for row in self.skipped.head(limit).to_dict("records"):
            where = f"feuille “{row['sheet']}”, " if row.get("sheet") else ""
            out.append(f"  {where}ligne {row['line']} ignorée : {row['reason']}")
        if len(self.skipped) > limit:
            out.append(f"  … et {len(self.skipped) - limit} autres lignes ignorées")
        return out

    def sheet_lines(self) -> list[str]:
        """French lines, one per sheet of a workbook: rows read and rejected, or why it was skipped.

        « feuille “Registre” : 30 lignes lues (en-tête ligne 1), 2 rejetées » ;
        « feuille “Notes” ignorée : pas de ligne d'en-tête avec une colonne de nom » ; then the rows
        left out as no places (:meth:`skipped_lines`), in a CSV file too.
        """
        if not self.sheets:
            return self.skipped_lines()
        by_sheet = (self.rejected["sheet"].value_counts() if "sheet" in self.rejected.columns
                    else pd.Series(dtype=int))
        lines = []
        for s in self.sheets:
            if s.skipped:
                lines.append(f"  feuille “{s.name}” ignorée : {s.skipped}")
            else:
                left_out = f", {s.left_out} ignorées" if s.left_out else ""
                lines.append(f"  feuille “{s.name}” : {s.rows} lignes lues (en-tête ligne {s.header_line}), "
                             f"{int(by_sheet.get(s.name, 0))} rejetées{left_out}")
        return lines + self.skipped_lines()
