"""``atlas suggerer`` (``suggest``): where one more site would cover the most population in zones blanches."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from atlas import settings
from atlas.cli.errors import handle_errors
from atlas.cli.french import command
from atlas.cli.inputs import analysis_inputs
from atlas.cli.options import Whole, format_option, option, output_option, site_options, thresholds_option


@command("suggerer")
@thresholds_option("Rayon couvert par un site (km, à vol d'oiseau), répétable : un classement par seuil "
                   "(défaut : 10 km).")
@option("-k", "--nombre", "--number", "k", type=Whole(1), default=5, metavar="NOMBRE",
        help="Nombre de sites à proposer (défaut : 5).")
@option("--candidats", "--candidates", "candidates", default=None, type=click.Path(dir_okay=False),
        metavar="FICHIER", help="Lieux candidats (fichier de points) ; défaut : les communes du territoire.")
@format_option("csv", "md", "gpkg")
@output_option("Fichier à écrire (.csv, .md, .gpkg).")
@site_options
@handle_errors
def suggest(thresholds: tuple[float, ...], k: int, candidates: str | None, fmt: str | None, output: Path | None,
            **opts: Any) -> None:
    """Où un site de plus couvrirait le plus de population en zone blanche."""
    from atlas.analysis.distances import check_thresholds, commune_origins, read_points
    from atlas.analysis.suggest import suggest_sites, suggestions_markdown

    kms = list(thresholds) or [10.0]
    for km in kms:
        check_thresholds(km, "km")
    _, territory, sites, origins, _ = analysis_inputs(opts)
    if origins is None:
        origins = commune_origins(territory)
    cands = commune_origins(territory) if candidates is None else read_points(candidates)
    rankings = [suggest_sites(origins, sites, cands, threshold_km=km, k=k) for km in kms]
    if output is None and fmt in (None, "md"):
        click.echo("\n".join(suggestions_markdown(r) for r in rankings), nl=False)
        return
    if output is None and fmt == "csv":
        from atlas.io import csv_text

        click.echo(csv_text(_table(rankings)), nl=False)
        return
    path = _write(rankings, output or settings.processed_dir() / "suggestions.gpkg", fmt)
    click.echo(f"Propositions écrites : {path} ({sum(len(r) for r in rankings)} sites)")


def _table(rankings: list[Any]) -> Any:
    """One French table; with several thresholds, a first column « Seuil (km) »."""
    import pandas as pd

    from atlas.analysis.suggest import suggestions_table

    if len(rankings) == 1:
        return suggestions_table(rankings[0])
    tables = [suggestions_table(r).assign(**{"Seuil (km)": r.attrs.get("threshold_km")}) for r in rankings]
    table = pd.concat(tables, ignore_index=True)
    return table[["Seuil (km)", *[c for c in table.columns if c != "Seuil (km)"]]]


def _write(rankings: list[Any], path: Path, fmt: str | None) -> Path:
    """The rankings in one file: one table (csv), the reports one after the other (md), one layer per threshold (gpkg)."""
    from atlas.analysis.suggest import suggestions_markdown, write_suggestions
    from atlas.errors import AccessError
    from atlas.io import write_output

    if len(rankings) == 1:
        return write_suggestions(rankings[0], path, fmt=fmt)

    def layer(r: Any) -> str:
        return f"suggestions_{r.attrs.get('threshold_km', 0):g}km".replace(".", "_")

    return write_output(path, fmt, error=AccessError, csv=lambda: _table(rankings),
                        md=lambda: "\n".join(suggestions_markdown(r) for r in rankings),
                        gpkg=lambda: {layer(r): r for r in rankings})
