"""HTML tables saved with a spreadsheet's name: the « export Excel » of many web tools.

Such a file (``.xls``, sometimes ``.xlsx`` or ``.ods``) is a web page holding a ``<table>`` (or an
Excel « XML Spreadsheet 2003 », ``<Table><Row><Cell>``); Excel
opens it with a warning, python-calamine refuses it. It is read here with the standard library's
:class:`html.parser.HTMLParser` (no lxml, html5lib or BeautifulSoup needed, so it reads the same
everywhere): the rows (``<tr>``) of the largest table, each cell's text with its line breaks
(``<br>``, paragraphs) kept as line breaks and its entities decoded, a cell spread over several
columns (``colspan``) followed by empty cells so that the columns stay in place.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

#: The first bytes of a web page (after a BOM and blanks).
_HTML_START = re.compile(rb"^(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|table|\?xml)",
                         re.IGNORECASE | re.DOTALL)


def looks_like_html(head: bytes) -> bool:
    """Whether the first bytes of a file are those of a web page (or an XML spreadsheet 2003)."""
    return _HTML_START.match(head) is not None


class _Tables(HTMLParser):
    """Collects every table's rows of cells (nested tables: each on its own)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self._stack: list[list[list[str]]] = []  # tables being read
        self._cell: list[str] | None = None
        self._span = 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._stack.append([])
        elif not self._stack:
            return
        elif tag in ("tr", "row"):  # « row », « cell »: Excel's XML Spreadsheet 2003
            self._end_cell()
            self._stack[-1].append([])
        elif tag in ("td", "th", "cell"):
            self._end_cell()
            if not self._stack[-1]:
                self._stack[-1].append([])
            self._cell = []
            given = dict(attrs)
            span = given.get("colspan") or str(int(given.get("ss:mergeacross") or 0) + 1)
            self._span = int(span) if span.strip().isdigit() and 0 < int(span) < 1000 else 1
        elif tag in ("br", "p", "div", "li") and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th", "tr", "cell", "row"):
            self._end_cell()
        elif tag == "table" and self._stack:
            self._end_cell()
            self.tables.append(self._stack.pop())

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def _end_cell(self) -> None:
        if self._cell is None or not self._stack:
            return
        lines = [" ".join(part.split()) for part in "".join(self._cell).split("\n")]
        text = "\n".join(line for line in lines if line)
        self._stack[-1][-1].extend([text, *[""] * (self._span - 1)])
        self._cell, self._span = None, 1


def html_records(text: str) -> list[tuple[int, list[str]]]:
    """The non-empty rows of the page's largest table with their row number (1 = first row)."""
    parser = _Tables()
    parser.feed(text)
    parser.close()
    while parser._stack:  # a table never closed (a truncated page): what was read of it
        parser._end_cell()
        parser.tables.append(parser._stack.pop())
    if not parser.tables:
        return []
    table = max(parser.tables, key=len)
    width = max(map(len, table), default=0)
    return [(i, [*row, *[""] * (width - len(row))]) for i, row in enumerate(table, start=1)
            if any(c.strip() for c in row)]
