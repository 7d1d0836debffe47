"""``atlas suggest``: where one more site would cover the most population in zones blanches."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from atlas import settings
from atlas.cli.errors import handle_errors
from atlas.cli.inputs import analysis_inputs
from atlas.cli.options import site_options


@click.command()
@click.option("--threshold", "--seuil", "threshold", type=float, default=10.0, show_default=True, metavar="KM",
              help="Rayon couvert par un site (km, à vol d'oiseau).")
@click.option("-k", "--sites", "k", type=int, default=5, show_default=True, help="Nombre de sites à proposer.")
@click.option("--candidates", default=None, type=click.Path(dir_okay=False),
              help="Lieux candidats (fichier de points) ; défaut : les communes du territoire.")
@click.option("--format", "fmt", type=click.Choice(["csv", "md", "gpkg"]), default=None,
              help="Format de sortie (défaut : d'après l'extension de -o, sinon Markdown à l'écran).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Fichier à écrire (.csv, .md, .gpkg).")
@site_options
@handle_errors
def suggest(threshold: float, k: int, candidates: str | None, fmt: str | None, output: Path | None,
            **opts: Any) -> None:
    """Où un site de plus couvrirait le plus de population en zone blanche."""
    from atlas.analysis.distances import check_thresholds, read_points
    from atlas.analysis.suggest import suggest_sites, suggestions_markdown, write_suggestions

    check_thresholds(threshold, "km")
    _, territory, sites, origins, _ = analysis_inputs(opts)
    cands = None if candidates is None else read_points(candidates)
    ranked = suggest_sites(territory, sites, candidates=cands, origins=origins, thresholds_km=(threshold,), k=k)
    if output is None and fmt in (None, "md"):
        click.echo(suggestions_markdown(ranked), nl=False)
        return
    path = write_suggestions(ranked, output or settings.processed_dir() / "suggestions.gpkg", fmt=fmt)
    click.echo(f"Propositions écrites : {path} ({len(ranked)} sites)")
