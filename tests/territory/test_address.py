"""Address parsing and street-name keys: tricky forms, and the real 2015 Secours populaire list."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from atlas import settings
from atlas.territory.geocoding.address import (
    ParsedAddress,
    best_street,
    best_streets,
    fold,
    name_score,
    parse_address,
    parse_addresses,
    rep_key,
    split_street_key,
    street_key,
)

P = ParsedAddress


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12bis, rue J. Jaurès", P(number="12", rep="bis", street_type="rue", street="rue J. Jaurès")),
        ("Rue Jean Jaurès 12", P(number="12", street_type="rue", street="Rue Jean Jaurès")),
        ("Rue Jean Jaurès, 12", P(number="12", street_type="rue", street="Rue Jean Jaurès")),
        ("Rue Jean Jaurès 12 ter", P(number="12", rep="ter", street_type="rue", street="Rue Jean Jaurès")),
        ("Place de la Mairie", P(street_type="place", street="Place de la Mairie")),
        ("ZA du Moulin", P(lieu_dit="ZA du Moulin")),
        ("Lieu-dit Le Hamel", P(lieu_dit="Le Hamel")),
        ("Salle des fêtes", P(place="Salle des fêtes")),
        ("BP 12", P(po_box="BP 12")),
        ("CS 30001 - 62000 ARRAS", P(po_box="CS 30001", postcode="62000", commune="ARRAS")),
        ("59000 Lille", P(postcode="59000", commune="Lille")),
        ("12 rue X, 59000 Lille", P(number="12", street_type="rue", street="rue X", postcode="59000", commune="Lille")),
        (
            "12 B rue Y, BP 528, 59007 LILLE CEDEX",
            P(
                number="12",
                rep="b",
                street_type="rue",
                street="rue Y",
                po_box="BP 528",
                postcode="59007",
                commune="LILLE",
                cedex=True,
            ),
        ),
        (
            "12 av. du Gal de Gaulle 62000 Arras cedex 9",
            P(
                number="12",
                street_type="avenue",
                street="av. du Gal de Gaulle",
                postcode="62000",
                commune="Arras",
                cedex=True,
            ),
        ),
        ("Mairie - Rue Jean Jaurès", P(street_type="rue", street="Rue Jean Jaurès", place="Mairie")),
        ("Grande Rue ex-école Lafontaine", P(street_type="rue", street="Grande Rue", complement="ex-école Lafontaine")),
        (
            "Rue Jean-Jacques Rousseau local n° 7",
            P(street_type="rue", street="Rue Jean-Jacques Rousseau", complement="local n° 7"),
        ),
        ("rue D'Aquitaine/mme FAUCHER", P(street_type="rue", street="rue D'Aquitaine", complement="mme FAUCHER")),
        ("15 Winston Churchill", P(number="15", street="Winston Churchill")),
        ("55/11 Chemin des Chaumières", P(number="55", street_type="chemin", street="Chemin des Chaumières")),
        ("18-20 Rue Cabanis", P(number="18", street_type="rue", street="Rue Cabanis")),
        ("04 Rue de l'Hopital", P(number="4", street_type="rue", street="Rue de l'Hopital")),
        ("49A rue Gabriel Péri", P(number="49", rep="a", street_type="rue", street="rue Gabriel Péri")),
        ("21 TER RUE BELLE VISEE", P(number="21", rep="ter", street_type="rue", street="RUE BELLE VISEE")),
        ("12 R Jaurès", P(number="12", street_type="rue", street="R Jaurès")),
        ("rue du 19 mars", P(street_type="rue", street="rue du 19 mars")),
        ("Place du 8 Mai 1945", P(street_type="place", street="Place du 8 Mai 1945")),
        ("Cité 12", P(street_type="cité", street="Cité 12")),
        ("Ile la Brosse et Dupont", P(lieu_dit="Ile la Brosse et Dupont")),
        ("3 Rue de l’Abbé Pierre", P(number="3", street_type="rue", street="Rue de l'Abbé Pierre")),
        ("", P()),
    ],
)
def test_parse_address_tricky_forms(text, expected):
    assert parse_address(text) == expected


def test_split_columns_and_complement():
    # the real Secours populaire columns: « N° rue » sometimes holds the street type
    got = parse_address(number="78 rue", street="EMILE DEBRIE", postcode="80450", commune="CAMON")
    assert got == P(number="78", street_type="rue", street="rue EMILE DEBRIE", postcode="80450", commune="CAMON")
    got = parse_address(
        number="10", street="Avenue Bouffon", complement="BP 528", postcode="2100", commune="ST QUENTIN"
    )
    assert (got.number, got.street, got.po_box, got.postcode) == ("10", "Avenue Bouffon", "BP 528", "02100")
    got = parse_address("", complement="Mairie Annexe", commune="Lapugnoy")
    assert (got.place, got.street, got.kind) == ("Mairie Annexe", "", "bâtiment")
    got = parse_address("", complement="Résidence Giono")  # the complement's street is used when there is none
    assert (got.street_type, got.street, got.kind) == ("résidence", "Résidence Giono", "voie")
    got = parse_address("7 Rue des Mésanges", complement="Salle Calmette")
    assert (got.number, got.street, got.place, got.kind) == ("7", "Rue des Mésanges", "Salle Calmette", "adresse")
    got = parse_address("38 Rue Baudimont", complement="BP 60557", postcode="62008", commune="ARRAS CEDEX")
    assert (got.po_box, got.commune, got.cedex) == ("BP 60557", "ARRAS", True)
    assert got.label() == "38 Rue Baudimont, BP 60557, 62008 ARRAS CEDEX"


def test_kinds():
    assert parse_address("12 rue X").kind == "adresse"
    assert parse_address("rue X").kind == "voie"
    assert parse_address("ZA du Moulin").kind == "lieu-dit"
    assert parse_address("Salle des fêtes").kind == "bâtiment"
    assert parse_address("BP 12").kind == "boîte postale"
    assert parse_address("").kind == ""


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Rue de l'Équipée", "RUE EQUIPEE"),
        ("R. J. Jaurès", "RUE J JAURES"),
        ("r Jean Jaurès", "RUE JEAN JAURES"),
        ("Av. du Gal de Gaulle", "AVENUE GENERAL GAULLE"),
        ("bd Paul Vaillant-Couturier", "BOULEVARD PAUL VAILLANT COUTURIER"),
        ("Pl. St-Augustin", "PLACE SAINT AUGUSTIN"),
        ("che des Aulnes", "CHEMIN AULNES"),
        ("rte de St Omer", "ROUTE SAINT OMER"),
        ("imp. des Lilas", "IMPASSE LILAS"),
        ("all. des Tilleuls", "ALLEE TILLEULS"),
        ("Fg d'Arras", "FAUBOURG ARRAS"),
        ("Rue Ste-Anne", "RUE SAINTE ANNE"),
        ("Rue du Mal Foch", "RUE MARECHAL FOCH"),
        ("Rue D. Papin", "RUE D PAPIN"),  # an initial, not an article
        ("Rue des 4 Chemins", "RUE 4 CHEMINS"),
        ("ZA du Moulin", "ZONE ARTISANALE MOULIN"),
        ("RN 43", "ROUTE NATIONALE 43"),
        ("Le Bourg", "BOURG"),
        ("Les", "LES"),  # a name made only of an article keeps it
        ("Œuvres", "OEUVRES"),
        ("", ""),
    ],
)
def test_street_key(name, key):
    assert street_key(name) == key


def test_fold_split_and_rep():
    assert fold("Rue de l’Équipée") == "RUE DE L EQUIPEE"
    assert split_street_key("RUE JEAN JAURES") == ("RUE", "JEAN JAURES")
    assert split_street_key("WINSTON CHURCHILL") == ("", "WINSTON CHURCHILL")
    assert split_street_key("ROND POINT EUROPE") == ("ROND POINT", "EUROPE")
    assert split_street_key("PLACE") == ("", "PLACE")
    assert [rep_key(r) for r in ("bis", "B", "ter", "T", "quater", "a", "")] == ["b", "b", "t", "t", "q", "a", ""]


def test_name_score():
    assert name_score("RUE JEAN JAURES", "RUE JEAN JAURES") == 100.0
    assert name_score("RUE J JAURES", "RUE JEAN JAURES") == 95.0  # initials
    assert name_score("RUE JAURES", "RUE JEAN JAURES") == 90.0  # first name left out
    assert name_score("RUE JEAN JAURES", "AVENUE JEAN JAURES") == 90.0  # another type
    assert name_score("WINSTON CHURCHILL", "AVENUE WINSTON CHURCHILL") == 100.0  # no type given
    assert name_score("RUE GERARD PHILIPPE", "RUE GERARD PHILIPE") == pytest.approx(96.55, abs=0.01)
    assert name_score("RUE PAIX", "RUE GARE") == 25.0
    assert name_score("RUE VICTOR HUGO", "RUE VICTOR BASCH") < 80


def test_best_street():
    keys = ["RUE JEAN JAURES", "RUE NOEL", "AVENUE VICTOR BASCH", "PLACE REPUBLIQUE"]
    assert best_street("RUE JEAN JAURES", keys) == (0, 100.0)
    assert best_street(street_key("R J Jaurès"), keys) == (0, 95.0)
    assert best_street("RUE NOBEL", keys)[0] == -1  # short names need 90: Nobel is not Noël
    assert best_street("RUE VICTOR HUGO", keys)[0] == -1
    assert best_street("PLACE REPUBLIQUE", []) == (-1, 0.0)
    assert best_street("", keys) == (-1, 0.0)


def test_best_streets_keeps_ties():
    keys = ["RUE JEAN JAURES", "RUE JULES JAURES", "RUE JEAN MOULIN"]
    assert best_streets("RUE J JAURES", keys) == ([0, 1], 95.0)  # the house number will decide
    assert best_streets("RUE JEAN JAURES", keys + ["RUE JEAN JAURES"]) == ([0, 3], 100.0)
    assert best_streets("RUE INCONNUE", keys)[0] == []


def test_parse_addresses_frame():
    frame = pd.DataFrame(
        {"address": ["12bis, rue J. Jaurès", "12bis, rue J. Jaurès", "Salle des fêtes"], "postcode": ["62300", "", ""],
         "commune": ["Lens", "", "Lens"]},
        index=[5, 6, 7],
    )  # fmt: skip
    out = parse_addresses(frame)
    assert list(out.index) == [5, 6, 7]
    assert list(out["number"]) == ["12", "12", ""]
    assert list(out["street_key"]) == ["RUE J JAURES", "RUE J JAURES", ""]
    assert list(out["postcode"]) == ["62300", "", ""]
    assert list(out["place"]) == ["", "", "Salle des fêtes"]
    assert out["cedex"].dtype == bool
    split = pd.DataFrame({"n": ["78 rue", None], "nom": ["EMILE DEBRIE", "Rue Pasteur"], "bis": ["", "bis"]})
    out = parse_addresses(split, address=None, number="n", rep="bis", street="nom", postcode=None, commune=None)
    assert list(out["street"]) == ["rue EMILE DEBRIE", "Rue Pasteur"]
    assert list(out["rep"]) == ["", ""]  # an index without a number is dropped


# --------------------------------------------------------------------------- real data
def _secours_populaire_hdf(foodaid_2015) -> tuple[pd.DataFrame, list[str]]:
    """The 151 Hauts-de-France rows and their address as atlas's mapping builds it."""
    raw = pd.read_excel(foodaid_2015 / "liste_centre_secours_populaire.xls", dtype=str, engine="calamine").fillna("")
    hdf = raw[raw["CP"].str.zfill(5).str[:2].isin(["02", "59", "60", "62", "80"])]
    mapping = settings.PACKAGE_DIR / "registry" / "mappings" / "secours-populaire-2015.json"
    template = json.loads(mapping.read_text(encoding="utf-8"))["templates"]["address"]
    assert template == "{n_rue} {bis} {nom_de_rue}"
    address = [
        re.sub(r"\s+", " ", template.format(n_rue=a, bis=b, nom_de_rue=c)).strip(" ,-")
        for a, b, c in zip(hdf["N° rue"], hdf["Bis"], hdf["Nom de rue"], strict=True)
    ]
    return hdf, address


def test_secours_populaire_2015_addresses_parsed(foodaid_2015):
    hdf, address = _secours_populaire_hdf(foodaid_2015)
    assert len(hdf) == 151  # SOURCE.md
    frame = pd.DataFrame({
        "address": address, "complement": hdf["Complément d'adresse"].tolist(), "postcode": hdf["CP"].tolist(),
        "commune": hdf["Bureau de distribution"].tolist(),
    })  # fmt: skip
    parsed = parse_addresses(frame, complement="complement")
    kinds = [P(**{k: r[k] for k in P.__dataclass_fields__}).kind for _, r in parsed.iterrows()]
    # measured: 113 of the 151 addresses (74.8 %) have a house number and a street
    assert ((parsed["number"] != "") & (parsed["street"] != "")).sum() == 113
    assert pd.Series(kinds).value_counts().to_dict() == {"adresse": 113, "voie": 28, "bâtiment": 4, "": 5,
                                                         "lieu-dit": 1}  # fmt: skip
    assert (parsed["postcode"].str.len() == 5).all()
    assert parsed["cedex"].sum() == 2  # LILLE CEDEX, ARRAS CEDEX
    assert sorted(b for b in parsed["po_box"] if b) == ["BP 17", "BP 52", "BP 528", "BP 60557"]
    by_address = dict(zip(address, parsed.to_dict("records"), strict=False))
    assert by_address["21 TER RUE BELLE VISEE"]["rep"] == "ter"
    assert by_address["49A rue Gabriel Péri"]["rep"] == "a"
    assert by_address["421 B rue de la Noyette"]["rep"] == "b"
    assert by_address["78 rue EMILE DEBRIE"]["street"] == "rue EMILE DEBRIE"
    assert by_address["540 R Arthur Brunet"]["street_key"] == "RUE ARTHUR BRUNET"
    assert by_address["13 bd Paul Vailland Couturier"]["street_type"] == "boulevard"
    assert by_address["6 Rue Jean-Jacques Rousseau local n° 7"]["complement"] == "local n° 7"
    assert by_address["Mairie - Rue Jean Jaurès"]["place"] == "Mairie"
    assert by_address["18-20 Rue Cabanis"]["number"] == "18"
