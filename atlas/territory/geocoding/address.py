"""Postal addresses as people type them in registries: parsing and street-name normalisation.

A registry cell such as « 12bis, rue J. Jaurès », « Rue Jean Jaurès 12 », « Mairie - Place de la
Mairie », « ZA du Moulin », « BP 528 » or « 59007 LILLE CEDEX » is split into a house number, a
repetition index (bis, ter, A...), a street (type + name), a lieu-dit, a named building, a
complement, a post-office box, a postcode and a commune (:func:`parse_address`). Street names are
compared through :func:`street_key` — no accents, upper case, no punctuation, abbreviations
expanded (« r. » -> RUE, « bd » -> BOULEVARD, « st » -> SAINT...), articles dropped — the same key
that the BAN index (:mod:`atlas.territory.geocoding.ban`) computes for every street of the Base Adresse
Nationale.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, fields

import pandas as pd
from rapidfuzz import fuzz, process

from atlas.text import fold as fold_text

# --------------------------------------------------------------------------- vocabulary
#: Street types: every spelling (folded, i.e. upper case without accents) -> canonical type.
STREET_TYPES: dict[str, str] = {
    "RUE": "rue", "R": "rue", "RU": "rue",
    "AVENUE": "avenue", "AV": "avenue", "AVE": "avenue", "AVN": "avenue",
    "BOULEVARD": "boulevard", "BD": "boulevard", "BLD": "boulevard", "BVD": "boulevard", "BOUL": "boulevard",
    "PLACE": "place", "PL": "place",
    "CHEMIN": "chemin", "CHE": "chemin", "CH": "chemin", "CHEM": "chemin",
    "ROUTE": "route", "RTE": "route",
    "IMPASSE": "impasse", "IMP": "impasse",
    "ALLEE": "allée", "ALL": "allée", "AL": "allée", "ALLEES": "allée",
    "FAUBOURG": "faubourg", "FG": "faubourg", "FBG": "faubourg",
    "SQUARE": "square", "SQ": "square",
    "QUAI": "quai", "QU": "quai",
    "COURS": "cours", "CRS": "cours",
    "PASSAGE": "passage", "PAS": "passage", "PASS": "passage",
    "SENTIER": "sentier", "SEN": "sentier", "SENT": "sentier",
    "RESIDENCE": "résidence", "RES": "résidence", "RESID": "résidence",
    "LOTISSEMENT": "lotissement", "LOT": "lotissement",
    "CITE": "cité",
    "VOIE": "voie",
    "RUELLE": "ruelle", "RLE": "ruelle",
    "VENELLE": "venelle",
    "CARREFOUR": "carrefour", "CAR": "carrefour",
    "PARVIS": "parvis", "PRV": "parvis",
    "PROMENADE": "promenade", "PROM": "promenade",
    "ESPLANADE": "esplanade", "ESP": "esplanade",
    "MAIL": "mail",
    "PONT": "pont",
    "PORT": "port",
    "QUARTIER": "quartier", "QUA": "quartier",
    "RAMPE": "rampe",
    "RONDPOINT": "rond-point", "RPT": "rond-point",
    "TRAVERSE": "traverse", "TRA": "traverse",
    "VILLA": "villa", "VLA": "villa",
    "CLOS": "clos",
    "COUR": "cour",
    "COTE": "côte",
    "MONTEE": "montée", "MTE": "montée",
    "DIGUE": "digue",
    "BOUCLE": "boucle",
    "SENTE": "sente",
    "RN": "route", "RD": "route", "CD": "chemin", "VC": "chemin", "CR": "chemin",
}  # fmt: skip

#: Abbreviations expanded in the first position (street types) of a key.
_TYPE_EXPANSION: dict[str, str] = {
    "R": "RUE", "RU": "RUE", "AV": "AVENUE", "AVE": "AVENUE", "AVN": "AVENUE",
    "BD": "BOULEVARD", "BLD": "BOULEVARD", "BVD": "BOULEVARD", "BOUL": "BOULEVARD",
    "PL": "PLACE", "CHE": "CHEMIN", "CH": "CHEMIN", "CHEM": "CHEMIN", "RTE": "ROUTE", "IMP": "IMPASSE",
    "ALL": "ALLEE", "AL": "ALLEE", "ALLEES": "ALLEE", "FG": "FAUBOURG", "FBG": "FAUBOURG", "SQ": "SQUARE",
    "QU": "QUAI", "CRS": "COURS", "PAS": "PASSAGE", "PASS": "PASSAGE", "SEN": "SENTIER", "SENT": "SENTIER",
    "RES": "RESIDENCE", "RESID": "RESIDENCE", "LOT": "LOTISSEMENT", "RLE": "RUELLE", "CAR": "CARREFOUR",
    "PRV": "PARVIS", "PROM": "PROMENADE", "ESP": "ESPLANADE", "QUA": "QUARTIER", "RPT": "ROND POINT",
    "RONDPOINT": "ROND POINT", "TRA": "TRAVERSE", "VLA": "VILLA", "MTE": "MONTEE",
    "RN": "ROUTE NATIONALE", "RD": "ROUTE DEPARTEMENTALE", "CD": "CHEMIN DEPARTEMENTAL",
    "VC": "CHEMIN COMMUNAL", "CR": "CHEMIN RURAL", "ZA": "ZONE ARTISANALE", "ZI": "ZONE INDUSTRIELLE",
    "ZAC": "ZONE AMENAGEMENT CONCERTE", "ZAE": "ZONE ACTIVITES ECONOMIQUES",
    "LD": "LIEU DIT", "LIEUDIT": "LIEU DIT", "HAM": "HAMEAU",
}  # fmt: skip

#: Abbreviations expanded anywhere in a key (titles, saints, grades).
_WORD_EXPANSION: dict[str, str] = {
    "ST": "SAINT", "STE": "SAINTE", "STS": "SAINTS", "GAL": "GENERAL", "GEN": "GENERAL", "GL": "GENERAL",
    "MAL": "MARECHAL", "MCHAL": "MARECHAL", "PDT": "PRESIDENT", "PDTS": "PRESIDENTS",
    "DR": "DOCTEUR", "DOC": "DOCTEUR", "PR": "PROFESSEUR", "PROF": "PROFESSEUR", "CDT": "COMMANDANT",
    "CMDT": "COMMANDANT", "CNE": "CAPITAINE", "CPT": "CAPITAINE", "LT": "LIEUTENANT", "LTN": "LIEUTENANT",
    "MGR": "MONSEIGNEUR", "ND": "NOTRE DAME", "GDE": "GRANDE", "GD": "GRAND", "PTE": "PETITE",
    "ABB": "ABBE", "FRS": "FRERES", "VX": "VIEUX", "LEZ": "LES",
}  # fmt: skip

#: Articles and prepositions dropped from keys (« Rue de la Mairie » -> RUE MAIRIE).
ARTICLES: frozenset[str] = frozenset({"DE", "DU", "DES", "LA", "LE", "LES", "AU", "AUX"})

#: Words that open a lieu-dit or an activity zone.
_LIEU_DIT_WORDS = frozenset({
    "ZA", "ZI", "ZAC", "ZAE", "ZONE", "LIEU", "LIEUDIT", "LD", "HAMEAU", "HAM", "PARC", "DOMAINE", "FERME",
    "MOULIN", "CHATEAU", "BOIS", "MONT", "VAL", "CHAMP", "CHAMPS", "CROIX", "PLAINE", "MARAIS",
})  # fmt: skip

#: Words that open the name of a building or a room (« Salle des fêtes », « Mairie annexe »).
_PLACE_WORDS = frozenset({
    "SALLE", "MAIRIE", "HOTEL", "MAISON", "CENTRE", "ESPACE", "FOYER", "LOCAL", "LOCAUX", "COMPLEXE",
    "ECOLE", "EGLISE", "TEMPLE", "GYMNASE", "PRESBYTERE", "CCAS", "CMCAS", "BATIMENT", "BAT", "ANCIENNE",
    "ANCIEN", "EX", "SIEGE", "MJC", "MEDIATHEQUE", "BIBLIOTHEQUE", "PERMANENCE", "IMMEUBLE", "CASERNE", "STADE", "PISCINE", "POLE", "MAISONS", "ACCUEIL", "SECOURS", "ASSOCIATION", "ANTENNE",
})  # fmt: skip

#: Words that open a complement for the postman (a person, a floor, a door).
_COMPLEMENT_WORDS = frozenset({
    "CHEZ", "MME", "MR", "M", "MLLE", "MONSIEUR", "MADAME", "ETAGE", "APPT", "APPARTEMENT", "ESCALIER", "ESC",
    "PORTE", "ENTREE", "LOCAL", "CO", "BAL", "BOITE",
})  # fmt: skip

#: Before a trailing number, these words make it part of the name (« Cité 12 », « 8 mai 1945 »).
_NAME_NUMBER_WORDS = frozenset({
    "JANVIER", "FEVRIER", "MARS", "AVRIL", "MAI", "JUIN", "JUILLET", "AOUT", "SEPTEMBRE", "OCTOBRE",
    "NOVEMBRE", "DECEMBRE", "CITE", "RN", "RD", "CD", "VC", "CR", "N", "D", "NATIONALE", "DEPARTEMENTALE",
    "COMMUNALE", "RURAL", "LOT", "LOTISSEMENT", "TRANCHE", "SECTEUR", "ILOT", "BLOC", "QUARTIER", "ZONE",
    "FOSSE", "PUITS", "CAMP", "NUMERO", "NO",
})  # fmt: skip

#: Lowest fuzzy score (0-100) for a street; names shorter than 8 letters need ``SHORT_NAME_SCORE``.
MIN_SCORE = 80.0
SHORT_NAME_SCORE = 90.0
#: Points off when both names have a street type and the types differ (« rue » / « avenue »).
TYPE_PENALTY = 10.0
#: Points off when one name is a subset of the other (« Rue Jaurès » / « Rue Jean Jaurès »).
SUBSET_PENALTY = 10.0

_REPS = {"BIS": "bis", "TER": "ter", "QUATER": "quater", "QUINQUIES": "quinquies"}
#: Repetition indexes that mean the same (« 12 bis » is often written « 12 B » in the BAN).
_REP_KEY = {"bis": "b", "ter": "t", "quater": "q", "quinquies": "c"}

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})
_CEDEX = re.compile(r"\bcedex\b(?:\s*\d{1,3})?", re.IGNORECASE)
_PO_BOX = re.compile(
    r"\b(b\.?\s?p\.?|c\.?\s?s\.?|t\.?s\.?a\.?|bo[iî]te\s+postale)\s*(?:n°|no\.?)?\s*(\d{1,6})\b", re.IGNORECASE
)
_TRAILING_PLACE = re.compile(r"(?:^|[\s,;-])(\d{5})(?:\s+([^\d,;]+?))?\s*$")
_SEGMENT_SPLIT = re.compile(r"\s*[,;()]\s*|\s+[-–—]\s+|(?<!\d)\s*/\s*|\s*/\s*(?!\d)")
_COMPLEMENT_CUT = re.compile(
    r"\s+(?:local|locaux|b[aâ]t\.?|b[aâ]timent|appt\.?|appartement|[ée]tage|escalier|esc\.|ex-|ex\s|"
    r"chez|c/o|mme\.?|mr\.?|porte|entr[ée]e|n°\s*\d)(?:\s|\b|$).*$",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"(?:n°\s*|no\.?\s+)?(\d{1,4})(?:\s*[-/]\s*\d{1,4}(?!\d))?(?![\d,.]\d)", re.IGNORECASE)
_REP_WORD = re.compile(r"\s*(bis|ter|quater|quinquies)\b\.?", re.IGNORECASE)
_REP_ATTACHED = re.compile(r"([A-Za-z])(?![A-Za-zÀ-ÿ'])\.?")
_REP_SPACED = re.compile(r"\s+([A-Za-z])(?=\s*,|\s+\S|$)")


# --------------------------------------------------------------------------- keys
@functools.lru_cache(maxsize=1 << 16)
def _fold(text: str) -> str:
    s = text.translate(_APOSTROPHES)
    s = fold_text(s)
    return re.sub(r"[^A-Z0-9]+", " ", s.upper()).strip()


def fold(text: object) -> str:
    """Upper case ASCII words separated by single spaces (accents, ligatures, punctuation removed).

    « Rue de l'Équipée » -> « RUE DE L EQUIPEE ».
    """
    return _fold(str(text or ""))


def street_key(name: object) -> str:
    """Normalised street name for matching (shared with the BAN index).

    Accents, case and punctuation are removed, the street type is written in full (« r. »,
    « av », « bd », « pl », « che », « rte », « imp », « all », « fg »...), titles and saints too
    (« st », « ste », « gal », « mal », « dr »...), elided and plain articles dropped (« de »,
    « du », « des », « la », « le », « les », « l' », « d' », « au », « aux »).

    Examples
    --------
    >>> street_key("R. de l'Abbé J. Jaurès")
    'RUE ABBE J JAURES'
    >>> street_key("Av. du Gal de Gaulle")
    'AVENUE GENERAL GAULLE'
    """
    return _street_key(text_or_empty(name))


@functools.lru_cache(maxsize=1 << 16)
def _street_key(name: str) -> str:
    s = name.translate(_APOSTROPHES)
    s = re.sub(r"\b([LlDd])'\s*", " ", s)  # elided articles, not initials
    s = re.sub(r"\b([SsNn])/", lambda m: "SUR " if m.group(1) in "Ss" else m.group(0), s)  # « S/MER »
    words = fold(s).split()
    if not words:
        return ""
    out: list[str] = []
    for i, w in enumerate(words):
        if i == 0 or (i == 1 and words[0].isdigit()):
            w = _TYPE_EXPANSION.get(w, w)
        w = _WORD_EXPANSION.get(w, w)
        out.extend(w.split())
    kept = [w for w in out if w not in ARTICLES]
    return " ".join(kept or out)


#: Full street types as they appear at the start of a key (one, two or three words).
_KEY_TYPES: frozenset[str] = frozenset(
    {fold(t) for t in STREET_TYPES.values()} | set(_TYPE_EXPANSION.values()) | {"ROND POINT"}
)


def split_street_key(key: str) -> tuple[str, str]:
    """(type, name) of a :func:`street_key`: « RUE JEAN JAURES » -> (« RUE », « JEAN JAURES »).

    The type is "" when the key does not start with one (« WINSTON CHURCHILL », « GRANDE RUE »);
    a key that is only a type keeps it as its name (« PLACE » -> (« », « PLACE »)).
    """
    words = key.split()
    for n in (3, 2, 1):
        head = " ".join(words[:n])
        if len(words) > n and head in _KEY_TYPES:
            return head, " ".join(words[n:])
    return "", key


def text_or_empty(value: object) -> str:
    """``value`` as stripped text; "" for None/NaN."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def rep_key(rep: object) -> str:
    """Comparable repetition index: « bis » and « b » give ``"b"``, « ter » and « t » give ``"t"``."""
    r = fold(rep).lower()
    return _REP_KEY.get(r, r)


# --------------------------------------------------------------------------- street similarity
def _align_initials(query: str, candidate: str) -> str:
    """« J JAURES » against « JEAN JAURES » -> « JEAN JAURES » (initials expanded in place)."""
    q, c = query.split(), candidate.split()
    if len(q) != len(c) or not any(len(w) == 1 for w in q):
        return query
    if all(len(a) > 1 or b.startswith(a) for a, b in zip(q, c, strict=True)):
        return " ".join(b if len(a) == 1 else a for a, b in zip(q, c, strict=True))
    return query


def name_score(query_key: str, candidate_key: str) -> float:
    """Similarity (0-100) of two street keys: names compared with typos, initials and omitted
    first names allowed; a different street type costs :data:`TYPE_PENALTY`."""
    if query_key == candidate_key:
        return 100.0
    qt, qn = split_street_key(query_key)
    ct, cn = split_street_key(candidate_key)
    aligned = _align_initials(qn, cn)
    score = fuzz.ratio(aligned, cn)
    if aligned != qn:
        score = min(score, 95.0)
    score = max(score, fuzz.token_set_ratio(qn, cn) - SUBSET_PENALTY)
    if qt and ct and qt != ct:
        score -= TYPE_PENALTY
    return float(score)


def best_streets(
    query_key: str, keys: list[str], *, names: list[str] | None = None, min_score: float = MIN_SCORE
) -> tuple[list[int], float]:
    """Positions in ``keys`` of the best streets for ``query_key`` (ties kept) and their score.

    Exact keys first (score 100), else the best :func:`name_score` among a shortlist found by
    ``rapidfuzz``; ``([], best score)`` when none reaches ``min_score`` (:data:`SHORT_NAME_SCORE`
    for names shorter than 8 letters). Ties are kept (« R. J. Jaurès » when the commune has a
    « Rue Jean Jaurès » and a « Rue Jules Jaurès »): the house number may decide between them.
    ``names`` (the name part of each key) saves a split.
    """
    if not query_key or not keys:
        return [], 0.0
    exact = [i for i, k in enumerate(keys) if k == query_key]
    if exact:
        return exact, 100.0
    names = names if names is not None else [split_street_key(k)[1] for k in keys]
    qn = split_street_key(query_key)[1]
    shortlist = {i for _, _, i in process.extract(qn, names, scorer=fuzz.ratio, limit=8, score_cutoff=40)}
    shortlist |= {i for _, _, i in process.extract(qn, names, scorer=fuzz.token_set_ratio, limit=8, score_cutoff=60)}
    scored = sorted(((name_score(query_key, keys[i]), -i) for i in shortlist), reverse=True)
    if not scored:
        return [], 0.0
    top = scored[0][0]
    need = SHORT_NAME_SCORE if len(qn.replace(" ", "")) < 8 else min_score
    if top < max(need, min_score):
        return [], top
    return [-neg for score, neg in scored if score == top], top


def best_street(
    query_key: str, keys: list[str], *, names: list[str] | None = None, min_score: float = MIN_SCORE
) -> tuple[int, float]:
    """Position in ``keys`` of the best street for ``query_key`` (the first of :func:`best_streets`)
    and its score; ``(-1, best score)`` when none is good enough."""
    found, score = best_streets(query_key, keys, names=names, min_score=min_score)
    return (found[0] if found else -1), score


# --------------------------------------------------------------------------- parsed address
@dataclass(frozen=True)
class ParsedAddress:
    """One address split into its parts (all text; "" when absent).

    Attributes
    ----------
    number : str
        House number without leading zeros (« 04 » -> « 4 »; a range « 18-20 » keeps « 18 »).
    rep : str
        Repetition index, lower case: « bis », « ter », « quater », « quinquies » or a letter.
    street_type : str
        Canonical street type (« rue », « avenue », « allée »...), "" when the street has none.
    street : str
        The street as written, type included (« rue J. Jaurès »).
    lieu_dit : str
        A lieu-dit, hamlet or activity zone (« ZA du Moulin »), or an unclassified place name.
    place : str
        A named building or room (« Salle des fêtes », « Mairie annexe »).
    complement : str
        What else was written (« local n° 7 », « mme FAUCHER »).
    po_box : str
        Post-office box (« BP 528 », « CS 30001 »).
    postcode, commune : str
        Postal code and commune name (CEDEX removed).
    cedex : bool
        The address is a CEDEX one.
    """

    number: str = ""
    rep: str = ""
    street_type: str = ""
    street: str = ""
    lieu_dit: str = ""
    place: str = ""
    complement: str = ""
    po_box: str = ""
    postcode: str = ""
    commune: str = ""
    cedex: bool = False

    @property
    def street_key(self) -> str:
        """:func:`street_key` of :attr:`street`."""
        return street_key(self.street)

    @property
    def has_number_street(self) -> bool:
        """True when both a house number and a street were found."""
        return bool(self.number and self.street)

    @property
    def kind(self) -> str:
        """« adresse » (number + street), « voie », « lieu-dit », « bâtiment », « boîte postale » or ""."""
        if self.has_number_street:
            return "adresse"
        for attr, kind in (("street", "voie"), ("lieu_dit", "lieu-dit"), ("place", "bâtiment"),
                           ("po_box", "boîte postale")):  # fmt: skip
            if getattr(self, attr):
                return kind
        return ""

    def label(self) -> str:
        """The address written back in one line: « 12 bis rue J. Jaurès, 59000 Lille »."""
        first = " ".join(p for p in (self.number, self.rep, self.street) if p)
        town = " ".join(p for p in (self.postcode, self.commune, "CEDEX" if self.cedex else "") if p)
        parts = [self.place, first or self.lieu_dit, self.lieu_dit if first else "", self.po_box, town]
        return ", ".join(p for p in parts if p)


FIELDS: tuple[str, ...] = tuple(f.name for f in fields(ParsedAddress))


def _words(segment: str) -> list[str]:
    return fold(segment.replace("'", " ")).split()


def _leading_number(segment: str) -> tuple[str, str, str]:
    """(number, rep, rest) when ``segment`` starts with a house number, else ("", "", segment)."""
    m = _NUMBER.match(segment)
    if not m:
        return "", "", segment
    number, rest, rep = str(int(m.group(1))), segment[m.end() :], ""
    r = _REP_WORD.match(rest)
    if r:
        rep, rest = _REPS[r.group(1).upper()], rest[r.end() :]
    else:
        r = _REP_ATTACHED.match(rest) or _REP_SPACED.match(rest)
        if r and not (r.re is _REP_SPACED and r.group(1).upper() == "R"):  # « 12 R Jaurès »: R = rue
            rep, rest = r.group(1).lower(), rest[r.end() :]
    return number, rep, rest.strip(" ,.")


def _trailing_number(segment: str) -> tuple[str, str, str]:
    """(number, rep, street) for « Rue Jean Jaurès 12 » / « Rue Jean Jaurès 12 bis »."""
    m = re.match(r"^(.*?\S)\s+(?:n°\s*)?(\d{1,4})\s*(bis|ter|quater|quinquies|[A-Za-z])?\.?$", segment, re.IGNORECASE)
    if not m:
        return "", "", segment
    words = _words(m.group(1))
    if len(words) < 2 or words[0] not in STREET_TYPES or words[-1] in _NAME_NUMBER_WORDS:
        return "", "", segment
    rep = m.group(3) or ""
    rep = _REPS.get(rep.upper(), rep.lower())
    return str(int(m.group(2))), rep, m.group(1).strip(" ,")


def _street_type(segment: str) -> str:
    """Canonical type of a street segment (« Grande Rue » -> « rue »), "" when none."""
    words = _words(segment)
    if not words:
        return ""
    if words[0] in STREET_TYPES and not (len(words) == 1 and len(words[0]) <= 2):
        return STREET_TYPES[words[0]]
    if len(words) > 1 and words[0] in {"GRANDE", "GRAND", "PETITE", "PETIT", "VIEILLE", "VIEUX", "HAUTE",
                                       "BASSE", "NOUVELLE", "ANCIENNE", "VIEIL"} and words[1] in STREET_TYPES:  # fmt: skip
        return STREET_TYPES[words[1]]
    return ""


def _segment_kind(segment: str) -> str:
    """« number », « street », « lieu_dit », « place » or « other »."""
    if re.fullmatch(r"(?:n°\s*)?\d{1,4}(?:\s*[-/]\s*\d{1,4})?\s*(?:bis|ter|quater|quinquies|[A-Za-z])?\.?", segment,
                    re.IGNORECASE):  # fmt: skip
        return "number"
    words = _words(segment)
    if not words:
        return ""
    first = next((w for w in words if w not in ARTICLES), words[0])
    if words[0] in _COMPLEMENT_WORDS:
        return "complement"
    if words[0] in _LIEU_DIT_WORDS and not _street_type(segment):
        return "lieu_dit"
    if first in _PLACE_WORDS or (words[0] in _PLACE_WORDS and not _street_type(segment)):
        return "place"
    if _street_type(segment) or _street_type(_leading_number(segment)[2]):
        return "street"
    if _NUMBER.match(segment) and _leading_number(segment)[2]:
        return "street"  # « 15 Winston Churchill »: a number, then a name without type
    return "other"


def _split_street(segment: str) -> tuple[str, str, str, str]:
    """(number, rep, street, complement) of a street segment."""
    number, rep, rest = _leading_number(segment)
    cut = _COMPLEMENT_CUT.search(" " + rest)
    complement = ""
    if cut and cut.start() > 0:
        complement = (" " + rest)[cut.start() :].strip()
        rest = (" " + rest)[: cut.start()].strip()
    if not number:
        number, rep, rest = _trailing_number(rest)
    return number, rep, rest.strip(" ,.-"), complement


def _strip_town(text: str) -> tuple[str, str, str, bool]:
    """Remove « 59000 Lille [CEDEX] » from the end: (text, postcode, commune, cedex)."""
    cedex = bool(_CEDEX.search(text))
    text = _CEDEX.sub(" ", text).strip(" ,;-")
    m = _TRAILING_PLACE.search(text)
    if not m:
        return text, "", "", cedex
    return text[: m.start()].strip(" ,;-"), m.group(1), (m.group(2) or "").strip(" ,;-"), cedex


def _assign(parts: dict[str, str], segments: list[str]) -> None:
    """Fill ``parts`` from the segments of one text (first street wins; the rest is kept)."""
    kinds = [_segment_kind(s) for s in segments]
    pending_number: tuple[str, str] | None = None
    for i, (seg, kind) in enumerate(zip(segments, kinds, strict=True)):
        if kind == "number":
            num, rep, _ = _leading_number(seg)
            if parts["street"] and not parts["number"] and kinds[i - 1] == "street":
                parts["number"], parts["rep"] = num, rep  # « Rue Jean Jaurès, 12 »
            elif not parts["street"]:
                pending_number = (num, rep)
            else:
                _add(parts, "complement", seg)
        elif kind == "street" and not parts["street"]:
            number, rep, street, complement = _split_street(seg)
            if not number and pending_number:
                number, rep = pending_number
            parts.update(number=number, rep=rep, street=street, street_type=_street_type(street))
            _add(parts, "complement", complement)
        elif kind == "complement":
            _add(parts, "complement", seg)
        elif kind in ("lieu_dit", "place") and not parts[kind]:
            parts[kind] = _clean_lieu_dit(seg) if kind == "lieu_dit" else seg
        elif kind:
            _add(parts, "other", seg)


def _clean_lieu_dit(text: str) -> str:
    return re.sub(r"^(?:lieu[-\s]?dit|lieudit|l\.?\s?d\.?)\s+", "", text, flags=re.IGNORECASE).strip()


def _add(parts: dict[str, str], key: str, value: str) -> None:
    if value:
        parts[key] = f"{parts[key]}, {value}" if parts.get(key) else value


def parse_address(
    text: object = "",
    *,
    number: object = "",
    rep: object = "",
    street: object = "",
    complement: object = "",
    postcode: object = "",
    commune: object = "",
) -> ParsedAddress:
    """Split an address into its parts.

    Parameters
    ----------
    text : str
        The address in one cell (« 12bis, rue J. Jaurès, 59000 Lille »); may be empty when the
        registry has split columns.
    number, rep, street : str, optional
        Split columns (« N° rue », « Bis », « Nom de rue »): they are read together with ``text``,
        in this order, so that « 78 rue » + « EMILE DEBRIE » gives number 78, « rue EMILE DEBRIE ».
    complement : str, optional
        « Complément d'adresse »: building, PO box, lieu-dit (a street is taken from it only when
        the main text has none).
    postcode, commune : str, optional
        Postal code and commune columns; they win over a town found at the end of ``text``.

    Returns
    -------
    ParsedAddress
    """
    rep = rep if text_or_empty(number) else ""  # an index without a number means nothing
    main = " ".join(text_or_empty(v) for v in (number, rep, street, text) if text_or_empty(v))
    main = re.sub(r"\s+", " ", main.translate(_APOSTROPHES))
    extra = re.sub(r"\s+", " ", text_or_empty(complement).translate(_APOSTROPHES))
    parts: dict[str, str] = dict.fromkeys(("number", "rep", "street_type", "street", "lieu_dit", "place",
                                           "complement", "po_box", "other"), "")  # fmt: skip
    boxes = [f"{_box_name(m.group(1))} {m.group(2)}" for m in _PO_BOX.finditer(main + " " + extra)]
    parts["po_box"] = ", ".join(dict.fromkeys(boxes))
    main, extra = _PO_BOX.sub(" ", main).strip(" ,;-"), _PO_BOX.sub(" ", extra).strip(" ,;-")
    main, pc, town, cedex = _strip_town(main)
    _assign(parts, [s.strip() for s in _SEGMENT_SPLIT.split(main) if s and s.strip(" ,;-")])
    if extra:
        extra_parts = dict.fromkeys(parts, "")
        _assign(extra_parts, [s.strip() for s in _SEGMENT_SPLIT.split(extra) if s and s.strip(" ,;-")])
        _merge_complement(parts, extra_parts)
    _place_others(parts)
    town_given = text_or_empty(commune)
    cedex = cedex or bool(_CEDEX.search(town_given))
    town_given = _CEDEX.sub(" ", town_given).strip(" ,;-")
    pc_given = re.sub(r"\D", "", text_or_empty(postcode))
    pc_given = pc_given.zfill(5) if 4 <= len(pc_given) <= 5 else ""
    return ParsedAddress(
        number=parts["number"], rep=parts["rep"], street_type=parts["street_type"], street=parts["street"],
        lieu_dit=parts["lieu_dit"], place=parts["place"], complement=parts["complement"], po_box=parts["po_box"],
        postcode=pc_given or pc, commune=re.sub(r"\s+", " ", town_given or town), cedex=cedex,
    )  # fmt: skip


def _box_name(raw: str) -> str:
    key = fold(raw).replace(" ", "")
    return {"BP": "BP", "CS": "CS", "TSA": "TSA"}.get(key, "BP")


def _merge_complement(parts: dict[str, str], extra: dict[str, str]) -> None:
    """Fold the parts read from the complement column into the main ones."""
    if not parts["street"] and extra["street"]:
        for key in ("number", "rep", "street", "street_type"):
            parts[key] = extra[key]
    elif extra["street"]:
        _add(parts, "complement", " ".join(p for p in (extra["number"], extra["rep"], extra["street"]) if p))
    for key in ("lieu_dit", "place"):
        if extra[key] and not parts[key]:
            parts[key] = extra[key]
        elif extra[key]:
            _add(parts, "complement", extra[key])
    _add(parts, "complement", extra["complement"])
    _add(parts, "other", extra["other"])


def _place_others(parts: dict[str, str]) -> None:
    """Unclassified text: a place name when nothing else locates the row, else a complement."""
    other = parts.pop("other")
    if not other:
        return
    if not parts["street"] and not parts["lieu_dit"]:
        first, _, rest = other.partition(", ")
        parts["lieu_dit"] = first
        _add(parts, "complement", rest)
    else:
        _add(parts, "complement", other)


def parse_addresses(
    frame: pd.DataFrame,
    *,
    address: str | None = "address",
    number: str | None = None,
    rep: str | None = None,
    street: str | None = None,
    complement: str | None = None,
    postcode: str | None = "postcode",
    commune: str | None = "commune",
) -> pd.DataFrame:
    """Parse the address columns of a table (one parse per distinct combination of cells).

    Parameters
    ----------
    frame : pandas.DataFrame
        The registry rows.
    address, number, rep, street, complement, postcode, commune : str or None
        Column names (missing columns and ``None`` are read as empty); see :func:`parse_address`.

    Returns
    -------
    pandas.DataFrame
        Same index; one column per :class:`ParsedAddress` field plus ``street_key``.
    """
    names = {"text": address, "number": number, "rep": rep, "street": street, "complement": complement,
             "postcode": postcode, "commune": commune}  # fmt: skip
    cols = {k: (frame[c].map(text_or_empty).tolist() if c and c in frame else [""] * len(frame))
            for k, c in names.items()}  # fmt: skip
    cache: dict[tuple[str, ...], dict] = {}
    rows = []
    for values in zip(*cols.values(), strict=True):
        if values not in cache:
            parsed = parse_address(**dict(zip(cols, values, strict=True)))
            cache[values] = {**{f: getattr(parsed, f) for f in FIELDS}, "street_key": parsed.street_key}
        rows.append(cache[values])
    out = pd.DataFrame(rows, index=frame.index, columns=[*FIELDS, "street_key"])
    out["cedex"] = out["cedex"].astype(bool)
    return out
