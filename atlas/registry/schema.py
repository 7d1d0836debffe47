"""The actor registry schema: canonical columns, vocabularies, French labels and header aliases.

Column names are aligned with the French *data·inclusion* schema (structures and services:
``nom``, ``typologie``, ``reseaux_porteurs``, ``horaires_accueil``, ``code_insee``...) and with
Soliguide's place model, so that exports from those systems load through :data:`HEADER_ALIASES`
without hand work. Internally atlas uses the English canonical names of :data:`ACTOR_COLUMNS`.

The row-level structure (types, vocabularies, patterns) is a JSON Schema (:data:`ACTOR_SCHEMA`)
checked with the ``jsonschema`` library; geographic checks (territory, INSEE codes) are done by
:mod:`atlas.registry.actors` against the reference territory.
"""

from __future__ import annotations

import re

from atlas.text import fold

#: Canonical columns of an actor registry, in file order.
ACTOR_COLUMNS: tuple[str, ...] = (
    "id", "name", "kind", "network", "address", "postcode", "commune", "insee", "lon", "lat",
    "precision", "opening_hours", "services", "public", "phone", "email", "website", "mode",
    "route", "access", "price", "closures", "source", "updated", "world", "status", "visibility",
)  # fmt: skip

#: Kinds of actors, with the French label shown to people.
KIND_LABELS: dict[str, str] = {
    "distribution": "Distribution alimentaire",
    "epicerie": "Épicerie solidaire ou sociale",
    "meal": "Repas (restaurant social)",
    "producer": "Producteur",
    "ccas": "CCAS / CIAS",
    "social_centre": "Centre social",
    "association": "Association",
    "collectivity": "Collectivité / PAT",
    "chamber": "Chambre consulaire",
    "network": "Tête de réseau",
    "logistics": "Entrepôt / plateforme logistique",
    "other": "Autre acteur",
}

#: Kinds that are places where people receive food aid.
AID_KINDS: tuple[str, ...] = ("distribution", "epicerie", "meal")

#: World of each kind by default (PAT world, food-aid world, or both).
KIND_WORLD: dict[str, str] = {
    "distribution": "aid", "epicerie": "aid", "meal": "aid", "producer": "pat", "ccas": "aid",
    "social_centre": "aid", "association": "aid", "collectivity": "pat", "chamber": "pat",
    "network": "aid", "logistics": "aid", "other": "pat",
}  # fmt: skip

WORLD_LABELS: dict[str, str] = {
    "pat": "Monde du PAT",
    "aid": "Aide alimentaire",
    "both": "Les deux mondes",
}

#: National networks (slugs as data·inclusion's ``reseaux_porteurs``), with French labels.
NETWORK_LABELS: dict[str, str] = {
    "restos-du-coeur": "Restos du Cœur",
    "secours-populaire": "Secours populaire",
    "croix-rouge": "Croix-Rouge française",
    "banque-alimentaire": "Banque alimentaire",
    "andes": "ANDES (épiceries solidaires)",
    "solaal": "SOLAAL",
    "secours-catholique": "Secours catholique",
    "emmaus": "Emmaüs",
    "saint-vincent-de-paul": "Société de Saint-Vincent-de-Paul",
    "armee-du-salut": "Armée du Salut",
    "epiceries-gep": "Épiceries solidaires (GESRA / réseau local)",
    "chambre-agriculture": "Chambre d'agriculture",
}

#: Local branches of these networks are counted by the AMI indicator « participation des
#: antennes locales des réseaux nationaux ».
NATIONAL_AID_NETWORKS: tuple[str, ...] = (
    "restos-du-coeur", "secours-populaire", "croix-rouge", "banque-alimentaire", "andes",
)  # fmt: skip

SERVICE_LABELS: dict[str, str] = {
    "colis": "colis alimentaires",
    "epicerie": "épicerie",
    "repas": "repas",
    "douches": "douches",
    "vestiaire": "vestiaire",
    "accompagnement": "accompagnement social",
    "ateliers": "ateliers cuisine",
    "fruits-legumes": "fruits et légumes",
    "domiciliation": "domiciliation",
    "maraude": "maraude",
    "petits-dejeuners": "petits-déjeuners",
    "bebe": "produits pour bébé",
    "hygiene": "produits d'hygiène",
    "jardin": "jardin partagé",
    "livraison": "livraison à domicile",
    "cheques": "chèques ou bons alimentaires",
    "frigo-solidaire": "frigo solidaire",
    "accueil-de-jour": "accueil de jour",
}

ACCESS_LABELS: dict[str, str] = {
    "unconditional": "accès libre",
    "referral": "sur orientation d'un travailleur social",
    "registration": "sur inscription",
    "appointment": "sur rendez-vous",
}

#: How precisely a site is placed, with the French label shown to people. ``street`` and
#: ``locality`` come from geocoding with the Base Adresse Nationale (:mod:`atlas.registry.geocoding.rows`):
#: the street was found but not the number, or only a lieu-dit.
PRECISION_LABELS: dict[str, str] = {
    "address": "adresse",
    "street": "rue (numéro approché)",
    "locality": "lieu-dit",
    "commune": "commune (mairie)",
    "unknown": "adresse non localisée",
}

#: What the A3 table and the web popup add to the address of a site placed near its door.
PRECISION_NOTES: dict[str, str] = {
    "street": "adresse approchée (rue)",
    "locality": "adresse approchée (lieu-dit)",
}

#: Values of ``precision`` as people write them (slugged), mapped to the canonical precision
#: (the French words are those ``atlas geocode`` writes back).
PRECISION_ALIASES: dict[str, str] = {
    "address": "address", "adresse": "address", "housenumber": "address", "numero": "address",
    "street": "street", "voie": "street", "rue": "street", "rue-numero-approche": "street",
    "locality": "locality", "lieu-dit": "locality", "lieudit": "locality",
    "commune": "commune", "commune-mairie": "commune", "mairie": "commune", "municipality": "commune",
    "unknown": "unknown", "inconnue": "unknown", "inconnu": "unknown",
}  # fmt: skip

#: Columns added to the accepted actors by geocoding (empty when the row was not geocoded):
#: the street-name similarity (0-100), the BAN address used and why the row is not at its door.
GEOCODE_COLUMNS: tuple[str, ...] = ("geocode_score", "geocode_label", "geocode_reason")

MODE_LABELS: dict[str, str] = {"fixed": "lieu fixe", "mobile": "distribution itinérante"}

#: Status of a site (Soliguide's ``status``: ONLINE, DRAFT, OFFLINE, PERMANENTLY_CLOSED), with the
#: French word shown to people. Only ``open`` sites are on public maps and in coverage; see
#: :mod:`atlas.registry.publication` for the rule.
STATUS_LABELS: dict[str, str] = {
    "open": "ouvert",
    "draft": "brouillon",
    "offline": "hors ligne",
    "closed": "fermé définitivement",
}

#: Who may see a site (Soliguide's ``visibility``: ALL, PRO), with the French word shown to people.
VISIBILITY_LABELS: dict[str, str] = {
    "public": "public",
    "pro": "professionnels",
}


def slug(text: object) -> str:
    """Lower-case ASCII slug: « Épicerie solidaire » -> ``epicerie-solidaire``, « Cœur » -> ``coeur``."""
    s = fold(str(text)).lower()
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")


def header_key(text: object) -> str:
    """Normalised header: « Code postal » -> ``code_postal``, « N° rue » -> ``n_rue``."""
    return slug(text).replace("-", "_")


#: Accepted header names (normalised with :func:`header_key`) for each canonical column:
#: French headers as people type them in Excel, data·inclusion and Soliguide field names.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "identifiant", "code", "code_structure", "lieu_id", "str_numero", "code_u2a"),
    "name": ("name", "nom", "nom_de_la_structure", "structure", "libelle", "libelle_u2a",
             "nom_du_lieu", "raison_sociale"),
    "kind": ("kind", "type", "typologie", "categorie", "type_de_structure", "nature",
             "action_menee", "type_d_acteur"),
    "network": ("network", "reseau", "reseaux", "reseaux_porteurs", "reseau_national",
                "tete_de_reseau"),
    "address": ("address", "adresse", "adresse_postale", "position_address", "rue"),
    "postcode": ("postcode", "code_postal", "cp", "position_postal_code", "codepostal"),
    "commune": ("commune", "ville", "localite", "position_city", "nom_commune"),
    "insee": ("insee", "code_insee", "code_commune", "insee_com", "codgeo", "code_commune_insee",
              "position_city_code"),
    "lon": ("lon", "longitude", "lng", "coord_lng", "long", "position_location_coordinates_0"),
    "lat": ("lat", "latitude", "coord_lat", "position_location_coordinates_1"),
    "x": ("x", "x_l93", "x_lambert93", "coord_x", "xl93"),
    "y": ("y", "y_l93", "y_lambert93", "coord_y", "yl93"),
    "precision": ("precision", "precision_localisation", "geocodage"),
    "opening_hours": ("opening_hours", "horaires", "horaires_accueil", "horaires_ouverture",
                      "horaires_d_ouverture", "jours_et_horaires"),
    "services": ("services", "service", "prestations", "thematiques", "offre"),
    "public": ("public", "publics", "profils", "public_accueilli", "beneficiaires"),
    "phone": ("phone", "telephone", "tel", "numero_de_telephone"),
    "email": ("email", "courriel", "mail", "e_mail", "adresse_mail"),
    "website": ("website", "site_web", "site", "site_internet", "url"),
    "mode": ("mode", "fixe_ou_mobile", "itinerant", "mobile"),
    "route": ("route", "tournee", "camion", "parent", "structure_de_rattachement_id"),
    "access": ("access", "conditions_acces", "conditions_d_acces", "acces", "modalites_acces",
               "modes_accueil"),
    "price": ("price", "frais", "tarif", "participation", "prix"),
    "closures": ("closures", "fermetures", "fermeture", "fermetures_temporaires", "temp_closure"),
    "source": ("source", "origine", "lien_source"),
    "updated": ("updated", "date_maj", "date_de_mise_a_jour", "mise_a_jour", "updated_at"),
    "world": ("world", "monde",),
    "status": ("status", "statut", "statut_du_lieu", "statut_de_la_fiche", "etat"),
    "visibility": ("visibility", "visibilite", "visibilite_du_lieu", "diffusion"),
}  # fmt: skip

#: Values of ``kind`` as people write them (slugged), mapped to the canonical kind.
KIND_ALIASES: dict[str, str] = {
    # food aid
    "distribution": "distribution", "distribution-alimentaire": "distribution",
    "point-de-distribution": "distribution", "centre-de-distribution-alimentaire": "distribution",
    "centre-de-distribution": "distribution", "colis": "distribution", "aide-alimentaire": "distribution",
    "centre": "distribution", "antenne": "distribution", "banque-alimentaire-locale": "distribution",
    "epicerie": "epicerie", "epicerie-solidaire": "epicerie", "epicerie-sociale": "epicerie",
    "epi": "epicerie", "epicerie-sociale-et-solidaire": "epicerie",
    "meal": "meal", "repas": "meal", "restaurant-social": "meal", "restauration-sociale": "meal",
    "samu-social": "meal", "maraude": "meal",
    # PAT world and others
    "producer": "producer", "producteur": "producer", "agriculteur": "producer", "exploitation": "producer",
    "ferme": "producer", "ccas": "ccas", "cias": "ccas", "ccas-cias": "ccas",
    "social-centre": "social_centre", "centre-social": "social_centre", "cs": "social_centre",
    "association": "association", "asso": "association",
    "collectivity": "collectivity", "collectivite": "collectivity", "epci": "collectivity",
    "muni": "collectivity", "commune": "collectivity", "mairie": "collectivity",
    "departement": "collectivity", "dept": "collectivity", "region": "collectivity", "pat": "collectivity",
    "etat": "collectivity", "service-de-l-etat": "collectivity",
    "chamber": "chamber", "chambre": "chamber", "chambre-consulaire": "chamber",
    "chambre-d-agriculture": "chamber", "cci": "chamber", "cma": "chamber",
    "network": "network", "reseau": "network", "tete-de-reseau": "network", "federation": "network",
    "logistics": "logistics", "entrepot": "logistics", "plateforme-logistique": "logistics",
    "other": "other", "autre": "other",
}  # fmt: skip

NETWORK_ALIASES: dict[str, str] = {
    "restos-du-coeur": "restos-du-coeur", "restos": "restos-du-coeur", "restaurants-du-coeur": "restos-du-coeur",
    "les-restos-du-coeur": "restos-du-coeur", "les-restaurants-du-coeur": "restos-du-coeur",
    "secours-populaire": "secours-populaire", "secours-populaire-francais": "secours-populaire", "spf": "secours-populaire",
    "croix-rouge": "croix-rouge", "croix-rouge-francaise": "croix-rouge", "crf": "croix-rouge",
    "banque-alimentaire": "banque-alimentaire", "banques-alimentaires": "banque-alimentaire",
    "federation-francaise-des-banques-alimentaires": "banque-alimentaire", "ba": "banque-alimentaire",
    "andes": "andes", "solaal": "solaal", "secours-catholique": "secours-catholique",
    "emmaus": "emmaus", "saint-vincent-de-paul": "saint-vincent-de-paul", "armee-du-salut": "armee-du-salut",
}  # fmt: skip

ACCESS_ALIASES: dict[str, str] = {
    "unconditional": "unconditional", "libre": "unconditional", "acces-libre": "unconditional",
    "inconditionnel": "unconditional", "sans-condition": "unconditional", "accueil-libre": "unconditional",
    "referral": "referral", "orientation": "referral", "sur-orientation": "referral",
    "orientation-travailleur-social": "referral", "prescription": "referral",
    "sur-orientation-d-un-travailleur-social": "referral",
    "registration": "registration", "inscription": "registration", "sur-inscription": "registration",
    "appointment": "appointment", "rendez-vous": "appointment", "sur-rendez-vous": "appointment", "rdv": "appointment",
}  # fmt: skip

MODE_ALIASES: dict[str, str] = {
    "fixed": "fixed", "fixe": "fixed", "non": "fixed", "false": "fixed", "0": "fixed",
    "mobile": "mobile", "itinerant": "mobile", "camion": "mobile", "oui": "mobile", "true": "mobile",
    "1": "mobile",
}  # fmt: skip

#: Values of ``status`` as people write them (slugged), mapped to the canonical status. An empty
#: cell means ``open``; a value not listed here rejects the row (a typo must never put a closed
#: site on a map handed out to the public).
STATUS_ALIASES: dict[str, str] = {
    "open": "open", "ouvert": "open", "ouverte": "open", "online": "open", "en-ligne": "open",
    "actif": "open", "active": "open", "en-activite": "open", "en-service": "open", "publie": "open",
    "publiee": "open", "valide": "open", "validee": "open",
    "draft": "draft", "brouillon": "draft", "en-cours-de-saisie": "draft", "a-valider": "draft",
    "en-attente-de-validation": "draft", "non-publie": "draft", "non-publiee": "draft",
    "offline": "offline", "hors-ligne": "offline", "horsligne": "offline", "inactif": "offline",
    "inactive": "offline", "desactive": "offline", "desactivee": "offline", "suspendu": "offline",
    "suspendue": "offline", "masque": "offline", "masquee": "offline", "depublie": "offline",
    "depubliee": "offline",
    "closed": "closed", "permanently-closed": "closed", "ferme-definitivement": "closed",
    "fermee-definitivement": "closed", "definitivement-ferme": "closed", "definitivement-fermee": "closed",
    "ferme": "closed", "fermee": "closed", "ferme-definitif": "closed", "fermeture-definitive": "closed",
    "cesse": "closed", "cessation-d-activite": "closed", "n-existe-plus": "closed",
}  # fmt: skip

#: Values of ``visibility`` as people write them (slugged), mapped to the canonical visibility. An
#: empty cell means ``public``; a value not listed here rejects the row.
VISIBILITY_ALIASES: dict[str, str] = {
    "public": "public", "all": "public", "tous": "public", "tout-public": "public", "grand-public": "public",
    "tous-publics": "public", "publique": "public", "ouvert-a-tous": "public",
    "pro": "pro", "pros": "pro", "professionnel": "pro", "professionnels": "pro", "professionnelle": "pro",
    "professional": "pro", "professionals": "pro", "reserve-aux-professionnels": "pro",
    "reservee-aux-professionnels": "pro", "professionnels-uniquement": "pro",
    "usage-professionnel": "pro", "interne": "pro", "confidentiel": "pro", "restreint": "pro",
    "prive": "pro", "privee": "pro",
}  # fmt: skip

#: JSON Schema of one normalised actor row (strings after header and vocabulary mapping).
ACTOR_SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["id", "name", "kind"],
    "properties": {
        "id": {"type": "string", "minLength": 1},
        "name": {"type": "string", "minLength": 1},
        "kind": {"enum": list(KIND_LABELS)},
        "postcode": {"type": "string", "pattern": r"^(\d{5})?$"},
        "insee": {"type": "string", "pattern": r"^((\d{2}|2A|2B)\d{3})?$"},
        "precision": {"enum": ["", *PRECISION_LABELS]},
        "mode": {"enum": ["", *MODE_LABELS]},
        "access": {"enum": ["", *ACCESS_LABELS]},
        "world": {"enum": ["", *WORLD_LABELS]},
        "updated": {"type": "string", "pattern": r"^(\d{4}(-\d{2}(-\d{2})?)?)?$"},
        "status": {"enum": list(STATUS_LABELS)},
        "visibility": {"enum": list(VISIBILITY_LABELS)},
    },
}

#: French wording of schema failures, by field.
FIELD_LABELS_FR: dict[str, str] = {
    "id": "identifiant", "name": "nom", "kind": "type d'acteur", "postcode": "code postal",
    "insee": "code INSEE", "precision": "précision", "mode": "mode (fixe/mobile)",
    "access": "conditions d'accès", "world": "monde", "email": "courriel", "updated": "date de mise à jour",
    "status": "statut", "visibility": "visibilité",
}  # fmt: skip
