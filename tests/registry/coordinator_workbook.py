"""A coordinator's workbook as people really lay one out, written with openpyxl (no file committed).

A title row merged over the columns, group headings merged above the real header (« Structure /
Localisation / Accueil / Contact / Suivi »: « Structure » is also a name header), section rows
(« SECTEUR DE BÉTHUNE »), a comment row and total rows; hours as people write them, CEDEX
postcodes, a postal box in an address, phone numbers stored as numbers (leading 0 lost), INSEE
codes stored as numbers (Aisne « 2001 » for 02001), no-break and zero-width spaces in codes,
dates as « mars 2025 », Excel day numbers and one impossible date. A second sheet holds notes only.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

HEADER = ["Nom", "Type", "Adresse", "Code postal", "Commune", "Code INSEE", "Horaires", "Téléphone", "Courriel",
          "Mise à jour"]

#: The places: (name, kind, address, postcode, commune, insee, hours, phone, email, updated), and the
#: commune each must be placed in (INSEE code) — the expected answer, written by hand.
PLACES: list[tuple[tuple, str]] = [
    # ---- SECTEUR DE BÉTHUNE (row 5 on)
    (("Épicerie solidaire Le Panier", "Épicerie solidaire", "12 rue de la Gare BP 30", "62401 Cedex", "Béthune",
      62119, "lundi 9h-12h et 14h-17h", 321690000, "panier@example.org", "mars 2025"), "62119"),
    (("Restos du Cœur de Béthune", "Distribution alimentaire", "3 place Clemenceau", "62400", "Béthune",
      "62\u00a0119", "le mardi matin", "03 21 00 00 01", "", 45363), "62119"),
    (("CCAS de Béthune", "CCAS", "Hôtel de ville", "62400", "Béthune", "62\u202f119",
      "du lundi au vendredi de 9h à 12h", "+33 3 21 00 00 02", "ccas@example.org", "2025-13-45"), "62119"),
    (("Secours populaire – Bruay", "Distribution alimentaire", "8 rue Jean Jaurès", "62700", "Bruay-la-Buissière",
      "", "1er et 3e jeudi du mois 14h-16h", "0033321000003", "", dt.datetime(2025, 2, 14)), "62178"),
    (("Croix-Rouge Isbergues", "Distribution alimentaire", "", "62330", "Isbergues", 62473,
      "mercredi 14h-17h, fermé en août", "321000004", "", "01/2025"), "62473"),
    (("Restaurant social du Béthunois", "Restaurant social", "5 rue d'Aire", "62400", "Béthune", "",
      "tous les jours sauf dimanche 11h30-13h30", "03.21.00.00.05 / 06 12 34 56 78", "", "15/01/2025"), "62119"),
    (("Épicerie sociale de Bruay", "Épicerie sociale", "", "62700", "Bruay-la-Buissière", "62178\u200b",
      "Mo-Fr 09:00-12:00", "", "", ""), "62178"),
    # ---- SECTEUR DE LENS
    (("Restos du Cœur de Lens", "Distribution alimentaire", "Rue de Lille", "62302 LENS CEDEX", "", "",
      "lun-ven 9h/12h", 321000006, "", "févr. 2025"), "62498"),
    (("Secours populaire de Lens", "Distribution alimentaire", "24 rue Émile Zola", "62300", "Lens", 62498,
      "lundi au vendredi 9h-11h45/14h-16h30 (16h le vendredi)", "03 21 00 00 07", "", ""), "62498"),
    (("Épicerie solidaire de Liévin", "Épicerie solidaire", "2 place Gambetta", "62800", "Liévin", 62510,
      "mardi et jeudi après-midi", "321000008", "", "2025-03-01"), "62510"),
    (("CCAS de Liévin", "CCAS", "", "62800", "Liévin", "", "sur rendez-vous", "", "", ""), "62510"),
    (("Maraude du Lensois", "Maraude", "", "62300", "Lens", "", "le soir, 19h-21h du lundi au jeudi", "", "", ""),
     "62498"),
    (("Banque alimentaire – antenne de Lens", "Entrepôt", "ZI Nord", "62300", "Lens", "", "Mo-Th 08:00-16:00",
      "", "", ""), "62498"),
    # ---- SECTEUR DE L'AISNE
    (("Restos du Cœur de Laon", "Distribution alimentaire", "1 rue du Bourg", 2000, "Laon", 2408,
      "mercredi 14h-17h et samedi 9h-12h", 323230000, "", "mars 2025"), "02408"),
    (("Épicerie solidaire d'Abbécourt", "Épicerie solidaire", "", 2300, "Abbécourt", 2001,
      "vendredi 14h-17h", 323000010, "", ""), "02001"),
    (("Secours populaire de Laon", "Distribution alimentaire", "", "02000", "Laon", "2408",
      "horaires affichés sur place", "", "", ""), "02408"),
    (("Croix-Rouge Laon", "Distribution alimentaire", "", 2000, "Laon", "", "Lundi 9h-12h (hors vacances scolaires)",
      "", "", ""), "02408"),
]

SECTIONS = {0: "SECTEUR DE BÉTHUNE", 7: "SECTEUR DE LENS", 13: "Secteur de l'Aisne"}
TOTALS = {7: "Total : 7 lieux", 13: "Total : 6 lieux", 17: "Total : 4 lieux"}
COMMENT = (3, "NB : les horaires d'été sont affichés à l'accueil de chaque lieu")
#: The hours cells that are no OSM expression (free text), and how many there are.
FREE_TEXT_HOURS = [p[0][6] for p in PLACES if p[0][6] and p[0][6][:2] not in ("Mo", "Tu")]


def write_workbook(path: Path) -> dict:
    """Write the workbook; returns what a reader must find (rows skipped, places and communes)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Lieux"
    width = len(HEADER)
    sheet.append(["Lieux d'aide alimentaire – Béthunois, Lensois et Aisne (mise à jour mars 2025)"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.append(["Structure", "", "Localisation", "", "", "", "Accueil", "Contact", "", "Suivi"])
    sheet.merge_cells("A2:B2")
    sheet.merge_cells("C2:F2")
    sheet.merge_cells("H2:I2")
    sheet.append(HEADER)
    skipped: list[tuple[int, str]] = []
    lines: dict[str, int] = {}

    def one_cell(text: str, why: str) -> None:
        sheet.append([text])
        row = sheet.max_row
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        skipped.append((row, why))

    for i, (cells, _) in enumerate(PLACES):
        if i in TOTALS:
            sheet.append([TOTALS[i], "", "", "", "", "", "", "", "", ""])
            skipped.append((sheet.max_row, "total"))
        if i in SECTIONS:
            one_cell(SECTIONS[i], "section")
        if i == COMMENT[0]:
            one_cell(COMMENT[1], "commentaire")
        sheet.append(list(cells))
        lines[cells[0]] = sheet.max_row
    sheet.append([TOTALS[len(PLACES)]])
    skipped.append((sheet.max_row, "total"))
    notes = book.create_sheet("Notes")
    notes.append(["Ce classeur est tenu par la coordination ; merci de signaler les changements."])
    book.save(path)
    return {"skipped": skipped, "lines": lines, "insee": {cells[0]: insee for cells, insee in PLACES}}
