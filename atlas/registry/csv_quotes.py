"""Quotes opened in a CSV text and never closed.

The csv module reads on to the end of the file inside a quote that is never closed: one stray
« " » at line 4 makes the rest of the file one cell. :func:`check_quotes` refuses such a text
with the line of the quote, for both record readers of :mod:`atlas.registry.readers`.
"""

from __future__ import annotations

from collections.abc import Sequence

from atlas.errors import OpenQuoteError


def line_breaks(text: str) -> int:
    """Line breaks in ``text`` as the csv module counts lines (CR LF, CR alone or LF alone)."""
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def open_quote_line(text: str, last: Sequence[str]) -> int | None:
    """The line of a quote opened in the last record ``last`` of ``text`` and never closed, else None.

    The csv module reads on to the end of the file inside such a quote: the record's last cell is
    then the whole rest of the file after the quote, its doubled quotes read as one. A quote that
    is closed leaves a last cell that is not the end of the text (the closing quote follows it).
    """
    if not last:
        return None
    cell = last[-1]
    start = len(text) - len(cell) - cell.count('"')  # where the cell's raw text begins
    if start < 1 or text[start - 1] != '"' or text[start:].replace('""', '"') != cell:
        return None
    return 1 + line_breaks(text) - line_breaks(cell)


def check_quotes(text: str, last: Sequence[str]) -> None:
    """Refuse a text whose last record holds a quote never closed (:func:`open_quote_line`).

    Raises
    ------
    OpenQuoteError
        « guillemet ouvert ligne 4 et jamais fermé : les 3 lignes suivantes seraient lues dans la même
        cellule ; … » (:func:`atlas.registry.readers.read_raw_table` names the file).
    """
    line = open_quote_line(text, last)
    if line is None:
        return
    after = line_breaks(text.rstrip("\r\n")) + 1 - line
    swallowed = ("" if after < 1 else " : la ligne suivante serait lue dans la même cellule" if after == 1
                 else f" : les {after} lignes suivantes seraient lues dans la même cellule")
    raise OpenQuoteError(f"guillemet ouvert ligne {line} et jamais fermé{swallowed} ; fermez-le (ou retirez-le) "
                         "dans le tableur ou l'éditeur de texte, puis relancez.")
