"""The rules that normalise one registry row's fields: names and kinds, networks, services,
publication, dates, contacts, postcodes and INSEE codes, stable ids.

:mod:`atlas.registry.actors` runs each rule once per distinct value (or combination of values)
of a column, on a :class:`Row` built from that value, and gives the answer to every row that
holds it; a rule fills ``rec`` and adds French warnings to ``warn``, or returns a reason to
reject the row.
"""

from __future__ import annotations

import hashlib
import re
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


_DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_MONTH_FIRST = re.compile(r"(\d{1,2})[/.-](\d{4})")


def normalise_date(rec: dict[str, str]) -> None:
    """``updated`` as ``AAAA-MM-JJ``: French dates (15/03/2024, 03/2024) and date-times are read."""
    text = rec["updated"].strip()
    iso = re.fullmatch(r"(\d{4}-\d{2}-\d{2})[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?", text)
    day_first = _DAY_FIRST.fullmatch(text)
    month_first = _MONTH_FIRST.fullmatch(text)
    if iso:
        text = iso.group(1)
    elif day_first:
        d, m, y = day_first.groups()
        text = f"{y}-{int(m):02d}-{int(d):02d}"
    elif month_first:
        m, y = month_first.groups()
        text = f"{y}-{int(m):02d}"
    rec["updated"] = text


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


_ADDRESS_POSTCODE = re.compile(r"(?:^|\s)(\d{4,5})\s+([A-Za-zÀ-ÿ][^\d,]*)")


def postcode_in_address(address: str) -> tuple[str, str] | None:
    """The last postcode and commune written in an address (« 3 rue Henry Dunant   1000 BOURG EN
    BRESSE »), None when there is none."""
    found = _ADDRESS_POSTCODE.findall(address) if address else []
    return found[-1] if found else None


def normalise_codes(rec: dict[str, str], in_address: tuple[str, str] | None) -> None:
    """Postcode (also found at the end of the address: ``in_address``, see
    :func:`postcode_in_address`) and INSEE code, with leading zeros lost by Excel."""
    rec["postcode"] = rec["postcode"].replace(" ", "")
    if not rec["postcode"] and in_address:  # « 3 rue Henry Dunant   1000 BOURG EN BRESSE »
        rec["postcode"] = in_address[0].zfill(5)
        rec["commune"] = rec["commune"] or in_address[1].strip()
    if re.fullmatch(r"\d{4}", rec["postcode"]):
        rec["postcode"] = "0" + rec["postcode"]  # lost leading zero (Excel)
    if re.fullmatch(r"\d{4}", rec["insee"]):
        rec["insee"] = "0" + rec["insee"]
    rec["insee"] = rec["insee"].upper()


