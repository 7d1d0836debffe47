"""What may be shown to whom (:mod:`atlas.registry.publication`): status, visibility, freshness.

The two fixtures hold the same six fictitious sites of Lens-Liévin, one of each status and
visibility, once as Soliguide places (``tests/data/soliguide_statuts.json``, Soliguide's own
field names and values) and once as a French spreadsheet export
(``tests/data/registre_statuts_fr.csv``: « ; », Windows-1252, French headers and words):

====  ======================================  ==========================  ============
id    name                                    status / visibility         updated
====  ======================================  ==========================  ============
1     Colis alimentaires fictifs de l'Acacia  ONLINE / ALL                2026-10-01
2     Épicerie solidaire fictive du Bouleau   ONLINE / ALL (stale)        2024-03-12
3     Distribution fictive du Cèdre           DRAFT / ALL                 2026-11-02
4     Colis fictifs du Dattier                OFFLINE / ALL               2025-01-15
5     Restaurant social fictif de l'Érable    PERMANENTLY_CLOSED / ALL    2025-09-01
6     Colis d'urgence fictifs du Frêne        ONLINE / PRO                2026-09-15
====  ======================================  ==========================  ============
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyogrio
import pytest
from click.testing import CliRunner

from atlas.analysis.coverage import zones_blanches
from atlas.analysis.sites import SiteFilter, select_sites
from atlas.errors import NoSiteError, PublicationError
from atlas.registry.actors import read_actors, validate_actors
from atlas.registry.build import build_registries
from atlas.registry.publication import (
    Audience,
    coverage_sites,
    freshness_note,
    freshness_notes,
    hidden_reasons,
    is_stale,
    last_update,
    public_sites,
    publication_table,
)
from atlas.territory.selection import select_territory

DATA = Path(__file__).parents[1] / "data"
SOLIGUIDE = DATA / "soliguide_statuts.json"
FRENCH_CSV = DATA / "registre_statuts_fr.csv"
TODAY = dt.date(2026, 12, 1)
NAMES = {
    "open": "Colis alimentaires fictifs de l'Acacia",
    "stale": "Épicerie solidaire fictive du Bouleau",
    "draft": "Distribution fictive du Cèdre",
    "offline": "Colis fictifs du Dattier",
    "closed": "Restaurant social fictif de l'Érable",
    "pro": "Colis d'urgence fictifs du Frêne",
}


@pytest.fixture(scope="module", params=[SOLIGUIDE, FRENCH_CSV], ids=["soliguide", "csv-fr"])
def registry(request, communes):
    return read_actors(request.param, communes=communes)


def by_name(actors, key):
    return actors[actors["name"] == NAMES[key]].iloc[0]


def test_status_and_visibility_are_read(registry):
    assert registry.n_read == 6 == len(registry.accepted) and len(registry.rejected) == 0
    acc = registry.accepted
    got = {k: (by_name(acc, k)["status"], by_name(acc, k)["visibility"]) for k in NAMES}
    assert got == {"open": ("open", "public"), "stale": ("open", "public"), "draft": ("draft", "public"),
                   "offline": ("offline", "public"), "closed": ("closed", "public"), "pro": ("open", "pro")}
    # Soliguide's updatedByUserAt (not updatedAt); French dates « 12/03/2024 » read as ISO
    assert by_name(acc, "stale")["updated"] == "2024-03-12"
    assert by_name(acc, "open")["updated"] == "2026-10-01"


def test_public_maps_show_open_public_sites_only(registry):
    shown = public_sites(registry.accepted)
    assert sorted(shown["name"]) == sorted([NAMES["open"], NAMES["stale"]])
    assert len(registry.accepted) - len(shown) == 4
    for_pros = public_sites(registry.accepted, professionals=True)
    assert sorted(for_pros["name"]) == sorted([NAMES["open"], NAMES["stale"], NAMES["pro"]])
    checking = public_sites(registry.accepted, include_drafts=True)
    assert NAMES["draft"] in set(checking["name"]) and NAMES["offline"] in set(checking["name"])
    # a permanently closed site is never shown, whatever the options
    everything = public_sites(registry.accepted, professionals=True, include_drafts=True)
    assert NAMES["closed"] not in set(everything["name"]) and len(everything) == 5


def test_coverage_counts_professional_sites_not_closed_ones(registry):
    counted = set(coverage_sites(registry.accepted)["name"])
    assert counted == {NAMES["open"], NAMES["stale"], NAMES["pro"]}
    assert set(coverage_sites(registry.accepted, include_drafts=True)["name"]) == counted | {NAMES["draft"],
                                                                                            NAMES["offline"]}
    sites = select_sites(registry.accepted, SiteFilter())
    assert set(sites.frame["name"]) == counted and sites.n_not_counted == 3
    with_drafts = select_sites(registry.accepted, SiteFilter(include_drafts=True))
    assert len(with_drafts) == 5 and with_drafts.n_not_counted == 1


def test_coverage_of_lens_lievin_uses_the_professional_site(registry, communes):
    call = select_territory(communes, epci="CALL")
    zb = zones_blanches(call, select_sites(registry.accepted), thresholds_km=(5,))
    assert zb.n_sites == 3
    without_pro = registry.accepted[registry.accepted["visibility"] != "pro"]
    zb2 = zones_blanches(call, select_sites(without_pro), thresholds_km=(5,))
    assert zb2.n_sites == 2
    assert zb.frame["pop_covered_5km"].sum() > zb2.frame["pop_covered_5km"].sum()


def test_nothing_in_service_says_why(registry):
    closed = registry.accepted[registry.accepted["status"] == "closed"]
    with pytest.raises(NoSiteError, match="fermé"):
        select_sites(closed, SiteFilter(kinds=None))


def test_hidden_reasons_in_french(registry):
    reasons = dict(zip(registry.accepted["name"], hidden_reasons(registry.accepted), strict=True))
    assert reasons[NAMES["open"]] == reasons[NAMES["stale"]] == ""
    assert reasons[NAMES["closed"]].startswith("fermé définitivement")
    assert reasons[NAMES["draft"]].startswith("brouillon") and "--inclure-brouillons" in reasons[NAMES["draft"]]
    assert reasons[NAMES["offline"]].startswith("hors ligne")
    assert reasons[NAMES["pro"]].startswith("réservé aux professionnels")


def test_freshness():
    assert last_update("2024-03") == dt.date(2024, 3, 31)
    assert last_update("2019") == dt.date(2019, 12, 31)
    assert last_update("") is None and last_update("n/a") is None and last_update("2024-13-01") is None
    assert is_stale("2025-11-30", today=TODAY) and not is_stale("2025-12-01", today=TODAY)
    assert not is_stale("2025-12", today=TODAY)  # could be 31 December 2025: not stale yet
    assert is_stale("2026-05-31", months=6, today=TODAY) and not is_stale("2026-06-01", months=6, today=TODAY)
    assert not is_stale("", today=TODAY)
    assert freshness_note("2024-03-12", today=TODAY) == "informations de mars 2024 — à vérifier"
    assert freshness_note("2024-08-01", today=TODAY) == "informations d'août 2024 — à vérifier"
    assert freshness_note("2019", today=TODAY) == "informations de 2019 — à vérifier"
    assert freshness_note("2026-10-01", today=TODAY) == ""
    with pytest.raises(PublicationError, match="fraîcheur"):
        Audience(freshness_months=0)


def test_stale_sites_are_noted(registry):
    notes = dict(zip(registry.accepted["name"], freshness_notes(registry.accepted, today=TODAY), strict=True))
    assert notes[NAMES["stale"]] == "informations de mars 2024 — à vérifier"
    assert notes[NAMES["open"]] == notes[NAMES["pro"]] == ""
    six = dict(zip(registry.accepted["name"], freshness_notes(registry.accepted, months=6, today=TODAY), strict=True))
    assert six[NAMES["offline"]] == "informations de janvier 2025 — à vérifier"


def test_publication_table(registry):
    table = publication_table(registry.accepted, Audience(today=TODAY)).set_index(["status", "visibility"])
    assert list(table.index) == [("open", "public"), ("open", "pro"), ("draft", "public"), ("offline", "public"),
                                 ("closed", "public")]
    assert table.loc[("open", "public"), ["read", "shown", "counted", "hidden", "stale"]].tolist() == [2, 2, 2, 0, 1]
    assert table.loc[("open", "pro"), ["read", "shown", "counted", "hidden"]].tolist() == [1, 0, 1, 1]
    assert table.loc[("closed", "public"), ["read", "shown", "counted", "hidden"]].tolist() == [1, 0, 0, 1]
    assert table.loc[("draft", "public"), "statut"] == "brouillon"
    assert table.loc[("open", "pro"), "visibilite"] == "professionnels"
    pros = publication_table(registry.accepted, Audience(professionals=True, today=TODAY))
    assert int(pros["shown"].sum()) == 3


def test_build_report_and_geopackage(tmp_path):
    out = tmp_path / "statuts.gpkg"
    built = build_registries([FRENCH_CSV], output=out, audience=Audience(today=TODAY))
    text = "\n".join(built.report_lines())
    # one warning per hidden site, with its line and why
    hidden = built.hidden
    assert len(hidden) == 4 and set(hidden["line"]) == {4, 5, 6, 7}
    for key in ("draft", "offline", "closed", "pro"):
        assert sum(NAMES[key] in line for line in built.report_lines()) == 1
    assert "ligne 6 : « Restaurant social fictif de l'Érable » fermé définitivement" in text
    assert "1 lieu non mis à jour depuis plus d'un an" in text
    assert "ouvert · professionnels : 1 lu, 0 montré, 1 compté, 1 masqué" in text
    assert "fermé définitivement · public : 1 lu, 0 montré, 0 compté, 1 masqué" in text
    # closed sites stay in the GeoPackage, as closed; the publication layer says what was shown
    assert "publication" in {name for name, _ in pyogrio.list_layers(out)}
    actors = pyogrio.read_dataframe(out, layer="actors")
    assert len(actors) == 6 and (actors["status"] == "closed").sum() == 1
    table = pyogrio.read_dataframe(out, layer="publication")
    assert table["read"].astype(int).sum() == 6 and table["hidden"].astype(int).sum() == 4
    warnings = pyogrio.read_dataframe(out, layer="warnings")
    assert warnings["message"].str.contains("réservé aux professionnels").sum() == 1
    # with the drafts included, only the closed and professional-only sites are hidden
    drafts = build_registries([FRENCH_CSV], write=False, audience=Audience(include_drafts=True, today=TODAY))
    assert len(drafts.hidden) == 2
    assert build_registries([FRENCH_CSV], write=False, audience=Audience(freshness_months=36, today=TODAY)
                       ).publication["stale"].sum() == 0


@pytest.mark.parametrize(("given", "expected"), [
    ("Ouvert", "open"), ("ONLINE", "open"), ("", "open"), ("Brouillon", "draft"), ("hors-ligne", "offline"),
    ("Hors ligne", "offline"), ("fermée définitivement", "closed"), ("PERMANENTLY_CLOSED", "closed"),
])
def test_status_synonyms(communes, given, expected):
    import pandas as pd

    raw = pd.DataFrame([{"nom": "Lieu", "type": "distribution", "code_insee": "62498", "statut": given}])
    res = validate_actors(raw, [2], communes)
    assert res.accepted["status"].tolist() == [expected]


@pytest.mark.parametrize(("given", "expected"), [
    ("public", "public"), ("ALL", "public"), ("Tout public", "public"), ("PRO", "pro"),
    ("Professionnels", "pro"), ("réservé aux professionnels", "pro"), ("", "public"),
])
def test_visibility_synonyms(communes, given, expected):
    import pandas as pd

    raw = pd.DataFrame([{"nom": "Lieu", "type": "distribution", "code_insee": "62498", "visibilite": given}])
    res = validate_actors(raw, [2], communes)
    assert res.accepted["visibility"].tolist() == [expected]


def test_unknown_status_or_visibility_rejects_the_row(communes):
    import pandas as pd

    raw = pd.DataFrame([
        {"nom": "A", "type": "distribution", "code_insee": "62498", "statut": "fermé définitivment", "visibilite": ""},
        {"nom": "B", "type": "distribution", "code_insee": "62498", "statut": "", "visibilite": "pros seulement"},
    ])
    res = validate_actors(raw, [2, 3], communes)
    assert len(res.accepted) == 0
    reasons = res.rejected["reason"].tolist()
    assert reasons[0].startswith("statut inconnu(e) : « fermé définitivment »") and "« brouillon »" in reasons[0]
    assert reasons[1].startswith("visibilité inconnu(e) : « pros seulement »")


def test_cli_build_flags(tmp_path):
    from atlas.cli import cli

    out = tmp_path / "statuts.gpkg"
    run = CliRunner().invoke(cli, ["build", str(SOLIGUIDE), "-o", str(out), "--inclure-brouillons",
                                   "--fraicheur", "6"])
    assert run.exit_code == 0, run.output
    assert "brouillon · public : 1 lu, 1 montré, 1 compté" in run.output
    assert "non mis à jour depuis plus de 6 mois" in run.output
    bad = CliRunner().invoke(cli, ["build", str(SOLIGUIDE), "-o", str(out), "--fraicheur", "0"])
    assert bad.exit_code != 0
