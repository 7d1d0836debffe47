"""``atlas gaps``: zones blanches, population beyond a threshold from every site (and ``--semaine``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from atlas import settings
from atlas.cli.errors import handle_errors
from atlas.cli.inputs import analysis_inputs
from atlas.cli.options import network_options, site_options
from atlas.errors import AtlasError


@click.command()
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
@network_options
@site_options
@handle_errors
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
    _, territory, sites, origins, network = analysis_inputs(opts)
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
    _, territory, sites, origins, network = analysis_inputs(opts)
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
