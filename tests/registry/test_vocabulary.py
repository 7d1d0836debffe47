"""Values read by meaning: everyday French labels, typos, unknown values, value mappings, the README table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from atlas import settings
from atlas.registry import schema
from atlas.registry.actors import read_actors
from atlas.registry.vocabulary import ACCESS, KINDS, MODES, NETWORKS, SERVICES, vocabulary_rows, words

DATA = Path(__file__).parents[1] / "data"
LABELS = DATA / "registre_libelles_fr.csv"

#: The everyday labels of the issue and the kind each one means.
EVERYDAY = {
    "lieu de distribution": "distribution", "distribution de colis": "distribution",
    "colis alimentaires": "distribution", "point relais": "distribution",
    "épicerie sociale et solidaire": "epicerie", "restaurant solidaire": "meal",
    "restaurant du cœur": "distribution", "banque alimentaire": "logistics", "CCAS de Béthune": "ccas",
    "CIAS du Pays de Saint-Omer": "ccas", "centre social": "social_centre", "maraude": "meal",
    "producteur bio": "producer", "AMAP": "producer", "jardin partagé": "producer", "supermarché": "other",
    "Lieu de Distribution": "distribution", "LES COLIS ALIMENTAIRES": "distribution",
    "Restos du Coeur de Lens": "distribution", "ferme maraîchère": "producer", "food bank": "distribution",
    "soup kitchen": "meal", "grande distribution": "other", "épicerie solidaire itinérante": "epicerie",
}  # fmt: skip


@pytest.mark.parametrize(("text", "kind"), EVERYDAY.items())
def test_everyday_labels_are_understood(text, kind):
    assert KINDS.read(text).value == kind


def test_exact_values_say_nothing_guesses_say_what_was_understood():
    for vocabulary, labels in ((KINDS, schema.KIND_LABELS), (NETWORKS, schema.NETWORK_LABELS),
                               (SERVICES, schema.SERVICE_LABELS), (ACCESS, schema.ACCESS_LABELS)):
        for value in labels:  # every canonical value is read as itself, silently
            assert (vocabulary.read(value).value, vocabulary.read(value).how) == (value, "exact"), value
    assert KINDS.read("Épicerie solidaire").how == "exact"  # an alias of schema.KIND_ALIASES
    reading = KINDS.read("lieu de distribution")
    assert reading.guessed
    assert KINDS.understood("lieu de distribution", reading) == (
        "type d'acteur “lieu de distribution” compris comme distribution alimentaire")


def test_typos_are_corrected_and_unrelated_words_are_not():
    assert (KINDS.read("epicrie solidaire").value, KINDS.read("epicrie solidaire").how) == ("epicerie", "typo")
    assert KINDS.read("distrbution alimentaire").value == "distribution"
    assert NETWORKS.read("Secour populair").value == "secours-populaire"
    for unrelated in ("Boulangerie", "Centre hospitalier", "Garage", "xyz", "<img src=x onerror=alert(1)>"):
        assert KINDS.read(unrelated).value is None, unrelated


def test_unknown_values_propose_the_closest_known_ones():
    reading = KINDS.read("Epicier solidair")  # too far from any word to be corrected, but close to « épicerie »
    assert reading.value is None and reading.close[0] == "epicerie"
    assert KINDS.read("Restauration").close[0] == "meal"
    reading = KINDS.read("Boulangerie")
    message = KINDS.unknown("Boulangerie", reading)
    assert message.startswith("type d'acteur inconnu : « Boulangerie »")
    assert "les plus proches" in message and "attendu : distribution, epicerie" in message
    assert reading.close and set(reading.close) <= set(schema.KIND_LABELS)


def test_longest_phrase_wins():
    assert KINDS.read("restaurant du cœur").value == "distribution"  # not « restaurant »
    assert KINDS.read("grande distribution").value == "other"  # not « distribution »
    assert KINDS.read("supermarché solidaire").value == "epicerie"  # not « supermarché »
    assert KINDS.read("centre").value == "distribution"  # an alias, alone
    assert KINDS.read("centre hospitalier").value is None  # the one-word alias is not read inside


def test_normalised_words():
    assert words("Les Restos du Cœur") == ("resto", "coeur")
    assert words("  ") == ()
    assert schema.slug("Restos du Cœur") == "restos-du-coeur"


def test_other_vocabularies():
    assert SERVICES.read("vêtements").value == "vestiaire"
    assert SERVICES.read("Colis alimentaires").value == "colis"
    assert SERVICES.read("<img src=x onerror=alert(1)>").value is None
    assert ACCESS.read("sur RDV").value == "appointment"
    assert ACCESS.read("ouvert à tous").value == "unconditional"
    assert MODES.read("camion itinérant").value == "mobile"
    assert NETWORKS.read("Restos du Cœur").value == "restos-du-coeur"


def test_french_registry_with_everyday_labels(communes):
    res = read_actors(LABELS, communes=communes)
    assert res.n_read == 20 == len(res.accepted) + len(res.rejected)
    assert len(res.accepted) == 16
    reasons = dict(zip(res.rejected["line"], res.rejected["reason"], strict=True))
    # the other rejects keep their true reasons (not « type d'acteur inconnu »)
    assert reasons[18].startswith("latitude et longitude inversées")
    assert reasons[19].startswith("coordonnées hors du territoire")
    assert reasons[20].startswith("coordonnées illisibles")
    assert reasons[21].startswith("type d'acteur inconnu : « Boulangerie » (les plus proches")
    kinds = res.accepted.set_index("id")["kind"]
    assert kinds.to_dict() == {
        "f1": "distribution", "f2": "distribution", "f3": "distribution", "f4": "distribution", "f5": "epicerie",
        "f6": "meal", "f7": "distribution", "f8": "logistics", "f9": "ccas", "f10": "social_centre",
        "f11": "meal", "f12": "producer", "f13": "producer", "f14": "producer", "f15": "other", "f16": "epicerie",
    }  # fmt: skip
    understood = res.warnings[res.warnings["message"].str.contains("compris comme")]
    assert set(understood["id"]) == {f"f{i}" for i in (1, 2, 3, 4, 6, 9, 12, 13, 14, 15, 16)}
    # a usual network name written as the type is read silently, and names the network too
    networks = res.accepted.set_index("id")["network"]
    assert (networks["f7"], networks["f8"]) == ("restos-du-coeur", "banque-alimentaire")
    assert "type d'acteur “lieu de distribution” compris comme distribution alimentaire" in set(understood["message"])


def test_mapping_maps_values_too(tmp_path, communes):
    path = tmp_path / "r.csv"
    path.write_text("nom;type;services;code insee\nA;Lieu X;Aide aux devoirs, colis;62498\n"
                    "B;lieu de distribution;;62498\n", encoding="utf-8")
    mapping = tmp_path / "m.json"
    mapping.write_text(json.dumps({"values": {"kind": {"Lieu X": "distribution"},
                                              "services": {"Aide aux devoirs": "accompagnement"}}}), encoding="utf-8")
    res = read_actors(path, mapping=mapping, communes=communes)
    acc = res.accepted.set_index("name")
    assert acc.loc["A", "kind"] == "distribution" and acc.loc["A", "services"] == "accompagnement,colis"
    assert list(res.warnings["message"]) == ["type d'acteur “lieu de distribution” compris comme distribution alimentaire"]
    plain = read_actors(path, communes=communes)
    assert plain.rejected["reason"].iloc[0].startswith("type d'acteur inconnu : « Lieu X »")


def test_markup_in_services_keeps_its_text_with_a_warning(tmp_path, communes):
    path = tmp_path / "r.csv"
    path.write_text('nom;type;services\nA;distribution;"<img src=x onerror=alert(1)>, vêtements"\n', encoding="utf-8")
    res = read_actors(path, communes=communes)
    assert res.accepted["services"].iloc[0] == "<img src=x onerror=alert(1)>,vestiaire"
    messages = " | ".join(res.warnings["message"])
    assert "service hors liste connue, gardé tel quel : « <img src=x onerror=alert(1)> »" in messages
    assert "service “vêtements” compris comme vestiaire" in messages


def test_readme_documents_every_phrase():
    text = (settings.REPO_DIR / "data" / "raw" / "README.md").read_text(encoding="utf-8")
    assert "## Vocabulaire compris" in text
    for vocabulary in (KINDS, NETWORKS, SERVICES, ACCESS, MODES):
        for value, _, phrases in vocabulary_rows(vocabulary):
            assert f"| `{value}` |" in text, value
            for phrase in phrases:
                assert f"« {phrase} »" in text, phrase
