"""Registry values read by meaning, not by exact slug: types of actors, networks, services,
conditions of access and mode.

People write « lieu de distribution », « Restos du Cœur de Lens », « CCAS de Béthune » or
« epicrie solidaire » where atlas keeps ``distribution``, ``restos-du-coeur``, ``ccas`` and
``epicerie``. A value is read in four steps:

1. **exact**: its slug is a known value or alias (:data:`atlas.registry.schema.KIND_ALIASES`...);
   nothing is said;
2. **phrase**: once normalised (case, accents, ``œ``, articles and plurals dropped), it is one
   of the known phrases in French or English (:data:`KIND_PHRASES`...), or contains one (the
   longest wins: « restaurant du cœur » before « restaurant »);
3. **typo**: its words are corrected to the closest word of the phrases (``rapidfuzz``, at least
   :data:`FUZZY_CUTOFF` out of 100 for words of five letters or more), then step 2 again;
4. otherwise it is **unknown**, and the closest known values are proposed.

A value understood at steps 2 or 3 is accepted with a warning saying what atlas understood
(« type d'acteur “lieu de distribution” compris comme distribution alimentaire »), so that a
wrong guess is seen and can be corrected in the file, or fixed once for all in a ``--mapping``
file (``value_maps``). The same tables are documented in French in ``data/raw/README.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from atlas.registry import schema
from atlas.text import fold

#: Least similarity (0-100, ``rapidfuzz.fuzz.ratio``) for a misspelt word to be read as a known one.
FUZZY_CUTOFF = 85.0
#: Least similarity (``rapidfuzz.fuzz.WRatio``) for a known value to be proposed for an unknown one.
CLOSE_CUTOFF = 50.0
#: Words shorter than this are never corrected (too many short words look alike).
FUZZY_MIN_LENGTH = 5

#: Words dropped before matching: French and English articles, prepositions and conjunctions.
STOP_WORDS: frozenset[str] = frozenset({
    "le", "la", "les", "l", "un", "une", "des", "du", "de", "d", "au", "aux", "a", "en", "et", "ou", "sur",
    "pour", "par", "avec", "the", "an", "of", "and", "for", "on", "by", "with",
})

_APOSTROPHES = str.maketrans({"’": "'"})


def _singular(word: str) -> str:
    """A crude singular, the same on both sides of a comparison: « colis » -> « coli »."""
    if len(word) <= 3 or word.endswith("ss"):
        return word
    if word.endswith("aux"):
        return word[:-3] + "al"
    if word.endswith(("s", "x")):
        return word[:-1]
    return word


def words(text: object) -> tuple[str, ...]:
    """Normalised words of ``text``: lower-case ASCII, no articles, singular.

    Examples
    --------
    >>> words("Les Restos du Cœur")
    ('resto', 'coeur')
    """
    s = fold(str(text).translate(_APOSTROPHES)).lower()
    return tuple(_singular(w) for w in re.split(r"[^a-z0-9]+", s) if w and w not in STOP_WORDS)


@dataclass(frozen=True)
class Reading:
    """How a value was read.

    Attributes
    ----------
    value : str or None
        The canonical value; ``""`` for an empty cell; ``None`` when unknown.
    how : str
        ``"empty"``, ``"exact"``, ``"phrase"`` (a known phrase, or a value containing one),
        ``"typo"`` (after correcting misspelt words) or ``"unknown"``.
    close : tuple of str
        For an unknown value, the closest canonical values (best first).
    """

    value: str | None
    how: str
    close: tuple[str, ...] = ()

    @property
    def guessed(self) -> bool:
        """True when the value was understood without being written exactly (a warning is due)."""
        return self.how in ("phrase", "typo")


@dataclass
class Vocabulary:
    """The values of one field: canonical values, their French labels, exact aliases, phrases.

    Parameters
    ----------
    field_fr : str
        What the field is, in French (« type d'acteur »).
    labels : dict
        Canonical value -> French label.
    aliases : dict
        Slug (:func:`atlas.registry.schema.slug`) -> canonical value; matched exactly, silently, as are
        the canonical values themselves.
    phrases : dict
        Phrase as people write it (French or English) -> canonical value; matched on normalised
        words, also inside a longer value, with a warning.
    """

    field_fr: str
    labels: dict[str, str]
    aliases: dict[str, str]
    phrases: dict[str, str]
    _whole: dict[tuple[str, ...], str] = field(init=False, repr=False)
    _inside: dict[tuple[str, ...], str] = field(init=False, repr=False)
    _exact: dict[str, str] = field(init=False, repr=False)
    _lexicon: list[str] = field(init=False, repr=False)
    _choices: dict[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        inside: dict[tuple[str, ...], str] = {}
        whole: dict[tuple[str, ...], str] = {}
        # phrases and labels are read inside longer values too; aliases of one word only as the whole
        # value (« centre » alone is a distribution centre, « centre hospitalier » is not)
        sources = [(self.phrases.items(), True), (((lab, c) for c, lab in self.labels.items()), True),
                   (((k.replace("-", " "), v) for k, v in self.aliases.items()), False),
                   (((c.replace("_", " "), c) for c in self.labels), False)]
        for pairs, anywhere in sources:
            for text, canon in pairs:
                key = words(text)
                if not key:
                    continue
                whole.setdefault(key, canon)  # the first reading wins: phrases, then labels, then aliases
                if anywhere or len(key) > 1:
                    inside.setdefault(key, canon)
        self._whole, self._inside = whole, inside
        # the canonical values themselves are exact too (« chambre-agriculture », « social_centre »)
        self._exact = {**{schema.slug(c): c for c in self.labels}, **self.aliases}
        self._lexicon = sorted({w for key in whole for w in key if len(w) >= FUZZY_MIN_LENGTH - 1})
        self._choices = {" ".join(key): canon for key, canon in whole.items()}

    # ------------------------------------------------------------------ reading
    def read(self, text: object) -> Reading:
        """Read one value (see the module's documentation for the steps)."""
        raw = str(text).strip()
        if not raw:
            return Reading("", "empty")
        exact = self._exact.get(schema.slug(raw))
        if exact is not None:
            return Reading(exact, "exact")
        key = words(raw)
        found = self._find(key)
        if found is not None:
            return Reading(found, "phrase")
        fixed = self._correct(key)
        if fixed != key:
            found = self._find(fixed)
            if found is not None:
                return Reading(found, "typo")
        return Reading(None, "unknown", self.closest(raw))

    def _find(self, key: tuple[str, ...]) -> str | None:
        """The value of the phrase ``key`` is, else of the longest phrase it contains (first wins a tie)."""
        if not key:
            return None
        if key in self._whole:
            return self._whole[key]
        best: tuple[int, int, str] | None = None  # (-length, position, value)
        for n in range(min(len(key), 6), 0, -1):
            for i in range(len(key) - n + 1):
                canon = self._inside.get(key[i:i + n])
                if canon is not None and (best is None or (-n, i) < best[:2]):
                    best = (-n, i, canon)
            if best is not None:
                return best[2]
        return None

    def _correct(self, key: tuple[str, ...]) -> tuple[str, ...]:
        """Each word of five letters or more replaced by the closest word of the phrases, if close enough."""
        out = []
        for w in key:
            if len(w) >= FUZZY_MIN_LENGTH and w not in self._lexicon:
                hit = process.extractOne(w, self._lexicon, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
                out.append(hit[0] if hit else w)
            else:
                out.append(w)
        return tuple(out)

    def closest(self, text: object, limit: int = 3) -> tuple[str, ...]:
        """The canonical values whose phrases look most like ``text`` (best first)."""
        query = " ".join(words(text)) or str(text).casefold()
        hits = process.extract(query, list(self._choices), scorer=fuzz.WRatio, limit=30, score_cutoff=CLOSE_CUTOFF)
        out: list[str] = []
        for choice, _, _ in hits:
            canon = self._choices[choice]
            if canon not in out:
                out.append(canon)
            if len(out) == limit:
                break
        return tuple(out)

    # ------------------------------------------------------------------ French wording
    def label(self, value: str) -> str:
        """The French label of a canonical value, as inside a sentence (« distribution alimentaire »)."""
        label = self.labels.get(value, value)
        return label[:1].lower() + label[1:] if label[1:2].islower() else label

    def understood(self, given: str, reading: Reading) -> str:
        """« type d'acteur “lieu de distribution” compris comme distribution alimentaire »."""
        return f"{self.field_fr} “{given.strip()}” compris comme {self.label(str(reading.value))}"

    def unknown(self, given: str, reading: Reading, *, listing: bool = True) -> str:
        """« type d'acteur inconnu : « Boulangerie » (les plus proches : … ; attendu : …) »."""
        parts = []
        if reading.close:
            parts.append("les plus proches : " + ", ".join(f"{c} ({self.label(c)})" for c in reading.close))
        if listing:
            parts.append(f"attendu : {', '.join(self.labels)}")
        detail = f" ({' ; '.join(parts)})" if parts else ""
        return f"{self.field_fr} inconnu : « {given.strip()} »{detail}"


def split_list(value: str, separators: str = ",|;/+") -> list[str]:
    """The parts of a list written in one cell (« colis, épicerie / repas »), stripped, non-empty."""
    return [p.strip() for p in re.split(f"[{re.escape(separators)}]", str(value)) if p.strip()]


def read_list(vocabulary: Vocabulary, value: str, separators: str = ",|;/+") -> list[tuple[str, Reading]]:
    """Each part of a list cell with its reading."""
    return [(part, vocabulary.read(part)) for part in split_list(value, separators)]


# --------------------------------------------------------------------------------------------
# The phrases people write (matched on normalised words; see data/raw/README.md)
# --------------------------------------------------------------------------------------------

#: Types of actors as people write them, in French and English.
KIND_PHRASES: dict[str, str] = {
    # food aid: parcels
    "distribution": "distribution", "distribution alimentaire": "distribution", "aide alimentaire": "distribution",
    "lieu de distribution": "distribution", "point de distribution": "distribution",
    "centre de distribution": "distribution", "distribution de colis": "distribution", "colis": "distribution",
    "colis alimentaires": "distribution", "point relais": "distribution", "relais alimentaire": "distribution",
    "banque alimentaire locale": "distribution", "restaurant du cœur": "distribution",
    "restaurants du cœur": "distribution", "restos du cœur": "distribution", "resto du cœur": "distribution",
    "frigo solidaire": "distribution", "bons alimentaires": "distribution", "chèques alimentaires": "distribution",
    "food bank": "distribution", "food pantry": "distribution", "food parcels": "distribution",
    "food distribution": "distribution", "food aid": "distribution",
    # food aid: shops
    "épicerie": "epicerie", "épicerie solidaire": "epicerie", "épicerie sociale": "epicerie",
    "épicerie sociale et solidaire": "epicerie", "épicerie mobile": "epicerie", "supermarché solidaire": "epicerie",
    "magasin solidaire": "epicerie", "social grocery": "epicerie", "social supermarket": "epicerie",
    # food aid: meals
    "repas": "meal", "restaurant": "meal", "restaurant solidaire": "meal", "restaurant social": "meal",
    "restauration sociale": "meal", "resto": "meal", "cantine solidaire": "meal", "maraude": "meal",
    "samu social": "meal", "accueil de jour": "meal", "petits déjeuners": "meal", "soup kitchen": "meal",
    "community kitchen": "meal", "meals": "meal",
    # producers
    "producteur": "producer", "producteur bio": "producer", "agriculteur": "producer", "agricultrice": "producer",
    "ferme": "producer", "exploitation agricole": "producer", "maraîcher": "producer", "éleveur": "producer",
    "AMAP": "producer", "jardin partagé": "producer", "jardins familiaux": "producer", "jardin solidaire": "producer",
    "jardin de cocagne": "producer", "jardin d'insertion": "producer", "coopérative agricole": "producer",
    "magasin de producteurs": "producer", "vente directe": "producer", "farm": "producer", "farmer": "producer",
    "grower": "producer",
    # social action of communes
    "CCAS": "ccas", "CIAS": "ccas", "centre communal d'action sociale": "ccas",
    "centre intercommunal d'action sociale": "ccas",
    "centre social": "social_centre", "centre socioculturel": "social_centre", "centre socio culturel": "social_centre",
    "maison de quartier": "social_centre", "espace de vie sociale": "social_centre",
    "community centre": "social_centre", "community center": "social_centre",
    # others
    "association": "association", "charity": "association", "non profit": "association", "ONG": "association",
    "NGO": "association",
    "collectivité": "collectivity", "mairie": "collectivity", "communauté de communes": "collectivity",
    "communauté d'agglomération": "collectivity", "communauté urbaine": "collectivity",
    "métropole": "collectivity", "conseil départemental": "collectivity", "conseil régional": "collectivity",
    "projet alimentaire territorial": "collectivity", "municipality": "collectivity",
    "local authority": "collectivity", "city council": "collectivity", "préfecture": "collectivity",
    "chambre d'agriculture": "chamber", "chambre de commerce": "chamber", "chambre des métiers": "chamber",
    "chambre consulaire": "chamber", "chamber of agriculture": "chamber", "chamber of commerce": "chamber",
    "tête de réseau": "network", "fédération": "network", "union départementale": "network",
    "banque alimentaire": "logistics", "banques alimentaires": "logistics", "entrepôt": "logistics",
    "plateforme logistique": "logistics", "logistique": "logistics", "warehouse": "logistics",
    "supermarché": "other", "hypermarché": "other", "grande surface": "other", "grande distribution": "other",
    "supermarket": "other", "bureau d'études": "other",
}  # fmt: skip

#: National networks as people write them (a branch's name contains its network's).
NETWORK_PHRASES: dict[str, str] = {
    "restos du cœur": "restos-du-coeur", "restaurants du cœur": "restos-du-coeur",
    "restaurant du cœur": "restos-du-coeur", "resto du cœur": "restos-du-coeur",
    "secours populaire": "secours-populaire", "SPF": "secours-populaire",
    "croix rouge": "croix-rouge", "croix-rouge française": "croix-rouge", "red cross": "croix-rouge",
    "banque alimentaire": "banque-alimentaire", "banques alimentaires": "banque-alimentaire",
    "ANDES": "andes", "épiceries solidaires ANDES": "andes", "SOLAAL": "solaal",
    "secours catholique": "secours-catholique", "caritas": "secours-catholique", "emmaüs": "emmaus",
    "saint vincent de paul": "saint-vincent-de-paul", "SSVP": "saint-vincent-de-paul",
    "armée du salut": "armee-du-salut", "salvation army": "armee-du-salut",
    "chambre d'agriculture": "chambre-agriculture", "GESRA": "epiceries-gep",
}  # fmt: skip

#: Services as people write them.
SERVICE_PHRASES: dict[str, str] = {
    "colis": "colis", "colis alimentaires": "colis", "distribution de colis": "colis",
    "distribution alimentaire": "colis", "aide alimentaire": "colis", "food parcels": "colis",
    "épicerie": "epicerie", "épicerie solidaire": "epicerie", "épicerie sociale": "epicerie",
    "repas": "repas", "repas chauds": "repas", "repas sur place": "repas", "restaurant": "repas", "meals": "repas",
    "douche": "douches", "douches": "douches", "showers": "douches",
    "vestiaire": "vestiaire", "vêtements": "vestiaire", "habits": "vestiaire", "clothes": "vestiaire",
    "accompagnement": "accompagnement", "accompagnement social": "accompagnement",
    "aide administrative": "accompagnement", "écoute": "accompagnement", "social support": "accompagnement",
    "ateliers": "ateliers", "ateliers cuisine": "ateliers", "atelier cuisine": "ateliers",
    "cooking workshops": "ateliers",
    "fruits et légumes": "fruits-legumes", "fruits légumes": "fruits-legumes", "légumes": "fruits-legumes",
    "fruits": "fruits-legumes", "fresh produce": "fruits-legumes",
    "domiciliation": "domiciliation", "maraude": "maraude", "maraudes": "maraude",
    "petits déjeuners": "petits-dejeuners", "petit déjeuner": "petits-dejeuners", "breakfast": "petits-dejeuners",
    "bébé": "bebe", "produits pour bébé": "bebe", "puériculture": "bebe", "baby": "bebe",
    "hygiène": "hygiene", "produits d'hygiène": "hygiene", "kit hygiène": "hygiene",
    "jardin": "jardin", "jardin partagé": "jardin", "livraison": "livraison", "livraison à domicile": "livraison",
    "portage": "livraison", "portage de repas": "livraison",
    "chèques alimentaires": "cheques", "bons alimentaires": "cheques", "frigo solidaire": "frigo-solidaire",
    "accueil de jour": "accueil-de-jour",
}  # fmt: skip

#: Conditions of access as people write them.
ACCESS_PHRASES: dict[str, str] = {
    "accès libre": "unconditional", "libre": "unconditional", "sans condition": "unconditional",
    "inconditionnel": "unconditional", "ouvert à tous": "unconditional", "accueil inconditionnel": "unconditional",
    "open to all": "unconditional",
    "orientation": "referral", "sur orientation": "referral", "travailleur social": "referral",
    "assistante sociale": "referral", "prescription": "referral", "orienté par": "referral",
    "inscription": "registration", "sur inscription": "registration", "dossier": "registration",
    "rendez-vous": "appointment", "sur rendez-vous": "appointment", "RDV": "appointment",
}  # fmt: skip

#: Fixed place or mobile distribution, as people write it.
MODE_PHRASES: dict[str, str] = {
    "fixe": "fixed", "lieu fixe": "fixed", "itinérant": "mobile", "itinérante": "mobile", "mobile": "mobile",
    "camion": "mobile", "bus": "mobile", "tournée": "mobile", "épicerie mobile": "mobile",
}  # fmt: skip

KINDS = Vocabulary("type d'acteur", schema.KIND_LABELS, schema.KIND_ALIASES, KIND_PHRASES)
NETWORKS = Vocabulary("réseau", schema.NETWORK_LABELS, schema.NETWORK_ALIASES, NETWORK_PHRASES)
SERVICES = Vocabulary("service", schema.SERVICE_LABELS, {k: k for k in schema.SERVICE_LABELS}, SERVICE_PHRASES)
ACCESS = Vocabulary("conditions d'accès", schema.ACCESS_LABELS, schema.ACCESS_ALIASES, ACCESS_PHRASES)
MODES = Vocabulary("mode (fixe/mobile)", schema.MODE_LABELS, schema.MODE_ALIASES, MODE_PHRASES)


def vocabulary_rows(vocabulary: Vocabulary) -> list[tuple[str, str, list[str]]]:
    """(canonical value, French label, phrases read as it) for documentation tables."""
    by_value: dict[str, list[str]] = {v: [] for v in vocabulary.labels}
    for phrase, canon in vocabulary.phrases.items():
        by_value.setdefault(canon, []).append(phrase)
    return [(v, vocabulary.labels.get(v, v), phrases) for v, phrases in by_value.items()]
