"""``atlas web``: the self-contained interactive map (one HTML file)."""

from __future__ import annotations

from pathlib import Path

import click

from atlas import settings
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


@click.command()
@territory_options("Défaut : toute la région.")
@registry_options
@geocode_options
@layer_options
@click.option("--title", default=None, help="Titre de la carte.")
@registry_title_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Fichier HTML à écrire (défaut : maps/carte-<territoire>.html).")
@publication_options
@reference_options
@handle_errors
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

    apply_reference_dir(reference_dir)
    if output is not None:
        html_output_path(output)  # before reading anything
    registry = Path(registry) if registry else settings.raw_dir() / "actors.csv"
    audience = make_audience(professionals, include_drafts, freshness)
    _, communes, actors = load_inputs(str(registry), mapping, reference, list(epci) or None, list(dep) or None,
                                      sheet=sheet, audience=audience,
                                      **geocoding(ban, geocoder))
    layers = web_layers(communes, actors, zones_blanches_km=zones_blanches, access=access,
                        partnerships=layer_partnerships(partnerships), audience=audience)
    name = territory_label(communes, by="epci" if epci else "dep" if dep else "region", short_names=True)
    target = output or settings.maps_dir() / web_filename(name)
    path = write_webmap(replace(communes, name=name), actors, output=target, layers=layers, title=title,
                        registry=registry_title, audience=audience, clip=bool(epci or dep))
    click.echo(f"Carte interactive écrite : {path} ({path.stat().st_size / 1e6:.2f} Mo)")
