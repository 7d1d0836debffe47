"""Values as people write them (issue 23, parts 3 and 4): codes, CEDEX, dates, phones, weights,
the header under title rows and merged headings, section/comment/total rows, HTML saved as .xls,
and hours written in French. Every expected value below is written by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from opening_hours import OpeningHours

from atlas.registry import fields
from atlas.registry.actors import read_actors
from atlas.registry.hours import covers_day, is_valid_hours
from atlas.registry.hours_fr import humanize_hours, read_french_hours
from atlas.registry.partnerships import read_partnerships
from atlas.registry.readers import read_raw_table
from tests.registry.coordinator_workbook import FREE_TEXT_HOURS, PLACES, write_workbook


# --------------------------------------------------------------------------- phones
@pytest.mark.parametrize(("given", "expected", "warned"), [
    ("323230000", "03 23 23 00 00", True),  # a phone stored as a number: its 0 lost
    ("03 21 69 00 00", "03 21 69 00 00", False),
    ("0321690000", "03 21 69 00 00", False),
    ("03.21.69.00.00", "03 21 69 00 00", False),
    ("+33 3 21 69 00 00", "03 21 69 00 00", False),
    ("+33 (0)3 21 69 00 00", "03 21 69 00 00", False),
    ("0033321690000", "03 21 69 00 00", False),
    ("33321690000", "03 21 69 00 00", True),
    ("03 21 69 00 00 / 06 12 34 56 78", "03 21 69 00 00 / 06 12 34 56 78", False),
    ("0321690000 ou 06.12.34.56.78", "03 21 69 00 00 / 06 12 34 56 78", False),
    ("03 21 69 00 00 (accueil)", "03 21 69 00 00 (accueil)", False),
    ("115", "115", False),
    ("+32 2 555 12 12", "+32 2 555 12 12", False),
])
def test_phones_in_the_french_form(given, expected, warned):
    value, warnings = fields.normalise_phone(given)
    assert value == expected
    assert bool(warnings) is warned


# --------------------------------------------------------------------------- dates
@pytest.mark.parametrize(("given", "expected", "warned"), [
    ("mars 2025", "2025-03", False),
    ("1er mars 2025", "2025-03-01", False),
    ("sept. 2024", "2024-09", False),
    ("01/2025", "2025-01", False),
    ("15/03/2024", "2024-03-15", False),
    ("2024-03-12T10:30:00Z", "2024-03-12", False),
    ("45363", "2024-03-12", True),  # Excel day number: 1899-12-30 + 45363 days
    ("2025-13-45", "", True),  # no such day: dropped as a date, the row kept
    ("31/02/2024", "", True),
    ("bientôt", "", True),
    ("2025", "2025", False),
])
def test_dates_as_written(given, expected, warned):
    value, warnings = fields.read_date(given)
    assert value == expected
    assert bool(warnings) is warned


def test_excel_serial_is_the_day_excel_shows():
    assert fields.read_date("45363")[0] == (dt.date(1899, 12, 30) + dt.timedelta(days=45363)).isoformat()
    assert fields.read_date("2")[0] == ""  # a small number is no date


# --------------------------------------------------------------------------- codes
@pytest.mark.parametrize(("postcode", "commune", "insee", "expected"), [
    ("62401 Cedex", "Béthune", "62119", ("62401", "Béthune", "62119")),
    ("62302 LENS CEDEX", "", "", ("62302", "LENS", "")),
    ("62\u00a0400", "Béthune", "62\u202f119", ("62400", "Béthune", "62119")),
    ("62400\u200b", "", "62119\ufeff", ("62400", "", "62119")),
    ("2000", "Laon", "2408", ("02000", "Laon", "02408")),
    ("62008", "ARRAS CEDEX 9", "", ("62008", "ARRAS", "")),
])
def test_codes_as_written(postcode, commune, insee, expected):
    rec = {"postcode": postcode, "commune": commune, "insee": insee}
    fields.normalise_codes(rec, None)
    assert (rec["postcode"], rec["commune"], rec["insee"]) == expected


def test_postal_box_is_no_postcode():
    assert fields.postcode_in_address("12 rue de la Gare BP 30 62302 LENS CEDEX") == ("62302", "LENS")
    assert fields.postcode_in_address("Hôtel de ville CS 20001 62000 Arras Cedex 9") == ("62000", "Arras")
    assert fields.postcode_in_address("BP 1234 Lens") is None  # « 1234 » is the box, not a postcode


def test_registry_rows_with_cedex_and_spaces_are_kept(tmp_path, communes):
    path = tmp_path / "registre.csv"
    path.write_text(
        "nom;type;code postal;commune;code insee;mise à jour\n"
        "A;distribution;62401 Cedex;Béthune;62119;mars 2025\n"
        "B;distribution;62302 LENS CEDEX;;;2025-13-45\n"
        "C;epicerie;62\u00a0400;Béthune;62\u202f119;45363\n"
        "D;epicerie;;Béthune;62\u200b119;\n",
        encoding="utf-8")
    res = read_actors(path, communes=communes)
    assert res.rejected.empty
    acc = res.accepted.set_index("name")
    assert acc["insee"].to_dict() == {"A": "62119", "B": "62498", "C": "62119", "D": "62119"}
    assert acc["updated"].to_dict() == {"A": "2025-03", "B": "", "C": "2024-03-12", "D": ""}
    messages = res.warnings["message"].tolist()
    assert "date de mise à jour impossible, ignorée : « 2025-13-45 »" in messages


# --------------------------------------------------------------------------- weights
def test_masses_are_counted_in_kilograms(tmp_path):
    path = tmp_path / "partenariats.csv"
    path.write_text("source;cible;type;poids;unité\n"
                    "a;b;don;1,5 t;\n"
                    "a;c;don;1 200 kg;\n"
                    "b;c;don;800 g;\n"
                    "c;a;don;2;tonnes\n"
                    "b;a;don;3;kg\n", encoding="utf-8")
    res = read_partnerships(path, actors={"a", "b", "c"})
    assert res.rejected.empty
    acc = res.accepted
    assert acc["weight"].tolist() == [1500.0, 1200.0, 0.8, 2000.0, 3.0]
    assert set(acc["unit"]) == {"kg"}
    assert "poids « 1,5 t » compté en kilogrammes : 1,5 t = 1500 kg" in res.warnings["message"].tolist()


# --------------------------------------------------------------------------- layout of a sheet
@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    path = tmp_path_factory.mktemp("classeur") / "lieux.xlsx"
    return path, write_workbook(path)


def test_coordinator_workbook_every_place_in_its_commune(workbook, communes):
    path, expected = workbook
    res = read_actors(path, communes=communes)
    assert res.rejected.empty, res.rejected[["line", "reason"]]
    assert len(res.accepted) == len(PLACES) == 17
    placed = dict(zip(res.accepted["name"], res.accepted["insee"], strict=True))
    assert placed == expected["insee"]
    assert dict(zip(res.accepted["name"], res.accepted["line"], strict=True)) == expected["lines"]
    # title row, merged headings, then the header on row 3
    assert [(s.name, s.header_line) for s in res.sheets if not s.skipped] == [("Lieux", 3)]
    # sections, the comment and the totals: skipped, each with its line and why, and counted
    got = [(int(line), why.split(" :")[0].removeprefix("ligne de ")) for line, why in
           zip(res.skipped["line"], res.skipped["reason"], strict=True)]
    assert got == sorted(expected["skipped"])
    assert res.n_read == len(res.accepted) + len(res.rejected) + len(res.skipped) == 24
    assert "7 ignorées" in res.summary()
    assert any("ligne 4 ignorée : ligne de section : « SECTEUR DE BÉTHUNE »" in line for line in res.sheet_lines())


def test_coordinator_workbook_values(workbook, communes):
    path, _ = workbook
    acc = read_actors(path, communes=communes).accepted.set_index("name")
    assert acc.loc["Épicerie solidaire Le Panier", "phone"] == "03 21 69 00 00"
    assert acc.loc["Restos du Cœur de Laon", "phone"] == "03 23 23 00 00"
    assert acc.loc["CCAS de Béthune", "phone"] == "03 21 00 00 02"
    assert acc.loc["Restaurant social du Béthunois", "phone"] == "03 21 00 00 05 / 06 12 34 56 78"
    assert acc.loc["Épicerie solidaire Le Panier", "postcode"] == "62401"
    assert acc.loc["Restos du Cœur de Béthune", "updated"] == "2024-03-12"
    assert acc.loc["CCAS de Béthune", "updated"] == ""
    assert acc.loc["Secours populaire – Bruay", "updated"] == "2025-02-14"
    assert acc.loc["Épicerie solidaire d'Abbécourt", ["insee", "postcode"]].tolist() == ["02001", "02300"]


def test_coordinator_workbook_hours(workbook, communes):
    path, _ = workbook
    acc = read_actors(path, communes=communes).accepted.set_index("name")
    assert acc.loc["Épicerie solidaire Le Panier", "opening_hours"] == "Mo 09:00-12:00,14:00-17:00"
    assert acc.loc["Épicerie solidaire Le Panier", "hours_text"] == "lundi 9h-12h et 14h-17h"
    assert acc.loc["Secours populaire – Bruay", "opening_hours"] == "Th[1,3] 14:00-16:00"
    assert acc.loc["CCAS de Liévin", "opening_hours"] == "sur rendez-vous"  # kept as written
    assert acc.loc["CCAS de Liévin", "hours_text"] == ""
    converted = acc["hours_text"].astype(bool)
    # 15 hours cells written as text, 13 of them read (measured: the report gives the share)
    assert len(FREE_TEXT_HOURS) == 15 and int(converted.sum()) == 13
    # converted hours count in the weekly coverage: Thursday
    thursday = covers_day(acc["opening_hours"], "jeudi")
    assert dict(zip(acc.index, thursday, strict=True))["Secours populaire – Bruay"]


def test_header_is_the_row_with_most_known_columns(tmp_path):
    path = tmp_path / "registre.csv"
    path.write_text("Inventaire des structures;;;\n"
                    "Structure;;Localisation;\n"
                    "Nom;Type;Code postal;Commune\n"
                    "A;distribution;62400;Béthune\n", encoding="utf-8")
    raw, lines = read_raw_table(path, header_keys={"nom", "structure", "name"})
    assert list(raw.columns) == ["Nom", "Type", "Code postal", "Commune"] and lines == [4]


def test_rows_that_are_places_are_never_skipped(tmp_path, communes):
    path = tmp_path / "registre.csv"
    path.write_text("nom;type;code postal;commune\n"
                    "SECTEUR NORD;;;\n"
                    "CCAS;ccas;62400;Béthune\n"
                    "Épicerie du centre;;;\n"
                    "Total;3;;\n", encoding="utf-8")
    res = read_actors(path, communes=communes)
    assert res.skipped["line"].tolist() == [2, 5]
    assert res.rejected["line"].tolist() == [4]  # a name alone is a place to complete: rejected, not skipped
    assert res.accepted["name"].tolist() == ["CCAS"]


def test_html_saved_as_xls_is_read_as_its_table(tmp_path, communes):
    path = tmp_path / "export.xls"
    path.write_text(
        "<html><head><meta charset='utf-8'><title>Export</title></head><body>"
        "<table border='1'><tr><th colspan='4'>Export du 12/03/2025</th></tr>"
        "<tr><th>Nom</th><th>Type</th><th>Code postal</th><th>Commune</th></tr>"
        "<tr><td>Épicerie &amp; Co</td><td>epicerie</td><td>62400</td><td>Béthune</td></tr>"
        "<tr><td>Resto<br>du cœur</td><td>distribution</td><td>62300</td><td>Lens</td></tr>"
        "</table></body></html>", encoding="utf-8")
    res = read_actors(path, communes=communes)
    assert res.rejected.empty
    assert res.accepted["name"].tolist() == ["Épicerie & Co", "Resto\ndu cœur"]
    assert res.accepted["insee"].tolist() == ["62119", "62498"]
    assert res.accepted["line"].tolist() == [3, 4]


# --------------------------------------------------------------------------- French hours
FRENCH_HOURS = {
    "lundi 9h-12h et 14h-17h": "Mo 09:00-12:00,14:00-17:00",
    "lun-ven 9h/12h": "Mo-Fr 09:00-12:00",
    "du lundi au vendredi de 9h à 12h": "Mo-Fr 09:00-12:00",
    "le mardi matin": "Tu 09:00-12:00",
    "jeudi après-midi": "Th 14:00-17:00",
    "1er et 3e jeudi du mois 14h-16h": "Th[1,3] 14:00-16:00",
    "dernier vendredi du mois 14h-17h": "Fr[-1] 14:00-17:00",
    "tous les jours sauf dimanche 11h30-13h30": "Mo-Sa 11:30-13:30",
    "mercredi 14h-17h, fermé en août": "We 14:00-17:00; Aug off",
    "lundi au vendredi 9h-11h45/14h-16h30 (16h le vendredi)":
        "Mo-Th 09:00-11:45,14:00-16:30; Fr 09:00-11:45,14:00-16:00",
    "9h-12h lundi, 14h-17h mardi": "Mo 09:00-12:00; Tu 14:00-17:00",
    "Lundi, mercredi et vendredi : 9h - 12h": "Mo,We,Fr 09:00-12:00",
    "le soir, 19h-21h du lundi au jeudi": "Mo-Th 19:00-21:00",
    "Mardi de 14h00 à 16h00 - fermé en juillet et août": "Tu 14:00-16:00; Jul,Aug off",
    "lundi 9h à midi": "Mo 09:00-12:00",
    "lundi-mercredi-vendredi 9h-12h": "Mo,We,Fr 09:00-12:00",  # a list, not a range
    "Lundi au vendredi 9h-12h sauf mercredi": "Mo,Tu,Th,Fr 09:00-12:00",
    "Lundi 9h-12h, mardi fermé, mercredi 9h-12h": "Mo,We 09:00-12:00",
    "24h/24 7j/7": "Mo-Su 00:00-24:00",
    "tous les jours de 9h à 17h sauf le week-end": "Mo-Fr 09:00-17:00",
    "Du lundi au vendredi : 8h30-12h / 13h30-17h": "Mo-Fr 08:30-12:00,13:30-17:00",
    "Le jeudi de 14h à 17h (sauf vacances scolaires)": "Th 14:00-17:00; SH off",
    "le lundi de 9 heures à 12 heures": "Mo 09:00-12:00",
}


@pytest.mark.parametrize(("text", "expected"), list(FRENCH_HOURS.items()))
def test_french_hours_read(text, expected):
    read = read_french_hours(text)
    assert read.osm == expected and not read.reason
    OpeningHours(read.osm)  # the maintained parser accepts it


def test_french_hours_say_what_they_interpret():
    assert read_french_hours("le mardi matin").notes == ("« matin » compris 9 h – 12 h",)
    assert read_french_hours("jeudi après-midi").notes == ("« après-midi » compris 14 h – 17 h",)


@pytest.mark.parametrize("text", ["sur rendez-vous", "lundi", "9h-12h", "horaires affichés sur place",
                                  "lundi 12h-9h", "1 mardi sur 2 9h-12h", "lundi ou mardi 9h-12h",
                                  "Sur rendez-vous du lundi au vendredi"])
def test_french_hours_not_understood_are_kept(text):
    read = read_french_hours(text)
    assert read.osm == "" and read.reason


def test_nth_weekdays_said_for_people():
    assert humanize_hours("We[1,3] 14:00-17:00", nbsp=False) == "1er et 3e mercredis du mois 14 h – 17 h"
    assert humanize_hours("Fr[-1] 14:00-17:00", nbsp=False) == "dernier vendredi du mois 14 h – 17 h"
    assert "seulement certains" in humanize_hours("week 1-53/2 Tu 09:00-11:00", nbsp=False)


def test_datainclusion_hours_are_osm_already(shared_data):
    """The real hours of the data·inclusion samples (import template, schema examples): all OSM."""
    import json

    from atlas.registry.readers import read_raw_table as read

    folder = shared_data / "datainclusion"
    values = []
    for sheet in ("Structures", "Services"):
        raw, _ = read(folder / "dataset-v1-template.xlsx", sheet=sheet, header_keys={"horaires_accueil"})
        values += [v for v in raw["horaires_accueil"].tolist()[1:] if v]  # row 2: the field's description
    for name in ("structure.json", "service.json"):
        spec = json.loads((folder / "schemas-v1" / name).read_text(encoding="utf-8"))
        values += spec["properties"]["horaires_accueil"]["examples"]
    assert values == ["Mo-Fr 09:00-18:00", "Mo,We 14:00-18:00", "Mo-Fr 08:30-12:30; PH off",
                      "Mo-Fr 08:30-12:30; PH off"]
    assert all(is_valid_hours(v) for v in values)


def test_postal_box_no_longer_misplaces_a_real_row(foodaid_2015, communes):
    """Croix-Rouge U5911 (2015 list): « 60 rue Jeanne d'Arc  BP 80174 Espace Victor Hugo  59600
    Maubeuge » was read as postcode 80174, commune « Espace Victor Hugo » (left unplaced)."""
    res = read_actors(foodaid_2015 / "adresse_U2A.geocoded.csv", communes=communes, mapping="croix-rouge-u2a-2015")
    row = res.accepted.set_index("id").loc["u2a-U5911"]
    assert (row["postcode"], row["commune"], row["insee"]) == ("59600", "Maubeuge", "59392")


def test_repeated_header_and_comments_skipped(tmp_path, communes):
    path = tmp_path / "registre.csv"
    path.write_text("nom;type;code postal;commune;horaires\n"
                    "A;distribution;62400;Béthune;lundi 9h-12h\n"
                    ";;;;Remarque : horaires à confirmer en septembre\n"
                    "nom;type;code postal;commune;horaires\n"
                    "B;epicerie;62300;Lens;\n", encoding="utf-8")
    res = read_actors(path, communes=communes)
    assert list(zip(res.skipped["line"], res.skipped["reason"], strict=True)) == [
        (3, "ligne de commentaire : « Remarque : horaires à confirmer en septembre »"), (4, "en-tête répété")]
    assert res.accepted["name"].tolist() == ["A", "B"] and res.rejected.empty


def test_geocode_rewrites_the_rows_it_skipped(tmp_path, communes):
    """`atlas geocode` writes the registry back: its section and total rows stay in it."""
    from atlas.registry.geocoded import geocode_registry

    path = tmp_path / "registre.csv"
    path.write_text("nom;type;code postal;commune\n"
                    "SECTEUR DE LENS;;;\n"
                    "A;distribution;62300;Lens\n"
                    "Total : 1 lieu;;;\n", encoding="utf-8")
    out = geocode_registry(path, communes=communes)
    assert out.table["nom"].tolist() == ["SECTEUR DE LENS", "A", "Total : 1 lieu"]
    assert out.result.skipped["line"].tolist() == [2, 4]


def test_xml_spreadsheet_2003_saved_as_xls(tmp_path, communes):
    path = tmp_path / "export.xls"
    path.write_text(
        '<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
        'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="Lieux"><Table>'
        '<Row><Cell ss:MergeAcross="2"><Data ss:Type="String">Liste des lieux</Data></Cell></Row>'
        '<Row><Cell><Data ss:Type="String">Nom</Data></Cell><Cell><Data ss:Type="String">Type</Data></Cell>'
        '<Cell><Data ss:Type="String">Code INSEE</Data></Cell></Row>'
        '<Row><Cell><Data ss:Type="String">CCAS</Data></Cell><Cell><Data ss:Type="String">ccas</Data></Cell>'
        '<Cell><Data ss:Type="Number">2408</Data></Cell></Row>'
        '</Table></Worksheet></Workbook>', encoding="utf-8")
    res = read_actors(path, communes=communes)
    assert res.rejected.empty
    assert res.accepted[["name", "insee", "line"]].values.tolist() == [["CCAS", "02408", 3]]
