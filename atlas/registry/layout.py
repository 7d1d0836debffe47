"""Where a table is in a sheet as people lay it out: its header row, and the rows that are no places.

A coordinator's workbook is rarely a bare table: a title row (« Lieux d'aide alimentaire du
Béthunois – mars 2025 »), group headings merged over the columns (« Structure / Localisation /
Accueil / Contact »), then the real header; below it, section rows (« SECTEUR DE BÉTHUNE »),
comments (« NB : horaires d'été en juillet ») and totals (« Total : 3 lieux »).

The rule (:func:`find_header`): among the first :data:`HEADER_SEARCH_ROWS` rows, those naming one of
the marking headers (the aliases of the name column) are candidates, and the header is the
candidate with the most known column headers (:data:`atlas.registry.schema.HEADER_ALIASES`,
plus the marking ones); the first of them on a tie.

The rows below it that are no places (:func:`note_row`) are skipped, each with its line and why;
the readers keep them in the frame's ``attrs["skipped"]`` and the registry result counts them
(read = accepted + rejected + skipped). Only rows that cannot be a place are skipped: a row
with a single filled cell that is written in capitals (a section), that starts like a comment
(« NB », « Remarque », « # », « * »…) or a total (« Total », « Sous-total », « Nombre de
lieux »), that is a sentence outside the name column, or a copy of the header; any other row,
however empty, is read and, when it is not a place, rejected with its reason.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
from collections.abc import Collection, Iterator, Sequence

from atlas.registry import schema

#: The header row is looked for among the first rows of a sheet or CSV file (title rows above it).
HEADER_SEARCH_ROWS = 20

#: Every header atlas knows for an actor registry (normalised).
KNOWN_HEADERS: frozenset[str] = frozenset(a for aliases in schema.HEADER_ALIASES.values() for a in aliases)

_TOTAL = re.compile(r"^(?:sous[\s-]?)?total(?:\s+g[ée]n[ée]ral)?\b|^(?:nombre|nb)\s+(?:total\s+)?(?:de\s+|d')?"
                    r"(?:lieux|sites|structures|points|acteurs|lignes)\b", re.IGNORECASE)
_COMMENT = re.compile(r"^\s*(?:#|\*|//|\(|\[|n\.?\s?b\.?\b|nota\b|remarques?\b|notes?\b|commentaires?\b|attention\b|"
                      r"important\b|mise à jour\b|mis à jour\b|màj\b|maj\b|source\b|sources\b|légende\b|"
                      r"à (?:vérifier|compléter|confirmer)\b)", re.IGNORECASE)
_SECTION = re.compile(r"^\s*(?:secteur|territoire|zone|arrondissement|canton|d[ée]partement|bassin|"
                      r"communaut[ée]|agglom[ée]ration|epci|quartier|antenne de secteur|r[ée]gion)\b", re.IGNORECASE)


def header_score(cells: Sequence[str], marking: Collection[str]) -> int:
    """How many distinct known headers a row names (0 when it names none of ``marking``)."""
    keys = {schema.header_key(c) for c in cells if str(c).strip()}
    if not keys & set(marking):
        return 0
    return len(keys & (KNOWN_HEADERS | set(marking)))


def find_header(records: Sequence[tuple[int, list[str]]], header_keys: Collection[str] | None) -> int | None:
    """Index of the header record (see the module's rule); the first record when ``header_keys``
    is None; None when no row among the first ones names one of them."""
    if not records:
        return None
    if header_keys is None:
        return 0
    best, best_score = None, 0
    for i, (_, rec) in enumerate(records[:HEADER_SEARCH_ROWS]):
        score = header_score(rec, header_keys)
        if score > best_score:
            best, best_score = i, score
    return best


def name_columns(header: Sequence[str], header_keys: Collection[str] | None) -> set[int]:
    """Positions of the header's cells naming one of ``header_keys`` (the name column)."""
    if not header_keys:
        return set()
    return {i for i, c in enumerate(header) if schema.header_key(c) in header_keys}


#: A row with more non-empty cells than this (blank ones included) is looked at as a possible
#: repeated header only: no section, comment or total row fills that many.
_FEW = 6


def folded_header(header: Sequence[str]) -> tuple[str, ...]:
    """The header's cells as :func:`note_row` compares them (stripped, case folded)."""
    return tuple(str(h).strip().casefold() for h in header)


def possible_notes(rows: Sequence[list[str]], header: Sequence[str]) -> list[int]:
    """Positions of the rows :func:`note_row` must look at: those with few non-empty cells, or
    starting with the header's first cell as written; the others (nearly all) are places, told
    apart by one count per row."""
    first = header[0] if header else None
    return [i for i, r in enumerate(rows) if len(r) - r.count("") <= _FEW or (r and r[0] == first)]


def note_row(cells: Sequence[str], header: tuple[str, ...], names: Collection[int]) -> str:
    """Why a row below the header is no place (French, with its text), "" for a row to read.

    ``header`` is :func:`folded_header` of the header row, ``names`` the positions of the name
    column (:func:`name_columns`). Most rows are places with several filled cells: they are told
    apart by two string tests."""
    if len(cells) - cells.count("") > _FEW:  # most rows: many cells, no note (only a copy of the header)
        if cells[0].strip().casefold() == header[0] and tuple(c.strip().casefold() for c in cells[:len(header)]) == header:
            return "en-tête répété"
        return ""
    filled = [c for c in cells if c and not c.isspace()]
    if not filled:
        return ""
    first = filled[0].strip()
    if len(filled) <= 3 and _TOTAL.match(first):
        return f"ligne de total : « {_short(' | '.join(c.strip() for c in filled))} »"
    if len(filled) > 1:
        if first.casefold() == header[0] and tuple(c.strip().casefold() for c in cells[:len(header)]) == header:
            return "en-tête répété"
        return ""
    letters = [c for c in first if c.isalpha()]
    if _COMMENT.match(first):
        return f"ligne de commentaire : « {_short(first)} »"
    if _SECTION.match(first) or (len(letters) >= 3 and all(c.isupper() for c in letters)):
        return f"ligne de section : « {_short(first)} »"
    pos = next(i for i, c in enumerate(cells) if c and not c.isspace())
    if pos not in names and len(first.split()) >= 3:
        return f"ligne de commentaire : « {_short(first)} »"
    return ""


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


#: Attribute of a raw frame listing the rows below the header that are no places (sections,
#: comments, totals): ``(line, reason)`` or, in a workbook, ``(line, reason, sheet)``.
SKIPPED_ATTR = "skipped"

#: Set while a reader keeps every row below the header (:func:`keeping_notes`).
_KEEP_NOTES: contextvars.ContextVar[bool] = contextvars.ContextVar("keep_notes", default=False)


@contextlib.contextmanager
def keeping_notes(keep: bool) -> Iterator[None]:
    """While in it (with ``keep``), :func:`without_notes` keeps every row, e.g. for a registry
    written back whole (``read_raw_table(keep_notes=True)``)."""
    token = _KEEP_NOTES.set(keep)
    try:
        yield
    finally:
        _KEEP_NOTES.reset(token)


Records = Sequence[tuple[int, list[str]]]


def without_notes(records: Records, header_at: int,
                  header_keys: Collection[str] | None) -> tuple[Records, list[tuple[int, str]]]:
    """The records without the rows below the header that are no places (:func:`note_row`), and
    those rows' ``(line, reason)``; none are looked for when ``header_keys`` is None (the first
    row is the header, whatever it holds), nor within :func:`keeping_notes`."""
    if header_keys is None or _KEEP_NOTES.get():
        return records, []
    header = list(records[header_at][1])
    names, folded = name_columns(header, header_keys), folded_header(header)
    body = records[header_at + 1:]
    notes = [""] * len(records)
    for i in possible_notes([r for _, r in body], header):
        notes[header_at + 1 + i] = note_row(body[i][1], folded, names)
    if not any(notes):
        return records, []
    skipped = [(line, why) for (line, _), why in zip(records, notes, strict=True) if why]
    return [rec for rec, why in zip(records, notes, strict=True) if not why], skipped
