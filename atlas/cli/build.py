"""``atlas build``: validate and join the actor registries, write the GeoPackage."""

from __future__ import annotations

from pathlib import Path

import click

from atlas.cli.errors import handle_errors
from atlas.cli.inputs import apply_reference_dir, geocoding, make_audience
from atlas.cli.options import (
    actions_option,
    geocode_options,
    partnership_file_option,
    publication_options,
    reference_options,
)


@click.command()
@click.argument("registries", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--mapping", "mappings", multiple=True,
              help="Correspondance de colonnes et de valeurs (préréglage ou fichier JSON), une par registre, "
                   "dans l'ordre.")
@click.option("--sheet", "--feuille", "sheet", multiple=True, metavar="NOM",
              help="Feuille des classeurs à lire, répétable (défaut : toutes celles qui ont une colonne de nom).")
@partnership_file_option
@actions_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="GeoPackage à écrire (défaut : data/processed/atlas.gpkg).")
@publication_options
@geocode_options
@reference_options
@handle_errors
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

    apply_reference_dir(reference_dir)
    result = build_registries(list(registries) or None, mappings=list(mappings) or None, output=output,
                         reference=reference, partnerships=partnerships or not registries, actions=actions,
                         sheet=list(sheet) or None, audience=make_audience(professionals, include_drafts, freshness),
                         **geocoding(ban, geocoder))
    for line in result.report_lines():
        click.echo(line)
