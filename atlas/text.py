"""Plain text helpers shared by every layer: accent folding and « cell → clean text ».

One home each: :func:`fold` is the only accent and ligature folding of atlas (« Cœur » gives
« Coeur », never « Cur »), :func:`clean_text` the only way a table cell becomes text.

Examples
--------
>>> fold("Cœuvres-et-Valsery, Lætitia, Straße")
'Coeuvres-et-Valsery, Laetitia, Strasse'
>>> clean_text("  Épicerie\\n solidaire ")
'Épicerie solidaire'
>>> clean_text(float("nan"))
''
"""

from __future__ import annotations

import functools
import math
import unicodedata

import pandas as pd

#: Ligatures that Unicode does not decompose: written out, never dropped.
LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})


@functools.lru_cache(maxsize=1 << 16)  # the same names come back: every commune, every registry row
def fold(text: str) -> str:
    """``text`` in ASCII: accents removed, ligatures written out (« œ » → « oe », « æ » → « ae »).

    Case is kept; callers add ``.casefold()``, ``.lower()`` or ``.upper()`` for a comparison key.
    Other characters with no ASCII form (« – », « ’ ») are dropped.

    Parameters
    ----------
    text : str

    Returns
    -------
    str

    Examples
    --------
    >>> fold("Épinoy, Œuf, Cœur")
    'Epinoy, OEuf, Coeur'
    """
    if text.isascii():
        return text
    return unicodedata.normalize("NFKD", text.translate(LIGATURES)).encode("ascii", "ignore").decode()


def clean_text(value: object, *, collapse: bool = True) -> str:
    """A table cell as text: « » for a missing value (None, NaN, ``pd.NA``, NaT), else stripped.

    Parameters
    ----------
    value : object
        A cell.
    collapse : bool
        Also turn every run of white space inside the text into one space (the default).

    Returns
    -------
    str

    Examples
    --------
    >>> clean_text(None), clean_text(" a  b "), clean_text(" a  b ", collapse=False), clean_text(12)
    ('', 'a b', 'a  b', '12')
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return " ".join(value.split()) if collapse else value.strip()
    if isinstance(value, float) and math.isnan(value):
        return ""
    try:
        if pd.isna(value):  # pd.NA, NaT, numpy nan
            return ""
    except (TypeError, ValueError):  # arrays and lists have no single truth value
        pass
    text = str(value)
    return " ".join(text.split()) if collapse else text.strip()
