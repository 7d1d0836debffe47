"""Warnings of the libraries atlas uses, turned into French for the command line.

matplotlib's « Glyph … missing from font(s) » warnings become one French line; the others (GDAL,
pandas, shapely…), English and naming a source file, are not shown unless ``atlas --debug``.
The library itself never prints (:mod:`atlas.progress`): this is the command line's concern.
"""

from __future__ import annotations

import contextlib
import re
import warnings
from collections.abc import Iterable, Iterator

import click

__all__ = ["french_warnings", "glyph_line"]

_GLYPH = re.compile(r"Glyph (\d+) .*missing from (?:current )?font(?:\(s\))? (.+?)\.?$", re.DOTALL)


def glyph_line(messages: Iterable[str]) -> str | None:
    """One French line for matplotlib's « Glyph 65309 (…) missing from font(s) DejaVu Sans. »
    warnings (None when there is none): the characters the font lacks, drawn as empty boxes."""
    chars: dict[str, None] = {}
    fonts: dict[str, None] = {}
    for text in messages:
        m = _GLYPH.search(text)
        if m:
            chars[chr(int(m.group(1)))] = None
            fonts[m.group(2).strip()] = None
    if not chars:
        return None
    shown = " ".join(list(chars)[:20]) + (" …" if len(chars) > 20 else "")
    n = len(chars)
    what = "1 caractère absent" if n == 1 else f"{n} caractères absents"
    drawn = "est dessiné" if n == 1 else "sont dessinés"
    return (f"Attention : {what} de la police {' ou '.join(fonts)} ({shown}) {drawn} comme des carrés vides "
            "sur les cartes et les graphes.")


@contextlib.contextmanager
def french_warnings(*, show_all: bool = False) -> Iterator[None]:
    """Catch the warnings of the libraries atlas uses for the block (a command).

    matplotlib's « Glyph … missing from font(s) » warnings (a name in full-width or CJK characters)
    become one French line on stderr (:func:`glyph_line`); the others (GDAL, pandas, shapely…),
    English and naming a source file, are not shown.

    Parameters
    ----------
    show_all : bool, default False
        Show every warning as Python shows it instead (``atlas --debug``).
    """
    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("default")
            yield
    finally:  # out of catch_warnings: there, showwarning would record instead of show
        if show_all:
            for w in caught:
                warnings.showwarning(w.message, w.category, w.filename, w.lineno)
        else:
            line = glyph_line(str(w.message) for w in caught)
            if line:
                click.echo(line, err=True)
