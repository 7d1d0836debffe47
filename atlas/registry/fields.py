"""The rules that normalise one registry row's fields: names and kinds, networks, services,
publication, dates, contacts, postcodes and INSEE codes, stable ids.

:mod:`atlas.registry.actors` runs each rule once per distinct value (or combination of values)
of a column, on a :class:`Row` built from that value, and gives the answer to every row that
holds it; a rule fills ``rec`` and adds French warnings to ``warn``, or returns a reason to
reject the row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

from atlas.registry import schema
from atlas.registry.vocabulary import KINDS, NETWORKS, SERVICES, Vocabulary, read_list


@dataclass
class Row:
    """One row's fields being checked and their warnings (the per-value rules below work on one)."""

    rec: dict[str, str]
    warn: list[str] = field(default_factory=list)


def stub(**fields: str) -> Row:
    """A :class:`Row` holding just these fields (what a per-value rule reads)."""
    return Row(dict(fields))


def read_value(row: Row, col: str, vocabulary: Vocabulary) -> str | None:
    """The canonical value of one field (a warning when it was guessed); None when unknown."""
    given = row.rec[col]
    reading = vocabulary.read(given)
    if reading.guessed:
        row.warn.append(vocabulary.understood(given, reading))
    return reading.value


def networks(row: Row) -> str:
    """Networks read by meaning; unknown ones are kept as slugs, with a warning."""
    out, unknown = [], []
    for part, reading in read_list(NETWORKS, row.rec["network"]):
        if reading.value is None:
            unknown.append(part)
            canon = schema.slug(part)
        else:
            canon = reading.value
            if reading.guessed:
                row.warn.append(NETWORKS.understood(part, reading))
        if canon and canon not in out:
            out.append(canon)
    if unknown:
        row.warn.append(f"réseau hors liste connue : {', '.join(unknown)}")
    return ",".join(out)


def services(row: Row) -> str:
    """Services read by meaning; an unknown one keeps its text (no silent slug), with a warning."""
    out, unknown = [], []
    for part, reading in read_list(SERVICES, row.rec["services"], ",|;/"):
        if reading.value is None:
            unknown.append(part)
        elif reading.guessed:
            row.warn.append(SERVICES.understood(part, reading))
        out.append(part if reading.value is None else reading.value)
    if unknown:
        row.warn.append("service hors liste connue, gardé tel quel : " + ", ".join(f"« {u} »" for u in unknown))
    return ",".join(dict.fromkeys(out))


def stable_id(prefix: str, row: dict[str, str]) -> str:
    """An id that stays the same while the row's name and place do (rows of exports without ids)."""
    basis = "|".join(str(row.get(k, "")).strip().casefold() for k in ("name", "address", "insee", "postcode", "commune"))
    return f"{prefix}-{hashlib.sha1(basis.encode()).hexdigest()[:10]}"


def check_name_and_kind(row: Row) -> str:
    """A row needs a name and a known kind of actor (normalised in place, guesses said)."""
    rec = row.rec
    if not rec["name"]:
        return "nom manquant"
    kind_given = rec["kind"]
    reading = KINDS.read(kind_given)
    if reading.value is None:
        return KINDS.unknown(kind_given, reading)
    if not reading.value:
        return "type d'acteur manquant"
    if reading.guessed:
        row.warn.append(KINDS.understood(kind_given, reading))
    rec["kind"] = reading.value
    return ""


def _vocab(value: str, aliases: dict[str, str]) -> str | None:
    """Exact reading of a word (no guess): its canonical value, "" for an empty cell, None if unknown."""
    if not value:
        return ""
    return aliases.get(schema.slug(value))


def check_publication(rec: dict[str, str]) -> str:
    """Status and visibility as canonical values; an unknown value rejects the row.

    An empty cell is an open, public site. A value atlas cannot read is not guessed: the row is
    rejected with the accepted words, so that a typo never puts a closed or reserved site on a
    map handed out to the public.
    """
    for col, aliases, labels, default, what in (
        ("status", schema.STATUS_ALIASES, schema.STATUS_LABELS, "open", "statut"),
        ("visibility", schema.VISIBILITY_ALIASES, schema.VISIBILITY_LABELS, "public", "visibilité"),
    ):
        given = rec[col]
        value = _vocab(given, aliases)
        if value is None:
            accepted = ", ".join(f"« {w} »" for w in labels.values())
            return f"{what} inconnu(e) : « {given} » (attendu : {accepted})"
        rec[col] = value or default
    return ""


#: French month names and their usual abbreviations (accents folded, lower case).
_MONTH_WORDS: dict[str, int] = {}
for _n, _words in enumerate((("janvier", "janv", "jan"), ("fevrier", "fevr", "fev"), ("mars", "mar"),
                              ("avril", "avr"), ("mai",), ("juin",), ("juillet", "juil"), ("aout",),
                              ("septembre", "sept", "sep"), ("octobre", "oct"), ("novembre", "nov"),
                              ("decembre", "dec")), start=1):
    for _w in _words:
        _MONTH_WORDS[_w] = _n
_MONTH_WORD = "|".join(sorted(_MONTH_WORDS, key=len, reverse=True))
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?")
_YEAR_FIRST = re.compile(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})")
_DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?:\s+\d{1,2}[:h]\d{2}(?::\d{2})?)?")
_MONTH_FIRST = re.compile(r"(\d{1,2})[/.-](\d{4})")
_YEAR_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_WORDED = re.compile(rf"(?:(\d{{1,2}})(?:er)?\s+)?({_MONTH_WORD})\.?\s+(\d{{4}})")
_ISO_DAY = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
_SERIAL = re.compile(r"(\d{5})(?:\.\d+)?")
#: Excel day numbers read as dates: 1 January 1990 to 31 December 2099 (day 1 is 1900-01-01; a
#: smaller or larger five-digit number is no date anyone wrote).
EXCEL_SERIALS = (32874, 73050)
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


def _checked(year: int, month: int, day: int | None = None) -> str | None:
    """``AAAA-MM-JJ`` (or ``AAAA-MM``), None when no such day exists."""
    if day is None:
        return f"{year:04d}-{month:02d}" if 1 <= month <= 12 and year >= 1900 else None
    try:
        return dt.date(year, month, day).isoformat() if year >= 1900 else None
    except ValueError:
        return None


def read_date(text: str) -> tuple[str, tuple[str, ...]]:
    """A date as people write it, as ``AAAA-MM-JJ`` (or ``AAAA-MM``, ``AAAA``) and the warnings.

    Read: ISO dates and date-times, « 15/03/2024 », « 15.03.24 », « 03/2024 », « 2024/03/15 »,
    « mars 2025 », « 1er mars 2025 », « sept. 2024 », and Excel day numbers (« 45363 », a date
    cell exported as a number, from 1990 to 2099, warned). A date that does not exist
    (« 2025-13-45 », « 31/02/2024 ») or text that is no date is not kept (""), with a warning:
    the row itself is never rejected for its date.
    """
    text = text.strip()
    if not text or _ISO_DAY.fullmatch(text) and _valid_iso(text):
        return text, ()
    folded = _fold(text)
    value: str | None = None
    note = ""
    if m := _ISO.fullmatch(text):
        value = _checked(int(m[1]), int(m[2]), int(m[3]))
    elif m := _YEAR_FIRST.fullmatch(text):
        value = _checked(int(m[1]), int(m[2]), int(m[3]))
    elif m := _DAY_FIRST.fullmatch(text):
        year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
        value = _checked(year, int(m[2]), int(m[1]))
    elif m := _MONTH_FIRST.fullmatch(text):
        value = _checked(int(m[2]), int(m[1]))
    elif m := _YEAR_MONTH.fullmatch(text):
        value = _checked(int(m[1]), int(m[2]))
    elif m := _WORDED.fullmatch(folded):
        value = _checked(int(m[3]), _MONTH_WORDS[m[2]], int(m[1]) if m[1] else None)
    elif (m := _SERIAL.fullmatch(text)) and EXCEL_SERIALS[0] <= int(m[1]) <= EXCEL_SERIALS[1]:
        value = (_EXCEL_EPOCH + dt.timedelta(days=int(m[1]))).isoformat()
        note = f"date de mise à jour « {text} » lue comme un nombre de jours Excel : {value}"
    else:
        return "", (f"date de mise à jour illisible, ignorée : « {text} » (attendu : JJ/MM/AAAA, "
                    "AAAA-MM-JJ ou « mars 2025 »)",)
    if value is None:
        return "", (f"date de mise à jour impossible, ignorée : « {text} »",)
    return value, (note,) if note else ()


def _valid_iso(text: str) -> bool:
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 1:
        return parts[0] >= 1900
    return _checked(*parts) is not None


def normalise_date(rec: dict[str, str]) -> tuple[str, ...]:
    """``updated`` as ``AAAA-MM-JJ`` (see :func:`read_date`), in place; returns the warnings."""
    rec["updated"], warned = read_date(rec["updated"])
    return warned


#: Links the web map makes (the same rules as its script): http(s) pages, e-mail addresses, phone numbers.
SAFE_URL = re.compile(r"^https?://[^\s\"'<>]+$", re.IGNORECASE)
SAFE_EMAIL = re.compile(r"^[^@\s\"'<>]+@[^@\s\"'<>]+\.[^@\s\"'<>]+$")
SAFE_PHONE = re.compile(r"^[0-9+().\s/\-]*$")


def check_contacts(row: Row) -> None:
    """Website, phone and e-mail that cannot be safe links are kept as text, with a warning."""
    rec = row.rec
    if rec["website"] and not SAFE_URL.match(rec["website"]):
        row.warn.append(f"site web gardé sans lien (une adresse http:// ou https:// est attendue) : « {rec['website']} »")
    phone = rec["phone"]
    if phone and not (SAFE_PHONE.match(phone) and sum(c.isdigit() for c in phone) >= 4):
        row.warn.append(f"téléphone gardé sans lien (des chiffres sont attendus) : « {phone} »")
    if rec["email"] and not SAFE_EMAIL.match(rec["email"]):
        row.warn.append(f"courriel gardé sans lien (une adresse nom@domaine.fr est attendue) : « {rec['email']} »")


#: Spaces people's tools put inside codes: no-break (U+00A0, French Excel's thousands separator),
#: narrow no-break (U+202F), thin and other Unicode spaces, and invisible zero-width characters.
_CODE_SPACES = re.compile(r"[\s\u00a0\u2000-\u200d\u202f\u205f\u2060\u3000\ufeff]+")

#: Postal box mentions in an address (« BP 30 », « B.P. 112 », « CS 20001 », « TSA 70011 »): no
#: door, and a number that is not a postcode.
_POSTAL_BOX = re.compile(r"\b(?:B\.?\s?P\.?|C\.?\s?S\.?|TSA|Boîte postale|Boite postale)\s*(?:n°\s*)?\d{1,6}\b",
                         re.IGNORECASE)
_CEDEX = re.compile(r"\bcedex\b(?:\s*\d{1,3})?", re.IGNORECASE)
_ADDRESS_POSTCODE = re.compile(r"(?:^|\s)(\d{4,5})\s+([A-Za-zÀ-ÿ][^\d,]*)")
#: A postcode cell that holds more than the code: « 62401 Cedex », « 62302 LENS CEDEX », « 62300 Lens ».
_POSTCODE_AND_TEXT = re.compile(r"(\d{5}|\d{4})\s*[,-]?\s*(\D.*)?")


def clean_code(text: str) -> str:
    """A code (postcode, INSEE, SIRET) without the spaces, visible or not, typed or exported into it."""
    return _CODE_SPACES.sub("", text)


def without_postal_box(address: str) -> str:
    """An address without its postal box (« BP 30 », « CS 20001 ») nor « CEDEX »: the door's address."""
    out = _CEDEX.sub(" ", _POSTAL_BOX.sub(" ", address))
    return re.sub(r"\s{2,}", " ", re.sub(r"\s*[,;-]\s*(?=[,;-]|$)", "", out)).strip(" ,;-")


def postcode_in_address(address: str) -> tuple[str, str] | None:
    """The last postcode and commune written in an address (« 3 rue Henry Dunant   1000 BOURG EN
    BRESSE », « 12 rue de la Gare BP 30 62302 LENS CEDEX »: postal boxes and CEDEX left out), None
    when there is none."""
    found = _ADDRESS_POSTCODE.findall(without_postal_box(address)) if address else []
    return found[-1] if found else None


def normalise_codes(rec: dict[str, str], in_address: tuple[str, str] | None) -> tuple[str, ...]:
    """Postcode (also found at the end of the address: ``in_address``, see
    :func:`postcode_in_address`) and INSEE code, in place, with spaces (:func:`clean_code`) and
    the leading zeros lost by Excel put right; returns the warnings.

    A postcode cell holding a CEDEX code or the town (« 62401 Cedex », « 62302 LENS CEDEX ») is
    read as its code, the town written after it taken as the commune when none is given: a CEDEX
    code is no commune's, the commune is then found by its name (or the INSEE code).
    """
    warn: list[str] = []
    given = rec["postcode"].strip()
    postcode = clean_code(given)
    if postcode and not postcode.isdigit() and (m := _POSTCODE_AND_TEXT.fullmatch(_CODE_SPACES.sub(" ", given).strip())):
        postcode, rest = m[1], (m[2] or "").strip()
        town = _CEDEX.sub(" ", rest).strip(" ,-")
        cedex = bool(_CEDEX.search(rest))
        if town and not rec["commune"]:
            rec["commune"] = town
        what = "code CEDEX" if cedex else "code postal suivi d'un nom"
        warn.append(f"{what} « {given} » : code postal lu {postcode.zfill(5)}"
                    + (", commune cherchée par son nom ou son code INSEE" if cedex else ""))
    rec["postcode"] = postcode
    if _CEDEX.search(rec["commune"]):  # « ARRAS CEDEX 9 » in the commune column: the town is Arras
        town = _CEDEX.sub(" ", rec["commune"]).strip(" ,-")
        warn.append(f"commune « {rec['commune']} » lue « {town} » (CEDEX)")
        rec["commune"] = town
    if not rec["postcode"] and in_address:  # « 3 rue Henry Dunant   1000 BOURG EN BRESSE »
        rec["postcode"] = in_address[0].zfill(5)
        rec["commune"] = rec["commune"] or in_address[1].strip()
    if re.fullmatch(r"\d{4}", rec["postcode"]):
        rec["postcode"] = "0" + rec["postcode"]  # lost leading zero (Excel)
    insee = clean_code(rec["insee"]).upper()
    if re.fullmatch(r"\d{4}", insee):
        insee = "0" + insee  # « 2001 » for 02001 (Aisne in a spreadsheet)
    rec["insee"] = insee
    return tuple(warn)


# --------------------------------------------------------------------------- phones
#: One French phone number as written: 0X XX XX XX XX with any separators, +33 / 0033 / (+33) (0)
#: forms, or the nine digits a spreadsheet keeps of it when read as a number.
_PHONE = re.compile(
    r"(?<![\d+])(?:(?P<intl>(?:\+|00)\s*33\s*(?:\(0\)\s*)?|\(\+33\)\s*(?:\(0\)\s*)?)|(?P<zero>0)[\s.\-]?)?"
    r"(?P<first>[1-9])(?P<rest>(?:[\s.\-]?\d){8})(?!\d)")
_PHONE_FR = re.compile(r"0[1-9](?: \d{2}){4}")
_PHONE_SPACING = re.compile(r"[\s.\-]+")
#: One number once its spacing is taken out: 0XXXXXXXXX, +33 / 0033 / +33(0) forms, or what a
#: spreadsheet keeps of it read as a number (``zero``: its « 0 » lost, ``plus``: the « + » of +33 lost).
_ONE_PHONE = re.compile(r"(?:0|\+33(?:\(0\))?|0033(?:\(0\))?|\(\+33\)(?:\(0\))?|(?P<plus>33)|(?P<zero>(?=[1-9]\d{8}$)))"
                        r"(?P<first>[1-9])(?P<rest>\d{8})")
_PHONE_SEPARATORS = re.compile(r"^[\s/;,|&+\-]*(?:\b(?:ou|et)\b[\s/;,|&+\-]*)*$", re.IGNORECASE)


def _phone_fr(first: str, rest: str) -> str:
    digits = "0" + first + re.sub(r"\D", "", rest)
    return " ".join(digits[i:i + 2] for i in range(0, 10, 2))


def normalise_phone(text: str) -> tuple[str, tuple[str, ...]]:
    """Phone numbers in the French form « 03 21 69 00 00 », and the warnings.

    Every French number of the cell is rewritten (``+33 3 21 69 00 00``, ``0033321690000``,
    ``03.21.69.00.00``); a number of nine digits, as a spreadsheet keeps ``03 23 23 00 00`` read
    as a number (``323230000``), gets its leading 0 back (warned), and so does ``33`` followed
    by nine digits (``+33`` read as a number). Several numbers in one cell are kept, separated
    by « / » when nothing else is written; other text (« accueil », « poste 12 ») is kept as
    written around them. Short numbers (« 115 ») and foreign numbers are left as they are.
    """
    given = text.strip()
    if not given or _PHONE_FR.fullmatch(given):  # empty, or written as it should be (most cells)
        return given, ()
    compact = _PHONE_SPACING.sub("", given)
    if single := _ONE_PHONE.fullmatch(compact):  # one number, any spacing: no search needed
        lost_zero, lost_plus = single["zero"] is not None, single["plus"] is not None
        if (lost_zero or lost_plus) and compact != given:  # « 3 21 69 00 00 »: digits written apart, left alone
            return given, ()
        value = _phone_fr(single["first"], single["rest"])
        if lost_zero:
            return value, (f"téléphone « {given} » sans son 0 initial (nombre de tableur ?) : lu {value}",)
        if lost_plus:
            return value, (f"téléphone « {given} » lu {value} (indicatif +33 sans le « + »)",)
        return value, ()
    numbers: list[str] = []
    restored = False

    def one(m: re.Match[str]) -> str:
        nonlocal restored
        if not m["intl"] and not m["zero"]:
            if re.search(r"[\s.\-]", m[0]):  # « 3 21 69 00 00 »: nine digits written apart are no lost 0
                return m[0]
            restored = True
        numbers.append(_phone_fr(m["first"], m["rest"]))
        return numbers[-1]

    value = _PHONE.sub(one, given)
    if not numbers:
        return given, ()
    rest = value
    for number in numbers:
        rest = rest.replace(number, " ", 1)
    if _PHONE_SEPARATORS.fullmatch(rest):  # numbers and separators only: « / » between them
        value = " / ".join(numbers)
    warned = (f"téléphone « {given} » sans son 0 initial (nombre de tableur ?) : lu {value}",) if restored else ()
    return value, warned


# --------------------------------------------------------------------------- weights
#: Mass units as written, with their value in kilograms.
MASS_UNITS: dict[str, float] = {
    "kg": 1.0, "kgs": 1.0, "kilo": 1.0, "kilos": 1.0, "kilogramme": 1.0, "kilogrammes": 1.0,
    "t": 1000.0, "tonne": 1000.0, "tonnes": 1000.0, "tn": 1000.0,
    "g": 0.001, "gr": 0.001, "gramme": 0.001, "grammes": 0.001,
    "q": 100.0, "quintal": 100.0, "quintaux": 100.0,
}  # fmt: skip


def in_kilograms(value: float | None, unit: str) -> tuple[float | None, str, str]:
    """A weight in a mass unit (« t », « tonnes », « g ») as kilograms: ``(value, "kg", note)``,
    the note saying what was converted; other units (€, actions) are left as they are."""
    key = unit.strip().casefold().rstrip(".")
    factor = MASS_UNITS.get(key)
    if factor is None or value is None or value != value:
        return value, unit, ""
    if factor == 1.0:
        return value, "kg", ""
    kg = round(value * factor, 6)
    return kg, "kg", f"{_fr_number(value)} {unit.strip()} = {_fr_number(kg)} kg"


def _fr_number(value: float) -> str:
    return f"{value:g}".replace(".", ",")
