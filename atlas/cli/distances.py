"""``atlas distances``: distance from each commune (or origin point) to the nearest site."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from atlas import settings
from atlas.cli.errors import handle_errors
from atlas.cli.french import command
from atlas.cli.inputs import analysis_inputs
from atlas.cli.options import format_option, network_options, output_option, site_options


@command("distances")
@format_option("csv", "gpkg", screen="csv")
@output_option("Fichier à écrire (.csv ou .gpkg).")
@network_options
@site_options
@handle_errors
def distances(fmt: str | None, output: Path | None, **opts: Any) -> None:
    """Distance de chaque commune (ou point d'origine) au site le plus proche."""
    from atlas.analysis.distances import distances, distances_table, write_distances

    communes, territory, sites, origins, network = analysis_inputs(opts)
    # origin points given their commune as in gaps (500 m rule), what is left out said
    result = distances(territory, sites, origins=origins, network=network, clip=True, all_communes=communes)
    if output is None and fmt != "gpkg":
        from atlas.io import csv_text

        click.echo(csv_text(distances_table(result)), nl=False)
        return
    output = write_distances(result, output or settings.processed_dir() / "distances.gpkg", fmt=fmt)
    click.echo(f"Distances écrites : {output} ({len(result)} lignes, {len(sites)} sites)")
