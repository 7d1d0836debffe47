"""``atlas distances``: distance from each commune (or origin point) to the nearest site."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from atlas.cli.errors import handle_errors
from atlas.cli.inputs import analysis_inputs
from atlas.cli.options import network_options, site_options
from atlas.errors import AtlasError


@click.command()
@click.option("--format", "fmt", type=click.Choice(["csv", "gpkg"]), default=None,
              help="Format de sortie (défaut : d'après l'extension de -o, sinon CSV à l'écran).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Fichier à écrire (.csv ou .gpkg).")
@network_options
@site_options
@handle_errors
def distances(fmt: str | None, output: Path | None, **opts: Any) -> None:
    """Distance de chaque commune (ou point d'origine) au site le plus proche."""
    from atlas.analysis.distances import distances, distances_table, write_distances

    if fmt == "gpkg" and output is None:
        raise AtlasError("le format gpkg demande un fichier de sortie (-o)")
    communes, territory, sites, origins, network = analysis_inputs(opts)
    # origin points given their commune as in gaps (500 m rule), what is left out said
    result = distances(territory, sites, origins=origins, network=network, clip=True)
    if output is None:
        from atlas.io import csv_text

        click.echo(csv_text(distances_table(result)), nl=False)
        return
    write_distances(result, output, fmt=fmt)
    click.echo(f"Distances écrites : {output} ({len(result)} lignes, {len(sites)} sites)")
