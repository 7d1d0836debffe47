"""``atlas print``: the printable A3 map (PDF), or an atlas of one sheet per territory."""

from __future__ import annotations

from pathlib import Path

import click

from atlas.cli.errors import handle_errors
from atlas.cli.inputs import apply_reference_dir, geocoding, layer_partnerships, make_audience
from atlas.cli.options import (
    geocode_options,
    layer_options,
    publication_options,
    reference_options,
    registry_options,
    registry_title_option,
    territory_options,
)


@click.command("print")
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
@registry_title_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="PDF à écrire (défaut : maps/carte-<territoire>.pdf ou maps/atlas-<découpage>.pdf).")
@publication_options
@reference_options
@handle_errors
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
    apply_reference_dir(reference_dir)
    audience = make_audience(professionals, include_drafts, freshness)
    communes, territory, actors = load_inputs(registry, mapping, reference, epci, dep, sheet=sheet, audience=audience,
                                              **geocoding(ban, geocoder))
    if insee:
        territory = select_territory(communes, epci=list(epci) or None, dep=list(dep) or None, insee=list(insee))
    layers = analysis_layers(select_territory(communes), actors, zones_blanches_km=zones_blanches, access=access,
                             partnerships=layer_partnerships(partnerships), audience=audience)
    opts = {"orientation": orientation, "layers": layers, "kinds": None if all_kinds else AID_KINDS,
            "title": title or TITLE, "audience": audience, "editor": editor, "contact": contact,
            "registry": registry_title}
    if atlas_by:
        path = render_atlas(territory, actors, by=atlas_by, output=output, **opts)
    else:
        path = render_map(territory, actors, output=output, **opts)
    click.echo(f"Carte imprimable écrite : {path} ({path.stat().st_size / 1e6:.2f} Mo)")
