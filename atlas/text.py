"""Registry text as each output can carry it: registry text is data, never code, and never lost silently.

Every string of a registry reaches the outputs as the same text, except the characters a format
cannot carry, which are replaced by U+FFFD « � » (:data:`REPLACEMENT`, visible, so a reader sees that
the registry holds something there) — never dropped, never interpreted:

- **XML** (GEXF, GraphML, SVG): XML 1.0 has no way to write the C0 control characters other than tab,
  line feed and carriage return, lone surrogates, U+FFFE and U+FFFF (:func:`xml_text`);
- **drawings** (the A3 PDF, the actors drawings in PDF, PNG and SVG, via matplotlib): the C0 and C1
  control characters (tab and carriage return become a space; line feed stays a line break), lone
  surrogates, U+FFFE and U+FFFF, and the bidirectional embedding, override and isolate controls
  (U+202A–U+202E, U+2066–U+2069), which would silently draw the rest of a name backwards
  (:func:`drawn_text`). A byte-order mark inside a text (U+FEFF, left by files pasted together)
  becomes the word joiner U+2060 it stands for: matplotlib's PDF writer fails on U+FEFF. ``$`` is never mathematics: the drawings are made with mathtext and TeX off.

The web pages carry every character (escaped JSON, put in the page as text).
"""

from __future__ import annotations

import re

__all__ = ["REPLACEMENT", "drawn_text", "xml_text"]

REPLACEMENT = "\ufffd"

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NOT_DRAWN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]")
_SPACES = str.maketrans({"\t": " ", "\r": " ", "\ufeff": "\u2060"})


def xml_text(text: str) -> str:
    """``text`` with every character XML 1.0 cannot carry replaced by « � » (U+FFFD)."""
    return _XML_ILLEGAL.sub(REPLACEMENT, text)


def drawn_text(text: object) -> str:
    """``text`` as a drawing shows it: tab and CR as spaces, U+FEFF as U+2060, controls and bidi
    overrides as « � »."""
    return _NOT_DRAWN.sub(REPLACEMENT, str(text).translate(_SPACES))
