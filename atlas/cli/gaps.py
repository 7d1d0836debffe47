"""``atlas zones-blanches`` (``gaps``): zones blanches, population beyond a threshold from every site (and ``--semaine``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from atlas import settings
from atlas.cli.errors import handle_errors
from atlas.cli.french import command
from atlas.cli.inputs import analysis_inputs
from atlas.cli.options import (
    Choice,
    format_option,
    network_options,
    option,
    output_option,
    site_options,
    thresholds_option,
)
from atlas.errors import AtlasError

#: How the table is grouped (``--par``).
GROUPS = Choice({"commune": ("commune", "municipality"), "epci": ("epci",),
                 "dep": ("dep", "departement", "department"), "region": ("region", "région")})


@command("zones-blanches")
@thresholds_option("Seuil de distance en km, répétable (défaut : 5, 10 et 20 km).")
@option("--minutes", "minutes", multiple=True, type=float, metavar="MINUTES",
        help="Seuil de temps de trajet en minutes, répétable (avec --routes).")
@option("--par", "--by", "by", type=GROUPS, default="epci", help="Regroupement du tableau (défaut : epci).")
@option("--semaine", "--week", "week", is_flag=True,
        help="Part de la population couverte chaque jour de la semaine (au premier seuil en km).")
@format_option("csv", "md", "gpkg")
@output_option("Fichier à écrire (.csv, .md, .gpkg).")
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
    if minutes and not opts.get("roads"):
        raise AtlasError("un seuil en minutes demande un réseau routier (option --routes)")
    if week:
        if len(thresholds) > 1:
            raise AtlasError("--semaine se calcule à un seul seuil en km (un seul --seuil)")
        _weekly(thresholds[0] if thresholds else 10.0, by, fmt, output, opts)
        return
    communes, territory, sites, origins, network = analysis_inputs(opts)
    zb = zones_blanches(territory, sites, thresholds_km=km or None, thresholds_min=list(minutes) or None,
                        network=network, origins=origins, sites_selected=True, all_communes=communes)
    if output is None and fmt in (None, "md"):
        click.echo(markdown_table(french_table(summarize(zb, by), total=by != "commune")), nl=False)
        return
    if output is None and fmt == "csv":
        click.echo(csv_text(french_table(summarize(zb, by), total=by != "commune")), nl=False)
        return
    target = output or settings.processed_dir() / "zones_blanches.gpkg"
    path = write_gaps(zb, target, fmt=fmt, by=by)
    click.echo(f"Zones blanches écrites : {path} ({zb.attrs.get('n_sites', 0)} sites, {len(zb)} communes)")


def _weekly(threshold_km: float, by: str, fmt: str | None, output: Path | None, opts: dict[str, Any]) -> None:
    """``atlas zones-blanches --semaine``: coverage day by day (sites filtered by day inside)."""
    from atlas.analysis.coverage import weekly_coverage, weekly_table
    from atlas.analysis.sites import SiteFilter
    from atlas.io import csv_text, markdown_table, output_format, write_csv_excel, write_text_atomic

    if by == "commune":
        raise AtlasError("--semaine se regroupe par epci, dep ou region")
    if opts.get("day"):
        raise AtlasError("--semaine et --jour ne vont pas ensemble : --semaine passe déjà en revue chaque jour")
    # sites of the chosen kinds, networks and services, all days; weekly_coverage then keeps, day by
    # day, those open that day
    communes, territory, sites, origins, network = analysis_inputs(opts)
    weekly = weekly_coverage(territory, sites, threshold_km, by=by,
                             sites_filter=SiteFilter(kinds=None, include_drafts=bool(opts.get("include_drafts"))),
                             network=network, origins=origins, all_communes=communes)
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
