"""The real 2015 network lists (``../shared/data/foodaid-2015-dataforgood``) counted as what they are,
and the contradictions of their places caught before print (issue 23, parts 1 and 2).

Exact figures on the real files; the expected kinds and distances are recomputed here from the raw
files (codes and names of the structures, coordinates against the commune polygons), not taken
from atlas.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from click.testing import CliRunner
from conftest import skip_or_fail
from shapely.ops import nearest_points

from atlas.analysis.coverage import summarize, zones_blanches
from atlas.analysis.distances import commune_origins, points_xy
from atlas.analysis.sites import SiteFilter, select_sites, selection_lines
from atlas.cli import cli
from atlas.registry.actors import read_actors, validate_actors
from atlas.registry.build import build_atlas
from atlas.registry.readers import MAPPINGS_DIR
from atlas.territory.selection import select_territory

RESTOS = "position_centres_2015_restos_du_coeur.csv"
CRF = "position_centres_2015_CRF.xlsx"
U2A = "adresse_U2A.geocoded.csv"
SPF = "liste_centre_secours_populaire.xls"
LISTS = {RESTOS: "restos-2015", CRF: "croix-rouge-2015", U2A: "croix-rouge-u2a-2015", SPF: "secours-populaire-2015"}


def _pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        skip_or_fail("pdftotext (poppler-utils) absent")
    text = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def four(foodaid_2015):
    """The four lists through their presets, built together (not written)."""
    return build_atlas([foodaid_2015 / f for f in LISTS], mappings=list(LISTS.values()), write=False)


@pytest.fixture(scope="module")
def restos(foodaid_2015, communes):
    return read_actors(foodaid_2015 / RESTOS, mapping="restos-2015", communes=communes)


def _brute_uncovered(territory: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, km: float) -> int:
    """Population farther than ``km`` from every site, by a full distance matrix (no tree)."""
    o, s = points_xy(commune_origins(territory)), points_xy(sites)
    best = np.hypot(o[:, None, 0] - s[None, :, 0], o[:, None, 1] - s[None, :, 1]).min(axis=1)
    return int(territory["population"].to_numpy()[best > km * 1000].sum())


# ----------------------------------------------------------------------------- part 1: counted as what they are
def test_secours_populaire_structures_are_food_aid_sites(foodaid_2015, four):
    raw = pd.read_excel(foodaid_2015 / SPF, dtype=str, engine="calamine").fillna("")
    spf = four.actors[four.actors["network"] == "secours-populaire"].set_index("id")
    assert len(spf) == 151
    # independently: the code says comité (CTE), antenne (ANT) or fédération (FED); no HdF name is a shop
    names = raw.set_index("Code structure").loc[spf.index, "Nom de la structure"]
    assert names.str.contains("boutique|vestiaire|brocante|friperie|picerie", case=False).sum() == 0
    assert spf.index.str[:3].isin(["CTE", "ANT", "FED"]).all()
    assert (spf["kind"] == "distribution").all()


def test_croix_rouge_kinds_from_the_structure_names(four):
    crf = four.actors[four.actors["id"].str.startswith("crf-")]
    names = crf["name"].str.upper()
    # independently: directions (DD/DT/DR) are heads of network, local units associations, the rest establishments
    expected = np.where(names.str.match(r"(DD|DT|DR) "), "network",
                        np.where(names.str.match(r"(MAISON|ESPACE|EQUIPE LOCALE|ANTENNE LOCALE)\b"), "association",
                                 "other"))
    assert (crf["kind"].to_numpy() == expected).all()
    assert crf["kind"].value_counts().to_dict() == {"association": 77, "other": 58, "network": 5}
    # the U2A actions keep their own kinds: 67 distribution centres, 2 épiceries, 1 accueil de jour
    u2a = four.actors[four.actors["id"].str.startswith("u2a-")]
    assert u2a["kind"].value_counts().to_dict() == {"distribution": 67, "logistics": 3, "epicerie": 2, "meal": 1,
                                                    "other": 1}


def test_crf_postcode_and_town_read_from_cp_ville(four):
    crf = four.actors[four.actors["id"].str.startswith("crf-")].set_index("id")
    # « 2100 ST QUENTIN » in the « CP Ville » column: postcode 02100, commune ST QUENTIN
    assert (crf.loc["crf-6", "postcode"], crf.loc["crf-6", "commune"]) == ("02100", "ST QUENTIN")
    assert crf.loc["crf-6", "insee"] == "02691"


def test_aisne_somme_counts_croix_rouge_and_secours_populaire(four, communes):
    sites = select_sites(four.actors, SiteFilter())
    by_network = sites.groupby("network").size().to_dict()
    # the Croix-Rouge: its 70 food-aid actions (U2A), Maubeuge's included since its « BP 80174 » is no
    # longer read as a postcode
    assert by_network == {"croix-rouge": 70, "restos-du-coeur": 192, "secours-populaire": 147}
    assert len(sites) == 409
    territory = select_territory(communes, dep=["02", "80"])
    zb = zones_blanches(territory, sites, thresholds_km=[10], sites_selected=True, all_communes=communes)
    uncovered = int(summarize(zb, "region").iloc[0]["pop_uncovered_10km"])
    assert uncovered == _brute_uncovered(territory, sites, 10) == 129_268
    # the Secours populaire read as associations (the presets before): 261 sites, more people uncovered
    old = json.loads((MAPPINGS_DIR / "secours-populaire-2015.json").read_text(encoding="utf-8"))
    del old["patterns"]
    before = build_atlas([Path(four.registries[3].path)], mappings=[old], write=False).actors
    assert (before["kind"] == "association").all()
    others = four.actors[four.actors["network"] != "secours-populaire"]
    sites_before = select_sites(pd.concat([others, before]).pipe(gpd.GeoDataFrame, crs=others.crs), SiteFilter())
    assert len(sites_before) == 262
    assert _brute_uncovered(territory, sites_before, 10) == 136_765


def test_usual_network_names_read_silently(communes):
    names = ["Restos du Cœur", "Les Restos du Coeur", "Restaurants du Cœur", "Secours populaire", "Croix-Rouge",
             "Banque alimentaire", "Secours catholique"]
    raw = pd.DataFrame({"nom": [f"Lieu {i}" for i in range(59)], "type": [names[i % len(names)] for i in range(59)],
                        "code_insee": "62498"})
    res = validate_actors(raw, list(range(2, 61)), communes)
    assert len(res.accepted) == 59 and len(res.warnings) == 0
    got = res.accepted.drop_duplicates("network").set_index("network")["kind"].to_dict()
    assert got == {"restos-du-coeur": "distribution", "secours-populaire": "distribution",
                   "croix-rouge": "distribution", "banque-alimentaire": "logistics",
                   "secours-catholique": "association"}


def test_build_report_counts_per_kind_and_says_what_is_left_out(four):
    text = "\n".join(four.report_lines())
    assert "  ouvert · public : 557 lus, 557 montrés, 409 comptés" in text
    assert ("Comptés comme lieux d'aide alimentaire (filtre par défaut) : 409 lieux — 406 lieux de distribution "
            "alimentaire, 2 épiceries solidaires ou sociales, 1 lieu de repas") in text
    assert "  77 associations non comptées comme lieux d'aide alimentaire : --type association pour les inclure" in text
    assert "  59 autres acteurs non comptés comme lieux d'aide alimentaire : --type other pour les inclure" in text
    assert "  4 lieux d'aide alimentaire sans position (adresse non localisée) : non comptés" in text
    # every accepted row is in exactly one of those counts
    left = sum(int(n) for n in re.findall(r"^  (\d+) .* non compté", text, flags=re.M))
    assert 409 + left == len(four.actors) == 557


def test_cli_gaps_says_what_it_counts_and_how_sites_without_hours_count(foodaid_2015):
    base = ["gaps", "--registre", str(foodaid_2015 / SPF), "--mapping", "secours-populaire-2015", "--dep", "80",
            "--par", "dep"]
    week = CliRunner().invoke(cli, [*base, "--semaine"])
    assert week.exit_code == 0, week.output
    assert ("147 sites comptés (type « Distribution alimentaire » / « Épicerie solidaire ou sociale » / « Repas "
            "(restaurant social) ») : 147 lieux de distribution alimentaire") in week.output
    assert "  4 non comptés : sans position (adresse non localisée)" in week.output
    assert "  147 sans horaires : ne couvrent aucun jour de la semaine (comptés comme fermés chaque jour)" in week.output
    day = CliRunner().invoke(cli, [*base, "--jour", "samedi"])
    assert day.exit_code == 1
    assert "151 sans horaires, comptés comme fermés" in day.output


def test_selection_lines_on_a_day(communes):
    raw = pd.DataFrame({"nom": ["Samedi", "Lundi", "Sans horaires", "Association"],
                        "type": ["distribution", "epicerie", "distribution", "association"],
                        "horaires": ["Sa 09:00-12:00", "Mo 14:00-17:00", "", "Sa 10:00-12:00"], "code_insee": "62498"})
    actors = validate_actors(raw, [2, 3, 4, 5], communes).accepted
    assert selection_lines(select_sites(actors, SiteFilter(day="samedi"))) == [
        "1 site compté (type « Distribution alimentaire » / « Épicerie solidaire ou sociale » / « Repas (restaurant "
        "social) », ouvert le samedi) : 1 lieu de distribution alimentaire",
        "  1 association non comptée comme lieux d'aide alimentaire : --type association pour les inclure",
        "  2 non comptés : fermé(s) le samedi d'après leurs horaires, dont 1 sans horaires (comptés comme fermés)",
    ]
    opened = select_sites(actors, SiteFilter(day="samedi", unknown_hours="open"))
    assert selection_lines(opened)[2:] == ["  1 non compté : fermé(s) le samedi d'après leurs horaires, "
                                           "dont 1 sans horaires (comptés comme fermés)"]


def test_amiens_sheet_lists_its_secours_populaire_sites(foodaid_2015, tmp_path):
    out = tmp_path / "amiens.pdf"
    res = CliRunner().invoke(cli, ["-q", "print", "--registre", str(foodaid_2015 / SPF), "--mapping",
                                   "secours-populaire-2015", "--epci", "AMIENS", "-o", str(out)])
    assert res.exit_code == 0, res.output
    text = _pdf_text(out)
    assert "Aucun site d'aide alimentaire recensé" not in text
    assert "Amiens Métropole — 5 lieux" in text
    for name in ("Antenne VOGEL à AMIENS", "Fédération de la SOMME", "Antenne CAMON", "Comité de LONGUEAU",
                 "Antenne RIVERY"):
        assert name in text, name


# ----------------------------------------------------------------------------- part 2: contradictions
#: Rows of the real Restos list whose point lies far outside the town they name (line, INSEE of that town).
FAR = {992: ("Tourcoing", "59599", "Rieulay"), 970: ("Lille", "59350", "Wasquehal"),
       950: ("Douai", "59178", "Esquerchin"), 987: ("Roubaix", "59512", "Lille")}


def test_restos_rows_far_from_their_town_are_placed_in_it(foodaid_2015, restos, communes):
    with open(foodaid_2015 / RESTOS, encoding="utf-8", newline="") as fh:
        raw = {i: r for i, r in enumerate(csv.DictReader(fh, delimiter=";"), start=2)}
    polygons = communes.set_index("insee").geometry
    acc = restos.accepted.set_index("line")
    messages = restos.warnings.groupby("line")["message"].apply(list)
    for line, (town, code, elsewhere) in FAR.items():
        given = gpd.GeoSeries(gpd.points_from_xy([float(raw[line]["coord.lng"])], [float(raw[line]["coord.lat"])]),
                              crs="EPSG:4326").to_crs(communes.crs).iloc[0]
        gap = polygons[code].distance(given)
        assert gap > 1000, line  # independently: the given point is more than 1 km outside the town
        assert polygons[elsewhere_code(communes, elsewhere)].contains(given), line
        assert acc.loc[line, "insee"] == code and polygons[code].contains(acc.loc[line, "geometry"]), line
        assert acc.loc[line, "precision"] == "commune"
        km = f"{gap / 1000:.1f}".replace(".", ",")
        assert (f"coordonnées dans {elsewhere}, registre : {town} (à {km} km de la commune) : placé à la mairie "
                f"de {town}") in messages[line], line
    # rows of different towns at the very same point (a geocoder's default answer) are flagged
    same = restos.warnings[restos.warnings["message"].str.startswith("mêmes coordonnées que")]
    assert set(same["line"]) == {973, 992, 998}
    assert {(raw[i]["coord.lat"], raw[i]["coord.lng"]) for i in (973, 992, 998)} == {("50.3851246", "3.2642436")}
    assert len(restos.accepted) == 192  # nothing dropped


def elsewhere_code(communes: gpd.GeoDataFrame, name: str) -> str:
    return communes.loc[communes["name"] == name, "insee"].item()


def test_build_writes_the_rows_to_verify(foodaid_2015, tmp_path):
    out = tmp_path / "restos.gpkg"
    built = build_atlas([foodaid_2015 / RESTOS], mappings=["restos-2015"], output=out)
    csv_rows = pd.read_csv(tmp_path / "restos-verifications.csv", sep=";", dtype=str, encoding="utf-8-sig")
    layer = pyogrio.read_dataframe(out, layer="verifications")
    assert len(csv_rows) == len(layer) == len(built.verifications) == 8
    assert set(csv_rows["line"].astype(int)) == {950, 970, 973, 987, 992, 993, 998}
    tourcoing = csv_rows[csv_rows["line"] == "992"]
    assert set(tourcoing["name"]) == {"Restos du Cœur — Tourcoing (4 centres)"}
    assert tourcoing["message"].str.startswith("coordonnées dans Rieulay, registre : Tourcoing").sum() == 1
    text = "\n".join(built.report_lines())
    assert "Lieux à vérifier (7 lignes : commune, code INSEE et coordonnées qui se contredisent) :" in text


def test_point_just_outside_its_commune_is_kept_with_a_warning(communes):
    """The rule's threshold: 300 m outside the named commune is kept (warned), 2 km is not trusted."""
    by = communes.set_index("insee").geometry
    lens, lievin = by["62498"], by["62510"]
    edge = nearest_points(lens.boundary, lievin.representative_point())[0]
    toward = np.array(lievin.representative_point().coords[0]) - np.array(edge.coords[0])
    toward /= np.hypot(*toward)
    pts = [shapely.Point(np.array(edge.coords[0]) + d * toward) for d in (300, 2000)]
    assert all(lievin.contains(p) for p in pts) and [round(lens.distance(p)) for p in pts] == [300, 2000]
    lonlat = gpd.GeoSeries(pts, crs=communes.crs).to_crs("EPSG:4326")
    raw = pd.DataFrame({"nom": ["Près", "Loin"], "type": "distribution", "commune": "Lens", "code_postal": "62300",
                        "longitude": [f"{p.x:.7f}" for p in lonlat], "latitude": [f"{p.y:.7f}" for p in lonlat]})
    res = validate_actors(raw, [2, 3], communes)
    acc = res.accepted.set_index("name")
    assert acc.loc["Près", "insee"] == "62510" and acc.loc["Loin", "insee"] == "62498"
    msgs = dict(zip(res.warnings["line"], res.warnings["message"], strict=True))
    assert msgs[2] == "coordonnées dans Liévin, registre : Lens (à 300 m de la commune) : gardées"
    assert msgs[3] == "coordonnées dans Liévin, registre : Lens (à 2,0 km de la commune) : placé à la mairie de Lens"


#: The INSEE-contradiction row of the issue: the postcode typed in the INSEE column (62110 is also a
#: former code of Berguette, in Isbergues), with and without coordinates.
HENIN = ("nom;type;adresse;code postal;commune;code insee;longitude;latitude\n"
         "Épicerie solidaire d'Hénin;epicerie;3 rue Jean Jaurès;62110;Hénin-Beaumont;62110;;\n"
         "Colis d'Hénin;distribution;;62110;Hénin-Beaumont;62110;2,9467;50,4199\n"
         "Relais de Berguette;distribution;;62330;Berguette;62110;;\n")


def test_insee_code_contradicting_name_and_postcode_never_wins(tmp_path, communes):
    path = tmp_path / "henin.csv"
    path.write_text(HENIN, encoding="utf-8")
    res = read_actors(path, communes=communes)
    acc = res.accepted.set_index("line")
    assert acc.loc[2, "insee"] == acc.loc[3, "insee"] == "62427"  # Hénin-Beaumont, never Isbergues (62473)
    polygons = communes.set_index("insee").geometry
    assert polygons["62427"].contains(acc.loc[2, "geometry"]) and polygons["62427"].contains(acc.loc[3, "geometry"])
    assert acc.loc[4, "insee"] == "62473"  # Berguette, named with its former code: Isbergues, rightly
    said = res.warnings.groupby("line")["message"].apply(list)
    expected = ("code INSEE 62110 (Isbergues) contredit la commune « Hénin-Beaumont » et le code postal 62110 : "
                "placé à Hénin-Beaumont (62427)")
    assert said[2] == [expected] and said[3] == [expected]
    assert said[4] == ["commune fusionnée 62110 → 62473 (Isbergues)"]


def test_insee_contradiction_never_printed_at_isbergues(tmp_path):
    path = tmp_path / "henin.csv"
    path.write_text(HENIN, encoding="utf-8")
    out = tmp_path / "cabbalr.pdf"
    res = CliRunner().invoke(cli, ["-q", "print", "--registre", str(path), "--epci", "CABBALR", "-o", str(out)])
    assert res.exit_code == 0, res.output
    text = _pdf_text(out)
    assert "Relais de Berguette" in text
    assert "Hénin" not in text


def test_restos_sheet_of_the_towns_lists_their_centres(foodaid_2015, tmp_path):
    """The sheet of Tourcoing, Lille and Douai lists the centres the list gives them (their points
    were in Rieulay, Wasquehal and Esquerchin: before, not one was on it)."""
    out = tmp_path / "villes.pdf"
    args = ["-q", "print", "--registre", str(foodaid_2015 / RESTOS), "--mapping", "restos-2015", "-o", str(out)]
    res = CliRunner().invoke(cli, [*args, "--commune", "59599", "--commune", "59350", "--commune", "59178"])
    assert res.exit_code == 0, res.output
    text = _pdf_text(out)
    for name in ("Tourcoing (4 centres)", "Lille (11 centres)", "Douai (4 centres)"):
        assert f"Restos du Cœur — {name}" in text, name


def test_cli_verifier(foodaid_2015, tmp_path, demo):
    out = tmp_path / "a-verifier.csv"
    res = CliRunner().invoke(cli, ["verifier", str(foodaid_2015 / RESTOS), "--mapping", "restos-2015", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "Lieux à vérifier écrits : " in res.output and "(8 vérifications, 7 lignes)" in res.output
    rows = pd.read_csv(out, sep=";", dtype=str, encoding="utf-8-sig")
    assert rows.loc[rows["line"] == "992", "message"].str.contains("registre : Tourcoing").any()
    shown = CliRunner().invoke(cli, ["verifier", str(foodaid_2015 / RESTOS), "--mapping", "restos-2015"])
    assert shown.output.count("position_centres_2015_restos_du_coeur.csv, ligne ") == 8
    # the demonstration registry (190 rows) has nothing to verify
    demo_run = CliRunner().invoke(cli, ["verifier", str(Path(demo.registries[0].path))])
    assert demo_run.exit_code == 0 and "Aucun lieu à vérifier" in demo_run.output


def test_point_far_from_its_commune_goes_to_its_address_with_the_ban(tmp_path, communes, monkeypatch):
    """With the BAN, a row whose point is in Lille but which names « 5 rue Jean Jaurès, 62300 Lens »
    is placed at that door (the BAN fixture's point for it), not at the point given."""
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(tmp_path / "cache"))
    ban = Path(__file__).resolve().parents[1] / "data" / "ban"
    path = tmp_path / "r.csv"
    path.write_text("nom;type;adresse;code postal;commune;longitude;latitude\n"
                    "Colis;distribution;5 rue Jean Jaurès;62300;Lens;3,0636;50,6292\n", encoding="utf-8")
    res = read_actors(path, communes=communes, ban=ban)
    row = res.accepted.iloc[0]
    assert abs(row.geometry.x - 687034.51) < 0.1 and abs(row.geometry.y - 7038022.14) < 0.1  # adresses-62.csv
    assert row["insee"] == "62498" and row["precision"] == "address"
    given = gpd.GeoSeries(gpd.points_from_xy([3.0636], [50.6292]), crs="EPSG:4326").to_crs(communes.crs).iloc[0]
    km = f"{communes.set_index('insee').geometry['62498'].distance(given) / 1000:.1f}".replace(".", ",")
    assert res.warnings["message"].tolist() == [
        f"coordonnées dans Lille, registre : Lens (à {km} km de la commune) : placé à Lens (à son adresse avec la "
        "Base Adresse Nationale, sinon à la mairie)"]
